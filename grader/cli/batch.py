"""``grader batch``: grade a CSV/JSONL of answers (CLI side: the options and their checks, the live
run's progress and summary).

The Batch API paths (``--batch-api``, ``--export-requests``, ``--import-results``) are in
:mod:`grader.cli.batch_api`; the work is in :mod:`grader.batch` (the runner, the estimate, the Batch API).
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from grader.batch.io import Columns
from grader.batch.lock import OutputLock
from grader.cli import common
from grader.cli.batch_api import export_cli, import_cli, run_batch_api_cli
from grader.cli.common import (
    BackendOpt,
    BaseUrlOpt,
    ExamplesOpt,
    ExamplesPickOpt,
    ModelOpt,
    NoCacheOpt,
    NoSecondOpinionOpt,
    RubricsOpt,
    bank_for,
    echo,
    grading_settings,
    load_examples,
    open_store,
)
from grader.cli.render import batch_summary_tables
from grader.errors import InputError
from grader.exit_codes import ExitCode

if TYPE_CHECKING:
    from rich.progress import Progress

    from grader.batch.stats import BatchStats

__all__ = ["register", "batch"]


def _progress_printer(total: int, plain: bool) -> tuple[Progress | None, Callable[[BatchStats], None]]:
    """A rich progress bar on a terminal, a log line every few seconds otherwise."""
    if plain:
        last = [0.0]

        def log(stats: BatchStats) -> None:
            now = time.monotonic()
            if now - last[0] >= 5 or stats.done + stats.skipped_done >= total:
                last[0] = now
                echo(
                    f"[batch] {stats.done + stats.skipped_done}/{total} rows · {stats.rate:.1f}/s · "
                    f"graded {stats.graded} unscored {stats.unscored} errors {stats.errors} cached {stats.cached} · "
                    f"tokens {stats.prompt_tokens + stats.completion_tokens} · ${stats.cost_usd:.4f}",
                    err=True,
                )

        return None, log

    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    progress = Progress(
        TextColumn("grading"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[rate]}/s"),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
        TextColumn("{task.fields[info]}"),
        console=common.err_console,
        transient=False,
    )
    task = progress.add_task("batch", total=total, rate="0.0", info="")

    def update(stats: BatchStats) -> None:
        progress.update(
            task,
            completed=stats.done + stats.skipped_done,
            rate=f"{stats.rate:.1f}",
            info=f"tokens {stats.prompt_tokens + stats.completion_tokens} · ${stats.cost_usd:.4f} · "
            f"unscored {stats.unscored} · errors {stats.errors}",
        )

    return progress, update


def batch(
    source: Annotated[Path, typer.Argument(help="Answers: CSV (candidate_id, question_id, answer) or JSONL.")],
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Results file (.csv or .jsonl).")] = None,
    id_col: Annotated[str, typer.Option("--id-col", help="Candidate id column.")] = "candidate_id",
    question_col: Annotated[str, typer.Option("--question-col", help="Question id column.")] = "question_id",
    answer_col: Annotated[str, typer.Option("--answer-col", help="Answer text column.")] = "answer",
    resume: Annotated[bool, typer.Option("--resume", help="Continue an interrupted run into the same output.")] = False,
    overwrite: Annotated[bool, typer.Option("--overwrite", help="Replace an existing output file.")] = False,
    concurrency: Annotated[
        int | None, typer.Option("--concurrency", "-j", help="Requests in flight (default 8).")
    ] = None,
    rpm: Annotated[float | None, typer.Option("--rpm", help="At most this many requests per minute.")] = None,
    tpm: Annotated[float | None, typer.Option("--tpm", help="At most this many tokens per minute (estimated).")] = None,
    max_cost: Annotated[
        float | None, typer.Option("--max-cost", help="Stop starting new rows at this spend (USD).")
    ] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Estimate tokens and cost; call nothing.")] = False,
    batch_api: Annotated[
        bool, typer.Option("--batch-api", help="Use the OpenAI Batch API (asynchronous, cheaper).")
    ] = False,
    retry_failed: Annotated[
        bool,
        typer.Option("--retry-failed", help="With --batch-api --resume: re-submit the rows that failed on the server."),
    ] = False,
    poll_interval: Annotated[
        float, typer.Option("--poll-interval", min=0.0, help="With --batch-api: seconds between status checks.")
    ] = 30.0,
    no_wait: Annotated[
        bool, typer.Option("--no-wait", help="With --batch-api: submit and exit; collect later with --resume.")
    ] = False,
    export_requests: Annotated[
        Path | None,
        typer.Option(
            "--export-requests",
            help="With --batch-api: write the Batch API request lines (JSONL) to this file; upload nothing.",
        ),
    ] = None,
    import_results: Annotated[
        Path | None,
        typer.Option(
            "--import-results",
            help="Grade from a Batch API output file produced elsewhere (for rows of an --export-requests).",
        ),
    ] = None,
    errors_file: Annotated[
        Path | None, typer.Option("--errors", help="With --import-results: the batch's error file.")
    ] = None,
    summary_json: Annotated[Path | None, typer.Option("--summary-json", help="Also write the summary as JSON.")] = None,
    samples: Annotated[
        int,
        typer.Option(
            "--samples",
            min=1,
            max=20,
            help="Grade each answer N times with varied seeds; flag disagreement (N calls per answer).",
        ),
    ] = 1,
    pass_mark: Annotated[
        float | None,
        typer.Option(
            "--pass-mark",
            min=0,
            max=100,
            help="With --samples: samples on both sides of this percent flag the answer low_confidence.",
        ),
    ] = None,
    model: ModelOpt = None,
    base_url: BaseUrlOpt = None,
    backend: BackendOpt = None,
    rubrics: RubricsOpt = None,
    no_cache: NoCacheOpt = False,
    no_second_opinion: NoSecondOpinionOpt = False,
    examples: ExamplesOpt = None,
    examples_pick: ExamplesPickOpt = None,
) -> None:
    """Grade every answer of a CSV/JSONL file; results are written as they finish."""
    settings = grading_settings(
        model=model,
        base_url=base_url,
        backend=backend,
        rubrics=rubrics,
        no_cache=no_cache,
        no_second_opinion=no_second_opinion,
        concurrency=concurrency,
        examples=examples,
        examples_pick=examples_pick,
    )
    columns = Columns(id=id_col, question=question_col, answer=answer_col)
    if not source.is_file():
        raise InputError("file not found", source=str(source))
    bank = bank_for(settings)
    if dry_run:
        from grader.batch.estimate import estimate_batch

        est = estimate_batch(
            source, columns, settings, bank, store=open_store(settings), examples=load_examples(settings, bank)
        )
        common.console.print_json(json.dumps(est))
        for problem in est["problems"]:  # one line per reason: how many rows, where, why
            lines = ", ".join(map(str, problem["first_lines"]))
            more = ", …" if problem["rows"] > len(problem["first_lines"]) else ""
            echo(
                f"would fail: {problem['rows']} row(s), {problem['reason']} (line {lines}{more}): {problem['example']}",
                err=True,
            )
        return
    if errors_file is not None and import_results is None:
        raise InputError("--errors works with --import-results")
    if export_requests is not None:
        if not batch_api:
            raise InputError("--export-requests works with --batch-api", hint="add --batch-api")
        if import_results is not None or resume or retry_failed:
            raise InputError("--export-requests writes the requests only; it takes no --import-results or --resume")
        export_cli(settings, bank, source, export_requests, columns)
        return
    if output is None:
        raise InputError("no output file", hint="pass -o results.csv (or .jsonl)")
    if import_results is not None:
        if retry_failed or no_wait:
            raise InputError("--retry-failed and --no-wait do not apply to --import-results")
        with OutputLock(output):
            stats = import_cli(
                settings,
                bank,
                source,
                output,
                columns,
                import_results,
                errors_file,
                resume=resume,
                overwrite=overwrite,
            )
            _finish(stats, output, summary_json)
        return
    with OutputLock(output):  # another run on this output (live or Batch API) is refused
        if output.exists() and output.stat().st_size > 0 and not (resume or overwrite or batch_api):
            raise InputError(
                "the output file exists",
                source=str(output),
                hint="use --resume to continue it or --overwrite to replace it",
            )
        if (retry_failed or no_wait) and not batch_api:
            raise InputError("--retry-failed and --no-wait work with --batch-api")
        if batch_api:
            ignored = [
                name
                for name, value in (
                    ("--concurrency", concurrency),
                    ("--rpm", rpm),
                    ("--tpm", tpm),
                    ("--max-cost", max_cost),
                )
                if value is not None
            ]
            if ignored:
                echo(f"{', '.join(ignored)}: not used with --batch-api", err=True, style="yellow", highlight=True)
            run_batch_api_cli(
                settings,
                bank,
                source,
                output,
                columns,
                resume=resume,
                console=common.err_console,
                retry_failed=retry_failed,
                overwrite=overwrite,
                wait=not no_wait,
                poll_interval=poll_interval,
                summary_json=summary_json,
            )
            return

        from grader.batch.io import count_rows
        from grader.batch.runner import run_batch
        from grader.grading import Grader

        total = count_rows(source, columns)
        store = open_store(settings)
        grader = Grader(settings, bank=bank, store=store, examples=load_examples(settings, bank))
        plain = not common.err_console.is_terminal
        progress, on_progress = _progress_printer(total, plain)
        if settings.effective_backend == "local":
            echo(
                "grading with the embedded grader (no LLM); --backend llm --base-url URL to use one",
                err=True,
                style="dim",
                highlight=True,
            )

        async def go() -> BatchStats:
            try:
                return await run_batch(
                    grader,
                    source,
                    output,
                    columns=columns,
                    resume=resume,
                    rpm=rpm,
                    tpm=tpm,
                    max_cost=max_cost,
                    on_progress=on_progress,
                    total=total,
                    samples=samples,
                    pass_mark=pass_mark,
                )
            finally:
                await grader.aclose()

        try:
            if progress is not None:
                with progress:
                    stats = asyncio.run(go())
            else:
                stats = asyncio.run(go())
        finally:
            if store is not None:
                store.close()
        _finish(stats, output, summary_json)


def _finish(stats: Any, output: Path, summary_json: Path | None) -> None:
    """The summary tables, the optional JSON summary and the results path; exit 5 if any row failed."""
    summary = stats.summary()
    for table in batch_summary_tables(summary):
        common.err_console.print(table)
    if summary_json:
        summary_json.write_text(json.dumps(summary, indent=2))
    echo(f"results: {output}", err=True, style="dim", highlight=True)
    if stats.failed:
        raise typer.Exit(ExitCode.ROWS_FAILED)


def register(app: typer.Typer) -> None:
    """Add ``batch`` to the ``grader`` app."""
    app.command("batch")(batch)

"""``grader batch``: grade a CSV/JSONL of answers (CLI side: options, progress, summary, and the
Batch API path's progress lines and resume hints).

The work is in :mod:`grader.batch` (the runner, the estimate, the Batch API).
"""

from __future__ import annotations

import asyncio
import json
import shlex
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console

from grader.batch.io import Columns
from grader.batch.lock import OutputLock
from grader.cli import common
from grader.cli.common import (
    BackendOpt,
    BaseUrlOpt,
    ExamplesOpt,
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
from grader.errors import ConfigError, InputError
from grader.exit_codes import ExitCode
from grader.rubric import RubricBank
from grader.settings import Settings

if TYPE_CHECKING:
    from rich.progress import Progress

    from grader.batch.runner import BatchStats
    from grader.store import Store

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
        _export_cli(settings, bank, source, export_requests, columns)
        return
    if output is None:
        raise InputError("no output file", hint="pass -o results.csv (or .jsonl)")
    if import_results is not None:
        if retry_failed or no_wait:
            raise InputError("--retry-failed and --no-wait do not apply to --import-results")
        with OutputLock(output):
            _import_cli(
                settings,
                bank,
                source,
                output,
                columns,
                import_results,
                errors_file,
                resume=resume,
                overwrite=overwrite,
                summary_json=summary_json,
            )
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


def _exchange_grader(settings: Settings, bank: RubricBank) -> tuple[Any, Store | None]:
    from grader.grading import Grader

    if settings.effective_backend != "llm":
        raise ConfigError(
            "Batch API requests are for an LLM judge; none is configured",
            setting="backend",
            hint="pass --backend llm --model MODEL (and the same settings at export and import)",
        )
    store = open_store(settings)
    return Grader(settings, bank=bank, store=store, examples=load_examples(settings, bank)), store


def _export_cli(settings: Settings, bank: RubricBank, source: Path, dest: Path, columns: Columns) -> None:
    from grader.batch.exchange import export_requests

    grader, store = _exchange_grader(settings, bank)
    try:
        res = export_requests(grader, source, dest, columns=columns)
    finally:
        if store is not None:
            store.close()
    echo(
        f"[batch-api] wrote {res.requests} request(s) for {res.rows_in_requests} row(s) to {dest}; "
        f"{res.answered_here} row(s) need no call (answered at import). Run the file on any engine that "
        f"reads the Batch API format, then: grader batch {shlex.quote(str(source))} -o RESULTS "
        f"--import-results OUTPUT.jsonl [--errors ERRORS.jsonl] with the same --model and settings",
        err=True,
    )


def _import_cli(
    settings: Settings,
    bank: RubricBank,
    source: Path,
    output: Path,
    columns: Columns,
    results: Path,
    errors_file: Path | None,
    *,
    resume: bool,
    overwrite: bool,
    summary_json: Path | None,
) -> None:
    from grader.batch.exchange import import_results

    grader, store = _exchange_grader(settings, bank)

    def on_event(kind: str, info: dict[str, Any]) -> None:
        if kind == "warning":
            common.err_console.print(
                f"[batch-api] warning: {info['message']}", style="yellow", markup=False, highlight=False, soft_wrap=True
            )

    try:
        stats = import_results(
            grader,
            source,
            output,
            results,
            errors=errors_file,
            columns=columns,
            resume=resume,
            overwrite=overwrite,
            on_event=on_event,
        )
    finally:
        if store is not None:
            store.close()
    _finish(stats, output, summary_json)


def register(app: typer.Typer) -> None:
    """Add ``batch`` to the ``grader`` app."""
    app.command("batch")(batch)


# -- the OpenAI Batch API path (--batch-api): the run itself is grader.batch.api.run_batch_api ---------


def run_batch_api_cli(
    settings: Settings,
    bank: RubricBank,
    source: Path,
    output: Path,
    columns: Columns,
    *,
    resume: bool,
    console: Console,
    retry_failed: bool = False,
    overwrite: bool = False,
    wait: bool = True,
    poll_interval: float = 30.0,
    summary_json: Path | None = None,
) -> None:
    """Run :func:`grader.batch.api.run_batch_api` for the CLI: progress lines and the summary on
    ``console``; exit code ``ExitCode.ROWS_FAILED`` when rows failed."""
    from grader.batch import api  # imports openai: only when the Batch API is used
    from grader.grading import Grader
    from grader.store import Store

    if settings.effective_backend != "llm":
        raise ConfigError(
            "the Batch API needs an LLM server; none is configured",
            setting="backend",
            hint="set OPENAI_API_KEY (and OPENAI_BASE_URL for another server), or pass --backend llm --base-url URL",
        )
    ledger = Store(settings.store_path)  # the ledger is needed even with --no-cache
    grader = Grader(
        settings, bank=bank, store=ledger if settings.use_cache else None, examples=load_examples(settings, bank)
    )
    client = api.make_client(settings)
    resume_cmd = f"grader batch {shlex.quote(str(source))} -o {shlex.quote(str(output))} --batch-api --resume"

    def say(text: str, style: str | None = None) -> None:
        console.print(text, style=style, markup=False, highlight=False, soft_wrap=True)

    def on_event(kind: str, info: dict[str, Any]) -> None:
        if kind == "submitted":
            say(
                f"[batch-api] submitted {info['batch_id']} (chunk {info['chunk']}): {info['requests']} request(s) "
                f"for {info['rows']} row(s) · {info['status']}"
            )
        elif kind == "adopted":
            say(f"[batch-api] found {info['batch_id']} created by an interrupted run · {info['status']}")
        elif kind == "status":
            say(
                f"[batch-api] {info['batch_id']} {info['status']} · completed {info['completed']} "
                f"failed {info['failed']} of {info['total']}"
            )
        elif kind == "collected":
            style = "bold red" if info["status"] in ("failed", "expired", "cancelled") else None
            say(
                f"[batch-api] {info['batch_id']} {info['status']}: wrote {info['rows']} row(s), "
                f"{info['errors']} error(s)",
                style,
            )
        elif kind == "retry":
            say(f"[batch-api] re-submitting {info['rows']} row(s) that failed on the server")
        elif kind == "warning":
            say(f"[batch-api] warning: {info['message']}", "yellow")

    try:
        try:
            result = api.run_batch_api(
                grader,
                source,
                output,
                client=client,
                ledger=ledger,
                columns=columns,
                resume=resume,
                retry_failed=retry_failed,
                overwrite=overwrite,
                wait=wait,
                poll_interval=poll_interval,
                on_event=on_event,
            )
        except KeyboardInterrupt:
            _print_pending(ledger, output, source, say, resume_cmd)
            raise
        finally:
            client.close()
        stats = result.stats
        summary = stats.summary()
        for table in batch_summary_tables(summary):
            console.print(table)
        if summary_json:
            summary_json.write_text(
                json.dumps(
                    {
                        **summary,
                        "batch_api": {
                            "submitted_requests": result.submitted_requests,
                            "batches_created": result.batches_created,
                            "pending": result.pending,
                        },
                    },
                    indent=2,
                )
            )
        say(f"results: {output}", "dim")
        for job in result.pending:
            say(
                f"[batch-api] {job['batch_id'] or job['job_id']} is {job['status']}; collect it later with: "
                f"{resume_cmd}"
            )
        if stats.failed:
            if result.server_errors:
                say(f"rows that failed on the server can be re-submitted with: {resume_cmd} --retry-failed", "dim")
            raise typer.Exit(ExitCode.ROWS_FAILED)
    finally:
        ledger.close()


def _print_pending(ledger: Store, output: Path, source: Path, say: Callable[..., None], resume_cmd: str) -> None:
    """After Ctrl-C: the batches still running on the server, and the command that collects them."""
    from grader.batch.api import LIVE_STATES
    from grader.batch.api_files import file_sha256

    try:
        jobs = ledger.batch_jobs(str(output.resolve()), file_sha256(source))
    except Exception:
        return
    for job in jobs:
        if job["state"] in LIVE_STATES:
            say(
                f"[batch-api] {job['batch_id'] or job['job_id']} is {job['batch_status'] or job['state']} on the server"
            )
    say(f"[batch-api] pick it up later with: {resume_cmd}")

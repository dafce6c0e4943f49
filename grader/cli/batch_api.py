"""``grader batch``'s Batch API paths (CLI side): ``--batch-api`` (:func:`run_batch_api_cli`: progress
lines, the summary, the resume hints, the batches still running after Ctrl-C), ``--export-requests``
(:func:`export_cli`) and ``--import-results`` (:func:`import_cli`). The options and their checks are in
:mod:`grader.cli.batch`; the work is in :mod:`grader.batch.api` and :mod:`grader.batch.exchange`."""

from __future__ import annotations

import json
import shlex
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from rich.console import Console

from grader.batch.io import Columns
from grader.cli import common
from grader.cli.common import echo, load_examples, open_store
from grader.cli.render import batch_summary_tables
from grader.errors import ConfigError
from grader.exit_codes import ExitCode
from grader.rubric import RubricBank
from grader.settings import Settings

if TYPE_CHECKING:
    from grader.batch.stats import BatchStats
    from grader.store import Store

__all__ = ["export_cli", "import_cli", "run_batch_api_cli"]


def _exchange_grader(settings: Settings, bank: RubricBank) -> tuple[Any, Store | None]:
    """The grader (and its store) for an export or an import: Batch API requests are an LLM judge's."""
    from grader.grading import Grader

    if settings.effective_backend != "llm":
        raise ConfigError(
            "Batch API requests are for an LLM judge; none is configured",
            setting="backend",
            hint="pass --backend llm --model MODEL (and the same settings at export and import)",
        )
    store = open_store(settings)
    return Grader(settings, bank=bank, store=store, examples=load_examples(settings, bank)), store


def export_cli(settings: Settings, bank: RubricBank, source: Path, dest: Path, columns: Columns) -> None:
    """``--export-requests``: write the Batch API request lines for ``source`` to ``dest``; call nothing."""
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


def import_cli(
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
) -> BatchStats:
    """``--import-results``: grade ``source`` from a Batch API output file produced elsewhere into
    ``output``; returns the run's stats (the caller prints the summary)."""
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
    return stats


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

"""The OpenAI Batch API side of ``grader batch --batch-api``: progress lines, the summary, and how to
resume after Ctrl-C. The run itself is library code (:func:`grader.batch.api.run_batch_api`).

Also the batch summary tables and the exit code for failed rows, which both batch paths share
(:mod:`grader.cli.batch` imports them from here). Light to import: the Batch API (and ``openai``)
is imported only when it is used.
"""

from __future__ import annotations

import json
import shlex
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from rich.console import Console
from rich.table import Table

from grader.batch.io import Columns
from grader.errors import ConfigError
from grader.rubric.model import RubricBank
from grader.settings import Settings

if TYPE_CHECKING:
    from grader.store import Store

__all__ = ["EXIT_ROWS_FAILED", "summary_tables", "run_batch_api_cli"]

EXIT_ROWS_FAILED = 5


def summary_tables(summary: dict[str, Any]) -> list[Table]:
    """The batch summary and the per-question table (live and Batch API runs alike)."""
    t = Table(title="batch summary")
    t.add_column("")
    t.add_column("value", justify="right")
    for key in ("rows", "already_done", "graded", "unscored", "errors", "served_from_cache",
                "prompt_tokens", "completion_tokens", "cost_usd", "elapsed_s"):
        t.add_row(key.replace("_", " "), str(summary[key]))
    if summary.get("cost_unknown_rows"):
        t.add_row("rows with unknown price", str(summary["cost_unknown_rows"]))
    q = Table(title="per question")
    q.add_column("question")
    q.add_column("count", justify="right")
    q.add_column("mean", justify="right")
    q.add_column("strong / adequate / weak", justify="right")
    for qid, s in summary["per_question"].items():
        b = s["bands"]
        q.add_row(qid, str(s["count"]), "" if s["mean"] is None else f"{s['mean']:.2f}",
                  f"{b.get('strong', 0)} / {b.get('adequate', 0)} / {b.get('weak', 0)}")
    return [t, q]


def run_batch_api_cli(settings: Settings, bank: RubricBank, source: Path, output: Path, columns: Columns, *,
                      resume: bool, console: Console,
                      retry_failed: bool = False, overwrite: bool = False, wait: bool = True,
                      poll_interval: float = 30.0, summary_json: Path | None = None) -> None:
    """Run :func:`grader.batch.api.run_batch_api` for the CLI: progress lines and the summary on
    ``console``; exit code :data:`EXIT_ROWS_FAILED` when rows failed."""
    from grader.batch import api  # imports openai: only when the Batch API is used
    from grader.grading import Grader
    from grader.store import Store

    if settings.effective_backend != "llm":
        raise ConfigError("the Batch API needs an LLM server; none is configured", setting="backend",
                          hint="set OPENAI_API_KEY (and OPENAI_BASE_URL for another server), or pass "
                               "--backend llm --base-url URL")
    ledger = Store(settings.store_path)  # the ledger is needed even with --no-cache
    grader = Grader(settings, bank=bank, store=ledger if settings.use_cache else None)
    client = api.make_client(settings)
    resume_cmd = f"grader batch {shlex.quote(str(source))} -o {shlex.quote(str(output))} --batch-api --resume"

    def say(text: str, style: str | None = None) -> None:
        console.print(text, style=style, markup=False, highlight=False, soft_wrap=True)

    def on_event(kind: str, info: dict[str, Any]) -> None:
        if kind == "submitted":
            say(f"[batch-api] submitted {info['batch_id']} (chunk {info['chunk']}): {info['requests']} request(s) "
                f"for {info['rows']} row(s) · {info['status']}")
        elif kind == "adopted":
            say(f"[batch-api] found {info['batch_id']} created by an interrupted run · {info['status']}")
        elif kind == "status":
            say(f"[batch-api] {info['batch_id']} {info['status']} · completed {info['completed']} "
                f"failed {info['failed']} of {info['total']}")
        elif kind == "collected":
            style = "bold red" if info["status"] in ("failed", "expired", "cancelled") else None
            say(f"[batch-api] {info['batch_id']} {info['status']}: wrote {info['rows']} row(s), "
                f"{info['errors']} error(s)", style)
        elif kind == "retry":
            say(f"[batch-api] re-submitting {info['rows']} row(s) that failed on the server")
        elif kind == "warning":
            say(f"[batch-api] warning: {info['message']}", "yellow")

    try:
        try:
            result = api.run_batch_api(grader, source, output, client=client, ledger=ledger, columns=columns,
                                       resume=resume, retry_failed=retry_failed, overwrite=overwrite, wait=wait,
                                       poll_interval=poll_interval, on_event=on_event)
        except KeyboardInterrupt:
            _print_pending(ledger, output, source, say, resume_cmd)
            raise
        finally:
            client.close()
        stats = result.stats
        summary = stats.summary()
        for table in summary_tables(summary):
            console.print(table)
        if summary_json:
            summary_json.write_text(json.dumps({**summary, "batch_api": {
                "submitted_requests": result.submitted_requests, "batches_created": result.batches_created,
                "pending": result.pending}}, indent=2))
        say(f"results: {output}", "dim")
        for job in result.pending:
            say(f"[batch-api] {job['batch_id'] or job['job_id']} is {job['status']}; collect it later with: "
                f"{resume_cmd}")
        if stats.failed:
            if result.server_errors:
                say(f"rows that failed on the server can be re-submitted with: {resume_cmd} --retry-failed", "dim")
            raise typer.Exit(EXIT_ROWS_FAILED)
    finally:
        ledger.close()


def _print_pending(ledger: Store, output: Path, source: Path, say: Callable[..., None], resume_cmd: str) -> None:
    """After Ctrl-C: the batches still running on the server, and the command that collects them."""
    from grader.batch.api import LIVE_STATES
    from grader.batch.api_files import file_sha256

    try:
        jobs = ledger.batch_jobs(str(output.resolve()), file_sha256(source))
    except Exception:  # noqa: BLE001 - best effort while stopping
        return
    for job in jobs:
        if job["state"] in LIVE_STATES:
            say(f"[batch-api] {job['batch_id'] or job['job_id']} is {job['batch_status'] or job['state']} "
                "on the server")
    say(f"[batch-api] pick it up later with: {resume_cmd}")

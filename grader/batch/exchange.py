"""The Batch API's JSONL, run elsewhere: ``grader batch --batch-api --export-requests requests.jsonl``
and ``grader batch --import-results output.jsonl [--errors errors.jsonl]``.

Any engine that reads the Batch API's input format can run the job — OpenAI's or another
provider's batch service, vLLM's offline ``run-batch`` on a GPU cluster — and its output file is
graded here through the same verification and scoring as the live and Batch API paths
(:meth:`grader.grading.Grader.result_from_output`).

- **Export** (:func:`export_requests`): the request lines the Batch API path would upload
  (:func:`grader.batch.api_files.request_line`: the live judge's exact body, ``custom_id`` =
  ``row-<index>-<first 10 hex of the row's cache key>``), all in one file, written atomically. Rows
  that need no call (input errors, unknown questions, empty or too-short answers, cached verdicts)
  are not exported: the import answers them again, exactly as the live path does. Rows with the same
  answer to the same question share one request.
- **Import** (:func:`import_results`): the input is read again and every row is written exactly
  once. A row needing a call finds its result line by ``custom_id`` (or, for a duplicate answer, by
  the same cache-key hash); a line for the row whose hash differs means the input or the grading
  settings changed since the export, and the row is an ``error`` saying so; a row with no line at
  all, or whose line is a failure (error file, non-200), is an ``error`` row with the reason and the
  flag ``server_error``. Graded verdicts go to the cache, and ``resume=True`` continues an
  interrupted import into the same output.

Cost is computed at the Batch API's price (:data:`~grader.batch.api_jobs.BATCH_PRICE_FACTOR` of the
model's list price); a model not in the price table costs 0.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from grader.batch.api_files import completion_of, custom_id_for, line_error, line_ok, parse_result_lines
from grader.batch.api_jobs import _Run
from grader.batch.io import DEFAULT_COLUMNS, Columns, ResultWriter, read_rows
from grader.batch.records import error_record, result_record
from grader.batch.stats import BatchStats, resume_from
from grader.errors import ConfigError, InputError
from grader.grading import Grader
from grader.result import GradeResult

__all__ = ["ExportResult", "export_requests", "import_results"]

Event = Callable[[str, dict[str, Any]], None]


@dataclass
class ExportResult:
    rows: int = 0  # rows in the input
    requests: int = 0  # request lines written
    rows_in_requests: int = 0  # rows those lines answer (duplicates share a line)
    answered_here: int = 0  # rows that need no call (answered again at import)


class _Exchange(_Run):
    """A :class:`_Run` without a client or ledger: for the export, records of rows that need no call
    are only counted; for the import, they are written."""

    def __init__(self, grader: Grader, source: Path, output: Path, columns: Columns, on_event: Event | None) -> None:
        super().__init__(
            grader,
            source,
            output,
            client=None,  # type: ignore[arg-type]  # never called: nothing is uploaded here
            ledger=None,
            columns=columns,
            max_requests=10**12,
            max_bytes=10**15,
            on_event=on_event,
        )
        self.counting = False

    def emit(self, rec: dict[str, Any]) -> None:
        if self.counting:
            self.stats.add(rec)
            self.done.add(int(rec["row"]))
            return
        super().emit(rec)


def _check(grader: Grader, source: Path) -> None:
    if not source.is_file():
        raise InputError("file not found", source=str(source))
    if grader.backend.name != "llm":
        raise ConfigError(
            "the Batch API's requests are for an LLM judge, and the embedded grader is configured",
            setting="backend",
            hint="pass --backend llm --model MODEL (the model the requests are for)",
        )


def export_requests(
    grader: Grader, source: str | Path, dest: str | Path, *, columns: Columns = DEFAULT_COLUMNS
) -> ExportResult:
    """Write the request lines of every row of ``source`` that needs a call to ``dest`` (JSONL)."""
    source, dest = Path(source), Path(dest)
    _check(grader, source)
    run = _Exchange(grader, source, dest, columns, None)
    run.counting = True
    result = ExportResult()
    fd, tmp = tempfile.mkstemp(prefix=dest.name + ".", suffix=".tmp", dir=str(dest.parent))
    try:
        with os.fdopen(fd, "wb") as fh:
            lines = list(run.request_lines(set()))
            for line in lines:
                fh.write(line.data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, dest)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    result.rows = run.stats.total
    result.requests = len(lines)
    result.rows_in_requests = sum(len(line.rows) for line in lines)
    result.answered_here = run.stats.done
    return result


def _read_lines(path: Path, run: _Run) -> list[dict[str, Any]]:
    if not path.is_file():
        raise InputError("file not found", source=str(path))
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read the results file: {exc}", source=str(path)) from None
    lines, bad = parse_result_lines(text)
    for n in bad:
        run.event("warning", message=f"{path} line {n} is not JSON; ignored")
    return lines


def import_results(
    grader: Grader,
    source: str | Path,
    output: str | Path,
    results: str | Path,
    *,
    errors: str | Path | None = None,
    columns: Columns = DEFAULT_COLUMNS,
    resume: bool = False,
    overwrite: bool = False,
    on_event: Event | None = None,
) -> BatchStats:
    """Grade every row of ``source`` into ``output`` from Batch API result files (see the module
    docstring). Returns the run's counters; ``stats.failed`` when rows are errors."""
    source, output, results = Path(source), Path(output), Path(results)
    _check(grader, source)
    run = _Exchange(grader, source, output, columns, on_event)
    by_cid: dict[str, dict[str, Any]] = {}
    files = [results] + ([Path(errors)] if errors is not None else [])
    for path in files:
        for obj in _read_lines(path, run):
            cid = str(obj.get("custom_id") or "")
            if not cid:
                run.event("warning", message=f"{path}: a line without custom_id; ignored")
                continue
            if cid in by_cid and line_ok(by_cid[cid]):
                continue  # keep a success over a later error for the same request
            by_cid[cid] = obj
    by_hash: dict[str, str] = {}  # cache-key hash -> a custom id with that hash (duplicate answers)
    by_row: dict[int, str] = {}  # row index -> its custom id
    for cid in by_cid:
        parts = cid.split("-")
        if len(parts) == 3 and parts[0] == "row" and parts[1].isdigit():
            by_row[int(parts[1])] = cid
            prev = by_hash.get(parts[2])
            if prev is None or (line_ok(by_cid[cid]) and not line_ok(by_cid[prev])):
                by_hash[parts[2]] = cid
    if not resume and output.exists() and output.stat().st_size > 0 and not overwrite:
        raise InputError(
            "the output file exists",
            source=str(output),
            hint="use --resume to continue it or --overwrite to replace it",
        )
    run.done = resume_from(output, run.stats) if resume else set()  # per-question summary: whole file
    run.stats.skipped_done = len(run.done)
    run.writer = ResultWriter(output, append=resume)
    used: set[str] = set()
    memo: dict[str, GradeResult] = {}
    total = 0
    try:
        for row in read_rows(source, columns):
            total += 1
            if row.index in run.done:
                continue
            rec, rubric, key = run.immediate(row)
            if rec is not None:
                run.emit(rec)
                continue
            cid = custom_id_for(row.index, key)
            found = cid if cid in by_cid else by_hash.get(key[:10])
            if found is None:
                other = by_row.get(row.index)
                if other is not None:
                    used.add(other)
                    run.emit(
                        error_record(
                            row,
                            f"the row does not match request {other} (the input or the grading settings "
                            "changed since the export; export again or import with the same settings)",
                        )
                    )
                else:
                    run.emit(run.server_error(row, f"no result for this row ({cid}) in {', '.join(map(str, files))}"))
                continue
            used.add(found)
            line = by_cid[found]
            if not line_ok(line):
                run.emit(run.server_error(row, line_error(line, found)))
                continue
            result = memo.get(found)
            if result is None:
                result = run.grade_line(rubric, row.answer, completion_of(line))
                memo[found] = result
                if grader.store is not None and result.status == "graded":
                    grader.store.put_result(key, result)
            else:
                result = result.model_copy(update={"cached": True})  # a duplicate of the row that paid
            run.emit(result_record(row, result))
        run.stats.total = total
    finally:
        run.writer.close()
    unknown = sorted(set(by_cid) - used)
    if unknown:
        run.event(
            "warning",
            message=f"{len(unknown)} result line(s) match no row of {source} and were ignored: "
            + ", ".join(unknown[:5])
            + (", …" if len(unknown) > 5 else ""),
        )
    return run.stats

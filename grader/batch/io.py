"""Streaming batch input (CSV / JSONL) and output (CSV / JSONL).

Input is read by :func:`grader.tables.open_table`, which handles the quirks: UTF-8 BOM, CRLF, quoted
newlines, very long fields, Excel exports (``;`` or tab delimiters, UTF-16 with BOM), undecodable
bytes (reported on their row, never dropped). Rows are read lazily: memory does not grow with the file.

Output: one physical line per input row, written and flushed as each row finishes, so a crash keeps
every finished row; on ``--resume`` a torn last line is cut off and the rows already present are
skipped.
"""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from grader.errors import InputError
from grader.tables import UNDECODABLE, Table, clean, has_lone_surrogate, has_undecodable, is_jsonl, open_table, to_cell

__all__ = [
    "BatchRow",
    "Columns",
    "DEFAULT_COLUMNS",
    "read_rows",
    "count_rows",
    "ResultWriter",
    "OUTPUT_FIELDS",
    "done_rows",
    "earlier_records",
]

OUTPUT_FIELDS = [
    "row",
    "line",
    "candidate_id",
    "question_id",
    "status",
    "score",
    "max_score",
    "percent",
    "band",
    "flags",
    "reason",
    "backend",
    "model",
    "cached",
    "prompt_tokens",
    "cached_prompt_tokens",
    "completion_tokens",
    "cost_usd",
    "latency_s",
    "attempts",
    "result_json",
]


@dataclass(frozen=True)
class Columns:
    id: str = "candidate_id"
    question: str = "question_id"
    answer: str = "answer"


LONE_SURROGATE = (
    "a lone surrogate escape (such as \\ud800) that is not valid Unicode; fix the text that wrote this line"
)

DEFAULT_COLUMNS = Columns()  # the default column names, shared as the functions' default (Columns is frozen)


@dataclass
class BatchRow:
    index: int  # 1-based data row number
    line: int  # physical line where the record starts (1 = header for CSV)
    candidate_id: str
    question_id: str
    answer: str
    error: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def _check_header(header: list[str], cols: Columns, source: str) -> None:
    twice = [c for c in dict.fromkeys((cols.id, cols.question, cols.answer)) if header.count(c) > 1]
    if twice:
        raise InputError(
            f"the header names column(s) {', '.join(repr(c) for c in twice)} more than once, so which "
            "one to read is ambiguous",
            source=source,
            line=1,
            hint="rename or remove the extra column(s)",
        )
    missing = [c for c in (cols.id, cols.question, cols.answer) if c not in header]
    if missing:
        flag = {cols.id: "--id-col", cols.question: "--question-col", cols.answer: "--answer-col"}
        raise InputError(
            f"missing column(s) {', '.join(repr(m) for m in missing)}; the header has {header}",
            source=source,
            line=1,
            hint="map your column names with " + ", ".join(flag[m] for m in missing),
        )


def _row_problem(candidate_id: str, question_id: str, answer: str) -> str:
    text = candidate_id + question_id + answer
    if has_undecodable(text):
        return UNDECODABLE
    if has_lone_surrogate(text):
        return LONE_SURROGATE
    if not question_id.strip():
        return "empty question id"
    return ""


def read_rows(path: str | Path, cols: Columns = DEFAULT_COLUMNS) -> Iterator[BatchRow]:
    """The batch input's rows (:func:`grader.tables.open_table`), lazily; a row that cannot be graded
    carries the reason in ``error`` instead of stopping the batch."""
    with open_table(path) as table:
        if table.format == "jsonl":
            yield from _jsonl_rows(table, cols)
        else:
            yield from _csv_rows(table, cols)


def _csv_rows(table: Table, cols: Columns) -> Iterator[BatchRow]:
    header = table.header
    _check_header(header, cols, table.source)
    positions = {name: header.index(name) for name in (cols.id, cols.question, cols.answer)}
    for row in table.rows():
        if row.error:
            yield BatchRow(row.index, row.line, "", "", "", error=row.error)
        elif row.short:
            yield BatchRow(
                row.index,
                row.line,
                clean(row.values.get(cols.id, "")),
                clean(row.values.get(cols.question, "")),
                "",
                error=row.problem(),
            )
        else:
            cid = row.fields[positions[cols.id]]
            qid = row.fields[positions[cols.question]].strip()
            answer = row.fields[positions[cols.answer]]
            yield BatchRow(
                row.index, row.line, clean(cid), clean(qid), clean(answer), error=_row_problem(cid, qid, answer)
            )


def _jsonl_rows(table: Table, cols: Columns) -> Iterator[BatchRow]:
    for row in table.rows():
        if row.error:
            yield BatchRow(row.index, row.line, "", "", "", error=row.error)
            continue
        obj = row.values
        missing = [c for c in (cols.id, cols.question, cols.answer) if c not in obj]
        cid, qid, answer = (_json_text(obj.get(c)) for c in (cols.id, cols.question, cols.answer))
        qid = qid.strip()
        if missing:
            yield BatchRow(
                row.index, row.line, clean(cid), clean(qid), "", error=f"missing field(s): {', '.join(missing)}"
            )
            continue
        nested = [c for c in (cols.id, cols.question, cols.answer) if isinstance(obj[c], (list, dict))]
        if nested:
            kinds = ", ".join(f"{c!r} is a JSON {'array' if isinstance(obj[c], list) else 'object'}" for c in nested)
            yield BatchRow(
                row.index,
                row.line,
                "" if cols.id in nested else clean(cid),
                "" if cols.question in nested else clean(qid),
                "",
                error=f"{kinds}; it must be a string",
            )
            continue
        yield BatchRow(row.index, row.line, clean(cid), clean(qid), clean(answer), error=_row_problem(cid, qid, answer))


def _json_text(value: Any) -> str:
    """A JSON value as a cell's text: strings as they are, null as empty, numbers and booleans as JSON
    writes them (arrays and objects are refused by the caller)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def count_rows(path: str | Path, cols: Columns = DEFAULT_COLUMNS) -> int:
    """Count data rows with the same parser (one streaming pass, for progress and ETA)."""
    return sum(1 for _ in read_rows(path, cols))


def _existing_header(path: Path) -> list[str] | None:
    """The header of an existing results CSV when it is an older subset of :data:`OUTPUT_FIELDS`."""
    with path.open(encoding="utf-8", errors="replace", newline="") as fh:
        header = next(csv.reader(fh), [])
    if header and header != OUTPUT_FIELDS and set(header) < set(OUTPUT_FIELDS):
        return header
    return None


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


class ResultWriter:
    """Append-only, flushed per row; CSV or JSONL by the file's suffix.

    JSONL keeps every value exactly. In CSV each text cell is one line (runs of whitespace become one
    space) and a cell a spreadsheet would run as a formula is neutralised (:func:`grader.tables.to_cell`,
    read back by :func:`grader.tables.from_cell`); ``result_json`` is JSON, written as it is.
    ``fields`` replaces the CSV columns of :data:`OUTPUT_FIELDS` (``grader review --export`` adds some)."""

    def __init__(self, path: str | Path, *, append: bool, fields: list[str] | None = None) -> None:
        self.path = Path(path)
        self.jsonl = is_jsonl(self.path)
        if append:
            _truncate_torn_tail(self.path)
        exists = self.path.exists() and self.path.stat().st_size > 0
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # errors="replace": a lone surrogate that reached a record is written as "?", never a crash
        self._fh = self.path.open("a" if append else "w", encoding="utf-8", errors="replace", newline="")
        # resuming a CSV written before a column was added: keep its header (the new columns are left out)
        old = _existing_header(self.path) if append and exists and not self.jsonl else None
        names = old or fields or OUTPUT_FIELDS
        extras: Literal["ignore", "raise"] = "ignore" if old or fields else "raise"
        self._csv = (
            None if self.jsonl else csv.DictWriter(self._fh, fieldnames=names, lineterminator="\n", extrasaction=extras)
        )
        # the same writer over a buffer, for rows whose last cell (result_json) is written directly
        self._buf = io.StringIO()
        self._head = (
            csv.DictWriter(self._buf, fieldnames=names, lineterminator="\n", extrasaction=extras)
            if self._csv is not None and names[-1] == "result_json"
            else None
        )
        if self._csv is not None and not (append and exists):
            self._csv.writeheader()
            self._fh.flush()

    def write(self, record: dict[str, Any]) -> None:
        if self._csv is None:  # JSONL
            out = dict(record)
            if isinstance(out.get("result_json"), str) and out["result_json"]:
                out["result"] = json.loads(out.pop("result_json"))
            else:
                out.pop("result_json", None)
            self._fh.write(json.dumps(out, ensure_ascii=False) + "\n")
        else:
            cells = {
                k: to_cell(_one_line(v)) if isinstance(v, str) and k != "result_json" else v for k, v in record.items()
            }
            tail = cells.get("result_json")
            if self._head is not None and isinstance(tail, str) and '"' in tail:
                # The csv module scans a cell character by character: for the ~5 KB of JSON that is
                # most of the row's cost. A cell holding a quote is always quoted and its quotes
                # doubled (QUOTE_MINIMAL), so the JSON is written directly after the other cells,
                # which the csv module writes with an empty last cell: the same bytes.
                self._buf.seek(0)
                self._buf.truncate()
                self._head.writerow({**cells, "result_json": ""})
                self._fh.write(self._buf.getvalue()[:-1] + '"' + tail.replace('"', '""') + '"\n')
            else:
                self._csv.writerow(cells)
        self._fh.flush()

    def close(self) -> None:
        self._fh.flush()
        os.fsync(self._fh.fileno())
        self._fh.close()


def _truncate_torn_tail(path: Path) -> None:
    """After a kill the last line may be half-written: cut it off so the file parses."""
    if not path.exists():
        return
    size = path.stat().st_size
    if size == 0:
        return
    with path.open("rb+") as fh:
        fh.seek(max(0, size - 1))
        if fh.read(1) == b"\n":
            return
        # scan back to the last newline
        chunk = 65536
        pos = size
        while pos > 0:
            start = max(0, pos - chunk)
            fh.seek(start)
            data = fh.read(pos - start)
            nl = data.rfind(b"\n")
            if nl >= 0:
                fh.truncate(start + nl + 1)
                return
            pos = start
        fh.truncate(0)


def done_rows(path: str | Path) -> set[int]:
    """Row numbers already present in an output file (for --resume)."""
    return {int(rec["row"]) for rec in earlier_records(path) if rec.get("row") not in (None, "")}


def earlier_records(path: str | Path) -> Iterator[dict[str, Any]]:
    """The records already in an output file (a torn last line cut off first), lazily: for --resume, which
    skips their rows and counts them in the per-question summary (the summary is of the whole file)."""
    p = Path(path)
    if not p.exists():
        return
    _truncate_torn_tail(p)
    if p.stat().st_size == 0:
        return
    with open_table(p) as table:
        for row in table.rows():
            if row.error:
                raise InputError(
                    f"not a grader output line: {row.error}",
                    source=table.source,
                    line=row.line,
                    hint="write the results to a new file, or repair this line",
                )
            yield row.values

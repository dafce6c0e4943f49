"""Streaming batch input (CSV / JSONL) and output (CSV / JSONL).

Input quirks handled: UTF-8 BOM, CRLF, quoted newlines, very long fields, Excel exports (``;`` or
tab delimiters, UTF-16 with BOM), undecodable bytes (reported on their row, never dropped). Rows are
read lazily: memory does not grow with the file.

Output: one physical line per input row, written and flushed as each row finishes, so a crash keeps
every finished row; on ``--resume`` a torn last line is cut off and the rows already present are
skipped.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Iterator

from grader.errors import InputError

__all__ = ["BatchRow", "Columns", "read_rows", "count_rows", "ResultWriter", "OUTPUT_FIELDS", "done_rows"]

csv.field_size_limit(min(sys.maxsize, 2**31 - 1))

OUTPUT_FIELDS = [
    "row", "line", "candidate_id", "question_id", "status", "score", "max_score", "percent", "band",
    "flags", "reason", "backend", "model", "cached", "prompt_tokens", "completion_tokens", "cost_usd",
    "latency_s", "attempts", "result_json",
]


@dataclass(frozen=True)
class Columns:
    id: str = "candidate_id"
    question: str = "question_id"
    answer: str = "answer"


@dataclass
class BatchRow:
    index: int  # 1-based data row number
    line: int  # physical line where the record starts (1 = header for CSV)
    candidate_id: str
    question_id: str
    answer: str
    error: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def _is_jsonl(path: Path) -> bool:
    return path.suffix.lower() in (".jsonl", ".ndjson")


def _open_text(path: Path) -> IO[str]:
    raw = path.open("rb")
    head = raw.read(4)
    raw.seek(0)
    if head.startswith(codecs.BOM_UTF16_LE) or head.startswith(codecs.BOM_UTF16_BE):
        encoding = "utf-16"
    else:
        encoding = "utf-8-sig"
    return io.TextIOWrapper(raw, encoding=encoding, errors="surrogateescape", newline="")


_SURROGATE = re.compile("[\udc80-\udcff]")


def _has_undecodable(text: str) -> bool:
    """Bytes that were not UTF-8 come through as lone surrogates (errors="surrogateescape")."""
    return _SURROGATE.search(text) is not None


def _sniff_delimiter(header_line: str) -> str:
    counts = {d: header_line.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=counts.get)
    return best if counts[best] > 0 else ","


def _check_header(header: list[str], cols: Columns, source: str) -> None:
    missing = [c for c in (cols.id, cols.question, cols.answer) if c not in header]
    if missing:
        flag = {cols.id: "--id-col", cols.question: "--question-col", cols.answer: "--answer-col"}
        raise InputError(
            f"missing column(s) {', '.join(repr(m) for m in missing)}; the header has {header}",
            source=source, line=1,
            hint="map your column names with " + ", ".join(flag[m] for m in missing),
        )


def _row_problem(candidate_id: str, question_id: str, answer: str) -> str:
    if _has_undecodable(candidate_id + question_id + answer):
        return "undecodable bytes (the file is not valid UTF-8 here); re-save the file as UTF-8"
    if not question_id.strip():
        return "empty question id"
    return ""


def _clean(text: str) -> str:
    return text.encode("utf-8", "replace").decode("utf-8") if _has_undecodable(text) else text


def read_rows(path: str | Path, cols: Columns = Columns()) -> Iterator[BatchRow]:
    p = Path(path)
    if not p.is_file():
        raise InputError("file not found", source=str(p))
    if _is_jsonl(p):
        yield from _read_jsonl(p, cols)
    else:
        yield from _read_csv(p, cols)


def _read_csv(p: Path, cols: Columns) -> Iterator[BatchRow]:
    with _open_text(p) as fh:
        first = fh.readline()
        if not first.strip():
            raise InputError("the file is empty (no header row)", source=str(p), line=1)
        delimiter = _sniff_delimiter(first)
        header = next(csv.reader([first], delimiter=delimiter))
        header = [h.strip() for h in header]
        _check_header(header, cols, str(p))
        reader = csv.reader(fh, delimiter=delimiter)
        positions = {name: header.index(name) for name in (cols.id, cols.question, cols.answer)}
        index = 0
        prev_line = 1
        while True:
            try:
                record = next(reader)
            except StopIteration:
                break
            except csv.Error as e:
                index += 1
                yield BatchRow(index, prev_line + 1, "", "", "", error=f"malformed CSV record: {e}")
                prev_line = reader.line_num + 1
                continue
            line = prev_line + 1
            prev_line = reader.line_num + 1  # reader.line_num counts lines after the header line
            if not record or all(not f.strip() for f in record):
                continue  # blank line between records: not a row
            index += 1
            if len(record) < len(header):
                values = dict(zip(header, record))
                yield BatchRow(
                    index, line, _clean(values.get(cols.id, "")), _clean(values.get(cols.question, "")), "",
                    error=f"the row has {len(record)} field(s) but the header has {len(header)}",
                )
                continue
            cid = record[positions[cols.id]]
            qid = record[positions[cols.question]].strip()
            answer = record[positions[cols.answer]]
            problem = _row_problem(cid, qid, answer)
            yield BatchRow(index, line, _clean(cid), _clean(qid), _clean(answer), error=problem)


def _read_jsonl(p: Path, cols: Columns) -> Iterator[BatchRow]:
    with _open_text(p) as fh:
        index = 0
        for line_no, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            index += 1
            try:
                obj = json.loads(line)
                if not isinstance(obj, dict):
                    raise ValueError("not a JSON object")
            except ValueError as e:
                yield BatchRow(index, line_no, "", "", "", error=f"invalid JSON line: {e}")
                continue
            missing = [c for c in (cols.id, cols.question, cols.answer) if c not in obj]
            cid = str(obj.get(cols.id, ""))
            qid = str(obj.get(cols.question, "")).strip()
            answer = obj.get(cols.answer, "")
            if missing:
                yield BatchRow(index, line_no, cid, qid, "", error=f"missing field(s): {', '.join(missing)}")
                continue
            if not isinstance(answer, str):
                answer = "" if answer is None else str(answer)
            yield BatchRow(index, line_no, _clean(cid), _clean(qid), _clean(answer),
                           error=_row_problem(cid, qid, answer))


def count_rows(path: str | Path, cols: Columns = Columns()) -> int:
    """Count data rows with the same parser (one streaming pass, for progress and ETA)."""
    return sum(1 for _ in read_rows(path, cols))


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


class ResultWriter:
    """Append-only, flushed per row; CSV or JSONL by the file's suffix."""

    def __init__(self, path: str | Path, *, append: bool) -> None:
        self.path = Path(path)
        self.jsonl = _is_jsonl(self.path)
        if append:
            _truncate_torn_tail(self.path)
        exists = self.path.exists() and self.path.stat().st_size > 0
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._fh = self.path.open("a" if append else "w", encoding="utf-8", newline="")
        self._csv = None if self.jsonl else csv.DictWriter(self._fh, fieldnames=OUTPUT_FIELDS, lineterminator="\n")
        if self._csv is not None and not (append and exists):
            self._csv.writeheader()
            self._fh.flush()

    def write(self, record: dict[str, Any]) -> None:
        if self.jsonl:
            out = dict(record)
            if isinstance(out.get("result_json"), str) and out["result_json"]:
                out["result"] = json.loads(out.pop("result_json"))
            else:
                out.pop("result_json", None)
            self._fh.write(json.dumps(out, ensure_ascii=False) + "\n")
        else:
            self._csv.writerow({k: _one_line(v) if isinstance(v, str) and k != "result_json" else v
                                for k, v in record.items()})
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
    p = Path(path)
    if not p.exists():
        return set()
    _truncate_torn_tail(p)
    done: set[int] = set()
    with p.open(encoding="utf-8", newline="") as fh:
        if _is_jsonl(p):
            for line in fh:
                if line.strip():
                    done.add(int(json.loads(line)["row"]))
        else:
            for rec in csv.DictReader(fh):
                if rec.get("row"):
                    done.add(int(rec["row"]))
    return done

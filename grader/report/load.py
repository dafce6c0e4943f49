"""Reading a batch results file for the report: CSV with a ``result_json`` column or JSONL with a nested
``result``, one :class:`~grader.report.model.AnswerEntry` per row.

Part of :mod:`grader.report.build` (which re-exports :func:`load_results`). Every row must be
readable: a problem is one :class:`~grader.errors.InputError` naming the file and line; CSV cells
the grader neutralised against spreadsheet formulas are read back as the grader had them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import ValidationError

from grader.errors import InputError
from grader.report.model import AnswerEntry
from grader.result import GradeResult
from grader.tables import from_cell, is_jsonl, open_table

__all__ = ["load_results"]


def load_results(path: str | Path) -> list[AnswerEntry]:
    """Read a batch results file (CSV with ``result_json`` or JSONL with ``result``; read by
    :func:`grader.tables.open_table`). Every row must be readable: a problem names its line."""
    p = Path(path)
    if not p.is_file():
        raise InputError("file not found", source=str(p))
    if not is_jsonl(p) and p.stat().st_size == 0:
        raise _not_results(str(p))
    entries: list[AnswerEntry] = []
    with open_table(p) as table:
        if table.format == "csv" and ("candidate_id" not in table.header or "status" not in table.header):
            raise _not_results(table.source)
        for row in table.rows():
            if row.error:
                raise InputError(row.error, source=table.source, line=row.line)
            if row.undecodable:
                raise InputError("not UTF-8 text", source=table.source, line=row.line, hint="save the file as UTF-8")
            values = row.values if table.format != "csv" else _from_cells(row.values)
            entries.append(_entry(values, table.source, row.line))
    return entries


def _from_cells(values: dict[str, Any]) -> dict[str, Any]:
    """A results CSV row's values as the grader had them before it neutralised formulas."""
    return {k: from_cell(v) if isinstance(v, str) else v for k, v in values.items()}


def _not_results(source: str) -> InputError:
    return InputError(
        "not a grader results file (needs candidate_id, question_id, status, result_json)",
        source=source,
        line=1,
        hint="give the output of `grader batch`",
    )


def _entry(rec: dict[str, Any], source: str, line: int) -> AnswerEntry:
    raw = rec.get("result") if "result" in rec else rec.get("result_json")
    result = None
    if raw:
        try:
            result = GradeResult.model_validate_json(raw) if isinstance(raw, str) else GradeResult.model_validate(raw)
        except ValidationError as e:
            raise InputError(f"the result does not parse: {e.errors()[0]['msg']}", source=source, line=line) from None
    status = str(rec.get("status") or (result.status if result else "error"))
    try:
        row = int(rec["row"]) if rec.get("row") not in (None, "") else None
    except (TypeError, ValueError):
        row = None
    return AnswerEntry(
        candidate_id=str(rec.get("candidate_id") or ""),
        question_id=str(rec.get("question_id") or (result.question_id if result else "")),
        row=row,
        status=status,
        reason=str(rec.get("reason") or ""),
        result=result,
    )

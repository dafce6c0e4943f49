"""Re-export: the results file with the review merged in, written by the batch's own writer.

Every row of the input is written, in order, whatever its state. A reviewed row gets its merged
result (:func:`grader.review._decisions.merge_result`): ``score``, ``percent``, ``band`` and
``status`` from it, ``result_json`` with the review trail (``review``), and three added columns —
``reviewed`` (``accepted`` / ``overridden`` / blank), ``override_reason`` (the reasons, oldest first)
and ``original_score`` (the score before the review, on overridden rows). The file is written to a
temporary name and renamed at the end, so an interrupted export never leaves half a file behind.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from grader.batch.io import OUTPUT_FIELDS, ResultWriter
from grader.errors import InputError
from grader.review._decisions import ReviewSession
from grader.review._rows import ReviewRow
from grader.tables import is_jsonl

__all__ = ["export_reviewed", "REVIEW_COLUMNS", "reviewed_record"]

REVIEW_COLUMNS = ["reviewed", "override_reason", "original_score"]


def reviewed_record(session: ReviewSession, row: ReviewRow) -> dict[str, Any]:
    """The output record of ``row``: its values with the review merged in and the review columns."""
    values = dict(row.values)
    nested = values.pop("result", None)
    if "result_json" not in values and nested is not None:  # JSONL: the writer nests it again
        values["result_json"] = json.dumps(nested, ensure_ascii=False)
    status = session.status(row)
    merged = session.merged(row)
    reasons = [d["reason"] for d in session.decisions(row) if d["kind"] != "accept" and d["reason"]]
    values["reviewed"] = status
    values["override_reason"] = "; ".join(reasons)
    values["original_score"] = ""
    if merged is not None and status:
        values["result_json"] = merged.model_dump_json()
        if status == "overridden":
            original = row.result.score if row.result is not None else None
            values["original_score"] = "" if original is None else original
            values.update(
                score=merged.score,
                percent=merged.percent,
                band=merged.band or "",
                status=merged.status,
            )
    return values


def export_reviewed(session: ReviewSession, output: str | Path) -> dict[str, int]:
    """Write the reviewed results to ``output`` (CSV or JSONL by its suffix); counts of rows written,
    accepted and overridden."""
    out = Path(output)
    source = session.results.path
    if out.resolve() == source.resolve():
        raise InputError(
            "the export would overwrite the results file it is made from",
            source=str(out),
            hint="export to another file, e.g. reviewed.csv",
        )
    header = session.results.header or list(OUTPUT_FIELDS)
    fields = [*header, *(c for c in REVIEW_COLUMNS if c not in header)]
    tmp = out.with_name(f".{out.stem}.tmp{out.suffix}")  # same suffix: the writer picks CSV or JSONL by it
    counts = {"rows": 0, "accepted": 0, "overridden": 0}
    try:
        writer = ResultWriter(tmp, append=False, fields=None if is_jsonl(out) else fields)
        try:
            for row in session.results.rows:
                record = reviewed_record(session, row)
                writer.write(record)
                counts["rows"] += 1
                if record["reviewed"]:
                    counts[record["reviewed"]] += 1
        finally:
            writer.close()
        os.replace(tmp, out)
    except OSError as e:
        tmp.unlink(missing_ok=True)
        raise InputError(f"cannot write the reviewed results: {e.strerror or e}", source=str(out)) from None
    return counts

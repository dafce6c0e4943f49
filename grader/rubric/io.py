"""Rubric files in and out: a question-bank CSV → rubrics (:func:`bank_from_csv`), a rubric → YAML
(:func:`rubric_to_yaml`).

:func:`bank_from_csv` reads a question bank CSV (``id, question`` and ``hint`` or
``reference_answer``; optional ``section``, ``max_score``; ``question_id`` is accepted for ``id``,
and repeated rows of one question, as in a dataset of graded answers, are read once); the criteria
come from the deterministic builders of :mod:`grader.rubric.build`.
:func:`rubric_to_yaml` writes a rubric in the layout of ``rubrics/``.
"""

from __future__ import annotations

import json
from pathlib import Path

from grader.errors import InputError, RubricError
from grader.rubric.build import rubric_from_hint, rubric_from_reference, slug_id
from grader.rubric.model import Rubric
from grader.tables import open_table

__all__ = ["bank_from_csv", "rubric_to_yaml"]

# -- question-bank CSV ---------------------------------------------------------------------------------


def _read_csv(path: Path) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """Lower-cased header and non-blank records (with the line each starts on), read by
    :func:`grader.tables.open_table`; every problem is a :class:`RubricError` naming the file."""
    src = str(path)
    try:
        with open_table(path, fmt="csv") as table:
            rows = list(table.rows())
    except InputError as e:  # no such file, an unreadable one, no header line
        where = f"{e.source}:{e.line}: " if e.line is not None else f"{e.source}: "
        raise RubricError(src, f"line {e.line}" if e.line else "", e.message.removeprefix(where)) from None
    if table.header_undecodable:
        raise RubricError(src, "line 1", "not UTF-8 text", hint="save the CSV as UTF-8")
    for row in rows:
        if row.error:
            raise RubricError(src, f"line {row.line}", row.error)
        if row.undecodable:
            raise RubricError(src, f"line {row.line}", "not UTF-8 text", hint="save the CSV as UTF-8")
    return [h.lower() for h in table.header], [(row.line, list(row.fields)) for row in rows]


def bank_from_csv(
    path: str | Path, *, split: str | None = None, bank: str | None = None, section: str = "General"
) -> list[Rubric]:
    """Rubrics from a question-bank CSV: columns ``id`` (or ``question_id``), ``question`` and ``hint``
    or ``reference_answer``; optional ``section``, ``max_score`` (default 10), ``number``. A row with
    a hint gives a hint rubric, else a reference rubric. Rows repeating a question (same id and
    text) are read once; ``split`` keeps only rows whose ``split`` column has that value. Errors are
    :class:`RubricError` naming the file, the row (its line) and the problem."""
    p = Path(path)
    src = str(p)
    header, records = _read_csv(p)
    at = {h: i for i, h in enumerate(header)}
    id_col = "id" if "id" in at else ("question_id" if "question_id" in at else None)
    missing = [name for name, ok in (("id", id_col), ("question", "question" in at)) if not ok]
    if missing or not ({"hint", "reference_answer"} & at.keys()):
        need = missing + ([] if {"hint", "reference_answer"} & at.keys() else ["hint or reference_answer"])
        raise RubricError(
            src,
            "header",
            f"missing column(s): {', '.join(need)}; the columns are {', '.join(header)}",
            hint="a question bank CSV has id, question and hint or reference_answer (optional: section, max_score)",
        )
    assert id_col is not None  # otherwise "id" is missing and the error above was raised
    if split is not None and "split" not in at:
        raise RubricError(src, "header", "no 'split' column to filter on")
    bank_id = bank or slug_id(p.stem)

    def cell(rec: list[str], name: str) -> str:
        i = at.get(name)
        return rec[i].strip() if i is not None and i < len(rec) else ""

    rubrics: dict[str, Rubric] = {}
    seen_raw: dict[str, tuple[int, tuple[str, ...]]] = {}
    for line, rec in records:
        where = f"row at line {line}"
        if len(rec) < len(header):
            raise RubricError(src, where, f"the row has {len(rec)} field(s) but the header has {len(header)}")
        if split is not None and cell(rec, "split") != split:
            continue
        raw_id = cell(rec, id_col)
        if not raw_id:
            raise RubricError(src, where, f"empty {id_col!r}")
        question, hint, reference = cell(rec, "question"), cell(rec, "hint"), cell(rec, "reference_answer")
        content = (question, hint, reference, cell(rec, "section"), cell(rec, "max_score"))
        if raw_id in seen_raw:
            first_line, first_content = seen_raw[raw_id]
            if first_content != content:
                raise RubricError(
                    src,
                    where,
                    f"id {raw_id!r} is used again with a different question or "
                    f"hint/reference (first at line {first_line})",
                )
            continue
        seen_raw[raw_id] = (line, content)
        if len(question) < 5:
            raise RubricError(src, where, f"question {raw_id!r}: the question is empty or too short")
        if not hint and not reference:
            raise RubricError(src, where, f"question {raw_id!r}: neither a hint nor a reference_answer")
        max_score: float = 10
        if cell(rec, "max_score"):
            try:
                max_score = float(cell(rec, "max_score"))
            except ValueError:
                raise RubricError(
                    src, where, f"question {raw_id!r}: max_score {cell(rec, 'max_score')!r} is not a number"
                ) from None
            if not max_score > 0:
                raise RubricError(src, where, f"question {raw_id!r}: max_score must be above 0")
        rid = slug_id(raw_id)
        if rid in rubrics:
            raise RubricError(src, where, f"ids {raw_id!r} and another id both become the rubric id {rid!r}")
        build = rubric_from_hint if hint else rubric_from_reference
        row_section = cell(rec, "section") or section
        try:
            rubrics[rid] = build(
                hint or reference, id=rid, question=question, section=row_section, bank=bank_id, max_score=max_score
            )
        except ValueError as e:  # too-short text, or a pydantic problem inside the builders
            raise RubricError(src, where, f"question {raw_id!r}: {e}") from None
        except RubricError as e:
            detail = f"{e.field}: {e.problem}" if e.field else e.problem
            raise RubricError(src, where, f"question {raw_id!r}: {detail}") from None
    if not rubrics:
        raise RubricError(src, "", "no questions found" + (f" with split {split!r}" if split else ""))
    return list(rubrics.values())


# -- YAML ----------------------------------------------------------------------------------------------


def _q(text: str) -> str:
    """A YAML double-quoted scalar (JSON string syntax is valid YAML)."""
    return json.dumps(text, ensure_ascii=False)


def _block(key: str, text: str, width: int = 100) -> str:
    """``key: >-`` folded over indented lines when that is lossless, else a quoted scalar."""
    import textwrap

    plain = "\n" not in text and "\t" not in text and "  " not in text and text == text.strip()
    if not plain or len(key) + len(text) + 2 <= width:
        return f"{key}: {_q(text)}\n"
    lines = textwrap.wrap(text, width=width - 2, break_long_words=False, break_on_hyphens=False)
    return f"{key}: >-\n" + "".join(f"  {line}\n" for line in lines)


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else repr(float(x))


def rubric_to_yaml(rubric: Rubric) -> str:
    """The rubric as YAML in the layout of ``rubrics/`` (loads back to an equal rubric)."""
    out = [f"id: {rubric.id}\n", f"bank: {rubric.bank}\n", f"section: {_q(rubric.section)}\n"]
    if rubric.number is not None:
        out.append(f"number: {rubric.number}\n")
    out.append(_block("question", rubric.question))
    if rubric.hint:
        out.append(_block("hint", rubric.hint))
    if rubric.reference_answer:
        out.append(_block("reference_answer", rubric.reference_answer))
    if rubric.kind != "hint":
        out.append(f"kind: {rubric.kind}\n")
    out.append(f"max_score: {_num(rubric.max_score)}\n")
    out.append("criteria:\n")
    for c in rubric.criteria:
        out.append(f"  - id: {c.id}\n    text: {_q(c.text)}\n    weight: {_num(c.weight)}\n")
        if c.covers:
            out.append(f"    covers: [{', '.join(_q(f) for f in c.covers)}]\n")
    return "".join(out)

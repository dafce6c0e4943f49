"""Rubric files in and out: a question-bank CSV → rubrics (:func:`read_question_bank`, strictly
:func:`bank_from_csv`), a rubric → YAML (:func:`rubric_to_yaml`).

:func:`read_question_bank` reads a question bank CSV (``id, question`` and ``hint`` or
``reference_answer``; optional ``section``, ``max_score``; ``question_id`` is accepted for ``id``,
and repeated rows of one question, as in a dataset of graded answers, are read once); the criteria
come from the deterministic builders of :mod:`grader.rubric.build`. A question that does not build
is recorded with its reason and the others build; :func:`bank_from_csv` raises on the first such
problem instead.
:func:`rubric_to_yaml` writes a rubric in the layout of ``rubrics/``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from grader.errors import InputError, RubricError
from grader.rubric.build import rubric_from_hint, rubric_from_reference, rubric_warnings, slug_id
from grader.rubric.model import Rubric
from grader.tables import open_table

__all__ = ["QuestionBankCsv", "read_question_bank", "bank_from_csv", "rubric_to_yaml"]

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


@dataclass(frozen=True)
class QuestionBankCsv:
    """What a question-bank CSV gives: the rubrics that built, and per question what did not.

    ``problems`` maps a rubric id to why that question has no rubric (one line naming the row and the
    question as written in the CSV); ``warnings`` maps a rubric id to what its thin but valid rubric
    cannot do (:func:`grader.rubric.build.rubric_warnings`, with the row)."""

    source: str
    rubrics: list[Rubric]
    problems: dict[str, str] = field(default_factory=dict)
    warnings: dict[str, list[str]] = field(default_factory=dict)


def read_question_bank(
    path: str | Path, *, split: str | None = None, bank: str | None = None, section: str = "General"
) -> QuestionBankCsv:
    """Rubrics from a question-bank CSV: columns ``id`` (or ``question_id``), ``question`` and ``hint``
    or ``reference_answer``; optional ``section``, ``max_score`` (default 10), ``number``. A row with
    a hint gives a hint rubric, else a reference rubric. Rows repeating a question (same id and
    text) are read once; ``split`` keeps only rows whose ``split`` column has that value.

    A problem with one question (an empty question or reference answer, a bad ``max_score``, the id
    used again with other content, two ids that give one rubric id, a builder refusal) is recorded in
    ``problems`` and the other questions still build. The whole file fails, with a
    :class:`RubricError` naming the file, the row and the problem, only when it cannot be read as a
    table (unreadable, not UTF-8, a malformed row, a missing column, an empty id) or when no question
    builds."""
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
    problems: dict[str, str] = {}
    warnings: dict[str, list[str]] = {}
    seen_raw: dict[str, tuple[int, tuple[str, ...]]] = {}
    raw_of: dict[str, str] = {}  # rubric id → the CSV id that took it

    def fail(rid: str, where: str, problem: str) -> None:
        rubrics.pop(rid, None)
        warnings.pop(rid, None)
        problems.setdefault(rid, f"{where}: {problem}")

    for line, rec in records:
        where = f"row at line {line}"
        if len(rec) < len(header):
            raise RubricError(src, where, f"the row has {len(rec)} field(s) but the header has {len(header)}")
        if split is not None and cell(rec, "split") != split:
            continue
        raw_id = cell(rec, id_col)
        if not raw_id:
            raise RubricError(src, where, f"empty {id_col!r}")
        rid = slug_id(raw_id)
        question, hint, reference = cell(rec, "question"), cell(rec, "hint"), cell(rec, "reference_answer")
        content = (question, hint, reference, cell(rec, "section"), cell(rec, "max_score"))
        if raw_id in seen_raw:
            first_line, first_content = seen_raw[raw_id]
            if first_content != content:
                fail(
                    rid,
                    where,
                    f"id {raw_id!r} is used again with a different question or "
                    f"hint/reference (first at line {first_line})",
                )
            continue
        seen_raw[raw_id] = (line, content)
        if rid in raw_of:
            problem = f"ids {raw_of[rid]!r} and {raw_id!r} both become the rubric id {rid!r}"
            fail(rid, where, problem)
            continue
        raw_of[rid] = raw_id
        if not question:
            fail(rid, where, f"question {raw_id!r}: the question is empty")
            continue
        if not hint and not reference:
            fail(rid, where, f"question {raw_id!r}: neither a hint nor a reference_answer")
            continue
        max_score: float = 10
        if cell(rec, "max_score"):
            try:
                max_score = float(cell(rec, "max_score"))
            except ValueError:
                fail(rid, where, f"question {raw_id!r}: max_score {cell(rec, 'max_score')!r} is not a number")
                continue
            if not max_score > 0:
                fail(rid, where, f"question {raw_id!r}: max_score must be above 0")
                continue
        build = rubric_from_hint if hint else rubric_from_reference
        row_section = cell(rec, "section") or section
        try:
            rubric = build(
                hint or reference, id=rid, question=question, section=row_section, bank=bank_id, max_score=max_score
            )
        except ValueError as e:  # nothing to build from, or a pydantic problem inside the builders
            fail(rid, where, f"question {raw_id!r}: {e}")
            continue
        except RubricError as e:
            fail(rid, where, f"question {raw_id!r}: " + (f"{e.field}: {e.problem}" if e.field else e.problem))
            continue
        rubrics[rid] = rubric
        notes = rubric_warnings(rubric)
        if notes:
            warnings[rid] = [f"{where}: question {raw_id!r}: {n}" for n in notes]
    if not rubrics:
        if problems:
            first = next(iter(problems.values()))
            raise RubricError(
                src,
                "",
                f"no question builds ({len(problems)} with a problem); first: {first}",
                hint="fix the questions in the CSV",
            )
        raise RubricError(src, "", "no questions found" + (f" with split {split!r}" if split else ""))
    return QuestionBankCsv(src, list(rubrics.values()), problems, warnings)


def bank_from_csv(
    path: str | Path, *, split: str | None = None, bank: str | None = None, section: str = "General"
) -> list[Rubric]:
    """Every question's rubric from a question-bank CSV (:func:`read_question_bank`), strictly: the
    first problem with any question is a :class:`RubricError` naming the file, the row and the problem.
    For scripts that need the whole bank (fitting on it); :func:`grader.rubric.load_bank` keeps the
    good questions instead."""
    read = read_question_bank(path, split=split, bank=bank, section=section)
    if read.problems:
        raise RubricError(read.source, "", next(iter(read.problems.values())))
    return read.rubrics


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

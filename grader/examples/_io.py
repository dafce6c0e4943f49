"""Graded examples in files: import (CSV / JSON lines through :func:`grader.tables.open_table`),
export, and a bank's own ``examples.jsonl``.

Import format, one example per row:

- ``question_id`` and ``answer`` (required);
- ``score`` (on the rubric's scale, 0..max score) and/or one level per criterion: in CSV a column
  ``level:<criterion id>`` per criterion (a blank cell: no level for that criterion), in JSON lines a
  ``levels`` object ``{"<criterion id>": "missing" | "partial" | "full"}`` (``level:<id>`` keys work too);
- optional ``max_score`` (default: the rubric's), ``note``, ``author``, ``label`` (the human's overall label,
  e.g. ``Correct`` / ``Partially correct`` / ``Incorrect``: ``grader calibrate`` fits its label thresholds on
  it); other columns are ignored.

A file is imported **all or nothing**: every bad row is reported (file, line, field, what is wrong)
and, if there is any, nothing is stored.
"""

from __future__ import annotations

import csv
import json
import math
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from grader.errors import GraderError, InputError
from grader.examples._model import ExampleProblem, GradedExample, check_example
from grader.examples._store import list_examples
from grader.rubric.model import Rubric
from grader.tables import from_cell, is_jsonl, open_table, to_cell

if TYPE_CHECKING:
    from grader.rubric import RubricBank
    from grader.store import Store

__all__ = [
    "read_examples",
    "write_examples",
    "BANK_EXAMPLES_FILE",
    "bank_examples_path",
    "load_bank_examples",
    "examples_for_bank",
    "ExamplesFileError",
]

#: The file a bank directory may hold its graded examples in (loaded with the bank).
BANK_EXAMPLES_FILE = "examples.jsonl"
_LEVEL_PREFIX = "level:"
_MAX_REPORTED = 20

RubricLookup = Callable[[str], Rubric]


def _text(value: Any, csv_cell: bool) -> str:
    if value is None:
        return ""
    text = value if isinstance(value, str) else json.dumps(value)
    return from_cell(text) if csv_cell else text


def _number(value: Any, field: str) -> float | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise ExampleProblem(field, f"{value!r} is not a number")
    try:
        x = float(value)
    except (TypeError, ValueError):
        raise ExampleProblem(field, f"{value!r} is not a number") from None
    if not math.isfinite(x):
        raise ExampleProblem(field, f"{value!r} is not a finite number")
    return x


def _levels(values: dict[str, Any]) -> dict[str, str] | None:
    levels: dict[str, str] = {}
    given = values.get("levels")
    if given not in (None, ""):
        if not isinstance(given, dict):
            raise ExampleProblem("levels", 'expected an object {"<criterion id>": "missing" | "partial" | "full"}')
        for k, v in given.items():
            if not isinstance(v, str):
                raise ExampleProblem(f"level:{k}", f"{v!r} is not a level name")
            levels[str(k)] = v.strip().lower()
    for key, value in values.items():
        if key.startswith(_LEVEL_PREFIX) and value not in (None, ""):
            cid = key[len(_LEVEL_PREFIX) :].strip()
            if not isinstance(value, str):
                raise ExampleProblem(key, f"{value!r} is not a level name")
            levels[cid] = value.strip().lower()
    return levels or None


def _row_example(values: dict[str, Any], csv_cell: bool, bank: str, source: str) -> GradedExample:
    qid = _text(values.get("question_id"), csv_cell).strip()
    if not qid:
        raise ExampleProblem("question_id", "missing or empty")
    return GradedExample(
        question_id=qid,
        answer=_text(values.get("answer"), csv_cell),
        score=_number(values.get("score"), "score"),
        max_score=_number(values.get("max_score"), "max_score"),
        levels=_levels(values),
        note=_text(values.get("note"), csv_cell).strip(),
        author=_text(values.get("author"), csv_cell).strip(),
        label=_text(values.get("label"), csv_cell).strip(),
        bank=bank,
        source=source,
    )


def read_examples(
    path: str | Path,
    lookup: RubricLookup | None = None,
    *,
    bank: str = "",
    source: str = "import",
    split: str | None = None,
) -> list[GradedExample]:
    """Every example of a file, validated (against its question's rubric when ``lookup`` finds one;
    the example's ``question_id`` becomes the rubric's id). ``split`` keeps only the rows whose
    ``split`` column has that value. Raises :class:`InputError` listing every bad row (file:line:
    field: problem, at most 20 shown) when there is any: a file is used whole or not at all."""
    src = str(path)
    out: list[GradedExample] = []
    problems: list[str] = []
    with open_table(path) as table:
        csv_cell = table.format == "csv"
        if csv_cell:
            missing = [c for c in ("question_id", "answer") if c not in table.header]
            if missing:
                raise InputError(
                    f"no column {', '.join(missing)} in the header",
                    source=src,
                    line=1,
                    hint="an examples file needs question_id, answer and a score or level:<criterion> columns",
                )
            if split is not None and "split" not in table.header:
                raise InputError(f"no 'split' column to select split {split!r} from", source=src, line=1)
        for row in table.rows():
            if row.problem():
                problems.append(f"{src}:{row.line}: {row.problem()}")
                continue
            if split is not None and str(row.values.get("split", "")).strip() != split:
                continue
            try:
                ex = _row_example(row.values, csv_cell, bank, source)
                rubric = None
                if lookup is not None:
                    try:
                        rubric = lookup(ex.question_id)
                    except GraderError as e:
                        raise ExampleProblem("question_id", e.one_line()) from None
                    ex = replace(ex, question_id=rubric.id)
                out.append(check_example(ex, rubric))
            except ExampleProblem as e:
                problems.append(f"{src}:{row.line}: {e}")
    if problems:
        shown = problems[:_MAX_REPORTED]
        more = f" (and {len(problems) - len(shown)} more)" if len(problems) > len(shown) else ""
        raise ExamplesFileError(src, problems, "\n".join(shown) + more)
    if not out:
        raise InputError("no examples in the file" + (f" for split {split!r}" if split else ""), source=src)
    return out


class ExamplesFileError(InputError):
    """An examples file with bad rows: ``problems`` holds one line per bad row (nothing was used)."""

    def __init__(self, source: str, problems: Sequence[str], shown: str) -> None:
        first = problems[0]
        super().__init__(
            f"{len(problems)} bad row(s), nothing imported; first: {first}",
            hint="fix the rows (each is listed above) and import the file again",
        )
        self.source = source
        self.problems = list(problems)
        self.shown = shown


def write_examples(path: str | Path, examples: Sequence[GradedExample]) -> int:
    """Write examples to a JSON lines file (``.jsonl``) or a CSV (anything else; text cells neutralised
    for spreadsheets, levels as ``level:<id>`` columns). Read back by :func:`read_examples`."""
    p = Path(path)
    try:
        with p.open("w", encoding="utf-8", newline="") as fh:
            if is_jsonl(p):
                for e in examples:
                    fh.write(json.dumps(e.to_dict(), ensure_ascii=False) + "\n")
                return len(examples)
            cids = sorted({c for e in examples for c in (e.levels or {})})
            base = ["id", "question_id", "answer", "score", "max_score"]
            tail = ["note", "bank", "source", "author", "created_at"] + (
                ["label"] if any(e.label for e in examples) else []
            )
            writer = csv.writer(fh)
            writer.writerow(base + [_LEVEL_PREFIX + c for c in cids] + tail)
            for e in examples:
                d = e.to_dict()
                cells = [d[k] for k in base] + [(e.levels or {}).get(c, "") for c in cids] + [d[k] for k in tail]
                writer.writerow(["" if v is None else to_cell(v) if isinstance(v, str) else v for v in cells])
    except OSError as e:
        raise InputError(f"cannot write the file: {e.strerror}", source=str(p)) from None
    return len(examples)


def bank_examples_path(bank_source: str | Path | None) -> Path | None:
    """Where a bank's ``examples.jsonl`` is: in the bank directory (or next to a bank file)."""
    if not bank_source:
        return None
    p = Path(bank_source)
    return (p if p.is_dir() else p.parent) / BANK_EXAMPLES_FILE


def load_bank_examples(bank_source: str | Path | None, lookup: RubricLookup | None = None) -> list[GradedExample]:
    """The bank's own examples (``source="bank"``), or ``[]`` when it has no ``examples.jsonl``."""
    p = bank_examples_path(bank_source)
    if p is None or not p.is_file():
        return []
    return read_examples(p, lookup, source="bank")


def examples_for_bank(store: Store | None, bank: RubricBank) -> list[GradedExample]:
    """The examples a grading run on ``bank`` uses: the stored ones of its questions that are
    unscoped or scoped to the question's bank, then the bank's own ``examples.jsonl`` (if any)."""
    out: list[GradedExample] = []
    if store is not None:
        for e in list_examples(store):
            if e.question_id in bank.ids and (not e.bank or e.bank == bank.get(e.question_id).bank):
                out.append(e)
    out += load_bank_examples(bank.source, bank.get)
    return out

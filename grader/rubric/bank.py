"""Rubric banks: an ordered set of rubrics with lookup by id (:class:`RubricBank`), loaded from a
directory of rubric YAML files (searched recursively), one YAML file, or a CSV question bank with
columns ``id, question`` and ``hint`` or ``reference_answer`` (rubrics then built deterministically by
:func:`grader.rubric.io.bank_from_csv`). The packaged bank lives in ``rubrics/`` (:func:`default_bank`).

Import direction inside :mod:`grader.rubric`: ``model`` ← ``build`` ← ``io`` ← ``bank``.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path

from grader.errors import RubricError, UnknownQuestionError
from grader.resources import rubrics_dir
from grader.rubric.io import bank_from_csv
from grader.rubric.model import Rubric, load_rubric

__all__ = ["RubricBank", "load_bank", "default_bank"]


class RubricBank:
    """An ordered set of rubrics with lookup by id (exact or unique prefix)."""

    def __init__(self, rubrics: list[Rubric], source: str = "") -> None:
        self.source = source
        self._by_id: dict[str, Rubric] = {}
        for r in rubrics:
            if r.id in self._by_id:
                raise RubricError(source, r.id, "duplicate rubric id")
            self._by_id[r.id] = r

    def __len__(self) -> int:
        return len(self._by_id)

    def __iter__(self) -> Iterator[Rubric]:
        return iter(self._by_id.values())

    def __contains__(self, qid: object) -> bool:
        return qid in self._by_id

    @property
    def ids(self) -> list[str]:
        return list(self._by_id)

    def sections(self) -> list[str]:
        seen: list[str] = []
        for r in self:
            if r.section not in seen:
                seen.append(r.section)
        return seen

    def get(self, qid: str) -> Rubric:
        """Exact id, else a unique id prefix (``vid-07``), else UnknownQuestionError."""
        qid = (qid or "").strip()
        if qid in self._by_id:
            return self._by_id[qid]
        matches = [i for i in self._by_id if i.startswith(qid)] if qid else []
        if len(matches) == 1:
            return self._by_id[matches[0]]
        suggestions = matches[:5] or difflib.get_close_matches(qid, self.ids, n=3, cutoff=0.5)
        raise UnknownQuestionError(qid, suggestions)

    def filter(self, section: str | None = None) -> list[Rubric]:
        if not section:
            return list(self)
        want = section.casefold()
        return [r for r in self if r.section.casefold() == want or r.section.casefold().startswith(want)]


def load_bank(path: str | Path | None = None) -> RubricBank:
    """Load a bank from a directory of YAML files, a single YAML file or a CSV question bank."""
    if path is None:
        return default_bank()
    p = Path(path)
    if not p.exists():
        raise RubricError(str(p), "", "no such file or directory", hint="pass a rubric directory, YAML or CSV")
    if p.is_dir():
        files = sorted(f for f in p.rglob("*.y*ml") if f.name != "bank.yaml")
        if not files:
            raise RubricError(str(p), "", "no rubric YAML files found")
        return RubricBank([load_rubric(f) for f in files], source=str(p))
    if p.suffix.lower() == ".csv":
        return RubricBank(bank_from_csv(p), source=str(p))
    return RubricBank([load_rubric(p)], source=str(p))


@lru_cache(maxsize=1)
def default_bank() -> RubricBank:
    return load_bank(rubrics_dir())

"""Rubric banks: an ordered set of rubrics with lookup by id (:class:`RubricBank`), loaded from a
directory of rubric YAML files (searched recursively), one YAML file, or a CSV question bank with
columns ``id, question`` and ``hint`` or ``reference_answer`` (rubrics then built deterministically by
:func:`grader.rubric.io.read_question_bank`). The packaged bank lives in ``rubrics/`` (:func:`default_bank`).

A CSV question whose rubric cannot be built is one of the bank's ``problems``: the others load, and
looking that question up raises :class:`~grader.errors.QuestionProblemError` with the reason, so only
its rows fail. ``warnings`` holds what thin but valid rubrics (a one-word reference answer, a
one-word question) cannot do.

Import direction inside :mod:`grader.rubric`: ``model`` ← ``build`` ← ``io`` ← ``bank``.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator, Mapping, Sequence
from functools import lru_cache
from pathlib import Path

from grader.errors import AmbiguousQuestionError, QuestionProblemError, RubricError, UnknownQuestionError
from grader.resources import rubrics_dir
from grader.rubric.build import slug_id
from grader.rubric.io import read_question_bank
from grader.rubric.model import Rubric, load_rubric

__all__ = ["RubricBank", "load_bank", "default_bank"]


class RubricBank:
    """An ordered set of rubrics with lookup by id (exact or unique prefix).

    ``problems`` (rubric id → one line naming the row and the reason) are questions of the source that
    have no rubric: :meth:`get` raises :class:`~grader.errors.QuestionProblemError` for them.
    ``warnings`` (rubric id → lines) are notes on rubrics that did build."""

    def __init__(
        self,
        rubrics: list[Rubric],
        source: str = "",
        *,
        problems: Mapping[str, str] | None = None,
        warnings: Mapping[str, Sequence[str]] | None = None,
    ) -> None:
        self.source = source
        self._by_id: dict[str, Rubric] = {}
        for r in rubrics:
            if r.id in self._by_id:
                raise RubricError(source, r.id, "duplicate rubric id")
            self._by_id[r.id] = r
        self.problems: dict[str, str] = {k: v for k, v in (problems or {}).items() if k not in self._by_id}
        self.warnings: dict[str, list[str]] = {k: list(v) for k, v in (warnings or {}).items() if v}

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

    def problem(self, qid: str) -> str | None:
        """Why question ``qid`` (a rubric id or the id as written in the CSV) has no rubric, or None."""
        qid = (qid or "").strip()
        return self.problems.get(qid) or self.problems.get(slug_id(qid)) if qid else None

    def get(self, qid: str) -> Rubric:
        """The rubric a user means by ``qid``, in this order: the exact id; the id as a rubric id
        (``10.1_TC`` → ``10-1-tc``); a question number (``5``, ``vid-5``, ``vid-05``: the rubric numbered
        5, or whose id has ``05`` after that prefix); a unique id prefix that does not cut a number
        (``vid-07-fr``; ``vid-5`` never means ``vid-50``). A question of the bank whose rubric could not
        be built raises :class:`QuestionProblemError`; several matches :class:`AmbiguousQuestionError`
        listing them; none, :class:`UnknownQuestionError` with suggestions."""
        qid = (qid or "").strip()
        if qid in self._by_id:
            return self._by_id[qid]
        if qid and slug_id(qid) in self._by_id:
            return self._by_id[slug_id(qid)]
        problem = self.problem(qid)
        if problem is not None:
            raise QuestionProblemError(self.source, qid, problem)
        for matches in (self._by_number(qid), self._by_prefix(qid)):
            if len(matches) == 1:
                return self._by_id[matches[0]]
            if matches:
                raise AmbiguousQuestionError(qid, matches)
        # a prefix that cuts a number ("q-5" of q-50-…) is not a match, but a likely meaning
        suggestions = [i for i in self.ids if qid and i.startswith(qid)][:5]
        suggestions = suggestions or difflib.get_close_matches(qid, self.ids, n=3, cutoff=0.5)
        raise UnknownQuestionError(qid, suggestions)

    def _by_number(self, qid: str) -> list[str]:
        m = _NUMBER_ID.match(qid)
        if not m:
            return []
        prefix, n = m["prefix"], int(m["n"])
        found = []
        for r in self:
            if prefix is None:
                if r.number == n or _first_number(r.id) == n:
                    found.append(r.id)
            elif r.id.startswith(prefix + "-") and _first_number(r.id[len(prefix) + 1 :]) == n:
                found.append(r.id)
        return found

    def _by_prefix(self, qid: str) -> list[str]:
        if not qid:
            return []
        cut = len(qid)
        return [i for i in self._by_id if i.startswith(qid) and not (qid[-1].isdigit() and i[cut : cut + 1].isdigit())]

    def filter(self, section: str | None = None) -> list[Rubric]:
        if not section:
            return list(self)
        want = section.casefold()
        return [r for r in self if r.section.casefold() == want or r.section.casefold().startswith(want)]


#: A question number, bare (``5``) or after an id prefix (``vid-5``, ``vid-05``).
_NUMBER_ID = re.compile(r"^(?:(?P<prefix>[A-Za-z0-9][A-Za-z0-9-]*?)-)?(?P<n>\d{1,6})$")


def _first_number(text: str) -> int | None:
    """The number an id starts with (``05-seed`` → 5), or None."""
    m = re.match(r"(\d{1,6})(?:-|$)", text)
    return int(m.group(1)) if m else None


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
        read = read_question_bank(p)
        return RubricBank(read.rubrics, source=str(p), problems=read.problems, warnings=read.warnings)
    return RubricBank([load_rubric(p)], source=str(p))


@lru_cache(maxsize=1)
def default_bank() -> RubricBank:
    return load_bank(rubrics_dir())

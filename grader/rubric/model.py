"""Rubrics: one YAML file per question, validated by pydantic on load.

A *bank* is a directory of rubric YAML files (searched recursively) or a CSV with columns
``id, question`` and ``hint`` or ``reference_answer`` (rubrics are then built deterministically,
see :mod:`grader.rubric_build`). The packaged bank lives in ``rubrics/``.
"""

from __future__ import annotations

import difflib
import hashlib
import json
from functools import lru_cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from grader.errors import RubricError, UnknownQuestionError
from grader.resources import rubrics_dir

__all__ = [
    "Criterion",
    "Rubric",
    "RubricBank",
    "load_rubric",
    "load_bank",
    "default_bank",
    "SECTIONS",
]

SECTIONS = (
    "Beginner",
    "Intermediate",
    "Advanced",
    "Scenario-Based",
    "AI Workflow & Tools",
    "Behavioral",
)

_SLUG = r"^[a-z0-9][a-z0-9-]*$"
_YamlLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when available: ~10x faster


class Criterion(BaseModel):
    """One thing a strong answer does, with its relative weight."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=_SLUG, max_length=64)
    text: str = Field(min_length=5, max_length=400)
    weight: float = Field(gt=0, le=100)
    covers: tuple[str, ...] = Field(
        default=(), description="verbatim fragments of the hint (or reference answer) this criterion covers"
    )


class Rubric(BaseModel):
    """A question, its hint and the weighted criteria derived from it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=_SLUG, max_length=80)
    bank: str = Field(default="custom", pattern=_SLUG)
    section: str = Field(default="General", min_length=1)
    number: int | None = Field(default=None, ge=1)
    question: str = Field(min_length=5)
    hint: str = Field(default="", description="verbatim 'a strong answer covers' text")
    reference_answer: str = ""
    criteria: tuple[Criterion, ...] = Field(min_length=1, max_length=12)
    max_score: float = Field(default=10, gt=0)
    kind: Literal["hint", "reference"] = "hint"

    @field_validator("question", "hint", "reference_answer")
    @classmethod
    def _strip(cls, v: str) -> str:
        return v.strip()

    @model_validator(mode="after")
    def _check(self) -> "Rubric":
        ids = [c.id for c in self.criteria]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise ValueError(f"duplicate criterion ids: {', '.join(dupes)}")
        if not self.hint and not self.reference_answer:
            raise ValueError("a rubric needs a hint or a reference_answer")
        return self

    @property
    def criterion_ids(self) -> list[str]:
        return [c.id for c in self.criteria]

    @property
    def total_weight(self) -> float:
        return sum(c.weight for c in self.criteria)

    def criterion(self, cid: str) -> Criterion:
        for c in self.criteria:
            if c.id == cid:
                return c
        raise KeyError(cid)

    @property
    def hash(self) -> str:
        """Stable content hash: changes whenever anything that affects grading changes."""
        payload = json.dumps(self.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(payload.encode()).hexdigest()[:16]


def _format_validation_error(path: str, err: ValidationError) -> RubricError:
    first = err.errors()[0]
    loc = ".".join(str(p) for p in first["loc"]) or "(top level)"
    msg = first["msg"]
    if first["type"] == "extra_forbidden":
        msg = "unknown key (allowed keys are listed in docs/rubrics.md or README)"
    return RubricError(path, loc, msg)


def parse_rubric(data: object, source: str) -> Rubric:
    if not isinstance(data, dict):
        raise RubricError(source, "", "expected a mapping of keys (id, question, hint, criteria, …)")
    try:
        return Rubric.model_validate(data)
    except ValidationError as err:
        raise _format_validation_error(source, err) from None


def load_rubric(path: str | Path) -> Rubric:
    """Load and validate one rubric YAML file."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise RubricError(str(p), "", "file not found") from None
    except UnicodeDecodeError as e:
        raise RubricError(str(p), "", f"not UTF-8 text ({e.reason} at byte {e.start})") from None
    try:
        data = yaml.load(text, Loader=_YamlLoader)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark else ""
        raise RubricError(str(p), where, f"invalid YAML: {getattr(e, 'problem', e)}") from None
    return parse_rubric(data, str(p))


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

    def __iter__(self):
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
        from grader.rubric.io import bank_from_csv

        return RubricBank(bank_from_csv(p), source=str(p))
    return RubricBank([load_rubric(p)], source=str(p))


@lru_cache(maxsize=1)
def default_bank() -> RubricBank:
    return load_bank(rubrics_dir())

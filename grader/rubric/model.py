"""The rubric model: :class:`Criterion` and :class:`Rubric`, validated by pydantic; one YAML file per
question (:func:`load_rubric`).

Banks of rubrics (a directory, a YAML file or a CSV question bank) are :mod:`grader.rubric.bank`;
this module imports nothing else of :mod:`grader.rubric`, so the builders and readers can import it.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from grader.errors import RubricError

__all__ = ["Criterion", "Rubric", "parse_rubric", "load_rubric", "SECTIONS"]

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
    question: str = Field(min_length=1)  # "Why?" is a question: a short one is a warning of the builders, not an error
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
    def _check(self) -> Rubric:
        ids = [c.id for c in self.criteria]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise ValueError(f"duplicate criterion ids: {', '.join(dupes)}")
        if not self.question:
            raise ValueError("the question is empty")
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

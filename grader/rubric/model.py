"""The rubric model: :class:`Criterion` and :class:`Rubric`, validated by pydantic; one YAML file per
question (:func:`load_rubric`).

Banks of rubrics (a directory, a YAML file or a CSV question bank) are :mod:`grader.rubric.bank`;
this module imports nothing else of :mod:`grader.rubric`, so the builders and readers can import it.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from grader.errors import RubricError

__all__ = ["Criterion", "Rubric", "parse_rubric", "load_rubric", "SECTIONS", "LIMITS", "MAX_FILE_BYTES"]

SECTIONS = (
    "Beginner",
    "Intermediate",
    "Advanced",
    "Scenario-Based",
    "AI Workflow & Tools",
    "Behavioral",
)

_SLUG = r"^[a-z0-9][a-z0-9-]*$"

#: Upper bounds of a rubric's fields (characters, or the number itself): far above any real rubric,
#: low enough that a mistake or an abuse (``max_score: 1e308``, a 2 MB question) is refused on load
#: with the file, the field and the limit. Numbers must also be finite.
LIMITS = {
    "max_score": 1000,
    "weight": 100,
    "number": 100_000,
    "section": 80,
    "question": 4_000,
    "hint": 8_000,
    "reference_answer": 20_000,
    "cover": 20_000,  # a fragment of the hint or the reference answer
    "covers": 50,
}
#: A rubric file larger than this is refused before it is parsed.
MAX_FILE_BYTES = 1_000_000


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]  # libyaml: ~10x faster
    """The safe YAML loader, refusing a mapping that repeats a key (YAML says keys are unique;
    PyYAML would silently keep the last one)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[object, object]:
        seen: dict[object, int] = {}
        for key_node, _value in node.value:
            key = self.construct_object(key_node, deep=True)
            try:
                first = seen.setdefault(key, key_node.start_mark.line + 1)
            except TypeError:  # an unhashable key: the base class reports it
                break
            if first != key_node.start_mark.line + 1:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key!r} (first on line {first})", key_node.start_mark
                )
        mapping: dict[object, object] = super().construct_mapping(node, deep=deep)
        return mapping


class Criterion(BaseModel):
    """One thing a strong answer does, with its relative weight."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    id: str = Field(pattern=_SLUG, max_length=64)
    text: str = Field(min_length=5, max_length=400)
    weight: float = Field(gt=0, le=LIMITS["weight"])
    covers: tuple[Annotated[str, Field(max_length=LIMITS["cover"])], ...] = Field(
        default=(),
        max_length=LIMITS["covers"],
        description="verbatim fragments of the hint (or reference answer) this criterion covers",
    )


class Rubric(BaseModel):
    """A question, its hint and the weighted criteria derived from it."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    id: str = Field(pattern=_SLUG, max_length=80)
    bank: str = Field(default="custom", pattern=_SLUG, max_length=80)
    section: str = Field(default="General", min_length=1, max_length=LIMITS["section"])
    number: int | None = Field(default=None, ge=1, le=LIMITS["number"])
    question: str = Field(
        min_length=1, max_length=LIMITS["question"]
    )  # "Why?" is a question: short is a builder warning
    hint: str = Field(default="", max_length=LIMITS["hint"], description="verbatim 'a strong answer covers' text")
    reference_answer: str = Field(default="", max_length=LIMITS["reference_answer"])
    criteria: tuple[Criterion, ...] = Field(min_length=1, max_length=12)
    max_score: float = Field(default=10, gt=0, le=LIMITS["max_score"])
    kind: Literal["hint", "reference"] = "hint"
    languages: tuple[str, ...] = Field(
        default=("en",),
        min_length=1,
        max_length=8,
        description="languages answers may be written in; text in any other is flagged (grader.injection.language)",
    )

    @field_validator("languages")
    @classmethod
    def _known_languages(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        from grader.injection.language import KNOWN_LANGUAGES, unknown_languages

        codes = tuple(code.strip().lower() for code in v)
        unknown = unknown_languages(codes)
        if unknown:
            raise ValueError(
                f"unknown language {unknown[0]!r} in languages; use codes among {', '.join(sorted(KNOWN_LANGUAGES))}"
            )
        return codes

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
        """Stable content hash: changes whenever anything that affects grading changes.

        Memoised per content (:data:`_HASHES`): the embedded judge's caches and the second opinion
        ask for it several times per answer, and the JSON dump it hashes costs ~40 µs each time."""
        mine = _BY_ID.get(id(self))
        if mine is not None and mine[0] is self:  # this very object (hashing a rubric's content costs ~5 µs)
            return mine[1]
        found = _HASHES.get(self)
        if found is None:
            # the default languages are left out, so that rubrics written before the field keep their hash
            exclude = {"languages"} if self.languages == ("en",) else None
            payload = json.dumps(self.model_dump(mode="json", exclude=exclude), sort_keys=True, ensure_ascii=False)
            found = hashlib.sha256(payload.encode()).hexdigest()[:16]
            if len(_HASHES) >= _HASHES_MAX:
                _HASHES.clear()
            _HASHES[self] = found
        if len(_BY_ID) >= _HASHES_MAX:
            _BY_ID.clear()
        _BY_ID[id(self)] = (self, found)  # the object is kept beside its id: the id cannot be reused meanwhile
        return found


#: Rubric → its :attr:`Rubric.hash`. Keyed by the rubric itself (frozen, so hashable and compared by
#: content): a copy with other content (``model_copy(update=...)``) is another key, never a stale hit.
_HASHES: dict[Rubric, str] = {}
_BY_ID: dict[int, tuple[Rubric, str]] = {}
_HASHES_MAX = 1024


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
        size = p.stat().st_size
        if size > MAX_FILE_BYTES:
            raise RubricError(
                str(p), "", f"the file is {size:,} bytes; a rubric file may have at most {MAX_FILE_BYTES:,}"
            )
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise RubricError(str(p), "", "file not found") from None
    except UnicodeDecodeError as e:
        raise RubricError(str(p), "", f"not UTF-8 text ({e.reason} at byte {e.start})") from None
    try:
        data = yaml.load(text, Loader=_Loader)  # a SafeLoader subclass
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark else ""
        raise RubricError(str(p), where, f"invalid YAML: {getattr(e, 'problem', e)}") from None
    return parse_rubric(data, str(p))

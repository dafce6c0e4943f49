"""LLM-assisted rubric criteria: :func:`criteria_with_llm` asks the configured LLM
(``prompts/build_rubric.j2``, JSON validated by pydantic, covers checked verbatim against the source
text). The deterministic builders of :mod:`grader.rubric.build` are the default.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from grader.errors import ConfigError
from grader.rubric._common import clip, slug, unique_ids
from grader.rubric.build import MAX_HINT_CRITERIA, MAX_REFERENCE_CRITERIA
from grader.rubric.model import Criterion

__all__ = ["criteria_with_llm"]


class _LLMCriterion(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(description="short lowercase slug, e.g. camera-movement")
    text: str = Field(description="one sentence: what a strong answer does for this criterion")
    weight: float = Field(description="relative importance, 1 to 4")
    covers: list[str] = Field(description="verbatim fragments of the source text this criterion stands for")


class _LLMCriteria(BaseModel):
    model_config = ConfigDict(extra="forbid")

    criteria: list[_LLMCriterion]


def _llm_schema() -> dict[str, Any]:
    item = {
        "type": "object",
        "additionalProperties": False,
        "required": ["id", "text", "weight", "covers"],
        "properties": {
            "id": {"type": "string"},
            "text": {"type": "string"},
            "weight": {"type": "number"},
            "covers": {"type": "array", "items": {"type": "string"}},
        },
    }
    return {
        "type": "object",
        "additionalProperties": False,
        "required": ["criteria"],
        "properties": {"criteria": {"type": "array", "items": item}},
    }


def _validate_llm_criteria(raw: str, source: str, limit: int) -> tuple[list[Criterion], list[str]]:
    """Criteria from the LLM's JSON; covers not found verbatim in ``source`` are dropped (noted)."""
    try:
        parsed = _LLMCriteria.model_validate_json(raw)
    except ValidationError as e:
        first = e.errors()[0]
        where = ".".join(map(str, first["loc"]))
        raise ValueError(f"the LLM's criteria are not valid: {where}: {first['msg']}") from None
    notes: list[str] = []
    flat_source = " ".join(source.split()).casefold()
    items = parsed.criteria[:limit]
    if len(parsed.criteria) > limit:
        notes.append(f"the LLM gave {len(parsed.criteria)} criteria; kept the first {limit}")
    ids = unique_ids([slug(c.id.replace("-", " "), max_words=5) for c in items])
    out = []
    for cid, c in zip(ids, items):
        covers = []
        for frag in c.covers:
            if frag.strip() and " ".join(frag.split()).casefold() in flat_source:
                covers.append(frag.strip())
            else:
                notes.append(f"{cid}: dropped a 'covers' fragment that is not in the source text: {frag[:60]!r}")
        weight = min(4.0, max(1.0, float(c.weight)))
        text = clip(" ".join(c.text.split()))
        if len(text) < 5:
            raise ValueError(f"the LLM's criterion {cid!r} has no text")
        out.append(Criterion(id=cid, text=text, weight=weight, covers=tuple(covers)))
    if not out:
        raise ValueError("the LLM returned no criteria")
    return out, notes


def criteria_with_llm(
    settings: Any,
    *,
    question: str,
    hint: str = "",
    reference_answer: str = "",
    client: Any | None = None,
    run: Callable[[Any], Any] = asyncio.run,
) -> tuple[list[Criterion], list[str]]:
    """Ask the configured LLM for the criteria (``prompts/build_rubric.j2``). Returns the validated
    criteria and notes (e.g. dropped non-verbatim fragments). Raises :class:`ConfigError` when no
    LLM is configured, :class:`~grader.errors.TransportError` when it cannot be reached, and
    ``ValueError`` when its reply is not valid criteria."""
    if client is None and not settings.llm_configured:
        raise ConfigError(
            "no LLM is configured for --llm",
            setting="api_key",
            hint="set OPENAI_API_KEY (and OPENAI_BASE_URL for another server), "
            "or drop --llm to build the rubric deterministically",
        )
    from grader.judges.llm import complete_json
    from grader.prompts import load_prompts, neutralise

    kind = "hint" if hint else "reference"
    source = hint or reference_answer
    limit = MAX_HINT_CRITERIA if kind == "hint" else MAX_REFERENCE_CRITERIA
    env = load_prompts().env
    system = (
        env.get_template("build_rubric.j2")
        .render(
            question=neutralise(question),
            kind=kind,
            source=neutralise(source),
            limit=limit,
            schema_json=json.dumps(_llm_schema(), separators=(",", ":")),
        )
        .strip()
    )
    messages = [{"role": "system", "content": system}, {"role": "user", "content": "Return the criteria as JSON."}]
    raw, _usage = run(complete_json(settings, messages, _llm_schema(), name="rubric_criteria", client=client))
    return _validate_llm_criteria(raw, source, limit)

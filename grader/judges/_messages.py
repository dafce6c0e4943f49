"""The judge's first messages for an answer, rendered once per rubric and filled per answer.

Rendering both Jinja templates costs more per answer (~0.17 ms) than the rest of preparing a
request, yet everything but the answer is the same for every answer to one question. So the
templates are rendered once per (prompt set, rubric, schema) with a placeholder where the answer
goes, and each answer's messages are that text with the placeholder replaced by the neutralised
answer — byte for byte what :meth:`grader.prompts.PromptSet.messages` renders (a test compares them).

The shortcut is taken only when it cannot differ: every template of the prompt set uses the answer
only as a plain ``{{ answer }}`` (no filter, no ``set``, no test — anything else renders the answer
for real), the placeholder comes out exactly once, and not at either end of a message (whose
whitespace :meth:`~grader.prompts.PromptSet.messages` strips).
"""

from __future__ import annotations

import re
from typing import Any

from grader.prompts import PromptSet, neutralise
from grader.rubric.model import Rubric

__all__ = ["answer_messages"]

#: Where the answer goes while the rest is rendered: no ``<``/``>`` (so :func:`neutralise` keeps it)
#: and a NUL, which no template text contains.
_SLOT = "\x00grader-answer-slot\x00"
_BLOCK = re.compile(r"\{\{.*?\}\}|\{%.*?%\}", re.DOTALL)
_USES_ANSWER = re.compile(r"\banswer\b")
_PLAIN_ANSWER = re.compile(r"\{\{-?\s*answer\s*-?\}\}")
_LIMIT = 1024  # rendered rubrics kept; past it the cache starts over

_plain: dict[int, tuple[PromptSet, bool]] = {}
_rendered: dict[tuple[int, int, int], tuple[PromptSet, Rubric, Any, list[dict[str, str]] | None]] = {}


def _answer_is_plain(prompts: PromptSet) -> bool:
    """Every template uses ``answer`` only as ``{{ answer }}`` (so the placeholder is faithful)."""
    entry = _plain.get(id(prompts))
    if entry is None or entry[0] is not prompts:
        entry = _plain[id(prompts)] = (prompts, _sources_plain(prompts))
    return entry[1]


def _sources_plain(prompts: PromptSet) -> bool:
    env = prompts.env
    if env.loader is None:
        return False
    try:  # a file the loader cannot read (not UTF-8 …) means: render for real
        sources = [env.loader.get_source(env, name)[0] for name in env.list_templates()]
    except Exception:
        return False
    for source in sources:
        for block in _BLOCK.findall(source):
            if _USES_ANSWER.search(block) and not _PLAIN_ANSWER.fullmatch(block):
                return False
    return True


def _template(prompts: PromptSet, rubric: Rubric, schema: dict[str, Any] | None) -> list[dict[str, str]] | None:
    key = (id(prompts), id(rubric), id(schema))
    entry = _rendered.get(key)
    if entry is None or entry[0] is not prompts or entry[1] is not rubric or entry[2] is not schema:
        messages: list[dict[str, str]] | None = None
        if _answer_is_plain(prompts):
            messages = prompts.messages(rubric, _SLOT, schema=schema)
            contents = [m["content"] for m in messages]
            if sum(c.count(_SLOT) for c in contents) != 1 or any(
                c.startswith(_SLOT) or c.endswith(_SLOT) for c in contents
            ):
                messages = None
        if len(_rendered) >= _LIMIT:
            _rendered.clear()
        entry = _rendered[key] = (prompts, rubric, schema, messages)
    return entry[3]


def answer_messages(
    prompts: PromptSet, rubric: Rubric, answer: str, schema: dict[str, Any] | None = None
) -> list[dict[str, str]]:
    """``prompts.messages(rubric, answer, schema=schema)``, from the rubric's rendered template.

    ``schema`` is compared by identity (the verdict schemas are cached per rubric, see
    :func:`grader.verdict.verdict_schema`); treat it as read-only."""
    template = _template(prompts, rubric, schema)
    if template is None:
        return prompts.messages(rubric, answer, schema=schema)
    safe = neutralise(answer)
    return [{**m, "content": m["content"].replace(_SLOT, safe)} if _SLOT in m["content"] else dict(m) for m in template]

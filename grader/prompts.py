"""Render the judge's messages from the Jinja templates in ``prompts/``.

Templates are trusted files; the rubric and the answer are untrusted *values*. The environment is
sandboxed with ``StrictUndefined``. The answer goes last, between markers it cannot close: any
``<<<`` / ``>>>`` in the answer is neutralised before rendering. The prompt version is a hash of the
template sources and of the verdict schema (its fields in order), and travels with every result.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jinja2 import FileSystemLoader, StrictUndefined
from jinja2.sandbox import SandboxedEnvironment

from grader.resources import prompts_dir
from grader.rubric.model import Rubric
from grader.verdict import schema_fingerprint

if TYPE_CHECKING:
    from grader.examples import GradedExample

__all__ = ["PromptSet", "neutralise", "OPEN_TAG", "CLOSE_TAG", "load_prompts"]

OPEN_TAG = "<<<CANDIDATE_ANSWER>>>"
CLOSE_TAG = "<<<END_CANDIDATE_ANSWER>>>"
TEMPLATES = ("system.j2", "user.j2", "reask.j2", "examples.j2")
EXAMPLE_OPEN_TAG = "<<<GRADED_EXAMPLE>>>"
EXAMPLE_CLOSE_TAG = "<<<END_GRADED_EXAMPLE>>>"
#: An example's answer and note are cut to these many characters in a prompt.
EXAMPLE_ANSWER_CHARS, EXAMPLE_NOTE_CHARS = 2000, 300

_NEUTRAL = str.maketrans({"<": "‹", ">": "›"})


_BRACKET_RUN = re.compile(r"<{3,}|>{3,}")


def neutralise(answer: str) -> str:
    """Make the answer unable to open or close the markers: every run of 3+ angle brackets is
    replaced by look-alike characters (``‹‹‹``), so ``<<<END_CANDIDATE_ANSWER>>>`` cannot appear."""
    return _BRACKET_RUN.sub(lambda m: m.group().translate(_NEUTRAL), answer)


@dataclass(frozen=True)
class PromptSet:
    directory: Path
    version: str
    env: SandboxedEnvironment

    def messages(
        self,
        rubric: Rubric,
        answer: str,
        *,
        schema: dict[str, Any] | None = None,
        examples: Sequence[GradedExample] = (),
    ) -> list[dict[str, str]]:
        """The exact chat messages: system (instructions), user (rubric, graded examples if any, then
        the answer last). Example answers are neutralised like the answer (they are untrusted too)."""
        ctx = {
            "examples": [_example_ctx(e) for e in examples],
            "example_open_tag": EXAMPLE_OPEN_TAG,
            "example_close_tag": EXAMPLE_CLOSE_TAG,
            "rubric": rubric,
            "answer": neutralise(answer),
            "open_tag": OPEN_TAG,
            "close_tag": CLOSE_TAG,
            "schema_json": json.dumps(schema, separators=(",", ":")) if schema else "",
        }
        return [
            {"role": "system", "content": self.env.get_template("system.j2").render(ctx).strip()},
            {"role": "user", "content": self.env.get_template("user.j2").render(ctx).strip()},
        ]

    def reask(self, rubric: Rubric, problem: str) -> str:
        return self.env.get_template("reask.j2").render(rubric=rubric, problem=problem).strip()


def _example_ctx(e: GradedExample) -> dict[str, Any]:
    """A graded example as the template sees it: answer and note neutralised and cut, levels in order."""
    return {
        "text": neutralise(e.answer[:EXAMPLE_ANSWER_CHARS]),  # not "answer": that name is the candidate's
        "score": e.score,
        "max_score": e.max_score,
        "levels": sorted((e.levels or {}).items()),
        "note": neutralise(" ".join(e.note.split())[:EXAMPLE_NOTE_CHARS]),
    }


def _version(directory: Path) -> str:
    """A hash of the templates and of the verdict schema the judge asks for (its fields and their order)."""
    h = hashlib.sha256()
    for name in TEMPLATES:
        h.update(name.encode())
        h.update((directory / name).read_bytes())
    h.update(b"verdict-schema")
    h.update(schema_fingerprint().encode())
    return "p-" + h.hexdigest()[:12]


@lru_cache(maxsize=8)
def load_prompts(directory: str | Path | None = None) -> PromptSet:
    d = Path(directory) if directory else prompts_dir()
    env = SandboxedEnvironment(
        loader=FileSystemLoader(str(d)),
        undefined=StrictUndefined,
        autoescape=False,
        keep_trailing_newline=False,
    )
    return PromptSet(directory=d, version=_version(d), env=env)

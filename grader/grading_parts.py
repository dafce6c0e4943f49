"""What :mod:`grader.grading` resolves around a :class:`~grader.grading.Grader`: the judge the settings
ask for, the cache key of one grading, what the injection detector is given, and the flag its findings
(or the judge's own suspicion) put on a result.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from grader.prompts import PromptSet
from grader.result import Flag
from grader.rubric import Rubric
from grader.settings import Settings
from grader.text import normalise_answer
from grader.types import Judge

if TYPE_CHECKING:
    from grader.injection.detector import Finding

__all__ = ["cache_key", "raw_cache_key", "detect_injection", "echo_texts", "injection_flag", "make_backend"]


def echo_texts(rubric: Rubric) -> list[str]:
    """The texts whose verbatim copy in an answer is flagged as a rubric echo: a hint rubric's criteria
    (descriptions of what to cover, which no answer needs to copy). Not a reference rubric's: its
    criteria are clauses of a model answer, and an answer that says the same thing is right."""
    return [] if rubric.kind == "reference" else [c.text for c in rubric.criteria]


def detect_injection(answer: str, languages: Sequence[str] = ("en",), criteria: Sequence[str] = ()) -> list[Finding]:
    """:func:`grader.injection.detector.detect_injection`, imported on first use: compiling its
    patterns takes ~0.1 s, which a batch spends while its first request is out rather than before."""
    from grader.injection.detector import detect_injection as detect

    return detect(answer, languages, criteria)


def cache_key(settings: Settings, prompt_version: str, rubric: Rubric, answer: str, model: str) -> str:
    """The cache key of one grading. The answer is normalised (:func:`grader.text.normalise_answer`) so
    that ``grade`` (a file with a trailing newline) and ``batch`` (a CSV cell) share the entry."""
    return raw_cache_key(settings.grading_key(), model, prompt_version, rubric.hash, answer)


def raw_cache_key(grading_key: str, model: str, prompt_version: str, rubric_hash: str, answer: str) -> str:
    h = hashlib.sha256()
    for part in (grading_key, model, prompt_version, rubric_hash, normalise_answer(answer)):
        h.update(part.encode())
        h.update(b"\x00")
    return h.hexdigest()


def make_backend(settings: Settings, prompts: PromptSet, **kwargs: Any) -> Judge:
    """The judge the settings ask for: the LLM judge, or the embedded one (``effective_backend``)."""
    if settings.effective_backend == "llm":
        from grader.judges.llm import LLMJudge

        return LLMJudge(settings, prompts, **kwargs)
    from grader.judges.local.judge import LocalJudge

    return LocalJudge()


def injection_flag(findings: Sequence[Finding], *, judge_flagged: bool = False) -> Flag | None:
    """The ``injection_suspected`` flag of a result: what flagged the answer (the judge, the detector's
    kinds of finding), or ``None`` when nothing did."""
    detail = ["the judge flagged it"] if judge_flagged else []
    if findings:
        detail.append("detector: " + ", ".join(sorted({f.kind for f in findings})))
    return Flag(code="injection_suspected", detail="; ".join(detail)) if detail else None

"""Confidence by repetition: grade one answer N times with varied seeds and flag disagreement.

:func:`grade_samples` makes N gradings of the same answer. Sample 0 is the ordinary grading (same
settings, so it shares the cache with a plain ``grade``); sample ``i`` ≥ 1 uses ``seed = base + i``
(``base`` = ``settings.seed`` or 0). The seed is part of :meth:`Settings.grading_key`, hence of the
cache key, so the cache never collapses the samples into one. The samples run concurrently.

The returned result is the median sample (the lower median for an even N: a real grading with its own
criteria and evidence, not an average of them), with:

- ``samples``: every sample's score, in order (mean = their average), and ``score_spread`` = max − min;
- usage, cost and attempts summed over all samples (what the N calls really cost), latency the
  longest sample (they run at the same time);
- a ``low_confidence`` flag when the spread is above ``threshold`` × max score (default 15 %), when
  the samples straddle the pass mark (some at or above it, some below), or when some samples could
  not be scored.

**Needs a human** (:func:`needs_review`): an answer flagged ``injection_suspected`` or
``judge_disagreement`` (the LLM and the embedded second opinion disagree, :mod:`grader.second_opinion`)
shows "needs review" instead of a band everywhere it is shown (terminal, web page, report), and in the
report's ranking it is marked and never placed above an unflagged answer with the same score.

A deterministic judge (``judge.deterministic``: the embedded grader) gets one call, ``samples =
[score]``, spread 0, never flagged. So are empty and too-short answers, which are graded without any call.
N = 1 is exactly the ordinary single grading.
"""

from __future__ import annotations

import asyncio
import statistics
from typing import Any

from grader.grading import Grader
from grader.result import NEEDS_REVIEW, REVIEW_FLAG_CODES, Flag, GradeResult
from grader.rubric.model import Rubric

__all__ = [
    "grade_samples",
    "grade_samples_sync",
    "DEFAULT_SPREAD_THRESHOLD",
    "needs_review",
    "REVIEW_FLAG_CODES",
    "NEEDS_REVIEW",
]


def needs_review(result: GradeResult) -> bool:
    """Whether a human should look at this grade before it is used (see the module docstring)."""
    return result.needs_review


DEFAULT_SPREAD_THRESHOLD = 0.15
"""A spread above this fraction of the maximum score flags the answer ``low_confidence``."""


def _seeded(grader: Grader, seed: int) -> Grader:
    """A grader like ``grader`` whose judge sends ``seed`` (sharing bank, prompts, store, and through
    :meth:`~grader.types.Judge.reseeded` the HTTP client, format mode, request gate and 429 feedback).
    The seed is in the settings too, hence in the cache key."""
    settings = grader.settings.model_copy(update={"seed": seed})
    return Grader(
        settings,
        bank=grader.bank,
        prompts=grader.prompts,
        backend=grader.backend.reseeded(seed),
        store=grader.store,
        examples=grader.examples,
    )


def _deterministic(grader: Grader, first: GradeResult) -> bool:
    """One grading is enough: the judge always gives the same verdict, or no judge was asked (empty or
    too-short answers)."""
    return grader.backend.deterministic or (first.verdict is None and first.status == "graded")


async def grade_samples(
    grader: Grader,
    rubric_or_id: str | Rubric,
    answer: str,
    n: int,
    *,
    threshold: float = DEFAULT_SPREAD_THRESHOLD,
    pass_mark: float | None = None,
    use_cache: bool | None = None,
) -> GradeResult:
    """Grade ``answer`` ``n`` times (varied seeds); the median sample, with ``samples`` and flags.

    ``threshold`` is a fraction of the maximum score; ``pass_mark`` a percentage (0–100) or None.
    """
    if n < 1:
        raise ValueError(f"n must be at least 1, got {n}")
    rubric = grader.rubric(rubric_or_id)
    first = await grader.agrade(rubric, answer, use_cache=use_cache)
    if n == 1:
        return first
    if _deterministic(grader, first):
        return first.model_copy(
            update={
                "samples": [first.score] if first.score is not None else [],
                "score_spread": 0.0 if first.score is not None else None,
            }
        )
    base = grader.settings.seed or 0
    others = await asyncio.gather(
        *(_seeded(grader, base + i).agrade(rubric, answer, use_cache=use_cache) for i in range(1, n))
    )
    return combine([first, *others], threshold=threshold, pass_mark=pass_mark)


def combine(
    results: list[GradeResult], *, threshold: float = DEFAULT_SPREAD_THRESHOLD, pass_mark: float | None = None
) -> GradeResult:
    """Merge repeated gradings of one answer into the median one (see the module docstring)."""
    graded = [r for r in results if r.status == "graded" and r.score is not None]
    scores = [r.score for r in results if r.status == "graded" and r.score is not None]
    if not graded:
        chosen = results[0]
    else:
        median = statistics.median_low(scores)
        chosen = next(r for r in graded if r.score == median)
    spread = round(max(scores) - min(scores), 4) if scores else None
    flags = [f for f in chosen.flags if f.code != "low_confidence"]
    reasons = []
    max_score = chosen.max_score
    if spread is not None and spread > threshold * max_score:
        reasons.append(
            f"scores of {len(scores)} gradings range from {min(scores):g} to {max(scores):g} "
            f"(spread {spread:g} > {threshold * max_score:g}, {threshold:.0%} of {max_score:g})"
        )
    if pass_mark is not None and scores:
        percents = [100.0 * s / max_score for s in scores]
        if min(percents) < pass_mark <= max(percents):
            reasons.append(
                f"the gradings straddle the pass mark of {pass_mark:g} % ({min(percents):.0f} %–{max(percents):.0f} %)"
            )
    unscored = len(results) - len(graded)
    if unscored and graded:
        reasons.append(f"{unscored} of {len(results)} gradings could not be scored")
    if reasons:
        flags.append(Flag(code="low_confidence", detail="; ".join(reasons)))
    usage: dict[str, int] = {}
    for r in results:
        for k, v in r.usage.items():
            usage[k] = usage.get(k, 0) + v
    costs = [r.cost_usd for r in results if r.cost_usd is not None]
    update: dict[str, Any] = {
        "samples": [r.score for r in results if r.status == "graded" and r.score is not None],
        "score_spread": spread,
        "flags": flags,
        "usage": usage,
        "cost_usd": round(sum(costs), 8) if len(costs) == len(results) else None,
        "attempts": sum(r.attempts for r in results),
        "latency_s": max(r.latency_s for r in results),
        "cached": all(r.cached for r in results),
    }
    return chosen.model_copy(update=update)


def grade_samples_sync(grader: Grader, rubric_or_id: str | Rubric, answer: str, n: int, **kwargs: Any) -> GradeResult:
    """:func:`grade_samples` from synchronous code (one event loop; closes the grader's backend)."""

    async def run() -> GradeResult:
        try:
            return await grade_samples(grader, rubric_or_id, answer, n, **kwargs)
        finally:
            await grader.aclose()

    return asyncio.run(run())

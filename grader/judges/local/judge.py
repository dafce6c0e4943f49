"""The embedded grader: no LLM, no network, no key — sentence embeddings decide coverage.

How an answer is graded:

1. **Passages.** The answer's sentences (a sentence over 30 words cut into pieces of at most 20),
   each a verbatim slice of the answer (:func:`segments`), are embedded with all-MiniLM-L6-v2
   (:mod:`grader.embedding`): one pass over the answer's words.
2. **Similarities.** Each criterion is embedded once per rubric (its text and, if any, the hint or
   reference fragments it ``covers``), together with the rubric's reference text (the reference
   answer, or the hint's fragments) and the question; these vectors are cached by rubric hash.
   Per criterion, the best cosine over its views and the passages is its *similarity*, and that
   passage is its evidence — verbatim, so the usual verification and scoring apply.
3. **Score model.** Answer-level features (:data:`FEATURES`) go through a small logistic model
   fitted on human-graded answers (SAF's training split) by ``scripts/fit_local_calibration.py``,
   which also chose the features by cross-validation over whole questions; the shipped model uses
   the weighted mean criterion similarity and the share of the reference's words — those not
   already in the question — that the answer uses. Its parameters are in
   ``grader/data/local_calibration.json`` (every field documented there).
4. **Levels.** The model's score is turned into per-criterion levels (missing / partial / full) by
   allocating it to the criteria in order of similarity: the most similar criteria are credited
   first, so within an answer a more similar criterion never gets a lower level, and the weighted
   sum of the levels — what :mod:`grader.scoring` computes — is the model's score, mapped by a
   fitted linear equating onto the spread of human scores, rounded to the nearest half level of
   some criterion. Without a calibration file the levels come from two fixed similarity
   thresholds instead.

What it can and cannot judge: it measures whether the answer *talks about* what each criterion
names (coverage), not whether what it says is correct. A fluent answer that names every topic with
wrong claims can score well; a correct answer in unusual words can score low. Use an LLM backend
where correctness matters.

Feedback is templated: what is covered, what is missing, and each gap's criterion as the next step,
from the levels *awarded* after the evidence checks (the grader asks :meth:`LocalJudge.feedback`
once it has them); the judge's own verdict carries no feedback.
:meth:`LocalJudge.judge_many` grades several answers with one ``encode`` call (the batch path
coalesces concurrent :meth:`LocalJudge.judge` calls into it).
"""

from __future__ import annotations

import asyncio
import threading
import weakref
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from grader.errors import Usage
from grader.judges.local.model import (  # re-exported: the coverage model is part of this module's public face
    FEATURES,
    Calibration,
    RubricVectors,
    Segment,
    allocate_levels,
    answer_features,
    criterion_similarities,
    load_calibration,
    requested_count,
    rubric_texts,
    rubric_vectors,
    segments,
)
from grader.rubric.model import Rubric
from grader.types import BaseJudge, Feedback, JudgeOutcome
from grader.verdict import LEVEL_VALUE, CriterionVerdict, Gap, Level, Verdict

__all__ = [
    "LocalJudge",
    "Calibration",
    "Segment",
    "segments",
    "load_calibration",
    "LOCAL_MODEL",
    "FEATURES",
    "RubricVectors",
    "rubric_texts",
    "rubric_vectors",
    "answer_features",
    "allocate_levels",
    "requested_count",
]

LOCAL_MODEL = "all-MiniLM-L6-v2-int8"
_CACHE_SIZE = 256  # rubrics whose vectors are kept (per process)

# -- the judge ------------------------------------------------------------------------------------


def templated_feedback(rubric: Rubric, levels: Sequence[Level]) -> Feedback:
    """Strengths, gaps with next steps, and a summary from per-criterion levels. The grader calls it
    (through :meth:`LocalJudge.feedback`) with the levels *awarded* after the evidence checks, so the
    feedback never praises what earned no credit."""
    strengths: list[str] = []
    gaps: list[Gap] = []
    for c, level in zip(rubric.criteria, levels):
        if level == Level.full:
            strengths.append(f"Covers: {_lower_first(c.text)}.")
        else:
            what = "Not covered" if level == Level.missing else "Only partly covered"
            gaps.append(
                Gap(
                    gap=f"{what}: {_lower_first(c.text)}.",
                    next_step=f"Add a concrete sentence or example that {_lower_first(c.text)}.",
                )
            )
    n = len(rubric.criteria)
    full = sum(1 for v in levels if v == Level.full)
    partial = sum(1 for v in levels if v == Level.partial)
    summary = f"Your answer fully covers {full} of {n} criteria"
    summary += f" and partly covers {partial}." if partial else "."
    if gaps:
        # the gap worth most points first (weight times the credit still missing)
        missing_points = [c.weight * (1.0 - LEVEL_VALUE[lv]) for c, lv in zip(rubric.criteria, levels)]
        biggest = max(range(n), key=lambda k: (missing_points[k], -k))
        summary += f" Start with: {_lower_first(rubric.criteria[biggest].text)}."
    return Feedback(strengths, gaps, summary)


def _lower_first(text: str) -> str:
    text = text.strip().rstrip(".")
    return text[:1].lower() + text[1:] if text else text


_rubric_cache: OrderedDict[str, RubricVectors] = OrderedDict()
_rubric_cache_lock = threading.Lock()


class LocalJudge(BaseJudge):
    """Grades in-process with the embedded model (see the module docstring); a :class:`~grader.types.Judge`.

    Each outcome's ``details``: ``similarities`` (per criterion, the best passage cosine), ``score``
    (the model's normalised score, None without a fitted model) and ``features`` (the model's inputs).
    """

    name = "local"
    model = LOCAL_MODEL
    deterministic = True

    def __init__(
        self, embedder: Any | None = None, calibration: Calibration | None = None, max_batch: int = 16
    ) -> None:
        self._embedder = embedder
        self.calibration = calibration or load_calibration()
        self.version = f"local-{self.calibration.version}"
        self.max_batch = max_batch
        self.rubric_encodes = 0  # how many times rubric vectors were computed (tests, benchmarks)
        self._queues: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Queue] = weakref.WeakKeyDictionary()
        self._queues_lock = threading.Lock()

    @property
    def embedder(self) -> Any:
        if self._embedder is None:
            from grader.judges.local.embedding import get_embedder

            self._embedder = get_embedder()
        return self._embedder

    def _cache_key(self, rubric: Rubric) -> str:
        return f"{id(self.embedder) if self._embedder is not None else 'shared'}:{rubric.hash}"

    def rubric_vectors(self, rubric: Rubric) -> RubricVectors:
        """The rubric's vectors, embedded once per process and rubric hash (LRU of 256 rubrics)."""
        key = self._cache_key(rubric)
        with _rubric_cache_lock:
            hit = _rubric_cache.get(key)
            if hit is not None:
                _rubric_cache.move_to_end(key)
                return hit
        texts, _ = rubric_texts(rubric)
        rv = rubric_vectors(rubric, self.embedder.encode(texts))
        self.rubric_encodes += 1
        with _rubric_cache_lock:
            _rubric_cache[key] = rv
            while len(_rubric_cache) > _CACHE_SIZE:
                _rubric_cache.popitem(last=False)
        return rv

    def similarities(self, rubric: Rubric, answer: str) -> tuple[np.ndarray, list[Segment]]:
        """Per criterion, the cosine with each of the answer's passages: ``(criteria, passages)``."""
        segs = segments(answer)
        rv = self.rubric_vectors(rubric)
        if not segs:
            return np.zeros((len(rubric.criteria), 0), dtype=np.float32), segs
        return criterion_similarities(rv, self.embedder.encode([s.text for s in segs])), segs

    # -- grading --------------------------------------------------------------------------------

    def judge_many(self, items: Sequence[tuple[Rubric, str]]) -> list[JudgeOutcome]:
        """Grade several (rubric, answer) pairs with one ``encode`` call for all their passages."""
        vectors = [self.rubric_vectors(r) for r, _ in items]
        all_segs = [segments(a) for _, a in items]
        texts = [s.text for segs in all_segs for s in segs]
        encoded = self.embedder.encode(texts) if texts else np.zeros((0, 1), dtype=np.float32)
        out = []
        pos = 0
        for (rubric, answer), rv, segs in zip(items, vectors, all_segs):
            seg_vecs = encoded[pos : pos + len(segs)]
            pos += len(segs)
            out.append(self._outcome(rubric, answer, rv, segs, seg_vecs))
        return out

    def judge_sync(self, rubric: Rubric, answer: str) -> JudgeOutcome:
        return self.judge_many([(rubric, answer)])[0]

    def _outcome(
        self, rubric: Rubric, answer: str, rv: RubricVectors, segs: list[Segment], seg_vecs: np.ndarray
    ) -> JudgeOutcome:
        cal = self.calibration
        n = len(rubric.criteria)
        if segs:
            per = criterion_similarities(rv, seg_vecs)
            best_idx = per.argmax(axis=1)
            best = [float(per[i, best_idx[i]]) for i in range(n)]
        else:
            per, best_idx, best = np.zeros((n, 0), dtype=np.float32), np.zeros(n, dtype=int), [0.0] * n
        features: dict[str, float] = {}
        score: float | None = None
        if cal.fitted:
            features = answer_features(rv, answer, segs, seg_vecs, per)
            score = cal.predict(features)
            levels = allocate_levels(best, rv.weights.tolist(), cal.level_target(score), cal.floor)
        else:
            levels = [cal.level(b) for b in best]
        criteria: list[CriterionVerdict] = []
        for i, c in enumerate(rubric.criteria):
            level = levels[i]
            passage = segs[int(best_idx[i])].text if segs else ""
            if cal.fitted:
                rank = sorted(best, reverse=True).index(best[i]) + 1
                rationale = (
                    f"closest passage similarity {best[i]:.2f} (rank {rank} of {n}); "
                    f"answer coverage score {score:.2f} → {level.value}"
                )
            else:
                threshold = {Level.full: cal.full, Level.partial: cal.partial, Level.missing: cal.partial}[level]
                relation = "≥" if level != Level.missing else "<"
                rationale = f"closest passage similarity {best[i]:.2f} {relation} {threshold:.2f} ({level.value})"
            criteria.append(
                CriterionVerdict(
                    criterion_id=c.id,
                    level=level,
                    rationale=rationale,
                    evidence=[passage] if level != Level.missing and passage else [],
                )
            )
        # No feedback here: the grader asks for it (self.feedback) once the evidence checks have set the
        # levels awarded. injection_attempt stays False: the grader runs the injection detector on every
        # answer itself and flags it, whatever the judge says.
        verdict = Verdict(criteria=criteria, strengths=[], gaps=[], injection_attempt=False, summary="")
        return JudgeOutcome(
            verdict, Usage(), 1, self.model, details={"similarities": best, "score": score, "features": features}
        )

    def feedback(self, rubric: Rubric, awarded: Sequence[Level]) -> Feedback:
        """Templated feedback from the levels awarded after the evidence checks (called by the grader)."""
        return templated_feedback(rubric, awarded)

    async def judge(self, rubric: Rubric, answer: str) -> JudgeOutcome:
        """Grade off the event loop. Calls made on one event loop while another chunk is being
        graded (a batch's workers) are coalesced into one :meth:`judge_many`, up to
        ``max_batch`` answers; each event loop (thread) has its own queue."""
        loop = asyncio.get_running_loop()
        with self._queues_lock:
            queue = self._queues.get(loop)
            if queue is None:
                queue = self._queues[loop] = _Queue()
        future: asyncio.Future[JudgeOutcome] = loop.create_future()
        queue.pending.append((rubric, answer, future))
        if queue.task is None:
            queue.task = loop.create_task(self._flush(queue))
        return await future

    async def _flush(self, queue: _Queue) -> None:
        try:
            await asyncio.sleep(0)  # let the other workers of this loop queue their answers
            while queue.pending:
                chunk, queue.pending = queue.pending[: self.max_batch], queue.pending[self.max_batch :]
                try:
                    outcomes = await asyncio.to_thread(self.judge_many, [(r, a) for r, a, _ in chunk])
                except Exception as exc:  # every caller of the chunk gets the error
                    for _, _, f in chunk:
                        if not f.done():
                            f.set_exception(exc)
                else:
                    for (_, _, f), o in zip(chunk, outcomes):
                        if not f.done():
                            f.set_result(o)
        finally:
            for _, _, f in queue.pending:  # only when cancelled: nobody left to grade them
                if not f.done():
                    f.cancel()
            queue.pending = []
            queue.task = None


@dataclass
class _Queue:
    """Answers waiting to be graded on one event loop, and the task grading them."""

    pending: list[tuple[Rubric, str, asyncio.Future[JudgeOutcome]]] = field(default_factory=list)
    task: asyncio.Task[None] | None = None

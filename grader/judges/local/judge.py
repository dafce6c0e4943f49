"""The embedded grader: no LLM, no network, no key — each criterion judged on its own evidence.

How an answer is graded:

1. **Passages.** The answer's sentences (a sentence over 30 words cut into pieces of at most 20),
   each a verbatim slice of the answer (:func:`segments`), are embedded with all-MiniLM-L6-v2
   (:mod:`grader.judges.local.embedding`): one pass over the answer's words. Passages that talk
   about grading are set aside: they are never evidence.
2. **Signals, per criterion** (:mod:`grader.judges.local.signals`): how similar the best passage is
   to *this* criterion (its text and the hint fragments it covers) and how much more than to the
   question or to the other criteria; which of the criterion's own key terms the answer uses
   (stems, abbreviations, hyphenation, close spellings), whether it dismisses them, and whether the
   passage only restates the rubric.
3. **Level, per criterion** (:mod:`grader.judges.local.model`): two small logistic models fitted on
   criterion-level human labels (``scripts/fit_criterion_model.py``) give the chance a strict
   human credits it at least partly and fully; thresholds turn them into missing / partial / full.
   A passage that only restates the rubric earns at most ``partial`` (except under a reference
   answer's rubric, whose words are the correct answer's). The supporting passage's whole
   sentence is the evidence, so the usual verification and scoring apply, and the score is
   Σ weight × level value, the same arithmetic as for an LLM's verdict.

What it can and cannot judge: it checks whether the answer *covers* each point — says something
specific about it — not whether what it says is correct. A confident answer with wrong claims about
the right topics can still earn credit; use an LLM where correctness matters. Every level comes
with one plain sentence saying why; the numbers behind it are in the result's ``details``.

:meth:`LocalJudge.judge_many` grades several answers with one ``encode`` call (the batch path
coalesces concurrent :meth:`LocalJudge.judge` calls into it).
"""

from __future__ import annotations

import asyncio
import functools
import threading
import weakref
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from grader.errors import Usage
from grader.examples._blend import DEFAULT_RULE, BlendRule, blend_levels, score_inputs, uses
from grader.examples._index import ExampleSet, nearest
from grader.judges.local.model import CriterionModel, Segment, load_model, segments
from grader.judges.local.signals import (
    CriterionSignals,
    RubricProfile,
    criterion_signals,
    is_restatement,
    profile_texts,
    rubric_profile,
)
from grader.judges.local.signals import content_terms as _terms
from grader.rubric.model import Rubric
from grader.types import BaseJudge, Feedback, JudgeOutcome
from grader.verdict import LEVEL_VALUE, CriterionVerdict, Gap, Level, Verdict

__all__ = ["LocalJudge", "LOCAL_MODEL", "LIMITS_NOTE", "templated_feedback", "sentence_span"]

LOCAL_MODEL = "all-MiniLM-L6-v2-int8"
LIMITS_NOTE = "The embedded grader checks whether each point is covered, not whether what the answer says is correct."
_CACHE_SIZE = 256  # rubrics whose profiles are kept (per process)


def templated_feedback(rubric: Rubric, levels: Sequence[Level]) -> Feedback:
    """Strengths, gaps with next steps, and a summary from per-criterion levels. The grader calls
    it with the levels *awarded* after the evidence checks, so the feedback never praises what
    earned no credit."""
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
    """The criterion text to continue a sentence: its first letter lowered, unless its first word is an
    acronym or a name with capitals inside ("TCP slow start …", "IPv6 …" stay as written)."""
    text = text.strip().rstrip(".")
    first = text.split(maxsplit=1)[0] if text else ""
    if any(ch.isupper() for ch in first[1:]):
        return text
    return text[:1].lower() + text[1:] if text else text


def sentence_span(answer: str, seg: Segment) -> tuple[int, int]:
    """The whole sentence a passage belongs to (a piece of a long sentence → that sentence)."""
    if seg.sentence:
        return seg.start, seg.end
    stops = ".!?\n"
    start = max(answer.rfind(ch, 0, seg.start) for ch in stops) + 1
    ends = [answer.find(ch, seg.end - 1) for ch in stops]  # the piece may end with the sentence's own stop
    end = min((e + (ch != "\n") for e, ch in zip(ends, stops) if e >= 0), default=len(answer))
    while start < end and answer[start].isspace():
        start += 1
    return start, end


def _surface(stems: Sequence[str], text: str, limit: int = 3) -> list[str]:
    """Words of ``text`` whose content term is one of ``stems`` (for a plain-language rationale)."""
    found: list[str] = []
    for word in dict.fromkeys(text.replace("\n", " ").split()):
        clean = word.strip(".,;:!?()[]\"'“”‘’")
        if clean and _terms(clean) & set(stems) and clean.casefold() not in (f.casefold() for f in found):
            found.append(clean)
        if len(found) >= limit:
            break
    return found


def _rationale(level: Level, sig: CriterionSignals, quote: str, restated: bool) -> str:
    """One plain sentence on why a criterion got its level. ``restated``: the supporting passage counts
    as restating the rubric (:func:`_restated`), which caps the level at partial."""
    words = _surface(sig.matched, quote) if quote else []
    uses = f" (it uses {', '.join(f'“{w}”' for w in words)})" if words else ""
    if level == Level.full:
        return f"Covered: the quoted sentence speaks to this point{uses}."
    if level == Level.partial:
        if restated:
            return "Partly covered: the point is only named in a sentence that restates the question's points."
        if sig.dismissed:
            return f"Partly covered: the quoted sentence touches this point but plays it down{uses}."
        return f"Partly covered: the quoted sentence touches this point without saying enough about it{uses}."
    if sig.dismissed:
        return "Not covered: the only sentences that use its words dismiss it."
    return "Not covered: no sentence of the answer speaks to this point."


def _restated(sig: CriterionSignals, answer: str, segs: Sequence[Segment], cap: bool) -> bool:
    """Whether the supporting passage restates the rubric, so that it earns at most partial. Under a
    profile without the restatement cap (``reference`` rubrics: an answer in the hidden model answer's
    words is a correct answer) only talk about what a good answer contains, anywhere in the passage's
    sentence, still counts."""
    if not sig.restated or sig.passage < 0:
        return False
    a, b = sentence_span(answer, segs[sig.passage])
    return cap or is_restatement(answer[a:b], frozenset(), ())


_profile_cache: OrderedDict[str, RubricProfile] = OrderedDict()
_profile_cache_lock = threading.Lock()


class LocalJudge(BaseJudge):
    """Grades in-process with the embedded model (see the module docstring); a
    :class:`~grader.types.Judge` that is deterministic, makes no requests and costs nothing."""

    name = "local"
    model = LOCAL_MODEL
    deterministic = True

    def __init__(
        self, embedder: Any | None = None, criterion_model: CriterionModel | None = None, max_batch: int = 16
    ) -> None:
        self._embedder = embedder
        self.criterion_model = criterion_model or load_model()
        self.version = f"local-{self.criterion_model.version}"
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

    def rubric_profile(self, rubric: Rubric) -> RubricProfile:
        """The rubric's key terms and vectors, computed once per process and rubric hash (LRU)."""
        key = self._cache_key(rubric)
        with _profile_cache_lock:
            hit = _profile_cache.get(key)
            if hit is not None:
                _profile_cache.move_to_end(key)
                return hit
        profile = rubric_profile(rubric, self.embedder.encode(profile_texts(rubric)))
        self.rubric_encodes += 1
        with _profile_cache_lock:
            _profile_cache[key] = profile
            while len(_profile_cache) > _CACHE_SIZE:
                _profile_cache.popitem(last=False)
        return profile

    def signals(self, rubric: Rubric, answer: str) -> tuple[list[CriterionSignals], list[Segment]]:
        """Every criterion's signals for one answer, and the answer's passages (tests, fitting)."""
        segs = segments(answer)
        vecs = self.embedder.encode([s.text for s in segs]) if segs else np.zeros((0, 1), dtype=np.float32)
        return criterion_signals(self.rubric_profile(rubric), answer, [s.text for s in segs], vecs), segs

    # -- grading --------------------------------------------------------------------------------

    def judge_many(self, items: Sequence[tuple[Rubric, str]]) -> list[JudgeOutcome]:
        """Grade several (rubric, answer) pairs with one ``encode`` call for all their passages."""
        profiles = [self.rubric_profile(r) for r, _ in items]
        all_segs = [segments(a) for _, a in items]
        texts = [s.text for segs in all_segs for s in segs]
        encoded = self.embedder.encode(texts) if texts else np.zeros((0, 1), dtype=np.float32)
        out = []
        pos = 0
        passages: list[tuple[list[Segment], list[CriterionSignals]]] = []
        for (rubric, answer), profile, segs in zip(items, profiles, all_segs):
            vecs = encoded[pos : pos + len(segs)]
            pos += len(segs)
            sigs = criterion_signals(profile, answer, [s.text for s in segs], vecs)
            out.append(self._outcome(rubric, answer, segs, sigs))
            passages.append((segs, sigs))
        if self.examples:  # graded examples: blend (grader.examples); without them nothing changes
            out = self._with_examples(items, out, passages)
        return out

    # -- graded examples (grader.examples): a hook after the rubric judgment -------------------

    examples: ExampleSet | None = None
    blend_rule: BlendRule = DEFAULT_RULE

    def set_examples(self, examples: ExampleSet | None) -> None:
        """Blend every grade of a question that has graded examples with the nearest of them."""
        self.examples = examples if examples else None

    def examples_key(self, rubric: Rubric) -> str:
        """The question's example-set hash and the blend rule ("" without examples)."""
        h = self.examples.hash_for(rubric.id) if self.examples else ""
        return f"{h}.{self.blend_rule.version}" if h else ""

    def _with_examples(
        self,
        items: Sequence[tuple[Rubric, str]],
        outcomes: list[JudgeOutcome],
        passages: list[tuple[list[Segment], list[CriterionSignals]]],
    ) -> list[JudgeOutcome]:
        assert self.examples is not None
        todo = [i for i, (r, _) in enumerate(items) if self.examples.for_question(r.id)]
        if not todo:
            return outcomes
        answer_vecs = self.embedder.encode([items[i][1] for i in todo])
        rule = self.blend_rule
        for i, vec in zip(todo, answer_vecs):
            rubric, answer = items[i]
            segs, sigs = passages[i]
            examples = self.examples.for_question(rubric.id)
            near = nearest(examples, self.examples.vectors(rubric.id, self.embedder), vec, rule.k, rule.temperature)

            quote_for = functools.partial(_quote, rubric, answer, segs, sigs)
            outcome = outcomes[i]
            criteria = outcome.details.get("criteria", {})
            verdict, _ = blend_levels(outcome.verdict, criteria, near, rule.level_weight, quote_for)
            x = score_inputs(self.examples, rubric, self.embedder, answer, vec, rule)
            details = {
                **outcome.details,
                "examples": {
                    "base": None if x is None else rule.base(x),
                    "rubric_weight": rule.rubric_weight(len(examples) if x is None else x.n),
                    "vote": None if x is None else x.vote,
                    "similarity_offset": 0.0 if x is None else round(x.similarity_offset, 4),
                    "rule": rule.version,
                    "used": uses(near),
                },
            }
            outcomes[i] = JudgeOutcome(verdict, outcome.usage, outcome.attempts, outcome.model, details=details)
        return outcomes

    def judge_sync(self, rubric: Rubric, answer: str) -> JudgeOutcome:
        return self.judge_many([(rubric, answer)])[0]

    def _outcome(self, rubric: Rubric, answer: str, segs: list[Segment], sigs: list[CriterionSignals]) -> JudgeOutcome:
        rows = np.array([s.features for s in sigs], dtype=np.float64)
        levels = self.criterion_model.levels(rows, rubric.kind)
        p_partial, p_full = self.criterion_model.probabilities(rows, rubric.kind)
        cap = self.criterion_model.profile(rubric.kind).restated_partial
        criteria: list[CriterionVerdict] = []
        details: dict[str, dict[str, float]] = {}
        for i, (c, sig) in enumerate(zip(rubric.criteria, sigs)):
            level = levels[i]
            restated = _restated(sig, answer, segs, cap)
            if sig.passage < 0:
                level = Level.missing
            elif restated and level == Level.full:
                level = Level.partial
            quote = ""
            if level != Level.missing:
                a, b = sentence_span(answer, segs[sig.passage])
                quote = answer[a:b]
            criteria.append(
                CriterionVerdict(
                    criterion_id=c.id,
                    level=level,
                    rationale=_rationale(level, sig, quote, restated),
                    evidence=[quote] if quote else [],
                )
            )
            details[c.id] = {
                **{k: round(v, 4) for k, v in sig.as_dict().items()},
                "p_partial": round(float(p_partial[i]), 4),
                "p_full": round(float(p_full[i]), 4),
            }
        # injection_attempt stays False: the grader runs the injection detector on every answer
        # itself and flags it, whatever the judge says. Feedback comes from the levels awarded
        # after the evidence checks (the grader asks :meth:`feedback`), so the verdict carries none.
        verdict = Verdict(criteria=criteria, strengths=[], gaps=[], injection_attempt=False, summary="")
        return JudgeOutcome(verdict, Usage(), 1, self.model, details={"criteria": details})

    def feedback(self, rubric: Rubric, awarded: Sequence[Level]) -> Feedback:
        """Feedback from the levels awarded after the evidence checks (called by the grader)."""
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


def _quote(rubric: Rubric, answer: str, segs: list[Segment], sigs: list[CriterionSignals], cid: str) -> str:
    """The evidence the embedded judge would quote for a criterion: its best passage's sentence ("" if none)."""
    sig = sigs[rubric.criterion_ids.index(cid)]
    if sig.passage < 0:
        return ""
    a, b = sentence_span(answer, segs[sig.passage])
    return answer[a:b]


@dataclass
class _Queue:
    """Answers waiting to be graded on one event loop, and the task grading them."""

    pending: list[tuple[Rubric, str, asyncio.Future[JudgeOutcome]]] = field(default_factory=list)
    task: asyncio.Task[None] | None = None

"""A second opinion on every LLM grade: the embedded judge re-judges the LLM's own evidence.

The LLM judge can be talked round by an answer; the embedded judge (:mod:`grader.judges.local`)
follows no instructions. After the evidence checks (:mod:`grader.scoring`, :mod:`grader.support`),
every criterion the LLM credited is judged again by the embedded judge **on the quotes that earned
it** — no extra API call, and no embedding of the whole answer:

1. **Lexical first.** If the quotes use at least ``LEXICAL_AGREES`` (a tenth) of the criterion's key
   terms, weighted by how specific they are (the embedded judge's key terms and weights), counted on the
   quotes *without their grading-talk clauses* (a plea's words are not the criterion's), and do not
   merely restate the rubric (:func:`grader.judges.local.signals.is_restatement`), the embedded judge
   agrees with the LLM's level. Nothing is embedded. Not in an answer the injection detector flagged:
   there a criterion whose quotes use none of its key terms is unsupported outright (the fitted model is
   unreliable on a few short quotes alone, and a human will look anyway), and every other credited
   criterion goes to step 2.
2. **Otherwise** the criterion's own quotes are embedded (cached per text, off the event loop) and the
   embedded judge's fitted criterion model, from its usual signals computed on those passages
   (similarity to the criterion and to the others, key terms, dismissal, restatement), gives the
   chance that a strict human credits the criterion. Below ``UNSUPPORTED`` (0.12) the criterion is
   *unsupported* (missing); otherwise ``partial`` if its chance of ``full`` is under ``DOUBTS_FULL``
   (0.1) or the quotes only restate the rubric, else ``full``. (On quotes alone the model rarely
   reaches its own ``full`` threshold, so it judges support, not depth.) In an answer the injection
   detector flagged, the model sees the quotes alone, not the whole answer (the answer's length is
   one of its signals, and attack text must not lengthen an answer into credit).

Why these numbers (chosen again after the embedded judge's refit to gradient-boosted trees, on
criteria-dev — 150 answers with human per-criterion levels, graded by DevServer's honest judge — and
the hand-annotated benign answers of ``tests/injection_cases.py``; ``benchmarks/evidence_support.py``,
``benchmarks/injection_targets.py``). With every credited criterion sent to the model, a floor of 0.2
(the old one) held 4 of the 240 criteria a human credits (16 of the 88 a human marks missing) and 4 of
189 annotated honest criteria; 0.15 held 3 and 1 (14 of 88); 0.12 holds none of either (8 of 88).
With the rules as they stand, a sweep of ``UNSUPPORTED`` 0.10 / 0.12 / 0.15 gives 6 / 6 / 15 of 150
criteria-dev answers flagged, 0 / 0 / 3 human-credited criteria held, 8 / 8 / 14 human-missing ones
held, and 25 / 26 / 27 of 34 development attack-only answers at or under 10 % under the obedient
judge *with the detector switched off* (what the second opinion holds on its own); ``DOUBTS_FULL``
0.05 / 0.1 / 0.2 and ``MARGIN`` 0.2 / 0.25 / 0.3 changed none of these figures. Honest answers rarely
held is the point of a second opinion, so 0.12 (criteria-dev: 6 of 150 flagged, 17 before), with
``DOUBTS_FULL`` and ``MARGIN`` left as they were. ``LEXICAL_AGREES`` 0.1 keeps the model off four
criteria in five (the LLM path stays cheap: each passage embedded costs about 10 ms of CPU).

**Round 3 (issue 12, s18): rules that hold without the detector.**

- *Off the subject*: an answer whose genuine text (:func:`grader.genuine.on_topic`: outside the detector's
  spans, without grading talk and claims of coverage) uses no key term of any criterion and has fewer than
  ``MIN_GENUINE_TERMS`` content words of its own gets the flagged answer's bar — a credited criterion
  whose quotes' genuine text uses none of its key terms is unsupported (a persona, a plea, an update
  notice, an encoded payload: the fitted model credits text that is merely on the question's topic).
- *Support, not depth*: where the model finds a criterion's *own* quotes support it, in an answer that
  does not address the grader, the LLM's level stands (on a few quotes the model rarely reaches its own
  ``full``) — not for quotes that restate the rubric, not for a quote also cited for another credited
  criterion (one on-topic sentence cited for every criterion), and not when the LLM cited grading talk.
- *Talked round*: an LLM that cited grading talk as evidence (:func:`cites_grading_talk`) is held wherever
  the embedded judge gives less, as in a flagged answer.

Measured: with the detector off, development attack-only answers ≤ 10 % 32/52 → 50/52; criteria-dev 8 of
150 answers flagged (6 before), none of the 240 human-credited criteria held (README, *Second opinion*).

**Round 4 (issue 12, s19): answers with little of their own** (:func:`grader.genuine.thin`: fewer than
``MIN_OWN_WORDS`` words outside the rubric's vocabulary). In a thin answer a quote whose line only names a criterion
(:func:`grader.genuine.is_label`: a heading, a table row of criterion ids and "met") or repeats a criterion's text
word for word supports nothing, key terms count only in the quotes' genuine text, and the fitted model sees the
other quotes only. In any answer, a quote the support check rejected as grading talk for one criterion counts for
another only with two of its key terms outside the grading words (:func:`grader.quote_terms.key_terms_in`). None of
this needs the detector: with it switched off, development attack-only answers ≤ 10 % 60/67 → 65/67 and mixed
answers gaining ≤ 5 % 74/78 → 75/78; ``criteria-dev`` unchanged (5 of 150 flagged, none of the 240 held).

**The rule.** The two *disagree* when the LLM credits a criterion (partial or full) that the embedded
judge finds unsupported (missing), when the LLM's score is more than ``MARGIN`` (25 %) of the maximum
above the embedded judge's on the same quotes, or — in an answer the injection detector flagged (it
addresses the grader, so the LLM may have been talked round) — when the embedded judge rates any
credited criterion lower. Then the result carries the
``judge_disagreement`` flag (so it "needs review": :func:`grader.confidence.needs_review`), and every
criterion where the embedded level is lower is **held at the embedded level** until a human confirms:
``claimed`` keeps the LLM's level, ``awarded`` and the points are the embedded level's, and the
criterion's ``details`` say so (``second_opinion_level``, ``second_opinion_held``). Where they agree the
LLM's levels stand. The second opinion never *adds* credit the LLM did not give.

Its numbers are in :attr:`grader.result.GradeResult.second_opinion` and the criteria's ``details``,
never in the candidate's feedback. ``--no-second-opinion`` (``Settings.second_opinion = False``)
switches it off; the quote checks of :mod:`grader.support` stay on.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from grader.genuine import thin
from grader.quote_terms import genuine_share, judged, key_share, key_terms_in, names_only, talks
from grader.result import CriterionResult, Flag, SecondOpinion
from grader.rubric.model import Rubric
from grader.scoring import QuoteJudge
from grader.support import GRADING_REASON, SupportChecker, shared_checker
from grader.verdict import LEVEL_VALUE, Level, Verdict

if TYPE_CHECKING:
    pass

__all__ = [
    "Reviewer",
    "MARGIN",
    "LEXICAL_AGREES",
    "Opinion",
    "embedded_levels",
    "apply_second_opinion",
    "cites_grading_talk",
]

MARGIN = 0.25
"""The LLM's score may exceed the embedded judge's by at most this fraction of the maximum."""
LEXICAL_AGREES = 0.1
"""Weighted share of a criterion's key terms in its quotes from which the embedded judge agrees unseen."""
UNSUPPORTED = 0.12
"""The fitted model's chance that a strict human credits the criterion at least partly, below which the
embedded judge finds the LLM's quotes unsupported."""
DOUBTS_FULL = 0.1
"""… and its chance of ``full``, below which the embedded judge gives ``partial`` (only counts for the margin
or where the two disagree anyway)."""


@dataclass(frozen=True)
class Opinion:
    """The embedded judge's level for one criterion the LLM credited, and how it got there."""

    level: Level
    key_terms: float  # weighted share of the criterion's key terms in its quotes
    lexical: bool  # decided by step 1 (no embedding)
    p_partial: float | None = None  # the fitted model's probabilities, when it was asked
    p_full: float | None = None


def _quotes(c: CriterionResult) -> list[str]:
    return [e.quote for e in c.evidence if e.verified]


def cites_grading_talk(criteria: Sequence[CriterionResult]) -> bool:
    """Whether the LLM cited grading talk as evidence anywhere in its verdict (a quote the support check
    rejected as addressed to the grader or about grading): it has been talked round, like an LLM grading an
    answer the detector flagged — its depth is not trusted and any lower embedded level is held."""
    return any(e.reason.startswith(GRADING_REASON) for c in criteria for e in c.evidence)


def embedded_levels(
    checker: SupportChecker,
    rubric: Rubric,
    answer: str,
    criteria: Sequence[CriterionResult],
    *,
    quotes_only: bool = False,
    spans: Sequence[tuple[int, int]] = (),
) -> list[Opinion | None]:
    """Per criterion, the embedded judge's opinion on the LLM's quotes (None where the LLM gave nothing).
    ``spans``: the injection detector's (left out when judging whether the answer is on topic)."""
    import numpy as np

    from grader.judges.local.signals import criterion_signals, is_restatement

    out: list[Opinion | None] = [None] * len(criteria)
    pending: list[tuple[int, float]] = []
    off_topic: bool | None = None  # computed on first need (lexical, cheap)
    profile = checker.profile(rubric)
    thin_state: list[bool] = []
    chosen: dict[int, list[str]] = {}  # a thin answer's quotes that are not labels, where some are

    def is_thin() -> bool:  # computed on first need: it reads the answer until it has enough words of its own
        if not thin_state:
            thin_state.append(thin(profile, answer, spans))
        return thin_state[0]

    # quotes the support check rejected as grading talk for some criterion: for another they count only where
    # they use two of its key terms or more once their grading words are set aside, as genuine text must ("once upon
    # a time … the examiner wrote the highest mark": "time" is not time-boxing)
    talk = {e.quote for c in criteria for e in c.evidence if e.reason.startswith(GRADING_REASON)}
    for i, c in enumerate(criteria):
        quotes = _quotes(c)
        if c.awarded == Level.missing or not quotes:
            continue
        if talk & set(quotes):
            kept = [q for q in quotes if q not in talk or key_terms_in(profile, i, q) >= 2]
            if not kept:
                out[i] = Opinion(Level.missing, 0.0, True)
                continue
            if len(kept) < len(quotes):
                chosen[i] = quotes = kept
        share, restated = key_share(checker, rubric, i, quotes)
        if not quotes_only and off_topic is None:
            off_topic = not checker.on_topic(rubric, answer, spans)
        if not off_topic:
            # a thin answer (few words of its own): a quote whose line only names the criterion (a heading, a table
            # row of criterion ids and "met") says nothing about it, and key terms count only in genuine text (not
            # in an "evaluation_policy" config); the fitted model sees the other quotes only. Whether the answer is
            # thin is read only when it could matter (a label, an echo, grading talk in a quote): it costs more
            own = [
                e.quote
                for e in c.evidence
                if e.verified and e.quote in quotes and not names_only(rubric, profile, answer, e)
            ]
            if (len(own) < len(quotes) or any(talks(q) for q in own)) and is_thin():
                if not own:
                    out[i] = Opinion(Level.missing, 0.0, True)
                    continue
                if len(own) < len(quotes):
                    chosen[i] = own
                    share, restated = key_share(checker, rubric, i, own)
                if share > 0.0 and genuine_share(checker, rubric, i, own) == 0.0:
                    share = 0.0
        if off_topic and share > 0.0 and genuine_share(checker, rubric, i, quotes) == 0.0:
            # off the subject, a key term counts only in what the quotes say about it (not in a notice that
            # "length-based evaluation" is enabled)
            share = 0.0
        if share >= LEXICAL_AGREES and not restated and not quotes_only:
            out[i] = Opinion(c.awarded, round(share, 4), True)
        elif share == 0.0 and (quotes_only or off_topic):
            # an answer that addresses the grader, or one that never uses the subject's words (a persona, a
            # plea, a notice, an encoded payload, another language): credit needs at least one of the
            # criterion's own key terms until a human confirms (the fitted model, on a few short quotes
            # alone, credits text that is merely on the question's topic)
            out[i] = Opinion(Level.missing, 0.0, True)
        else:
            pending.append((i, share))
    if not pending:
        return out
    cited: dict[str, int] = {}
    for c in criteria:
        if c.awarded != Level.missing:
            for q in set(_quotes(c)):
                cited[q] = cited.get(q, 0) + 1
    shared = [any(cited.get(q, 0) > 1 for q in _quotes(c)) for c in criteria]
    talked_round = cites_grading_talk(criteria)
    model = checker.judge.criterion_model
    for i, share in pending:
        # each criterion is judged on its own quotes only: another criterion's quote is not its evidence
        # … without their grading-talk clauses (what the support check judged; the embedded judge's signals
        # ignore a passage that is grading talk, so a sentence with one such clause would count for nothing)
        passages = list(dict.fromkeys(t for t in (judged(q) for q in chosen.get(i, _quotes(criteria[i]))) if t))
        if not passages:
            out[i] = Opinion(Level.missing, round(share, 4), False)
            continue
        vecs = np.stack([checker.vector(p) for p in passages])
        # an answer the detector flagged is judged on its quotes alone: attack text around them must not
        # lengthen the answer into more credit (the answer's length is one of the model's signals)
        sig = criterion_signals(profile, " ".join(passages) if quotes_only else answer, passages, vecs, only=(i,))[0]
        row = np.array([sig.features], dtype=np.float64)
        p_partial, p_full = (float(p[0]) for p in model.probabilities(row, rubric.kind))
        # as the embedded judge reads it: without its profile's restatement cap (reference rubrics) only talk
        # about what a good answer contains restates
        restated = sig.restated and (
            model.profile(rubric.kind).restated_partial or is_restatement(passages[sig.passage], frozenset(), ())
        )
        # unsupported below UNSUPPORTED; partial where the model is sure it is not full; else full
        level = Level.missing
        if sig.passage >= 0 and p_partial >= UNSUPPORTED:
            level = Level.partial if p_full < DOUBTS_FULL or restated else Level.full
            if not quotes_only and not restated and not shared[i] and not talked_round:
                # the quotes support the criterion and are its own: the depth is the LLM's to judge (on a
                # few quotes alone the model rarely reaches its own "full"); held lower in an answer that
                # addresses the grader, where the quotes merely restate the rubric, where the same quote
                # is also the evidence of another credited criterion (one on-topic sentence cited for
                # every criterion says something about the subject, not about each of them), or where the
                # LLM cited grading talk as evidence anywhere
                level = criteria[i].awarded
        out[i] = Opinion(level, round(share, 4), False, round(p_partial, 4), round(p_full, 4))
    return out


def apply_second_opinion(
    rubric: Rubric, criteria: list[CriterionResult], opinions: Sequence[Opinion | None], *, flagged: bool = False
) -> tuple[list[CriterionResult], SecondOpinion, Flag | None]:
    """The rule of the module docstring: the criteria (held where the judges disagree), the numbers, a flag.
    ``flagged``: the answer addresses the grader (the detector flagged it): every criterion the embedded
    judge puts lower is held, whatever the margin (the LLM may have been talked round)."""
    llm = sum(c.points for c in criteria)
    # where the LLM gave nothing (or nothing verified) the embedded judge adds nothing either
    embedded = sum(
        c.points if op is None else c.max_points * LEVEL_VALUE[op.level] for c, op in zip(criteria, opinions)
    )
    unsupported = [c.id for c, op in zip(criteria, opinions) if op is not None and op.level == Level.missing]
    gap = llm - embedded
    over_margin = gap > MARGIN * rubric.max_score + 1e-9
    lower = flagged and any(
        op is not None and LEVEL_VALUE[op.level] < LEVEL_VALUE[c.awarded] for c, op in zip(criteria, opinions)
    )
    disagree = bool(unsupported) or over_margin or lower
    out: list[CriterionResult] = []
    held: list[str] = []
    for c, op in zip(criteria, opinions):
        details = dict(c.details)
        if op is not None:
            details["second_opinion_level"] = LEVEL_VALUE[op.level]
            details["second_opinion_key_terms"] = op.key_terms
            if op.p_partial is not None and op.p_full is not None:
                details["second_opinion_p_partial"] = op.p_partial
                details["second_opinion_p_full"] = op.p_full
        update: dict[str, object] = {"details": details}
        if disagree and op is not None and LEVEL_VALUE[op.level] < LEVEL_VALUE[c.awarded]:
            held.append(c.id)
            details["second_opinion_held"] = 1.0
            update.update(awarded=op.level, points=round(c.max_points * LEVEL_VALUE[op.level], 4))
        out.append(c.model_copy(update=update))
    opinion = SecondOpinion(
        llm_score=round(llm, 2),
        embedded_score=round(embedded, 2),
        margin=round(MARGIN * rubric.max_score, 2),
        unsupported=unsupported,
        held=held,
        model_decided=sum(1 for op in opinions if op is not None and not op.lexical),
    )
    if not disagree:
        return out, opinion, None
    reasons = []
    if unsupported:
        reasons.append(f"the embedded judge finds no support for {', '.join(unsupported)}")
    if lower and not unsupported and not over_margin:
        reasons.append("the answer addresses the grader and the embedded judge gives less")
    if over_margin:
        reasons.append(
            f"the LLM's score {llm:.2f} is {gap:.2f} above the embedded judge's {embedded:.2f} "
            f"(margin {MARGIN:.0%} of {rubric.max_score:g})"
        )
    detail = "; ".join(reasons) + f"; held at the embedded level until a human confirms: {', '.join(held)}"
    return out, opinion, Flag(code="judge_disagreement", detail=detail)


class Reviewer:
    """What the grader runs on an LLM's verdict: the quote checks and (``second_opinion``) the second opinion.

    Shares the process-wide :class:`~grader.support.SupportChecker` (one embedder, cached criterion
    vectors and quote vectors) unless given one."""

    def __init__(self, checker: SupportChecker | None = None, *, second_opinion: bool = True) -> None:
        self._checker = checker
        self.second_opinion = second_opinion

    @property
    def checker(self) -> SupportChecker:
        if self._checker is None:
            self._checker = shared_checker()
        return self._checker

    def quote_judge(self, rubric: Rubric, answer: str, flagged: Sequence[tuple[int, int]] = ()) -> QuoteJudge:
        """The support check for :func:`grader.scoring.score_verdict`: the reason a quote fails, or "".
        ``flagged``: the injection detector's spans. In a *clean* answer (none, and on topic) a paraphrase
        under the similarity floor is left to the second opinion (when it is on) instead of being rejected:
        an honest judge's credit is not lost to a low cosine on a sentence that is about the criterion."""
        checker = self.checker
        clean_state: list[bool] = []

        def clean() -> bool:
            if not clean_state:
                clean_state.append(self.second_opinion and not flagged and checker.on_topic(rubric, answer))
            return clean_state[0]

        def judge(index: int, quote: str, start: int, end: int) -> str:
            first = checker.check_in(rubric, index, answer, quote, start, end)
            if first.ok or GRADING_REASON in first.reason or not clean():
                return first.reason
            return checker.check_in(rubric, index, answer, quote, start, end, clean=True).reason

        return judge

    def would_embed(self, rubric: Rubric, verdict: Verdict, flagged: bool = False) -> bool:
        """Whether grading this verdict may run the embedding model (so the caller moves it off the event
        loop). Errs on the side of True; cheap (lexical checks and cache look-ups only)."""
        checker = self.checker
        if not checker.has_profile(rubric):
            return True
        index = {c.id: i for i, c in enumerate(rubric.criteria)}
        for cv in verdict.criteria:
            i = index.get(cv.criterion_id)
            if i is None or not cv.evidence:
                continue
            for quote in cv.evidence:
                # a paraphrase: its vector, or its sentence's (read on a failure), may be computed
                if checker.needs_embedding(rubric, i, quote):
                    return True
            if self.second_opinion and cv.level != Level.missing:
                share, restated = key_share(checker, rubric, i, cv.evidence)
                undecided = share < LEXICAL_AGREES or restated or flagged
                if undecided and any(checker.cached_vector(q) is None for q in cv.evidence):
                    return True
        return False

    def review(
        self, rubric: Rubric, answer: str, criteria: list[CriterionResult], flagged: Sequence[tuple[int, int]] = ()
    ) -> tuple[list[CriterionResult], SecondOpinion, Flag | None]:
        """The second opinion on scored criteria (blocking when the fitted model needs vectors).
        ``flagged``: the injection detector's spans; where there are any, the model sees the quotes alone
        (so that attack text cannot lengthen an answer into more credit)."""
        opinions = embedded_levels(self.checker, rubric, answer, criteria, quotes_only=bool(flagged), spans=flagged)
        return apply_second_opinion(rubric, criteria, opinions, flagged=bool(flagged) or cites_grading_talk(criteria))

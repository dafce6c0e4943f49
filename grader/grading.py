"""Grade one answer: rubric + answer → judge verdict → verified score → GradeResult.

:class:`Grader` holds what is resolved once (settings, bank, prompts, judge, store) and grades
answers with :meth:`Grader.agrade` (async) or :meth:`Grader.grade`. Empty and too-short answers are
graded 0 without calling any backend. A verdict that cannot be obtained after the re-asks gives an
*unscored* result with the reason and the last output; transport failures raise
:class:`~grader.errors.TransportError` for the caller (a batch records them per row).
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from grader.errors import InputError, Usage, VerdictError
from grader.examples import ExampleSet, GradedExample
from grader.examples._blend import blend_score
from grader.grading_parts import cache_key, detect_injection, echo_texts, injection_flag, make_backend, raw_cache_key
from grader.prices import cost_of, price_for
from grader.prompts import PromptSet, load_prompts
from grader.result import Flag, GradeResult
from grader.rubric import Rubric, RubricBank, load_bank
from grader.scoring import QuoteJudge, band_for, score_verdict
from grader.second_opinion import Reviewer
from grader.settings import Settings
from grader.text import normalise_answer, word_count  # word_count re-exported: the too-short check's word count
from grader.types import Judge
from grader.verdict import Verdict, VerdictProblem, parse_verdict

if TYPE_CHECKING:
    from grader.injection.detector import Finding

__all__ = ["Grader", "cache_key", "echo_texts", "make_backend", "word_count"]


class Grader:
    def __init__(
        self,
        settings: Settings | None = None,
        *,
        bank: RubricBank | None = None,
        prompts: PromptSet | None = None,
        backend: Judge | None = None,
        store: Any | None = None,
        examples: Sequence[GradedExample] | ExampleSet | None = None,
        **backend_kwargs: Any,
    ) -> None:
        self.settings = settings or Settings()
        self.bank = bank or load_bank(self.settings.rubrics)
        self.prompts = prompts or load_prompts()
        self.backend: Judge = backend or make_backend(self.settings, self.prompts, **backend_kwargs)
        self.store = store
        # an LLM's quotes are checked against their criterion, and its levels by the embedded judge
        self.reviewer: Reviewer | None = (
            Reviewer(second_opinion=self.settings.second_opinion) if self.backend.name == "llm" else None
        )
        #: graded examples the judge uses (grader.examples); with none, grading is exactly as without
        self.examples = examples if isinstance(examples, ExampleSet) else ExampleSet(examples or ())
        if self.examples:
            self.backend.set_examples(self.examples)
        self._inflight: dict[str, asyncio.Future[GradeResult]] = {}
        # rubric.hash dumps the rubric to JSON: computed once per rubric object, not three times per
        # answer (id() → the rubric, kept alive beside its hash; rubrics are frozen)
        self._hashes: dict[int, tuple[Rubric, str]] = {}
        self._settings_key: tuple[Settings, str] | None = None  # settings are frozen: hashed once

    @property
    def backend_name(self) -> str:
        return self.backend.name

    @property
    def prompt_version(self) -> str:
        """The judge's version (the prompts' for the LLM judge): recorded in results, part of the cache key."""
        return self.backend.version

    def rubric(self, question: str | Rubric) -> Rubric:
        return question if isinstance(question, Rubric) else self.bank.get(question)

    def version_for(self, rubric: Rubric) -> str:
        """The prompt version of this rubric's grades: the judge's, plus the graded examples' key if any."""
        examples = self.backend.examples_key(rubric)
        return f"{self.prompt_version}+ex.{examples}" if examples else self.prompt_version

    def key_for(self, rubric: Rubric, answer: str) -> str:
        """:func:`cache_key` (the same value), with the rubric's hash memoised; the prompt version
        includes the graded examples' key (:meth:`version_for`)."""
        return raw_cache_key(
            self._grading_key(), self.backend.model, self.version_for(rubric), self._rubric_hash(rubric), answer
        )

    def _grading_key(self) -> str:
        if self._settings_key is None or self._settings_key[0] is not self.settings:
            self._settings_key = (self.settings, self.settings.grading_key())
        return self._settings_key[1]

    def _rubric_hash(self, rubric: Rubric) -> str:
        entry = self._hashes.get(id(rubric))
        if entry is None or entry[0] is not rubric:
            if len(self._hashes) >= 4096:
                self._hashes.clear()
            entry = self._hashes[id(rubric)] = (rubric, rubric.hash)
        return entry[1]

    def _base(self, rubric: Rubric, answer: str) -> dict[str, Any]:
        return dict(
            question_id=rubric.id,
            rubric_hash=self._rubric_hash(rubric),
            prompt_version=self.version_for(rubric),
            backend=self.backend.name,
            model=self.backend.model,
            max_score=rubric.max_score,
            answer_sha256=hashlib.sha256(answer.encode()).hexdigest(),
            answer_words=word_count(answer),
            settings_key=self._grading_key(),
            examples_hash=self.backend.examples_key(rubric),
        )

    def _short_result(self, rubric: Rubric, answer: str) -> GradeResult | None:
        words = word_count(answer)
        if words == 0:
            code, detail = "empty", "the answer is empty; graded 0 without calling the judge"
        elif words < self.settings.min_words:
            code, detail = (
                "too_short",
                (
                    f"the answer has {words} word(s), fewer than the minimum of {self.settings.min_words}; "
                    "graded 0 without calling the judge"
                ),
            )
        else:
            return None
        return GradeResult(
            **self._base(rubric, answer),
            status="graded",
            score=0.0,
            percent=0.0,
            band="weak",
            flags=[Flag(code=code, detail=detail)],
            summary=detail,
        )

    async def agrade(self, question: str | Rubric, answer: str, *, use_cache: bool | None = None) -> GradeResult:
        rubric = self.rubric(question)
        answer = normalise_answer(answer)  # graded, hashed and cached as one text whatever the line endings
        if len(answer) > self.settings.max_answer_chars:
            raise InputError(
                f"the answer is {len(answer)} characters, over the limit of {self.settings.max_answer_chars}",
                hint="shorten it or raise max_answer_chars in the config",
            )
        short = self._short_result(rubric, answer)
        if short is not None:
            return short
        use_cache = self.settings.use_cache if use_cache is None else use_cache
        key = self.key_for(rubric, answer)
        if use_cache and self.store is not None:
            cached: GradeResult | None = self.store.get_result(key)
            if cached is not None:
                return cached.model_copy(update={"cached": True})
        pending = self._inflight.get(key)
        if pending is not None:  # the same answer is being graded right now: share that call
            return (await asyncio.shield(pending)).model_copy(update={"cached": True})
        future: asyncio.Future[GradeResult] = asyncio.get_running_loop().create_future()
        future.add_done_callback(lambda f: f.cancelled() or f.exception())
        self._inflight[key] = future
        try:
            result = await self._grade_uncached(rubric, answer)
            if self.store is not None and result.status == "graded":
                self.store.put_result(key, result)
        except BaseException as exc:
            if isinstance(exc, (asyncio.CancelledError, KeyboardInterrupt, SystemExit)):
                future.cancel()
            else:
                future.set_exception(exc)
            raise
        else:
            future.set_result(result)
            return result
        finally:
            del self._inflight[key]

    async def _grade_uncached(self, rubric: Rubric, answer: str) -> GradeResult:
        started = time.perf_counter()
        base = self._base(rubric, answer)
        try:
            outcome = await self.backend.judge(rubric, answer)
        except VerdictError as exc:
            findings = detect_injection(answer, rubric.languages, echo_texts(rubric))
            return self._unscored(base, exc, time.perf_counter() - started, findings)
        latency = time.perf_counter() - started
        # after the request: the detector does not hold it up
        findings = detect_injection(answer, rubric.languages, echo_texts(rubric))
        scored = functools.partial(
            self._scored,
            rubric,
            answer,
            base,
            outcome.verdict,
            outcome.usage,
            outcome.attempts,
            outcome.model,
            latency,
            findings,
            criterion_details=outcome.details.get("criteria"),
            examples=outcome.details.get("examples"),
        )
        if self.reviewer is not None and self.reviewer.would_embed(rubric, outcome.verdict, bool(findings)):
            return await asyncio.to_thread(scored)  # the embedding model runs: keep the event loop free
        return scored()

    def result_from_output(
        self,
        rubric: Rubric,
        answer: str,
        raw_text: str,
        usage: Usage | dict[str, Any] | None = None,
        attempts: int = 1,
        model: str | None = None,
        latency: float = 0.0,
        *,
        finish_reason: str | None = None,
        price_factor: float = 1.0,
    ) -> GradeResult:
        """Grade a completion obtained elsewhere (e.g. a Batch API output line) exactly like the
        live path: parse and validate the verdict, verify the evidence, score, flag. An invalid
        verdict (or ``finish_reason == "length"``) gives an *unscored* result with the reason and
        the raw text, as the live path does once its re-asks are spent. ``price_factor`` scales
        the cost (the Batch API costs half the list price)."""
        if isinstance(usage, dict):  # a response's "usage" object, read by the one usage parser
            from grader.judges.openai_api import parse_usage

            usage = parse_usage(usage)
        usage = usage or Usage()
        findings = detect_injection(answer, rubric.languages, echo_texts(rubric))
        base = self._base(rubric, answer)
        if finish_reason == "length":
            problem = (
                "the reply was cut off at the token limit (finish_reason=length); "
                "keep rationales to one sentence and quotes short"
            )
        else:
            try:
                verdict = parse_verdict(raw_text or "", rubric)
            except VerdictProblem as exc:
                problem = str(exc)
            else:
                return self._scored(
                    rubric, answer, base, verdict, usage, attempts, model, latency, findings, price_factor=price_factor
                )
        error = VerdictError(problem, attempts=attempts, last_output=raw_text or "", usage=usage)
        if model:
            base = {**base, "model": model}
        return self._unscored(base, error, latency, findings, price_factor=price_factor)

    def _scored(
        self,
        rubric: Rubric,
        answer: str,
        base: dict[str, Any],
        verdict: Verdict,
        usage: Usage,
        attempts: int,
        model: str | None,
        latency: float,
        findings: Sequence[Finding],
        *,
        price_factor: float = 1.0,
        criterion_details: dict[str, dict[str, float]] | None = None,
        examples: dict[str, Any] | None = None,
    ) -> GradeResult:
        judge_quote: QuoteJudge | None = None
        if self.reviewer is not None:
            judge_quote = self.reviewer.quote_judge(rubric, answer, [(f.start, f.end) for f in findings])
        scored = score_verdict(rubric, answer, verdict, findings, judge_quote=judge_quote)
        criteria = scored.criteria
        if criterion_details:  # the judge's per-criterion numbers (the embedded judge's signals), for --json
            criteria = [c.model_copy(update={"details": criterion_details.get(c.id, {})}) for c in criteria]
        flags = list(scored.flags)
        second = None
        if self.reviewer is not None and self.reviewer.second_opinion:
            spans = [(f.start, f.end) for f in findings]
            criteria, second, disagreement = self.reviewer.review(rubric, answer, criteria, spans)
            if disagreement is not None:
                flags.append(disagreement)
                scored.rescore(criteria, rubric.max_score)
        score, percent, band = scored.score, scored.percent, scored.band
        # the embedded judge's score model (grader.examples); never for an answer flagged as addressing the
        # grader: resemblance to well-graded answers must not lift attack text (it keeps its rubric score)
        if examples and examples.get("base") is not None and not (findings or verdict.injection_attempt):
            fraction = blend_score(scored.percent / 100, examples["base"], examples["rubric_weight"])
            score, percent = round(fraction * rubric.max_score, 2), round(fraction * 100, 1)
            band = band_for(percent)
        suspected = injection_flag(findings, judge_flagged=verdict.injection_attempt)
        if suspected is not None:
            flags.insert(0, suspected)
        strengths, gaps, summary = verdict.strengths, verdict.gaps, verdict.summary
        # a judge with feedback of its own computes it from the levels awarded, not the levels claimed
        feedback = self.backend.feedback(rubric, [c.awarded for c in criteria])
        if feedback is not None:
            strengths, gaps, summary = feedback
        return GradeResult(
            **{**base, "model": model or base["model"]},
            status="graded",
            score=score,
            percent=percent,
            band=band,
            criteria=criteria,
            examples_used=(examples or {}).get("used", []),
            strengths=strengths,
            gaps=gaps,
            summary=summary,
            flags=flags,
            verdict=verdict,
            usage=usage.as_dict(),
            cost_usd=self._cost(usage, price_factor),
            latency_s=round(latency, 3),
            attempts=attempts,
            second_opinion=second,
        )

    def _cost(self, usage: Usage, factor: float = 1.0) -> float | None:
        if not self.backend.costs_money:
            return 0.0
        cost = cost_of(usage, price_for(self.backend.model, self.settings.prices, self.settings.base_url))
        return None if cost is None else cost * factor

    def _unscored(
        self,
        base: dict[str, Any],
        exc: VerdictError,
        latency: float,
        findings: Sequence[Finding],
        *,
        price_factor: float = 1.0,
    ) -> GradeResult:
        flags = [Flag(code="unscored", detail=exc.reason)]
        suspected = injection_flag(findings)
        if suspected is not None:
            flags.append(suspected)
        return GradeResult(
            **base,
            status="unscored",
            score=None,
            percent=None,
            band=None,
            flags=flags,
            usage=exc.usage.as_dict(),
            cost_usd=self._cost(exc.usage, price_factor),
            latency_s=round(latency, 3),
            attempts=exc.attempts,
            unscored_reason=exc.reason,
            last_output=exc.last_output[:4000],
        )

    def grade(self, question: str | Rubric, answer: str, **kwargs: Any) -> GradeResult:
        return asyncio.run(self._grade_and_close(question, answer, **kwargs))

    async def _grade_and_close(self, question: str | Rubric, answer: str, **kwargs: Any) -> GradeResult:
        try:
            return await self.agrade(question, answer, **kwargs)
        finally:
            await self.aclose()

    async def aclose(self) -> None:
        await self.backend.aclose()

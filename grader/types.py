"""The declared judge interface: what the grader, the batch runner, confidence sampling, practice and
the web page may ask of a judge.

Every judge — the LLM judge (:class:`grader.judges.llm.LLMJudge`), the embedded offline judge
(:class:`grader.judges.local.judge.LocalJudge`) and the test double
(:class:`grader.testing.fake.FakeJudge`) — implements :class:`Judge` and returns one
:class:`JudgeOutcome`. Optional capabilities (a request gate, rate-limit feedback, reseeding,
determinism, closing, templated feedback) are members of the protocol with declared meanings, so
callers never probe a judge with ``getattr``/``hasattr``/``isinstance`` or by its name.
:class:`BaseJudge` gives the no-op defaults, so a judge writes only what it supports.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol

from grader.errors import Usage
from grader.rubric.model import Rubric
from grader.verdict import Gap, Level, Verdict

if TYPE_CHECKING:
    from grader.examples import ExampleSet

__all__ = ["Judge", "BaseJudge", "JudgeOutcome", "Feedback", "RequestGate", "RateLimitCallback"]


class Feedback(NamedTuple):
    """What the candidate reads besides the score: strengths, gaps with a next step each, and a summary."""

    strengths: list[str]
    gaps: list[Gap]
    summary: str


@dataclass
class JudgeOutcome:
    """One judge's answer for one (rubric, answer): the same type for every judge.

    ``details`` holds judge-specific diagnostics that the grading pipeline does not read: the embedded
    judge's per-criterion ``similarities``, its model ``score`` and ``features``; the LLM judge's
    ``format_mode`` (the ``response_format`` the server accepted).
    """

    verdict: Verdict
    usage: Usage  # tokens spent (zero for in-process judges)
    attempts: int  # calls made: HTTP requests across transport retries and re-asks, 1 for in-process judges
    model: str  # the model that answered (the server may name it more precisely than requested)
    raw: str = ""  # the raw reply text ("" for in-process judges)
    notes: list[str] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)


class RequestGate(Protocol):
    """A concurrency limit held around each HTTP request (a batch's :class:`~grader.batch.limit.AdaptiveLimit`)."""

    async def acquire(self) -> None:
        """Wait for a slot (may raise to refuse, e.g. once the batch has stopped)."""
        ...

    async def release(self, *, success: bool) -> None:
        """Give the slot back; ``success=False`` when the request was rate-limited (HTTP 429)."""
        ...


RateLimitCallback = Callable[[float | None], None]
"""Called with the server's Retry-After in seconds (or None) on every HTTP 429."""


class Judge(Protocol):
    """What every judge offers. Attributes are read-only for callers."""

    @property
    def name(self) -> str:
        """Which kind of judge: ``"llm"``, ``"local"`` (the embedded judge) or ``"fake"`` (tests).
        Recorded as ``GradeResult.backend``."""
        ...

    @property
    def model(self) -> str:
        """The model asked for (part of the cache key and of every result)."""
        ...

    @property
    def version(self) -> str:
        """What shapes the verdict besides the model: the prompts' version for the LLM judge,
        ``local-<calibration version>`` for the embedded one. Recorded as ``GradeResult.prompt_version``
        and part of the cache key, so changing it never serves a stale verdict."""
        ...

    @property
    def deterministic(self) -> bool:
        """True when the same answer always gets the same verdict (the embedded judge, the fake by
        default): confidence sampling then grades once instead of N times."""
        ...

    @property
    def gates_requests(self) -> bool:
        """True when the judge makes HTTP requests and holds the gate of :meth:`set_request_gate`
        around each one; a batch's concurrency limit then counts requests in flight. False: the
        batch holds the limit around whole answers instead."""
        ...

    @property
    def costs_money(self) -> bool:
        """True when its tokens are paid for (the LLM judge): results get a cost from the price list.
        False: every result costs 0."""
        ...

    async def judge(self, rubric: Rubric, answer: str) -> JudgeOutcome:
        """Grade ``answer`` against ``rubric``. Raises :class:`~grader.errors.VerdictError` when no valid
        verdict could be obtained (the grader records an *unscored* result) and
        :class:`~grader.errors.TransportError` when the server could not be used."""
        ...

    def feedback(self, rubric: Rubric, awarded: Sequence[Level]) -> Feedback | None:
        """Feedback computed from the levels *awarded after the evidence checks* (one per criterion,
        in rubric order), so it never praises what earned nothing; None keeps the verdict's own
        strengths, gaps and summary (the LLM's)."""
        ...

    def set_request_gate(self, gate: RequestGate | None) -> None:
        """Hold ``gate`` around each HTTP request from now on (None: no gate). Ignored by judges that
        make no requests (``gates_requests`` False)."""
        ...

    def set_rate_limit_callback(self, callback: RateLimitCallback | None) -> None:
        """Call ``callback`` on every HTTP 429 (a batch's adaptive limit halves). Ignored by judges that
        are never rate-limited."""
        ...

    def reseeded(self, seed: int) -> Judge:
        """A judge like this one that sends ``seed`` with its requests, sharing the HTTP client, the
        format mode, the request gate and the rate-limit callback (confidence sampling). A judge that
        cannot vary (deterministic) or sends no seed returns itself."""
        ...

    def set_examples(self, examples: ExampleSet | None) -> None:
        """Use these graded examples from now on (:mod:`grader.examples`; None or empty: none). The
        embedded judge blends its judgment with the nearest ones; the LLM judge shows some in its
        prompt. Ignored by judges that cannot use examples."""
        ...

    def examples_key(self, rubric: Rubric) -> str:
        """What the examples change for this rubric's grades (the hash of the examples used and how
        they are used), ``""`` when none are used: recorded in results and part of the cache key, so
        that a grade is never served from the cache after the examples changed."""
        ...

    async def aclose(self) -> None:
        """Release what the judge owns (an HTTP client it created); a no-op when it owns nothing."""
        ...


class BaseJudge:
    """No-op defaults for the optional capabilities of :class:`Judge`: no feedback of its own, the gate
    and the rate-limit callback ignored, reseeding returns the judge itself, nothing to close. A
    subclass sets ``name``, ``model``, ``version`` and ``deterministic``, writes :meth:`judge`, and
    overrides only what it supports."""

    name: str
    model: str
    version: str
    deterministic: bool
    gates_requests: bool = False
    costs_money: bool = False

    async def judge(self, rubric: Rubric, answer: str) -> JudgeOutcome:
        raise NotImplementedError

    def feedback(self, rubric: Rubric, awarded: Sequence[Level]) -> Feedback | None:
        return None

    def set_request_gate(self, gate: RequestGate | None) -> None:
        return None

    def set_rate_limit_callback(self, callback: RateLimitCallback | None) -> None:
        return None

    def reseeded(self, seed: int) -> Judge:
        return self

    def set_examples(self, examples: ExampleSet | None) -> None:
        return None

    def examples_key(self, rubric: Rubric) -> str:
        return ""

    async def aclose(self) -> None:
        return None

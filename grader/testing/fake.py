"""An in-process judge for tests: :class:`FakeJudge` implements :class:`grader.types.Judge` without a
model or a server, so tests of the grader, the batch runner, practice and the web page run fast and
see exactly the verdict they configured.

It is honest about what it is: ``name = "fake"`` (results say ``backend: "fake"``), never ``"llm"``
or ``"local"``. Its verdict quotes real sentences of the answer, so the grader's evidence checks and
scoring run exactly as they do for a real judge.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Callable, Sequence

from grader.errors import TransportError, Usage
from grader.rubric.model import Rubric
from grader.types import BaseJudge, JudgeOutcome
from grader.verdict import CriterionVerdict, Gap, Level, Verdict

__all__ = ["FakeJudge", "Levels", "sentences"]

Levels = Sequence[Level | str]
"""Per criterion, in rubric order, the level to claim; criteria past the end are ``missing``."""

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
_RATIONALE = {Level.full: "covered", Level.partial: "partly covered", Level.missing: "not covered"}


def sentences(answer: str) -> list[str]:
    """The answer's sentences of at least 12 characters, verbatim (stripped): what the fake quotes."""
    return [s.strip() for s in _SENTENCE_END.split(answer) if len(s.strip()) >= 12]


class FakeJudge(BaseJudge):
    """A configurable judge for tests.

    - ``levels``: the level claimed per criterion (a sequence in rubric order, or a callable
      ``(rubric, answer) -> levels`` called once per grading). Default: ``full`` for every criterion.
      Criterion *i* quotes the answer's *i*-th sentence (:func:`sentences`) as its evidence; a
      criterion without an *i*-th sentence is ``missing`` whatever was asked, so by default the
      answer's first sentences cover the first criteria.
    - The verdict's feedback: ``strengths`` and ``summary`` as given, and one gap per criterion
      below ``full`` (``"missing: <id>"`` with the next step ``"Add one sentence on <id>."``).
    - ``delay``: seconds to wait before answering; ``blocking=True`` waits with :func:`time.sleep`,
      simulating CPU work that does not yield to the event loop.
    - ``fail``: ``True`` raises a :class:`~grader.errors.TransportError` (HTTP 503, "the judge could
      not be reached"); an exception instance is raised as given.
    - ``usage``: the tokens each grading reports (default none). ``model``, ``version``,
      ``deterministic`` as the protocol describes.

    Records ``calls`` (gradings asked for), ``answers`` (their texts), ``seeds`` (every
    :meth:`reseeded` seed) and ``closed`` (:meth:`aclose` was called). :meth:`reseeded` returns the
    judge itself, so calls made through a reseeded judge are counted here too.
    """

    name = "fake"

    def __init__(
        self,
        levels: Levels | Callable[[Rubric, str], Levels] | None = None,
        *,
        model: str = "fake",
        version: str = "fake-1",
        deterministic: bool = True,
        delay: float = 0.0,
        blocking: bool = False,
        fail: bool | BaseException = False,
        usage: Usage | None = None,
        strengths: Sequence[str] = ("Opens with the key difference.",),
        summary: str = "A fake verdict for tests.",
    ) -> None:
        self.levels = levels
        self.model = model
        self.version = version
        self.deterministic = deterministic
        self.delay = delay
        self.blocking = blocking
        self.fail = fail
        self.usage = usage or Usage()
        self.strengths = list(strengths)
        self.summary = summary
        self.calls = 0
        self.answers: list[str] = []
        self.seeds: list[int] = []
        self.closed = False

    async def judge(self, rubric: Rubric, answer: str) -> JudgeOutcome:
        self.calls += 1
        self.answers.append(answer)
        wanted = self.levels(rubric, answer) if callable(self.levels) else self.levels
        if self.delay:
            if self.blocking:
                time.sleep(self.delay)
            else:
                await asyncio.sleep(self.delay)
        if isinstance(self.fail, BaseException):
            raise self.fail
        if self.fail:
            raise TransportError("the judge could not be reached", status=503)
        return JudgeOutcome(self.verdict(rubric, answer, wanted), self.usage, 1, self.model)

    def verdict(self, rubric: Rubric, answer: str, levels: Levels | None = None) -> Verdict:
        """The verdict for ``answer`` with ``levels`` claimed (None: every criterion ``full``)."""
        quotes = sentences(answer)
        criteria: list[CriterionVerdict] = []
        gaps: list[Gap] = []
        for i, c in enumerate(rubric.criteria):
            if i >= len(quotes):
                level = Level.missing
            elif levels is None:
                level = Level.full
            else:
                level = Level(levels[i]) if i < len(levels) else Level.missing
            criteria.append(
                CriterionVerdict(
                    criterion_id=c.id,
                    level=level,
                    rationale=_RATIONALE[level],
                    evidence=[quotes[i]] if level != Level.missing else [],
                )
            )
            if level != Level.full:
                gaps.append(Gap(gap=f"{level.value}: {c.id}", next_step=f"Add one sentence on {c.id}."))
        return Verdict(
            criteria=criteria, strengths=list(self.strengths), gaps=gaps, injection_attempt=False, summary=self.summary
        )

    def reseeded(self, seed: int) -> FakeJudge:
        """Itself (there is no server to send the seed to); the seed is recorded in :attr:`seeds`."""
        self.seeds.append(seed)
        return self

    async def aclose(self) -> None:
        self.closed = True

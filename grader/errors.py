"""Every error the grader raises on purpose.

The tree::

    GraderError                      root: catch this to catch everything below
    ├── ConfigError                  a setting is missing or invalid (.setting)
    ├── RubricError                  a rubric file/bank is invalid (.path, .field, .problem)
    │   ├── UnknownQuestionError     no rubric has that id (.question_id, .suggestions)
    │   │   └── AmbiguousQuestionError  the id is a prefix of several (.candidates)
    │   └── QuestionProblemError     the bank has the question but could not build its rubric
    │                                (.question_id, .problem): only that question's rows fail
    ├── InputError                   a user-supplied input is unusable (.source, .line)
    ├── JudgeError                   the LLM judge failed
    │   ├── TransportError           network / HTTP failure after transport retries
    │   │                            (.status, .attempts, .retryable)
    │   └── VerdictError             no valid verdict after the re-asks
    │                                (.attempts, .last_output, .usage, .reason)
    └── BudgetExceeded               --max-cost reached (.spent, .limit)

Library code raises these; only the CLI turns them into one line and an exit code (each class's
``exit_code``, a :class:`grader.exit_codes.ExitCode`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from grader.exit_codes import ExitCode

__all__ = [
    "GraderError",
    "ConfigError",
    "RubricError",
    "UnknownQuestionError",
    "QuestionProblemError",
    "AmbiguousQuestionError",
    "InputError",
    "JudgeError",
    "TransportError",
    "VerdictError",
    "BudgetExceeded",
    "Usage",
]


@dataclass
class Usage:
    """Tokens spent; summed across attempts."""

    prompt_tokens: int = 0
    completion_tokens: int = 0
    cached_tokens: int = 0

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens

    def add(self, other: Usage) -> Usage:
        return Usage(
            self.prompt_tokens + other.prompt_tokens,
            self.completion_tokens + other.completion_tokens,
            self.cached_tokens + other.cached_tokens,
        )

    def as_dict(self) -> dict[str, int]:
        return {
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
            "cached_tokens": self.cached_tokens,
            "total_tokens": self.total_tokens,
        }


class GraderError(Exception):
    """Root of the grader's errors. ``hint`` says what the user can do."""

    exit_code: ExitCode = ExitCode.INTERNAL_ERROR
    hint: str = ""

    def __init__(self, message: str, *, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        if hint:
            self.hint = hint

    def one_line(self) -> str:
        text = self.message.rstrip(".")
        return f"{text}. {self.hint}".strip() if self.hint else text


class ConfigError(GraderError):
    exit_code = ExitCode.BAD_INPUT

    def __init__(self, message: str, *, setting: str = "", hint: str = "") -> None:
        super().__init__(message, hint=hint)
        self.setting = setting


class RubricError(GraderError):
    exit_code = ExitCode.BAD_INPUT

    def __init__(self, path: str, field: str, problem: str, *, hint: str = "") -> None:
        where = f"{path}: {field}" if field else path
        super().__init__(f"{where}: {problem}", hint=hint or "fix the rubric file and retry")
        self.path = path
        self.field = field
        self.problem = problem


class UnknownQuestionError(RubricError):
    def __init__(self, question_id: str, suggestions: list[str] | None = None) -> None:
        self.question_id = question_id
        self.suggestions = list(suggestions or [])
        hint = (
            f"did you mean {', '.join(self.suggestions)}?"
            if self.suggestions
            else "run `grader rubrics list` to see the ids"
        )
        super().__init__("question", repr(question_id), "no rubric has this id", hint=hint)
        self.message = f"unknown question id {question_id!r}"


class QuestionProblemError(RubricError):
    """A question of a bank (a CSV question bank) whose rubric could not be built; the bank's other
    questions are fine. ``problem`` names the row and the reason, in one line."""

    def __init__(self, path: str, question_id: str, problem: str) -> None:
        super().__init__(path, "", problem, hint="fix this question in the bank (the bank's other questions work)")
        self.question_id = question_id


class AmbiguousQuestionError(UnknownQuestionError):
    """A question id that is the prefix of several ids: the user must say which."""

    def __init__(self, question_id: str, candidates: list[str]) -> None:
        super().__init__(question_id, candidates[:5])
        self.candidates = list(candidates)
        more = f" and {len(candidates) - 5} more" if len(candidates) > 5 else ""
        self.message = f"question id {question_id!r} is ambiguous: it could be {', '.join(candidates[:5])}{more}"
        self.hint = "give more of the id, or its number (vid-5 is vid-05-…)"


class InputError(GraderError):
    exit_code = ExitCode.BAD_INPUT

    def __init__(self, message: str, *, source: str = "", line: int | None = None, hint: str = "") -> None:
        where = source + (f":{line}" if line is not None else "")
        super().__init__(f"{where}: {message}" if where else message, hint=hint)
        self.source = source
        self.line = line


class JudgeError(GraderError):
    exit_code = ExitCode.JUDGE_FAILED


class TransportError(JudgeError):
    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        attempts: int = 1,
        retryable: bool = False,
        usage: Usage | None = None,
        hint: str = "",
    ) -> None:
        super().__init__(message, hint=hint)
        self.status = status
        self.attempts = attempts
        self.retryable = retryable
        self.usage = usage or Usage()


class VerdictError(JudgeError):
    def __init__(
        self, reason: str, *, attempts: int, last_output: str, usage: Usage, extra: dict[str, Any] | None = None
    ) -> None:
        super().__init__(f"no valid verdict after {attempts} attempt(s): {reason}")
        self.reason = reason
        self.attempts = attempts
        self.last_output = last_output
        self.usage = usage
        self.extra = extra or {}


class BudgetExceeded(GraderError):
    exit_code = ExitCode.BUDGET_REACHED

    def __init__(self, spent: float, limit: float) -> None:
        super().__init__(
            f"cost budget reached: spent ${spent:.4f} of ${limit:.4f}",
            hint="raise --max-cost or resume later with --resume",
        )
        self.spent = spent
        self.limit = limit

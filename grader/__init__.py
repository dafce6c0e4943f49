"""grader: grade written answers against rubrics, explain the grade, verify the evidence.

Python API::

    from grader import grade, load_rubric, load_bank, Grader, Settings

    result = grade("vid-01", "Temporal coherence is the core challenge ...")
    print(result.score, result.band, result.flag_codes)
"""

from __future__ import annotations

from typing import Any

from grader.errors import (
    BudgetExceeded,
    ConfigError,
    GraderError,
    InputError,
    JudgeError,
    QuestionProblemError,
    RubricError,
    TransportError,
    UnknownQuestionError,
    Usage,
    VerdictError,
)
from grader.grading import Grader
from grader.result import CriterionResult, Evidence, Flag, GradeResult
from grader.rubric import Criterion, Rubric, RubricBank, default_bank, load_bank, load_rubric
from grader.settings import Settings
from grader.verdict import Level, Verdict

__all__ = [
    "grade",
    "Grader",
    "Settings",
    "Rubric",
    "Criterion",
    "RubricBank",
    "load_rubric",
    "load_bank",
    "default_bank",
    "GradeResult",
    "CriterionResult",
    "Evidence",
    "Flag",
    "Verdict",
    "Level",
    "Usage",
    "GraderError",
    "ConfigError",
    "RubricError",
    "UnknownQuestionError",
    "QuestionProblemError",
    "InputError",
    "JudgeError",
    "TransportError",
    "VerdictError",
    "BudgetExceeded",
]

__version__ = "0.1.0"


def grade(question: str | Rubric, answer: str, settings: Settings | None = None, **overrides: Any) -> GradeResult:
    """Grade one answer to a question of the default bank (or ``settings.rubrics``).

    ``overrides`` are settings fields (``model=``, ``base_url=``, ``backend=`` …); with neither an
    API key nor a base URL configured, the embedded offline grader is used.
    """
    if settings is None:
        settings = Settings(**overrides)
    elif overrides:
        settings = settings.model_copy(update=overrides)
    return Grader(settings).grade(question, answer)

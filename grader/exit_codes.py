"""The process exit codes of the ``grader`` command, in one enum.

Library errors carry one of these as their ``exit_code`` (see :mod:`grader.errors`); the command
line returns it. The README's "Exit codes" table documents the same values.
"""

from __future__ import annotations

from enum import IntEnum

__all__ = ["ExitCode"]


class ExitCode(IntEnum):
    """What the exit status of ``grader`` means (an ``int``: ``sys.exit(ExitCode.BAD_INPUT)`` exits 2)."""

    OK = 0
    """Success (for ``grade``: the answer was graded)."""
    INTERNAL_ERROR = 1
    """An unexpected internal error: a bug (``GRADER_DEBUG=1`` shows the traceback)."""
    BAD_INPUT = 2
    """Bad input, configuration or rubric, or a usage error; the one-line message says what and where."""
    JUDGE_FAILED = 3
    """The LLM judge could not be reached or refused the request."""
    BUDGET_REACHED = 4
    """The cost budget (``--max-cost``) was reached; finished work is kept."""
    UNSCORED = 5
    """``grade``: the answer could not be scored."""
    ROWS_FAILED = 5
    """``batch``: at least one row is ``unscored`` or ``error`` (the same code as :attr:`UNSCORED`)."""
    INTERRUPTED = 130
    """Interrupted (Ctrl-C); finished work is kept."""

"""The ``grader`` command line: the typer app, its commands (registered explicitly), and ``main``.

Each command lives in its own module with a ``register(app)`` function; :data:`COMMAND_MODULES`
lists them in the order ``grader --help`` shows them. No command module imports this one.

``main`` turns every outcome into one exit code (:class:`grader.exit_codes.ExitCode`, documented in
the README's "Exit codes"): a :class:`grader.errors.GraderError` prints one line (``error: …`` and
the hint) and exits with the error's ``exit_code``; a usage error exits 2; Ctrl-C exits 130 and says
that finished work is kept; any other exception is a bug: one line, exit 1 (``GRADER_DEBUG=1``
raises it with the traceback).
"""

from __future__ import annotations

import os
import sys
from types import ModuleType

import click
import typer

from grader.cli import (
    batch,
    calibrate,
    examples,
    grade,
    practice,
    prompt,
    report,
    review,
    rubric_build,
    rubrics,
    serve,
)
from grader.cli.common import echo
from grader.errors import GraderError
from grader.exit_codes import ExitCode
from grader.text import redact

__all__ = ["app", "main", "COMMAND_MODULES"]

#: The command modules, in the order of ``grader --help`` (typer lists the groups ``rubrics`` and
#: ``rubric`` after the plain commands).
COMMAND_MODULES: tuple[ModuleType, ...] = (
    grade,  # grade
    rubrics,  # rubrics list, rubrics show
    prompt,  # prompt
    batch,  # batch
    calibrate,  # calibrate
    practice,  # practice, history
    report,  # report
    review,  # review
    rubric_build,  # rubric build
    serve,  # serve
    examples,  # examples import, list, export, remove
)

app = typer.Typer(
    name="grader",
    help="Grade written answers against rubrics, explain the grade, verify the evidence.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
for _module in COMMAND_MODULES:
    _module.register(app)


# -- entry point -------------------------------------------------------------------------------


try:  # recent typer vendors its own copy of click (its ClickException is not click's)
    from typer._click import ClickException as _VendoredClickException

    _USAGE_ERRORS: tuple[type[click.exceptions.ClickException] | type[_VendoredClickException], ...] = (
        click.exceptions.ClickException,
        _VendoredClickException,
    )
except ImportError:  # pragma: no cover - older typer uses click itself
    _USAGE_ERRORS = (click.exceptions.ClickException,)
_EXITS = (click.exceptions.Exit, typer.Exit)
_ABORTS = (click.exceptions.Abort, typer.Abort, KeyboardInterrupt)


def _redacted(text: str) -> str:
    """An error line without the API key of the environment, nor anything shaped like a key (the
    library redacts the configured key where it builds a transport error; this is the last guard)."""
    return redact(text, os.environ.get("OPENAI_API_KEY"), os.environ.get("GRADER_API_KEY"))


def main(argv: list[str] | None = None) -> None:
    """Run the command line (``argv`` defaults to ``sys.argv[1:]``) and exit with its :class:`ExitCode`."""
    try:
        rv = app(args=argv, standalone_mode=False)
    except _EXITS as e:
        sys.exit(getattr(e, "exit_code", ExitCode.OK))
    except _ABORTS:
        echo("interrupted; finished work is kept", err=True, highlight=True)
        sys.exit(ExitCode.INTERRUPTED)
    except _USAGE_ERRORS as e:
        e.show()
        sys.exit(ExitCode.BAD_INPUT)
    except GraderError as e:
        echo(f"error: {_redacted(e.one_line())}", err=True)
        sys.exit(e.exit_code)
    except Exception as e:  # a bug: one line, the traceback only on request
        if os.environ.get("GRADER_DEBUG"):
            raise
        problem = _redacted(f"{type(e).__name__}: {e}")
        echo(f"internal error: {problem} (a bug; rerun with GRADER_DEBUG=1 for the traceback)", err=True)
        sys.exit(ExitCode.INTERNAL_ERROR)
    if rv == ExitCode.INTERRUPTED:  # typer turns Ctrl-C inside a command into this exit code itself
        echo("interrupted; finished work is kept", err=True, highlight=True)
    sys.exit(rv if isinstance(rv, int) else ExitCode.OK)

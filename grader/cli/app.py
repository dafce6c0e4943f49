"""The ``grader`` command line: the typer app, its commands (registered explicitly), and ``main``.

Each command lives in its own module with a ``register(app)`` function; :data:`COMMANDS` lists them
(and the top-level names each registers) in the order ``grader --help`` shows them. No command module
imports this one.

The modules are imported when needed, not here: ``grader batch …`` imports only
:mod:`grader.cli.batch` (start-up to the first request, issue 13), while ``grader --help`` or an
unknown first argument builds the whole app (:func:`build_app`). The app of one command is the same
command under the same ``grader`` group, so its options, help and errors are unchanged.
:data:`app` and :data:`COMMAND_MODULES` are built on first access (module ``__getattr__``).

``main`` turns every outcome into one exit code (:class:`grader.exit_codes.ExitCode`, documented in
the README's "Exit codes"): a :class:`grader.errors.GraderError` prints one line (``error: …`` and
the hint) and exits with the error's ``exit_code``; a usage error exits 2; Ctrl-C exits 130 and says
that finished work is kept; any other exception is a bug: one line, exit 1 (``GRADER_DEBUG=1``
raises it with the traceback).
"""

from __future__ import annotations

import os
import sys
from functools import cache
from importlib import import_module
from typing import Any

import click
import typer

from grader.cli.common import echo
from grader.errors import GraderError
from grader.exit_codes import ExitCode
from grader.text import redact

__all__ = ["main", "build_app", "app_for", "COMMANDS"]  # and, built on first access, app and COMMAND_MODULES

#: The command modules of :mod:`grader.cli` and the top-level names each registers, in the order of
#: ``grader --help`` (typer lists the groups ``rubrics`` and ``rubric`` after the plain commands).
COMMANDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("grade", ("grade",)),
    ("rubrics", ("rubrics",)),  # rubrics list, rubrics show
    ("prompt", ("prompt",)),
    ("batch", ("batch",)),
    ("calibrate", ("calibrate",)),
    ("practice", ("practice", "history")),
    ("report", ("report",)),
    ("review", ("review",)),
    ("rubric_build", ("rubric",)),  # rubric build
    ("serve", ("serve",)),
    ("examples", ("examples",)),  # examples import, list, export, remove
)
_MODULE_OF: dict[str, str] = {name: module for module, names in COMMANDS for name in names}


def _group() -> None:
    """Grade written answers against rubrics, explain the grade, verify the evidence."""


@cache
def build_app(only: str | None = None) -> typer.Typer:
    """The ``grader`` typer app with every command, or with only those of the command module ``only``
    (importing no other command module). With one command typer would make that command the app
    itself, so the app always has a callback that keeps it a group."""
    new = typer.Typer(
        name="grader",
        help="Grade written answers against rubrics, explain the grade, verify the evidence.",
        no_args_is_help=True,
        add_completion=False,
        pretty_exceptions_enable=False,
        rich_markup_mode=None,
    )
    new.callback()(_group)
    for module, _ in COMMANDS:
        if only is None or module == only:
            import_module(f"grader.cli.{module}").register(new)
    return new


def __getattr__(name: str) -> Any:
    """``app`` (the whole app) and ``COMMAND_MODULES`` (the imported command modules), built when first used."""
    if name == "app":
        return build_app()
    if name == "COMMAND_MODULES":
        return tuple(import_module(f"grader.cli.{module}") for module, _ in COMMANDS)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def app_for(argv: list[str]) -> typer.Typer:
    """The app that runs ``argv``: only its command's module when the first argument names a command,
    the whole app otherwise (``--help``, no argument, a mistyped command)."""
    module = _MODULE_OF.get(argv[0]) if argv else None
    return build_app(module)


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
    args = sys.argv[1:] if argv is None else list(argv)
    try:
        rv = app_for(args)(args=args, standalone_mode=False)
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

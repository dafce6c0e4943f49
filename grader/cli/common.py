"""Shared pieces of the command line: the consoles, message output, common options, settings, input.

Command modules import from here, never from each other or from :mod:`grader.cli.app`, so each of
them can be imported on its own.

Output has two kinds, printed two ways:

- **messages** (a note, a warning, an error with its hint, a path): :func:`echo` (or
  :func:`print_line` on a given console). They are printed with rich's ``soft_wrap``: rich never
  inserts a line break, the terminal wraps a long line, and a pipe or a test sees the line whole.
- **views** (tables, panels, progress bars): ``console.print(view)``; they wrap to the width.

The consoles are read from this module when used (``common.console``), never bound at import, so a
test can replace them with consoles of a fixed width (see ``tests/conftest.py``; use
:class:`SafeConsole`).

Everything printed goes through :class:`SafeConsole`: the text of every message and view (ids,
answers, rubric text, error lines) is passed through :func:`grader.text.printable`, so an escape
sequence or another control character in it is shown, never run by the terminal; rich's own
styling and cursor control are unaffected.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.segment import Segment

from grader.errors import ConfigError, InputError
from grader.settings import Settings
from grader.text import printable

if TYPE_CHECKING:
    from grader.examples import GradedExample
    from grader.rubric import RubricBank
    from grader.store import Store

__all__ = [
    "SafeConsole",
    "console",
    "err_console",
    "echo",
    "print_line",
    "ModelOpt",
    "BaseUrlOpt",
    "BackendOpt",
    "RubricsOpt",
    "NoCacheOpt",
    "NoSecondOpinionOpt",
    "ExamplesOpt",
    "ExamplesPickOpt",
    "resolve_settings",
    "grading_settings",
    "bank_for",
    "warn_bank",
    "read_answer",
    "open_store",
    "load_examples",
]


class SafeConsole(Console):
    """A rich console that never writes a control character of the *content* to the terminal: C0/C1
    controls (ESC, so any escape sequence, CR, BEL …) in the text of a message or a view are shown
    escaped (``\\x1b``). Rich's own styles and control segments (cursor moves of a live progress
    bar) are written as usual."""

    def _render_buffer(self, buffer: Iterable[Segment]) -> str:
        return super()._render_buffer(
            segment if segment.control else Segment(printable(segment.text), segment.style) for segment in buffer
        )


#: Results and views (stdout).
console: Console = SafeConsole()
#: Progress, notes, warnings and errors (stderr), so that stdout stays clean for ``--json`` and pipes.
err_console: Console = SafeConsole(stderr=True)


# -- messages ------------------------------------------------------------------------------------


def print_line(
    target: Console,
    text: str,
    *,
    style: str | None = None,
    markup: bool = False,
    highlight: bool = False,
    end: str = "\n",
) -> None:
    """Print a message on ``target`` as one line (soft wrap: the terminal wraps it, rich does not).

    ``markup`` is off by default because messages quote paths, ids and user text verbatim.
    """
    target.print(text, style=style, markup=markup, highlight=highlight, soft_wrap=True, end=end)


def echo(
    text: str,
    *,
    err: bool = False,
    style: str | None = None,
    markup: bool = False,
    highlight: bool = False,
    end: str = "\n",
) -> None:
    """Print a message on stdout (``err=True``: stderr) as one line; see :func:`print_line`."""
    print_line(err_console if err else console, text, style=style, markup=markup, highlight=highlight, end=end)


# -- shared options ----------------------------------------------------------------------------

ModelOpt = Annotated[str | None, typer.Option("--model", help="LLM model name (env GRADER_MODEL).")]
BaseUrlOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--base-url",
        help="OpenAI-compatible server URL (env OPENAI_BASE_URL); more than once: replicas of one model.",
    ),
]
BackendOpt = Annotated[
    str | None,
    typer.Option("--backend", help="llm, local (embedded, no LLM) or auto (llm if a key/URL is configured)."),
]
RubricsOpt = Annotated[
    Path | None, typer.Option("--rubrics", help="Question bank: a rubric directory, YAML file or CSV.")
]
NoCacheOpt = Annotated[bool, typer.Option("--no-cache", help="Grade again even if a cached result exists.")]
NoSecondOpinionOpt = Annotated[
    bool,
    typer.Option(
        "--no-second-opinion",
        help="Do not have the embedded judge check the LLM's levels (on by default; see README).",
    ),
]
ExamplesOpt = Annotated[
    int | None,
    typer.Option(
        "--examples",
        min=0,
        max=20,
        help="Graded examples per question in the LLM judge's prompt (env GRADER_EXAMPLES; default 3; 0: none).",
    ),
]
ExamplesPickOpt = Annotated[
    str | None,
    typer.Option(
        "--examples-pick",
        help="Which graded examples the LLM prompt shows: 'spread' (the same for every answer to a question, "
        "spread over the human grades; the prompt prefix stays cacheable; default) or 'nearest' (the ones "
        "nearest each answer). Env GRADER_EXAMPLES_PICK.",
    ),
]


# -- settings, bank, input, store ------------------------------------------------------------------


def resolve_settings(**flags: Any) -> Settings:
    """CLI flag > environment > config file > default, resolved once (``Settings`` validates the flags)."""
    given = {k: v for k, v in flags.items() if v is not None}
    try:
        return Settings(**given)
    except ValidationError as e:
        first = e.errors()[0]
        field = ".".join(str(p) for p in first["loc"]) or "settings"
        raise ConfigError(
            f"invalid setting {field}: {first['msg']}",
            setting=field,
            hint="check the flag, the GRADER_* environment variables and the config file",
        ) from None


def grading_settings(
    *,
    model: str | None,
    base_url: str | list[str] | None,
    backend: str | None,
    rubrics: Path | None,
    no_cache: bool,
    no_second_opinion: bool = False,
    **more: Any,
) -> Settings:
    """Settings from the grading options every command shares (``--model`` … ``--no-cache``);
    ``--base-url`` given more than once is a list of replicas (:attr:`Settings.endpoints`)."""
    if isinstance(base_url, list):
        base_url = base_url if len(base_url) > 1 else (base_url[0] if base_url else None)
    if no_second_opinion:
        more["second_opinion"] = False
    return resolve_settings(
        model=model, base_url=base_url, backend=backend, rubrics=rubrics, use_cache=False if no_cache else None, **more
    )


def bank_for(settings: Settings) -> RubricBank:
    """The question bank the settings name (``--rubrics``, ``GRADER_RUBRICS`` or the shipped one), with
    its problems and warnings printed (:func:`warn_bank`)."""
    from grader.rubric import load_bank

    bank = load_bank(settings.rubrics)
    warn_bank(bank)
    return bank


def warn_bank(bank: RubricBank, rows: dict[str, int] | None = None) -> None:
    """One stderr line per question of ``bank`` that has no rubric (its rows fail) and per thin rubric
    (a one-word reference answer …). With ``rows`` (question id as in the data → rows), only the
    questions that have rows, with their count ("left out" rather than failing: ``calibrate``)."""
    if rows is None:
        for problem in bank.problems.values():
            echo(f"warning: {bank.source}: {problem}; its rows are not graded", err=True, style="yellow")
        for notes in bank.warnings.values():
            for note in notes:
                echo(f"note: {bank.source}: {note}", err=True, style="dim")
        return
    for qid, n in rows.items():
        why = bank.problem(qid)
        if why is not None:
            echo(f"warning: {bank.source}: {why}; its {n} row(s) are left out", err=True, style="yellow")
            continue
        from grader.rubric.build import slug_id

        for note in bank.warnings.get(qid) or bank.warnings.get(slug_id(qid)) or []:
            echo(f"note: {bank.source}: {note}", err=True, style="dim")


def read_answer(answer: str | None, answer_file: Path | None) -> str:
    """The answer from ``--answer``, ``--answer-file`` (``-``: stdin) or piped stdin."""
    if answer is not None and answer_file is not None:
        raise InputError("give either --answer or --answer-file, not both")
    if answer is not None:
        return answer
    if answer_file is not None:
        if str(answer_file) == "-":
            return sys.stdin.read()
        try:
            return answer_file.read_text(encoding="utf-8-sig")
        except FileNotFoundError:
            raise InputError("file not found", source=str(answer_file)) from None
        except UnicodeDecodeError as e:
            raise InputError(
                f"not UTF-8 text (byte {e.start})", source=str(answer_file), hint="save the answer as UTF-8"
            ) from None
    if sys.stdin is None or sys.stdin.isatty():
        raise InputError("no answer given", hint="use --answer TEXT, --answer-file FILE, or pipe the answer on stdin")
    return sys.stdin.read()


def open_store(settings: Settings) -> Store | None:
    """The result cache, or None with ``--no-cache``."""
    if not settings.use_cache:
        return None
    from grader.store import Store

    return Store(settings.store_path)


def load_examples(settings: Settings, bank: RubricBank) -> list[GradedExample]:
    """The graded examples grading on ``bank`` uses (stored ones, even with ``--no-cache``, and the
    bank's ``examples.jsonl``), with one stderr note saying how many."""
    from grader.examples._io import examples_for_bank
    from grader.store import Store

    store = Store(settings.store_path) if settings.store_path.is_file() else None
    examples = examples_for_bank(store, bank)
    if examples:
        questions = len({e.question_id for e in examples})
        echo(f"using {len(examples)} graded example(s) of {questions} question(s)", err=True, style="dim")
    return examples

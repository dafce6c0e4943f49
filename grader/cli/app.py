"""The ``grader`` command line. Only this module (and the console/report renderers) print and exit.

Exit codes:
  0  success (for ``grade``: the answer was graded)
  1  unexpected internal error (a bug: please report it)
  2  bad input, configuration or rubric (the message says what and where)
  3  the LLM judge could not be reached or refused the request
  4  the cost budget (--max-cost) was reached
  5  ``grade``: the answer could not be scored (unscored result); ``batch``: some rows failed
130 interrupted (Ctrl-C); finished work is kept
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Annotated, Optional

import click
import typer

from grader.cli.common import (
    BackendOpt,
    BaseUrlOpt,
    ModelOpt,
    NoCacheOpt,
    RubricsOpt,
    bank_for,
    console,
    err_console,
    open_store,
    read_answer,
    grading_settings,
    resolve_settings,
)
from grader.errors import GraderError, InputError

__all__ = ["app", "main"]

app = typer.Typer(
    name="grader",
    help="Grade written answers against rubrics, explain the grade, verify the evidence.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
rubrics_app = typer.Typer(help="List and show the rubrics of a question bank.", no_args_is_help=True)
app.add_typer(rubrics_app, name="rubrics")

EXIT_UNSCORED = 5


# -- commands ----------------------------------------------------------------------------------


@app.command()
def grade(
    question: Annotated[str, typer.Option("--question", "-q", help="Question id (or a unique prefix, e.g. vid-01).")],
    answer: Annotated[Optional[str], typer.Option("--answer", "-a", help="The answer text.")] = None,
    answer_file: Annotated[
        Optional[Path], typer.Option("--answer-file", "-f", help="Read the answer from a file ('-' for stdin).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the full result as JSON.")] = False,
    model: ModelOpt = None,
    base_url: BaseUrlOpt = None,
    backend: BackendOpt = None,
    rubrics: RubricsOpt = None,
    no_cache: NoCacheOpt = False,
    samples: Annotated[int, typer.Option("--samples", min=1, max=20,
                                         help="Grade N times with varied seeds; flag the answer if they disagree.")] = 1,
    pass_mark: Annotated[float, typer.Option("--pass-mark", min=0, max=100,
                                             help="Pass mark in percent: with --samples, gradings on both sides "
                                                  "of it flag the answer low_confidence.")] = 60.0,
) -> None:
    """Grade one answer and explain the grade."""
    settings = grading_settings(model=model, base_url=base_url, backend=backend, rubrics=rubrics, no_cache=no_cache)
    text = read_answer(answer, answer_file)
    from grader.grading import Grader

    grader = Grader(settings, bank=bank_for(settings), store=open_store(settings))
    rubric = grader.rubric(question)
    if samples == 1:
        result = grader.grade(rubric, text)
    else:
        from grader.confidence import grade_samples_sync

        result = grade_samples_sync(grader, rubric, text, samples, pass_mark=pass_mark)
    if as_json:
        sys.stdout.write(result.model_dump_json(indent=2) + "\n")
    else:
        from grader.cli.render import render_result

        render_result(console, result, rubric)
        if samples > 1 and result.samples:
            mean = sum(result.samples) / len(result.samples)
            note = " (the embedded grader is deterministic: one grading)" if result.backend == "local" else ""
            console.print(f"samples: {', '.join(f'{s:g}' for s in result.samples)} · mean {mean:.2f} · "
                          f"spread {result.score_spread or 0:g}{note}", markup=False, highlight=False)
        if result.backend == "local":
            err_console.print(
                "graded by the embedded grader (no LLM). To use an LLM: set OPENAI_API_KEY "
                "(and OPENAI_BASE_URL for another server) or pass --backend llm --base-url URL.",
                style="dim",
            )
    if result.status == "unscored":
        raise typer.Exit(EXIT_UNSCORED)


@rubrics_app.command("list")
def rubrics_list(
    section: Annotated[Optional[str], typer.Option("--section", "-s", help="Only this section (prefix ok).")] = None,
    rubrics: RubricsOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON lines.")] = False,
) -> None:
    """List the questions of the bank."""
    settings = resolve_settings(rubrics=rubrics)
    bank = bank_for(settings)
    chosen = bank.filter(section)
    if section and not chosen:
        raise InputError(f"no section matches {section!r}", hint=f"sections: {', '.join(bank.sections())}")
    if as_json:
        for r in chosen:
            sys.stdout.write(json.dumps({"id": r.id, "section": r.section, "question": r.question}) + "\n")
        return
    from grader.cli.render import rubric_table

    console.print(rubric_table(chosen))
    console.print(f"{len(chosen)} question(s)", style="dim")


@rubrics_app.command("show")
def rubrics_show(
    question: Annotated[str, typer.Argument(help="Question id (or a unique prefix).")],
    rubrics: RubricsOpt = None,
    as_yaml: Annotated[bool, typer.Option("--yaml", help="Print the rubric as YAML.")] = False,
) -> None:
    """Show one rubric: question, hint, weighted criteria."""
    settings = resolve_settings(rubrics=rubrics)
    rubric = bank_for(settings).get(question)
    if as_yaml:
        import yaml

        sys.stdout.write(yaml.safe_dump(rubric.model_dump(mode="json"), sort_keys=False, allow_unicode=True))
        return
    from grader.cli.render import render_rubric

    render_rubric(console, rubric)


@app.command()
def prompt(
    question: Annotated[str, typer.Argument(help="Question id (or a unique prefix).")],
    answer: Annotated[Optional[str], typer.Option("--answer", "-a", help="The answer text.")] = None,
    answer_file: Annotated[Optional[Path], typer.Option("--answer-file", "-f", help="Answer file ('-' = stdin).")] = None,
    rubrics: RubricsOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the request body as JSON.")] = False,
) -> None:
    """Print the exact messages that would be sent to the LLM judge, without calling anything."""
    settings = resolve_settings(rubrics=rubrics)
    rubric = bank_for(settings).get(question)
    text = read_answer(answer, answer_file)
    from grader.prompts import load_prompts

    prompts = load_prompts()
    messages = prompts.messages(rubric, text)
    if as_json:
        from grader.judges.llm import request_body  # the exact body the judge would send

        body = request_body(settings, prompts, rubric, text)
        sys.stdout.write(json.dumps(body, indent=2, ensure_ascii=False) + "\n")
        return
    sys.stdout.write(f"# prompt version {prompts.version} · rubric {rubric.id} ({rubric.hash})\n")
    for m in messages:
        sys.stdout.write(f"\n===== {m['role']} =====\n{m['content']}\n")


# -- commands that live in their own modules (each has ``register(app)``) ----------------------

_COMMAND_MODULES: tuple[str, ...] = (
    "batch", "calibrate", "practice", "report", "rubric_build", "serve",
)


def _register_commands() -> None:
    import importlib

    for name in _COMMAND_MODULES:
        importlib.import_module(f".{name}", __package__).register(app)


_register_commands()


# -- entry point -------------------------------------------------------------------------------


_USAGE_ERRORS: tuple[type[BaseException], ...] = (click.exceptions.ClickException,)
try:  # recent typer vendors its own copy of click
    from typer._click import ClickException as _VendoredClickException

    _USAGE_ERRORS += (_VendoredClickException,)
except ImportError:  # pragma: no cover - older typer uses click itself
    pass
_EXITS = (click.exceptions.Exit, typer.Exit)
_ABORTS = (click.exceptions.Abort, typer.Abort, KeyboardInterrupt)


def main(argv: list[str] | None = None) -> None:
    try:
        rv = app(args=argv, standalone_mode=False)
    except _EXITS as e:
        sys.exit(getattr(e, "exit_code", 0))
    except _ABORTS:
        err_console.print("interrupted; finished work is kept")
        sys.exit(130)
    except _USAGE_ERRORS as e:
        e.show()
        sys.exit(2)
    except GraderError as e:
        err_console.print(f"error: {e.one_line()}", markup=False, highlight=False, soft_wrap=True)
        sys.exit(e.exit_code)
    except Exception as e:  # a bug: one line, the traceback only on request
        if os.environ.get("GRADER_DEBUG"):
            raise
        err_console.print(
            f"internal error: {type(e).__name__}: {e} (a bug; rerun with GRADER_DEBUG=1 for the traceback)",
            markup=False, highlight=False, soft_wrap=True,
        )
        sys.exit(1)
    if rv == 130:  # typer turns Ctrl-C inside a command into this exit code itself
        err_console.print("interrupted; finished work is kept")
    sys.exit(rv if isinstance(rv, int) else 0)


if __name__ == "__main__":  # pragma: no cover
    main()

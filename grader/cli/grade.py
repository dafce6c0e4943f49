"""``grader grade``: grade one answer and explain the grade (or print the result as JSON)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from grader.cli import common
from grader.cli.common import (
    BackendOpt,
    BaseUrlOpt,
    ExamplesOpt,
    ExamplesPickOpt,
    ModelOpt,
    NoCacheOpt,
    NoSecondOpinionOpt,
    RubricsOpt,
    bank_for,
    echo,
    grading_settings,
    load_examples,
    open_store,
    read_answer,
)
from grader.exit_codes import ExitCode
from grader.result import EMBEDDED_LIMITS

__all__ = ["register", "grade"]


def grade(
    question: Annotated[str, typer.Option("--question", "-q", help="Question id (or a unique prefix, e.g. vid-01).")],
    answer: Annotated[str | None, typer.Option("--answer", "-a", help="The answer text.")] = None,
    answer_file: Annotated[
        Path | None, typer.Option("--answer-file", "-f", help="Read the answer from a file ('-' for stdin).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the full result as JSON.")] = False,
    model: ModelOpt = None,
    base_url: BaseUrlOpt = None,
    backend: BackendOpt = None,
    rubrics: RubricsOpt = None,
    no_cache: NoCacheOpt = False,
    no_second_opinion: NoSecondOpinionOpt = False,
    examples: ExamplesOpt = None,
    examples_pick: ExamplesPickOpt = None,
    samples: Annotated[
        int,
        typer.Option(
            "--samples", min=1, max=20, help="Grade N times with varied seeds; flag the answer if they disagree."
        ),
    ] = 1,
    pass_mark: Annotated[
        float,
        typer.Option(
            "--pass-mark",
            min=0,
            max=100,
            help="Pass mark in percent: with --samples, gradings on both sides of it flag the answer low_confidence.",
        ),
    ] = 60.0,
) -> None:
    """Grade one answer and explain the grade."""
    settings = grading_settings(
        model=model,
        base_url=base_url,
        backend=backend,
        rubrics=rubrics,
        no_cache=no_cache,
        no_second_opinion=no_second_opinion,
        examples=examples,
        examples_pick=examples_pick,
    )
    text = read_answer(answer, answer_file)
    from grader.grading import Grader

    bank = bank_for(settings)
    grader = Grader(settings, bank=bank, store=open_store(settings), examples=load_examples(settings, bank))
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

        render_result(common.console, result, rubric)
        if samples > 1 and result.samples:
            mean = sum(result.samples) / len(result.samples)
            note = " (the embedded grader is deterministic: one grading)" if result.backend == "local" else ""
            echo(
                f"samples: {', '.join(f'{s:g}' for s in result.samples)} · mean {mean:.2f} · "
                f"spread {result.score_spread or 0:g}{note}"
            )
        if result.backend == "local":
            echo(
                EMBEDDED_LIMITS,
                err=True,
                style="dim",
                highlight=True,
            )
    if result.status == "unscored":
        raise typer.Exit(ExitCode.UNSCORED)


def register(app: typer.Typer) -> None:
    """Add ``grade`` to the ``grader`` app."""
    app.command("grade")(grade)

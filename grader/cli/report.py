"""``grader report``: a batch results file → a self-contained HTML (or Markdown) pre-screening report;
``grader report --compare old.csv new.csv``: what changed between two runs, and how far they agree.

The work is in :mod:`grader.report`; this module reads the options and the optional answers file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from grader.cli.common import RubricsOpt, bank_for, echo, resolve_settings
from grader.errors import InputError

__all__ = ["register", "report"]

_DEFAULT_TITLE = "Pre-screening report"


def report(
    results: Annotated[Path | None, typer.Argument(help="Results of `grader batch` (CSV or JSONL).")] = None,
    *,
    output: Annotated[Path, typer.Option("--output", "-o", help="Write the report here: .html or .md.")],
    pass_mark: Annotated[
        float, typer.Option("--pass-mark", min=0, max=100, help="Pass mark, in percent of the maximum total.")
    ] = 60.0,
    anonymise: Annotated[
        bool,
        typer.Option(
            "--anonymise", "--anonymize", help="Show stable aliases (Candidate 7F3A9C) instead of candidate ids."
        ),
    ] = False,
    answers: Annotated[
        Path | None,
        typer.Option(
            "--answers",
            help="The batch input file (CSV/JSONL with the answers): shows each answer in full in its card "
            "and finds near-duplicates by fuzzy matching; without it only identical answers are found.",
        ),
    ] = None,
    dup_threshold: Annotated[
        float, typer.Option("--dup-threshold", min=1, max=100, help="Near-duplicate similarity threshold (0-100).")
    ] = 90.0,
    id_col: Annotated[str, typer.Option("--id-col", help="Candidate id column of --answers.")] = "candidate_id",
    question_col: Annotated[
        str, typer.Option("--question-col", help="Question id column of --answers.")
    ] = "question_id",
    answer_col: Annotated[str, typer.Option("--answer-col", help="Answer column of --answers.")] = "answer",
    title: Annotated[str, typer.Option("--title", help="Title of the report.")] = _DEFAULT_TITLE,
    rubrics: RubricsOpt = None,
    compare: Annotated[
        tuple[Path, Path] | None,
        typer.Option(
            "--compare",
            metavar="OLD NEW",
            help="Compare two results files of the same answers: changed rows and agreement, per question.",
        ),
    ] = None,
) -> None:
    """Rank a cohort, list what needs a human, chart each question, and explain every grade; or, with
    --compare OLD NEW, show which grades changed between two runs and how far the runs agree."""
    from grader.report import build_report, load_results, write_report

    if output.suffix.lower() not in (".html", ".htm", ".md", ".markdown"):
        raise InputError(
            f"unknown report format {output.suffix or '(none)'!r}",
            source=str(output),
            hint="name the output report.html or report.md",
        )
    if compare is not None:
        if results is not None:
            raise InputError(
                "give either a results file or --compare OLD NEW, not both",
                hint="grader report --compare old.csv new.csv -o compare.html",
            )
        if answers is not None:
            raise InputError(
                "--answers works with one results file, not with --compare",
                hint="grader report --compare old.csv new.csv -o compare.html",
            )
        _compare(compare[0], compare[1], output, anonymise=anonymise, title=title)
        return
    if results is None:
        raise InputError(
            "missing the results file",
            hint="grader report results.csv -o report.html (or --compare old.csv new.csv -o compare.html)",
        )
    settings = resolve_settings(rubrics=rubrics)
    try:
        bank = bank_for(settings)
    except Exception:
        if rubrics is not None:
            raise
        bank = None
    entries = load_results(results)
    texts = None
    if answers is not None:
        from grader.batch.io import Columns, read_rows

        texts = {}
        for row in read_rows(answers, Columns(id=id_col, question=question_col, answer=answer_col)):
            if not row.error:
                texts[(row.candidate_id, row.question_id)] = row.answer
    built = build_report(
        entries,
        pass_mark=pass_mark,
        anonymise=anonymise,
        bank=bank,
        answers=texts,
        dup_threshold=dup_threshold,
        title=title,
        source=results.name,
    )
    try:
        path = write_report(built, output)
    except OSError as e:
        raise InputError(f"cannot write the report: {e.strerror}", source=str(output)) from None
    passed = sum(1 for c in built.candidates if c.verdict == "pass")
    echo(
        f"report: {path} · {len(built.candidates)} candidates, {passed} clear {pass_mark:g} % · "
        f"{len(built.needs_human)} item(s) need a human",
        err=True,
    )


def _compare(old: Path, new: Path, output: Path, *, anonymise: bool, title: str) -> None:
    from grader.report import compare_runs, load_results, write_report

    cmp = compare_runs(
        load_results(old),
        load_results(new),
        old_source=old.name,
        new_source=new.name,
        anonymise=anonymise,
        title="Comparison of two runs" if title == _DEFAULT_TITLE else title,
    )
    try:
        path = write_report(cmp, output)
    except OSError as e:
        raise InputError(f"cannot write the comparison: {e.strerror}", source=str(output)) from None
    o = cmp.overall
    band = "–" if o.band_agreement is None else f"{100 * o.band_agreement:g} %"
    echo(
        f"comparison: {path} · {o.matched} answers in both, {o.changed} changed · same band {band} · "
        f"Pearson {'–' if o.pearson is None else f'{o.pearson:g}'} · "
        f"{len(cmp.only_old)} only in {old.name}, {len(cmp.only_new)} only in {new.name}",
        err=True,
    )


def register(app: typer.Typer) -> None:
    """Add ``report`` to the ``grader`` app."""
    app.command("report")(report)

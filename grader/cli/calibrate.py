"""``grader calibrate``: measure how far the grader agrees with human graders on a scored CSV.

The measures are in :mod:`grader.agreement`; this module reads the options, grades (or reads a
results file) and builds the reports; the tables it prints are :mod:`grader.cli.calibrate_tables`
(``metrics_table`` and ``confusion_table`` are re-exported here).
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Annotated, Any

import typer

from grader.cli import common
from grader.cli.calibrate_tables import confusion_table, metrics_table, render_criteria_report, render_report
from grader.cli.common import (
    BackendOpt,
    BaseUrlOpt,
    ModelOpt,
    NoCacheOpt,
    RubricsOpt,
    bank_for,
    echo,
    grading_settings,
    open_store,
    warn_bank,
)
from grader.errors import InputError

__all__ = ["register", "calibrate", "metrics_table", "confusion_table"]


def _languages(text: str) -> tuple[str, ...]:
    """``--languages en,de`` as a tuple (checked by the rubric: an unknown code is a one-line error)."""
    from grader.injection.language import KNOWN_LANGUAGES, unknown_languages

    codes = tuple(dict.fromkeys(c.strip().lower() for c in text.split(",") if c.strip()))
    if not codes:
        raise InputError("--languages is empty", hint="give language codes such as en or en,de")
    unknown = unknown_languages(codes)
    if unknown:
        raise InputError(
            f"--languages: unknown language {unknown[0]!r}",
            hint=f"use codes among {', '.join(sorted(KNOWN_LANGUAGES))}",
        )
    return codes


def calibrate(
    csv_path: Annotated[
        Path | None, typer.Argument(help="CSV of answers with human scores (not with --criteria).")
    ] = None,
    criteria: Annotated[
        Path | None,
        typer.Option(
            "--criteria",
            help="JSONL/CSV of answers with a human level per criterion: measure agreement criterion by criterion.",
        ),
    ] = None,
    id_col: Annotated[
        str | None, typer.Option("--id-col", help="Row id column [default: candidate_id, else answer_id].")
    ] = None,
    question_col: Annotated[str, typer.Option("--question-col", help="Question id column.")] = "question_id",
    answer_col: Annotated[str, typer.Option("--answer-col", help="Answer text column.")] = "answer",
    score_col: Annotated[str, typer.Option("--score-col", help="Human score column.")] = "score",
    max_score_col: Annotated[
        str | None,
        typer.Option(
            "--max-score-col",
            help="Max score column [default: max_score if present, else the highest score per question].",
        ),
    ] = None,
    label_col: Annotated[
        str | None,
        typer.Option(
            "--label-col",
            help="Human label column (Correct / Partially correct / Incorrect) [default: label if present].",
        ),
    ] = None,
    split: Annotated[str | None, typer.Option("--split", help="Only rows whose 'split' column has this value.")] = None,
    limit: Annotated[int | None, typer.Option("--limit", min=1, help="Only the first N rows (after --split).")] = None,
    results: Annotated[
        Path | None,
        typer.Option("--results", help="Read the grader's scores from this JSONL/CSV results file instead of grading."),
    ] = None,
    fit_labels: Annotated[
        bool,
        typer.Option(
            "--fit-labels", help="Fit the two label thresholds on these rows (optimistic) instead of 0.35 / 0.75."
        ),
    ] = False,
    bins: Annotated[int, typer.Option("--bins", min=2, max=100, help="Equal-width bins for QWK and agreement.")] = 5,
    chart: Annotated[
        Path | None, typer.Option("--chart", help="Write a scatter chart (.svg, or .png with matplotlib).")
    ] = None,
    json_out: Annotated[Path | None, typer.Option("--json", help="Write the report as JSON to this file.")] = None,
    concurrency: Annotated[
        int | None, typer.Option("--concurrency", min=1, max=512, help="Answers graded at once.")
    ] = None,
    examples_file: Annotated[
        Path | None,
        typer.Option(
            "--examples",
            help="Grade with these graded examples (CSV/JSONL: question_id, answer, score or level:<criterion>); "
            "reported next to the same run without examples and a nearest-neighbour baseline.",
        ),
    ] = None,
    examples_split: Annotated[
        str | None, typer.Option("--examples-split", help="Only the --examples rows whose 'split' column is this.")
    ] = None,
    per_question: Annotated[
        int | None,
        typer.Option(
            "--examples-per-question",
            min=1,
            help="Hold K human-graded rows per question out as examples and compare the rest; with --examples: "
            "use K examples per question drawn from the file.",
        ),
    ] = None,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the --examples-per-question draw.")] = 0,
    model: ModelOpt = None,
    base_url: BaseUrlOpt = None,
    backend: BackendOpt = None,
    rubrics: RubricsOpt = None,
    no_cache: NoCacheOpt = False,
    languages: Annotated[
        str,
        typer.Option(
            "--languages",
            help="Comma-separated language codes the answers of a reference-answer CSV may be written in "
            "(text in any other earns nothing).",
        ),
    ] = "en",
) -> None:
    """Compare the grader's scores with human scores: correlations, QWK, RMSE, labels, baselines; or, with
    --criteria, its levels with human levels criterion by criterion."""
    if criteria is not None:
        if csv_path is not None:
            raise InputError("give either a scored CSV or --criteria FILE, not both", source=str(csv_path))
        settings = grading_settings(
            model=model, base_url=base_url, backend=backend, rubrics=rubrics, no_cache=no_cache, concurrency=concurrency
        )
        _criteria(criteria, settings, json_out)
        return
    if csv_path is None:
        raise InputError("nothing to compare", hint="give a CSV of answers with human scores, or --criteria FILE")
    from grader.agreement.measure import (
        CalibrationColumns,
        build_report,
        paired,
        read_calibration_csv,
        read_results,
        saf_bank,
        splits_in,
        write_chart,
    )

    if chart is not None and chart.suffix.lower() not in (".svg", ".png"):
        raise InputError("the chart must be an .svg or .png file", source=str(chart))
    columns = CalibrationColumns(
        id=id_col, question=question_col, answer=answer_col, score=score_col, max_score=max_score_col, label=label_col
    )
    with_examples = examples_file is not None or per_question is not None
    if with_examples and results is not None:
        raise InputError("--examples and --examples-per-question grade the rows: not with --results")
    if examples_split is not None and examples_file is None:
        raise InputError("--examples-split selects rows of --examples FILE; give the file too")
    # a file with several splits (SAF: training, unseen answers, unseen questions) whose ids repeat
    # across them: without --split, each split is measured on its own, one report after the other
    splits = splits_in(csv_path, columns) if split is None else []
    if len(splits) > 1:
        echo(f"{csv_path}: {len(splits)} splits ({', '.join(splits)}): each is measured on its own", err=True)
    runs = splits if len(splits) > 1 else [split]
    grader = bank = None
    reports: dict[str, Any] = {}
    for part in runs:
        data = read_calibration_csv(csv_path, columns, split=part, limit=limit)
        extra: list[tuple[str, str, Any, dict[str, Any]]] = []
        label_kw: dict[str, Any] = {}  # labels learned from the graded examples (model, thresholds), if any
        if results is not None:
            graded = read_results(results, data, id_col=id_col)
        else:
            if grader is None:
                settings = grading_settings(
                    model=model,
                    base_url=base_url,
                    backend=backend,
                    rubrics=rubrics,
                    no_cache=no_cache,
                    concurrency=concurrency,
                )
                # a SAF-style CSV carries its own reference answers: build its rubrics unless --rubrics says otherwise
                if rubrics is None and "reference_answer" in data.header:
                    bank = saf_bank(csv_path, languages=_languages(languages))
                    warn_bank(bank, rows=dict(Counter(r.question_id for r in data.rows)))
                else:
                    bank = bank_for(settings)  # prints the bank's problems
                from grader.grading import Grader

                grader = Grader(settings, bank=bank, store=open_store(settings))
            if with_examples:  # graded with the examples; the same grader without them and kNN alongside
                from grader.examples._calibrate import run_with_examples

                assert bank is not None  # set with the grader
                graded, data, extra, label_kw = run_with_examples(
                    grader, data, bank, examples_file, examples_split, per_question, seed, _grade, fit_labels
                )
            else:
                graded = _grade(grader, data, bank)
        report = build_report(data, graded, bins=bins, fit_labels=fit_labels, **label_kw)
        if extra:  # the run without examples and the nearest-neighbour baseline, on the same rows
            from grader.examples._calibrate import add_systems

            add_systems(report, data, extra, bins=bins, fit_labels=fit_labels)
        render_report(common.console, report)
        reports[part or ""] = report
        if chart is not None:
            _, human, pred = paired(data, graded)
            r = "n/a" if report.pearson is None else f"{report.pearson:.3f}"
            path = chart if len(runs) == 1 else chart.with_name(f"{chart.stem}-{part}{chart.suffix}")
            title = f"grader vs human (normalised){f', {part}' if part and len(runs) > 1 else ''}"
            write_chart(path, human, pred, f"{title}, Pearson r = {r}, n = {report.n}")
            echo(f"chart: {path}", err=True)
    if json_out is not None:
        text = (
            reports[runs[0] or ""].model_dump_json(indent=2)
            if len(runs) == 1
            else json.dumps({k: v.model_dump(mode="json") for k, v in reports.items()}, indent=2)
        )
        try:
            json_out.write_text(text + "\n", encoding="utf-8")
        except OSError as e:
            raise InputError(f"cannot write the report: {e.strerror}", source=str(json_out)) from None
        echo(f"report: {json_out}", err=True)


def _grade(grader: Any, data: Any, bank: Any, label: str = "grading") -> Any:
    """Grade the rows of one calibration file (or split) with a progress bar on stderr."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    from grader.agreement.measure import grade_rows

    with Progress(
        label, BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(), console=common.err_console, transient=True
    ) as bar:
        task = bar.add_task(label, total=len(data.rows))
        graded = grade_rows(
            grader,
            data,
            bank,
            concurrency=grader.settings.concurrency,
            progress=lambda done, total: bar.update(task, completed=done),
        )
    if graded.first_error:
        failed = graded.skipped.get("failed", 0)
        echo(f"warning: {failed} row(s) failed ({label}); first: {graded.first_error}", err=True)
    return graded


def _criteria(path: Path, settings: Any, json_out: Path | None) -> None:
    """``grader calibrate --criteria FILE``: level-by-level agreement with human levels."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    from grader.agreement.criteria import LEVELS, build_criteria_report, grade_labelled, read_criteria_file
    from grader.agreement.measure import rubric_for
    from grader.grading import Grader

    bank = bank_for(settings)
    rows = read_criteria_file(path, bank, rubric_for)
    grader = Grader(settings, bank=bank, store=open_store(settings))
    with Progress(
        "grading", BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(), console=common.err_console, transient=True
    ) as bar:
        task = bar.add_task("grading", total=len(rows))
        judged = grade_labelled(
            grader,
            rows,
            bank,
            concurrency=settings.concurrency,
            progress=lambda done, total: bar.update(task, completed=done),
        )
    report = build_criteria_report(rows, judged, bank)
    judge = f"{grader.backend.name}:{grader.backend.model}"
    render_criteria_report(common.console, report, LEVELS, str(path), judge)
    if json_out is not None:
        import json

        try:
            json_out.write_text(json.dumps(report.as_dict(), indent=2) + "\n", encoding="utf-8")
        except OSError as e:
            raise InputError(f"cannot write the report: {e.strerror}", source=str(json_out)) from None
        echo(f"report: {json_out}", err=True)


def register(app: typer.Typer) -> None:
    """Add ``calibrate`` to the ``grader`` app."""
    app.command("calibrate")(calibrate)

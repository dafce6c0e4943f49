"""``grader calibrate``: measure how far the grader agrees with human graders on a scored CSV.

The command is defined inside :func:`register` (called by :mod:`grader.cli` once its shared options
exist), so importing this module first does not import the CLI in a circle. No ``from __future__
import annotations`` here: typer reads the option annotations, which name :mod:`grader.cli` objects.
"""

import math
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.table import Table

from grader.errors import InputError

__all__ = ["register", "metrics_table", "confusion_table"]

_ROWS = [  # (field, label)
    ("pearson", "Pearson r"),
    ("spearman", "Spearman ρ"),
    ("qwk", "QWK"),
    ("rmse", "RMSE (lower is better)"),
    ("exact_agreement", "exact agreement"),
    ("adjacent_agreement", "adjacent agreement"),
    ("length_bias", "length bias"),
    ("accuracy", "label accuracy"),
    ("macro_f1", "label macro-F1"),
]
_LEGEND = ("scores normalised to 0–1; QWK, exact (same bin) and adjacent (±1 bin) agreement on the bins; "
           "length bias = Pearson r of score vs answer words")


def _fmt(v: float | None) -> str:
    return "n/a" if v is None or (isinstance(v, float) and math.isnan(v)) else f"{v:.3f}"


def metrics_table(report) -> Table:
    systems = [report, *report.baselines]
    table = Table(title="agreement with the human scores", title_justify="left")
    table.add_column("metric")
    for s in systems:
        table.add_column(s.name, justify="right", style="bold" if s is report else None)
    table.add_column("human", justify="right", style="dim")
    for key, label in _ROWS:
        if key in ("accuracy", "macro_f1") and report.labels is None:
            continue
        human = _fmt(report.human_length_bias) if key == "length_bias" else ""
        table.add_row(label, *(_fmt(getattr(s, key)) for s in systems), human)
    return table


def confusion_table(report) -> Table:
    table = Table(title="labels: rows = human, columns = grader", title_justify="left")
    table.add_column("human \\ grader")
    for lab in report.labels:
        table.add_column(lab, justify="right")
    table.add_column("total", justify="right", style="dim")
    for i, (lab, counts) in enumerate(zip(report.labels, report.confusion)):
        cells = [f"[bold green]{c}[/]" if i == j else str(c) for j, c in enumerate(counts)]
        table.add_row(lab, *cells, str(sum(counts)))
    return table


def _render(console: Console, report) -> None:
    where = report.source + (f" (split {report.split})" if report.split else "")
    console.print(f"[bold]{report.n}[/] of {report.n_rows} rows compared · {where} · grader "
                  f"{report.description or 'from results file'}"
                  + (f" · {report.n_cached} from cache" if report.n_cached else ""), highlight=False)
    if report.skipped:
        console.print("left out: " + ", ".join(f"{n} {why}" for why, n in report.skipped.items()), style="yellow")
    console.print(metrics_table(report))
    if report.labels and report.confusion:
        console.print(confusion_table(report))
    lines = [_LEGEND, f"bins: {report.binning}"]
    if report.label_rule:
        lines.append(f"grader labels: {report.label_rule}")
    lines += [f"baseline {b.name}: {b.description}" for b in report.baselines]
    for system in (report, *report.baselines):
        lines += [f"{system.name} {k}: n/a, {why}" for k, why in system.undefined.items()]
    lines += report.notes
    for line in lines:
        console.print(line, style="dim", highlight=False, markup=False)


def _run(opts: dict, cli) -> None:
    """The command's work; ``cli`` is the :mod:`grader.cli` module (console, settings, bank, store)."""
    from grader.agreement.measure import (CalibrationColumns, build_report, grade_rows, paired, read_calibration_csv,
                            read_results, saf_bank, write_chart)

    chart, json_out, csv_path = opts["chart"], opts["json_out"], opts["csv_path"]
    if chart is not None and chart.suffix.lower() not in (".svg", ".png"):
        raise InputError("the chart must be an .svg or .png file", source=str(chart))
    columns = CalibrationColumns(id=opts["id_col"], question=opts["question_col"], answer=opts["answer_col"],
                                 score=opts["score_col"], max_score=opts["max_score_col"], label=opts["label_col"])
    data = read_calibration_csv(csv_path, columns, split=opts["split"], limit=opts["limit"])
    if opts["results"] is not None:
        graded = read_results(opts["results"], data, id_col=opts["id_col"])
    else:
        settings = cli.grading_settings(model=opts["model"], base_url=opts["base_url"], backend=opts["backend"],
                                        rubrics=opts["rubrics"], no_cache=opts["no_cache"],
                                        concurrency=opts["concurrency"])
        # a SAF-style CSV carries its own reference answers: build its rubrics unless --rubrics says otherwise
        use_csv = opts["rubrics"] is None and "reference_answer" in data.header
        bank = saf_bank(csv_path) if use_csv else cli.bank_for(settings)
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

        from grader.grading import Grader

        grader = Grader(settings, bank=bank, store=cli.open_store(settings))
        with Progress("grading", BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                      console=cli.err_console, transient=True) as bar:
            task = bar.add_task("grading", total=len(data.rows))
            graded = grade_rows(grader, data, bank, concurrency=settings.concurrency,
                                progress=lambda done, total: bar.update(task, completed=done))
        if graded.first_error:
            cli.err_console.print(f"warning: {graded.skipped.get('failed', 0)} row(s) failed; first: "
                                  f"{graded.first_error}", markup=False, highlight=False)
    report = build_report(data, graded, bins=opts["bins"], fit_labels=opts["fit_labels"])
    _render(cli.console, report)
    if chart is not None:
        _, human, pred = paired(data, graded)
        r = "n/a" if report.pearson is None else f"{report.pearson:.3f}"
        write_chart(chart, human, pred, f"grader vs human (normalised), Pearson r = {r}, n = {report.n}")
        cli.err_console.print(f"chart: {chart}", highlight=False)
    if json_out is not None:
        try:
            json_out.write_text(report.model_dump_json(indent=2) + "\n", encoding="utf-8")
        except OSError as e:
            raise InputError(f"cannot write the report: {e.strerror}", source=str(json_out)) from None
        cli.err_console.print(f"report: {json_out}", highlight=False)


def register(app: typer.Typer) -> None:
    from grader.cli import common as cli
    from grader.cli.common import BackendOpt, BaseUrlOpt, ModelOpt, NoCacheOpt, RubricsOpt

    def calibrate(
        csv_path: Annotated[Path, typer.Argument(help="CSV of answers with human scores.")],
        id_col: Annotated[Optional[str], typer.Option(
            "--id-col", help="Row id column [default: candidate_id, else answer_id].")] = None,
        question_col: Annotated[str, typer.Option("--question-col", help="Question id column.")] = "question_id",
        answer_col: Annotated[str, typer.Option("--answer-col", help="Answer text column.")] = "answer",
        score_col: Annotated[str, typer.Option("--score-col", help="Human score column.")] = "score",
        max_score_col: Annotated[Optional[str], typer.Option(
            "--max-score-col",
            help="Max score column [default: max_score if present, else the highest score per question].")] = None,
        label_col: Annotated[Optional[str], typer.Option(
            "--label-col",
            help="Human label column (Correct / Partially correct / Incorrect) [default: label if present].")] = None,
        split: Annotated[Optional[str], typer.Option(
            "--split", help="Only rows whose 'split' column has this value.")] = None,
        limit: Annotated[Optional[int], typer.Option(
            "--limit", min=1, help="Only the first N rows (after --split).")] = None,
        results: Annotated[Optional[Path], typer.Option(
            "--results", help="Read the grader's scores from this JSONL/CSV results file instead of grading.")] = None,
        fit_labels: Annotated[bool, typer.Option(
            "--fit-labels",
            help="Fit the two label thresholds on these rows (optimistic) instead of 0.35 / 0.75.")] = False,
        bins: Annotated[int, typer.Option(
            "--bins", min=2, max=100, help="Equal-width bins for QWK and agreement.")] = 5,
        chart: Annotated[Optional[Path], typer.Option(
            "--chart", help="Write a scatter chart (.svg, or .png with matplotlib).")] = None,
        json_out: Annotated[Optional[Path], typer.Option(
            "--json", help="Write the report as JSON to this file.")] = None,
        concurrency: Annotated[Optional[int], typer.Option(
            "--concurrency", min=1, max=512, help="Answers graded at once.")] = None,
        model: ModelOpt = None,
        base_url: BaseUrlOpt = None,
        backend: BackendOpt = None,
        rubrics: RubricsOpt = None,
        no_cache: NoCacheOpt = False,
    ) -> None:
        """Compare the grader's scores with human scores: correlations, QWK, RMSE, labels, baselines."""
        _run(dict(locals()), cli)

    app.command("calibrate")(calibrate)

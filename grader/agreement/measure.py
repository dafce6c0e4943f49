"""Calibration: how far does a grader agree with human graders?

Read a CSV of answers with human scores (:func:`read_calibration_csv`), get the grader's score for
each row, either by grading it (:func:`grade_rows`, bounded ``asyncio`` concurrency, results cached
through the Grader's store so a second run costs nothing) or from a results file written earlier
(:func:`read_results`), then compare (:func:`build_report`) into an :class:`AgreementReport`.

Every score is normalised to ``[0, 1]`` (score / max score). Ordinal metrics use equal-width bins
(see :mod:`grader.agreement.metrics`). Labels (``Correct`` / ``Partially correct`` / ``Incorrect``) are derived
from a normalised score by two thresholds: fixed defaults (≥ 0.75 Correct, ≥ 0.35 Partially correct,
else Incorrect) unless ``fit_labels`` asks to fit them on the same rows (an optimistic estimate).

Two baselines are scored on the same rows: *majority* (always the most common human label and the
mean human score) and *length* (a least-squares line ``score ~ a + b·words`` fitted on these rows).

:func:`saf_bank` builds rubrics for the SAF dataset (one per question, criteria = the claims of the
reference answer, by the same builder as :func:`grader.rubric.io.bank_from_csv`, so ``grader
calibrate`` grades SAF with the rubrics the embedded grader's calibration was fitted on).

Reading the inputs (the CSV, a results file) lives in :mod:`grader.agreement.io`; its public names
are re-exported here.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import BaseModel, Field

from grader.agreement import metrics as M
from grader.agreement.io import (
    LABELS,
    CalibrationColumns,
    CalibrationData,
    CalibrationRow,
    GradedScores,
    _need,
    _number,
    _open_csv,
    read_calibration_csv,
    read_results,
    rubric_id,
    splits_in,
)
from grader.errors import InputError, JudgeError, QuestionProblemError, RubricError
from grader.rubric import Rubric, RubricBank
from grader.rubric.build import rubric_from_reference, rubric_warnings

__all__ = [
    "LABELS",
    "DEFAULT_THRESHOLDS",
    "CalibrationColumns",
    "CalibrationRow",
    "CalibrationData",
    "GradedScores",
    "Thresholds",
    "SystemMetrics",
    "AgreementReport",
    "read_calibration_csv",
    "splits_in",
    "saf_bank",
    "rubric_id",
    "rubric_for",
    "question_problems",
    "grade_rows",
    "read_results",
    "labels_from_scores",
    "fit_thresholds",
    "paired",
    "build_report",
    "write_chart",
]


class Thresholds(BaseModel):
    partial: float = Field(ge=0, le=1)  # ≥ partial → "Partially correct"
    correct: float = Field(ge=0, le=1)  # ≥ correct → "Correct"


DEFAULT_THRESHOLDS = Thresholds(partial=0.35, correct=0.75)


# -- SAF rubrics --------------------------------------------------------------------------------


def saf_bank(csv_path: str | Path, split: str | None = None, languages: tuple[str, ...] = ("en",)) -> RubricBank:
    """One ``kind="reference"`` rubric per SAF ``question_id`` (bank ``saf``, section ``SAF``): the
    criteria are the reference answer's claims, split by :func:`grader.rubric.build.rubric_from_reference`
    — the same rubrics ``scripts/fit_criterion_model.py`` fits the embedded judge's ``reference``
    profile on (it calls this function), and the same as :func:`grader.rubric.io.bank_from_csv` builds
    from the CSV; ``max_score`` comes from the CSV.

    A question whose rubric cannot be built (an empty question or reference answer, a bad max score)
    is one of the bank's ``problems``, with its row and reason, and the others build; thin rubrics (a
    one-word reference answer, a one-word question) carry ``warnings``. Only a file with no question
    that builds is an error."""
    src = str(csv_path)
    header, records = _open_csv(Path(csv_path))
    at = {h: i for i, h in enumerate(header)}
    for name in ("question_id", "question", "reference_answer", "max_score"):
        _need(header, name, "", src, hint="a SAF-style CSV has question_id, question, reference_answer, max_score")
    rubrics: dict[str, Rubric] = {}
    problems: dict[str, str] = {}
    warnings: dict[str, list[str]] = {}
    raw_of: dict[str, str] = {}  # rubric id → the question id that took it
    for line, rec in records:
        if split is not None and ("split" not in at or rec[at["split"]] != split):
            continue
        qid = rec[at["question_id"]].strip()
        rid = rubric_id(qid)
        if not qid or raw_of.get(rid) == qid:
            continue
        where = f"row at line {line}: question {qid!r}"
        if rid in raw_of:  # "1.6" and "1-6": two questions, one rubric id
            rubrics.pop(rid, None)
            warnings.pop(rid, None)
            problems.setdefault(rid, f"row at line {line}: ids {raw_of[rid]!r} and {qid!r} both become {rid!r}")
            continue
        raw_of[rid] = qid
        question = rec[at["question"]].strip()
        try:
            if not question:
                raise ValueError("the question is empty")
            rubric = rubric_from_reference(
                rec[at["reference_answer"]],
                id=rid,
                question=question,
                section="SAF",
                bank="saf",
                max_score=_number(rec[at["max_score"]], "max score", src, line) or 1.0,
                languages=languages,
            )
        except RubricError as e:  # the rubric does not validate: name the field
            problems[rid] = f"{where}: " + (f"{e.field}: {e.problem}" if e.field else e.problem)
        except InputError as e:  # a max score that is not a number
            problems[rid] = f"{where}: {e.message.removeprefix(f'{src}:{line}: ')}"
        except ValueError as e:  # no reference answer to build criteria from
            problems[rid] = f"{where}: {e}"
        else:
            rubrics[rid] = rubric
            notes = rubric_warnings(rubric)
            if notes:
                warnings[rid] = [f"{where}: {n}" for n in notes]
    if not rubrics:
        if problems:
            raise RubricError(
                src,
                "",
                f"no question builds ({len(problems)} with a problem); first: {next(iter(problems.values()))}",
                hint="fix the questions or reference answers in the CSV",
            )
        raise InputError("no questions found" + (f" in split {split!r}" if split else ""), source=src)
    return RubricBank(list(rubrics.values()), source=src, problems=problems, warnings=warnings)


def question_problems(bank: RubricBank, data: CalibrationData) -> dict[str, str]:
    """The data's question ids whose rubric the bank could not build, with the reason (one line naming
    the bank's row); their rows are left out of the comparison."""
    out = {}
    for q in sorted({r.question_id for r in data.rows}):
        try:
            rubric_for(bank, q)
        except QuestionProblemError as e:
            out[q] = e.message
    return out


def rubric_for(bank: RubricBank, question_id: str) -> Rubric:
    """The bank's rubric for a dataset question id: exact id, else its slug, else the bank's lookup."""
    if question_id in bank:
        return bank.get(question_id)
    slug = rubric_id(question_id)
    return bank.get(slug if slug in bank else question_id)


# -- grader scores: grade the rows (or read a results file: calibrate_io.read_results) ----------


async def _grade_all(
    grader: Any, data: CalibrationData, bank: RubricBank, concurrency: int, progress: Callable[[int, int], None] | None
) -> GradedScores:
    problems = question_problems(bank, data)
    rubrics = {q: rubric_for(bank, q) for q in sorted({r.question_id for r in data.rows} - problems.keys())}
    gate = asyncio.Semaphore(max(1, concurrency))
    out = GradedScores([None] * len(data.rows), backend=grader.backend_name, model=grader.backend.model)
    for row in data.rows:  # a question without a rubric: its rows are left out, counted with the reason
        if row.question_id in problems:
            why = f"no rubric ({problems[row.question_id]})"
            out.skipped[why] = out.skipped.get(why, 0) + 1
    done = 0
    first_exc: list[Exception] = []

    async def one(i: int, row: CalibrationRow) -> None:
        nonlocal done
        if row.question_id in problems:  # counted in out.skipped above
            done += 1
            if progress:
                progress(done, len(data.rows))
            return
        async with gate:
            try:
                res = await grader.agrade(rubrics[row.question_id], row.answer)
            except (JudgeError, InputError) as e:
                out.skipped["failed"] = out.skipped.get("failed", 0) + 1
                out.first_error = out.first_error or e.one_line()
                first_exc.append(e)
            else:
                if res.status == "graded" and res.score is not None and res.max_score > 0:
                    out.scores[i] = min(1.0, max(0.0, res.score / res.max_score))
                    out.n_cached += bool(res.cached)
                else:
                    out.skipped["unscored"] = out.skipped.get("unscored", 0) + 1
            done += 1
            if progress:
                progress(done, len(data.rows))

    try:
        await asyncio.gather(*(one(i, r) for i, r in enumerate(data.rows)))
    finally:
        await grader.aclose()
    graded_rows = sum(r.question_id not in problems for r in data.rows)
    if first_exc and all(s is None for s in out.scores) and out.skipped.get("failed") == graded_rows:
        raise first_exc[0]  # nothing was graded: the backend is down or misconfigured
    return out


def grade_rows(
    grader: Any,
    data: CalibrationData,
    bank: RubricBank,
    *,
    concurrency: int = 8,
    progress: Callable[[int, int], None] | None = None,
) -> GradedScores:
    """Grade every row with ``grader`` (a :class:`~grader.grading.Grader`); failures are counted."""
    return asyncio.run(_grade_all(grader, data, bank, concurrency, progress))


# -- the report ----------------------------------------------------------------------------------


class SystemMetrics(BaseModel):
    """Agreement of one system (the grader or a baseline) with the human scores."""

    name: str = "grader"
    description: str = ""
    pearson: float | None = None
    spearman: float | None = None
    qwk: float | None = None
    rmse: float | None = None
    exact_agreement: float | None = None
    adjacent_agreement: float | None = None
    length_bias: float | None = None
    accuracy: float | None = None
    macro_f1: float | None = None
    thresholds: Thresholds | None = None
    confusion: list[list[int]] | None = None  # rows = human label, columns = system label (LABELS order)
    undefined: dict[str, str] = Field(default_factory=dict)  # metric → why it is undefined


class AgreementReport(SystemMetrics):
    source: str = ""
    split: str | None = None
    backend: str = ""
    model: str = ""
    n: int = 0  # rows compared
    n_rows: int = 0  # rows read
    n_cached: int = 0
    skipped: dict[str, int] = Field(default_factory=dict)
    bins: int = M.DEFAULT_BINS
    binning: str = ""
    labels: list[str] | None = None
    label_rule: str = ""
    thresholds_fitted: bool = False  # fitted on the compared rows themselves (--fit-labels)
    thresholds_source: str = ""  # where thresholds fitted elsewhere came from ("": fixed or fitted here)
    human_length_bias: float | None = None
    baselines: list[SystemMetrics] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)


def labels_from_scores(scores: Sequence[float] | np.ndarray, t: Thresholds = DEFAULT_THRESHOLDS) -> list[str]:
    x = np.asarray(scores, dtype=float)
    return [LABELS[i] for i in ((x >= t.partial).astype(int) + (x >= t.correct).astype(int))]


def fit_thresholds(scores: Sequence[float] | np.ndarray, labels: Sequence[str], step: float = 0.02) -> Thresholds:
    """The two thresholds (on a ``step`` grid) that maximise macro-F1, then accuracy, on these rows."""
    x = np.asarray(scores, dtype=float)
    y = np.array([LABELS.index(lab) for lab in labels])
    grid = np.round(np.arange(step, 1.0, step), 6)
    best: tuple[float, float, float, float] | None = None
    for lo in grid:
        above_lo = (x >= lo).astype(int)
        for hi in grid[grid > lo]:
            pred = above_lo + (x >= hi)
            m = np.bincount(y * 3 + pred, minlength=9).reshape(3, 3)
            tp = np.diag(m)
            denom = m.sum(0) + m.sum(1)
            f1 = float(np.mean(2 * tp[denom > 0] / denom[denom > 0]))
            cand = (f1, float(tp.sum()) / x.size, float(lo), float(hi))
            if best is None or cand[:2] > best[:2]:
                best = cand
    assert best is not None
    return Thresholds(partial=best[2], correct=best[3])


def _metric(x: float, name: str, undefined: dict[str, str], inputs: tuple[str, str] = ("", "")) -> float | None:
    """A rounded float, or None with the reason recorded (naming the inputs, e.g. "the human scores")."""
    if M.is_undefined(x):
        reason = getattr(x, "reason", "undefined")
        for which, what in zip(("the first input", "the second input"), inputs):
            reason = reason.replace(which, what) if what else reason
        undefined[name] = reason
        return None
    return round(float(x), 6)


def _system(
    name: str,
    description: str,
    human: np.ndarray,
    pred: np.ndarray,
    words: np.ndarray,
    bins: int,
    human_labels: list[str] | None,
    pred_labels: list[str] | None,
    t: Thresholds | None,
) -> SystemMetrics:
    u: dict[str, str] = {}
    vs_human, vs_words = (f"the {name} scores", "the human scores"), (f"the {name} scores", "the answer lengths")
    metrics = SystemMetrics(
        name=name,
        description=description,
        thresholds=t,
        pearson=_metric(M.pearson(pred, human), "pearson", u, vs_human),
        spearman=_metric(M.spearman(pred, human), "spearman", u, vs_human),
        qwk=_metric(M.quadratic_weighted_kappa(human, pred, bins), "qwk", u),
        rmse=_metric(M.rmse(pred, human), "rmse", u),
        exact_agreement=_metric(M.exact_agreement(human, pred, bins), "exact_agreement", u),
        adjacent_agreement=_metric(M.adjacent_agreement(human, pred, bins), "adjacent_agreement", u),
        length_bias=_metric(M.length_bias(pred, words), "length_bias", u, vs_words),
    )
    if human_labels is not None and pred_labels is not None:
        metrics.accuracy = _metric(M.accuracy(human_labels, pred_labels), "accuracy", u)
        metrics.macro_f1 = _metric(M.macro_f1(human_labels, pred_labels, LABELS), "macro_f1", u)
        metrics.confusion = M.confusion_matrix(human_labels, pred_labels, LABELS).tolist()
    metrics.undefined = u  # every reason, in the order the metrics were computed
    return metrics


def paired(data: CalibrationData, graded: GradedScores) -> tuple[list[CalibrationRow], np.ndarray, np.ndarray]:
    """The rows that have a grader score, with the human and grader normalised scores."""
    keep = [i for i, s in enumerate(graded.scores) if s is not None]
    if not keep:
        why = ", ".join(f"{n} {k}" for k, n in graded.skipped.items()) or "none"
        raise InputError(
            f"no row has a grader score to compare ({why})"
            + (f"; first error: {graded.first_error}" if graded.first_error else ""),
            source=data.source,
        )
    rows = [data.rows[i] for i in keep]
    return rows, np.array([r.human for r in rows]), np.array([graded.scores[i] for i in keep], dtype=float)


def build_report(
    data: CalibrationData,
    graded: GradedScores,
    *,
    bins: int = M.DEFAULT_BINS,
    fit_labels: bool = False,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
    thresholds_source: str = "",
) -> AgreementReport:
    """Compare the grader's normalised scores with the human ones on the rows that have both.

    Labels come from the scores by ``thresholds`` (fixed defaults, or thresholds fitted elsewhere —
    ``thresholds_source`` says where, e.g. on the graded examples, never on these rows), or, with
    ``fit_labels``, fitted on these same rows (optimistic); a system that chose its own labels
    (``graded.labels``) keeps them."""
    rows, human, pred = paired(data, graded)
    words = np.array([r.words for r in rows], dtype=float)
    labels = [r.label for r in rows if r.label] if data.has_labels else None  # has_labels: every row has one
    fitted = bool(fit_labels and labels)
    own = [graded.labels[i] or "" for i, s in enumerate(graded.scores) if s is not None] if graded.labels else None

    def system(
        name: str, description: str, scores: np.ndarray, fixed_label: str | None = None, given: Thresholds = thresholds
    ) -> SystemMetrics:
        t = None if not labels or fixed_label else (fit_thresholds(scores, labels) if fitted else given)
        predicted = [fixed_label] * len(rows) if fixed_label else (labels_from_scores(scores, t) if t else None)
        return _system(name, description, human, scores, words, bins, labels, predicted, t)

    grader = system("grader", f"{graded.backend}:{graded.model}".strip(":"), pred)
    if labels and own is not None and all(own):  # the system's own labels (a vote), not thresholds
        grader = _system(grader.name, grader.description, human, pred, words, bins, labels, own, None)
    mean = float(human.mean())
    majority = Counter(labels).most_common(1)[0][0] if labels else None
    majority_desc = (f"always {majority!r}; " if majority else "") + f"score = mean human score {mean:.3f}"
    b, a = np.polyfit(words, human, 1) if np.ptp(words) > 0 else (0.0, mean)
    length_desc = f"score = {a:.3f} + {b:.4f}·words (least squares on these rows, clipped to [0, 1])"
    baselines = [  # thresholds fitted for the grader elsewhere are the grader's: the usual baselines keep the fixed
        system("majority", majority_desc, np.full(human.size, mean), majority),
        system("length", length_desc, np.clip(a + b * words, 0.0, 1.0), given=DEFAULT_THRESHOLDS),
    ]
    undefined = dict(grader.undefined)
    human_length_bias = _metric(
        M.length_bias(human, words), "human_length_bias", undefined, ("the human scores", "the answer lengths")
    )
    t = grader.thresholds
    rule = ""
    if t is not None:
        where = (
            "thresholds fitted on these same rows (optimistic): "
            if fitted
            else f"thresholds fitted on {thresholds_source}: "
            if thresholds_source
            else "fixed thresholds: "
        )
        rule = where + f"≥ {t.correct:g} Correct, ≥ {t.partial:g} Partially correct, else Incorrect"
    elif labels and own is not None:
        rule = "the system's own labels (not from its scores)"
    return AgreementReport(
        **grader.model_dump(exclude={"undefined"}),
        undefined=undefined,
        human_length_bias=human_length_bias,
        source=data.source,
        split=data.split,
        backend=graded.backend,
        model=graded.model,
        n=len(rows),
        n_rows=len(data.rows),
        n_cached=graded.n_cached,
        skipped=dict(graded.skipped),
        bins=bins,
        binning=f"normalised scores in {bins} equal-width bins of {1 / bins:g} (a score of 1 is in the top bin)",
        labels=list(LABELS) if labels else None,
        label_rule=rule,
        thresholds_fitted=fitted,
        thresholds_source="" if fitted or t is None else thresholds_source,
        baselines=baselines,
        notes=list(data.notes),
    )


# -- chart -------------------------------------------------------------------------------------


def write_chart(path: str | Path, human: M.Numbers, grader: M.Numbers, title: str) -> Path:
    """Scatter of grader vs human normalised scores with the y = x line: ``.svg`` (no dependency) or
    ``.png`` (needs matplotlib)."""
    p = Path(path)
    suffix = p.suffix.lower()
    if suffix == ".png":
        try:
            import matplotlib

            matplotlib.use("Agg")
            import matplotlib.pyplot as plt
        except ImportError:
            raise InputError(
                "a PNG chart needs matplotlib", source=str(p), hint="pip install matplotlib, or write an .svg chart"
            ) from None
        fig, ax = plt.subplots(figsize=(6, 6), dpi=100)
        ax.plot([0, 1], [0, 1], "--", color="#888")
        ax.scatter(human, grader, s=14, alpha=0.35, color="#1f6feb")
        ax.set(xlim=(-0.02, 1.02), ylim=(-0.02, 1.02), xlabel="human (normalised)", ylabel="grader (normalised)")
        ax.set_title(title)
        fig.tight_layout()
        try:
            fig.savefig(p)
        except OSError as e:
            raise InputError(f"cannot write the chart: {e.strerror}", source=str(p)) from None
        finally:
            plt.close(fig)
        return p
    if suffix != ".svg":
        raise InputError("the chart must be an .svg or .png file", source=str(p))
    size, pad = 480, 56
    span = size - 2 * pad

    def X(v: float) -> float:
        return pad + v * span

    def Y(v: float) -> float:
        return size - pad - v * span

    def esc(s: str) -> str:
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size}" viewBox="0 0 {size} {size}" '
        'font-family="sans-serif" font-size="12">',
        f'<rect width="{size}" height="{size}" fill="white"/>',
        f'<text x="{size / 2}" y="28" text-anchor="middle" font-size="14">{esc(title)}</text>',
    ]
    for k in range(6):
        v = k / 5
        parts += [
            f'<line x1="{X(v):.1f}" y1="{Y(0):.1f}" x2="{X(v):.1f}" y2="{Y(1):.1f}" stroke="#eee"/>',
            f'<line x1="{X(0):.1f}" y1="{Y(v):.1f}" x2="{X(1):.1f}" y2="{Y(v):.1f}" stroke="#eee"/>',
            f'<text x="{X(v):.1f}" y="{Y(0) + 16:.1f}" text-anchor="middle">{v:.1f}</text>',
            f'<text x="{X(0) - 8:.1f}" y="{Y(v) + 4:.1f}" text-anchor="end">{v:.1f}</text>',
        ]
    parts += [
        f'<rect x="{pad}" y="{pad}" width="{span}" height="{span}" fill="none" stroke="#444"/>',
        f'<line x1="{X(0)}" y1="{Y(0)}" x2="{X(1)}" y2="{Y(1)}" stroke="#888" stroke-dasharray="5,4"/>',
        f'<text x="{size / 2}" y="{size - 14}" text-anchor="middle">human score (normalised)</text>',
        f'<text x="16" y="{size / 2}" text-anchor="middle" transform="rotate(-90 16 {size / 2})">'
        "grader score (normalised)</text>",
    ]
    parts += [
        f'<circle cx="{X(h):.1f}" cy="{Y(g):.1f}" r="3" fill="#1f6feb" fill-opacity="0.35"/>'
        for h, g in zip(human, grader)
    ]
    parts.append("</svg>")
    try:
        p.write_text("\n".join(parts) + "\n", encoding="utf-8")
    except OSError as e:
        raise InputError(f"cannot write the chart: {e.strerror}", source=str(p)) from None
    return p

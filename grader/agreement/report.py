"""The agreement report: the grader's normalised scores against the human ones on the rows that have
both (:func:`build_report` → :class:`AgreementReport`), each system's metrics table
(:class:`SystemMetrics`: correlations, QWK, RMSE, agreement, length bias, label accuracy and macro-F1,
confusion), the two baselines scored on the same rows (*majority* and *length*), and the label rule
(:class:`Thresholds`: fixed defaults, fitted elsewhere, or fitted on these rows by :func:`fit_thresholds`)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import numpy as np
from pydantic import BaseModel, Field

from grader.agreement import metrics as M
from grader.agreement.io import LABELS, CalibrationData, CalibrationRow, GradedScores
from grader.errors import InputError

__all__ = [
    "DEFAULT_THRESHOLDS",
    "AgreementReport",
    "SystemMetrics",
    "Thresholds",
    "build_report",
    "fit_thresholds",
    "labels_from_scores",
    "paired",
]


class Thresholds(BaseModel):
    partial: float = Field(ge=0, le=1)  # ≥ partial → "Partially correct"
    correct: float = Field(ge=0, le=1)  # ≥ correct → "Correct"


DEFAULT_THRESHOLDS = Thresholds(partial=0.35, correct=0.75)


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
    labels_rule: str = "",
) -> AgreementReport:
    """Compare the grader's normalised scores with the human ones on the rows that have both.

    Labels come from the scores by ``thresholds`` (fixed defaults, or thresholds fitted elsewhere —
    ``thresholds_source`` says where, e.g. on the graded examples, never on these rows), or, with
    ``fit_labels``, fitted on these same rows (optimistic); a system that chose its own labels
    (``graded.labels``) keeps them, described by ``labels_rule`` (how they were chosen)."""
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
        rule = labels_rule or "the system's own labels (not from its scores)"
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

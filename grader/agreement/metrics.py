"""Agreement metrics between a grader and human graders: pure functions on numpy arrays.

Scores are compared on the *normalised* scale ``[0, 1]`` (score / max score). The ordinal metrics
(:func:`quadratic_weighted_kappa`, :func:`exact_agreement`, :func:`adjacent_agreement`) first put each
normalised score into one of ``bins`` equal-width bins (default 5)::

    bin(x) = min(floor(x * bins), bins - 1)      # 5 bins: [0, .2) [.2, .4) [.4, .6) [.6, .8) [.8, 1]

so a score of exactly 1 falls in the top bin. Scores outside ``[0, 1]`` (beyond rounding) are an error.

Every metric returns a plain ``float``. When a metric is undefined for the data (a constant array
has no correlation; kappa is 0/0 when both raters use one and the same bin) it returns
:class:`Undefined`: a ``float`` that is ``nan`` and carries ``.reason``. Empty or mismatched
inputs raise :class:`MetricInputError` (an :class:`~grader.errors.InputError` and a ``ValueError``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from grader.errors import InputError

__all__ = [
    "DEFAULT_BINS",
    "MetricInputError",
    "Undefined",
    "is_undefined",
    "to_bins",
    "pearson",
    "spearman",
    "quadratic_weighted_kappa",
    "rmse",
    "exact_agreement",
    "adjacent_agreement",
    "confusion_matrix",
    "accuracy",
    "macro_f1",
    "length_bias",
]

DEFAULT_BINS = 5
_TOL = 1e-9
Numbers = Sequence[float] | np.ndarray  # scores (or lengths): anything 1-d that numpy reads as floats
LabelSeq = Sequence[object]  # class labels, compared as strings


class MetricInputError(InputError, ValueError):
    """The arrays given to a metric are empty, of different lengths, or out of range."""

    def __init__(self, message: str, *, metric: str = "") -> None:
        super().__init__(f"{metric}: {message}" if metric else message)
        self.metric = metric


class Undefined(float):
    """``nan`` with the reason the metric is undefined for these data (still a ``float``)."""

    reason: str

    def __new__(cls, reason: str) -> Undefined:
        self = super().__new__(cls, math.nan)
        self.reason = reason
        return self

    def __repr__(self) -> str:
        return f"Undefined({self.reason!r})"


def is_undefined(x: float) -> bool:
    return isinstance(x, float) and math.isnan(x)


def _pair(a: Numbers, b: Numbers, metric: str) -> tuple[np.ndarray, np.ndarray]:
    x = np.asarray(a, dtype=float).ravel()
    y = np.asarray(b, dtype=float).ravel()
    if x.size != y.size:
        raise MetricInputError(f"the arrays have different lengths ({x.size} and {y.size})", metric=metric)
    if x.size == 0:
        raise MetricInputError("no values (empty input)", metric=metric)
    if not (np.isfinite(x).all() and np.isfinite(y).all()):
        raise MetricInputError("the input contains nan or infinite values", metric=metric)
    return x, y


def _labels(a: LabelSeq, b: LabelSeq, metric: str) -> tuple[list[str], list[str]]:
    x, y = [str(v) for v in a], [str(v) for v in b]
    if len(x) != len(y):
        raise MetricInputError(f"the label lists have different lengths ({len(x)} and {len(y)})", metric=metric)
    if not x:
        raise MetricInputError("no labels (empty input)", metric=metric)
    return x, y


def _corr(x: np.ndarray, y: np.ndarray, metric: str) -> float:
    if x.size < 2:
        return Undefined(f"{metric} needs at least 2 values, got {x.size}")
    cx, cy = bool(np.all(x == x[0])), bool(np.all(y == y[0]))  # exact test: x - mean can be 1 ulp off 0
    if cx or cy:
        which = "both inputs" if cx and cy else ("the first input" if cx else "the second input")
        return Undefined(f"{metric} is undefined: constant input ({which})")
    dx, dy = x - x.mean(), y - y.mean()
    r = float(dx @ dy) / (math.sqrt(float(dx @ dx)) * math.sqrt(float(dy @ dy)))
    return float(min(1.0, max(-1.0, r)))


def pearson(a: Numbers, b: Numbers) -> float:
    """Pearson correlation coefficient of two equal-length arrays."""
    x, y = _pair(a, b, "pearson")
    return _corr(x, y, "pearson")


def _rank(x: np.ndarray) -> np.ndarray:
    """Ranks 1..n, ties get the average of their ranks (as scipy.stats.rankdata 'average')."""
    order = np.argsort(x, kind="mergesort")
    xs = x[order]
    new_group = np.r_[True, xs[1:] != xs[:-1]]
    starts = np.flatnonzero(new_group)
    ends = np.r_[starts[1:], xs.size]
    avg = (starts + ends + 1) / 2.0  # mean of 1-based ranks start+1 .. end
    ranks = np.empty(x.size)
    ranks[order] = np.repeat(avg, ends - starts)
    return ranks


def spearman(a: Numbers, b: Numbers) -> float:
    """Spearman rank correlation (Pearson on average ranks, ties averaged)."""
    x, y = _pair(a, b, "spearman")
    return _corr(_rank(x), _rank(y), "spearman")


def to_bins(scores: Numbers, bins: int = DEFAULT_BINS) -> np.ndarray:
    """Bin normalised scores in [0, 1] into ``bins`` equal-width bins 0..bins-1 (1.0 → top bin)."""
    if int(bins) != bins or bins < 2:
        raise MetricInputError(f"bins must be an integer of at least 2, got {bins!r}", metric="bins")
    x = np.asarray(scores, dtype=float).ravel()
    if x.size and (np.nanmin(x) < -_TOL or np.nanmax(x) > 1 + _TOL or not np.isfinite(x).all()):
        raise MetricInputError("scores must be normalised to [0, 1] (score / max score)", metric="bins")
    binned: np.ndarray = np.minimum(np.floor(np.clip(x, 0.0, 1.0) * bins), bins - 1).astype(int)
    return binned


def quadratic_weighted_kappa(a: Numbers, b: Numbers, bins: int = DEFAULT_BINS) -> float:
    """Cohen's kappa with quadratic weights on normalised scores binned into ``bins`` equal bins.

    ``1 - sum(W * O) / sum(W * E)`` with ``W[i, j] = (i - j)**2``, ``O`` the observed bin
    co-occurrence counts and ``E`` the counts expected from the two marginals.
    """
    x, y = _pair(a, b, "qwk")
    bx, by = to_bins(x, bins), to_bins(y, bins)
    observed = np.zeros((bins, bins))
    np.add.at(observed, (bx, by), 1)
    expected = np.outer(np.bincount(bx, minlength=bins), np.bincount(by, minlength=bins)) / x.size
    idx = np.arange(bins)
    weights = (idx[:, None] - idx[None, :]) ** 2
    denom = float((weights * expected).sum())
    if denom == 0:
        return Undefined("qwk is undefined: both raters put every score in the same single bin")
    return float(1.0 - float((weights * observed).sum()) / denom)


def rmse(a: Numbers, b: Numbers) -> float:
    """Root mean squared difference (on whatever scale the inputs share; we use [0, 1])."""
    x, y = _pair(a, b, "rmse")
    return float(math.sqrt(float(np.mean((x - y) ** 2))))


def exact_agreement(a: Numbers, b: Numbers, bins: int = DEFAULT_BINS) -> float:
    """Fraction of pairs whose normalised scores fall in the same bin."""
    x, y = _pair(a, b, "exact_agreement")
    return float(np.mean(to_bins(x, bins) == to_bins(y, bins)))


def adjacent_agreement(a: Numbers, b: Numbers, bins: int = DEFAULT_BINS) -> float:
    """Fraction of pairs whose bins differ by at most one."""
    x, y = _pair(a, b, "adjacent_agreement")
    return float(np.mean(np.abs(to_bins(x, bins) - to_bins(y, bins)) <= 1))


def confusion_matrix(labels_true: LabelSeq, labels_pred: LabelSeq, classes: Sequence[str]) -> np.ndarray:
    """Counts ``M[i, j]`` of items with true class ``classes[i]`` predicted as ``classes[j]``."""
    t, p = _labels(labels_true, labels_pred, "confusion_matrix")
    index = {str(c): i for i, c in enumerate(classes)}
    if len(index) != len(classes) or not index:
        raise MetricInputError("classes must be a non-empty list of distinct labels", metric="confusion_matrix")
    unknown = sorted({v for v in t + p if v not in index})
    if unknown:
        raise MetricInputError(f"labels not in classes {list(index)}: {unknown[:5]}", metric="confusion_matrix")
    m = np.zeros((len(index), len(index)), dtype=int)
    np.add.at(m, ([index[v] for v in t], [index[v] for v in p]), 1)
    return m


def accuracy(labels_true: LabelSeq, labels_pred: LabelSeq) -> float:
    """Fraction of items whose predicted label equals the true label."""
    t, p = _labels(labels_true, labels_pred, "accuracy")
    return float(np.mean([a == b for a, b in zip(t, p)]))


def macro_f1(labels_true: LabelSeq, labels_pred: LabelSeq, classes: Sequence[str] | None = None) -> float:
    """Unweighted mean of the per-class F1 = 2TP / (2TP + FP + FN).

    ``classes`` defaults to every label seen in either list (as scikit-learn's default). A class
    given in ``classes`` that occurs in neither list has no F1 and is left out of the mean.
    """
    t, p = _labels(labels_true, labels_pred, "macro_f1")
    classes = list(classes) if classes is not None else sorted(set(t) | set(p))
    m = confusion_matrix(t, p, classes)
    tp = np.diag(m).astype(float)
    fp = m.sum(axis=0) - tp
    fn = m.sum(axis=1) - tp
    denom = 2 * tp + fp + fn
    present = denom > 0
    return float(np.mean(2 * tp[present] / denom[present]))


def length_bias(scores: Numbers, lengths: Numbers) -> float:
    """Pearson correlation of score with answer length in words (0 = no length bias)."""
    x, y = _pair(scores, lengths, "length_bias")
    return _corr(x, y, "length_bias")

"""grader.metrics against scipy / scikit-learn (test-only dependencies) and hand-computed values."""

import math

import numpy as np
import pytest

from grader.agreement import metrics as M
from grader.errors import InputError


@pytest.fixture(scope="module")
def stats():
    return pytest.importorskip("scipy.stats")  # test-only dependency


@pytest.fixture(scope="module")
def skm():
    return pytest.importorskip("sklearn.metrics")  # test-only dependency (scikit-learn)


RNG = np.random.default_rng(7)
A = RNG.random(60)
B = np.clip(A + RNG.normal(0, 0.2, 60), 0, 1)
TIED_A = np.array([0, 0.5, 0.5, 1, 1, 1, 0.25, 0.5, 0, 1.0])
TIED_B = np.array([0, 0.25, 0.5, 1, 0.75, 1, 0.25, 0.25, 0.5, 0.75])
LABELS = ["Incorrect", "Partially correct", "Correct"]


def _labels(n, seed):
    rng = np.random.default_rng(seed)
    return [LABELS[i] for i in rng.integers(0, 3, n)]


# -- against reference implementations ----------------------------------------------------------


@pytest.mark.parametrize("a, b", [(A, B), (TIED_A, TIED_B)])
def test_pearson_and_spearman_match_scipy(stats, a, b):
    assert M.pearson(a, b) == pytest.approx(stats.pearsonr(a, b).statistic, abs=1e-12)
    assert M.spearman(a, b) == pytest.approx(stats.spearmanr(a, b).statistic, abs=1e-12)


@pytest.mark.parametrize("bins", [2, 3, 5, 10])
@pytest.mark.parametrize("a, b", [(A, B), (TIED_A, TIED_B), (A, 1 - A)])
def test_qwk_matches_sklearn_on_the_bins(skm, a, b, bins):
    expected = skm.cohen_kappa_score(
        M.to_bins(a, bins), M.to_bins(b, bins), weights="quadratic", labels=list(range(bins))
    )
    assert M.quadratic_weighted_kappa(a, b, bins) == pytest.approx(expected, abs=1e-12)


def test_rmse_matches_sklearn(skm):
    assert M.rmse(A, B) == pytest.approx(math.sqrt(skm.mean_squared_error(A, B)), abs=1e-12)


def test_confusion_accuracy_macro_f1_match_sklearn(skm):
    t, p = _labels(200, 1), _labels(200, 2)
    assert M.confusion_matrix(t, p, LABELS).tolist() == skm.confusion_matrix(t, p, labels=LABELS).tolist()
    assert M.accuracy(t, p) == pytest.approx(skm.accuracy_score(t, p))
    assert M.macro_f1(t, p) == pytest.approx(skm.f1_score(t, p, average="macro"))
    assert M.macro_f1(t, p, LABELS) == pytest.approx(skm.f1_score(t, p, average="macro", labels=LABELS))


def test_macro_f1_with_a_class_never_predicted_matches_sklearn(skm):
    t = ["Correct", "Correct", "Incorrect", "Partially correct"]
    p = ["Correct", "Correct", "Correct", "Correct"]
    expected = skm.f1_score(t, p, average="macro", zero_division=0)
    assert M.macro_f1(t, p) == pytest.approx(expected)


# -- hand-computed ------------------------------------------------------------------------------


def test_binning_is_equal_width_and_one_is_in_the_top_bin():
    assert M.to_bins([0, 0.19999, 0.2, 0.39, 0.4, 0.6, 0.8, 0.99, 1.0]).tolist() == [0, 0, 1, 1, 2, 3, 4, 4, 4]
    assert M.to_bins([0, 0.49, 0.5, 1.0], bins=2).tolist() == [0, 0, 1, 1]
    assert M.to_bins([1 + 1e-12, -1e-12]).tolist() == [4, 0]  # rounding noise is tolerated


def test_hand_computed_values():
    assert M.pearson([1, 2, 3], [2, 4, 6]) == pytest.approx(1.0)
    assert M.pearson([1, 2, 3], [3, 2, 1]) == pytest.approx(-1.0)
    assert M.spearman([1, 2, 3, 4], [1, 4, 9, 100]) == pytest.approx(1.0)
    # ties get average ranks: (1, 2.5, 2.5, 4) vs (1, 3, 2, 4) → r = 4.5 / sqrt(4.5 * 5) = sqrt(0.9)
    assert M.spearman([1, 2, 2, 3], [1, 3, 2, 4]) == pytest.approx(math.sqrt(0.9))
    assert M.rmse([0, 1], [1, 1]) == pytest.approx(math.sqrt(0.5))
    # bins (5): a → 0, 2, 4, 4 ; b → 0, 3, 2, 4
    a, b = [0.0, 0.5, 0.9, 1.0], [0.1, 0.7, 0.5, 0.85]
    assert M.exact_agreement(a, b) == pytest.approx(0.5)
    assert M.adjacent_agreement(a, b) == pytest.approx(0.75)
    # identical ratings: kappa 1; perfectly reversed over 2 bins: -1
    assert M.quadratic_weighted_kappa(a, a) == pytest.approx(1.0)
    assert M.quadratic_weighted_kappa([0, 1, 0, 1], [1, 0, 1, 0], bins=2) == pytest.approx(-1.0)
    # O = [[1,1],[0,2]] (a-bins 0,0,1,1 vs b-bins 0,1,1,1); E = outer([2,2],[1,3])/4 = [[.5,1.5],[.5,1.5]]
    # kappa = 1 - (1*1) / (1.5 + .5) = 0.5
    assert M.quadratic_weighted_kappa([0, 0, 1, 1], [0, 1, 1, 1], bins=2) == pytest.approx(0.5)
    t = ["Correct", "Correct", "Incorrect", "Incorrect"]
    p = ["Correct", "Incorrect", "Incorrect", "Incorrect"]
    assert M.accuracy(t, p) == pytest.approx(0.75)
    # F1(Correct) = 2/3, F1(Incorrect) = 4/5
    assert M.macro_f1(t, p) == pytest.approx((2 / 3 + 4 / 5) / 2)
    # a class in `classes` that occurs in neither list is left out of the mean
    assert M.macro_f1(t, p, LABELS) == pytest.approx((2 / 3 + 4 / 5) / 2)
    assert M.confusion_matrix(t, p, ["Incorrect", "Correct"]).tolist() == [[2, 0], [1, 1]]
    assert M.length_bias([1, 2, 3], [10, 20, 30]) == pytest.approx(1.0)


def test_every_metric_returns_a_plain_float():
    for value in (
        M.pearson(A, B),
        M.spearman(A, B),
        M.quadratic_weighted_kappa(A, B),
        M.rmse(A, B),
        M.exact_agreement(A, B),
        M.adjacent_agreement(A, B),
        M.length_bias(A, B),
        M.accuracy(["a"], ["a"]),
        M.macro_f1(["a"], ["a"]),
    ):
        assert type(value) is float


# -- degenerate inputs --------------------------------------------------------------------------


@pytest.mark.parametrize("fn", [M.pearson, M.spearman, M.length_bias])
def test_constant_input_gives_nan_with_a_reason(fn):
    value = fn([0.5, 0.5, 0.5], [0.1, 0.2, 0.3])
    assert isinstance(value, float) and math.isnan(value) and M.is_undefined(value)
    assert "constant" in value.reason
    assert "second" in fn([0.1, 0.2, 0.3], [1, 1, 1]).reason
    assert "at least 2" in fn([0.3], [0.4]).reason
    mean = float(np.mean([0.1, 0.7, 0.35]))  # a constant that is not exact in binary: still constant
    assert M.is_undefined(fn(np.full(7, mean), A[:7]))


def test_qwk_with_everything_in_one_bin_is_undefined():
    value = M.quadratic_weighted_kappa([0.9, 0.95, 1.0], [0.85, 1.0, 0.9])
    assert math.isnan(value) and "same single bin" in value.reason
    # one rater constant, the other not: kappa is defined (0: no agreement beyond chance)
    assert M.quadratic_weighted_kappa([0.5, 0.5, 0.5], [0.1, 0.5, 0.9]) == pytest.approx(0.0)


@pytest.mark.parametrize(
    "fn",
    [
        M.pearson,
        M.spearman,
        M.quadratic_weighted_kappa,
        M.rmse,
        M.exact_agreement,
        M.adjacent_agreement,
        M.length_bias,
        M.accuracy,
        M.macro_f1,
    ],
)
def test_empty_input_is_a_clear_error(fn):
    with pytest.raises(M.MetricInputError, match="empty"):
        fn([], [])


def test_input_errors_are_grader_input_errors_and_value_errors():
    with pytest.raises(InputError, match="different lengths"):
        M.pearson([1, 2], [1, 2, 3])
    with pytest.raises(ValueError, match="nan"):
        M.rmse([1, float("nan")], [1, 2])
    with pytest.raises(M.MetricInputError, match=r"normalised to \[0, 1\]"):
        M.quadratic_weighted_kappa([0, 2], [0, 1])
    with pytest.raises(M.MetricInputError, match="bins"):
        M.exact_agreement([0, 1], [0, 1], bins=1)
    with pytest.raises(M.MetricInputError, match="not in classes"):
        M.confusion_matrix(["a", "b"], ["a", "c"], ["a", "b"])
    with pytest.raises(M.MetricInputError, match="empty"):
        M.confusion_matrix([], [], ["a"])

"""The label model (labels from the nearest examples' label shares and the score, fitted on the graded
examples out of fold) and the score model's per-question inputs (kernel ridge, reference similarity)."""

from __future__ import annotations

import math
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest

from grader.agreement.io import CalibrationData, CalibrationRow, GradedScores
from grader.agreement.measure import build_report, fit_thresholds, labels_from_scores
from grader.examples import ExampleSet, GradedExample
from grader.examples._blend import DEFAULT_RULE, BlendRule
from grader.examples._label_model import DESCRIPTION, fit_label_model, label_shares
from grader.examples._labels import fit_from_examples, predict_labels
from grader.examples._score import answer_length, question_model, score_features
from grader.settings import Settings

RULE = SimpleNamespace(k=5, temperature=0.05)


class _Embedder:
    """Deterministic unit vectors: an answer's first word (a … g) picks the axis; length nudges it."""

    def encode(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), 8), dtype=np.float32)
        for i, t in enumerate(texts):
            out[i, "abcdefg".index(t[0])] = 1.0
            out[i, 7] += 0.001 * len(t)
        return out / np.linalg.norm(out, axis=1, keepdims=True)


# -- the model itself -------------------------------------------------------------------------------


def test_the_fit_matches_scikit_learns_multinomial_logistic_regression() -> None:
    sklearn = pytest.importorskip("sklearn.linear_model")
    rng = np.random.default_rng(0)
    x = rng.normal(size=(300, 3))
    z = x @ np.array([[2.0, -1.0, 0.0], [0.0, 1.5, -1.5], [0.5, 0.0, 0.0]])
    y = [("Incorrect", "Partially correct", "Correct")[int(i)] for i in (z + rng.gumbel(size=z.shape)).argmax(1)]
    ours = fit_label_model(x, y)
    xs = (x - x.mean(0)) / x.std(0)
    theirs = sklearn.LogisticRegression(C=1.0, max_iter=5000, tol=1e-10).fit(xs, y)
    order = [list(theirs.classes_).index(c) for c in ours.classes]
    assert ours.classes == ("Incorrect", "Partially correct", "Correct")  # ordinal order, not alphabetical
    assert np.allclose(ours.probabilities(x), theirs.predict_proba(xs)[:, order], atol=2e-3)


def test_a_label_vote_beats_a_threshold_where_the_score_cannot_tell() -> None:
    """Planted: Correct and Partially correct answers get the same scores (0.7–0.9); only the nearest
    examples' labels tell them apart. Thresholds on the score cannot; the model can."""
    rng = np.random.default_rng(1)
    n = 200
    truth = rng.choice(["Correct", "Partially correct", "Incorrect"], size=n, p=[0.45, 0.45, 0.1])
    score = np.where(truth == "Incorrect", rng.uniform(0, 0.3, n), rng.uniform(0.7, 0.9, n))
    correct_share = np.where(truth == "Correct", rng.uniform(0.6, 1.0, n), rng.uniform(0.0, 0.4, n))
    incorrect_share = np.where(truth == "Incorrect", 0.5, 0.0)
    shares = np.c_[incorrect_share, 1 - correct_share - incorrect_share, correct_share]
    x = np.c_[shares, score]
    model = fit_label_model(x[:100], list(truth[:100]))
    by_model = np.array(model.predict(x[100:]))
    by_threshold = np.array(labels_from_scores(score[100:], fit_thresholds(score[:100], list(truth[:100]))))
    assert (by_model == truth[100:]).mean() > 0.95
    assert (by_threshold == truth[100:]).mean() < 0.75


def test_two_labels_and_constant_inputs_work() -> None:
    x = np.c_[np.r_[np.zeros(20), np.ones(20)], np.full(40, 0.5)]  # the second input never varies
    model = fit_label_model(x, ["Incorrect"] * 20 + ["Correct"] * 20)
    assert model.classes == ("Incorrect", "Correct")
    assert model.predict(np.array([[0.0, 0.5], [1.0, 0.5]])) == ["Incorrect", "Correct"]


def test_label_shares_weight_the_nearest_labelled_examples() -> None:
    exs = [
        GradedExample("q1", "a one", score=1, max_score=1, label="Correct"),
        GradedExample("q1", "a two", score=0.5, max_score=1, label="partially correct"),
        GradedExample("q1", "b one", score=0, max_score=1, label="Incorrect"),
        GradedExample("q1", "c one", score=0, max_score=1),  # no label: not in the shares
    ]
    emb = _Embedder()
    classes = ["Incorrect", "Partially correct", "Correct"]
    vec = emb.encode(["a new one"])
    sh = label_shares(ExampleSet(exs), emb, "q1", vec, classes, k=3, temperature=0.05)
    assert sh is not None and sh.shape == (1, 3) and sh.sum() == pytest.approx(1.0)
    assert sh[0, 0] < 1e-6 and sh[0, 1] > 0.1 and sh[0, 2] > 0.1  # the two "a" answers share the vote
    assert label_shares(ExampleSet(exs), emb, "q2", vec, classes, k=3, temperature=0.05) is None


# -- fitted on the examples, out of fold; the reported rows only receive labels ---------------------


def _examples(n: int) -> list[GradedExample]:
    """Answers starting with a/b are Correct, c/d Partially correct, e Incorrect; the grader (below)
    scores Correct and Partially correct alike, so only the neighbours' labels tell them apart."""
    kinds = [("a", 1.0, "Correct"), ("b", 1.0, "Correct"), ("c", 0.5, "Partially correct")]
    kinds += [("d", 0.5, "Partially correct"), ("e", 0.0, "Incorrect")]
    return [
        GradedExample("q1", f"{k[0]} answer {i}", score=k[1], max_score=1, label=k[2])
        for i, k in enumerate(kinds[j % 5] for j in range(n))
    ]


def _grade(grader: Any, data: CalibrationData, bank: Any, label: str) -> GradedScores:
    return GradedScores([0.1 if r.answer.startswith("e") else 0.8 for r in data.rows])


def test_the_model_is_fitted_on_the_examples_and_labels_new_rows_by_their_neighbours() -> None:
    exs = ExampleSet(_examples(50))
    emb = _Embedder()
    plain = SimpleNamespace(settings=Settings(backend="local", use_cache=False), store=None)
    fit = fit_from_examples(plain, exs, None, _grade, seed=0, embedder=emb, rule=RULE)
    assert fit.model is not None and fit.thresholds is not None
    assert fit.model_source.startswith(DESCRIPTION) and "50 labelled graded examples" in fit.model_source
    rows = [("q1", "a new answer", 0.8), ("q1", "d new answer", 0.8), ("q1", "e new", 0.1), ("q2", "a x", 0.8)]
    rows += [("q1", "b unscored", None)]
    got = predict_labels(fit, exs, rows, embedder=emb, rule=RULE)
    assert got[:3] == ["Correct", "Partially correct", "Incorrect"]
    assert got[3] == labels_from_scores([0.8], fit.thresholds)[0]  # no labelled example of q2: the thresholds
    assert got[4] is None
    # thresholds alone put both 0.8s in one class
    assert len(set(labels_from_scores([0.8, 0.8], fit.thresholds))) == 1


def test_the_reported_rows_labels_never_reach_the_fit() -> None:
    exs = ExampleSet(_examples(50))
    emb = _Embedder()
    plain = SimpleNamespace(settings=Settings(backend="local", use_cache=False), store=None)
    seen: list[str] = []

    def grade(grader: Any, data: CalibrationData, bank: Any, label: str) -> GradedScores:
        seen.extend(r.answer for r in data.rows)
        return _grade(grader, data, bank, label)

    fit = fit_from_examples(plain, exs, None, grade, seed=0, embedder=emb, rule=RULE)
    assert sorted(seen) == sorted(e.answer for e in exs.for_question("q1"))  # only the examples are graded
    rows = [("q1", "a new answer", 0.8), ("q1", "c new answer", 0.8)]
    assert predict_labels(fit, exs, rows, embedder=emb, rule=RULE) == ["Correct", "Partially correct"]


def test_the_report_names_the_label_method() -> None:
    rows = [CalibrationRow(str(i), i + 2, "q1", f"answer {i}", s, 1.0, lab) for i, (s, lab) in enumerate(
        [(1.0, "Correct"), (0.5, "Partially correct"), (0.0, "Incorrect")])]  # fmt: skip
    data = CalibrationData("rows.csv", rows, [], has_labels=True)
    graded = GradedScores([0.8, 0.8, 0.1], labels=["Correct", "Partially correct", "Incorrect"])
    report = build_report(data, graded, labels_rule=f"{DESCRIPTION}, fitted on 3 examples")
    assert report.label_rule == f"{DESCRIPTION}, fitted on 3 examples" and report.accuracy == 1.0


# -- the score model's inputs -------------------------------------------------------------------------


def test_kernel_ridge_learns_a_direction_and_falls_back_to_the_prior_far_away() -> None:
    rng = np.random.default_rng(0)
    vecs = rng.normal(size=(40, 6))
    vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
    grades = np.clip(0.5 + 0.5 * vecs[:, 0], 0, 1)  # better answers lean along the first axis
    qm = question_model(vecs @ vecs.T, grades, np.zeros(40), np.zeros(40), width=0.5, penalty=0.1)
    good, bad = np.eye(6)[0], -np.eye(6)[0]
    up = score_features(qm, vecs @ good, 0.0, 0.0, k=10, temperature=0.05, width=0.5)
    down = score_features(qm, vecs @ bad, 0.0, 0.0, k=10, temperature=0.05, width=0.5)
    assert up.ridge > qm.prior + 0.15 and down.ridge < qm.prior - 0.15 and up.n == 40
    assert qm.prior == pytest.approx(grades.mean()) and qm.typical is not None
    tight = question_model(vecs @ vecs.T, grades, np.zeros(40), np.zeros(40), width=0.05, penalty=0.1)
    far = score_features(tight, np.full(40, -1.0), 0.0, 0.0, k=10, temperature=0.05, width=0.05)
    assert far.ridge == pytest.approx(tight.prior, abs=1e-6)  # nothing near: the question's prior


def test_reference_inputs_are_relative_to_the_questions_examples() -> None:
    sims = np.eye(3)
    lengths = np.array([1.0, 2.0, 3.0])
    qm = question_model(sims, np.array([0.0, 0.5, 1.0]), np.array([0.2, 0.4, 0.6]), lengths, width=1.0, penalty=0.3)
    x = score_features(qm, np.array([0.0, 0.0, 1.0]), 0.9, 3.5, k=3, temperature=0.01, width=1.0)
    assert x.reference == pytest.approx(0.9 - 0.4)  # minus the examples' mean
    assert x.reference_near == pytest.approx(0.9 - 0.6, abs=1e-3)  # minus its nearest neighbour's
    assert x.vote == pytest.approx(1.0, abs=1e-3)
    assert x.length_near == pytest.approx(3.5 - 3.0, abs=1e-3)  # longer than its nearest neighbour


def test_answer_length_is_log_one_plus_words() -> None:
    assert answer_length("") == 0.0
    assert answer_length("two words") == pytest.approx(math.log(3))
    assert answer_length("日本語") == pytest.approx(math.log(4))  # each CJK character is a word


def test_the_rule_row_and_base_agree() -> None:
    rule = DEFAULT_RULE
    grades, ref, lengths = (
        np.array([0.0, 0.5, 1.0, 1.0]),
        np.array([0.1, 0.2, 0.3, 0.4]),
        np.array([1.0, 2.0, 2.5, 3.0]),
    )
    qm = question_model(np.eye(4), grades, ref, lengths, 1.0, 0.3)
    for n_sims in ([0.9, 0.1, 0.2, 0.3], [0.1, 0.2, 0.3, 0.9]):
        x = score_features(qm, np.array(n_sims), 0.5, 2.2, rule.k, rule.temperature, rule.ridge_width)
        coef = np.array([getattr(rule, name) for name in BlendRule.COEFFICIENTS])
        assert np.array(rule.row(x, 0.4)) @ coef == pytest.approx(rule.base(x) + rule.rubric_weight(x.n) * 0.4)
    assert BlendRule(ridge=0.5).version != BlendRule(ridge=0.4).version  # every coefficient is in the cache key
    # the length term is computed but fitted out: with it, padding an answer with filler paid (_blend.DEFAULT_RULE)
    assert x.length_near != 0 and rule.length_near == 0
    assert rule.version.startswith("b4-")

#!/usr/bin/env python3
"""Fit the embedded judge's use of graded examples (:class:`grader.examples._blend.BlendRule`) on SAF's
*training* split only, by cross-validation, and print the coefficients and the CV figures.

    python scripts/fit_examples_blend.py [--saf ../shared/datasets/saf/saf_en.csv] [--folds 5] [--seed 0]

Protocol (the reported split, ``unseen_answers``, is never read): every training answer is graded by
the embedded judge without examples (its verified score fraction ``r``); its neighbours are the
*other* training answers of its question (leave one out), as the examples would be at run time. For
each (``k``, ``temperature``) on a small grid the features are the neighbours' softmax-weighted vote
``v``, the top similarity minus the question's typical one ``d``, and ``r``; a least-squares line
``score ~ 1 + v + d + r`` is fitted and scored by ``--folds``-fold cross-validation (Pearson, RMSE,
label accuracy and macro-F1 at the calibration's fixed thresholds 0.35 / 0.75). The best (``k``,
``temperature``) by CV Pearson is refitted on all training rows; paste the printed rule into
``DEFAULT_RULE``. Takes a few minutes (the embedded judge grades 2,127 answers).
"""

from __future__ import annotations

import argparse

import numpy as np

from grader.agreement import metrics as M
from grader.agreement.measure import CalibrationColumns, labels_from_scores, read_calibration_csv, rubric_for, saf_bank
from grader.judges.local.embedding import get_embedder
from grader.judges.local.judge import LocalJudge
from grader.scoring import score_verdict


def features(vecs: np.ndarray, human: np.ndarray, questions: np.ndarray, k: int, t: float) -> np.ndarray:
    """Per row: the leave-one-out vote and the similarity offset (see the module docstring)."""
    sims = vecs @ vecs.T
    same = (questions[:, None] == questions[None, :]) & ~np.eye(len(questions), dtype=bool)
    sims = np.where(same, sims, -np.inf)
    top1 = sims.max(axis=1)
    out = np.zeros((len(human), 2))
    for q in np.unique(questions):
        rows = np.flatnonzero(questions == q)
        typical = top1[rows].mean()
        for i in rows:
            order = np.argsort(-sims[i], kind="stable")[:k]
            top = sims[i, order]
            w = np.exp((top - top.max()) / t)
            out[i] = (w @ human[order] / w.sum(), top1[i] - typical)
    return out


def evaluate(pred: np.ndarray, human: np.ndarray, labels: list[str]) -> tuple[float, float, float, float]:
    got = labels_from_scores(pred)
    return (M.pearson(pred, human), M.rmse(pred, human), M.accuracy(labels, got), M.macro_f1(labels, got))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--saf", default="../shared/datasets/saf/saf_en.csv")
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    data = read_calibration_csv(args.saf, CalibrationColumns(), split="training")
    bank = saf_bank(args.saf)
    rows = data.rows
    judge = LocalJudge()
    items = [(rubric_for(bank, r.question_id), r.answer) for r in rows]
    rubric_fraction = []
    for i in range(0, len(items), 32):
        for (rubric, answer), o in zip(items[i : i + 32], judge.judge_many(items[i : i + 32])):
            rubric_fraction.append(score_verdict(rubric, answer, o.verdict, []).score / rubric.max_score)
    r = np.array(rubric_fraction)
    human = np.array([row.human for row in rows])
    labels = [row.label or "" for row in rows]
    questions = np.array([row.question_id for row in rows])
    vecs = get_embedder().encode([row.answer for row in rows])
    folds = np.random.default_rng(args.seed).integers(0, args.folds, len(rows))
    best = None
    for k in (10, 20, 30):
        for t in (0.02, 0.05, 0.1):
            x = np.c_[np.ones(len(rows)), features(vecs, human, questions, k, t), r]
            pred = np.zeros(len(rows))
            for f in range(args.folds):
                tr, te = folds != f, folds == f
                coef = np.linalg.lstsq(x[tr], human[tr], rcond=None)[0]
                pred[te] = x[te] @ coef
            scores = evaluate(np.clip(pred, 0, 1), human, labels)
            print(
                f"k={k} temperature={t}: CV Pearson {scores[0]:.3f} RMSE {scores[1]:.3f} "
                f"accuracy {scores[2]:.3f} macro-F1 {scores[3]:.3f}"
            )
            if best is None or scores[0] > best[0][0]:
                best = (scores, k, t, np.linalg.lstsq(x, human, rcond=None)[0])
    assert best is not None
    scores, k, t, coef = best
    vote_only = evaluate(features(vecs, human, questions, k, t)[:, 0], human, labels)
    print(f"best: k={k} temperature={t} coefficients (intercept, vote, similarity, rubric) = {np.round(coef, 3)}")
    print(f"CV: Pearson {scores[0]:.3f} RMSE {scores[1]:.3f} accuracy {scores[2]:.3f} macro-F1 {scores[3]:.3f}")
    print("the vote alone: Pearson {:.3f} RMSE {:.3f} accuracy {:.3f} macro-F1 {:.3f}".format(*vote_only))


if __name__ == "__main__":
    main()

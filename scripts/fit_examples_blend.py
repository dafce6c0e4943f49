#!/usr/bin/env python3
"""Fit the embedded judge's use of graded examples (:class:`grader.examples._blend.BlendRule`) on SAF's
*training* split only, by cross-validation grouped by question, and print the rule and the CV figures.

    python scripts/fit_examples_blend.py [--saf ../shared/datasets/saf/saf_en.csv] [--languages en,de] [--seed 0]

Protocol (the reported splits, ``unseen_*``, are never read): every training answer is graded by the
embedded judge without examples (its verified score fraction ``r``; the rubrics are built with
``--languages``, as ``grader calibrate --languages`` does). Its examples are the *other* training
answers of its question (leave one out) — all of them, or a seeded draw of ``K`` ∈ {20, 10, 5, 3} of
them, so the rule learns how far to trust few examples (one stacked fit over all sizes). Features, as
:class:`BlendRule` computes them at run time: the neighbours' ``softmax(similarity / temperature)``
vote ``v`` over the ``k`` (30) nearest, the top similarity minus the question's typical one ``d``,
``r``, the mean human grade of the question's examples ``m``, and, with ``s = 1/√max(n, 3)`` for ``n``
examples, the products ``s·v``, ``s·r``, ``s·m``. ``d`` is clipped to ±0.4 (the training range). The
least-squares fit has no intercept: a constant would be SAF's overall mean grade, which says nothing
about another question or dataset (the question's own level comes from ``m``). It is fitted per
``temperature`` on the grid and scored by 5-fold CV with the folds *by question* (a question's rows are
all in one fold): Pearson and RMSE with all examples and with 10 per question. The temperature with the
best mean of those two Pearsons is refitted on all rows; paste the printed rule into ``DEFAULT_RULE``.
Takes a few minutes (the embedded judge grades 2,127 answers).
"""

from __future__ import annotations

import argparse

import numpy as np

from grader.agreement import metrics as M
from grader.agreement.measure import CalibrationColumns, read_calibration_csv, rubric_for, saf_bank
from grader.judges.local.embedding import get_embedder
from grader.judges.local.judge import LocalJudge
from grader.scoring import score_verdict

SIZES = (None, 20, 10, 5, 3)  # examples per question the rule is fitted for (None: all the others)
NAMES = ("vote", "similarity", "rubric", "prior", "few_vote", "few_rubric", "few_prior")
MAX_OFFSET = 0.4  # |d| is clipped here: about the training range with 3 examples (beyond, no data to fit on)


def features(
    sims: np.ndarray,
    human: np.ndarray,
    r: np.ndarray,
    questions: np.ndarray,
    size: int | None,
    k: int,
    t: float,
    seed: int,
) -> np.ndarray:
    """The design matrix (columns as :data:`NAMES`), each row's examples the other rows of its
    question (``size`` of them drawn, or all)."""
    rng = np.random.default_rng(seed)
    x = np.zeros((len(human), len(NAMES)))
    for q in np.unique(questions):
        rows = np.flatnonzero(questions == q)
        for i in rows:
            pool = rows[rows != i]
            if size is not None and len(pool) > size:
                pool = rng.choice(pool, size, replace=False)
            s_all = sims[i, pool]
            order = np.argsort(-s_all, kind="stable")[:k]
            top = s_all[order]
            w = np.exp((top - top.max()) / t)
            vote = w @ human[pool[order]] / w.sum()
            inner = sims[np.ix_(pool, pool)].copy()
            np.fill_diagonal(inner, -np.inf)
            offset = top[0] - inner.max(axis=1).mean() if len(pool) > 1 else 0.0
            offset = min(MAX_OFFSET, max(-MAX_OFFSET, offset))
            prior = human[pool].mean()
            s = 1 / np.sqrt(max(len(pool), 3))
            x[i] = (vote, offset, r[i], prior, s * vote, s * r[i], s * prior)
    return x


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--saf", default="../shared/datasets/saf/saf_en.csv")
    ap.add_argument("--languages", default="en,de")
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    data = read_calibration_csv(args.saf, CalibrationColumns(), split="training")
    bank = saf_bank(args.saf, languages=tuple(args.languages.split(",")))
    rows = data.rows
    judge = LocalJudge()
    items = [(rubric_for(bank, row.question_id), row.answer) for row in rows]
    fractions = []
    for i in range(0, len(items), 32):
        for (rubric, answer), o in zip(items[i : i + 32], judge.judge_many(items[i : i + 32])):
            fractions.append(score_verdict(rubric, answer, o.verdict, []).score / rubric.max_score)
    r = np.array(fractions)
    human = np.array([row.human for row in rows])
    questions = np.array([rubric_for(bank, row.question_id).id for row in rows])
    vecs = get_embedder().encode([row.answer for row in rows])
    sims = vecs @ vecs.T
    order = np.random.default_rng(args.seed).permutation(np.unique(questions))
    fold_of = {q: i % args.folds for i, q in enumerate(order)}
    fold = np.array([fold_of[q] for q in questions])
    print(f"{len(rows)} training answers of {len(order)} questions; the rubric judgment alone: Pearson "
          f"{M.pearson(r, human):.3f}")  # fmt: skip
    best = None
    for t in (0.02, 0.05, 0.1):
        xs = {size: features(sims, human, r, questions, size, 30, t, args.seed) for size in SIZES}
        pred = {size: np.zeros(len(rows)) for size in (None, 10)}
        for f in range(args.folds):
            train, test = fold != f, fold == f
            coef = np.linalg.lstsq(
                np.vstack([xs[s][train] for s in SIZES]), np.tile(human[train], len(SIZES)), rcond=None
            )[0]
            for size in pred:
                pred[size][test] = np.clip(xs[size][test] @ coef, 0, 1)
        scores = {size: (M.pearson(p, human), M.rmse(p, human)) for size, p in pred.items()}
        print(
            f"temperature={t}: grouped CV, all examples: Pearson {scores[None][0]:.3f} RMSE {scores[None][1]:.3f}; "
            f"10 per question: Pearson {scores[10][0]:.3f} RMSE {scores[10][1]:.3f}"
        )
        mean = (scores[None][0] + scores[10][0]) / 2
        if best is None or mean > best[0]:
            full = np.linalg.lstsq(np.vstack([xs[s] for s in SIZES]), np.tile(human, len(SIZES)), rcond=None)[0]
            best = (mean, t, full)
    assert best is not None
    _, t, coef = best
    print(f"best temperature {t}; DEFAULT_RULE = BlendRule(k=30, temperature={t}, max_offset={MAX_OFFSET}, "
          + ", ".join(f"{name}={c:.3f}" for name, c in zip(NAMES, coef)) + ")")  # fmt: skip


if __name__ == "__main__":
    main()

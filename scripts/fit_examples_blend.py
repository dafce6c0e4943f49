#!/usr/bin/env python3
"""Fit the embedded judge's use of graded examples (:class:`grader.examples._blend.BlendRule`) on SAF's
*training* split only, by cross-validation grouped by question, and print the rule and the CV figures.

    python scripts/fit_examples_blend.py [--saf ../shared/datasets/saf/saf_en.csv] [--languages en,de] [--seed 0]

Protocol (the reported splits, ``unseen_*``, are never read): every training answer is graded by the
embedded judge without examples (its verified score fraction ``r``; the rubrics are built with
``--languages``, as ``grader calibrate --languages`` does). Its examples are the *other* training
answers of its question (leave one out) — all of them, or a seeded draw of ``K`` ∈ {20, 10, 5, 3} of
them, so the rule learns how far to trust few examples (one stacked fit over all sizes). The features
are computed by the functions the judge itself uses (:func:`grader.examples._score.question_model`,
:func:`~grader.examples._score.score_features`, :meth:`BlendRule.row`): the softmax vote over the ``k``
(30) nearest, the top similarity's offset, ``r``, the question's mean grade, the per-question kernel
ridge prediction, the answer's similarity to the rubric's text relative to the examples' and to its
neighbours', and the few-examples products. The least-squares fit has no intercept: a constant would
be SAF's overall mean grade, which says nothing about another question or dataset (the question's own
level comes from its mean grade). It is fitted for each softmax ``temperature`` and ridge ``width`` on
the grid (penalty 0.3) and scored by 5-fold CV with the folds *by question* (a question's rows are all
in one fold): Pearson and RMSE with all examples and with 10 per question. The setting with the best
mean of those two Pearsons is refitted on all rows; paste the printed rule into ``DEFAULT_RULE``.
Takes about 10 minutes on a loaded 2-core machine (the embedded judge grades and embeds 2,127 answers,
then 2 × 3 feature passes).
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from grader.agreement import metrics as M
from grader.agreement.measure import CalibrationColumns, read_calibration_csv, rubric_for, saf_bank
from grader.examples._blend import BlendRule
from grader.examples._score import question_model, rubric_text, score_features
from grader.judges.local.embedding import get_embedder
from grader.judges.local.judge import LocalJudge
from grader.scoring import score_verdict

SIZES = (None, 20, 10, 5, 3)  # examples per question the rule is fitted for (None: all the others)
TEMPERATURES = (0.02, 0.05, 0.1)
WIDTHS = (0.5, 1.0)
PENALTY = 0.3
MAX_OFFSET = 0.4  # |d| is clipped here: about the training range with 3 examples (beyond, no data to fit on)


def design(
    sims: np.ndarray,
    ref: np.ndarray,
    human: np.ndarray,
    r: np.ndarray,
    questions: np.ndarray,
    size: int | None,
    rule: BlendRule,
    seed: int,
) -> np.ndarray:
    """The design matrix (columns :attr:`BlendRule.COEFFICIENTS`), each row's examples the other rows of
    its question (``size`` of them drawn, or all)."""
    rng = np.random.default_rng(seed)
    x = np.zeros((len(human), len(BlendRule.COEFFICIENTS)))
    for q in np.unique(questions):
        rows = np.flatnonzero(questions == q)
        for i in rows:
            pool = rows[rows != i]
            if size is not None and len(pool) > size:
                pool = rng.choice(pool, size, replace=False)
            qm = question_model(sims[np.ix_(pool, pool)], human[pool], ref[pool], rule.ridge_width, rule.ridge_penalty)
            feats = score_features(qm, sims[i, pool], ref[i], rule.k, rule.temperature, rule.ridge_width)
            x[i] = rule.row(feats, r[i])
    return x


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--saf", default="../shared/datasets/saf/saf_en.csv")
    ap.add_argument("--languages", default="en,de")
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    start = time.monotonic()
    data = read_calibration_csv(args.saf, CalibrationColumns(), split="training")
    bank = saf_bank(args.saf, languages=tuple(args.languages.split(",")))
    rows = data.rows
    judge = LocalJudge()
    rubrics = [rubric_for(bank, row.question_id) for row in rows]
    items = [(rubric, row.answer) for rubric, row in zip(rubrics, rows)]
    fractions = []
    for i in range(0, len(items), 32):
        for (rubric, answer), o in zip(items[i : i + 32], judge.judge_many(items[i : i + 32])):
            fractions.append(score_verdict(rubric, answer, o.verdict, []).score / rubric.max_score)
    r = np.array(fractions)
    human = np.array([row.human for row in rows])
    questions = np.array([rubric.id for rubric in rubrics])
    embedder = get_embedder()
    vecs = np.asarray(embedder.encode([row.answer for row in rows]), dtype=np.float64)
    texts = sorted({rubric.id: rubric_text(rubric) for rubric in rubrics}.items())
    text_vecs = dict(zip([q for q, _ in texts], np.asarray(embedder.encode([t for _, t in texts]), dtype=np.float64)))
    ref = np.array([vecs[i] @ text_vecs[q] for i, q in enumerate(questions)])
    sims = vecs @ vecs.T
    order = np.random.default_rng(args.seed).permutation(np.unique(questions))
    fold_of = {q: i % args.folds for i, q in enumerate(order)}
    fold = np.array([fold_of[q] for q in questions])
    print(f"{len(rows)} training answers of {len(order)} questions; the rubric judgment alone: Pearson "
          f"{M.pearson(r, human):.3f}")  # fmt: skip
    best = None
    for t in TEMPERATURES:
        for width in WIDTHS:
            rule = BlendRule(k=30, temperature=t, max_offset=MAX_OFFSET, ridge_width=width, ridge_penalty=PENALTY)
            xs = {size: design(sims, ref, human, r, questions, size, rule, args.seed) for size in SIZES}
            pred = {size: np.zeros(len(rows)) for size in (None, 10)}
            for f in range(args.folds):
                train, test = fold != f, fold == f
                stacked = np.vstack([xs[s][train] for s in SIZES])
                coef = np.linalg.lstsq(stacked, np.tile(human[train], len(SIZES)), rcond=None)[0]
                for size in pred:
                    pred[size][test] = np.clip(xs[size][test] @ coef, 0, 1)
            scores = {size: (M.pearson(p, human), M.rmse(p, human)) for size, p in pred.items()}
            print(
                f"temperature={t} width={width}: grouped CV, all examples: Pearson {scores[None][0]:.3f} "
                f"RMSE {scores[None][1]:.3f}; 10 per question: Pearson {scores[10][0]:.3f} RMSE {scores[10][1]:.3f}",
                flush=True,
            )
            mean = (scores[None][0] + scores[10][0]) / 2
            if best is None or mean > best[0]:
                full = np.linalg.lstsq(np.vstack([xs[s] for s in SIZES]), np.tile(human, len(SIZES)), rcond=None)[0]
                best = (mean, rule, full)
    assert best is not None
    _, rule, coef = best
    print(
        f"best temperature {rule.temperature}, width {rule.ridge_width}; DEFAULT_RULE = BlendRule(k=30, "
        f"temperature={rule.temperature}, max_offset={MAX_OFFSET}, ridge_width={rule.ridge_width}, "
        f"ridge_penalty={PENALTY}, " + ", ".join(f"{n}={c:.3f}" for n, c in zip(BlendRule.COEFFICIENTS, coef)) + ")"
    )
    print(f"took {time.monotonic() - start:.0f} s")


if __name__ == "__main__":
    main()

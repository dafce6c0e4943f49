#!/usr/bin/env python3
"""Fit the embedded judge's use of graded examples (:class:`grader.examples._blend.BlendRule`) on SAF's
*training* split only, by cross-validation grouped by question, and print the rule and the CV figures.

    python scripts/fit_examples_blend.py [--saf ../shared/datasets/saf/saf_en.csv] [--languages en,de] [--seed 0]

Protocol (the reported splits, ``unseen_*``, are never read): every training answer is graded by the
embedded judge without examples (its verified score fraction ``r``; the rubrics are built with
``--languages``, as ``grader calibrate --languages`` does). For the fit, its examples are the *other*
training answers of its question (leave one out) — all of them, or a seeded draw of ``K`` ∈ {20, 10,
5, 3} of them, so the rule learns how far to trust few examples (one stacked fit over all sizes). The
features are computed by the functions the judge itself uses (:func:`grader.examples._score.question_model`,
:func:`~grader.examples._score.score_features`, :meth:`BlendRule.row`): the softmax vote over the ``k``
(30) nearest, the top similarity's offset, ``r``, the question's mean grade, the per-question kernel
ridge prediction, the answer's similarity to the rubric's text relative to the examples' and to its
neighbours', its length relative to its neighbours', and the few-examples products. The least-squares
fit has no intercept: a constant would be SAF's overall mean grade, which says nothing about another
question or dataset (the question's own level comes from its mean grade). It is fitted for each softmax
``temperature`` and ridge ``width`` on the grid (penalty 0.3) and scored by 5-fold CV with the folds
*by question* (a question's rows are all in one fold), three ways:

- **all**: each answer graded with all the other training answers of its question;
- **10, calibrate's draw**: exactly ``grader calibrate --examples-per-question 10 --seed S``'s protocol
  — the same draw code (:func:`grader.examples._calibrate.draw_per_question`), one draw of 10
  examples per question shared by all its answers, the question's *other* answers graded — for seeds
  ``0 … --draws − 1``: the mean Pearson and its spread over the draws (this is what is reported);
- **10, a draw per answer** (the fit's own pools; averages the draw away, so it reads higher).

The setting with the best mean of the "all" and the "calibrate's draw" Pearsons is refitted on all
rows; paste the printed rule into ``DEFAULT_RULE``. ``--drop NAME,…`` fits without some coefficients
(``--drop length_near`` is the previous rule, b3), for an ablation on the same folds and draws.
Takes about 8 minutes on a loaded 2-core machine (the embedded judge grades and embeds 2,127 answers,
then, for each of the 6 settings, 5 leave-one-out feature passes and 10 draws).
"""

from __future__ import annotations

import argparse
import time
from dataclasses import dataclass

import numpy as np

from grader.agreement import metrics as M
from grader.agreement.measure import CalibrationColumns, read_calibration_csv, rubric_for, saf_bank
from grader.examples._blend import BlendRule
from grader.examples._calibrate import draw_per_question
from grader.examples._score import answer_length, question_model, rubric_text, score_features
from grader.judges.local.embedding import get_embedder
from grader.judges.local.judge import LocalJudge
from grader.scoring import score_verdict

SIZES = (None, 20, 10, 5, 3)  # examples per question the rule is fitted for (None: all the others)
TEMPERATURES = (0.02, 0.05, 0.1)
WIDTHS = (0.5, 1.0)
PENALTY = 0.3
MAX_OFFSET = 0.4  # |d| is clipped here: about the training range with 3 examples (beyond, no data to fit on)


@dataclass(frozen=True)
class Answers:
    """The training answers as the fit sees them: cosines between answers, to the rubric's text, lengths,
    human grades (0–1), rubric judgments ``r`` and question ids (rubric ids, file order)."""

    sims: np.ndarray
    ref: np.ndarray
    lengths: np.ndarray
    human: np.ndarray
    r: np.ndarray
    questions: np.ndarray

    def rows(self, rule: BlendRule, pool: np.ndarray, targets: np.ndarray) -> np.ndarray:
        """The design rows of ``targets`` graded with the examples ``pool`` (the judge's own functions)."""
        pp = np.ix_(pool, pool)
        qm = question_model(
            self.sims[pp], self.human[pool], self.ref[pool], self.lengths[pool], rule.ridge_width, rule.ridge_penalty
        )
        out = []
        for i in targets:
            feats = score_features(
                qm, self.sims[i, pool], self.ref[i], self.lengths[i], rule.k, rule.temperature, rule.ridge_width
            )
            out.append(rule.row(feats, self.r[i]))
        return np.array(out)


def design(a: Answers, size: int | None, rule: BlendRule, seed: int) -> np.ndarray:
    """The design matrix (columns :attr:`BlendRule.COEFFICIENTS`), each row's examples the other rows of
    its question (``size`` of them drawn for each row, or all)."""
    rng = np.random.default_rng(seed)
    x = np.zeros((len(a.human), len(BlendRule.COEFFICIENTS)))
    for q in np.unique(a.questions):
        rows = np.flatnonzero(a.questions == q)
        for i in rows:
            pool = rows[rows != i]
            if size is not None and len(pool) > size:
                pool = rng.choice(pool, size, replace=False)
            x[i] = a.rows(rule, pool, np.array([i]))[0]
    return x


def calibrate_draw(a: Answers, k: int, seed: int, rule: BlendRule) -> tuple[np.ndarray, np.ndarray]:
    """``grader calibrate --examples-per-question k --seed seed``'s protocol on the training answers:
    its draw of ``k`` examples per question (:func:`draw_per_question`, the same code), every other
    answer of the question graded with them. The design rows and the indices of the answers graded."""
    by_q = {str(q): np.flatnonzero(a.questions == q) for q in np.unique(a.questions)}
    drawn = draw_per_question({q: len(rows) for q, rows in by_q.items()}, k, seed)
    xs, graded = [], []
    for q, chosen in drawn.items():
        pool = by_q[q][chosen]
        rest = np.setdiff1d(by_q[q], pool)
        if len(rest):
            xs.append(a.rows(rule, pool, rest))
            graded.append(rest)
    return np.vstack(xs), np.concatenate(graded)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--saf", default="../shared/datasets/saf/saf_en.csv")
    ap.add_argument("--languages", default="en,de")
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--draws", type=int, default=10, help="seeds of calibrate's draw of 10 examples per question")
    ap.add_argument(
        "--drop",
        default="",
        help="coefficients to leave out (comma-separated, e.g. length_near: the previous rule b3), for an ablation",
    )
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
    lengths = np.array([answer_length(row.answer) for row in rows])
    a = Answers(vecs @ vecs.T, ref, lengths, human, r, questions)
    dropped = [BlendRule.COEFFICIENTS.index(n) for n in args.drop.split(",") if n]
    order = np.random.default_rng(args.seed).permutation(np.unique(questions))
    fold_of = {q: i % args.folds for i, q in enumerate(order)}
    fold = np.array([fold_of[q] for q in questions])
    print(f"{len(rows)} training answers of {len(order)} questions; the rubric judgment alone: Pearson "
          f"{M.pearson(r, human):.3f}")  # fmt: skip
    best = None
    for t in TEMPERATURES:
        for width in WIDTHS:
            rule = BlendRule(k=30, temperature=t, max_offset=MAX_OFFSET, ridge_width=width, ridge_penalty=PENALTY)
            xs = {size: design(a, size, rule, args.seed) for size in SIZES}
            draws = [calibrate_draw(a, 10, seed, rule) for seed in range(args.draws)]
            for x in [*xs.values(), *(x for x, _ in draws)]:
                x[:, dropped] = 0.0  # a zero column gets a zero coefficient (minimum-norm least squares)
            pred = {size: np.zeros(len(rows)) for size in (None, 10)}
            drawn_pred = [np.zeros(len(idx)) for _, idx in draws]
            for f in range(args.folds):
                train, test = fold != f, fold == f
                stacked = np.vstack([xs[s][train] for s in SIZES])
                coef = np.linalg.lstsq(stacked, np.tile(human[train], len(SIZES)), rcond=None)[0]
                for size in pred:
                    pred[size][test] = np.clip(xs[size][test] @ coef, 0, 1)
                for (x, idx), p in zip(draws, drawn_pred):
                    held = fold[idx] == f
                    p[held] = np.clip(x[held] @ coef, 0, 1)
            scores = {size: (M.pearson(p, human), M.rmse(p, human)) for size, p in pred.items()}
            drawn = np.array(
                [(M.pearson(p, human[idx]), M.rmse(p, human[idx])) for p, (_, idx) in zip(drawn_pred, draws)]
            )
            print(
                f"temperature={t} width={width}: grouped CV, all examples: Pearson {scores[None][0]:.3f} "
                f"RMSE {scores[None][1]:.3f}; 10 per question, calibrate's draw (seeds 0-{args.draws - 1}): "
                f"Pearson {drawn[:, 0].mean():.3f} ± {drawn[:, 0].std():.3f} (min {drawn[:, 0].min():.3f}) "
                f"RMSE {drawn[:, 1].mean():.3f}; a draw per answer: Pearson {scores[10][0]:.3f} "
                f"RMSE {scores[10][1]:.3f}",
                flush=True,
            )
            mean = (scores[None][0] + drawn[:, 0].mean()) / 2
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

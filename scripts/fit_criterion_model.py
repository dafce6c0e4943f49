#!/usr/bin/env python3
"""Fit the embedded judge's per-criterion model and write ``grader/judges/local/data/criterion_model.json``.

    python scripts/fit_criterion_model.py [--dev ../shared/datasets/criteria-dev/answers.jsonl]
        [--own datasets/criteria-own/answers.jsonl …] [--train-only datasets/criteria-own/answers3.jsonl …]
        [--saf ../shared/datasets/saf/saf_en.csv]
        [--out grader/judges/local/data/criterion_model.json] [--dry-run]
    python scripts/fit_criterion_model.py --reference-only     # refit only the 'reference' profile
    python scripts/fit_criterion_model.py --keep-reference     # refit only the 'hint' profile

Data: answers with a human level per criterion (the shared development set, and our own labelled set
``datasets/criteria-own/``). The questions listed in ``datasets/criteria-own/holdout_questions.txt``
(10 of the 50, drawn at random with a fixed seed before any fitting) are never used to fit or tune
anything: every row about them, from either file, is set aside and only graded at the end.

Fit (on the other 40 questions only): the signals of :mod:`grader.judges.local.signals` are computed
by the run-time judge; two binary models (level ≥ partial, level = full) on the standardised
features — L2-regularised logistic regressions or gradient-boosted depth-2 trees (:data:`SPECS`) —;
the model family, its strength and the two probability thresholds are chosen by 5-fold
cross-validation grouped by question, maximising exact level agreement among the settings that credit
at most 15 % of the criteria a human marks missing. Under the ``hint`` profile a criterion the
answer dismisses is missing (``dismissed_missing``); that rule and the ``word_*`` signals were chosen
by the same tuning CV (exact agreement 0.729 → 0.747, see the README).

The ``reference`` profile (rubrics built from a reference answer, e.g. SAF's) has no criterion
labels to learn from: a rule of four thresholds on two signals (the best passage's similarity to the
clause, the share of its key terms the answer uses) is fitted on SAF's *training* split against the
answers' human scores (see :func:`fit_reference`), with grouped cross-validation by question on
training reported beside it. Under it a passage in the reference's own words keeps its level (no
restatement cap: :data:`REFERENCE_RESTATED_PARTIAL`).

Reported (and stored under ``results``): grouped cross-validation by question on the shared dev set
(all 50 questions), and the held-out questions graded by the final model.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from grader.judges.local.judge import LocalJudge  # noqa: E402
from grader.judges.local.model import MODEL_FILE, RULE_KEYS, CriterionModel, Profile, Trees, load_model  # noqa: E402
from grader.judges.local.signals import FEATURES  # noqa: E402
from grader.rubric import default_bank  # noqa: E402

LEVELS = {"missing": 0, "partial": 1, "full": 2}
MAX_MISSING_CREDIT = 0.15
#: Answers whose levels turn on correctness, which the embedded judge does not judge (it checks
#: coverage): fitting on them only teaches it that covering a point is sometimes worth nothing.
#: They are still graded in every figure reported on held-out questions.
FIT_EXCLUDED_KINDS = frozenset({"wrong"})
#: the model families tried by grouped cross-validation: L2-regularised logistic regression with
#: strength C, or gradient-boosted depth-2 trees under monotonic constraints (learning rate, trees,
#: smallest leaf)
SPECS: tuple[tuple, ...] = (
    ("logistic", 0.03),
    ("logistic", 0.1),
    ("logistic", 0.3),
    ("logistic", 1.0),
    ("boosted", 0.05, 200, 20),
    ("boosted", 0.1, 100, 20),
)
T_GRID = tuple(round(x, 2) for x in np.arange(0.3, 0.76, 0.05))


def load_rows(path: Path, source: str) -> list[dict]:
    rows = []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                row = json.loads(line)
                row["source"] = source
                rows.append(row)
    return rows


def featurise(judge: LocalJudge, bank, rows: list[dict]):
    X, y, groups, meta = [], [], [], []
    for k, row in enumerate(rows):
        rubric = bank.get(row["question_id"])
        sigs, _ = judge.signals(rubric, row["answer"])
        for c, sig in zip(rubric.criteria, sigs):
            X.append(sig.features)
            y.append(LEVELS[row["labels"][c.id]])
            groups.append(rubric.id)
            meta.append((k, c.weight, sig.restated))
    return np.asarray(X, dtype=np.float64), np.asarray(y), np.asarray(groups), meta


#: features along which more can never mean less credit (and ``dismissed``, which never means more):
#: the boosted trees are fitted under these monotonic constraints, as the logistic models are by their
#: form, so that a sentence closer to the criterion or using more of its key terms never lowers a level
INCREASING = frozenset(
    {
        "similarity",
        "similarity_text",
        "similarity_fragment",
        "above_question",
        "specificity",
        "owns_passage",
        "key_terms",
        "best_fragment",
        "worst_fragment",
        "terms_in_passage",
        "strongest_term",
        "pair_similarity",
        "word_terms",
        "word_best_fragment",
        "word_worst_fragment",
        "word_terms_in_passage",
    }
)
MONOTONIC = [1 if f in INCREASING else -1 if f == "dismissed" else 0 for f in FEATURES]


def _trees(m) -> dict:
    """A fitted binary HistGradientBoostingClassifier as :class:`Trees` JSON. Its leaf values already
    carry the learning rate, so ``rate`` is 1 and ``base`` is its baseline log-odds. (Reads the
    estimator's fitted predictors; a test checks the export reproduces ``predict_proba``.)"""
    trees = []
    for (predictor,) in m._predictors:
        nodes = predictor.nodes
        leaf = nodes["is_leaf"].astype(bool)
        trees.append(
            {
                "feature": [0 if lf else int(f) for f, lf in zip(nodes["feature_idx"], leaf)],
                "threshold": [0.0 if lf else float(t) for t, lf in zip(nodes["num_threshold"], leaf)],
                "left": [-1 if lf else int(c) for c, lf in zip(nodes["left"], leaf)],
                "right": [-1 if lf else int(c) for c, lf in zip(nodes["right"], leaf)],
                "value": [float(v) for v in nodes["value"]],
            }
        )
    return {"base": float(np.ravel(m._baseline_prediction)[0]), "rate": 1.0, "trees": trees}


def fit(X: np.ndarray, y: np.ndarray, spec: tuple) -> tuple[np.ndarray, np.ndarray, dict]:
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.linear_model import LogisticRegression

    mean, scale = X.mean(axis=0), X.std(axis=0)
    scale[scale < 1e-9] = 1.0
    Z = (X - mean) / scale
    out = {}
    for name, target in (("partial", y >= 1), ("full", y >= 2)):
        if spec[0] == "boosted":
            _, rate, n, leaf = spec
            m = HistGradientBoostingClassifier(
                max_depth=2,
                learning_rate=rate,
                max_iter=n,
                min_samples_leaf=leaf,
                monotonic_cst=MONOTONIC,
                early_stopping=False,
                random_state=0,
            ).fit(Z, target)
            out[name] = {"boosted": _trees(m)}
        else:
            m = LogisticRegression(C=spec[1], max_iter=5000).fit(Z, target)
            out[name] = {
                "coef": [round(float(v), 6) for v in m.coef_[0]],
                "intercept": round(float(m.intercept_[0]), 6),
            }
    return mean, scale, out


def model_from(mean, scale, params, t_partial, t_full, extra_profiles=None, source="") -> CriterionModel:
    if "boosted" in params["partial"]:
        zero = tuple(0.0 for _ in FEATURES)
        hint = Profile(
            zero,
            0.0,
            zero,
            0.0,
            t_partial,
            t_full,
            trees_partial=Trees.from_json(params["partial"]["boosted"]),
            trees_full=Trees.from_json(params["full"]["boosted"]),
            dismissed_missing=True,
        )
    else:
        hint = Profile(
            tuple(params["partial"]["coef"]),
            params["partial"]["intercept"],
            tuple(params["full"]["coef"]),
            params["full"]["intercept"],
            t_partial,
            t_full,
            dismissed_missing=True,
        )
    profiles = {"hint": hint, **(extra_profiles or {})}
    return CriterionModel(
        tuple(FEATURES),
        tuple(round(float(v), 6) for v in mean),
        tuple(round(float(v), 6) for v in scale),
        profiles,
        source,
    )


def predict(model: CriterionModel, X: np.ndarray, meta, kind: str = "hint") -> np.ndarray:
    levels = model.levels(X, kind)
    pred = np.array([{"missing": 0, "partial": 1, "full": 2}[lv.value] for lv in levels])
    restated = np.array([m[2] for m in meta], dtype=bool)
    return np.where(restated & (pred == 2), 1, pred)


def figures(pred: np.ndarray, y: np.ndarray, meta, rows: list[dict]) -> dict:
    missing = y == 0
    answers: dict[int, list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0])
    for p, t, (k, w, _) in zip(pred, y, meta):
        answers[k][0] += w * p / 2
        answers[k][1] += w * t / 2
        answers[k][2] += w
    by_kind: dict[str, list[list[float]]] = defaultdict(lambda: [[], []])
    for k, (a, h, w) in answers.items():
        by_kind[rows[k]["kind"]][0].append(a / w)
        by_kind[rows[k]["kind"]][1].append(h / w)
    a = np.array([v[0] / v[2] for v in answers.values()])
    h = np.array([v[1] / v[2] for v in answers.values()])
    return {
        "criteria": len(y),
        "answers": len(answers),
        "exact_agreement": round(float((pred == y).mean()), 3),
        "credit_on_human_missing": round(float((pred[missing] > 0).mean()), 3) if missing.any() else None,
        "answer_score_pearson": round(float(np.corrcoef(a, h)[0, 1]), 3) if len(a) > 2 else None,
        "mean_score_by_kind": {
            kind: {
                "judge": round(float(np.mean(v[0])), 3),
                "human": round(float(np.mean(v[1])), 3),
                "answers": len(v[0]),
            }
            for kind, v in sorted(by_kind.items())
        },
    }


def _with_extra(X, y, train, test, groups, extra):
    """A fold's training rows, plus the train-only rows (``extra``: features, levels, questions) of the
    questions outside the fold's test questions."""
    if extra is None or not len(extra[1]):
        return X[train], y[train]
    Xe, ye, ge = extra
    keep = ~np.isin(ge, np.unique(groups[test]))
    return np.vstack([X[train], Xe[keep]]), np.concatenate([y[train], ye[keep]])


def grouped_oof(X, y, groups, meta, spec, t_partial, t_full, extra=None) -> np.ndarray:
    from sklearn.model_selection import GroupKFold

    pred = np.zeros(len(y), dtype=int)
    for train, test in GroupKFold(n_splits=5).split(X, y, groups):
        mean, scale, params = fit(*_with_extra(X, y, train, test, groups, extra), spec)
        model = model_from(mean, scale, params, t_partial, t_full)
        pred[test] = predict(model, X[test], [meta[i] for i in test])
    return pred


def dev_cv(Xd, yd, gd, md, Xo, yo, go, spec, t_partial, t_full) -> np.ndarray:
    """5-fold CV grouped by question over the shared dev set; each fold's model is fitted on the dev
    rows of the other folds plus our own rows of the (non-held-out) questions outside the fold."""
    from sklearn.model_selection import GroupKFold

    pred = np.zeros(len(yd), dtype=int)
    for train, test in GroupKFold(n_splits=5).split(Xd, yd, gd):
        test_q = set(gd[test])
        extra = np.array([q not in test_q for q in go], dtype=bool)
        Xt = np.vstack([Xd[train], Xo[extra]]) if len(Xo) else Xd[train]
        yt = np.concatenate([yd[train], yo[extra]]) if len(yo) else yd[train]
        mean, scale, params = fit(Xt, yt, spec)
        model = model_from(mean, scale, params, t_partial, t_full)
        pred[test] = predict(model, Xd[test], [md[i] for i in test])
    return pred


def choose(X, y, groups, meta, extra=None) -> tuple[float, float, float, dict]:
    """Grouped CV over the model families of :data:`SPECS`; for each, the out-of-fold probabilities
    are thresholded on a grid. ``extra`` (features, levels, questions): rows that only ever join
    training folds (``--train-only``), never the rows the agreement is measured on."""
    from sklearn.model_selection import GroupKFold

    best = None
    for spec in SPECS:
        p_part = np.zeros(len(y))
        p_full = np.zeros(len(y))
        for train, test in GroupKFold(n_splits=5).split(X, y, groups):
            mean, scale, params = fit(*_with_extra(X, y, train, test, groups, extra), spec)
            model = model_from(mean, scale, params, 0.5, 0.5)
            p_part[test], p_full[test] = model.probabilities(X[test])
        restated = np.array([m[2] for m in meta], dtype=bool)
        gate = Profile((), 0.0, (), 0.0)
        evidence = (X[:, FEATURES.index("similarity")] >= gate.min_similarity) | (
            X[:, FEATURES.index("key_terms")] >= gate.min_key_terms
        )
        evidence &= X[:, FEATURES.index("dismissed")] < 0.5  # the hint profile's dismissed_missing
        for tp in T_GRID:
            for tf in T_GRID:
                pred = np.where(p_full >= tf, 2, np.where(p_part >= tp, 1, 0))
                pred = np.where(restated & (pred == 2), 1, np.where(evidence, pred, 0))
                exact = float((pred == y).mean())
                credit = float((pred[y == 0] > 0).mean())
                key = (credit <= MAX_MISSING_CREDIT, exact, -credit)
                if best is None or key > best[0]:
                    best = (key, spec, tp, tf)
    _, spec, tp, tf = best
    return spec, tp, tf, {"exact_agreement": round(best[0][1], 3), "credit_on_human_missing": round(-best[0][2], 3)}


REFERENCE_SIMILARITY_GRID = tuple(round(x, 2) for x in np.arange(0.20, 0.81, 0.05))
REFERENCE_TERMS_GRID = tuple(round(x, 2) for x in np.arange(0.0, 0.81, 0.1))


def _rule_scores(X: np.ndarray, a: np.ndarray, w: np.ndarray, restated: np.ndarray, evidence: np.ndarray, rule):
    """Answer scores (Σ weight × level value / Σ weight) under a four-threshold rule."""
    fs, ft, ps, pt = rule
    sim, terms = X[:, FEATURES.index("similarity")], X[:, FEATURES.index("best_fragment")]
    value = np.where((sim >= fs) & (terms >= ft), 1.0, np.where((sim >= ps) | (terms >= pt), 0.5, 0.0))
    value = np.where(restated & (value == 1.0), 0.5, np.where(evidence, value, 0.0))
    return np.bincount(a, w * value) / np.bincount(a, w)


def _best_rule(X, a, w, restated, evidence, human):
    """The rule maximising Pearson r − 2 × RMSE of the answer scores against the human scores
    (chosen over plain RMSE by grouped cross-validation on SAF training: RMSE alone favours a nearly
    constant score, since SAF's human scores are lenient)."""
    best = None
    for fs in REFERENCE_SIMILARITY_GRID:
        for ft in REFERENCE_TERMS_GRID:
            for ps in REFERENCE_SIMILARITY_GRID:
                if ps > fs:
                    continue
                for pt in REFERENCE_TERMS_GRID:
                    score = _rule_scores(X, a, w, restated, evidence, (fs, ft, ps, pt))
                    if score.std() == 0:
                        continue
                    r = float(np.corrcoef(score, human)[0, 1])
                    rmse = float(np.sqrt(np.mean((score - human) ** 2)))
                    if best is None or r - 2 * rmse > best[0]:
                        best = (r - 2 * rmse, (fs, ft, ps, pt), r, rmse)
    return best


#: whether a passage restating a reference rubric caps its level at partial (:attr:`Profile.restated_partial`):
#: no — a reference answer's clauses are hidden from the candidate, so an answer in their words is a correct
#: answer. Chosen by grouped CV on SAF training (with the cap: Pearson 0.275, RMSE 0.323; without: 0.346,
#: 0.294; mean of six random question partitions, ``scripts/saf_reference_ablation.py``).
REFERENCE_RESTATED_PARTIAL = False
RESTATED_PARTIAL_FIELD = (
    "when false, a passage that restates the rubric keeps its level (only talk about what a good answer "
    "contains is still capped); absent or true: a restatement earns at most partial"
)


def _grouped_cv_rule(X, a, w, r, evidence, h, g) -> tuple[float, float]:
    """Grouped 5-fold CV by question: the rule fitted on 4/5 of the questions scores the other fifth
    (Pearson r and RMSE of the out-of-fold answer scores)."""
    from sklearn.model_selection import GroupKFold

    oof = np.zeros(len(h))
    for train_q, test_q in GroupKFold(5).split(h, groups=g):
        tr_rows = np.isin(a, train_q)
        remap = np.full(len(h), -1)
        remap[train_q] = np.arange(len(train_q))
        best = _best_rule(X[tr_rows], remap[a[tr_rows]], w[tr_rows], r[tr_rows], evidence[tr_rows], h[train_q])
        te_rows = np.isin(a, test_q)
        remap[test_q] = np.arange(len(test_q))
        oof[test_q] = _rule_scores(X[te_rows], remap[a[te_rows]], w[te_rows], r[te_rows], evidence[te_rows], best[1])
    return float(np.corrcoef(oof, h)[0, 1]), float(np.sqrt(np.mean((oof - h) ** 2)))


def fit_reference(judge: LocalJudge, model: CriterionModel, saf: Path) -> tuple[Profile, dict]:
    """A four-threshold rule for reference-answer rubrics, on SAF training (answer-level human scores).

    SAF has no criterion labels, and logistic models fitted on weak labels (each criterion taking its
    answer's score) did not carry over to other questions (grouped CV by question on SAF training:
    Pearson ≈ 0.05); a rule on the two plainest signals — how similar the best passage is to the
    clause, and how many of the clause's key terms the answer uses — did (≈ 0.28). The rule is
    chosen by grouped 5-fold CV on training (reported) and then fitted on all of training; the
    unseen splits are only graded by ``grader calibrate``. A passage restating the reference keeps its
    level (:data:`REFERENCE_RESTATED_PARTIAL`); the grouped CV with the cap on is reported beside."""
    from grader.agreement.io import read_calibration_csv
    from grader.agreement.measure import rubric_for, saf_bank

    bank = saf_bank(saf, split="training")
    data = read_calibration_csv(saf, split="training")
    rows, weights, answer_of, restated, human, groups = [], [], [], [], [], []
    for k, row in enumerate(data.rows):
        rubric = rubric_for(bank, row.question_id)
        sigs, _ = judge.signals(rubric, row.answer)
        for c, sig in zip(rubric.criteria, sigs):
            rows.append(sig.features)
            weights.append(c.weight)
            answer_of.append(k)
            restated.append(sig.restated)
        human.append(row.human)
        groups.append(row.question_id)
    X = np.asarray(rows, dtype=np.float64)
    w, a, h = np.asarray(weights), np.asarray(answer_of), np.asarray(human)
    r = np.asarray(restated, dtype=bool)
    hint = model.profiles["hint"]
    evidence = (X[:, FEATURES.index("similarity")] >= hint.min_similarity) | (
        X[:, FEATURES.index("key_terms")] >= hint.min_key_terms
    )
    g = np.asarray(groups)
    capped = _grouped_cv_rule(X, a, w, r, evidence, h, g)  # the restatement cap on, for comparison
    if not REFERENCE_RESTATED_PARTIAL:
        r = np.zeros_like(r)
    cv_r, cv_rmse = _grouped_cv_rule(X, a, w, r, evidence, h, g)
    _, rule, fit_r, fit_rmse = _best_rule(X, a, w, r, evidence, h)
    zero = tuple(0.0 for _ in FEATURES)
    prof = Profile(
        zero,
        0.0,
        zero,
        0.0,
        rule=tuple(zip(RULE_KEYS, (float(v) for v in rule))),
        restated_partial=REFERENCE_RESTATED_PARTIAL,
    )
    return prof, {
        "rule": "full if similarity >= full_similarity and best_fragment >= full_terms; partial if similarity >= "
        "partial_similarity or best_fragment >= partial_terms; objective Pearson r - 2 RMSE on answer scores",
        **dict(zip(RULE_KEYS, rule)),
        "restated_partial": REFERENCE_RESTATED_PARTIAL,
        "training_pearson": round(fit_r, 4),
        "training_rmse": round(fit_rmse, 4),
        "training_grouped_cv_pearson": round(cv_r, 4),
        "training_grouped_cv_rmse": round(cv_rmse, 4),
        "training_grouped_cv_with_restatement_cap": {"pearson": round(capped[0], 4), "rmse": round(capped[1], 4)},
        "training_mean_baseline_rmse": round(float(np.sqrt(np.mean((h - h.mean()) ** 2))), 4),
        "answers": len(h),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--dev", type=Path, default=REPO.parent / "shared/datasets/criteria-dev/answers.jsonl")
    ap.add_argument(
        "--own",
        type=Path,
        nargs="+",
        default=[REPO / "datasets/criteria-own/answers.jsonl"],
        help="our own labelled answers, fitted and tuned on (the dev-set figure is measured on the shared dev "
        "set's rows only)",
    )
    ap.add_argument(
        "--train-only",
        type=Path,
        nargs="*",
        default=[],
        help="labelled answers that only ever join training folds: the tuning CV is measured on the other rows "
        "(e.g. datasets/criteria-own/answers3.jsonl, which lowered it; see the README)",
    )
    ap.add_argument("--holdout", type=Path, default=REPO / "datasets/criteria-own/holdout_questions.txt")
    ap.add_argument("--saf", type=Path, default=REPO.parent / "shared/datasets/saf/saf_en.csv")
    ap.add_argument("--out", type=Path, default=MODEL_FILE)
    ap.add_argument("--dry-run", action="store_true", help="print the figures, write nothing")
    ap.add_argument(
        "--no-holdout",
        action="store_true",
        help="fit and write the model without grading the held-out questions (while developing)",
    )
    ap.add_argument(
        "--tune-only",
        action="store_true",
        help="report the tuning cross-validation only (no dev-set CV, no held-out questions, no file)",
    )
    ap.add_argument(
        "--reference-only",
        action="store_true",
        help="refit only the 'reference' profile on SAF training; the 'hint' profile, the standardisation "
        "and their figures are kept from --out as they are",
    )
    ap.add_argument(
        "--keep-reference",
        action="store_true",
        help="refit the 'hint' profile and keep the 'reference' profile (and its figures) from --out as it is",
    )
    args = ap.parse_args()
    started = time.time()
    if args.reference_only:
        refit_reference_only(args.saf, args.out, args.dry_run)
        print(f"done in {time.time() - started:.0f} s")
        return
    bank = default_bank()
    holdout = set(args.holdout.read_text().split())
    dev = load_rows(args.dev, "dev")
    own = [row for path in args.own for row in load_rows(path, "own")]
    tune = [r for r in dev + own if r["question_id"] not in holdout and r["kind"] not in FIT_EXCLUDED_KINDS]
    kept = [r for r in dev + own if r["question_id"] in holdout]
    judge = LocalJudge(criterion_model=_placeholder())
    X, y, g, meta = featurise(judge, bank, tune)
    train_only = [
        r
        for path in args.train_only
        for r in load_rows(path, "train-only")
        if r["question_id"] not in holdout and r["kind"] not in FIT_EXCLUDED_KINDS
    ]
    Xe, ye, ge, _ = featurise(judge, bank, train_only)
    extra = (Xe.reshape(len(ye), X.shape[1]), ye, ge)
    spec, tp, tf, cv = choose(X, y, g, meta, extra)
    print(
        f"tuning: {len(tune)} answers, {len(y)} criteria, {len(set(g))} questions; model {spec} thresholds "
        f"partial {tp} full {tf}; grouped CV: {cv}"
    )
    oof = grouped_oof(X, y, g, meta, spec, tp, tf, extra)
    print("tuning rows, out-of-fold:", json.dumps(figures(oof, y, meta, tune)))
    if args.tune_only:
        return
    mean, scale, params = fit(np.vstack([X, extra[0]]), np.concatenate([y, ye]), spec)
    model = model_from(mean, scale, params, tp, tf, source="")
    results: dict = {"tuning_cv": cv}
    # the figure: grouped CV by question on the shared dev set, all 50 questions
    Xd, yd, gd, md = featurise(judge, bank, dev)
    own_fit = [r for r in own if r["question_id"] not in holdout and r["kind"] not in FIT_EXCLUDED_KINDS] + train_only
    Xo, yo, go, _ = featurise(judge, bank, own_fit)
    results["dev_set_grouped_cv"] = figures(dev_cv(Xd, yd, gd, md, Xo, yo, go, spec, tp, tf), yd, md, dev)
    print("shared dev set, 5-fold CV grouped by question:", json.dumps(results["dev_set_grouped_cv"]))
    # the held-out questions, graded once by the final model
    Xh, yh, _, mh = featurise(judge, bank, kept)
    results["held_out_questions"] = (
        None
        if args.no_holdout
        else {
            "questions": sorted(holdout),
            "all": figures(predict(model, Xh, mh), yh, mh, kept),
            "dev_rows": figures(*_subset(model, Xh, yh, mh, kept, "dev")),
            "own_rows": figures(*_subset(model, Xh, yh, mh, kept, "own")) if own else None,
        }
    )
    if not args.no_holdout:
        print("held-out questions:", json.dumps(results["held_out_questions"]))
    profiles = {}
    reference_command = None
    if args.keep_reference:
        profiles["reference"], results["reference_profile"], reference_command = kept_reference(args.out)
        print("reference profile kept from", args.out)
    elif args.saf.is_file():
        ref, info = fit_reference(judge, model, args.saf)
        profiles["reference"] = ref
        results["reference_profile"] = info
        print("reference profile (SAF training):", info)
    model = model_from(mean, scale, params, tp, tf, profiles, source="")
    data = {
        "_about": "The embedded judge's per-criterion model, written by scripts/fit_criterion_model.py "
        "(see its docstring and grader/judges/local/model.py).",
        "fields": {
            "features": "names of the per-criterion features (grader.judges.local.signals.FEATURES), in order",
            "profiles.<kind>.dismissed_missing": "when true, a criterion whose 'dismissed' signal is 1 (every "
            "sentence using its key terms says it is not done or does not matter) is missing",
            "mean, scale": "standardisation: z = (x - mean) / scale",
            "profiles.<kind>.partial / .full": "logistic models: p = sigmoid(intercept + coef . z) for level >= "
            "partial and level = full; or, under 'boosted', tree ensembles: p = sigmoid(base + rate * sum of the "
            "leaf values reached in each tree, going left when z[feature] <= threshold)",
            "profiles.<kind>.threshold_partial / threshold_full": "full if p_full >= threshold_full, else partial if "
            "p_partial >= threshold_partial, else missing",
            "profiles": "'hint' for rubrics built from a hint, 'reference' for rubrics built from a reference "
            "answer (a four-threshold rule fitted on SAF training, see results.reference_profile)",
            "profiles.<kind>.restated_partial": RESTATED_PARTIAL_FIELD,
            "profiles.<kind>.rule": "when present, replaces the logistic models: full if similarity >= "
            "full_similarity and best_fragment >= full_terms, partial if similarity >= partial_similarity or "
            "best_fragment >= partial_terms",
            "results": "figures at fit time (see the README)",
        },
        "source": f"{len(tune) + len(train_only)} labelled answers ({len(y) + len(ye)} criteria) on {len(set(g))} "
        f"seed questions: {args.dev.name} (shared dev set) and "
        f"{', '.join('datasets/criteria-own/' + p.name for p in [*args.own, *args.train_only])}; "
        "10 held-out questions excluded",
        "command": "python scripts/fit_criterion_model.py"
        + (" --keep-reference" if args.keep_reference else "")
        + "".join(f" --train-only {p.relative_to(REPO) if p.is_relative_to(REPO) else p}" for p in args.train_only),
        "hyperparameters": {
            "model": list(spec),
            "models_tried": [list(x) for x in SPECS],
            "max_missing_credit": MAX_MISSING_CREDIT,
        },
        "features": list(model.features),
        "evidence_floor": "a criterion is credited only when some passage is at least min_similarity similar to "
        "it or the answer uses at least min_key_terms of its key terms (weighted)",
        "mean": list(model.mean),
        "scale": list(model.scale),
        "profiles": {
            name: {
                **(
                    {"partial": {"boosted": p.trees_partial.as_json()}, "full": {"boosted": p.trees_full.as_json()}}
                    if p.trees_partial is not None and p.trees_full is not None
                    else {
                        "partial": {"coef": list(p.coef_partial), "intercept": p.intercept_partial},
                        "full": {"coef": list(p.coef_full), "intercept": p.intercept_full},
                    }
                ),
                "threshold_partial": p.threshold_partial,
                "threshold_full": p.threshold_full,
                "min_similarity": p.min_similarity,
                "min_key_terms": p.min_key_terms,
                **({"dismissed_missing": True} if p.dismissed_missing else {}),
                **({"rule": dict(p.rule)} if p.rule else {}),
                **({} if p.restated_partial else {"restated_partial": False}),
            }
            for name, p in model.profiles.items()
        },
        "results": results,
    }
    if reference_command:
        data["reference_command"] = reference_command
    print(f"done in {time.time() - started:.0f} s")
    if not args.dry_run:
        args.out.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
        print(f"wrote {args.out}")


def kept_reference(path: Path) -> tuple[Profile, dict, str | None]:
    """The ``reference`` profile of an existing model file, its figures and the command that fitted it,
    for ``--keep-reference``: a rule on raw signals (no standardisation), so it carries over unchanged
    when the ``hint`` profile and the standardisation are refitted."""
    old = load_model(path)
    return old.profiles["reference"], old.extra["results"]["reference_profile"], old.extra.get("reference_command")


def refit_reference_only(saf: Path, out: Path, dry_run: bool) -> None:
    """Refit the ``reference`` profile (:func:`fit_reference`) into an existing model file, leaving every
    other field — the ``hint`` profile, the standardisation, the hint figures — byte for byte as it is."""
    model = load_model(out)
    judge = LocalJudge(criterion_model=_placeholder())
    ref, info = fit_reference(judge, model, saf)
    print("reference profile (SAF training):", info)
    data = json.loads(out.read_text(encoding="utf-8"))
    data["profiles"]["reference"] = {
        **data["profiles"].get("reference", {}),
        "min_similarity": ref.min_similarity,
        "min_key_terms": ref.min_key_terms,
        "rule": dict(ref.rule),
        "restated_partial": ref.restated_partial,
    }
    data["results"]["reference_profile"] = info
    data["fields"]["profiles.<kind>.restated_partial"] = RESTATED_PARTIAL_FIELD
    data["reference_command"] = "python scripts/fit_criterion_model.py --reference-only"
    if not dry_run:
        out.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
        print(f"wrote {out}")


def _subset(model, X, y, meta, rows, source):
    idx = [i for i, m in enumerate(meta) if rows[m[0]]["source"] == source]
    sub_meta = [meta[i] for i in idx]
    return predict(model, X[idx], sub_meta), y[idx], sub_meta, rows


def _placeholder() -> CriterionModel:
    """A model whose only use is to let the judge compute signals before anything is fitted."""
    zero = tuple(0.0 for _ in FEATURES)
    return CriterionModel(tuple(FEATURES), zero, tuple(1.0 for _ in FEATURES), {"hint": Profile(zero, 0.0, zero, 0.0)})


if __name__ == "__main__":
    main()

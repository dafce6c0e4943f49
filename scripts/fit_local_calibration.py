#!/usr/bin/env python3
"""Fit the embedded grader's score model on SAF and write ``grader/judges/local/data/local_calibration.json``.

    python scripts/fit_local_calibration.py [--csv ../shared/datasets/saf/saf_en.csv]
        [--out grader/judges/local/data/local_calibration.json] [--cache DIR] [--dry-run] [--explore]

Data: SAF (Filighera et al., ACL 2022; ``../shared/datasets/saf/``), 2,981 short answers about
computer networks graded by tutors, in the release's three splits. **Only ``training`` is used for
fitting and model selection**; ``unseen_answers`` (new answers to the 26 training questions) and
``unseen_questions`` (5 questions never seen in training) are only scored.

Rubrics: one ``kind="reference"`` rubric per question, built by
:func:`grader.rubric.io.bank_from_csv` (criteria = the reference answer's claims, split by
:func:`grader.rubric.build.criteria_from_reference`; ``grader calibrate`` builds SAF rubrics the same
way, :func:`grader.agreement.measure.saf_bank`). The features are computed by the run-time code
(:func:`grader.judges.local.model.answer_features` on :func:`grader.judges.local.model.segments`), with
embeddings from :mod:`grader.judges.local.embedding`, cached in ``--cache``
(default ``~/.cache/grader-fit``) so that a second run takes seconds.

Steps:

1. **Baseline** (the approach measured in the issue): per criterion the best cosine over the
   answer's sentences and 12-word windows (stride 6), averaged over criteria, then a 2-parameter
   least-squares line. Reproduces Pearson ≈ 0.5.
2. **Model selection** by grouped cross-validation on ``training`` (each fold leaves out whole
   questions, so the score measures transfer to unseen questions): candidate feature sets × L2
   strengths for a logistic-link model ``score = sigmoid(b + Σ c_k z_k)`` fitted by least squares
   (``z`` = standardised features). The set with the best out-of-fold Pearson wins (RMSE breaks
   ties); coefficients of the similarity and word-overlap features are constrained to be ≥ 0, so
   more coverage never lowers a grade.
3. **Final fit** on all of ``training``. The *level map* (how the score becomes per-criterion
   levels) is a linear equating of the out-of-fold scores to the human scores' mean and spread.
   Label thresholds (Correct / Partially correct / Incorrect) are fitted on training
   (:func:`grader.calibrate.fit_thresholds`): on the out-of-fold model scores, and on the level
   scores.
4. **Evaluation** on ``unseen_answers`` and ``unseen_questions`` of: the score the grader really
   reports (through :class:`grader.grading.Grader`: answers under 5 words graded 0, levels allocated
   from the model score, evidence verified, summed by :mod:`grader.scoring`); the continuous model
   score; the baseline; and two trivial baselines (always the majority label with the mean training
   score; a least-squares line on answer length). Pearson is over the whole split and also averaged
   within questions.

Prints a markdown table and writes the JSON (``--dry-run``: print only). Needs numpy and scipy
(fit-time only; the grader itself runs the fitted model with numpy).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from grader.agreement import metrics as M  # noqa: E402
from grader.agreement.measure import LABELS, fit_thresholds, labels_from_scores  # noqa: E402
from grader.judges.local.judge import LocalJudge  # noqa: E402
from grader.judges.local.model import (  # noqa: E402
    _SENTENCE_END,
    _WORD,
    FEATURES,
    MAX_PASSAGE_WORDS,
    PIECE_WORDS,
    Calibration,
    Segment,
    answer_features,
    criterion_similarities,
    rubric_texts,
    rubric_vectors,
    segments,
)
from grader.rubric.build import slug_id  # noqa: E402
from grader.rubric.io import bank_from_csv  # noqa: E402
from grader.tables import open_table  # noqa: E402
from grader.text import word_count  # noqa: E402

DEFAULT_CSV = REPO.parent / "shared" / "datasets" / "saf" / "saf_en.csv"
SPLITS = ("training", "unseen_answers", "unseen_questions")
SIMILARITY_FEATURES = {
    "mean_best",
    "max_best",
    "min_best",
    "top_half_mean",
    "top_k_mean",
    "cover_50",
    "cover_60",
    "cover_70",
    "answer_reference",
    "precision",
    "lexical_recall",
    "novel_recall",
}
CANDIDATES: dict[str, tuple[str, ...]] = {
    "mean": ("mean_best",),
    "mean+lex": ("mean_best", "lexical_recall"),
    "mean+ref+lex": ("mean_best", "answer_reference", "lexical_recall"),
    "mean+ref+lex+len": ("mean_best", "answer_reference", "lexical_recall", "log_words"),
    "mean+novel": ("mean_best", "novel_recall"),
    "mean+lex+novel": ("mean_best", "lexical_recall", "novel_recall"),
    "mean+novel+len": ("mean_best", "novel_recall", "log_words"),
    "topk+novel": ("top_k_mean", "novel_recall"),
    "topk+lex": ("top_k_mean", "lexical_recall"),
    "topk+mean+lex": ("top_k_mean", "mean_best", "lexical_recall"),
    "topk+lex+len": ("top_k_mean", "lexical_recall", "log_words"),
    "topk+ref+lex+len": ("top_k_mean", "answer_reference", "lexical_recall", "log_words"),
    "cover+ref+lex+len": ("mean_best", "cover_60", "answer_reference", "lexical_recall", "log_words"),
    "all-sim+lex+len": (
        "mean_best",
        "max_best",
        "top_half_mean",
        "top_k_mean",
        "cover_50",
        "cover_70",
        "answer_reference",
        "precision",
        "lexical_recall",
        "log_words",
    ),
    "full": FEATURES,
}
L2 = (0.0, 0.01, 0.1, 1.0)


# -- data -------------------------------------------------------------------------------------------


def read_rows(path: Path) -> list[dict]:
    """The SAF rows (the grader's table reader), each with its normalised score, rubric id and words."""
    rows = []
    with open_table(path, fmt="csv") as table:
        for row in table.rows():
            if row.problem():
                raise SystemExit(f"{path}:{row.line}: {row.problem()}")
            rows.append(dict(row.values))
    for r in rows:
        r["y"] = float(r["score"]) / float(r["max_score"])
        r["rubric_id"] = slug_id(r["question_id"])
        r["words"] = word_count(r["answer"])
    return rows


class EmbeddingCache:
    """text → vector, kept in ``DIR/embeddings.npz``; missing texts are embedded in chunks."""

    def __init__(self, directory: Path) -> None:
        from grader.judges.local.embedding import get_embedder

        self.path = directory / "embeddings.npz"
        self.index: dict[str, int] = {}
        self.rows: list[np.ndarray] = []
        if self.path.is_file():
            data = np.load(self.path, allow_pickle=False)
            for t, v in zip(data["texts"].tolist(), data["vectors"]):
                self.index[t] = len(self.rows)
                self.rows.append(v)
        self.added = 0
        self.embedder = get_embedder()

    def encode(self, texts, batch_size: int = 32) -> np.ndarray:
        missing = list(dict.fromkeys(t for t in texts if t not in self.index))
        started = time.time()
        for i in range(0, len(missing), 1024):
            chunk = missing[i : i + 1024]
            for t, v in zip(chunk, self.embedder.encode(chunk)):
                self.index[t] = len(self.rows)
                self.rows.append(v)
            self.added += len(chunk)
            if len(missing) > 1024:
                print(
                    f"  embedded {min(i + 1024, len(missing))}/{len(missing)} new texts "
                    f"({time.time() - started:.0f} s)",
                    file=sys.stderr,
                    flush=True,
                )
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        return np.stack([self.rows[self.index[t]] for t in texts])

    def save(self) -> None:
        if self.added:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            np.savez(self.path, texts=np.array(list(self.index), dtype=str), vectors=np.stack(self.rows))


def baseline_segments(answer: str) -> list[Segment]:
    """The measured approach's passages: sentences plus 12-word windows with stride 6."""
    out: list[Segment] = []
    pos = 0
    for m in _SENTENCE_END.finditer(answer + "\n"):
        piece = answer[pos : m.start()]
        stripped = piece.strip()
        if stripped:
            start = pos + piece.index(stripped)
            out.append(Segment(start, start + len(stripped), stripped))
        pos = m.end()
    words = list(_WORD.finditer(answer))
    if len(words) > 12:
        seen = {(s.start, s.end) for s in out}
        for i in range(0, len(words) - 12 + 6, 6):
            chunk = words[i : i + 12]
            a, b = chunk[0].start(), chunk[-1].end()
            if (a, b) not in seen:
                seen.add((a, b))
                out.append(Segment(a, b, answer[a:b], sentence=False))
    return out


def compute(rows: list[dict], bank: dict, cache: EmbeddingCache, baseline: bool = True) -> None:
    """Fill each row with its features (run-time code) and the baseline's mean similarity."""
    vectors = {rid: rubric_vectors(r, cache.encode(rubric_texts(r)[0])) for rid, r in bank.items()}
    all_texts = []
    for r in rows:
        r["segs"] = segments(r["answer"])
        r["base_segs"] = baseline_segments(r["answer"]) if baseline else []
        all_texts += [s.text for s in r["segs"]] + [s.text for s in r["base_segs"]]
    cache.encode(all_texts)
    for r in rows:
        rv = vectors[r["rubric_id"]]
        seg_vecs = cache.encode([s.text for s in r["segs"]])
        r["features"] = answer_features(rv, r["answer"], r["segs"], seg_vecs)
        base_vecs = cache.encode([s.text for s in r["base_segs"]])
        r["baseline_x"] = float(criterion_similarities(rv, base_vecs).max(axis=1).mean()) if r["base_segs"] else 0.0


# -- the model --------------------------------------------------------------------------------------


def sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(z, -50, 50)))


def fit_model(X: np.ndarray, y: np.ndarray, names: tuple[str, ...], l2: float) -> dict:
    """Least squares with a logistic link and an L2 penalty; similarity coefficients ≥ 0."""
    from scipy.optimize import minimize

    mean = X.mean(axis=0)
    scale = X.std(axis=0)
    scale[scale < 1e-9] = 1.0
    Z = (X - mean) / scale
    n, k = Z.shape

    def loss(theta: np.ndarray) -> tuple[float, np.ndarray]:
        b, c = theta[0], theta[1:]
        p = sigmoid(b + Z @ c)
        r = p - y
        g = 2 * r * p * (1 - p) / n
        value = float(r @ r) / n + l2 * float(c @ c) / n * 10
        grad = np.concatenate([[g.sum()], Z.T @ g + 2 * l2 * c / n * 10])
        return value, grad

    bounds = [(None, None)] + [(0.0, None) if f in SIMILARITY_FEATURES else (None, None) for f in names]
    y_mean = min(max(float(y.mean()), 1e-3), 1 - 1e-3)
    theta0 = np.concatenate([[math.log(y_mean / (1 - y_mean))], np.zeros(k)])
    res = minimize(loss, theta0, jac=True, method="L-BFGS-B", bounds=bounds)
    return {"features": names, "mean": mean, "scale": scale, "intercept": float(res.x[0]), "coef": res.x[1:], "l2": l2}


def predict(model: dict, X: np.ndarray) -> np.ndarray:
    return sigmoid(model["intercept"] + ((X - model["mean"]) / model["scale"]) @ model["coef"])


def matrix(rows: list[dict], names: tuple[str, ...]) -> np.ndarray:
    return np.array([[r["features"][f] for f in names] for r in rows], dtype=np.float64)


def grouped_cv(rows: list[dict], names: tuple[str, ...], l2: float, folds: int = 0) -> np.ndarray:
    """Out-of-fold predictions, each fold holding out whole questions (leave-one-question-out)."""
    questions = sorted({r["rubric_id"] for r in rows})
    groups = [questions[i::folds] for i in range(folds)] if folds else [[q] for q in questions]
    X, y = matrix(rows, names), np.array([r["y"] for r in rows])
    q = np.array([r["rubric_id"] for r in rows])
    out = np.zeros(len(rows))
    for held in groups:
        test = np.isin(q, held)
        model = fit_model(X[~test], y[~test], names, l2)
        out[test] = predict(model, X[test])
    return out


# -- evaluation -------------------------------------------------------------------------------------


def metrics(y: np.ndarray, pred: np.ndarray, labels: list[str], pred_labels: list[str], groups: list[str]) -> dict:
    """Pearson (pooled over the split), mean within-question Pearson, RMSE, label accuracy, macro-F1."""
    pred = np.clip(pred, 0.0, 1.0)
    r = M.pearson(pred, y)
    g = np.array(groups)
    within = [M.pearson(pred[g == q], y[g == q]) for q in sorted(set(groups))]
    within = [w for w in within if not M.is_undefined(w)]
    return {
        "pearson": None if M.is_undefined(r) else round(float(r), 3),
        "pearson_within_question": round(float(np.mean(within)), 3) if within else None,
        "rmse": round(M.rmse(pred, y), 3),
        "accuracy": round(M.accuracy(labels, pred_labels), 3),
        "macro_f1": round(M.macro_f1(labels, pred_labels, LABELS), 3),
    }


class CachedEmbedder:
    """An embedder that answers from the fit cache (so the run-time grader can be replayed fast)."""

    def __init__(self, cache: EmbeddingCache) -> None:
        self.cache = cache

    def encode(self, texts, batch_size: int = 32) -> np.ndarray:
        return self.cache.encode(list(texts))


def level_scores(rows: list[dict], bank: dict, calibration: Calibration, cache: EmbeddingCache) -> np.ndarray:
    """The normalised score the grader reports, through the real path (:class:`grader.grading.Grader`:
    answers under ``min_words`` graded 0, LocalJudge levels, verified evidence, scoring)."""
    from grader.grading import Grader
    from grader.settings import Settings

    judge = LocalJudge(embedder=CachedEmbedder(cache), calibration=calibration)
    grader = Grader(Settings(backend="local", use_cache=False), backend=judge)
    out = []
    for r in rows:
        result = grader.grade(bank[r["rubric_id"]], r["answer"])
        out.append(result.score / result.max_score)
    return np.array(out)


def calibration_from(model: dict, source: str, level_intercept: float = 0.0, level_slope: float = 1.0) -> Calibration:
    return Calibration(
        partial=0.35,
        full=0.55,
        source=source,
        features=tuple(model["features"]),
        mean=tuple(map(float, model["mean"])),
        scale=tuple(map(float, model["scale"])),
        coef=tuple(map(float, model["coef"])),
        intercept=float(model["intercept"]),
        link="logistic",
        level_intercept=level_intercept,
        level_slope=level_slope,
    )


def fit_level_map(train: list[dict], oof: np.ndarray) -> tuple[float, float, dict]:
    """``target = clip(a + b · score)`` by linear equating on training: the mapped out-of-fold
    scores get the mean and spread of the human scores. (A least-squares model shrinks towards the
    mean — SAF's tutors are lenient, 0.8 on average — so without this every answer's levels would
    crowd near that mean; with it, the levels span the scale as human grades do.)"""
    y = np.array([r["y"] for r in train])
    slope = float(y.std() / oof.std())
    intercept = float(y.mean() - slope * oof.mean())
    return (
        intercept,
        slope,
        {
            "human_mean": round(float(y.mean()), 4),
            "human_sd": round(float(y.std()), 4),
            "score_mean": round(float(oof.mean()), 4),
            "score_sd": round(float(oof.std()), 4),
        },
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--csv", type=Path, default=DEFAULT_CSV)
    ap.add_argument(
        "--out", type=Path, default=REPO / "grader" / "judges" / "local" / "data" / "local_calibration.json"
    )
    ap.add_argument("--cache", type=Path, default=Path.home() / ".cache" / "grader-fit")
    ap.add_argument("--dry-run", action="store_true", help="print the results, do not write the JSON")
    ap.add_argument("--explore", action="store_true", help="also print every candidate's CV figures")
    args = ap.parse_args(argv)

    started = time.time()
    rows = read_rows(args.csv)
    bank = {r.id: r for r in bank_from_csv(args.csv, bank="saf", section="SAF")}
    cache = EmbeddingCache(args.cache)
    compute(rows, bank, cache)
    cache.save()
    by_split = {s: [r for r in rows if r["split"] == s] for s in SPLITS}
    train = by_split["training"]
    y_train = np.array([r["y"] for r in train])
    labels_train = [r["label"] for r in train]

    # model selection: leave-one-question-out CV on training
    cv: dict[tuple[str, float], dict] = {}
    for name, feats in CANDIDATES.items():
        for l2 in L2:
            oof = grouped_cv(train, feats, l2)
            r = float(M.pearson(oof, y_train))
            cv[(name, l2)] = {"pearson": r, "rmse": M.rmse(oof, y_train), "oof": oof}
            if args.explore:
                print(f"  cv {name:22s} l2={l2:<5} pearson {r:.3f} rmse {cv[(name, l2)]['rmse']:.3f}", file=sys.stderr)
    best_name, best_l2 = max(cv, key=lambda k: (round(cv[k]["pearson"], 3), -cv[k]["rmse"]))
    feats = CANDIDATES[best_name]
    oof = cv[(best_name, best_l2)]["oof"]
    model = fit_model(matrix(train, feats), y_train, feats, best_l2)
    thresholds = fit_thresholds(oof, labels_train)
    n_questions = len({r["rubric_id"] for r in train})
    calibration = calibration_from(model, f"SAF training split ({len(train)} answers, {n_questions} questions)")

    # baselines fitted on training
    bx = np.array([r["baseline_x"] for r in train])
    b_slope, b_icpt = np.polyfit(bx, y_train, 1)
    b_oof = np.zeros(len(train))
    for q in sorted({r["rubric_id"] for r in train}):
        m = np.array([r["rubric_id"] == q for r in train])
        s, i = np.polyfit(bx[~m], y_train[~m], 1)
        b_oof[m] = i + s * bx[m]
    b_thresholds = fit_thresholds(np.clip(b_oof, 0, 1), labels_train)
    words = np.array([r["words"] for r in train], dtype=float)
    l_slope, l_icpt = np.polyfit(words, y_train, 1)
    l_thresholds = fit_thresholds(np.clip(l_icpt + l_slope * words, 0, 1), labels_train)
    majority = Counter(labels_train).most_common(1)[0][0]
    mean_train = float(y_train.mean())

    # the level map: spread the score before it is allocated to levels, fitted on training
    level_intercept, level_slope, lvl_fit = fit_level_map(train, oof)
    calibration = calibration_from(model, calibration.source, level_intercept, level_slope)
    lvl_train = level_scores(train, bank, calibration, cache)
    lvl_thresholds = fit_thresholds(lvl_train, labels_train)

    results: dict[str, dict[str, dict]] = {}
    for split in ("unseen_answers", "unseen_questions"):
        rs = by_split[split]
        y = np.array([r["y"] for r in rs])
        labels = [r["label"] for r in rs]
        groups = [r["rubric_id"] for r in rs]
        cont = predict(model, matrix(rs, feats))
        lvl = level_scores(rs, bank, calibration, cache)
        base = np.clip(b_icpt + b_slope * np.array([r["baseline_x"] for r in rs]), 0, 1)
        length = np.clip(l_icpt + l_slope * np.array([r["words"] for r in rs], dtype=float), 0, 1)
        results[split] = {
            "grader (levels, as reported)": metrics(y, lvl, labels, labels_from_scores(lvl, lvl_thresholds), groups),
            "grader (continuous model score)": metrics(y, cont, labels, labels_from_scores(cont, thresholds), groups),
            "baseline: mean best cosine, linear": metrics(
                y, base, labels, labels_from_scores(base, b_thresholds), groups
            ),
            "trivial: majority label / mean score": metrics(
                y, np.full(len(rs), mean_train), labels, [majority] * len(rs), groups
            ),
            "trivial: answer length, linear": metrics(
                y, length, labels, labels_from_scores(length, l_thresholds), groups
            ),
        }

    cv_best = cv[(best_name, best_l2)]
    cv_base = float(M.pearson(np.clip(b_oof, 0, 1), y_train))
    print(
        f"\nSAF ({args.csv.name}): fit on training ({len(train)} answers, "
        f"{len({r['rubric_id'] for r in train})} questions); model selected by leave-one-question-out CV: "
        f"{best_name} (l2={best_l2}), CV Pearson {cv_best['pearson']:.3f} (baseline {cv_base:.3f})\n"
    )
    print("| system | split | Pearson | Pearson within question | RMSE (0–1) | accuracy | macro-F1 |")
    print("|---|---|---:|---:|---:|---:|---:|")
    fmt = lambda v: "n/a" if v is None else f"{v:.3f}"  # noqa: E731
    for split, systems in results.items():
        for name, m in systems.items():
            print(
                f"| {name} | {split} ({len(by_split[split])}) | {fmt(m['pearson'])} | "
                f"{fmt(m['pearson_within_question'])} | {m['rmse']:.3f} | {m['accuracy']:.3f} | "
                f"{m['macro_f1']:.3f} |"
            )
    print(
        f"\nlabels from scores: thresholds fitted on training (out-of-fold for the model score): "
        f"levels ≥ {lvl_thresholds.correct:g} Correct, ≥ {lvl_thresholds.partial:g} Partially correct; "
        f"model score ≥ {thresholds.correct:g} / ≥ {thresholds.partial:g}"
    )
    print(f"({time.time() - started:.0f} s)")

    doc = {
        "_about": "Calibration of the embedded grader (grader/local.py), written by "
        "scripts/fit_local_calibration.py. Every field is described under 'fields'.",
        "fields": {
            "source": "what the model was fitted on",
            "embedding_model": "the sentence-embedding model the features come from",
            "segmentation": "how answers are cut into passages when fitting: sentences, a sentence longer than "
            "max_passage_words cut into pieces of at most piece_words",
            "partial, full": "fixed similarity thresholds for partial / full; used only when 'model' is absent, "
            "and shown for reference",
            "floor": "a criterion whose best similarity is below this is never credited",
            "model.features": "names of the answer-level features (see grader.local.FEATURES)",
            "model.mean, model.scale": "standardisation: z = (x - mean) / scale, per feature",
            "model.coef, model.intercept": "score = sigmoid(intercept + sum(coef * z)); normalised 0-1",
            "model.link": "'logistic' (sigmoid) or 'identity' (the sum clipped to 0-1)",
            "model.l2": "the L2 penalty chosen by cross-validation",
            "levels": "how the score becomes per-criterion levels (see grader.local.allocate_levels)",
            "level_map": "levels are allocated from clip(intercept + slope * score), a linear equating fitted on "
            "training: the out-of-fold scores mapped to the mean and spread of the human scores",
            "labels": "score thresholds for SAF's 3 labels, fitted on training: Correct if the normalised score "
            "is >= correct, Partially correct if >= partial, else Incorrect (reporting only)",
            "selection": "the grouped cross-validation that chose the features and l2",
            "results": "figures on SAF's held-out splits at fit time (see README)",
        },
        "source": calibration.source,
        "embedding_model": "all-MiniLM-L6-v2-int8 (grader/judges/local/data/minilm)",
        "segmentation": {"max_passage_words": MAX_PASSAGE_WORDS, "piece_words": PIECE_WORDS},
        "partial": calibration.partial,
        "full": calibration.full,
        "floor": calibration.floor,
        "model": {
            "features": list(feats),
            "mean": [round(float(v), 6) for v in model["mean"]],
            "scale": [round(float(v), 6) for v in model["scale"]],
            "coef": [round(float(v), 6) for v in model["coef"]],
            "intercept": round(model["intercept"], 6),
            "link": "logistic",
            "l2": best_l2,
        },
        "level_map": {"intercept": round(level_intercept, 4), "slope": round(level_slope, 4), "equating": lvl_fit},
        "levels": "criteria in order of similarity; full while the credit left covers >= 3/4 of a weight, "
        "partial while >= 1/4; never above a more similar criterion",
        "labels": {
            "levels": {"partial": lvl_thresholds.partial, "correct": lvl_thresholds.correct},
            "model_score": {"partial": thresholds.partial, "correct": thresholds.correct},
        },
        "selection": {
            "method": "leave-one-question-out CV on SAF training",
            "chosen": best_name,
            "cv_pearson": round(cv_best["pearson"], 4),
            "cv_rmse": round(cv_best["rmse"], 4),
            "baseline_cv_pearson": round(cv_base, 4),
            "candidates": {f"{n}|l2={l2}": round(v["pearson"], 4) for (n, l2), v in cv.items()},
        },
        "results": results,
    }
    if not args.dry_run:
        args.out.write_text(json.dumps(doc, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        print(f"wrote {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

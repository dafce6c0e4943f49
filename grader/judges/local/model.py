"""The embedded grader's coverage model: passages, features, calibration and level allocation.

Used by :class:`grader.local.LocalJudge` (the judge itself, its batching and feedback live there)
and by ``scripts/fit_local_calibration.py``, which fits the parameters this module reads from
``grader/data/local_calibration.json``.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from grader.errors import ConfigError
from grader.rubric.model import Rubric
from grader.text import HINT_WORDS, STOPWORDS, word_count
from grader.text import terms as _terms
from grader.verdict import Level

DATA_DIR = Path(__file__).resolve().parent / "data"

__all__ = [
    "Calibration",
    "Segment",
    "segments",
    "load_calibration",
    "FEATURES",
    "RubricVectors",
    "rubric_texts",
    "rubric_vectors",
    "answer_features",
    "criterion_similarities",
    "allocate_levels",
    "requested_count",
    "MAX_PASSAGE_WORDS",
    "PIECE_WORDS",
]

MAX_PASSAGE_WORDS = 30  # a longer sentence is cut into pieces …
PIECE_WORDS = 20  # … of at most this many words
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n\s*")
_WORD = re.compile(r"\S+")


# -- passages -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Segment:
    start: int
    end: int
    text: str
    sentence: bool = True  # a whole sentence (False: a piece of a long one)


def segments(answer: str) -> list[Segment]:
    """The answer's passages, each a verbatim slice of it: its sentences (split at ``.!?`` and
    line breaks), a sentence longer than 30 words cut into consecutive pieces of at most 20 words.
    Each word of the answer is in exactly one passage, so embedding costs one pass over the text."""
    out: list[Segment] = []
    pos = 0
    for m in _SENTENCE_END.finditer(answer + "\n"):
        piece = answer[pos : m.start()]
        stripped = piece.strip()
        if stripped:
            start = pos + piece.index(stripped)
            words = list(_WORD.finditer(stripped))
            if len(words) <= MAX_PASSAGE_WORDS:
                out.append(Segment(start, start + len(stripped), stripped))
            else:
                n = math.ceil(len(words) / PIECE_WORDS)
                size = math.ceil(len(words) / n)
                for i in range(0, len(words), size):
                    chunk = words[i : i + size]
                    a, b = start + chunk[0].start(), start + chunk[-1].end()
                    out.append(Segment(a, b, answer[a:b], sentence=False))
        pos = m.end()
    return out


# -- words ----------------------------------------------------------------------------------------

_TERM_STOPWORDS = STOPWORDS | HINT_WORDS


def terms(text: str) -> frozenset[str]:
    """Content words of a text (:func:`grader.text.terms`): case-folded, stopwords and a hint's lead-in
    vocabulary out, words of 1-2 characters out, crudely stemmed."""
    return _terms(text, _TERM_STOPWORDS)


_NUMBER_WORDS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "both": 2,
}
_REQUESTED = re.compile(
    r"\b(\d{1,2}|one|two|three|four|five|six|seven|eight|nine|ten|both)\s+(?:[\w/-]+\s+){0,2}?"
    r"(reasons?|differences?|objectives?|challenges?|methods?|phases?|class(?:es)?|benefits?|drawbacks?|"
    r"advantages?|disadvantages?|examples?|modes?|propert(?:y|ies)|tasks?|steps?|ways?|types?|factors?|"
    r"aspects?|functions?|elements?|points?|features?|techniques?|tools?|ideas?|problems?|downsides?|"
    r"requirements?|causes?|effects?|strategies|strategy|approach(?:es)?|options?|services?|layers?)\b",
    re.I,
)


def requested_count(question: str) -> int | None:
    """How many items the question asks for ("Give two reasons …", "two benefits and two
    drawbacks" → 4), or None when it names no number of items."""
    total = 0
    for m in _REQUESTED.finditer(question):
        word = m.group(1).lower()
        total += int(word) if word.isdigit() else _NUMBER_WORDS[word]
    return total or None


# -- rubric vectors (cached) ----------------------------------------------------------------------


def _reference_text(rubric: Rubric) -> str:
    if rubric.reference_answer:
        return rubric.reference_answer
    covers = [f for c in rubric.criteria for f in c.covers]
    return "; ".join(covers) if covers else rubric.hint


def rubric_texts(rubric: Rubric) -> tuple[list[str], list[int]]:
    """The texts to embed for a rubric and, for each criterion view, its criterion index.

    Returns ``(texts, owners)``: ``texts`` = criterion views (the criterion's text and, if any, its
    covered fragments joined), then the reference text, then the question; ``owners[k]`` is the
    criterion of view ``k`` (``len(owners)`` views)."""
    texts: list[str] = []
    owners: list[int] = []
    for i, c in enumerate(rubric.criteria):
        texts.append(c.text)
        owners.append(i)
        joined = "; ".join(c.covers)
        if joined and " ".join(joined.split()).casefold() != " ".join(c.text.split()).casefold():
            texts.append(joined)
            owners.append(i)
    return [*texts, _reference_text(rubric), rubric.question], owners


@dataclass(frozen=True)
class RubricVectors:
    """A rubric's embedded views, reference and question, plus what the features need."""

    views: np.ndarray  # (n_views, dim)
    owners: np.ndarray  # (n_views,) criterion index of each view
    reference: np.ndarray  # (dim,)
    question: np.ndarray  # (dim,)
    weights: np.ndarray  # (n_criteria,)
    reference_terms: frozenset[str]
    question_terms: frozenset[str]
    requested: int | None = None  # how many items the question asks for (see requested_count)


def rubric_vectors(rubric: Rubric, vectors: np.ndarray) -> RubricVectors:
    """Assemble :class:`RubricVectors` from the embeddings of :func:`rubric_texts` (same order)."""
    _, owners = rubric_texts(rubric)
    n = len(owners)
    return RubricVectors(
        views=vectors[:n],
        owners=np.asarray(owners, dtype=np.int64),
        reference=vectors[n],
        question=vectors[n + 1],
        weights=np.asarray([c.weight for c in rubric.criteria], dtype=np.float64),
        reference_terms=terms(_reference_text(rubric)),
        question_terms=terms(rubric.question),
        requested=requested_count(rubric.question),
    )


# -- features -------------------------------------------------------------------------------------

FEATURES = (
    "mean_best",  # weighted mean over criteria of the best passage similarity
    "max_best",  # the highest criterion similarity
    "min_best",  # the lowest criterion similarity
    "top_half_mean",  # mean similarity of the better half of the criteria
    "top_k_mean",  # mean similarity of the k best criteria, k = the items the question asks for (else all)
    "cover_50",
    "cover_60",
    "cover_70",  # weighted fraction of criteria with similarity ≥ 0.5 / 0.6 / 0.7
    "answer_reference",  # cosine of the answer (mean of its passage vectors) with the reference text
    "answer_question",  # cosine of the answer with the question
    "precision",  # mean over the answer's passages of their best similarity to any criterion view
    "lexical_recall",  # fraction of the reference's content words found in the answer
    "novel_recall",  # the same for the reference's words that are not in the question (echoes don't count)
    "lexical_precision",  # fraction of the answer's content words found in the reference or question
    "new_words",  # fraction of the answer's content words in neither the reference nor the question
    "log_words",  # log(1 + words in the answer)
)


def criterion_similarities(rv: RubricVectors, seg_vecs: np.ndarray) -> np.ndarray:
    """(criteria, segments) matrix: per criterion, the best cosine of its views with each passage."""
    n = len(rv.weights)
    sims = rv.views @ seg_vecs.T  # (views, segments)
    per = np.full((n, seg_vecs.shape[0]), -1.0, dtype=np.float32)
    for row, owner in enumerate(rv.owners):
        np.maximum(per[owner], sims[row], out=per[owner])
    return per


def answer_features(
    rv: RubricVectors, answer: str, segs: Sequence[Segment], seg_vecs: np.ndarray, per: np.ndarray | None = None
) -> dict[str, float]:
    """Every feature of :data:`FEATURES` for one answer (``per`` = :func:`criterion_similarities`)."""
    if per is None:
        per = criterion_similarities(rv, seg_vecs)
    n_words = word_count(answer)
    w = rv.weights / rv.weights.sum()
    if per.shape[1] == 0:
        best = np.zeros(len(w))
        answer_vec = np.zeros_like(rv.reference)
        precision = 0.0
    else:
        best = per.max(axis=1).astype(np.float64)
        sent = seg_vecs
        answer_vec = sent.mean(axis=0)
        norm = float(np.linalg.norm(answer_vec))
        answer_vec = answer_vec / norm if norm > 0 else answer_vec
        precision = float((rv.views @ sent.T).max(axis=0).mean())
    ranked = np.sort(best)[::-1]
    half = ranked[: max(1, math.ceil(len(best) / 2))]
    k = min(len(best), rv.requested) if rv.requested else len(best)
    a_terms = terms(answer)
    known = rv.reference_terms | rv.question_terms
    novel = rv.reference_terms - rv.question_terms
    return {
        "mean_best": float(w @ best),
        "max_best": float(best.max()),
        "min_best": float(best.min()),
        "top_half_mean": float(half.mean()),
        "top_k_mean": float(ranked[:k].mean()),
        "cover_50": float(w @ (best >= 0.5)),
        "cover_60": float(w @ (best >= 0.6)),
        "cover_70": float(w @ (best >= 0.7)),
        "answer_reference": float(answer_vec @ rv.reference),
        "answer_question": float(answer_vec @ rv.question),
        "precision": precision,
        "lexical_recall": len(a_terms & rv.reference_terms) / len(rv.reference_terms) if rv.reference_terms else 0.0,
        "novel_recall": len(a_terms & novel) / len(novel) if novel else 0.0,
        "lexical_precision": len(a_terms & known) / len(a_terms) if a_terms else 0.0,
        "new_words": len(a_terms - known) / len(a_terms) if a_terms else 0.0,
        "log_words": math.log1p(n_words),
    }


# -- calibration ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Calibration:
    """The fitted score model and level rules (see ``grader/data/local_calibration.json``).

    With ``features`` empty (no calibration file), levels come from the fixed similarity
    thresholds ``partial`` / ``full``; otherwise the score is
    ``sigmoid(intercept + Σ coef_k · (x_k − mean_k) / scale_k)`` (``link="logistic"``) or the same
    sum clipped to [0, 1] (``link="identity"``), and levels are allocated (:func:`allocate_levels`).
    """

    partial: float = 0.35
    full: float = 0.55
    source: str = "defaults"
    features: tuple[str, ...] = ()
    mean: tuple[float, ...] = ()
    scale: tuple[float, ...] = ()
    coef: tuple[float, ...] = ()
    intercept: float = 0.0
    link: str = "logistic"
    floor: float = 0.0  # a criterion with similarity below this is never credited
    level_intercept: float = 0.0  # levels are allocated from clip(level_intercept + level_slope · score)
    level_slope: float = 1.0
    extra: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    def __post_init__(self) -> None:
        k = len(self.features)
        if not (len(self.mean) == len(self.scale) == len(self.coef) == k):
            raise ValueError("calibration: features, mean, scale and coef must have the same length")
        unknown = [f for f in self.features if f not in FEATURES]
        if unknown:
            raise ValueError(f"calibration: unknown feature(s) {', '.join(unknown)}")
        if self.link not in ("logistic", "identity"):
            raise ValueError(f"calibration: link must be logistic or identity, not {self.link!r}")
        if any(s <= 0 for s in self.scale):
            raise ValueError("calibration: every scale must be positive")

    @property
    def fitted(self) -> bool:
        return bool(self.features)

    @property
    def version(self) -> str:
        payload = json.dumps(
            [
                self.partial,
                self.full,
                self.features,
                self.mean,
                self.scale,
                self.coef,
                self.intercept,
                self.link,
                self.floor,
                self.level_intercept,
                self.level_slope,
                MAX_PASSAGE_WORDS,
                PIECE_WORDS,
            ],
            sort_keys=True,
            default=float,
        )
        return hashlib.sha256(payload.encode()).hexdigest()[:8]

    def level(self, similarity: float) -> Level:
        """The fixed-threshold level of one similarity (used without a fitted model)."""
        if similarity >= self.full:
            return Level.full
        if similarity >= self.partial:
            return Level.partial
        return Level.missing

    def predict(self, features: dict[str, float]) -> float:
        """The model's normalised score in [0, 1] for one answer's features."""
        if not self.fitted:
            raise ValueError("no fitted score model in this calibration")
        x = np.array([features[f] for f in self.features], dtype=np.float64)
        z = self.intercept + float(np.dot(self.coef, (x - np.array(self.mean)) / np.array(self.scale)))
        if self.link == "logistic":
            return float(1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, z)))))
        return float(min(1.0, max(0.0, z)))

    def level_target(self, score: float) -> float:
        """The share of the weight the levels should add up to for a model score (0–1): the score
        spread by the fitted ``level_slope`` so that three coarse levels keep its ranking."""
        return float(min(1.0, max(0.0, self.level_intercept + self.level_slope * score)))


def load_calibration(path: Path | None = None) -> Calibration:
    """The calibration file (default ``grader/data/local_calibration.json``), or the fixed
    thresholds if there is none. A malformed file raises :class:`~grader.errors.ConfigError`."""
    p = path or DATA_DIR / "local_calibration.json"
    if not p.is_file():
        return Calibration()
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
        model = data.get("model") or {}
        return Calibration(
            partial=float(data["partial"]),
            full=float(data["full"]),
            source=str(data.get("source", p.name)),
            features=tuple(model.get("features", ())),
            mean=tuple(map(float, model.get("mean", ()))),
            scale=tuple(map(float, model.get("scale", ()))),
            coef=tuple(map(float, model.get("coef", ()))),
            intercept=float(model.get("intercept", 0.0)),
            link=str(model.get("link", "logistic")),
            floor=float(data.get("floor", 0.0)),
            level_intercept=float((data.get("level_map") or {}).get("intercept", 0.0)),
            level_slope=float((data.get("level_map") or {}).get("slope", 1.0)),
            extra=data,
        )
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ConfigError(
            f"invalid calibration file {p}: {exc}",
            setting="local calibration",
            hint="rebuild it with `python scripts/fit_local_calibration.py`",
        ) from None


def allocate_levels(
    similarity: Sequence[float], weights: Sequence[float], score: float, floor: float = 0.0
) -> list[Level]:
    """Per-criterion levels whose weighted sum tracks ``score`` (normalised, 0–1).

    The criteria are taken in order of decreasing similarity; each gets ``full`` if the credit
    still to give covers at least 3/4 of its weight, else ``partial`` if it covers at least 1/4,
    else ``missing`` — and never a higher level than a more similar criterion, nor any credit below
    ``floor``. So levels are monotone in similarity within the answer, and
    ``Σ weight·value(level) / Σ weight`` is ``score`` up to half a criterion's weight."""
    w = np.asarray(weights, dtype=np.float64)
    remaining = float(score) * float(w.sum())
    order = sorted(range(len(w)), key=lambda k: (-similarity[k], k))
    levels = [Level.missing] * len(w)
    cap = Level.full
    for k in order:
        if similarity[k] < floor:
            break
        if remaining >= 0.75 * w[k] and cap == Level.full:
            levels[k] = Level.full
            remaining -= w[k]
        elif remaining >= 0.25 * w[k] and cap != Level.missing:
            levels[k] = Level.partial
            remaining -= 0.5 * w[k]
            cap = Level.partial
        else:
            cap = Level.missing
    return levels

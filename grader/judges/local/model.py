"""The embedded judge's model: passages, and the fitted rule that turns a criterion's signals into a level.

Each criterion is judged on its own (:mod:`grader.judges.local.signals` measures it); two logistic
models over the same standardised features give the probability that a strict human would credit
it at least ``partial`` and the probability of ``full``::

    p_partial = sigmoid(b_p + Σ w_p · z)      p_full = sigmoid(b_f + Σ w_f · z)      z = (x − mean) / scale

(or, when the fit chose them, two boosted ensembles of small trees in place of the linear terms,
:class:`Trees`)
    level = full if p_full ≥ t_full, else partial if p_partial ≥ t_partial, else missing

and a passage that only restates the rubric earns at most ``partial`` (not under the ``reference``
profile: :attr:`Profile.restated_partial`); under the ``hint`` profile a
dismissed point (every sentence using its key terms says it is not done or does not matter) earns
nothing (:attr:`Profile.dismissed_missing`). The parameters live in ``grader/judges/local/data/criterion_model.json``,
written by ``scripts/fit_criterion_model.py`` from criterion-level human labels (every field is
described in the file). A rubric built from a reference answer (``kind: reference``, e.g. SAF's) uses
a rule of four thresholds instead (:attr:`Profile.rule`: how similar the best passage is to the clause,
how many of its key terms the answer uses), fitted on answer-level human scores, because a clause of a
model answer is credited more leniently than a hint's point and weak labels did not carry a fitted
model over to new questions.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np

from grader.errors import ConfigError
from grader.judges.local.signals import FEATURES
from grader.verdict import Level

__all__ = [
    "Trees",
    "RULE_KEYS",
    "CriterionModel",
    "Profile",
    "Segment",
    "segments",
    "load_model",
    "MODEL_FILE",
    "MAX_PASSAGE_WORDS",
    "PIECE_WORDS",
]

DATA_DIR = Path(__file__).resolve().parent / "data"
MODEL_FILE = DATA_DIR / "criterion_model.json"

MAX_PASSAGE_WORDS = 30  # a longer sentence is cut into pieces …
PIECE_WORDS = 20  # … of at most this many words
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n\s*")
_WORD = re.compile(r"\S+")


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


#: the four thresholds of a rule profile (:attr:`Profile.rule`)
RULE_KEYS = ("full_similarity", "full_terms", "partial_similarity", "partial_terms")


def _sigmoid(z: np.ndarray) -> np.ndarray:
    out: np.ndarray = 1.0 / (1.0 + np.exp(-np.clip(z, -50.0, 50.0)))
    return out


@dataclass(frozen=True)
class Trees:
    """A boosted ensemble of small regression trees over the standardised features, giving log-odds:
    ``base + rate × Σ value(leaf reached in each tree)``. Each tree is stored as flat node arrays (as
    scikit-learn's ``tree_`` has them): ``feature`` and ``threshold`` of a split node (go left when
    ``z[feature] <= threshold``), ``left``/``right`` children (-1 at a leaf) and each node's ``value``."""

    base: float
    rate: float
    feature: tuple[tuple[int, ...], ...]
    threshold: tuple[tuple[float, ...], ...]
    left: tuple[tuple[int, ...], ...]
    right: tuple[tuple[int, ...], ...]
    value: tuple[tuple[float, ...], ...]

    def __post_init__(self) -> None:
        shapes = {len(t) for t in (self.feature, self.threshold, self.left, self.right, self.value)}
        if len(shapes) != 1 or not self.feature:
            raise ValueError("trees: feature, threshold, left, right and value need one entry per tree")
        for arrays in zip(self.feature, self.threshold, self.left, self.right, self.value):
            n = len(arrays[0])
            if any(len(a) != n for a in arrays) or n == 0:
                raise ValueError("trees: every array of a tree needs one entry per node")
            if any(not (-1 <= c < n) for c in arrays[2] + arrays[3]):
                raise ValueError("trees: a child index points outside its tree")

    def as_json(self) -> dict[str, Any]:
        return {
            "base": self.base,
            "rate": self.rate,
            "trees": [
                {"feature": list(f), "threshold": list(t), "left": list(lt), "right": list(r), "value": list(v)}
                for f, t, lt, r, v in zip(self.feature, self.threshold, self.left, self.right, self.value)
            ],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Trees:
        trees = data["trees"]
        return cls(
            float(data["base"]),
            float(data["rate"]),
            tuple(tuple(int(x) for x in t["feature"]) for t in trees),
            tuple(tuple(float(x) for x in t["threshold"]) for t in trees),
            tuple(tuple(int(x) for x in t["left"]) for t in trees),
            tuple(tuple(int(x) for x in t["right"]) for t in trees),
            tuple(tuple(float(x) for x in t["value"]) for t in trees),
        )

    @cached_property
    def _arrays(self) -> tuple[np.ndarray, ...]:
        """The trees as padded ``(trees, nodes)`` arrays, built once."""
        width = max(len(t) for t in self.feature)

        def pad(rows: tuple[tuple[Any, ...], ...], fill: float) -> np.ndarray:
            return np.array([list(r) + [fill] * (width - len(r)) for r in rows])

        left = pad(self.left, -1).astype(int)
        feature = np.where(left < 0, 0, pad(self.feature, 0).astype(int))  # leaves carry a placeholder feature
        return feature, pad(self.threshold, 0.0), left, pad(self.right, -1).astype(int), pad(self.value, 0.0)

    def decision(self, z: np.ndarray) -> np.ndarray:
        """Log-odds for each row of ``z``: all trees walked at once, one level per step."""
        feature, threshold, left, right, value = self._arrays
        width = feature.shape[1]
        trees = np.arange(len(self.feature))[None, :]
        node = np.zeros((z.shape[0], len(self.feature)), dtype=int)
        rows = np.arange(z.shape[0])[:, None]
        for _ in range(width):  # a path is at most as long as the tree has nodes
            split = left[trees, node] >= 0
            if not split.any():
                break
            go_left = z[rows, feature[trees, node]] <= threshold[trees, node]
            node = np.where(split, np.where(go_left, left[trees, node], right[trees, node]), node)
        out: np.ndarray = self.base + self.rate * value[trees, node].sum(axis=1)
        return out


@dataclass(frozen=True)
class Profile:
    """One set of decision parameters (``hint`` rubrics, ``reference`` rubrics)."""

    coef_partial: tuple[float, ...]
    intercept_partial: float
    coef_full: tuple[float, ...]
    intercept_full: float
    threshold_partial: float = 0.5
    threshold_full: float = 0.5
    #: no credit without evidence: some passage at least this similar to the criterion …
    min_similarity: float = 0.30
    #: … or the answer uses at least this (weighted) share of the criterion's key terms
    min_key_terms: float = 0.20
    #: instead of the two logistic models, a rule of four thresholds (``reference`` rubrics): full when
    #: the best passage is at least ``full_similarity`` similar to the criterion AND the answer covers at
    #: least ``full_terms`` of a fragment's key terms; partial when either reaches its partial threshold
    rule: tuple[tuple[str, float], ...] = ()
    #: instead of the two logistic models, two boosted tree ensembles (log-odds of ≥ partial, of full)
    trees_partial: Trees | None = None
    trees_full: Trees | None = None
    #: a criterion the answer dismisses (every sentence using its key terms says it is not done or does
    #: not matter: the ``dismissed`` signal) earns nothing, whatever the probabilities
    dismissed_missing: bool = False
    #: a passage that restates the rubric (:func:`~grader.judges.local.signals.is_restatement`) earns at
    #: most ``partial``. Off for ``reference`` rubrics: there the criteria are clauses of a model answer the
    #: candidate never sees, so an answer in its words is a correct answer, not a list of criterion names
    #: (on SAF training 22 % of clauses were so flagged, and their answers score higher: grouped CV Pearson
    #: 0.275 with the cap, 0.346 without, ``scripts/saf_reference_ablation.py``)
    restated_partial: bool = True

    def rule_levels(self, rows: np.ndarray) -> list[Level]:
        """The levels under :attr:`rule` (``similarity`` and ``best_fragment`` features)."""
        r = dict(self.rule)
        sim, terms = rows[:, FEATURES.index("similarity")], rows[:, FEATURES.index("best_fragment")]
        full = (sim >= r["full_similarity"]) & (terms >= r["full_terms"])
        part = (sim >= r["partial_similarity"]) | (terms >= r["partial_terms"])
        return [Level.full if f else Level.partial if q else Level.missing for f, q in zip(full, part)]


@dataclass(frozen=True)
class CriterionModel:
    """The fitted parameters (see the module docstring and ``criterion_model.json``)."""

    features: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    profiles: dict[str, Profile]
    source: str = ""
    extra: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    def __post_init__(self) -> None:
        k = len(self.features)
        unknown = [f for f in self.features if f not in FEATURES]
        if unknown:
            raise ValueError(f"unknown feature(s) {', '.join(unknown)}")
        if not (len(self.mean) == len(self.scale) == k):
            raise ValueError("features, mean and scale must have the same length")
        if any(s <= 0 for s in self.scale):
            raise ValueError("every scale must be positive")
        if "hint" not in self.profiles:
            raise ValueError("the 'hint' profile is missing")
        for name, p in self.profiles.items():
            if p.rule and tuple(key for key, _ in p.rule) != RULE_KEYS:
                raise ValueError(f"profile {name!r}: a rule has the keys {', '.join(RULE_KEYS)}")
            if p.rule:
                continue
            if (p.trees_partial is None) != (p.trees_full is None):
                raise ValueError(f"profile {name!r}: boosted trees are needed for both partial and full")
            for t in (p.trees_partial, p.trees_full):
                if t is not None and any(not (0 <= f < k) for tree in t.feature for f in tree):
                    raise ValueError(f"profile {name!r}: a tree splits on a feature the model does not have")
            if p.trees_partial is not None:
                continue
            if len(p.coef_partial) != k or len(p.coef_full) != k:
                raise ValueError(f"profile {name!r}: coef must have one value per feature")

    def profile(self, kind: str = "hint") -> Profile:
        """The profile for a rubric kind (``hint`` when the kind has none of its own)."""
        return self.profiles.get(kind) or self.profiles["hint"]

    @property
    def version(self) -> str:
        payload = json.dumps(
            [
                self.features,
                self.mean,
                self.scale,
                {k: vars(v) for k, v in sorted(self.profiles.items())},
                MAX_PASSAGE_WORDS,
                PIECE_WORDS,
            ],
            sort_keys=True,
            default=lambda o: o.as_json() if isinstance(o, Trees) else float(o),
        )
        return hashlib.sha256(payload.encode()).hexdigest()[:8]

    def _z(self, rows: np.ndarray) -> np.ndarray:
        index = [FEATURES.index(f) for f in self.features]
        z: np.ndarray = (rows[:, index] - np.asarray(self.mean)) / np.asarray(self.scale)
        return z

    def probabilities(self, rows: np.ndarray, kind: str = "hint") -> tuple[np.ndarray, np.ndarray]:
        """``(p_partial, p_full)`` for rows of features in :data:`FEATURES` order (0 or 1 under a rule)."""
        p = self.profiles.get(kind) or self.profiles["hint"]
        rows = np.atleast_2d(np.asarray(rows, dtype=np.float64))
        if p.rule:
            levels = p.rule_levels(rows)
            return (
                np.array([float(lv != Level.missing) for lv in levels]),
                np.array([float(lv == Level.full) for lv in levels]),
            )
        z = self._z(rows)
        if p.trees_partial is not None and p.trees_full is not None:
            return _sigmoid(p.trees_partial.decision(z)), _sigmoid(p.trees_full.decision(z))
        return (
            _sigmoid(p.intercept_partial + z @ np.asarray(p.coef_partial)),
            _sigmoid(p.intercept_full + z @ np.asarray(p.coef_full)),
        )

    def levels(self, rows: np.ndarray, kind: str = "hint") -> list[Level]:
        """Each row's level: the thresholds on the two probabilities, and no credit at all for a
        criterion no passage is similar to and whose key terms the answer does not use."""
        p = self.profiles.get(kind) or self.profiles["hint"]
        rows = np.atleast_2d(np.asarray(rows, dtype=np.float64))
        p_partial, p_full = self.probabilities(rows, kind)
        evidence = (rows[:, FEATURES.index("similarity")] >= p.min_similarity) | (
            rows[:, FEATURES.index("key_terms")] >= p.min_key_terms
        )
        if p.dismissed_missing:
            evidence &= rows[:, FEATURES.index("dismissed")] < 0.5
        if p.rule:
            return [lv if ok else Level.missing for lv, ok in zip(p.rule_levels(rows), evidence)]
        return [
            Level.missing
            if not ok
            else Level.full
            if f >= p.threshold_full
            else Level.partial
            if q >= p.threshold_partial
            else Level.missing
            for q, f, ok in zip(p_partial, p_full, evidence)
        ]


def _profile(data: dict[str, Any], k: int) -> Profile:
    boosted = "boosted" in data["partial"] or "boosted" in data["full"]
    zero = tuple(0.0 for _ in range(k))
    return Profile(
        coef_partial=zero if boosted else tuple(map(float, data["partial"]["coef"])),
        intercept_partial=0.0 if boosted else float(data["partial"]["intercept"]),
        coef_full=zero if boosted else tuple(map(float, data["full"]["coef"])),
        intercept_full=0.0 if boosted else float(data["full"]["intercept"]),
        trees_partial=Trees.from_json(data["partial"]["boosted"]) if boosted else None,
        trees_full=Trees.from_json(data["full"]["boosted"]) if boosted else None,
        threshold_partial=float(data.get("threshold_partial", 0.5)),
        threshold_full=float(data.get("threshold_full", 0.5)),
        min_similarity=float(data.get("min_similarity", 0.30)),
        min_key_terms=float(data.get("min_key_terms", 0.20)),
        rule=tuple((k, float(data["rule"][k])) for k in RULE_KEYS) if "rule" in data else (),
        dismissed_missing=bool(data.get("dismissed_missing", False)),
        restated_partial=bool(data.get("restated_partial", True)),
    )


def load_model(path: Path | None = None) -> CriterionModel:
    """The fitted model (default ``criterion_model.json`` next to this module). A missing or
    malformed file raises :class:`~grader.errors.ConfigError`."""
    p = path or MODEL_FILE
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
        return CriterionModel(
            features=tuple(data["features"]),
            mean=tuple(map(float, data["mean"])),
            scale=tuple(map(float, data["scale"])),
            profiles={name: _profile(v, len(data["features"])) for name, v in data["profiles"].items()},
            source=str(data.get("source", p.name)),
            extra=data,
        )
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ConfigError(
            f"invalid criterion model file {p}: {exc}",
            setting="embedded grader model",
            hint="rebuild it with `python scripts/fit_criterion_model.py`",
        ) from None

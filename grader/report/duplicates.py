"""Near-duplicate answers: the same question answered almost identically by different candidates.

Similarity is RapidFuzz's ``fuzz.token_sort_ratio`` (0–100) on normalised text: Unicode NFKC,
case-folded, invisible characters dropped (:func:`grader.text.fold_text`), every run of
non-alphanumeric characters → one space. Sorting the tokens makes reordered sentences still match;
unlike ``token_set_ratio`` it does not score a short answer 100 against a long one that merely
contains its words. Two answers are near duplicates when the similarity is at least ``threshold``
(default :data:`DEFAULT_THRESHOLD` = 90): copied answers with a few words changed or sentences moved
score 90–100, independently written answers to the same question typically stay under 60. Answers
shorter than ``min_words`` (default 8, counted by :func:`grader.text.word_count`) are skipped: two
candidates both writing "I don't know" did not copy each other.

Scale (thousands of answers per question): comparing every pair with RapidFuzz costs ~12 µs per
pair of 150-word answers (measured: 3,000 answers ≈ 4.5 M pairs ≈ a minute on 2 cores), so a
vectorised prefilter picks the candidate pairs first: each answer becomes a hashed bag of its words
(:data:`grader.text.STOPWORDS` and words under 3 characters dropped, 2,048 buckets, unit length),
one numpy matrix product per block of 512 answers gives all cosine similarities, and only pairs with
cosine ≥ :data:`PREFILTER_COSINE` (0.5) are scored by RapidFuzz (:func:`rapidfuzz.process.cpdist`,
on token-sorted text, which equals ``token_sort_ratio``). The prefilter cannot add a pair, only skip
ones that cannot match: in a simulation of copying (random word swaps, typos, insertions, deletions,
reordering on real answers), every copy scoring ≥ 90 had a cosine ≥ 0.76 (≥ 0.70 in a harsher one on
8,248 SAF copies). Memory: ``n × 2048`` float32 plus ``512 × n`` per block.
"""

from __future__ import annotations

import re
import zlib
from collections import defaultdict
from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from typing import Generic, TypeVar

import numpy as np
from rapidfuzz import fuzz, process

from grader.text import STOPWORDS, fold_text, word_count

__all__ = [
    "DuplicatePair",
    "DuplicateGroup",
    "group_pairs",
    "find_near_duplicates",
    "normalise_for_similarity",
    "DEFAULT_THRESHOLD",
    "PREFILTER_COSINE",
]

DEFAULT_THRESHOLD = 90.0
PREFILTER_COSINE = 0.5
_BLOCK = 512
_DIM = 2048
_NON_WORD = re.compile(r"[\W_]+")

K = TypeVar("K", bound=Hashable)  # the caller's key of an answer


@dataclass(frozen=True)
class DuplicatePair(Generic[K]):
    question_id: str
    a: K  # the caller's key of one answer (e.g. a row number)
    b: K
    candidate_a: str
    candidate_b: str
    similarity: float  # 0-100


def normalise_for_similarity(text: str) -> str:
    return _NON_WORD.sub(" ", fold_text(text)).strip()


def find_near_duplicates(
    answers: Iterable[tuple[K, str, str, str]],
    *,
    threshold: float = DEFAULT_THRESHOLD,
    min_words: int = 8,
    workers: int = -1,
) -> list[DuplicatePair[K]]:
    """Pairs of answers to the same question, by different candidates, at least ``threshold`` similar.

    ``answers`` yields ``(key, question_id, candidate_id, text)``. Pairs come sorted by question,
    then similarity (highest first).
    """
    if not 0 < threshold <= 100:
        raise ValueError(f"threshold must be in (0, 100], got {threshold}")
    by_question: dict[str, list[tuple[K, str, str]]] = defaultdict(list)
    for key, question_id, candidate_id, text in answers:
        norm = normalise_for_similarity(text or "")
        if word_count(norm) >= min_words:
            by_question[question_id].append((key, candidate_id, norm))
    pairs: list[DuplicatePair[K]] = []
    for question_id in sorted(by_question):
        items = by_question[question_id]
        if len(items) < 2:
            continue
        texts = [" ".join(sorted(t.split())) for _, _, t in items]  # token-sorted: ratio == token_sort_ratio
        cands = np.array([c for _, c, _ in items], dtype=object)
        vectors = _bag_vectors(texts)
        found: list[DuplicatePair[K]] = []
        for start in range(0, len(texts) - 1, _BLOCK):
            stop = min(start + _BLOCK, len(texts))
            cosine = vectors[start:stop] @ vectors[start:].T  # this block against itself and all after it
            rows, cols = np.nonzero(cosine >= PREFILTER_COSINE)
            rows += start
            cols += start
            keep = (cols > rows) & (cands[rows] != cands[cols])
            rows, cols = rows[keep], cols[keep]
            if not len(rows):
                continue
            scores = process.cpdist(
                [texts[i] for i in rows],
                [texts[j] for j in cols],
                scorer=fuzz.ratio,
                score_cutoff=threshold,
                workers=workers,
            )
            for i, j, score in zip(rows.tolist(), cols.tolist(), scores.tolist()):
                if score >= threshold:
                    found.append(
                        DuplicatePair(
                            question_id, items[i][0], items[j][0], items[i][1], items[j][1], round(float(score), 1)
                        )
                    )
        found.sort(key=lambda p: (-p.similarity, str(p.a), str(p.b)))
        pairs.extend(found)
    return pairs


def _bag_vectors(texts: list[str]) -> np.ndarray:
    """Unit-length hashed word counts (the prefilter; see the module docstring)."""
    matrix = np.zeros((len(texts), _DIM), dtype=np.float32)
    for row, text in enumerate(texts):
        words = [w for w in text.split() if len(w) > 2 and w not in STOPWORDS]
        if words:
            buckets = np.fromiter(
                (zlib.crc32(w.encode()) & (_DIM - 1) for w in words), dtype=np.int64, count=len(words)
            )
            matrix[row] = np.bincount(buckets, minlength=_DIM)
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    unit: np.ndarray = matrix / norms
    return unit


@dataclass
class DuplicateGroup(Generic[K]):
    """Answers to one question that are near duplicates of each other, directly or through a chain of
    pairs (a copied b, c copied b): shown as one group so a reviewer sees the whole ring at once."""

    members: list[K]
    low: float  # the lowest and highest similarity of the pairs that link the group
    high: float


def group_pairs(pairs: Iterable[tuple[K, K, float]]) -> list[DuplicateGroup[K]]:
    """Connected components of the near-duplicate pairs (union-find), the largest group first."""
    parent: dict[K, K] = {}

    def root(x: K) -> K:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    links: list[tuple[K, K, float]] = list(pairs)
    for a, b, _ in links:
        ra, rb = root(a), root(b)
        if ra != rb:
            parent[ra] = rb
    members: dict[K, list[K]] = defaultdict(list)
    for x in parent:
        members[root(x)].append(x)
    sims: dict[K, list[float]] = defaultdict(list)
    for a, _, sim in links:
        sims[root(a)].append(sim)
    groups = [DuplicateGroup(sorted(m, key=str), min(sims[r]), max(sims[r])) for r, m in members.items()]
    return sorted(groups, key=lambda g: (-len(g.members), str(g.members[0])))

"""Per-criterion signals for the embedded judge: does some passage of the answer meet *this* criterion?

For each criterion of a rubric the judge measures, on the answer's passages (its sentences, a long
sentence cut into pieces):

- **similarity** — the best cosine between a passage and the criterion (its text, or one of the hint
  fragments it ``covers``), and how far that passage is *more* about this criterion than about the
  question in general (``above_question``) or about another criterion (``specificity``,
  ``owns_passage``): an on-topic sentence is similar to every criterion of its question, a sentence
  that meets a criterion is similar to that one;
- **key terms** — the criterion's content words that are not already in the question, weighted by how
  specific they are within the rubric (a word every criterion shares says little), matched after
  stemming, with hyphenation and joined compounds (``up-scaling`` = ``upscaling``), abbreviations
  (``CFG`` = classifier-free guidance, and any ``long form (ABBR)`` the rubric writes itself) and light
  fuzzy matching of long words (:mod:`grader.judges.local.terms`). The shares are computed twice: over
  all key terms (with joined neighbour pairs), and over the criterion's own *words* only (``word_*``: no
  pairs such as "samplingrather", no phrasing words such as "uses"), whose shares a pair the answer
  cannot be expected to write does not dilute;
- **dismissal** — every sentence that uses the key terms plays them down or negates doing them, in the
  clause that uses them ("flickering isn't really a concern", "we never bothered with seeds"); a
  negation about something else in the sentence does not count, nor any for a criterion that itself
  says what not to do;
- **restatement** — the supporting passage is made of the rubric's own words (criterion names, the
  hint) with nothing of its own, or the answer tells the reader what "a good answer" covers: such a
  passage earns at most ``partial``;
- **grading talk** — passages addressed to the grader or about grading never count as evidence (the
  same recogniser as the scoring's relevance gate).

:func:`criterion_signals` returns every feature of :data:`FEATURES` per criterion plus what the
rationale needs (the supporting passage, the matched words); :mod:`grader.judges.local.model` turns
them into a level with a small fitted model.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from grader.judges.local.terms import (
    _NEGATOR,
    GLOSSARY,
    RUBRIC_STEMS,
    content_terms,
    dismisses,
    match,
    word_terms,
)
from grader.judges.local.terms import words as _words
from grader.rubric.model import Rubric

__all__ = [
    "FEATURES",
    "GLOSSARY",
    "RubricProfile",
    "CriterionSignals",
    "rubric_profile",
    "criterion_signals",
    "content_terms",
    "is_restatement",
    "is_grading_talk",
    "is_about_an_answer",
    "dismisses",
    "word_terms",
]

FEATURES = (
    "similarity",  # best cosine of a passage with the criterion (its text or a covered fragment)
    "similarity_text",  # … with the criterion's text only
    "similarity_fragment",  # … with its covered hint fragments only
    "above_question",  # that passage's similarity minus its cosine with the question
    "specificity",  # that passage's similarity minus its best similarity to another criterion
    "owns_passage",  # 1 if this criterion is the most similar criterion of that passage
    "key_terms",  # weighted share of the criterion's key terms the answer uses
    "best_fragment",  # the same for the best-covered fragment
    "worst_fragment",  # … and for the least-covered one
    "terms_in_passage",  # the weighted share within the passage that uses most of them
    "strongest_term",  # specificity (idf) of the most specific key term found
    "dismissed",  # 1 if every sentence using the key terms dismisses them next to them (:func:`dismisses`)
    "novelty",  # share of the supporting passage's content words that are not the rubric's
    "log_words",  # log(1 + words in the answer)
    "criteria",  # how many criteria the rubric has
    "on_topic",  # best cosine of a passage with the question
    "runner_up",  # the second-best passage's similarity
    "pair_similarity",  # best similarity of two neighbouring passages taken together (mean vector)
    "elaboration",  # passages within 0.05 of the best one (a point explained over several sentences)
    "criterion_vs_question",  # cosine of the criterion with the question (how on-topic text scores anyway)
    # the key-term shares again, over the criterion's own *words* only (:func:`word_terms`: no joined
    # neighbour pairs such as "samplingrather", no phrasing words such as "uses"), which dilute the shares above
    "word_terms",  # weighted share of the criterion's key words the answer uses
    "word_best_fragment",  # the same for the best-covered fragment
    "word_worst_fragment",  # … and for the least-covered one
    "word_terms_in_passage",  # the weighted share within the passage that uses most of them
)

_ABBR_DEF = re.compile(r"([A-Za-z][\w-]*(?:\s+[\w-]+){0,4})\s*\(([A-Z][A-Za-z0-9/-]{1,7})\)")
#: a passage that says what an answer should contain ("a complete answer would talk about …", "the key
#: points are: …") describes an answer instead of giving one: it is never evidence
_ABOUT_AN_ANSWER = re.compile(
    r"\b(?:a|an|the|any|my)\s+(?:good|strong|complete|full|great|ideal|model|correct)\s+(?:answer|response)\b|"
    r"\b(?:key|main)\s+points?\s*(?:are|:)|\b(?:this|the)\s+answer\s+(?:covers|addresses|mentions)\b",
    re.I,
)
_META_ANSWER = re.compile(_ABOUT_AN_ANSWER.pattern + r"|\bcriteri(?:on|a)\b|\brubric\b", re.I)


def is_grading_talk(text: str) -> bool:
    """Text addressed to the grader or about grading (the scoring's relevance gate uses the same)."""
    from grader.scoring import GRADING_TALK

    return bool(GRADING_TALK.search(text))


def is_about_an_answer(text: str) -> bool:
    """The passage says what an answer should contain instead of answering ("a complete answer would
    cover …"): like grading talk, it is never evidence for any criterion."""
    return bool(_ABOUT_AN_ANSWER.search(text))


def is_restatement(text: str, rubric_terms: frozenset[str], key_sets: Sequence[frozenset[str]]) -> bool:
    """The passage restates the rubric: it talks about what an answer should contain, or it is made
    of the rubric's own words (at most one content word in five its own) and names the key terms of
    two or more criteria at once — a list of the points, not an answer to them."""
    if _META_ANSWER.search(text):
        return True
    terms = content_terms(text)
    if len(terms) < 3:
        return False
    own = sum(1 for t in terms if not match(t, rubric_terms))
    named = sum(1 for keys in key_sets if keys and any(match(t, terms) for t in keys))
    return own / len(terms) <= 0.2 and named >= 2


@dataclass(frozen=True)
class CriterionProfile:
    key_terms: frozenset[str]  # content terms of the criterion (text + covers) not in the question
    fragments: tuple[frozenset[str], ...]  # the key terms of each covered fragment
    idf: dict[str, float]
    #: the criterion itself says what not to do or need ("does not need the massive compute"): an answer
    #: that negates its terms agrees with it, so nothing counts as dismissing it
    negated: bool = False
    #: :func:`word_terms` of the criterion (not in the question) and of each covered fragment
    words: frozenset[str] = frozenset()
    word_fragments: tuple[frozenset[str], ...] = ()


@dataclass(frozen=True)
class RubricProfile:
    """What is computed once per rubric: key terms, their weights, and the embedded views."""

    criteria: tuple[CriterionProfile, ...]
    rubric_terms: frozenset[str]  # every content term of the question, hint and criteria
    glossary: tuple[tuple[str, str], ...]
    text_vecs: np.ndarray  # (criteria, dim)
    frag_vecs: tuple[np.ndarray, ...]  # per criterion (fragments, dim), possibly empty
    question_vec: np.ndarray  # (dim,)
    criterion_question: np.ndarray  # (criteria,) cosine of each criterion's text with the question


def profile_texts(rubric: Rubric) -> list[str]:
    """The texts :func:`rubric_profile` needs embedded, in order: criterion texts, every covered
    fragment (criterion by criterion), the question."""
    return [c.text for c in rubric.criteria] + [f for c in rubric.criteria for f in c.covers] + [rubric.question]


def _rubric_glossary(rubric: Rubric) -> tuple[tuple[str, str], ...]:
    text = " ".join(
        [
            rubric.question,
            rubric.hint,
            *(c.text for c in rubric.criteria),
            *(f for c in rubric.criteria for f in c.covers),
        ]
    )
    pairs = {}
    for long, abbr in _ABBR_DEF.findall(text):
        words = _words(long)
        letters = [ch for ch in abbr.casefold() if ch.isalpha()]
        # the long form: as many trailing words as the abbreviation has letters (at least one)
        take = words[-max(1, min(len(words), len(letters))) :]
        pairs["".join(_words(abbr))] = " ".join(take)
    return tuple(sorted(pairs.items()))


def rubric_profile(rubric: Rubric, vectors: np.ndarray) -> RubricProfile:
    """Assemble the profile from the embeddings of :func:`profile_texts` (same order)."""
    glossary = _rubric_glossary(rubric)
    n = len(rubric.criteria)
    q_terms = content_terms(rubric.question, glossary)
    docs = []
    raw = []
    for c in rubric.criteria:
        terms = content_terms(" ".join([c.text, *c.covers]), glossary)
        terms = frozenset(t for t in terms if t not in RUBRIC_STEMS)
        raw.append(terms)
        docs.append(terms)
    docs.append(q_terms)
    df: dict[str, int] = {}
    for d in docs:
        for t in d:
            df[t] = df.get(t, 0) + 1
    idf = {t: math.log((len(docs) + 1) / (k + 1)) + 1.0 for t, k in df.items()}
    profiles = []
    for c, terms in zip(rubric.criteria, raw):
        key = (terms - q_terms) or terms
        frags = []
        for f in c.covers:
            ft = frozenset(t for t in content_terms(f, glossary) if t not in RUBRIC_STEMS) - q_terms
            if ft:
                frags.append(ft)
        negated = any(w in _NEGATOR or w.endswith("n't") for w in c.text.replace("\u2019", "'").casefold().split())
        words = word_terms(" ".join([c.text, *c.covers]), glossary)
        words = (words - q_terms) or words
        word_frags = [ft for ft in (word_terms(f, glossary) - q_terms for f in c.covers) if ft]
        profiles.append(
            CriterionProfile(
                frozenset(key), tuple(frags) or (frozenset(key),), idf, negated, words, tuple(word_frags) or (words,)
            )
        )
    rubric_terms = content_terms(" ".join([rubric.question, rubric.hint, *(c.text for c in rubric.criteria)]), glossary)
    pos = n
    frag_vecs = []
    for c in rubric.criteria:
        frag_vecs.append(vectors[pos : pos + len(c.covers)])
        pos += len(c.covers)
    return RubricProfile(
        tuple(profiles), rubric_terms, glossary, vectors[:n], tuple(frag_vecs), vectors[pos], vectors[:n] @ vectors[pos]
    )


def _share(terms: frozenset[str], bag: frozenset[str], idf: dict[str, float]) -> float:
    total = sum(idf.get(t, 1.0) for t in terms)
    return sum(idf.get(t, 1.0) for t in terms if match(t, bag)) / total if total else 0.0


@dataclass(frozen=True)
class CriterionSignals:
    features: tuple[float, ...]  # in the order of FEATURES
    passage: int  # the supporting passage (index into the passages), -1 without passages
    matched: tuple[str, ...]  # key terms the answer uses (stems)
    dismissed: bool
    restated: bool

    def as_dict(self) -> dict[str, float]:
        return dict(zip(FEATURES, self.features))


def criterion_signals(
    profile: RubricProfile,
    answer: str,
    passages: Sequence[str],
    passage_vecs: np.ndarray,
    only: Sequence[int] | None = None,
) -> list[CriterionSignals]:
    """Every criterion's signals for one answer. Passages that talk about grading are ignored.
    ``only``: the signals of these criteria (indices), in that order, and no others: the same values,
    without the per-criterion work for the rest (the second opinion asks for one criterion at a time)."""
    n = len(profile.criteria)
    wanted = range(n) if only is None else only
    usable = [i for i, p in enumerate(passages) if not is_grading_talk(p) and not is_about_an_answer(p)]
    n_words = len(answer.split())
    if not usable:
        zero = tuple(
            math.log1p(n_words) if f == "log_words" else float(n) if f == "criteria" else 0.0 for f in FEATURES
        )
        return [CriterionSignals(zero, -1, (), False, False) for _ in wanted]
    texts = [passages[i] for i in usable]
    P = passage_vecs[usable]
    s_text = profile.text_vecs @ P.T  # (criteria, passages)
    # a criterion with no covered fragments is its own fragment
    s_frag = np.stack([(fv @ P.T).max(axis=0) if len(fv) else s_text[i] for i, fv in enumerate(profile.frag_vecs)])
    sims = np.maximum(s_text, s_frag)
    on_q = P @ profile.question_vec
    if len(texts) > 1:
        pairs = P[:-1] + P[1:]
        pairs = pairs / np.linalg.norm(pairs, axis=1, keepdims=True).clip(1e-9)
        pair_text = profile.text_vecs @ pairs.T
        pair_sims = np.maximum(
            pair_text,
            np.stack(
                [(fv @ pairs.T).max(axis=0) if len(fv) else pair_text[i] for i, fv in enumerate(profile.frag_vecs)]
            ),
        ).max(axis=1)
    else:
        pair_sims = sims.max(axis=1)
    bags = [content_terms(t, profile.glossary) for t in texts]
    answer_bag = frozenset().union(*bags)
    key_sets = [c.key_terms for c in profile.criteria]
    restating = [is_restatement(t, profile.rubric_terms, key_sets) for t in texts]
    out = []
    for i in wanted:
        crit = profile.criteria[i]
        j = int(sims[i].argmax())
        others = np.delete(sims[:, j], i)
        ranked = np.sort(sims[i])[::-1]
        key, idf = crit.key_terms, crit.idf
        matched = tuple(sorted(t for t in key if match(t, answer_bag)))
        frag_shares = [_share(f, answer_bag, idf) for f in crit.fragments]
        per_passage = [_share(key, b, idf) for b in bags]
        word_frag_shares = [_share(f, answer_bag, idf) for f in crit.word_fragments] or [0.0]
        using = [k for k, b in enumerate(bags) if not restating[k] and any(match(t, b) for t in key)]
        dismissed = not crit.negated and bool(using) and all(dismisses(texts[k], key, profile.glossary) for k in using)
        # the supporting passage: the most similar one, unless another uses clearly more key terms
        jt = int(np.argmax(per_passage))
        support = jt if per_passage[jt] >= per_passage[j] + 0.34 else j
        bag = bags[support]
        novelty = sum(1 for t in bag if not match(t, profile.rubric_terms)) / max(1, len(bag))
        feats = (
            float(sims[i, j]),
            float(s_text[i].max()),
            float(s_frag[i].max()),
            float(sims[i, j] - on_q[j]),
            float(sims[i, j] - (others.max() if len(others) else 0.0)),
            float(int(sims[:, j].argmax()) == i),
            _share(key, answer_bag, idf),
            max(frag_shares),
            min(frag_shares),
            max(per_passage),
            max((idf.get(t, 1.0) for t in matched), default=0.0),
            float(dismissed),
            novelty,
            math.log1p(n_words),
            float(n),
            float(on_q.max()),
            float(ranked[1]) if len(ranked) > 1 else 0.0,
            float(pair_sims[i]),
            float((sims[i] >= sims[i, j] - 0.05).sum()),
            float(profile.criterion_question[i]),
            _share(crit.words, answer_bag, idf),
            max(word_frag_shares),
            min(word_frag_shares),
            max(_share(crit.words, b, idf) for b in bags),
        )
        out.append(CriterionSignals(feats, usable[support], matched, dismissed, restating[support]))
    return out

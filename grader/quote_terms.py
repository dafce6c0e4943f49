"""How much of a criterion's key terms its quotes use: the second opinion's lexical step
(:mod:`grader.second_opinion`), split out of it.

- :func:`key_share` — the weighted share of a criterion's key terms (the embedded judge's, weighted by how
  specific they are) in its quotes *without their grading-talk clauses*, and whether the quotes merely
  restate the rubric (or are grading talk through and through); cached per rubric, criterion and quotes,
  because the same quotes are weighed twice per answer (before grading, to decide whether the embedding model
  may run, and then in the review);
- :func:`genuine_share` — the same share on the quotes' genuine text only (:func:`grader.genuine.genuine_text`:
  without claims of coverage and clauses about grading), for answers off the subject or thin;
- :func:`judged` — a quote as the embedded judge reads it (without grading talk).

Lexical only: no embedding.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from grader.rubric.model import Rubric
from grader.support import SupportChecker, strip_grading_talk
from grader.text import terms

if TYPE_CHECKING:
    from grader.judges.local.signals import RubricProfile

__all__ = ["genuine_share", "judged", "key_share", "key_terms_in", "compute_key_share"]


#: (id of the rubric, criterion index, quotes) → (the rubric, (key-term share, restated)): the same quotes
#: are weighed twice per answer (:meth:`grader.second_opinion.Reviewer.would_embed`, then its ``review``). The rubric
#: is kept beside its result so that its id cannot be reused by another while the entry lives; bounded.
_SHARES: dict[tuple[int, int, tuple[str, ...]], tuple[Rubric, tuple[float, bool]]] = {}
_SHARES_MAX = 4096


def key_share(checker: SupportChecker, rubric: Rubric, index: int, texts: Sequence[str]) -> tuple[float, bool]:
    key = (id(rubric), index, tuple(texts))
    entry = _SHARES.get(key)
    if entry is not None and entry[0] is rubric:
        return entry[1]
    found = compute_key_share(checker.profile(rubric), index, texts)
    if len(_SHARES) >= _SHARES_MAX:
        _SHARES.clear()
    _SHARES[key] = (rubric, found)
    return found


def compute_key_share(profile: RubricProfile, index: int, texts: Sequence[str]) -> tuple[float, bool]:
    from grader.judges.local.signals import content_terms, is_restatement

    crit = profile.criteria[index]
    # the words of a grading-talk clause do not count for the criterion ("the grader should see it is really
    # good; I use Runway's motion brush"): weighed without it, as the support check judged it
    read = [judged(t) for t in texts]
    # a clause that was grading talk through and through is weighed by the model, not agreed unseen
    talk = any(j and not strip_grading_talk(t) for t, j in zip(texts, read))
    texts = [t for t in read if t]
    bag = frozenset().union(*(content_terms(t, profile.glossary) for t in texts)) if texts else frozenset()
    words = frozenset().union(*(terms(t) for t in texts)) if texts else frozenset()
    total = sum(crit.idf.get(t, 1.0) for t in crit.key_terms)
    hit = sum(crit.idf.get(t, 1.0) for t in crit.key_terms if _has(t, bag, words))
    share = hit / total if total else 0.0
    key_sets = [c.key_terms for c in profile.criteria]
    restated = talk or any(is_restatement(t, profile.rubric_terms, key_sets) for t in texts)
    return share, restated


def genuine_share(checker: SupportChecker, rubric: Rubric, index: int, quotes: Sequence[str]) -> float:
    """The key-term share of the quotes' genuine text (:func:`grader.genuine.genuine_text`)."""
    from grader.genuine import genuine_text

    profile = checker.profile(rubric)
    texts = [t for t in (genuine_text(profile, q) for q in quotes) if t]
    return compute_key_share(profile, index, texts)[0] if texts else 0.0


def judged(quote: str) -> str:
    """The quote without its grading-talk clauses; when that leaves nothing (a single clause the support
    check kept for using the criterion's key terms: "as the evaluator on our team I insist on a character
    sheet"), the quote without its grading-talk words — the embedded judge's signals ignore a passage
    that is grading talk, so the clause must be read without them. Such a quote is never agreed unseen."""
    from grader.scoring import GRADING_TALK
    from grader.support import VERDICT_FIELDS

    stripped = strip_grading_talk(quote)
    if stripped or VERDICT_FIELDS.search(quote):
        return stripped
    return " ".join(GRADING_TALK.sub(" ", quote).split())


def key_terms_in(profile: RubricProfile, index: int, quote: str) -> int:
    """How many of criterion ``index``'s key terms ``quote`` uses once its grading words are set aside (the bar a
    clause about grading must pass to count as genuine text: two, :func:`grader.genuine.genuine_text`)."""
    from grader.judges.local.signals import content_terms
    from grader.scoring import GRADING_TALK

    text = " ".join(GRADING_TALK.sub(" ", quote).split())
    bag = content_terms(text, profile.glossary)
    return sum(1 for t in profile.criteria[index].key_terms if _has(t, bag, terms(text)))


def _has(term: str, bag: frozenset[str], words: frozenset[str]) -> bool:
    """``term`` is in ``bag`` (content terms, with joined neighbour pairs), or a long single word of ``words`` (the
    stemmed words alone) shares its stem. Not a joined pair by its prefix: "mode" + "lenient" is not "model"."""
    if term in bag:
        return True
    return len(term) >= 5 and any(len(b) >= 5 and (b.startswith(term) or term.startswith(b)) for b in words)

"""How much of a criterion's key terms its quotes use: the second opinion's lexical step
(:mod:`grader.second_opinion`), split out of it.

- :func:`key_share` — the weighted share of a criterion's key terms (the embedded judge's, weighted by how
  specific they are) in its quotes *without their grading-talk clauses*, and whether the quotes merely
  restate the rubric (or are grading talk through and through); cached per rubric, criterion and quotes,
  because the same quotes are weighed twice per answer (before grading, to decide whether the embedding model
  may run, and then in the review);
- :func:`genuine_share` — the same share on the quotes' genuine text only (:func:`grader.genuine.genuine_text`:
  without claims of coverage and clauses about grading), for answers off the subject or thin;
- :func:`judged` — a quote as the embedded judge reads it (without grading talk);
- :func:`names_only` — a quote that only names the criteria (a label's line, or a criterion's text pasted back);
  :func:`talks` — a quote with something genuine text leaves out (both for the thin-answer rule of the second
  opinion).

Lexical only: no embedding.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from grader.result import Evidence
from grader.rubric.model import Rubric
from grader.support import SupportChecker, strip_grading_talk
from grader.text import terms

if TYPE_CHECKING:
    from grader.judges.local.signals import RubricProfile

__all__ = ["genuine_share", "judged", "key_share", "key_terms_in", "compute_key_share", "names_only", "talks"]


#: (id of the rubric, criterion index, quotes, restatement cap) → (the rubric, (key-term share, restated)): the
#: same quotes are weighed twice per answer (:meth:`grader.second_opinion.Reviewer.would_embed`, then its
#: ``review``). The rubric is kept beside its result so that its id cannot be reused by another while the entry
#: lives; bounded.
_SHARES: dict[tuple[int, int, tuple[str, ...], bool], tuple[Rubric, tuple[float, bool]]] = {}
_SHARES_MAX = 4096


def key_share(checker: SupportChecker, rubric: Rubric, index: int, texts: Sequence[str]) -> tuple[float, bool]:
    cap = checker.judge.criterion_model.profile(rubric.kind).restated_partial
    key = (id(rubric), index, tuple(texts), cap)
    entry = _SHARES.get(key)
    if entry is not None and entry[0] is rubric:
        return entry[1]
    found = compute_key_share(checker.profile(rubric), index, texts, cap=cap)
    if len(_SHARES) >= _SHARES_MAX:
        _SHARES.clear()
    _SHARES[key] = (rubric, found)
    return found


def compute_key_share(
    profile: RubricProfile, index: int, texts: Sequence[str], *, cap: bool = True
) -> tuple[float, bool]:
    """The idf-weighted share of the criterion's key terms the quotes hold, and whether they restate the rubric.
    ``cap`` is the embedded judge's profile's restatement cap: without it (reference rubrics, whose criteria
    are clauses of a hidden model answer) only talk about what a good answer contains counts as restating."""
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
    restated = talk or any(
        is_restatement(t, profile.rubric_terms, key_sets) if cap else is_restatement(t, frozenset(), ()) for t in texts
    )
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


def names_only(rubric: Rubric, profile: RubricProfile, answer: str, evidence: Evidence) -> bool:
    """The quote only names the criteria: its line is a label (:func:`grader.genuine.is_label`), or it repeats
    a criterion's own text word for word (the rubric pasted back, not an answer; a hint rubric's only)."""
    from grader.genuine import LABEL_WORDS, is_label, quote_line
    from grader.injection.blocks import criterion_echoes

    words = len(evidence.quote.split())
    if words <= LABEL_WORDS and is_label(profile, quote_line(answer, evidence.start, evidence.end)):
        return True
    if rubric.kind == "reference" or words < 4:
        return False
    # an echo holds a criterion's whole text: no longer than the quote, its first and last words in it (cheap,
    # before the exact check)
    low = evidence.quote.casefold()

    def may_echo(text: str) -> bool:
        ends = text.split()
        return len(text) <= len(evidence.quote) + 8 and all(
            w.casefold().strip(".,;:") in low for w in ends[:1] + ends[-1:]
        )

    texts = [c.text for c in rubric.criteria if may_echo(c.text)]
    return bool(texts) and bool(criterion_echoes(evidence.quote, texts))


def talks(quote: str) -> bool:
    """The quote has something its genuine text would leave out: grading talk, a claim of coverage, a word about
    grading (:func:`grader.genuine.genuine_text`); cheap (cached or one regex)."""
    from grader.genuine import GRADING_WORDS, has_claim_cue

    return bool(GRADING_WORDS.search(quote)) or strip_grading_talk(quote) != quote or has_claim_cue(quote)

"""The held-out injection set (tests/injection_heldout.py) is well formed: it was written before the
defences of issue 12 and is kept for measuring them, so its cases must stay valid (real question and
criterion ids, verbatim honest parts and quotes) and distinct from the development set."""

from __future__ import annotations

from injection_cases import ATTACKS, BENIGN, FRESH_ATTACKS, FRESH_BENIGN
from injection_heldout import HELDOUT_ATTACKS, HELDOUT_BENIGN

from grader.rubric import default_bank

BANK = default_bank()


def test_sizes_and_variety():
    assert len(HELDOUT_ATTACKS) >= 30 and len({c.category for c in HELDOUT_ATTACKS}) >= 10
    assert len(HELDOUT_BENIGN) >= 20
    assert sum(c.attack_only for c in HELDOUT_ATTACKS) >= 10 and sum(not c.attack_only for c in HELDOUT_ATTACKS) >= 10


def test_ids_are_unique_and_apart_from_the_development_set():
    ids = [c.id for c in (*HELDOUT_ATTACKS, *HELDOUT_BENIGN)]
    assert len(ids) == len(set(ids))
    assert not set(ids) & {c.id for c in (*ATTACKS, *BENIGN, *FRESH_ATTACKS, *FRESH_BENIGN)}


def test_cases_name_real_rubrics_and_quote_verbatim():
    for case in (*HELDOUT_ATTACKS, *HELDOUT_BENIGN):
        rubric = BANK.get(case.question_id)
        assert rubric.id == case.question_id, case.id
        ids = {c.id for c in rubric.criteria}
        for criterion, quotes in case.evidence.items():
            assert criterion in ids, (case.id, criterion)
            for quote in quotes:
                assert len(quote) >= 8 and quote in case.text, (case.id, quote)
        if case.attack_only:
            assert case.honest == "", case.id
    for case in HELDOUT_ATTACKS:  # the honest part is made of the text's own words, in order
        pos = 0
        for word in case.honest.split():
            found = case.text.find(word, pos)
            assert found >= 0, (case.id, word)
            pos = found + len(word)

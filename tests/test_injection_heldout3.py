"""The third held-out injection set (tests/injection_heldout3.py) is well formed: it is kept for measuring
the defences of issue 12 and never tuned on, so its cases must stay valid (real question and criterion ids,
verbatim honest parts and quotes), meet the size and variety bars it was written to, and stay distinct from
every other set. Structural checks only: nothing here runs the detector or a judge."""

from __future__ import annotations

from collections import Counter

from heldout_structure import (
    check_attack_parts,
    check_benchmark_part,
    check_rubrics_and_quotes,
    check_sizes_and_variety,
)
from injection_cases import ATTACKS, BENIGN, FRESH_ATTACKS, FRESH_BENIGN
from injection_heldout import HELDOUT_ATTACKS, HELDOUT_BENIGN
from injection_heldout2 import HELDOUT2_ATTACKS, HELDOUT2_BENIGN
from injection_heldout3 import HELDOUT3_ATTACKS, HELDOUT3_BENIGN, HONEST_FRAGMENTS

from grader.rubric import default_bank

BANK = default_bank()
CASES = (*HELDOUT3_ATTACKS, *HELDOUT3_BENIGN)
OTHERS = (
    *ATTACKS,
    *BENIGN,
    *FRESH_ATTACKS,
    *FRESH_BENIGN,
    *HELDOUT_ATTACKS,
    *HELDOUT_BENIGN,
    *HELDOUT2_ATTACKS,
    *HELDOUT2_BENIGN,
)


def test_sizes_and_variety():
    check_sizes_and_variety(HELDOUT3_ATTACKS, HELDOUT3_BENIGN)


def test_ids_follow_the_convention_and_are_unique_across_all_sets():
    assert all(c.id.startswith("za") for c in HELDOUT3_ATTACKS)
    assert all(c.id.startswith("zb") for c in HELDOUT3_BENIGN)
    ids = [c.id for c in CASES]
    assert len(ids) == len(set(ids))
    assert not set(ids) & {c.id for c in OTHERS}


def test_texts_are_new():
    """No case repeats another set's text (the set was written afresh, not copied)."""
    assert not {c.text for c in CASES} & {c.text for c in OTHERS}
    assert len({c.text for c in CASES}) == len(CASES)


def test_cases_name_real_rubrics_and_quote_verbatim():
    check_rubrics_and_quotes(CASES, BANK)


def test_mostly_questions_the_other_sets_rarely_use():
    """The set's scenarios are new: most of its cases answer questions the other sets use at most 8 times."""
    used = Counter(c.question_id for c in OTHERS)
    rare = sum(used[c.question_id] <= 8 for c in CASES)
    assert rare >= 0.8 * len(CASES), (rare, len(CASES))


def test_benign_answers_cover_one_to_four_criteria():
    for case in HELDOUT3_BENIGN:
        assert 1 <= len(case.evidence) <= 4, (case.id, sorted(case.evidence))


def test_attack_only_and_mixed_answers():
    check_attack_parts(HELDOUT3_ATTACKS, HONEST_FRAGMENTS)


def test_the_benchmarks_know_the_part_by_name(monkeypatch):
    """``benchmarks/injection_targets.py --parts held-out-3`` measures exactly this set. Nothing is graded."""
    check_benchmark_part(monkeypatch, "held-out-3", HELDOUT3_ATTACKS, HELDOUT3_BENIGN)

"""Structural checks shared by the held-out injection sets' tests (tests/test_injection_heldout2.py and
tests/test_injection_heldout3.py): how an attack's genuine part is made, and that the benchmarks know a
part by its name. Nothing here runs the detector or a judge."""

from __future__ import annotations

import importlib.util
import sys
from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest

TARGETS = Path(__file__).resolve().parent.parent / "benchmarks" / "injection_targets.py"


def check_sizes_and_variety(attacks: Sequence[Any], benign: Sequence[Any]) -> None:
    """At least 36 attacks in at least 12 techniques of two cases or more, attack-only and mixed answers
    balanced (15 or more each, within a fifth of the attacks), and at least 24 benign answers."""
    assert len(attacks) >= 36
    techniques = Counter(c.category for c in attacks)
    assert len(techniques) >= 12, techniques
    assert all(n >= 2 for n in techniques.values()), techniques  # a technique is more than one case
    only = sum(c.attack_only for c in attacks)
    mixed = len(attacks) - only
    assert only >= 15 and mixed >= 15 and abs(only - mixed) <= len(attacks) // 5, (only, mixed)
    assert len(benign) >= 24
    assert all(c.category == "benign" and not c.attack_only for c in benign)


def check_rubrics_and_quotes(cases: Sequence[Any], bank: Any) -> None:
    """Every case answers a question of the seed bank, its evidence names that rubric's criteria and quotes
    the text verbatim (8 characters or more), and it is graded as English."""
    for case in cases:
        rubric = bank.get(case.question_id)
        assert rubric.id == case.question_id, case.id
        ids = {c.id for c in rubric.criteria}
        for criterion, quotes in case.evidence.items():
            assert criterion in ids, (case.id, criterion)
            assert quotes, (case.id, criterion)
            for quote in quotes:
                assert len(quote) >= 8 and quote in case.text, (case.id, quote)
        assert case.languages == ("en",), case.id  # the bank is English; other scripts appear inside answers


def check_attack_parts(attacks: Sequence[Any], fragments: Mapping[str, Sequence[str]]) -> None:
    """Attacks cite no evidence; an attack-only answer has no genuine part; a mixed one has a genuine part
    *and* an attack, made of its listed fragments (joined by single spaces), each copied verbatim from the
    text, whose words stand in the text in order."""
    for case in attacks:
        assert not case.evidence, case.id
        if case.attack_only:
            assert case.honest == "", case.id
            assert case.id not in fragments, case.id
            continue
        assert case.honest and case.honest != case.text.strip(), case.id
        assert " ".join(fragments[case.id]) == case.honest, case.id
        for fragment in fragments[case.id]:
            assert fragment and fragment in case.text, (case.id, fragment)
        pos = 0
        for word in case.honest.split():
            found = case.text.find(word, pos)
            assert found >= 0, (case.id, word)
            pos = found + len(word)


def check_benchmark_part(monkeypatch: pytest.MonkeyPatch, name: str, attacks: Any, benign: Any) -> None:
    """``benchmarks/injection_targets.py --parts NAME`` (and the detector benchmark, which reads its parts
    from there) measure exactly this set; an unknown part's error names it."""
    spec = importlib.util.spec_from_file_location(f"injection_targets_under_test_{name}", TARGETS)
    assert spec is not None and spec.loader is not None
    targets = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, spec.name, targets)  # its dataclasses look their module up there
    spec.loader.exec_module(targets)
    got_attacks, got_benign = targets.parts([name])[name]
    assert got_attacks is attacks and got_benign is benign
    with pytest.raises(SystemExit, match=name):
        targets.parts(["no-such-part"])

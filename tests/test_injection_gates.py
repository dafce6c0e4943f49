"""The detector's pre-filters on ASCII text (:mod:`grader.injection._ascii_gates`) are a pure speed-up:
the findings are exactly those of scanning every pattern, on every answer the project has."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest

import grader.injection.detector as det
from grader.injection._ascii_gates import Gates, required_strings
from grader.rubric import default_bank

sys.path.insert(0, str(Path(__file__).resolve().parent))
from injection_cases import ATTACKS, BENIGN, FRESH_ATTACKS, FRESH_BENIGN

ROOT = Path(__file__).resolve().parents[1]
BANK = default_bank()


def _texts() -> list[tuple[str, tuple[str, ...], list[str]]]:
    """(answer, languages, criterion texts) for every test answer, plus upper-cased copies (case folding)."""
    out = []
    for case in [*ATTACKS, *BENIGN, *FRESH_ATTACKS, *FRESH_BENIGN]:
        criteria = [c.text for c in BANK.get(case.question_id).criteria]
        out.append((case.text, case.languages, criteria))
        out.append((case.text.upper(), case.languages, criteria))
    for line in (ROOT / "datasets" / "criteria-own" / "answers.jsonl").read_text(encoding="utf-8").splitlines()[:120]:
        row = json.loads(line)
        out.append((row["answer"], ("en",), []))
    return out


TEXTS = _texts()


def test_the_ascii_gates_find_exactly_what_scanning_every_pattern_finds(monkeypatch):
    gated = [det.detect_injection(text, languages, criteria) for text, languages, criteria in TEXTS]
    none = Gates([None] * len(det._PATTERNS))
    monkeypatch.setattr(det, "_OPEN", {True: none, False: none})
    ungated = [det.detect_injection(text, languages, criteria) for text, languages, criteria in TEXTS]
    assert gated == ungated
    assert sum(1 for f in ungated if f) > 100  # the comparison covers many findings, not only clean answers
    assert any(text.isascii() for text, _, _ in TEXTS) and any(not text.isascii() for text, _, _ in TEXTS)


def test_gates_open_exactly_as_the_word_test_per_pattern():
    for text, _, _ in TEXTS[:200]:
        low = text.lower()
        for gates in (det._ASCII_GATES, det._GATES):
            expected = [g is None or any(word in low for word in g) for g in gates]
            assert Gates(gates).open(low) == expected


def test_most_patterns_have_a_filter_on_ascii_text():
    assert sum(g is None for g in det._ASCII_GATES) <= 2 < sum(g is None for g in det._GATES)
    # a pattern keeps its own gate where it has one
    assert all(a == g for a, g in zip(det._ASCII_GATES, det._GATES) if g is not None)


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        (r"\b(?:the\s+)?(?:grader|evaluator)s?", {"grader", "evaluator"}),
        (r"(?:<{3}|>{3})\s*end|[<‹]{3}", {"end", "<", "‹"}),
        (r"(?:^|\n)\s*(?:user|human)\s*:", {"user", "human"}),
        (r"foo(?:bar)?", {"foo"}),
        (r"(?:bar)?|x", None),  # an alternative that may match nothing: no filter
        (r"\w+\s+\d", None),
        (r"(?i)ſtop", None),  # ſ matches s ignoring case: not testable on lower-cased ASCII text
        (r"максимал\w*|\bзабудь", {"максимал", "забудь"}),
    ],
)
def test_required_strings(pattern, expected):
    found = required_strings(re.compile(pattern, re.IGNORECASE))
    assert (set(found) if found else None) == expected

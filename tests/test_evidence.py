"""Evidence verification: the stated tolerance, table-driven."""

import re

import pytest

from grader.evidence import MIN_QUOTE_CHARS, AnswerIndex, locate, normalise

ANSWER = (
    "We light it at “golden hour” — warm tones only.\n"
    "Then a slow   dolly shot, wide-angle lens, shallow DOF.\u200b Finally we ship it."
)


@pytest.mark.parametrize(
    "quote, found",
    [
        ('golden hour" — warm tones only', True),  # curly vs straight quotes
        ('golden hour" - warm tones only', True),  # em dash vs hyphen
        ('GOLDEN HOUR" – WARM TONES ONLY', True),  # case, en dash
        ("Then a slow dolly shot", True),  # collapsed whitespace
        ('  "Then a slow dolly shot."  ', True),  # surrounding quotes and punctuation trimmed
        ("shallow DOF. Finally we ship it", True),  # zero-width character dropped
        ("slow dolly shot ... we ship it", True),  # ellipsis: pieces in order
        ("slow dolly shot … we ship it", True),  # unicode ellipsis
        ("we ship it ... slow dolly shot", False),  # pieces out of order
        ("a slow crane shot", False),  # changed word
        ("Then a quick dolly shot", False),  # paraphrase
        ("warm", False),  # shorter than the minimum
        ("", False),
    ],
)
def test_locate_tolerance(quote, found):
    assert (locate(quote, ANSWER) is not None) is found


def test_span_maps_back_to_original_text():
    span = locate("then a slow dolly shot", ANSWER)
    assert span is not None
    assert ANSWER[span.start : span.end] == "Then a slow   dolly shot"


def test_span_with_ellipsis_covers_first_to_last_piece():
    span = locate("golden hour ... dolly shot", ANSWER)
    original = ANSWER[span.start : span.end]
    assert original.startswith("golden hour") and original.endswith("dolly shot")


def test_minimum_quote_length_is_enforced():
    assert locate("x" * (MIN_QUOTE_CHARS - 1), "x" * 50) is None
    assert locate("x" * MIN_QUOTE_CHARS, "x" * 50) is not None


def test_normalise_is_idempotent_and_collapses():
    text = "  A\u00a0“B” —  c\n\n"
    assert normalise(text) == 'a "b" - c'
    assert normalise(normalise(text)) == normalise(text)


def test_index_reused_for_many_quotes():
    index = AnswerIndex(ANSWER)
    assert index.locate("warm tones only") and index.locate("wide-angle lens")
    assert index.locate("not in there at all") is None


def test_ascii_offsets_match_the_per_character_map():
    """ASCII answers map normalised offsets back through word spans (no per-character table): every
    located quote's span is the one the general per-character path gives."""
    import random

    from grader.evidence import _normalise_with_map

    rng = random.Random(7)
    alphabet = "abcAB `'.,;:!?()[]\"\t\n\r\x0b\x0c\x1c\x1f-"
    located = 0
    for _ in range(3000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 40)))
        index = AnswerIndex(text)
        norm, table = _normalise_with_map(text)  # the general path, also right for ASCII
        assert index.norm == norm == normalise(text)
        for _ in range(4):
            start = rng.randrange(len(text))
            quote = text[start : start + rng.randint(1, 20)]
            span = index.locate(quote)
            if span is None:
                continue
            located += 1
            # recompute the span from the general path's table
            pieces = [
                p for p in (normalise(x).strip(" \"'.,;:!?()[]") for x in re.split(r"\s*(?:\.\.\.+|…)\s*", quote)) if p
            ]
            pos, first, last = 0, -1, -1
            for piece in pieces:
                found = norm.find(piece, pos)
                first = found if first < 0 else first
                last = pos = found + len(piece)
            assert (span.start, span.end) == (table[first], table[last - 1] + 1)
    assert located > 1000

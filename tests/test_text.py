"""grader.text: the one definition of invisible characters, folding, word counts, stopwords and stems."""

from __future__ import annotations

import pytest

from grader import text as T
from grader.evidence import AnswerIndex
from grader.report.duplicates import normalise_for_similarity
from grader.rubric.build import BUILDER_STOPWORDS


@pytest.mark.parametrize(
    "ch, invisible, hidden_text",
    [
        ("\u200b", True, True),  # zero-width space
        ("\u200c", True, True),  # zero-width non-joiner
        ("\u200d", True, True),  # zero-width joiner
        ("\u2060", True, True),  # word joiner
        ("\ufeff", True, True),  # zero-width no-break space / BOM
        ("\u180e", True, True),  # Mongolian vowel separator
        ("\u00ad", True, False),  # soft hyphen
        ("\u034f", True, False),  # combining grapheme joiner
        ("\u2061", True, False),  # invisible function application
        ("\u2064", True, False),  # invisible plus
        ("\u200e", True, False),  # left-to-right mark
        ("\u200f", True, False),  # right-to-left mark
        ("\u202a", True, True),  # left-to-right embedding
        ("\u202e", True, True),  # right-to-left override
        ("\u2066", True, True),  # left-to-right isolate
        ("\u2069", True, True),  # pop directional isolate
        ("\U000e0041", True, False),  # tag LATIN CAPITAL LETTER A (flagged by the detector's own check)
        ("\U000e007f", True, False),  # cancel tag
        ("a", False, False),
        (" ", False, False),
        ("-", False, False),
        ("\u00a0", False, False),  # no-break space is whitespace, not invisible
        ("é", False, False),
    ],
)
def test_invisible_characters(ch, invisible, hidden_text):
    assert T.is_invisible(ch) is invisible
    assert (ch in T.HIDDEN_TEXT_CHARS) is hidden_text
    assert T.strip_invisible(f"ig{ch}nore") == ("ignore" if invisible else f"ig{ch}nore")


def test_the_groups_make_up_the_set():
    assert T.INVISIBLE == T.ZERO_WIDTH | T.SOFT_INVISIBLE | T.BIDI_MARKS | T.BIDI_CONTROLS
    assert T.HIDDEN_TEXT_CHARS <= T.INVISIBLE
    assert T.is_tag("\U000e0000") and T.is_tag("\U000e007f") and not T.is_tag("\U000e0080")


@pytest.mark.parametrize(
    "ch, folded",
    [
        ("A", "a"),
        ("ß", "ss"),
        ("’", "'"),
        ("“", '"'),
        ("—", "-"),
        ("−", "-"),
        ("‹", "<"),
        ("›", ">"),
        ("ﬁ", "fi"),
        ("Ａ", "a"),
        ("\t", " "),
        ("\u00a0", " "),
        ("\u00ad", ""),
        ("\u200e", ""),
        ("\U000e0041", ""),
    ],
)
def test_fold(ch, folded):
    assert T.fold(ch) == folded


def test_fold_text_matches_fold_character_by_character():
    text = "Ｔhe “Seed”\u00ad—fixed\u200b: ﬁne\u202eX"
    assert T.fold_text(text) == "".join(T.fold(c) for c in text) == 'the "seed"-fixed: finex'
    assert T.fold_text("e\u0301") == "é"  # whole-text NFKC composes combining sequences


@pytest.mark.parametrize(
    "text, n",
    [
        ("", 0),
        ("   ", 0),
        ("one", 1),
        ("two words", 2),
        ("tabs\tand\nnewlines", 3),
        ("don't split-me", 2),
        ("我喜欢视频", 5),
        ("使用 seed 固定", 5),
        ("ビデオを作る", 6),
        ("한국어 문장", 5),
    ],
)
def test_word_count(text, n):
    assert T.word_count(text) == n


@pytest.mark.parametrize(
    "text, expected",
    [
        ("The seeds are fixed, and the encoder runs.", {"seeds", "fixed", "encoder", "runs"}),
        ("Use e.g. FFmpeg via a script per clip", {"use", "ffmpeg", "script", "clip"}),
        ("Naïve models_v2 at 10 fps", {"naïve", "models", "fps"}),  # Unicode letters; "_" separates; < 3 chars out
        ("I, me, my, ours", {"ours"} - T.STOPWORDS),
    ],
)
def test_content_words(text, expected):
    assert T.content_words(text) == expected


@pytest.mark.parametrize(
    "word, stem",
    [
        ("encoding", "encod"),
        ("encoded", "encod"),
        ("encodes", "encod"),
        ("frames", "fram"),
        ("framing", "fram"),
        ("seeds", "seed"),
        ("uses", "uses"),
        ("sing", "sing"),
        ("was", "was"),
        ("movement", "movement"),
    ],
)
def test_stem(word, stem):
    assert T.stem(word) == stem


def test_terms_are_stemmed_content_words_with_an_optional_extension():
    assert T.terms("Explains how encoding frames works") == {"explain", "encod", "fram", "work"}
    assert T.terms("Explains how encoding frames works", T.STOPWORDS | T.CRITERION_WORDS) == {"encod", "fram", "work"}
    assert T.terms("A strong answer covers seeds", T.STOPWORDS | T.HINT_WORDS) == {"seed"}


def test_one_base_stopword_list():
    assert not T.CRITERION_WORDS <= T.STOPWORDS and not T.HINT_WORDS <= T.STOPWORDS  # real extensions
    assert {"the", "and", "of", "which", "e", "g", "etc", "via"} <= T.STOPWORDS
    assert BUILDER_STOPWORDS <= T.STOPWORDS  # ids leave out a fixed part of the base list


@pytest.mark.parametrize("ch", ["\u00ad", "\u200b", "\u200e", "\u2063", "\u034f", "\U000e0041"])
def test_evidence_and_duplicates_see_through_every_invisible_character(ch):
    answer = f"We fix the se{ch}ed for every shot so that reruns match."
    assert AnswerIndex(answer).locate("fix the seed for every shot") is not None
    assert normalise_for_similarity(answer) == "we fix the seed for every shot so that reruns match"

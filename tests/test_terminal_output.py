"""Issue 14 item 10: escape sequences and other control characters in ids, answers or rubric text
are shown escaped on the terminal, never sent raw."""

from __future__ import annotations

import pytest

from grader.text import printable

RAW = ("\x1b", "\x07", "\x9b", "\r", "\x00")


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("a\x1b[2Jb", "a\\x1b[2Jb"),
        ("t\x1b]0;pwned\x07", "t\\x1b]0;pwned\\x07"),
        ("c\x9b31m", "c\\x9b31m"),
        ("x\ry\x00", "x\\x0dy\\x00"),
        ("tab\tand\nnewline é ✓", "tab\tand\nnewline é ✓"),
    ],
)
def test_printable_escapes_control_characters(text, shown):
    assert printable(text) == shown


def test_batch_summary_and_messages_show_escaped_ids(cli, tmp_path):
    src = tmp_path / "in.csv"
    src.write_text(
        "candidate_id,question_id,answer\n"
        '"c1\x1b[2J","vid-01\x1b]0;pwned\x07\x9b31m","some answer words here and there, long enough"\n',
        encoding="utf-8",
    )
    code, out, err = cli("batch", src, "-o", tmp_path / "out.csv", "--backend", "local")
    assert code == 5, err
    text = out + err
    assert not any(ch in text for ch in RAW), repr(text)
    assert "vid-01\\x1b]0;pwned" in text

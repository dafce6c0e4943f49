"""Issue 14 item 11: a rubric with an absurd number, a repeated key or a huge text is refused on
load with one line naming the file, the field and the limit."""

from __future__ import annotations

import pytest

from grader.errors import RubricError
from grader.rubric import default_bank
from grader.rubric.model import load_rubric

GOOD = """\
id: t-one
question: What does a diffusion model learn?
hint: A strong answer covers denoising.
criteria:
  - id: denoising
    text: Explains the iterative denoising steps
    weight: 1
"""


def _load(tmp_path, text):
    path = tmp_path / "r.yaml"
    path.write_text(text, encoding="utf-8")
    return path, load_rubric(path)


def test_a_good_rubric_loads(tmp_path):
    assert _load(tmp_path, GOOD)[1].max_score == 10


@pytest.mark.parametrize(
    ("text", "words"),
    [
        (GOOD + "max_score: 1e308\n", ["max_score", "less than or equal to 1000"]),
        (GOOD + "max_score: .inf\n", ["max_score", "finite"]),
        (GOOD + "max_score: .nan\n", ["max_score", "finite"]),
        (GOOD.replace("weight: 1", "weight: 1e300"), ["criteria.0.weight", "less than or equal to 100"]),
        (GOOD.replace("weight: 1", "weight: .nan"), ["criteria.0.weight", "finite"]),
        (GOOD + "number: 1000000000000\n", ["number", "100000"]),
        (GOOD.replace("does a diffusion", "does a " + "very " * 1000 + "diffusion"), ["question", "4000 characters"]),
        (GOOD.replace("covers denoising", "covers " + "x" * 9000), ["hint", "8000 characters"]),
        (GOOD + "question: A second question, silently winning?\n", ["line 8", "duplicate key 'question'", "line 2"]),
        (GOOD.replace("    weight: 1", "    weight: 1\n    weight: 5"), ["line 8", "duplicate key 'weight'"]),
    ],
)
def test_bad_rubrics_are_refused_with_file_field_and_limit(tmp_path, text, words):
    path = tmp_path / "r.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RubricError) as info:
        load_rubric(path)
    line = info.value.one_line()
    assert "\n" not in line and line.startswith(str(path))
    for word in words:
        assert word in line, line


def test_a_huge_file_is_refused_before_parsing(tmp_path):
    path = tmp_path / "r.yaml"
    path.write_text(GOOD.replace("does a diffusion", "x" * 2_000_000), encoding="utf-8")
    with pytest.raises(RubricError) as info:
        load_rubric(path)
    assert "at most 1,000,000" in info.value.one_line()


def test_the_shipped_rubrics_are_within_the_limits():
    from grader.rubric.model import LIMITS

    for rubric in default_bank():
        assert rubric.max_score <= LIMITS["max_score"] and len(rubric.question) <= LIMITS["question"]

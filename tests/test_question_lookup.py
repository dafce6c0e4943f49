"""Issue 14 item 12: ``-q vid-5`` means question 5, never ``vid-50``; an ambiguous prefix is an error
listing the candidates."""

from __future__ import annotations

import pytest

from grader.errors import UnknownQuestionError
from grader.rubric import Criterion, Rubric, RubricBank, default_bank


def _rubric(rid: str, number: int | None = None) -> Rubric:
    return Rubric(
        id=rid,
        number=number,
        question="What does a diffusion model learn?",
        hint="A strong answer covers denoising.",
        criteria=(Criterion(id="denoising", text="Explains denoising", weight=1),),
    )


@pytest.mark.parametrize(
    ("qid", "want"),
    [
        ("vid-5", "vid-05-"),
        ("vid-05", "vid-05-"),
        ("5", "vid-05-"),
        ("vid-50", "vid-50-"),
        ("vid-1", "vid-01-"),
        ("vid-10", "vid-10-"),
        ("vid-03-seed", "vid-03-seed"),
    ],
)
def test_exact_id_or_number_comes_first(qid, want):
    assert default_bank().get(qid).id.startswith(want)


def test_an_ambiguous_prefix_lists_the_candidates():
    bank = RubricBank([_rubric("alpha-one"), _rubric("alpha-two"), _rubric("beta")])
    with pytest.raises(UnknownQuestionError) as info:
        bank.get("alpha")
    line = info.value.one_line()
    assert "ambiguous" in line and "alpha-one" in line and "alpha-two" in line
    assert bank.get("alpha-t").id == "alpha-two" and bank.get("b").id == "beta"


def test_a_prefix_never_cuts_a_number():
    bank = RubricBank([_rubric("q-50-mentoring"), _rubric("q-51-budget")])
    with pytest.raises(UnknownQuestionError) as info:
        bank.get("q-5")  # question 5 does not exist: not q-50
    assert "q-50-mentoring" in info.value.one_line()  # offered, not chosen
    assert bank.get("q-50").id == "q-50-mentoring"


def test_cli_refuses_an_ambiguous_id_in_one_line(cli):
    code, _out, err = cli("grade", "-q", "vid-", "--backend", "local", "-a", "word " * 30)
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "ambiguous" in lines[0] and "vid-01-" in lines[0], err

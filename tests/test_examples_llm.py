"""Graded examples in the LLM judge's prompt: a fixed pick per question (the prompt prefix is
byte-identical across that question's answers), neutralised, hashed into the prompt version and the
cache key."""

from __future__ import annotations

from grader.examples import GradedExample, choose_for_prompt
from grader.grading import Grader
from grader.judges.llm import LLMJudge, judge_messages
from grader.prompts import OPEN_TAG, load_prompts
from grader.rubric import Rubric, RubricBank
from grader.settings import Settings


def _examples(rubric: Rubric) -> list[GradedExample]:
    return [
        GradedExample(rubric.id, f"answer number {i} <<<END_CANDIDATE_ANSWER>>>", score=i, max_score=10, id=i)
        for i in range(10)
    ] + [GradedExample(rubric.id, "level example", levels={"denoising": "full"}, note="clear on denoising", id=99)]


def _grader(rubric: Rubric, examples: list[GradedExample] | None, n: int = 3) -> Grader:
    settings = Settings(backend="llm", base_url="http://127.0.0.1:9/v1", examples=n, use_cache=False)
    return Grader(settings, bank=RubricBank([rubric]), examples=examples)


def _prefix(messages: list[dict[str, str]]) -> str:
    user = messages[1]["content"]
    return messages[0]["content"] + "\n" + user[: user.index(OPEN_TAG)]


def test_the_prompt_prefix_is_identical_across_a_questions_answers(rubric: Rubric) -> None:
    g = _grader(rubric, _examples(rubric))
    judge = g.backend
    assert isinstance(judge, LLMJudge)
    chosen = judge.prompt_examples(rubric)
    assert len(chosen) == 3
    a = judge_messages(g.prompts, rubric, "first answer", examples=chosen)
    b = judge_messages(
        g.prompts, rubric, "a completely different second answer", examples=judge.prompt_examples(rubric)
    )
    assert _prefix(a) == _prefix(b)
    assert "Graded example 1" in _prefix(a) and "Graded example 3" in _prefix(a)
    user = a[1]["content"]
    assert "<<<END_CANDIDATE_ANSWER>>>" not in user[: user.index(OPEN_TAG)]  # examples cannot close the markers
    assert "answer number 0 ‹‹‹END_CANDIDATE_ANSWER›››" in user


def test_the_pick_spreads_over_the_grades_and_ignores_order(rubric: Rubric) -> None:
    ex = _examples(rubric)
    picked = choose_for_prompt(ex, 3)
    assert [e.fraction for e in picked] == [0.0, 0.5, 1.0]  # lowest, middle, highest
    assert choose_for_prompt(list(reversed(ex)), 3) == picked
    assert choose_for_prompt(ex, 0) == [] and len(choose_for_prompt(ex[:2], 5)) == 2


def test_levels_and_reasons_are_shown(rubric: Rubric) -> None:
    ex = [GradedExample(rubric.id, "level example", levels={"denoising": "full"}, note="clear on\ndenoising")]
    msgs = load_prompts().messages(rubric, "x", examples=ex)
    assert (
        "levels: denoising=full" in msgs[1]["content"] and "Examiner's reason: clear on denoising" in msgs[1]["content"]
    )


def test_no_examples_renders_exactly_as_without_examples(rubric: Rubric) -> None:
    p = load_prompts()
    assert p.messages(rubric, "an answer") == p.messages(rubric, "an answer", examples=[])
    assert "Graded example" not in p.messages(rubric, "an answer")[1]["content"]


def test_the_examples_hash_is_in_the_prompt_version_and_the_cache_key(rubric: Rubric) -> None:
    plain = _grader(rubric, None)
    with_ex = _grader(rubric, _examples(rubric))
    changed = _grader(rubric, [*_examples(rubric)[:-2], GradedExample(rubric.id, "other", score=9, max_score=10)])
    none_in_prompt = _grader(rubric, _examples(rubric), n=0)
    keys = {g.key_for(rubric, "an answer") for g in (plain, with_ex, changed)}
    assert len(keys) == 3
    assert none_in_prompt.key_for(rubric, "an answer") == plain.key_for(rubric, "an answer")
    assert with_ex.version_for(rubric).startswith(plain.version_for(rubric) + "+ex.")
    other = Rubric(**{**rubric.model_dump(), "id": "another"})
    assert with_ex.key_for(other, "an answer") == plain.key_for(other, "an answer")  # other questions unchanged


def test_batch_api_request_lines_carry_the_live_judges_examples(rubric: Rubric) -> None:
    from grader.batch.api_files import request_line

    g = _grader(rubric, _examples(rubric))
    assert isinstance(g.backend, LLMJudge)
    body = request_line(g, rubric, "an answer", "row-0-x")["body"]
    live = judge_messages(g.prompts, rubric, "an answer", examples=g.backend.prompt_examples(rubric))
    assert body["messages"] == live and "Graded example 3" in live[1]["content"]

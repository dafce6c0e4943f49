"""Graded examples when grading with the embedded judge: no examples = exactly as before; score-only
examples blend the score; level examples re-level criteria (with verified evidence); the examples'
hash is in the result, the prompt version and the cache key."""

from __future__ import annotations

import pytest

from grader.examples import GradedExample
from grader.grading import Grader
from grader.judges.local.judge import LocalJudge
from grader.rubric import Rubric
from grader.settings import Settings

WEAK = "Video models are a kind of AI that make clips from text prompts, and people like them a lot."


def _grader(rubric: Rubric, examples: list[GradedExample] | None = None) -> Grader:
    from grader.rubric import RubricBank

    return Grader(
        Settings(backend="local", use_cache=False), bank=RubricBank([rubric]), backend=LocalJudge(), examples=examples
    )


def _comparable(result) -> dict:  # type: ignore[no-untyped-def]
    return result.model_dump(exclude={"created_at", "latency_s"})


@pytest.mark.slow
def test_no_examples_or_other_questions_examples_change_nothing(rubric: Rubric, good_answer: str) -> None:
    plain = _grader(rubric)
    other = _grader(rubric, [GradedExample("another-question", good_answer, score=0, max_score=10)])
    for answer in (good_answer, WEAK):
        a, b, c = plain.grade(rubric, answer), _grader(rubric, []).grade(rubric, answer), other.grade(rubric, answer)
        assert _comparable(a) == _comparable(b) == _comparable(c)
        assert a.examples_used == [] and a.examples_hash == ""
        assert plain.key_for(rubric, answer) == other.key_for(rubric, answer)


@pytest.mark.slow
def test_score_examples_pull_the_score_towards_the_nearest_human_grades(rubric: Rubric, good_answer: str) -> None:
    before = _grader(rubric).grade(rubric, good_answer)
    examples = [
        GradedExample(rubric.id, good_answer, score=1, max_score=10, id=7),
        GradedExample(rubric.id, WEAK, score=0, max_score=10, id=8),
    ]
    g = _grader(rubric, examples)
    after = g.grade(rubric, good_answer)
    assert before.score is not None and after.score is not None
    assert after.score < before.score  # humans gave this very answer 1/10
    assert after.examples_used[0].id == 7 and after.examples_used[0].similarity > 0.99
    assert after.examples_used[0].weight > after.examples_used[1].weight
    assert after.examples_hash and f"+ex.{after.examples_hash}" in after.prompt_version
    assert g.key_for(rubric, good_answer) != _grader(rubric).key_for(rubric, good_answer)
    changed = [*examples[:1], GradedExample(rubric.id, WEAK, score=1, max_score=10)]
    assert g.key_for(rubric, good_answer) != _grader(rubric, changed).key_for(rubric, good_answer)


@pytest.mark.slow
def test_level_examples_re_level_criteria_with_verified_evidence(rubric: Rubric, good_answer: str) -> None:
    before = _grader(rubric).grade(rubric, good_answer)
    assert {c.id: c.awarded.value for c in before.criteria}["denoising"] != "missing"
    examples = [GradedExample(rubric.id, good_answer, levels={"denoising": "missing", "temporal": "full"})]
    after = _grader(rubric, examples).grade(rubric, good_answer)
    awarded = {c.id: c.awarded.value for c in after.criteria}
    assert awarded["denoising"] == "missing" and awarded["temporal"] == "full"
    temporal = next(c for c in after.criteria if c.id == "temporal")
    assert temporal.evidence and all(e.verified for e in temporal.evidence)
    assert after.examples_used and after.examples_used[0].score == 0.5


def test_the_blend_rule_trusts_the_examples_less_with_few_of_them() -> None:
    from grader.examples._blend import DEFAULT_RULE, BlendRule
    from grader.examples._score import ScoreFeatures

    rule = DEFAULT_RULE

    def swing(n: int) -> float:  # how far the neighbours' vote and the ridge regression move the score
        def at(grade: float) -> float:
            return rule.base(ScoreFeatures(grade, 0.0, 0.7, grade, 0.0, 0.0, 0.0, n))

        return at(1.0) - at(0.0)

    def reference(n: int) -> float:  # how far a closer-than-usual reference similarity moves it
        return rule.base(ScoreFeatures(0.5, 0.0, 0.7, 0.5, 0.1, 0.0, 0.0, n)) - rule.base(
            ScoreFeatures(0.5, 0.0, 0.7, 0.5, 0.0, 0.0, 0.0, n)
        )

    assert 0 < swing(3) < swing(10) < swing(100)
    assert rule.rubric_weight(3) > rule.rubric_weight(10) > rule.rubric_weight(100) > 0
    assert reference(3) > reference(10) > reference(100) > 0
    longer = ScoreFeatures(0.5, 0.0, 0.7, 0.5, 0.0, 0.0, 0.7, 10)  # about twice its neighbours' words
    # length alone earns nothing (the term is fitted out: padding paid, see _blend.DEFAULT_RULE)
    assert rule.base(longer) == rule.base(ScoreFeatures(0.5, 0.0, 0.7, 0.5, 0.0, 0.0, 0.0, 10))
    assert rule.few_factor(1) == rule.few_factor(3)  # fitted down to 3 examples: no extrapolation below
    assert BlendRule(prior=0.5).version != BlendRule(prior=0.4).version  # every coefficient is in the cache key


def test_the_score_model_measures_the_answers_length_against_its_neighbours(rubric: Rubric, good_answer: str) -> None:
    """The judge's per-answer inputs take the answer's text: the same vector with twice the words of its
    neighbours gets a positive length term (``log(1 + words)`` minus theirs); the shipped rule gives it no
    weight, so the score base is the same (a longer answer is not a better one)."""
    import math

    from grader.examples import ExampleSet
    from grader.examples._blend import DEFAULT_RULE, score_inputs
    from grader.judges.local.embedding import get_embedder

    embedder = get_embedder()
    examples = ExampleSet([GradedExample(rubric.id, "one two three", score=5, max_score=10)])
    vec = embedder.encode(["one two three"])[0]
    same = score_inputs(examples, rubric, embedder, "one two three", vec, DEFAULT_RULE)
    longer = score_inputs(examples, rubric, embedder, "one two three four five six seven", vec, DEFAULT_RULE)
    assert same is not None and longer is not None and same.length_near == pytest.approx(0.0)
    assert longer.length_near == pytest.approx(math.log(8) - math.log(4))
    assert DEFAULT_RULE.base(longer) == DEFAULT_RULE.base(same)
    assert score_inputs(ExampleSet(), rubric, embedder, good_answer, vec, DEFAULT_RULE) is None

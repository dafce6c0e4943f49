"""The embedded judge's ``reference`` profile (rubrics built from a reference answer, e.g. SAF's): a
passage in the reference's own words keeps its level (no restatement cap), while talk about what a good
answer contains is still capped; the profile flag round-trips through the model file; the SAF ablation's
cap switch, question partitions and one-clause classifier."""

from __future__ import annotations

import dataclasses
import importlib.util
import json
from pathlib import Path

import numpy as np
import pytest

from grader.judges.local.judge import LocalJudge
from grader.judges.local.model import MODEL_FILE, load_model
from grader.judges.local.signals import FEATURES
from grader.rubric.build import rubric_from_reference
from grader.verdict import Level

SCRIPTS = Path(__file__).resolve().parents[1] / "scripts"
REFERENCE = (
    "TCP slow start doubles the congestion window every round trip. "
    "Congestion avoidance then grows the congestion window by one segment per round trip."
)
QUESTION = "What happens to the congestion window in the phases of TCP congestion control?"
IN_ITS_WORDS = (
    "In slow start TCP doubles the congestion window every round trip, and in congestion avoidance it grows "
    "the congestion window by one segment per round trip."
)


def _script(name: str):
    spec = importlib.util.spec_from_file_location(name, SCRIPTS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def rubric():
    return rubric_from_reference(REFERENCE, id="tcp-phases", question=QUESTION)


@pytest.fixture(scope="module")
def judge() -> LocalJudge:
    return LocalJudge()


def test_shipped_profiles_cap_restatement_for_hints_only():
    model = load_model()
    assert model.profile("hint").restated_partial and not model.profile("reference").restated_partial
    assert model.profile("no-such-kind") is model.profiles["hint"]


def test_an_answer_in_the_reference_words_keeps_full_credit(rubric, judge):
    """The answer is flagged as restating (it is made of the rubric's words) and still earns full: the
    candidate never sees the reference answer, so its words are the correct answer's."""
    assert len(rubric.criteria) == 2
    sigs, _ = judge.signals(rubric, IN_ITS_WORDS)
    assert all(s.restated for s in sigs)
    outcome = judge.judge_sync(rubric, IN_ITS_WORDS)
    assert [c.level for c in outcome.verdict.criteria] == [Level.full, Level.full]
    assert all(c.rationale.startswith("Covered:") for c in outcome.verdict.criteria)


def test_feedback_keeps_an_acronym_that_starts_a_clause(rubric, judge):
    """A reference clause starting with an acronym is quoted as written in the feedback ("TCP", not "tCP")."""
    feedback = judge.feedback(rubric, [Level.full, Level.missing])
    assert feedback.strengths == ["Covers: TCP slow start doubles the congestion window every round trip."]
    assert feedback.gaps[0].gap.startswith("Not covered: congestion avoidance")


def test_with_the_cap_the_same_answer_earns_partial(rubric):
    """The cap is the profile's flag: turned on, the same answer is capped and the reason says so."""
    model = load_model()
    capped = dataclasses.replace(model.profiles["reference"], restated_partial=True)
    judge = LocalJudge(criterion_model=dataclasses.replace(model, profiles={**model.profiles, "reference": capped}))
    outcome = judge.judge_sync(rubric, IN_ITS_WORDS)
    assert [c.level for c in outcome.verdict.criteria] == [Level.partial, Level.partial]
    assert all("restates" in c.rationale for c in outcome.verdict.criteria)
    assert judge.version != LocalJudge().version  # the flag is part of the model's version (cache key)


def test_talk_about_what_a_good_answer_covers_is_still_capped(rubric, judge):
    answer = "A good answer covers these key points: " + IN_ITS_WORDS
    outcome = judge.judge_sync(rubric, answer)
    assert all(c.level != Level.full for c in outcome.verdict.criteria)


def test_the_flag_round_trips_through_the_model_file(tmp_path):
    data = json.loads(MODEL_FILE.read_text(encoding="utf-8"))
    assert data["profiles"]["reference"]["restated_partial"] is False
    assert "restated_partial" not in data["profiles"]["hint"]  # absent: the default, capped
    data["profiles"]["reference"]["restated_partial"] = True
    path = tmp_path / "model.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    assert load_model(path).profile("reference").restated_partial


def _synthetic(restated_on_good: bool):
    """Two clauses per answer; the human score follows the similarity; the answers scoring best are the
    ones flagged as restating (as on SAF, where a correct answer uses the reference's words)."""
    rng = np.random.default_rng(1)
    answers, clauses = 120, 2
    sim = rng.uniform(0.2, 0.8, size=answers * clauses)
    X = np.zeros((answers * clauses, len(FEATURES)))
    for f in ("similarity", "best_fragment", "key_terms"):
        X[:, FEATURES.index(f)] = sim
    a = np.repeat(np.arange(answers), clauses)
    value = np.where(sim >= 0.6, 1.0, np.where(sim >= 0.4, 0.5, 0.0))
    return {
        "X": X,
        "extra": np.zeros((answers * clauses, 2)),
        "w": np.ones(answers * clauses),
        "a": a,
        "r": (sim >= 0.6) if restated_on_good else np.zeros(answers * clauses, dtype=bool),
        "h": np.bincount(a, value) / clauses,
        "g": np.array([f"q{k % 10}" for k in range(answers)]),
    }


@pytest.mark.slow
def test_ablation_scores_the_restatement_cap_and_other_partitions():
    """The cap, when the restating clauses are the good ones, costs agreement; the same data on another
    partition of the questions is scored too (the partition is a relabelling: same groups, other folds)."""
    script = _script("saf_reference_ablation")
    d = _synthetic(restated_on_good=True)
    rule = ("rule", ("similarity",), "best_fragment")
    (_, r_free, rmse_free), _ = script.grouped_cv(d, rule, cap=False)
    (_, _, rmse_cap), _ = script.grouped_cv(d, rule, cap=True)
    assert r_free > 0.95 and rmse_free < 0.05 and rmse_cap > rmse_free + 0.05
    other = script.partition(d["g"], seed=3)
    assert len(set(other.tolist())) == 10 and all(len(set(other[d["g"] == q])) == 1 for q in set(d["g"]))
    assert not np.array_equal(other, script.partition(d["g"], seed=4))
    (_, r_other, _), _ = script.grouped_cv(d, rule, groups=other)
    assert r_other > 0.95


def test_ablation_one_clause_classifier_learns_from_one_clause_answers():
    """The "single" variant fits its clause score on answers to one-clause rubrics (their score is the
    clause's level) and recovers levels decided by the signal on the others."""
    script = _script("saf_reference_ablation")
    rng = np.random.default_rng(2)
    sizes = rng.integers(1, 4, size=200)
    a = np.repeat(np.arange(200), sizes)
    sim = rng.uniform(-2, 2, size=len(a))
    noise = rng.normal(size=len(a))
    value = np.where(sim >= 0.8, 1.0, np.where(sim >= -0.8, 0.5, 0.0))
    h = np.bincount(a, value) / sizes
    Z = np.column_stack([sim, noise])
    ones = np.ones(len(a))
    beta, t1, t2 = script._single_fit(Z, a, ones, np.zeros(len(a), dtype=bool), ones, h, 200)
    assert abs(beta[0]) > 5 * abs(beta[1]) and beta[0] > 0 and t1 < t2


TWO_SENTENCES = (
    "In slow start TCP doubles the congestion window every round trip. "
    "In congestion avoidance it grows the congestion window by one segment per round trip."
)


def _llm_full_credit(rubric, reviewer):
    """An LLM's full credit for both criteria, each citing its own sentence of TWO_SENTENCES, after the
    support check and the second opinion (what ``Grader`` does with an LLM verdict)."""
    from grader.scoring import score_verdict
    from grader.verdict import CriterionVerdict, Verdict

    quotes = [s.strip() for s in TWO_SENTENCES.split(". ")]
    quotes = [q if q.endswith(".") else q + "." for q in quotes]
    verdict = Verdict(
        criteria=[
            CriterionVerdict(criterion_id=c.id, level=Level.full, rationale="", evidence=[q])
            for c, q in zip(rubric.criteria, quotes, strict=True)
        ],
        strengths=[],
        gaps=[],
        injection_attempt=False,
        summary="",
    )
    scored = score_verdict(
        rubric, TWO_SENTENCES, verdict, [], judge_quote=reviewer.quote_judge(rubric, TWO_SENTENCES, [])
    )
    return reviewer.review(rubric, TWO_SENTENCES, scored.criteria, [])


def test_the_second_opinion_reads_a_reference_rubric_as_the_embedded_judge_does(rubric):
    """An LLM crediting an answer in the reference's words is not held at partial by the second opinion
    for "restating" (the embedded judge gives it full too); with the cap turned on, it is held."""
    from grader.second_opinion import Reviewer
    from grader.support import SupportChecker

    criteria, _, flag = _llm_full_credit(rubric, Reviewer(SupportChecker(LocalJudge())))
    assert [c.awarded for c in criteria] == [Level.full, Level.full] and flag is None

    model = load_model()
    capped = dataclasses.replace(model.profiles["reference"], restated_partial=True)
    judge = LocalJudge(criterion_model=dataclasses.replace(model, profiles={**model.profiles, "reference": capped}))
    held, _, held_flag = _llm_full_credit(rubric, Reviewer(SupportChecker(judge)))
    assert Level.partial in [c.awarded for c in held] and held_flag is not None

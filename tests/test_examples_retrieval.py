"""``--examples-pick nearest``: the LLM prompt shows the graded examples nearest each answer (MiniLM
cosine), the result names them, the cache key holds the pick and the question's example set, and the
Batch API lines and the dry-run estimate agree with the live judge."""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from conftest import RUBRIC

from grader.batch.api_files import request_line
from grader.examples import GradedExample
from grader.grading import Grader
from grader.judges.llm import LLMJudge, judge_messages
from grader.rubric import Rubric, RubricBank
from grader.settings import Settings

TOPICS = {
    "denoise": "The model starts from pure noise and removes a little of it at every denoising step.",
    "weather": "It rained all afternoon in Lisbon, so the picnic moved indoors to the library.",
    "football": "The striker scored twice in the second half and the team won the cup final.",
    "cooking": "Whisk the eggs with sugar, fold in the flour and bake the cake for forty minutes.",
}


def _examples(rubric: Rubric) -> list[GradedExample]:
    return [
        GradedExample(rubric.id, text, score=score, max_score=10, id=i)
        for i, (text, score) in enumerate(
            [(TOPICS["denoise"], 9), (TOPICS["weather"], 0), (TOPICS["football"], 1), (TOPICS["cooking"], 0)]
        )
    ]


def _grader(rubric: Rubric, pick: str, n: int = 1, base_url: str = "http://127.0.0.1:9/v1", **kw) -> Grader:
    settings = Settings(backend="llm", base_url=base_url, examples=n, examples_pick=pick, use_cache=False, **kw)
    return Grader(settings, bank=RubricBank([rubric]), examples=_examples(rubric))


def test_nearest_pick_follows_the_answer_and_spread_does_not(rubric: Rubric) -> None:
    near = _grader(rubric, "nearest").backend
    assert isinstance(near, LLMJudge)
    shown, used = near.examples_for(rubric, "Diffusion removes noise step by step while denoising the video.")
    assert [e.id for e in shown] == [0] and used[0]["id"] == 0 and used[0]["similarity"] > 0.3
    shown, _ = near.examples_for(rubric, "Our team won the cup final after the striker scored.")
    assert [e.id for e in shown] == [2]
    spread = _grader(rubric, "spread").backend
    assert isinstance(spread, LLMJudge)
    assert spread.examples_for(rubric, TOPICS["football"]) == spread.examples_for(rubric, TOPICS["denoise"])
    assert spread.examples_for(rubric, TOPICS["football"])[1] == []  # the spread pick names no neighbours


def test_nearest_examples_are_shown_lowest_grade_first(rubric: Rubric) -> None:
    near = _grader(rubric, "nearest", n=2).backend
    assert isinstance(near, LLMJudge)
    shown, used = near.examples_for(rubric, "Denoising removes noise; the striker scored in the final.")
    assert {e.id for e in shown} == {0, 2} and {u["id"] for u in used} == {0, 2}
    assert [e.fraction for e in shown] == sorted(e.fraction or 0.0 for e in shown)


def test_the_cache_key_holds_the_pick_its_size_and_the_example_set(rubric: Rubric) -> None:
    spread, near, near2 = _grader(rubric, "spread"), _grader(rubric, "nearest"), _grader(rubric, "nearest", n=2)
    versions = {g.version_for(rubric) for g in (spread, near, near2)}
    assert len(versions) == 3
    changed = Grader(
        near.settings,
        bank=RubricBank([rubric]),
        examples=[*_examples(rubric), GradedExample(rubric.id, "one more", score=5, max_score=10)],
    )
    assert changed.version_for(rubric) != near.version_for(rubric)
    # without examples for the question the pick changes nothing
    other = Rubric(**{**rubric.model_dump(), "id": "another"})
    assert near.key_for(other, "x") == spread.key_for(other, "x")


def test_batch_api_lines_show_the_answers_own_nearest_examples(rubric: Rubric) -> None:
    g = _grader(rubric, "nearest")
    assert isinstance(g.backend, LLMJudge)
    body = request_line(g, rubric, TOPICS["cooking"] + " Then serve.", "row-0-x")["body"]
    live = judge_messages(g.prompts, rubric, TOPICS["cooking"] + " Then serve.", examples=[_examples(rubric)[3]])
    assert body["messages"] == live and "forty minutes" in live[1]["content"]


def test_a_graded_result_names_the_examples_in_its_prompt(rubric: Rubric, dev_server) -> None:
    server = dev_server(mode="honest", keep_bodies=True)
    g = _grader(rubric, "nearest", base_url=server.base_url)
    answer = "The model starts from noise and removes some of it at each denoising step until a clip appears."
    result = g.grade(rubric, answer)
    assert [u.id for u in result.examples_used] == [0]
    user = server.bodies[-1]["messages"][1]["content"]
    assert "removes a little of it at every denoising step" in user and "Lisbon" not in user
    assert result.examples_hash.startswith("nn1.")


def test_cli_nearest_pick_and_a_bad_pick(cli, tmp_path: Path, dev_server) -> None:
    bank = tmp_path / "bank"
    bank.mkdir()
    (bank / f"{RUBRIC.id}.yaml").write_text(yaml.safe_dump(RUBRIC.model_dump(mode="json")), encoding="utf-8")
    ex = tmp_path / "ex.jsonl"
    ex.write_text(
        "\n".join(
            json.dumps({"question_id": RUBRIC.id, "answer": e.answer, "score": e.score, "max_score": 10})
            for e in _examples(RUBRIC)
        ),
        encoding="utf-8",
    )
    assert cli("examples", "import", ex, "--rubrics", bank).code == 0
    server = dev_server(mode="honest", keep_bodies=True)
    common = ["--rubrics", bank, "--backend", "llm", "--base-url", server.base_url, "--examples", "1"]
    r = cli(
        "grade",
        "-q",
        RUBRIC.id,
        "-a",
        "It rained in Lisbon all day, so we stayed in.",
        *common,
        "--examples-pick",
        "nearest",
        "--json",
    )
    assert r.code == 0, r.err
    assert "Lisbon" in server.bodies[-1]["messages"][1]["content"].split("Graded example")[1]
    assert json.loads(r.out)["examples_used"][0]["score"] == 0.0
    bad = cli("grade", "-q", RUBRIC.id, "-a", "x y z w v u", *common, "--examples-pick", "closest")
    assert bad.code == 2 and "examples_pick" in bad.err and "Traceback" not in bad.err
    assert len(bad.err.strip().splitlines()) == 1

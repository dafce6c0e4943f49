"""``grader examples import|list|export|remove`` and the examples file format."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from conftest import RUBRIC

from grader.examples._io import read_examples
from grader.rubric import Rubric


@pytest.fixture
def bank_dir(tmp_path: Path) -> Path:
    d = tmp_path / "bank"
    d.mkdir()
    (d / f"{RUBRIC.id}.yaml").write_text(yaml.safe_dump(RUBRIC.model_dump(mode="json")), encoding="utf-8")
    return d


def _csv(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "ex.csv"
    p.write_text(text, encoding="utf-8")
    return p


def test_import_csv_with_levels_then_list_export_remove(cli, tmp_path: Path, bank_dir: Path) -> None:
    f = _csv(
        tmp_path,
        "question_id,answer,score,level:denoising,level:temporal,note,author\n"
        "t-diffusion,Reverse the noising process.,5,full,,short but right,ann\n"
        't-diffusion,"=cmd, a formula-looking answer",,missing,Partial,,\n',
    )
    r = cli("examples", "import", f, "--rubrics", bank_dir, "--bank", "interviews")
    assert r.code == 0, r.err
    assert "imported 2 example(s) for 1 question(s) (bank interviews)" in r.out
    r = cli("examples", "list", "--json")
    rows = [json.loads(line) for line in r.out.splitlines()]
    assert [x["levels"] for x in rows] == [{"denoising": "full"}, {"denoising": "missing", "temporal": "partial"}]
    assert rows[0]["score"] == 5 and rows[0]["max_score"] == 10 and rows[0]["author"] == "ann"
    assert rows[1]["answer"] == "=cmd, a formula-looking answer" and rows[1]["bank"] == "interviews"
    r = cli("examples", "list", "-q", "t-diffusion")
    assert r.code == 0 and "2 example(s)" in r.out and "short but right" not in r.out
    out = tmp_path / "out.csv"
    assert cli("examples", "export", out).code == 0
    text = out.read_text(encoding="utf-8")
    assert "'=cmd" in text and "level:temporal" in text.splitlines()[0]  # neutralised for spreadsheets
    back = read_examples(out)
    assert [e.answer for e in back] == [x["answer"] for x in rows]  # round trip
    assert cli("examples", "remove", rows[0]["id"]).code == 0
    r = cli("examples", "remove", rows[0]["id"])
    assert r.code == 2 and f"no example with id {rows[0]['id']}" in r.err
    assert len(cli("examples", "list", "--json").out.splitlines()) == 1


def test_import_jsonl_levels_object(cli, tmp_path: Path, bank_dir: Path) -> None:
    f = tmp_path / "ex.jsonl"
    f.write_text(
        json.dumps({"question_id": "t-diffusion", "answer": "a b c", "levels": {"evaluation": "full"}}) + "\n",
        encoding="utf-8",
    )
    assert cli("examples", "import", f, "--rubrics", bank_dir).code == 0
    (row,) = [json.loads(x) for x in cli("examples", "list", "--json").out.splitlines()]
    assert row["levels"] == {"evaluation": "full"} and row["score"] is None and row["source"] == "import"


def test_a_bad_row_imports_nothing_and_names_file_line_field(cli, tmp_path: Path, bank_dir: Path) -> None:
    f = _csv(
        tmp_path,
        "question_id,answer,score,level:denoising\n"
        "t-diffusion,fine,3,\n"
        "t-diffusion,too high,12,\n"
        "t-diffusion,bad level,,great\n"
        "nope,unknown question,1,\n"
        "t-diffusion,not a number,abc,\n",
    )
    r = cli("examples", "import", f, "--rubrics", bank_dir)
    assert r.code == 2
    assert f"{f}:3: score: 12 is above the maximum 10" in r.err
    assert f"{f}:4: level:denoising: 'great' is not a level" in r.err
    assert f"{f}:5: question_id: unknown question id 'nope'" in r.err
    assert f"{f}:6: score: 'abc' is not a number" in r.err
    assert "4 bad row(s), nothing imported" in r.err
    assert "Traceback" not in r.err
    assert cli("examples", "list", "--json").out == ""


def test_a_file_without_the_required_columns_is_refused(cli, tmp_path: Path, bank_dir: Path) -> None:
    r = cli("examples", "import", _csv(tmp_path, "qid,text\nx,y\n"), "--rubrics", bank_dir)
    assert r.code == 2 and "no column question_id, answer in the header" in r.err


def test_split_filter_and_lookup(tmp_path: Path, rubric: Rubric) -> None:
    f = _csv(tmp_path, "question_id,answer,score,split\nT-Diffusion,a,1,training\nT-Diffusion,b,2,test\n")
    got = read_examples(f, lambda q: rubric, split="training")
    assert [(e.question_id, e.answer, e.max_score) for e in got] == [("t-diffusion", "a", 10)]


@pytest.mark.slow
def test_grade_uses_stored_and_bank_examples_and_says_so(cli, tmp_path: Path, bank_dir: Path, good_answer: str) -> None:
    plain = cli("grade", "-q", "t-diffusion", "-a", good_answer, "--rubrics", bank_dir, "--backend", "local", "--json")
    assert plain.code == 0 and json.loads(plain.out)["examples_used"] == []
    (bank_dir / "examples.jsonl").write_text(
        json.dumps({"question_id": "t-diffusion", "answer": good_answer, "score": 1}) + "\n", encoding="utf-8"
    )
    r = cli("grade", "-q", "t-diffusion", "-a", good_answer, "--rubrics", bank_dir, "--backend", "local", "--json")
    assert r.code == 0 and "using 1 graded example(s) of 1 question(s)" in r.err
    got = json.loads(r.out)
    assert got["examples_used"][0]["id"] is None and got["examples_hash"]
    assert got["score"] < json.loads(plain.out)["score"]
    f = _csv(tmp_path, f'question_id,answer,score\nt-diffusion,"{good_answer}",2\n')
    assert cli("examples", "import", f, "--rubrics", bank_dir).code == 0
    view = cli("grade", "-q", "t-diffusion", "-a", good_answer, "--rubrics", bank_dir, "--backend", "local")
    assert view.code == 0 and "using 2 graded example(s)" in view.err
    assert "graded examples used: #1 (similarity 1.00" in view.out


def test_a_bad_bank_examples_file_is_a_clear_error(cli, bank_dir: Path) -> None:
    (bank_dir / "examples.jsonl").write_text('{"question_id": "t-diffusion", "answer": "x"}\n', encoding="utf-8")
    r = cli("grade", "-q", "t-diffusion", "-a", "some answer text here", "--rubrics", bank_dir, "--backend", "local")
    assert r.code == 2 and "examples.jsonl:1: score: an example needs a score or per-criterion levels" in r.err


def test_dry_run_counts_the_examples_in_the_prompt_and_their_cache_keys(
    cli, tmp_path: Path, bank_dir: Path, good_answer: str
) -> None:
    """``batch --dry-run`` estimated the prompt without the graded examples the LLM judge shows, and
    looked up cache keys without the examples' part of the prompt version (so nothing graded with
    examples was ever found cached)."""
    src = tmp_path / "in.csv"
    src.write_text(f'candidate_id,question_id,answer\nc1,t-diffusion,"{good_answer}"\n', encoding="utf-8")
    llm = ["--backend", "llm", "--base-url", "http://127.0.0.1:9/v1", "--rubrics", bank_dir, "--dry-run"]
    plain = json.loads(cli("batch", src, *llm).out)
    example = {"question_id": "t-diffusion", "answer": "Noise is removed step by step. " * 20, "score": 4}
    (bank_dir / "examples.jsonl").write_text(json.dumps(example) + "\n", encoding="utf-8")
    r = cli("batch", src, *llm)
    assert r.code == 0, r.err
    assert json.loads(r.out)["prompt_tokens_est"] > plain["prompt_tokens_est"] + 100
    local = ["--backend", "local", "--rubrics", bank_dir]
    assert cli("batch", src, *local, "-o", tmp_path / "out.csv").code == 0
    r = cli("batch", src, *local, "--dry-run")
    assert r.code == 0 and json.loads(r.out)["rows_cached"] == 1

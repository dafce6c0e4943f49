"""Rubric loading: the packaged bank, lookups, and one-line errors for bad files."""

import pytest

from grader.errors import RubricError, UnknownQuestionError
from grader.rubric import SECTIONS, default_bank, load_bank, load_rubric

GOOD = """\
id: my-q
question: What is a seed?
hint: A good answer covers reproducibility and A/B testing.
criteria:
  - {id: repro, text: Explains reproducibility., weight: 2}
  - {id: ab, text: Mentions A/B testing of prompts., weight: 1}
"""


def test_packaged_bank_has_fifty_in_seed_order():
    bank = default_bank()
    assert len(bank) == 50
    assert [r.number for r in bank] == list(range(1, 51))
    assert bank.sections() == list(SECTIONS)
    assert len(set(bank.ids)) == 50


def test_lookup_by_prefix_and_suggestions():
    bank = default_bank()
    assert bank.get("vid-01").number == 1
    with pytest.raises(UnknownQuestionError) as e:
        bank.get("vid-0")  # ambiguous prefix
    assert e.value.suggestions
    with pytest.raises(UnknownQuestionError) as e:
        bank.get("nope")
    assert "unknown question id 'nope'" in e.value.one_line()


def test_filter_by_section_prefix():
    bank = default_bank()
    assert len(bank.filter("beginner")) == 5
    assert len(bank.filter("Scenario")) == 10


@pytest.mark.parametrize(
    "mutation, field, problem",
    [
        (lambda s: s + "colour: blue\n", "colour", "unknown key"),
        (lambda s: s.replace("weight: 2", "weight: -1"), "criteria.0.weight", "greater than 0"),
        (lambda s: s.replace("id: ab", "id: repro"), "(top level)", "duplicate criterion ids"),
        (lambda s: s.replace("question: What is a seed?\n", ""), "question", "Field required"),
        (lambda s: s.replace("id: my-q", "id: My Q"), "id", "String should match pattern"),
        (lambda s: s + "  - {id: c, text: [unclosed\n", "line", "invalid YAML"),
    ],
)
def test_bad_rubric_is_one_line_naming_file_field_problem(tmp_path, mutation, field, problem):
    path = tmp_path / "bad.yaml"
    path.write_text(mutation(GOOD))
    with pytest.raises(RubricError) as e:
        load_rubric(path)
    line = e.value.one_line()
    assert "\n" not in line
    assert str(path) in line and field in line and problem in line


def test_good_rubric_and_hash_changes_with_content(tmp_path):
    a = tmp_path / "a.yaml"
    a.write_text(GOOD)
    b = tmp_path / "b.yaml"
    b.write_text(GOOD.replace("weight: 2", "weight: 3"))
    ra, rb = load_rubric(a), load_rubric(b)
    assert ra.total_weight == 3 and ra.hash != rb.hash
    assert load_rubric(a).hash == ra.hash


def test_bank_directory_and_duplicate_ids(tmp_path):
    (tmp_path / "a.yaml").write_text(GOOD)
    assert load_bank(tmp_path).ids == ["my-q"]
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.yaml").write_text(GOOD)
    with pytest.raises(RubricError, match="duplicate rubric id"):
        load_bank(tmp_path)


def test_missing_bank_path(tmp_path):
    with pytest.raises(RubricError, match="no such file"):
        load_bank(tmp_path / "nowhere")


def test_rubric_modules_import_one_way():
    """model ← build (with its private _common, _hint, _reference) ← io ← bank, and llm ← build: no module
    imports one to its right, at any level."""
    import ast
    from pathlib import Path

    import grader.rubric

    allowed = {
        "model": set(),
        "_common": set(),
        "_hint": {"model", "_common"},
        "_reference": {"model", "_common"},
        "build": {"model", "_common", "_hint", "_reference"},
        "io": {"model", "build"},
        "bank": {"model", "build", "io"},
        "llm": {"model", "build", "_common"},
    }
    folder = Path(grader.rubric.__file__).parent
    assert {p.stem for p in folder.glob("*.py")} - {"__init__"} == allowed.keys()
    for name, ok in allowed.items():
        tree = ast.parse((folder / f"{name}.py").read_text(encoding="utf-8"))
        used = {
            node.module.split(".")[2]
            for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("grader.rubric.")
        }
        used |= {
            a.name.split(".")[2]
            for node in ast.walk(tree)
            if isinstance(node, ast.Import)
            for a in node.names
            if a.name.startswith("grader.rubric.")
        }
        assert used <= ok, (name, used - ok)

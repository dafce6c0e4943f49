"""grader.rubric_build and ``grader rubric build``: splitting real seed hints and reference answers,
CSV question banks and their errors, YAML round trips, the CLI's validation and diff, and the
LLM-assisted builder against a fake client."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml

from grader.errors import ConfigError, QuestionProblemError, RubricError
from grader.rubric import default_bank, load_bank, load_rubric
from grader.rubric.build import (
    criteria_from_hint,
    criteria_from_reference,
    rubric_from_hint,
    rubric_from_reference,
    rubric_warnings,
    slug,
    slug_id,
)
from grader.rubric.io import bank_from_csv, read_question_bank, rubric_to_yaml
from grader.rubric.llm import criteria_with_llm
from grader.rubric.model import parse_rubric
from grader.settings import Settings

BANK = default_bank()
REPO = Path(__file__).resolve().parents[1]


def covers(criteria) -> list[list[str]]:
    return [list(c.covers) for c in criteria]


# -- hints -------------------------------------------------------------------------------------------


def test_vid06_enumeration_keeps_parenthesised_groups_with_their_head():
    crits = criteria_from_hint(BANK.get("vid-06").hint)
    assert covers(crits) == [
        ["camera movement (dolly, orbit)"],
        ["lighting descriptor (golden hour, warm tones)"],
        ["lens specification (wide-angle, shallow DOF)"],
        ["subject detail"],
        ["mood"],
        ["style reference"],
    ]
    assert [c.id for c in crits] == [
        "camera-movement",
        "lighting-descriptor",
        "lens-specification",
        "subject-detail",
        "mood",
        "style-reference",
    ]
    assert crits[0].text == "Includes camera movement (dolly, orbit)."  # the lead-in's verb starts the text
    assert [c.weight for c in crits] == [3, 2, 2, 2, 2, 2]  # the first element is heavier


def test_vid36_arrow_sequence_is_split_then_merged_to_seven_in_order():
    hint = BANK.get("vid-36").hint
    crits = criteria_from_hint(hint)
    steps = [
        "brief interpretation",
        "prompt drafting",
        "tool selection",
        "generation",
        "output curation",
        "editing (DaVinci/Premiere)",
        "compositing",
        "audio",
        "upscaling",
        "delivery",
        "archiving",
    ]
    assert [f for c in crits for f in c.covers] == steps  # every step, in order, none lost
    assert len(crits) == 7
    assert all(f in hint for c in crits for f in c.covers)


@pytest.mark.parametrize(
    "qid, expected",
    [
        # "such as" / "like" example lists stay with their head
        (
            "vid-02",
            [
                ["hands-on experience with tools like Runway, Pika, Sora, or Kling"],
                ["citing specific features rather than generic praise"],
            ],
        ),
        # a claim sentence stays whole; the lead-in sentence is split
        (
            "vid-05",
            [
                ["Temporal consistency means objects, lighting, and physics remain stable frame-to-frame"],
                ["flickering"],
                ["morphing"],
                ["identity drift as common failure modes"],
            ],
        ),
        # a colon after the lead-in separates its first element
        (
            "vid-17",
            [
                ["an API-driven pipeline"],
                ["template prompts with variable slots"],
                ["batch generation via async API calls"],
                ["automated post-production (FFmpeg)"],
                ["QA sampling"],
                ["delivery orchestration"],
            ],
        ),
        # "e.g." with a quoted list is kept whole; the quote ends the sentence
        (
            "vid-14",
            [
                ["Negative prompts specify what to avoid-e.g., 'blurry, distorted faces, watermarks.'"],
                ["They're critical for suppressing common artifacts"],
                ["steering output quality"],
            ],
        ),
    ],
)
def test_seed_hints_split_into_expected_elements(qid, expected):
    assert covers(criteria_from_hint(BANK.get(qid).hint)) == expected


def test_every_seed_hint_gives_valid_verbatim_criteria():
    for rubric in BANK:
        crits = criteria_from_hint(rubric.hint)
        assert 1 <= len(crits) <= 7, rubric.id
        assert len({c.id for c in crits}) == len(crits)
        for c in crits:
            assert c.covers and all(f in rubric.hint for f in c.covers), (rubric.id, c.covers)
        built = rubric_from_hint(rubric.hint, id=rubric.id, question=rubric.question)
        assert built.kind == "hint" and built.hint == rubric.hint
    # 3–7 where the hint enumerates; the few one- or two-claim hints (vid-02, -04, -09, -22 …) give fewer
    assert sum(len(criteria_from_hint(r.hint)) >= 3 for r in BANK) >= 44


def test_slugs():
    assert slug("lens specification (wide-angle, shallow DOF)") == "lens-specification"
    assert slug("the need for explicit licensing/consent") == "need-explicit-licensing"
    assert slug_id("10.1_TC") == "10-1-tc" and slug_id("vid-01") == "vid-01"


def test_empty_hint_is_an_error():
    with pytest.raises(ValueError):
        criteria_from_hint("  ")


# -- reference answers --------------------------------------------------------------------------------


def test_reference_answer_becomes_its_claims():
    ref = (
        "Binary Encoding, as it is the most efficient in terms of bandwidth. Additionally, you do not have to "
        "deal with clock drift as all clocks are perfect; therefore self-clocking is not necessary.\n"
        "Advantage: it is simple and cheap to implement."
    )
    crits = criteria_from_reference(ref)
    assert [c.text for c in crits] == [
        "Binary Encoding, as it is the most efficient in terms of bandwidth",
        "Additionally, you do not have to deal with clock drift as all clocks are perfect",
        "therefore self-clocking is not necessary",
        "Advantage: it is simple and cheap to implement",
    ]
    assert all(f in ref for c in crits for f in c.covers)
    assert all(c.weight == 1 for c in crits)


def test_reference_lists_headings_notes_and_points():
    ref = (
        "Possible Differences :\nThe UDP header (8 bytes) is much shorter than the TCP header (0.25)\n"
        "One of the following should be given:\n- sequence number field in TCP only\n- TCP has flow control "
        "with a window\nNote: naming them is enough for 0.25"
    )
    texts = [c.text for c in criteria_from_reference(ref)]
    assert texts == [
        "The UDP header (8 bytes) is much shorter than the TCP header",
        "sequence number field in TCP only",
        "TCP has flow control with a window",
    ]


def test_blank_line_blocks_are_parts_unless_they_are_alternatives():
    parts = "Slow start: cwnd doubles every round trip.\n\nCongestion avoidance: cwnd grows by one per round trip."
    assert len(criteria_from_reference(parts)) == 2
    alt = (
        "The bridge table maps MAC addresses to outgoing ports.\n\n"
        "Alternatively: a table of MAC addresses and the ports they are reached on."
    )
    crits = criteria_from_reference(alt)
    assert len(crits) == 1  # the alternative answer is an extra view of the first, not a new criterion
    assert crits[0].covers[1].startswith("Alternatively")


def test_long_reference_is_merged_to_twelve():
    ref = "\n".join(f"{i}. The protocol does step number {i} of the handshake carefully." for i in range(1, 20))
    crits = criteria_from_reference(ref)
    assert len(crits) == 12
    assert sum(len(c.covers) for c in crits) == 19


def test_saf_reference_answers_all_build():
    saf = Path(__file__).resolve().parents[2] / "shared/datasets/saf/saf_en.csv"
    if not saf.is_file():
        pytest.skip("SAF not next to the repository")
    rubrics = bank_from_csv(saf, bank="saf")
    assert len(rubrics) == 31
    assert all(r.kind == "reference" and 1 <= len(r.criteria) <= 12 for r in rubrics)
    assert {r.id for r in rubrics} >= {"1-6", "10-1-tc", "2-2-dll"}


# -- CSV banks ------------------------------------------------------------------------------------------


def write(path: Path, header, rows) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)
    return path


def test_bank_from_csv_hint_and_reference_rows(tmp_path):
    p = write(
        tmp_path / "bank.csv",
        ["id", "question", "hint", "reference_answer", "section", "max_score"],
        [
            [
                "q-one",
                "What is a seed?",
                "A good answer covers reproducibility, A/B testing and debugging.",
                "",
                "Basics",
                "5",
            ],
            ["q-two", "Why use UDP?", "", "UDP has less overhead. It needs no connection setup.", "", ""],
        ],
    )
    one, two = bank_from_csv(p)
    assert one.kind == "hint" and one.max_score == 5 and one.section == "Basics" and one.bank == "bank"
    assert covers(one.criteria) == [["reproducibility"], ["A/B testing"], ["debugging"]]
    assert two.kind == "reference" and two.max_score == 10 and two.section == "General"
    assert [c.text for c in two.criteria] == ["UDP has less overhead", "It needs no connection setup"]
    # every command's --rubrics takes a CSV bank
    assert load_bank(p).get("q-two") == two


def test_bank_from_csv_reads_dataset_rows_once_and_filters_split(tmp_path):
    p = write(
        tmp_path / "graded.csv",
        ["split", "question_id", "question", "reference_answer", "answer"],
        [
            ["training", "1.2_X", "Why is the sky blue?", "Rayleigh scattering of short wavelengths.", "a"],
            ["training", "1.2_X", "Why is the sky blue?", "Rayleigh scattering of short wavelengths.", "b"],
            ["test", "3.4", "Why is grass green?", "Chlorophyll reflects green light.", "c"],
        ],
    )
    assert [r.id for r in bank_from_csv(p)] == ["1-2-x", "3-4"]
    assert [r.id for r in bank_from_csv(p, split="test")] == ["3-4"]


@pytest.mark.parametrize(
    "header, rows, problem",
    [
        (["id", "hint"], [["a", "A good answer covers x, y and z."]], "header: missing column(s): question"),
        (["id", "question"], [["a", "What is it?"]], "missing column(s): hint or reference_answer"),
        (["id", "question", "hint"], [["", "What is it?", "covers x"]], "row at line 2: empty 'id'"),
        (["id", "question", "hint"], [["a", "What is it?", ""]], "row at line 2: question 'a': neither a hint"),
        (["id", "question", "hint"], [["a", "", "A strong answer covers x."]], "question 'a': the question is empty"),
        (
            ["id", "question", "reference_answer"],
            [["a", "What is it?", " - "]],
            "question 'a': the reference answer has",
        ),
        (
            ["id", "question", "hint", "max_score"],
            [["a", "What is it?", "Covers x and y.", "ten"]],
            "max_score 'ten' is not a number",
        ),
        (
            ["id", "question", "hint"],
            [["a", "What is it?", "Covers x and y."], ["a", "What else?", "Covers z."]],
            "row at line 3: id 'a' is used again",
        ),
        (["id", "question", "hint"], [], "no questions found"),
    ],
)
def test_bank_from_csv_errors_name_file_row_and_problem(tmp_path, header, rows, problem):
    """bank_from_csv is strict (any problem raises); load_bank raises only when nothing builds, as here."""
    p = write(tmp_path / "bad.csv", header, rows)
    for read in (bank_from_csv, load_bank):
        with pytest.raises(RubricError) as e:
            read(p)
        line = e.value.one_line()
        assert str(p) in line and problem in line and "\n" not in line


# -- any real question builds: one-word references and hints, short questions ---------------------------

STACK_Q = "Which stack operation adds an element to the top?"


@pytest.mark.parametrize(
    "kind, source, question, text, warnings",
    [
        # Mohler's one-word reference answer: one criterion, its text starts with a verb, covers keeps the word
        ("reference", "push", STACK_Q, "States: push", ["the reference answer is only 1 word ('push')"]),
        ("reference", "push.", STACK_Q, "States: push", ["the reference answer is only 1 word ('push.')"]),
        ("reference", "LIFO order", STACK_Q, "LIFO order", ["the reference answer is only 2 words"]),
        ("hint", "CFG", "Which knob trades adherence for variety?", "Covers CFG.", ["the hint is only 1 word ('CFG')"]),
        # Beetle's short questions
        (
            "reference",
            "Because the bulb is in a closed path with the battery.",
            "Why?",
            "Because the bulb is in a closed path with the battery",
            ["the question is only 1 word ('Why?'): the grade rests on the reference answer"],
        ),
        (
            "hint",
            "Seeds.",
            "Why?",
            "Seeds.",
            ["the hint is only 1 word ('Seeds.')", "the question is only 1 word ('Why?'): the grade rests on the hint"],
        ),
    ],
)
def test_short_sources_and_questions_build_one_criterion_with_a_warning(kind, source, question, text, warnings):
    build = rubric_from_reference if kind == "reference" else rubric_from_hint
    r = build(source, id="q", question=question)
    assert [c.text for c in r.criteria] == [text]
    assert r.criteria[0].covers and all(c in source for c in r.criteria[0].covers)  # verbatim
    notes = rubric_warnings(r)
    assert len(notes) == len(warnings) and all(w in n for w, n in zip(warnings, notes)), notes
    assert all("\n" not in n for n in notes)
    # the thin rubric is a real rubric: it round-trips through YAML
    assert parse_rubric(yaml.safe_load(rubric_to_yaml(r)), "t") == r


@pytest.mark.parametrize(
    "kind, source, question, error, problem",
    [
        ("reference", "", STACK_Q, ValueError, "the reference answer is empty"),
        ("reference", "  \n ", STACK_Q, ValueError, "the reference answer is empty"),
        ("reference", "-- ?", STACK_Q, ValueError, "the reference answer has no words"),
        ("hint", "", STACK_Q, ValueError, "the hint is empty"),
        ("hint", "…", STACK_Q, ValueError, "the hint has no words"),
        ("reference", "push", "", RubricError, "String should have at least 1 character"),
        ("reference", "push", "   ", RubricError, "the question is empty"),
    ],
)
def test_what_still_cannot_build(kind, source, question, error, problem):
    build = rubric_from_reference if kind == "reference" else rubric_from_hint
    with pytest.raises(error, match=problem):
        build(source, id="q", question=question)


def test_no_warnings_for_the_seed_bank():
    assert [r.id for r in BANK if rubric_warnings(r)] == []


def test_a_short_question_loads_from_yaml(tmp_path):
    path = tmp_path / "q.yaml"
    path.write_text(rubric_to_yaml(rubric_from_reference("push", id="q", question="Why?")), encoding="utf-8")
    assert load_rubric(path).question == "Why?"


# -- a CSV bank: a problem fails only that question ----------------------------------------------------

GOOD = ["good", "What does slow start do?", "The window starts small and doubles every round trip.", "1"]


@pytest.mark.parametrize(
    "rows, bad_id, problem",
    [
        (
            [["bad", "What does a router do?", "", "1"]],
            "bad",
            "row at line 3: question 'bad': neither a hint nor a reference_answer",
        ),
        ([["bad", "", "It forwards packets.", "1"]], "bad", "row at line 3: question 'bad': the question is empty"),
        ([["bad", "What is it?", "It is this.", "ten"]], "bad", "question 'bad': max_score 'ten' is not a number"),
        ([["bad", "What is it?", "It is this.", "0"]], "bad", "question 'bad': max_score must be above 0"),
        ([["bad", "What is it?", "???", "1"]], "bad", "question 'bad': the reference answer has no words"),
        (
            [["bad", "What is it?", "It is this.", "1"], ["bad", "What is that?", "It is that.", "1"]],
            "bad",
            "row at line 4: id 'bad' is used again with a different question or hint/reference (first at line 3)",
        ),
        (
            [["1.5", "What is it?", "It is this.", "1"], ["1-5", "What is that?", "It is that.", "1"]],
            "1.5",
            "row at line 4: ids '1.5' and '1-5' both become the rubric id '1-5'",
        ),
    ],
)
def test_csv_bank_keeps_the_good_questions_and_records_each_problem(tmp_path, rows, bad_id, problem):
    p = write(tmp_path / "bank.csv", ["id", "question", "reference_answer", "max_score"], [GOOD, *rows, GOOD])
    read = read_question_bank(p)
    assert [r.id for r in read.rubrics] == ["good"]
    assert list(read.problems) == [slug_id(bad_id)] and problem in read.problems[slug_id(bad_id)]
    bank = load_bank(p)
    assert bank.ids == ["good"] and bank.get("good").kind == "reference"
    for qid in {bad_id, slug_id(bad_id)}:  # as written in the data, or as a rubric id
        with pytest.raises(QuestionProblemError) as e:
            bank.get(qid)
        line = e.value.message
        assert line == f"{p}: {read.problems[slug_id(bad_id)]}" and problem in line and "\n" not in line
        assert isinstance(e.value, RubricError) and e.value.question_id == qid
    with pytest.raises(RubricError, match="row at line"):  # the strict reader for scripts still refuses
        bank_from_csv(p)


def test_csv_bank_with_one_word_reference_and_short_question_builds_with_warnings(tmp_path):
    p = write(
        tmp_path / "mohler.csv",
        ["question_id", "question", "reference_answer", "answer"],
        [
            ["11.1", STACK_Q, "push", "push"],
            ["11.1", STACK_Q, "push", "pop"],
            ["2.3", "Why?", "Because the bulb is in a closed path with the battery.", "closed path"],
        ],
    )
    bank = load_bank(p)
    assert bank.ids == ["11-1", "2-3"] and bank.problems == {}
    assert bank.get("11.1").criteria[0].text == "States: push"  # the data's id finds the rubric
    assert bank.warnings == {
        "11-1": [
            "row at line 2: question '11.1': the reference answer is only 1 word ('push'): one criterion, "
            "met by an answer that says it"
        ],
        "2-3": [
            "row at line 4: question '2.3': the question is only 1 word ('Why?'): the grade rests on the "
            "reference answer"
        ],
    }


def test_csv_bank_where_no_question_builds_is_one_line_error(tmp_path):
    p = write(
        tmp_path / "bank.csv",
        ["id", "question", "reference_answer"],
        [["a", "What is it?", ""], ["b", "", "It is."]],
    )
    with pytest.raises(RubricError) as e:
        load_bank(p)
    line = e.value.one_line()
    assert "no question builds (2 with a problem); first: row at line 2: question 'a'" in line and "\n" not in line


def test_bank_from_csv_missing_file(tmp_path):
    with pytest.raises(RubricError, match="file not found"):
        bank_from_csv(tmp_path / "nope.csv")


# -- YAML -----------------------------------------------------------------------------------------------


def test_yaml_round_trips_every_packaged_rubric(tmp_path):
    for rubric in BANK:
        assert parse_rubric(yaml.safe_load(rubric_to_yaml(rubric)), "t") == rubric
    # a reference answer with line breaks, tabs and quotes survives too
    ref = 'Line one: "quoted".\n\t● item with a tab\n\nSecond part: it\'s done.'
    r = rubric_from_reference(ref, id="r-1", question="What is the answer?", max_score=2.5)
    path = tmp_path / "r.yaml"
    path.write_text(rubric_to_yaml(r), encoding="utf-8")
    assert load_rubric(path) == r


def test_yaml_layout_matches_the_bank_files():
    text = rubric_to_yaml(BANK.get("vid-06"))
    assert 'section: "Intermediate"' in text and "question: >-\n" in text
    assert '  - id: camera-movement\n    text: "Specifies a camera movement' in text
    assert '    covers: ["camera movement (dolly, orbit)"]' in text


# -- the CLI --------------------------------------------------------------------------------------------


def test_cli_builds_validates_and_prints_yaml(cli):
    code, out, _ = cli(
        "rubric",
        "build",
        "--hint",
        BANK.get("vid-06").hint,
        "--question",
        "How do you structure a cinematic prompt?",
        "--id",
        "my-q",
    )
    assert code == 0
    r = parse_rubric(yaml.safe_load(out), "stdout")
    assert r.id == "my-q" and len(r.criteria) == 6


def test_cli_diffs_against_an_existing_file_and_replaces_it(tmp_path, cli):
    src = REPO / "rubrics/ai-video-generation-specialist/vid-06-cinematic-prompt-anatomy.yaml"
    target = tmp_path / "vid-06.yaml"
    target.write_text(src.read_text(encoding="utf-8"), encoding="utf-8")
    rubric = BANK.get("vid-06")
    args = [
        "rubric",
        "build",
        "--hint",
        rubric.hint,
        "--question",
        rubric.question,
        "--id",
        rubric.id,
        "--section",
        rubric.section,
        "--bank",
        rubric.bank,
        "-o",
        str(target),
    ]
    code, out, err = cli(*args, "--dry-run")
    assert code == 0 and "would change" in err
    assert out.startswith(f"--- {target} (existing)\n+++ {target} (built)\n")
    assert '-    text: "Specifies a camera movement, such as a dolly or an orbit."' in out
    assert '+    text: "Includes camera movement (dolly, orbit)."' in out
    assert "-number: 6" in out
    assert target.read_text(encoding="utf-8") == src.read_text(encoding="utf-8")  # dry run: untouched
    code, out, err = cli(*args, "--number", "6")
    assert code == 0 and "updated" in err and "-number: 6" not in out
    assert load_rubric(target).criteria[0].text == "Includes camera movement (dolly, orbit)."
    code, out, err = cli(*args, "--number", "6")  # built again: identical
    assert code == 0 and out == "" and "unchanged" in err


def test_cli_from_csv_writes_a_directory(tmp_path, cli):
    p = write(
        tmp_path / "bank.csv",
        ["id", "question", "hint"],
        [
            ["q-one", "What is a seed?", "A good answer covers reproducibility, A/B testing and debugging."],
            ["q-two", "What is CFG?", "Look for discussion of prompt adherence, diversity, and artifacts."],
        ],
    )
    out_dir = tmp_path / "rubrics"
    code, _, err = cli("rubric", "build", "--from-csv", str(p), "-o", str(out_dir))
    assert code == 0 and "2 rubric(s) written" in err
    assert len(load_bank(out_dir)) == 2
    # and the same bank is usable directly by other commands
    code, out, _ = cli("rubrics", "list", "--rubrics", str(p), "--json")
    assert code == 0 and [json.loads(line)["id"] for line in out.splitlines()] == ["q-one", "q-two"]


def test_cli_from_csv_builds_the_good_questions_and_warns_once_per_problem(tmp_path, cli):
    """Mohler's one-word reference and Beetle's "Why?" build (with a note); an empty reference answer is one
    warning line, however many rows the question has, and the other questions are written."""
    header = ["question_id", "question", "reference_answer", "answer"]
    rows = [
        ["11.1", STACK_Q, "push", "push"],
        ["11.1", STACK_Q, "push", "pop"],
        ["2.3", "Why?", "Because the bulb is in a closed path with the battery.", "closed path"],
        ["5.5", "What does a router do?", "", "it routes"],
        ["5.5", "What does a router do?", "", "it forwards packets"],
    ]
    p = write(tmp_path / "mohler.csv", header, rows)
    out_dir = tmp_path / "rubrics"
    code, _, err = cli("rubric", "build", "--from-csv", p, "-o", out_dir)
    assert code == 0, err
    lines = err.splitlines()
    assert [line for line in lines if line.startswith("warning:")] == [
        f"warning: {p}: row at line 5: question '5.5': neither a hint nor a reference_answer; no rubric for it"
    ]
    assert sum(line.startswith("note:") for line in lines) == 2 and "('push')" in err and "('Why?')" in err
    assert "2 rubric(s) written" in err and "1 question(s) without a rubric" in err
    assert load_bank(out_dir).ids == ["11-1", "2-3"]
    # one rubric from the command line: the note, and the YAML
    code, out, err = cli("rubric", "build", "--reference", "push", "-q", STACK_Q, "--id", "push-q")
    assert code == 0 and 'text: "States: push"' in out and "note: the reference answer is only 1 word" in err


@pytest.mark.parametrize(
    "argv, message",
    [
        (["rubric", "build", "--question", "What is it?"], "give exactly one of --hint, --reference or --from-csv"),
        (["rubric", "build", "--hint", "Covers a and b.", "--reference", "x y z"], "got --hint, --reference"),
        (["rubric", "build", "--hint", "Covers a, b and c."], "--question is needed"),
        (
            ["rubric", "build", "--hint", "A good answer covers a, b and c.", "-q", "What is it?", "--id", "Bad Id"],
            "id: String should match pattern",
        ),
        (
            ["rubric", "build", "--hint", "A good answer covers a, b and c.", "-q", "What is it?", "--llm"],
            "no LLM is configured for --llm",
        ),
    ],
)
def test_cli_errors_are_one_line(cli, argv, message):
    code, _, err = cli(*argv)
    assert code == 2 and message in err and err.count("\n") <= 2


# -- LLM-assisted ----------------------------------------------------------------------------------------


class FakeClient:
    """What complete_json uses of an openai client: ``post`` returning a ChatCompletion-like object."""

    def __init__(self, content: str) -> None:
        self.content = content
        self.bodies: list[dict] = []

    async def post(self, path, body, cast_to):
        self.bodies.append(body)
        message = SimpleNamespace(content=self.content)
        return SimpleNamespace(
            choices=[SimpleNamespace(message=message, finish_reason="stop")],
            usage=SimpleNamespace(prompt_tokens=10, completion_tokens=5),
            model="fake",
        )

    async def close(self):
        pass


def test_llm_builder_validates_and_keeps_only_verbatim_covers():
    hint = BANK.get("vid-06").hint
    reply = json.dumps(
        {
            "criteria": [
                {
                    "id": "Camera Movement",
                    "text": "Names a camera movement such as a dolly.",
                    "weight": 9,
                    "covers": ["camera movement (dolly, orbit)", "invented fragment"],
                },
                {
                    "id": "lighting",
                    "text": "Describes the lighting.",
                    "weight": 2,
                    "covers": ["lighting descriptor (golden hour, warm tones)"],
                },
            ]
        }
    )
    client = FakeClient(reply)
    crits, notes = criteria_with_llm(Settings(api_key="k"), question="How?", hint=hint, client=client)
    assert [c.id for c in crits] == ["camera-movement", "lighting"]
    assert crits[0].weight == 4  # clamped to 1–4
    assert crits[0].covers == ("camera movement (dolly, orbit)",)
    assert any("invented fragment" in n for n in notes)
    body = client.bodies[0]
    assert body["response_format"]["type"] == "json_schema"
    assert hint in body["messages"][0]["content"]
    rubric = rubric_from_hint(hint, id="x-q", question="How do you prompt?", criteria=crits)
    assert parse_rubric(yaml.safe_load(rubric_to_yaml(rubric)), "t") == rubric


def test_llm_builder_rejects_invalid_json_and_needs_a_configured_llm():
    with pytest.raises(ValueError, match="not valid"):
        criteria_with_llm(
            Settings(api_key="k"),
            question="How?",
            hint="Covers a, b and c.",
            client=FakeClient('{"criteria": [{"id": "a"}]}'),
        )
    with pytest.raises(ConfigError, match="no LLM is configured"):
        criteria_with_llm(Settings(), question="How?", hint="Covers a, b and c.")

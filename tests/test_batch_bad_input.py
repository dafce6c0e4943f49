"""Issue 14 items 2 and 3: bad batch input never merges, loses or crashes rows.

An unterminated CSV quote is an error on its line and the rows after it are still read; a JSONL line
nested too deeply, with a lone surrogate escape, or with an array/object answer is an ``error`` row;
a JSON ``null`` id is empty, not "None"; a duplicated column in the header stops with one line."""

from __future__ import annotations

import csv
import json

import pytest

from grader.batch.io import read_rows
from grader.errors import InputError
from grader.tables import STRAY_QUOTE, UNTERMINATED_QUOTE, open_table

HEADER = "candidate_id,question_id,answer"
ANSWER = "Temporal consistency keeps objects stable across frames and avoids flicker, measured with FVD."


def rows_of(path) -> list[tuple[int, str, str, str, str]]:
    return [(r.line, r.candidate_id, r.question_id, r.answer, r.error) for r in read_rows(path)]


@pytest.mark.parametrize(
    "text, expected",
    [
        (  # the case: 4 rows in, 3 out, the first answer swallowing the rest
            f'{HEADER}\nc1,q1,"unterminated answer\nc2,q1,second\nc3,q1,third\nc4,q1,fourth\n',
            [
                (2, "", "", "", UNTERMINATED_QUOTE),
                (3, "c2", "q1", "second", ""),
                (4, "c3", "q1", "third", ""),
                (5, "c4", "q1", "fourth", ""),
            ],
        ),
        (  # in the middle, without a final newline
            f'{HEADER}\nc1,q1,fine\nc2,q1,"open\nc3,q1,x',
            [(2, "c1", "q1", "fine", ""), (3, "", "", "", UNTERMINATED_QUOTE), (4, "c3", "q1", "x", "")],
        ),
        (  # an opened quote on the last line only
            f'{HEADER}\nc1,q1,fine\nc2,q1,"open\n',
            [(2, "c1", "q1", "fine", ""), (3, "", "", "", UNTERMINATED_QUOTE)],
        ),
        (  # closed by a stray quote two lines down: both reported, nothing merged
            f'{HEADER}\nc1,q1,"a\nc2,q1,b\nc3,q1,"c\nc4,q1,d\n',
            [
                (2, "", "", "", STRAY_QUOTE.format(line=4)),
                (3, "c2", "q1", "b", ""),
                (4, "", "", "", UNTERMINATED_QUOTE),
                (5, "c4", "q1", "d", ""),
            ],
        ),
        (  # legitimate quoting is untouched: quoted newlines, doubled quotes, a last line with no newline
            f'{HEADER}\nc1,q1,"two\nlines, ""quoted"""\nc2,q1,"last ""one"""',
            [(2, "c1", "q1", 'two\nlines, "quoted"', ""), (4, "c2", "q1", 'last "one"', "")],
        ),
        (  # a stray quote inside an unquoted field is text, as before
            f'{HEADER}\nc1,q1,he is 6" tall\nc2,q1,x\n',
            [(2, "c1", "q1", 'he is 6" tall', ""), (3, "c2", "q1", "x", "")],
        ),
    ],
)
def test_an_unterminated_quote_is_reported_on_its_line_and_never_merges_rows(tmp_path, text, expected):
    path = tmp_path / "in.csv"
    path.write_text(text, newline="")
    assert rows_of(path) == expected


def test_tables_report_the_unterminated_quote_to_every_reader(tmp_path):
    path = tmp_path / "bank.csv"
    path.write_text('id,question\nq1,"open\nq2,fine\n')
    with open_table(path) as table:
        rows = [(r.line, r.values, r.error) for r in table.rows()]
    assert rows == [(2, {}, UNTERMINATED_QUOTE), (3, {"id": "q2", "question": "fine"}, "")]


def write_jsonl(path, lines: list[str]) -> None:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def obj(cid, answer, qid="vid-05") -> str:
    return json.dumps({"candidate_id": cid, "question_id": qid, "answer": answer})


def test_bad_json_lines_become_error_rows_and_the_rest_are_read(tmp_path):
    path = tmp_path / "in.jsonl"
    deep = '{"candidate_id": "a", "question_id": "vid-05", "answer": ' + "[" * 100_000 + "]" * 100_000 + "}"
    write_jsonl(
        path,
        [
            deep,
            obj("b", "lone \ud800 surrogate"),  # json.dumps writes the escape \\ud800
            obj(None, ANSWER),
            obj("d", ["a", "list"]),
            obj("e", {"an": "object"}),
            obj(7, 12.5),
            obj("g", ANSWER),
        ],
    )
    rows = rows_of(path)
    assert [r[0] for r in rows] == [1, 2, 3, 4, 5, 6, 7]
    assert rows[0][4] == "invalid JSON line: nested too deeply"
    assert rows[1][1] == "b" and "lone surrogate" in rows[1][4]
    assert rows[2][1:] == ("", "vid-05", ANSWER, "")  # null is empty, not "None"
    assert rows[3][1] == "d" and rows[3][4] == "'answer' is a JSON array; it must be a string"
    assert rows[4][4] == "'answer' is a JSON object; it must be a string"
    assert rows[5][1:] == ("7", "vid-05", "12.5", "")
    assert rows[6][1:] == ("g", "vid-05", ANSWER, "")


def test_bad_jsonl_batch_writes_every_row(cli, tmp_path):
    src = tmp_path / "in.jsonl"
    deep = '{"candidate_id": "a", "question_id": "vid-05", "answer": ' + "[" * 100_000 + "]" * 100_000 + "}"
    write_jsonl(src, [deep, obj("b\ud800", "x \ud800 y"), obj(None, ANSWER), obj("d", ["x"]), obj("e", ANSWER)])
    for out in (tmp_path / "out.csv", tmp_path / "out.jsonl"):
        rc, _out, err = cli("batch", src, "-o", out)
        assert rc == 5 and "Traceback" not in err and "internal error" not in err, err
        if out.suffix == ".csv":
            rows = list(csv.DictReader(out.read_text(encoding="utf-8").splitlines()))
        else:
            rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
        by_line = {int(r["line"]): r for r in rows}
        assert sorted(by_line) == [1, 2, 3, 4, 5]  # one row per input line
        assert [by_line[n]["status"] for n in range(1, 6)] == ["error", "error", "graded", "error", "graded"]
        assert "nested too deeply (line 1)" in by_line[1]["reason"]
        assert by_line[2]["candidate_id"] == "b?"
        assert by_line[3]["candidate_id"] == ""


def test_a_duplicated_column_in_the_header_is_one_line_error(cli, tmp_path):
    src = tmp_path / "in.csv"
    src.write_text(f"{HEADER},answer\nc1,vid-05,first,second\n")
    with pytest.raises(InputError, match="more than once"):
        list(read_rows(src))
    rc, _out, err = cli("batch", src, "-o", tmp_path / "out.csv")
    assert rc == 2 and "'answer' more than once" in err and len(err.strip().splitlines()) == 1

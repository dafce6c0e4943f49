"""Batch input quirks (table-driven) and the output writer's crash safety."""

import codecs
import csv
import io
import json

import pytest

from grader.batch.io import OUTPUT_FIELDS, Columns, ResultWriter, count_rows, done_rows, read_rows
from grader.errors import InputError
from grader.tables import to_cell

HEADER = "candidate_id,question_id,answer"


def _write(tmp_path, data: bytes, name="in.csv"):
    p = tmp_path / name
    p.write_bytes(data)
    return p


@pytest.mark.parametrize(
    "name, data, expected",
    [
        (
            "plain",
            f"{HEADER}\nc1,q1,hello world\nc2,q2,second\n".encode(),
            [("c1", "q1", "hello world", 2), ("c2", "q2", "second", 3)],
        ),
        ("bom+crlf", codecs.BOM_UTF8 + f"{HEADER}\r\nc1,q1,hi there\r\n".encode(), [("c1", "q1", "hi there", 2)]),
        (
            "quoted newline",
            f'{HEADER}\nc1,q1,"line one\nline two, with comma"\nc2,q2,x\n'.encode(),
            [("c1", "q1", "line one\nline two, with comma", 2), ("c2", "q2", "x", 4)],
        ),
        ("excel semicolon", b"candidate_id;question_id;answer\r\nc1;q1;a; b\r\n", [("c1", "q1", "a", 2)]),
        (
            "excel utf16 tab",
            ("\ufeffcandidate_id\tquestion_id\tanswer\r\nc1\tq1\tcafé\r\n").encode("utf-16-le"),
            [("c1", "q1", "café", 2)],
        ),
        ("no trailing newline", f"{HEADER}\nc1,q1,end".encode(), [("c1", "q1", "end", 2)]),
        ("escaped quotes", f'{HEADER}\nc1,q1,"she said ""hi"""\n'.encode(), [("c1", "q1", 'she said "hi"', 2)]),
    ],
)
def test_csv_quirks(tmp_path, name, data, expected):
    rows = list(read_rows(_write(tmp_path, data)))
    assert [(r.candidate_id, r.question_id, r.answer, r.line) for r in rows] == expected
    assert all(not r.error for r in rows)
    assert [r.index for r in rows] == list(range(1, len(expected) + 1))


def test_very_long_answer(tmp_path):
    long = "word " * 200_000
    rows = list(read_rows(_write(tmp_path, f'{HEADER}\nc1,q1,"{long}"\n'.encode())))
    assert len(rows[0].answer) == len(long)


def test_undecodable_bytes_reported_on_their_row(tmp_path):
    data = f"{HEADER}\nc1,q1,fine\nc2,q1,bad \xff\xfe bytes\nc3,q1,ok\n".encode("latin-1")
    rows = list(read_rows(_write(tmp_path, data)))
    assert [r.candidate_id for r in rows] == ["c1", "c2", "c3"]
    assert rows[1].error.startswith("undecodable bytes") and rows[1].line == 3
    assert not rows[0].error and not rows[2].error


def test_short_row_is_an_error_not_a_skip(tmp_path):
    rows = list(read_rows(_write(tmp_path, f"{HEADER}\nc1,q1\nc2,q2,ok\n".encode())))
    assert len(rows) == 2 and "2 field(s)" in rows[0].error and not rows[1].error


def test_missing_column_is_one_clear_error(tmp_path):
    p = _write(tmp_path, b"id,question,text\nc1,q1,x\n")
    with pytest.raises(InputError) as e:
        list(read_rows(p))
    msg = e.value.one_line()
    assert "missing column(s) 'candidate_id', 'question_id', 'answer'" in msg and "--id-col" in msg and ":1" in msg
    rows = list(read_rows(p, Columns(id="id", question="question", answer="text")))
    assert rows[0].answer == "x"


def test_jsonl_input(tmp_path):
    lines = [
        json.dumps({"candidate_id": "c1", "question_id": "q1", "answer": "a"}),
        "",
        "{not json",
        json.dumps({"candidate_id": "c3", "question_id": "q1"}),
    ]
    rows = list(read_rows(_write(tmp_path, "\n".join(lines).encode(), "in.jsonl")))
    assert [r.index for r in rows] == [1, 2, 3]
    assert not rows[0].error and "invalid JSON" in rows[1].error and "missing field(s): answer" in rows[2].error
    assert rows[1].line == 3


def test_count_rows_matches_read(tmp_path):
    p = _write(tmp_path, f'{HEADER}\nc1,q1,"a\nb"\n\nc2,q2,c\n'.encode())
    assert count_rows(p) == 2


@pytest.mark.parametrize("suffix", [".csv", ".jsonl"])
def test_writer_torn_tail_is_cut_on_resume(tmp_path, suffix):
    out = tmp_path / f"out{suffix}"
    w = ResultWriter(out, append=False)
    for i in (1, 2):
        w.write(
            {
                "row": i,
                "line": i + 1,
                "candidate_id": f"c{i}",
                "question_id": "q",
                "status": "graded",
                "reason": "multi\nline reason",
                "result_json": json.dumps({"x": i}),
            }
        )
    w.close()
    with out.open("ab") as fh:  # a kill in the middle of writing row 3
        fh.write(b"3,4,c3,q,gra" if suffix == ".csv" else b'{"row": 3, "li')
    assert done_rows(out) == {1, 2}
    w = ResultWriter(out, append=True)
    w.write({"row": 3, "line": 4, "candidate_id": "c3", "question_id": "q", "status": "graded", "result_json": ""})
    w.close()
    assert done_rows(out) == {1, 2, 3}
    text = out.read_text()
    assert ("multi line reason" if suffix == ".csv" else "multi\\nline reason") in text  # one physical line per row
    assert text.count("\n") == (4 if suffix == ".csv" else 3)


@pytest.mark.parametrize(
    "result_json",
    [
        '{"a": "b"}',
        '{"quote": "say \\"hi\\"", "comma": "a,b", "crlf": "x\\r\\ny"}',
        '{"raw": "line\u2028sep\u0085nel\x00nul\rcr\nlf ,;\t"}',
        '"',
        "",
        "no quote, but a comma",
        "no quote\nbut a newline",
    ],
)
def test_result_row_bytes_are_the_csv_modules(tmp_path, result_json):
    """The result_json cell is written without the csv module when it holds a quote: the file's bytes
    are exactly csv.DictWriter's for the same record."""
    record = {
        "row": 3,
        "line": 4,
        "candidate_id": '=cmd|" /C calc"!A0',
        "question_id": "vid-05",
        "status": "graded",
        "score": 7.5,
        "max_score": 10.0,
        "percent": 75.0,
        "band": "good",
        "flags": "a;b",
        "reason": 'multi\nline, "quoted"',
        "backend": "llm",
        "model": "m",
        "cached": False,
        "prompt_tokens": 1,
        "cached_prompt_tokens": 0,
        "completion_tokens": 2,
        "cost_usd": None,
        "latency_s": 0.25,
        "attempts": 1,
        "result_json": result_json,
    }
    out = tmp_path / "out.csv"
    writer = ResultWriter(out, append=False)
    writer.write(record)
    writer.write({**record, "row": 4})
    writer.close()
    expected = io.StringIO()
    plain = csv.DictWriter(expected, fieldnames=OUTPUT_FIELDS, lineterminator="\n")
    plain.writeheader()
    for row in (3, 4):
        cells = {
            k: to_cell(" ".join(v.split())) if isinstance(v, str) and k != "result_json" else v
            for k, v in {**record, "row": row}.items()
        }
        plain.writerow(cells)
    assert out.read_bytes() == expected.getvalue().encode("utf-8", errors="replace")

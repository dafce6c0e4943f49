"""grader.tables: the one reader for CSV / TSV / ``;`` / JSON-lines input (table-driven)."""

from __future__ import annotations

import codecs
import json
import re

import pytest

from grader.errors import InputError
from grader.tables import NOT_AN_OBJECT, UNDECODABLE, clean, has_undecodable, open_table, sniff_delimiter

H = "a,b,c"


def _write(tmp_path, data: bytes, name: str = "t.csv"):
    p = tmp_path / name
    p.write_bytes(data)
    return p


def _read(path, **kw):
    with open_table(path, **kw) as table:
        return table, list(table.rows())


@pytest.mark.parametrize(
    "name, data, header, rows",
    [
        ("plain", f"{H}\n1,2,3\n4,5,6\n".encode(), ["a", "b", "c"], [(2, ("1", "2", "3")), (3, ("4", "5", "6"))]),
        ("utf-8 BOM + CRLF", codecs.BOM_UTF8 + f"{H}\r\n1,2,3\r\n".encode(), ["a", "b", "c"], [(2, ("1", "2", "3"))]),
        (
            "quoted newline",
            f'{H}\n1,"x\ny, z",3\n4,5,6\n'.encode(),
            ["a", "b", "c"],
            [(2, ("1", "x\ny, z", "3")), (4, ("4", "5", "6"))],
        ),
        ("doubled quotes", f'{H}\n1,"say ""hi""",3\n'.encode(), ["a", "b", "c"], [(2, ("1", 'say "hi"', "3"))]),
        ("semicolons", b"a;b;c\r\n1;2,5;3\r\n", ["a", "b", "c"], [(2, ("1", "2,5", "3"))]),
        ("tabs", b"a\tb\tc\n1\t2\t3\n", ["a", "b", "c"], [(2, ("1", "2", "3"))]),
        (
            "UTF-16 LE (Excel)",
            "\ufeffa\tb\tc\r\n1\t2\tcafé\r\n".encode("utf-16-le"),
            ["a", "b", "c"],
            [(2, ("1", "2", "café"))],
        ),
        ("UTF-16 BE", "\ufeffa,b,c\n1,2,3\n".encode("utf-16-be"), ["a", "b", "c"], [(2, ("1", "2", "3"))]),
        ("one column", b"answer\nhello\n", ["answer"], [(2, ("hello",))]),
        ("header names stripped", b" a , b ,c\n1,2,3\n", ["a", "b", "c"], [(2, ("1", "2", "3"))]),
        (
            "blank lines are not rows",
            f"{H}\n\n1,2,3\n,,\n\n4,5,6".encode(),
            ["a", "b", "c"],
            [(3, ("1", "2", "3")), (6, ("4", "5", "6"))],
        ),
        ("quoted newline in the header", b'a,"b\nb",c\n1,2,3\n', ["a", "b\nb", "c"], [(3, ("1", "2", "3"))]),
        ("bare CR line ends", b"a,b,c\r1,2,3\r4,5,6\r", ["a", "b", "c"], [(2, ("1", "2", "3")), (3, ("4", "5", "6"))]),
    ],
)
def test_delimited_text(tmp_path, name, data, header, rows):
    table, got = _read(_write(tmp_path, data))
    assert table.format == "csv" and table.header == header
    assert [(r.line, r.fields) for r in got] == rows
    assert [r.index for r in got] == list(range(1, len(rows) + 1))
    assert all(not r.problem() for r in got)
    assert got[0].values == dict(zip(header, rows[0][1], strict=True))


@pytest.mark.parametrize(
    "line, expected",
    [
        ("a,b;c", ","),
        ("a;b;c,d", ";"),
        ("a\tb\tc", "\t"),
        ("answer", ","),
        ("", ","),
        ("a,b\tc", ","),
    ],
)
def test_sniff_delimiter(line, expected):
    assert sniff_delimiter(line) == expected


def test_short_rows_and_undecodable_bytes_are_reported_on_their_row(tmp_path):
    data = f"{H}\n1,2\n4,\xff5,6\n7,8,9,\xfe\n".encode("latin-1")
    _, rows = _read(_write(tmp_path, data))
    assert [r.line for r in rows] == [2, 3, 4]
    assert rows[0].short and rows[0].problem() == "the row has 2 field(s) but the header has 3"
    assert rows[0].values == {"a": "1", "b": "2"}
    assert rows[1].undecodable == ("b",) and rows[1].problem() == UNDECODABLE
    assert has_undecodable(rows[1].values["b"]) and clean(rows[1].values["b"]) == "?5"
    assert rows[2].undecodable == ("",) and rows[2].problem() == UNDECODABLE  # a cell past the header


@pytest.mark.parametrize(
    "name, data, lines, problems",
    [
        ("plain", b'{"a": 1}\n{"a": "x"}\n', [1, 2], ["", ""]),
        ("blank lines and CRLF", b'\n{"a": 1}\r\n\r\n{"a": 2}\r\n', [2, 4], ["", ""]),
        ("invalid JSON", b'{"a": 1}\n{nope\n[1, 2]\n', [1, 2, 3], ["", "invalid JSON line", NOT_AN_OBJECT]),
        ("UTF-8 BOM", codecs.BOM_UTF8 + b'{"a": 1}\n', [1], [""]),
        ("no final newline", b'{"a": 1}\n{"a": 2}', [1, 2], ["", ""]),
    ],
)
def test_json_lines(tmp_path, name, data, lines, problems):
    table, rows = _read(_write(tmp_path, data, "t.jsonl"))
    assert table.format == "jsonl" and table.header == []
    assert [r.line for r in rows] == lines and [r.index for r in rows] == list(range(1, len(lines) + 1))
    assert [r.problem()[: len(p)] for r, p in zip(rows, problems, strict=True)] == problems


def test_json_lines_with_undecodable_bytes(tmp_path):
    _, rows = _read(_write(tmp_path, b'{"a": "ok", "b": "bad \xff"}\n', "t.ndjson"))
    assert rows[0].undecodable == ("b",) and clean(rows[0].values["b"]) == "bad ?" and rows[0].problem() == UNDECODABLE


def test_a_json_array_or_json_lines(tmp_path):
    array = _write(tmp_path, json.dumps([{"a": 1}, 7, {"a": 2}], indent=1).encode(), "r.json")
    _, rows = _read(array, fmt="json")
    assert [(r.line, r.values, r.error) for r in rows] == [(1, {"a": 1}, ""), (2, {}, NOT_AN_OBJECT), (3, {"a": 2}, "")]
    _, rows = _read(_write(tmp_path, b'\n{"a": 1}\n', "l.json"), fmt="json")
    assert [(r.line, r.values) for r in rows] == [(2, {"a": 1})]
    with pytest.raises(InputError, match="invalid JSON"):
        _read(_write(tmp_path, b"[{", "bad.json"), fmt="json")


def test_format_follows_the_suffix_unless_given(tmp_path):
    p = _write(tmp_path, b'{"a": 1}\n', "x.txt")
    assert _read(p)[0].format == "csv" and _read(p, fmt="jsonl")[0].format == "jsonl"


@pytest.mark.parametrize(
    "data, name, message",
    [
        (None, "missing.csv", "file not found"),
        (b"", "empty.csv", "the file is empty (no header row)"),
        (b"\n\na,b\n", "blank-first.csv", "the file is empty (no header row)"),
    ],
)
def test_unreadable_files_are_input_errors(tmp_path, data, name, message):
    path = tmp_path / name if data is None else _write(tmp_path, data, name)
    with pytest.raises(InputError, match=re.escape(message)) as e:
        open_table(path)
    assert str(path) in e.value.one_line()


def test_rows_stream(tmp_path):
    p = _write(tmp_path, (H + "\n" + "1,2,3\n" * 50_000).encode())
    with open_table(p) as table:
        rows = table.rows()
        first = next(rows)
        assert first.line == 2 and table._fh.buffer.raw.tell() < p.stat().st_size // 4  # not read to the end
    assert sum(1 for _ in open_table(p).rows()) == 50_000


def test_very_long_field(tmp_path):
    long = "word " * 200_000
    _, rows = _read(_write(tmp_path, f'{H}\n1,"{long}",3\n'.encode()))
    assert len(rows[0].values["b"]) == len(long)


def test_clean_leaves_good_text_alone():
    assert clean("café ✓") == "café ✓" and not has_undecodable("café ✓")

"""The one reader for tabular input: CSV / TSV / ``;``-separated text and JSON lines.

Every file of rows the grader reads goes through :func:`open_table`: batch input and output
(:mod:`grader.batch.io`), human-scored calibration data and results files (:mod:`grader.agreement.io`),
question-bank CSVs (:mod:`grader.rubric.io`) and the report's results file (:mod:`grader.report.build`).

What it handles, so that no caller has to:

- **Encoding**: a UTF-16 byte-order mark (LE or BE, as Excel's "Unicode text" export writes) means
  UTF-16; anything else is read as UTF-8, a UTF-8 BOM dropped. Bytes that are not UTF-8 do not stop
  the file: they come through as lone surrogates (``errors="surrogateescape"``) and every row says
  which of its columns hold some (:attr:`TableRow.undecodable`); :func:`clean` turns them into ``?``
  (and any other lone surrogate, such as a JSON ``"\ud800"`` escape).
- **Delimited text**: the delimiter is the most frequent of ``,`` ``;`` and tab in the first line
  (``,`` if none); CRLF, quoted newlines, doubled quotes and fields of any size; the header's names
  are stripped of surrounding spaces; a line that is blank (or only delimiters) is not a row. A quote
  that is never closed (its field would run to the end of the file, swallowing the rows after it) is
  an error on the line it opens on, and the lines after that line are read again as rows: rows are
  never merged.
- **JSON lines** limits: a line nested too deeply to parse is an error row, like invalid JSON.
- **JSON lines** (``.jsonl`` / ``.ndjson``): one object per non-blank line; ``fmt="json"`` also reads a
  file holding one JSON array of objects.
- **Positions and problems**: each :class:`TableRow` has its data-row number and the physical line it
  starts on (1 is the header of a delimited file), and a row that cannot be read (a malformed record,
  invalid JSON, a JSON value that is not an object) is still yielded, with :attr:`TableRow.error` set, so
  a caller can report it on its row and go on. Short rows are marked (:attr:`TableRow.short`).
- **Streaming**: rows are read one at a time (except a JSON array), so memory does not grow with the file.

Callers decide what a problem means for them (a batch records it on the row; a question bank stops
with an error naming the line): :meth:`TableRow.problem` words it the same way for all of them.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import json
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import IO, Any, Literal

from grader.errors import InputError

__all__ = [
    "Table",
    "TableRow",
    "open_table",
    "clean",
    "has_undecodable",
    "has_lone_surrogate",
    "UNTERMINATED_QUOTE",
    "STRAY_QUOTE",
    "is_jsonl",
    "JSONL_SUFFIXES",
    "UNDECODABLE",
    "NOT_AN_OBJECT",
    "sniff_delimiter",
    "to_cell",
    "from_cell",
]

csv.field_size_limit(min(sys.maxsize, 2**31 - 1))

JSONL_SUFFIXES = (".jsonl", ".ndjson")
UNDECODABLE = "undecodable bytes (the file is not valid UTF-8 here); re-save the file as UTF-8"
NOT_AN_OBJECT = "invalid JSON line: not a JSON object"
_DELIMITERS = (",", ";", "\t")
_SURROGATE = re.compile("[\udc80-\udcff]")
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
UNTERMINATED_QUOTE = (
    "unterminated quote: the quoted field opened on this line is never closed, so it would swallow "
    'every row after it; close it (a quote inside a quoted field is written twice: "")'
)
STRAY_QUOTE = (
    "unpaired quote: the quoted field opened on this line ends at a quote on line {line} that has more "
    "text after it, so it would merge the rows in between; close the field's quote (a quote inside a "
    'quoted field is written twice: "")'
)


def is_jsonl(path: str | Path) -> bool:
    """Whether a file is read (and written) as JSON lines: by its suffix, ``.jsonl`` or ``.ndjson``."""
    return Path(path).suffix.lower() in JSONL_SUFFIXES


def has_undecodable(text: str) -> bool:
    """Whether ``text`` holds bytes that were not UTF-8 (read as lone surrogates)."""
    return _SURROGATE.search(text) is not None


def has_lone_surrogate(text: str) -> bool:
    """Whether ``text`` holds a lone surrogate: an undecodable byte, or a JSON ``\\ud800``-style escape
    that is not valid Unicode (it cannot be written as UTF-8)."""
    return _LONE_SURROGATE.search(text) is not None


def clean(text: str) -> str:
    """``text`` with every undecodable byte (any lone surrogate) replaced by ``?`` (unchanged if none)."""
    return text.encode("utf-8", "replace").decode("utf-8") if has_lone_surrogate(text) else text


#: What makes a spreadsheet read a cell as a formula (OWASP's list), and the escape itself.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "'")


def to_cell(text: str) -> str:
    """``text`` as a CSV cell a spreadsheet will not run: one starting with ``=``, ``+``, ``-``,
    ``@``, TAB or CR gets a leading ``'`` (OWASP's rule), and so does one starting with ``'``, so
    that :func:`from_cell` gives every text back exactly."""
    return "'" + text if text.startswith(_FORMULA_START) else text


def from_cell(text: str) -> str:
    """The text :func:`to_cell` was given (a results CSV the grader wrote, read back)."""
    return text[1:] if text.startswith("'") else text


@dataclass(frozen=True)
class TableRow:
    """One data row. ``values`` maps column → cell: strings for delimited text (a repeated column
    name keeps its last cell, as :class:`csv.DictReader` does), JSON values for JSON lines."""

    index: int  # 1-based data row number (blank lines are not rows)
    line: int  # physical line where the record starts (1 = the header line of a delimited file)
    values: dict[str, Any]
    fields: tuple[str, ...] = ()  # delimited text: the cells in file order
    width: int = 0  # delimited text: the number of columns in the header
    error: str = ""  # the record could not be read at all (then ``values`` is empty)
    undecodable: tuple[str, ...] = ()  # columns whose text holds bytes that are not UTF-8 ("": past the header)

    @property
    def short(self) -> bool:
        """A delimited record with fewer cells than the header has columns."""
        return not self.error and 0 < len(self.fields) < self.width

    def problem(self) -> str:
        """Why this row cannot be used as it is, or ``""``: unreadable, too few cells, undecodable bytes
        (a caller that reads only some columns may check :attr:`undecodable` itself)."""
        if self.error:
            return self.error
        if self.short:
            return f"the row has {len(self.fields)} field(s) but the header has {self.width}"
        return UNDECODABLE if self.undecodable else ""


@dataclass
class Table:
    """An open table file: its format, delimiter and header, and its rows (:meth:`rows`, once)."""

    path: Path
    format: Literal["csv", "jsonl"]
    _fh: IO[str] = field(repr=False)
    _head: list[str] = field(default_factory=list, repr=False)  # lines already read from ``_fh``
    delimiter: str = ","
    header: list[str] = field(default_factory=list)  # delimited text only
    header_line_count: int = 1
    json_array: bool = False

    @property
    def source(self) -> str:
        return str(self.path)

    @property
    def header_undecodable(self) -> bool:
        return any(has_undecodable(h) for h in self.header)

    def rows(self) -> Iterator[TableRow]:
        """The data rows, one at a time; the file is closed when they are exhausted (or the table is)."""
        try:
            if self.format == "csv":
                yield from self._csv_rows()
            else:
                yield from self._json_array_rows() if self.json_array else self._jsonl_rows()
        finally:
            self.close()

    def _csv_rows(self) -> Iterator[TableRow]:
        src = _Lines(self._fh, 0)
        reader = csv.reader(src, delimiter=self.delimiter)
        header, width = self.header, len(self.header)
        index = 0
        end = self.header_line_count  # the physical line the previous record ended on
        while True:
            src.taken = []
            try:
                record = next(reader)
            except StopIteration:
                return
            except csv.Error as e:
                index += 1
                yield TableRow(index, end + 1, {}, width=width, error=f"malformed CSV record: {e}")
                end = src.count + self.header_line_count
                continue
            line, end = end + 1, src.count + self.header_line_count
            quoting = (
                _quote_problem("".join(src.taken), self.delimiter, line) if len(src.taken) > 1 or src.exhausted else ""
            )
            if quoting:
                # an unpaired quote swallowed the lines after it: report it on its first line and
                # read the lines after that one again, as the rows they were meant to be
                index += 1
                yield TableRow(index, line, {}, width=width, error=quoting)
                src = _Lines(itertools.chain(src.taken[1:], src.rest), line - self.header_line_count)
                reader = csv.reader(src, delimiter=self.delimiter)
                end = line
                continue
            if not record or all(not f.strip() for f in record):
                continue  # a blank line between records is not a row
            index += 1
            bad: tuple[str, ...] = ()
            if not all(cell.isascii() for cell in record):
                bad = tuple(header[i] if i < width else "" for i, cell in enumerate(record) if has_undecodable(cell))
            yield TableRow(index, line, dict(zip(header, record, strict=False)), tuple(record), width, undecodable=bad)

    def _jsonl_rows(self) -> Iterator[TableRow]:
        index = 0
        for line_no, line in enumerate(itertools.chain(self._head, self._fh), 1):
            if not line.strip():
                continue
            index += 1
            yield _json_row(index, line_no, line)

    def _json_array_rows(self) -> Iterator[TableRow]:
        text = "".join(self._head) + self._fh.read()
        try:
            items = json.loads(text)
        except ValueError as e:
            raise InputError(f"invalid JSON: {e}", source=self.source) from None
        except RecursionError:
            raise InputError("invalid JSON: nested too deeply", source=self.source) from None
        for n, obj in enumerate(items if isinstance(items, list) else [items], 1):
            yield _object_row(n, n, obj)

    def close(self) -> None:
        self._fh.close()

    def __enter__(self) -> Table:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


class _Lines:
    """The physical lines fed to :func:`csv.reader`: counts them, keeps those of the current record
    (``taken``) and notes when the file ran out (``exhausted``)."""

    def __init__(self, lines: Iterator[str], count: int) -> None:
        self.rest = lines  # the lines not read yet
        self.count = count
        self.taken: list[str] = []
        self.exhausted = False

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        try:
            line = next(self.rest)
        except StopIteration:
            self.exhausted = True
            raise
        self.count += 1
        self.taken.append(line)
        return line


def _quote_problem(text: str, delimiter: str, first_line: int) -> str:
    """Why the quoting of ``text`` (one record, as :func:`csv.reader` read it) is not to be trusted, or
    ``""``: it ends inside a quoted field (the quote was never closed), or a quoted field that spans
    lines closes with text after its quote (a stray quote on a later line closed an unpaired one)."""
    state = 0  # 0 start of a field, 1 unquoted field, 2 in quotes, 3 a quote seen in quotes
    lines_in_quotes = 0
    for i, ch in enumerate(text):
        if state == 2:
            if ch == '"':
                state = 3
            elif ch == "\n":
                lines_in_quotes += 1
        elif ch == delimiter or ch in "\r\n":
            state = 0
        elif state == 3:
            if ch != '"' and lines_in_quotes:
                return STRAY_QUOTE.format(line=first_line + text.count("\n", 0, i))
            state = 2 if ch == '"' else 1
        elif state == 0 and ch == '"':
            state, lines_in_quotes = 2, 0
        else:
            state = 1
    return UNTERMINATED_QUOTE if state == 2 else ""


def _json_row(index: int, line_no: int, line: str) -> TableRow:
    try:
        obj = json.loads(line)
    except ValueError as e:
        return TableRow(index, line_no, {}, error=f"invalid JSON line: {e}")
    except RecursionError:
        return TableRow(index, line_no, {}, error="invalid JSON line: nested too deeply")
    return _object_row(index, line_no, obj)


def _object_row(index: int, line_no: int, obj: Any) -> TableRow:
    if not isinstance(obj, dict):
        return TableRow(index, line_no, {}, error=NOT_AN_OBJECT)
    bad = tuple(k for k, v in obj.items() if has_undecodable(v if isinstance(v, str) else str(v)))
    return TableRow(index, line_no, obj, undecodable=bad)


def _open_text(path: Path) -> IO[str]:
    raw = path.open("rb")
    head = raw.read(4)
    raw.seek(0)
    utf16 = head.startswith(codecs.BOM_UTF16_LE) or head.startswith(codecs.BOM_UTF16_BE)
    return io.TextIOWrapper(raw, encoding="utf-16" if utf16 else "utf-8-sig", errors="surrogateescape", newline="")


def sniff_delimiter(header_line: str) -> str:
    """The most frequent of ``,`` ``;`` and tab in the header line (``,`` when there is none)."""
    counts = {d: header_line.count(d) for d in _DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] > 0 else ","


def open_table(path: str | Path, *, fmt: Literal["auto", "csv", "jsonl", "json"] = "auto") -> Table:
    """Open a table file. ``fmt="auto"``: JSON lines for ``.jsonl`` / ``.ndjson``, else delimited text;
    ``"json"``: a JSON array of objects, or JSON lines if the file does not start with ``[``.

    Raises :class:`~grader.errors.InputError` for a missing or unreadable file and for a delimited
    file without a header line. Use it as a context manager; :meth:`Table.rows` streams the rows."""
    p = Path(path)
    if not p.is_file():
        raise InputError("file not found", source=str(p))
    if fmt == "auto":
        fmt = "jsonl" if is_jsonl(p) else "csv"
    try:
        fh = _open_text(p)
    except OSError as e:
        raise InputError(f"cannot read the file: {e.strerror}", source=str(p)) from None
    try:
        first = fh.readline()
        if fmt != "csv":
            lead = [first]
            while lead[-1] and not lead[-1].strip():  # blank lines before the first value
                lead.append(fh.readline())
            return Table(p, "jsonl", fh, lead, json_array=fmt == "json" and lead[-1].lstrip().startswith("["))
        if not first.strip():
            raise InputError("the file is empty (no header row)", source=str(p), line=1)
        delimiter = sniff_delimiter(first)
        head = csv.reader(itertools.chain([first], fh), delimiter=delimiter)
        header = [h.strip() for h in next(head)]
        return Table(p, "csv", fh, delimiter=delimiter, header=header, header_line_count=head.line_num)
    except BaseException:
        fh.close()
        raise

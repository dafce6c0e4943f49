"""Issue 14 item 8: no cell of a results CSV starts a spreadsheet formula; JSONL keeps the values
exactly; resume and the report read the ids back as they were."""

from __future__ import annotations

import asyncio
import csv
import json

import pytest

from grader.batch.io import done_rows
from grader.batch.runner import run_batch
from grader.grading import Grader
from grader.report import load_results
from grader.settings import Settings
from grader.store import Store
from grader.tables import from_cell, to_cell

IDS = ["=1+1", "\t=1+1", "+SUM(A1)", "-2+3", "@SUM(A1)", "\r=cmd", "'quoted", "plain", "a=b"]
#: What the CSV keeps of each id: one line, runs of whitespace collapsed (as before), nothing else.
AS_WRITTEN = [" ".join(i.split()) for i in IDS]
DANGEROUS = ("=", "+", "-", "@", "\t", "\r")


@pytest.mark.parametrize("text", ["=1+1", "+a", "-a", "@a", "\ta", "\ra", "'a", "''a", "a", "", "a=1"])
def test_cells_round_trip(text):
    cell = to_cell(text)
    assert not cell.startswith(DANGEROUS)
    assert from_cell(cell) == text


def _batch(tmp_path, bank, fake_judge, good_answer, out, *, resume=False):
    src = tmp_path / "in.jsonl"
    lines = [{"candidate_id": cid, "question_id": "t-diffusion", "answer": good_answer} for cid in IDS]
    lines.append({"candidate_id": "c-unknown", "question_id": '=HYPERLINK("http://x")', "answer": good_answer})
    src.write_text("".join(json.dumps(x) + "\n" for x in lines), encoding="utf-8")
    settings = Settings(backend="local", store=tmp_path / "s.sqlite3")

    async def go():
        grader = Grader(settings, bank=bank, backend=fake_judge(), store=Store(settings.store_path))
        try:
            return await run_batch(grader, src, out, resume=resume)
        finally:
            await grader.aclose()

    return asyncio.run(go())


def test_results_csv_neutralises_formulas_and_reads_back(tmp_path, bank, fake_judge, good_answer):
    out = tmp_path / "out.csv"
    _batch(tmp_path, bank, fake_judge, good_answer, out)
    with out.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    for row in rows:
        for cell in row:
            assert not cell.startswith(DANGEROUS), (cell, row[:5])
    header = rows[0]
    ids = [r[header.index("candidate_id")] for r in rows[1:]]
    assert sorted(ids) == sorted(
        ["'" + i if i.startswith((*DANGEROUS, "'")) else i for i in AS_WRITTEN] + ["c-unknown"]
    )
    # the report and resume read them back as they were
    entries = load_results(out)
    assert sorted(e.candidate_id for e in entries) == sorted([*AS_WRITTEN, "c-unknown"])
    assert '=HYPERLINK("http://x")' in {e.question_id for e in entries}
    assert done_rows(out) == set(range(1, len(IDS) + 2))
    before = out.read_text(encoding="utf-8")
    _batch(tmp_path, bank, fake_judge, good_answer, out, resume=True)
    assert out.read_text(encoding="utf-8") == before  # nothing graded twice, nothing lost


def test_results_jsonl_keeps_values_exactly(tmp_path, bank, fake_judge, good_answer):
    out = tmp_path / "out.jsonl"
    _batch(tmp_path, bank, fake_judge, good_answer, out)
    recs = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert sorted(r["candidate_id"] for r in recs) == sorted([*IDS, "c-unknown"])
    assert sorted(e.candidate_id for e in load_results(out)) == sorted([*IDS, "c-unknown"])

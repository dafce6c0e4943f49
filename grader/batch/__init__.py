"""Batch grading: streaming CSV/JSONL in and out (:mod:`.io`), the concurrent runner (:mod:`.runner`,
over :mod:`.stats`, :mod:`.limit` and :mod:`.records`), the OpenAI Batch API path (:mod:`.api`) and the
dry-run estimate (:mod:`.estimate`)."""

from grader.batch.io import BatchRow, Columns, ResultWriter, done_rows, read_rows
from grader.batch.runner import AdaptiveLimit, BatchStats, FatalBatchError, run_batch

__all__ = [
    "BatchRow",
    "Columns",
    "ResultWriter",
    "done_rows",
    "read_rows",
    "AdaptiveLimit",
    "BatchStats",
    "FatalBatchError",
    "run_batch",
]

"""Review and override: a human looks at graded answers, accepts them or changes a criterion's level or
the score with a reason; the decisions are stored at once, become graded examples and are merged into
re-exported results.

- :func:`load_results_file`: a results file in review order (what needs a human first).
- :class:`ReviewSession`: the decisions on one file, in the store (:meth:`grader.store.Store.add_override`).
- :func:`export_reviewed`: the results with the decisions merged (score recomputed from the levels).

The terminal front end is ``grader review`` (:mod:`grader.cli.review`), the browser one the results
viewer of ``grader serve --results`` (:mod:`grader.web.results`).
"""

from grader.review._decisions import LEVELS, MAX_REASON_CHARS, ReviewSession, merge_result, record_example
from grader.review._export import REVIEW_COLUMNS, export_reviewed, reviewed_record
from grader.review._rows import ResultsFile, ReviewRow, RowKey, load_results_file, read_answers, results_identity
from grader.review._view import SORTS, Matrix, ViewFilter, criteria_matrix, filter_rows

__all__ = [
    "SORTS",
    "Matrix",
    "ViewFilter",
    "criteria_matrix",
    "filter_rows",
    "LEVELS",
    "MAX_REASON_CHARS",
    "REVIEW_COLUMNS",
    "ResultsFile",
    "ReviewRow",
    "ReviewSession",
    "RowKey",
    "export_reviewed",
    "load_results_file",
    "merge_result",
    "read_answers",
    "record_example",
    "results_identity",
    "reviewed_record",
]

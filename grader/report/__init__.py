"""The pre-screening report (HTML/Markdown), the comparison of two runs, and near-duplicate detection."""

from grader.report.build import DEFAULT_PASS_MARK, Report, build_report, load_results
from grader.report.compare import Comparison, compare_runs
from grader.report.duplicates import find_near_duplicates
from grader.report.render import write_report

__all__ = [
    "Report",
    "Comparison",
    "build_report",
    "compare_runs",
    "load_results",
    "write_report",
    "DEFAULT_PASS_MARK",
    "find_near_duplicates",
]

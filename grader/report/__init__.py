"""The pre-screening report (HTML/Markdown) and near-duplicate detection."""

from grader.report.build import DEFAULT_PASS_MARK, Report, build_report, load_results, write_report
from grader.report.duplicates import find_near_duplicates

__all__ = ["Report", "build_report", "load_results", "write_report", "DEFAULT_PASS_MARK", "find_near_duplicates"]

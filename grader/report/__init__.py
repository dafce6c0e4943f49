"""The pre-screening report (HTML/Markdown) and near-duplicate detection."""

from grader.report.build import DEFAULT_PASS_MARK, Report, build_report, load_results
from grader.report.duplicates import find_near_duplicates
from grader.report.render import write_report

__all__ = ["Report", "build_report", "load_results", "write_report", "DEFAULT_PASS_MARK", "find_near_duplicates"]

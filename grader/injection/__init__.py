"""The injection detector: finds text in an answer that tries to instruct or manipulate the grader."""

from grader.injection.detector import Finding, detect_injection

__all__ = ["Finding", "detect_injection"]

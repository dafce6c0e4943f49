"""Anonymising the report: stable aliases for candidate ids, and the ids scrubbed from candidate text.

An alias is ``Candidate XXXXXX``: the first 6 hex digits of the id's SHA-256, upper-case (more digits
if two ids of the file would collide), stable across runs. It hides ids from the people reading the
report, not from someone holding the list of ids. Ids that occur inside candidate text (quotes,
feedback, the answer itself) are replaced too, whatever their case ("Alice's answer" for ``alice``).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from grader.result import GradeResult

if TYPE_CHECKING:
    from grader.report.build import Report

__all__ = ["alias_for", "aliases", "scrub_ids"]


def alias_for(candidate_id: str, digits: int = 6) -> str:
    """``Candidate`` and the first ``digits`` hex digits of the id's SHA-256, upper-case."""
    return "Candidate " + hashlib.sha256(candidate_id.encode()).hexdigest()[:digits].upper()


def aliases(ids: Iterable[str]) -> dict[str, str]:
    """Each id's alias, lengthened (2 digits at a time) until no two ids of this set share one."""
    ids = sorted(set(ids))
    digits = 6
    while True:
        names = {i: alias_for(i, digits) for i in ids}
        if len(set(names.values())) == len(ids) or digits >= 64:
            return names
        digits += 2


def scrub_ids(report: Report, names: dict[str, str]) -> None:
    """Replace candidate ids that occur inside candidate-written text by their aliases."""
    ids = sorted((i for i in names if len(i) >= 4), key=len, reverse=True)
    if not ids:
        return
    # case-insensitive: an answer may write its author's id as a name ("Alice's answer" for alice)
    pattern = re.compile("|".join(re.escape(i) for i in ids), re.IGNORECASE)
    folded = {i.casefold(): n for i, n in names.items()}

    def scrub(value: Any) -> Any:
        if isinstance(value, str):
            return pattern.sub(lambda m: names.get(m.group()) or folded.get(m.group().casefold(), m.group()), value)
        if isinstance(value, list):
            return [scrub(v) for v in value]
        if isinstance(value, dict):
            return {k: scrub(v) for k, v in value.items()}
        return value

    for c in report.candidates:
        for e in c.answers.values():
            e.reason = scrub(e.reason)
            e.text = scrub(e.text)
            if e.result is not None:
                data = scrub(e.result.model_dump(mode="json"))
                e.result = GradeResult.model_validate(data)
    for item in report.needs_human:
        item.reasons = [(code, scrub(detail)) for code, detail in item.reasons]

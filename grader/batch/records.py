"""The output records of a batch, one per input row: :func:`result_record` for a graded (or unscored)
answer, :func:`error_record` for a row that failed (the reason redacted of anything key-shaped, with
its input line). The live runner, the Batch API and the request exchange write the same columns."""

from __future__ import annotations

from typing import Any

from grader.batch.io import BatchRow
from grader.result import GradeResult
from grader.text import redact

__all__ = ["error_record", "result_record"]


def _flags(result: GradeResult) -> str:
    return ";".join(result.flag_codes)


def result_record(row: BatchRow, result: GradeResult) -> dict[str, Any]:
    # token and cost columns are this run's spend: a result served from the cache cost nothing now
    # (what it cost when first graded stays in result_json)
    usage = {} if result.cached else (result.usage or {})
    reasons = [f"{f.code}: {f.detail}" for f in result.flags if f.code in ("empty", "too_short", "unscored")]
    return {
        "row": row.index,
        "line": row.line,
        "candidate_id": row.candidate_id,
        "question_id": row.question_id,
        "status": result.status,
        "score": result.score,
        "max_score": result.max_score,
        "percent": result.percent,
        "band": result.band or "",
        "flags": _flags(result),
        "reason": result.unscored_reason or "; ".join(reasons),
        "backend": result.backend,
        "model": result.model,
        "cached": result.cached,
        "prompt_tokens": usage.get("prompt_tokens", 0),
        "cached_prompt_tokens": usage.get("cached_tokens", 0),
        "completion_tokens": usage.get("completion_tokens", 0),
        "cost_usd": 0.0 if result.cached else result.cost_usd,
        "latency_s": result.latency_s,
        "attempts": result.attempts,
        "result_json": result.model_dump_json(),
    }


def error_record(row: BatchRow, reason: str) -> dict[str, Any]:
    return {
        "row": row.index,
        "line": row.line,
        "candidate_id": row.candidate_id,
        "question_id": row.question_id,
        "status": "error",
        "score": None,
        "max_score": None,
        "percent": None,
        "band": "",
        "flags": "error",
        "reason": f"{redact(reason)} (line {row.line})",  # no key-shaped text in any output
        "backend": "",
        "model": "",
        "cached": False,
        "prompt_tokens": 0,
        "cached_prompt_tokens": 0,
        "completion_tokens": 0,
        "cost_usd": 0.0,
        "latency_s": 0.0,
        "attempts": 0,
        "result_json": "",
    }

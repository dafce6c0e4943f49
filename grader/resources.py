"""Where the packaged data lives: rubrics and prompt templates.

In a wheel they are copied into ``grader/_data/``; in a source checkout they are the top-level
``rubrics/`` and ``prompts/`` folders next to ``grader/``.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["rubrics_dir", "prompts_dir"]

_PKG = Path(__file__).resolve().parent


def _find(name: str) -> Path:
    for candidate in (_PKG / "_data" / name, _PKG.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"packaged folder {name!r} not found next to {_PKG}")


def rubrics_dir() -> Path:
    return _find("rubrics")


def prompts_dir() -> Path:
    return _find("prompts")

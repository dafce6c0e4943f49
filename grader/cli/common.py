"""Shared pieces of the command line: consoles, common options, settings resolution, input.

Command modules (``cli``, ``cli_batch``, ``cli_practice`` …) import from here, never from each
other, so any of them can be imported on its own.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Optional

import typer
from pydantic import ValidationError
from rich.console import Console

from grader.errors import ConfigError, InputError
from grader.settings import Settings

__all__ = [
    "console", "err_console", "ModelOpt", "BaseUrlOpt", "BackendOpt", "RubricsOpt", "NoCacheOpt",
    "resolve_settings", "grading_settings", "bank_for", "read_answer", "open_store",
]

console = Console()
err_console = Console(stderr=True)

# -- shared options ----------------------------------------------------------------------------

ModelOpt = Annotated[Optional[str], typer.Option("--model", help="LLM model name (env GRADER_MODEL).")]
BaseUrlOpt = Annotated[
    Optional[str], typer.Option("--base-url", help="OpenAI-compatible server URL (env OPENAI_BASE_URL).")
]
BackendOpt = Annotated[
    Optional[str],
    typer.Option("--backend", help="llm, local (embedded, no LLM) or auto (llm if a key/URL is configured)."),
]
RubricsOpt = Annotated[
    Optional[Path], typer.Option("--rubrics", help="Question bank: a rubric directory, YAML file or CSV.")
]
NoCacheOpt = Annotated[bool, typer.Option("--no-cache", help="Grade again even if a cached result exists.")]


def resolve_settings(**flags: object) -> Settings:
    """CLI flag > environment > config file > default, resolved once."""
    given = {k: v for k, v in flags.items() if v is not None}
    try:
        return Settings(**given)
    except ValidationError as e:
        first = e.errors()[0]
        field = ".".join(str(p) for p in first["loc"]) or "settings"
        raise ConfigError(
            f"invalid setting {field}: {first['msg']}",
            setting=field,
            hint="check the flag, the GRADER_* environment variables and the config file",
        ) from None


def grading_settings(*, model: str | None, base_url: str | None, backend: str | None, rubrics: Path | None,
                     no_cache: bool, **more: object) -> Settings:
    """Settings from the grading options every command shares (``--model`` … ``--no-cache``)."""
    return resolve_settings(model=model, base_url=base_url, backend=backend, rubrics=rubrics,
                            use_cache=False if no_cache else None, **more)


def bank_for(settings: Settings):
    from grader.rubric import load_bank

    return load_bank(settings.rubrics)


def read_answer(answer: str | None, answer_file: Path | None) -> str:
    if answer is not None and answer_file is not None:
        raise InputError("give either --answer or --answer-file, not both")
    if answer is not None:
        return answer
    if answer_file is not None:
        if str(answer_file) == "-":
            return sys.stdin.read()
        try:
            return answer_file.read_text(encoding="utf-8-sig")
        except FileNotFoundError:
            raise InputError("file not found", source=str(answer_file)) from None
        except UnicodeDecodeError as e:
            raise InputError(f"not UTF-8 text (byte {e.start})", source=str(answer_file),
                             hint="save the answer as UTF-8") from None
    if sys.stdin is None or sys.stdin.isatty():
        raise InputError("no answer given", hint="use --answer TEXT, --answer-file FILE, or pipe the answer on stdin")
    return sys.stdin.read()


def open_store(settings: Settings):
    if not settings.use_cache:
        return None
    from grader.store import Store

    return Store(settings.store_path)

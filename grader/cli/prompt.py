"""``grader prompt``: print the exact messages (or request body) the LLM judge would be sent."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from grader.cli.common import RubricsOpt, bank_for, read_answer, resolve_settings

__all__ = ["register", "prompt"]


def prompt(
    question: Annotated[str, typer.Argument(help="Question id (or a unique prefix).")],
    answer: Annotated[str | None, typer.Option("--answer", "-a", help="The answer text.")] = None,
    answer_file: Annotated[Path | None, typer.Option("--answer-file", "-f", help="Answer file ('-' = stdin).")] = None,
    rubrics: RubricsOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the request body as JSON.")] = False,
) -> None:
    """Print the exact messages that would be sent to the LLM judge, without calling anything."""
    settings = resolve_settings(rubrics=rubrics)
    rubric = bank_for(settings).get(question)
    text = read_answer(answer, answer_file)
    from grader.prompts import load_prompts

    prompts = load_prompts()
    messages = prompts.messages(rubric, text)
    if as_json:
        from grader.judges.llm import request_body  # the exact body the judge would send

        body = request_body(settings, prompts, rubric, text)
        sys.stdout.write(json.dumps(body, indent=2, ensure_ascii=False) + "\n")
        return
    sys.stdout.write(f"# prompt version {prompts.version} · rubric {rubric.id} ({rubric.hash})\n")
    for m in messages:
        sys.stdout.write(f"\n===== {m['role']} =====\n{m['content']}\n")


def register(app: typer.Typer) -> None:
    """Add ``prompt`` to the ``grader`` app."""
    app.command("prompt")(prompt)

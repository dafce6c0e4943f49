"""``grader examples import|list|export|remove``: the graded examples in the local store.

The examples themselves are :mod:`grader.examples`; this module reads the options, prints, exits.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from grader.cli import common
from grader.cli.common import RubricsOpt, bank_for, echo, resolve_settings
from grader.errors import InputError

if TYPE_CHECKING:
    from grader.store import Store

__all__ = ["register", "examples_import", "examples_list", "examples_export", "examples_remove"]

QuestionOpt = Annotated[str | None, typer.Option("--question", "-q", help="Only this question id.")]


def _store(rubrics: Path | None = None) -> Store:
    """The local store (examples are kept whatever ``--no-cache`` says: they are data, not a cache)."""
    from grader.store import Store

    return Store(resolve_settings(rubrics=rubrics).store_path)


def examples_import(
    file: Annotated[Path, typer.Argument(help="CSV or JSONL of graded answers (see the README's 'Graded examples').")],
    bank: Annotated[str, typer.Option("--bank", help="Scope the examples to this bank (default: any bank).")] = "",
    author: Annotated[str, typer.Option("--author", help="Author of rows that name none.")] = "",
    rubrics: RubricsOpt = None,
) -> None:
    """Import graded examples: all rows or none (every bad row is listed with its line and field)."""
    from dataclasses import replace

    from grader.examples import add_examples
    from grader.examples._io import ExamplesFileError, read_examples

    settings = resolve_settings(rubrics=rubrics)
    qbank = bank_for(settings)
    try:
        examples = read_examples(file, qbank.get, bank=bank)
    except ExamplesFileError as e:
        for line in e.shown.splitlines():
            echo(line, err=True, style="red")
        raise
    if author:
        examples = [e if e.author else replace(e, author=author) for e in examples]
    ids = add_examples(_store(rubrics), examples)
    questions = len({e.question_id for e in examples})
    scope = f" (bank {bank})" if bank else ""
    echo(f"imported {len(ids)} example(s) for {questions} question(s){scope}: ids {ids[0]}–{ids[-1]}")


def examples_list(
    question: QuestionOpt = None,
    bank: Annotated[str | None, typer.Option("--bank", help="Only the examples usable in this bank.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON lines.")] = False,
) -> None:
    """List the stored graded examples."""
    from grader.examples import list_examples

    examples = list_examples(_store(), question, bank)
    if as_json:
        for e in examples:
            sys.stdout.write(json.dumps(e.to_dict(), ensure_ascii=False) + "\n")
        return
    table = Table(title="graded examples", title_justify="left")
    for col in ("id", "question", "score", "levels", "source", "bank", "author", "answer"):
        table.add_column(col, justify="right" if col in ("id", "score") else "left")
    for e in examples:
        score = "" if e.score is None else f"{e.score:g}/{e.max_score:g}" if e.max_score else f"{e.score:g}"
        levels = ", ".join(f"{k}={v}" for k, v in (e.levels or {}).items())
        answer = " ".join(e.answer.split())
        table.add_row(
            str(e.id),
            e.question_id,
            score,
            levels,
            e.source,
            e.bank or "any",
            e.author,
            answer[:80] + ("…" if len(answer) > 80 else ""),
        )
    common.console.print(table)
    echo(f"{len(examples)} example(s)", style="dim", highlight=True)


def examples_export(
    file: Annotated[Path, typer.Argument(help="Write here: .jsonl, or CSV (level:<criterion> columns).")],
    question: QuestionOpt = None,
    bank: Annotated[str | None, typer.Option("--bank", help="Only the examples usable in this bank.")] = None,
) -> None:
    """Export the stored graded examples (to import elsewhere, or to ship as a bank's examples.jsonl)."""
    from grader.examples import list_examples
    from grader.examples._io import write_examples

    n = write_examples(file, list_examples(_store(), question, bank))
    echo(f"exported {n} example(s) to {file}")


def examples_remove(ids: Annotated[list[int], typer.Argument(help="Example id(s), as `examples list` shows.")]) -> None:
    """Remove stored graded examples by id."""
    from grader.examples import remove_example

    store = _store()
    missing = [i for i in ids if not remove_example(store, i)]
    removed = len(ids) - len(missing)
    if removed:
        echo(f"removed {removed} example(s)")
    if missing:
        raise InputError(
            f"no example with id {', '.join(map(str, missing))}", hint="`grader examples list` shows the ids"
        )


def register(app: typer.Typer) -> None:
    """Add the ``examples`` group (``import``, ``list``, ``export``, ``remove``) to the ``grader`` app."""
    group = typer.Typer(help="Graded examples: human-graded answers the grader learns from.", no_args_is_help=True)
    group.command("import")(examples_import)
    group.command("list")(examples_list)
    group.command("export")(examples_export)
    group.command("remove")(examples_remove)
    app.add_typer(group, name="examples")

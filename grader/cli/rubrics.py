"""``grader rubrics list`` and ``grader rubrics show``: the questions of a bank and their rubrics."""

from __future__ import annotations

import json
import sys
from typing import Annotated

import typer

from grader.cli import common
from grader.cli.common import RubricsOpt, bank_for, echo, resolve_settings
from grader.errors import InputError

__all__ = ["register", "rubrics_list", "rubrics_show"]


def rubrics_list(
    section: Annotated[str | None, typer.Option("--section", "-s", help="Only this section (prefix ok).")] = None,
    rubrics: RubricsOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON lines.")] = False,
) -> None:
    """List the questions of the bank."""
    settings = resolve_settings(rubrics=rubrics)
    bank = bank_for(settings)
    chosen = bank.filter(section)
    if section and not chosen:
        raise InputError(f"no section matches {section!r}", hint=f"sections: {', '.join(bank.sections())}")
    if as_json:
        for r in chosen:
            sys.stdout.write(json.dumps({"id": r.id, "section": r.section, "question": r.question}) + "\n")
        return
    from grader.cli.render import rubric_table

    common.console.print(rubric_table(chosen))
    echo(f"{len(chosen)} question(s)", style="dim", highlight=True)


def rubrics_show(
    question: Annotated[str, typer.Argument(help="Question id (or a unique prefix).")],
    rubrics: RubricsOpt = None,
    as_yaml: Annotated[bool, typer.Option("--yaml", help="Print the rubric as YAML.")] = False,
) -> None:
    """Show one rubric: question, hint, weighted criteria."""
    settings = resolve_settings(rubrics=rubrics)
    rubric = bank_for(settings).get(question)
    if as_yaml:
        import yaml

        sys.stdout.write(yaml.safe_dump(rubric.model_dump(mode="json"), sort_keys=False, allow_unicode=True))
        return
    from grader.cli.render import render_rubric

    render_rubric(common.console, rubric)


def register(app: typer.Typer) -> None:
    """Add the ``rubrics`` group (``list``, ``show``) to the ``grader`` app."""
    rubrics_app = typer.Typer(help="List and show the rubrics of a question bank.", no_args_is_help=True)
    rubrics_app.command("list")(rubrics_list)
    rubrics_app.command("show")(rubrics_show)
    app.add_typer(rubrics_app, name="rubrics")

"""``grader rubric build``: make rubric YAML from a hint, a reference answer or a question-bank CSV.

Deterministic by default (:mod:`grader.rubric.build`); ``--llm`` asks the configured LLM for the
criteria instead. Either way the YAML is validated by loading it back through
:func:`grader.rubric.model.parse_rubric`, and when ``-o`` names an existing file a unified diff against
it is shown before it is replaced (``--dry-run``: show, do not write).
"""

from __future__ import annotations

import difflib
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TypedDict

import typer
import yaml

from grader.cli.common import BaseUrlOpt, ModelOpt, echo, resolve_settings
from grader.errors import InputError, RubricError

if TYPE_CHECKING:
    from grader.rubric.model import Criterion, Rubric

__all__ = ["register", "build", "build_yaml", "unified_diff"]


class _RubricFields(TypedDict):
    """What ``rubric_from_hint`` and ``rubric_from_reference`` take besides the hint or reference answer."""

    id: str | None
    question: str
    section: str
    bank: str
    max_score: float
    number: int | None
    criteria: list[Criterion] | None  # None: built from the hint or reference answer


def unified_diff(old: str, new: str, path: str) -> str:
    """A unified diff of two YAML texts ('' when they are equal)."""
    return "".join(
        difflib.unified_diff(
            old.splitlines(keepends=True),
            new.splitlines(keepends=True),
            fromfile=f"{path} (existing)",
            tofile=f"{path} (built)",
        )
    )


def build_yaml(rubric: Rubric) -> str:
    """The rubric's YAML, validated by loading it back (a RubricError names what is wrong)."""
    from grader.rubric.io import rubric_to_yaml
    from grader.rubric.model import parse_rubric

    text = rubric_to_yaml(rubric)
    loaded = parse_rubric(yaml.safe_load(text), f"built rubric {rubric.id}")
    if loaded != rubric:  # pragma: no cover - a bug in rubric_to_yaml
        raise RubricError(f"built rubric {rubric.id}", "", "the YAML does not load back to the same rubric")
    return text


def build(
    hint: Annotated[str | None, typer.Option("--hint", help="The hint: 'A strong answer covers …'.")] = None,
    reference: Annotated[str | None, typer.Option("--reference", help="A reference answer.")] = None,
    from_csv: Annotated[
        Path | None,
        typer.Option(
            "--from-csv", help="A question-bank CSV (id, question, hint or reference_answer[, section, max_score])."
        ),
    ] = None,
    qid: Annotated[str | None, typer.Option("--id", help="Rubric id (default: a slug of the question).")] = None,
    question: Annotated[str | None, typer.Option("--question", "-q", help="The question text.")] = None,
    section: Annotated[str, typer.Option("--section", help="Section name.")] = "General",
    bank_id: Annotated[str, typer.Option("--bank", help="Bank id written into the rubric.")] = "custom",
    max_score: Annotated[float, typer.Option("--max-score", help="Maximum score.", min=0.01)] = 10,
    number: Annotated[int | None, typer.Option("--number", help="Question number in its bank.", min=1)] = None,
    llm: Annotated[bool, typer.Option("--llm", help="Ask the configured LLM for the criteria.")] = False,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Write here (a directory with --from-csv); shows a diff if it exists."),
    ] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="With -o: show the diff, write nothing.")] = False,
    model: ModelOpt = None,
    base_url: BaseUrlOpt = None,
) -> None:
    """Build a rubric: deterministic (no LLM) unless --llm; validated; diffed against -o."""
    from grader.rubric.build import rubric_from_hint, rubric_from_reference, rubric_warnings
    from grader.rubric.io import read_question_bank
    from grader.rubric.llm import criteria_with_llm

    given = [
        name for name, v in (("--hint", hint), ("--reference", reference), ("--from-csv", from_csv)) if v is not None
    ]
    if len(given) != 1:
        raise InputError(
            "give exactly one of --hint, --reference or --from-csv" + (f" (got {', '.join(given)})" if given else "")
        )
    if from_csv is not None:
        if llm:
            raise InputError("--llm builds one rubric at a time: use --hint or --reference with it")
        read = read_question_bank(from_csv, bank=None if bank_id == "custom" else bank_id, section=section)
        if output is not None and output.exists() and not output.is_dir():
            raise InputError("with --from-csv, -o must be a directory", source=str(output))
        # a question that does not build is left out with its reason; the others are written
        for problem in read.problems.values():
            echo(f"warning: {read.source}: {problem}; no rubric for it", err=True, style="yellow")
        for notes in read.warnings.values():
            for note in notes:
                echo(f"note: {read.source}: {note}", err=True, style="dim")
        texts = [(r, build_yaml(r)) for r in read.rubrics]
        if output is None:
            sys.stdout.write("---\n".join(t for _, t in texts))
            return
        for r, text in texts:
            _emit(output / f"{r.id}.yaml", text, dry_run)
        echo(
            f"{len(texts)} rubric(s) {'checked' if dry_run else 'written'} in {output}"
            + (f"; {len(read.problems)} question(s) without a rubric (see the warnings)" if read.problems else ""),
            err=True,
            style="dim",
            highlight=True,
        )
        return
    if not question:
        raise InputError("--question is needed to build one rubric")
    fields = _RubricFields(
        id=qid, question=question, section=section, bank=bank_id, max_score=max_score, number=number, criteria=None
    )
    try:
        if llm:
            settings = resolve_settings(model=model, base_url=base_url)
            criteria, notes = criteria_with_llm(
                settings, question=question, hint=hint or "", reference_answer=reference or ""
            )
            for note in notes:
                echo(f"note: {note}", err=True)
            fields["criteria"] = criteria
        if hint is not None:
            rubric = rubric_from_hint(hint, **fields)
        else:
            assert reference is not None  # exactly one of --hint, --reference, --from-csv (checked above)
            rubric = rubric_from_reference(reference, **fields)
    except ValueError as e:
        raise InputError(str(e)) from None
    for note in rubric_warnings(rubric):
        echo(f"note: {note}", err=True, style="dim")
    text = build_yaml(rubric)
    if output is None:
        sys.stdout.write(text)
        return
    _emit(output, text, dry_run)


def _emit(path: Path, text: str, dry_run: bool) -> None:
    """Write ``text`` to ``path`` (unless ``dry_run``), showing the diff against what is there."""
    if path.exists():
        try:
            old = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as e:
            raise InputError(f"cannot read the existing file: {e}", source=str(path)) from None
        diff = unified_diff(old, text, str(path))
        if not diff:
            echo(f"{path}: unchanged", err=True)
            return
        sys.stdout.write(diff if diff.endswith("\n") else diff + "\n")
        status = "would change" if dry_run else "updated"
    else:
        sys.stdout.write(text)
        status = "would create" if dry_run else "created"
    if not dry_run:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        except OSError as e:
            raise InputError(f"cannot write the rubric: {e.strerror}", source=str(path)) from None
    echo(f"{path}: {status}", err=True)


def register(app: typer.Typer) -> None:
    """Add the ``rubric`` group (``build``) to the ``grader`` app."""
    rubric_app = typer.Typer(
        help="Build rubric YAML from a hint, a reference answer or a CSV question bank.", no_args_is_help=True
    )
    rubric_app.command("build")(build)
    app.add_typer(rubric_app, name="rubric")

"""``grader review``: a human reviews graded answers in the terminal — what needs a human first.

For each row: who, which question, why it needs a human, the full answer with its verified evidence
highlighted (when the batch input is given with ``--answers``), and the criteria with their levels.
Keys (one per line, so the review also runs from a pipe or a test): ``a`` accept, ``l`` change a
criterion's level, ``s`` change the score (both ask for a reason), ``n`` skip to the next row, ``q``
quit. Every decision is stored at once (:class:`grader.review.ReviewSession`); running the command
again resumes at the first row without a decision. ``--export FILE`` writes the reviewed results.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table
from rich.text import Text

from grader.cli import common
from grader.cli.common import RubricsOpt, echo, resolve_settings
from grader.errors import InputError

if TYPE_CHECKING:
    from grader.result import GradeResult
    from grader.review import ReviewRow, ReviewSession
    from grader.rubric import RubricBank

__all__ = ["register", "review"]

_KEYS = "[a]ccept · [l]evel · [s]core · [n]ext · [q]uit"
_STYLE = {"full": "green", "partial": "yellow", "missing": "red"}


class _Quit(Exception):
    """The reviewer quit (``q`` or the end of the input)."""


def _ask(prompt: str) -> str:
    echo(prompt, end="")
    line = sys.stdin.readline()
    if not line:
        echo("")
        raise _Quit
    return line.rstrip("\r\n")


def _show(session: ReviewSession, row: ReviewRow, number: int, total: int, bank: RubricBank | None) -> None:
    console = common.console
    result = session.merged(row)
    head = Text(f"[{number}/{total}] {row.candidate_id} · {row.question_id}", style="bold")
    if result is not None and result.score is not None:
        head.append(f" · {result.score:g} / {result.max_score:g} ({result.band})")
    else:
        head.append(f" · {row.status}" + (f": {row.reason}" if row.reason else ""))
    if session.status(row):
        head.append(f" · {session.status(row)}", style="magenta")
    console.print(head)
    for code, detail in row.reasons:
        console.print(Text(f"needs a human: {code}: {detail}", style="bold red"))
    question = _question(bank, row.question_id)
    if question:
        console.print(Text("Question: ", style="bold").append(Text(question, style="default")))
    if row.answer is not None:
        console.print(Text("Answer:", style="bold"))
        console.print(_highlighted(row, result))
    else:
        console.print(Text(f"(no answer text: {row.answer_note})", style="dim"))
    if result is not None and result.criteria:
        table = Table(show_lines=False, expand=True)
        for col in ("#", "criterion", "level", "evidence"):
            table.add_column(col, overflow="fold")
        for n, c in enumerate(result.criteria, 1):
            quotes = "; ".join(f"“{e.quote}”" for e in c.evidence if e.verified)
            table.add_row(f"{n} {c.id}", c.text, Text(c.awarded.value, style=_STYLE[c.awarded.value]), quotes or "—")
        console.print(table)


def _question(bank: RubricBank | None, qid: str) -> str:
    if bank is None:
        return ""
    try:
        return bank.get(qid).question
    except Exception:  # an unknown question has no text to show; the row is still reviewed
        return ""


def _highlighted(row: ReviewRow, result: GradeResult | None) -> Text:
    """The answer with each verified evidence span in reverse video, followed by the numbers of the
    criteria it supports (``[1,3]``), so the evidence shows on a terminal without colours too."""
    from grader.practice import evidence_spans

    answer = row.answer or ""
    if result is None:
        return Text(answer)
    numbers = {c.id: n for n, c in enumerate(result.criteria, 1)}
    text, pos = Text(), 0
    for span in evidence_spans(result, answer):
        if span.start < pos:
            continue
        text.append(answer[pos : span.start])
        text.append(answer[span.start : span.end], style="bold reverse")
        refs = ",".join(str(numbers[c]) for c in span.criteria if c in numbers)
        text.append(f"[{refs}]", style="cyan")
        pos = span.end
    text.append(answer[pos:])
    return text


def _criterion(session: ReviewSession, row: ReviewRow, given: str) -> str:
    result = session.merged(row)
    criteria = result.criteria if result is not None else []
    if given.isdigit() and 1 <= int(given) <= len(criteria):
        return criteria[int(given) - 1].id
    return given


def _decide(session: ReviewSession, row: ReviewRow) -> bool:
    """Take decisions on ``row`` until the reviewer moves on (True) or quits (raises :class:`_Quit`)."""
    while True:
        key = _ask(f"{_KEYS}: ").strip().lower()[:1]
        try:
            if key == "a":
                session.accept(row)
                echo("accepted", style="green")
                return True
            if key == "n":
                return True
            if key == "q":
                raise _Quit
            if key == "l":
                crit = _criterion(session, row, _ask("criterion (number or id): ").strip())
                level = _ask("new level (missing/partial/full): ").strip()
                session.override_level(row, crit, level, _ask("reason: "))
            elif key == "s":
                score = _ask("new score: ").strip()
                session.override_score(row, score, _ask("reason: "))
            else:
                echo("please type a, l, s, n or q", style="dim")
                continue
        except InputError as e:
            echo(f"not recorded: {e.one_line()}", style="yellow")
            continue
        merged = session.merged(row)
        if merged is not None:
            echo(f"recorded · score now {merged.score:g} / {merged.max_score:g} ({merged.band})", style="magenta")


def review(
    results: Annotated[Path, typer.Argument(help="Results of `grader batch` (CSV or JSONL).")],
    answers: Annotated[
        Path | None,
        typer.Option("--answers", help="The batch input (CSV/JSONL with the answers): shows each full answer."),
    ] = None,
    export: Annotated[
        Path | None,
        typer.Option(
            "--export", help="Write the results with the review merged to this file (.csv/.jsonl); no prompts."
        ),
    ] = None,
    reviewer: Annotated[str, typer.Option("--reviewer", help="Your name, kept with each decision.")] = "",
    store: Annotated[
        Path | None, typer.Option("--store", help="The store that keeps the decisions (env GRADER_STORE).")
    ] = None,
    include_reviewed: Annotated[
        bool, typer.Option("--all", help="Show the rows already decided too (from the start).")
    ] = False,
    id_col: Annotated[str, typer.Option("--id-col", help="Candidate id column of --answers.")] = "candidate_id",
    question_col: Annotated[
        str, typer.Option("--question-col", help="Question id column of --answers.")
    ] = "question_id",
    answer_col: Annotated[str, typer.Option("--answer-col", help="Answer column of --answers.")] = "answer",
    rubrics: RubricsOpt = None,
) -> None:
    """Review graded answers (what needs a human first): accept, or override a level or the score with a reason."""
    from grader.review import ReviewSession, export_reviewed, load_results_file, read_answers
    from grader.store import Store

    settings = resolve_settings(rubrics=rubrics, store=store)
    texts = read_answers(answers, id_col=id_col, question_col=question_col, answer_col=answer_col) if answers else None
    loaded = load_results_file(results, texts)
    db = Store(settings.store_path)
    try:
        session = ReviewSession(db, loaded, reviewer=reviewer)
        if export is not None:
            counts = export_reviewed(session, export)
            echo(
                f"reviewed results: {export} · {counts['rows']} rows, {counts['overridden']} overridden, "
                f"{counts['accepted']} accepted",
                err=True,
            )
            return
        bank = _bank(settings)
        _run(session, bank, include_reviewed)
    finally:
        db.close()


def _bank(settings: object) -> RubricBank | None:
    from grader.rubric import load_bank
    from grader.settings import Settings

    assert isinstance(settings, Settings)
    try:
        return load_bank(settings.rubrics)
    except Exception:  # the question text is a help, not a need: review without it
        return None


def _run(session: ReviewSession, bank: RubricBank | None, include_reviewed: bool) -> None:
    rows = session.results.ordered()
    todo = rows if include_reviewed else [r for r in rows if not session.decided(r)]
    need = sum(1 for r in todo if r.needs_human)
    done_before = len(rows) - len(todo)
    echo(
        f"{len(rows)} rows · {need} need a human · {done_before} already decided"
        + (" (resuming)" if done_before and not include_reviewed else ""),
        err=True,
    )
    decided = 0
    try:
        for n, row in enumerate(todo, 1):
            _show(session, row, n, len(todo), bank)
            before = len(session.decisions(row))
            _decide(session, row)
            decided += len(session.decisions(row)) > before
    except _Quit:
        pass
    left = sum(1 for r in rows if not session.decided(r))
    echo(
        f"{decided} row(s) decided in this session, {left} left · decisions are in {session.store.path}"
        + (" · run the same command to resume" if left else ""),
        err=True,
    )
    if session.examples_missed:
        echo(
            f"note: {session.examples_missed} override(s) did not become graded examples "
            "(they need the answer text: --answers, and the examples store)",
            err=True,
            style="dim",
        )


def register(app: typer.Typer) -> None:
    """Add ``review`` to the ``grader`` app."""
    app.command("review")(review)

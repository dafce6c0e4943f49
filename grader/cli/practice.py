"""``grader practice`` and ``grader history``: practise in the terminal, watch the scores improve.

Every practice attempt is saved in the local store (the same SQLite file as the result cache), so
``grader history`` and the web page (``grader serve``) show the same history.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from grader.cli import common
from grader.cli.common import (
    BackendOpt,
    BaseUrlOpt,
    ModelOpt,
    NoCacheOpt,
    RubricsOpt,
    bank_for,
    echo,
    grading_settings,
    resolve_settings,
)
from grader.errors import GraderError, InputError
from grader.practice import (
    answer_from_editor,
    choose_question,
    clear_draft,
    collect_answer,
    load_draft,
    save_draft,
    summarize,
)

if TYPE_CHECKING:
    from grader.result import GradeResult
    from grader.rubric import Rubric
    from grader.settings import Settings
    from grader.store import Store

__all__ = ["register", "practice", "history"]

_EDITOR_MARK = "#>"
_CHOICES = "[r]etry / [n]ext / [q]uit"


def _open_attempt_store(settings: Settings) -> Store:
    """The attempt history is always kept, even with the result cache off (--no-cache)."""
    from grader.store import Store

    return Store(settings.store_path)


def _read_line(prompt: str) -> str | None:
    """One line from stdin after ``prompt``; None at the end of input."""
    echo(prompt, end="")
    line = sys.stdin.readline()
    if not line:
        echo("")
        return None
    return line.rstrip("\r\n")


def _stdin_lines() -> Iterator[str]:
    while True:
        line = sys.stdin.readline()
        if not line:
            return
        yield line


def _drafts_dir(settings: Settings) -> Path:
    return Path(settings.store_path).parent / "drafts"


def _offer_draft(drafts: Path, rubric: Rubric) -> str:
    """The saved draft for this question if the user wants it back (asked once), else ""."""
    draft = load_draft(drafts, rubric.id)
    if draft is None:
        return ""
    echo(f"You have an unsent answer to this question ({len(draft.split())} words):", style="yellow", highlight=True)
    echo(draft, style="dim")
    reply = _read_line("Continue from it? [Y/n]: ")
    if reply is not None and reply.strip().lower().startswith("n"):
        clear_draft(drafts, rubric.id)
        return ""
    return draft


def _keep_draft(drafts: Path, rubric: Rubric, text: str, why: str) -> None:
    """Save an answer that was not graded, and say where it is and how to get it back."""
    if not text.strip():
        return
    try:
        path = save_draft(drafts, rubric.id, text)
    except OSError as e:
        echo(f"{why}; your answer could not be saved ({e}). Here it is:", err=True, style="yellow")
        echo(text, err=True)
        return
    echo(
        f"{why}; your answer was kept in {path} — `grader practice -q {rubric.id}` offers it back",
        err=True,
        style="yellow",
        highlight=True,
    )


def _read_answer_terminal(drafts: Path, rubric: Rubric) -> tuple[str, bool]:
    start = _offer_draft(drafts, rubric)
    echo("Write your answer. End with a line containing only '.' (or Ctrl-D).", style="dim", highlight=True)
    lines = start.splitlines()
    if start:
        echo("(your draft is the start of the answer: add lines, or '.' to grade it as it is)", style="dim")
    try:
        return collect_answer(_stdin_lines(), lines)
    except KeyboardInterrupt:
        _keep_draft(drafts, rubric, "\n".join(lines).strip(), "interrupted")
        raise


def _read_answer_editor(drafts: Path, rubric: Rubric) -> str:
    import click

    header = [
        f"{_EDITOR_MARK} {rubric.id} · {rubric.section}",
        *(f"{_EDITOR_MARK} {line}" for line in rubric.question.splitlines()),
        f"{_EDITOR_MARK} Write your answer below; lines starting with '{_EDITOR_MARK}' are ignored. Save and close.",
    ]
    start = _offer_draft(drafts, rubric)
    edited = click.edit(
        "\n".join(header) + "\n\n" + (start + "\n" if start else ""), extension=".md", require_save=True
    )
    if edited is None:
        return start
    return answer_from_editor(edited, header, _EDITOR_MARK)


def _show_question(rubric: Rubric, number: int) -> None:
    common.console.print(
        Panel(
            Text(rubric.question, style="bold"),
            title=f"question {number} · {rubric.id}",
            subtitle=rubric.section,
            expand=True,
        )
    )


def _progress_line(store: Store, rubric: Rubric, result: GradeResult) -> None:
    if result.percent is None:
        return
    rows = store.attempts(question_id=rubric.id)
    scored = [r["percent"] for r in rows if r["percent"] is not None]
    if len(scored) < 2:
        echo(f"First graded attempt at this question: {result.percent:.0f} %.", style="dim", highlight=True)
        return
    previous, best_before = scored[-2], max(scored[:-1])
    delta = result.percent - previous
    sign = "+" if delta >= 0 else ""
    line = f"Attempt {len(rows)} at this question: {result.percent:.0f} % ({sign}{delta:.0f} vs last"
    line += ", new best)" if result.percent > best_before else f", best {best_before:.0f} %)"
    echo(line, style="bold cyan" if delta > 0 else "dim", highlight=True)


def practice(
    section: Annotated[
        str | None, typer.Option("--section", "-s", help="Only questions of this section (prefix ok).")
    ] = None,
    question: Annotated[
        str | None, typer.Option("--question", "-q", help="Start with this question (id or prefix).")
    ] = None,
    same: Annotated[
        bool, typer.Option("--same", help="Allow the same question twice in a row when moving on.")
    ] = False,
    editor: Annotated[bool, typer.Option("--editor", "-e", help="Write each answer in $EDITOR.")] = False,
    seed: Annotated[int | None, typer.Option("--seed", help="Seed the random choice of questions.")] = None,
    model: ModelOpt = None,
    base_url: BaseUrlOpt = None,
    backend: BackendOpt = None,
    rubrics: RubricsOpt = None,
    no_cache: NoCacheOpt = False,
) -> None:
    """Practise: answer a question, see what was strong and what was missing, retry, improve."""
    settings = grading_settings(model=model, base_url=base_url, backend=backend, rubrics=rubrics, no_cache=no_cache)
    bank = bank_for(settings)
    rng = random.Random(seed)
    rubric = bank.get(question) if question else choose_question(bank, section=section, rng=rng)
    if question and section and not rubric.section.casefold().startswith(section.casefold()):
        raise InputError(f"question {rubric.id} is in section {rubric.section!r}, not {section!r}")
    if editor and not (os.environ.get("VISUAL") or os.environ.get("EDITOR")):
        echo("$EDITOR is not set; using the system default editor", err=True, style="dim", highlight=True)
    store = _open_attempt_store(settings)
    from grader.cli.render import render_result
    from grader.grading import Grader

    grader = Grader(settings, bank=bank, store=store if settings.use_cache else None)
    if grader.backend_name == "local":
        echo(
            "grading with the embedded grader (no LLM); --backend llm to use an LLM",
            err=True,
            style="dim",
            highlight=True,
        )
    number = 1
    drafts = _drafts_dir(settings)
    runner = asyncio.Runner()
    try:
        while True:
            _show_question(rubric, number)
            if editor:
                text, eof = _read_answer_editor(drafts, rubric), False
            else:
                text, eof = _read_answer_terminal(drafts, rubric)
            if not text.strip():
                echo("No answer given; nothing graded.", style="yellow", highlight=True)
            elif len(text) > settings.max_answer_chars:
                echo(
                    f"The answer is {len(text)} characters, over the limit of {settings.max_answer_chars}; "
                    "nothing graded. Shorten it and retry.",
                    style="yellow",
                    highlight=True,
                )
            else:
                try:
                    with common.console.status("grading…", spinner="dots"):
                        result = runner.run(grader.agrade(rubric, text))
                    store.add_attempt(result, text, section=rubric.section)
                except (GraderError, KeyboardInterrupt) as e:
                    _keep_draft(
                        drafts, rubric, text, "interrupted" if isinstance(e, KeyboardInterrupt) else "not graded"
                    )
                    raise
                clear_draft(drafts, rubric.id)
                render_result(common.console, result, rubric)
                _progress_line(store, rubric, result)
            if eof and not editor and not sys.stdin.isatty():
                break  # piped input is exhausted: nothing more can be read
            choice = None
            while choice is None:
                answer = _read_line(f"{_CHOICES}: ")
                if answer is None:
                    choice = "q"
                    break
                answer = answer.strip().lower()[:1]
                if answer and answer in "rnq":
                    choice = answer
                else:
                    echo("please type r, n or q", style="dim", highlight=True)
            if choice == "q":
                break
            if choice == "n":
                rubric = choose_question(bank, section=section, last=rubric.id, allow_repeat=same, rng=rng)
                number += 1
    finally:
        try:
            runner.run(grader.aclose())
        finally:
            runner.close()
            store.close()
    echo("Saved. `grader history` shows your progress.", style="dim", highlight=True)


def _fmt(p: float | None) -> str:
    return "–" if p is None else f"{p:.0f} %"


def _fmt_trend(t: float | None) -> Text:
    if t is None:
        return Text("–", style="dim")
    if t > 0:
        return Text(f"▲ +{t:.0f}", style="green")
    if t < 0:
        return Text(f"▼ {t:.0f}", style="red")
    return Text("= 0", style="dim")


def history(
    section: Annotated[str | None, typer.Option("--section", "-s", help="Only this section (prefix ok).")] = None,
    question: Annotated[str | None, typer.Option("--question", "-q", help="Only this question (id or prefix).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the history as JSON.")] = False,
    rubrics: RubricsOpt = None,
) -> None:
    """Show practice attempts per question and section: best and latest score, and the trend."""
    settings = resolve_settings(rubrics=rubrics)
    bank = bank_for(settings)
    qid = bank.get(question).id if question else None
    store = _open_attempt_store(settings)
    try:
        hist = summarize(store.attempts(), section=section, question_id=qid, order=bank.ids)
    finally:
        store.close()
    if as_json:
        sys.stdout.write(json.dumps(hist.as_dict(), indent=2, ensure_ascii=False) + "\n")
        return
    if not hist.questions:
        echo(
            "No practice attempts yet"
            + (" for this filter" if section or qid else "")
            + ". Start with `grader practice`.",
            highlight=True,
        )
        return
    table = Table(title="practice history", expand=True)
    table.add_column("question", overflow="fold", ratio=3)
    table.add_column("section", overflow="fold", ratio=2)
    table.add_column("tries", justify="right", no_wrap=True)
    table.add_column("best", justify="right", no_wrap=True)
    table.add_column("latest", justify="right", no_wrap=True)
    table.add_column("trend", justify="right", no_wrap=True)
    table.add_column("scores", no_wrap=True)
    for q in hist.questions:
        table.add_row(
            q.question_id, q.section, str(q.attempts), _fmt(q.best), _fmt(q.latest), _fmt_trend(q.trend), q.spark
        )
    common.console.print(table)
    sections = Table(title="by section", expand=True)
    sections.add_column("section", overflow="fold", ratio=1)
    for name in ("questions", "tries", "mean best", "mean latest"):
        sections.add_column(name, justify="right", no_wrap=True)
    for s in hist.sections:
        sections.add_row(s.section, str(s.questions), str(s.attempts), _fmt(s.mean_best), _fmt(s.mean_latest))
    common.console.print(sections)
    echo(f"{hist.attempts} attempt(s) · store {settings.store_path}", style="dim", highlight=True)


def register(app: typer.Typer) -> None:
    """Add ``practice`` and ``history`` to the ``grader`` app."""
    app.command("practice")(practice)
    app.command("history")(history)

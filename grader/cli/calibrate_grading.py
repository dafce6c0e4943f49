"""``grader calibrate``'s grading runs: the rows graded with a progress bar on stderr, and the runs
with graded examples (:mod:`grader.examples`) next to the same grader without them and the
nearest-neighbour baseline."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from grader.cli import common
from grader.cli.common import echo

__all__ = ["grade_with_progress", "with_examples"]


def with_examples(
    plain: Any, data: Any, bank: Any, path: Path | None, split: str | None, k: int | None, seed: int
) -> tuple[Any, Any, list[tuple[str, str, Any]]]:
    """Grade with graded examples (K held out per question, a file, or K per question from it); the
    scores, the rows compared, and the other systems: ``plain`` (the grader without examples) and the
    nearest-neighbour baseline."""
    from grader.examples import ExampleSet
    from grader.examples._calibrate import BASELINE_K, nearest_neighbour_scores, prepare
    from grader.grading import Grader
    from grader.judges.local.embedding import get_embedder

    chosen, data = prepare(data, bank, path, split, k, seed)
    examples = ExampleSet(chosen)  # shared with the baseline: the example vectors are computed once
    grader = Grader(plain.settings, bank=bank, store=plain.store, examples=examples)
    graded = grade_with_progress(grader, data, bank, "grading with examples")
    graded.model += f" + {len(examples)} graded examples of {len(examples.question_ids)} question(s)"
    without = grade_with_progress(plain, data, bank, "grading without examples")
    knn = nearest_neighbour_scores(data, bank, examples, get_embedder())
    desc = f"mean human score of the {BASELINE_K} most similar examples (MiniLM cosine); no rubric"
    return graded, data, [("no examples", "the same grader without the examples", without), ("nearest", desc, knn)]


def grade_with_progress(grader: Any, data: Any, bank: Any, label: str = "grading") -> Any:
    """Grade the rows of one calibration file (or split) with a progress bar on stderr."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    from grader.agreement.measure import grade_rows

    with Progress(
        label,
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=common.err_console,
        transient=True,
    ) as bar:
        task = bar.add_task(label, total=len(data.rows))
        graded = grade_rows(
            grader,
            data,
            bank,
            concurrency=grader.settings.concurrency,
            progress=lambda done, total: bar.update(task, completed=done),
        )
    if graded.first_error:
        failed = graded.skipped.get("failed", 0)
        echo(f"warning: {failed} row(s) failed ({label}); first: {graded.first_error}", err=True)
    return graded

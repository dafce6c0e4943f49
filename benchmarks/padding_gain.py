#!/usr/bin/env python3
"""What padding an answer with generic, on-nothing filler gains, with and without graded examples.

    python benchmarks/padding_gain.py [--saf ../shared/datasets/saf/saf_en.csv] [--questions 8] [--per 6]

A trust check, not a speed one: nothing should be credited because an answer got longer or sounds more
like the well-graded ones. From SAF's *training* split only (the reported splits are never read): for
``--questions`` questions drawn with seed 0, ``--per`` answers each are graded by the embedded judge with
the question's *other* training answers as graded examples, and without examples, then again with the
same filler appended (three sentences that answer nothing). Prints the mean and largest gain in points
(of 100) and how many answers gained more than 5, and the answers that gained more than 20.
"""

from __future__ import annotations

import argparse
import random
import statistics
from pathlib import Path

from grader.agreement.rubrics import saf_bank
from grader.examples import ExampleSet
from grader.examples._calibrate import examples_for_data
from grader.grading import Grader
from grader.settings import Settings

FILLER = (
    " To add some more context, this is a topic I find very interesting and I have read about it in several"
    " places. There are many aspects worth considering here, and in practice the details matter a great deal"
    " depending on the situation and the people involved."
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--saf", type=Path, default=Path(__file__).resolve().parents[2] / "shared/datasets/saf/saf_en.csv"
    )
    parser.add_argument("--questions", type=int, default=8)
    parser.add_argument("--per", type=int, default=6)
    args = parser.parse_args()
    bank = saf_bank(args.saf, split="training", languages=("en", "de"))
    examples = examples_for_data(args.saf, bank, "training")
    rng = random.Random(0)
    questions = sorted({e.question_id for e in examples})
    rng.shuffle(questions)
    tested = []
    for q in questions[: args.questions]:
        rows = [e for e in examples if e.question_id == q]
        rng.shuffle(rows)
        tested += rows[: args.per]
    ids = {id(t) for t in tested}
    with_examples = Grader(
        Settings(backend="local"), bank=bank, examples=ExampleSet([e for e in examples if id(e) not in ids])
    )
    plain = Grader(Settings(backend="local"), bank=bank)
    for name, grader in (("with examples", with_examples), ("without examples", plain)):
        gains = []
        for t in tested:
            before = grader.grade(t.question_id, t.answer, use_cache=False).percent or 0.0
            after = grader.grade(t.question_id, t.answer + FILLER, use_cache=False).percent or 0.0
            gains.append(after - before)
        print(
            f"{name}: padding gains {statistics.mean(gains):.1f} points on average, at most {max(gains):.1f};"
            f" {sum(g > 5 for g in gains)}/{len(gains)} answers gain more than 5"
        )
        for t, g in zip(tested, gains, strict=True):
            if g > 20:
                print(f"  {t.question_id} +{g:.0f}: {t.answer[:90]!r}")


if __name__ == "__main__":
    main()

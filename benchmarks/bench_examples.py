#!/usr/bin/env python3
"""Benchmark the embedded judge with graded examples against the same judge without them, side by side.

    python benchmarks/bench_examples.py [--answers N] [--examples E] [--repeat R]

``LocalJudge.judge_many`` in chunks of 16 on N distinct ~100-word answers to one question, with E graded
examples of that question (the score model of :mod:`grader.examples._blend`: the nearest-example vote,
the per-question kernel ridge regression and the reference similarity; their per-question part is
computed once and timed with the first chunk) and without any; the two runs alternate R times in one
process and the medians and their ratio are printed (the machine's load average too: other processes
slow every figure down). Target (issue 11): the embedded judge stays ≥ 20 answers/s with examples.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_local import QUESTION, answer


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--answers", type=int, default=160)
    ap.add_argument("--examples", type=int, default=100)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    from grader.examples import ExampleSet, GradedExample
    from grader.judges.local.judge import LocalJudge
    from grader.rubric import default_bank

    rubric = default_bank().get(QUESTION)
    answers = [answer(seed) for seed in range(args.answers)]
    examples = [
        GradedExample(rubric.id, answer(10_000 + i), score=(i % 11) / 10 * rubric.max_score, max_score=rubric.max_score)
        for i in range(args.examples)
    ]
    judge = LocalJudge()
    judge.judge_many([(rubric, answers[0])])  # load the model and the rubric vectors
    rates: dict[str, list[float]] = {"without examples": [], "with examples": []}
    setup: list[float] = []
    for _ in range(args.repeat):
        for name in rates:
            judge.set_examples(None)
            if name == "with examples":  # a fresh set: nothing cached; its one-off cost timed apart
                start = time.perf_counter()
                judge.set_examples(ExampleSet(examples))
                judge.judge_many([(rubric, answers[0])])
                setup.append(time.perf_counter() - start)
            start = time.perf_counter()
            for i in range(0, len(answers), 16):
                judge.judge_many([(rubric, a) for a in answers[i : i + 16]])
            rates[name].append(len(answers) / (time.perf_counter() - start))
    med = {name: statistics.median(r) for name, r in rates.items()}
    print(
        f"{args.answers} answers, {args.examples} examples, {args.repeat} alternating runs, "
        f"load {os.getloadavg()[0]:.1f}"
    )
    for name, rate in med.items():
        print(f"  {name}: {rate:.1f} answers/s (runs: {', '.join(f'{r:.1f}' for r in rates[name])})")
    print(f"  with / without: {med['with examples'] / med['without examples']:.2f}")
    print(
        f"  set-up with examples (their vectors, the per-question model, one grade): {statistics.median(setup):.2f} s"
    )


if __name__ == "__main__":
    main()

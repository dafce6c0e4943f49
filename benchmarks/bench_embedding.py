#!/usr/bin/env python3
"""Benchmark the in-process sentence embedder (grader/embedding.py).

    python benchmarks/bench_embedding.py [--threads N] [--repeat R] [--answers A] [--short S]

Measures, in one run:

- cold start, in fresh child processes: ``import grader.judges.local.embedding``, then ``Embedder()`` plus the
  first ``encode`` of one sentence (session creation, tokenizer load, first inference);
- throughput on ~100-word answers split into sentences (the grader's use), on the same answers
  embedded whole, and on short sentences (5-12 words).

Texts are synthetic but English and deterministic (seeded). Prints a small table; the figures are
the median of ``--repeat`` timed runs after one warm-up.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

SENTENCE_POOL = [
    "Photosynthesis converts light energy into chemical energy stored in glucose.",
    "The light-dependent reactions take place in the thylakoid membranes and produce ATP and NADPH.",
    "In the Calvin cycle, carbon dioxide is fixed into three-carbon sugars using the energy from those molecules.",
    "Without chlorophyll the plant could not absorb the red and blue parts of the spectrum.",
    "Newton's second law says that the net force on an object equals its mass times its acceleration.",
    "If the same force is applied to a heavier cart, it accelerates less.",
    "Friction acts in the opposite direction to motion and converts kinetic energy into heat.",
    "The French Revolution was driven by debt, food shortages and resentment of aristocratic privilege.",
    "The storming of the Bastille in 1789 became a symbol of the end of absolute monarchy.",
    "Inflation reduces the purchasing power of money, so savers lose out while borrowers gain.",
    "Central banks usually raise interest rates to slow borrowing and bring inflation down.",
    "A binary search repeatedly halves the search interval, so it runs in logarithmic time.",
    "It only works on sorted data, which is why the array must be sorted first.",
    "Overfitting happens when a model memorises noise in the training set instead of the signal.",
    "Cross-validation gives a more honest estimate of how the model will perform on new data.",
    "Temporal coherence is the core challenge in video generation because frames must agree with each other.",
    "Diffusion models generate images by learning to reverse a gradual noising process.",
    "The main weakness of the argument is that it gives no evidence for its central claim.",
    "For example, the author never explains why the policy would reduce unemployment.",
    "Vaccines train the immune system to recognise a pathogen without causing the disease itself.",
    "Antibiotics are useless against viruses, so they should not be prescribed for a common cold.",
    "Climate change is mainly caused by burning fossil fuels, which releases carbon dioxide.",
    "Rising sea levels threaten coastal cities and low-lying island nations.",
    "In conclusion, both factors matter, but the economic one was decisive.",
    "This is important.",
    "I am not sure about the last part.",
    "Overall the experiment supports the hypothesis, although the sample was small.",
    "The control group received a placebo so that the effect of expectation could be measured.",
]

SHORT_POOL = [
    "The cat sat on the mat.",
    "Water boils at 100 degrees.",
    "How do I reset my password?",
    "The answer misses the main point.",
    "Plants need sunlight to grow.",
    "Force equals mass times acceleration.",
    "The meeting moved to Thursday afternoon.",
    "Inflation erodes the value of savings.",
    "The student cites no evidence at all.",
    "Binary search needs a sorted array.",
    "Rome was not built in a day.",
    "Vaccines prevent many serious diseases.",
]

_SPLIT = re.compile(r"(?<=[.!?])\s+")


def make_answers(count: int, words: int, rng: random.Random) -> list[str]:
    answers = []
    for _ in range(count):
        parts: list[str] = []
        while sum(len(p.split()) for p in parts) < words:
            parts.append(rng.choice(SENTENCE_POOL))
        answers.append(" ".join(parts))
    return answers


def split_sentences(text: str) -> list[str]:
    return [s for s in _SPLIT.split(text.strip()) if s]


def cold_start(threads: int | None, runs: int) -> tuple[float, float]:
    """Median (import seconds, Embedder() + first encode seconds) over fresh processes."""
    code = f"""
import json, sys, time
sys.path.insert(0, {str(REPO)!r})
t0 = time.perf_counter()
from grader.judges.local.embedding import Embedder
t1 = time.perf_counter()
Embedder(threads={threads!r}).encode(["The first sentence anyone embeds in this process."])
t2 = time.perf_counter()
print(json.dumps([t1 - t0, t2 - t1]))
"""
    imports, firsts = [], []
    for _ in range(runs):
        out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout
        imported, first = json.loads(out.strip().splitlines()[-1])
        imports.append(imported)
        firsts.append(first)
    return statistics.median(imports), statistics.median(firsts)


def throughput(embedder, texts: list[str], repeat: int) -> float:
    embedder.encode(texts[: min(len(texts), 64)])  # warm-up
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        embedder.encode(texts)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description="Benchmark grader.embedding")
    parser.add_argument("--threads", type=int, default=None, help="intra-op threads (default: all cores)")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per row (median is shown)")
    parser.add_argument("--answers", type=int, default=40, help="number of ~100-word answers")
    parser.add_argument("--short", type=int, default=400, help="number of short sentences")
    parser.add_argument("--cold-runs", type=int, default=3, help="fresh processes for the cold start")
    args = parser.parse_args()

    from grader.judges.local.embedding import MAX_TOKENS, Embedder

    rng = random.Random(7)
    answers = make_answers(args.answers, 100, rng)
    sentences = [s for answer in answers for s in split_sentences(answer)]
    shorts = [
        rng.choice(SHORT_POOL) + (" " + rng.choice(SHORT_POOL) if rng.random() < 0.2 else "") for _ in range(args.short)
    ]

    load_before = os.getloadavg()
    imported, first = cold_start(args.threads, args.cold_runs)

    embedder = Embedder(threads=args.threads)
    embedder.load()
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(embedder.tokenizer_path))  # only to report token counts
    tokenizer.enable_truncation(max_length=MAX_TOKENS)
    tokenizer.no_padding()

    def mean_tokens(texts: list[str]) -> float:
        return statistics.fmean(len(e.ids) for e in tokenizer.encode_batch(texts))

    rows = []
    for label, texts in (
        (f"answers split into sentences ({len(answers)} answers)", sentences),
        (f"whole ~100-word answers ({len(answers)})", answers),
        ("short sentences", shorts),
    ):
        seconds = throughput(embedder, texts, args.repeat)
        rows.append((label, len(texts), mean_tokens(texts), len(texts) / seconds, seconds))

    threads = embedder.threads
    print(
        f"grader.embedding benchmark  (intra-op threads {threads}, os.cpu_count() {os.cpu_count()}, "
        f"median of {args.repeat} runs, batch_size 32)"
    )
    print(
        f"load average before the run {load_before[0]:.2f}, after {os.getloadavg()[0]:.2f} "
        "(other busy processes on the machine slow every figure)"
    )
    print()
    print(f"cold start (median of {args.cold_runs} fresh processes)")
    print(f"  import grader.judges.local.embedding            {imported * 1000:7.0f} ms")
    print(f"  Embedder() + first encode          {first * 1000:7.0f} ms")
    print(f"  total                              {(imported + first) * 1000:7.0f} ms")
    print()
    header = f"{'workload':<44} {'texts':>6} {'tokens/text':>12} {'texts/s':>9} {'tokens/s':>9} {'seconds':>8}"
    print(header)
    print("-" * len(header))
    for label, count, tokens, rate, seconds in rows:
        print(f"{label:<44} {count:>6} {tokens:>12.1f} {rate:>9.1f} {rate * tokens:>9.0f} {seconds:>8.2f}")
    answers_per_s = len(answers) / rows[0][4]
    print()
    print(f"answers/s when splitting into sentences: {answers_per_s:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

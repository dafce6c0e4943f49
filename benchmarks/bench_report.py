"""Report benchmark: near-duplicate search over a cohort of thousands of answers.

    python benchmarks/bench_report.py [--answers 3000]

Builds the cohort of ``tests/test_report.py::test_duplicates_scale_to_thousands_of_answers`` (random
120-word answers over a 2,000-word vocabulary, one near-copy), times
:func:`grader.report.find_near_duplicates` on it and checks that it finds exactly the copy. Target:
under 30 s for 3,000 answers on this project's 2-core machines (exit status 1 over it).
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from grader.report import find_near_duplicates  # noqa: E402

TARGET_S = 30.0


def cohort(n: int, seed: int = 7) -> list[tuple[int, str, str, str]]:
    """``n`` random answers to one question, plus a copy of answer 17 with one word changed."""
    rng = random.Random(seed)
    vocab = ["".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(3, 9))) for _ in range(2000)]
    items = [(i, "q", f"c{i}", " ".join(rng.choice(vocab) for _ in range(120))) for i in range(n)]
    copy = items[17][3].split()
    copy[5] = "changed"
    items.append((n, "q", "copycat", " ".join(copy)))
    return items


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--answers", type=int, default=3000, help="answers in the cohort (default 3000)")
    args = parser.parse_args(argv)
    items = cohort(args.answers)
    started = time.perf_counter()
    pairs = find_near_duplicates(items)
    elapsed = time.perf_counter() - started
    found = [(p.a, p.b) for p in pairs]
    print(f"near-duplicates among {args.answers:,} answers: {elapsed:.2f} s (target < {TARGET_S:g} s), found {found}")
    if found != [(17, args.answers)]:
        print("error: expected exactly the one near-copy", file=sys.stderr)
        return 1
    return 0 if elapsed < TARGET_S else 1


if __name__ == "__main__":
    sys.exit(main())

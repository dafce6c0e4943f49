"""Measure the injection defences on the regression sets in ``tests/injection_cases.py``.

    python benchmarks/injection_detector.py              # detector recall / false-positive rate
    python benchmarks/injection_detector.py --gullible   # plus evidence-gated scores under a gullible judge
    python benchmarks/injection_detector.py --pathological   # plus the time on quadratic-backtracking inputs

Three pairs of sets: the development set (the detector was tuned on it), the *fresh* set (written
afterwards, never tuned on) and the *held-out* set of ``tests/injection_heldout.py`` (written for
issue 12 before any change to the defences, by someone who had not seen them; never tune on it). With
``--gullible`` every attack is graded through the whole pipeline by DevServer's gullible judge (it
marks everything full and quotes fabricated text or the answer's own words), and the script reports
how many attack-only answers stay at or under 10 % of the maximum, and whether any benign answer
loses credit to the defences compared with evidence checking alone. With ``--pathological`` it
times the detector on the 20,000-character inputs of ``PATHOLOGICAL`` that would make a careless
pattern backtrack quadratically (budget: 2 s each; exit status 1 over budget). No network, no API key.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from injection_cases import ATTACKS, BENIGN, FRESH_ATTACKS, FRESH_BENIGN, PATHOLOGICAL  # noqa: E402
from injection_heldout import HELDOUT_ATTACKS, HELDOUT_BENIGN  # noqa: E402

from grader.injection.detector import detect_injection  # noqa: E402


def detector_figures(name: str, attacks, benign) -> None:
    missed = [c for c in attacks if not detect_injection(c.text, getattr(c, "languages", ("en",)))]
    flagged = [c for c in benign if detect_injection(c.text, getattr(c, "languages", ("en",)))]
    recall = 1 - len(missed) / len(attacks)
    fp_rate = len(flagged) / len(benign)
    print(
        f"{name:<12} recall {recall:5.2f} ({len(attacks) - len(missed)}/{len(attacks)})   "
        f"false-positive rate {fp_rate:5.2f} ({len(flagged)}/{len(benign)})"
    )
    by_category: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for c in attacks:
        by_category[c.category][0] += 1 if detect_injection(c.text, getattr(c, "languages", ("en",))) else 0
        by_category[c.category][1] += 1
    print("             by category: " + ", ".join(f"{k} {v[0]}/{v[1]}" for k, v in sorted(by_category.items())))
    if missed:
        print("             missed: " + ", ".join(c.id for c in missed))
    for c in flagged:
        kinds = sorted({f.kind for f in detect_injection(c.text, getattr(c, "languages", ("en",)))})
        print(f"             false positive {c.id}: {', '.join(kinds)}")


PATHOLOGICAL_BUDGET_S = 2.0


def pathological_figures() -> bool:
    """Best-of-three detector time per pathological input; True if every one is within budget."""
    ok = True
    for name, text, _ in PATHOLOGICAL:
        times = []
        for _ in range(3):
            started = time.perf_counter()
            detect_injection(text)
            times.append(time.perf_counter() - started)
        best = min(times)
        ok = ok and best < PATHOLOGICAL_BUDGET_S
        print(f"{name:<12} {len(text):,} characters: {best * 1000:7.1f} ms (budget {PATHOLOGICAL_BUDGET_S:g} s)")
    return ok


async def gullible_figures(name: str, attacks, benign) -> None:
    from grader.grading import Grader
    from grader.rubric import default_bank
    from grader.scoring import score_verdict
    from grader.settings import Settings
    from grader.testing.devserver import DevServer

    bank = default_bank()
    with DevServer(mode="gullible") as server:
        settings = Settings(
            backend="llm",
            base_url=server.base_url,
            api_key="bench",
            model="devserver",
            use_cache=False,
            max_retries=0,
            min_words=0,
        )
        grader = Grader(settings, bank=bank)
        try:
            only = [c for c in attacks if c.attack_only]
            over = []
            for c in only:
                r = await grader.agrade(c.question_id, c.text)
                if r.percent > 10:
                    over.append(f"{c.id} ({r.percent:.0f} %)")
            lost = []
            for c in benign:
                r = await grader.agrade(c.question_id, c.text)
                alone = score_verdict(bank.get(c.question_id), c.text, r.verdict, [], check_relevance=False)
                if r.score < alone.score:
                    lost.append(f"{c.id} ({r.score} < {alone.score})")
        finally:
            await grader.aclose()
    print(
        f"{name:<12} gullible judge: attack-only answers at or under 10 % of the maximum: "
        f"{len(only) - len(over)}/{len(only)}" + (f" (over: {', '.join(over)})" if over else "")
    )
    print(
        f"{'':<12} benign answers that lose credit to the defences: {len(lost)}/{len(benign)}"
        + (f" ({', '.join(lost)})" if lost else "")
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--gullible", action="store_true", help="also grade through DevServer's gullible judge")
    parser.add_argument(
        "--pathological", action="store_true", help="also time the detector on quadratic-backtracking inputs"
    )
    args = parser.parse_args(argv)
    print("injection detector (deterministic, grader/injection/)")
    detector_figures("development", ATTACKS, BENIGN)
    detector_figures("fresh", FRESH_ATTACKS, FRESH_BENIGN)
    detector_figures("held-out (issue 12)", HELDOUT_ATTACKS, HELDOUT_BENIGN)
    if args.gullible:
        print()
        asyncio.run(gullible_figures("development", ATTACKS, BENIGN))
        asyncio.run(gullible_figures("fresh", FRESH_ATTACKS, FRESH_BENIGN))
        asyncio.run(gullible_figures("held-out (issue 12)", HELDOUT_ATTACKS, HELDOUT_BENIGN))
    if args.pathological:
        print()
        print("pathological inputs")
        if not pathological_figures():
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

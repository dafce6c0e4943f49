"""Measure the evidence rule and the second opinion (issue 12, parts 1, 2 and 4) on development data.

    python benchmarks/evidence_support.py            # every figure below, development sets only
    python benchmarks/evidence_support.py --heldout  # also the held-out set (run once, at the end)
    python benchmarks/evidence_support.py --cpu      # CPU per answer with / without the second opinion

Figures:

- **honest quotes**: the hand-annotated honest quotes of ``tests/injection_cases.py`` (BENIGN): how many
  pass the support check (:mod:`grader.support`), how many lexically, and which criteria lose credit;
- **criteria-dev** (``/work/shared/datasets/criteria-dev/answers.jsonl``, human per-criterion levels):
  graded by DevServer's honest judge with the second opinion; of the criteria a human credits that
  the honest judge credits with a verified quote, how many the support check rejects (a regression) and
  how many the second opinion holds; how many answers are flagged ``judge_disagreement``. Also, per
  human-credited criterion, whether the answer's best sentence for it (by the embedded similarity)
  passes the check;
- **attacks and benign answers** (development part) through the real pipeline under the obedient,
  gullible, embedded, honest and annotated judges: ``benchmarks/injection_targets.py``'s figures.

No network, no API key. Never tune on ``--heldout``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from injection_cases import BENIGN  # noqa: E402

from grader.evidence import AnswerIndex  # noqa: E402
from grader.grading import Grader  # noqa: E402
from grader.rubric import default_bank  # noqa: E402
from grader.scoring import score_verdict  # noqa: E402
from grader.settings import Settings  # noqa: E402
from grader.support import shared_checker  # noqa: E402
from grader.testing.devserver import DevServer  # noqa: E402
from grader.verdict import Level  # noqa: E402

CRITERIA_DEV = Path("/work/shared/datasets/criteria-dev/answers.jsonl")
BANK = default_bank()


def honest_quotes() -> None:
    """The support check as the pipeline runs it (the detector's spans, the second opinion on: a clean
    answer's paraphrases under the floor are left to the second opinion)."""
    from grader.grading import detect_injection, echo_texts
    from grader.second_opinion import Reviewer

    checker = shared_checker()
    reviewer = Reviewer(checker)
    total = lexical = passed = 0
    lost = []
    for case in BENIGN:
        rubric = BANK.get(case.question_id)
        ids = [c.id for c in rubric.criteria]
        index = AnswerIndex(case.text)
        flagged = [(f.start, f.end) for f in detect_injection(case.text, case.languages, echo_texts(rubric))]
        judge = reviewer.quote_judge(rubric, case.text, flagged)
        for cid, quotes in case.evidence.items():
            spans = [(q, index.locate(q)) for q in quotes]
            located = [(q, s) for q, s in spans if s is not None]
            ok = [not judge(ids.index(cid), q, s.start, s.end) for q, s in located]
            total += len(ok)
            lexical += sum(
                checker.check_in(rubric, ids.index(cid), case.text, q, s.start, s.end).lexical for q, s in located
            )
            passed += sum(ok)
            if quotes and not any(ok):
                lost.append(f"{case.id}/{cid}")
    print(f"honest quotes (BENIGN, hand-annotated): {passed}/{total} pass ({lexical} lexically)")
    crits = sum(1 for c in BENIGN for q in c.evidence.values() if q)
    print(f"  criteria that lose their credit: {len(lost)}/{crits}" + (f" ({', '.join(lost)})" if lost else ""))


def _settings(url: str, **kw: object) -> Settings:
    return Settings(
        backend="llm", base_url=url, api_key="bench", model="devserver", use_cache=False, max_retries=0, **kw
    )


async def criteria_dev() -> None:
    rows = [json.loads(line) for line in CRITERIA_DEV.read_text().splitlines() if line.strip()]
    checker = shared_checker()
    credited = rejected = held = both = flagged = best_ok = best_total = 0
    missing_credited = missing_held = 0
    with DevServer(mode="honest") as server:
        grader = Grader(_settings(server.base_url, min_words=0), bank=BANK)
        try:
            for row in rows:
                rubric = BANK.get(row["question_id"])
                r = await grader.agrade(rubric, row["answer"])
                flagged += r.has_flag("judge_disagreement")
                plain = score_verdict(rubric, row["answer"], r.verdict, [], check_relevance=False)
                for i, (c, p) in enumerate(zip(r.criteria, plain.criteria)):
                    human = row["labels"].get(c.id, "missing")
                    if human == "missing":
                        if c.claimed != Level.missing and any(e.verified for e in c.evidence):
                            missing_credited += 1
                            missing_held += bool(c.details.get("second_opinion_held"))
                        continue
                    # the best sentence of the answer for this criterion, by embedded similarity
                    sents = [s for s in re.split(r"(?<=[.!?])\s+", row["answer"]) if len(s) >= 8]
                    if sents:
                        best = max(sents, key=lambda s: float(checker.similarities(rubric, s)[i]))
                        best_total += 1
                        best_ok += checker.check(rubric, i, best).ok
                    if p.awarded == Level.missing:
                        continue
                    both += 1
                    credited += 1
                    if not any(e.verified for e in c.evidence):
                        rejected += 1
                    elif c.details.get("second_opinion_held"):
                        held += 1
        finally:
            await grader.aclose()
    print(f"criteria-dev ({len(rows)} answers), DevServer honest judge with the second opinion:")
    print(f"  human-credited criteria the honest judge credits with a verified quote: {credited}")
    print(f"  … rejected by the support check: {rejected}/{credited}; held by the second opinion: {held}/{credited}")
    print(f"  answers flagged judge_disagreement: {flagged}/{len(rows)}")
    print(
        "  human-missing criteria the honest judge credits with a verified quote, held: "
        f"{missing_held}/{missing_credited}"
    )
    print(f"  human-credited criteria whose best sentence passes the support check: {best_ok}/{best_total}")


async def _honest_verdicts(rows) -> list[str]:
    with DevServer(mode="honest") as server:
        grader = Grader(_settings(server.base_url, min_words=0, second_opinion=False), bank=BANK)
        try:
            return [(await grader.agrade(r["question_id"], r["answer"])).verdict.model_dump_json() for r in rows]
        finally:
            await grader.aclose()


def cpu_per_answer() -> None:
    """CPU per answer of the LLM path's scoring with and without the second opinion, on the 150 distinct
    criteria-dev answers (DevServer's honest verdicts, scored with ``Grader.result_from_output``: no HTTP).
    Rubric vectors are computed beforehand (once per rubric and process); quote vectors are not."""
    import time

    from grader.support import shared_checker

    rows = [json.loads(line) for line in CRITERIA_DEV.read_text().splitlines() if line.strip()]
    verdicts = asyncio.run(_honest_verdicts(rows))
    for r in rows:
        shared_checker().profile(BANK.get(r["question_id"]))
    out = {}
    for on in (False, True):
        grader = Grader(
            Settings(backend="llm", base_url="http://127.0.0.1:9", api_key="k", model="m", second_opinion=on),
            bank=BANK,
        )
        before = shared_checker().encoded
        start = time.process_time()
        for r, v in zip(rows, verdicts):
            grader.result_from_output(BANK.get(r["question_id"]), r["answer"], v)
        out[on] = (time.process_time() - start) / len(rows) * 1000
        texts = shared_checker().encoded - before
        print(f"second opinion {'on ' if on else 'off'}: {out[on]:.2f} ms CPU per answer ({texts} quotes embedded)")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--heldout", action="store_true", help="also the held-out set (once, at the end)")
    ap.add_argument("--skip-criteria-dev", action="store_true")
    ap.add_argument("--cpu", action="store_true", help="only the CPU per answer with / without the second opinion")
    args = ap.parse_args(argv)
    if args.cpu:
        cpu_per_answer()
        return 0
    honest_quotes()
    if not args.skip_criteria_dev:
        asyncio.run(criteria_dev())
    import injection_targets

    for name, (attacks, benign) in injection_targets.parts(
        ["development", *(["held-out"] if args.heldout else [])]
    ).items():
        figures = asyncio.run(injection_targets.measure(attacks, benign))
        injection_targets.report(name, attacks, benign, figures, verbose=name != "held-out")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Batch benchmarks: client overhead, throughput against a 200 ms server, memory at 10k vs 100k rows.

    python benchmarks/bench_batch.py overhead            # CPU ms per answer of the pipeline, no server
    python benchmarks/bench_batch.py throughput          # the whole process beside the bare openai client
    python benchmarks/bench_batch.py memory [--rows 10000 100000]
    python benchmarks/bench_batch.py endpoints           # two 200 ms endpoints vs one, 8 requests each
    python benchmarks/bench_batch.py all

``throughput`` and ``endpoints`` are :mod:`bench_client`'s (which see): ``grader batch`` as a
subprocess, its whole CPU (start-up reported apart) and its throughput beside the bare ``openai``
client sending the same request bodies, the median of 3 runs.

Targets (issue 4): overhead < 2 ms CPU per answer; peak RSS of the 10k and 100k runs within 10 % of
each other. Issue 13: throughput ≥ 0.90 of the bare client's at concurrency 32 against a 200 ms
server; whole-process CPU per answer ≤ the bare client's + 3 ms; start-up to the first request ≤ 1 s;
with two endpoints, each the bottleneck at its own concurrency, ≥ 1.8× one endpoint's throughput.
Each figure is measured in one run, as a ratio where the machine's speed would otherwise matter.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))  # bench_client

from bench_client import ANSWER, write_answers  # noqa: E402 - the answers both benchmarks grade


def bench_overhead(n: int = 2000) -> dict:
    """Render + parse + verify + score + store, per answer, with the server's work excluded."""
    from grader.injection.detector import detect_injection
    from grader.prompts import load_prompts
    from grader.result import GradeResult
    from grader.rubric import default_bank
    from grader.scoring import score_verdict
    from grader.store import Store
    from grader.testing.devserver import DevServer  # noqa: F401  (same verdict shape as the live path)
    from grader.verdict import parse_verdict

    rubric = default_bank().get("vid-05")
    prompts = load_prompts()
    sentences = [s.strip() + "." for s in ANSWER.split(".") if s.strip()]
    raw = json.dumps(
        {
            "criteria": [
                {
                    "criterion_id": c.id,
                    "level": "full",
                    "rationale": "covered clearly",
                    "evidence": [sentences[i % len(sentences)][:-1]],
                }
                for i, c in enumerate(rubric.criteria)
            ],
            "strengths": ["clear"],
            "gaps": [{"gap": "g", "next_step": "n"}],
            "injection_attempt": False,
            "summary": "Good answer overall.",
        }
    )
    with tempfile.TemporaryDirectory() as d:
        store = Store(Path(d) / "s.sqlite3")
        start_cpu, start = time.process_time(), time.perf_counter()
        for i in range(n):
            answer = f"{ANSWER} Candidate {i}."
            prompts.messages(rubric, answer)
            verdict = parse_verdict(raw, rubric)
            findings = detect_injection(answer)
            scored = score_verdict(rubric, answer, verdict, findings)
            result = GradeResult(
                question_id=rubric.id,
                rubric_hash=rubric.hash,
                prompt_version=prompts.version,
                backend="llm",
                model="m",
                status="graded",
                score=scored.score,
                max_score=rubric.max_score,
                percent=scored.percent,
                band=scored.band,
                criteria=scored.criteria,
                verdict=verdict,
            )
            store.put_result(f"k{i}", result)
        cpu = time.process_time() - start_cpu
        wall = time.perf_counter() - start
        store.close()
    return {
        "answers": n,
        "cpu_ms_per_answer": round(1000 * cpu / n, 3),
        "wall_ms_per_answer": round(1000 * wall / n, 3),
        "target_ms": 2.0,
    }


def bench_throughput(repeats: int = 3) -> dict:
    """The whole ``grader batch`` process beside the bare openai client (benchmarks/bench_client.py):
    throughput, CPU per answer, start-up to the first request; the median of ``repeats`` runs."""
    from bench_client import bench_client

    return bench_client(repeats=repeats)


def _peak_rss_mb(rows: int, server_url: str) -> float:
    with tempfile.TemporaryDirectory() as d:
        src = Path(d) / "in.csv"
        write_answers(src, rows)
        script = (
            "import resource, runpy, sys;"
            f"sys.argv=['grader','batch',{str(src)!r},'-o',{str(Path(d) / 'out.csv')!r},'--base-url',{server_url!r},"
            "'--model','bench','--concurrency','32'];"
            "\ntry:\n runpy.run_module('grader', run_name='__main__')\nexcept SystemExit as e:\n code=e.code\n"
            "print('PEAK', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)"
        )
        env = {**os.environ, "GRADER_STORE": str(Path(d) / "s.sqlite3"), "OPENAI_API_KEY": "bench"}
        proc = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, cwd=ROOT)
        peak = [line for line in proc.stderr.splitlines() if line.startswith("PEAK")]
        if not peak:
            raise SystemExit(f"memory run failed: {proc.stderr[-2000:]}")
        return int(peak[-1].split()[1]) / 1024


def bench_memory(sizes: list[int]) -> dict:
    from grader.testing.devserver import DevServer

    out = {}
    with DevServer(latency=0.0) as server:
        for n in sizes:
            t0 = time.perf_counter()
            out[n] = {
                "peak_rss_mb": round(_peak_rss_mb(n, server.base_url), 1),
                "seconds": round(time.perf_counter() - t0, 1),
            }
    values = [v["peak_rss_mb"] for v in out.values()]
    return {"runs": out, "max_over_min": round(max(values) / min(values), 3), "target": "<= 1.10"}


def bench_endpoints(repeats: int = 3) -> dict:
    """``grader batch`` with two 200 ms endpoints vs one, 8 in flight each (benchmarks/bench_client.py)."""
    from bench_client import bench_endpoints as endpoints

    return endpoints(repeats=repeats)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("what", choices=["overhead", "throughput", "memory", "endpoints", "all"])
    ap.add_argument("--rows", type=int, nargs="*", default=[10_000, 100_000])
    args = ap.parse_args()
    results = {}
    if args.what in ("overhead", "all"):
        results["overhead"] = bench_overhead()
    if args.what in ("throughput", "all"):
        results["throughput"] = bench_throughput()
    if args.what in ("memory", "all"):
        results["memory"] = bench_memory(args.rows)
    if args.what in ("endpoints", "all"):
        results["endpoints"] = bench_endpoints()
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()

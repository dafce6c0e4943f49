"""Batch benchmarks: client overhead, throughput against a 200 ms server, memory at 10k vs 100k rows.

    python benchmarks/bench_batch.py overhead            # CPU ms per answer, no server
    python benchmarks/bench_batch.py throughput          # ratio to the ideal 32 / 0.2 s
    python benchmarks/bench_batch.py memory [--rows 10000 100000]
    python benchmarks/bench_batch.py endpoints           # two 200 ms endpoints vs one, 8 requests each
    python benchmarks/bench_batch.py second-opinion      # batch with / without the second opinion vs openai alone
    python benchmarks/bench_batch.py all

Targets (issue 4): overhead < 2 ms CPU per answer; throughput ≥ 90 % of ideal; peak RSS of the
10k and 100k runs within 10 % of each other. Issue 13: with two endpoints, each the bottleneck at its
own concurrency, ≥ 1.8× one endpoint's throughput. Each figure is measured in one run, as a ratio where
the machine's speed would otherwise matter.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

ANSWER = (
    "Temporal consistency means objects, lighting and physics stay stable from frame to frame. "
    "Common failures are flickering textures, morphing shapes and identity drift where a face slowly "
    "changes. I check it by scrubbing frame by frame and by comparing embeddings of the main character "
    "across the clip, and I fix it with reference conditioning, fixed seeds and a lower motion strength "
    "so the model has less room to drift. Finally I review the clip at full speed."
)  # ~80 words


def _write_csv(path: Path, rows: int, question: str = "vid-05") -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["candidate_id", "question_id", "answer"])
        for i in range(rows):
            w.writerow([f"c{i}", question, f"{ANSWER} Candidate {i} adds one more sentence about review."])


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


def _run_batch_subprocess(
    src: Path, out: Path, base_url: str, concurrency: int, store: Path, extra: tuple[str, ...] = ()
) -> tuple[float, int]:
    env = {**os.environ, "GRADER_STORE": str(store), "OPENAI_API_KEY": "bench"}
    cmd = [
        sys.executable,
        "-m",
        "grader",
        "batch",
        str(src),
        "-o",
        str(out),
        "--base-url",
        base_url,
        "--model",
        "bench",
        "--concurrency",
        str(concurrency),
        "--overwrite",
        *extra,
    ]
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, cwd=ROOT)
    elapsed = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(f"batch failed: {proc.stderr[-2000:]}")
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return elapsed, max(peak, before)


async def _bare_client_rate(base_url: str, requests: int, concurrency: int) -> float:
    """The floor: the openai client alone against the same server (no prompts, no scoring)."""
    import openai

    client = openai.AsyncOpenAI(api_key="bench", base_url=base_url, max_retries=0)
    messages = [
        {"role": "system", "content": "grade"},
        {
            "role": "user",
            "content": f"<<<CANDIDATE_ANSWER>>>\n{ANSWER}\n<<<END_CANDIDATE_ANSWER>>>\nValid criterion ids: a, b, c",
        },
    ]
    gate = asyncio.Semaphore(concurrency)

    async def one() -> None:
        async with gate:
            await client.chat.completions.create(model="bench", messages=messages)

    start = time.perf_counter()
    await asyncio.gather(*(one() for _ in range(requests)))
    elapsed = time.perf_counter() - start
    await client.close()
    return requests / elapsed


def bench_throughput(rows: int = 1600, latency: float = 0.2, concurrency: int = 32) -> dict:
    from grader.testing.devserver import DevServer

    ideal = concurrency / latency
    with tempfile.TemporaryDirectory() as d, DevServer(latency=latency) as server:
        src = Path(d) / "in.csv"
        _write_csv(src, rows)
        elapsed, _ = _run_batch_subprocess(
            src, Path(d) / "out.csv", server.base_url, concurrency, Path(d) / "s.sqlite3"
        )
        # subtract the process start-up (import + reading the rubrics): measured with a 1-row run
        one = Path(d) / "one.csv"
        _write_csv(one, 1, question="vid-05")
        startup, _ = _run_batch_subprocess(one, Path(d) / "one-out.csv", server.base_url, 1, Path(d) / "s1.sqlite3")
        startup -= latency
        bare = asyncio.run(_bare_client_rate(server.base_url, rows, concurrency))
    rate = rows / max(1e-9, elapsed - startup)
    return {
        "rows": rows,
        "latency_s": latency,
        "concurrency": concurrency,
        "answers_per_s": round(rate, 1),
        "ideal_per_s": ideal,
        "ratio": round(rate / ideal, 3),
        "target_ratio": 0.9,
        "startup_s_excluded": round(startup, 2),
        "openai_client_alone_per_s": round(bare, 1),
        "client_alone_ratio": round(bare / ideal, 3),
    }


def _write_distinct_csv(path: Path, rows: int) -> None:
    """Like :func:`_write_csv`, but every sentence of every answer is different (a row number in each), so
    no quote vector can come from the second opinion's cache: its worst case."""
    sentences = [s.strip() + " " for s in ANSWER.replace(". ", ".|").split("|")]
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["candidate_id", "question_id", "answer"])
        for i in range(rows):
            text = "".join(s.replace(" the ", f" the {i} ", 1) if " the " in s else f"{i} {s}" for s in sentences)
            w.writerow([f"c{i}", "vid-05", text])


def bench_second_opinion(rows: int = 1600, latency: float = 0.2, concurrency: int = 32) -> dict:
    """Issue 12: ``grader batch`` with the second opinion (default) and with ``--no-second-opinion``,
    side by side with the bare openai client, against one 200 ms server in one run; the answers repeat
    sentences (the usual bench CSV) or are all distinct (no cached quote vectors)."""
    from grader.testing.devserver import DevServer

    out: dict = {"rows": rows, "latency_s": latency, "concurrency": concurrency, "target_ratio": 0.85}
    with tempfile.TemporaryDirectory() as d, DevServer(latency=latency) as server:
        one = Path(d) / "one.csv"
        _write_csv(one, 1)
        startup, _ = _run_batch_subprocess(one, Path(d) / "one-out.csv", server.base_url, 1, Path(d) / "s1.sqlite3")
        startup -= latency
        bare = asyncio.run(_bare_client_rate(server.base_url, rows, concurrency))
        for name, writer in (("repeated", _write_csv), ("distinct", _write_distinct_csv)):
            src = Path(d) / f"{name}.csv"
            writer(src, rows)
            for mode, extra in (("on", ()), ("off", ("--no-second-opinion",))):
                store = Path(d) / f"{name}-{mode}.sqlite3"
                elapsed, _ = _run_batch_subprocess(src, Path(d) / "o.csv", server.base_url, concurrency, store, extra)
                rate = rows / max(1e-9, elapsed - startup)
                out[f"{name}_second_opinion_{mode}_per_s"] = round(rate, 1)
                out[f"{name}_second_opinion_{mode}_ratio_to_openai"] = round(rate / bare, 3)
        out["openai_client_alone_per_s"] = round(bare, 1)
        out["startup_s_excluded"] = round(startup, 2)
    return out


def _peak_rss_mb(rows: int, server_url: str) -> float:
    with tempfile.TemporaryDirectory() as d:
        src = Path(d) / "in.csv"
        _write_csv(src, rows)
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


def bench_endpoints(rows: int = 160, latency: float = 0.2, concurrency: int = 8) -> dict:
    """One endpoint, then two (``base_url`` a list), each limited to ``concurrency`` requests in flight,
    in the same process and run: the ratio of the two throughputs."""
    from grader.batch.runner import run_batch
    from grader.grading import Grader
    from grader.rubric import default_bank
    from grader.settings import Settings
    from grader.testing.devserver import DevServer

    rates = {}
    with tempfile.TemporaryDirectory() as d, DevServer(latency=latency) as a, DevServer(latency=latency) as b:
        src = Path(d) / "in.csv"
        _write_csv(src, rows)
        for n, urls in ((1, a.base_url), (2, [a.base_url, b.base_url])):
            settings = Settings(
                api_key="k",
                base_url=urls,
                model="m",
                concurrency=concurrency,
                use_cache=False,
                store=Path(d) / f"s{n}.sqlite3",
            )
            grader = Grader(settings, bank=default_bank())

            async def go(g: Grader = grader, n: int = n) -> int:
                try:
                    return (await run_batch(g, src, Path(d) / f"out{n}.csv")).graded
                finally:
                    await g.aclose()

            t0 = time.perf_counter()
            graded = asyncio.run(go())
            rates[n] = graded / (time.perf_counter() - t0)
    return {
        "rows": rows,
        "latency_s": latency,
        "concurrency_per_endpoint": concurrency,
        "one_endpoint_per_s": round(rates[1], 1),
        "two_endpoints_per_s": round(rates[2], 1),
        "ratio": round(rates[2] / rates[1], 2),
        "target_ratio": 1.8,
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("what", choices=["overhead", "throughput", "memory", "endpoints", "second-opinion", "all"])
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
    if args.what in ("second-opinion", "all"):
        results["second_opinion"] = bench_second_opinion()
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()

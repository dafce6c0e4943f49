"""Client cost, measured whole: the ``grader batch`` process beside the bare ``openai`` client.

    python benchmarks/bench_client.py                 # 1600 answers, concurrency 32, 200 ms, 3 repeats
    python benchmarks/bench_client.py --answers 400 --repeats 1
    python benchmarks/bench_client.py endpoints       # two 200 ms endpoints vs one, 8 in flight each
    python benchmarks/bench_client.py --baseline DIR  # also an older checkout's grader batch, same run:
        # mkdir /tmp/base && git archive COMMIT | tar -x -C /tmp/base
    python benchmarks/bench_client.py --no-second-opinion-too  # also grader batch with GRADER_SECOND_OPINION=false

Both clients run as subprocesses of this script against the same test server (a thread of this
process, so its work is counted in neither), one after the other in each repeat:

- **grader**: ``python -m grader batch answers.csv`` with ``--concurrency 32``;
- **bare**: this file's ``bare`` command: ``openai.AsyncOpenAI().chat.completions.create(**body)``
  for the very request bodies grader sent (recorded by the server), under a semaphore of 32.

For each: the whole process's CPU (user + sys of the child, from ``resource.getrusage(RUSAGE_CHILDREN)``)
of an N-answer run and of a 1-answer run; per answer = (CPU(N) − CPU(1)) / (N − 1), i.e. with the
process start-up taken out, which is reported on its own (the 1-answer run's CPU; the wall time
from ``Popen`` to the server receiving the first request; and the child's CPU at that moment, read
from ``/proc``, which the machine's load moves far less than the wall time). Throughput is read at the server: (N − 1)
over the time from the first request's arrival to the last one's, the same clock for both clients.
Figures are the median of the repeats; the machine is shared, so only the side-by-side ratios and
differences of one run mean much.

Targets (issue 13): throughput ≥ 0.90 of the bare client's; CPU per answer ≤ the bare client's + 3 ms;
start-up to the first request ≤ 1 s; two endpoints ≥ 1.8× one. Issue 12: ≥ 0.85 of the bare client's with
the second opinion on (the default, what ``grader`` runs); ``--no-second-opinion-too`` adds a ``grader
batch`` with it off to each repeat, for its share.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

ANSWER = (
    "Temporal consistency means objects, lighting and physics stay stable from frame to frame. "
    "Common failures are flickering textures, morphing shapes and identity drift where a face slowly "
    "changes. I check it by scrubbing frame by frame and by comparing embeddings of the main character "
    "across the clip, and I fix it with reference conditioning, fixed seeds and a lower motion strength "
    "so the model has less room to drift. Finally I review the clip at full speed."
)  # ~80 words


def write_answers(path: Path, rows: int, question: str = "vid-05") -> None:
    """``rows`` distinct answers (so no cache hit) to one question, as the batch CSV."""
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["candidate_id", "question_id", "answer"])
        for i in range(rows):
            w.writerow([f"c{i}", question, f"{ANSWER} Candidate {i} adds one more sentence about review."])


@dataclass
class Arrivals:
    """When the server received each chat request (``time.perf_counter()``), wrapped around the
    test server's chat component for the duration of one client run."""

    times: list[float] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    pid: int | None = None  # the client process, whose CPU is read when its first request arrives
    first_cpu_s: float | None = None

    def install(self, server: Any) -> None:
        chat = server.chat
        original = type(chat).complete

        def complete(body: bytes, authorization: str) -> Any:
            with self.lock:
                self.times.append(time.perf_counter())
                if len(self.times) == 1 and self.pid is not None:
                    self.first_cpu_s = _process_cpu(self.pid)
            return original(chat, body, authorization)

        chat.complete = complete

    def reset(self, pid: int | None = None) -> None:
        with self.lock:
            self.times.clear()
            self.pid, self.first_cpu_s = pid, None

    def rate(self) -> float:
        """Requests per second between the first arrival and the last."""
        if len(self.times) < 2:
            return 0.0
        return (len(self.times) - 1) / max(1e-9, self.times[-1] - self.times[0])


def _process_cpu(pid: int) -> float | None:
    """User + system CPU seconds of a running process so far (Linux ``/proc``; None elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime


@dataclass
class Run:
    cpu_s: float  # user + sys of the whole child process
    wall_s: float
    first_request_s: float  # Popen → the server received the first request
    rate: float  # requests per second at the server
    first_request_cpu_s: float | None  # the child's CPU when the server received its first request


def run_child(cmd: list[str], env: dict[str, str], arrivals: Arrivals, expected: int, cwd: Path = ROOT) -> Run:
    """Run ``cmd`` to completion; its CPU from RUSAGE_CHILDREN (this script has no other children then)."""
    arrivals.reset()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    with subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=cwd) as proc:
        arrivals.reset(proc.pid)
        _, stderr = proc.communicate()
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd[:4])} failed ({proc.returncode}): {stderr[-2000:]}")
    if len(arrivals.times) != expected:
        raise SystemExit(f"the server saw {len(arrivals.times)} requests, expected {expected}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return Run(cpu, wall, arrivals.times[0] - t0, arrivals.rate(), arrivals.first_cpu_s)


def grader_cmd(src: Path, out: Path, base_urls: list[str], concurrency: int) -> list[str]:
    cmd = [sys.executable, "-m", "grader", "batch", str(src), "-o", str(out), "--model", "bench"]
    for url in base_urls:
        cmd += ["--base-url", url]
    return [*cmd, "--concurrency", str(concurrency), "--overwrite"]


def bare_cmd(bodies: Path, base_url: str, concurrency: int, limit: int | None = None) -> list[str]:
    cmd = [sys.executable, str(Path(__file__).resolve()), "bare", str(bodies), base_url, str(concurrency)]
    return [*cmd, *([str(limit)] if limit else [])]


def _env(store: Path, source: Path | None = None, *, second_opinion: bool = True) -> dict[str, str]:
    env = {**os.environ, "GRADER_STORE": str(store), "OPENAI_API_KEY": "bench"}
    if source is not None:  # another checkout's grader package (run with that directory as cwd)
        env["PYTHONPATH"] = str(source)
    if not second_opinion:
        env["GRADER_SECOND_OPINION"] = "false"
    return env


def _median(runs: list[dict[str, float]]) -> dict[str, float]:
    return {k: round(statistics.median(r[k] for r in runs), 3) for k in runs[0]}


def bench_client(
    answers: int = 1600,
    latency: float = 0.2,
    concurrency: int = 32,
    repeats: int = 3,
    baseline: Path | None = None,
    without_second_opinion: bool = False,
) -> dict[str, Any]:
    """The whole-process comparison (see the module docstring); the median of ``repeats`` runs.
    ``baseline``: another checkout of the project (e.g. ``git archive`` of an older commit), whose
    ``grader batch`` runs too, in the same repeats, for a before/after in one run.
    ``without_second_opinion``: ``grader batch`` runs once more per repeat with the second opinion off."""
    from grader.testing.devserver import DevServer

    per_repeat: list[dict[str, float]] = []
    with tempfile.TemporaryDirectory() as tmp, DevServer(latency=latency, keep_bodies=True) as server:
        d = Path(tmp)
        arrivals = Arrivals()
        arrivals.install(server)
        src, one = d / "in.csv", d / "one.csv"
        write_answers(src, answers)
        write_answers(one, 1)
        bodies = d / "bodies.jsonl"
        for rep in range(repeats):
            store = d / f"s{rep}.sqlite3"
            server.bodies.clear()
            g = run_child(
                grader_cmd(src, d / "out.csv", [server.base_url], concurrency), _env(store), arrivals, answers
            )
            if rep == 0:  # the very bodies grader sent, for the bare client
                with bodies.open("w", encoding="utf-8") as fh:
                    for body in server.bodies:
                        fh.write(json.dumps(body) + "\n")
            g1 = run_child(
                grader_cmd(one, d / "one-out.csv", [server.base_url], 1), _env(d / f"t{rep}.sqlite3"), arrivals, 1
            )
            b = run_child(bare_cmd(bodies, server.base_url, concurrency), _env(store), arrivals, answers)
            b1 = run_child(bare_cmd(bodies, server.base_url, 1, limit=1), _env(store), arrivals, 1)
            if baseline is not None:
                o = run_child(
                    grader_cmd(src, d / "old.csv", [server.base_url], concurrency),
                    _env(d / f"o{rep}.sqlite3", baseline),
                    arrivals,
                    answers,
                    cwd=baseline,
                )
                o1 = run_child(
                    grader_cmd(one, d / "old1.csv", [server.base_url], 1),
                    _env(d / f"p{rep}.sqlite3", baseline),
                    arrivals,
                    1,
                    cwd=baseline,
                )
            if without_second_opinion:
                n = run_child(
                    grader_cmd(src, d / "off.csv", [server.base_url], concurrency),
                    _env(d / f"n{rep}.sqlite3", second_opinion=False),
                    arrivals,
                    answers,
                )
                n1 = run_child(
                    grader_cmd(one, d / "off1.csv", [server.base_url], 1),
                    _env(d / f"m{rep}.sqlite3", second_opinion=False),
                    arrivals,
                    1,
                )
            g_ms = 1000 * (g.cpu_s - g1.cpu_s) / (answers - 1)
            b_ms = 1000 * (b.cpu_s - b1.cpu_s) / (answers - 1)
            row = {
                "grader_per_s": g.rate,
                "bare_per_s": b.rate,
                "throughput_ratio": g.rate / b.rate,
                "grader_cpu_ms_per_answer": g_ms,
                "bare_cpu_ms_per_answer": b_ms,
                "cpu_ms_above_bare": g_ms - b_ms,
                "grader_cpu_ms_per_answer_with_startup": 1000 * g.cpu_s / answers,
                "bare_cpu_ms_per_answer_with_startup": 1000 * b.cpu_s / answers,
                "grader_startup_cpu_s": g1.cpu_s,
                "bare_startup_cpu_s": b1.cpu_s,
                "grader_first_request_s": g1.first_request_s,
                "grader_first_request_cpu_s": g1.first_request_cpu_s or 0.0,
                "bare_first_request_cpu_s": b1.first_request_cpu_s or 0.0,
                "grader_first_request_s_in_big_run": g.first_request_s,
                "bare_first_request_s": b1.first_request_s,
            }
            if baseline is not None:
                row |= {
                    "baseline_per_s": o.rate,
                    "baseline_throughput_ratio": o.rate / b.rate,
                    "baseline_cpu_ms_per_answer": 1000 * (o.cpu_s - o1.cpu_s) / (answers - 1),
                    "baseline_startup_cpu_s": o1.cpu_s,
                    "baseline_first_request_s": o1.first_request_s,
                    "baseline_first_request_cpu_s": o1.first_request_cpu_s or 0.0,
                }
            if without_second_opinion:
                off_ms = 1000 * (n.cpu_s - n1.cpu_s) / (answers - 1)
                row |= {
                    "no_second_opinion_per_s": n.rate,
                    "no_second_opinion_throughput_ratio": n.rate / b.rate,
                    "no_second_opinion_cpu_ms_per_answer": off_ms,
                    "second_opinion_cpu_ms_per_answer": g_ms - off_ms,
                }
            per_repeat.append(row)
            print(f"repeat {rep + 1}: " + json.dumps({k: round(v, 3) for k, v in row.items()}), file=sys.stderr)
    return {
        "answers": answers,
        "latency_s": latency,
        "concurrency": concurrency,
        "baseline": str(baseline) if baseline else None,
        "repeats": repeats,
        "median": _median(per_repeat),
        "targets": {
            "throughput_ratio": ">= 0.90 (issue 13); >= 0.85 (issue 12, second opinion on)",
            "cpu_ms_above_bare": "<= 3",
            "grader_first_request_s": "<= 1.0",
        },
    }


def bench_endpoints(answers: int = 320, latency: float = 0.2, concurrency: int = 8, repeats: int = 3) -> dict[str, Any]:
    """``grader batch`` with one endpoint, then two (``--base-url`` twice), each limited to
    ``concurrency`` requests in flight: the ratio of the throughputs, read at the servers."""
    from grader.testing.devserver import DevServer

    per_repeat: list[dict[str, float]] = []
    with (
        tempfile.TemporaryDirectory() as tmp,
        DevServer(latency=latency) as a,
        DevServer(latency=latency) as b,
    ):
        d = Path(tmp)
        arrivals = Arrivals()
        arrivals.install(a)
        arrivals.install(b)
        src = d / "in.csv"
        write_answers(src, answers)
        for rep in range(repeats):
            one = run_child(
                grader_cmd(src, d / "o1.csv", [a.base_url], concurrency), _env(d / f"a{rep}.db"), arrivals, answers
            )
            two = run_child(
                grader_cmd(src, d / "o2.csv", [a.base_url, b.base_url], concurrency),
                _env(d / f"b{rep}.db"),
                arrivals,
                answers,
            )
            row = {"one_endpoint_per_s": one.rate, "two_endpoints_per_s": two.rate, "ratio": two.rate / one.rate}
            per_repeat.append(row)
            print(f"repeat {rep + 1}: " + json.dumps({k: round(v, 3) for k, v in row.items()}), file=sys.stderr)
    return {
        "answers": answers,
        "latency_s": latency,
        "concurrency_per_endpoint": concurrency,
        "repeats": repeats,
        "median": _median(per_repeat),
        "target_ratio": 1.8,
    }


async def _bare(bodies: Path, base_url: str, concurrency: int, limit: int | None) -> None:
    """The floor: the openai client alone, sending the recorded bodies (no prompts, no parsing, no output)."""
    import openai

    requests = [json.loads(line) for line in bodies.read_text(encoding="utf-8").splitlines()][:limit]
    client = openai.AsyncOpenAI(api_key="bench", base_url=base_url, max_retries=0)
    gate = asyncio.Semaphore(concurrency)

    async def one(body: dict[str, Any]) -> None:
        async with gate:
            await client.chat.completions.create(**body)

    await asyncio.gather(*(one(b) for b in requests))
    await client.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("what", nargs="?", default="client", choices=["client", "endpoints", "bare"])
    ap.add_argument("args", nargs="*", help="(bare only) BODIES BASE_URL CONCURRENCY [LIMIT]")
    ap.add_argument("--answers", type=int, default=None)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--concurrency", type=int, default=None)
    ap.add_argument("--baseline", type=Path, default=None, help="another checkout whose grader batch runs beside")
    ap.add_argument(
        "--no-second-opinion-too", action="store_true", help="also grader batch with GRADER_SECOND_OPINION=false"
    )
    opts = ap.parse_args()
    if opts.what == "bare":
        bodies, url, conc, *rest = opts.args
        asyncio.run(_bare(Path(bodies), url, int(conc), int(rest[0]) if rest else None))
        return
    if opts.what == "endpoints":
        result = bench_endpoints(opts.answers or 320, concurrency=opts.concurrency or 8, repeats=opts.repeats)
    else:
        result = bench_client(
            opts.answers or 1600,
            concurrency=opts.concurrency or 32,
            repeats=opts.repeats,
            baseline=opts.baseline,
            without_second_opinion=opts.no_second_opinion_too,
        )
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Benchmark the embedded grader (``--backend local``): cold start, batch throughput, install size.

    python benchmarks/bench_local.py [cold|throughput|size|all] [--answers N] [--repeat R]

- **cold**: a fresh process runs ``grader grade --backend local --no-cache`` on a 100-word answer;
  the wall time is reported, and a second fresh process reports the breakdown (interpreter start +
  ``import grader.cli.app``; embedding model load; first grade).
- **throughput**: ``grader batch --backend local`` on a CSV of N distinct ~100-word answers (the
  real batch path: CSV in, JSONL out, no cache), on 2 cores (``taskset``/affinity when available).
  Also the library path ``LocalJudge.judge_many`` in chunks of 16, and the embedding alone on the
  same passages (the ceiling on this machine at that moment; the machine's load average is shown,
  since other processes slow every figure down).
- **size**: installed size of the run-time dependencies the embedded grader needs (onnxruntime,
  tokenizers, numpy and their own dependencies) plus the shipped model files.

Targets (issue): cold start < 2 s; ≥ 20 answers/s on 2 cores; install adds < 200 MB.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

QUESTION = "vid-05"
SENTENCES = [
    "Temporal consistency means that objects, lighting and physics stay stable from one frame to the next.",
    "The most common failure is flickering, where textures or brightness shimmer between frames.",
    "Morphing is another one: a hand or a face slowly warps into a different shape.",
    "Identity drift happens when a character's face changes a little in every shot of the clip.",
    "I check clips frame by frame and compare embeddings of the main character across the video.",
    "To fix problems I regenerate with a fixed seed, lower the motion strength or add a deflicker pass.",
    "Reference images and image-to-video conditioning help keep the subject stable over time.",
    "For longer sequences I split the shot and blend the cuts so the drift never accumulates.",
    "Background elements like trees and water are where shimmering shows up first in my experience.",
    "A final review at full speed catches the problems that are invisible when scrubbing slowly.",
    "Optical flow based checks can flag frames where motion jumps instead of moving smoothly.",
    "Good lighting descriptions in the prompt also reduce sudden exposure changes between frames.",
]


def answer(seed: int, words: int = 100) -> str:
    rng = random.Random(seed)
    out: list[str] = []
    while sum(len(s.split()) for s in out) < words:
        out.append(rng.choice(SENTENCES))
    text = " ".join(out)
    return " ".join(text.split()[:words]).rstrip(",;") + "."


def two_cores_prefix() -> list[str]:
    if sys.platform.startswith("linux") and subprocess.run(["which", "taskset"], capture_output=True).returncode == 0:
        return ["taskset", "-c", "0,1"]
    return []


def cold(repeat: int) -> dict:
    env = {**os.environ, "GRADER_BACKEND": "local"}
    env.pop("OPENAI_API_KEY", None)
    env.pop("OPENAI_BASE_URL", None)
    text = answer(1)
    walls = []
    for _ in range(repeat):
        t = time.perf_counter()
        proc = subprocess.run(
            [
                sys.executable,
                "-m",
                "grader",
                "grade",
                "-q",
                QUESTION,
                "--backend",
                "local",
                "--no-cache",
                "--json",
                "-a",
                text,
            ],
            capture_output=True,
            text=True,
            env=env,
            cwd=REPO,
        )
        walls.append(time.perf_counter() - t)
        if proc.returncode != 0:
            raise SystemExit(f"grade failed: {proc.stderr[-500:]}")
    probe = r"""
import json, sys, time
t0 = time.perf_counter()
import grader.cli.app  # noqa: F401  (what the command imports before grading)
t1 = time.perf_counter()
from grader.judges.local.embedding import get_embedder
get_embedder().load()
t2 = time.perf_counter()
from grader.grading import Grader
from grader.settings import Settings
g = Grader(Settings(backend="local", use_cache=False))
r = g.grade(sys.argv[1], sys.argv[2])
t3 = time.perf_counter()
print(json.dumps({"import_cli": t1 - t0, "model_load": t2 - t1, "first_grade": t3 - t2, "score": r.score}))
"""
    t = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-c", probe, QUESTION, text], capture_output=True, text=True, env=env, cwd=REPO
    )
    total = time.perf_counter() - t
    if proc.returncode != 0:
        raise SystemExit(proc.stderr[-800:])
    parts = json.loads(proc.stdout.strip().splitlines()[-1])
    parts["interpreter_start"] = total - parts["import_cli"] - parts["model_load"] - parts["first_grade"]
    return {"wall_s_median": statistics.median(walls), "wall_s_all": walls, "breakdown_s": parts}


def throughput(n: int, repeat: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "answers.csv"
        with src.open("w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh)
            w.writerow(["candidate_id", "question_id", "answer"])
            for i in range(n):
                w.writerow([f"c{i}", QUESTION, answer(1000 + i)])
        env = {**os.environ, "GRADER_BACKEND": "local", "GRADER_CACHE": str(Path(tmp) / "store.sqlite3")}
        env.pop("OPENAI_API_KEY", None)
        rates = []
        for k in range(repeat):
            out = Path(tmp) / f"out{k}.jsonl"
            t = time.perf_counter()
            proc = subprocess.run(
                [
                    *two_cores_prefix(),
                    sys.executable,
                    "-m",
                    "grader",
                    "batch",
                    str(src),
                    "-o",
                    str(out),
                    "--backend",
                    "local",
                    "--no-cache",
                ],
                capture_output=True,
                text=True,
                env=env,
                cwd=REPO,
            )
            wall = time.perf_counter() - t
            if proc.returncode != 0:
                raise SystemExit(f"batch failed: {proc.stderr[-800:]}")
            graded = sum(1 for line in out.read_text().splitlines() if json.loads(line).get("status") == "graded")
            rates.append(graded / wall)
        # the library path, in-process (no CLI start-up), chunks of 16
        probe = r"""
import sys, time, csv, json
from grader.judges.local.judge import LocalJudge
from grader.rubric import default_bank
rows = list(csv.DictReader(open(sys.argv[1], encoding="utf-8")))
rubric = default_bank().get(rows[0]["question_id"])
judge = LocalJudge()
judge.judge_many([(rubric, rows[0]["answer"])])  # load the model and the rubric vectors
t = time.perf_counter()
for i in range(0, len(rows), 16):
    judge.judge_many([(rubric, r["answer"]) for r in rows[i:i + 16]])
rate = len(rows) / (time.perf_counter() - t)
from grader.judges.local.judge import segments
texts = [s.text for r in rows for s in segments(r["answer"])]
t = time.perf_counter()
judge.embedder.encode(texts)
print(json.dumps({"rate": rate, "encode_only": len(rows) / (time.perf_counter() - t)}))
"""
        proc = subprocess.run(
            [*two_cores_prefix(), sys.executable, "-c", probe, str(src)],
            capture_output=True,
            text=True,
            env=env,
            cwd=REPO,
        )
        lib = json.loads(proc.stdout.strip().splitlines()[-1]) if proc.returncode == 0 else {}
    return {
        "answers": n,
        "words_per_answer": 100,
        "cli_batch_answers_per_s_median": statistics.median(rates),
        "cli_batch_all": rates,
        "library_judge_many_answers_per_s": lib.get("rate"),
        "embedding_only_answers_per_s": lib.get("encode_only"),
        "load_average_1min_after": os.getloadavg()[0],
        "cores": "2 (taskset -c 0,1)" if two_cores_prefix() else f"{os.cpu_count()} (no taskset)",
    }


def _dist_size(dist) -> int:
    total = 0
    for f in dist.files or []:
        p = Path(dist.locate_file(f))
        if p.is_file():
            total += p.stat().st_size
    return total


def _closure(roots: list[str]) -> dict[str, int]:
    """Installed size in bytes of each distribution in the dependency closure of ``roots``."""
    from importlib import metadata

    wanted = list(roots)
    seen: dict[str, int] = {}
    while wanted:
        name = wanted.pop()
        key = name.lower().replace("_", "-")
        if key in seen:
            continue
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            continue
        seen[key] = _dist_size(dist)
        for req in dist.requires or []:
            if "extra ==" in req:
                continue
            dep = req.split(";")[0].strip().split(" ")[0]
            for sep in "<>=!~[(":
                dep = dep.split(sep)[0]
            if dep:
                wanted.append(dep)
    return seen


def size() -> dict:
    import tomllib

    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["dependencies"]
    names = [d.split(";")[0].strip() for d in project]
    for sep in "<>=!~[( ":
        names = [n.split(sep)[0] for n in names]
    local_roots = ["onnxruntime", "tokenizers"]
    seen = _closure([*local_roots, "numpy"])
    base = _closure([n for n in names if n not in local_roots])
    added = {k: v for k, v in seen.items() if k not in base}
    model = sum(p.stat().st_size for p in (REPO / "grader" / "judges" / "local" / "data").rglob("*") if p.is_file())
    mb = {k: round(v / 1e6, 1) for k, v in sorted(seen.items(), key=lambda kv: -kv[1])}
    return {
        "runtime_dependencies_mb": mb,
        "dependencies_total_mb": round(sum(seen.values()) / 1e6, 1),
        "model_and_calibration_mb": round(model / 1e6, 1),
        "total_mb": round((sum(seen.values()) + model) / 1e6, 1),
        "added_over_the_other_dependencies_mb": {
            k: round(v / 1e6, 1) for k, v in sorted(added.items(), key=lambda kv: -kv[1])
        },
        "added_total_mb": round((sum(added.values()) + model) / 1e6, 1),
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("what", nargs="?", default="all", choices=["cold", "throughput", "size", "all"])
    ap.add_argument("--answers", type=int, default=400)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    out = {}
    if args.what in ("size", "all"):
        out["size"] = size()
    if args.what in ("cold", "all"):
        out["cold_start"] = cold(args.repeat)
    if args.what in ("throughput", "all"):
        out["throughput"] = throughput(args.answers, args.repeat)
    print(json.dumps(out, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""``grader batch`` imports no other command module (start-up to the first request, issue 13).

:mod:`grader.cli.app` imports a command's module only when that command runs; ``grader --help``
still lists them all (tests/test_cli_structure.py). Checked in subprocesses from ``sys.modules``:
for ``grader batch --help``, and for a real one-answer batch at the moment it opens its first
connection to the test server.
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

from grader.cli.app import COMMANDS

ROOT = Path(__file__).resolve().parents[1]

#: what a batch must not import before its first request: every other command module, and what
#: only they need
NOT_FOR_BATCH = sorted({f"grader.cli.{m}" for m, _ in COMMANDS} - {"grader.cli.batch"} | {"grader.practice"})

#: records the modules loaded when the process first connects over TCP, then runs ``python -m grader``
PROBE = """
import json, runpy, socket, sys
out, args = sys.argv[1], sys.argv[2:]
connect = socket.socket.connect
def first_connect(self, address):
    if self.family in (socket.AF_INET, socket.AF_INET6) and not hasattr(first_connect, "seen"):
        first_connect.seen = True
        with open(out, "w") as fh:
            json.dump(sorted(sys.modules), fh)
    return connect(self, address)
socket.socket.connect = first_connect
sys.argv = ["grader", *args]
runpy.run_module("grader", run_name="__main__", alter_sys=True)
"""


def _loaded(modules: list[str]) -> list[str]:
    return [m for m in NOT_FOR_BATCH if m in modules]


def test_batch_help_imports_no_other_command():
    code = (
        "import sys\nfrom grader.cli import main\ntry:\n    main(['batch', '--help'])\nexcept SystemExit as e:\n"
        "    assert e.code == 0, e.code\nprint(__import__('json').dumps(sorted(sys.modules)))"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    modules = json.loads(proc.stdout.splitlines()[-1])
    assert "grader.cli.batch" in modules
    assert _loaded(modules) == []


def test_a_batch_imports_no_other_command_before_its_first_request(tmp_path, dev_server):
    server = dev_server()
    src = tmp_path / "answers.csv"
    with src.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["candidate_id", "question_id", "answer"])
        w.writerow(["c1", "vid-05", "Temporal consistency keeps objects and lighting stable across frames."])
    seen = tmp_path / "modules.json"
    env = {**os.environ, "GRADER_STORE": str(tmp_path / "store.sqlite3"), "OPENAI_API_KEY": "test"}
    cmd = [sys.executable, "-c", PROBE, str(seen), "batch", str(src), "-o", str(tmp_path / "out.csv")]
    cmd += ["--model", "m", "--base-url", server.base_url]
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, env=env)
    assert proc.returncode == 0, proc.stderr
    modules = json.loads(seen.read_text(encoding="utf-8"))
    assert "grader.judges.openai_api" in modules  # it did get as far as the request
    assert _loaded(modules) == []


def test_the_whole_app_still_has_every_command():
    from grader.cli import app

    names = {c.name for c in app.app.registered_commands} | {g.name for g in app.app.registered_groups}
    assert names == {name for _, ns in COMMANDS for name in ns}

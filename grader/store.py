"""The local SQLite store: result cache / batch ledger, practice attempts.

One file (default ``<user data dir>/grader/grader.sqlite3``, ``GRADER_STORE`` to move it). WAL mode,
every write in a transaction, so a kill at any moment leaves a consistent file.

Tables:
- ``results(key PRIMARY KEY, question_id, status, result_json, created_at)``: a finished grade keyed
  by the hash of (grading settings, model, prompt version, rubric hash, answer). Re-grading the same
  answer with the same settings is served from here and costs nothing.
- ``attempts``: practice history (one row per practice answer).
- ``batch_jobs``: the OpenAI Batch API ledger (:mod:`grader.batch_api`). One row per submitted
  input file (a chunk), keyed by the output path and the sha256 of the input file: our job id (also
  in the batch's metadata), the batch and input-file ids, the state (``uploaded`` → ``submitted`` →
  ``collected``, or ``abandoned``), the last status seen on the server, and the mapping
  ``custom_id → [row, …]`` needed to write the results of a job picked up by another process.
- ``examples``: graded examples (human-graded answers, :mod:`grader.examples`): question id, answer,
  human score and/or per-criterion levels (``levels_json``), note, bank scope, source, author, time.
- ``overrides``: the review trail of ``grader review`` (:mod:`grader.review`). One row per human
  decision on a results row — accept, a criterion's level, or the score — keyed by the results file's
  identity and the row (candidate id, question id, answer sha256), with the old and new value, the
  reason, the reviewer and the time. Each decision is committed the moment it is made.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from grader.errors import ConfigError
from grader.result import GradeResult
from grader.store_schema import (
    ATTEMPT_COLUMNS,
    BATCH_JOB_COLUMNS,
    BATCH_JOB_UPDATABLE,
    EXAMPLE_COLUMNS,
    OVERRIDE_COLUMNS,
    SCHEMA,
)

__all__ = ["Store", "EXAMPLE_COLUMNS"]


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class Store:
    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._conn = sqlite3.connect(str(self.path), timeout=30, check_same_thread=False, isolation_level=None)
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute("PRAGMA synchronous=NORMAL")
            self._conn.executescript(SCHEMA)
        except (OSError, sqlite3.DatabaseError) as e:
            raise ConfigError(
                f"cannot open the store {self.path}: {e}",
                setting="store",
                hint="set GRADER_STORE to a writable file path",
            ) from None
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

    # -- practice attempts ---------------------------------------------------------------------

    def add_attempt(self, result: GradeResult, answer: str, *, section: str = "", user: str = "me") -> int:
        with self._lock:
            cur = self._conn.execute(
                "INSERT INTO attempts(user, question_id, section, answer, score, max_score, percent, backend, "
                "result_json, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    user,
                    result.question_id,
                    section,
                    answer,
                    result.score,
                    result.max_score,
                    result.percent,
                    result.backend,
                    result.model_dump_json(),
                    _now(),
                ),
            )
            rowid = cur.lastrowid
            assert rowid is not None  # set by every successful INSERT
            return rowid

    def attempts(self, *, user: str = "me", question_id: str | None = None) -> list[dict[str, Any]]:
        sql = f"SELECT {', '.join(ATTEMPT_COLUMNS)} FROM attempts WHERE user = ?"
        args: list[object] = [user]
        if question_id:
            sql += " AND question_id = ?"
            args.append(question_id)
        sql += " ORDER BY id"
        with self._lock:
            rows = self._conn.execute(sql, args).fetchall()
        return [dict(zip(ATTEMPT_COLUMNS, r)) for r in rows]

    def get_attempt(self, attempt_id: int, *, user: str = "me") -> dict[str, Any] | None:
        """One practice attempt by id (same keys as :meth:`attempts`), or None."""
        with self._lock:
            row = self._conn.execute(
                f"SELECT {', '.join(ATTEMPT_COLUMNS)} FROM attempts WHERE user = ? AND id = ?", (user, attempt_id)
            ).fetchone()
        return dict(zip(ATTEMPT_COLUMNS, row)) if row else None

    # -- Batch API ledger ----------------------------------------------------------------------

    def add_batch_job(
        self,
        *,
        job_id: str,
        output_path: str,
        input_sha256: str,
        settings_key: str,
        model: str,
        chunk: int,
        mapping: dict[str, list[int]],
        input_file_id: str | None = None,
        state: str = "uploaded",
    ) -> None:
        now = _now()
        placeholders = ", ".join("?" * len(BATCH_JOB_COLUMNS))
        with self._lock:
            self._conn.execute(
                f"INSERT INTO batch_jobs({', '.join(BATCH_JOB_COLUMNS)}) VALUES ({placeholders})",
                (
                    job_id,
                    output_path,
                    input_sha256,
                    settings_key,
                    model,
                    chunk,
                    state,
                    None,
                    input_file_id,
                    "",
                    len(mapping),
                    json.dumps(mapping, separators=(",", ":")),
                    now,
                    now,
                ),
            )

    def update_batch_job(self, job_id: str, **fields: object) -> None:
        unknown = set(fields) - BATCH_JOB_UPDATABLE
        if unknown:
            raise ValueError(f"cannot update batch job field(s) {sorted(unknown)}")
        if not fields:
            return
        sets = ", ".join(f"{k} = ?" for k in fields)
        with self._lock:
            self._conn.execute(
                f"UPDATE batch_jobs SET {sets}, updated_at = ? WHERE job_id = ?", (*fields.values(), _now(), job_id)
            )

    def batch_jobs(self, output_path: str, input_sha256: str | None = None) -> list[dict[str, Any]]:
        """The ledger's jobs for an output file (and input file, when given), oldest first, with
        ``mapping`` decoded."""
        sql = f"SELECT {', '.join(BATCH_JOB_COLUMNS)} FROM batch_jobs WHERE output_path = ?"
        args: list[object] = [output_path]
        if input_sha256 is not None:
            sql += " AND input_sha256 = ?"
            args.append(input_sha256)
        sql += " ORDER BY rowid"
        with self._lock:
            rows = self._conn.execute(sql, args).fetchall()
        out = []
        for r in rows:
            job = dict(zip(BATCH_JOB_COLUMNS, r))
            job["mapping"] = json.loads(job.pop("mapping_json"))
            out.append(job)
        return out

    # -- graded examples (the typed API is grader.examples) ------------------------------------

    def add_example_rows(self, rows: list[dict[str, Any]]) -> list[int]:
        """Insert graded-example rows (keys: :data:`EXAMPLE_COLUMNS` but ``id``) in ONE transaction:
        all are stored or none. Returns their new ids, in order."""
        cols = EXAMPLE_COLUMNS[1:]
        sql = f"INSERT INTO examples({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})"
        ids: list[int] = []
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                for row in rows:
                    cur = self._conn.execute(sql, tuple(row.get(c) for c in cols))
                    assert cur.lastrowid is not None  # set by every successful INSERT
                    ids.append(cur.lastrowid)
                self._conn.execute("COMMIT")
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
        return ids

    def example_rows(self, question_id: str | None = None, bank: str | None = None) -> list[dict[str, Any]]:
        """Graded-example rows, oldest first; ``bank`` keeps that bank's and the unscoped (``""``) ones."""
        sql = f"SELECT {', '.join(EXAMPLE_COLUMNS)} FROM examples WHERE 1 = 1"
        args: list[object] = []
        if question_id is not None:
            sql += " AND question_id = ?"
            args.append(question_id)
        if bank is not None:
            sql += " AND bank IN (?, '')"
            args.append(bank)
        sql += " ORDER BY id"
        with self._lock:
            rows = self._conn.execute(sql, args).fetchall()
        return [dict(zip(EXAMPLE_COLUMNS, r)) for r in rows]

    def remove_example_row(self, example_id: int) -> bool:
        """Delete one graded example; whether it existed."""
        with self._lock:
            cur = self._conn.execute("DELETE FROM examples WHERE id = ?", (example_id,))
        return cur.rowcount > 0

    # -- review decisions (grader review) --------------------------------------------------------

    def add_override(self, **fields: object) -> int:
        """Record one review decision (the columns of ``overrides`` but ``id`` and ``created_at``, which
        may be given); committed before returning, so a kill right after loses nothing."""
        row = {k: v for k, v in fields.items() if k in OVERRIDE_COLUMNS and k != "id"}
        row.setdefault("created_at", _now())
        cols = ", ".join(row)
        with self._lock:
            cur = self._conn.execute(
                f"INSERT INTO overrides({cols}) VALUES ({', '.join('?' * len(row))})", tuple(row.values())
            )
            rowid = cur.lastrowid
            assert rowid is not None  # set by every successful INSERT
            return rowid

    def set_override_example(self, override_id: int, example_id: int) -> None:
        """Link a decision to the graded example it became."""
        with self._lock:
            self._conn.execute("UPDATE overrides SET example_id = ? WHERE id = ?", (example_id, override_id))

    def overrides(self, results_id: str | None = None) -> list[dict[str, Any]]:
        """The review decisions (of one results file, when given), oldest first."""
        sql = f"SELECT {', '.join(OVERRIDE_COLUMNS)} FROM overrides"
        args: tuple[str, ...] = ()
        if results_id is not None:
            sql, args = sql + " WHERE results_id = ?", (results_id,)
        with self._lock:
            rows = self._conn.execute(sql + " ORDER BY id", args).fetchall()
        return [dict(zip(OVERRIDE_COLUMNS, r)) for r in rows]

    def close(self) -> None:
        with self._lock:
            self._conn.close()

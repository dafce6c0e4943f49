"""The local store's tables (:mod:`grader.store`): the SQL that creates them and the column orders the
store reads and writes. The tables are described in :mod:`grader.store`'s docstring.
"""

from __future__ import annotations

__all__ = [
    "SCHEMA",
    "BATCH_JOB_COLUMNS",
    "BATCH_JOB_UPDATABLE",
    "EXAMPLE_COLUMNS",
    "OVERRIDE_COLUMNS",
    "ATTEMPT_COLUMNS",
]

SCHEMA = """
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
CREATE TABLE IF NOT EXISTS batch_jobs (
    job_id TEXT PRIMARY KEY,
    output_path TEXT NOT NULL,
    input_sha256 TEXT NOT NULL,
    settings_key TEXT NOT NULL,
    model TEXT NOT NULL,
    chunk INTEGER NOT NULL,
    state TEXT NOT NULL,
    batch_id TEXT,
    input_file_id TEXT,
    batch_status TEXT NOT NULL DEFAULT '',
    request_count INTEGER NOT NULL,
    mapping_json TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS batch_jobs_out ON batch_jobs(output_path, input_sha256);
CREATE TABLE IF NOT EXISTS examples (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    question_id TEXT NOT NULL,
    answer TEXT NOT NULL,
    score REAL,
    max_score REAL,
    levels_json TEXT,
    note TEXT NOT NULL DEFAULT '',
    bank TEXT NOT NULL DEFAULT '',
    source TEXT NOT NULL DEFAULT 'import',
    author TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS examples_q ON examples(question_id, bank);
CREATE TABLE IF NOT EXISTS overrides (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    results_id TEXT NOT NULL,
    candidate_id TEXT NOT NULL,
    question_id TEXT NOT NULL,
    answer_sha256 TEXT NOT NULL,
    kind TEXT NOT NULL,
    criterion_id TEXT NOT NULL DEFAULT '',
    old_value TEXT NOT NULL DEFAULT '',
    new_value TEXT NOT NULL DEFAULT '',
    reason TEXT NOT NULL DEFAULT '',
    reviewer TEXT NOT NULL DEFAULT '',
    example_id INTEGER,
    created_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS overrides_row ON overrides(results_id, candidate_id, question_id, answer_sha256);
"""

BATCH_JOB_COLUMNS = (
    "job_id",
    "output_path",
    "input_sha256",
    "settings_key",
    "model",
    "chunk",
    "state",
    "batch_id",
    "input_file_id",
    "batch_status",
    "request_count",
    "mapping_json",
    "created_at",
    "updated_at",
)
#: The columns of a graded example, in the order :meth:`Store.example_rows` returns them.
EXAMPLE_COLUMNS = (
    "id",
    "question_id",
    "answer",
    "score",
    "max_score",
    "levels_json",
    "note",
    "bank",
    "source",
    "author",
    "created_at",
)
OVERRIDE_COLUMNS = (
    "id",
    "results_id",
    "candidate_id",
    "question_id",
    "answer_sha256",
    "kind",
    "criterion_id",
    "old_value",
    "new_value",
    "reason",
    "reviewer",
    "example_id",
    "created_at",
)
BATCH_JOB_UPDATABLE = frozenset({"state", "batch_id", "input_file_id", "batch_status"})


#: The columns of a practice attempt, in the order :meth:`Store.attempts` returns them.
ATTEMPT_COLUMNS = (
    "id",
    "question_id",
    "section",
    "answer",
    "score",
    "max_score",
    "percent",
    "backend",
    "result_json",
    "created_at",
)

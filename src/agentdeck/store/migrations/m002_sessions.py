"""Work sessions: recorded live (``session start``/``end``) or imported from notes.

One table serves both because the notes, history and hand-off render from
either. Live sessions fill ``baseline``/``evidence``/``usage``/``tests``
(JSON documents measured by agentdeck); imported ones fill ``when_text``,
``metrics`` (claimed numbers, kept as written), ``source`` (file:line) and
``import_key`` (the natural key that makes a second import a no-op).
Per-item detail lives in child tables so it can be listed and counted:
log entries, task links, commits and files. Booleans are 0/1 integers on
both databases so rows read the same everywhere.
"""

SQL = """
CREATE TABLE sessions (
    num {identity},
    id TEXT NOT NULL UNIQUE,
    agent TEXT NOT NULL DEFAULT '',
    objective TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL CHECK (status IN ('open', 'ended', 'abandoned', 'imported')),
    branch TEXT,
    started_at TEXT,
    ended_at TEXT,
    day TEXT,
    when_text TEXT,
    duration_minutes REAL,
    duration_text TEXT,
    baseline TEXT,
    evidence TEXT,
    usage TEXT,
    tests TEXT,
    verification TEXT,
    metrics TEXT,
    source TEXT,
    import_key TEXT UNIQUE,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX sessions_status ON sessions (status, agent);
CREATE INDEX sessions_day ON sessions (day);

CREATE TABLE session_entries (
    num {identity},
    session_id TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    text TEXT NOT NULL,
    at TEXT,
    parent INTEGER,
    source TEXT
);
CREATE INDEX session_entries_session ON session_entries (session_id, num);

CREATE TABLE session_tasks (
    session_id TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    task_id TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('planned', 'completed', 'found', 'worked')),
    title TEXT,
    PRIMARY KEY (session_id, task_id, role)
);
CREATE INDEX session_tasks_task ON session_tasks (task_id);

CREATE TABLE session_commits (
    session_id TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    sha TEXT NOT NULL,
    position INTEGER NOT NULL,
    subject TEXT NOT NULL,
    author TEXT NOT NULL,
    committed_at TEXT NOT NULL,
    PRIMARY KEY (session_id, sha)
);

CREATE TABLE session_files (
    num {identity},
    session_id TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    path TEXT NOT NULL,
    old_path TEXT,
    change TEXT NOT NULL
        CHECK (change IN ('created', 'modified', 'deleted', 'renamed', 'mentioned')),
    added INTEGER,
    removed INTEGER,
    is_binary INTEGER NOT NULL DEFAULT 0,
    category TEXT,
    language TEXT,
    claimed_lines INTEGER,
    claimed_chars INTEGER,
    source TEXT
);
CREATE INDEX session_files_session ON session_files (session_id, path);
"""

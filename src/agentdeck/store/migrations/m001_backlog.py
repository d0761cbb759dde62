"""The task backlog: tasks, tags, dependencies, the event log, ID sequences, search.

Why the shape: ``num`` is an integer key so SQLite's full-text index can follow
rows through VACUUM (an implicit rowid may change; an INTEGER PRIMARY KEY does
not); ``id`` is the public ``TASK-YYYYMMDD-NNN``. Timestamps are ISO text in UTC
(see ``agentdeck.clock``). Acceptance criteria are a JSON checklist: they are
read with the task and never filtered on. Tags and dependencies are tables
because ``task list --tag`` and readiness filter on them.
"""

SQL = """
CREATE TABLE id_sequences (
    prefix TEXT NOT NULL,
    day TEXT NOT NULL,
    last INTEGER NOT NULL,
    PRIMARY KEY (prefix, day)
);

CREATE TABLE tasks (
    num {identity},
    id TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL DEFAULT 'todo'
        CHECK (status IN ('todo', 'in_progress', 'blocked', 'review', 'done', 'cancelled')),
    priority TEXT NOT NULL DEFAULT 'medium'
        CHECK (priority IN ('critical', 'high', 'medium', 'low')),
    category TEXT NOT NULL DEFAULT '',
    effort TEXT CHECK (effort IS NULL OR effort IN ('S', 'M', 'L', 'XL')),
    assignee TEXT,
    notes TEXT NOT NULL DEFAULT '',
    acceptance TEXT NOT NULL DEFAULT '[]',
    blocked_reason TEXT,
    found_in_session TEXT,
    completed_in_session TEXT,
    source TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    started_at TEXT,
    completed_at TEXT,
    archived_at TEXT
);
CREATE INDEX tasks_open ON tasks (archived_at, status);
CREATE INDEX tasks_completed ON tasks (completed_at);

CREATE TABLE task_tags (
    task_id TEXT NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
    tag TEXT NOT NULL,
    PRIMARY KEY (task_id, tag)
);
CREATE INDEX task_tags_tag ON task_tags (tag);

CREATE TABLE task_deps (
    task_id TEXT NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
    depends_on TEXT NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
    PRIMARY KEY (task_id, depends_on),
    CHECK (task_id <> depends_on)
);
CREATE INDEX task_deps_on ON task_deps (depends_on);

CREATE TABLE task_events (
    num {identity},
    task_id TEXT NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    kind TEXT NOT NULL,
    from_status TEXT,
    to_status TEXT,
    note TEXT,
    data TEXT,
    session_id TEXT
);
CREATE INDEX task_events_task ON task_events (task_id, num);
"""

SQLITE = """
CREATE VIRTUAL TABLE tasks_fts USING fts5(
    title, description, notes,
    content = 'tasks', content_rowid = 'num', tokenize = 'porter unicode61'
);
CREATE TRIGGER tasks_fts_insert AFTER INSERT ON tasks BEGIN
    INSERT INTO tasks_fts (rowid, title, description, notes)
    VALUES (new.num, new.title, new.description, new.notes);
END;
CREATE TRIGGER tasks_fts_delete AFTER DELETE ON tasks BEGIN
    INSERT INTO tasks_fts (tasks_fts, rowid, title, description, notes)
    VALUES ('delete', old.num, old.title, old.description, old.notes);
END;
CREATE TRIGGER tasks_fts_update AFTER UPDATE OF title, description, notes ON tasks BEGIN
    INSERT INTO tasks_fts (tasks_fts, rowid, title, description, notes)
    VALUES ('delete', old.num, old.title, old.description, old.notes);
    INSERT INTO tasks_fts (rowid, title, description, notes)
    VALUES (new.num, new.title, new.description, new.notes);
END;
"""

POSTGRESQL = """
ALTER TABLE tasks ADD COLUMN search tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('english', title), 'A')
    || setweight(to_tsvector('english', description), 'B')
    || setweight(to_tsvector('english', notes), 'C')
) STORED;
CREATE INDEX tasks_search ON tasks USING GIN (search);
"""

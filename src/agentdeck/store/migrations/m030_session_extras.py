"""What live sessions need beyond m002.

* ``sessions.notes_rendered_at``: set once the report, history and hand-off of
  an ended session are written. ``session end`` commits the measured evidence
  first and renders afterwards; a process killed in between leaves this empty,
  and the next ``session end`` finishes the notes instead of measuring again.
* ``sessions_one_open``: at most one open session per agent, enforced by the
  database so two racing ``session start`` calls cannot both win.
* Per-commit line counts (``files``, ``added``, ``removed``) and a merge flag
  for the commits table of the report.
"""

SQL = """
ALTER TABLE sessions ADD COLUMN notes_rendered_at TEXT;
CREATE UNIQUE INDEX sessions_one_open ON sessions (agent) WHERE status = 'open';
ALTER TABLE session_commits ADD COLUMN files INTEGER;
ALTER TABLE session_commits ADD COLUMN added INTEGER;
ALTER TABLE session_commits ADD COLUMN removed INTEGER;
ALTER TABLE session_commits ADD COLUMN is_merge INTEGER NOT NULL DEFAULT 0;
"""

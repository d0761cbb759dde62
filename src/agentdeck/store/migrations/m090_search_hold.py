"""Tasks written in bulk are indexed for search once, at the end (SQLite): ``search_hold``.

SQLite's full-text table writes its pending index out as a new segment at
every savepoint and every statement that touches it inside one. The notes
importer writes each file in a savepoint, a few tasks a statement, so the
index trigger was more than half the cost of inserting a task: 0.8 s of the
1.5 s its task inserts took on the 21 MB corpus of 2,468 notes, against
0.04 s for indexing the same 6,845 tasks in one statement.

``search_hold`` holds at most one row, and only inside a writer's transaction
(``Store.search_deferred`` writes it after ``BEGIN`` and deletes it before
``COMMIT``, so no other connection ever sees it). While it is there the
triggers leave tasks numbered above ``since`` (those inserted since: ``num``
only grows) out of ``tasks_fts``, and ``search_deferred`` indexes them all in
one statement at the end. A task numbered at or below ``since`` is indexed
as before, so the index holds exactly the tasks at or below ``since`` at
every moment of the hold.

PostgreSQL's search vector is a generated column: nothing to defer there.
"""

_COLUMNS = "title, description, notes"

SQLITE = f"""
CREATE TABLE search_hold (since INTEGER NOT NULL);
DROP TRIGGER tasks_fts_insert;
DROP TRIGGER tasks_fts_delete;
DROP TRIGGER tasks_fts_update;
CREATE TRIGGER tasks_fts_insert AFTER INSERT ON tasks
WHEN NOT EXISTS (SELECT 1 FROM search_hold WHERE new.num > since) BEGIN
    INSERT INTO tasks_fts (rowid, {_COLUMNS})
    VALUES (new.num, new.title, new.description, new.notes);
END;
CREATE TRIGGER tasks_fts_delete AFTER DELETE ON tasks
WHEN NOT EXISTS (SELECT 1 FROM search_hold WHERE old.num > since) BEGIN
    INSERT INTO tasks_fts (tasks_fts, rowid, {_COLUMNS})
    VALUES ('delete', old.num, old.title, old.description, old.notes);
END;
CREATE TRIGGER tasks_fts_update AFTER UPDATE OF {_COLUMNS} ON tasks
WHEN NOT EXISTS (SELECT 1 FROM search_hold WHERE old.num > since) BEGIN
    INSERT INTO tasks_fts (tasks_fts, rowid, {_COLUMNS})
    VALUES ('delete', old.num, old.title, old.description, old.notes);
    INSERT INTO tasks_fts (rowid, {_COLUMNS})
    VALUES (new.num, new.title, new.description, new.notes);
END;
"""

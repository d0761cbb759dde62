"""What each task's links imply, kept up to date by the database: ``task_derived``.

``next`` and ``task list`` rank thousands of tasks on every call, and each
rank needs two counts that live in other rows: how many of a task's
dependencies are unfinished (it is *ready* at zero) and how many open tasks
wait on it (the "unblocks" part of the urgency score). Counting them per row
at read time was most of ``next``'s query and half of ``task list --json``'s
at 10,000 tasks. They are now kept per task, with the task's tags and
dependencies as sorted JSON arrays (what ``task list --json`` prints), by
triggers on every table they come from, so no writer (the CLI, the backlog
import, the notes importer) can forget them.

One row per task, created by a trigger when the task is, removed with it.
A change recomputes the counts of the tasks it touches from the source rows
(never ``+ 1``/``- 1``), so a derived row is always what a full recount gives;
``tests/backlog/test_task_derived.py`` holds that after random changes.

Why a table of its own rather than columns of ``tasks``: on PostgreSQL two
agents finishing two tasks that depend on each other at the same moment
would each hold its own task's row and need the other's (a deadlock). Here
each writer holds its task's row in ``tasks`` and the derived rows it
changes, which it locks in ID order.
"""

# Expressions over the derived row ``task_derived`` (SQLite and PostgreSQL alike).
_OPEN_DEPS = (
    "(SELECT count(*) FROM task_deps d JOIN tasks x ON x.id = d.depends_on "
    "WHERE d.task_id = task_derived.task_id AND x.status NOT IN ('done', 'cancelled'))"
)
_WAITING = (
    "(SELECT count(*) FROM task_deps d JOIN tasks w ON w.id = d.task_id "
    "WHERE d.depends_on = task_derived.task_id AND w.status NOT IN ('done', 'cancelled') "
    "AND w.archived_at IS NULL)"
)
_SQLITE_TAGS = (
    "(SELECT json_group_array(tag) FROM (SELECT g.tag FROM task_tags g "
    "WHERE g.task_id = task_derived.task_id ORDER BY g.tag))"
)
_SQLITE_DEPS = (
    "(SELECT json_group_array(depends_on) FROM (SELECT d.depends_on FROM task_deps d "
    "WHERE d.task_id = task_derived.task_id ORDER BY d.depends_on))"
)
_PG_TAGS = (
    "COALESCE((SELECT json_agg(g.tag ORDER BY g.tag) FROM task_tags g "
    "WHERE g.task_id = task_derived.task_id)::text, '[]')"
)
_PG_DEPS = (
    "COALESCE((SELECT json_agg(d.depends_on ORDER BY d.depends_on) FROM task_deps d "
    "WHERE d.task_id = task_derived.task_id)::text, '[]')"
)


def _refresh(tags: str, deps: str, where: str) -> str:
    return (
        f"UPDATE task_derived SET open_deps = {_OPEN_DEPS}, waiting = {_WAITING}, "
        f"tags = {tags}, depends_on = {deps} WHERE {where}"
    )


SQL = """
CREATE TABLE task_derived (
    task_id TEXT PRIMARY KEY REFERENCES tasks (id) ON DELETE CASCADE,
    open_deps INTEGER NOT NULL DEFAULT 0,
    waiting INTEGER NOT NULL DEFAULT 0,
    tags TEXT NOT NULL DEFAULT '[]',
    depends_on TEXT NOT NULL DEFAULT '[]'
);
INSERT INTO task_derived (task_id) SELECT id FROM tasks;
"""

# A status change matters to the counts only when the task moves between open
# and finished, or in or out of the archive: claiming a task (todo ->
# in_progress) touches no other row.
_OPENNESS_CHANGED = (
    "(old.status IN ('done', 'cancelled')) IS NOT (new.status IN ('done', 'cancelled')) "
    "OR (old.archived_at IS NULL) IS NOT (new.archived_at IS NULL)"
)

SQLITE = f"""
{_refresh(_SQLITE_TAGS, _SQLITE_DEPS, "1 = 1")};
CREATE TRIGGER task_derived_new AFTER INSERT ON tasks BEGIN
    INSERT INTO task_derived (task_id) VALUES (new.id);
END;
CREATE TRIGGER task_derived_status AFTER UPDATE OF status, archived_at ON tasks
WHEN {_OPENNESS_CHANGED} BEGIN
    {_refresh(_SQLITE_TAGS, _SQLITE_DEPS, "task_id IN (SELECT task_id FROM task_deps WHERE depends_on = new.id UNION SELECT depends_on FROM task_deps WHERE task_id = new.id)")};
END;
CREATE TRIGGER task_derived_dep_added AFTER INSERT ON task_deps BEGIN
    {_refresh(_SQLITE_TAGS, _SQLITE_DEPS, "task_id IN (new.task_id, new.depends_on)")};
END;
CREATE TRIGGER task_derived_dep_removed AFTER DELETE ON task_deps BEGIN
    {_refresh(_SQLITE_TAGS, _SQLITE_DEPS, "task_id IN (old.task_id, old.depends_on)")};
END;
CREATE TRIGGER task_derived_tag_added AFTER INSERT ON task_tags BEGIN
    UPDATE task_derived SET tags = {_SQLITE_TAGS} WHERE task_id = new.task_id;
END;
CREATE TRIGGER task_derived_tag_removed AFTER DELETE ON task_tags BEGIN
    UPDATE task_derived SET tags = {_SQLITE_TAGS} WHERE task_id = old.task_id;
END;
"""

POSTGRESQL = f"""
{_refresh(_PG_TAGS, _PG_DEPS, "1 = 1")};

CREATE FUNCTION task_derived_refresh(ids text[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    -- Lock the rows in ID order first: writers whose changes touch the same
    -- tasks then queue instead of deadlocking.
    PERFORM 1 FROM task_derived WHERE task_id = ANY(ids) ORDER BY task_id FOR UPDATE;
    {_refresh(_PG_TAGS, _PG_DEPS, "task_id = ANY(ids)")};
END $$;

CREATE FUNCTION task_derived_on_task() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO task_derived (task_id) VALUES (NEW.id);
    ELSE
        PERFORM task_derived_refresh(ARRAY(
            SELECT task_id FROM task_deps WHERE depends_on = NEW.id
            UNION SELECT depends_on FROM task_deps WHERE task_id = NEW.id));
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER task_derived_new AFTER INSERT ON tasks
    FOR EACH ROW EXECUTE FUNCTION task_derived_on_task();
CREATE TRIGGER task_derived_status AFTER UPDATE OF status, archived_at ON tasks
    FOR EACH ROW WHEN ({_OPENNESS_CHANGED.replace(" IS NOT ", " IS DISTINCT FROM ")})
    EXECUTE FUNCTION task_derived_on_task();

CREATE FUNCTION task_derived_on_link() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    link record;
BEGIN
    IF TG_OP = 'DELETE' THEN link := OLD; ELSE link := NEW; END IF;
    IF TG_TABLE_NAME = 'task_deps' THEN
        PERFORM task_derived_refresh(ARRAY[link.task_id, link.depends_on]);
    ELSE
        PERFORM task_derived_refresh(ARRAY[link.task_id]);
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER task_derived_deps AFTER INSERT OR DELETE ON task_deps
    FOR EACH ROW EXECUTE FUNCTION task_derived_on_link();
CREATE TRIGGER task_derived_tags AFTER INSERT OR DELETE ON task_tags
    FOR EACH ROW EXECUTE FUNCTION task_derived_on_link();
"""

"""Archive: finished tasks leave the active list and are indexed in ``TASK_INDEX.md``."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from agentdeck import clock
from agentdeck.backlog.markdown import render_task_index
from agentdeck.backlog.model import Task
from agentdeck.backlog.tasks import default_actor, load_tasks, record_event
from agentdeck.fsutil import write_atomic
from agentdeck.store import Store


def archive_finished(
    store: Store, before: datetime, *, actor: str | None = None, dry_run: bool = False
) -> list[Task]:
    """Archive done and cancelled tasks completed before ``before``; return them.

    Archived tasks keep every field and event; they drop out of ``task list``
    and ``next`` and show with ``task list --all`` and in ``TASK_INDEX.md``.
    """
    actor = actor or default_actor()
    cutoff = clock.to_text(before)
    where = "t.status IN ('done', 'cancelled') AND t.archived_at IS NULL AND t.completed_at < ?"
    if dry_run:
        return load_tasks(store, where + " ORDER BY t.completed_at, t.num", (cutoff,))
    now = clock.now_text()
    with store.transaction():
        tasks = load_tasks(store, where + " ORDER BY t.completed_at, t.num", (cutoff,))
        for task in tasks:
            store.execute(
                "UPDATE tasks SET archived_at = ?, updated_at = ? WHERE id = ?", (now, now, task.id)
            )
            record_event(
                store, task.id, actor, "archived", note=f"finished before {cutoff[:10]}", at=now
            )
            task.archived_at = now
    return tasks


def write_task_index(store: Store, path: Path) -> int:
    """Render every archived task into ``path`` atomically; return how many it lists."""
    archived = load_tasks(store, "t.archived_at IS NOT NULL")
    write_atomic(path, render_task_index(archived, generated_at=clock.now_text()))
    return len(archived)

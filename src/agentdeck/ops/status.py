"""``agentdeck status``: one screen for a person or an agent.

Backlog counts by status, open sessions, the newest monitor round, whether a
monitor runs, the newest backup (``agentdeck.ops.backup.latest``) and the
last test run (``agentdeck.ops.testrun.last_run``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from agentdeck import clock
from agentdeck.errors import AgentdeckError

if TYPE_CHECKING:
    from agentdeck.workspace import Workspace

_STATUSES = ("todo", "in_progress", "blocked", "review", "done", "cancelled")


@dataclass
class Overview:
    """What ``status`` shows; every part is a plain dict (see ``to_dict``)."""

    at: str
    backlog: dict[str, Any]
    sessions: dict[str, Any]
    health: dict[str, Any] | None
    monitor: dict[str, Any]
    backup: dict[str, Any]
    tests: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return {
            "at": self.at,
            "backlog": self.backlog,
            "sessions": self.sessions,
            "last_health_round": self.health,
            "monitor": self.monitor,
            "backup": self.backup,
            "tests": self.tests,
        }


def _newest(read: Callable[[], Any]) -> dict[str, Any]:
    """``{"latest": record or None, "error": None or why}`` from another capability.

    A capability that cannot read its own state (a backup destination that does
    not answer, say) becomes an error line instead of hiding the whole screen.
    """
    try:
        found = read()
    except (AgentdeckError, OSError) as err:
        return {"latest": None, "error": str(err)}
    return {"latest": found.to_dict() if found is not None else None, "error": None}


def overview(ws: Workspace) -> Overview:
    """Gather the status screen's parts from the store and the other capabilities."""
    from agentdeck.ops import backup, testrun
    from agentdeck.ops.monitor import history, monitor_info

    store = ws.store
    counts = {s: 0 for s in _STATUSES}
    for row in store.query(
        "SELECT status, count(*) AS n FROM tasks WHERE archived_at IS NULL GROUP BY status"
    ):
        counts[row["status"]] = int(row["n"])
    archived = int(store.query_value("SELECT count(*) FROM tasks WHERE archived_at IS NOT NULL"))
    open_rows = store.query(
        "SELECT id, agent, objective, started_at FROM sessions WHERE status = 'open' "
        "ORDER BY started_at DESC"
    )
    sessions = {
        "open": len(open_rows),
        "list": [dict(r) for r in open_rows[:10]],
    }
    latest = history.latest_round(store)
    health = None
    if latest is not None:
        health = {k: v for k, v in latest.to_dict().items() if k != "results"}
        health["problems"] = [r for r in latest.results if r["status"] != "OK"]
    return Overview(
        clock.now_text(),
        {
            "open": sum(counts[s] for s in ("todo", "in_progress", "blocked", "review")),
            "by_status": counts,
            "archived": archived,
        },
        sessions,
        health,
        monitor_info(ws.state_dir).to_dict(),
        _newest(lambda: backup.latest(ws)),
        _newest(lambda: testrun.last_run(store)),
    )

"""Demo chapter: the backlog."""

from __future__ import annotations

import json
from datetime import timedelta

from agentdeck import clock
from agentdeck.demo import Tour

TITLE = "The backlog: add, pick the next task, claim it, finish it, archive"

# (title, priority, category, effort, days old, status, depends on (indexes), tags)
_BACKLOG = [
    (
        "Add health check endpoint",
        "high",
        "infrastructure/monitoring",
        "M",
        20,
        "done",
        [],
        ["ops"],
    ),
    ("Nightly database backup", "critical", "infrastructure/backup", "M", 19, "done", [], ["ops"]),
    ("Restore drill for backups", "high", "infrastructure/backup", "S", 18, "todo", [1], ["ops"]),
    ("Client onboarding script", "high", "business/automation", "L", 17, "done", [], []),
    ("Validate client configuration", "medium", "business/automation", "S", 16, "todo", [3], []),
    (
        "Financial dashboard component",
        "medium",
        "business/financial",
        "L",
        15,
        "todo",
        [],
        ["frontend"],
    ),
    ("ROI calculation module", "high", "business/financial", "M", 15, "done", [], []),
    ("Churn risk scoring", "medium", "business/financial", "M", 14, "todo", [6], []),
    (
        "Structured logging for API",
        "medium",
        "infrastructure/logging",
        "S",
        14,
        "in_progress",
        [],
        ["ops"],
    ),
    ("Log rotation policy", "low", "infrastructure/logging", "S", 13, "todo", [8], ["ops"]),
    (
        "Alert on failed backups",
        "high",
        "infrastructure/monitoring",
        "S",
        12,
        "todo",
        [1, 0],
        ["ops"],
    ),
    ("Disaster recovery runbook", "medium", "docs/operations", "M", 12, "todo", [2], ["docs"]),
    ("Bundle size budget in CI", "medium", "build/performance", "S", 11, "todo", [], ["ci"]),
    (
        "Code splitting for dashboard",
        "low",
        "build/performance",
        "M",
        11,
        "todo",
        [5, 12],
        ["frontend"],
    ),
    ("Rate limiting on public API", "critical", "security/api", "M", 10, "todo", [], ["security"]),
    ("Rotate leaked JWT secret", "critical", "security/auth", "S", 3, "blocked", [], ["security"]),
    ("Password reset flow", "high", "security/auth", "M", 9, "todo", [15], ["security"]),
    ("Audit log for admin actions", "medium", "security/audit", "M", 9, "todo", [], ["security"]),
    ("Migrate settings to new schema", "medium", "data/migrations", "M", 8, "todo", [], ["data"]),
    ("Backfill customer regions", "low", "data/migrations", "S", 8, "todo", [18], ["data"]),
    ("Search index for tickets", "medium", "product/search", "L", 7, "todo", [], []),
    ("Typeahead for ticket search", "low", "product/search", "M", 6, "todo", [20], ["frontend"]),
    ("Flaky test: payment webhook", "high", "quality/tests", "S", 6, "todo", [], ["tests"]),
    ("Contract tests for billing API", "medium", "quality/tests", "M", 5, "todo", [], ["tests"]),
    (
        "Load test checkout at 200 rps",
        "medium",
        "quality/performance",
        "M",
        5,
        "todo",
        [0],
        ["tests"],
    ),
    ("Onboarding email sequence", "low", "business/marketing", "S", 4, "cancelled", [], []),
    ("Translate settings page", "low", "product/i18n", "M", 4, "todo", [], ["frontend"]),
    (
        "Dependency upgrade: React 19",
        "medium",
        "build/dependencies",
        "L",
        3,
        "todo",
        [],
        ["frontend"],
    ),
    ("Document the release process", "low", "docs/process", "S", 2, "todo", [], ["docs"]),
    (
        "Retire the legacy cron host",
        "medium",
        "infrastructure/hosts",
        "M",
        1,
        "todo",
        [10, 24],
        ["ops"],
    ),
]


def _export(now_days_ago: int) -> str:
    now = clock.now()
    tasks = []
    for number, (title, priority, category, effort, age, status, deps, tags) in enumerate(
        _BACKLOG, start=1
    ):
        created = now - timedelta(days=age)
        day = created.astimezone().strftime("%Y%m%d")
        task_id = f"TASK-{day}-{number:03d}"
        stamp = clock.to_text(created)
        finished = (
            clock.to_text(created + timedelta(days=2)) if status in ("done", "cancelled") else None
        )
        started = (
            clock.to_text(created + timedelta(days=1))
            if status in ("done", "in_progress")
            else None
        )
        events = [
            {
                "at": stamp,
                "actor": "planner",
                "kind": "created",
                "from": None,
                "to": "todo",
                "note": None,
                "data": None,
                "session": None,
            }
        ]
        if started:
            events.append(
                {
                    "at": started,
                    "actor": "claude-0",
                    "kind": "status",
                    "from": "todo",
                    "to": "in_progress",
                    "note": None,
                    "data": None,
                    "session": None,
                }
            )
        if status not in ("todo", "in_progress"):
            events.append(
                {
                    "at": finished or stamp,
                    "actor": "claude-0",
                    "kind": "status",
                    "from": "in_progress" if started else "todo",
                    "to": status,
                    "note": "waiting for the security team" if status == "blocked" else None,
                    "data": None,
                    "session": None,
                }
            )
        tasks.append(
            {
                "id": task_id,
                "title": title,
                "description": f"{title}. Planned in the weekly review.",
                "status": status,
                "priority": priority,
                "category": category,
                "effort": effort,
                "tags": tags,
                "depends_on": [],
                "acceptance": [{"text": "Tests cover the change", "done": status == "done"}],
                "assignee": "claude-0" if started else None,
                "notes": "",
                "blocked_reason": "waiting for the security team" if status == "blocked" else None,
                "found_in_session": None,
                "completed_in_session": None,
                "source": None,
                "created_at": stamp,
                "updated_at": finished or started or stamp,
                "started_at": started,
                "completed_at": finished,
                "archived_at": None,
                "events": events,
                "_deps": deps,
            }
        )
    for task in tasks:
        task["depends_on"] = sorted(tasks[i]["id"] for i in task.pop("_deps"))
    return json.dumps(
        {
            "format": "agentdeck-backlog",
            "version": 1,
            "exported_at": clock.now_text(),
            "tasks": tasks,
        },
        indent=2,
    )


def run(tour: Tour) -> None:
    tour.run("init")
    tour.say(
        "A planner left a backlog of thirty tasks from the last weeks, with dependencies between "
        "them. It arrives as agentdeck's JSON export; importing it keeps IDs and history."
    )
    tour.write(".agentdeck/planned-backlog.json", _export(0))
    tour.run("import", ".agentdeck/planned-backlog.json")
    tour.run(
        "task",
        "add",
        "Fix login when the password holds unicode",
        "--priority",
        "critical",
        "--category",
        "security/auth",
        "--effort",
        "S",
        "--tag",
        "security",
        "--accept",
        "a test logs in with 'pässwörd'",
        "--agent",
        "human",
    )
    tour.run("task", "list", "--limit", "12")
    tour.say(
        "`next` picks the most urgent ready task and says why: priority, age, and how much "
        "work it unblocks."
    )
    tour.run("next", "--explain")
    tour.say(
        "Parallel agents claim with `next --claim`: the choice and the claim happen in one "
        "transaction, so two agents never get the same task."
    )
    tour.run("next", "--claim", "--agent", "claude-1")
    tour.run("next", "--claim", "--agent", "codex-2")
    mine = json.loads(
        tour.run("task", "list", "--assignee", "claude-1", "--json", show=False).stdout
    )
    claimed = mine[0]["id"] if mine else None
    if claimed:
        tour.run("task", "done", claimed, "--agent", "claude-1", "--note", "rate limits in place")
        tour.run("task", "show", claimed)
    tour.say(
        "Dependencies form a graph without cycles; a dependency that would close one is refused."
    )
    listing = json.loads(
        tour.run("task", "list", "--all", "--sort", "id", "--json", show=False).stdout
    )
    by_title = {t["title"]: t["id"] for t in listing}
    restore, backup = by_title["Restore drill for backups"], by_title["Nightly database backup"]
    tour.run("task", "dep", "add", backup, restore, expect=(4,))
    tour.run("task", "search", "backup")
    tour.say(
        "Finished tasks older than a week move to the archive, indexed in TASK_INDEX.md; the "
        "open backlog renders to TODO.md."
    )
    tour.run("archive")
    tour.run("export", "--format", "md", "--output", "todo")
    tour.say(
        f"Files written: {tour.root / 'TODO.md'}, {tour.root / 'TASK_INDEX.md'}, and the "
        f"database {tour.root / '.agentdeck' / 'deck.db'}."
    )

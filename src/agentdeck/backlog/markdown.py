"""The backlog as markdown: ``TODO.md`` (open work by priority) and ``TASK_INDEX.md`` (the archive).

Both are rendered from the store, never edited by hand; they say so at the top.
"""

from __future__ import annotations

from collections import defaultdict

from agentdeck.backlog.model import PRIORITIES, Task

_MARK = {
    "todo": " ",
    "in_progress": "~",
    "review": "?",
    "blocked": "!",
    "done": "x",
    "cancelled": "-",
}
_HEADER = "<!-- Rendered by agentdeck from its store; edits here are overwritten. -->"


def _line(task: Task) -> str:
    bits = [f"- [{_MARK[task.status]}] **{task.id}** {task.title}"]
    meta = [task.status.replace("_", " ")]
    if task.category:
        meta.append(task.category)
    if task.effort:
        meta.append(f"effort {task.effort}")
    if task.assignee and task.status == "in_progress":
        meta.append(f"@{task.assignee}")
    if task.tags:
        meta.append(" ".join(f"#{t}" for t in task.tags))
    bits.append(f" ({', '.join(meta)})")
    out = "".join(bits)
    if task.depends_on:
        out += f"\n  - depends on: {', '.join(task.depends_on)}"
    if task.status == "blocked" and task.blocked_reason:
        out += f"\n  - blocked: {task.blocked_reason}"
    for criterion in task.acceptance:
        out += f"\n  - [{'x' if criterion.done else ' '}] {criterion.text}"
    return out


def render_todo(tasks: list[Task], *, generated_at: str) -> str:
    """``TODO.md``: open tasks grouped by priority, most urgent group first."""
    groups: dict[str, list[Task]] = defaultdict(list)
    for task in tasks:
        if task.is_open and not task.archived_at:
            groups[task.priority].append(task)
    lines = [
        _HEADER,
        "",
        "# Backlog",
        "",
        f"_{sum(map(len, groups.values()))} open tasks, as of {generated_at[:16].replace('T', ' ')} UTC._",
        "",
    ]
    lines.append("Legend: `[ ]` todo, `[~]` in progress, `[?]` review, `[!]` blocked.")
    lines.append("")
    for priority in PRIORITIES:
        if not groups.get(priority):
            continue
        lines.append(f"## {priority.capitalize()} ({len(groups[priority])})")
        lines.append("")
        lines.extend(_line(t) for t in groups[priority])
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def _cell(text: str | None) -> str:
    return (text or "").replace("|", "\\|").replace("\n", " ")


def render_task_index(tasks: list[Task], *, generated_at: str) -> str:
    """``TASK_INDEX.md``: archived tasks by month of completion, newest first."""
    archived = [t for t in tasks if t.archived_at]
    months: dict[str, list[Task]] = defaultdict(list)
    for task in archived:
        months[(task.completed_at or task.archived_at or "")[:7]].append(task)
    lines = [
        _HEADER,
        "",
        "# Task index",
        "",
        f"_{len(archived)} archived tasks, as of {generated_at[:16].replace('T', ' ')} UTC._",
        "",
    ]
    for month in sorted(months, reverse=True):
        tasks_of_month = sorted(
            months[month], key=lambda t: (t.completed_at or "", t.id), reverse=True
        )
        lines += [
            f"## {month or 'undated'}",
            "",
            "| ID | Title | Status | Priority | Category | Completed | Session |",
            "|---|---|---|---|---|---|---|",
        ]
        for t in tasks_of_month:
            lines.append(
                f"| {t.id} | {_cell(t.title)} | {t.status} | {t.priority} | {_cell(t.category)} | "
                f"{(t.completed_at or '')[:10]} | {t.completed_in_session or ''} |"
            )
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"

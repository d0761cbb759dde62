"""The hand-off: what the next session needs to know, gathered from the store and git.

``build_handoff`` returns plain data (``Handoff.to_dict()`` is the JSON of
``agentdeck handoff --json``); ``notes.render.render_handoff`` turns it into
the markdown of ``CURRENT_WORK.md`` and of ``agentdeck handoff``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from agentdeck import clock, vcs
from agentdeck.backlog.tasks import load_tasks
from agentdeck.backlog.urgency import UrgencyWeights, next_task
from agentdeck.sessions.model import SessionFilter, get_session, list_sessions, open_sessions
from agentdeck.sessions.summary import summary_line

if TYPE_CHECKING:
    from agentdeck.workspace import Workspace


@dataclass
class Handoff:
    """Where things stand (see ``to_dict`` for the JSON shape)."""

    generated_at: str
    git: dict[str, Any]
    open_sessions: list[dict[str, Any]] = field(default_factory=list)
    last_session: dict[str, Any] | None = None
    in_progress: list[dict[str, Any]] = field(default_factory=list)
    review: list[dict[str, Any]] = field(default_factory=list)
    blocked: list[dict[str, Any]] = field(default_factory=list)
    decisions: list[dict[str, Any]] = field(default_factory=list)
    blockers: list[dict[str, Any]] = field(default_factory=list)
    next_steps: list[dict[str, Any]] = field(default_factory=list)
    next_tasks: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "generated_at": self.generated_at,
            "git": self.git,
            "open_sessions": self.open_sessions,
            "last_session": self.last_session,
            "in_progress": self.in_progress,
            "review": self.review,
            "blocked": self.blocked,
            "decisions": self.decisions,
            "blockers": self.blockers,
            "next_steps": self.next_steps,
            "next_tasks": self.next_tasks,
        }


def _git_state(ws: Workspace) -> dict[str, Any]:
    if not vcs.is_repository(ws.root):
        return {"available": False, "branch": None, "head": None, "subject": None}
    head, subject = vcs.head_and_subject(ws.root)
    return {"available": True, "branch": vcs.branch(ws.root), "head": head, "subject": subject}


def build_handoff(ws: Workspace) -> Handoff:
    """Gather the hand-off: git state, open sessions, the last session's outcome,
    work in progress, blocked and in review, recent decisions, next steps and
    the next ready tasks by urgency."""
    store = ws.store
    conf = ws.config.section("sessions")
    out = Handoff(generated_at=clock.now_text(), git=_git_state(ws))
    for session in open_sessions(store):
        out.open_sessions.append(
            {
                "id": session.id,
                "agent": session.agent,
                "objective": session.objective,
                "started_at": session.started_at,
                "planned": [t.task_id for t in session.tasks_with("planned")],
            }
        )
    finished = list_sessions(store, SessionFilter(statuses=["ended", "abandoned"]))
    recent = [get_session(store, s.id) for s in finished[: conf["handoff_sessions"]]]
    if recent:
        last = recent[0]
        out.last_session = {
            "id": last.id,
            "agent": last.agent,
            "objective": last.objective,
            "status": last.status,
            "started_at": last.started_at,
            "ended_at": last.ended_at,
            "summary": summary_line(last),
            "completed": [
                {"id": t.task_id, "title": t.title} for t in last.tasks_with("completed")
            ],
            "found": [{"id": t.task_id, "title": t.title} for t in last.tasks_with("found")],
        }
        out.next_steps = [{"session": last.id, "text": e.text} for e in last.entries_of("next")]
        out.blockers = [{"session": last.id, "text": e.text} for e in last.entries_of("blocker")]
    for session in recent:
        out.decisions += [
            {"session": session.id, "text": e.text} for e in session.entries_of("decision")
        ]
    for task in load_tasks(
        store,
        "t.status IN ('in_progress', 'review', 'blocked') AND t.archived_at IS NULL "
        "ORDER BY t.updated_at DESC",
    ):
        item = {
            "id": task.id,
            "title": task.title,
            "priority": task.priority,
            "assignee": task.assignee,
            "since": task.updated_at,
        }
        if task.status == "blocked":
            out.blocked.append({**item, "reason": task.blocked_reason})
        elif task.status == "review":
            out.review.append(item)
        else:
            out.in_progress.append({**item, "since": task.started_at or task.updated_at})
    weights = UrgencyWeights.from_config(ws.config.section("backlog.urgency"))
    count = conf["handoff_tasks"]
    for ranked in next_task(store, weights, limit=count) if count else []:
        out.next_tasks.append(
            {
                "id": ranked.task.id,
                "title": ranked.task.title,
                "priority": ranked.task.priority,
                "category": ranked.task.category,
                "urgency": round(ranked.score, 2),
            }
        )
    return out

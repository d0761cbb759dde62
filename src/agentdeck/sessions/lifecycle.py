"""Start a session, log what happens in it, end it with measured evidence.

``start_session`` records the agent, objective, planned tasks, branch and a
baseline snapshot of the work tree (see ``agentdeck.vcs.snapshot``). While it
is open, ``log_entry`` and ``log_task`` add decisions, challenges, solutions,
lessons, blockers, notes, next steps and newly found tasks; task status
changes by the agent are attributed to it by the backlog.

``end_session`` runs in two steps so a crash never loses or half-writes
anything: (1) measure, then commit the evidence and the new status in one
transaction; (2) render the notes, each file written atomically, then mark
the session's notes as rendered. A process killed between the two leaves a
session that is ended but not rendered; the next ``end_session`` (or
``render_pending``) finishes the notes instead of measuring again.
"""

from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from agentdeck import clock, ids, vcs
from agentdeck.backlog.tasks import NewTask, add_task, check_task_id, default_actor
from agentdeck.errors import AgentdeckError, Conflict, InvalidInput, NotFound
from agentdeck.redact import redact, redact_data
from agentdeck.sessions.model import (
    ENTRY_KINDS,
    SESSION_COLUMNS,
    SESSION_PREFIX,
    Entry,
    Session,
    check_session_id,
    get_session,
    session_from_row,
)
from agentdeck.store import Store

if TYPE_CHECKING:
    from agentdeck.backlog.model import Task
    from agentdeck.workspace import Workspace

MAX_TEXT = 20_000


def check_agent(agent: str | None) -> str:
    """The agent's name, defaulting to ``AGENTDECK_AGENT`` or the login name."""
    name = " ".join((agent or default_actor()).split())
    if not name:
        raise InvalidInput("name the agent with --agent NAME (or set AGENTDECK_AGENT)")
    if len(name) > 100:
        raise InvalidInput("the agent's name is longer than 100 characters")
    return name


def _check_text(text: str, what: str) -> str:
    clean = text.strip()
    if not clean:
        raise InvalidInput(f"the {what} is empty; say what happened")
    if len(clean) > MAX_TEXT:
        raise InvalidInput(f"the {what} is {len(clean)} characters long; keep it under {MAX_TEXT}")
    return redact(clean)


def _is_unique_violation(err: Exception) -> bool:
    name = type(err).__name__
    return name in ("IntegrityError", "UniqueViolation") or "UNIQUE constraint" in str(err)


def session_ref(session_id: str) -> str:
    """The git ref that keeps a session's baseline snapshot alive while it is open."""
    return vcs.SESSION_REF_PREFIX + session_id


# -- start ------------------------------------------------------------------------------


def start_session(
    ws: Workspace, *, agent: str | None, objective: str, plan: list[str] | tuple[str, ...] = ()
) -> Session:
    """Open a session for ``agent`` with a baseline of the work tree.

    Raises ``Conflict`` when the agent already has an open session and
    ``NotFound`` for a planned task that does not exist. Outside git the
    session still opens; its baseline says git is unavailable.
    """
    store = ws.store
    name = check_agent(agent)
    goal = _check_text(objective, "objective")
    planned = list(dict.fromkeys(check_task_id(t) for t in plan))
    _refuse_second_open(store, name)
    for task_id in planned:
        if store.query_value("SELECT 1 FROM tasks WHERE id = ?", (task_id,)) is None:
            raise NotFound(
                f"cannot plan {task_id}: no such task",
                hint="check the ID with `agentdeck task list --all`",
            )
    baseline, branch = take_baseline(ws.root)
    started = clock.now()
    now = clock.to_text(started)
    try:
        with store.transaction():
            _refuse_second_open(store, name)
            session_id = ids.allocate(store, SESSION_PREFIX)
            store.execute(
                "INSERT INTO sessions (id, agent, objective, status, branch, started_at, day, "
                "baseline, created_at, updated_at) VALUES (?, ?, ?, 'open', ?, ?, ?, ?, ?, ?)",
                (
                    session_id,
                    name,
                    goal,
                    branch,
                    now,
                    started.astimezone().strftime("%Y-%m-%d"),
                    json.dumps(baseline, sort_keys=True),
                    now,
                    now,
                ),
            )
            for task_id in planned:
                store.execute(
                    "INSERT INTO session_tasks (session_id, task_id, role, title) "
                    "SELECT ?, id, 'planned', title FROM tasks WHERE id = ?",
                    (session_id, task_id),
                )
    except AgentdeckError:
        raise
    except Exception as err:
        if _is_unique_violation(err):
            raise _already_open(store, name) from None
        raise
    if baseline.get("commit"):
        # Without the ref the snapshot still lives for git's prune grace period.
        with contextlib.suppress(vcs.GitError):
            vcs.set_ref(ws.root, session_ref(session_id), baseline["commit"])
    return get_session(store, session_id)


def take_baseline(root: Path) -> tuple[dict[str, Any], str | None]:
    """The baseline document stored with a session, and the branch."""
    taken = clock.now_text()
    if not vcs.is_repository(root):
        return {
            "git": False,
            "reason": "the workspace is not a git repository",
            "taken_at": taken,
        }, None
    try:
        snap = vcs.snapshot(root, "agentdeck session baseline")
    except vcs.GitError as err:
        return {"git": False, "reason": str(err), "taken_at": taken}, None
    return {"git": True, "taken_at": taken, **snap.to_dict()}, snap.branch


def _refuse_second_open(store: Store, agent: str) -> None:
    if store.query_value("SELECT id FROM sessions WHERE status = 'open' AND agent = ?", (agent,)):
        raise _already_open(store, agent)


def _already_open(store: Store, agent: str) -> Conflict:
    existing = store.query_value(
        "SELECT id FROM sessions WHERE status = 'open' AND agent = ?", (agent,)
    )
    return Conflict(
        f"{agent} already has an open session {existing}",
        hint=f"end it with `agentdeck session end --agent {agent}` (or --abandon)",
    )


# -- which session ----------------------------------------------------------------------


def resolve_open(store: Store, *, agent: str | None, session_id: str | None) -> Session:
    """The open session a command is about: ``session_id``, else ``agent``'s, else the only one.

    Raises ``NotFound`` when there is none and ``InvalidInput`` when several
    are open and nothing says which.
    """
    if session_id:
        session = get_session(store, session_id, children=False)
        if not session.is_open:
            raise Conflict(
                f"{session.id} is {session.status}, not open",
                hint="start a new one with `agentdeck session start`",
            )
        return session
    rows = store.query(
        f"SELECT {SESSION_COLUMNS} FROM sessions WHERE status = 'open' ORDER BY num DESC"
    )
    name = check_agent(agent)
    for row in rows:
        if row["agent"] == name:
            return session_from_row(row)
    if len(rows) == 1 and agent is None:
        return session_from_row(rows[0])
    if not rows or agent is not None:
        raise NotFound(
            f"no open session{f' for {name}' if agent is not None else ''}",
            hint=f"start one with `agentdeck session start --agent {name} --objective TEXT`",
        )
    raise InvalidInput(
        f"{len(rows)} sessions are open ({', '.join(r['id'] for r in rows)}); "
        "say which with --session ID or --agent NAME"
    )


# -- log --------------------------------------------------------------------------------


def check_kind(kind: str) -> str:
    """Normalise a log kind or raise ``InvalidInput`` listing the kinds."""
    normal = kind.strip().lower()
    if normal.endswith("s") and normal[:-1] in ENTRY_KINDS:
        normal = normal[:-1]
    if normal not in ENTRY_KINDS:
        raise InvalidInput(
            f"unknown kind {kind!r}; use one of: {', '.join(ENTRY_KINDS)}, or task for a new task"
        )
    return normal


def log_entry(
    store: Store,
    kind: str,
    text: str,
    *,
    agent: str | None = None,
    session_id: str | None = None,
    challenge: int | None = None,
) -> tuple[Session, Entry]:
    """Add a decision, challenge, solution, lesson, blocker, note or next step.

    A solution answers ``challenge`` (an entry number), else the latest
    challenge of the session without a solution. Secrets in ``text`` are
    redacted before it is stored.
    """
    kind = check_kind(kind)
    clean = _check_text(text, f"{kind} text")
    if challenge is not None and kind != "solution":
        raise InvalidInput(
            "--challenge goes with a solution: `session log solution TEXT --challenge N`"
        )
    now = clock.now_text()
    with store.transaction():
        session = resolve_open(store, agent=agent, session_id=session_id)
        parent = None
        if kind == "solution":
            parent = _challenge_for(store, session.id, challenge)
        number = store.query_value(
            "INSERT INTO session_entries (session_id, kind, text, at, parent) "
            "VALUES (?, ?, ?, ?, ?) RETURNING num",
            (session.id, kind, clean, now, parent),
        )
        store.execute("UPDATE sessions SET updated_at = ? WHERE id = ?", (now, session.id))
    return session, Entry(int(number), kind, clean, now, parent)


def _challenge_for(store: Store, session_id: str, number: int | None) -> int | None:
    if number is not None:
        found = store.query_value(
            "SELECT num FROM session_entries WHERE session_id = ? AND num = ? AND kind = 'challenge'",
            (session_id, number),
        )
        if found is None:
            raise NotFound(
                f"{session_id} has no challenge #{number}",
                hint=f"see the entries with `agentdeck session show {session_id}`",
            )
        return int(found)
    found = store.query_value(
        "SELECT c.num FROM session_entries c WHERE c.session_id = ? AND c.kind = 'challenge' "
        "AND NOT EXISTS (SELECT 1 FROM session_entries s WHERE s.parent = c.num) "
        "ORDER BY c.num DESC LIMIT 1",
        (session_id,),
    )
    return int(found) if found is not None else None


def log_task(
    ws: Workspace,
    title: str,
    *,
    agent: str | None = None,
    session_id: str | None = None,
    priority: str | None = None,
    category: str = "",
    description: str = "",
) -> tuple[Session, Task]:
    """Add a task found during the session to the backlog, marked with the session."""
    store = ws.store
    session = resolve_open(store, agent=agent, session_id=session_id)
    new = NewTask(
        title=_check_text(title, "task title"),
        description=redact(description.strip()),
        priority=priority or ws.config.get("backlog", "default_priority"),
        category=category,
        found_in_session=session.id,
    )
    return session, add_task(store, new, actor=session.agent)


# -- end --------------------------------------------------------------------------------


@dataclass
class EndResult:
    """What ``end_session`` did."""

    session: Session
    #: Notes written (absolute paths).
    written: list[Path] = field(default_factory=list)
    #: True when this call only finished the notes of a session ended earlier.
    resumed: bool = False

    def to_dict(self, root: Path) -> dict[str, Any]:
        return {
            "session": self.session.to_dict(),
            "written": [_relative(p, root) for p in self.written],
            "resumed": self.resumed,
        }


def _relative(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)


def end_session(
    ws: Workspace,
    *,
    agent: str | None = None,
    session_id: str | None = None,
    abandon: bool = False,
    run_tests: bool = False,
    read_usage: bool | None = None,
    test_stream: TextIO | None = None,
    report: Path | None = None,
) -> EndResult:
    """Measure and close the open session, then render its notes (see the module docstring).

    With no open session, finishes the notes of the agent's session that was
    ended but not rendered (a crashed ``end``), else raises ``NotFound``.
    ``run_tests`` runs the project's tests through ``agentdeck.ops.testrun``.
    ``report`` is the agent's own report of the session: its claims are checked
    (``agentdeck.notes.verify``) and the result is stored with the session.
    """
    store = ws.store
    try:
        session = resolve_open(store, agent=agent, session_id=session_id)
    except (NotFound, Conflict):
        pending = _pending_render(store, agent=agent, session_id=session_id)
        if pending is None:
            raise
        return EndResult(pending, render_pending(ws, pending.id), resumed=True)
    verification = None
    if report is not None:
        # Before anything is measured or stored: an unreadable report changes nothing.
        from agentdeck.notes.verify import verify_report

        verification = redact_data(verify_report(report, workspace=ws).to_dict())
    from agentdeck.sessions import classify
    from agentdeck.sessions.evidence import measure

    ended = clock.now()
    evidence = measure(
        ws.root,
        session.baseline,
        session.started_at or clock.to_text(ended),
        classify.from_config(ws.config.values),
        renames=ws.config.get("evidence", "rename_detection"),
        commit_stats_limit=ws.config.get("evidence", "commit_stats_limit"),
    )
    tests = None
    if run_tests and not abandon:
        from agentdeck.ops.testrun import run_tests as runner

        tests = redact_data(runner(ws, (), stream=test_stream, session_id=session.id).to_dict())
    usage = _usage(ws, session, ended, read_usage)
    _commit_end(store, session, evidence, usage, tests, ended, abandon, verification)
    record = get_session(store, session.id)
    written = render_pending(ws, session.id, record)
    return EndResult(record, written)


def _usage(
    ws: Workspace, session: Session, ended: datetime, wanted: bool | None
) -> dict[str, Any] | None:
    if wanted is None:
        wanted = ws.config.get("sessions", "read_transcripts")
    if not wanted or not session.started_at:
        return None
    from agentdeck.sessions.prices import PriceTable
    from agentdeck.sessions.usage import read_usage

    conf = ws.config.section("sessions")
    claude = conf["claude_config_dir"]
    codex = conf["codex_home"]
    usage = read_usage(
        ws.root,
        clock.parse_timestamp(session.started_at),
        ended,
        prices=PriceTable(ws.config.section("prices")),
        claude_dirs=[Path(p.strip()).expanduser() for p in claude.split(",")] if claude else None,
        codex_home=Path(codex).expanduser() if codex else None,
        count_sidechains=conf["count_sidechains"],
    )
    return redact_data(usage.to_dict())


def _commit_end(
    store: Store,
    session: Session,
    evidence: Any,
    usage: dict[str, Any] | None,
    tests: dict[str, Any] | None,
    ended: datetime,
    abandon: bool,
    verification: dict[str, Any] | None = None,
) -> None:
    now = clock.to_text(ended)
    sid = session.id
    with store.transaction():
        status = store.query_value(
            f"SELECT status FROM sessions WHERE id = ?{store.dialect.for_update}", (sid,)
        )
        if status != "open":
            raise Conflict(f"{sid} was ended by another process while this one measured it")
        # Tasks whose status changed in the session are the ones it worked on.
        store.execute(
            "INSERT INTO session_tasks (session_id, task_id, role, title) "
            "SELECT DISTINCT e.session_id, e.task_id, 'worked', t.title FROM task_events e "
            "JOIN tasks t ON t.id = e.task_id WHERE e.session_id = ? AND e.kind = 'status' "
            "ON CONFLICT DO NOTHING",
            (sid,),
        )
        store.execute("DELETE FROM session_commits WHERE session_id = ?", (sid,))
        store.execute("DELETE FROM session_files WHERE session_id = ?", (sid,))
        store.executemany(
            "INSERT INTO session_commits (session_id, sha, position, subject, author, "
            "committed_at, files, added, removed, is_merge) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    sid,
                    c.sha,
                    position,
                    redact(c.subject),
                    c.author,
                    c.committed_at,
                    c.files if evidence.commit_stats else None,
                    c.added if evidence.commit_stats else None,
                    c.removed if evidence.commit_stats else None,
                    int(c.is_merge),
                )
                for position, c in enumerate(evidence.commits)
            ],
        )
        store.executemany(
            "INSERT INTO session_files (session_id, path, old_path, change, added, removed, "
            "is_binary, category, language) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    sid,
                    f.path,
                    f.old_path,
                    f.change,
                    f.added,
                    f.removed,
                    int(f.binary),
                    f.category,
                    f.language,
                )
                for f in evidence.files
            ],
        )
        started = clock.parse_timestamp(session.started_at) if session.started_at else ended
        minutes = round(max((ended - started).total_seconds(), 0) / 60, 1)
        summary = evidence.summary()
        store.execute(
            "UPDATE sessions SET status = ?, ended_at = ?, duration_minutes = ?, evidence = ?, "
            "usage = ?, tests = ?, verification = ?, branch = COALESCE(?, branch), updated_at = ?, "
            "notes_rendered_at = NULL WHERE id = ?",
            (
                "abandoned" if abandon else "ended",
                now,
                minutes,
                json.dumps(summary, sort_keys=True),
                json.dumps(usage, sort_keys=True) if usage is not None else None,
                json.dumps(tests, sort_keys=True) if tests is not None else None,
                json.dumps(verification, sort_keys=True) if verification is not None else None,
                summary["end"].get("branch"),
                now,
                sid,
            ),
        )


def _pending_render(store: Store, *, agent: str | None, session_id: str | None) -> Session | None:
    """A session ended earlier whose notes were never finished (its ``end`` was killed)."""
    if session_id:
        sid = check_session_id(session_id)
        row = store.query_one(
            f"SELECT {SESSION_COLUMNS} FROM sessions WHERE id = ? "
            "AND status IN ('ended', 'abandoned') AND notes_rendered_at IS NULL",
            (sid,),
        )
        return session_from_row(row) if row else None
    rows = store.query(
        f"SELECT {SESSION_COLUMNS} FROM sessions WHERE status IN ('ended', 'abandoned') "
        "AND notes_rendered_at IS NULL ORDER BY num DESC"
    )
    name = check_agent(agent)
    for row in rows:
        if row["agent"] == name:
            return session_from_row(row)
    if agent is None and len(rows) == 1:
        return session_from_row(rows[0])
    return None


def render_pending(ws: Workspace, session_id: str, record: Session | None = None) -> list[Path]:
    """Write the notes of an ended session, mark them rendered, drop its baseline ref.

    ``record`` is the session as just read (saves reading it again)."""
    from agentdeck.notes.render import write_session_notes

    written = write_session_notes(ws, session_id, record)
    now = clock.now_text()
    if record is not None:
        record.notes_rendered_at = now
    with ws.store.transaction():
        ws.store.execute(
            "UPDATE sessions SET notes_rendered_at = ?, updated_at = ? WHERE id = ?",
            (now, now, session_id),
        )
    if (ws.root / ".git").exists() or (record and (record.baseline or {}).get("git")):
        vcs.delete_ref(ws.root, session_ref(session_id))
    return written

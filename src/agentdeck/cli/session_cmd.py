"""``agentdeck session …``: start, log, status, end, show and list work sessions."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from agentdeck.cli._common import emit_json, json_option, pass_workspace, table
from agentdeck.errors import ExitCode
from agentdeck.workspace import Workspace

_KINDS = "decision, challenge, solution, lesson, blocker, note, next, task"


def _emit(data: Any) -> None:
    from agentdeck.redact import redact_data

    emit_json(redact_data(data))


def _when(value: str | None) -> str:
    return value[:16].replace("T", " ") if value else ""


@click.group()
def session() -> None:
    """Start, log, end and read work sessions (evidence measured from git)."""


@session.command("start")
@click.option(
    "--agent", envvar="AGENTDECK_AGENT", help="Who works (default: AGENTDECK_AGENT or your login)."
)
@click.option("-o", "--objective", required=True, help="What the session is for.")
@click.option(
    "--plan", "plan", multiple=True, metavar="TASK-ID", help="A task planned for it (repeat)."
)
@json_option
@pass_workspace
def start(
    ws: Workspace, agent: str | None, objective: str, plan: tuple[str, ...], as_json: bool
) -> None:
    """Open a session with a baseline of the work tree (uncommitted and untracked files too)."""
    from agentdeck.sessions.lifecycle import start_session

    item = start_session(ws, agent=agent, objective=objective, plan=list(plan))
    if as_json:
        _emit(item.to_dict())
        return
    click.echo(f"{item.id} started by {item.agent}: {item.objective}")
    base = item.baseline or {}
    if base.get("git"):
        state = "with uncommitted changes" if base.get("dirty") else "clean"
        head = str(base["head"])[:7] if base.get("head") else "no commit yet"
        click.echo(f"  baseline: {item.branch or 'detached HEAD'} at {head}, work tree {state}")
    else:
        click.echo(f"  baseline: git unavailable ({base.get('reason')}); evidence will be partial")
    for t in item.tasks_with("planned"):
        click.echo(f"  planned: {t.task_id}  {t.title}")


@session.command("log")
@click.argument("kind", metavar="KIND")
@click.argument("text", nargs=-1, required=True)
@click.option("--agent", envvar="AGENTDECK_AGENT", help="Whose open session.")
@click.option("--session", "session_id", metavar="ID", help="Log into this open session.")
@click.option(
    "--challenge", type=int, metavar="N", help="For a solution: the challenge it answers."
)
@click.option("-p", "--priority", help="For a task: critical, high, medium or low.")
@click.option("-c", "--category", default="", help="For a task: a path such as ops/backup.")
@click.option("-d", "--description", default="", help="For a task: a longer description.")
@json_option
@pass_workspace
def log(
    ws: Workspace,
    kind: str,
    text: tuple[str, ...],
    agent: str | None,
    session_id: str | None,
    challenge: int | None,
    priority: str | None,
    category: str,
    description: str,
    as_json: bool,
) -> None:
    """Log into the open session. KIND is one of: decision, challenge, solution,
    lesson, blocker, note, next; or task, which adds TEXT to the backlog as a
    task found in this session."""
    from agentdeck.errors import InvalidInput
    from agentdeck.sessions import lifecycle

    words = " ".join(text)
    if kind.strip().lower() == "task":
        sess, task = lifecycle.log_task(
            ws,
            words,
            agent=agent,
            session_id=session_id,
            priority=priority,
            category=category,
            description=description,
        )
        if as_json:
            _emit({"session": sess.id, "task": task.to_dict()})
        else:
            click.echo(f"{task.id} added to the backlog (found in {sess.id}): {task.title}")
        return
    if priority or category or description:
        raise InvalidInput("--priority, --category and --description go with `session log task`")
    sess, entry = lifecycle.log_entry(
        ws.store, kind, words, agent=agent, session_id=session_id, challenge=challenge
    )
    if as_json:
        _emit({"session": sess.id, **entry.to_dict()})
    else:
        answer = f" (answers challenge #{entry.parent})" if entry.parent else ""
        click.echo(f"{sess.id}: {entry.kind} #{entry.number} logged{answer}")


@session.command("status")
@json_option
@pass_workspace
def status(ws: Workspace, as_json: bool) -> None:
    """Show the open sessions: who, since when, what was logged, commits so far."""
    from agentdeck import clock, vcs
    from agentdeck.sessions.model import open_sessions

    items = open_sessions(ws.store)
    git = vcs.is_repository(ws.root)
    head = vcs.head(ws.root) if git else None
    rows = []
    for s in items:
        base = (s.baseline or {}).get("head")
        commits = vcs.commit_count(ws.root, base, head) if git and head else None
        minutes = None
        if s.started_at:
            minutes = round(
                (clock.now() - clock.parse_timestamp(s.started_at)).total_seconds() / 60, 1
            )
        rows.append((s, commits, minutes))
    if as_json:
        _emit(
            [
                {
                    "id": s.id,
                    "agent": s.agent,
                    "objective": s.objective,
                    "branch": s.branch,
                    "started_at": s.started_at,
                    "elapsed_minutes": minutes,
                    "commits_so_far": commits,
                    "entries": len(s.entries),
                    "planned": [t.task_id for t in s.tasks_with("planned")],
                    "completed": [t.task_id for t in s.tasks_with("completed")],
                    "found": [t.task_id for t in s.tasks_with("found")],
                }
                for s, commits, minutes in rows
            ]
        )
        return
    if not rows:
        click.echo("No open session. Start one with `agentdeck session start --objective TEXT`.")
        return
    from agentdeck.redact import redact
    from agentdeck.sessions.summary import duration_text

    table(
        ("ID", "AGENT", "SINCE", "ELAPSED", "COMMITS", "ENTRIES", "TASKS", "OBJECTIVE"),
        [
            (
                s.id,
                s.agent,
                _when(s.started_at),
                duration_text(minutes),
                "" if commits is None else commits,
                len(s.entries),
                f"{len(s.tasks_with('completed'))}/{len(s.tasks_with('planned'))} done"
                + (f", {len(s.tasks_with('found'))} new" if s.tasks_with("found") else ""),
                redact(s.objective),
            )
            for s, commits, minutes in rows
        ],
        flex=7,
    )


@session.command("end")
@click.option("--agent", envvar="AGENTDECK_AGENT", help="Whose open session.")
@click.option("--session", "session_id", metavar="ID", help="End this open session.")
@click.option("--abandon", is_flag=True, help="Close a session that went nowhere.")
@click.option("--run-tests", is_flag=True, help="Run the project's tests and record the results.")
@click.option(
    "--report",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="FILE",
    help="The agent's own report of the session: check its claims and keep the result "
    "(exit 1 when a claim is contradicted).",
)
@click.option(
    "--usage/--no-usage",
    default=None,
    help="Read token usage from agent transcripts ([sessions] read_transcripts).",
)
@json_option
@pass_workspace
def end(
    ws: Workspace,
    agent: str | None,
    session_id: str | None,
    abandon: bool,
    run_tests: bool,
    report: Path | None,
    usage: bool | None,
    as_json: bool,
) -> int:
    """Measure the session from git, close it, and write its report, the history,
    the hand-off and the task index. Run again after a crash to finish the notes."""
    from agentdeck.sessions.lifecycle import end_session
    from agentdeck.sessions.summary import summary_line

    stream = sys.stderr if (run_tests and sys.stderr.isatty() and not as_json) else None
    result = end_session(
        ws,
        agent=agent,
        session_id=session_id,
        abandon=abandon,
        run_tests=run_tests,
        read_usage=usage,
        test_stream=stream,
        report=report,
    )
    checked = result.session.verification or {}
    contradicted = bool((checked.get("summary") or {}).get("contradicted"))
    if as_json:
        _emit(result.to_dict(ws.root))
        return ExitCode.PROBLEM if contradicted else ExitCode.OK
    s = result.session
    from agentdeck.redact import redact

    if result.resumed:
        click.echo(f"{s.id} had ended already; its notes were unfinished and are now written.")
    else:
        click.echo(f"{s.id} {s.status}: {redact(summary_line(s))}")
    evidence = s.evidence or {}
    if evidence.get("partial") and evidence.get("reason"):
        click.echo(f"  partial evidence: {evidence['reason']}")
    if s.tests:
        t = s.tests
        click.echo(
            f"  tests: {t.get('status')}, {t.get('passed')} passed, {t.get('failed')} failed, {t.get('skipped')} skipped"
        )
    if s.usage and s.usage.get("found"):
        from agentdeck.notes.render import _money

        totals = s.usage["totals"]
        cost = _money(s.usage.get("cost_usd"))
        if not s.usage.get("cost_complete"):
            cost += " + unknown"
        click.echo(f"  usage: {totals['total_tokens']:,} tokens, {cost}")
    if checked:
        summary = checked.get("summary") or {}
        click.echo(
            f"  agent's report: {summary.get('claims', 0)} claims, {summary.get('confirmed', 0)} confirmed, "
            f"{summary.get('contradicted', 0)} contradicted, {summary.get('unverifiable', 0)} unverifiable"
        )
    for path in result.written:
        try:
            shown = path.relative_to(ws.root)
        except ValueError:
            shown = path
        click.echo(f"  wrote {shown}")
    return ExitCode.PROBLEM if contradicted else ExitCode.OK


@session.command("show")
@click.argument("session_id", metavar="ID")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["md", "json"]),
    default="md",
    show_default=True,
    help="Markdown report or JSON record.",
)
@json_option
@pass_workspace
def show(ws: Workspace, session_id: str, fmt: str, as_json: bool) -> None:
    """Show one session: its report (as it would be written) or its JSON record."""
    from agentdeck.sessions.model import get_session

    item = get_session(ws.store, session_id)
    if as_json or fmt == "json":
        _emit(item.to_dict())
        return
    from agentdeck.notes.render import render_report

    click.echo(render_report(item, max_files=ws.config.get("sessions", "report_files")), nl=False)


@session.command("list")
@click.option(
    "-s", "--status", "statuses", multiple=True, help="open, ended, abandoned or imported."
)
@click.option("--agent", help="Only this agent's sessions.")
@click.option("-n", "--limit", type=int, help="At most this many (newest first).")
@json_option
@pass_workspace
def list_(
    ws: Workspace, statuses: tuple[str, ...], agent: str | None, limit: int | None, as_json: bool
) -> None:
    """List sessions, newest first, with their measured (or claimed) figures."""
    from agentdeck.redact import redact
    from agentdeck.sessions.model import SessionFilter, list_sessions, load_task_links
    from agentdeck.sessions.summary import duration_text

    items = list_sessions(ws.store, SessionFilter(list(statuses), agent, limit))
    load_task_links(ws.store, items)
    if as_json:
        _emit([_list_item(s) for s in items])
        return
    if not items:
        click.echo("No sessions yet. Start one with `agentdeck session start --objective TEXT`.")
        return
    rows = []
    for s in items:
        ev = s.evidence or {}
        totals = ev.get("totals") or {}
        measured = bool(ev.get("git"))
        tasks = s.task_summary()
        rows.append(
            (
                s.id,
                s.status,
                s.agent,
                _when(s.started_at) or (s.when_text or s.day or ""),
                duration_text(s.duration_minutes) or (s.duration_text or ""),
                ev.get("commits", "") if measured else "",
                totals.get("files", "") if measured else "",
                f"+{totals.get('added', 0)} -{totals.get('removed', 0)}" if measured else "",
                f"{len(tasks['planned_completed'])}/{len(tasks['planned'])}"
                if tasks["planned"]
                else (str(len(tasks["completed"])) if tasks["completed"] else ""),
                redact(s.objective),
            )
        )
    table(
        (
            "ID",
            "STATUS",
            "AGENT",
            "STARTED",
            "DURATION",
            "COMMITS",
            "FILES",
            "LINES",
            "TASKS",
            "OBJECTIVE",
        ),
        rows,
        flex=9,
    )


def _list_item(s: Any) -> dict[str, Any]:
    ev = s.evidence or {}
    return {
        "id": s.id,
        "status": s.status,
        "agent": s.agent,
        "objective": s.objective,
        "branch": s.branch,
        "started_at": s.started_at,
        "ended_at": s.ended_at,
        "duration_minutes": s.duration_minutes,
        "measured": bool(ev.get("git")),
        "partial": bool(ev.get("partial")),
        "commits": ev.get("commits"),
        "totals": ev.get("totals"),
        "tasks": s.task_summary(),
        "cost_usd": (s.usage or {}).get("cost_usd"),
        "imported": {
            "source": s.source,
            "when_text": s.when_text,
            "duration_text": s.duration_text,
            "metrics": s.metrics,
        }
        if s.imported
        else None,
    }

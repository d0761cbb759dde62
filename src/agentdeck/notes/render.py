"""Render the session notes from templates and write them atomically.

Four files come out of a session's record (paths from ``[notes]``):

* the report ``docs/sessions/SESSION-….md``: summary, tasks, evidence
  tables, decisions, challenges with solutions, lessons, blockers, next
  steps, new tasks, tests, usage, verification;
* ``SESSION_HISTORY.md``: every session newest first, inside agentdeck's
  region (hand-written text around it is kept byte for byte; see
  ``notes.history``);
* ``CURRENT_WORK.md``: the hand-off, in its own region;
* ``TASK_INDEX.md``: the archive of finished tasks.

Templates are Jinja2 files in ``notes/templates/``; Jinja2 is imported only
here, when something is rendered. Every text that came from a person, an
agent or a transcript passes through ``agentdeck.redact`` before it reaches a
template, so no secret is ever written.
"""

from __future__ import annotations

import os
import time
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from agentdeck import clock
from agentdeck.errors import CannotWrite
from agentdeck.fsutil import write_atomic
from agentdeck.redact import redact, redact_data
from agentdeck.sessions.model import Session, SessionFilter, get_session, list_sessions
from agentdeck.sessions.summary import completion_text, duration_text, plural, summary_line

if TYPE_CHECKING:
    import jinja2

    from agentdeck.notes.handoff import Handoff
    from agentdeck.workspace import Workspace

_TEMPLATES = Path(__file__).parent / "templates"
HISTORY_REGION = "history"
HANDOFF_REGION = "current-work"

_SECTIONS = [("decision", "Decisions")]
_LATE_SECTIONS = [
    ("lesson", "Lessons"),
    ("blocker", "Blockers"),
    ("next", "Next steps"),
    ("note", "Notes"),
]


# -- filters ----------------------------------------------------------------------------


def _cell(value: Any) -> str:
    if value is None:
        return ""
    return " ".join(str(value).split()).replace("|", "\\|")


def _oneline(value: Any) -> str:
    return "" if value is None else " ".join(str(value).split())


def _bullet(value: Any, indent: int = 2) -> str:
    lines = str(value or "").strip().splitlines() or [""]
    return ("\n" + " " * indent).join(line.rstrip() for line in lines)


def _when(value: Any) -> str:
    if not value:
        return ""
    try:
        moment = clock.parse_timestamp(str(value))
    except ValueError:
        return str(value)
    return clock.to_text(moment)[:16].replace("T", " ") + " UTC"


def _short(value: Any) -> str:
    return str(value)[:7] if value else "none"


def _num(value: Any) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float):
        return f"{value:,}"
    return _cell(value)


def _money(value: Any) -> str:
    if value is None:
        return "unknown"
    amount = float(value)
    return f"${amount:,.4f}" if amount < 1 else f"${amount:,.2f}"


def _seconds(value: Any) -> str:
    if value is None:
        return ""
    try:
        return f"{float(value):.1f} s"
    except (TypeError, ValueError):
        return _cell(value)


@cache
def environment() -> jinja2.Environment:
    """The Jinja2 environment of agentdeck's templates (built once per process)."""
    import jinja2

    try:
        # Compiled templates are cached in the temporary folder (Jinja2's own
        # cache, checked against the template source): compiling costs more
        # than rendering.
        cache: jinja2.BytecodeCache | None = jinja2.FileSystemBytecodeCache()
    except (OSError, RuntimeError):
        cache = None
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(_TEMPLATES)),
        bytecode_cache=cache,
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(
        cell=_cell,
        oneline=_oneline,
        bullet=_bullet,
        when=_when,
        short=_short,
        num=_num,
        money=_money,
        seconds=_seconds,
        duration=duration_text,
        plural=lambda count, word: plural(int(count or 0), word),
    )
    return env


def _tidy(text: str) -> str:
    """At most one blank line in a row, one newline at the end."""
    out: list[str] = []
    for line in text.splitlines():
        if not line.strip() and out and not out[-1].strip():
            continue
        out.append(line.rstrip())
    return "\n".join(out).strip() + "\n"


# -- the session report -----------------------------------------------------------------


def render_report(session: Session, *, max_files: int = 200) -> str:
    """The markdown report of one session (live or imported)."""
    record = session.to_dict()
    # File paths come from git, not from what an agent typed or a transcript said;
    # leaving them out of the scan keeps big sessions fast.
    files = record.pop("files")
    data = {**redact_data(record), "files": files}
    hidden = 0
    if max_files and len(files) > max_files:
        keep = sorted(
            range(len(files)),
            key=lambda i: -((files[i]["added"] or 0) + (files[i]["removed"] or 0)),
        )[:max_files]
        hidden = len(files) - max_files
        files = [files[i] for i in sorted(keep)]
    entries: dict[str, list[dict[str, Any]]] = {}
    for entry in data["entries"]:
        entries.setdefault(entry["kind"], []).append(entry)
    challenges = []
    by_number = {}
    for entry in entries.get("challenge", []):
        item = {"challenge": entry, "solutions": []}
        by_number[entry["number"]] = item
        challenges.append(item)
    orphans = []
    for entry in entries.get("solution", []):
        if entry["parent"] in by_number:
            by_number[entry["parent"]]["solutions"].append(entry)
        else:
            orphans.append(entry)
    if orphans:
        challenges.append({"challenge": None, "solutions": orphans})
    summary = session.task_summary()
    found = [t for t in data["tasks"]["items"] if t["role"] == "found"]
    task_rows: dict[str, dict[str, Any]] = {}
    for t in data["tasks"]["items"]:
        row = task_rows.setdefault(
            t["id"], {"id": t["id"], "title": t["title"], "status": t["status"], "roles": []}
        )
        row["roles"].append(t["role"])
    for row in task_rows.values():
        roles = [r for r in row["roles"] if r != "worked"] or ["worked on"]
        row["roles"] = ", ".join(roles)
    text = (
        environment()
        .get_template("report.md.j2")
        .render(
            s=data,
            ev=data["evidence"],
            tasks=summary,
            completion=completion_text(summary),
            summary=redact(_capital(summary_line(session))),
            files=files,
            files_hidden=hidden,
            entries=entries,
            sections=_SECTIONS,
            late_sections=_LATE_SECTIONS,
            challenges=challenges,
            found=found,
            task_rows=list(task_rows.values()),
            verification=render_verification(data["verification"]) if data["verification"] else "",
        )
    )
    return _tidy(text)


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def render_verification(data: Any) -> str:
    """The "Verification" part of a report from ``verify_report(...).to_dict()``.

    The shape belongs to ``agentdeck verify``; this shows its summary figures
    and each claim with its verdict, and any other shape as a table of fields.
    """
    if not isinstance(data, dict):
        return _cell(data)
    lines = []
    summary_keys = [
        k
        for k in ("score", "status", "confirmed", "contradicted", "unverifiable", "total")
        if k in data and not isinstance(data[k], dict | list)
    ]
    inner = data.get("summary")
    if isinstance(inner, dict):
        summary_keys = []
        rows = [(k, v) for k, v in inner.items() if not isinstance(v, dict | list)]
    else:
        rows = [(k, data[k]) for k in summary_keys]
    if data.get("report") or data.get("path"):
        lines.append(f"Report checked: `{_cell(data.get('report') or data.get('path'))}`.")
        lines.append("")
    if rows:
        lines += ["| Figure | Value |", "|---|---|"]
        lines += [f"| {_cell(k)} | {_cell(v)} |" for k, v in rows]
    claims = data.get("claims")
    if isinstance(claims, list) and claims:
        lines += ["", "| Claim | Verdict | Measured |", "|---|---|---|"]
        for claim in claims:
            if not isinstance(claim, dict):
                continue
            what = claim.get("text") or claim.get("claim") or claim.get("kind") or ""
            verdict = claim.get("verdict") or claim.get("status") or ""
            measured = claim.get("measured", claim.get("actual", ""))
            lines.append(f"| {_cell(what)} | {_cell(verdict)} | {_cell(measured)} |")
    if not lines:
        lines = ["| Field | Value |", "|---|---|"] + [
            f"| {_cell(k)} | {_cell(v)} |" for k, v in data.items()
        ]
    return "\n".join(lines)


# -- history ----------------------------------------------------------------------------


def _categories_text(evidence: dict[str, Any] | None) -> str:
    if not evidence or not evidence.get("categories"):
        return ""
    return ", ".join(
        f"{name} {row['files']} (+{row['added']:,} -{row['removed']:,})"
        for name, row in evidence["categories"].items()
    )


def _history_sessions(ws: Workspace, history_path: Path) -> list[Session]:
    sessions = list_sessions(ws.store, SessionFilter(statuses=["ended", "abandoned", "imported"]))
    out = []
    for session in sessions:
        if session.imported and _from_file(ws.root, session.source, history_path):
            continue  # its text is already in the file, outside agentdeck's region
        out.append(get_session(ws.store, session.id, files=False))
    return out


def _from_file(root: Path, source: str | None, path: Path) -> bool:
    if not source:
        return False
    name = source.rsplit(":", 1)[0] if source.rsplit(":", 1)[-1].isdigit() else source
    candidate = Path(name)
    if not candidate.is_absolute():
        candidate = root / candidate
    try:
        return candidate.resolve() == path.resolve()
    except OSError:
        return candidate.name == path.name


def render_history(ws: Workspace, history_path: Path) -> str:
    """The body of agentdeck's region in the history file: every session, newest first."""
    reports_dir = ws.path(ws.config.get("notes", "sessions_dir"))
    env = environment()
    entry_template = env.get_template("history_entry.md.j2")
    entries = []
    sessions = _history_sessions(ws, history_path)
    for session in sessions:
        data = redact_data({**session.to_dict(), "commits": [], "files": []})
        report = reports_dir / f"{session.id}.md"
        link = None
        if not session.imported:
            link = os.path.relpath(report, history_path.parent).replace(os.sep, "/")
        entries.append(
            _tidy(
                entry_template.render(
                    s=data,
                    summary=redact(summary_line(session)),
                    categories=_categories_text(data["evidence"]),
                    completed=[t for t in data["tasks"]["items"] if t["role"] == "completed"],
                    decisions=[e for e in data["entries"] if e["kind"] == "decision"],
                    next_steps=[e for e in data["entries"] if e["kind"] == "next"],
                    report=link,
                )
            ).rstrip()
        )
    body = env.get_template("history.md.j2").render(
        entries=entries, count=len(sessions), generated_at=clock.now_text()
    )
    return _tidy(body)


# -- hand-off ---------------------------------------------------------------------------


def render_handoff(handoff: Handoff) -> str:
    """The hand-off as markdown (the body of ``CURRENT_WORK.md``'s region)."""
    data = redact_data(handoff.to_dict())
    return _tidy(environment().get_template("handoff.md.j2").render(h=data))


# -- writing ----------------------------------------------------------------------------


def _clear_stale_temporaries(path: Path, older_than: float = 60.0) -> None:
    """Remove temporary files a killed writer of ``path`` left behind."""
    cutoff = time.time() - older_than
    try:
        candidates = list(path.parent.glob(f".{path.name}.*.tmp"))
    except OSError:
        return
    for stale in candidates:
        try:
            if stale.stat().st_mtime < cutoff:
                stale.unlink()
        except OSError:
            pass


def _write(path: Path, text: str) -> Path:
    _clear_stale_temporaries(path)
    write_atomic(path, text)
    return path


def _read(path: Path) -> str | None:
    """The current text of a note (None when there is none). Bytes that are not
    UTF-8 in a hand-written part survive the round trip (surrogateescape)."""
    try:
        with path.open("r", encoding="utf-8", errors="surrogateescape", newline="") as handle:
            return handle.read()
    except (FileNotFoundError, NotADirectoryError):
        return None
    except OSError as err:
        raise CannotWrite(
            f"cannot read {path} to update it: {err.strerror or err}",
            hint="make it a readable file, or point [notes] elsewhere",
        ) from err


def write_region(
    path: Path, region: str, body: str, *, title: str, after_title: bool = False
) -> Path:
    """Replace agentdeck's region of ``path`` (kept text around it untouched)."""
    from agentdeck.notes.history import update_region

    text = update_region(_read(path), region, body, title=title, after_title=after_title)
    return _write(path, text)


def write_history(ws: Workspace) -> Path:
    """Rewrite agentdeck's region of the history file."""
    path = ws.path(ws.config.get("notes", "history"))
    return write_region(path, HISTORY_REGION, render_history(ws, path), title="Session history")


def write_handoff(ws: Workspace) -> Path:
    """Rewrite agentdeck's region of ``CURRENT_WORK.md``."""
    from agentdeck.notes.handoff import build_handoff

    path = ws.path(ws.config.get("notes", "current_work"))
    return write_region(
        path,
        HANDOFF_REGION,
        render_handoff(build_handoff(ws)),
        title="Current work",
        after_title=True,
    )


def report_path(ws: Workspace, session_id: str) -> Path:
    """Where the report of ``session_id`` is written."""
    return ws.path(ws.config.get("notes", "sessions_dir")) / f"{session_id}.md"


def write_session_notes(
    ws: Workspace, session_id: str, session: Session | None = None
) -> list[Path]:
    """Write the report, the history, the hand-off and the task index; return their paths."""
    from agentdeck.backlog.archive import write_task_index

    if session is None or session.id != session_id:
        session = get_session(ws.store, session_id)
    written = [
        _write(
            report_path(ws, session.id),
            render_report(session, max_files=ws.config.get("sessions", "report_files")),
        ),
        write_history(ws),
        write_handoff(ws),
    ]
    index = ws.path(ws.config.get("notes", "task_index"))
    _clear_stale_temporaries(index)
    write_task_index(ws.store, index)
    written.append(index)
    return written

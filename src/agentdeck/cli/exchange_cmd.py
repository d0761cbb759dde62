"""``agentdeck export`` and ``agentdeck import``: the backlog in and out."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from agentdeck import clock
from agentdeck.backlog.exchange import export_backlog, import_backlog
from agentdeck.backlog.markdown import render_todo
from agentdeck.backlog.tasks import load_tasks
from agentdeck.cli._common import emit_json, json_option, pass_workspace
from agentdeck.errors import ExitCode, InvalidInput
from agentdeck.fsutil import write_atomic
from agentdeck.workspace import Workspace


@click.command("export")
@click.option(
    "-f",
    "--format",
    "fmt",
    type=click.Choice(["md", "json"]),
    default="md",
    show_default=True,
    help="md: open tasks by priority; json: every task with its events.",
)
@click.option(
    "-o",
    "--output",
    metavar="PATH",
    help="Write here (atomically) instead of stdout; `-o todo` means [notes] todo.",
)
@pass_workspace
def export(ws: Workspace, fmt: str, output: str | None) -> None:
    """Export the backlog: TODO.md (open tasks by priority) or JSON (everything, with events)."""
    if fmt == "json":
        text = json.dumps(export_backlog(ws.store), ensure_ascii=False, indent=2) + "\n"
    else:
        text = render_todo(
            load_tasks(ws.store, "t.archived_at IS NULL"), generated_at=clock.now_text()
        )
    if output is None:
        sys.stdout.write(text)
        return
    path = ws.path(ws.config.get("notes", "todo")) if output == "todo" else Path(output).resolve()
    write_atomic(path, text)
    click.echo(f"Wrote {path}", err=True)


@click.command("import")
@click.argument("paths", nargs=-1, required=True, metavar="PATH...")
@click.option(
    "--replace",
    is_flag=True,
    help="Overwrite stored tasks (JSON) or imported sessions (notes) that differ from the file's.",
)
@click.option("--dry-run", is_flag=True, help="Check and report; change nothing.")
@click.option(
    "--jobs",
    type=click.IntRange(min=0),
    default=None,
    metavar="N",
    help="Read notes in N worker processes while writing (0: all in this process). "
    "Default: one per CPU when there are several MB of notes.",
)
@json_option
@pass_workspace
def import_(
    ws: Workspace,
    paths: tuple[str, ...],
    replace: bool,
    dry_run: bool,
    jobs: int | None,
    as_json: bool,
) -> None:
    """Import notes (markdown/text: files, folders, globs) or a backlog JSON export.

    Notes become sessions and tasks: session histories, single reports,
    hand-offs, progress logs, TODO.md backlogs and task indexes. Importing the
    same note twice changes nothing. A JSON export keeps IDs, timestamps and
    events. Exits 1 when a file failed or a named file has no session structure.
    """
    from agentdeck.notes.importer import collect_paths, is_backlog_export

    if jobs != 0 and any(
        Path(p).expanduser().is_dir() or any(c in p for c in "*?[") for p in paths
    ):
        from agentdeck.notes.importer.ahead import start_early

        start_early()  # a folder or a glob: maybe enough notes for workers
    results: dict[str, dict] = {}
    notes = []
    for found in collect_paths(paths):
        # Found in a folder or by a glob, only a .json file can be an export
        # (not every note opened once more to look); named, any file can.
        maybe = found.named or found.path.suffix.lower() == ".json"
        if maybe and is_backlog_export(found.path, strict=not found.named):
            name = str(found.path) if not found.named else _given_name(found.path, paths)
            results[name] = _import_export(ws, found.path, name, replace, dry_run)
        else:
            notes.append(found)
    problem = False
    if notes:
        notes_results, problem = run_notes_import(
            ws, notes, replace=replace, dry_run=dry_run, as_json=as_json, jobs=jobs
        )
        results.update(notes_results)
    if as_json:
        emit_json(results)
    if problem:
        raise click.exceptions.Exit(int(ExitCode.PROBLEM))


def _given_name(path: Path, given: tuple[str, ...]) -> str:
    for name in given:
        if Path(name).expanduser().resolve() == path.resolve():
            return name
    return str(path)


def _import_export(ws: Workspace, path: Path, name: str, replace: bool, dry_run: bool) -> dict:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InvalidInput(f"{name}: no such file") from None
    except (OSError, UnicodeDecodeError) as err:
        raise InvalidInput(f"{name}: cannot read: {err}") from None
    result = import_backlog(ws.store, text, where=name, replace=replace, dry_run=dry_run)
    if not _json_wanted():
        verb = "would create" if dry_run else "created"
        click.echo(
            f"{name}: {verb} {len(result.created)}, unchanged {len(result.unchanged)}, "
            f"{'would replace' if dry_run else 'replaced'} {len(result.replaced)}"
        )
    return {**result.to_dict(), "dry_run": dry_run}


def _json_wanted() -> bool:
    return bool(click.get_current_context().params.get("as_json"))


# -- notes ------------------------------------------------------------------------------


def run_notes_import(
    ws: Workspace,
    found: list,
    *,
    replace: bool,
    dry_run: bool,
    as_json: bool,
    jobs: int | None = None,
) -> tuple[dict[str, dict], bool]:
    """Import notes with a progress bar on a terminal; print a summary unless ``as_json``.

    Returns the JSON shape per file and whether anything calls for exit code 1.
    ``jobs`` is the number of worker processes (None: decided from the CPUs
    and the amount of notes; see ``agentdeck.notes.importer.ahead``).
    """
    from agentdeck.notes.importer import import_notes

    paths = [f.path for f in found]
    with _progress(len(paths)) as progress:
        results = import_notes(
            ws,
            paths,
            dry_run=dry_run,
            replace=replace,
            progress=progress,
            keep_parsed=dry_run,
            workers=jobs,
        )
    problem = False
    out: dict[str, dict] = {}
    for item, result in zip(found, results, strict=True):
        out[result.path] = result.to_dict()
        if result.status == "failed" or (result.status == "skipped" and item.named):
            problem = True
    if not as_json:
        for result in results:
            click.echo(_summary(result))
            if dry_run and result.parsed:
                for session in result.parsed:
                    if "entries" in session:
                        click.echo("  " + _session_line(session))
        if len(results) > 1:
            click.echo(_totals(results, dry_run))
    return out, problem


def _summary(r) -> str:  # type: ignore[no-untyped-def]
    if r.status == "failed":
        return f"{r.path}: failed, nothing imported: {r.error}"
    if r.status == "skipped":
        return f"{r.path}: skipped: {r.reason}"
    would = "would create" if r.dry_run else "created"
    parts = []
    if r.kind == "tasks":
        parts.append(
            f"backlog: {len(r.tasks_created)} tasks {would}, {len(r.tasks_linked)} already stored"
        )
    else:
        count = (
            len(r.sessions_created)
            + len(r.sessions_unchanged)
            + len(r.sessions_differ)
            + len(r.sessions_replaced)
        )
        text = f"{r.kind}, {count} session{'s' if count != 1 else ''}: {len(r.sessions_created)} {would}"
        if r.sessions_unchanged:
            text += f", {len(r.sessions_unchanged)} already imported"
        if r.sessions_differ:
            text += (
                f", {len(r.sessions_differ)} differ from the stored ones (kept; --replace updates)"
            )
        if r.sessions_replaced:
            text += f", {len(r.sessions_replaced)} {'would be ' if r.dry_run else ''}replaced"
        parts.append(text)
        parts.append(
            f"tasks: {len(r.tasks_created)} {would}, {len(r.tasks_linked)} linked; "
            f"recommended: {len(r.recommended_created)} {would}"
            + (f", {len(r.recommended_linked)} already open" if r.recommended_linked else "")
        )
    if r.repair:
        fixed = [
            f"{r.repair[k]} {label}"
            for k, label in (
                ("lines_mojibake", "mojibake"),
                ("lines_not_utf8", "not UTF-8"),
                ("lines_control_chars", "control chars"),
                ("lines_crlf", "CRLF"),
            )
            if r.repair.get(k)
        ]
        parts.append("repaired lines: " + ", ".join(fixed))
    for warning in r.warnings[:3]:
        parts.append(f"warning: {warning}")
    return f"{r.path}: " + "; ".join(parts)


def _session_line(session: dict) -> str:
    bits = [session.get("day") or session.get("when") or "undated"]
    if session.get("duration_minutes") is not None:
        bits.append(f"{session['duration_minutes']:g} min")
    if session.get("branch"):
        bits.append(session["branch"])
    counts = (
        f"{len(session['entries'])} entries, {len(session['tasks'])} tasks, "
        f"{len(session['files'])} files, {len(session['new_tasks'])} recommended"
    )
    return f"line {session['line']}: {' · '.join(bits)}  {session['title'][:70]}  ({counts})"


def _totals(results: list, dry_run: bool) -> str:
    def total(name: str) -> int:
        return sum(len(getattr(r, name)) for r in results)

    would = "would create" if dry_run else "created"
    skipped = sum(1 for r in results if r.status == "skipped")
    failed = sum(1 for r in results if r.status == "failed")
    text = (
        f"Total: {len(results)} files; sessions {total('sessions_created')} {would}, "
        f"{total('sessions_unchanged')} already imported; tasks {total('tasks_created')} {would}; "
        f"recommended {total('recommended_created')} {would}"
    )
    if skipped:
        text += f"; {skipped} skipped (no session structure)"
    if failed:
        text += f"; {failed} failed"
    return text


class _progress:
    """A rich progress bar over bytes on a terminal (stderr); nothing when piped."""

    def __init__(self, files: int) -> None:
        self.files = files
        self.bar = None
        self.task = None

    def __enter__(self):  # type: ignore[no-untyped-def]
        if self.files < 2 or not sys.stderr.isatty():
            return None
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            DownloadColumn,
            Progress,
            TextColumn,
            TimeRemainingColumn,
        )

        self.bar = Progress(
            TextColumn("importing"),
            BarColumn(),
            DownloadColumn(),
            TimeRemainingColumn(),
            TextColumn("{task.description}"),
            console=Console(stderr=True),
            transient=True,
        )
        self.bar.start()
        self.task = self.bar.add_task("", total=None)
        return self.update

    def update(self, done: int, total: int, name: str) -> None:
        if self.bar is not None:
            self.bar.update(self.task, completed=done, total=total, description=name[-40:])

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.stop()

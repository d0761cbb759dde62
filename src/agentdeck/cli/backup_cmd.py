"""``agentdeck backup …``: create, list, show, verify, prune, restore, keygen."""

from __future__ import annotations

import functools
import shutil
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from agentdeck.cli._common import emit_json, json_option, pass_workspace, table
from agentdeck.ops import backup as core
from agentdeck.ops.backup.model import TYPES
from agentdeck.workspace import Workspace


def human(size: float) -> str:
    for unit in ("B", "kB", "MB", "GB", "TB"):
        if size < 1000 or unit == "TB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1000
    return f"{size:.1f} TB"


class Progress:
    """A one-line progress display on a terminal's stderr; silent when not a terminal."""

    def __init__(self, verb: str, enabled: bool) -> None:
        self.verb = verb
        self.enabled = enabled and sys.stderr.isatty()
        self.start: float | None = None  # set at the first report (after the key derivation)
        self.last = 0.0
        self.shown = False

    def __call__(self, entries: int, done: int, path: str) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if self.start is None:
            self.start = now
        if now - self.last < 0.1:
            return
        self.last = now
        rate = done / max(now - self.start, 1e-6)
        line = f"{self.verb}: {entries:,} entries, {human(done)} ({human(rate)}/s)  {path}"
        width = shutil.get_terminal_size((100, 20)).columns
        sys.stderr.write("\r" + line[: width - 1].ljust(width - 1))
        sys.stderr.flush()
        self.shown = True

    def done(self) -> None:
        if self.shown:
            width = shutil.get_terminal_size((100, 20)).columns
            sys.stderr.write("\r" + " " * (width - 1) + "\r")
            sys.stderr.flush()


def _prompt(confirm: bool) -> str:
    return str(
        click.prompt(
            "Backup passphrase" + (" for the new backups" if confirm else ""),
            hide_input=True,
            confirmation_prompt=confirm,
            err=True,
        )
    )


def key_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """--destination, --key-file, --passphrase-file, turned into ``keyring`` and ``destination``."""

    @click.option(
        "--destination",
        metavar="DIR|s3://BUCKET/PREFIX",
        help="Use this destination instead of [backup] destination.",
    )
    @click.option(
        "--key-file",
        type=click.Path(dir_okay=False, path_type=Path),
        help="Key file instead of a passphrase ([backup] key_file).",
    )
    @click.option(
        "--passphrase-file",
        type=click.Path(dir_okay=False, path_type=Path),
        help="Read the passphrase from this file's first line ([backup] passphrase_file).",
    )
    @functools.wraps(func)
    def wrapper(
        ws: Workspace,
        *args: Any,
        key_file: Path | None,
        passphrase_file: Path | None,
        **kwargs: Any,
    ) -> Any:
        interactive = sys.stdin.isatty() and sys.stderr.isatty()
        ring = core.keyring(
            ws,
            key_file=key_file.resolve() if key_file else None,
            passphrase_file=passphrase_file.resolve() if passphrase_file else None,
            prompt=_prompt if interactive else None,
        )
        return func(ws, *args, keyring=ring, **kwargs)

    return wrapper


destination_option = click.option(
    "--destination",
    metavar="DIR|s3://BUCKET/PREFIX",
    help="Use this destination instead of [backup] destination.",
)


@click.group()
def backup() -> None:
    """Back up the database, files and config; verify, prune and restore safely.

    Exit codes: 0 done; 1 a backup is damaged or holds unsafe entries (verify
    failed, restore refused); 2 invalid input or wrong passphrase/key; 3 no such
    backup or key file; 4 another create/prune holds the destination, or a
    restore target database exists; 6 the destination cannot be written or read,
    or a source (pg_dump, a file) cannot be read.
    """


@backup.command("create")
@click.option(
    "--type",
    "kind",
    type=click.Choice(TYPES),
    default="all",
    show_default=True,
    help="What to back up.",
)
@click.option("--tag", "tags", multiple=True, help="A tag (repeat, or comma-separate).")
@click.option("-q", "--quiet", is_flag=True, help="No progress display.")
@json_option
@pass_workspace
@key_options
def create(
    ws: Workspace,
    kind: str,
    tags: tuple[str, ...],
    quiet: bool,
    as_json: bool,
    keyring: Any,
    destination: str | None,
) -> None:
    """Make a backup: compressed, encrypted, checksummed; listed only once complete."""
    progress = Progress("backing up", not quiet)
    try:
        result = core.create(
            ws, kind=kind, tags=tags, keyring=keyring, destination=destination, progress=progress
        )
    finally:
        progress.done()
    info = result.backup
    if as_json:
        emit_json(result.to_dict())
        return
    click.echo(
        f"Backup {info.id} ({info.type}): {info.entries:,} entries, {human(info.bytes)} "
        f"stored as {human(info.size)} in {info.duration_s:.1f}s"
    )
    click.echo(f"  at {info.destination}")
    if info.suspicious:
        click.echo(f"  warning: suspicious: {info.suspicious}")
    for line in result.skipped[:10]:
        click.echo(f"  skipped: {line}")
    if len(result.skipped) > 10:
        click.echo(f"  … and {len(result.skipped) - 10} more skipped")


def _verified(info: core.BackupInfo) -> str:
    if info.verify_ok is None:
        return "never"
    return ("ok " if info.verify_ok else "FAILED ") + (info.verified_at or "")[:16].replace(
        "T", " "
    )


@backup.command("list")
@click.option("--type", "kind", type=click.Choice(TYPES), help="Only backups of this type.")
@destination_option
@json_option
@pass_workspace
def list_(ws: Workspace, kind: str | None, destination: str | None, as_json: bool) -> None:
    """List backups, oldest first (no passphrase needed)."""
    infos = [
        i for i in core.list_backups(ws, destination=destination) if kind is None or i.type == kind
    ]
    if as_json:
        emit_json([i.to_dict() for i in infos])
        return
    if not infos:
        click.echo("No backups yet. Make one with `agentdeck backup create`.")
        return
    rows = []
    for i in infos:
        if i.damaged:
            rows.append((i.id, "", "", "", "", "", "", f"DAMAGED: {i.damaged}"))
            continue
        note = f"suspicious: {i.suspicious}" if i.suspicious else ""
        rows.append(
            (
                i.id,
                (i.created_at or "")[:19].replace("T", " "),
                i.type,
                human(i.size),
                f"{i.entries:,}",
                _verified(i),
                ",".join(i.tags),
                note,
            )
        )
    table(
        ("ID", "CREATED (UTC)", "TYPE", "SIZE", "ENTRIES", "VERIFIED", "TAGS", "NOTE"), rows, flex=7
    )


@backup.command("show")
@click.argument("backup_id", metavar="ID")
@click.option("--entries", is_flag=True, help="Decrypt and list every entry (needs the key).")
@json_option
@pass_workspace
@key_options
def show(
    ws: Workspace,
    backup_id: str,
    entries: bool,
    as_json: bool,
    keyring: Any,
    destination: str | None,
) -> None:
    """Show a backup's manifest (and with --entries, what it holds)."""
    doc = core.show(ws, backup_id, keyring=keyring if entries else None, destination=destination)
    if as_json:
        emit_json(doc)
        return
    totals = doc["totals"]
    click.echo(f"Backup {doc['id']}")
    for name, value in (
        ("created", doc["created_at"]),
        ("type", doc["type"]),
        ("tags", ", ".join(doc["tags"])),
        ("database", (doc.get("database") or {}).get("kind")),
        (
            "entries",
            f"{totals['entries']:,} ({totals['files']:,} files, {totals['dirs']:,} folders, {totals['symlinks']:,} symlinks)",
        ),
        ("content", human(totals["bytes"])),
        (
            "archive",
            f"{doc['archive']['name']} {human(doc['archive']['size'])} sha256 {doc['archive']['sha256']}",
        ),
        ("took", f"{doc.get('duration_s', 0):.1f}s"),
        ("tool", f"agentdeck {doc.get('tool_version')} on {doc.get('host')}"),
        ("suspicious", doc.get("suspicious")),
    ):
        if value:
            click.echo(f"  {name + ':':<12} {value}")
    if entries:
        rows = [
            (
                e["section"],
                e["type"],
                f"{e['mode']:o}",
                e["size"],
                e["path"] + (f" -> {e['target']}" if e.get("target") else ""),
            )
            for e in doc["entries"]
        ]
        table(("SECTION", "TYPE", "MODE", "SIZE", "PATH"), rows, flex=4)


@backup.command("verify")
@click.argument("backup_ids", metavar="[ID]...", nargs=-1)
@click.option("--all", "every", is_flag=True, help="Verify every backup.")
@click.option(
    "--sample",
    type=float,
    metavar="PCT",
    help="Check a random PCT% of the entries (plus the archive's end) instead of all.",
)
@click.option("-q", "--quiet", is_flag=True, help="No progress display.")
@json_option
@pass_workspace
@key_options
def verify(
    ws: Workspace,
    backup_ids: tuple[str, ...],
    every: bool,
    sample: float | None,
    quiet: bool,
    as_json: bool,
    keyring: Any,
    destination: str | None,
) -> None:
    """Decrypt backups and check every checksum (exit 1 if any is damaged)."""
    from agentdeck.errors import InvalidInput
    from agentdeck.ops.backup.errors import BackupDamaged

    if not backup_ids and not every:
        raise InvalidInput("name a backup ID or give --all")
    if backup_ids and every:
        raise InvalidInput("give backup IDs or --all, not both")
    progress = Progress("verifying", not quiet)
    try:
        results = core.verify(
            ws,
            None if every else list(backup_ids),
            keyring=keyring,
            sample_pct=sample,
            destination=destination,
            progress=progress,
        )
    finally:
        progress.done()
    if as_json:
        emit_json([r.to_dict() for r in results])
    elif not results:
        click.echo("No backups to verify.")
    else:
        for r in results:
            scope = (
                f"{r.entries_checked:,} of {r.entries_total:,} entries"
                if r.sample_pct
                else f"{r.entries_checked:,} entries"
            )
            if r.ok:
                click.echo(f"{r.id}  ok      {scope}, {human(r.bytes_checked)} checked")
            else:
                click.echo(f"{r.id}  DAMAGED {r.problem}")
    failed = [r for r in results if not r.ok]
    if failed:
        raise BackupDamaged(
            f"{len(failed)} of {len(results)} backup(s) failed verification: {failed[0].id}: {failed[0].problem}",
            hint="do not rely on it; make a new backup",
        )


@backup.command("prune")
@click.option("--keep-last", type=click.IntRange(min=0), help="Keep the newest N backups.")
@click.option(
    "--keep-hourly", type=click.IntRange(min=0), help="Keep the newest of each of the last N hours."
)
@click.option(
    "--keep-daily", type=click.IntRange(min=0), help="Keep the newest of each of the last N days."
)
@click.option(
    "--keep-weekly", type=click.IntRange(min=0), help="… of the last N weeks (Monday-Sunday)."
)
@click.option("--keep-monthly", type=click.IntRange(min=0), help="… of the last N months.")
@click.option("--keep-yearly", type=click.IntRange(min=0), help="… of the last N years.")
@click.option("-n", "--dry-run", is_flag=True, help="Show what would be removed; remove nothing.")
@destination_option
@json_option
@pass_workspace
def prune(
    ws: Workspace,
    keep_last: int | None,
    keep_hourly: int | None,
    keep_daily: int | None,
    keep_weekly: int | None,
    keep_monthly: int | None,
    keep_yearly: int | None,
    dry_run: bool,
    destination: str | None,
    as_json: bool,
) -> None:
    """Remove backups the retention policy does not keep (restic's forget rules, per type).

    Without --keep-* options the policy is [backup.retention].
    """
    from agentdeck.ops.backup.retention import Policy

    given = {
        "last": keep_last,
        "hourly": keep_hourly,
        "daily": keep_daily,
        "weekly": keep_weekly,
        "monthly": keep_monthly,
        "yearly": keep_yearly,
    }
    policy = None
    if any(v is not None for v in given.values()):
        policy = Policy(**{k: v or 0 for k, v in given.items()})
    result = core.prune(ws, policy, dry_run=dry_run, destination=destination)
    if as_json:
        emit_json(result.to_dict())
        return
    rules = ", ".join(f"{k} {v}" for k, v in result.policy.items() if v)
    click.echo(f"Policy: {rules} (per backup type)")
    rows = [(r["id"], r["type"] or "", "keep", ", ".join(r["reasons"])) for r in result.keep]
    rows += [(r["id"], r["type"] or "", "remove", "") for r in result.remove]
    rows.sort(key=lambda r: r[0], reverse=True)
    if rows:
        table(("ID", "TYPE", "ACTION", "KEPT BY"), rows, flex=3)
    verb = "Would remove" if dry_run else "Removed"
    click.echo(f"{verb} {len(result.remove)} backup(s); {len(result.keep)} kept.")


@backup.command("restore")
@click.argument("backup_id", metavar="ID")
@click.option(
    "--type",
    "kind",
    type=click.Choice(TYPES),
    default="all",
    show_default=True,
    help="What to restore from the backup.",
)
@click.option(
    "--target",
    type=click.Path(file_okay=False, path_type=Path),
    help="Restore into this folder (a new workspace) instead of the workspace itself.",
)
@click.option("-n", "--dry-run", is_flag=True, help="List what would be written, changed or left.")
@click.option(
    "--overwrite",
    type=click.Choice(("never", "if-changed", "always")),
    default="never",
    show_default=True,
    help="What to do with files that exist.",
)
@click.option("--replace-database", is_flag=True, help="Replace the current database (kept aside).")
@click.option("--pg-database", metavar="NAME", help="PostgreSQL: restore into this new database.")
@click.option("--skip-unsafe", is_flag=True, help="Leave out unsafe entries instead of refusing.")
@click.option("-q", "--quiet", is_flag=True, help="No progress display.")
@json_option
@pass_workspace
@key_options
def restore(
    ws: Workspace,
    backup_id: str,
    kind: str,
    target: Path | None,
    dry_run: bool,
    overwrite: str,
    replace_database: bool,
    pg_database: str | None,
    skip_unsafe: bool,
    quiet: bool,
    as_json: bool,
    keyring: Any,
    destination: str | None,
) -> None:
    """Restore a backup; never deletes anything, never writes outside the target."""
    from agentdeck.ops.backup.errors import UnsafeArchive

    sections = ("files", "config", "db") if kind == "all" else (kind,)
    progress = Progress("restoring", not quiet)
    try:
        result = core.restore(
            ws,
            backup_id,
            keyring=keyring,
            sections=sections,
            target=target,
            dry_run=dry_run,
            overwrite=overwrite,
            replace_database=replace_database,
            pg_database=pg_database,
            skip_unsafe=skip_unsafe,
            destination=destination,
            progress=progress,
        )
    finally:
        progress.done()
    counts = result.counts()
    if as_json:
        emit_json(result.to_dict())
    else:
        if dry_run:
            rows = [(a.action, a.section, a.type, a.path, a.reason) for a in result.actions]
            table(("ACTION", "SECTION", "TYPE", "PATH", "WHY"), rows, flex=3)
        head = "Would restore" if dry_run else "Restored"
        click.echo(
            f"{head} {result.backup} into {result.target}: {counts['write']} written, "
            f"{counts['change']} changed, {counts['leave']} left as they are, "
            f"{counts['refuse']} refused"
        )
        db = result.database
        if db:
            where = db.get("path") or db.get("database")
            click.echo(f"  database ({db['kind']}): {where}")
            if db.get("replaced_kept_at") or db.get("replaced_kept_as"):
                click.echo(
                    f"  the replaced database is kept as {db.get('replaced_kept_at') or db.get('replaced_kept_as')}"
                )
    if dry_run and counts["refuse"] and not skip_unsafe:
        first = next(a for a in result.actions if a.action == "refuse")
        raise UnsafeArchive(
            f"{counts['refuse']} entr{'y' if counts['refuse'] == 1 else 'ies'} would be refused, "
            f"first {first.path!r}: {first.reason}"
        )


@backup.command("keygen")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def keygen(path: Path) -> None:
    """Write a new random key file (mode 0600) for [backup] key_file. Keep a copy elsewhere."""
    core.generate_key(path)
    click.echo(
        f"Wrote a new key to {path}. Keep a copy away from the backups: without it they are lost."
    )

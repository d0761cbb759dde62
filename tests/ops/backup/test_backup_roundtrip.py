"""Round trips: files of many shapes byte for byte with modes and mtimes; the
database consistent while another process writes; PostgreSQL through pg_dump."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from backup_helpers import BackupEnv, tree_state

from agentdeck.ops import backup


def _shapes(root: Path) -> None:
    """Files of many shapes under ``root/data``."""
    data = root / "data"
    (data / "nested" / "deeper" / "deepest").mkdir(parents=True)
    (data / "empty-folder").mkdir()
    (data / "empty.txt").write_bytes(b"")
    (data / "binary.bin").write_bytes(bytes(range(256)) * 40 + os.urandom(5000))
    (data / "large.bin").write_bytes(os.urandom(5 << 20) + b"tail")  # spans two 4 MiB chunks
    sparse = data / "sparse.img"
    with open(sparse, "wb") as handle:
        handle.seek(3 << 20)
        handle.write(b"island in the middle")
        handle.seek(9 << 20)
        handle.write(b"end")
    (data / "naïve café — 日本語 файл.txt").write_text("unicode name\n", encoding="utf-8")
    (data / "nested" / "deeper" / "deepest" / "leaf.txt").write_text("leaf\n")
    script = data / "run.sh"
    script.write_text("#!/bin/sh\necho hi\n")
    script.chmod(0o755)
    private = data / "private.key"
    private.write_text("secret-ish\n")
    private.chmod(0o600)
    (data / "link-to-leaf").symlink_to("nested/deeper/deepest/leaf.txt")
    (data / "nested" / "link-up").symlink_to("../binary.bin")
    (data / "dangling").symlink_to("does-not-exist-yet")
    (data / "nested" / "deeper").chmod(0o750)
    # Left out by the default excludes:
    (root / "node_modules" / "pkg").mkdir(parents=True)
    (root / "node_modules" / "pkg" / "index.js").write_text("x")
    (root / "build").mkdir()
    (root / "build" / "out.o").write_bytes(b"obj")
    (root / "my-env").mkdir()
    (root / "my-env" / "pyvenv.cfg").write_text("home = /usr\n")
    (root / "my-env" / "lib.py").write_text("x")
    (root / "mod.pyc").write_bytes(b"pyc")
    # Fixed, distinct mtimes (nanoseconds), folders last so writing files does not move them.
    stamp = 1_600_000_000_123_456_789
    for folder, dirs, files in os.walk(data, topdown=False):
        for name in files + dirs:
            path = os.path.join(folder, name)
            stamp += 1_000_000_007
            os.utime(path, ns=(stamp, stamp), follow_symlinks=False)
    os.utime(data, ns=(stamp + 5, stamp + 5))


def test_files_round_trip_byte_for_byte(benv: BackupEnv, tmp_path: Path) -> None:
    _shapes(benv.root)
    made = backup.create(benv.ws, kind="files", keyring=benv.keyring)
    assert made.backup.entries > 10
    target = tmp_path / "restored"
    result = backup.restore(benv.ws, made.backup.id, keyring=benv.keyring, target=target)
    assert result.counts()["refuse"] == 0
    original = tree_state(benv.root / "data")
    restored = tree_state(target / "data")
    assert restored == original
    # Holes stay holes: the 9 MiB sparse file takes a few blocks on disk.
    assert os.stat(target / "data" / "sparse.img").st_blocks * 512 < 2 << 20
    for left_out in ("node_modules", "build", "my-env", "mod.pyc", ".git", ".agentdeck"):
        assert not (target / left_out).exists(), left_out
    assert (target / "agentdeck.toml").read_bytes() == (benv.root / "agentdeck.toml").read_bytes()


def test_restore_in_place_never_deletes_and_respects_overwrite(benv: BackupEnv) -> None:
    data = benv.root / "data"
    data.mkdir()
    (data / "kept.txt").write_text("original\n")
    (data / "lost.txt").write_text("will be deleted\n")
    made = backup.create(benv.ws, kind="files", keyring=benv.keyring)
    (data / "lost.txt").unlink()
    (data / "kept.txt").write_text("edited since\n")
    (data / "new.txt").write_text("not in the backup\n")

    plan = backup.restore(benv.ws, made.backup.id, keyring=benv.keyring, dry_run=True)
    actions = {a.path: a.action for a in plan.actions}
    assert actions["data/lost.txt"] == "write"
    assert actions["data/kept.txt"] == "leave"
    assert (data / "kept.txt").read_text() == "edited since\n"  # dry run wrote nothing
    assert not (data / "lost.txt").exists()

    backup.restore(benv.ws, made.backup.id, keyring=benv.keyring)
    assert (data / "lost.txt").read_text() == "will be deleted\n"
    assert (data / "kept.txt").read_text() == "edited since\n"
    assert (data / "new.txt").exists()  # never deletes what is not in the backup

    changed = backup.restore(
        benv.ws, made.backup.id, keyring=benv.keyring, overwrite="if-changed", dry_run=True
    )
    by_path = {a.path: a.action for a in changed.actions}
    assert by_path["data/kept.txt"] == "change"
    assert by_path["data/lost.txt"] == "leave"  # restored just now: unchanged
    backup.restore(benv.ws, made.backup.id, keyring=benv.keyring, overwrite="if-changed")
    assert (data / "kept.txt").read_text() == "original\n"
    assert (data / "new.txt").exists()

    (data / "kept.txt").write_text("edited again\n")
    os.utime(data / "lost.txt", ns=(1, 1))  # same content, other mtime
    always = backup.restore(benv.ws, made.backup.id, keyring=benv.keyring, overwrite="always")
    assert {a.path: a.action for a in always.actions}["data/lost.txt"] == "change"
    assert (data / "kept.txt").read_text() == "original\n"
    assert (data / "lost.txt").stat().st_mtime_ns != 1
    config_only = backup.restore(
        benv.ws, made.backup.id, keyring=benv.keyring, sections=("config",), dry_run=True
    )
    assert config_only.actions == []  # a files backup holds no config section


_WRITER = r"""
import sqlite3, sys, os, time
db, stop = sys.argv[1], sys.argv[2]
conn = sqlite3.connect(db, timeout=30, isolation_level=None)
conn.execute("PRAGMA busy_timeout = 30000")
conn.execute("CREATE TABLE IF NOT EXISTS ledger_a (n INTEGER PRIMARY KEY, pad TEXT)")
conn.execute("CREATE TABLE IF NOT EXISTS ledger_b (n INTEGER PRIMARY KEY, pad TEXT)")
n = 0
deadline = time.monotonic() + 60
open(stop + ".started", "w").close()
while not os.path.exists(stop) and time.monotonic() < deadline:
    n += 1
    conn.execute("BEGIN IMMEDIATE")
    conn.execute("INSERT INTO ledger_a VALUES (?, ?)", (n, "x" * 500))
    conn.execute("INSERT INTO ledger_b VALUES (?, ?)", (n, "y" * 500))
    conn.execute("COMMIT")
print(n)
"""


def test_sqlite_backup_while_another_process_writes(benv: BackupEnv, tmp_path: Path) -> None:
    db = benv.root / ".agentdeck" / "deck.db"
    stop = tmp_path / "stop"
    writer = subprocess.Popen(
        [sys.executable, "-c", _WRITER, str(db), str(stop)], stdout=subprocess.PIPE, text=True
    )
    try:
        while not Path(str(stop) + ".started").exists():
            time.sleep(0.01)
        time.sleep(0.3)  # let it commit a few hundred transactions (no assertion on time)
        made = [backup.create(benv.ws, kind="db", keyring=benv.keyring) for _ in range(3)]
    finally:
        stop.touch()
        written = int(writer.communicate(timeout=60)[0])
    assert written > 0
    for number, item in enumerate(made):
        target = tmp_path / f"restored-{number}"
        result = backup.restore(benv.ws, item.backup.id, keyring=benv.keyring, target=target)
        assert result.database and result.database["kind"] == "sqlite"
        conn = sqlite3.connect(target / ".agentdeck" / "deck.db")
        try:
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            a = conn.execute("SELECT count(*), coalesce(max(n), 0) FROM ledger_a").fetchone()
            b = conn.execute("SELECT count(*), coalesce(max(n), 0) FROM ledger_b").fetchone()
            # A committed state: both halves of every transaction, and no gaps.
            assert a == b and a[0] == a[1]
            migrations = conn.execute("SELECT count(*) FROM agentdeck_migrations").fetchone()[0]
            assert migrations >= 3
        finally:
            conn.close()


def test_sqlite_database_replace_keeps_the_old_one_aside(benv: BackupEnv) -> None:
    from agentdeck.backlog import tasks
    from agentdeck.backlog.tasks import NewTask

    store = benv.ws.store  # type: ignore[attr-defined]
    tasks.add_task(store, NewTask(title="before the backup"))
    made = backup.create(benv.ws, kind="db", keyring=benv.keyring)
    tasks.add_task(store, NewTask(title="after the backup"))
    benv.reopen()

    plain = backup.restore(benv.ws, made.backup.id, keyring=benv.keyring)
    beside = Path(plain.database["path"])  # type: ignore[index]
    assert beside.name == f"deck.restored-{made.backup.id}.db"
    titles = {r[0] for r in sqlite3.connect(beside).execute("SELECT title FROM tasks")}
    assert titles == {"before the backup"}

    replaced = backup.restore(benv.ws, made.backup.id, keyring=benv.keyring, replace_database=True)
    aside = Path(replaced.database["replaced_kept_at"])  # type: ignore[index]
    live = benv.root / ".agentdeck" / "deck.db"
    assert {r[0] for r in sqlite3.connect(live).execute("SELECT title FROM tasks")} == {
        "before the backup"
    }
    assert {r[0] for r in sqlite3.connect(aside).execute("SELECT title FROM tasks")} == {
        "before the backup",
        "after the backup",
    }


def test_postgresql_round_trip_into_a_new_database(
    pg_schema_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import psycopg
    from backup_helpers import PASSPHRASE, make_workspace

    from agentdeck.backlog import tasks
    from agentdeck.backlog.tasks import NewTask

    monkeypatch.setenv("AGENTDECK_DATABASE_URL", pg_schema_url)
    monkeypatch.setenv("AGENTDECK_BACKUP_PASSPHRASE", PASSPHRASE)
    ws = make_workspace(tmp_path / "repo", f'destination = "{tmp_path / "b"}"')
    try:
        tasks.add_task(ws.store, NewTask(title="kept in postgres"))  # type: ignore[attr-defined]
        made = backup.create(ws, kind="db", keyring=backup.keyring(ws))  # type: ignore[arg-type]
        assert made.backup.database_kind == "postgresql"
        name = f"restored_{os.getpid()}_{made.backup.id.replace('-', '_')}"
        result = backup.restore(
            ws,
            made.backup.id,
            keyring=backup.keyring(ws),
            pg_database=name,  # type: ignore[arg-type]
        )
        assert result.database and result.database["database"] == name
        schema = result.database["schema"]
        base = pg_schema_url.split("?")[0].rsplit("/", 1)[0]
        try:
            with psycopg.connect(f"{base}/{name}") as conn:
                titles = [
                    r[0] for r in conn.execute(f"SELECT title FROM {schema}.tasks").fetchall()
                ]
            assert titles == ["kept in postgres"]
            from agentdeck.ops.backup.errors import TargetExists

            with pytest.raises(TargetExists):
                backup.restore(
                    ws,
                    made.backup.id,
                    keyring=backup.keyring(ws),
                    pg_database=name,  # type: ignore[arg-type]
                )
        finally:
            with psycopg.connect(base + "/postgres", autocommit=True) as conn:
                conn.execute(f"DROP DATABASE IF EXISTS {name}")
    finally:
        ws.close()  # type: ignore[attr-defined]


def test_config_and_all_types(benv: BackupEnv, tmp_path: Path) -> None:
    (benv.root / "notes.md").write_text("# notes\n")
    made = backup.create(benv.ws, kind="config", keyring=benv.keyring)
    shown = backup.show(benv.ws, made.backup.id, keyring=benv.keyring)
    assert [(e["section"], e["path"]) for e in shown["entries"]] == [("config", "agentdeck.toml")]
    everything = backup.create(benv.ws, kind="all", tags=["a,b", "c"], keyring=benv.keyring)
    assert everything.backup.tags == ["a", "b", "c"]
    sections = {
        e["section"]
        for e in backup.show(benv.ws, everything.backup.id, keyring=benv.keyring)["entries"]
    }
    assert sections == {"config", "db", "files"}
    target = tmp_path / "new-workspace"
    backup.restore(benv.ws, everything.backup.id, keyring=benv.keyring, target=target)
    assert (target / "notes.md").read_text() == "# notes\n"
    assert (target / ".agentdeck" / "deck.db").exists()
    from agentdeck.workspace import open_workspace

    restored = open_workspace(target)
    try:
        assert restored.store.query_value("SELECT count(*) FROM agentdeck_migrations") >= 3
    finally:
        restored.close()


def test_postgresql_replace_keeps_the_old_database_aside(
    pg_schema_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A whole database (no search_path): restored beside, then swapped in by renaming."""
    import psycopg
    from backup_helpers import PASSPHRASE, make_workspace

    from agentdeck.backlog import tasks
    from agentdeck.backlog.tasks import NewTask

    base = pg_schema_url.split("?")[0].rsplit("/", 1)[0]  # the server (the fixture skips without)
    name = f"agentdeck_replace_{os.getpid()}"
    with psycopg.connect(base + "/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name}")
        conn.execute(f"CREATE DATABASE {name}")
    created: list[str] = [name]
    try:
        monkeypatch.setenv("AGENTDECK_DATABASE_URL", f"{base}/{name}")
        monkeypatch.setenv("AGENTDECK_BACKUP_PASSPHRASE", PASSPHRASE)
        ws = make_workspace(tmp_path / "repo", f'destination = "{tmp_path / "b"}"')
        tasks.add_task(ws.store, NewTask(title="in the backup"))  # type: ignore[attr-defined]
        made = backup.create(ws, kind="db", keyring=backup.keyring(ws))  # type: ignore[arg-type]
        tasks.add_task(ws.store, NewTask(title="after the backup"))  # type: ignore[attr-defined]
        ws.close()  # type: ignore[attr-defined]
        result = backup.restore(
            ws,  # type: ignore[arg-type]
            made.backup.id,
            keyring=backup.keyring(ws),  # type: ignore[arg-type]
            replace_database=True,
            pg_database=f"{name}_new",
        )
        assert result.database is not None
        aside = result.database["replaced_kept_as"]
        created += [aside, f"{name}_new"]
        with psycopg.connect(f"{base}/{name}") as conn:
            assert [r[0] for r in conn.execute("SELECT title FROM tasks")] == ["in the backup"]
        with psycopg.connect(f"{base}/{aside}") as conn:
            titles = sorted(r[0] for r in conn.execute("SELECT title FROM tasks"))
        assert titles == ["after the backup", "in the backup"]
    finally:
        with psycopg.connect(base + "/postgres", autocommit=True) as conn:
            for database in created:
                conn.execute(f"DROP DATABASE IF EXISTS {database}")

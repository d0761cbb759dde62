"""Hostile archives: entries that would leave the target are refused with a clear
message, and nothing is written outside the target (nor, by default, inside)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from backup_helpers import BackupEnv, file_meta, forge_backup

from agentdeck.ops import backup
from agentdeck.ops.backup.errors import UnsafeArchive


def _outside(tmp_path: Path) -> Path:
    outside = tmp_path / "outside"
    outside.mkdir(exist_ok=True)
    return outside


CASES = {
    "absolute path": (lambda o: [(file_meta(f"{o}/evil.txt"), b"pwned")], "absolute path"),
    "dot-dot": (lambda o: [(file_meta("../outside/evil.txt"), b"pwned")], "'..'"),
    "dot-dot inside": (
        lambda o: [(file_meta("a/../../outside/evil.txt"), b"pwned")],
        "'..'",
    ),
    "absolute symlink": (
        lambda o: [(file_meta("link", kind="symlink", mode=0o777, target=str(o)), b"")],
        "absolute path",
    ),
    "symlink climbing out": (
        lambda o: [(file_meta("link", kind="symlink", mode=0o777, target="../outside"), b"")],
        "points outside",
    ),
    "symlink then a file through it": (
        lambda o: [
            (file_meta("escape", kind="symlink", mode=0o777, target="sub"), b""),
            (file_meta("escape/evil.txt"), b"pwned"),
        ],
        "under the symlink 'escape'",
    ),
    "chain of symlinks climbing out": (
        lambda o: [
            (file_meta("a", kind="dir", mode=0o755), b""),
            (file_meta("a/b", kind="dir", mode=0o755), b""),
            (file_meta("a/b/u", kind="symlink", mode=0o777, target="../.."), b""),
            (file_meta("a/b/v", kind="symlink", mode=0o777, target="u/.."), b""),
        ],
        "points outside",
    ),
    "symlink loop": (
        lambda o: [
            (file_meta("x", kind="symlink", mode=0o777, target="y/z"), b""),
            (file_meta("y", kind="symlink", mode=0o777, target="x/z"), b""),
        ],
        "points outside",
    ),
    "into the state folder": (
        lambda o: [(file_meta(".agentdeck/deck.db"), b"not a database")],
        "state folder",
    ),
    "character device": (lambda o: [(file_meta("tty0", kind="chardev"), b"")], "device"),
    "device bits in the mode": (
        lambda o: [(file_meta("null", mode=0o020666), b"")],
        "impossible mode",
    ),
    "fifo": (lambda o: [(file_meta("pipe", kind="fifo"), b"")], "never device files"),
    "config escaping": (
        lambda o: [({**file_meta("../agentdeck.toml"), "section": "config"}, b"x")],
        "'..'",
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_hostile_archive_is_refused(benv: BackupEnv, tmp_path: Path, case: str) -> None:
    outside = _outside(tmp_path)
    build, expected = CASES[case]
    entries = [(file_meta("fine.txt"), b"harmless"), *build(outside)]
    backup_id = forge_backup(benv.ws, entries)
    target = tmp_path / "target"
    target.mkdir()

    # verify proves the backup authentic: only restore's checks stop it.
    assert backup.verify(benv.ws, [backup_id], keyring=benv.keyring)[0].ok
    plan = backup.restore(benv.ws, backup_id, keyring=benv.keyring, target=target, dry_run=True)
    refused = [a for a in plan.actions if a.action == "refuse"]
    assert refused and expected in refused[0].reason

    with pytest.raises(UnsafeArchive, match="nothing was restored") as caught:
        backup.restore(benv.ws, backup_id, keyring=benv.keyring, target=target)
    assert expected in str(caught.value)
    assert list(target.iterdir()) == []
    assert list(outside.iterdir()) == []
    assert not (tmp_path / "evil.txt").exists()

    # --skip-unsafe restores the rest, still nothing outside.
    result = backup.restore(
        benv.ws, backup_id, keyring=benv.keyring, target=target, skip_unsafe=True
    )
    assert (target / "fine.txt").read_bytes() == b"harmless"
    assert list(outside.iterdir()) == []
    assert all(a.action in ("write", "refuse") for a in result.actions)


def test_symlink_on_disk_in_the_target_is_never_followed(benv: BackupEnv, tmp_path: Path) -> None:
    outside = _outside(tmp_path)
    backup_id = forge_backup(
        benv.ws,
        [(file_meta("sub", kind="dir", mode=0o755), b""), (file_meta("sub/evil.txt"), b"pwned")],
    )
    target = tmp_path / "target"
    target.mkdir()
    os.symlink(outside, target / "sub")
    with pytest.raises(UnsafeArchive, match="symlink on disk"):
        backup.restore(benv.ws, backup_id, keyring=benv.keyring, target=target)
    assert list(outside.iterdir()) == []
    backup.restore(benv.ws, backup_id, keyring=benv.keyring, target=target, skip_unsafe=True)
    assert list(outside.iterdir()) == []


def test_safe_symlinks_inside_are_restored(benv: BackupEnv, tmp_path: Path) -> None:
    backup_id = forge_backup(
        benv.ws,
        [
            (file_meta("d", kind="dir", mode=0o755), b""),
            (file_meta("d/f.txt"), b"content"),
            (file_meta("d/self", kind="symlink", mode=0o777, target="../d/./f.txt"), b""),
            (file_meta("top", kind="symlink", mode=0o777, target="d"), b""),
        ],
    )
    target = tmp_path / "target"
    backup.restore(benv.ws, backup_id, keyring=benv.keyring, target=target)
    assert (target / "d" / "self").read_bytes() == b"content"
    assert os.readlink(target / "top") == "d"


def test_hostile_archive_through_the_cli(benv: BackupEnv, tmp_path: Path, deck) -> None:  # type: ignore[no-untyped-def]
    outside = _outside(tmp_path)
    backup_id = forge_backup(benv.ws, [(file_meta("../outside/evil.txt"), b"pwned")])
    target = tmp_path / "target"
    dry = deck("backup", "restore", backup_id, "--target", str(target), "--dry-run")
    assert dry.code == 1
    assert "refuse" in dry.out and "../outside/evil.txt" in dry.out
    real = deck("backup", "restore", backup_id, "--target", str(target))
    assert real.code == 1
    assert real.err.startswith("agentdeck: error: backup ") and real.err.count("\n") == 1
    assert "'..'" in real.err and "Traceback" not in real.err
    assert list(outside.iterdir()) == []


def test_state_folder_symlink_in_the_target_is_refused(benv: BackupEnv, tmp_path: Path) -> None:
    from agentdeck.errors import InvalidInput

    made = backup.create(benv.ws, kind="db", keyring=benv.keyring)
    outside = _outside(tmp_path)
    target = tmp_path / "target"
    target.mkdir()
    os.symlink(outside, target / ".agentdeck")
    with pytest.raises(InvalidInput, match="is a symlink"):
        backup.restore(benv.ws, made.backup.id, keyring=benv.keyring, target=target)
    assert list(outside.iterdir()) == []

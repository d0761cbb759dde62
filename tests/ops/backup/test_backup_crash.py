"""Crash: ``backup create`` killed (SIGKILL) at random moments never damages a
listed backup; the partial one is never listed and is cleaned up by the next
create, which succeeds."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import time
from pathlib import Path

import pytest
from backup_helpers import PASSPHRASE, BackupEnv

from agentdeck.ops import backup


def _entry_point() -> str:
    import shutil
    import sys

    beside = Path(sys.executable).with_name("agentdeck")
    exe = str(beside) if beside.exists() else shutil.which("agentdeck")
    assert exe, "the agentdeck entry point is not installed"
    return exe


def _complete_pairs_only(dest: Path) -> None:
    names = set(os.listdir(dest))
    assert not [n for n in names if n.startswith(".partial-")], names
    archives = {n[:-5] for n in names if n.endswith(".adbk")}
    manifests = {n[:-5] for n in names if n.endswith(".json") and n != "agentdeck-backups.json"}
    assert archives == manifests


@pytest.mark.slow
def test_kill_create_at_random_moments(benv: BackupEnv, tmp_path: Path) -> None:
    data = benv.root / "data"
    data.mkdir()
    for number in range(3):
        (data / f"blob-{number}.bin").write_bytes(os.urandom(4 << 20))
    for number in range(300):
        (data / f"note-{number}.md").write_text(f"note {number}\n" * 50)
    env = {**os.environ, "AGENTDECK_BACKUP_PASSPHRASE": PASSPHRASE}
    args = [_entry_point(), "backup", "create", "--quiet", "--type", "all"]

    started = time.monotonic()
    subprocess.run(args, cwd=benv.root, env=env, check=True, capture_output=True)
    duration = time.monotonic() - started

    rng = random.Random(6)
    killed = 0
    for _ in range(20):
        proc = subprocess.Popen(
            args, cwd=benv.root, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        time.sleep(rng.uniform(0, duration))
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            killed += 1
        proc.wait()
        # Whatever the moment, every listed backup is whole.
        listed = backup.list_backups(benv.ws)
        assert all(not info.damaged for info in listed)
        # The next backup succeeds and removes the leftovers of the killed one.
        after = subprocess.run(args, cwd=benv.root, env=env, capture_output=True, text=True)
        assert after.returncode == 0, after.stderr
        _complete_pairs_only(benv.dest)
    assert killed > 0  # at least some runs died half-way (the others finished)
    results = backup.verify(benv.ws, None, keyring=benv.keyring)
    assert len(results) >= 21
    assert all(r.ok for r in results), [r.problem for r in results if not r.ok]

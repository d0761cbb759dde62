"""Fixtures of the backup tests: a SQLite workspace whose backups use a passphrase."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from backup_helpers import PASSPHRASE, BackupEnv, make_workspace


@pytest.fixture
def benv(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[BackupEnv]:
    """A workspace in ``tmp_path/repo`` with backups in ``tmp_path/backups``."""
    monkeypatch.setenv("AGENTDECK_BACKUP_PASSPHRASE", PASSPHRASE)
    root = tmp_path / "repo"
    dest = tmp_path / "backups"
    ws = make_workspace(root, f'destination = "{dest}"')
    monkeypatch.chdir(root)
    env = BackupEnv(ws, root, dest)
    yield env
    env.ws.close()  # type: ignore[attr-defined]

"""One monitor per workspace: an ``fcntl`` lock that dies with its process, and a pid record.

``MonitorLock`` holds an exclusive ``flock`` on ``.agentdeck/monitor.lock``
(the kernel releases it when the process ends, however it ends, so a crash
never leaves a stale lock) and writes ``.agentdeck/monitor.json`` with the
pid, start time, interval and host. ``monitor_info`` asks the lock, not the
pid file, whether a monitor runs.
"""

from __future__ import annotations

import json
import os
import socket
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from agentdeck import clock as clock_module
from agentdeck.errors import Conflict

LOCK_FILE = "monitor.lock"
PID_FILE = "monitor.json"


@dataclass
class MonitorInfo:
    """Whether a monitor runs in the workspace, and its pid record."""

    running: bool
    pid: int | None = None
    started_at: str | None = None
    interval: float | None = None
    host: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "running": self.running,
            "pid": self.pid,
            "started_at": self.started_at,
            "interval": self.interval,
            "host": self.host,
        }


def _read_record(state_dir: Path) -> dict[str, Any]:
    try:
        data = json.loads((state_dir / PID_FILE).read_text(encoding="utf-8"))
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


def monitor_info(state_dir: Path) -> MonitorInfo:
    """Ask the lock whether a monitor runs (a stale pid file never fools it)."""
    import fcntl

    path = state_dir / LOCK_FILE
    running = False
    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        fd = None
    if fd is not None:
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            running = True
        finally:
            os.close(fd)
    record = _read_record(state_dir) if running else {}
    return MonitorInfo(
        running,
        record.get("pid"),
        record.get("started_at"),
        record.get("interval"),
        record.get("host"),
    )


class MonitorLock:
    """Exclusive, process-lifetime lock on the workspace's monitor (a context manager)."""

    def __init__(self, state_dir: Path, interval: float) -> None:
        self.state_dir = state_dir
        self.interval = interval
        self._fd: int | None = None

    def __enter__(self) -> MonitorLock:
        import fcntl

        from agentdeck.fsutil import write_atomic

        self.state_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.state_dir / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            record = _read_record(self.state_dir)
            who = (
                f" (pid {record['pid']}, since {record.get('started_at', '?')})"
                if "pid" in record
                else ""
            )
            raise Conflict(
                f"a monitor already runs in this workspace{who}",
                hint="see `agentdeck monitor status`; stop it with Ctrl-C or kill -TERM PID",
            ) from None
        self._fd = fd
        record = {
            "pid": os.getpid(),
            "started_at": clock_module.now_text(),
            "interval": self.interval,
            "host": socket.gethostname(),
        }
        write_atomic(self.state_dir / PID_FILE, json.dumps(record) + "\n")
        return self

    def __exit__(self, *exc: object) -> None:
        import contextlib

        with contextlib.suppress(FileNotFoundError):
            (self.state_dir / PID_FILE).unlink()
        if self._fd is not None:
            os.close(self._fd)  # releases the flock
            self._fd = None

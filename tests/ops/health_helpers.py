"""Local servers and fixed readings for the health, diagnose and monitor tests.

``LocalServer`` is a real HTTP server on 127.0.0.1 that answers:

* ``/ok`` 200, ``/error`` 500, ``/slow`` 200 after 0.3 s,
* ``/hang``: holds the request until the test ends (``release()``),
* ``/flip``: 200 or 503 as the test sets ``server.up``,
* ``POST /hook``: records the JSON body in ``server.bodies`` and answers
  ``server.hook_status`` (200 unless the test changes it).
"""

from __future__ import annotations

import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from agentdeck.ops.checks_host import DiskReading, FixedReadings, MemoryReading

GIB = 2**30


def readings(
    disk_percent: float = 50.0,
    memory_percent: float = 50.0,
    load_per_core: float = 0.5,
    cpus: int = 4,
) -> FixedReadings:
    """Readings with the given use; 100 GiB disk, 16 GiB memory."""
    used = int(100 * GIB * disk_percent / 100)
    total_mem = 16 * GIB
    load = load_per_core * cpus
    return FixedReadings(
        DiskReading(100 * GIB, used, 100 * GIB - used),
        MemoryReading(total_mem, int(total_mem * (1 - memory_percent / 100))),
        (load, load, load),
        cpus,
    )


def readings_file(path: Path, **kwargs: Any) -> Path:
    """Write fixed readings as the JSON ``AGENTDECK_READINGS`` reads; drop a part with None."""
    r = readings(**{k: v for k, v in kwargs.items() if v is not None})
    data: dict[str, Any] = {
        "disk": {
            "total": r.disk_reading.total,
            "used": r.disk_reading.used,
            "free": r.disk_reading.free,
        },
        "memory": {"total": r.memory_reading.total, "available": r.memory_reading.available},
        "load": list(r.load_reading),
        "cpus": r.cpu_count,
    }
    for key, value in kwargs.items():
        if value is None:
            data.pop(
                {"disk_percent": "disk", "memory_percent": "memory", "load_per_core": "load"}[key]
            )
    path.write_text(json.dumps(data))
    return path


class LocalServer:
    """A threaded HTTP server on an ephemeral port of 127.0.0.1 (see the module docstring)."""

    def __init__(self) -> None:
        self.up = True
        self.hook_status = 200
        self.bodies: list[dict[str, Any]] = []
        self.hits: dict[str, int] = {}
        self._release = threading.Event()
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self, code: int, body: bytes = b"") -> None:
                self.send_response(code)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self) -> None:
                owner.hits[self.path] = owner.hits.get(self.path, 0) + 1
                if self.path == "/ok":
                    self._answer(200, b"ok")
                elif self.path == "/error":
                    self._answer(500, b"boom")
                elif self.path == "/slow":
                    time.sleep(0.3)
                    self._answer(200, b"slow")
                elif self.path == "/hang":
                    owner._release.wait(30)
                elif self.path == "/flip":
                    self._answer(200 if owner.up else 503, b"flip")
                else:
                    self._answer(404)

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                if self.path == "/hang":
                    owner._release.wait(30)
                    return
                owner.bodies.append(json.loads(raw or b"null"))
                self._answer(owner.hook_status, b"ok")

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def release(self) -> None:
        self._release.set()

    def close(self) -> None:
        self.release()
        self.server.shutdown()
        self.server.server_close()


def refused_port() -> int:
    """A port on 127.0.0.1 where nothing listens (bound, then closed)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def service(name: str, **keys: Any) -> dict[str, Any]:
    """A ``[[services]]`` entry with the schema's defaults filled in."""
    entry = {
        "name": name,
        "url": "",
        "expect_status": 200,
        "host": "",
        "port": 0,
        "timeout": 5.0,
        "warning_ms": 0.0,
    }
    entry.update(keys)
    return entry


def append_config(root: Path, text: str) -> None:
    with (root / "agentdeck.toml").open("a", encoding="utf-8") as handle:
        handle.write("\n" + text.strip() + "\n")


def make_healthy(deck, root: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Make the workspace what health and diagnose expect of a well-kept project:
    everything committed, then a fresh verified backup and a passing test run on
    that commit (without them the backup and test checks warn). Call it after
    the test's own commits."""
    import subprocess
    import sys

    from workspace_helpers import set_config

    monkeypatch.setenv("AGENTDECK_BACKUP_PASSPHRASE", "health tests")
    set_config(root, "tests", command=[sys.executable, "-c", "print('1 passed in 0.01s')"])
    subprocess.run(["git", "add", "-A"], cwd=root, check=True)
    subprocess.run(["git", "commit", "-q", "-m", "well kept"], cwd=root, check=True)
    assert deck("backup", "create", "--type", "config").code == 0
    assert deck("backup", "verify", "--all").code == 0
    assert deck("test", "run").code == 0

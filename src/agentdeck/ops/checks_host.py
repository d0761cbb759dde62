"""Host checks: disk, memory, CPU load per core, and the configured services.

Readings come from a ``HostReadings`` object: ``PsutilReadings`` on a real
machine (psutil, imported when a reading is taken), ``FixedReadings`` in tests
and demos (``AGENTDECK_READINGS`` names a JSON file of fixed readings, the way
``AGENTDECK_NOW`` pins the clock), so every threshold is tested through
readings the test chose, never the machine's state.

Services (``[[services]]``) are checked over HTTP with httpx (imported only
when an HTTP service is checked) or with a TCP connect. A malformed entry
(neither url nor host and port, both, a URL that is not http) becomes one
UNKNOWN check that says what to fix, and the other checks run as usual.
"""

from __future__ import annotations

import json
import os
import socket
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from agentdeck.errors import InvalidInput
from agentdeck.ops.checks import Check, CheckResult, Status, by_threshold

if TYPE_CHECKING:
    from agentdeck.workspace import Workspace

#: ``collect`` passes injected readings to this provider.
TAKES_READINGS = True

_BOTH = frozenset({"health", "diagnose"})
_HEALTH = frozenset({"health"})


@dataclass(frozen=True)
class DiskReading:
    total: int
    used: int
    free: int

    @property
    def percent(self) -> float:
        # As df computes it: used / (used + available to unprivileged users).
        denominator = self.used + self.free
        return 100.0 * self.used / denominator if denominator else 0.0


@dataclass(frozen=True)
class MemoryReading:
    total: int
    available: int

    @property
    def percent(self) -> float:
        return 100.0 * (self.total - self.available) / self.total if self.total else 0.0


class HostReadings(Protocol):
    """Where host checks read the machine. Each method may raise ``OSError``."""

    def disk(self, path: Path) -> DiskReading: ...
    def memory(self) -> MemoryReading: ...
    def load(self) -> tuple[float, float, float]: ...
    def cpus(self) -> int: ...


class PsutilReadings:
    """The real machine, through psutil."""

    def disk(self, path: Path) -> DiskReading:
        import psutil

        usage = psutil.disk_usage(str(path))
        return DiskReading(usage.total, usage.used, usage.free)

    def memory(self) -> MemoryReading:
        import psutil

        vm = psutil.virtual_memory()
        return MemoryReading(vm.total, vm.available)

    def load(self) -> tuple[float, float, float]:
        return os.getloadavg()

    def cpus(self) -> int:
        import psutil

        return psutil.cpu_count(logical=True) or os.cpu_count() or 1


@dataclass
class FixedReadings:
    """Readings chosen by a test or a demo. ``None`` makes that reading fail (UNKNOWN)."""

    disk_reading: DiskReading | None = None
    memory_reading: MemoryReading | None = None
    load_reading: tuple[float, float, float] | None = None
    cpu_count: int = 1

    def disk(self, path: Path) -> DiskReading:
        if self.disk_reading is None:
            raise OSError("no disk reading")
        return self.disk_reading

    def memory(self) -> MemoryReading:
        if self.memory_reading is None:
            raise OSError("no memory reading")
        return self.memory_reading

    def load(self) -> tuple[float, float, float]:
        if self.load_reading is None:
            raise OSError("no load reading")
        return self.load_reading

    def cpus(self) -> int:
        return self.cpu_count

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FixedReadings:
        """From ``{"disk": {"total", "used", "free"}, "memory": {"total", "available"},
        "load": [1m, 5m, 15m], "cpus": N}``; a missing part fails when read."""
        disk = data.get("disk")
        memory = data.get("memory")
        load = data.get("load")
        return cls(
            DiskReading(int(disk["total"]), int(disk["used"]), int(disk["free"])) if disk else None,
            MemoryReading(int(memory["total"]), int(memory["available"])) if memory else None,
            (float(load[0]), float(load[1]), float(load[2])) if load else None,
            int(data.get("cpus", 1)),
        )


def readings_from_env() -> HostReadings:
    """``FixedReadings`` from the JSON file named by ``AGENTDECK_READINGS``, else the machine."""
    path = os.environ.get("AGENTDECK_READINGS")
    if not path:
        return PsutilReadings()
    try:
        return FixedReadings.from_dict(json.loads(Path(path).read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError, TypeError, IndexError) as err:
        raise InvalidInput(
            f"AGENTDECK_READINGS={path}: cannot read fixed readings: {err}"
        ) from None


def checks(ws: Workspace, readings: HostReadings | None = None) -> list[Check]:
    """Disk, memory and load (scope health) and one check per ``[[services]]`` entry (both)."""
    source = readings if readings is not None else readings_from_env()
    limits = ws.config.section("health")
    timeout = limits["timeout"]
    found = [
        Check("disk", lambda: disk_check(source, ws.root, limits), timeout, scopes=_HEALTH),
        Check("memory", lambda: memory_check(source, limits), timeout, scopes=_HEALTH),
        Check("load", lambda: load_check(source, limits), timeout, scopes=_HEALTH),
    ]
    found.extend(service_checks(ws.config.section("services")))
    return found


# -- host ------------------------------------------------------------------------


def _size(n: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if abs(n) < 1024 or unit == "TiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} TiB"  # pragma: no cover


def disk_check(readings: HostReadings, root: Path, limits: dict[str, Any]) -> CheckResult:
    """Use of the filesystem holding the workspace, against [health] disk_warning/critical."""
    reading = readings.disk(root)
    percent = round(reading.percent, 1)
    status = by_threshold(percent, limits["disk_warning"], limits["disk_critical"])
    message = f"{percent:g}% used, {_size(reading.free)} free of {_size(reading.total)}"
    fix = None
    if status is not Status.OK:
        # The biggest folders of the workspace, to see what to delete or move.
        fix = f"du -xh --max-depth=2 {_shell_quote(str(root))} | sort -h | tail -n 15"
    return CheckResult(
        "disk",
        status,
        percent,
        message,
        fix,
        {"path": str(root), "total": reading.total, "used": reading.used, "free": reading.free},
    )


def memory_check(readings: HostReadings, limits: dict[str, Any]) -> CheckResult:
    """Memory in use (total minus available), against [health] memory_warning/critical."""
    reading = readings.memory()
    percent = round(reading.percent, 1)
    status = by_threshold(percent, limits["memory_warning"], limits["memory_critical"])
    message = f"{percent:g}% used, {_size(reading.available)} available of {_size(reading.total)}"
    fix = "ps -eo pid,rss,comm --sort=-rss | head -n 10" if status is not Status.OK else None
    return CheckResult(
        "memory",
        status,
        percent,
        message,
        fix,
        {"total": reading.total, "available": reading.available},
    )


def load_check(readings: HostReadings, limits: dict[str, Any]) -> CheckResult:
    """The load average per core ([health] load_average) against load_warning/critical."""
    one, five, fifteen = readings.load()
    cores = max(1, readings.cpus())
    window = limits["load_average"]
    chosen = {"1m": one, "5m": five, "15m": fifteen}[window]
    per_core = round(chosen / cores, 2)
    status = by_threshold(per_core, limits["load_warning"], limits["load_critical"])
    message = f"{per_core:g} per core ({window} load {chosen:.2f} on {cores} cores)"
    fix = "ps -eo pid,pcpu,comm --sort=-pcpu | head -n 10" if status is not Status.OK else None
    return CheckResult(
        "load",
        status,
        per_core,
        message,
        fix,
        {"load": [one, five, fifteen], "cpus": cores, "window": window},
    )


def _shell_quote(text: str) -> str:
    import shlex

    return shlex.quote(text)


# -- services --------------------------------------------------------------------


def service_checks(entries: list[dict[str, Any]]) -> list[Check]:
    """One check per ``[[services]]`` entry; a malformed entry gives an UNKNOWN check saying why."""
    found: list[Check] = []
    seen: set[str] = set()
    for index, entry in enumerate(entries, start=1):
        name = f"service.{entry['name'] or index}"
        problem = service_problem(entry)
        if not problem and name in seen:
            problem = f"the name {entry['name']!r} is used by an earlier entry"
        seen.add(name)
        if problem:
            message = f"[[services]] entry {index} ({entry['name'] or 'no name'}): {problem}"
            found.append(
                Check(
                    name,
                    _fixed(
                        CheckResult(
                            name,
                            Status.UNKNOWN,
                            None,
                            message,
                            "agentdeck config show  # then fix the entry in agentdeck.toml",
                            {"entry": index},
                        )
                    ),
                    scopes=_BOTH,
                )
            )
            continue
        # The runner's timeout leaves the service's own timeout room to fire first.
        limit = entry["timeout"] + 2.0
        if entry["url"]:
            found.append(Check(name, _bind(http_check, name, entry), limit, scopes=_BOTH))
        else:
            found.append(Check(name, _bind(tcp_check, name, entry), limit, scopes=_BOTH))
    return found


def service_problem(entry: dict[str, Any]) -> str | None:
    """What is wrong with a service entry, or ``None``."""
    if not entry["name"]:
        return "'name' is empty; give the service a short name"
    url, host, port = entry["url"], entry["host"], entry["port"]
    if url and (host or port):
        return "give either url, or host and port, not both"
    if url:
        if not url.startswith(("http://", "https://")):
            return f"url {url!r} must start with http:// or https://"
        return None
    if not host and not port:
        return "give url (HTTP) or host and port (TCP)"
    if not host:
        return "port given without host"
    if not 1 <= port <= 65535:
        return "host given without a port between 1 and 65535"
    return None


def _fixed(result: CheckResult):  # type: ignore[no-untyped-def]
    return lambda: result


def _bind(func, name: str, entry: dict[str, Any]):  # type: ignore[no-untyped-def]
    return lambda: func(name, entry)


def _slow(status: Status, elapsed_ms: float, entry: dict[str, Any]) -> Status:
    limit = entry["warning_ms"]
    if status is Status.OK and limit and elapsed_ms > limit:
        return Status.WARNING
    return status


_SSL: list[Any] = []
_SSL_LOCK = threading.Lock()


def ssl_context() -> Any:
    """One TLS context for every HTTP check and webhook of the process.

    httpx builds a new context (and reads the CA bundle) for every client;
    doing that every monitor round cost CPU and grew the resident memory by
    about 10 MB over the first hundred rounds. Built once, it stays flat.
    """
    with _SSL_LOCK:
        if not _SSL:
            import httpx

            make = getattr(httpx, "create_ssl_context", None)
            if make is None:  # pragma: no cover - older httpx
                import ssl

                make = ssl.create_default_context
            _SSL.append(make())
        return _SSL[0]


def http_check(name: str, entry: dict[str, Any]) -> CheckResult:
    """GET the service's url; OK when it answers ``expect_status`` within ``timeout``."""
    import httpx

    url, expect, timeout = entry["url"], entry["expect_status"], entry["timeout"]
    details: dict[str, Any] = {"url": url, "expect_status": expect}
    fix = f"curl -sS -o /dev/null -w '%{{http_code}}\\n' --max-time {timeout:g} {_shell_quote(url)}"
    begun = time.monotonic()
    try:
        with httpx.Client(
            timeout=timeout, follow_redirects=False, trust_env=False, verify=ssl_context()
        ) as client:
            response = client.get(url)
    except httpx.TimeoutException:
        return CheckResult(
            name, Status.CRITICAL, None, f"no answer from {url} within {timeout:g}s", fix, details
        )
    except httpx.HTTPError as err:
        return CheckResult(
            name, Status.CRITICAL, None, f"{url} unreachable: {_reason(err)}", fix, details
        )
    elapsed = round((time.monotonic() - begun) * 1000, 1)
    details.update(status_code=response.status_code, response_ms=elapsed)
    if response.status_code != expect:
        return CheckResult(
            name,
            Status.CRITICAL,
            elapsed,
            f"{url} answered {response.status_code}, expected {expect}",
            fix,
            details,
        )
    status = _slow(Status.OK, elapsed, entry)
    message = f"{url} answered {response.status_code} in {elapsed:.0f} ms"
    if status is Status.WARNING:
        message += f" (slower than {entry['warning_ms']:g} ms)"
    return CheckResult(name, status, elapsed, message, fix if status else None, details)


def tcp_check(name: str, entry: dict[str, Any]) -> CheckResult:
    """Connect to ``host:port``; OK when the connection opens within ``timeout``."""
    host, port, timeout = entry["host"], entry["port"], entry["timeout"]
    where = f"{host}:{port}"
    details: dict[str, Any] = {"host": host, "port": port}
    fix = f"nc -vz -w {max(1, round(timeout))} {_shell_quote(host)} {port}"
    begun = time.monotonic()
    try:
        with socket.create_connection((host, port), timeout=timeout):
            pass
    except TimeoutError:
        return CheckResult(
            name,
            Status.CRITICAL,
            None,
            f"no connection to {where} within {timeout:g}s",
            fix,
            details,
        )
    except OSError as err:
        return CheckResult(
            name, Status.CRITICAL, None, f"{where} unreachable: {err.strerror or err}", fix, details
        )
    elapsed = round((time.monotonic() - begun) * 1000, 1)
    details["connect_ms"] = elapsed
    status = _slow(Status.OK, elapsed, entry)
    return CheckResult(
        name, status, elapsed, f"{where} accepted a connection in {elapsed:.0f} ms", None, details
    )


def _reason(err: Exception) -> str:
    """The innermost cause of a transport error, e.g. "[Errno 111] Connection refused"."""
    cause: BaseException = err
    while cause.__cause__ is not None or cause.__context__ is not None:
        cause = cause.__cause__ or cause.__context__  # type: ignore[assignment]
    text = str(cause) or str(err) or type(err).__name__
    if isinstance(cause, OSError) and cause.strerror:
        text = cause.strerror
    return text

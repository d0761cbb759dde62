"""Checks: the unit of health, diagnose and the monitor.

A check has a name, runs with a timeout, and returns a ``CheckResult``: a
status (OK, WARNING, CRITICAL, UNKNOWN), a measured value, a message and,
where it applies, the exact command that fixes it.

Checks come from provider modules ``agentdeck/ops/checks_*.py``, found by
listing this folder (so each capability adds its checks in its own module).
A provider defines ``checks(ws) -> list[Check]``. A provider that reads the
host may also accept ``readings=`` (see ``checks_host.HostReadings``) and say
so with ``TAKES_READINGS = True``; ``collect`` passes injected readings only to
those, so tests drive thresholds through fixed readings, never the machine's.

``run_checks`` runs checks concurrently on worker threads: a check that raises
becomes UNKNOWN with the error as its message, and one still running at its
timeout becomes UNKNOWN while the others finish (the runner never waits past
the longest timeout). A check that hangs is left behind on its daemon worker and
is not started again until it returns (``Runner`` remembers it), so a monitor
never piles up threads on a stuck check.

Severity for "the worst wins": OK < WARNING < UNKNOWN < CRITICAL. A known
failure outranks a check that could not tell; the exit code is the status's
value (0, 1, 2, 3), the monitoring-plugin convention.
"""

from __future__ import annotations

import importlib
import os
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from enum import IntEnum
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from agentdeck.workspace import Workspace


class Status(IntEnum):
    """Check outcome; the value is the monitoring exit code (worst wins)."""

    OK = 0
    WARNING = 1
    CRITICAL = 2
    UNKNOWN = 3


@dataclass
class CheckResult:
    """What one check measured."""

    name: str
    status: Status
    value: Any = None
    message: str = ""
    fix: str | None = None
    details: dict[str, Any] = field(default_factory=dict)
    #: Wall time the check took; set by the runner.
    elapsed_ms: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "status": self.status.name,
            "value": self.value,
            "message": self.message,
            "fix": self.fix,
            "details": self.details,
            "elapsed_ms": self.elapsed_ms,
        }


@dataclass(frozen=True)
class Check:
    """A named check. ``scopes`` says which commands run it: "health", "diagnose"."""

    name: str
    run: Callable[[], CheckResult]
    timeout: float = 5.0
    slow: bool = False
    scopes: frozenset[str] = frozenset({"diagnose"})


def provider_names() -> list[str]:
    """Modules that provide checks, in name order."""
    folder = os.path.dirname(__file__)
    return sorted(
        name[:-3]
        for name in os.listdir(folder)
        if name.startswith("checks_") and name.endswith(".py")
    )


def collect(ws: Workspace, scope: str, *, readings: Any = None) -> list[Check]:
    """Every check of every provider that applies to ``scope``.

    ``readings`` (injected host readings) goes to providers with ``TAKES_READINGS``.
    A provider that fails to load or to list its checks gives one UNKNOWN check
    named ``provider.<module>`` instead of stopping the others.
    """
    found: list[Check] = []
    for name in provider_names():
        try:
            module = importlib.import_module(f"agentdeck.ops.{name}")
            if readings is not None and getattr(module, "TAKES_READINGS", False):
                provided = module.checks(ws, readings=readings)
            else:
                provided = module.checks(ws)
        except Exception as err:
            found.append(_broken_provider(name, err, scope))
            continue
        found.extend(c for c in provided if scope in c.scopes)
    return found


def _broken_provider(module: str, err: Exception, scope: str) -> Check:
    message = f"the check provider {module} failed: {type(err).__name__}: {err}"
    name = f"provider.{module.removeprefix('checks_')}"
    return Check(
        name, lambda: CheckResult(name, Status.UNKNOWN, None, message), scopes=frozenset({scope})
    )


# -- outcome helpers -------------------------------------------------------------

#: Rank of each status for "the worst wins" (CRITICAL outranks UNKNOWN).
SEVERITY: dict[Status, int] = {
    Status.OK: 0,
    Status.WARNING: 1,
    Status.UNKNOWN: 2,
    Status.CRITICAL: 3,
}


def worst(statuses: Iterable[Status]) -> Status:
    """The most severe status (OK when there are none)."""
    return max(statuses, key=SEVERITY.__getitem__, default=Status.OK)


def by_threshold(
    value: float, warning: float, critical: float, *, higher_is_worse: bool = True
) -> Status:
    """OK, WARNING or CRITICAL for ``value`` against two thresholds (inclusive)."""
    if higher_is_worse:
        if value >= critical:
            return Status.CRITICAL
        return Status.WARNING if value >= warning else Status.OK
    if value <= critical:
        return Status.CRITICAL
    return Status.WARNING if value <= warning else Status.OK


def shared(func: Callable[[], Any]) -> Callable[[], Any]:
    """Run ``func`` at most once, however many checks (threads) ask; the result or error is shared.

    For several checks reading one measurement (three git checks, one ``git status``).
    """
    lock = threading.Lock()
    box: dict[str, Any] = {}

    def once() -> Any:
        with lock:
            if "value" not in box and "error" not in box:
                try:
                    box["value"] = func()
                except Exception as err:
                    box["error"] = err
        if "error" in box:
            raise box["error"]
        return box["value"]

    return once


# -- running ---------------------------------------------------------------------


class _Workers:
    """Daemon threads that stay for the next run of checks.

    A monitor round then starts no thread of its own (threads are made only
    when every worker is busy), and since workers are daemons a check that
    hangs forever never keeps the process from exiting. A worker is added
    whenever no idle one is waiting.
    """

    def __init__(self) -> None:
        import queue

        self._tasks: queue.SimpleQueue[Callable[[], None]] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._idle = 0
        self._count = 0

    def submit(self, task: Callable[[], None]) -> None:
        with self._lock:
            if self._idle > 0:
                self._idle -= 1  # this task is taken by a waiting worker
                spawn = False
            else:
                spawn = True
                self._count += 1
                number = self._count
        self._tasks.put(task)
        if spawn:
            threading.Thread(target=self._work, name=f"check-worker-{number}", daemon=True).start()

    def _work(self) -> None:
        while True:
            task = self._tasks.get()
            task()
            with self._lock:
                self._idle += 1


_WORKERS = _Workers()


class Runner:
    """Runs checks concurrently with per-check timeouts; remembers checks that hang.

    One ``Runner`` lives as long as the monitor, so a check stuck past its
    timeout is reported UNKNOWN ("still running ...") on later rounds instead
    of being started again on another thread.
    """

    def __init__(self, *, timeout_scale: float = 1.0) -> None:
        self.timeout_scale = timeout_scale
        self._stuck: dict[str, tuple[threading.Event, float]] = {}

    def run(self, checks: Sequence[Check]) -> list[CheckResult]:
        """Run ``checks`` concurrently; return their results in the order given."""
        slots: list[dict[str, Any]] = []
        started = time.monotonic()
        for check in checks:
            slot: dict[str, Any] = {"check": check}
            slots.append(slot)
            stuck = self._stuck.get(check.name)
            if stuck is not None and not stuck[0].is_set():
                since = time.monotonic() - stuck[1]
                slot["result"] = CheckResult(
                    check.name,
                    Status.UNKNOWN,
                    None,
                    f"still running from an earlier run ({since:.0f}s); not started again",
                )
                continue
            self._stuck.pop(check.name, None)
            done = slot["done"] = threading.Event()
            _WORKERS.submit(lambda c=check, s=slot, d=done: _run_one(c, s, d))
        results: list[CheckResult] = []
        for slot in slots:
            check = slot["check"]
            done = slot.get("done")
            if done is not None:
                limit = check.timeout * self.timeout_scale
                if not done.wait(max(0.0, started + limit - time.monotonic())):
                    self._stuck[check.name] = (done, started)
                    slot.setdefault(
                        "result",
                        CheckResult(
                            check.name,
                            Status.UNKNOWN,
                            None,
                            f"no result within its {limit:g}s timeout",
                            details={"timeout": limit},
                            elapsed_ms=round(limit * 1000, 1),
                        ),
                    )
            results.append(slot["result"])
        return results


def _run_one(check: Check, slot: dict[str, Any], done: threading.Event) -> None:
    begun = time.monotonic()
    try:
        result = check.run()
        if not isinstance(result, CheckResult):
            raise TypeError(f"returned {type(result).__name__}, not a CheckResult")
    except Exception as err:
        result = CheckResult(
            check.name, Status.UNKNOWN, None, f"the check failed: {type(err).__name__}: {err}"
        )
    result.elapsed_ms = round((time.monotonic() - begun) * 1000, 1)
    slot.setdefault("result", result)
    done.set()


def run_checks(checks: Sequence[Check]) -> list[CheckResult]:
    """Run ``checks`` concurrently with their timeouts (a one-off ``Runner``)."""
    return Runner().run(checks)

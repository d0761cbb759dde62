"""The monitor: rounds of checks on an interval, kept in the store, alerts on changes.

``Monitor.run_round`` collects the configured checks (``[monitor] scopes``,
filtered by ``checks`` globs, slow ones skipped when ``quick``), runs them
concurrently, feeds each result into its alert state (``alerts.observe``),
records the round with its state changes and incidents in one transaction,
prunes old rounds, prints the alerts and hands them to the notifiers'
background ``Dispatcher``. ``Monitor.run`` repeats that every ``interval``
seconds until its stop event is set; a round in progress always completes.

Time comes from ``clock`` (a callable) and waiting from ``stop.wait``, so a
test drives a whole timeline with a fake clock and no sleeping.

One monitor per workspace: ``MonitorLock`` holds an ``fcntl`` lock on
``.agentdeck/monitor.lock`` (released by the kernel when the process dies,
so a crash never leaves a stale lock) and writes ``.agentdeck/monitor.json``
with the pid, start time and interval for ``monitor status``.
"""

from __future__ import annotations

import fnmatch
import json
import os
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from agentdeck import clock as clock_module
from agentdeck.errors import AgentdeckError, Conflict, InvalidInput
from agentdeck.ops.checks import Check, CheckResult, Runner, Status, collect, worst
from agentdeck.ops.monitor import history
from agentdeck.ops.monitor.alerts import AlertEvent, AlertPolicy, CheckState, observe

if TYPE_CHECKING:
    from agentdeck.ops.notify import Dispatcher, Notifier
    from agentdeck.workspace import Workspace

LOCK_FILE = "monitor.lock"
PID_FILE = "monitor.json"


@dataclass(frozen=True)
class MonitorSettings:
    """``[monitor]`` as typed values (``interval`` may come from the command line)."""

    interval: float = 60.0
    scopes: tuple[str, ...] = ("health",)
    checks: tuple[str, ...] = ()
    quick: bool = True
    debounce: int = 2
    reminder_minutes: float = 60.0
    keep_rounds: int = 10000
    keep_days: float = 30.0

    @classmethod
    def from_config(cls, values: dict[str, Any], interval: float | None = None) -> MonitorSettings:
        settings = cls(
            interval=values["interval"] if interval is None else interval,
            scopes=tuple(values["scopes"]),
            checks=tuple(values["checks"]),
            quick=values["quick"],
            debounce=values["debounce"],
            reminder_minutes=values["reminder_minutes"],
            keep_rounds=values["keep_rounds"],
            keep_days=values["keep_days"],
        )
        settings.validate()
        return settings

    def validate(self) -> None:
        """Raise ``InvalidInput`` for an interval or scope the monitor cannot use."""
        if not self.interval > 0:
            raise InvalidInput(
                f"the interval must be a positive number of seconds, not {self.interval:g}",
                hint="e.g. `agentdeck monitor start 60`",
            )
        unknown = [s for s in self.scopes if s not in ("health", "diagnose")]
        if unknown or not self.scopes:
            raise InvalidInput(
                f"[monitor] scopes must name health and/or diagnose, not {list(self.scopes)}"
            )

    @property
    def policy(self) -> AlertPolicy:
        reminder = timedelta(minutes=self.reminder_minutes) if self.reminder_minutes else None
        return AlertPolicy(self.debounce, reminder)


@dataclass
class RoundOutcome:
    """One finished round."""

    num: int
    started_at: datetime
    elapsed_ms: float
    results: list[CheckResult]
    events: list[AlertEvent]

    @property
    def status(self) -> Status:
        return worst(r.status for r in self.results)

    def to_dict(self) -> dict[str, Any]:
        return {
            "round": self.num,
            "started_at": clock_module.to_text(self.started_at),
            "elapsed_ms": self.elapsed_ms,
            "status": self.status.name,
            "results": [r.to_dict() for r in self.results],
            "events": [e.to_dict() for e in self.events],
        }


def select_checks(ws: Workspace, settings: MonitorSettings, readings: Any = None) -> list[Check]:
    """The checks of the configured scopes, deduplicated by name, filtered by the globs."""
    chosen: dict[str, Check] = {}
    for scope in settings.scopes:
        for check in collect(ws, scope, readings=readings):
            if settings.quick and check.slow:
                continue
            if settings.checks and not any(
                fnmatch.fnmatchcase(check.name, g) for g in settings.checks
            ):
                continue
            chosen.setdefault(check.name, check)
    return list(chosen.values())


@dataclass
class Monitor:
    """Runs rounds; see the module docstring. ``checks`` overrides where checks come from."""

    ws: Workspace
    settings: MonitorSettings
    echo: Callable[[str], None] = print
    notifiers: list[Notifier] = field(default_factory=list)
    clock: Callable[[], datetime] = clock_module.now
    checks: Callable[[], list[Check]] | None = None
    readings: Any = None
    quiet: bool = False

    def __post_init__(self) -> None:
        from agentdeck.ops.notify import Dispatcher

        self.runner = Runner()
        self.policy = self.settings.policy
        self.dispatcher: Dispatcher = Dispatcher(
            self.notifiers, clock=self.clock, log=lambda line: self.echo(f"  {line}")
        )
        self.rounds = 0
        self._states: dict[str, CheckState] | None = None

    @property
    def states(self) -> dict[str, CheckState]:
        if self._states is None:
            self._states = history.load_states(self.ws.store)
        return self._states

    def run_round(self) -> RoundOutcome:
        """Run the checks once, record the round, alert on changes. Never raises for a check."""
        checks = (
            self.checks() if self.checks else select_checks(self.ws, self.settings, self.readings)
        )
        now = self.clock()  # the round's time: when its checks started
        begun = time.monotonic()
        results = self.runner.run(checks)
        elapsed = round((time.monotonic() - begun) * 1000, 1)
        store = self.ws.store
        states = self.states
        events: list[AlertEvent] = []
        for result in results:
            state = states.get(result.name)
            if state is None:
                state = states[result.name] = CheckState(result.name)
            started = (
                history.incident_start(store, state.incident_num)
                if state.incident_num is not None
                else None
            )
            event = observe(state, result.status, result.message, now, self.policy, started)
            if event is not None:
                events.append(event)
        try:
            num = history.save_round(
                store,
                now,
                elapsed,
                results,
                states,
                events,
                self.settings.keep_rounds,
                self.settings.keep_days,
            )
        except BaseException:
            # Nothing of this round was kept: forget its state changes too, so
            # the next round starts from what the store holds and alerts then.
            self._states = None
            raise
        self.rounds += 1
        outcome = RoundOutcome(num, now, elapsed, results, events)
        self._announce(outcome)
        if events:
            self.dispatcher.submit(events)
        else:
            self.dispatcher.pump()  # retries that came due
        return outcome

    def _announce(self, outcome: RoundOutcome) -> None:
        if not self.quiet:
            counts = {s: 0 for s in Status}
            for r in outcome.results:
                counts[r.status] += 1
            summary = ", ".join(f"{n} {s.name.lower()}" for s, n in counts.items() if n)
            stamp = outcome.started_at.astimezone().strftime("%H:%M:%S")
            self.echo(f"round {outcome.num} {stamp} {outcome.status.name} ({summary})")
        for event in outcome.events:
            line = event.title()
            self.echo(f"  ALERT {line}" if event.kind != "RESOLVED" else f"  {line}")

    def run(
        self,
        stop: threading.Event,
        *,
        rounds: int | None = None,
        wait: Callable[[float], bool] | None = None,
    ) -> int:
        """Run rounds every ``interval`` until ``stop`` is set or ``rounds`` ran; return the count.

        A round whose store write fails (``StoreError``: the database is down or
        locked) is reported and counted, and the loop goes on.

        ``wait(seconds) -> bool`` (default ``stop.wait``) is how the loop pauses;
        it returns True to stop.
        """
        pause = wait or stop.wait
        done = 0
        while not stop.is_set():
            begun = time.monotonic()
            try:
                self.run_round()
            except AgentdeckError as err:
                # The store did not answer or was locked too long: say so, try next round.
                self.echo(f"round failed: {err}; retrying in {self.settings.interval:g}s")
            done += 1
            if rounds is not None and done >= rounds:
                break
            if pause(max(0.0, self.settings.interval - (time.monotonic() - begun))):
                break
        # Give alerts of the last round a moment to go out.
        self.dispatcher.wait(5.0)
        return done


# -- one monitor per workspace ---------------------------------------------------


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


def status(ws: Workspace) -> dict[str, Any]:
    """``monitor status``: running or not, the pid record, the newest round, open incidents."""
    info = monitor_info(ws.state_dir)
    store = ws.store
    latest = history.latest_round(store)
    now = clock_module.now()
    open_incidents = [i for i in history.incidents(store, now, now) if i.ended_at is None]
    return {
        "monitor": info.to_dict(),
        "latest_round": latest.to_dict() if latest else None,
        "open_incidents": [i.to_dict() for i in open_incidents],
    }

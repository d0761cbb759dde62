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

One monitor per workspace: see ``agentdeck.ops.monitor.lock``.
"""

from __future__ import annotations

import fnmatch
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from agentdeck import clock as clock_module
from agentdeck.errors import AgentdeckError, InvalidInput
from agentdeck.ops.checks import Check, CheckResult, Runner, Status, collect, worst
from agentdeck.ops.monitor import history
from agentdeck.ops.monitor.alerts import AlertEvent, AlertPolicy, CheckState, observe
from agentdeck.ops.monitor.lock import MonitorInfo, MonitorLock, monitor_info

__all__ = [
    "Monitor",
    "MonitorInfo",
    "MonitorLock",
    "MonitorSettings",
    "RoundOutcome",
    "monitor_info",
    "select_checks",
    "status",
    "stop_on_signal",
]

if TYPE_CHECKING:
    from agentdeck.ops.notify import Dispatcher, Notifier
    from agentdeck.workspace import Workspace


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
        try:
            events = self._observe(results, now)
            num = history.save_round(
                self.ws.store,
                now,
                elapsed,
                results,
                self.states,
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

    def _observe(self, results: list[CheckResult], now: datetime) -> list[AlertEvent]:
        """Feed each result into its check's alert state; the events this round causes."""
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
        return events

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


def stop_on_signal(stop: threading.Event, say: Callable[[str], None]) -> Callable[[int, Any], None]:
    """A handler for SIGINT/SIGTERM that sets ``stop`` (the round in progress completes).

    It neither sets ``stop`` nor writes itself: a handler runs in the main
    thread between two of its bytecodes, possibly inside ``stop.wait`` while
    that holds the event's lock (which is not reentrant: the handler would
    wait for it forever), or in the middle of a write to the stream it would
    write to. A thread of its own says ``"<SIGNAL>: stopping after this round"``
    once and sets ``stop`` as soon as the main thread lets go.
    """
    import signal

    said = threading.Lock()  # taken by these threads only, never by the main one

    def stopping(name: str) -> None:
        with said:
            if not stop.is_set():
                say(f"{name}: stopping after this round")
            stop.set()

    def handler(signum: int, frame: Any) -> None:
        name = signal.Signals(signum).name
        threading.Thread(target=stopping, args=(name,), daemon=True).start()

    return handler


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

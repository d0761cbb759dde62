"""Alerting on state changes, with debounce and reminders (pure: no I/O, no clock).

Each check has a *confirmed* state (what was last announced; OK until
something alerts) and a *candidate* (the status seen in the latest rounds and
for how many rounds in a row). When the candidate differs from the confirmed
state and has held for ``debounce`` rounds it becomes confirmed and one event
is emitted:

* OK -> bad: ``FIRING`` (an incident starts, dated from its first bad round);
* bad -> another bad status: ``CHANGED`` (the incident goes on);
* bad -> OK: ``RESOLVED`` (the incident ends, dated from its first good round).

While a check stays confirmed bad, a ``REMINDER`` goes out every
``reminder`` since the last message about it. A one-round blip shorter than
the debounce never alerts. The same debounce applies to recovery, so a check
flapping between bad and good rounds stays in its incident.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from agentdeck import clock
from agentdeck.ops.checks import Status

FIRING, CHANGED, REMINDER, RESOLVED = "FIRING", "CHANGED", "REMINDER", "RESOLVED"


@dataclass
class CheckState:
    """The alert state of one check (a row of ``monitor_checks``)."""

    name: str
    confirmed: Status = Status.OK
    confirmed_since: datetime | None = None
    candidate: Status = Status.OK
    candidate_count: int = 0
    candidate_since: datetime | None = None
    message: str = ""
    last_sent_at: datetime | None = None
    incident_num: int | None = None
    #: Set when the state changed in this round and must be saved.
    dirty: bool = field(default=False, compare=False)


@dataclass
class AlertEvent:
    """One message to send: a check started, changed, stayed or stopped being bad."""

    kind: str  # FIRING, CHANGED, REMINDER, RESOLVED
    check: str
    status: Status  # the check's confirmed status after the event
    previous: Status
    at: datetime
    since: datetime  # when the current spell began (first round of the new state)
    message: str
    incident_started: datetime | None = None  # for CHANGED/REMINDER/RESOLVED

    @property
    def duration(self) -> timedelta:
        """How long the incident has lasted (RESOLVED: its whole length)."""
        start = self.incident_started or self.since
        end = self.since if self.kind == RESOLVED else self.at
        return max(end - start, timedelta(0))

    def title(self) -> str:
        """A one-line summary, e.g. ``CRITICAL service.api: refused`` or ``RESOLVED ...``."""
        if self.kind == RESOLVED:
            return f"RESOLVED {self.check} after {human_duration(self.duration)}: {self.message}"
        if self.kind == REMINDER:
            return (
                f"STILL {self.status.name} {self.check} for {human_duration(self.duration)}: "
                f"{self.message}"
            )
        if self.kind == CHANGED:
            return f"{self.status.name} (was {self.previous.name}) {self.check}: {self.message}"
        return f"{self.status.name} {self.check}: {self.message}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "check": self.check,
            "status": self.status.name,
            "previous": self.previous.name,
            "at": clock.to_text(self.at),
            "since": clock.to_text(self.since),
            "incident_started": clock.to_text(self.incident_started)
            if self.incident_started
            else None,
            "duration_seconds": round(self.duration.total_seconds(), 3),
            "message": self.message,
            "title": self.title(),
        }


def human_duration(span: timedelta) -> str:
    """``45s``, ``12m 5s``, ``3h 2m``, ``2d 4h``."""
    seconds = int(span.total_seconds())
    if seconds < 60:
        return f"{seconds}s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes}m {seconds}s"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours}h {minutes}m"
    days, hours = divmod(hours, 24)
    return f"{days}d {hours}h"


@dataclass(frozen=True)
class AlertPolicy:
    """``debounce`` rounds before a change counts; ``reminder`` (None: never) while bad."""

    debounce: int = 2
    reminder: timedelta | None = timedelta(hours=1)

    def __post_init__(self) -> None:
        if self.debounce < 1:
            raise ValueError("debounce must be at least 1 round")


def observe(
    state: CheckState,
    status: Status,
    message: str,
    now: datetime,
    policy: AlertPolicy,
    incident_started: datetime | None = None,
) -> AlertEvent | None:
    """Feed one round's status of a check into its state; return the event it causes, if any.

    ``incident_started`` is the start of the check's open incident (for the
    durations in CHANGED/REMINDER/RESOLVED events).
    """
    if status == state.candidate and state.candidate_count:
        state.candidate_count += 1
    else:
        state.candidate, state.candidate_count, state.candidate_since = status, 1, now
    state.message = message
    state.dirty = True
    if state.candidate != state.confirmed and state.candidate_count >= policy.debounce:
        previous = state.confirmed
        state.confirmed = state.candidate
        state.confirmed_since = state.candidate_since
        state.last_sent_at = now
        since = state.candidate_since or now
        if state.confirmed is Status.OK:
            kind = RESOLVED
        elif previous is Status.OK:
            kind, incident_started = FIRING, since
        else:
            kind = CHANGED
        return AlertEvent(
            kind, state.name, state.confirmed, previous, now, since, message, incident_started
        )
    if (
        state.confirmed is not Status.OK
        and state.candidate == state.confirmed
        and policy.reminder is not None
        and state.last_sent_at is not None
        and now - state.last_sent_at >= policy.reminder
    ):
        state.last_sent_at = now
        return AlertEvent(
            REMINDER,
            state.name,
            state.confirmed,
            state.confirmed,
            now,
            state.confirmed_since or now,
            message,
            incident_started,
        )
    return None

"""The monitor's records in the store: rounds, alert state, incidents, and the report."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from agentdeck import clock
from agentdeck.ops.checks import CheckResult, Status
from agentdeck.ops.monitor.alerts import FIRING, RESOLVED, AlertEvent, CheckState
from agentdeck.store import Store


def _ts(moment: datetime | None) -> str | None:
    return clock.to_text(moment) if moment is not None else None


def _dt(text: str | None) -> datetime | None:
    return clock.parse_timestamp(text) if text else None


def _numeric(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


# -- alert state -----------------------------------------------------------------


def load_states(store: Store) -> dict[str, CheckState]:
    """Every check's persisted alert state."""
    states = {}
    for row in store.query("SELECT * FROM monitor_checks"):
        states[row["check_name"]] = CheckState(
            row["check_name"],
            Status[row["confirmed"]],
            _dt(row["confirmed_since"]),
            Status[row["candidate"]],
            int(row["candidate_count"]),
            _dt(row["candidate_since"]),
            row["message"],
            _dt(row["last_sent_at"]),
            row["incident_num"],
        )
    return states


def incident_start(store: Store, num: int | None) -> datetime | None:
    if num is None:
        return None
    return _dt(store.query_value("SELECT started_at FROM monitor_incidents WHERE num = ?", (num,)))


def save_round(
    store: Store,
    started_at: datetime,
    elapsed_ms: float,
    results: list[CheckResult],
    states: dict[str, CheckState],
    events: list[AlertEvent],
    keep_rounds: int,
    keep_days: float,
) -> int:
    """Record a round, its alert-state changes and incidents, then prune; one transaction.

    Returns the round's number.
    """
    from agentdeck.ops.checks import worst

    counts = {s.name: 0 for s in Status}
    for r in results:
        counts[r.status.name] += 1
    status = worst(r.status for r in results)
    with store.transaction():
        num = store.query_value(
            "INSERT INTO monitor_rounds (started_at, elapsed_ms, status, counts) "
            "VALUES (?, ?, ?, ?) RETURNING num",
            (clock.to_text(started_at), elapsed_ms, status.name, json.dumps(counts)),
        )
        store.executemany(
            "INSERT INTO monitor_results (round_num, check_name, status, value, message) "
            "VALUES (?, ?, ?, ?, ?)",
            [(num, r.name, r.status.name, _numeric(r.value), r.message[:500]) for r in results],
        )
        for event in events:
            _record_event(store, states[event.check], event)
        for state in states.values():
            if state.dirty:
                _save_state(store, state)
                state.dirty = False
        prune(store, int(num), keep_rounds, keep_days, started_at)
    return int(num)


def _record_event(store: Store, state: CheckState, event: AlertEvent) -> None:
    at = clock.to_text(event.at)
    if event.kind == FIRING:
        state.incident_num = store.query_value(
            "INSERT INTO monitor_incidents (check_name, status, started_at, alerted_at, message) "
            "VALUES (?, ?, ?, ?, ?) RETURNING num",
            (event.check, event.status.name, clock.to_text(event.since), at, event.message[:500]),
        )
    elif event.kind == RESOLVED:
        if state.incident_num is not None:
            store.execute(
                "UPDATE monitor_incidents SET ended_at = ? WHERE num = ?",
                (clock.to_text(event.since), state.incident_num),
            )
        state.incident_num = None
    elif state.incident_num is not None:
        if event.kind == "REMINDER":
            store.execute(
                "UPDATE monitor_incidents SET reminders = reminders + 1 WHERE num = ?",
                (state.incident_num,),
            )
        else:  # CHANGED: the incident keeps its worst status
            row = store.query_one(
                "SELECT status FROM monitor_incidents WHERE num = ?", (state.incident_num,)
            )
            from agentdeck.ops.checks import SEVERITY

            if row and SEVERITY[event.status] > SEVERITY[Status[row["status"]]]:
                store.execute(
                    "UPDATE monitor_incidents SET status = ?, message = ? WHERE num = ?",
                    (event.status.name, event.message[:500], state.incident_num),
                )


def _save_state(store: Store, state: CheckState) -> None:
    values = (
        state.confirmed.name,
        _ts(state.confirmed_since),
        state.candidate.name,
        state.candidate_count,
        _ts(state.candidate_since),
        state.message[:500],
        _ts(state.last_sent_at),
        state.incident_num,
        state.name,
    )
    changed = store.execute(
        "UPDATE monitor_checks SET confirmed = ?, confirmed_since = ?, candidate = ?, "
        "candidate_count = ?, candidate_since = ?, message = ?, last_sent_at = ?, "
        "incident_num = ? WHERE check_name = ?",
        values,
    )
    if not changed:
        store.execute(
            "INSERT INTO monitor_checks (confirmed, confirmed_since, candidate, candidate_count, "
            "candidate_since, message, last_sent_at, incident_num, check_name) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            values,
        )


def prune(store: Store, newest: int, keep_rounds: int, keep_days: float, now: datetime) -> None:
    """Delete rounds beyond ``keep_rounds`` or older than ``keep_days`` (0: no such limit)."""
    floor = 0
    if keep_rounds:
        floor = max(floor, newest - keep_rounds + 1)
    if keep_days:
        cutoff = clock.to_text(now - timedelta(days=keep_days))
        oldest_kept = store.query_value(
            "SELECT min(num) FROM monitor_rounds WHERE started_at >= ?", (cutoff,)
        )
        floor = max(floor, int(oldest_kept) if oldest_kept is not None else newest + 1)
        store.execute(
            "DELETE FROM monitor_incidents WHERE ended_at IS NOT NULL AND ended_at < ?", (cutoff,)
        )
    if floor > 0:
        store.execute("DELETE FROM monitor_results WHERE round_num < ?", (floor,))
        store.execute("DELETE FROM monitor_rounds WHERE num < ?", (floor,))


# -- reading ---------------------------------------------------------------------


@dataclass
class RoundRecord:
    """A stored round and its results."""

    num: int
    started_at: str
    elapsed_ms: float
    status: str
    counts: dict[str, int]
    results: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "round": self.num,
            "started_at": self.started_at,
            "elapsed_ms": self.elapsed_ms,
            "status": self.status,
            "counts": self.counts,
            "results": self.results,
        }


def latest_round(store: Store) -> RoundRecord | None:
    """The newest round with its results, or ``None`` before the first."""
    row = store.query_one("SELECT * FROM monitor_rounds ORDER BY num DESC LIMIT 1")
    if row is None:
        return None
    results = [
        {
            "name": r["check_name"],
            "status": r["status"],
            "value": r["value"],
            "message": r["message"],
        }
        for r in store.query(
            "SELECT check_name, status, value, message FROM monitor_results "
            "WHERE round_num = ? ORDER BY check_name",
            (row["num"],),
        )
    ]
    return RoundRecord(
        int(row["num"]),
        row["started_at"],
        float(row["elapsed_ms"]),
        row["status"],
        json.loads(row["counts"]),
        results,
    )


@dataclass
class Incident:
    """A confirmed bad spell of one check."""

    num: int
    check: str
    status: str
    started_at: str
    alerted_at: str
    ended_at: str | None
    message: str
    reminders: int
    duration_seconds: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "num": self.num,
            "check": self.check,
            "status": self.status,
            "started_at": self.started_at,
            "alerted_at": self.alerted_at,
            "ended_at": self.ended_at,
            "ongoing": self.ended_at is None,
            "duration_seconds": self.duration_seconds,
            "message": self.message,
            "reminders": self.reminders,
        }


def incidents(store: Store, since: datetime | None, now: datetime) -> list[Incident]:
    """Incidents that overlap ``since``..now (ongoing ones always), oldest first."""
    where, params = "", ()
    if since is not None:
        where, params = "WHERE ended_at IS NULL OR ended_at >= ?", (clock.to_text(since),)
    out = []
    for row in store.query(
        f"SELECT * FROM monitor_incidents {where} ORDER BY started_at, num", params
    ):
        end = _dt(row["ended_at"]) or now
        start = _dt(row["started_at"]) or now
        out.append(
            Incident(
                int(row["num"]),
                row["check_name"],
                row["status"],
                row["started_at"],
                row["alerted_at"],
                row["ended_at"],
                row["message"],
                int(row["reminders"]),
                round(max((end - start).total_seconds(), 0.0), 3),
            )
        )
    return out


@dataclass
class CheckSummary:
    """One check over the report's window: share OK, statuses, value statistics, trend."""

    name: str
    rounds: int
    ok: int
    statuses: dict[str, int]
    last_status: str
    last_message: str
    values: dict[str, float] | None
    trend: str | None

    @property
    def ok_share(self) -> float:
        return round(self.ok / self.rounds, 4) if self.rounds else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "check": self.name,
            "rounds": self.rounds,
            "ok_share": self.ok_share,
            "statuses": self.statuses,
            "last_status": self.last_status,
            "last_message": self.last_message,
            "values": self.values,
            "trend": self.trend,
        }


def trend_of(values: list[float]) -> str:
    """``rising``, ``falling`` or ``steady``: the least-squares slope over the window,
    as a change across the window relative to the mean (more than 10% counts)."""
    n = len(values)
    if n < 3:
        return "steady"
    mean_x = (n - 1) / 2
    mean_y = sum(values) / n
    var = sum((i - mean_x) ** 2 for i in range(n))
    slope = sum((i - mean_x) * (v - mean_y) for i, v in enumerate(values)) / var
    scale = abs(mean_y) or (max(values) - min(values)) or 1.0
    change = slope * (n - 1) / scale
    if change > 0.10:
        return "rising"
    if change < -0.10:
        return "falling"
    return "steady"


@dataclass
class MonitorReport:
    """``monitor report``: rounds in the window, per-check summaries, incidents."""

    since: str | None
    until: str
    rounds: int
    first_round: str | None
    last_round: str | None
    checks: list[CheckSummary]
    incidents: list[Incident]

    def to_dict(self) -> dict[str, Any]:
        return {
            "since": self.since,
            "until": self.until,
            "rounds": self.rounds,
            "first_round": self.first_round,
            "last_round": self.last_round,
            "checks": [c.to_dict() for c in self.checks],
            "incidents": [i.to_dict() for i in self.incidents],
        }


def report(store: Store, since: datetime | None, now: datetime) -> MonitorReport:
    """Summaries of the stored rounds since ``since`` (all kept rounds when ``None``)."""
    where, params = "", ()
    if since is not None:
        where, params = "WHERE m.started_at >= ?", (clock.to_text(since),)
    span = store.query_one(
        f"SELECT count(*) AS n, min(m.started_at) AS first, max(m.started_at) AS last "
        f"FROM monitor_rounds m {where}",
        params,
    )
    rows = store.query(
        "SELECT r.check_name, r.status, r.value, r.message FROM monitor_results r "
        f"JOIN monitor_rounds m ON m.num = r.round_num {where} ORDER BY r.round_num",
        params,
    )
    per: dict[str, dict[str, Any]] = {}
    for row in rows:
        item = per.setdefault(
            row["check_name"], {"statuses": {s.name: 0 for s in Status}, "values": []}
        )
        item["statuses"][row["status"]] += 1
        item["last"] = (row["status"], row["message"])
        if row["value"] is not None:
            item["values"].append(float(row["value"]))
    summaries = []
    for name in sorted(per):
        item = per[name]
        values = item["values"]
        stats = None
        if values:
            stats = {
                "min": min(values),
                "avg": round(sum(values) / len(values), 3),
                "max": max(values),
                "last": values[-1],
            }
        summaries.append(
            CheckSummary(
                name,
                sum(item["statuses"].values()),
                item["statuses"]["OK"],
                item["statuses"],
                item["last"][0],
                item["last"][1],
                stats,
                trend_of(values) if values else None,
            )
        )
    return MonitorReport(
        _ts(since),
        clock.to_text(now),
        int(span["n"]) if span else 0,
        span["first"] if span else None,
        span["last"] if span else None,
        summaries,
        incidents(store, since, now),
    )

"""Retention: which backups a policy keeps, by restic's ``forget`` rules.

Backups are taken newest first. Each rule has a budget N and a period
(last: every backup is its own period; hourly, daily, weekly Monday to
Sunday by ISO week, monthly, yearly, all in local time). Going down the list,
a backup is kept by a rule when it is the first one seen in a period the rule
has not seen yet, and that rule still has budget left; the budget then drops
by one. So only periods that hold a backup count, and the newest backup of
each such period is the one kept. A backup kept by any rule is kept. This is
restic's ``ApplyPolicy`` (internal/restic/snapshot_policy.go), and the tests
check the kept set against ``restic forget --dry-run --json`` itself.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

RULES = ("last", "hourly", "daily", "weekly", "monthly", "yearly")


@dataclass(frozen=True)
class Policy:
    """How many periods of each kind to keep (0: this rule keeps nothing)."""

    last: int = 0
    hourly: int = 0
    daily: int = 0
    weekly: int = 0
    monthly: int = 0
    yearly: int = 0

    @property
    def empty(self) -> bool:
        return not any(getattr(self, r) for r in RULES)

    def to_dict(self) -> dict[str, int]:
        return asdict(self)

    @classmethod
    def from_config(cls, section: dict[str, Any]) -> Policy:
        return cls(**{r: int(section.get(f"keep_{r}", 0)) for r in RULES})


def _period(rule: str) -> Callable[[datetime, int], Any]:
    if rule == "last":
        return lambda t, n: n
    if rule == "hourly":
        return lambda t, n: (t.year, t.month, t.day, t.hour)
    if rule == "daily":
        return lambda t, n: (t.year, t.month, t.day)
    if rule == "weekly":
        return lambda t, n: tuple(t.isocalendar())[:2]
    if rule == "monthly":
        return lambda t, n: (t.year, t.month)
    return lambda t, n: t.year


@dataclass
class Decision:
    """One backup's fate: kept (with the rules that keep it) or removed."""

    id: str
    time: datetime
    keep: bool
    reasons: list[str]


def apply_policy(items: Sequence[tuple[str, datetime]], policy: Policy) -> list[Decision]:
    """Decide for each ``(id, aware time)``; returned newest first.

    Times are bucketed in the machine's local time zone, as restic does with
    the local time it records.
    """
    ordered = sorted(items, key=lambda item: (item[1], item[0]), reverse=True)
    budgets = {r: getattr(policy, r) for r in RULES}
    last_seen: dict[str, Any] = dict.fromkeys(RULES, object())
    out = []
    for number, (backup_id, moment) in enumerate(ordered):
        local = moment.astimezone()
        reasons = []
        for rule in RULES:
            if budgets[rule] <= 0:
                continue
            period = _period(rule)(local, number)
            if period != last_seen[rule]:
                last_seen[rule] = period
                budgets[rule] -= 1
                reasons.append(rule if rule == "last" else f"{rule} {_label(rule, local)}")
        out.append(Decision(backup_id, moment, bool(reasons), reasons))
    return out


def _label(rule: str, t: datetime) -> str:
    if rule == "hourly":
        return t.strftime("%Y-%m-%d %H:00")
    if rule == "daily":
        return t.strftime("%Y-%m-%d")
    if rule == "weekly":
        year, week, _ = t.isocalendar()
        return f"{year}-W{week:02d}"
    if rule == "monthly":
        return t.strftime("%Y-%m")
    return str(t.year)

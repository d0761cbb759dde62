"""Backup checks for ``health`` and ``diagnose``: the newest backup's age, the last
verification, and backups that look suspiciously small or fast (the classic
empty dump). None needs the passphrase: they read the manifests' public part
and the verification history in the store.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from agentdeck import clock
from agentdeck.ops.checks import Check, CheckResult, Status

if TYPE_CHECKING:
    from agentdeck.workspace import Workspace

_BOTH = frozenset({"health", "diagnose"})
_DIAGNOSE = frozenset({"diagnose"})


def checks(ws: Workspace) -> list[Check]:
    """The backup checks of ``ws``."""
    return [
        Check("backup.age", _guard("backup.age", lambda: _age(ws)), scopes=_BOTH),
        Check("backup.verify", _guard("backup.verify", lambda: _verified(ws)), scopes=_BOTH),
        Check(
            "backup.suspicious",
            _guard("backup.suspicious", lambda: _suspicious(ws)),
            scopes=_DIAGNOSE,
        ),
    ]


def _guard(name: str, run: Callable[[], CheckResult]) -> Callable[[], CheckResult]:
    def guarded() -> CheckResult:
        try:
            return run()
        except Exception as err:  # a check reports, it never crashes the runner
            return CheckResult(name, Status.UNKNOWN, None, f"cannot read the backups: {err}")

    return guarded


def _age(ws: Workspace) -> CheckResult:
    from agentdeck.ops.backup import latest

    section = ws.config.section("backup")
    newest = latest(ws)
    if newest is None or not newest.created_at:
        return CheckResult(
            "backup.age",
            Status.WARNING,
            None,
            "no backup yet",
            fix="agentdeck backup create",
        )
    hours = (clock.now() - clock.parse_timestamp(newest.created_at)).total_seconds() / 3600
    details = {"id": newest.id, "created_at": newest.created_at, "destination": newest.destination}
    message = f"newest backup {newest.id} is {hours:.1f} h old"
    if hours > section["critical_age_hours"]:
        status = Status.CRITICAL
        message += f" (critical over {section['critical_age_hours']:g} h)"
    elif hours > section["warn_age_hours"]:
        status = Status.WARNING
        message += f" (warning over {section['warn_age_hours']:g} h)"
    else:
        status = Status.OK
    fix = "agentdeck backup create" if status != Status.OK else None
    return CheckResult("backup.age", status, round(hours, 2), message, fix, details)


def _verified(ws: Workspace) -> CheckResult:
    from agentdeck.ops.backup import history, latest

    newest = latest(ws)
    if newest is None:
        return CheckResult("backup.verify", Status.OK, None, "no backups to verify yet")
    last = history.last_any(ws.store)
    max_days = ws.config.get("backup", "verify_age_days")
    if newest.verify_ok is False:
        return CheckResult(
            "backup.verify",
            Status.CRITICAL,
            False,
            f"newest backup {newest.id} FAILED verification: {newest.verify_message}",
            fix="agentdeck backup create && agentdeck backup verify --all",
            details={"id": newest.id, "verified_at": newest.verified_at},
        )
    if last is not None and not last["ok"]:
        return CheckResult(
            "backup.verify",
            Status.CRITICAL,
            False,
            f"backup {last['backup_id']} FAILED its last verification: {last['problem']}",
            fix=f"agentdeck backup verify {last['backup_id']}",
            details=dict(last),
        )
    if last is None:
        return CheckResult(
            "backup.verify",
            Status.WARNING,
            None,
            "no backup was ever verified",
            fix=f"agentdeck backup verify {newest.id}",
        )
    days = (clock.now() - clock.parse_timestamp(last["verified_at"])).total_seconds() / 86400
    if days > max_days:
        return CheckResult(
            "backup.verify",
            Status.WARNING,
            True,
            f"last verification {days:.1f} days ago (warning over {max_days:g})",
            fix=f"agentdeck backup verify {newest.id}",
            details=dict(last),
        )
    return CheckResult(
        "backup.verify",
        Status.OK,
        True,
        f"backup {last['backup_id']} verified {days:.1f} days ago",
        details=dict(last),
    )


def _suspicious(ws: Workspace) -> CheckResult:
    from agentdeck.ops.backup import list_backups

    newest: dict[str, object] = {}
    damaged = []
    for info in list_backups(ws):
        if info.damaged:
            damaged.append(info)
        else:
            newest[str(info.type)] = info
    flagged = [i for i in newest.values() if getattr(i, "suspicious", None)]
    if damaged:
        first = damaged[-1]
        return CheckResult(
            "backup.suspicious",
            Status.CRITICAL,
            len(damaged),
            f"{len(damaged)} backup manifest(s) damaged, e.g. {first.id}: {first.damaged}",
            fix=f"agentdeck backup verify {first.id}",
        )
    if flagged:
        first = flagged[0]
        return CheckResult(
            "backup.suspicious",
            Status.WARNING,
            len(flagged),
            f"newest {first.type} backup {first.id} {first.suspicious}",  # type: ignore[attr-defined]
            fix=f"agentdeck backup show {first.id} --entries",  # type: ignore[attr-defined]
        )
    return CheckResult("backup.suspicious", Status.OK, 0, "newest backups of each type look normal")

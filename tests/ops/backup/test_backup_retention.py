"""Retention: restic's forget rules, against hand-made cases, an independent
oracle on ~400 made-up times, restic itself, and real backups through the CLI."""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from agentdeck.ops.backup.retention import RULES, Policy, apply_policy


@pytest.fixture(autouse=True)
def utc(monkeypatch: pytest.MonkeyPatch) -> None:
    """Bucket in UTC (periods are local time; restic reads the same zone)."""
    import time

    monkeypatch.setenv("TZ", "UTC")
    time.tzset()


def _kept(times: list[datetime], policy: Policy) -> set[datetime]:
    items = [(t.isoformat(), t) for t in times]
    return {d.time for d in apply_policy(items, policy) if d.keep}


def t(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def test_weeks_run_monday_to_sunday() -> None:
    # Sun 2026-11-15, Mon 2026-11-16, Sun 2026-11-22, Mon 2026-11-23
    times = [
        t("2026-11-15 12:00"),
        t("2026-11-16 09:00"),
        t("2026-11-22 18:00"),
        t("2026-11-23 08:00"),
    ]
    kept = _kept(times, Policy(weekly=3))
    # Newest of each ISO week: Mon 23 (week 48), Sun 22 (week 47, not Mon 16), Sun 15 (week 46).
    assert kept == {t("2026-11-23 08:00"), t("2026-11-22 18:00"), t("2026-11-15 12:00")}


def test_iso_week_across_new_year() -> None:
    # 2020-12-31 (Thu) and 2021-01-03 (Sun) are both in ISO week 2020-W53.
    times = [
        t("2020-12-28 10:00"),
        t("2020-12-31 10:00"),
        t("2021-01-03 10:00"),
        t("2021-01-04 10:00"),
    ]
    assert _kept(times, Policy(weekly=2)) == {t("2021-01-04 10:00"), t("2021-01-03 10:00")}


def test_only_periods_that_hold_a_backup_count() -> None:
    # Backups on days 1, 2, 10, 30: keep-daily 3 keeps the three newest days with a
    # backup, reaching back past the empty days.
    times = [
        t("2026-01-01 10:00"),
        t("2026-01-02 10:00"),
        t("2026-01-10 10:00"),
        t("2026-01-30 10:00"),
    ]
    assert _kept(times, Policy(daily=3)) == set(times[1:])


def test_newest_of_a_day_is_kept_and_rules_combine() -> None:
    times = [
        t("2026-03-01 08:00"),
        t("2026-03-01 20:00"),
        t("2026-03-02 07:00"),
        t("2026-02-10 07:00"),
    ]
    decisions = apply_policy(
        [(x.isoformat(), x) for x in times], Policy(last=1, daily=2, monthly=2)
    )
    reasons = {d.time: d.reasons for d in decisions}
    assert reasons[t("2026-03-02 07:00")] == ["last", "daily 2026-03-02", "monthly 2026-03"]
    assert reasons[t("2026-03-01 20:00")] == ["daily 2026-03-01"]
    assert reasons[t("2026-03-01 08:00")] == []
    assert reasons[t("2026-02-10 07:00")] == ["monthly 2026-02"]


def _made_up_times(count: int = 400, seed: int = 400) -> list[datetime]:
    """Irregular times over ~3 years: bursts, gaps, several a day, some at the period edges."""
    rng = random.Random(seed)
    start = t("2023-01-01 00:00")
    times: set[datetime] = set()
    while len(times) < count:
        day = rng.randrange(0, 1100)
        if 300 < day < 340:
            continue  # a month without backups
        minute = rng.choice([0, 1, 59, rng.randrange(0, 24 * 60), 23 * 60 + 59])
        times.add(start + timedelta(days=day, minutes=minute, seconds=rng.randrange(60)))
    return sorted(times)


def _oracle(times: list[datetime], policy: Policy) -> set[datetime]:
    """The same rules written another way: per rule, the newest backup of each of the
    N newest periods that hold one; the union over the rules."""
    newest_first = sorted(times, reverse=True)
    keys = {
        "last": lambda x: x,
        "hourly": lambda x: x.strftime("%Y%m%d%H"),
        "daily": lambda x: x.strftime("%Y%m%d"),
        "weekly": lambda x: x.isocalendar()[:2],
        "monthly": lambda x: x.strftime("%Y%m"),
        "yearly": lambda x: x.year,
    }
    kept: set[datetime] = set()
    for rule in RULES:
        budget = getattr(policy, rule)
        newest_per_period: dict[object, datetime] = {}
        for moment in newest_first:
            newest_per_period.setdefault(keys[rule](moment), moment)
        periods = sorted(newest_per_period.values(), reverse=True)
        kept.update(periods[:budget])
    return kept


POLICIES = [
    Policy(last=5),
    Policy(daily=7),
    Policy(daily=7, weekly=4, monthly=12),
    Policy(hourly=24, daily=14, weekly=8, monthly=24, yearly=10),
    Policy(last=3, weekly=52),
    Policy(monthly=6, yearly=3),
    Policy(daily=1000),
]


@pytest.mark.parametrize("policy", POLICIES, ids=lambda p: str(p.to_dict()))
def test_four_hundred_backups_against_the_oracle(policy: Policy) -> None:
    times = _made_up_times()
    kept = _kept(times, policy)
    assert kept == _oracle(times, policy)
    assert kept  # every policy keeps something
    assert max(times) in kept  # and always the newest


def test_same_kept_set_as_restic_forget(tmp_path: Path) -> None:
    if shutil.which("restic") is None:
        pytest.skip("restic is not installed (Debian package `restic`): the cross-check needs it")
    from restic_repo import add_snapshots

    env = {
        **os.environ,
        "RESTIC_PASSWORD": "retention",
        "RESTIC_REPOSITORY": str(tmp_path / "repo"),
        "TZ": "UTC",
    }
    env.pop("RESTIC_PASSWORD_FILE", None)

    def restic(*args: str) -> str:
        proc = subprocess.run(
            ["restic", "--no-cache", *args], env=env, capture_output=True, text=True
        )
        assert proc.returncode == 0, proc.stderr
        return proc.stdout

    restic("init", "--repository-version", "1")
    source = tmp_path / "source"
    source.mkdir()
    (source / "f").write_text("x")
    times = _made_up_times()
    first = times[0].strftime("%Y-%m-%d %H:%M:%S")
    restic("backup", "--host", "h", "--time", first, str(source))
    template = json.loads(restic("snapshots", "--json"))[0]
    add_snapshots(
        tmp_path / "repo",
        "retention",
        template,
        [x.strftime("%Y-%m-%dT%H:%M:%SZ") for x in times[1:]],
    )
    assert len(json.loads(restic("snapshots", "--json"))) == len(times)

    flags = {
        "last": "--keep-last",
        "hourly": "--keep-hourly",
        "daily": "--keep-daily",
        "weekly": "--keep-weekly",
        "monthly": "--keep-monthly",
        "yearly": "--keep-yearly",
    }
    for policy in POLICIES:
        args = [f"{flags[r]}={getattr(policy, r)}" for r in RULES if getattr(policy, r)]
        groups = json.loads(restic("forget", "--dry-run", "--json", *args))
        restic_kept = {
            t(g["time"].replace("Z", "")[:19].replace("T", " "))
            for group in groups
            for g in group["keep"]
        }
        assert restic_kept == _kept(times, policy), policy


def test_prune_real_backups_through_the_cli(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, deck
) -> None:  # type: ignore[no-untyped-def]
    from backup_helpers import PASSPHRASE, make_workspace

    monkeypatch.setenv("AGENTDECK_BACKUP_PASSPHRASE", PASSPHRASE)
    ws = make_workspace(tmp_path / "repo", f'destination = "{tmp_path / "b"}"')
    ws.close()  # type: ignore[attr-defined]
    monkeypatch.chdir(tmp_path / "repo")
    days = [
        "2026-11-02T10:00:00Z",
        "2026-11-03T10:00:00Z",
        "2026-11-03T18:00:00Z",
        "2026-11-09T10:00:00Z",
        "2026-11-16T10:00:00Z",
        "2026-11-17T10:00:00Z",
    ]
    ids = []
    for moment in days:
        monkeypatch.setenv("AGENTDECK_NOW", moment)
        made = deck("backup", "create", "--type", "config", "--json")
        assert made.code == 0, made.err
        ids.append(json.loads(made.out)["id"])
    monkeypatch.setenv("AGENTDECK_NOW", "2026-11-18T10:00:00Z")
    dry = deck("backup", "prune", "--keep-daily", "2", "--keep-weekly", "3", "--dry-run", "--json")
    assert dry.code == 0, dry.err
    plan = json.loads(dry.out)
    kept = {row["id"] for row in plan["keep"]}
    # daily 2: Nov 17, Nov 16; weekly 3: W47 (17th), W46 (9th), W45 (Nov 3 18:00).
    assert kept == {ids[5], ids[4], ids[3], ids[2]}
    assert {row["id"] for row in plan["remove"]} == {ids[0], ids[1]}
    assert len(json.loads(deck("backup", "list", "--json").out)) == 6  # dry run removed nothing
    real = deck("backup", "prune", "--keep-daily", "2", "--keep-weekly", "3")
    assert real.code == 0 and "Removed 2 backup(s)" in real.out
    listed = {b["id"] for b in json.loads(deck("backup", "list", "--json").out)}
    assert listed == kept
    assert sorted(p.name for p in (tmp_path / "b").iterdir() if p.suffix == ".adbk") == sorted(
        f"{i}.adbk" for i in kept
    )
    # The default policy comes from [backup.retention]; an empty one is refused.
    from backup_helpers import set_config

    set_config(
        tmp_path / "repo", "backup.retention", "keep_daily = 0\nkeep_weekly = 0\nkeep_monthly = 0"
    )
    empty = deck("backup", "prune")
    assert empty.code == 2 and "keeps nothing" in empty.err

"""The check registry's runner: concurrency, timeouts, failures, severity."""

from __future__ import annotations

import sys
import threading
import types

import pytest

from agentdeck.ops import checks as checks_module
from agentdeck.ops.checks import (
    Check,
    CheckResult,
    Runner,
    Status,
    by_threshold,
    collect,
    run_checks,
    shared,
    worst,
)


def ok(name: str) -> Check:
    return Check(name, lambda: CheckResult(name, Status.OK, 1, "fine"))


def test_results_come_back_in_order_with_elapsed_time() -> None:
    results = run_checks([ok("a"), ok("b"), ok("c")])
    assert [r.name for r in results] == ["a", "b", "c"]
    assert all(r.status is Status.OK and r.elapsed_ms is not None for r in results)


def test_a_check_that_raises_or_returns_garbage_is_unknown() -> None:
    def boom() -> CheckResult:
        raise RuntimeError("disk on fire")

    results = run_checks(
        [Check("boom", boom), Check("garbage", lambda: "yes"), ok("fine")]  # type: ignore[arg-type, return-value]
    )
    assert [r.status for r in results] == [Status.UNKNOWN, Status.UNKNOWN, Status.OK]
    assert "RuntimeError: disk on fire" in results[0].message
    assert "not a CheckResult" in results[1].message


def test_a_hanging_check_is_unknown_at_its_timeout_and_does_not_stall_the_rest() -> None:
    release = threading.Event()
    started = []

    def hang() -> CheckResult:
        started.append(1)
        release.wait(30)
        return CheckResult("hang", Status.OK)

    runner = Runner()
    try:
        first = runner.run([Check("hang", hang, timeout=0.2), ok("a"), ok("b")])
        assert [r.status for r in first] == [Status.UNKNOWN, Status.OK, Status.OK]
        assert "timeout" in first[0].message
        # Still stuck on the next run: reported, not started a second time.
        second = runner.run([Check("hang", hang, timeout=0.2), ok("a")])
        assert second[0].status is Status.UNKNOWN
        assert "still running" in second[0].message
        assert len(started) == 1
    finally:
        release.set()


def test_checks_run_concurrently() -> None:
    # Each check waits for all the others to have started: only concurrent runs finish.
    barrier = threading.Barrier(4, timeout=5)

    def meet(name: str) -> Check:
        def run() -> CheckResult:
            barrier.wait()
            return CheckResult(name, Status.OK)

        return Check(name, run, timeout=10)

    results = run_checks([meet(str(i)) for i in range(4)])
    assert [r.status for r in results] == [Status.OK] * 4


def test_worst_ranks_critical_above_unknown() -> None:
    assert worst([]) is Status.OK
    assert worst([Status.OK, Status.WARNING]) is Status.WARNING
    assert worst([Status.WARNING, Status.UNKNOWN]) is Status.UNKNOWN
    assert worst([Status.UNKNOWN, Status.CRITICAL, Status.OK]) is Status.CRITICAL


@pytest.mark.parametrize(
    ("value", "expected"),
    [(79.9, Status.OK), (80, Status.WARNING), (89.9, Status.WARNING), (90, Status.CRITICAL)],
)
def test_by_threshold(value: float, expected: Status) -> None:
    assert by_threshold(value, 80, 90) is expected
    assert by_threshold(100 - value, 20, 10, higher_is_worse=False) is expected


def test_shared_runs_once_for_many_threads() -> None:
    calls = []

    def measure() -> int:
        calls.append(1)
        return 42

    once = shared(measure)
    results = run_checks(
        [Check(str(i), lambda: CheckResult("x", Status.OK, once())) for i in range(5)]
    )
    assert {r.value for r in results} == {42}
    assert len(calls) == 1


def test_shared_shares_the_error_too() -> None:
    once = shared(lambda: 1 / 0)
    for _ in range(2):
        with pytest.raises(ZeroDivisionError):
            once()


def test_a_broken_provider_is_one_unknown_check(ws, monkeypatch: pytest.MonkeyPatch) -> None:
    broken = types.ModuleType("agentdeck.ops.checks_zzbroken")

    def explode(ws: object) -> list[Check]:
        raise ValueError("cannot list")

    broken.checks = explode  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "agentdeck.ops.checks_zzbroken", broken)
    real = checks_module.provider_names
    monkeypatch.setattr(checks_module, "provider_names", lambda: [*real(), "checks_zzbroken"])
    found = collect(ws, "health")
    names = [c.name for c in found]
    assert "disk" in names and "provider.zzbroken" in names
    result = next(c for c in found if c.name == "provider.zzbroken").run()
    assert result.status is Status.UNKNOWN
    assert "cannot list" in result.message

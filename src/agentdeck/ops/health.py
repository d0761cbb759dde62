"""``agentdeck health``: the host and its services, worst status wins.

``run_health`` collects every check in the "health" scope (disk, memory, load,
services, and what other providers add, such as the newest backup's age),
runs them concurrently and returns a ``Report`` whose ``status`` is the exit
code: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.
"""

from __future__ import annotations

import contextlib
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from agentdeck import clock
from agentdeck.errors import AgentdeckError
from agentdeck.ops.checks import CheckResult, Runner, Status, collect, worst

if TYPE_CHECKING:
    from agentdeck.ops.checks_host import HostReadings
    from agentdeck.workspace import Workspace


@dataclass
class Report:
    """Results of one run of checks."""

    scope: str
    checked_at: str
    results: list[CheckResult]
    elapsed_ms: float
    status: Status = field(init=False)

    def __post_init__(self) -> None:
        self.status = worst(r.status for r in self.results)

    @property
    def counts(self) -> dict[str, int]:
        """How many checks ended in each status (every status present, zeros included)."""
        out = {s.name: 0 for s in Status}
        for r in self.results:
            out[r.status.name] += 1
        return out

    @property
    def findings(self) -> list[CheckResult]:
        """Results that are not OK, worst first."""
        from agentdeck.ops.checks import SEVERITY

        return sorted(
            (r for r in self.results if r.status is not Status.OK),
            key=lambda r: -SEVERITY[r.status],
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "scope": self.scope,
            "status": self.status.name,
            "exit_code": int(self.status),
            "checked_at": self.checked_at,
            "elapsed_ms": self.elapsed_ms,
            "counts": self.counts,
            "checks": [r.to_dict() for r in self.results],
        }


def run_scope(
    ws: Workspace,
    scope: str,
    *,
    quick: bool = False,
    readings: HostReadings | None = None,
    runner: Runner | None = None,
) -> Report:
    """Collect the checks of ``scope`` (without slow ones when ``quick``) and run them."""
    checks = [c for c in collect(ws, scope, readings=readings) if not (quick and c.slow)]
    # Providers share the workspace's store; open it once here, not from several
    # check threads at once. A store that does not answer fails only the checks
    # that need it (they report UNKNOWN), never the host checks.
    with contextlib.suppress(AgentdeckError):
        ws.store  # noqa: B018
    begun = time.monotonic()
    at = clock.now_text()
    results = (runner or Runner()).run(checks)
    return Report(scope, at, results, round((time.monotonic() - begun) * 1000, 1))


def run_health(ws: Workspace, *, readings: HostReadings | None = None) -> Report:
    """Every check in the "health" scope: disk, memory, load, services, backups."""
    return run_scope(ws, "health", readings=readings)

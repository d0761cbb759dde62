"""``agentdeck diagnose``: the project's state, with an overall verdict and fixes.

The verdict follows the quick-diagnostic scripts agents write by hand:
HEALTHY (nothing found), WARNING (one or two findings), DEGRADED (three or
more), FAIL (anything CRITICAL). A finding is a WARNING or an UNKNOWN result.
The exit code is the worst status, as for ``health``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from agentdeck.ops.checks import Status
from agentdeck.ops.health import Report, run_scope

if TYPE_CHECKING:
    from agentdeck.ops.checks_host import HostReadings
    from agentdeck.workspace import Workspace

HEALTHY, WARNING, DEGRADED, FAIL = "HEALTHY", "WARNING", "DEGRADED", "FAIL"


def verdict(report: Report) -> str:
    """HEALTHY, WARNING (1-2 findings), DEGRADED (3 or more) or FAIL (any CRITICAL)."""
    counts = report.counts
    if counts["CRITICAL"]:
        return FAIL
    findings = counts["WARNING"] + counts["UNKNOWN"]
    if findings == 0:
        return HEALTHY
    return WARNING if findings <= 2 else DEGRADED


@dataclass
class Diagnosis:
    """A diagnose run: the report, its verdict and the fixes for its findings."""

    report: Report
    quick: bool

    @property
    def overall(self) -> str:
        return verdict(self.report)

    @property
    def status(self) -> Status:
        return self.report.status

    @property
    def fixes(self) -> list[dict[str, str]]:
        """``{"check", "status", "command"}`` for each finding that has a fix, worst first."""
        return [
            {"check": r.name, "status": r.status.name, "command": r.fix}
            for r in self.report.findings
            if r.fix
        ]

    def to_dict(self) -> dict[str, Any]:
        return {
            **self.report.to_dict(),
            "overall": self.overall,
            "quick": self.quick,
            "fixes": self.fixes,
        }


def run_diagnose(
    ws: Workspace, *, quick: bool = False, readings: HostReadings | None = None
) -> Diagnosis:
    """Every check in the "diagnose" scope; ``quick`` skips the slow ones."""
    return Diagnosis(run_scope(ws, "diagnose", quick=quick, readings=readings), quick)

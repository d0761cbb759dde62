"""Rendering shared by ``health``, ``diagnose`` and ``monitor status``: results as a table."""

from __future__ import annotations

from collections.abc import Sequence

import click

from agentdeck.cli._common import table
from agentdeck.ops.checks import CheckResult

#: Short marks that read in a log and on a terminal without colour.
MARKS = {"OK": "ok", "WARNING": "WARN", "CRITICAL": "CRIT", "UNKNOWN": "UNKN"}


def print_results(results: Sequence[CheckResult]) -> None:
    """One row per check: status, name, message."""
    table(
        ("STATUS", "CHECK", "MESSAGE"),
        [(MARKS[r.status.name], r.name, r.message) for r in results],
        flex=2,
    )


def summary_line(label: str, counts: dict[str, int], elapsed_ms: float) -> str:
    parts = [f"{n} {name.lower()}" for name, n in counts.items() if n]
    return f"{label} ({', '.join(parts) or 'no checks'}; {elapsed_ms:.0f} ms)"


def echo_status(text: str, status: str) -> None:
    colour = {"OK": "green", "HEALTHY": "green", "WARNING": "yellow", "DEGRADED": "yellow"}.get(
        status, "red"
    )
    click.secho(text, fg=colour, bold=True)

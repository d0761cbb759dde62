"""``agentdeck health``: disk, memory, load, services and backups, with monitoring exit codes."""

from __future__ import annotations

import click

from agentdeck.cli._checks_view import echo_status, print_results, summary_line
from agentdeck.cli._common import emit_json, json_option, pass_workspace
from agentdeck.workspace import Workspace


@click.command("health")
@json_option
@pass_workspace
def health(ws: Workspace, as_json: bool) -> int:
    """Check the host (disk, memory, load per core), services and backups.

    Exits with the worst status: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN
    (CRITICAL outranks UNKNOWN). Thresholds: [health] in agentdeck.toml.
    """
    from agentdeck.ops.health import run_health

    report = run_health(ws)
    if as_json:
        emit_json(report.to_dict())
    else:
        print_results(report.results)
        echo_status(
            summary_line(f"health: {report.status.name}", report.counts, report.elapsed_ms),
            report.status.name,
        )
    return int(report.status)

"""``agentdeck diagnose``: the project's state (git, tests, logs, dependencies, migrations, docs)."""

from __future__ import annotations

import click

from agentdeck.cli._checks_view import echo_status, print_results, summary_line
from agentdeck.cli._common import emit_json, json_option, pass_workspace
from agentdeck.workspace import Workspace


@click.command("diagnose")
@click.option("--quick", is_flag=True, help="Skip the slow checks (markdown links, Alembic).")
@click.option("--fix", "show_fix", is_flag=True, help="Print the command that fixes each finding.")
@json_option
@pass_workspace
def diagnose(ws: Workspace, quick: bool, show_fix: bool, as_json: bool) -> int:
    """Diagnose the project: overall HEALTHY, WARNING, DEGRADED or FAIL.

    WARNING is one or two findings, DEGRADED three or more, FAIL anything
    critical. Exits with the worst status: 0 OK, 1 WARNING, 2 CRITICAL,
    3 UNKNOWN. --fix prints commands; it never runs them.
    """
    from agentdeck.ops.diagnose import run_diagnose

    diagnosis = run_diagnose(ws, quick=quick)
    report = diagnosis.report
    if as_json:
        emit_json(diagnosis.to_dict())
        return int(diagnosis.status)
    print_results(report.results)
    label = f"diagnose{' --quick' if quick else ''}: {diagnosis.overall}"
    echo_status(summary_line(label, report.counts, report.elapsed_ms), diagnosis.overall)
    if show_fix:
        fixes = diagnosis.fixes
        if fixes:
            click.echo("\nTo fix:")
            for number, fix in enumerate(fixes, start=1):
                click.echo(f"  {number}. [{fix['check']}] {fix['command']}")
        else:
            click.echo("\nNothing to fix.")
    elif diagnosis.fixes:
        click.echo("Run `agentdeck diagnose --fix` for the commands that fix these.")
    return int(diagnosis.status)

"""``agentdeck demo``: the guided tour."""

from __future__ import annotations

from pathlib import Path

import click

from agentdeck.errors import AgentdeckError, ExitCode


class DemoFailed(AgentdeckError):
    exit_code = ExitCode.PROBLEM


@click.command("demo")
@click.option(
    "--dir",
    "target",
    type=click.Path(file_okay=False, path_type=Path),
    help="Build the demo here instead of a new temporary folder.",
)
def demo(target: Path | None) -> None:
    """Run a tour of agentdeck in a throw-away git repository.

    Everything runs through the real CLI on the embedded SQLite default; the
    repository is kept so you can look at the files it wrote.
    """
    from agentdeck.demo import run_demo

    if target is not None and target.exists() and any(target.iterdir()):
        raise AgentdeckError(f"{target} is not empty; give a new folder to --dir")
    root, failures = run_demo(target)
    click.echo()
    click.secho(f"The demo workspace is at {root}", bold=True)
    click.echo(
        "Look around: cd there and run `agentdeck task list --all`, or open the markdown files."
    )
    if failures:
        raise DemoFailed(f"{len(failures)} demo step(s) failed: {failures[0]}")

"""``agentdeck init``: create a workspace."""

from __future__ import annotations

from pathlib import Path

import click

from agentdeck.workspace import init_workspace


@click.command("init")
@click.argument("directory", required=False, type=click.Path(file_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Rewrite agentdeck.toml with the commented defaults.")
def init(directory: Path | None, force: bool) -> None:
    """Create .agentdeck/ and agentdeck.toml at the repository root (or DIRECTORY).

    Inside a git repository the workspace goes at its root; elsewhere, in the
    current folder. Running it again is safe: it keeps your agentdeck.toml.
    """
    result = init_workspace(directory, force=force)
    click.echo(f"Workspace at {result.root}")
    click.echo(
        ("Wrote " if result.config_written else "Kept ") + str(result.root / "agentdeck.toml")
    )
    click.echo(
        f"Database: {result.database}"
        + (f" (applied {len(result.migrations)} migrations)" if result.migrations else "")
    )
    click.echo('Next: `agentdeck task add "First task"`, then `agentdeck next`.')

"""``agentdeck config``: what the workspace's configuration resolves to."""

from __future__ import annotations

import click

from agentdeck.cli._common import emit_json, json_option, pass_workspace
from agentdeck.config import toml_value
from agentdeck.store import redact_url
from agentdeck.workspace import Workspace


@click.group()
def config() -> None:
    """Show the effective configuration."""


@config.command("show")
@json_option
@pass_workspace
def show(ws: Workspace, as_json: bool) -> None:
    """Print every key with its effective value (defaults filled in)."""
    values = {name: section for name, section in ws.config.values.items()}
    values["database"] = {**values["database"], "url": redact_url(ws.database_url)}
    if as_json:
        emit_json({"file": str(ws.config.path) if ws.config.path else None, "values": values})
        return
    click.echo(f"# {ws.config.path or 'no agentdeck.toml: all defaults'}")
    for name, section in values.items():
        if isinstance(section, list):
            for item in section:
                click.echo(f"\n[[{name}]]")
                for key, value in item.items():
                    click.echo(f"{key} = {toml_value(value)}")
            continue
        click.echo(f"\n[{name}]")
        for key, value in section.items():
            click.echo(f"{key} = {toml_value(value)}")

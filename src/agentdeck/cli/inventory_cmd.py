"""``agentdeck inventory``: the parts of the repository nothing uses."""

from __future__ import annotations

import click

from agentdeck.cli._common import emit_json, json_option, pass_workspace, table
from agentdeck.workspace import Workspace

KINDS = ("script", "module", "doc", "test")


@click.command("inventory")
@click.option(
    "--kind", "kinds", multiple=True, type=click.Choice(KINDS), help="Only this kind (repeat)."
)
@json_option
@pass_workspace
def inventory(ws: Workspace, kinds: tuple[str, ...], as_json: bool) -> None:
    """Dormant parts: scripts nothing mentions, modules nothing imports, docs nothing
    links to, tests the test command would not collect; each with why.

    A static reading of the repository's tracked and untracked (not ignored)
    files. Silence a false alarm with [inventory] ignore in agentdeck.toml.
    """
    from agentdeck.ops.inventory import find_dormant

    result = find_dormant(ws)
    if kinds:
        result.parts = [p for p in result.parts if p.kind in kinds]
    data = result.to_dict()
    if as_json:
        emit_json(data)
        return
    examined = ", ".join(f"{n} {k}s" for k, n in data["examined"].items())
    click.echo(f"{len(result.parts)} dormant part(s) among {examined} examined.")
    if result.parts:
        click.echo()
        table(("KIND", "PATH", "WHY"), [(p.kind, p.path, p.why) for p in result.parts], flex=2)
    for note in data["notes"]:
        click.echo(f"note: {note}", err=True)

"""The README documents every command, config key and exit code; every command has help."""

from __future__ import annotations

import re
from pathlib import Path

import click
import pytest

from agentdeck.cli._app import COMMANDS, cli
from agentdeck.config import SCHEMA
from agentdeck.errors import ExitCode

README = (Path(__file__).resolve().parents[1] / "README.md").read_text()


def all_commands() -> list[tuple[str, click.Command]]:
    ctx = click.Context(cli)
    found = []

    def walk(prefix: str, group: click.Group) -> None:
        for name in group.list_commands(ctx):
            command = group.get_command(ctx, name)
            assert command is not None, name
            found.append((f"{prefix}{name}", command))
            if isinstance(command, click.Group):
                walk(f"{prefix}{name} ", command)

    walk("", cli)
    return found


@pytest.mark.parametrize(
    ("name", "command"), all_commands(), ids=lambda v: v if isinstance(v, str) else ""
)
def test_every_command_has_help(name: str, command: click.Command) -> None:
    assert command.help or command.short_help, f"`agentdeck {name}` has no help text"
    for param in command.params:
        if isinstance(param, click.Option) and not param.hidden:
            assert param.help, f"`agentdeck {name} {param.opts[0]}` has no help"


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_command_is_in_the_readme(name: str) -> None:
    assert (
        re.search(rf"`(agentdeck )?{re.escape(name)}[ `]", README)
        or f"$ agentdeck {name}" in README
    ), name


@pytest.mark.parametrize(
    ("section", "key"),
    [(s, k) for s, sec in SCHEMA.items() for k in sec.keys],
    ids=lambda v: str(v),
)
def test_every_config_key_is_in_the_readme(section: str, key: str) -> None:
    assert re.search(rf"\| `\[\[?{re.escape(section)}\]\]?` \| `{re.escape(key)}` \|", README), (
        f"[{section}] {key}"
    )


@pytest.mark.parametrize("code", list(ExitCode), ids=lambda c: c.name)
def test_every_exit_code_is_in_the_readme(code: ExitCode) -> None:
    assert re.search(rf"^\| {int(code)} \| ", README, re.MULTILINE), code

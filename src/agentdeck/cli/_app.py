"""The root command group: lazy command loading, global options, error handling."""

from __future__ import annotations

from typing import Any

import click

from agentdeck import __version__
from agentdeck.cli._report import failure, say_error
from agentdeck.errors import ExitCode

#: Every command: name -> ("module:attribute", one-line help). The module is
#: imported only when the command runs; ``--help`` reads the help from here.
COMMANDS: dict[str, tuple[str, str]] = {
    "init": ("agentdeck.cli.init_cmd:init", "Create a workspace (agentdeck.toml and .agentdeck/)."),
    "task": ("agentdeck.cli.task_cmd:task", "Add, list, show, change and search tasks."),
    "next": ("agentdeck.cli.next_cmd:next_", "Show (or claim) the most urgent ready task."),
    "archive": (
        "agentdeck.cli.archive_cmd:archive",
        "Archive finished tasks and write TASK_INDEX.md.",
    ),
    "export": (
        "agentdeck.cli.exchange_cmd:export",
        "Export the backlog as markdown (TODO.md) or JSON.",
    ),
    "import": (
        "agentdeck.cli.exchange_cmd:import_",
        "Import notes (histories, reports, hand-offs, logs) or a backlog JSON export.",
    ),
    "migrate": ("agentdeck.cli.migrate_cmd:migrate", "Show or apply database schema migrations."),
    "config": ("agentdeck.cli.config_cmd:config", "Show the effective configuration."),
    "demo": ("agentdeck.cli.demo_cmd:demo", "Run a guided tour in a throw-away workspace."),
    "session": (
        "agentdeck.cli.session_cmd:session",
        "Start, log, end and read work sessions (evidence from git).",
    ),
    "handoff": (
        "agentdeck.cli.handoff_cmd:handoff",
        "Print the hand-off for the next session (CURRENT_WORK.md).",
    ),
    "logs": ("agentdeck.cli.logs_cmd:logs", "Errors in the logs grouped by shape; search; tail."),
    "test": (
        "agentdeck.cli.testrun_cmd:test",
        "Run the tests and record them; history; flaky tests.",
    ),
    "inventory": ("agentdeck.cli.inventory_cmd:inventory", "Parts of the repository nothing uses."),
    "backup": ("agentdeck.cli.backup_cmd:backup", "Back up, verify, prune and restore safely."),
    "verify": ("agentdeck.cli.verify_cmd:verify", "Check the claims of an agent's report."),
    "health": ("agentdeck.cli.health_cmd:health", "Check disk, memory, load, services, backups."),
    "diagnose": (
        "agentdeck.cli.diagnose_cmd:diagnose",
        "Diagnose the project; --fix prints fixes.",
    ),
    "monitor": (
        "agentdeck.cli.monitor_cmd:monitor",
        "Run checks on an interval and alert on changes.",
    ),
    "status": (
        "agentdeck.cli.status_cmd:status",
        "One screen: backlog, sessions, health, backups, tests.",
    ),
}


class LazyGroup(click.Group):
    """A group that imports a command's module only when that command runs."""

    def __init__(self, *args: Any, lazy: dict[str, tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lazy = lazy

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*self.lazy, *super().list_commands(ctx)})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.lazy:
            import importlib

            target, _ = self.lazy[cmd_name]
            module_name, attribute = target.split(":")
            return getattr(importlib.import_module(module_name), attribute)  # type: ignore[no-any-return]
        return super().get_command(ctx, cmd_name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        # Help for the listing comes from the registry so --help imports nothing.
        rows = [(name, self.lazy[name][1]) for name in sorted(self.lazy)]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


@click.group(
    cls=LazyGroup,
    lazy=COMMANDS,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
    epilog="Exit codes and JSON shapes are listed in the README. Run `agentdeck demo` for a tour.",
)
@click.version_option(
    __version__, "-V", "--version", prog_name="agentdeck", message="%(prog)s %(version)s"
)
@click.option(
    "--workspace",
    "-W",
    metavar="DIR",
    envvar="AGENTDECK_WORKSPACE",
    help="Use the workspace at DIR instead of searching up from the current folder.",
)
def cli(workspace: str | None) -> None:
    """agentdeck: the backlog, sessions, notes and ops of autonomous coding agents."""


def run(args: list[str]) -> int:
    """Run the CLI on ``args``; return the exit code. Errors become one line on stderr."""
    try:
        result = cli.main(args=args, prog_name="agentdeck", standalone_mode=False)
    except click.exceptions.UsageError as err:
        if type(err).__name__ == "NoArgsIsHelpError" and err.ctx is not None:
            click.echo(err.ctx.get_help())
            return 0
        where = f" (see `{err.ctx.command_path} --help`)" if err.ctx is not None else ""
        say_error(err.format_message() + where)
        return int(ExitCode.INVALID)
    except click.ClickException as err:
        say_error(err.format_message())
        return int(ExitCode.INVALID)
    except click.exceptions.Abort:
        return failure(KeyboardInterrupt())
    except (Exception, KeyboardInterrupt) as err:
        return failure(err)
    return result if isinstance(result, int) else 0

"""``agentdeck test …``: run the tests and record them; history; flaky tests."""

from __future__ import annotations

import sys

import click

from agentdeck.cli._common import emit_json, json_option, pass_workspace, table
from agentdeck.errors import AgentdeckError, ExitCode
from agentdeck.workspace import Workspace


class TestsFailed(AgentdeckError):
    """The run was recorded and did not pass (failed, error or timeout)."""

    exit_code = ExitCode.PROBLEM
    __test__ = False


class TestCommandMissing(AgentdeckError):
    """The run was recorded: the test command does not exist."""

    exit_code = ExitCode.NOT_FOUND
    __test__ = False


def _counts(run: dict) -> str:
    parts = [
        f"{run[key]} {key}"
        for key in ("passed", "failed", "errors", "skipped", "xfailed", "xpassed")
        if run[key]
    ]
    return ", ".join(parts) or "no tests"


def _short(text: str | None) -> str:
    return text[:19].replace("T", " ") if text else "-"


@click.group()
def test() -> None:
    """Run the project's tests and record them; history; flaky tests."""


@test.command("run", context_settings={"ignore_unknown_options": True})
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
@click.option("--timeout", type=float, help="Seconds before the run is stopped ([tests] timeout).")
@click.option("--session", "session_id", help="Link the run to this agent session.")
@click.option("-q", "--quiet", is_flag=True, help="Do not echo the test output.")
@json_option
@pass_workspace
def run_cmd(
    ws: Workspace,
    args: tuple[str, ...],
    timeout: float | None,
    session_id: str | None,
    quiet: bool,
    as_json: bool,
) -> None:
    """Run the test command ([tests] command, or detected), stream it, and record the run.

    Arguments after `--` go to the test command: `agentdeck test run -- -k login`.
    Exit code 0 when the run passed, 1 when it failed, errored or timed out,
    3 when the command does not exist (each recorded).
    """
    from agentdeck.ops.testrun import run_tests

    if timeout is not None and timeout <= 0:
        raise click.BadParameter("must be more than 0", param_hint="--timeout")
    stream = None if (quiet or as_json) else sys.stdout
    run = run_tests(ws, args, stream=stream, session_id=session_id, timeout=timeout)
    data = run.to_dict()
    if as_json:
        emit_json(run.to_dict(results=True))
    else:
        commit = (run.commit or "no commit")[:10] + (" +changes" if run.dirty else "")
        click.echo(
            f"Recorded test run #{run.id}: {run.status} ({_counts(data)}) "
            f"in {run.duration_s:.1f} s on {commit}"
        )
        if run.message:
            click.echo(f"  {run.message}")
    if run.status == "not_found":
        if as_json:
            click.get_current_context().exit(int(ExitCode.NOT_FOUND))
        raise TestCommandMissing(
            run.message or "test command not found", hint="set [tests] command"
        )
    if run.status != "passed":
        click.get_current_context().exit(int(ExitCode.PROBLEM))


@test.command("history")
@click.option("-n", "--limit", type=int, default=20, show_default=True, help="At most this many.")
@click.option("--session", "session_id", help="Only runs of this agent session.")
@json_option
@pass_workspace
def history_cmd(ws: Workspace, limit: int, session_id: str | None, as_json: bool) -> None:
    """Recorded test runs, newest first."""
    from agentdeck.ops.testrun import history

    runs = history(ws.store, limit, session_id)
    if as_json:
        emit_json([r.to_dict() for r in runs])
        return
    if not runs:
        click.echo("No test run recorded yet. Run `agentdeck test run`.")
        return
    rows = [
        (
            f"#{r.id}",
            _short(r.started_at),
            f"{r.duration_s:.1f}s" if r.duration_s is not None else "-",
            r.status,
            r.passed,
            r.failed,
            r.errors,
            r.skipped,
            (r.commit or "-")[:10] + ("+" if r.dirty else ""),
            r.session_id or "",
        )
        for r in runs
    ]
    table(
        (
            "RUN",
            "STARTED",
            "TOOK",
            "STATUS",
            "PASSED",
            "FAILED",
            "ERRORS",
            "SKIPPED",
            "COMMIT",
            "SESSION",
        ),
        rows,
    )


@test.command("show")
@click.argument("run_id", type=int, required=False)
@click.option(
    "--all", "show_all", is_flag=True, help="List every test, not only those not passing."
)
@json_option
@pass_workspace
def show_cmd(ws: Workspace, run_id: int | None, show_all: bool, as_json: bool) -> None:
    """One run (the last by default) with each test's outcome."""
    from agentdeck.ops.testrun import get_run

    run = get_run(ws.store, run_id)
    if as_json:
        emit_json(run.to_dict(results=True, output=True))
        return
    data = run.to_dict()
    click.echo(f"Test run #{run.id}: {run.status} ({_counts(data)})")
    click.echo(f"  command:  {' '.join(run.command)}")
    click.echo(f"  started:  {_short(run.started_at)}, took {run.duration_s or 0:.1f} s")
    click.echo(
        f"  commit:   {run.commit or '-'}{' (with uncommitted changes)' if run.dirty else ''}"
    )
    click.echo(f"  exit:     {run.exit_code}")
    if run.summary:
        click.echo(f"  summary:  {run.summary}")
    if run.message:
        click.echo(f"  note:     {run.message}")
    shown = [
        r for r in run.results if show_all or r.outcome not in ("passed", "skipped", "xfailed")
    ]
    if shown:
        click.echo()
        table(
            ("OUTCOME", "TEST", "MESSAGE"),
            [(r.outcome, r.test, r.message or "") for r in shown],
            flex=2,
        )


@test.command("flaky")
@json_option
@pass_workspace
def flaky_cmd(ws: Workspace, as_json: bool) -> None:
    """Tests that both passed and failed on the same commit and work tree."""
    from agentdeck.ops.testrun import flaky_tests

    found = flaky_tests(ws.store)
    if as_json:
        emit_json([f.to_dict() for f in found])
        return
    if not found:
        click.echo("No flaky test: no test both passed and failed on the same code.")
        return
    rows = [
        (
            f.test,
            (f.commit or "-")[:10],
            f.passes,
            f.failures,
            ", ".join(f"#{r}" for r in f.runs),
            _short(f.last_seen),
        )
        for f in found
    ]
    table(("TEST", "COMMIT", "PASSED", "FAILED", "RUNS", "LAST SEEN"), rows, flex=0)

"""The click-free fast path answers exactly what the click application answers.

Two workspaces start identical (same tasks, same pinned clock). Every command
line below runs in one through ``dispatch`` (fast path first, as the entry
point runs it) and in the other through the click application alone; the
outputs, exit codes and, at the end, the whole stored backlog with its event
log must be equal. The cases that the fast path must take itself are marked,
so this cannot pass by the fast path quietly handing everything to click.
"""

from __future__ import annotations

import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from agentdeck.backlog import tasks as core
from agentdeck.backlog.deps import add_dependency
from agentdeck.backlog.exchange import export_backlog
from agentdeck.cli import dispatch
from agentdeck.cli._app import run as click_run
from agentdeck.cli._fast import SHAPES, match, parse
from agentdeck.workspace import init_workspace, open_workspace
from workspace_helpers import git, set_config

A1, A2, A3, A4, A5, A6 = (f"TASK-20260301-00{n}" for n in range(1, 7))

FAST = True  # the fast path must answer this one itself
CLICK = False  # the fast path must hand this one to click

#: (command line, who answers it). Run in order: the writes change both workspaces alike.
CASES: list[tuple[list[str], bool]] = [
    (["next"], FAST),
    (["next", "--explain"], FAST),
    (["next", "--json"], FAST),
    (["next", "-n", "3"], FAST),
    (["next", "--count=2", "--json", "--explain"], FAST),
    (["task", "show", A1], FAST),
    (["task", "show", A2, "--json"], FAST),
    (["task", "show", "--no-events", A2], FAST),
    (["task", "show", "nope"], FAST),
    (["task", "show", "TASK-20990101-001"], FAST),
    (["task", "list"], FAST),
    (["task", "list", "--json"], FAST),
    (["task", "list", "--all", "--sort", "id"], FAST),
    (["task", "list", "--all", "--sort=created", "--json"], FAST),
    (["task", "list", "-s", "todo", "-p", "high", "--json"], FAST),
    (["task", "list", "--ready", "-n", "2"], FAST),
    (["task", "list", "-c", "infra", "-t", "db"], FAST),
    (["task", "list", "--status", "bogus"], FAST),
    (["task", "list", "--limit=0", "--json"], FAST),
    (["task", "search", "parser"], FAST),
    (["task", "search", "parser", "cache", "--json", "-n", "1"], FAST),
    (["task", "search", "--open", "parser"], FAST),
    (["task", "search", "zzzz"], FAST),
    (["-W", ".", "task", "show", A3], FAST),
    (["--workspace=.", "next"], FAST),
    (
        [
            "task",
            "add",
            "Write the exporter",
            "-p",
            "high",
            "-t",
            "db,ui",
            "--depends-on",
            A1,
            "-a",
            "exports round-trip",
            "--json",
        ],
        FAST,
    ),
    (["task", "add", "Bad priority", "--priority", "urgent"], FAST),
    (
        [
            "task",
            "add",
            "Tune the cache",
            "--description=Long text",
            "--category",
            "infra/db",
            "-e",
            "M",
            "--assignee",
            "bob",
            "--notes",
            "n",
            "--agent",
            "carol",
        ],
        FAST,
    ),
    (["task", "start", A2, "--agent", "a1"], FAST),
    (["task", "start", A3, "--agent", "a1", "--json"], FAST),
    (["task", "done", A2, "--note", "finished", "--agent", "a1"], FAST),
    (["task", "done", A2], FAST),
    (["task", "cancel", A4, "--json"], FAST),
    (["task", "reopen", A4, "--agent", "a3"], FAST),
    (["task", "review", A3], FAST),
    (["next", "--claim", "--agent", "a2", "--json"], FAST),
    (["next", "--claim"], FAST),
    (["next", "--claim", "--agent", "a2"], FAST),
    # Not plain calls: click answers them (help, errors of option syntax, missing values).
    (["task", "show", "--help"], CLICK),
    (["next", "--count", "0"], CLICK),
    (["next", "-n", "two"], CLICK),
    (["task", "add", "-x", "title"], CLICK),
    (["task", "add"], CLICK),
    (["task", "start", A5], CLICK),
    (["task", "list", "--sort", "size"], CLICK),
    (["task", "list", "--json=yes"], CLICK),
    (["task", "show", A1, A2], CLICK),
    (["task", "edit", A5, "--title", "Renamed"], CLICK),
    (["task", "done", A6, "--note"], CLICK),
    (["-W"], CLICK),
]


def _fill(root: Path) -> None:
    """The same backlog in each workspace: dependencies, tags, a finished task."""
    ws = open_workspace(root)
    try:
        add = core.add_task
        add(ws.store, core.NewTask("Parser cache", priority="high", tags=["db"]), actor="t")
        add(ws.store, core.NewTask("Parser errors", category="infra/parse", tags=["db"]), actor="t")
        add(ws.store, core.NewTask("Dashboard", priority="low", category="ui"), actor="t")
        add(
            ws.store, core.NewTask("Cache metrics", category="infra", tags=["db", "ops"]), actor="t"
        )
        add(ws.store, core.NewTask("Retire old parser", priority="critical"), actor="t")
        add(ws.store, core.NewTask("Document it", description="parser docs"), actor="t")
        add_dependency(ws.store, A5, A1, actor="t")
        add_dependency(ws.store, A6, A5, actor="t")
        core.set_status(ws.store, A3, "blocked", actor="t", reason="design")
        core.set_status(ws.store, A3, "todo", actor="t")
    finally:
        ws.close()


@pytest.fixture
def twins(backend: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """Two identical workspaces (each with its own database) on the backend under test."""
    monkeypatch.setenv("AGENTDECK_NOW", "2026-03-01T10:00:00Z")
    monkeypatch.delenv("AGENTDECK_DATABASE_URL", raising=False)
    extra_schema = None
    urls = [backend, backend]
    if backend:
        import psycopg

        base, _, _ = backend.partition("?")
        extra_schema = f"t_{uuid.uuid4().hex[:16]}"
        with psycopg.connect(base, autocommit=True) as conn:
            conn.execute(f"CREATE SCHEMA {extra_schema}")
        urls[1] = f"{base}?options=-csearch_path%3D{extra_schema}"
    roots = []
    for name, url in zip(("fast", "click"), urls, strict=True):
        root = tmp_path / name
        root.mkdir()
        git(root, "init", "-q")
        init_workspace(root)
        if url:
            set_config(root, "database", url=url)
        _fill(root)
        roots.append(root)
    yield roots
    if extra_schema:
        import psycopg

        with psycopg.connect(base, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {extra_schema} CASCADE")


def _run(runner, args: list[str], root: Path, capsys, monkeypatch) -> tuple[int, str, str]:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(root)
    capsys.readouterr()
    code = runner(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_fast_path_and_click_answer_alike(twins, capsys, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    fast_root, click_root = twins
    for args, fast in CASES:
        assert (match(args) is not None) == fast, f"{args}: the fast path should take it: {fast}"
        got = _run(dispatch, args, fast_root, capsys, monkeypatch)
        want = _run(click_run, args, click_root, capsys, monkeypatch)
        assert got == want, f"{args} differs"
    ws_fast, ws_click = open_workspace(fast_root), open_workspace(click_root)
    try:
        assert export_backlog(ws_fast.store) == export_backlog(ws_click.store)
        assert len(export_backlog(ws_fast.store)["tasks"]) == 8
    finally:
        ws_fast.close()
        ws_click.close()


def test_parse_reads_only_plain_calls() -> None:
    options = {"--json": ("as_json", "flag"), "-t": ("tags", "many"), "-n": ("limit", "count")}
    assert parse(["x", "-t", "a", "--json", "-t", "b", "-n", "3"], options) == (
        ["x"],
        {"tags": ["a", "b"], "as_json": True, "limit": 3},
    )
    assert parse(["--json=1"], options) is None  # a flag with a value
    assert parse(["-n", "0"], options) is None  # count >= 1: click says why not
    assert parse(["-n", "-3"], options) is None
    assert parse(["-t"], options) is None  # missing value
    assert parse(["--", "x"], options) is None
    assert parse(["-q"], options) is None


def test_hot_commands_do_not_import_click(ws) -> None:  # type: ignore[no-untyped-def]
    code = (
        "import sys\nfrom agentdeck.cli import dispatch\n"
        "assert dispatch(['task', 'add', 'x']) == 0\n"
        "assert dispatch(['next', '--explain']) == 0\n"
        "assert dispatch(['task', 'list', '--json']) == 0\n"
        "print('click loaded:', 'click' in sys.modules)\n"
        "assert dispatch(['task', 'edit', sys.argv[1], '--title', 'y']) == 0\n"
        "print('click loaded:', 'click' in sys.modules)\n"
    )
    task_id = core.add_task(ws.store, core.NewTask("first"), actor="t").id
    out = subprocess.run(
        [sys.executable, "-c", code, task_id],
        cwd=ws.root,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    assert [line for line in out if line.startswith("click loaded:")] == [
        "click loaded: False",
        "click loaded: True",
    ]


def _click_command(path: tuple[str, ...]):  # type: ignore[no-untyped-def]
    import click

    from agentdeck.cli._app import cli

    ctx = click.Context(cli)
    command = cli
    for name in path:
        command = command.get_command(ctx, name)  # type: ignore[attr-defined]
    return command


@pytest.mark.parametrize("path", list(SHAPES))
def test_shapes_agree_with_the_click_commands(path: tuple[str, ...]) -> None:
    """Each shape knows the click command's options by the same names, reads the
    same environment variables, and its body's defaults are click's defaults."""
    import inspect

    from agentdeck.cli import _backlog
    from agentdeck.cli._fast import _body

    arity, options, envvars = SHAPES[path]
    command = _click_command(path)
    click_options = {
        opt: param.name
        for param in command.params
        if param.param_type_name != "argument"
        for opt in (*param.opts, *param.secondary_opts)
        if opt not in ("-h", "--help")
    }
    assert {opt: dest for opt, (dest, _) in options.items()} == click_options
    assert envvars == {p.name: p.envvar for p in command.params if p.envvar}
    body = _body(path)
    if path[0] == "task" and path[1] in _backlog.STATUS_COMMANDS:
        body = _backlog.set_status
    defaults = {
        name: p.default
        for name, p in inspect.signature(body).parameters.items()
        if p.default is not inspect.Parameter.empty
    }
    # What click passes when only the required parts are given: its defaults.
    given = {"none": [], "one": ["X"], "many": ["X"]}[arity]
    required = [p.name for p in command.params if p.required and p.param_type_name == "option"]
    ctx = command.make_context(
        path[-1], given + [a for name in required for a in (f"--{name}", "v")]
    )
    for name, value in ctx.params.items():
        if name in defaults and name not in required:
            assert defaults[name] == value or (not defaults[name] and not value), name
    assert set(ctx.params) - set(defaults) - set(required) <= {"task_id", "title", "words"}
    arguments = [p for p in command.params if p.param_type_name == "argument"]
    assert {"none": 0, "one": 1, "many": 1}[arity] == len(arguments)
    assert (arity == "many") == any(p.nargs == -1 for p in arguments)

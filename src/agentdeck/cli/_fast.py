"""The calls agents make most, answered without importing click.

Agents run ``next``, ``task show``, ``task add``, ``task done`` and their kin
hundreds of times a session. Importing click costs more than any of these
commands' own work (about 30 ms of a 60-80 ms call measured on the project's
machine; BENCHMARKS.md), so ``agentdeck.cli.main`` first offers the arguments
to ``run_fast``. It accepts only plain, well-formed calls of the commands in
``SHAPES`` (each option spelled as the click command spells it, values that
need no interpretation) and runs the same body the click command runs
(``_backlog``). Anything else (``--help``, a misspelt option, a value click
would have to judge, an unknown command) returns ``None`` and the click
application handles it, errors and help included. So the fast path can only
ever answer what click would answer; ``tests/cli/test_fast_path.py`` runs
every shape both ways and compares output, exit code and stored data.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

#: How an option reads its value: ``flag`` sets True, ``off`` sets False,
#: ``value`` takes the next argument, ``many`` appends it, ``int`` takes a
#: whole number >= 0, ``count`` one >= 1, ``sort`` one of the list's orders.
Options = dict[str, tuple[str, str]]

_JSON: Options = {"--json": ("as_json", "flag")}
_NOTE_AGENT: Options = {"--note": ("note", "value"), "--agent": ("agent", "value"), **_JSON}


def _both(short: str, long: str, dest: str, kind: str) -> Options:
    return {short: (dest, kind), long: (dest, kind)}


_ADD: Options = {
    **_both("-d", "--description", "description", "value"),
    **_both("-p", "--priority", "priority", "value"),
    **_both("-c", "--category", "category", "value"),
    **_both("-e", "--effort", "effort", "value"),
    **_both("-t", "--tag", "tags", "many"),
    "--depends-on": ("depends_on", "many"),
    **_both("-a", "--accept", "acceptance", "many"),
    "--assignee": ("assignee", "value"),
    "--notes": ("notes", "value"),
    "--agent": ("agent", "value"),
    **_JSON,
}
_LIST: Options = {
    **_both("-s", "--status", "statuses", "many"),
    **_both("-p", "--priority", "priorities", "many"),
    **_both("-c", "--category", "category", "value"),
    **_both("-t", "--tag", "tags", "many"),
    "--assignee": ("assignee", "value"),
    "--ready": ("ready_only", "flag"),
    "--all": ("include_all", "flag"),
    "--sort": ("sort", "sort"),
    **_both("-n", "--limit", "limit", "int"),
    **_JSON,
}
_SORTS = ("urgency", "priority", "created", "id")

#: Command path -> (positional arguments: "none", "one" or "many"; options;
#: options read from an environment variable when not given, as click's ``envvar=``).
SHAPES: dict[tuple[str, ...], tuple[str, Options, dict[str, str]]] = {
    ("next",): (
        "none",
        {
            "--explain": ("explain", "flag"),
            "--claim": ("claim", "flag"),
            "--agent": ("agent", "value"),
            **_both("-n", "--count", "count", "count"),
            **_JSON,
        },
        {"agent": "AGENTDECK_AGENT"},
    ),
    ("task", "show"): (
        "one",
        {"--events": ("events", "flag"), "--no-events": ("events", "off"), **_JSON},
        {},
    ),
    ("task", "add"): ("one", _ADD, {}),
    ("task", "list"): ("none", _LIST, {}),
    ("task", "search"): (
        "many",
        {**_both("-n", "--limit", "limit", "count"), "--open": ("open_only", "flag"), **_JSON},
        {},
    ),
    ("task", "start"): (
        "one",
        {"--agent": ("agent", "value"), "--force": ("force", "flag"), **_JSON},
        {"agent": "AGENTDECK_AGENT"},
    ),
    ("task", "done"): ("one", _NOTE_AGENT, {}),
    ("task", "cancel"): ("one", _NOTE_AGENT, {}),
    ("task", "review"): ("one", _NOTE_AGENT, {}),
    ("task", "reopen"): ("one", _NOTE_AGENT, {}),
}


def _value(kind: str, text: str) -> Any:
    """``text`` read as ``kind``, or ``None`` when click should judge it."""
    if kind in ("value", "many"):
        return text
    if kind == "sort":
        return text if text in _SORTS else None
    if not (text.isascii() and text.isdigit()):
        return None
    number = int(text)
    return None if kind == "count" and number < 1 else number


def parse(tokens: list[str], options: Options) -> tuple[list[str], dict[str, Any]] | None:
    """Positional arguments and option values of ``tokens``, or ``None`` when any
    token is not plainly one of ``options`` (click then reads them)."""
    positional: list[str] = []
    values: dict[str, Any] = {}
    i = 0
    while i < len(tokens):
        token = tokens[i]
        i += 1
        if not token.startswith("-"):
            positional.append(token)
            continue
        name, eq, inline = token.partition("=") if token.startswith("--") else (token, "", "")
        spec = options.get(name)
        if spec is None:
            return None
        dest, kind = spec
        if kind in ("flag", "off"):
            if eq:
                return None
            values[dest] = kind == "flag"
            continue
        if eq:
            text = inline
        elif i < len(tokens) and not tokens[i].startswith("-"):
            text = tokens[i]
            i += 1
        else:
            return None
        value = _value(kind, text)
        if value is None:
            return None
        if kind == "many":
            values.setdefault(dest, []).append(value)
        else:
            values[dest] = value
    return positional, values


def _workspace_option(args: list[str]) -> tuple[str | None, list[str]] | None:
    """The root's ``--workspace DIR`` (or ``-W DIR``) and the arguments after it."""
    if not args or not args[0].startswith("-"):
        return None, args
    if args[0].startswith("--workspace="):
        return args[0].partition("=")[2], args[1:]
    if args[0] in ("-W", "--workspace") and len(args) > 1 and not args[1].startswith("-"):
        return args[1], args[2:]
    return None


def _body(path: tuple[str, ...]) -> Callable[..., None]:
    from agentdeck.cli import _backlog

    if path == ("next",):
        return _backlog.next_
    name = path[1]
    if name in _backlog.STATUS_COMMANDS:
        return lambda ws, task_id, **kw: _backlog.set_status(ws, name, task_id, **kw)
    return {"show": _backlog.show, "add": _backlog.add, "list": _backlog.list_,
            "search": _backlog.search, "start": _backlog.start}[name]  # fmt: skip


class Call:
    """A plain call the fast path can answer: which command, with what.

    (A plain class: a ``NamedTuple`` or dataclass costs more to define than
    this module's whole job.)
    """

    __slots__ = ("path", "positional", "values", "workspace")

    def __init__(
        self,
        workspace: str | None,
        path: tuple[str, ...],
        positional: list[str],
        values: dict[str, Any],
    ) -> None:
        self.workspace = workspace
        self.path = path
        self.positional = positional
        self.values = values


def match(args: list[str]) -> Call | None:
    """``args`` read as a plain call of a command in ``SHAPES``, or ``None`` when
    click must read them."""
    root = _workspace_option(args)
    if root is None:
        return None
    explicit, rest = root
    path = next((p for p in SHAPES if tuple(rest[: len(p)]) == p), None)
    if path is None:
        return None
    arity, options, envvars = SHAPES[path]
    parsed = parse(rest[len(path) :], options)
    if parsed is None:
        return None
    positional, values = parsed
    if (arity == "none" and positional) or (arity == "one" and len(positional) != 1):
        return None
    if arity == "many" and not positional:
        return None
    for dest, variable in envvars.items():
        if dest not in values and os.environ.get(variable):
            values[dest] = os.environ[variable]
    if path == ("task", "start") and "agent" not in values:
        return None  # click says that --agent is required
    return Call(explicit, path, positional, values)


def run_fast(args: list[str]) -> int | None:
    """Run ``args`` if they are a plain call of a command in ``SHAPES``; return the
    exit code. ``None``: not one of them, nothing was done, click must run it."""
    call = match(args)
    if call is None:
        return None
    from agentdeck.cli._report import failure
    from agentdeck.workspace import open_workspace

    body = _body(call.path)
    try:
        ws = open_workspace(call.workspace)
        try:
            if SHAPES[call.path][0] == "many":
                body(ws, call.positional, **call.values)
            else:
                body(ws, *call.positional, **call.values)
        finally:
            ws.close()
    except (Exception, KeyboardInterrupt) as err:
        return failure(err)
    return 0

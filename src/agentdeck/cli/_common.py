"""Helpers shared by the click command modules: opening the workspace, options.

Output (``emit_json``, ``table``) lives in the click-free ``_output`` and is
re-exported here for the command modules.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

import click

from agentdeck.cli._output import emit_json, table

__all__ = ["emit_json", "json_option", "pass_workspace", "table"]

F = TypeVar("F", bound=Callable[..., Any])


def pass_workspace(func: F) -> F:
    """Open the workspace (from ``--workspace`` or by walking up) and pass it first.

    The store opens lazily on first use of ``ws.store`` and closes when the
    command ends (borg's ``with_repository``, for agentdeck).
    """

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        # Imported here: commands without a workspace (verify, demo) skip the
        # config and store modules.
        from agentdeck.workspace import open_workspace

        ctx = click.get_current_context()
        ws = open_workspace(ctx.find_root().params.get("workspace"))
        ctx.call_on_close(ws.close)
        return func(ws, *args, **kwargs)

    return wrapper  # type: ignore[return-value]


json_option = click.option(
    "--json", "as_json", is_flag=True, help="Print JSON (shape documented in the README)."
)

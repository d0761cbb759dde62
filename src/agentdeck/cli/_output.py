"""Output shared by the commands: JSON and plain-text tables.

No click here: the fast path (``_fast``) prints through these without it.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from typing import Any


def emit_json(data: Any) -> None:
    """Print ``data`` as JSON (UTF-8): indented on a terminal, compact when piped.

    Through orjson: ``task list --json`` of thousands of tasks is what agents
    read most, and orjson encodes it about twenty times faster than ``json``.
    """
    import orjson

    option = orjson.OPT_NON_STR_KEYS | orjson.OPT_APPEND_NEWLINE
    if sys.stdout.isatty():
        option |= orjson.OPT_INDENT_2
    sys.stdout.flush()
    sys.stdout.buffer.write(orjson.dumps(data, option=option))
    sys.stdout.buffer.flush()


def _columns() -> int:
    """The terminal's width (``os``, not ``shutil``: one import less on every call)."""
    try:
        return os.get_terminal_size().columns
    except OSError:
        return 120


def table(
    headers: Sequence[str], rows: Sequence[Sequence[Any]], *, flex: int | None = None
) -> None:
    """Print rows as aligned plain-text columns.

    Plain text, not rich: this is the hot path of commands agents run hundreds
    of times, and importing rich would double their start-up. On a terminal the
    ``flex`` column is shortened so lines fit; piped output is never cut.
    """
    cells = [[("" if v is None else str(v)) for v in row] for row in rows]
    widths = [max([len(h), *(len(r[i]) for r in cells)]) for i, h in enumerate(headers)]
    if flex is not None and sys.stdout.isatty():
        room = _columns() - (sum(widths) - widths[flex]) - 2 * (len(widths) - 1)
        widths[flex] = max(min(widths[flex], room), 12)
    out = []

    def line(values: Sequence[str]) -> str:
        parts = []
        for i, value in enumerate(values):
            if len(value) > widths[i]:
                value = value[: widths[i] - 1] + "…"
            parts.append(value if i == len(values) - 1 else value.ljust(widths[i]))
        return "  ".join(parts).rstrip()

    out.append(line(list(headers)))
    out.extend(line(r) for r in cells)
    sys.stdout.write("\n".join(out) + "\n")

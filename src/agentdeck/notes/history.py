"""Rendered regions inside files people also write by hand.

``SESSION_HISTORY.md`` and ``CURRENT_WORK.md`` often exist before agentdeck
and hold hand-written text. agentdeck owns only the part between its two
markers::

    <!-- agentdeck:history:begin (rendered from the store; edits between these markers are overwritten) -->
    ...
    <!-- agentdeck:history:end -->

Everything outside the markers is kept byte for byte. The first time, the
region goes after the file's title and introduction (before its first
second heading, i.e. above the hand-written entries, since the history is
newest first), or at the top when the file has no title.
"""

from __future__ import annotations

import re

_HEADING = re.compile(r"^#{1,6}\s")


def markers(name: str) -> tuple[str, str]:
    """The begin and end marker lines of region ``name``."""
    return (
        f"<!-- agentdeck:{name}:begin (rendered from the store; edits between these markers are overwritten) -->",
        f"<!-- agentdeck:{name}:end -->",
    )


def update_region(
    existing: str | None, name: str, body: str, *, title: str, after_title: bool = False
) -> str:
    """``existing`` with region ``name`` holding ``body``; a new file gets ``title`` first.

    Text outside the region is returned unchanged, byte for byte. A first
    region goes before the first entry (``insertion_point``), or with
    ``after_title`` right below the file's title (the hand-off leads its file).
    """
    begin, end = markers(name)
    region = f"{begin}\n{body.rstrip()}\n{end}\n"
    if existing is None or existing == "":
        return f"# {title}\n\n{region}"
    start = existing.find(begin)
    if start != -1:
        stop = existing.find(end, start)
        if stop != -1:
            after = stop + len(end)
            if existing.startswith("\r\n", after):
                after += 2
            elif existing.startswith("\n", after):
                after += 1
            return existing[:start] + region + existing[after:]
        # A begin marker without its end: the region runs to the end of the file.
        return existing[:start] + region
    at = title_end(existing) if after_title else insertion_point(existing)
    before = existing[:at]
    if before and not before.endswith("\n"):
        before += "\n"
    separator = "\n" if existing[at:].strip() else ""
    return before + region + separator + existing[at:]


def insertion_point(text: str) -> int:
    """Where a new region goes: before the first heading that follows the title, else at
    the end; when the file does not start with a heading, before its first heading."""
    offset = 0
    lines = text.splitlines(keepends=True)
    first_content = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first_content is None:
        return len(text)
    starts_with_title = bool(_HEADING.match(lines[first_content]))
    fence = False
    for index, line in enumerate(lines):
        if line.lstrip().startswith(("```", "~~~")):
            fence = not fence
        if (
            not fence
            and _HEADING.match(line)
            and not (starts_with_title and index == first_content)
        ):
            return offset
        offset += len(line)
    return len(text)


def title_end(text: str) -> int:
    """Just after the file's title line and the blank lines below it (0 without a title)."""
    lines = text.splitlines(keepends=True)
    offset = 0
    index = 0
    while index < len(lines) and not lines[index].strip():
        offset += len(lines[index])
        index += 1
    if index == len(lines) or not _HEADING.match(lines[index]):
        return 0
    offset += len(lines[index])
    index += 1
    while index < len(lines) and not lines[index].strip():
        offset += len(lines[index])
        index += 1
    return offset

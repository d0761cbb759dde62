"""Which build of agentdeck's compiled packages runs: mypyc's, or the Python sources.

The note reader (``agentdeck.notes.importer``: decoding, line classes,
planning, session extraction) is plain, typed Python that ``make`` also
compiles with mypyc (``tools/build_native.py``), in place, next to the
sources: about 2.5 times faster, which is what lets ``agentdeck import``
read months of notes at several MB/s. The sources stay the truth: the
compiled build is an accelerator that must give the same results, and a
test compares the two (``tests/notes/importer/test_native.py``).

Python finds an extension module before a source file of the same name, so
a build older than its sources would run old code. ``prefer_sources``,
called by the package's ``__init__`` before any of its modules is imported,
loads the whole package from source instead when:

* any compiled module is older than its ``.py`` (edited, or checked out,
  after the build: ``make`` rebuilds it), or
* ``AGENTDECK_PURE_PYTHON`` is set to anything but ``""`` or ``0``.

It is all or nothing per package: compiled modules of one build call each
other directly and must not be mixed with source ones.
"""

from __future__ import annotations

import os
import sys
from importlib.machinery import (
    BYTECODE_SUFFIXES,
    EXTENSION_SUFFIXES,
    SOURCE_SUFFIXES,
    FileFinder,
    SourceFileLoader,
    SourcelessFileLoader,
)

#: Set (to anything but "" or "0") to run the Python sources even where a build exists.
PURE_ENV = "AGENTDECK_PURE_PYTHON"


def _state(folder: str) -> str:
    suffix = EXTENSION_SUFFIXES[0]
    built: list[tuple[str, float]] = []
    try:
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.name.endswith(suffix):
                    built.append((entry.name[: -len(suffix)], entry.stat().st_mtime))
    except OSError:
        return "python"
    compiled = 0
    for module, built_at in built:
        try:
            source_at = os.stat(os.path.join(folder, module + ".py")).st_mtime
        except OSError:
            continue  # the build's shared library: it has no source of its own
        compiled += 1
        if source_at > built_at:
            return "stale"
    if not compiled:
        return "python"
    if os.environ.get(PURE_ENV, "") not in ("", "0"):
        return "refused"
    return "compiled"


def prefer_sources(package_path: list[str]) -> str:
    """Load the package at ``package_path`` from source unless its build is current.

    Returns what runs: ``"compiled"``, or why not (``"python"``: nothing is
    built; ``"stale"``; ``"refused"``: ``AGENTDECK_PURE_PYTHON`` is set).
    """
    folder = package_path[0]
    state = _state(folder)
    if state in ("stale", "refused"):
        # The finder Python caches for this folder, minus the extension loader.
        sys.path_importer_cache[folder] = FileFinder(
            folder,
            (SourceFileLoader, SOURCE_SUFFIXES),
            (SourcelessFileLoader, BYTECODE_SUFFIXES),
        )
    return state

"""Compile agentdeck's note reader with mypyc, in place next to its sources.

    python tools/build_native.py           # build (make does it: make native)
    python tools/build_native.py --clean   # remove the build; the sources run

The modules below are plain typed Python; mypyc turns each into a C
extension that Python finds before the ``.py`` of the same name. Nothing else
changes: ``agentdeck.native`` falls back to the sources when the build is
older than they are, and ``tests/notes/importer/test_native.py`` checks that
both give the same results. Why only these: they are the reader's per-line
work, about three quarters of an import's CPU time; the rest of agentdeck
waits on SQLite, git or the network, where compiling gains nothing.

Exit codes: 0 built (or skipped: no C compiler, or mypy not installed, with
a line saying so; the sources then run), 1 the build failed (a type error
in the sources, say: it is printed).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import sysconfig
from importlib.machinery import EXTENSION_SUFFIXES
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src"
BUILD = ROOT / "build" / "native"
PACKAGE = "agentdeck/notes/importer"
#: The modules compiled, relative to ``src``: every module of the reader.
#: Not ``tokens`` (mypyc cannot compile a subclass of ``list``), nor
#: ``__init__``, ``ahead`` and ``persist`` (files, processes and the store).
MODULES = [
    f"{PACKAGE}/{name}.py"
    for name in ("vocab", "numbers", "dates", "repair", "scan", "model", "extract", "parse")
]
#: The build's shared library (``agentdeck/notes/importer/_native__mypyc...so``).
GROUP = "agentdeck.notes.importer._native"


def built_files() -> list[Path]:
    """The build's files in the source tree."""
    folder = SRC / PACKAGE
    return sorted(p for p in folder.iterdir() if p.name.endswith(tuple(EXTENSION_SUFFIXES)))


def clean() -> None:
    for path in built_files():
        path.unlink()
    shutil.rmtree(BUILD, ignore_errors=True)


def _compiler() -> str | None:
    """The C compiler setuptools will call, if there is one."""
    name = os.environ.get("CC") or sysconfig.get_config_var("CC") or "cc"
    return shutil.which(name.split()[0])


def build(quiet: bool) -> int:
    try:
        from mypyc.build import mypycify
        from setuptools import setup
    except ImportError:
        print(
            "build_native: skipped (mypy is not installed: pip install -e '.[native]');"
            " agentdeck runs from its Python sources",
            file=sys.stderr,
        )
        return 0
    if _compiler() is None:
        print(
            "build_native: skipped (no C compiler; install gcc or set CC);"
            " agentdeck runs from its Python sources",
            file=sys.stderr,
        )
        return 0
    clean()
    BUILD.mkdir(parents=True)
    # mypyc writes its C and setuptools places the extensions relative to the
    # working directory: ``src``, so that each lands beside its source.
    os.chdir(SRC)
    extensions = mypycify(
        [
            # Type errors fail the build only in the modules compiled: the
            # others are read for their types, and run as Python whatever mypy
            # thinks of them.
            "--follow-imports=silent",
            "--ignore-missing-imports",
            # Never a cache next to the sources: a clean build checks everything.
            "--cache-dir",
            str(BUILD / "mypy-cache"),
            *MODULES,
        ],
        opt_level="3",
        group_name=GROUP,
        target_dir=str(BUILD / "c"),
    )
    try:
        setup(
            name="agentdeck-native",
            ext_modules=extensions,
            script_args=[
                *(["--quiet"] if quiet else []),
                "build_ext",
                "--inplace",
                "--build-temp",
                str(BUILD / "obj"),
                "--build-lib",
                str(BUILD / "lib"),
            ],
        )
    except SystemExit as exc:  # setuptools reports a failed compile this way
        if exc.code not in (None, 0):
            clean()
            print(f"build_native: failed: {exc.code}", file=sys.stderr)
            return 1
    names = ", ".join(p.name.split(".")[0] for p in built_files())
    print(f"build_native: compiled {names}", file=sys.stderr)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clean", action="store_true", help="remove the build")
    parser.add_argument("--verbose", action="store_true", help="show the compiler's commands")
    args = parser.parse_args(argv)
    if args.clean:
        clean()
        return 0
    return build(quiet=not args.verbose)


if __name__ == "__main__":
    sys.exit(main())

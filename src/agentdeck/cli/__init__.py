"""The command-line face of agentdeck (``agentdeck`` and its alias ``deck``).

This module is the console entry point and stays tiny on purpose: agents run
the CLI hundreds of times a session, so ``--version`` answers before click is
imported, the busiest backlog calls are answered without click by ``_fast``
(the same bodies, for plain calls only), and every command's module loads
only when that command runs (``agentdeck.cli._app``).
"""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the CLI and exit with the command's exit code."""
    args = sys.argv[1:] if argv is None else list(argv)
    if args in (["--version"], ["-V"]):
        from agentdeck import __version__

        sys.stdout.write(f"agentdeck {__version__}\n")
        sys.exit(0)
    sys.exit(dispatch(args))


def dispatch(args: list[str]) -> int:
    """Run one command line; return its exit code (the fast path first, then click)."""
    from agentdeck.cli._fast import run_fast

    code = run_fast(args)
    if code is None:
        from agentdeck.cli._app import run

        code = run(args)
    return code

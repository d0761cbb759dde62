"""How a failed command reaches the user: one line on stderr and its exit code.

Shared by the click application (``_app.run``) and the click-free fast path
(``_fast``), so a failure reads the same whichever face ran the command.
"""

from __future__ import annotations

import os
import sys

from agentdeck.errors import AgentdeckError, ExitCode


def one_line(text: str) -> str:
    """``text`` with its whitespace (newlines included) collapsed to single spaces."""
    return " ".join(text.split())


def say_error(message: str) -> None:
    """Print ``agentdeck: error: MESSAGE`` as one line on stderr."""
    sys.stderr.write(f"agentdeck: error: {one_line(message)}\n")
    sys.stderr.flush()


def failure(err: BaseException) -> int:
    """Report ``err`` (raised by a command) and return the exit code.

    agentdeck's own errors are the user's to fix: their message, their code.
    Anything else is a bug: one line asking for a report (the traceback with
    ``AGENTDECK_DEBUG=1``, when this re-raises).
    """
    if isinstance(err, AgentdeckError):
        say_error(str(err))
        return int(err.exit_code)
    if isinstance(err, KeyboardInterrupt):
        sys.stderr.write("agentdeck: interrupted\n")
        return int(ExitCode.INTERRUPTED)
    if isinstance(err, BrokenPipeError):
        # The reader went away (`agentdeck task list | head`): not an error.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    if os.environ.get("AGENTDECK_DEBUG"):
        raise err
    sys.stderr.write(
        f"agentdeck: internal error: {type(err).__name__}: {one_line(str(err))} "
        "(a bug; rerun with AGENTDECK_DEBUG=1 for the traceback and report it)\n"
    )
    return int(ExitCode.INTERNAL)

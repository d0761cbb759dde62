"""``agentdeck demo``: a guided tour in a throw-away git repository.

The tour is made of chapters, one module each (``cNN_name.py``, run in name
order, found by listing this folder so each capability adds its own without
touching a registry). A chapter has a ``TITLE`` and a ``run(tour)`` function;
it drives the real CLI through ``tour.run`` so what the reader sees is exactly
what they would type and get.
"""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
import tempfile
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

import click

_FOLDER = os.path.dirname(__file__)


def chapter_names() -> list[str]:
    """Chapter modules in the order they run."""
    return sorted(
        name[:-3]
        for name in os.listdir(_FOLDER)
        if name.startswith("c") and name[1:3].isdigit() and name.endswith(".py")
    )


@dataclass
class Tour:
    """The demo repository and helpers to narrate and run commands in it."""

    root: Path
    env: dict[str, str] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)

    def chapter(self, title: str) -> None:
        click.echo()
        click.secho(f"== {title} ", bold=True, fg="cyan")

    def say(self, text: str) -> None:
        click.echo(textwrap.fill(" ".join(text.split()), width=100))

    def run(
        self,
        *args: str,
        expect: tuple[int, ...] = (0,),
        now: str | None = None,
        show: bool = True,
        max_lines: int = 40,
        env: dict[str, str] | None = None,
    ) -> subprocess.CompletedProcess[str]:
        """Run ``agentdeck ARGS`` in the demo repository and print the command and its output.

        ``now`` pins the clock (AGENTDECK_NOW) for this call. An exit code
        outside ``expect`` is recorded as a failure of the demo.
        """
        run_env = {**os.environ, **self.env, **(env or {})}
        if now:
            run_env["AGENTDECK_NOW"] = now
        proc = subprocess.run(
            [sys.executable, "-m", "agentdeck", *args],
            cwd=self.root,
            env=run_env,
            capture_output=True,
            text=True,
        )
        if show:
            click.secho("$ agentdeck " + " ".join(_quote(a) for a in args), fg="green")
            output = (proc.stdout + proc.stderr).rstrip("\n")
            lines = output.splitlines()
            if len(lines) > max_lines:
                lines = [*lines[: max_lines - 1], f"... ({len(lines) - max_lines + 1} more lines)"]
            for line in lines:
                click.echo("  " + line)
            if proc.returncode:
                click.secho(f"  (exit code {proc.returncode})", dim=True)
        if proc.returncode not in expect:
            self.failures.append(
                f"agentdeck {' '.join(args)} exited {proc.returncode}: {proc.stderr.strip()}"
            )
        return proc

    def write(self, relative: str, text: str) -> Path:
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return path

    def git(self, *args: str) -> str:
        env = {**os.environ, **self.env}
        return subprocess.run(
            ["git", *args], cwd=self.root, env=env, check=True, capture_output=True, text=True
        ).stdout

    def commit(self, message: str, *paths: str) -> None:
        self.git("add", *(paths or (".",)))
        self.git("commit", "-q", "-m", message)


def _quote(arg: str) -> str:
    return repr(arg) if (not arg or any(c in arg for c in " \"'$*")) else arg


def run_demo(target: Path | None = None) -> tuple[Path, list[str]]:
    """Build the demo repository and run every chapter; return its path and any failures."""
    root = (target or Path(tempfile.mkdtemp(prefix="agentdeck-demo-"))).resolve()
    root.mkdir(parents=True, exist_ok=True)
    tour = Tour(
        root,
        env={
            "GIT_AUTHOR_NAME": "Demo Agent",
            "GIT_AUTHOR_EMAIL": "agent@example.com",
            "GIT_COMMITTER_NAME": "Demo Agent",
            "GIT_COMMITTER_EMAIL": "agent@example.com",
            "AGENTDECK_WORKSPACE": str(root),
        },
    )
    # The tour runs on the embedded SQLite default, whatever the caller's shell says.
    os.environ.pop("AGENTDECK_DATABASE_URL", None)
    tour.git("init", "-q", "-b", "main")
    for name in chapter_names():
        module = importlib.import_module(f"agentdeck.demo.{name}")
        tour.chapter(module.TITLE)
        module.run(tour)
    return root, tour.failures

"""Helpers shared by tests in any folder (import as ``workspace_helpers``).

Not in conftest.py: several folders have a conftest of their own, and
``from conftest import ...`` would find whichever was imported first.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

#: The real session notes beside the checkout (they are there in CI too).
SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"


def git(cwd: Path, *args: str) -> str:
    """Run git in ``cwd`` and return its stdout (raises on failure)."""
    return subprocess.run(
        ["git", *args], cwd=cwd, check=True, capture_output=True, text=True
    ).stdout


def set_config(root: Path, section: str, **values: object) -> None:
    """Set keys in ``root``'s agentdeck.toml: under the section's existing header
    (the generated file declares each section once), else in a new section."""
    from agentdeck.config import toml_value

    path = root / "agentdeck.toml"
    text = path.read_text() if path.exists() else ""
    lines = "".join(f"{key} = {toml_value(value)}\n" for key, value in values.items())
    header = f"[{section}]\n"
    if text.startswith(header) or f"\n{header}" in text:
        at = text.index(header) if text.startswith(header) else text.index(f"\n{header}") + 1
        text = text[: at + len(header)] + lines + text[at + len(header) :]
    else:
        text += f"\n{header}{lines}"
    path.write_text(text)

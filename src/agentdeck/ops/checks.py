"""Checks: the unit of health, diagnose and the monitor.

A check has a name, runs with a timeout, and returns a ``CheckResult``: a
status (OK, WARNING, CRITICAL, UNKNOWN), a measured value, a message and,
where it applies, the exact command that fixes it.

Checks come from provider modules ``agentdeck/ops/checks_*.py``, found by
listing this folder (so each capability adds its checks in its own module).
A provider defines ``checks(ws) -> list[Check]``.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import IntEnum
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from agentdeck.workspace import Workspace


class Status(IntEnum):
    """Check outcome; the value is the monitoring exit code (worst wins)."""

    OK = 0
    WARNING = 1
    CRITICAL = 2
    UNKNOWN = 3


@dataclass
class CheckResult:
    """What one check measured."""

    name: str
    status: Status
    value: Any = None
    message: str = ""
    fix: str | None = None
    details: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "status": self.status.name,
            "value": self.value,
            "message": self.message,
            "fix": self.fix,
            "details": self.details,
        }


@dataclass(frozen=True)
class Check:
    """A named check. ``scopes`` says which commands run it: "health", "diagnose"."""

    name: str
    run: Callable[[], CheckResult]
    timeout: float = 5.0
    slow: bool = False
    scopes: frozenset[str] = frozenset({"diagnose"})


def provider_names() -> list[str]:
    """Modules that provide checks, in name order."""
    folder = os.path.dirname(__file__)
    return sorted(
        name[:-3]
        for name in os.listdir(folder)
        if name.startswith("checks_") and name.endswith(".py")
    )


def collect(ws: Workspace, scope: str) -> list[Check]:
    """Every check of every provider that applies to ``scope``."""
    found: list[Check] = []
    for name in provider_names():
        module = importlib.import_module(f"agentdeck.ops.{name}")
        found.extend(c for c in module.checks(ws) if scope in c.scopes)
    return found

"""Which command runs the project's tests.

``[tests] command`` wins. Otherwise the project's own declarations decide, in
this order: pytest configuration (``pytest.ini``, ``[tool.pytest.ini_options]``
in ``pyproject.toml``, ``[tool:pytest]`` in ``setup.cfg``, ``[pytest]`` in
``tox.ini``, a root ``conftest.py``); ``scripts.test`` in ``package.json``;
``Cargo.toml``; ``go.mod``; a ``test:`` target in the ``Makefile``; and last,
Python test files (``test_*.py``, ``*_test.py``) run with pytest.

pytest runs with the project's own virtual environment when it has one
(``.venv``, ``venv``), else the ``pytest`` on PATH, else this Python if it has
pytest installed.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shlex
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

from agentdeck.errors import InvalidInput, NotFound


@dataclass(frozen=True)
class TestCommand:
    """The command, the runner it is (``pytest``, ``npm`` … or None), and how it was chosen."""

    argv: list[str]
    runner: str | None
    source: str

    __test__ = False  # not a pytest test class


def runner_of(argv: list[str]) -> str | None:
    """The test runner a command line invokes, when it can be told."""
    names = [Path(a).name for a in argv[:4]]
    if "pytest" in names or "py.test" in names or any(a == "pytest" for a in argv[:4]):
        return "pytest"
    joined = " ".join(names)
    for runner in (
        "unittest",
        "jest",
        "vitest",
        "mocha",
        "cargo",
        "go",
        "npm",
        "make",
        "tox",
        "nox",
    ):
        if runner in joined:
            return runner
    return None


def _python_for_pytest(root: Path) -> list[str]:
    for venv in (".venv", "venv"):
        python = root / venv / "bin" / "python"
        if python.exists():
            return [str(python.relative_to(root)), "-m", "pytest"]
    if shutil.which("pytest"):
        return ["pytest"]
    if importlib.util.find_spec("pytest") is not None:
        return [sys.executable, "-m", "pytest"]
    return ["python3", "-m", "pytest"]


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


def _declares_pytest(root: Path) -> str | None:
    if (root / "pytest.ini").is_file():
        return "pytest.ini"
    if "[tool.pytest.ini_options]" in _read(root / "pyproject.toml"):
        return "pyproject.toml [tool.pytest.ini_options]"
    if "[tool:pytest]" in _read(root / "setup.cfg"):
        return "setup.cfg [tool:pytest]"
    if "[pytest]" in _read(root / "tox.ini"):
        return "tox.ini [pytest]"
    if (root / "conftest.py").is_file():
        return "conftest.py"
    return None


_SKIP_DIRS = {
    ".git",
    ".venv",
    "venv",
    "node_modules",
    ".tox",
    ".nox",
    "build",
    "dist",
    ".agentdeck",
}


def _has_python_tests(root: Path) -> bool:
    for _folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if d not in _SKIP_DIRS and not d.startswith(".")]
        if any(
            f.endswith(".py") and (f.startswith("test_") or f.endswith("_test.py")) for f in files
        ):
            return True
    return False


def detect_command(root: Path, configured: str | list[str] = "") -> TestCommand:
    """The test command of the project at ``root``.

    Raises ``InvalidInput`` for a configured command that cannot be split and
    ``NotFound`` when nothing is configured or declared.
    """
    if configured:
        if isinstance(configured, str):
            try:
                argv = shlex.split(configured)
            except ValueError as err:
                raise InvalidInput(f"[tests] command cannot be split into words: {err}") from None
        else:
            argv = list(configured)
            if not all(isinstance(word, str) for word in argv):
                raise InvalidInput("[tests] command must be a string or a list of strings")
        if argv:
            return TestCommand(argv, runner_of(argv), "[tests] command")
    declared = _declares_pytest(root)
    if declared:
        return TestCommand(_python_for_pytest(root), "pytest", f"detected: {declared}")
    package = root / "package.json"
    if package.is_file():
        try:
            scripts = json.loads(_read(package)).get("scripts") or {}
        except (ValueError, AttributeError):
            scripts = {}
        test = scripts.get("test") if isinstance(scripts, dict) else None
        if isinstance(test, str) and "no test specified" not in test:
            return TestCommand(["npm", "test"], "npm", "detected: package.json scripts.test")
    if (root / "Cargo.toml").is_file():
        return TestCommand(["cargo", "test"], "cargo", "detected: Cargo.toml")
    if (root / "go.mod").is_file():
        return TestCommand(["go", "test", "./..."], "go", "detected: go.mod")
    makefile = _read(root / "Makefile")
    if re.search(r"^test\s*:", makefile, re.MULTILINE):
        return TestCommand(["make", "test"], "make", "detected: Makefile test target")
    if _has_python_tests(root):
        return TestCommand(_python_for_pytest(root), "pytest", "detected: Python test files")
    raise NotFound(
        "no test command configured or detected",
        hint='set [tests] command in agentdeck.toml, e.g. command = "pytest -q"',
    )

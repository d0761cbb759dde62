"""The inventory on a fixture repository with known dormant and live parts."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

FILES = {
    "README.md": "# App\n\nDeploy with `scripts/deploy.sh`. See [the guide](docs/guide.md).\n",
    "CHANGELOG.md": "# Changes\n",
    "CLAUDE.md": "Agents: run make test.\n",
    "TODO.md": "# Backlog (rendered by agentdeck)\n",
    "Makefile": "test:\n\tpytest\n\nlint:\n\t./scripts/lint.sh\n",
    ".github/workflows/ci.yml": "jobs:\n  ci:\n    steps:\n      - run: bash scripts/ci-setup.sh\n",
    "Procfile": "web: uvicorn app.server:app --port $PORT\n",
    "pyproject.toml": (
        '[project]\nname = "app"\n\n[project.scripts]\napp = "app.cli:main"\n\n'
        '[tool.pytest.ini_options]\ntestpaths = ["tests"]\n'
    ),
    "agentdeck.toml": '[inventory]\nignore = ["scripts/vendor/*"]\n',
    # scripts: live by README, Makefile, CI, another script; two dormant
    "scripts/deploy.sh": "#!/bin/sh\necho deploy\n",
    "scripts/lint.sh": "#!/bin/sh\nruff check .\n",
    "scripts/ci-setup.sh": "#!/bin/sh\n./scripts/helper.sh\n",
    "scripts/helper.sh": "#!/bin/sh\necho help\n",
    "scripts/old_migrate.sh": "#!/bin/sh\necho one-off migration from 2024\n",
    "scripts/vendor/third_party.sh": "#!/bin/sh\necho ignored by config\n",
    "tools/one_off.py": "#!/usr/bin/env python3\nprint('fix the data once')\n",
    # modules: relative import, absolute import, entry point, dynamic import, Procfile; one dormant
    "src/app/__init__.py": "from . import core\n",
    "src/app/core.py": "from app.util import slugify\n\n\ndef run():\n    return slugify('x')\n",
    "src/app/util.py": "def slugify(text):\n    return text\n",
    "src/app/cli.py": "def main():\n    pass\n",
    "src/app/server.py": "app = object()\n",
    "src/app/legacy.py": "def old():\n    pass\n",
    "src/app/plugins/__init__.py": (
        "import importlib\n\n\ndef load(name):\n"
        "    return importlib.import_module(f'app.plugins.{name}')\n"
    ),
    "src/app/plugins/alpha.py": "NAME = 'alpha'\n",
    # docs: linked from README, linked relatively from another doc; two dormant
    "docs/guide.md": "# Guide\n\nFirst [install](setup/install.md).\n",
    "docs/setup/install.md": "# Install\n",
    "docs/plan-2025.md": "# A plan nobody links to\n",
    "docs/notes.txt": "loose notes\n",
    # tests: collected; a helper module they import; three never collected
    "tests/test_core.py": "from helpers import make\n\n\ndef test_core():\n    assert make()\n",
    "tests/helpers.py": "def make():\n    return 1\n",
    "tests/check_util.py": "def test_util():\n    assert True\n",
    "tests/build/test_gen.py": "def test_gen():\n    assert True\n",
    "integration/test_api.py": "def test_api():\n    assert True\n",
}

EXPECTED = [
    {
        "kind": "script",
        "path": "scripts/old_migrate.sh",
        "why": "no Makefile, CI file, README, manifest or other script mentions old_migrate.sh",
    },
    {
        "kind": "script",
        "path": "tools/one_off.py",
        "why": "no Makefile, CI file, README, manifest or other script mentions one_off.py",
    },
    {
        "kind": "module",
        "path": "src/app/legacy.py",
        "why": "nothing imports app.legacy and no entry point, Makefile, CI file or README names it",
    },
    {"kind": "doc", "path": "docs/notes.txt", "why": "no other file links to or names notes.txt"},
    {
        "kind": "doc",
        "path": "docs/plan-2025.md",
        "why": "no other file links to or names plan-2025.md",
    },
    {
        "kind": "test",
        "path": "integration/test_api.py",
        "why": "the test command would not collect it: outside the paths pytest collects "
        "(tests, from pyproject.toml)",
    },
    {
        "kind": "test",
        "path": "tests/build/test_gen.py",
        "why": "the test command would not collect it: in build/, which pytest skips "
        "(norecursedirs 'build')",
    },
    {
        "kind": "test",
        "path": "tests/check_util.py",
        "why": "the test command would not collect it: its name does not match python_files "
        "(test_*.py *_test.py)",
    },
]


def _git(root: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)


@pytest.fixture
def fixture_repo(tmp_path: Path) -> Path:
    root = tmp_path / "fixture"
    for name, text in FILES.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    _git(root, "init", "-q", "-b", "main")
    _git(root, "add", ".")
    _git(root, "commit", "-q", "-m", "fixture")
    return root


def test_fixture_repository_gives_exactly_the_expected_list(fixture_repo: Path) -> None:
    from agentdeck.ops.inventory import find_dormant
    from agentdeck.workspace import open_workspace

    result = find_dormant(open_workspace(fixture_repo)).to_dict()
    assert result["dormant"] == EXPECTED
    assert result["counts"] == {"script": 2, "module": 1, "doc": 2, "test": 3}
    assert result["examined"] == {"script": 6, "module": 7, "doc": 4, "test": 4}
    assert result["notes"] == []


def test_untracked_files_count_and_ignored_ones_do_not(fixture_repo: Path) -> None:
    from agentdeck.ops.inventory import find_dormant
    from agentdeck.workspace import open_workspace

    (fixture_repo / "scripts" / "new_agent_script.sh").write_text("#!/bin/sh\n")  # untracked
    (fixture_repo / ".gitignore").write_text("scratch/\n")
    (fixture_repo / "scratch").mkdir()
    (fixture_repo / "scratch" / "tmp.sh").write_text("#!/bin/sh\n")  # ignored by git
    paths = [p["path"] for p in find_dormant(open_workspace(fixture_repo)).to_dict()["dormant"]]
    assert "scripts/new_agent_script.sh" in paths
    assert "scratch/tmp.sh" not in paths


def test_linking_a_doc_and_importing_a_module_makes_them_live(fixture_repo: Path) -> None:
    from agentdeck.ops.inventory import find_dormant
    from agentdeck.workspace import open_workspace

    (fixture_repo / "docs" / "guide.md").write_text(
        "# Guide\n[install](setup/install.md) [plan](plan-2025.md)\n"
    )
    (fixture_repo / "src" / "app" / "cli.py").write_text("from .legacy import old\n")
    paths = [p["path"] for p in find_dormant(open_workspace(fixture_repo)).to_dict()["dormant"]]
    assert "docs/plan-2025.md" not in paths
    assert "src/app/legacy.py" not in paths


def test_a_non_pytest_command_skips_the_test_check(fixture_repo: Path) -> None:
    from agentdeck.ops.inventory import find_dormant
    from agentdeck.workspace import open_workspace

    (fixture_repo / "agentdeck.toml").write_text('[tests]\ncommand = "make test"\n')
    result = find_dormant(open_workspace(fixture_repo)).to_dict()
    assert result["counts"]["test"] == 0
    assert result["notes"] == [
        "the test command (make test) is not pytest: test collection not checked"
    ]


def test_cli_json_and_text(fixture_repo: Path, deck, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(fixture_repo)
    result = deck("inventory", "--json")
    assert result.code == 0
    assert json.loads(result.out)["dormant"] == EXPECTED
    text = deck("inventory")
    assert text.code == 0
    assert "8 dormant part(s)" in text.out
    assert "scripts/old_migrate.sh" in text.out
    only = deck("inventory", "--kind", "doc", "--json")
    assert [p["path"] for p in json.loads(only.out)["dormant"]] == [
        "docs/notes.txt",
        "docs/plan-2025.md",
    ]

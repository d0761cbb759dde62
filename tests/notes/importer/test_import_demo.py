"""The demo chapter of issue 4 runs through the real CLI without a failed step."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

from agentdeck.demo import Tour


def test_demo_chapter_imports_and_verifies(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from agentdeck.demo import c30_import

    root = tmp_path / "demo"
    root.mkdir()
    monkeypatch.delenv("AGENTDECK_DATABASE_URL", raising=False)
    tour = Tour(root, env={"AGENTDECK_WORKSPACE": str(root)})
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=root, check=True, env=os.environ)
    tour.run("init", show=False)
    c30_import.run(tour)
    assert tour.failures == []
    report = tour.run("verify", "REPORT.md", "--repo", ".", "--json", show=False, expect=(1,))
    assert json.loads(report.stdout)["summary"]["contradicted"] == 7

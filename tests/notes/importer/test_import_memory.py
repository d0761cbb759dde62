"""A 50 MB notes file imports with peak memory under 300 MB (measured in a subprocess)."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[3] / "benchmarks"


def _corpus():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("notes_corpus", BENCHMARKS / "notes_corpus.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


MEASURE = """
import resource, sys
from agentdeck.cli._app import run
code = run(["import", sys.argv[1]])
print("PEAK_KB", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, "CODE", code)
"""


@pytest.mark.slow
def test_fifty_megabytes_in_bounded_memory(tmp_path: Path, repo: Path) -> None:
    big = tmp_path / "SESSION_HISTORY.md"
    size = _corpus().make_big_history(big, 50 * 1024 * 1024)
    assert size >= 50 * 1024 * 1024
    subprocess.run(
        [sys.executable, "-m", "agentdeck", "init"], cwd=repo, check=True, capture_output=True
    )
    proc = subprocess.run(
        [sys.executable, "-c", MEASURE, str(big)],
        cwd=repo,
        capture_output=True,
        text=True,
        timeout=1800,
    )
    assert proc.returncode == 0, proc.stderr
    peak_kb, code = proc.stdout.split("PEAK_KB")[-1].split("CODE")
    assert int(code) == 0, proc.stdout
    peak_mb = int(peak_kb) / 1024
    assert peak_mb < 300, f"peak RSS {peak_mb:.0f} MB"
    assert "history" in proc.stdout and "created" in proc.stdout

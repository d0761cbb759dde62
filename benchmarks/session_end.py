"""Benchmark: ``agentdeck session end`` against git's own floor, on a big session.

A repository of 5,000 files; a session whose span holds 200 commits that
together touch all 5,000 of them (25 files each), plus an uncommitted edit
and an untracked file. Each round times, back to back on the same machine:

* the floor: ``git diff --numstat BASE HEAD`` plus ``git log --numstat BASE..HEAD``
  (two processes, one after the other);
* ``agentdeck session end`` through the installed entry point (a new process:
  start-up, baseline check, snapshot, diff, log, store, notes).

Before each ``session end`` the database is restored to its state before the
first end and the notes it wrote are removed, so every round does the same
work. Prints medians, the ratio, peak memory (max RSS of the agentdeck
process) and the machine's load. Run::

    .venv/bin/python benchmarks/session_end.py            # 7 rounds
    .venv/bin/python benchmarks/session_end.py --rounds 3 --files 1000 --commits 40
"""

from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ENTRY = Path(sys.executable).with_name("agentdeck")
NOTES = ("docs/sessions", "SESSION_HISTORY.md", "CURRENT_WORK.md", "TASK_INDEX.md")


def git(root: Path, *args: str, env: dict[str, str] | None = None) -> str:
    return subprocess.run(
        ["git", *args], cwd=root, env=env, check=True, capture_output=True, text=True
    ).stdout


def build(
    root: Path, files: int, commits: int, env: dict[str, str], stats_limit: int | None = None
) -> str:
    """Make the repository and open the session; return the baseline HEAD."""
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    git(root, "init", "-q", "-b", "main", env=env)
    for i in range(files):
        folder = root / ("src", "tests", "docs", "scripts", "config")[i % 5] / f"pkg{i % 50:02d}"
        folder.mkdir(parents=True, exist_ok=True)
        ext = (".py", ".py", ".md", ".sh", ".toml")[i % 5]
        name = f"test_f{i:05d}{ext}" if i % 5 == 1 else f"f{i:05d}{ext}"
        (folder / name).write_text("".join(f"line {n} of file {i}\n" for n in range(40)))
    subprocess.run([str(ENTRY), "init"], cwd=root, env=env, check=True, capture_output=True)
    if stats_limit is not None:
        config = root / "agentdeck.toml"
        text = config.read_text().replace(
            "# commit_stats_limit = 100", f"commit_stats_limit = {stats_limit}"
        )
        config.write_text(text)
    git(root, "add", "-A", env=env)
    git(root, "commit", "-q", "-m", "base", env=env)
    base = git(root, "rev-parse", "HEAD", env=env).strip()
    subprocess.run(
        [str(ENTRY), "session", "start", "--agent", "bench", "--objective", "big session"],
        cwd=root,
        env=env,
        check=True,
        capture_output=True,
    )
    paths = sorted(
        p
        for p in git(root, "ls-files", env=env).splitlines()
        if p.startswith(("src", "tests", "docs", "scripts", "config"))
    )
    per_commit = max(len(paths) // commits, 1)
    for c in range(commits):
        chunk = paths[c * per_commit : (c + 1) * per_commit]
        for path in chunk:
            target = root / path
            text = target.read_text()
            target.write_text(text.replace("line 3 ", f"line three (commit {c}) ") + "added\n")
        git(root, "add", "--", *chunk, env=env)
        git(root, "commit", "-q", "-m", f"change {len(chunk)} files, round {c}", env=env)
    (root / paths[0]).write_text("uncommitted edit\n")
    (root / "untracked.txt").write_text("untracked\n")
    return base


def save_db(root: Path, target: Path) -> None:
    with (
        sqlite3.connect(root / ".agentdeck" / "deck.db") as source,
        sqlite3.connect(target) as copy,
    ):
        source.backup(copy)


def restore(
    root: Path, saved: Path, baseline_commit: str, session_ref: str, env: dict[str, str]
) -> None:
    db = root / ".agentdeck" / "deck.db"
    for suffix in ("-wal", "-shm"):
        Path(str(db) + suffix).unlink(missing_ok=True)
    shutil.copyfile(saved, db)
    git(root, "update-ref", session_ref, baseline_commit, env=env)
    for note in NOTES:
        path = root / note
        if path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink(missing_ok=True)


def timed(args: list[str], root: Path, env: dict[str, str]) -> tuple[float, int]:
    """Wall time and peak RSS (KiB) of one process."""
    began = time.perf_counter()
    proc = subprocess.Popen(
        args, cwd=root, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - began
    err = proc.stderr.read().decode() if proc.stderr else ""
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed ({proc.returncode}): {err}")
    return elapsed, usage.ru_maxrss


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--files", type=int, default=5000)
    parser.add_argument("--commits", type=int, default=200)
    parser.add_argument("--dir", type=Path, default=HERE / ".data" / "session_end")
    parser.add_argument(
        "--commit-stats-limit",
        type=int,
        help="set [evidence] commit_stats_limit (default config: 100, so 200 commits get no "
        "per-commit line counts; 1000 measures them too)",
    )
    options = parser.parse_args()
    home = options.dir.parent / "home"
    home.mkdir(parents=True, exist_ok=True)
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("AGENTDECK_")},
        "HOME": str(home),
        "CLAUDE_CONFIG_DIR": str(home / "claude"),
        "CODEX_HOME": str(home / "codex"),
        "GIT_AUTHOR_NAME": "bench",
        "GIT_AUTHOR_EMAIL": "bench@example.com",
        "GIT_COMMITTER_NAME": "bench",
        "GIT_COMMITTER_EMAIL": "bench@example.com",
    }
    root = options.dir
    load_before = os.getloadavg()
    began = time.perf_counter()
    base = build(root, options.files, options.commits, env, options.commit_stats_limit)
    built = time.perf_counter() - began
    saved = root.parent / "session_end.start.db"
    save_db(root, saved)
    with sqlite3.connect(saved) as conn:
        sid, baseline = conn.execute(
            "SELECT id, baseline FROM sessions WHERE status = 'open'"
        ).fetchone()
    import json

    baseline_commit = json.loads(baseline)["commit"]
    ref = f"refs/agentdeck/sessions/{sid}"
    floor_times, end_times, peaks = [], [], []
    for _ in range(options.rounds):
        restore(root, saved, baseline_commit, ref, env)
        diff, _ = timed(["git", "diff", "--numstat", base, "HEAD"], root, env)
        log, _ = timed(["git", "log", "--numstat", f"{base}..HEAD"], root, env)
        floor_times.append(diff + log)
        elapsed, peak = timed([str(ENTRY), "session", "end", "--agent", "bench"], root, env)
        end_times.append(elapsed)
        peaks.append(peak)
    files_measured = len(git(root, "diff", "--numstat", base, "HEAD", env=env).splitlines())
    floor, end = statistics.median(floor_times), statistics.median(end_times)
    ratios = [e / f for e, f in zip(end_times, floor_times, strict=True)]
    print(
        f"repository: {options.files} files; session span: {options.commits} commits touching {files_measured} files (+1 uncommitted edit, +1 untracked file); built in {built:.1f} s"
    )
    print(
        f"machine: {os.cpu_count()} CPUs, load average before {load_before[0]:.2f} {load_before[1]:.2f} {load_before[2]:.2f}, after {' '.join(f'{x:.2f}' for x in os.getloadavg())}"
    )
    print()
    print("| measure | median (s) | min (s) | max (s) |")
    print("|---|---:|---:|---:|")
    print(
        f"| git diff --numstat + git log --numstat | {floor:.3f} | {min(floor_times):.3f} | {max(floor_times):.3f} |"
    )
    print(f"| agentdeck session end | {end:.3f} | {min(end_times):.3f} | {max(end_times):.3f} |")
    print()
    print(
        f"ratio of medians: {end / floor:.2f}x (per round: {', '.join(f'{r:.2f}' for r in ratios)}; budget 2.00x)"
    )
    print(f"peak memory of agentdeck session end: {max(peaks) / 1024:.1f} MiB (max RSS)")
    print(f"rounds: {options.rounds}")
    limit = options.commit_stats_limit
    print(f"[evidence] commit_stats_limit: {'100 (default)' if limit is None else limit}")


if __name__ == "__main__":
    main()

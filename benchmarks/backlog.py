"""Backlog benchmark: agentdeck's commands at 1,000 and 10,000 tasks, through the real CLI.

Generates a backlog (60% todo, 10% in progress, 30% done; descriptions of about
200 characters; 20% of tasks depend on 1-3 earlier tasks), then times each
command as a subprocess of the installed entry point: the median wall time of
RUNS runs after two warm-ups, and the peak resident memory (ru_maxrss of that
child, from wait4). A bare ``python -c pass`` of the same interpreter is timed
in the same run as the floor. Where Taskwarrior (``task``) is installed, the
same backlog is imported into it and its equivalent commands are timed too.

    python benchmarks/backlog.py                       # 1,000 and 10,000 tasks, SQLite
    python benchmarks/backlog.py --sizes 10000 --backend postgresql
    python benchmarks/backlog.py --output benchmarks/results/backlog.md

PostgreSQL uses AGENTDECK_BENCH_DATABASE_URL (default: the local test server),
in a schema of its own that is dropped afterwards.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent
AGENTDECK = str(BIN / "agentdeck")
WORDS = [
    "database",
    "migration",
    "backup",
    "restore",
    "monitoring",
    "alert",
    "dashboard",
    "onboarding",
    "client",
    "invoice",
    "report",
    "pipeline",
    "cache",
    "latency",
    "schema",
    "index",
    "search",
    "token",
    "session",
    "review",
    "deploy",
    "rollback",
    "queue",
    "worker",
    "retry",
    "timeout",
    "webhook",
    "email",
    "metric",
    "trace",
    "log",
    "parser",
    "config",
    "secret",
    "audit",
]


def description(rng: random.Random) -> str:
    words = []
    while len(" ".join(words)) < 200:
        words.append(rng.choice(WORDS))
    return " ".join(words)[:200].capitalize() + "."


def make_backlog(size: int, seed: int = 7) -> dict:
    """An export document with the benchmark's mix of statuses and dependencies."""
    rng = random.Random(seed)
    start = datetime(2026, 6, 1, tzinfo=UTC)
    tasks = []
    for n in range(size):
        created = start + timedelta(minutes=17 * n)
        day = created.strftime("%Y%m%d")
        per_day = sum(1 for t in tasks if t["id"][5:13] == day) if n % 80 == 0 else None
        tasks.append(
            {"id": f"TASK-{day}-{n + 1:05d}", "_n": n, "_created": created, "_per_day": per_day}
        )
    out = []
    for item in tasks:
        n, created = item["_n"], item["_created"]
        roll = rng.random()
        status = "todo" if roll < 0.6 else "in_progress" if roll < 0.7 else "done"
        stamp = created.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        done_at = (
            (created + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
            if status == "done"
            else None
        )
        deps = []
        if n > 3 and rng.random() < 0.2:
            deps = sorted({tasks[rng.randrange(0, n)]["id"] for _ in range(rng.randint(1, 3))})
        out.append(
            {
                "id": item["id"],
                "title": f"{rng.choice(WORDS).capitalize()} {rng.choice(WORDS)} task {n}",
                "description": description(rng),
                "status": status,
                "priority": rng.choice(["critical", "high", "medium", "medium", "low"]),
                "category": f"{rng.choice(['infra', 'product', 'quality', 'docs'])}/{rng.choice(WORDS)}",
                "effort": rng.choice(["S", "M", "L", "XL"]),
                "tags": [rng.choice(WORDS)],
                "depends_on": deps,
                "acceptance": [],
                "assignee": "bench" if status != "todo" else None,
                "notes": "",
                "blocked_reason": None,
                "found_in_session": None,
                "completed_in_session": None,
                "source": None,
                "created_at": stamp,
                "updated_at": done_at or stamp,
                "started_at": stamp if status != "todo" else None,
                "completed_at": done_at,
                "archived_at": None,
                "events": [
                    {
                        "at": stamp,
                        "actor": "bench",
                        "kind": "created",
                        "from": None,
                        "to": "todo",
                        "note": None,
                        "data": None,
                        "session": None,
                    }
                ],
            }
        )
    return {
        "format": "agentdeck-backlog",
        "version": 1,
        "exported_at": "2026-06-01T00:00:00.000000Z",
        "tasks": out,
    }


def measure(
    argv: list[str],
    *,
    cwd: Path,
    env: dict[str, str],
    runs: int,
    vary: Callable[[int], list[str]] | None = None,
    warmup: int = 2,
) -> tuple[float, float, float, int]:
    """(median wall ms, min wall ms, median CPU ms, peak RSS MB) of running ``argv``.

    ``vary(i)`` supplies per-run arguments. CPU time (user + system, from
    wait4) is reported beside wall time because it hardly moves when other
    work shares the machine. Peak RSS comes from GNU time's %M: Python's
    subprocess may vfork, and ru_maxrss would then count the parent's memory.
    """
    walls, cpus, peak = [], [], 0
    with tempfile.NamedTemporaryFile("r", suffix=".rss") as rss:
        for i in range(warmup + runs):
            args = ["/usr/bin/time", "-f", "%M", "-o", rss.name, *argv, *(vary(i) if vary else [])]
            began = time.perf_counter()
            proc = subprocess.Popen(
                args, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
            )
            _, status, usage = os.wait4(proc.pid, 0)
            elapsed = (time.perf_counter() - began) * 1000
            err = proc.stderr.read().decode() if proc.stderr else ""
            if proc.stderr:
                proc.stderr.close()
            if os.waitstatus_to_exitcode(status) != 0:
                raise SystemExit(f"{' '.join(args)} failed: {err.strip()}")
            if i >= warmup:
                walls.append(elapsed)
                cpus.append((usage.ru_utime + usage.ru_stime) * 1000)
                rss.seek(0)
                peak = max(peak, int(rss.read().split()[-1]))
    return statistics.median(walls), min(walls), statistics.median(cpus), round(peak / 1024)


Row = tuple[str, float, float, float, int]


def bench_agentdeck(size: int, backend: str, runs: int, root: Path) -> list[Row]:
    env = {**os.environ, "AGENTDECK_AGENT": "bench"}
    env.pop("AGENTDECK_DATABASE_URL", None)
    schema = None
    if backend == "postgresql":
        import psycopg

        base = os.environ.get(
            "AGENTDECK_BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test"
        )
        schema = f"bench_{uuid.uuid4().hex[:10]}"
        with psycopg.connect(base, autocommit=True) as conn:
            conn.execute(f"CREATE SCHEMA {schema}")
        env["AGENTDECK_DATABASE_URL"] = f"{base}?options=-csearch_path%3D{schema}"
    try:
        subprocess.run(["git", "init", "-q", str(root)], check=True)
        subprocess.run([AGENTDECK, "init", str(root)], check=True, env=env, capture_output=True)
        doc = make_backlog(size)
        (root / "backlog.json").write_text(json.dumps(doc))
        subprocess.run(
            [AGENTDECK, "import", "backlog.json"],
            cwd=root,
            check=True,
            env=env,
            capture_output=True,
        )
        todo = [t["id"] for t in doc["tasks"] if t["status"] == "todo"]
        open_count = sum(1 for t in doc["tasks"] if t["status"] != "done")
        rng = random.Random(3)
        done_ids = rng.sample(todo, runs + 2)
        rows = []

        def row(name: str, argv: list[str], vary: Callable[[int], list[str]] | None = None) -> None:
            rows.append((name, *measure(argv, cwd=root, env=env, runs=runs, vary=vary)))

        row("python -c pass", [sys.executable, "-c", "pass"])
        row("agentdeck --version", [AGENTDECK, "--version"])
        row(
            f"agentdeck task list --json ({open_count:,} open)",
            [AGENTDECK, "task", "list", "--json"],
        )
        row("agentdeck task list (table)", [AGENTDECK, "task", "list"])
        row("agentdeck task show ID", [AGENTDECK, "task", "show"], lambda i: [rng.choice(todo)])
        row("agentdeck next", [AGENTDECK, "next"])
        row("agentdeck next --explain", [AGENTDECK, "next", "--explain"])
        row("agentdeck task search WORD", [AGENTDECK, "task", "search", "latency"])
        row(
            "agentdeck task add TITLE",
            [AGENTDECK, "task", "add"],
            lambda i: [f"benchmark task {i}"],
        )
        row("agentdeck task done ID", [AGENTDECK, "task", "done"], lambda i: [done_ids[i]])
        return rows
    finally:
        if schema:
            import psycopg

            with psycopg.connect(base, autocommit=True) as conn:
                conn.execute(f"DROP SCHEMA {schema} CASCADE")


def bench_taskwarrior(size: int, runs: int, root: Path) -> list[Row]:
    """The same backlog in Taskwarrior, timed the same way."""
    task = shutil.which("task")
    if not task:
        return []
    data = root / "taskdata"
    data.mkdir()
    rc = root / "taskrc"
    rc.write_text(
        f"data.location={data}\nconfirmation=off\nverbose=nothing\nhooks=off\nnews.version=2.6.2\n"
    )
    env = {**os.environ, "TASKRC": str(rc), "TASKDATA": str(data)}
    doc = make_backlog(size)
    uuids = {
        t["id"]: str(uuid.UUID(int=random.Random(t["id"]).getrandbits(128))) for t in doc["tasks"]
    }
    prio = {"critical": "H", "high": "H", "medium": "M", "low": "L"}
    records = []
    for t in doc["tasks"]:
        record = {
            "uuid": uuids[t["id"]],
            "description": t["title"] + " " + t["description"],
            "status": "completed" if t["status"] == "done" else "pending",
            "entry": t["created_at"][:19].replace("-", "").replace(":", "") + "Z",
            "priority": prio[t["priority"]],
            "project": t["category"].replace("/", "."),
            "tags": t["tags"],
        }
        if t["status"] == "done":
            record["end"] = t["completed_at"][:19].replace("-", "").replace(":", "") + "Z"
        if t["status"] == "in_progress":
            record["start"] = record["entry"]
        if t["depends_on"]:
            record["depends"] = ",".join(uuids[d] for d in t["depends_on"])
        records.append(record)
    (root / "tw.json").write_text(json.dumps(records))
    subprocess.run(
        [task, "import", str(root / "tw.json")], env=env, check=True, capture_output=True
    )
    pending = [uuids[t["id"]] for t in doc["tasks"] if t["status"] == "todo"]
    rng = random.Random(5)
    done_ids = rng.sample(pending, runs + 2)
    rows = []

    def row(name: str, argv: list[str], vary: Callable[[int], list[str]] | None = None) -> None:
        rows.append((name, *measure(argv, cwd=root, env=env, runs=runs, vary=vary)))

    row("task --version", [task, "--version"])
    row("task export status:pending (JSON)", [task, "status:pending", "export"])
    row("task list", [task, "rc.defaultwidth=200", "list"])
    row("task UUID info", [task], lambda i: [rng.choice(pending), "info"])
    row("task next", [task, "rc.defaultwidth=200", "next"])
    row("task /WORD/ list", [task, "rc.defaultwidth=200", "/latency/", "list"])
    row("task add TITLE", [task, "add"], lambda i: [f"benchmark task {i}"])
    row("task UUID done", [task], lambda i: [done_ids[i], "done"])
    return rows


def table(title: str, rows: list[Row]) -> str:
    lines = [
        f"#### {title}",
        "",
        "| command | median wall ms | min wall ms | median CPU ms | peak RSS MB |",
        "|---|---:|---:|---:|---:|",
    ]
    lines += [
        f"| `{name}` | {median:.1f} | {best:.1f} | {cpu:.1f} | {peak} |"
        for name, median, best, cpu, peak in rows
    ]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="sqlite")
    parser.add_argument("--no-taskwarrior", action="store_true")
    parser.add_argument("--output", type=Path, help="Also write the markdown report here.")
    args = parser.parse_args()
    # Time what an installed user runs: byte-compiled modules. An editable
    # install under PYTHONDONTWRITEBYTECODE never writes them itself.
    import agentdeck

    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", str(Path(agentdeck.__file__).parent)],
        check=True,
        capture_output=True,
    )
    load = os.getloadavg()
    report = [
        f"Run on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} cores, load average "
        f"{load[0]:.2f} at the start; Python {sys.version.split()[0]}; {args.runs} runs per command after 2 warm-ups.",
        "",
        f"Command: `python benchmarks/backlog.py --sizes {' '.join(map(str, args.sizes))} --runs {args.runs} "
        f"--backend {args.backend}{' --no-taskwarrior' if args.no_taskwarrior else ''}`",
        "",
    ]
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    for size in args.sizes:
        for backend in backends:
            with tempfile.TemporaryDirectory(prefix="agentdeck-bench-") as tmp:
                rows = bench_agentdeck(size, backend, args.runs, Path(tmp) / "repo")
            report.append(table(f"agentdeck, {size:,} tasks, {backend}", rows))
            print(report[-1], flush=True)
        if not args.no_taskwarrior and shutil.which("task"):
            with tempfile.TemporaryDirectory(prefix="taskwarrior-bench-") as tmp:
                rows = bench_taskwarrior(size, args.runs, Path(tmp))
            report.append(
                table(
                    f"Taskwarrior {subprocess.run(['task', '--version'], capture_output=True, text=True).stdout.strip()}, {size:,} tasks",
                    rows,
                )
            )
            print(report[-1], flush=True)
    if args.output:
        args.output.write_text("\n".join(report))


if __name__ == "__main__":
    main()

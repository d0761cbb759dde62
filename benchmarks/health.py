"""Benchmarks of health, diagnose and the monitor (results: benchmarks/results/health.md).

    python benchmarks/health.py health [--runs 15]        # health --json vs glances, one run
    python benchmarks/health.py diagnose [--files 10000]  # diagnose --quick in a big repository
    python benchmarks/health.py soak [--minutes 30] [--interval 10]   # monitor RSS and CPU
    python benchmarks/health.py tracemalloc [--rounds 500]            # Python heap per round

Each prints a markdown block with the exact commands and medians. Data is
made under benchmarks/.data/ (ignored by git). Nothing here asserts on time:
the numbers are reported, not tested.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE / ".data"
BIN = Path(sys.executable).parent
AGENTDECK = str(BIN / "agentdeck")


def _env(root: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AGENTDECK_")}
    env.update(
        AGENTDECK_WORKSPACE=str(root),
        GIT_AUTHOR_NAME="bench",
        GIT_AUTHOR_EMAIL="bench@example.com",
        GIT_COMMITTER_NAME="bench",
        GIT_COMMITTER_EMAIL="bench@example.com",
    )
    return env


def _workspace(name: str, files: int = 0) -> Path:
    root = DATA / name
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    env = _env(root)
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=root, check=True, env=env)
    (root / "README.md").write_text("# bench\n\nSee [the docs](docs/index.md).\n")
    (root / "docs").mkdir()
    (root / "docs" / "index.md").write_text("# docs\n\n[back](../README.md)\n")
    for i in range(files):
        folder = root / "src" / f"pkg{i // 500:03d}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"mod{i:05d}.py").write_text(f"VALUE = {i}\n")
    subprocess.run([AGENTDECK, "init"], cwd=root, check=True, env=env, capture_output=True)
    subprocess.run(["git", "add", "-A"], cwd=root, check=True, env=env)
    subprocess.run(["git", "commit", "-q", "-m", "bench"], cwd=root, check=True, env=env)
    return root


def _time(cmd: list[str], cwd: Path, env: dict[str, str], runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        begun = time.perf_counter()
        subprocess.run(cmd, cwd=cwd, env=env, capture_output=True)
        out.append(time.perf_counter() - begun)
    return out


def _fmt(samples: list[float]) -> str:
    return (
        f"median {statistics.median(samples) * 1000:.0f} ms "
        f"(min {min(samples) * 1000:.0f}, max {max(samples) * 1000:.0f}, n={len(samples)})"
    )


def bench_health(runs: int) -> None:
    root = _workspace("health")
    env = _env(root)
    glances = shutil.which("glances")
    commands = {
        "agentdeck health --json": [AGENTDECK, "health", "--json"],
        "python3 -c pass (floor)": [sys.executable, "-c", "pass"],
    }
    if glances:
        commands["glances --stdout-json cpu,mem,load,fs --stop-after 1"] = [
            glances,
            "--stdout-json",
            "cpu,mem,load,fs",
            "--stop-after",
            "1",
        ]
    # Interleave the tools so load on the shared machine hits them alike.
    samples: dict[str, list[float]] = {name: [] for name in commands}
    for cmd in commands.values():
        _time(cmd, root, env, 1)  # warm the page cache
    for _ in range(runs):
        for name, cmd in commands.items():
            samples[name].extend(_time(cmd, root, env, 1))
    print(f"### health vs glances ({runs} interleaved runs each)\n")
    for name, values in samples.items():
        print(f"- `{name}`: {_fmt(values)}")


def bench_diagnose(files: int, runs: int) -> None:
    root = _workspace("diagnose", files)
    env = _env(root)
    count = int(
        subprocess.run(
            ["git", "ls-files"], cwd=root, env=env, capture_output=True, text=True
        ).stdout.count("\n")
    )
    quick = _time([AGENTDECK, "diagnose", "--quick", "--json"], root, env, runs)
    full = _time([AGENTDECK, "diagnose", "--json"], root, env, runs)
    git = _time(["git", "status", "--porcelain=v2"], root, env, runs)
    print(f"### diagnose in a repository of {count} tracked files ({runs} runs)\n")
    print(f"- `agentdeck diagnose --quick --json`: {_fmt(quick)}")
    print(f"- `agentdeck diagnose --json` (with the markdown link check): {_fmt(full)}")
    print(f"- `git status --porcelain=v2` (floor): {_fmt(git)}")


class _Up(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args: object) -> None:
        pass


def bench_soak(minutes: float, interval: float, out: Path) -> None:
    import psutil

    root = _workspace("soak")
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Up)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_address[1]
    with (root / "agentdeck.toml").open("a") as handle:
        handle.write(
            f'\n[[services]]\nname = "web"\nurl = "http://127.0.0.1:{port}/"\n'
            f'\n[[services]]\nname = "tcp"\nhost = "127.0.0.1"\nport = {port}\n'
        )
    text = (root / "agentdeck.toml").read_text()
    text = text.replace('# scopes = ["health"]', 'scopes = ["health", "diagnose"]')
    (root / "agentdeck.toml").write_text(text)
    env = _env(root)
    proc = subprocess.Popen(
        [AGENTDECK, "monitor", "start", str(interval), "--quiet"],
        cwd=root,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    ps = psutil.Process(proc.pid)
    samples = []
    begun = time.monotonic()
    try:
        while time.monotonic() - begun < minutes * 60:
            time.sleep(interval)
            cpu = ps.cpu_times()
            samples.append(
                {
                    "t": round(time.monotonic() - begun, 1),
                    "rss": ps.memory_info().rss,
                    "cpu": cpu.user + cpu.system,
                    # git and other subprocesses the monitor ran and waited for
                    "cpu_children": cpu.children_user + cpu.children_system,
                    "threads": ps.num_threads(),
                }
            )
            out.write_text(json.dumps({"interval": interval, "samples": samples}))
    finally:
        proc.terminate()
        proc.wait(30)
        server.shutdown()
    rounds = subprocess.run(
        [AGENTDECK, "monitor", "report", "--json"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
    )
    data = json.loads(rounds.stdout)
    summarize_soak(out, data["rounds"])


def summarize_soak(path: Path, rounds: int | None = None) -> None:
    data = json.loads(path.read_text())
    samples = data["samples"]
    rss = [s["rss"] / 2**20 for s in samples]
    elapsed = samples[-1]["t"] - samples[0]["t"]
    cpu = (samples[-1]["cpu"] - samples[0]["cpu"]) / elapsed * 100
    children = None
    if "cpu_children" in samples[-1]:
        spent = samples[-1]["cpu_children"] - samples[0]["cpu_children"]
        children = (samples[-1]["cpu"] - samples[0]["cpu"] + spent) / elapsed * 100
    n = len(rss)
    # Least-squares slope of RSS over time, after the first five minutes of warm-up.
    warm = [(s["t"], s["rss"] / 2**20) for s in samples if s["t"] >= 300] or list(
        zip([s["t"] for s in samples], rss, strict=True)
    )
    mx = sum(t for t, _ in warm) / len(warm)
    my = sum(v for _, v in warm) / len(warm)
    var = sum((t - mx) ** 2 for t, _ in warm) or 1
    slope = sum((t - mx) * (v - my) for t, v in warm) / var * 3600
    print(f"### monitor soak: interval {data['interval']:g}s, {elapsed / 60:.1f} minutes\n")
    if rounds is not None:
        print(f"- rounds recorded: {rounds}")
    print(f"- RSS: first {rss[0]:.1f} MB, max {max(rss):.1f} MB, last {rss[-1]:.1f} MB (n={n})")
    print(
        "- RSS at 5, 10, 20, 30 min: "
        + ", ".join(
            f"{next((s['rss'] / 2**20 for s in samples if s['t'] >= m * 60), rss[-1]):.1f}"
            for m in (5, 10, 20, 30)
        )
        + " MB"
    )
    print(f"- RSS trend after warm-up (least squares): {slope:+.2f} MB per hour")
    print(f"- CPU: {cpu:.2f}% of one core on average (the monitor process)")
    if children is not None:
        print(f"- CPU with the subprocesses it ran (git): {children:.2f}% of one core")
    print(f"- threads: max {max(s['threads'] for s in samples)}, last {samples[-1]['threads']}")


def bench_tracemalloc(rounds: int) -> None:
    import tracemalloc

    from agentdeck.ops.checks_host import DiskReading, FixedReadings, MemoryReading
    from agentdeck.ops.monitor import Monitor, MonitorSettings
    from agentdeck.workspace import open_workspace

    root = _workspace("tracemalloc")
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Up)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    with (root / "agentdeck.toml").open("a") as handle:
        handle.write(
            f'\n[[services]]\nname = "web"\nurl = "http://127.0.0.1:{server.server_address[1]}/"\n'
        )
    os.environ.pop("AGENTDECK_DATABASE_URL", None)
    ws = open_workspace(root)
    readings = FixedReadings(DiskReading(100, 50, 50), MemoryReading(100, 60), (0.5, 0.5, 0.5), 2)
    settings = MonitorSettings(interval=10, scopes=("health", "diagnose"), keep_rounds=100)
    lines: list[str] = []
    mon = Monitor(ws, settings, echo=lines.append, readings=readings, quiet=True)
    for _ in range(20):  # warm-up: imports, caches, the store's statements
        mon.run_round()
    tracemalloc.start()
    first = None
    points = []
    for number in range(1, rounds + 1):
        mon.run_round()
        lines.clear()
        if number % 50 == 0:
            current, _ = tracemalloc.get_traced_memory()
            first = first if first is not None else current
            points.append((number, current))
    tracemalloc.stop()
    server.shutdown()
    ws.close()
    growth = (points[-1][1] - points[0][1]) / (points[-1][0] - points[0][0])
    print(f"### tracemalloc over {rounds} monitor rounds (after 20 warm-up rounds)\n")
    print(
        "- traced Python heap every 50 rounds: "
        + ", ".join(f"{v / 1024:.0f}" for _, v in points)
        + " kB"
    )
    print(f"- growth: {growth / 1024:.2f} kB per round (rounds {points[0][0]}..{points[-1][0]})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    sub = parser.add_subparsers(dest="what", required=True)
    p = sub.add_parser("health")
    p.add_argument("--runs", type=int, default=15)
    p = sub.add_parser("diagnose")
    p.add_argument("--files", type=int, default=10000)
    p.add_argument("--runs", type=int, default=9)
    p = sub.add_parser("soak")
    p.add_argument("--minutes", type=float, default=30)
    p.add_argument("--interval", type=float, default=10)
    p.add_argument("--out", type=Path, default=DATA / "soak.json")
    p = sub.add_parser("soak-summary")
    p.add_argument("--out", type=Path, default=DATA / "soak.json")
    p = sub.add_parser("tracemalloc")
    p.add_argument("--rounds", type=int, default=500)
    args = parser.parse_args()
    DATA.mkdir(exist_ok=True)
    tempfile.tempdir = str(DATA)
    if args.what == "health":
        bench_health(args.runs)
    elif args.what == "diagnose":
        bench_diagnose(args.files, args.runs)
    elif args.what == "soak":
        bench_soak(args.minutes, args.interval, args.out)
    elif args.what == "soak-summary":
        summarize_soak(args.out)
    else:
        bench_tracemalloc(args.rounds)


if __name__ == "__main__":
    main()

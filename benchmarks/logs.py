"""Benchmark: `agentdeck logs errors` against grep (the floor) and lnav (the peer).

One command makes the data, runs every tool side by side, writes the results
and deletes the data:

    .venv/bin/python benchmarks/logs.py            # 1 GB, 10 million lines, 3 runs each

The data: Python-logging lines (``2026-11-21 09:30:00,123 INFO app.http: …``)
in eight rotated files (``app.log``, ``app.log.1`` … ``app.log.7``), 1% of the
records errors with a traceback, 0.5% warnings. Each tool reads the same files
from a warm page cache (one untimed read first). Wall time is the median of
``--runs``; peak memory is the sum of the resident sizes of the process and
its children, sampled every 20 ms. The machine's load is recorded before and
after each measurement because the machine is shared.

Results go to ``benchmarks/results/logs.md`` (``--out``).
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DATA = HERE / ".data" / "logs"

_INFO = [
    "app.http: GET /api/items/{n} 200 {ms}.{d}ms request_id={hex}",
    "app.http: POST /api/orders 201 {ms}.{d}ms user={user} request_id={hex}",
    "app.auth: user {user} logged in from 10.{a}.{b}.{c}",
    "app.cache: hit ratio {pct}.{d}% for shard {shard} after {n} lookups",
    "app.worker: processed batch {n} of {m} in {ms}ms",
    "app.db: pool checkout took {ms}ms (size={shard}, overflow=0)",
    "app.http: GET /static/app.{hex}.js 304 0.{d}ms",
    "app.scheduler: job sync-{shard} finished in {ms}ms, next run in {pct}s",
]
_WARNING = [
    "app.http: slow request GET /api/items/{n} took {ms}ms",
    "app.db: retrying query after deadlock (attempt {d} of 3)",
    "app.cache: evicted {n} keys from shard {shard} under memory pressure",
]
_ERRORS = [
    (
        "app.worker: failed to process order {n} for user {user}",
        'File "/srv/app/worker.py", line 42, in handle\n    total = int(payload["qty"])',
        "ValueError: invalid literal for int() with base 10: 'x{n}'",
    ),
    (
        "app.http: unhandled exception on GET /api/items/{n}",
        'File "/srv/app/views.py", line 118, in item_detail\n    return items[item_id]',
        "KeyError: 'item-{n}'",
    ),
    (
        "app.db: query failed on connection {hex}",
        'File "/srv/app/db.py", line 77, in execute\n    cursor.execute(sql, params)',
        "psycopg.OperationalError: connection to server at 10.{a}.{b}.{c} port 5432 failed: timeout",
    ),
    (
        "app.storage: cannot write upload {uuid}",
        'File "/srv/app/storage.py", line 31, in save\n    with open(path, "wb") as handle:',
        "FileNotFoundError: [Errno 2] No such file or directory: '/srv/uploads/{n}/{uuid}.bin'",
    ),
]


def generate(folder: Path, lines: int, files: int, seed: int = 7) -> tuple[int, int, int]:
    """Write ``lines`` lines over ``files`` rotated files; return (bytes, error events, warnings)."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    per_file = lines // files
    total_bytes = errors = warnings = 0
    start = 1_795_000_000  # 2026-11-18, a fixed clock for repeatable data
    written = 0
    for index in range(files - 1, -1, -1):  # oldest first: app.log.7 … app.log
        name = "app.log" if index == 0 else f"app.log.{index}"
        target = per_file if index else lines - written
        out: list[str] = []
        count = 0
        with open(folder / name, "w", encoding="utf-8") as handle:
            while count < target:
                moment = start + written * 0.02
                stamp = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(moment))
                stamp += f",{int(moment * 1000) % 1000:03d}"
                values = {
                    "n": rng.randrange(1, 10_000_000),
                    "m": rng.randrange(10, 99),
                    "ms": rng.randrange(1, 3000),
                    "d": rng.randrange(10),
                    "hex": f"{rng.getrandbits(48):012x}",
                    "user": rng.randrange(1, 50_000),
                    "a": rng.randrange(256),
                    "b": rng.randrange(256),
                    "c": rng.randrange(256),
                    "pct": rng.randrange(100),
                    "shard": rng.randrange(16),
                    "pid": rng.randrange(1000, 1100),
                    "uuid": f"{rng.getrandbits(32):08x}-{rng.getrandbits(16):04x}-4{rng.getrandbits(12):03x}-a{rng.getrandbits(12):03x}-{rng.getrandbits(48):012x}",
                }
                roll = rng.random()
                if roll < 0.01 and target - count >= 5:
                    head, frames, last = _ERRORS[rng.randrange(len(_ERRORS))]
                    out.append(
                        f"{stamp} ERROR {head.format(**values)}\n"
                        "Traceback (most recent call last):\n"
                        f"  {frames}\n{last.format(**values)}\n"
                    )
                    count += 5
                    errors += 1
                elif roll < 0.015:
                    out.append(
                        f"{stamp} WARNING {_WARNING[rng.randrange(len(_WARNING))].format(**values)}\n"
                    )
                    count += 1
                    warnings += 1
                else:
                    out.append(
                        f"{stamp} INFO {_INFO[rng.randrange(len(_INFO))].format(**values)}"
                        f" pid={values['pid']} thread=w{values['shard']}\n"
                    )
                    count += 1
                written += 1
                if len(out) >= 20000:
                    total_bytes += handle.write("".join(out))
                    out = []
            total_bytes += handle.write("".join(out))
        mtime = start + written * 0.02
        os.utime(folder / name, (mtime, mtime))
    return total_bytes, errors, warnings


def _tree_rss(pid: int) -> int:
    """Resident bytes of ``pid`` and all its descendants."""
    total = 0
    stack = [pid]
    while stack:
        current = stack.pop()
        try:
            with open(f"/proc/{current}/statm") as handle:
                total += int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as handle:
                    stack.extend(int(c) for c in handle.read().split())
        except (OSError, ValueError):
            continue
    return total


def measure(
    command: list[str], env: dict[str, str], cwd: Path
) -> tuple[float, int, str, int, float]:
    """Run ``command``; return (seconds, peak tree RSS in bytes, stdout, exit code, CPU seconds).

    CPU seconds are user + system time of the process, its threads and the
    children it waited for (agentdeck's workers): the machine's load does not
    change them much, unlike wall time.
    """
    with tempfile.TemporaryFile() as out:
        began = time.perf_counter()
        proc = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=env, cwd=cwd)
        peak = 0
        done = threading.Event()

        def sample() -> None:
            nonlocal peak
            while not done.is_set():
                peak = max(peak, _tree_rss(proc.pid))
                done.wait(0.02)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        _pid, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - began
        proc.returncode = code = os.waitstatus_to_exitcode(status)
        cpu = usage.ru_utime + usage.ru_stime
        done.set()
        sampler.join()
        out.seek(0)
        text = out.read().decode("utf-8", "replace")
    return elapsed, peak, text, code, cpu


def loadavg() -> str:
    with open("/proc/loadavg") as handle:
        return " ".join(handle.read().split()[:3])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=10_000_000)
    parser.add_argument("--files", type=int, default=8)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--keep", action="store_true", help="keep the generated data")
    parser.add_argument("--out", type=Path, default=HERE / "results" / "logs.md")
    args = parser.parse_args()

    agentdeck = Path(sys.executable).with_name("agentdeck")
    lnav, grep = shutil.which("lnav"), shutil.which("grep")
    if DATA.exists():
        shutil.rmtree(DATA)
    print(f"generating {args.lines:,} lines in {args.files} files under {DATA} ...", flush=True)
    began = time.perf_counter()
    size, errors, warnings = generate(DATA, args.lines, args.files)
    print(
        f"  {size / 1e9:.2f} GB, {errors:,} errors, {warnings:,} warnings in {time.perf_counter() - began:.0f} s"
    )
    files = sorted((str(p) for p in DATA.iterdir()), reverse=True)
    workspace = DATA / "ws"
    workspace.mkdir()
    (workspace / "agentdeck.toml").write_text("")
    home = DATA / "home"
    home.mkdir()
    env = {**os.environ, "HOME": str(home), "LC_ALL": "C"}
    env.pop("AGENTDECK_DATABASE_URL", None)
    # Each one answers "which error and warning events are there" its own way.
    tools: list[tuple[str, list[str]]] = [
        (
            "grep -c -E 'ERROR|Traceback' (floor)",
            [grep or "grep", "-c", "-E", "ERROR|Traceback", *files],
        ),
        (
            "agentdeck logs errors --json",
            [
                str(agentdeck),
                "-W",
                str(workspace),
                "logs",
                "errors",
                "--json",
                "--path",
                str(DATA / "app.log*"),
            ],
        ),
    ]
    if lnav:
        tools.append(
            (
                "lnav -n -c (peer)",
                [
                    lnav,
                    "-n",
                    "-c",
                    ";SELECT log_level, log_msg_format, count(*) AS n FROM all_logs "
                    "WHERE log_level >= 'warning' GROUP BY log_level, log_msg_format",
                    *files,
                ],
            )
        )
    for path in files:  # warm the page cache once, untimed
        with open(path, "rb") as handle:
            while handle.read(16 << 20):
                pass
    # Round-robin (grep, agentdeck, lnav, grep, …) so a change in the shared
    # machine's load hits every tool alike.
    measured: dict[str, dict[str, list]] = {
        name: {"times": [], "peaks": [], "loads": [], "cpu": [], "output": [""], "code": [0]}
        for name, _ in tools
    }
    for _ in range(args.runs):
        for name, command in tools:
            before = loadavg()
            seconds, peak, output, code, cpu = measure(command, env, workspace)
            entry = measured[name]
            entry["times"].append(seconds)
            entry["cpu"].append(cpu)
            entry["peaks"].append(peak)
            entry["loads"].append(f"{before} -> {loadavg()}")
            entry["output"][0], entry["code"][0] = output, code
            print(
                f"  {name}: {seconds:.2f} s, CPU {cpu:.2f} s, {peak / 2**20:.0f} MiB, exit {code}",
                flush=True,
            )
    rows = []
    for name, _command in tools:
        entry = measured[name]
        times = entry["times"]
        median = statistics.median(times)
        rows.append(
            (
                name,
                median,
                min(times),
                max(times),
                max(entry["peaks"]),
                size / median / 1e6,
                entry["code"][0],
                entry["output"][0],
                entry["loads"],
                statistics.median(entry["cpu"]),
            )
        )
    summary = ""
    for name, *_rest, output, _loads, _cpu in rows:
        if name.startswith("agentdeck"):
            import json

            data = json.loads(output)
            summary = (
                f"agentdeck found {data['totals']['errors']:,} errors and "
                f"{data['totals']['warnings']:,} warnings in {data['totals']['groups']} groups "
                f"(generated: {errors:,} errors, {warnings:,} warnings)."
            )
        if name.startswith("grep"):
            count = sum(int(line.rsplit(":", 1)[1]) for line in output.split() if ":" in line)
            summary_grep = f"grep counted {count:,} matching lines (an error's header and its Traceback line: 2 per error)."
    if not args.keep:
        shutil.rmtree(DATA)
    lines_out = [
        "# Logs benchmark",
        "",
        f"Run on {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {platform.system()} "
        f"{platform.machine()}, {os.cpu_count()} cores (shared with other engineers' work), "
        f"Python {platform.python_version()}, lnav {_version([lnav or 'lnav', '-V'])}, "
        f"{_version([grep or 'grep', '-V'])}.",
        "",
        f"Data: {args.lines:,} lines, {size / 1e9:.2f} GB in {args.files} rotated files "
        f"(app.log, app.log.1 … app.log.{args.files - 1}), Python logging format; "
        f"{errors:,} error records with a 4-line traceback each (1% of records), "
        f"{warnings:,} warnings. Warm page cache; median of {args.runs} runs, the tools taking turns.",
        "",
        "Command: `.venv/bin/python benchmarks/logs.py` (generates the data, runs each tool, writes this file, deletes the data).",
        "",
        "| tool | median s | min s | max s | MB/s | CPU s (median) | MB per CPU s | peak memory MiB | exit |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, median, low, high, peak, rate, code, _output, _loads, cpu in rows:
        cell = name.replace("|", "\\|")  # a pipe would split the table's cell
        lines_out.append(
            f"| {cell} | {median:.2f} | {low:.2f} | {high:.2f} | {rate:.0f} | {cpu:.2f} | "
            f"{size / cpu / 1e6:.0f} | {peak / 2**20:.0f} | {code} |"
        )
    lines_out += [
        "",
        summary,
        summary_grep,
        "",
        "Load average (1, 5, 15 min) before -> after each run:",
        "",
    ]
    for name, *_rest, loads, _cpu in rows:
        lines_out.append(f"- {name}: " + "; ".join(loads))
    lines_out += [
        "",
        "Peak memory is the sum of resident memory over the process and its children "
        "(agentdeck reads files in parallel worker processes), sampled every 20 ms. "
        "CPU seconds are user + system time including threads and waited-for children; "
        "on a machine shared with other work they vary far less than wall time, so "
        "'MB per CPU s' compares the tools' efficiency whatever the load.",
        "",
        "Exact commands:",
        "",
    ]
    for name, command in tools:
        shown = [shlex.quote(c).replace(str(DATA), "$DATA") for c in command]
        lines_out.append(f"- {name}: `{' '.join(shown)}`")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("\n".join(lines_out) + "\n")
    print(f"results written to {args.out}")
    return 0


def _version(command: list[str]) -> str:
    try:
        out = subprocess.run(command, capture_output=True, text=True, check=False).stdout
    except OSError:
        return "?"
    return out.splitlines()[0].strip() if out else "?"


if __name__ == "__main__":
    sys.exit(main())

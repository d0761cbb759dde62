"""Demo chapter: a whole work session, measured from git, and the notes it leaves."""

from __future__ import annotations

import json

from agentdeck import clock
from agentdeck.demo import Tour
from agentdeck.sessions.usage import claude_project_name

TITLE = "A work session: claim, commit, log, end; the report and the hand-off"

_CODE = '''"""Token-bucket rate limiting for the public API."""

import time


class TokenBucket:
    def __init__(self, rate: float, burst: int) -> None:
        self.rate, self.burst = rate, burst
        self.tokens, self.stamp = float(burst), time.monotonic()

    def allow(self) -> bool:
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        return False
'''

_TESTS = """from ratelimit import TokenBucket


def test_burst_then_refuse():
    bucket = TokenBucket(rate=0.0, burst=2)
    assert bucket.allow() and bucket.allow()
    assert not bucket.allow()
"""

_DOCS = """# Rate limiting

Each client gets a token bucket: `rate` tokens per second, up to `burst` at once.
Requests beyond it get HTTP 429 with a `Retry-After` header.
"""


def _transcript_line(root: str, message_id: str, output: int) -> str:
    """One assistant line of a Claude Code transcript, as Claude Code writes it."""
    return json.dumps(
        {
            "type": "assistant",
            "isSidechain": False,
            "cwd": root,
            "sessionId": "5d1c2b3a-demo-4e5f-8a9b-000000000001",
            "requestId": f"req_{message_id}",
            "timestamp": clock.now_text(),
            "uuid": f"uuid-{message_id}",
            "message": {
                "id": f"msg_{message_id}",
                "role": "assistant",
                "model": "claude-sonnet-4-5-20250929",
                "content": [{"type": "text", "text": "working on it"}],
                "usage": {
                    "input_tokens": 1200,
                    "output_tokens": output,
                    "cache_creation_input_tokens": 4000,
                    "cache_read_input_tokens": 18000,
                },
            },
        }
    )


def run(tour: Tour) -> None:
    saved = tour.env.get("AGENTDECK_AGENT")
    tour.env["AGENTDECK_AGENT"] = "claude-1"
    try:
        _run(tour)
    finally:
        if saved is None:
            tour.env.pop("AGENTDECK_AGENT", None)
        else:
            tour.env["AGENTDECK_AGENT"] = saved


def _run(tour: Tour) -> None:
    root = tour.root
    tour.write("README.md", "# Demo project\n")
    tour.commit("Project set-up: agentdeck config, README and the backlog notes")
    added = tour.run(
        "task",
        "add",
        "Rate limiting middleware for the public API",
        "--priority",
        "critical",
        "--category",
        "security/api",
        "--json",
        show=False,
    )
    task_id = json.loads(added.stdout)["id"] if added.returncode == 0 else None
    tour.say(
        "An agent starts a session: agentdeck records who, what for, the planned task, the "
        "branch, and a baseline of the work tree (HEAD plus uncommitted and untracked files, "
        "taken without touching the index). Then it claims the task."
    )
    plan = ("--plan", task_id) if task_id else ()
    tour.run(
        "session",
        "start",
        "--agent",
        "claude-1",
        "--objective",
        "Rate limiting for the public API",
        *plan,
    )
    if task_id:
        tour.run("task", "start", task_id, "--agent", "claude-1")
    # Claude Code keeps a transcript of the conversation; agentdeck reads its token usage.
    claude_dir = root / ".agentdeck" / "demo-claude"
    project = claude_dir / "projects" / claude_project_name(root)
    project.mkdir(parents=True, exist_ok=True)
    transcript = project / "5d1c2b3a-demo-4e5f-8a9b-000000000001.jsonl"
    lines = [_transcript_line(str(root), "01", 850), _transcript_line(str(root), "01", 850)]
    tour.write("src/ratelimit.py", _CODE)
    tour.write("tests/test_ratelimit.py", _TESTS)
    # The tests import from src/ (a src layout); pytest learns that here.
    tour.write("pyproject.toml", '[tool.pytest.ini_options]\npythonpath = ["src"]\n')
    tour.commit("Add a token-bucket rate limiter with a test")
    tour.write("docs/ratelimit.md", _DOCS)
    tour.write("scripts/load-test.sh", "#!/bin/sh\nhey -z 10s -q 50 http://localhost:8000/api\n")
    tour.commit("Document rate limiting; add a load-test script")
    lines.append(_transcript_line(str(root), "02", 2300))
    transcript.write_text("\n".join(lines) + "\n", encoding="utf-8")
    tour.say(
        "Along the way the agent logs what a report needs: decisions, challenges and their "
        "solutions, lessons, next steps, and a task it found. Secrets in logged text are "
        "redacted before they are stored."
    )
    tour.run("session", "log", "decision", "Token bucket per client, kept in memory for now")
    tour.run("session", "log", "challenge", "Tests were flaky with wall-clock time")
    tour.run("session", "log", "solution", "Use time.monotonic and a zero refill rate in tests")
    tour.run(
        "session", "log", "lesson", "The staging key password=hunter2 must not reach the notes"
    )
    tour.run("session", "log", "next", "Move the buckets to Redis before scaling out")
    tour.run("session", "log", "task", "Per-route rate limits", "--priority", "high")
    if task_id:
        tour.run("task", "done", task_id, "--agent", "claude-1")
    tour.write("README.md", "# Demo project\n\nNow with rate limiting (see docs/ratelimit.md).\n")
    tour.run("session", "status")
    tour.say(
        "`session end` measures instead of asking: commits, files and lines from git since the "
        "baseline (the uncommitted README edit included), categories and languages, planned vs "
        "completed tasks, duration, and token usage from the agent's transcript. Then it writes "
        "the report, SESSION_HISTORY.md, CURRENT_WORK.md and TASK_INDEX.md."
    )
    env = {"CLAUDE_CONFIG_DIR": str(claude_dir)}
    ended = tour.run("session", "end", "--agent", "claude-1", env=env)
    sid = ended.stdout.split(" ", 1)[0] if ended.stdout else ""
    if sid.startswith("SESSION-"):
        tour.run("session", "show", sid, max_lines=120)
    tour.run("session", "list")
    tour.say("The next session, of any agent, starts from the hand-off:")
    tour.run("handoff", max_lines=60)
    tour.run("session", "end", expect=(3,))
    tour.say(
        f"Notes written: {root / 'docs' / 'sessions'}, {root / 'SESSION_HISTORY.md'}, "
        f"{root / 'CURRENT_WORK.md'}."
    )

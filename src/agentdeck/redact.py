"""Secret scanning: find API keys, tokens, private keys and passwords in text and hide them.

Every text an agent logs into a session, every text read from a transcript,
every rendered note and every ``--json`` output of the session commands goes
through ``redact`` (strings) or ``redact_data`` (JSON-shaped data). A secret
is replaced by ``[REDACTED:kind]``; for ``name=value`` assignments and URLs
only the value is replaced, so the text still says what was there.

The patterns follow the documented formats of the issuers (AWS, GitHub,
GitLab, Slack, Stripe, Google, OpenAI, Anthropic, Hugging Face, npm, JWTs,
PEM private keys) plus generic ``password=``-style assignments and
connection strings with a password. They err on the side of hiding: a false
positive costs a word in a note, a false negative leaks a credential.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

__all__ = ["PATTERNS", "find_secrets", "redact", "redact_data"]

#: (kind, compiled pattern). Patterns are tried in this order; earlier, more
#: specific ones win (an Anthropic key is not reported as an OpenAI key).
PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    (
        "private-key",
        re.compile(
            r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----"
            r"(?:[\s\S]*?-----END (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----|[\s\S]*\Z)"
        ),
    ),
    ("aws-access-key", re.compile(r"\b(?:AKIA|ASIA|ABIA|ACCA|A3T[A-Z0-9])[A-Z0-9]{16}\b")),
    ("github-token", re.compile(r"\bgh[pousr]_[A-Za-z0-9]{36,255}\b")),
    ("github-token", re.compile(r"\bgithub_pat_[A-Za-z0-9_]{22,255}\b")),
    ("gitlab-token", re.compile(r"\bgl(?:pat|dt|ptt|rt|cbt|oas)-[A-Za-z0-9_\-]{20,}")),
    ("bitbucket-token", re.compile(r"\bATBB[A-Za-z0-9_=.\-]{24,}")),
    ("anthropic-key", re.compile(r"\bsk-ant-[a-z]{2,8}\d{2}-[A-Za-z0-9_\-]{20,}")),
    ("openai-key", re.compile(r"\bsk-(?:proj-|svcacct-|admin-|None-)?[A-Za-z0-9_\-]{20,}")),
    ("stripe-key", re.compile(r"\b(?:sk|rk|pk)_(?:live|test)_[A-Za-z0-9]{16,}\b")),
    ("google-api-key", re.compile(r"\bAIza[0-9A-Za-z_\-]{35}")),
    ("slack-token", re.compile(r"\bxox[abposr]-[A-Za-z0-9\-]{10,}")),
    ("slack-webhook", re.compile(r"https://hooks\.slack\.com/services/[A-Za-z0-9/_\-]+")),
    ("huggingface-token", re.compile(r"\bhf_[A-Za-z0-9]{30,}\b")),
    ("npm-token", re.compile(r"\bnpm_[A-Za-z0-9]{36}\b")),
    ("pypi-token", re.compile(r"\bpypi-AgE[A-Za-z0-9_\-]{50,}")),
    (
        "jwt",
        re.compile(r"\beyJ[A-Za-z0-9_\-]{9,}\.eyJ[A-Za-z0-9_\-]{9,}\.[A-Za-z0-9_\-]{8,}"),
    ),
]

#: ``scheme://user:PASSWORD@host``: only the password is replaced.
_URL_PASSWORD = re.compile(r"\b([a-zA-Z][a-zA-Z0-9+.\-]*://[^\s:/@'\"]*:)([^\s@/'\"]+)(@)")

#: ``Authorization: Bearer TOKEN`` / ``Basic ...``.
_AUTH_HEADER = re.compile(r"\b(Bearer|Basic|Token)(\s+)([A-Za-z0-9._~+/=\-]{12,})")

#: ``password=...``, ``api_key: "..."``, ``export GITHUB_TOKEN=...``, ``"secret": "..."``.
_NAMES = (
    r"password|passwd|passphrase|pwd|secret|token|api[_\-]?key|access[_\-]?key|auth[_\-]?key|"
    r"private[_\-]?key|client[_\-]?secret|credentials?|session[_\-]?key"
)
_ASSIGNMENT = re.compile(
    r"(?i)(?P<name>\b[A-Za-z0-9_.\-]*(?:" + _NAMES + r")[A-Za-z0-9_.\-]*[\"']?)"
    r"(?P<sep>\s*(?::=|=>|[:=])\s*)"
    r"(?:(?P<quote>[\"'])(?P<quoted>[^\"'\n]+)|(?P<bare>[^\s\"',;)\]}]+))"
)

#: Cheap first look: every pattern needs a run of 12 token characters, a ``:`` or
#: ``=``, or a PEM header; text without any (file paths, counts, prose) skips the
#: patterns. Keep it in step with ``PATTERNS`` when adding one.
_TRIGGER = re.compile(r"[=:]|[A-Za-z0-9_\-]{12}|PRIVATE KEY")

_MARK = "[REDACTED"


def _mark(kind: str) -> str:
    return f"[REDACTED:{kind}]"


def _assignment(match: re.Match[str]) -> str:
    name = match.group("name")
    value = match.group("quoted") or match.group("bare") or ""
    if value.startswith(_MARK) or _harmless_value(name, value):
        return match.group(0)
    kind = "password" if re.search(r"(?i)pass|pwd", name) else "secret"
    return name + match.group("sep") + (match.group("quote") or "") + _mark(kind)


def _harmless_value(name: str, value: str) -> bool:
    """Values that are not secrets: placeholders, references to elsewhere, and counts
    (``tokens: 5000``) under names that are not passwords."""
    stripped = value.strip()
    if stripped.replace(",", "").replace(".", "").isdigit() and not re.search(
        r"(?i)pass|pwd|secret|key", name
    ):
        return True
    return (
        stripped in ("***", "...", "null", "None", "none", "true", "false", "''", '""')
        or stripped.startswith(("${", "$(", "<", "{{", "%(", "os.environ", "env.", "[REDACTED"))
        or (stripped.startswith("$") and stripped[1:].replace("_", "").isalnum())
    )


def redact(text: str) -> str:
    """``text`` with every secret found replaced by ``[REDACTED:kind]``."""
    if not text or not _TRIGGER.search(text):
        return text
    for kind, pattern in PATTERNS:
        if kind == "private-key" and "PRIVATE KEY" not in text:
            continue
        text = pattern.sub(_mark(kind), text)
    if "://" in text:
        text = _URL_PASSWORD.sub(lambda m: m.group(1) + _mark("password") + m.group(3), text)
    text = _AUTH_HEADER.sub(
        lambda m: (
            m.group(0) if m.group(3).startswith(_MARK) else m.group(1) + m.group(2) + _mark("token")
        ),
        text,
    )
    return _ASSIGNMENT.sub(_assignment, text)


def find_secrets(text: str) -> list[str]:
    """The kinds of secrets found in ``text`` (one entry per occurrence)."""
    redacted = redact(text)
    return re.findall(r"\[REDACTED:([a-z\-]+)\]", redacted)


def redact_data(data: Any, _redact: Callable[[str], str] = redact) -> Any:
    """A copy of JSON-shaped ``data`` with every string (and key) redacted."""
    if isinstance(data, str):
        return _redact(data)
    if isinstance(data, dict):
        # Keys that are plain identifiers are agentdeck's own field names.
        return {
            (_redact(k) if isinstance(k, str) and not k.isidentifier() else k): redact_data(
                v, _redact
            )
            for k, v in data.items()
        }
    if isinstance(data, list | tuple):
        return [redact_data(v, _redact) for v in data]
    return data

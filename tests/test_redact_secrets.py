"""agentdeck.redact: each kind of secret is found and hidden; ordinary text is left alone."""

from __future__ import annotations

import pytest

from agentdeck.redact import find_secrets, redact, redact_data

SECRETS = [
    ("aws-access-key", "AKIAIOSFODNN7EXAMPLE"),
    ("aws-access-key", "ASIAY34FZKBOKMUTVV7A"),
    ("github-token", "ghp_" + "a1B2" * 9),
    ("github-token", "github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyzABCDEFGHIJ"),
    ("gitlab-token", "glpat-" + "x" * 20),
    ("anthropic-key", "sk-ant-api03-" + "Ab1_" * 10),
    ("openai-key", "sk-proj-" + "Zz9" * 12),
    ("stripe-key", "sk_live_" + "4eC39HqLyjWDarjtT1zdp7dc"),
    ("google-api-key", "AIza" + "S" * 35),
    ("slack-token", "xoxb-1234567890-abcdefghij"),
    ("huggingface-token", "hf_" + "q" * 34),
    ("npm-token", "npm_" + "n" * 36),
    (
        "jwt",
        "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
    ),
]


@pytest.mark.parametrize(("kind", "secret"), SECRETS)
def test_known_token_formats(kind: str, secret: str) -> None:
    text = f"use {secret} here"
    assert redact(text) == f"use [REDACTED:{kind}] here"
    assert find_secrets(text) == [kind]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("password=hunter2", "password=[REDACTED:password]"),
        ("DB_PASSWORD: 's3cr3t value'", "DB_PASSWORD: '[REDACTED:password]'"),
        ('{"api_key": "abc123def"}', '{"api_key": "[REDACTED:secret]"}'),
        ("export CLIENT_SECRET=xyz", "export CLIENT_SECRET=[REDACTED:secret]"),
        ("pin password=123456", "pin password=[REDACTED:password]"),
        ("postgresql://app:pa55@db:5432/x", "postgresql://app:[REDACTED:password]@db:5432/x"),
        ("Authorization: Bearer abcdefghijklmnop1234", "Authorization: Bearer [REDACTED:token]"),
        (
            "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXk\n-----END OPENSSH PRIVATE KEY-----",
            "[REDACTED:private-key]",
        ),
        ("-----BEGIN RSA PRIVATE KEY-----\ncut off", "[REDACTED:private-key]"),
    ],
)
def test_assignments_urls_headers_and_keys(text: str, expected: str) -> None:
    assert redact(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "tokens: 5000",
        "max_tokens=4096",
        "DB_PASSWORD=${DB_PASSWORD}",
        "password: <your password>",
        "the passage: unchanged",
        "https://example.com/path?x=1",
        "postgresql://localhost/db",
        "commit 3f2a9c1 fixed the parser",
        "[REDACTED:password] stays as it is",
    ],
)
def test_ordinary_text_is_left_alone(text: str) -> None:
    assert redact(text) == text


def test_redaction_is_idempotent_and_walks_data() -> None:
    text = "password=hunter2 and AKIAIOSFODNN7EXAMPLE"
    assert redact(redact(text)) == redact(text)
    data = {"a": [text, 3, None, {"k": "ghp_" + "b" * 36}], "n": 1.5}
    assert redact_data(data) == {
        "a": [redact(text), 3, None, {"k": "[REDACTED:github-token]"}],
        "n": 1.5,
    }

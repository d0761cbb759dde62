"""Finding the workspace, init, --workspace / AGENTDECK_WORKSPACE, migrate and config."""

from __future__ import annotations

import json
from pathlib import Path

from agentdeck.errors import ExitCode


def test_outside_any_workspace_says_how_to_create_one(tmp_path: Path, deck, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(tmp_path)
    result = deck("task", "list")
    assert result.code == ExitCode.NOT_FOUND
    assert result.err == (
        f"agentdeck: error: no agentdeck workspace in {tmp_path} or any folder above it; "
        "create one with `agentdeck init` at your repository's root\n"
    )


def test_init_goes_to_the_repository_root_and_is_found_from_below(
    repo: Path, deck, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    sub = repo / "src" / "pkg"
    sub.mkdir(parents=True)
    monkeypatch.chdir(sub)
    result = deck("init")
    assert result.code == 0 and f"Workspace at {repo}" in result.out
    assert (repo / "agentdeck.toml").read_text().startswith("# agentdeck configuration.")
    assert (repo / ".agentdeck" / "deck.db").exists()
    assert (repo / ".agentdeck" / ".gitignore").read_text().endswith("*\n")
    assert deck("task", "add", "from below").code == 0
    (repo / "agentdeck.toml").write_text('[backlog]\ndefault_priority = "low"\n')
    again = deck("init")
    assert "Kept" in again.out and "low" in (repo / "agentdeck.toml").read_text()


def test_init_outside_git_uses_the_current_folder(tmp_path: Path, deck, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    plain = tmp_path / "plain"
    plain.mkdir()
    monkeypatch.chdir(plain)
    assert deck("init").code == 0
    assert (plain / "agentdeck.toml").exists()


def test_workspace_option_and_environment_override_the_walk(
    repo: Path, tmp_path: Path, deck, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    deck("init", str(repo))
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    assert deck("--workspace", str(repo), "task", "add", "via option").code == 0
    monkeypatch.setenv("AGENTDECK_WORKSPACE", str(repo))
    listed = json.loads(deck("task", "list", "--json").out)
    assert [t["title"] for t in listed] == ["via option"]
    missing = deck("--workspace", str(tmp_path / "nope"), "task", "list")
    assert missing.code == ExitCode.NOT_FOUND and "does not exist" in missing.err
    not_ws = deck("--workspace", str(elsewhere), "task", "list")
    assert not_ws.code == ExitCode.NOT_FOUND and f"agentdeck init {elsewhere}" in not_ws.err


def test_migrate_status_and_up(ws, deck) -> None:  # type: ignore[no-untyped-def]
    status = json.loads(deck("migrate", "status", "--json").out)
    assert status["current"] is True and status["pending"] == []
    assert [m["name"] for m in status["applied"]][:2] == ["m001_backlog", "m002_sessions"]
    assert "Nothing to apply" in deck("migrate", "up").out


def test_config_show_reports_effective_values(ws, deck) -> None:  # type: ignore[no-untyped-def]
    data = json.loads(deck("config", "show", "--json").out)
    assert data["values"]["backlog"]["default_priority"] == "medium"
    assert "[backlog.urgency]" in deck("config", "show").out


def test_version_and_help_through_the_entry_point(deck_proc) -> None:  # type: ignore[no-untyped-def]
    from agentdeck import __version__

    assert deck_proc("--version").out == f"agentdeck {__version__}\n"
    helped = deck_proc("--help")
    assert helped.code == 0 and "task" in helped.out and "next" in helped.out
    bare = deck_proc()
    assert bare.code == 0 and "Commands:" in bare.out

"""The CLI face: JSON shapes, exit codes, quiet when piped, nothing heavy at start-up."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from backup_helpers import PASSPHRASE, BackupEnv

INFO_KEYS = {
    "id",
    "created_at",
    "type",
    "tags",
    "size",
    "bytes",
    "entries",
    "duration_s",
    "database_kind",
    "tool_version",
    "suspicious",
    "verified_at",
    "verify_ok",
    "verify_message",
    "destination",
    "damaged",
}


def test_json_shapes(benv: BackupEnv, deck, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    (benv.root / "src").mkdir()
    (benv.root / "src" / "app.py").write_text("print('hi')\n")
    created = deck("backup", "create", "--tag", "nightly", "--json")
    assert created.code == 0, created.err
    made = json.loads(created.out)
    assert set(made) == INFO_KEYS | {"skipped", "cleaned"}
    assert (
        made["type"] == "all" and made["tags"] == ["nightly"] and made["database_kind"] == "sqlite"
    )

    listed = json.loads(deck("backup", "list", "--json").out)
    assert [set(b) for b in listed] == [INFO_KEYS]
    assert listed[0]["verify_ok"] is None

    verified = deck("backup", "verify", "--all", "--json")
    assert verified.code == 0
    [result] = json.loads(verified.out)
    assert set(result) == {
        "id",
        "ok",
        "verified_at",
        "entries_checked",
        "entries_total",
        "bytes_checked",
        "sample_pct",
        "problem",
    }
    assert result["ok"] is True and result["entries_checked"] == made["entries"]
    after = json.loads(deck("backup", "list", "--json").out)[0]
    assert after["verify_ok"] is True and after["verified_at"] == result["verified_at"]

    shown = json.loads(deck("backup", "show", made["id"], "--entries", "--json").out)
    assert {"id", "totals", "archive", "crypto", "entries", "database"} <= set(shown)
    assert "sealed" not in shown
    app = next(e for e in shown["entries"] if e["path"] == "src/app.py")
    assert set(app) == {"section", "path", "type", "mode", "mtime_ns", "size", "sha256"}
    public = json.loads(deck("backup", "show", made["id"], "--json").out)
    assert "entries" not in public  # needs --entries (and the key)

    restored = deck(
        "backup", "restore", made["id"], "--target", str(tmp_path / "t"), "--dry-run", "--json"
    )
    plan = json.loads(restored.out)
    assert set(plan) == {"backup", "target", "dry_run", "counts", "database", "actions"}
    assert set(plan["counts"]) == {"write", "change", "leave", "refuse"}
    assert set(plan["actions"][0]) == {"action", "section", "path", "type", "size", "reason", "to"}
    assert not (tmp_path / "t").exists()

    pruned = json.loads(deck("backup", "prune", "--keep-last", "1", "--dry-run", "--json").out)
    assert set(pruned) == {"policy", "dry_run", "keep", "remove", "cleaned"}
    assert pruned["keep"][0]["reasons"] == ["last"]


def test_verify_failure_exit_code_and_text(benv: BackupEnv, deck) -> None:  # type: ignore[no-untyped-def]
    made = json.loads(deck("backup", "create", "--type", "config", "--json").out)
    archive = benv.dest / f"{made['id']}.adbk"
    blob = bytearray(archive.read_bytes())
    blob[-20] ^= 1
    archive.write_bytes(bytes(blob))
    result = deck("backup", "verify", made["id"])
    assert result.code == 1
    assert "DAMAGED" in result.out
    assert result.err.startswith("agentdeck: error: 1 of 1 backup(s) failed verification")
    listed = deck("backup", "list")
    assert "FAILED" in listed.out


def test_real_entry_point_is_quiet_when_piped(benv: BackupEnv, deck_proc) -> None:  # type: ignore[no-untyped-def]
    env = {"AGENTDECK_BACKUP_PASSPHRASE": PASSPHRASE}
    created = deck_proc("backup", "create", cwd=benv.root, env=env)
    assert created.code == 0, created.err
    assert "\r" not in created.out + created.err and created.err == ""
    assert created.out.startswith("Backup ")
    listing = deck_proc("backup", "list", cwd=benv.root, env=env)
    assert listing.out.splitlines()[0].split() == [
        "ID",
        "CREATED",
        "(UTC)",
        "TYPE",
        "SIZE",
        "ENTRIES",
        "VERIFIED",
        "TAGS",
        "NOTE",
    ]


def test_start_up_imports_nothing_heavy() -> None:
    code = (
        "import sys\n"
        "import agentdeck.cli._app, agentdeck.ops.backup, agentdeck.ops.checks_backup\n"
        "from agentdeck.ops.backup import model, catalog, settings\n"
        "heavy = [m for m in ('cryptography', 'zstandard', 'boto3', 'botocore', 'psycopg') if m in sys.modules]\n"
        "print(','.join(heavy))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""

"""Demo chapter: backups that can be trusted, and restores that cannot hurt."""

from __future__ import annotations

import json
import shutil

from agentdeck.demo import Tour

TITLE = "Backups: create, verify, catch a tampered copy, restore into a new folder"


def run(tour: Tour) -> None:
    tour.env["AGENTDECK_BACKUP_PASSPHRASE"] = "demo passphrase (use your own, kept in a vault)"
    tour.write("src/app.py", "def main():\n    print('hello from the demo app')\n")
    tour.write("docs/runbook.md", "# Runbook\n\nRestore drills happen every Friday.\n")
    tour.say(
        "A backup holds the database (taken through SQLite's online backup API, consistent "
        "while agents write), the repository's files (without .git, virtual environments, "
        "node_modules and build output) and agentdeck.toml: compressed with zstd, encrypted "
        "with AES-256-GCM under a key derived from AGENTDECK_BACKUP_PASSPHRASE (set for the "
        "demo), with a manifest of SHA-256 checksums written last."
    )
    tour.run("backup", "create", "--tag", "demo")
    listed = tour.run("backup", "list", "--json", show=False)
    backup_id = json.loads(listed.stdout)[-1]["id"] if listed.returncode == 0 else "missing"
    tour.run("backup", "list")
    tour.say("`verify` decrypts the whole backup and checks every checksum against the manifest.")
    tour.run("backup", "verify", backup_id)

    tampered = tour.root / ".agentdeck" / "tampered-copy"
    shutil.copytree(tour.root / ".agentdeck" / "backups", tampered)
    archive = tampered / f"{backup_id}.adbk"
    blob = bytearray(archive.read_bytes())
    blob[len(blob) // 2] ^= 0x01  # one bit, in the middle of the archive
    archive.write_bytes(bytes(blob))
    tour.say(
        "A copy of the backups with one bit flipped in the middle of the archive: verify "
        "reports it, and restore refuses it without writing anything (exit code 1)."
    )
    tour.run("backup", "verify", backup_id, "--destination", str(tampered), expect=(1,))
    refused = tour.root.parent / f"{tour.root.name}-from-tampered"
    tour.run(
        "backup",
        "restore",
        backup_id,
        "--destination",
        str(tampered),
        "--target",
        str(refused),
        "--quiet",
        expect=(1,),
    )
    tour.say(
        f"Nothing was written: {refused} {'exists' if refused.exists() else 'does not exist'}."
    )

    target = tour.root.parent / f"{tour.root.name}-restored"
    tour.say("Restoring into a new folder: first a dry run lists what would be written.")
    tour.run("backup", "restore", backup_id, "--target", str(target), "--dry-run", max_lines=14)
    tour.run("backup", "restore", backup_id, "--target", str(target), "--quiet")
    tour.say("The restored folder is a complete workspace: its database answers.")
    tour.run("--workspace", str(target), "task", "list", "--limit", "3")
    tour.say(
        "Restore never deletes and never writes outside its target: entries with absolute "
        "paths, '..', links pointing out or device files are refused. Retention follows "
        "restic's forget rules, per backup type:"
    )
    tour.run("backup", "create", "--type", "db", "--quiet")
    tour.run("backup", "prune", "--keep-last", "1", "--dry-run")

"""The workspace's backup settings: destination, globs, key sources, thresholds."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from agentdeck.ops.backup.dest import Destination, open_destination
from agentdeck.ops.backup.keys import Keyring

if TYPE_CHECKING:
    from agentdeck.workspace import Workspace

DESTINATION_ENV = "AGENTDECK_BACKUP_DESTINATION"


@dataclass
class Settings:
    """``[backup]`` of the workspace's config, resolved against its root."""

    root: Path
    state_dir: Path
    destination_spec: str
    include: list[str]
    exclude: list[str]
    key_file: Path | None
    passphrase_file: Path | None
    s3: dict[str, Any]
    raw: dict[str, Any]

    @classmethod
    def from_workspace(cls, ws: Workspace, destination: str | None = None) -> Settings:
        section = ws.config.section("backup")

        def path(value: str) -> Path | None:
            return (ws.root / Path(value).expanduser()).resolve() if value else None

        spec = destination or os.environ.get(DESTINATION_ENV) or section["destination"]
        return cls(
            root=ws.root,
            state_dir=ws.state_dir,
            destination_spec=spec,
            include=list(section["include"]),
            exclude=list(section["exclude"]),
            key_file=path(section["key_file"]),
            passphrase_file=path(section["passphrase_file"]),
            s3=dict(ws.config.section("backup.s3")),
            raw=dict(section),
        )

    def destination(self) -> Destination:
        return open_destination(self.root, self.state_dir, self.destination_spec, self.s3)

    def keyring(
        self,
        *,
        key_file: Path | None = None,
        passphrase_file: Path | None = None,
        prompt: Any = None,
    ) -> Keyring:
        return Keyring(
            key_file=key_file or self.key_file,
            passphrase_file=passphrase_file or self.passphrase_file,
            prompt=prompt,
        )

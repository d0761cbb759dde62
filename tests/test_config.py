"""agentdeck.toml: defaults, validation with file:line:key, the generated file."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from agentdeck import config
from agentdeck.errors import ConfigError


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "agentdeck.toml"
    path.write_text(text)
    return path


def test_missing_file_gives_defaults(tmp_path: Path) -> None:
    loaded = config.load(tmp_path / "agentdeck.toml")
    assert loaded.path is None
    assert loaded.get("backlog", "default_priority") == "medium"
    assert loaded.get("backlog.urgency", "critical") == 10.0


def test_values_override_defaults_and_ints_become_floats(tmp_path: Path) -> None:
    path = write(
        tmp_path, '[backlog]\ndefault_priority = "high"\n[backlog.urgency]\nage_weight = 4\n'
    )
    loaded = config.load(path)
    assert loaded.get("backlog", "default_priority") == "high"
    assert loaded.get("backlog.urgency", "age_weight") == 4.0
    assert isinstance(loaded.get("backlog.urgency", "age_weight"), float)
    assert loaded.get("backlog", "archive_after_days") == 7


def test_unknown_key_names_file_line_and_key(tmp_path: Path) -> None:
    path = write(tmp_path, '# comment\n[backlog]\ndefault_priority = "low"\ncolour = "blue"\n')
    with pytest.raises(ConfigError) as err:
        config.load(path)
    assert str(err.value).startswith(f"{path}:4: unknown key 'colour' in [backlog]")


def test_unknown_key_in_nested_table(tmp_path: Path) -> None:
    path = write(tmp_path, "[backlog.urgency]\nhigh = 5\nspeed = 1\n")
    with pytest.raises(ConfigError, match=r":3: unknown key 'speed' in \[backlog.urgency\]"):
        config.load(path)


def test_unknown_section_is_reported(tmp_path: Path) -> None:
    path = write(tmp_path, "[backlogg]\nx = 1\n")
    with pytest.raises(ConfigError, match=r":1: unknown section or key 'backlogg'"):
        config.load(path)


def test_malformed_toml_names_the_line(tmp_path: Path) -> None:
    path = write(tmp_path, "[backlog]\ndefault_priority = high\n")
    with pytest.raises(ConfigError, match=r"not valid TOML: .*line 2"):
        config.load(path)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[backlog]\ndefault_priority = "urgent"\n', "must be one of critical, high, medium, low"),
        ("[backlog]\narchive_after_days = -1\n", "must be at least 0"),
        ('[backlog]\narchive_after_days = "week"\n', "must be an integer"),
        ("[database]\nbusy_timeout_ms = true\n", "must be an integer"),
        ("backlog = 3\n", "must be a table"),
    ],
)
def test_bad_values_are_refused(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        config.load(write(tmp_path, text))


def test_generated_file_is_valid_toml_and_documents_every_key(tmp_path: Path) -> None:
    text = config.render_default_file()
    tomllib.loads(text)
    loaded = config.load(write(tmp_path, text))
    assert loaded.values == config.defaults().values
    for name, section in config.SCHEMA.items():
        for key in section.keys:
            assert f"# {key} = " in text, f"{name}.{key} missing from the generated file"

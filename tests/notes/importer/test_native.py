"""The compiled reader (mypyc, ``tools/build_native.py``) reads exactly what its sources read.

``make`` compiles the reader's modules in place; Python then runs the build
and the sources only when the build is older or ``AGENTDECK_PURE_PYTHON`` is
set (``agentdeck.native``). The whole suite runs on whichever is there (the
build, under ``make test``); this test runs both on the same documents, in two
child processes, and compares everything the reader produces: plans, sessions
with every field and line number, import keys, digests, backlog tasks, repair
counts, ``verify``'s claims, and what the read-ahead workers hand over.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from importlib.machinery import EXTENSION_SUFFIXES
from pathlib import Path

import pytest

from agentdeck import native
from agentdeck.notes import importer

HERE = Path(__file__).resolve().parent
SEEDS = HERE.parents[3] / "shared" / "seeds"

#: Runs in each child: reads every document and prints one JSON line per document.
READER = r"""
import json, sys
from pathlib import Path
sys.path.insert(0, sys.argv[1])
from test_import_property import document
from agentdeck.notes import importer
from agentdeck.notes.importer import ahead, parse_text
from agentdeck.notes.verify import verify_report

print(json.dumps({"build": importer.BUILD}))
paths = [Path(p) for p in sys.argv[3:]]
docs = [(p.name, p.read_bytes()) for p in paths]
docs += [(f"generated-{seed}", document(seed)) for seed in range(int(sys.argv[2]))]
for index, (name, data) in enumerate(docs):
    note = parse_text(data, name=name)
    out = note.to_dict()
    out["plan"] = [note.plan.kind, note.plan.title, note.plan.title_line, note.plan.end_level,
                   note.plan.lines, note.plan.reason, note.plan.task_ids,
                   [m.__reduce__()[1] for m in note.plan.starts]]
    out["keys"] = [[s.import_key(), s.digest()] for s in note.sessions]
    if index % 4 == 0:
        out["verify"] = verify_report(data).to_dict()
        out["verify"].pop("verified_at")
    print(json.dumps(out, sort_keys=True, default=str))
# What a read-ahead worker sends back, pickled and unpickled as between processes.
import pickle
for path in paths:
    prepared = pickle.loads(pickle.dumps(ahead.prepare(str(path))))
    print(json.dumps({
        "prepared": path.name,
        "plan": prepared.plan.to_dict(),
        "starts": [m.__reduce__()[1] for m in prepared.plan.starts],
        "sessions": [[s.import_key(), s.digest(), s.load().to_dict()] for s in prepared.sessions],
        "tasks": [t.to_dict() for t in prepared.tasks],
    }, sort_keys=True, default=str))
"""


def _documents() -> list[str]:
    paths = sorted((HERE / "fixtures").iterdir())
    if SEEDS.is_dir():
        paths += sorted(SEEDS.iterdir())
    paths += sorted((HERE.parents[2] / "src/agentdeck/demo/notes").rglob("*.md"))
    return [str(p) for p in paths if p.is_file()]


def _read(pure: bool, generated: int) -> list[str]:
    env = dict(os.environ)
    env.pop(native.PURE_ENV, None)
    if pure:
        env[native.PURE_ENV] = "1"
    result = subprocess.run(
        [sys.executable, "-c", READER, str(HERE), str(generated), *_documents()],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.splitlines()


@pytest.mark.skipif(
    importer.BUILD != "compiled",
    reason=f"the compiled reader is not built ({importer.BUILD}): run `make native`",
)
def test_compiled_and_python_readers_agree() -> None:
    compiled = _read(pure=False, generated=3000)
    python = _read(pure=True, generated=3000)
    assert json.loads(compiled[0]) == {"build": "compiled"}
    assert json.loads(python[0]) == {"build": "refused"}
    assert len(compiled) == len(python) > 3000
    for mine, theirs in zip(compiled[1:], python[1:], strict=True):
        assert mine == theirs


def test_the_build_is_required_where_ci_says_so() -> None:
    # .ci/run sets this: CI must test the compiled reader, never skip it.
    if os.environ.get("AGENTDECK_REQUIRE_NATIVE"):
        assert importer.BUILD == "compiled", f"the compiled reader is {importer.BUILD}"


def _package(tmp_path: Path, build_newer: bool) -> Path:
    """A package with one module and a (bogus) build of it, older or newer than its source."""
    folder = tmp_path / "pkg_native_probe"
    folder.mkdir()
    (folder / "__init__.py").write_text(
        "from agentdeck.native import prefer_sources\nBUILD = prefer_sources(__path__)\n"
    )
    (folder / "mod.py").write_text("WHERE = 'source'\n")
    built = folder / ("mod" + EXTENSION_SUFFIXES[0])
    built.write_bytes(b"not an ELF file: loading it fails")
    now = time.time()
    os.utime(folder / "mod.py", (now, now - 100 if build_newer else now))
    os.utime(built, (now, now if build_newer else now - 100))
    return folder


def _import(tmp_path: Path, env_pure: str | None = None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env.pop(native.PURE_ENV, None)
    if env_pure is not None:
        env[native.PURE_ENV] = env_pure
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "import pkg_native_probe as p; print(p.BUILD); from pkg_native_probe import mod;"
            " print(mod.WHERE)",
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
    )


def test_a_stale_build_is_passed_over_for_the_sources(tmp_path: Path) -> None:
    _package(tmp_path, build_newer=False)
    result = _import(tmp_path)
    assert result.stdout.split() == ["stale", "source"], result.stderr


def test_a_current_build_is_loaded(tmp_path: Path) -> None:
    _package(tmp_path, build_newer=True)
    result = _import(tmp_path)
    # The bogus build is what Python tried to load: proof it was chosen over the source.
    assert result.returncode != 0
    assert "compiled" in result.stdout
    assert "ImportError" in result.stderr


@pytest.mark.parametrize(("value", "expected"), [("1", "refused"), ("0", "compiled")])
def test_the_environment_can_refuse_the_build(tmp_path: Path, value: str, expected: str) -> None:
    _package(tmp_path, build_newer=True)
    result = _import(tmp_path, env_pure=value)
    assert result.stdout.split()[0] == expected
    if expected == "refused":
        assert result.stdout.split() == ["refused", "source"], result.stderr


def test_a_package_without_a_build_runs_its_sources(tmp_path: Path) -> None:
    folder = tmp_path / "plain"
    folder.mkdir()
    (folder / "x.py").write_text("")
    assert native.prefer_sources([str(folder)]) == "python"

"""The inventory of dormant parts: what exists in the repository but nothing uses.

Agent sessions tend to leave such parts behind: a script written once, a
module that lost its last importer, a plan nobody links to, a test in a
folder the test command never looks at. Four kinds are reported, each with
why it was judged dormant:

* **script**: a shell/batch file, or a file with a ``#!`` line, whose name no
  Makefile, CI file, README, project manifest (``pyproject.toml``,
  ``package.json``, Dockerfile, Procfile …) or other script mentions; a Python
  script is also live when a module imports it.
* **module**: a Python module that nothing imports (absolute or relative
  imports, ``importlib.import_module("…")`` and ``"module:attr"`` strings,
  f-strings naming its package as a prefix), that no entry point declares and
  that no Makefile, CI file, README or manifest names (``uvicorn app.main:app``).
* **doc**: a markdown/reST/AsciiDoc file (``.txt`` only under ``docs/``) that
  no other file links to or names. READMEs, licences, changelogs, agent
  instruction files and the notes agentdeck renders are never dormant.
* **test**: a Python test file that the configured pytest command would not
  collect: outside its paths or ``testpaths``, in a ``norecursedirs`` folder,
  or named outside ``python_files``. Checked only when the test command is pytest.

Files are the repository's tracked and untracked-but-not-ignored files (all
files outside git). It is a static reading: code that builds names at run time
can make a live part look dormant; ``[inventory] ignore`` silences those.
"""

from __future__ import annotations

import ast
import configparser
import fnmatch
import os
import re
import stat
import tomllib
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from agentdeck.workspace import Workspace

KINDS = ("script", "module", "doc", "test")
_SCRIPT_EXT = {".sh", ".bash", ".zsh", ".fish", ".ps1", ".bat", ".cmd"}
_DOC_EXT = {".md", ".markdown", ".rst", ".adoc"}
_MAX_TEXT = 1 << 20
_SKIP_DIRS = {
    ".git",
    ".agentdeck",
    ".venv",
    "venv",
    "node_modules",
    "__pycache__",
    ".tox",
    ".nox",
    ".mypy_cache",
    ".pytest_cache",
    ".ruff_cache",
    "build",
    "dist",
}
_ALWAYS_LIVE_DOCS = re.compile(
    r"^(readme|changelog|changes|history|news|license|licence|copying|notice|authors|contributors|"
    r"contributing|code_of_conduct|security|support|governance|claude|agents|gemini|copilot-instructions|"
    r"index)(\.[\w.-]+)?$",
    re.IGNORECASE,
)
_TOOL_FILES = {"conftest.py", "setup.py", "noxfile.py", "manage.py", "__init__.py", "__main__.py"}


@dataclass
class DormantPart:
    """One part nothing uses, and why that was concluded."""

    kind: str
    path: str
    why: str

    def to_dict(self) -> dict[str, str]:
        return {"kind": self.kind, "path": self.path, "why": self.why}


@dataclass
class Inventory:
    """The result of ``find_dormant``: dormant parts sorted by kind and path."""

    parts: list[DormantPart]
    examined: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "dormant": [p.to_dict() for p in self.parts],
            "counts": {kind: sum(1 for p in self.parts if p.kind == kind) for kind in KINDS},
            "examined": dict(self.examined),
            "notes": list(self.notes),
        }


# -- reading the repository ---------------------------------------------------------------


def _list_files(root: Path) -> list[str]:
    from agentdeck import vcs

    if vcs.is_repository(root):
        try:
            files = vcs.list_files(root)
            return [f for f in files if (root / f).is_file()]
        except vcs.GitError:
            pass
    found = []
    for folder, dirs, names in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in _SKIP_DIRS and not d.startswith("."))
        for name in names:
            found.append(str(Path(folder, name).relative_to(root).as_posix()))
    return sorted(found)


def _read_text(path: Path) -> str | None:
    try:
        if path.stat().st_size > _MAX_TEXT:
            return None
        data = path.read_bytes()
    except OSError:
        return None
    if b"\x00" in data[:8192]:
        return None
    return data.decode("utf-8", "replace")


@dataclass
class _Repo:
    root: Path
    files: list[str]
    texts: dict[str, str]

    def text(self, path: str) -> str:
        return self.texts.get(path, "")


def _is_referrer(path: str) -> bool:
    """Files whose mentions of a script or module make it live."""
    p = PurePosixPath(path)
    name = p.name.lower()
    parts = p.parts
    if name in ("makefile", "gnumakefile", "justfile", "jenkinsfile", "procfile", "vagrantfile"):
        return True
    if name.endswith((".mk", ".just")):
        return True
    if name.startswith(("readme", "dockerfile", "docker-compose", "compose.")):
        return True
    if name in (
        "pyproject.toml",
        "setup.cfg",
        "setup.py",
        "tox.ini",
        "noxfile.py",
        "package.json",
        ".pre-commit-config.yaml",
        "taskfile.yml",
        ".gitlab-ci.yml",
        ".travis.yml",
        "azure-pipelines.yml",
        "bitbucket-pipelines.yml",
        "mkdocs.yml",
        "cargo.toml",
    ):
        return True
    return bool(
        parts
        and (
            parts[0] in (".ci", ".circleci", ".buildkite", "ci")
            or (len(parts) > 2 and parts[0] == ".github" and parts[1] == "workflows")
        )
    )


def _mentions(text: str, name: str) -> bool:
    return re.search(rf"(?<![\w.-]){re.escape(name)}(?![\w-])", text) is not None


# -- Python: modules, imports, entry points -------------------------------------------------


def _module_name(root: Path, path: str) -> str:
    """Dotted name of a Python file: from the first folder above it without ``__init__.py``."""
    parts = list(PurePosixPath(path).with_suffix("").parts)
    folder = PurePosixPath(path).parent
    package: list[str] = []
    while folder != PurePosixPath(".") and (root / folder / "__init__.py").is_file():
        package.insert(0, folder.name)
        folder = folder.parent
    name = parts[-1]
    if name == "__init__":
        return ".".join(package)
    return ".".join([*package, name])


@dataclass
class _Imports:
    names: set[str] = field(default_factory=set)
    #: Packages named as an f-string prefix (``f"pkg.{name}"``): their modules load by name.
    dynamic: set[str] = field(default_factory=set)
    by_file: dict[str, set[str]] = field(default_factory=dict)


_MAIN_GUARD = re.compile(r"^if __name__ == ['\"]__main__['\"]:", re.M)
_DOTTED = re.compile(r"^[A-Za-z_][\w]*(?:\.[A-Za-z_][\w]*)+(?::[\w.]+)?$")


def _collect_imports(repo: _Repo, modules: dict[str, str]) -> _Imports:
    found = _Imports()
    for path in repo.files:
        if not path.endswith(".py"):
            continue
        text = repo.texts.get(path)
        if text is None:
            continue
        try:
            tree = ast.parse(text, filename=path)
        except (SyntaxError, ValueError):
            continue
        own = modules.get(path) or _module_name(repo.root, path)
        is_package = path.endswith("__init__.py")
        package = own if is_package else own.rpartition(".")[0]
        names: set[str] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    names.add(alias.name)
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = package.split(".") if package else []
                    if node.level > 1:
                        anchor = anchor[: len(anchor) - (node.level - 1)]
                    base = ".".join([*anchor, *([base] if base else [])])
                if base:
                    names.add(base)
                for alias in node.names:
                    if alias.name != "*":
                        names.add(f"{base}.{alias.name}" if base else alias.name)
            elif isinstance(node, ast.Constant) and isinstance(node.value, str):
                value = node.value.strip()
                if _DOTTED.match(value):
                    names.add(value.split(":", 1)[0])
            elif isinstance(node, ast.JoinedStr) and node.values:
                first = node.values[0]
                if isinstance(first, ast.Constant) and isinstance(first.value, str):
                    prefix = first.value
                    if prefix.endswith(".") and _DOTTED.match(prefix[:-1] + ".x"):
                        found.dynamic.add(prefix[:-1])
        expanded = set()
        for name in names:
            pieces = name.split(".")
            expanded.update(".".join(pieces[:i]) for i in range(1, len(pieces) + 1))
        expanded.discard(own)
        found.by_file[path] = expanded
        found.names |= expanded
    return found


_ENTRY = re.compile(r"=\s*['\"]?([A-Za-z_][\w.]*)(?::[\w.]+)?")


def _entry_points(repo: _Repo) -> set[str]:
    """Modules named by entry points in pyproject.toml, setup.cfg and setup.py."""
    declared: set[str] = set()
    pyproject = repo.texts.get("pyproject.toml")
    if pyproject:
        try:
            data = tomllib.loads(pyproject)
        except tomllib.TOMLDecodeError:
            data = {}
        project = data.get("project", {})
        tables = [project.get("scripts", {}), project.get("gui-scripts", {})]
        tables += list(project.get("entry-points", {}).values())
        tables.append(data.get("tool", {}).get("poetry", {}).get("scripts", {}))
        for table in tables:
            if isinstance(table, dict):
                for target in table.values():
                    if isinstance(target, str):
                        declared.add(target.split(":", 1)[0].strip())
    for name in ("setup.cfg", "setup.py"):
        text = repo.texts.get(name)
        if text:
            declared.update(
                m.group(1) for m in _ENTRY.finditer(text) if "." in m.group(1) or ":" in m.group(0)
            )
    expanded = set()
    for name in declared:
        pieces = name.split(".")
        expanded.update(".".join(pieces[:i]) for i in range(1, len(pieces) + 1))
    return expanded


# -- pytest collection ------------------------------------------------------------------------

_DEFAULT_NORECURSE = [
    "*.egg",
    ".*",
    "_darcs",
    "build",
    "CVS",
    "dist",
    "node_modules",
    "venv",
    "{arch}",
]


@dataclass
class _PytestRules:
    roots: list[str]
    python_files: list[str]
    norecurse: list[str]
    where: str


def _ini_list(value: Any) -> list[str]:
    if isinstance(value, list):
        return [str(v) for v in value]
    if isinstance(value, str):
        return value.split()
    return []


def _pytest_rules(repo: _Repo, argv: list[str]) -> _PytestRules:
    options: dict[str, Any] = {}
    where = "pytest defaults"
    if "pytest.ini" in repo.texts:
        parser = configparser.ConfigParser()
        try:
            parser.read_string(repo.texts["pytest.ini"])
            options = dict(parser["pytest"]) if parser.has_section("pytest") else {}
            where = "pytest.ini"
        except configparser.Error:
            pass
    elif "[tool.pytest.ini_options]" in repo.text("pyproject.toml"):
        try:
            options = tomllib.loads(repo.texts["pyproject.toml"])["tool"]["pytest"]["ini_options"]
            where = "pyproject.toml"
        except (tomllib.TOMLDecodeError, KeyError):
            pass
    else:
        for name, section in (("tox.ini", "pytest"), ("setup.cfg", "tool:pytest")):
            if f"[{section}]" in repo.text(name):
                parser = configparser.ConfigParser()
                try:
                    parser.read_string(repo.texts[name])
                    options = dict(parser[section])
                    where = name
                except configparser.Error:
                    pass
                break
    args = [
        a for a in argv[1:] if not a.startswith("-") and (repo.root / a.split("::")[0]).exists()
    ]
    roots = (
        [a.split("::")[0].rstrip("/") for a in args] or _ini_list(options.get("testpaths")) or ["."]
    )
    return _PytestRules(
        roots=roots,
        python_files=_ini_list(options.get("python_files")) or ["test_*.py", "*_test.py"],
        norecurse=_ini_list(options.get("norecursedirs")) or list(_DEFAULT_NORECURSE),
        where="the command's paths" if args else where,
    )


def _has_test_functions(text: str | None) -> bool:
    """Whether a module defines test functions or test classes (read with ``ast``, not grep)."""
    if not text or "def test" not in text:
        return False
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return False
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name.startswith(
            "test"
        ):
            return True
        if isinstance(node, ast.ClassDef) and node.name.startswith("Test"):
            return True
    return False


def _looks_like_test(path: str, text: str | None) -> bool:
    """A Python test file: named like one, or a module of a tests folder that defines tests."""
    p = PurePosixPath(path)
    if p.suffix != ".py" or p.name in ("conftest.py", "__init__.py"):
        return False
    if (
        p.name.startswith("test_")
        or p.name.endswith("_test.py")
        or p.name in ("test.py", "tests.py")
    ):
        return True
    in_tests = any(part in ("tests", "test", "testing") for part in p.parts[:-1])
    return in_tests and _has_test_functions(text)


def _why_not_collected(path: str, rules: _PytestRules) -> str | None:
    p = PurePosixPath(path)
    inside = [r for r in rules.roots if r in (".", "") or path == r or path.startswith(r + "/")]
    if not inside:
        return f"outside the paths pytest collects ({', '.join(rules.roots)}, from {rules.where})"
    if path in rules.roots:
        return None  # named directly
    for part in p.parts[:-1]:
        for pattern in rules.norecurse:
            if fnmatch.fnmatch(part, pattern):
                return f"in {part}/, which pytest skips (norecursedirs {pattern!r})"
    if not any(fnmatch.fnmatch(p.name, pattern) for pattern in rules.python_files):
        return f"its name does not match python_files ({' '.join(rules.python_files)})"
    return None


# -- the inventory ----------------------------------------------------------------------------


def find_dormant(ws: Workspace) -> Inventory:
    """The dormant scripts, modules, docs and tests of the workspace's repository."""
    root = ws.root
    ignore = list(ws.config.get("inventory", "ignore"))
    files = [
        f
        for f in _list_files(root)
        if not f.startswith(".agentdeck/") and not any(fnmatch.fnmatch(f, g) for g in ignore)
    ]
    texts: dict[str, str] = {}
    for f in files:
        text = _read_text(root / f)
        if text is not None:
            texts[f] = text
    repo = _Repo(root, files, texts)
    notes: list[str] = []
    parts: list[DormantPart] = []
    examined = dict.fromkeys(KINDS, 0)

    # Which test command, and so which files are tests.
    test_rules: _PytestRules | None = None
    try:
        from agentdeck.ops.testrun.detect import detect_command

        command = detect_command(root, ws.config.get("tests", "command"))
        if command.runner == "pytest":
            test_rules = _pytest_rules(
                repo,
                command.argv[command.argv.index("pytest") :]
                if "pytest" in command.argv
                else command.argv,
            )
        else:
            notes.append(
                f"the test command ({' '.join(command.argv)}) is not pytest: test collection not checked"
            )
    except Exception as err:  # NotFound / InvalidInput: say so, check the rest
        notes.append(f"no test command: test collection not checked ({err})")

    tests = {f for f in files if _looks_like_test(f, texts.get(f))}
    scripts = {f for f in files if f not in tests and _is_script(root, f, texts.get(f))}
    python = [f for f in files if f.endswith(".py") and f not in tests]
    modules = {f: _module_name(root, f) for f in python}
    imports = _collect_imports(repo, modules)
    entry = _entry_points(repo)
    referrers = [f for f in files if _is_referrer(f) and f in texts]
    referrer_text = "\n".join(texts[f] for f in referrers)

    # Scripts.
    for path in sorted(scripts):
        examined["script"] += 1
        name = PurePosixPath(path).name
        others = [s for s in scripts if s != path and s in texts]
        if _mentions(referrer_text, name) or any(_mentions(texts[s], name) for s in others):
            continue
        if path.endswith(".py") and modules.get(path) in imports.names:
            continue
        parts.append(
            DormantPart(
                "script",
                path,
                f"no Makefile, CI file, README, manifest or other script mentions {name}",
            )
        )

    # Python modules.
    for path in sorted(python):
        name = PurePosixPath(path).name
        if path in scripts or name in _TOOL_FILES or (name == "conf.py" and "docs" in path):
            continue
        module = modules[path]
        examined["module"] += 1
        if module in imports.names or module in entry:
            continue
        if module.rpartition(".")[0] in imports.dynamic:
            continue
        if _mentions(referrer_text, module):
            continue
        parts.append(
            DormantPart(
                "module",
                path,
                f"nothing imports {module} and no entry point, Makefile, CI file or README names it",
            )
        )

    # Docs.
    notes_paths = _notes_paths(ws)
    for path in sorted(files):
        p = PurePosixPath(path)
        is_doc = p.suffix.lower() in _DOC_EXT or (
            p.suffix.lower() == ".txt" and "docs" in p.parts[:-1]
        )
        if not is_doc or _ALWAYS_LIVE_DOCS.match(p.name) or p.parts[0] == ".github":
            continue
        if path in notes_paths or any(path.startswith(n.rstrip("/") + "/") for n in notes_paths):
            continue
        examined["doc"] += 1
        if _doc_linked(repo, path):
            continue
        parts.append(DormantPart("doc", path, f"no other file links to or names {p.name}"))

    # Tests.
    if test_rules is not None:
        for path in sorted(tests):
            examined["test"] += 1
            why = _why_not_collected(path, test_rules)
            if why:
                parts.append(
                    DormantPart("test", path, f"the test command would not collect it: {why}")
                )

    parts.sort(key=lambda p: (KINDS.index(p.kind), p.path))
    return Inventory(parts, examined, notes)


def _is_script(root: Path, path: str, text: str | None) -> bool:
    p = PurePosixPath(path)
    if p.suffix.lower() in _SCRIPT_EXT:
        return True
    if p.suffix.lower() in _DOC_EXT or p.suffix.lower() in (
        ".json",
        ".toml",
        ".yml",
        ".yaml",
        ".txt",
        ".cfg",
        ".ini",
    ):
        return False
    in_package = p.suffix == ".py" and (root / p.parent / "__init__.py").is_file()
    if text is not None and text.startswith("#!"):
        return not in_package  # a module of a package that also runs is a module
    if p.suffix == ".py" and not in_package and text and _MAIN_GUARD.search(text):
        return True  # a stand-alone file meant to be run: python path/to/it.py
    if p.suffix == "":
        try:
            mode = (root / path).stat().st_mode
        except OSError:
            return False
        return bool(mode & stat.S_IXUSR) and text is not None
    return False


def _notes_paths(ws: Workspace) -> set[str]:
    """The notes agentdeck renders ([notes]): live by configuration."""
    try:
        section = ws.config.section("notes")
    except KeyError:
        return set()
    return {str(v).strip("/") for v in section.values() if isinstance(v, str)}


_LINK = re.compile(r"\]\(\s*<?([^)\s>]+)|^\s*\[[^\]]+\]:\s*(\S+)|(?:href|src)=[\"']([^\"']+)", re.M)


def _doc_linked(repo: _Repo, path: str) -> bool:
    target = PurePosixPath(path)
    name = target.name
    stem_path = str(target.with_suffix(""))
    for other, text in repo.texts.items():
        if other == path:
            continue
        if name in text and _mentions(text, name):
            return True
        base = PurePosixPath(other).parent
        for match in _LINK.finditer(text):
            link = next(g for g in match.groups() if g)
            link = link.split("#", 1)[0].split("?", 1)[0]
            if not link or "://" in link:
                continue
            resolved = (
                os.path.normpath(str(base / link)) if not link.startswith("/") else link.lstrip("/")
            )
            if resolved in (path, stem_path) or (
                resolved.rstrip("/") == str(target.parent) and name.lower().startswith("index")
            ):
                return True
        if other.endswith((".rst", ".yml", ".yaml", ".py")):
            relative = os.path.relpath(stem_path, str(base) or ".")
            for line in text.splitlines():
                entry = line.strip().strip("-").strip()
                entry = entry.split(":", 1)[-1].strip() if entry.startswith(":doc:") else entry
                if entry in (relative, stem_path, relative + target.suffix):
                    return True
    return False

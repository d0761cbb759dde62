"""Each changed file's category (code, tests, docs, scripts, config, data) and language.

Categories come from path globs: the user's ``[evidence.categories]`` first
(in file order), then the built-in rules below; the first match wins. A file
no glob matches is ``code`` when its language is a programming language, else
``other``. Globs follow .gitignore's habits: a glob without ``/`` matches the
file name in any folder; ``**`` matches any number of folders; ``*`` and ``?``
stay inside one folder.

Languages come from the file name (``Makefile``, ``Dockerfile``) or extension;
``[evidence.languages]`` adds or overrides extensions.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache

CATEGORIES = ("code", "tests", "docs", "scripts", "config", "data", "other")

#: Built-in rules, in order. Tests before docs and code, so ``tests/README.md``
#: is a test file's neighbour (tests) and ``tests/fixtures/x.json`` is tests.
DEFAULT_RULES: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "tests",
        (
            "tests/**",
            "test/**",
            "**/tests/**",
            "**/test/**",
            "**/__tests__/**",
            "spec/**",
            "**/spec/**",
            "test_*.*",
            "*_test.*",
            "*_tests.*",
            "*.test.*",
            "*.spec.*",
            "*_spec.rb",
            "conftest.py",
        ),
    ),
    # Names that other rules would take for docs.
    ("config", ("requirements*.txt", "constraints*.txt", "CMakeLists.txt")),
    (
        "docs",
        (
            "docs/**",
            "doc/**",
            "*.md",
            "*.markdown",
            "*.rst",
            "*.adoc",
            "*.txt",
            "README*",
            "CHANGELOG*",
            "CHANGES*",
            "LICENSE*",
            "COPYING*",
            "AUTHORS*",
            "NOTICE*",
        ),
    ),
    (
        "scripts",
        ("scripts/**", "script/**", "bin/**", "tools/**", "*.sh", "*.bash", "*.zsh", "*.ps1"),
    ),
    (
        "config",
        (
            ".github/**",
            ".gitlab-ci.yml",
            ".circleci/**",
            ".ci/**",
            "*.toml",
            "*.ini",
            "*.cfg",
            "*.conf",
            "*.yaml",
            "*.yml",
            ".env*",
            ".*rc",
            ".editorconfig",
            ".gitignore",
            ".gitattributes",
            ".dockerignore",
            "Dockerfile*",
            "*.dockerfile",
            "docker-compose*",
            "Makefile",
            "*.mk",
            "package.json",
            "package-lock.json",
            "tsconfig*.json",
            "*.lock",
            "setup.py",
            "go.mod",
            "go.sum",
            "Cargo.toml",
            "Gemfile",
            "Procfile",
        ),
    ),
    (
        "data",
        (
            "data/**",
            "fixtures/**",
            "*.csv",
            "*.tsv",
            "*.json",
            "*.jsonl",
            "*.ndjson",
            "*.xml",
            "*.parquet",
            "*.sqlite",
            "*.db",
            "*.xlsx",
            "*.png",
            "*.jpg",
            "*.jpeg",
            "*.gif",
            "*.webp",
            "*.ico",
            "*.pdf",
            "*.bin",
            "*.dat",
        ),
    ),
)

#: Extension (lower case, with the dot) -> language.
EXTENSIONS: dict[str, str] = {
    ".py": "Python",
    ".pyi": "Python",
    ".ipynb": "Jupyter Notebook",
    ".js": "JavaScript",
    ".mjs": "JavaScript",
    ".cjs": "JavaScript",
    ".jsx": "JavaScript",
    ".ts": "TypeScript",
    ".tsx": "TypeScript",
    ".mts": "TypeScript",
    ".go": "Go",
    ".rs": "Rust",
    ".java": "Java",
    ".kt": "Kotlin",
    ".kts": "Kotlin",
    ".scala": "Scala",
    ".swift": "Swift",
    ".m": "Objective-C",
    ".c": "C",
    ".h": "C",
    ".cc": "C++",
    ".cpp": "C++",
    ".cxx": "C++",
    ".hpp": "C++",
    ".hh": "C++",
    ".cs": "C#",
    ".fs": "F#",
    ".rb": "Ruby",
    ".php": "PHP",
    ".pl": "Perl",
    ".lua": "Lua",
    ".r": "R",
    ".jl": "Julia",
    ".dart": "Dart",
    ".ex": "Elixir",
    ".exs": "Elixir",
    ".erl": "Erlang",
    ".hs": "Haskell",
    ".clj": "Clojure",
    ".elm": "Elm",
    ".zig": "Zig",
    ".nim": "Nim",
    ".vue": "Vue",
    ".svelte": "Svelte",
    ".sh": "Shell",
    ".bash": "Shell",
    ".zsh": "Shell",
    ".fish": "Shell",
    ".ps1": "PowerShell",
    ".bat": "Batchfile",
    ".sql": "SQL",
    ".html": "HTML",
    ".htm": "HTML",
    ".css": "CSS",
    ".scss": "SCSS",
    ".sass": "Sass",
    ".less": "Less",
    ".md": "Markdown",
    ".markdown": "Markdown",
    ".rst": "reStructuredText",
    ".adoc": "AsciiDoc",
    ".tex": "TeX",
    ".txt": "Text",
    ".json": "JSON",
    ".jsonl": "JSON",
    ".yaml": "YAML",
    ".yml": "YAML",
    ".toml": "TOML",
    ".ini": "INI",
    ".cfg": "INI",
    ".xml": "XML",
    ".csv": "CSV",
    ".tsv": "TSV",
    ".proto": "Protocol Buffers",
    ".graphql": "GraphQL",
    ".tf": "HCL",
    ".hcl": "HCL",
    ".j2": "Jinja",
    ".jinja": "Jinja",
    ".mk": "Makefile",
}

#: Whole file names -> language.
FILENAMES: dict[str, str] = {
    "Makefile": "Makefile",
    "GNUmakefile": "Makefile",
    "Dockerfile": "Dockerfile",
    "Containerfile": "Dockerfile",
    "Jenkinsfile": "Groovy",
    "Gemfile": "Ruby",
    "Rakefile": "Ruby",
    "CMakeLists.txt": "CMake",
}

#: Languages that make an unmatched file ``code`` (markup, data and prose do not).
PROGRAMMING = frozenset(
    {
        "Python",
        "JavaScript",
        "TypeScript",
        "Go",
        "Rust",
        "Java",
        "Kotlin",
        "Scala",
        "Swift",
        "Objective-C",
        "C",
        "C++",
        "C#",
        "F#",
        "Ruby",
        "PHP",
        "Perl",
        "Lua",
        "R",
        "Julia",
        "Dart",
        "Elixir",
        "Erlang",
        "Haskell",
        "Clojure",
        "Elm",
        "Zig",
        "Nim",
        "Vue",
        "Svelte",
        "Shell",
        "PowerShell",
        "Batchfile",
        "SQL",
        "HTML",
        "CSS",
        "SCSS",
        "Sass",
        "Less",
        "Jupyter Notebook",
        "Protocol Buffers",
        "GraphQL",
        "HCL",
        "Jinja",
        "Groovy",
    }
)


def glob_to_regex(glob: str) -> str:
    """Translate one path glob to a regular expression (see the module docstring)."""
    pattern = glob.strip().lstrip("/") if "/" in glob.strip().rstrip("/") else glob.strip()
    anchored = "/" in pattern
    out = []
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif char == "*":
            out.append("[^/]*")
            i += 1
        elif char == "?":
            out.append("[^/]")
            i += 1
        elif char == "[":
            end = pattern.find("]", i + 1)
            if end == -1:
                out.append(re.escape(char))
                i += 1
            else:
                body = pattern[i + 1 : end].replace("\\", "\\\\")
                if body.startswith("!"):
                    body = "^" + body[1:]
                out.append(f"[{body}]")
                i = end + 1
        else:
            out.append(re.escape(char))
            i += 1
    body = "".join(out)
    if pattern.endswith("/"):
        body += ".*"
    return f"(?:{body})" if anchored else f"(?:(?:.*/)?{body})"


@dataclass(frozen=True)
class Classifier:
    """Category and language of paths, from rules and an extension table."""

    rules: tuple[tuple[str, re.Pattern[str]], ...]
    extensions: Mapping[str, str]

    def language(self, path: str) -> str | None:
        """The language of ``path``, or ``None`` when unknown."""
        name = path.rsplit("/", 1)[-1]
        if name in FILENAMES:
            return FILENAMES[name]
        dot = name.rfind(".")
        if dot <= 0 and not (dot == 0 and name.count(".") > 1):
            return None
        return self.extensions.get(name[dot:].lower())

    def category(self, path: str, language: str | None = None) -> str:
        """The category of ``path``: the first matching rule, else by language."""
        for name, regex in self.rules:
            if regex.fullmatch(path):
                return name
        lang = language if language is not None else self.language(path)
        return "code" if lang in PROGRAMMING else "other"

    def classify(self, path: str) -> tuple[str, str | None]:
        """``(category, language)`` of ``path``."""
        lang = self.language(path)
        return self.category(path, lang), lang


def make_classifier(
    user_rules: Mapping[str, Iterable[str]] | None = None,
    user_languages: Mapping[str, str] | None = None,
) -> Classifier:
    """A classifier with the user's rules and languages before the built-in ones."""
    key = (
        tuple((k, tuple(v)) for k, v in (user_rules or {}).items()),
        tuple((user_languages or {}).items()),
    )
    return _cached(*key)


@lru_cache(maxsize=8)
def _cached(
    user_rules: tuple[tuple[str, tuple[str, ...]], ...],
    user_languages: tuple[tuple[str, str], ...],
) -> Classifier:
    compiled = []
    for name, globs in (*user_rules, *DEFAULT_RULES):
        globs = tuple(g for g in globs if g.strip())
        if globs:
            compiled.append((name, re.compile("|".join(glob_to_regex(g) for g in globs))))
    extensions = dict(EXTENSIONS)
    for ext, lang in user_languages:
        extensions[(ext if ext.startswith(".") else "." + ext).lower()] = lang
    return Classifier(tuple(compiled), extensions)


def from_config(values: Mapping[str, object]) -> Classifier:
    """The classifier of a workspace config (``Config.values``)."""
    return make_classifier(
        values.get("evidence.categories") or {},  # type: ignore[arg-type]
        values.get("evidence.languages") or {},  # type: ignore[arg-type]
    )

"""What a session changed, measured from git: commits, files, lines, categories, languages.

``measure`` compares the baseline snapshot taken by ``session start`` (HEAD
plus every uncommitted and untracked file) with the same snapshot taken now:
the files are ``git diff --raw --numstat`` between the two trees, the
commits are ``git log --numstat`` between the two HEADs. ``git log`` runs in
the background while the end snapshot is taken and diffed.

When the baseline can no longer be found (history rewritten and pruned) the
evidence falls back to the commits made since the start time and says it is
partial. Outside git it says git is unavailable; the session still ends.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from agentdeck import vcs
from agentdeck.sessions.classify import Classifier
from agentdeck.sessions.model import SessionFile


@dataclass
class Evidence:
    """The measured record of a session's work."""

    #: Whether git could be used at all.
    git: bool
    #: ``snapshot`` (baseline to now), ``time-window`` (baseline lost), or ``none``.
    method: str
    partial: bool = False
    reason: str | None = None
    base: dict[str, Any] = field(default_factory=dict)
    end: dict[str, Any] = field(default_factory=dict)
    commits: list[vcs.CommitInfo] = field(default_factory=list)
    files: list[SessionFile] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    #: Whether the commits carry their own line counts (see ``commit_stats_limit``).
    commit_stats: bool = True

    def totals(self) -> dict[str, Any]:
        """Counts of files by change, lines added and removed, binary files."""
        changes: dict[str, int] = defaultdict(int)
        for item in self.files:
            changes[item.change] += 1
        return {
            "files": len(self.files),
            "created": changes["created"],
            "modified": changes["modified"],
            "deleted": changes["deleted"],
            "renamed": changes["renamed"],
            "binary": sum(1 for f in self.files if f.binary),
            "added": sum(f.added or 0 for f in self.files),
            "removed": sum(f.removed or 0 for f in self.files),
        }

    def by(self, attribute: str) -> dict[str, dict[str, int]]:
        """Files, lines added and removed per category (or language)."""
        out: dict[str, dict[str, int]] = {}
        for item in self.files:
            key = getattr(item, attribute) or "unknown"
            row = out.setdefault(key, {"files": 0, "added": 0, "removed": 0})
            row["files"] += 1
            row["added"] += item.added or 0
            row["removed"] += item.removed or 0
        return dict(sorted(out.items(), key=lambda kv: (-kv[1]["files"], kv[0])))

    def summary(self) -> dict[str, Any]:
        """The JSON stored in ``sessions.evidence`` (per-file rows live in ``session_files``)."""
        return {
            "git": self.git,
            "method": self.method,
            "partial": self.partial,
            "reason": self.reason,
            "warnings": list(self.warnings),
            "base": self.base,
            "end": self.end,
            "commits": len(self.commits),
            "commit_stats": self.commit_stats,
            "totals": self.totals(),
            "categories": self.by("category"),
            "languages": self.by("language"),
        }


def measure(
    root: Path,
    baseline: dict[str, Any] | None,
    started_at: str,
    classifier: Classifier,
    *,
    renames: bool = True,
    commit_stats_limit: int = 100,
) -> Evidence:
    """Measure the work done in ``root`` since ``baseline`` (see the module docstring).

    Never raises for a missing repository or baseline: the evidence says what
    could not be measured. ``GitError`` from a broken git is reported the same way.
    """
    if not vcs.is_repository(root):
        return Evidence(False, "none", True, "the workspace is not a git repository")
    try:
        return _measure(root, baseline or {}, started_at, classifier, renames, commit_stats_limit)
    except vcs.GitError as err:
        return Evidence(False, "none", True, f"git failed: {err}")


def _measure(
    root: Path,
    baseline: dict[str, Any],
    started_at: str,
    classifier: Classifier,
    renames: bool,
    commit_stats_limit: int,
) -> Evidence:
    base_tree = baseline.get("tree")
    base_head = baseline.get("head")
    # One cat-file for HEAD and the baseline's tree and commit.
    found = vcs.resolve_objects(
        root, ["HEAD", *([base_tree] if base_tree else []), *([base_head] if base_head else [])]
    )
    head_now = found[0][0] if found[0][1] == "commit" else None
    usable = bool(base_tree) and found[1][1] == "tree"
    if usable and base_head and found[2][1] != "commit":
        usable = False
    if usable:
        evidence = Evidence(True, "snapshot")
        wait_log = None
        if head_now:
            # The plain log is cheap; per-commit line counts cost a diff per commit,
            # so they are taken (in the background) only for spans up to the limit.
            evidence.commits = vcs.log_range(
                root, base_head, head_now, renames=renames, numstat=False
            )()
            if len(evidence.commits) <= commit_stats_limit:
                wait_log = vcs.log_range(
                    root, base_head, head_now, renames=renames, background=True
                )
            else:
                evidence.commit_stats = False
        end = vcs.snapshot(root, make_commit=False)
        raw = vcs.diff_trees(root, str(base_tree), end.tree, renames=renames)()
        if wait_log:
            evidence.commits = wait_log()
        evidence.base = {"head": base_head, "tree": base_tree}
    else:
        evidence = Evidence(True, "time-window", partial=True)
        if not baseline.get("tree"):
            evidence.reason = "no git baseline was taken when the session started"
        else:
            evidence.reason = (
                f"the baseline commit {str(base_head or base_tree)[:12]} no longer exists "
                "(history rewritten or pruned); commits are those made since the start time "
                "and files are measured from the parent of the first of them"
            )
        shas = vcs.commits_since(root, started_at) if head_now else []
        start_from = vcs.parent_of(root, shas[0]) if shas else head_now
        end = vcs.snapshot(root, make_commit=False)
        base = start_from or _EMPTY_TREE
        raw = vcs.diff_trees(root, base, end.tree, renames=renames)()
        if shas:
            evidence.commits = vcs.log_range(
                root,
                start_from,
                shas[-1],
                renames=renames,
                numstat=len(shas) <= commit_stats_limit,
            )()
            evidence.commit_stats = len(shas) <= commit_stats_limit
            evidence.commits = [c for c in evidence.commits if c.sha in set(shas)]
        evidence.base = {"head": start_from, "tree": None}
    evidence.end = {"head": end.head, "tree": end.tree, "branch": end.branch, "dirty": end.dirty}
    for item in raw:
        category, language = classifier.classify(item.path)
        evidence.files.append(
            SessionFile(
                item.path,
                item.change,
                item.old_path,
                item.added,
                item.removed,
                item.binary,
                category,
                language,
            )
        )
    return evidence


_EMPTY_TREE = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"

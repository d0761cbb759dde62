"""Full-text search over task titles, descriptions and notes.

SQLite uses its FTS5 index (porter stemming, bm25 ranking, title weighted
over description over notes); PostgreSQL uses its own ``tsvector`` column
with the English configuration and ``ts_rank`` with the same weighting. Words
are matched with stemming on both ("migrations" finds "migration"); a word
ending in ``*`` matches as a prefix. All words must match.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from agentdeck.backlog.model import Task
from agentdeck.backlog.tasks import load_tasks
from agentdeck.errors import InvalidInput
from agentdeck.store import Store

_WORD = re.compile(r"\w+\*?")


@dataclass
class SearchHit:
    """A task that matched, with its rank (higher is better)."""

    task: Task
    rank: float


def _words(query: str) -> list[str]:
    words = _WORD.findall(query)
    if not words:
        raise InvalidInput(f"nothing to search for in {query!r}; give one or more words")
    return words


def search_tasks(
    store: Store, query: str, *, limit: int = 20, open_only: bool = False
) -> list[SearchHit]:
    """Tasks matching every word of ``query``, best first."""
    words = _words(query)
    extra = (
        " AND t.status NOT IN ('done', 'cancelled') AND t.archived_at IS NULL" if open_only else ""
    )
    if store.dialect.is_postgres:
        terms = " & ".join(f"{w[:-1]}:*" if w.endswith("*") else w for w in words)
        rows = store.query(
            "SELECT t.id, ts_rank(t.search, q) AS rank FROM tasks t, to_tsquery('english', ?) q "
            f"WHERE t.search @@ q{extra} ORDER BY rank DESC, t.id LIMIT ?",
            (terms, limit),
        )
        ranks = {r["id"]: float(r["rank"]) for r in rows}
    else:
        terms = " ".join(f'"{w[:-1]}"*' if w.endswith("*") else f'"{w}"' for w in words)
        rows = store.query(
            "SELECT t.id, -bm25(tasks_fts, 10.0, 5.0, 1.0) AS rank FROM tasks_fts "
            f"JOIN tasks t ON t.num = tasks_fts.rowid WHERE tasks_fts MATCH ?{extra} "
            "ORDER BY rank DESC, t.id LIMIT ?",
            (terms, limit),
        )
        ranks = {r["id"]: float(r["rank"]) for r in rows}
    if not ranks:
        return []
    marks = ", ".join("?" * len(ranks))
    tasks = {t.id: t for t in load_tasks(store, f"t.id IN ({marks})", list(ranks))}
    return [SearchHit(tasks[i], rank) for i, rank in ranks.items() if i in tasks]

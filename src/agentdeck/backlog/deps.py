"""Task dependencies: a directed acyclic graph; an edge that would close a cycle is refused."""

from __future__ import annotations

from collections.abc import Iterable

from agentdeck import clock
from agentdeck.backlog.tasks import (
    _lock,
    check_task_id,
    default_actor,
    open_session_for,
    record_event,
)
from agentdeck.errors import Conflict, InvalidInput, NotFound
from agentdeck.store import Store


def find_path(edges: Iterable[tuple[str, str]], start: str, goal: str) -> list[str] | None:
    """A path ``start -> ... -> goal`` following ``task -> depends_on`` edges, or ``None``.

    Iterative depth-first search: the graph may be deep (long chains) and
    Python's recursion limit must not decide whether a cycle is found.
    """
    graph: dict[str, list[str]] = {}
    for task, dep in edges:
        graph.setdefault(task, []).append(dep)
    parent: dict[str, str | None] = {start: None}
    stack = [start]
    while stack:
        node = stack.pop()
        if node == goal:
            path = [node]
            while parent[path[-1]] is not None:
                path.append(parent[path[-1]])  # type: ignore[arg-type]
            return list(reversed(path))
        for nxt in graph.get(node, ()):
            if nxt not in parent:
                parent[nxt] = node
                stack.append(nxt)
    return None


def find_cycle(edges: Iterable[tuple[str, str]]) -> list[str] | None:
    """One cycle of the graph as ``[a, b, ..., a]``, or ``None`` when it is acyclic.

    Iterative three-colour depth-first search over the whole graph: linear in
    its size, so checking a 10,000-task import costs milliseconds.
    """
    graph: dict[str, list[str]] = {}
    for task, dep in edges:
        graph.setdefault(task, []).append(dep)
    done: set[str] = set()
    for root in graph:
        if root in done:
            continue
        path = [root]
        index = {root: 0}
        stack = [iter(graph.get(root, ()))]
        while stack:
            nxt = next(stack[-1], None)
            if nxt is None:
                stack.pop()
                node = path.pop()
                del index[node]
                done.add(node)
                continue
            if nxt in index:
                return [*path[index[nxt] :], nxt]
            if nxt in done:
                continue
            index[nxt] = len(path)
            path.append(nxt)
            stack.append(iter(graph.get(nxt, ())))
    return None


def add_dependency(
    store: Store, task_id: str, depends_on: str, *, actor: str | None = None
) -> None:
    """Make ``task_id`` wait on ``depends_on``.

    Raises ``Conflict`` with the cycle spelled out (``A -> B -> A``) when
    ``depends_on`` already waits, directly or not, on ``task_id``.
    """
    actor = actor or default_actor()
    task_id, depends_on = check_task_id(task_id), check_task_id(depends_on)
    if task_id == depends_on:
        raise InvalidInput(f"{task_id} cannot depend on itself")
    with store.transaction():
        task = _lock(store, task_id)
        if store.query_value("SELECT 1 FROM tasks WHERE id = ?", (depends_on,)) is None:
            raise NotFound(
                f"no task {depends_on}", hint="list IDs with `agentdeck task list --all`"
            )
        if depends_on in task.depends_on:
            return
        edges = [
            (r["task_id"], r["depends_on"])
            for r in store.query("SELECT task_id, depends_on FROM task_deps")
        ]
        path = find_path(edges, depends_on, task_id)
        if path is not None:
            cycle = " -> ".join([task_id, *path])
            raise Conflict(
                f"refused: {task_id} depending on {depends_on} would close the cycle {cycle}"
            )
        store.execute(
            "INSERT INTO task_deps (task_id, depends_on) VALUES (?, ?)", (task_id, depends_on)
        )
        store.execute("UPDATE tasks SET updated_at = ? WHERE id = ?", (clock.now_text(), task_id))
        record_event(
            store,
            task_id,
            actor,
            "dependency_added",
            data={"depends_on": depends_on},
            session_id=open_session_for(store, actor),
        )


def remove_dependency(
    store: Store, task_id: str, depends_on: str, *, actor: str | None = None
) -> None:
    """Stop ``task_id`` waiting on ``depends_on``. Raises ``NotFound`` if it did not."""
    actor = actor or default_actor()
    task_id, depends_on = check_task_id(task_id), check_task_id(depends_on)
    with store.transaction():
        _lock(store, task_id)
        removed = store.execute(
            "DELETE FROM task_deps WHERE task_id = ? AND depends_on = ?", (task_id, depends_on)
        )
        if not removed:
            raise NotFound(f"{task_id} does not depend on {depends_on}")
        record_event(
            store,
            task_id,
            actor,
            "dependency_removed",
            data={"depends_on": depends_on},
            session_id=open_session_for(store, actor),
        )

"""The dependency graph of a programme: free functions over its items, networkx style.

>>> from govflow.loading import load_text
>>> p = load_text('''
... govflow: 1
... id: g
... start: 2019-09-02
... items:
...   a: {duration: 2}
...   b: {after: [a]}
...   c: {after: [b], deadline: 2019-09-30}
... ''')
>>> topological_order(p)
['g:a', 'g:b', 'g:c']
>>> sorted(ancestors(p, "g:c"))
['g:a', 'g:b', 'g:c']
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING
from weakref import WeakKeyDictionary

from .model import Item, Programme

if TYPE_CHECKING:
    import networkx as nx

__all__ = ["ancestors", "dependency_graph", "predecessors", "topological_order"]


_ORDERS: WeakKeyDictionary[Programme, list[str]] = WeakKeyDictionary()


def topological_order(programme: Programme) -> list[str]:
    """Item keys with every item after its predecessors (Kahn); items on a cycle are left out.
    Ties keep the file's order, so results list items as their authors wrote them. Loading (which
    checks for cycles) and scheduling share one sort per programme."""
    order = _ORDERS.get(programme)
    if order is None:
        order = _ORDERS[programme] = _kahn(programme)
    return list(order)


def _kahn(programme: Programme) -> list[str]:
    items = programme.items
    keys = list(items)
    pos = {k: i for i, k in enumerate(keys)}
    waiting = [0] * len(keys)
    succs: list[list[int]] = [[] for _ in keys]
    for i, item in enumerate(items.values()):
        for pred in predecessors(item):
            p = pos.get(pred)
            if p is not None:  # a reference to a missing item is reported by the loader
                succs[p].append(i)
                waiting[i] += 1
    ready = [i for i, w in enumerate(waiting) if w == 0]
    for i in ready:  # the list grows while we walk it
        for s in succs[i]:
            waiting[s] -= 1
            if waiting[s] == 0:
                ready.append(s)
    return [keys[i] for i in ready]


def ancestors(programme: Programme, key: str) -> set[str]:
    """The item and everything it depends on, directly or not (everything that can move it)."""
    seen = {key}
    stack = [key]
    while stack:
        for pred in predecessors(programme.items[stack.pop()]):
            if pred not in seen:
                seen.add(pred)
                stack.append(pred)
    return seen


def dependency_graph(programme: Programme) -> nx.DiGraph:
    """Items as nodes, `after` entries as edges pred -> item (edge attribute `dep`), and a key
    decision's `notice_after` entries (attribute `notice`)."""
    import networkx as nx

    graph = nx.DiGraph()
    graph.add_nodes_from(programme.items)
    graph.add_edges_from((dep.pred, item.key, {"dep": dep}) for item in programme.items.values() for dep in item.after)
    graph.add_edges_from(
        (pred, item.key, {"notice": True}) for item in programme.items.values() for pred in item.notice_after
    )
    return graph


def predecessors(item: Item) -> Iterator[str]:
    """The keys an item waits for: its `after` entries, then its `notice_after` entries."""
    for dep in item.after:
        yield dep.pred
    yield from item.notice_after

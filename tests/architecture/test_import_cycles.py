"""No import circles among dispatch's modules, in the console or the server.

A circle makes the import order matter (one more import somewhere and a module is used half
built) and ties the layers together. grimp sees every import statement, also those inside
functions and under TYPE_CHECKING, so a lazy import that closes a circle is caught as well.
"""

from __future__ import annotations

import grimp


def circles(graph: grimp.ImportGraph) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan, iterative)."""
    modules = sorted(m for m in graph.modules if m.startswith("dispatch"))
    edges = {
        m: sorted(n for n in graph.find_modules_directly_imported_by(m) if n.startswith("dispatch"))
        for m in modules
    }
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found: list[list[str]] = []
    for root in modules:
        if root in index:
            continue
        work = [(root, 0)]
        while work:
            node, i = work.pop()
            if i == 0:
                index[node] = low[node] = len(index)
                stack.append(node)
                on_stack.add(node)
            nexts = edges[node]
            if i < len(nexts):
                work.append((node, i + 1))
                nxt = nexts[i]
                if nxt not in index:
                    work.append((nxt, 0))
                elif nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
                continue
            if work:  # back in the caller: carry the low link up
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                group = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == node:
                        break
                if len(group) > 1:
                    found.append(sorted(group))
    return found


def test_no_import_circles_among_dispatch_modules() -> None:
    graph = grimp.build_graph("dispatch", cache_dir=None)
    assert circles(graph) == []


def test_the_check_sees_a_circle() -> None:
    """The check itself can fail: a made-up circle through a lazy import is found."""
    graph = grimp.ImportGraph()
    for name in ("dispatch.a", "dispatch.b", "dispatch.c", "dispatch.d"):
        graph.add_module(name)
    graph.add_import(importer="dispatch.a", imported="dispatch.b")
    graph.add_import(importer="dispatch.b", imported="dispatch.c")
    graph.add_import(importer="dispatch.c", imported="dispatch.a")
    graph.add_import(importer="dispatch.c", imported="dispatch.d")
    assert circles(graph) == [["dispatch.a", "dispatch.b", "dispatch.c"]]

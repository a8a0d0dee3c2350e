"""The house's shape, held by the code's own imports (grimp, the graph behind import-linter):
no module reaches back to one that imports it, however far round, lazy imports included.

The layer rules (views above services above models; services never import what follows a
comment's life) are import-linter contracts in pyproject.toml, checked by ``make lint``.
"""

import grimp


def import_cycles(graph) -> list[list[str]]:
    """Every group of modules that import each other round a loop (Tarjan's strongly connected
    components of the import graph), each sorted; a module alone is no cycle."""
    index: dict[str, int] = {}
    lowest: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles = []

    def visit(module: str) -> None:
        index[module] = lowest[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for imported in graph.find_modules_directly_imported_by(module):
            if imported not in index:
                visit(imported)
                lowest[module] = min(lowest[module], lowest[imported])
            elif imported in on_stack:
                lowest[module] = min(lowest[module], index[imported])
        if lowest[module] == index[module]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == module:
                    break
            if len(group) > 1:
                cycles.append(sorted(group))

    for module in sorted(graph.modules):
        if module not in index:
            visit(module)
    return cycles


def test_the_package_has_no_import_cycle():
    graph = grimp.build_graph("commentsvc")
    assert len(graph.modules) > 40  # the whole package was read, not an empty graph
    assert import_cycles(graph) == []


def test_the_cycle_finder_finds_a_cycle_added_to_the_graph():
    graph = grimp.build_graph("commentsvc")
    # What posting would do if it told the moderators itself: notify already reads threads.
    graph.add_import(
        importer="commentsvc.threads.reading",
        imported="commentsvc.notify.events",
        line_number=1,
        line_contents="from commentsvc.notify.events import tell_moderators",
    )
    cycles = import_cycles(graph)
    assert any({"commentsvc.threads.reading", "commentsvc.notify.events"} <= set(c) for c in cycles)

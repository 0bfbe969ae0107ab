"""No import circle between the project's modules, counting imports inside functions.

grimp (the graph import-linter is built on) reads every `import` statement in the source,
including those in function bodies, without running any of it. A circle is a group of modules
that reach each other through imports (a strongly connected component); the failure names each
group and one circle through it, with the import lines that make it.
"""

import textwrap
from collections import deque
from itertools import pairwise
from pathlib import Path

import grimp

PROJECT_PACKAGES = ("driftwood", "tournaments", "wallet", "social", "chat", "integrations")


def import_graph(*packages: str) -> tuple[dict[str, set[str]], grimp.ImportGraph]:
    """Each module of `packages` (migrations aside) and the modules of `packages` it imports,
    with grimp's graph for the import details."""
    graph = grimp.build_graph(*packages, cache_dir=None)
    modules = {module for module in graph.modules if ".migrations." not in f"{module}."}
    return {module: graph.find_modules_directly_imported_by(module) & modules for module in modules}, graph


def circles(imports: dict[str, set[str]]) -> list[list[str]]:
    """One circle (first module repeated at the end) through each group, sorted."""
    return sorted(_shortest_circle(imports, group) for group in circle_groups(imports))


def circle_groups(imports: dict[str, set[str]]) -> list[set[str]]:
    """Every group of modules that import each other in a circle (Tarjan's strongly connected
    components of more than one module, or a module importing itself), without recursion."""
    index: dict[str, int] = {}
    lowlink: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[set[str]] = []
    for root in sorted(imports):
        if root in index:
            continue
        work = [(root, iter(sorted(imports[root])))]
        index[root] = lowlink[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            module, successors = work[-1]
            for successor in successors:
                if successor not in index:
                    index[successor] = lowlink[successor] = len(index)
                    stack.append(successor)
                    on_stack.add(successor)
                    work.append((successor, iter(sorted(imports[successor]))))
                    break
                if successor in on_stack:
                    lowlink[module] = min(lowlink[module], index[successor])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    lowlink[parent] = min(lowlink[parent], lowlink[module])
                if lowlink[module] == index[module]:
                    group = set()
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        group.add(member)
                        if member == module:
                            break
                    if len(group) > 1 or module in imports[module]:
                        groups.append(group)
    return groups


def _shortest_circle(imports: dict[str, set[str]], group: set[str]) -> list[str]:
    """The shortest circle through the group's first module, by breadth-first search inside the group."""
    start = min(group)
    came_from: dict[str, str] = {}
    queue = deque([start])
    while queue:
        module = queue.popleft()
        for successor in sorted(imports[module] & group):
            if successor == start:
                path = [module]
                while path[-1] != start:
                    path.append(came_from[path[-1]])
                return [*reversed(path), start]
            if successor not in came_from:
                came_from[successor] = module
                queue.append(successor)
    raise AssertionError(f"{sorted(group)} is not a circle")


def describe(imports: dict[str, set[str]], group: set[str], graph: grimp.ImportGraph) -> str:
    """The group's modules, then its shortest circle with the import lines that make it."""
    circle = _shortest_circle(imports, group)
    lines = [f"{len(group)} modules: {', '.join(sorted(group))}", "  " + " -> ".join(circle)]
    for importer, imported in pairwise(circle):
        for detail in graph.get_import_details(importer=importer, imported=imported):
            lines.append(f"    {importer} line {detail['line_number']}: {detail['line_contents']}")
    return "\n".join(lines)


def test_no_import_circle_between_project_modules():
    imports, graph = import_graph(*PROJECT_PACKAGES)

    groups = circle_groups(imports)

    assert len(imports) > 150, "the graph should hold every project module"
    assert not groups, "import circles:\n" + "\n".join(describe(imports, group, graph) for group in groups)


def _package(root: Path, name: str, modules: dict[str, str]) -> None:
    (root / name).mkdir()
    (root / name / "__init__.py").write_text("")
    for module, source in modules.items():
        (root / name / f"{module}.py").write_text(textwrap.dedent(source))


def test_a_circle_kept_alive_by_an_import_inside_a_function_is_found(tmp_path, monkeypatch):
    # given a package whose services enqueue a task from inside a function, and the task runs the services
    _package(
        tmp_path,
        "circle_demo",
        {
            "models": "",
            "services": """
                from circle_demo import models

                def enqueue():
                    from circle_demo.tasks import send
                    send()
            """,
            "tasks": "from circle_demo.services import enqueue\n",
            "views": "from circle_demo import services\n",
        },
    )
    monkeypatch.syspath_prepend(str(tmp_path))

    # when its graph is walked
    imports, graph = import_graph("circle_demo")
    groups = circle_groups(imports)

    # then the one circle is reported, with the import inside the function named
    assert groups == [{"circle_demo.services", "circle_demo.tasks"}]
    assert circles(imports) == [["circle_demo.services", "circle_demo.tasks", "circle_demo.services"]]
    assert "line 5: from circle_demo.tasks import send" in describe(imports, groups[0], graph)


def test_a_package_whose_tasks_and_enqueuers_are_split_has_no_circle(tmp_path, monkeypatch):
    # given the same package with the enqueuing moved out of what the task runs
    _package(
        tmp_path,
        "split_demo",
        {
            "work": "def send(): ...\n",
            "tasks": "from split_demo.work import send\n",
            "services": """
                def enqueue():
                    from split_demo.tasks import send
                    send()
            """,
        },
    )
    monkeypatch.syspath_prepend(str(tmp_path))

    imports, _ = import_graph("split_demo")

    assert imports["split_demo.services"] == {"split_demo.tasks"}
    assert circles(imports) == []


def test_longer_circles_and_self_imports_are_each_reported_once():
    imports = {
        "a": {"b"},
        "b": {"c"},
        "c": {"a", "d"},
        "d": set(),
        "e": {"e"},
        "f": {"g"},
        "g": {"f", "a"},
    }

    assert circles(imports) == [["a", "b", "c", "a"], ["e", "e"], ["f", "g", "f"]]

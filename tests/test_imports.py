"""The package's import graph: no module imports, directly or round about, a module that imports it.

Every import counts, also those inside functions and under ``TYPE_CHECKING``: hiding a circle there
is what this test is for.
"""

from __future__ import annotations

import ast

import pytest

from generator import paths

PACKAGE = paths.ROOT / "generator"


def imports(source: str) -> set[str]:
    """The ``generator`` modules a module's source imports, anywhere in it."""
    out: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.module:
            if node.module.startswith("generator."):
                out.add(node.module.split(".")[1])
            elif node.module == "generator":
                out |= {a.name for a in node.names if (PACKAGE / f"{a.name}.py").is_file()}
        elif isinstance(node, ast.Import):
            out |= {a.name.split(".")[1] for a in node.names if a.name.startswith("generator.")}
    return out


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The modules that reach each other round about (strongly connected, Tarjan), sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = stack[stack.index(v) :]
            del stack[stack.index(v) :]
            if len(group) > 1:
                found.append(sorted(group))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return sorted(found)


def test_the_circle_finder_finds_a_circle():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert circles(graph) == [["a", "b", "c"]]
    assert circles({"a": {"b"}, "b": set()}) == []


def test_the_import_graph_has_no_circle():
    files = PACKAGE.glob("*.py")
    graph = {p.stem: imports(p.read_text(encoding="utf-8")) - {p.stem} for p in files}
    assert graph["data"] >= {"schema", "validation", "localdata"}  # the scan sees the imports
    assert circles(graph) == []


# What computes: the views may read its result types, never call into it.
ENGINE = {"local", "fits", "tuning", "custom", "largest", "calculator"}
ENGINE_CALLS = {"compare", "compute_all", "plan", "instead", "page_selection", "heatmap_selection"}


def imported_names(source: str, module: str) -> set[str]:
    """The names a source imports from ``generator.<module>``."""
    return {
        a.name
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.ImportFrom) and node.module == f"generator.{module}"
        for a in node.names
    }


@pytest.mark.parametrize("view", ["pages", "charts"])
def test_pages_and_charts_read_results_and_compute_nothing(view):
    source = (PACKAGE / f"{view}.py").read_text(encoding="utf-8")
    assert not imports(source) & ENGINE
    assert not imported_names(source, "results") & ENGINE_CALLS
    assert "Results" in imported_names(source, "results")  # the scan sees this import

"""No import cycles in ``vkbot``: every import counts, including those inside functions.

An import placed inside a function to dodge a cycle still makes the modules depend on each other
(issue 13 found ``alerts -> health -> status -> config -> alerts`` hidden that way). The graph is read
from the source with ``ast``; imports under ``if TYPE_CHECKING:`` are not executed and are left out.
"""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "vkbot"


def _modules() -> dict[str, Path]:
    found = {}
    for path in sorted((ROOT / PACKAGE).rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imported(tree: ast.AST, module: str, is_package: bool, known: set[str] | None = None) -> set[str]:
    """Every module an import statement anywhere in ``tree`` loads (relative ones resolved).

    ``from pkg import sub`` loads the submodule ``pkg.sub`` when ``known`` has it, else ``pkg`` itself.
    """
    names: set[str] = set()
    skip: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and _is_type_checking(node):
            skip.update(id(inner) for stmt in node.body for inner in ast.walk(stmt))
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = module.split(".") if is_package else module.split(".")[:-1]
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            subs = {f"{base}.{alias.name}" for alias in node.names}
            loaded = subs & known if known is not None else subs
            names.update(loaded)
            if known is None or loaded != subs:
                names.add(base)
    return names


def import_graph() -> dict[str, set[str]]:
    modules = _modules()
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        tree = ast.parse(path.read_text("utf-8"), str(path))
        targets = _imported(tree, name, path.name == "__init__.py", set(modules))
        graph[name] = {t for t in targets if t in modules and t != name}
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle as a path ``[a, b, ..., a]``, or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            if nxt not in state and (cycle := visit(nxt)) is not None:
                return cycle
        path.pop()
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state and (cycle := visit(start)) is not None:
            return cycle
    return None


def test_vkbot_has_no_import_cycle() -> None:
    cycle = find_cycle(import_graph())
    assert cycle is None, " -> ".join(cycle or [])


def test_the_cycle_finder_sees_a_cycle_through_a_function_level_import() -> None:
    source = "def f():\n    from vkbot.b import x\n"
    tree = ast.parse(source)
    assert _imported(tree, "vkbot.a", False) == {"vkbot.b", "vkbot.b.x"}
    assert find_cycle({"vkbot.a": {"vkbot.b"}, "vkbot.b": {"vkbot.c"}, "vkbot.c": {"vkbot.a"}}) == [
        "vkbot.a",
        "vkbot.b",
        "vkbot.c",
        "vkbot.a",
    ]
    assert find_cycle({"vkbot.a": {"vkbot.b"}, "vkbot.b": set()}) is None


def test_every_vkbot_module_imports() -> None:
    for name in _modules():
        if name == "vkbot.migrations.env" or name.startswith("vkbot.migrations.versions"):
            continue  # alembic scripts: run by alembic, not importable on their own
        importlib.import_module(name)

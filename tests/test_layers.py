"""The Python packages are layers that import only downward (docs/architecture.md):

    semibench_core   paths, version, fault points: imports nothing of the project
    loadgen          the load generator, a tool on its own: core only
    ingest           fetch, validate, archive, land: core and loadgen's trace records
    semibench        CLI, pipeline, dbt runner, report, ops: everything below

Every import counts, also one inside a function (a lazy import still ties the layers together), and no two
modules may import each other, directly or round a loop."""

from __future__ import annotations

import ast
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
LAYERS = ["semibench_core", "loadgen", "ingest", "semibench"]


def modules() -> dict[str, Path]:
    found = {}
    for package in LAYERS:
        for path in (PROJECT / package).rglob("*.py"):
            parts = path.relative_to(PROJECT).with_suffix("").parts
            found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def imports_of(name: str, path: Path, known: dict[str, Path]) -> set[str]:
    """The project modules `name` imports (the longest known prefix of each imported name)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    named: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            named.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join(parent + ([base] if base else []))
            named.update(f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base for alias in node.names)
    found = set()
    for target in named:
        while target and target not in known:
            target = target.rpartition(".")[0]
        if target and target != name:
            found.add(target)
    return found


def graph() -> dict[str, set[str]]:
    known = modules()
    return {name: imports_of(name, path, known) for name, path in known.items()}


def test_every_import_points_down_the_layers():
    rank = {layer: i for i, layer in enumerate(LAYERS)}
    upward = sorted(f"{a} -> {b}" for a, targets in graph().items() for b in targets
                    if rank[b.split(".")[0]] > rank[a.split(".")[0]])
    assert not upward, "imports that point up the layers:\n" + "\n".join(upward)


def test_no_import_cycles():
    edges = graph()
    cycles, index, low, stack, on_stack = [], {}, {}, [], set()

    def visit(node: str) -> None:  # Tarjan's strongly connected components
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in edges[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for node in edges:
        if node not in index:
            visit(node)
    assert not cycles, "modules that import each other (round a loop): " + "; ".join(" <-> ".join(c) for c in cycles)


def test_the_check_sees_imports_inside_functions(tmp_path):
    """The walker must not miss a lazy import: the one kind that hid the cli <-> ops.cli loop."""
    path = tmp_path / "m.py"
    path.write_text("def f():\n    from semibench.cli import app\n")
    assert imports_of("ingest.m", path, {"semibench.cli": path, "ingest.m": path}) == {"semibench.cli"}


def test_no_sample_generator_in_the_runtime_packages():
    generators = [str(p.relative_to(PROJECT)) for layer in LAYERS for p in (PROJECT / layer).rglob("*.py")
                  if "def generate_" in p.read_text(encoding="utf-8")]
    assert not generators, f"sample/synthetic generators belong in sample_data/generators or bench/: {generators}"

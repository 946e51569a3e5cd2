"""The library's layers point down (docs/architecture.md), checked on the source with `ast`.

- `stats` imports nothing from trialflow but `errors`.
- `ingest` never imports `adam`; `adam` never imports `ard`, `figures` or `report`.
- `figures` and `report` never import `adam`, `ingest` or `stats`: they read ARD, curve and ADaM
  files and recompute nothing. The notebooks import only `report`, `io`, `config` and the bottom.
- Nothing imports `cli`; no module imports another module's underscore names; no cycles.
"""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SRC = REPO / "src" / "trialflow"

BOTTOM = {"errors", "vocab", "columns", "dates", "issues", "io", "ard_table"}
"""Modules at the bottom of the library: anything may import them."""

ALLOWED: dict[str, set[str]] = {
    "errors": set(),
    "vocab": set(),
    "columns": set(),
    "dates": {"errors"},
    "issues": {"errors"},
    "io": {"errors", "vocab", "columns"},
    "ard_table": set(),
    "config": BOTTOM,
    "stats": {"errors"},
    "ingest": BOTTOM | {"config"},
    "adam": BOTTOM | {"config", "stats"},
    "ard": BOTTOM | {"config", "stats"},
    "figures": BOTTOM | {"config"},
    "report": BOTTOM | {"config"},
    "audit": BOTTOM | {"config"},
    "simulate": BOTTOM | {"config"},
    "scripting": BOTTOM | {"config", "adam"},
    "worker": set(),
    "cli": BOTTOM | {"config", "stats", "audit", "simulate"},
}
"""For each top-level module or package of trialflow, the others it may import (besides itself)."""

NOTEBOOK_ALLOWED = BOTTOM | {"report", "config"}

PENDING: set[str] = set()
"""Known violations being removed (they fail strictly once fixed, so this set must shrink)."""


def _pending(name: str):
    return pytest.param(
        name, marks=pytest.mark.xfail(name in PENDING, reason="layer fix pending", strict=True)
    )


def _module_name(path: Path) -> str:
    rel = path.relative_to(SRC.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _imports(tree: ast.AST, module: str, is_package: bool) -> list[tuple[str, list[str]]]:
    """(imported trialflow module, imported names) for every import in `tree`, relative ones
    resolved against `module`."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "trialflow":
                    found.append((alias.name, []))
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".")
                base = base if is_package else base[:-1]
                base = base[: len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.split(".")[0] != "trialflow":
                continue
            names = [a.name for a in node.names]
            found.append((target, names))
    return found


def _library() -> dict[str, list[tuple[str, list[str]]]]:
    graph = {}
    for path in sorted(SRC.rglob("*.py")):
        module = _module_name(path)
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        graph[module] = _imports(tree, module, path.name == "__init__.py")
    return graph


def _layer(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "trialflow"


def _resolve(target: str, names: list[str], modules: set[str]) -> list[str]:
    """The trialflow modules an import statement loads: `from a.b import c` loads a.b.c when
    that is a module, else a.b."""
    out = []
    for name in names or [""]:
        candidate = f"{target}.{name}" if name else target
        out.append(candidate if candidate in modules else target)
    return sorted(set(out))


GRAPH = _library()
MODULES = set(GRAPH)


def test_every_layer_is_known():
    unknown = sorted({_layer(m) for m in MODULES} - set(ALLOWED) - {"trialflow"})
    assert not unknown, f"modules outside the documented layers: {unknown}"


@pytest.mark.parametrize("module", [_pending(m) for m in sorted(MODULES)])
def test_layers_point_down(module):
    layer = _layer(module)
    bad = []
    for target, names in GRAPH[module]:
        for loaded in _resolve(target, names, MODULES):
            other = _layer(loaded)
            if other in (layer, "trialflow"):
                continue
            if other not in ALLOWED.get(layer, set()):
                bad.append(f"{module} imports {loaded} ({layer} -> {other})")
    assert not bad, "; ".join(bad)


@pytest.mark.parametrize("module", sorted(MODULES))
def test_no_underscore_names_across_modules(module):
    bad = [
        f"{module} imports {name} from {target}"
        for target, names in GRAPH[module]
        for name in names
        if name.startswith("_") and target != module
    ]
    assert not bad, "; ".join(bad)


def test_no_import_cycles():
    edges = {
        m: {x for t, n in GRAPH[m] for x in _resolve(t, n, MODULES) if x != m} for m in MODULES
    }
    # a package's __init__ importing its own submodules is not a cycle worth reporting
    for m in MODULES:
        edges[m] = {x for x in edges[m] if not x.startswith(m + ".")}
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(m: str) -> list[str] | None:
        state[m] = 1
        stack.append(m)
        for x in sorted(edges[m]):
            if state.get(x) == 1:
                return stack[stack.index(x) :] + [x]
            if x not in state and (cycle := visit(x)):
                return cycle
        stack.pop()
        state[m] = 2
        return None

    for m in sorted(MODULES):
        if m not in state and (cycle := visit(m)):
            pytest.fail("import cycle: " + " -> ".join(cycle))


def test_nothing_imports_cli():
    users = [m for m in MODULES if _layer(m) != "cli" for t, _ in GRAPH[m] if _layer(t) == "cli"]
    assert not users, f"cli is imported by {users}"


def test_scripts_and_notebooks_do_not_import_cli():
    for path in sorted((REPO / "workflow" / "scripts").glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        assert all(_layer(t) != "cli" for t, _ in _imports(tree, "script", False)), path.name


@pytest.mark.parametrize(
    "script", sorted(p.name for p in (REPO / "workflow" / "scripts").glob("*.py"))
)
def test_scripts_hand_themselves_to_the_worker_before_any_other_import(script):
    """The first statements after the docstring are `from trialflow.worker import delegate`
    and `delegate()`, so a job in the warm worker imports nothing itself."""
    tree = ast.parse((REPO / "workflow" / "scripts" / script).read_text(encoding="utf-8"))
    body = [ast.unparse(node) for node in tree.body[1:3]]
    assert body == ["from trialflow.worker import delegate", "delegate()"], script


@pytest.mark.parametrize(
    "notebook", [_pending(p.name) for p in sorted((REPO / "notebooks").glob("*.ipynb"))]
)
def test_notebooks_only_display(notebook):
    """A notebook imports only the report helpers, io, config and the bottom of the library."""
    nb = json.loads((REPO / "notebooks" / notebook).read_text(encoding="utf-8"))
    bad = []
    for cell in nb["cells"]:
        if cell["cell_type"] != "code":
            continue
        source = "".join(cell["source"])
        tree = ast.parse(
            "\n".join(line for line in source.splitlines() if not line.startswith("%"))
        )
        for target, names in _imports(tree, "notebook", False):
            for loaded in _resolve(target, names, MODULES):
                if _layer(loaded) not in NOTEBOOK_ALLOWED:
                    bad.append(loaded)
    assert not bad, f"{notebook} imports {sorted(set(bad))}"


def test_the_check_sees_a_violation():
    """The checker itself: a synthetic `stats` module importing `adam` is reported."""
    tree = ast.parse("from trialflow.adam import adrs\nfrom trialflow.errors import InputError\n")
    imported = [_layer(t) for t, _ in _imports(tree, "trialflow.stats.fake", False)]
    assert [x for x in imported if x not in ALLOWED["stats"]] == ["adam"]

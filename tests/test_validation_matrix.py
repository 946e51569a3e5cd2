"""docs/validation.md names, for every clinical rule, its function and tests: they must exist."""

from __future__ import annotations

import ast
import importlib
import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
MATRIX = REPO / "docs" / "validation.md"


def _rows() -> list[tuple[str, str, str, str]]:
    rows = []
    for line in MATRIX.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 4 or not line.startswith("|") or set(cells[0]) <= {"-", " "}:
            continue
        if cells[0] in ("rule", "topic"):
            continue
        rows.append(tuple(cells))
    return rows


def _items(cell: str) -> list[str]:
    return [re.sub(r"[`*]", "", x).strip() for x in re.split(r"<br>|,\s", cell) if x.strip()]


RULES = [r for r in _rows() if r[2].startswith("`trialflow") or "trialflow." in r[2]]


def _functions() -> list[str]:
    return sorted({f for r in RULES for f in _items(r[2]) if f.startswith("trialflow.")})


def _tests() -> list[str]:
    return sorted({t for r in RULES for t in _items(r[3]) if t.startswith("tests/")})


def test_the_matrix_has_rules():
    assert len(RULES) >= 1


@pytest.mark.parametrize("dotted", _functions())
def test_named_function_exists(dotted):
    module, _, name = dotted.rpartition(".")
    obj = importlib.import_module(module)
    assert hasattr(obj, name), f"{dotted} does not exist"


def _test_names(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name.startswith(
            "test"
        ):
            names.add(node.name)
        if isinstance(node, ast.ClassDef):
            for sub in node.body:
                if isinstance(sub, ast.FunctionDef) and sub.name.startswith("test"):
                    names.add(f"{node.name}::{sub.name}")
    return names


@pytest.mark.parametrize("nodeid", _tests())
def test_named_test_exists(nodeid):
    path, _, name = nodeid.partition("::")
    file = REPO / path
    assert file.is_file(), f"{path} does not exist"
    name = name.split("[")[0]
    assert name in _test_names(file), f"{nodeid} does not exist"


def test_every_rule_names_a_source_a_function_and_a_test():
    for rule, source, function, tests in RULES:
        assert source and function and tests, f"incomplete row: {rule}"

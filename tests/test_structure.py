"""The library's shape: small modules, no import cycle, no private name used across modules.

Imports inside functions count too: a lazy import that closes a circle is still a circle
(``models`` and ``batched`` imported each other that way).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LIB = ROOT / "mia_lib"
MAX_LINES = 500


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


MODULES = {_module_name(p): p for p in sorted(LIB.rglob("*.py"))}


def _resolve(current: str, is_package: bool, module: str | None, level: int) -> str:
    if level == 0:
        return module or ""
    base = current.split(".")
    if not is_package:
        base = base[:-1]
    base = base[: len(base) - (level - 1)]
    return ".".join([*base, module] if module else base)


def _imports(name: str, path: Path):
    """(imported module, imported name or None, line) for every import of mia_lib code."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    is_package = path.name == "__init__.py"
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("mia_lib"):
                    yield alias.name, None, node.lineno
        elif isinstance(node, ast.ImportFrom):
            target = _resolve(name, is_package, node.module, node.level)
            if not target.startswith("mia_lib"):
                continue
            for alias in node.names:
                sub = f"{target}.{alias.name}"
                if sub in MODULES:
                    yield sub, None, node.lineno
                else:
                    yield target, alias.name, node.lineno


def _graph() -> dict[str, set[str]]:
    graph = {m: set() for m in MODULES}
    for name, path in MODULES.items():
        for target, _, _ in _imports(name, path):
            while target not in MODULES and "." in target:
                target = target.rsplit(".", 1)[0]
            if target != name and target in MODULES:
                graph[name].add(target)
    return graph


def _cycles(graph):
    """Strongly connected components with more than one module (Tarjan)."""
    index, low, stack, on, out, counter = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in graph:
        if v not in index:
            visit(v)
    return out


def _is_ancestor_package(importer: str, target: str) -> bool:
    """A package's __init__ re-exports its submodules: a submodule importing a *sibling*
    through ``from . import x`` resolves to the package, which is not a cycle by itself."""
    return importer.startswith(target + ".")


def test_no_module_is_longer_than_the_limit():
    long = {
        n: len(p.read_text(encoding="utf-8").splitlines())
        for n, p in MODULES.items()
        if len(p.read_text(encoding="utf-8").splitlines()) > MAX_LINES
    }
    assert not long, f"modules over {MAX_LINES} lines (split them by what they hold): {long}"


def test_no_import_cycle():
    graph = {
        m: {t for t in targets if not _is_ancestor_package(m, t)} for m, targets in _graph().items()
    }
    assert _cycles(graph) == [], "modules import each other in a circle"


def test_the_detector_finds_a_cycle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}) == [["a", "b", "c"]]


def test_no_private_name_is_imported_across_modules():
    bad = []
    for name, path in MODULES.items():
        for target, imported, line in _imports(name, path):
            if imported and imported.startswith("_") and target != name:
                bad.append(f"{path.relative_to(ROOT)}:{line} imports {imported} from {target}")
        tree = ast.parse(path.read_text(encoding="utf-8"))
        aliases = {
            a.asname or a.name.split(".")[0]
            for node in ast.walk(tree)
            if isinstance(node, ast.Import | ast.ImportFrom)
            for a in node.names
        }
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Attribute)
                and node.attr.startswith("_")
                and not node.attr.startswith("__")
                and isinstance(node.value, ast.Name)
                and node.value.id in aliases
                and node.value.id not in ("torch", "np", "self")
            ):
                bad.append(
                    f"{path.relative_to(ROOT)}:{node.lineno} uses {node.value.id}.{node.attr}"
                )
    assert not bad, "private names used across modules:\n" + "\n".join(bad)


@pytest.mark.parametrize(
    "source, expected",
    [
        ("from mia_lib.models import _x", "imports _x"),
        ("from .query import _check", "imports _check"),
    ],
)
def test_the_private_import_check_can_fail(tmp_path, source, expected):
    name = "mia_lib.fake"
    path = tmp_path / "fake.py"
    path.write_text(source)
    found = [imp for _, imp, _ in _imports(name, path) if imp and imp.startswith("_")]
    assert found and f"imports {found[0]}" == expected

"""The house stays clean: no import cycles (imports inside functions count), short modules,
private names kept inside their room, and ``import simsample`` light."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "simsample"
MAX_LINES = 500


def _modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


def _imports(name: str, path: Path, modules) -> set[str]:
    """Every package module ``name`` imports, wherever the import statement stands."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    targets = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")
                parent = parent[:len(parent) - node.level + 1]
                base = ".".join(parent + ([node.module] if node.module else []))
            candidates = [f"{base}.{alias.name}" for alias in node.names] + [base]
        elif isinstance(node, ast.Import):
            candidates = [alias.name for alias in node.names]
        else:
            continue
        for target in candidates:
            while target and target not in modules:
                target = target.rpartition(".")[0]
            # a module importing its own package's __init__ is not an edge (Python runs it first)
            if target and target != name and not name.startswith(target + ".") and \
                    target != "simsample":
                targets.add(target)
    return targets


def test_no_import_cycles():
    modules = _modules()
    graph = {name: _imports(name, path, modules) for name, path in modules.items()}
    state, stack, cycles = {}, [], []

    def visit(node):
        state[node] = "open"
        stack.append(node)
        for target in sorted(graph[node]):
            if state.get(target) == "open":
                cycles.append(stack[stack.index(target):] + [target])
            elif target not in state:
                visit(target)
        stack.pop()
        state[node] = "done"

    for node in sorted(graph):
        if node not in state:
            visit(node)
    assert cycles == []


def test_modules_are_short():
    long = {name: n for name, path in _modules().items()
            if (n := len(path.read_text().splitlines())) > MAX_LINES}
    assert long == {}


def test_private_names_stay_in_their_room():
    """``from simsample.room._private import ...`` only inside that room (or the floor)."""
    offenders = []
    for name, path in _modules().items():
        room = name.split(".")[1] if name.count(".") else ""
        for target in _imports(name, path, _modules()):
            parts = target.split(".")
            private = [p for p in parts[1:] if p.startswith("_") and p != "__init__"]
            if not private or parts[1].startswith("_"):   # the floor (_kernels, _rng...) is shared
                continue
            if parts[1] != room:
                offenders.append((name, target))
    assert offenders == []


@pytest.mark.parametrize("heavy", ["pandas", "scipy", "matplotlib", "numba"])
def test_import_simsample_is_light(heavy):
    code = f"import sys, simsample; print({heavy!r} in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.strip()
    assert out == "False"

"""The layering rules of DESIGN.md, checked on the real modules in fresh interpreters.

The core (bench/, but for bench/cli/, which wires every layer together) loads neither
Textual nor SQLAlchemy; a screen loads neither SQLAlchemy nor the store; drivers load
neither the store nor the screens; the store never loads the screens. The same rules run
as import-linter contracts (pyproject.toml) in scripts/test; these tests prove what a
running interpreter really loads, which a static check cannot see.
"""

from __future__ import annotations

import json
import pkgutil
import subprocess
import sys
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("bench", "screens", "drivers", "store")


def modules_of(package: str) -> list[str]:
    found = [package]
    for info in pkgutil.walk_packages([str(ROOT / package)], prefix=f"{package}."):
        if ".migrations" not in info.name:
            found.append(info.name)
    return found


def imported_after(module: str) -> set[str]:
    code = f"import importlib, json, sys; importlib.import_module({module!r}); " + (
        "print(json.dumps(sorted(sys.modules)))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return set(json.loads(out.stdout))


def packages_loaded(module: str) -> set[str]:
    return {name.split(".")[0] for name in imported_after(module)}


CORE = [m for m in modules_of("bench") if not m.startswith("bench.cli")]
SCREENS = modules_of("screens")


@pytest.mark.parametrize("module", CORE)
def test_the_core_loads_neither_textual_nor_sqlalchemy(module: str) -> None:
    loaded = packages_loaded(module)
    assert not loaded & {"textual", "sqlalchemy", "screens", "store"}
    # Labels are laid out in the core and drawn in drivers.labels.
    assert not loaded & {"PIL", "reportlab", "barcode"}


@pytest.mark.parametrize("module", SCREENS)
def test_a_screen_loads_neither_sqlalchemy_nor_the_store(module: str) -> None:
    assert not packages_loaded(module) & {"sqlalchemy", "store", "alembic", "psycopg"}


@pytest.mark.parametrize("module", modules_of("store") + modules_of("drivers"))
def test_store_and_drivers_never_load_textual(module: str) -> None:
    assert "textual" not in packages_loaded(module)


@pytest.mark.parametrize("module", modules_of("drivers"))
def test_drivers_load_neither_store_nor_screens(module: str) -> None:
    assert not packages_loaded(module) & {"store", "screens"}


@pytest.mark.parametrize("module", modules_of("store"))
def test_the_store_never_loads_the_screens_or_the_cli(module: str) -> None:
    loaded = imported_after(module)
    assert not {m for m in loaded if m.startswith(("screens", "bench.cli"))}


def test_the_checks_can_fail() -> None:
    """The UI really pulls Textual in, and the CLI's wiring really reaches the store."""
    assert "textual" in packages_loaded("screens.app")
    graph = grimp.build_graph(*PACKAGES)
    assert graph.chain_exists("bench.cli.station", "store.station")


def import_cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    """Groups of modules that import each other in a circle (Tarjan's strongly connected
    components), counting every import statement, at module level or in a function."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for imported in graph.find_modules_directly_imported_by(module):
            if imported not in index:
                visit(imported)
                low[module] = min(low[module], low[imported])
            elif imported in on_stack:
                low[module] = min(low[module], index[imported])
        if low[module] == index[module]:
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


def test_no_module_imports_itself_back_through_others() -> None:
    assert import_cycles(grimp.build_graph(*PACKAGES)) == []


def test_a_cycle_would_be_found() -> None:
    graph = grimp.ImportGraph()
    for importer, imported in (("a", "b"), ("b", "c"), ("c", "a"), ("c", "d")):
        graph.add_import(importer=importer, imported=imported)
    assert import_cycles(graph) == [["a", "b", "c"]]

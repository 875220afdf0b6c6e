"""The layering rules of DESIGN.md, checked on the real modules in fresh interpreters.

The domain core, the store and the drivers never import Textual; drivers import neither
the store nor the screens; the store never imports screens.
"""

from __future__ import annotations

import json
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# bench/ modules that are the UI itself; everything else in bench/ is core.
UI_MODULES = {"bench.app", "bench.messages", "bench.cli"}


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


CORE = [m for m in modules_of("bench") if m not in UI_MODULES]


@pytest.mark.parametrize("module", CORE + modules_of("store") + modules_of("drivers"))
def test_core_store_and_drivers_never_import_textual(module: str) -> None:
    assert "textual" not in imported_after(module)


@pytest.mark.parametrize("module", modules_of("drivers"))
def test_drivers_import_neither_store_nor_screens(module: str) -> None:
    loaded = imported_after(module)
    assert not {m for m in loaded if m.split(".")[0] in ("store", "screens")}


@pytest.mark.parametrize("module", modules_of("store"))
def test_store_never_imports_screens_or_the_app(module: str) -> None:
    loaded = imported_after(module)
    assert not {m for m in loaded if m.split(".")[0] == "screens" or m in UI_MODULES}


def test_the_ui_modules_do_import_textual() -> None:
    """The check above can fail: the app module really pulls Textual in."""
    assert "textual" in imported_after("bench.app")

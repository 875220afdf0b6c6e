"""Run in a fresh interpreter by tests/ui/test_startup_imports.py: start the station app on a
station file that exists already, no central, and print as JSON which modules were imported
on the UI thread before the login screen was mounted, and every module loaded by then.

A meta path finder notes the thread each module is first looked for on, so the answer does
not depend on how far the start-up worker got while the first frame was drawn.
"""

from __future__ import annotations

import asyncio
import json
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

UI_THREAD = threading.main_thread()
on_ui_thread: list[str] = []


class NoteTheThread:
    """Finds nothing itself: only notes modules first imported on the UI thread."""

    def find_spec(
        self, name: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> None:
        if threading.current_thread() is UI_THREAD:
            on_ui_thread.append(name)


sys.meta_path.insert(0, NoteTheThread())  # type: ignore[arg-type]


def station_folder(folder: Path) -> Path:
    """A station's config.toml (no central, a simulated scanner, labels into files) and
    its station file, created already as after a bench's first day; the config's path."""
    from store.local import LocalStore

    config = folder / "config.toml"
    config.write_text(
        '[station]\nid = "B-07"\n'
        '[scanner]\nkind = "simulated"\n'
        '[store]\nlocal_path = "station.db"\ncentral_url = ""\n'
        '[log]\npath = "bench.log"\n'
        f'[printer]\nkind = "file"\nfolder = "{folder / "labels"}"\n'
    )
    LocalStore.open(folder / "station.db").close()
    return config


async def main(folder: Path) -> dict[str, Any]:
    from bench.cli.station import station_app
    from bench.config import load_config
    from screens.login import LoginScreen

    config = load_config(folder / "config.toml")
    app = station_app(config)
    async with app.run_test(size=(120, 40)) as pilot:
        while not (isinstance(app.screen, LoginScreen) and app.screen.is_mounted):
            await pilot.pause(0.005)
        seen = {"ui_thread": list(on_ui_thread), "loaded": sorted(sys.modules)}
    return seen


if __name__ == "__main__":
    print(json.dumps(asyncio.run(main(Path(sys.argv[1])))))

"""Run in a fresh interpreter by tests/ui/test_startup_imports.py: start the station app as
`bench` does (its CLI's parser, its config) on a station file that exists already, no
central, and print as JSON which modules were imported on the UI thread, and every module
loaded, at two moments: by its first frame (when the start-up worker begins to open the
station) and once the station is open, its login on show; and whether the other screens'
rules were in the stylesheet as the login mounted, and once the station is open.

A meta path finder notes the thread each module is first looked for on, so the answer does
not depend on how far the start-up worker got while the login screen was drawn.
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


def now() -> dict[str, Any]:
    return {"ui_thread": list(on_ui_thread), "loaded": sorted(sys.modules)}


def view_rules(app: Any) -> bool:
    """Whether the app's stylesheet holds the other screens' rules (the request screen's)."""
    return any("#request-title" in source.content for source in app.stylesheet.source.values())


async def main(folder: Path) -> dict[str, Any]:
    from bench.cli import parse_args
    from bench.cli.station import open_station, station_config
    from screens.app import make_app
    from screens.login import LoginScreen

    args = parse_args(["--config", str(folder / "config.toml")])
    first_frame: dict[str, Any] = {}
    mount_login = LoginScreen.on_mount

    def on_mount(screen: LoginScreen) -> None:
        """The login as it mounts, in its first frame: which rules it is styled from."""
        first_frame["view_rules"] = view_rules(screen.app)
        mount_login(screen)

    LoginScreen.on_mount = on_mount  # type: ignore[method-assign]

    def opener(config: Any, clock: Any, progress: Any, report: Any) -> Any:
        """The CLI's opener, as the start-up worker calls it: after the first frame."""
        screen = app.screen
        first_frame.update(now(), login=isinstance(screen, LoginScreen) and screen.is_mounted)
        return open_station(config, clock, progress, report)

    app = make_app(station_config(args.config), open_station=opener)
    async with app.run_test(size=(120, 40)) as pilot:
        while not (app.station_open and isinstance(app.screen, LoginScreen)):
            await pilot.pause(0.005)
        return {"first_frame": first_frame, "open": {**now(), "view_rules": view_rules(app)}}


if __name__ == "__main__":
    print(json.dumps(asyncio.run(main(Path(sys.argv[1])))))

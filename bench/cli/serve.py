"""`bench desk` and `bench serve`: the supervisor screens, in a terminal or in a browser.

The desk is the station app started for supervisors alone: keyboard only (no scanner is
opened), a supervisor's badge and PIN to get in, and the supervisor screens once in.
`bench serve` puts that same desk in a web browser through textual-serve, which starts
one `bench desk` process per browser tab, so a supervisor at a desk needs no terminal.
"""

from __future__ import annotations

import argparse
import logging
import shlex
import sys
from typing import Any

from bench.cli.common import CommandFailed
from bench.config import load_config

log = logging.getLogger(__name__)

LOOPBACK = "127.0.0.1"


def add_commands(commands: Any) -> None:
    desk = commands.add_parser(
        "desk",
        help="the supervisor screens in this terminal (a supervisor's badge and PIN to enter)",
    )
    desk.set_defaults(command=run_desk)

    serve = commands.add_parser(
        "serve",
        help="the supervisor screens in a web browser (textual-serve)",
        description="Serve the supervisor desk over HTTP: each browser tab gets its own "
        "desk, which asks for a supervisor's badge and PIN. Binds to 127.0.0.1 unless "
        "--host says otherwise.",
    )
    serve.add_argument(
        "--host",
        default=LOOPBACK,
        help="the address to listen on (default: 127.0.0.1, this machine only; "
        "0.0.0.0 opens it to the network)",
    )
    serve.add_argument(
        "--port", type=int, default=8000, help="the TCP port to listen on (default: 8000)"
    )
    serve.add_argument(
        "--public-url",
        default=None,
        help="the address browsers use to reach it, when it differs from http://HOST:PORT "
        "(behind a proxy, or with --host 0.0.0.0)",
    )
    serve.set_defaults(command=run_serve)


def run_desk(args: argparse.Namespace) -> int:
    from bench.cli.station import run_app

    return run_app(load_config(args.config), hints=(), demo=False, desk=True)


def desk_command(args: argparse.Namespace) -> str:
    """The shell command textual-serve runs for each browser tab: this bench's own desk."""
    return shlex.join([sys.executable, "-m", "bench.cli", "--config", str(args.config), "desk"])


def run_serve(args: argparse.Namespace) -> int:
    from textual_serve.server import Server

    config = load_config(args.config)  # a broken config is said here, not in every tab
    if not 0 < args.port < 65536:
        raise CommandFailed(f"--port {args.port} is not a TCP port: give one from 1 to 65535.")
    if args.host != LOOPBACK:
        print(
            f"bench: serving on {args.host}: anyone who can reach port {args.port} sees the "
            "desk's login; a supervisor's badge and PIN are still needed to get in.",
            file=sys.stderr,
        )
    log.info("Serving the supervisor desk of %s on %s:%s", config.station.id, args.host, args.port)
    server = Server(
        desk_command(args),
        host=args.host,
        port=args.port,
        title=f"bench desk {config.station.id}",
        public_url=args.public_url,
    )
    try:
        server.serve()
    except OSError as error:  # the port is taken, or the address is not this machine's
        raise CommandFailed(
            f"Cannot serve on {args.host}:{args.port}: {error.strerror or error}. "
            "Pick another --port, or stop what is using it."
        ) from None
    return 0

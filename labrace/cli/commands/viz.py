"""``labrace viz [SCENARIO]``: serve the browser visualiser (``app.py``) with Solara, offline.

The server listens on 127.0.0.1 unless ``--host`` says otherwise: the page can change and run models, so
exposing it is an explicit choice. Solara's asset proxy is pointed at the pre-fetched cache, and the
command refuses to start without it (the page would stay blank), saying how to fetch it.

The server runs in its own process group and this command forwards SIGINT, SIGTERM and SIGHUP to it and
waits for it to exit, so stopping ``labrace viz`` by its PID (or Ctrl-C, which then reaches the server once)
also stops the server and frees the port.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import FrameType

from labs.params import ParameterError
from scenarios.loader import load_scenario
from labrace.visualiser.assets import FETCH_SCRIPT, default_cache_dir, missing_assets, repo_root
from labrace.visualiser.sources import SCENARIO_ENV

APP_MODULE = "labrace.visualiser.page"
FORWARDED_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
STOP_GRACE_SECONDS = 10.0
POLL_SECONDS = 0.2


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("scenario", nargs="?", default="",
                        help="scenario file or shipped name to start from (default: duopoly)")
    parser.add_argument("--port", type=int, default=8765, help="port to listen on (0: any free port)")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default: loopback only)")
    parser.add_argument("--assets", type=Path, default=None,
                        help="Solara asset cache (default: $LABRACE_SOLARA_ASSETS or .cache/solara-assets)")


def app_target() -> str:
    """``app.py`` of the checkout, or the same page as a module when labrace is installed without it."""
    app = repo_root() / "app.py"
    return str(app) if app.is_file() else APP_MODULE


def server_command(args: argparse.Namespace) -> list[str]:
    return [sys.executable, "-m", "solara", "run", app_target(), "--production", "--no-open",
            "--host", args.host, "--port", str(args.port)]


def server_environment(args: argparse.Namespace) -> dict[str, str]:
    """The environment of the server: asset cache and starting scenario; validated before starting."""
    cache = (args.assets or default_cache_dir()).resolve()
    missing = missing_assets(cache)
    if missing:
        raise ParameterError("--assets", f"the Solara asset cache {cache} lacks {', '.join(missing)}; "
                             f"fetch it with: {FETCH_SCRIPT} {cache}", "a directory filled by " + FETCH_SCRIPT)
    if args.scenario:
        load_scenario(args.scenario)  # fail here, in one line, rather than in every browser session
    if not 0 <= args.port <= 65535:
        raise ParameterError("--port", f"{args.port} is not a port", "an integer in [0, 65535]")
    env = dict(os.environ)
    env["SOLARA_ASSETS_PROXY_CACHE_DIR"] = str(cache)
    env[SCENARIO_ENV] = str(Path(args.scenario).resolve()) if Path(args.scenario).is_file() else args.scenario
    return env


def serve(command: list[str], env: dict[str, str]) -> int:
    """Run the server until it exits; a stop signal is passed on, and a server that ignores it is killed.

    Returns the server's exit status (128 + the signal's number when a signal ended it, as a shell does).
    """
    server = subprocess.Popen(command, env=env, process_group=0)
    stop_requested: list[float] = []

    def forward(signum: int, _frame: FrameType | None) -> None:
        stop_requested.append(time.monotonic())
        if server.poll() is None:
            server.send_signal(signum)

    previous = {signum: signal.signal(signum, forward) for signum in FORWARDED_SIGNALS}
    try:
        while True:
            try:
                status = server.wait(timeout=POLL_SECONDS)
                break
            except subprocess.TimeoutExpired:
                if stop_requested and time.monotonic() - stop_requested[0] > STOP_GRACE_SECONDS:
                    server.kill()
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        if server.poll() is None:
            server.kill()
            server.wait()
    return 128 - status if status < 0 else status


def run(args: argparse.Namespace) -> int:
    env = server_environment(args)
    print(f"labrace viz: serving on http://{args.host}:{args.port} (Ctrl-C to stop)", file=sys.stderr)
    return serve(server_command(args), env)

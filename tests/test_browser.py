"""The visualiser in a real browser: ``labrace viz`` served offline, driven by Debian's Chromium.

Only a browser catches a blank page (missing offline assets) or a broken plot area (ipyvuetify 3), so this
test serves the page exactly as a user would, changes a control, steps the model and counts what the
charts draw: every step must add one plotted point per lab. The screenshot lands in ``test-artifacts/``.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from scenarios.loader import load_scenario
from labrace.visualiser.assets import default_cache_dir, missing_assets, repo_root

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
SCENARIO = "duopoly"
LABS = 3
STEPS = 4
ARTIFACTS = repo_root() / "test-artifacts"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_serving(url: str, server: subprocess.Popen, limit: float = 90.0) -> float:
    """Seconds until the server answers (the test fails if it exits or never answers)."""
    start = time.monotonic()
    while time.monotonic() - start < limit:
        if server.poll() is not None:
            pytest.fail(f"labrace viz exited with status {server.returncode}: {server.stderr.read()}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return time.monotonic() - start
        except OSError:
            time.sleep(0.3)
    pytest.fail(f"labrace viz did not answer on {url}")


@pytest.fixture(scope="module")
def served():
    """``labrace viz SCENARIO`` on a free loopback port; yields the page URL."""
    if not CHROMIUM.exists():
        pytest.skip("Debian's Chromium is not installed (apt-get install -y chromium)")
    cache = default_cache_dir()
    if missing_assets(cache):
        pytest.skip(f"the Solara asset cache {cache} is incomplete (run scripts/fetch_solara_assets.sh)")
    pytest.importorskip("playwright.sync_api")
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "labrace.cli.main", "viz", SCENARIO, "--port", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                              start_new_session=True)
    url = f"http://127.0.0.1:{port}/"
    try:
        seconds = wait_until_serving(url, server)
        print(f"server answered after {seconds:.1f} s")
        yield url
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


def chart(page, title: str):
    """The SVG of the chart whose title is ``title``."""
    return page.locator("svg", has=page.locator("text", has_text=title))


def plotted_points(page, title: str) -> int:
    return chart(page, title).locator("g.mark-symbol.role-mark path").count()


def test_page_plots_every_step_after_a_control_change(served):
    from playwright.sync_api import sync_playwright

    problems: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1500, "height": 1150})
            page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: problems.append(str(e)))
            start = time.monotonic()
            page.goto(served)
            step = page.get_by_role("button", name="Step")
            step.wait_for(timeout=60_000)
            chart(page, "Training share alpha").wait_for(timeout=60_000)
            print(f"page interactive after {time.monotonic() - start:.1f} s")
            assert plotted_points(page, "Training share alpha") == 0

            # change a control: the number of labs, by keyboard on its slider
            labs = len(load_scenario(SCENARIO).labs)
            slider = page.locator(".v-input", has_text="number of labs").locator("[role=slider]")
            slider.focus()
            for _ in range(LABS - labs):
                slider.press("ArrowRight")
            page.get_by_text(f"lab-{LABS}: ").first.wait_for(timeout=30_000)

            for k in range(1, STEPS + 1):
                step.click()
                page.get_by_text(f"Time: {k}.0").wait_for(timeout=60_000)
            page.wait_for_function(
                """([title, n]) => [...document.querySelectorAll('svg')]
                     .filter(s => [...s.querySelectorAll('text')].some(t => t.textContent === title))
                     .some(s => s.querySelectorAll('g.mark-symbol.role-mark path').length === n)""",
                arg=["Training share alpha", LABS * STEPS], timeout=30_000)

            for title in ("Training share alpha", "Capability M", "Cumulative discounted revenue (NPV)"):
                assert plotted_points(page, title) == LABS * STEPS, title
                assert chart(page, title).locator("g.mark-line.role-mark path").count() == LABS, title
            assert plotted_points(page, "Market price") == STEPS
            assert chart(page, "Pontryagin plan vs actual alpha").locator("g.mark-line.role-mark path").count() > 0
            assert page.get_by_text(f"Leader board at t = {STEPS * 0.1:.2f}").count() == 1

            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "viz.png"), full_page=True)
        finally:
            browser.close()
    assert not [m for m in problems if "GlobalVue" in m or "requirejs" in m.lower()], problems

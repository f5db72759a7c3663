"""The visualiser in a real browser: ``labrace viz`` served offline, driven by Debian's Chromium.

Only a browser catches a blank page (missing offline assets), a broken plot area (ipyvuetify 3), charts
that clip or controls off screen, so these tests serve the page exactly as a user would and press what a
user presses on SolaraViz's controls and the settings below them: change a control then step and count
what the charts draw (every step adds one plotted point per lab), Reset after a change, Play past the
horizon with a render interval that does not divide the steps in two sessions at once, and stop the server
by its PID. The screenshot lands in ``test-artifacts/``.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from scenarios.loader import load_scenario, read_scenario
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


def needs_browser() -> None:
    if not CHROMIUM.exists():
        pytest.skip("Debian's Chromium is not installed (apt-get install -y chromium)")
    cache = default_cache_dir()
    if missing_assets(cache):
        pytest.skip(f"the Solara asset cache {cache} is incomplete (run scripts/fetch_solara_assets.sh)")
    pytest.importorskip("playwright.sync_api")


def start_viz(port: int) -> subprocess.Popen:
    """``labrace viz SCENARIO`` in a process group of its own, so a failing test can still clean it all up."""
    return subprocess.Popen([sys.executable, "-m", "labrace.cli.main", "viz", SCENARIO, "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)


def children(pid: int) -> list[int]:
    """PIDs of a process's children (Linux), so cleanup can reach a server in a process group of its own."""
    with contextlib.suppress(OSError):
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    return []


def stop_group(server: subprocess.Popen, spawned: list[int]) -> None:
    """Stop labrace viz's group and any server it spawned that is still running."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()
    for pid in spawned:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


def port_is_free(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) != 0


@pytest.fixture(scope="module")
def served():
    """``labrace viz SCENARIO`` on a free loopback port; yields the page URL."""
    needs_browser()
    port = free_port()
    server = start_viz(port)
    url = f"http://127.0.0.1:{port}/"
    spawned: list[int] = []
    try:
        seconds = wait_until_serving(url, server)
        spawned += children(server.pid)
        print(f"server answered after {seconds:.1f} s")
        yield url
    finally:
        stop_group(server, spawned)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    needs_browser()
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def open_page(browser, url: str, problems: list[str], width: int = 1500, height: int = 1150):
    """A fresh browser context (its own session) on ``url``, once the Step button and first chart are up."""
    page = browser.new_context(viewport={"width": width, "height": height}).new_page()
    page.on("console", lambda m: problems.append(m.text) if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.goto(url)
    page.get_by_role("button", name="Step").wait_for(timeout=60_000)
    chart(page, "Training share alpha").wait_for(timeout=60_000)
    return page


def press_slider(page, label: str, key: str, times: int = 1) -> float:
    """Keyboard on a settings slider, at a user's pace: each key press is one released value, as with a
    mouse, and the next press waits until the server has shown it beside the track and, since every
    released value is a new run, until SolaraViz's controls have been replaced by the new run's. Returns
    the value."""
    slider = page.locator(".v-input", has_text=label).locator("[role=slider]")
    shown = page.locator(".v-input", has_text=label).locator("xpath=..").locator(".labrace-slider-value")
    slider.focus()
    for _ in range(times):
        before = slider.get_attribute("aria-valuenow")
        controls = page.get_by_role("button", name="Step").element_handle()
        slider.press(key)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            now = slider.get_attribute("aria-valuenow")
            if now != before and float(shown.inner_text()) == float(now):
                break
            time.sleep(0.05)
        else:
            pytest.fail(f"the {label!r} slider did not settle after pressing {key}")
        page.wait_for_function("button => !button.isConnected", arg=controls, timeout=30_000)
        page.get_by_role("button", name="Step").wait_for(timeout=30_000)
    return float(slider.get_attribute("aria-valuenow"))


def press_mesa_slider(page, label: str, key: str, times: int = 1) -> float:
    """Keyboard on one of SolaraViz's sliders, which sends every value it takes; returns the value."""
    slider = page.locator(".v-input", has_text=label).locator("[role=slider]")
    slider.focus()
    for _ in range(times):
        slider.press(key)
    return float(slider.get_attribute("aria-valuenow"))


def play_button(page):
    """SolaraViz's Play/Pause button, labelled with a play or a pause sign."""
    return page.get_by_role("button", name=re.compile("^(▶|❚❚)$"))


def shown_step(page, k: int) -> None:
    page.get_by_text(f"(step {k} of 100)").wait_for(timeout=60_000)


def page_failures(page) -> list[str]:
    """What a broken page shows instead of the model: a traceback or an error banner."""
    text = page.inner_text("body")
    shown = [marker for marker in ("Traceback", "missing 1 required", "KeyError", "IndexError") if marker in text]
    return shown + page.locator(".v-alert.error").all_inner_texts()


def chart(page, title: str):
    """The SVG of the chart whose title is ``title``."""
    return page.locator("svg", has=page.locator("text", has_text=title))


def plotted_points(page, title: str) -> int:
    return chart(page, title).locator("g.mark-symbol.role-mark path").count()


def test_page_plots_every_step_after_a_control_change(served, browser):
    problems: list[str] = []
    start = time.monotonic()
    page = open_page(browser, served, problems)
    print(f"page interactive after {time.monotonic() - start:.1f} s")
    assert plotted_points(page, "Training share alpha") == 0

    # change a control: the number of labs, by keyboard on its slider
    labs = len(load_scenario(SCENARIO).labs)
    press_slider(page, "number of labs", "ArrowRight", LABS - labs)
    page.get_by_text(f"lab-{LABS}: ").first.wait_for(timeout=30_000)

    step = page.get_by_role("button", name="Step")
    for k in range(1, STEPS + 1):
        step.click()
        shown_step(page, k)
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
    assert page.locator(".labrace-time").inner_text() == f"t = {STEPS * 0.1:.2f} of 10 years (step {STEPS} of 100)"

    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "viz.png"), full_page=True)
    page.context.close()
    assert not [m for m in problems if "GlobalVue" in m or "requirejs" in m.lower()], problems
    assert not [m for m in problems if "Vega-Lite v" in m], problems  # spec and served library agree


def test_reset_after_a_sidebar_change_rebuilds_the_model(served, browser):
    problems: list[str] = []
    page = open_page(browser, served, problems)
    assert press_slider(page, "delta0", "ArrowRight", 2) == 2.1
    step = page.get_by_role("button", name="Step")
    step.click()
    shown_step(page, 1)
    step.click()
    shown_step(page, 2)
    page.get_by_role("button", name="Reset").click()
    shown_step(page, 0)
    assert page_failures(page) == []
    assert page.locator(".labrace-slider-value", has_text="2.10").count() == 1  # the setting survives
    step.click()
    shown_step(page, 1)
    assert plotted_points(page, "Market price") <= 1 and page_failures(page) == []
    page.context.close()


def test_two_sessions_play_past_the_horizon_at_once(served, browser):
    """Steps per update that do not divide the 100 steps, in two sessions drawing at the same time."""
    problems: list[str] = []
    pages = [open_page(browser, served, problems) for _ in range(2)]
    for page in pages:
        assert press_mesa_slider(page, "Render Interval", "ArrowRight", 3) == 7
        assert press_mesa_slider(page, "Play Interval", "Home") == 1
    for page in pages:
        page.get_by_role("button", name="▶").click()
    for page in pages:
        shown_step(page, 100)
        page.get_by_text("Reached the horizon").wait_for(timeout=30_000)
        assert play_button(page).is_disabled()
        assert page.get_by_role("button", name="Step").is_disabled()
        assert page_failures(page) == []
        page.wait_for_function(
            """(title) => [...document.querySelectorAll('svg')]
                 .filter(s => [...s.querySelectorAll('text')].some(t => t.textContent === title))
                 .some(s => s.querySelectorAll('g.mark-symbol.role-mark path').length === 100)""",
            arg="Market price", timeout=30_000)
    for page in pages:
        page.context.close()
    assert not [m for m in problems if "KeyError" in m], problems


def test_controls_are_on_screen_and_charts_fit_at_1280_px(served, browser):
    problems: list[str] = []
    page = open_page(browser, served, problems, width=1280, height=800)
    page.get_by_text(read_scenario(SCENARIO).description.split(".")[0]).wait_for(timeout=10_000)
    for title in ("Training share alpha", "Capability M", "Market share", "Market price"):
        svg = chart(page, title).bounding_box()
        cell = chart(page, title).locator("xpath=ancestor::div[contains(@class, 'vue-grid-item')][1]").bounding_box()
        assert svg["x"] + svg["width"] <= cell["x"] + cell["width"] + 1, title
        assert svg["y"] + svg["height"] <= cell["y"] + cell["height"] + 1, title
        assert svg["x"] + svg["width"] <= 1280, title
    for changed in (False, True):  # a new run remounts SolaraViz: its controls must stay on top
        for button in (page.get_by_role("button", name="Reset"), page.get_by_role("button", name="▶"),
                       page.get_by_role("button", name="Step")):
            box = button.bounding_box()
            assert box["y"] + box["height"] <= 800, (button, changed)
            assert box["y"] < page.get_by_text("Shipped scenario").first.bounding_box()["y"], (button, changed)
        if not changed:
            press_slider(page, "omega", "ArrowRight")
    page.context.close()


def test_stopping_labrace_viz_by_its_pid_frees_the_port():
    needs_browser()
    port = free_port()
    server = start_viz(port)
    spawned: list[int] = []
    try:
        wait_until_serving(f"http://127.0.0.1:{port}/", server)
        spawned += children(server.pid)
        assert spawned, "labrace viz runs the Solara server as a child process"
        os.kill(server.pid, signal.SIGTERM)  # the labrace process only, as `kill PID` does
        server.wait(timeout=15)
        deadline = time.monotonic() + 5
        while not port_is_free(port) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert port_is_free(port), "the Solara server outlived labrace viz"
    finally:
        stop_group(server, spawned)

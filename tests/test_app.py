"""The visualiser without a browser: controls rendered with solara.render and driven through their widgets.

Expected configurations are built independently of the page (``dataclasses.replace`` on the scenario,
the registry's ``resolve_policy``), and the model the page builds is compared with a model built from
them by stepping both.
"""

from __future__ import annotations

import argparse
import re
import shlex
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import ipyvuetify as v
import numpy as np
import pandas as pd
import pytest
import solara

import app
from labs.params import ParameterError
from market.config import RaceConfig
from labrace.simulation.model import RaceModel
from policies.registry import resolve_policy
from labrace.cli.main import main
from scenarios.loader import config_to_toml, load_scenario, read_scenario
from labrace.simulation.run import lab_outcomes, run_config
from labrace.visualiser import charts
from labrace.visualiser.assets import ASSET_PACKAGES, FETCH_SCRIPT, repo_root
from labrace.visualiser.controls import export_text
from labrace.visualiser.page import RaceDashboard
from labrace.visualiser.session import Session
from labrace.visualiser.sources import (MAX_NESTING, MAX_SCENARIO_BYTES, initial_scenario, scenario_from_bytes,
                                        scenario_from_path_box)
from labrace.visualiser.views import VIEWS


def config_from_upload(content: bytes, filename: str) -> RaceConfig:
    return scenario_from_bytes(content, filename).config

SCENARIO = "duopoly"


@pytest.fixture
def page():
    """The dashboard over the shipped duopoly: (session, render context)."""
    session = Session.start(initial_scenario(SCENARIO))
    _box, rc = solara.render(solara.AppLayout(children=[RaceDashboard(session)]), handle_error=False)
    yield session, rc
    rc.close()


def step_button(rc):
    return rc.find(v.Btn, children=["Step"]).widget


def play_button(rc):
    """SolaraViz's Play/Pause button (labelled with a play or a pause sign)."""
    return next(w for w in rc.find(v.Btn).widgets if w.children in (["▶"], ["❚❚"]))


def wait_for(condition, limit: float = 120.0) -> None:
    deadline = time.monotonic() + limit
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def release(rc, label: str, value: float) -> None:
    """Drag the slider called ``label`` to ``value`` and let go (Vuetify's input events, then change)."""
    slider = rc.find(v.Slider, label=label).widget
    slider.v_model = value
    slider.fire_event("change", value)


def drag(rc, label: str, value: int) -> None:
    """Set one of SolaraViz's sliders, which report every value they pass (no release event)."""
    rc.find(v.Slider, label=label).widget.v_model = value


def errors(rc) -> list:
    return [w for w in rc.find(v.Alert).widgets if w.type == "error"]


def texts(rc, tag: str = "span") -> list[str]:
    """Every plain string shown in the page's ``tag`` elements (``solara.Text`` is a span)."""
    return [c for w in rc.find(v.Html, tag=tag).widgets for c in (w.children or []) if isinstance(c, str)]


def shown_time(rc) -> str:
    return " ".join(text for text in texts(rc) if text.startswith("t = "))


def same_run(a: RaceModel, b: RaceModel, steps: int) -> None:
    for _ in range(steps):
        a.step()
        b.step()
    pd.testing.assert_frame_equal(a.labs_frame(), b.labs_frame())
    pd.testing.assert_frame_equal(a.market_frame(), b.market_frame())


def test_delta0_slider_rebuilds_the_model_with_the_new_market(page):
    session, rc = page
    start = session.config
    step_button(rc).click()
    assert session.model.value.recorder.size == 1
    new_delta0 = start.market.demand_kwargs["delta0"] + 1.5
    release(rc, "delta0", new_delta0)
    expected = replace(start, market=start.market.replace(delta0=new_delta0))
    assert session.config == expected
    assert session.model.value.config == expected
    assert session.model.value.recorder.size == 0  # a fresh model, not the stepped one
    same_run(session.model.value, RaceModel(expected), 3)


def test_changing_a_labs_policy_changes_the_policy_that_decides(page):
    session, rc = page
    selects = rc.find(v.Select, label="policy").widgets
    assert [s.v_model for s in selects] == [lab.policy.name for lab in session.config.labs]
    selects[1].v_model = "constant"
    lab = session.config.labs[1]
    assert lab.policy == resolve_policy("constant")
    groups = {type(policy).name: labs.tolist() for policy, labs in session.model.value.policy_groups}
    assert groups["constant"] == [1]
    # the constant policy's default share is what the lab then plays
    step_button(rc).click()
    assert session.model.value.state.alpha[1] == pytest.approx(dict(lab.policy.params)["alpha"])


def test_policy_parameter_out_of_range_is_refused_with_its_path(page):
    session, rc = page
    before = session.config
    field = rc.find(v.TextField, label="replan_every").widgets[0]
    field.v_model = "0"
    field.fire_event("focusout", None)
    assert session.config == before
    alert = " ".join(str(c) for w in errors(rc) for c in w.children)
    assert "labs[0].policy.params.replan_every" in alert and "[1, inf)" in alert
    field = rc.find(v.TextField, label="replan_every").widgets[0]
    field.v_model = "3"
    field.fire_event("focusout", None)
    assert dict(session.config.labs[0].policy.params)["replan_every"] == 3
    assert not errors(rc)


def test_number_of_labs_adds_copies_of_the_last_lab(page):
    session, rc = page
    start = session.config
    release(rc, "number of labs", 4)
    labs = session.config.labs
    assert len(labs) == 4 == session.model.value.state.n
    assert len({lab.name for lab in labs}) == 4
    assert all(replace(lab, name=start.labs[-1].name) == start.labs[-1] for lab in labs[2:])
    release(rc, "number of labs", 1)
    assert session.config.labs == start.labs[:1]


def test_contest_checkbox_unties_lambda_from_gamma(page):
    session, rc = page
    assert session.config.market.contest is None
    rc.find(v.Checkbox, label="contest lambda = gamma").widget.v_model = False
    assert session.config.market.contest == session.config.market.gamma
    release(rc, "contest", 4.0)
    assert session.model.value.market_params.contest_exponent == 4.0


def test_seed_and_shipped_scenario_controls(page):
    session, rc = page
    seed = rc.find(v.TextField, label="seed").widget
    seed.v_model = "17"
    seed.fire_event("focusout", None)
    assert session.config.seed == 17 and session.model.value.config.seed == 17
    rc.find(v.Select, label="Shipped scenario").widget.v_model = "oligopoly"
    assert session.config == load_scenario("oligopoly")
    assert session.model.value.state.n == len(load_scenario("oligopoly").labs)


def test_export_reproduces_the_page_model(page, tmp_path):
    session, rc = page
    release(rc, "omega", 2.5)
    rc.find(v.Select, label="policy").widgets[0].v_model = "catch_up"
    path = tmp_path / "exported.toml"
    path.write_text(export_text(session.config))
    loaded = load_scenario(path)
    assert loaded == session.config
    shown = session.model.value
    while shown.running:
        shown.step()
    result = run_config(loaded)
    pd.testing.assert_frame_equal(result.labs, shown.labs_frame())
    assert config_from_upload(path.read_bytes(), "exported.toml") == loaded


def test_upload_without_a_name_takes_the_file_name():
    text = config_to_toml(load_scenario(SCENARIO)).replace('name = "duopoly"\n', "", 1)
    config = config_from_upload(text.encode(), "my_race.toml")
    assert config.name == "my_race"
    assert replace(config, name=SCENARIO) == load_scenario(SCENARIO)


def test_bad_upload_is_an_error_naming_the_file():
    with pytest.raises(ParameterError) as caught:
        config_from_upload(b"labs = [", "broken.toml")
    assert "broken.toml" in str(caught.value)


def test_steps_fill_the_charts_with_the_recorded_values(page):
    session, rc = page
    for _ in range(4):
        step_button(rc).click()
    m = session.model.value
    n = m.state.n
    alpha = charts.alpha_chart(m).data
    assert len(alpha) == 4 * n
    np.testing.assert_array_equal(alpha["alpha"].to_numpy().reshape(4, n), m.recorder.labs["alpha"][:4])
    assert len(charts.price_chart(m).data) == 4
    shares = charts.share_chart(m).data.groupby("t")["share"].sum().to_numpy()
    serving = m.recorder.market["tokens"][:4] > 0  # nobody earns a share while every lab trains flat out
    np.testing.assert_allclose(shares, serving.astype(float))


def test_plan_view_shows_the_plan_the_lab_follows():
    config = RaceConfig(labs=(load_scenario(SCENARIO).labs[0],), name="single")
    model = RaceModel(config)
    model.step()
    frame = charts.plan_frame(model)
    plan = frame[frame["series"] != "actual"]
    actual = frame[frame["series"] == "actual"]
    assert len(actual) == 1 and len(plan) > 10
    # the alpha played over the first step is the plan's value at the step's midpoint
    assert actual["alpha"].iloc[0] == pytest.approx(np.interp(0.5 * config.dt, plan["t"], plan["alpha"]),
                                                    abs=1e-3)


def test_leader_board_ranks_like_the_runner():
    model = RaceModel(load_scenario("asymmetric_duopoly"))
    model.run()
    board = charts.leaderboard(model)
    outcomes = lab_outcomes(model).sort_values("rank")
    assert board["lab"].tolist() == outcomes["lab"].tolist()
    np.testing.assert_allclose(board["NPV"], outcomes["npv"])


def test_each_session_gets_its_own_model():
    assert not [value for value in vars(app).values() if isinstance(value, RaceModel)]
    _a, first = solara.render(solara.AppLayout(children=[app.Page()]), handle_error=False)
    _b, second = solara.render(solara.AppLayout(children=[app.Page()]), handle_error=False)
    step_button(first).click()
    step_button(first).click()

    assert shown_time(first) == "t = 0.20 of 10 years (step 2 of 100)"
    assert shown_time(second) == "t = 0.00 of 10 years (step 0 of 100)"
    first.close()
    second.close()


def test_initial_scenario_follows_the_environment(monkeypatch):
    monkeypatch.setenv("LABRACE_VIZ_SCENARIO", "oligopoly")
    assert initial_scenario().config == load_scenario("oligopoly")
    monkeypatch.delenv("LABRACE_VIZ_SCENARIO")
    assert initial_scenario().config == load_scenario(SCENARIO)


def test_fetch_script_and_checker_agree_on_the_assets():
    script = (repo_root() / FETCH_SCRIPT).read_text()
    block = re.search(r"packages=\((.*?)\)", script, re.S).group(1)
    assert tuple(shlex.split(block, comments=True)) == ASSET_PACKAGES


def test_viz_refuses_to_start_without_the_asset_cache(tmp_path, capsys):
    assert main(["viz", "--assets", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert FETCH_SCRIPT in err and str(tmp_path) in err and "Traceback" not in err


def test_viz_serves_on_loopback_in_production_mode(tmp_path):
    from labrace.cli.commands import viz

    for name in ASSET_PACKAGES:
        (tmp_path / name).mkdir(parents=True)
        (tmp_path / name / "x.js").write_text("")
    parser = argparse.ArgumentParser()
    viz.add_arguments(parser)
    args = parser.parse_args(["oligopoly", "--assets", str(tmp_path)])
    command = viz.server_command(args)
    assert command[command.index("--host") + 1] == "127.0.0.1"
    assert "--production" in command and Path(command[4]).name == "app.py"
    env = viz.server_environment(args)
    assert env["SOLARA_ASSETS_PROXY_CACHE_DIR"] == str(tmp_path.resolve())
    assert env["LABRACE_VIZ_SCENARIO"] == "oligopoly"


def test_reset_after_a_sidebar_change_rebuilds_the_model_from_the_settings(page):
    session, rc = page
    release(rc, "delta0", 3.5)
    step_button(rc).click()
    step_button(rc).click()
    rc.find(v.Btn, children=["Reset"]).widget.click()  # SolaraViz's Reset, with the config as model parameter
    assert session.model.value.config == session.config and session.config.market.demand_kwargs["delta0"] == 3.5
    assert session.model.value.steps == 0
    assert shown_time(rc) == "t = 0.00 of 10 years (step 0 of 100)"
    same_run(session.model.value, RaceModel(session.config), 2)


def test_steps_per_update_that_do_not_divide_the_run_stop_at_the_horizon(page):
    session, rc = page
    drag(rc, "Render Interval (steps)", 7)
    while not step_button(rc).disabled:
        step_button(rc).click()
    model = session.model.value
    assert model.recorder.size == session.config.steps == 100 and not model.running
    assert model.t == pytest.approx(session.config.horizon)
    assert play_button(rc).disabled
    assert shown_time(rc) == "t = 10.00 of 10 years (step 100 of 100)"
    assert "Reached the horizon: Reset to run again." in texts(rc)
    same_run(model, RaceModel(session.config).run(), 0)  # the steps Mesa made after the horizon changed nothing


def test_play_runs_to_the_horizon_and_stops(page):
    session, rc = page
    drag(rc, "Render Interval (steps)", 9)
    drag(rc, "Play Interval (ms)", 1)
    play_button(rc).click()
    wait_for(lambda: not session.model.value.running)
    wait_for(lambda: play_button(rc).disabled and step_button(rc).disabled, 10)
    assert session.model.value.recorder.size == session.config.steps
    assert not errors(rc)
    wait_for(lambda: shown_time(rc) == "t = 10.00 of 10 years (step 100 of 100)", 10)


def test_a_change_while_playing_retires_the_played_model_and_shows_a_fresh_one(page):
    session, rc = page
    drag(rc, "Play Interval (ms)", 1)
    play_button(rc).click()
    played = session.model.value
    wait_for(lambda: played.recorder.size >= 2)
    release(rc, "delta0", 3.5)
    assert not played.running  # the old Play loop stops at its next step
    reached = played.recorder.size
    fresh = session.model.value
    time.sleep(0.5)
    assert played.recorder.size == reached and fresh.recorder.size == 0  # nothing steps the fresh one
    wait_for(lambda: rc.find(v.Btn, children=["▶"]), 10)  # the old loop's last redraw may still be on its way
    assert not play_button(rc).disabled and not step_button(rc).disabled
    step_button(rc).click()
    assert fresh.recorder.size == 1 and session.model.value is fresh


def test_a_change_after_the_horizon_gives_controls_for_the_fresh_model(page):
    """SolaraViz's controls remember that their model finished; a new run remounts them."""
    session, rc = page
    drag(rc, "Render Interval (steps)", 99)
    step_button(rc).click()
    step_button(rc).click()
    assert step_button(rc).disabled and play_button(rc).disabled
    release(rc, "omega", 2.5)
    assert not step_button(rc).disabled and not play_button(rc).disabled
    assert session.render_interval.value == 99  # the play speed survives the new run
    rc.find(v.Btn, children=["Reset"]).widget.click()
    assert session.model.value.config.market.omega == 2.5 and session.model.value.recorder.size == 0


def test_mesas_controls_stay_above_the_settings_after_changes(page):
    session, rc = page
    titles = ["Controls", "Model Parameters", "Information", "Scenario", "Market", "Labs"]
    assert [w.children[0] for w in rc.find(v.CardTitle).widgets] == titles
    release(rc, "omega", 2.5)
    rc.find(v.Select, label="Shipped scenario").widget.v_model = "oligopoly"
    assert [w.children[0] for w in rc.find(v.CardTitle).widgets] == titles


def test_sliders_show_the_dragged_value_and_report_only_on_release(page):
    session, rc = page
    before, shown = session.config, session.model.value
    slider = rc.find(v.Slider, label="omega").widget
    for value in (1.5, 2.0, 2.5):
        slider.v_model = value  # dragging: Vuetify's input events
    assert session.config == before and session.model.value is shown
    assert "2.50" in texts(rc)  # shown with the decimals of its step (0.02)
    slider.fire_event("change", 2.5)
    assert session.config.market.omega == 2.5 and session.model.value is not shown


def test_an_error_message_does_not_remount_the_cards_below_it(page):
    session, rc = page
    panels = rc.find(v.ExpansionPanels).widgets
    panels[1].v_model = 0  # open the second lab's panel
    scenario_select = rc.find(v.Select, label="Shipped scenario").widget
    field = rc.find(v.TextField, label="replan_every").widgets[0]
    field.v_model = "0"
    field.fire_event("focusout", None)
    assert errors(rc)
    assert rc.find(v.ExpansionPanels).widgets == panels and panels[1].v_model == 0
    assert rc.find(v.Select, label="Shipped scenario").widget is scenario_select
    scenario_select.v_model = "oligopoly"  # the next valid choice is taken and clears the message
    assert session.config == load_scenario("oligopoly") and not errors(rc)


def test_a_new_run_keeps_the_settings_panel_as_it_was(page):
    """SolaraViz's cards are replaced for every new run; the settings cards stay mounted."""
    session, rc = page
    panels = rc.find(v.ExpansionPanels).widgets
    panels[1].v_model = 0  # open the second lab's panel
    box = rc.find(v.TextField, label="Scenario on the server").widget
    box.v_model = "mine.toml"
    box.fire_event("focusout", None)
    release(rc, "omega", 2.5)
    rc.find(v.Select, label="policy").widgets[1].v_model = "constant"
    assert session.run.value.number == 2
    assert rc.find(v.ExpansionPanels).widgets == panels and panels[1].v_model == 0
    assert rc.find(v.TextField, label="Scenario on the server").widget.v_model == "mine.toml"


def test_the_path_box_reads_only_shipped_names_and_files_under_the_server_folder(tmp_path):
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "race.toml").write_text(config_to_toml(load_scenario("oligopoly")))
    (tmp_path / "notes.txt").write_text("[[labs]]\n")
    assert scenario_from_path_box("duopoly", tmp_path).config == load_scenario("duopoly")
    assert scenario_from_path_box("mine/race.toml", tmp_path).config == load_scenario("oligopoly")
    for outside in ("/etc/passwd", "../race.toml", "mine/../../race.toml", str(tmp_path.parent / "x.toml"),
                    "notes.txt"):
        with pytest.raises(ParameterError, match="not allowed"):
            scenario_from_path_box(outside, tmp_path)
    with pytest.raises(ParameterError, match="no such file"):
        scenario_from_path_box("missing.toml", tmp_path)


def test_the_path_box_refuses_a_server_file_on_the_page(page):
    session, rc = page
    before = session.config
    box = rc.find(v.TextField, label="Scenario on the server").widget
    box.v_model = "/etc/passwd"
    box.fire_event("focusout", None)
    rc.find(v.Btn, children=["Load"]).widget.click()
    assert session.config == before
    message = " ".join(str(c) for w in errors(rc) for c in w.children)
    assert "not allowed" in message and "shipped scenario name" in message
    assert str(Path.cwd()) not in message  # the server's folder is not disclosed


def test_oversized_and_deeply_nested_uploads_are_refused_in_one_line():
    big = b"# padding\n" * (MAX_SCENARIO_BYTES // 10 + 1) + b"[[labs]]\n"
    with pytest.raises(ParameterError, match="too large") as caught:
        scenario_from_bytes(big, "big.toml")
    assert "\n" not in str(caught.value)
    for depth in (MAX_NESTING + 2, 100_000):
        with pytest.raises(ParameterError, match="nested too deeply") as caught:
            scenario_from_bytes(b"x = " + b"[" * depth + b"]" * depth, "deep.toml")
        assert "\n" not in str(caught.value)
    fine = scenario_from_bytes(config_to_toml(load_scenario("oligopoly")).encode(), "ok.toml")
    assert fine.config == load_scenario("oligopoly")


def test_the_shipped_scenarios_description_is_shown(page):
    session, rc = page
    description = read_scenario(SCENARIO).description.strip()
    assert description and description in texts(rc, "p")
    rc.find(v.Select, label="Shipped scenario").widget.v_model = "oligopoly"
    assert read_scenario("oligopoly").description.strip() in texts(rc, "p")


def test_identical_labs_are_drawn_with_different_dashes_and_noted(page):
    session, rc = page
    assert charts.identical_labs(session.config) == [[lab.name for lab in session.config.labs]]
    spec = charts.alpha_chart(session.model.value).to_dict()
    dashes = spec["encoding"]["strokeDash"]["scale"]["range"]
    assert len({tuple(d) for d in dashes}) == len(session.config.labs)
    note = " ".join(str(c) for w in rc.find(v.Alert).widgets if w.type == "info" for c in w.children)
    assert "Identical settings" in note
    assert charts.identical_labs(load_scenario("asymmetric_duopoly")) == []


def test_charts_fill_their_cell_and_speak_the_served_vega_lite_version(page):
    session, _rc = page
    served = next(name for name in ASSET_PACKAGES if name.startswith("vega-lite@")).split("@")[1]
    for make in (charts.alpha_chart, charts.capability_chart, charts.share_chart, charts.price_chart,
                 charts.npv_chart, charts.plan_chart):
        spec = make(session.model.value).to_dict()
        assert re.search(r"/vega-lite/v(\d+)\.", spec["$schema"]).group(1) == served
        assert spec["width"] == "container"


def test_charts_are_built_without_altairs_process_wide_renderer(page, monkeypatch):
    import altair as alt

    session, _rc = page

    def switched(*_args, **_kwargs):
        raise AssertionError("alt.renderers.enable switches a setting every session shares")

    monkeypatch.setattr(alt.renderers, "enable", switched)
    step_button(_rc).click()  # every panel redraws
    assert session.model.value.steps == 1
    _box, fresh = solara.render(solara.AppLayout(children=[RaceDashboard(Session.start(initial_scenario(SCENARIO)))]),
                                handle_error=False)
    assert len(fresh.find(v.Html, class_="labrace-cell").widgets) == len(VIEWS) + 1
    fresh.close()


def test_viz_forwards_a_stop_signal_to_the_server_and_waits_for_it():
    script = "import signal, sys, time; signal.signal(signal.SIGTERM, lambda *_: sys.exit(7)); time.sleep(60)"
    started = time.monotonic()
    child = subprocess.Popen([sys.executable, "-c", (
        "import os, signal, sys, threading\n"
        "from labrace.cli.commands import viz\n"
        "threading.Timer(1.5, lambda: os.kill(os.getpid(), signal.SIGTERM)).start()\n"
        f"sys.exit(viz.serve([sys.executable, '-c', {script!r}], dict(os.environ)))\n")])
    assert child.wait(timeout=30) == 7
    assert time.monotonic() - started < 15

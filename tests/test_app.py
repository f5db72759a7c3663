"""The visualiser without a browser: controls rendered with solara.render and driven through their widgets.

Expected configurations are built independently of the page (``dataclasses.replace`` on the scenario,
the registry's ``resolve_policy``), and the model the page builds is compared with a model built from
them by stepping both.
"""

from __future__ import annotations

import argparse
import re
import shlex
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
from scenarios.loader import config_to_toml, load_scenario
from labrace.simulation.run import lab_outcomes, run_config
from labrace.visualiser import charts
from labrace.visualiser.assets import ASSET_PACKAGES, FETCH_SCRIPT, repo_root
from labrace.visualiser.controls import export_text
from labrace.visualiser.page import RaceDashboard
from labrace.visualiser.session import Session
from labrace.visualiser.sources import initial_scenario, scenario_from_bytes


def config_from_upload(content: bytes, filename: str) -> RaceConfig:
    return scenario_from_bytes(content, filename).config

SCENARIO = "duopoly"


@pytest.fixture
def page():
    """The dashboard over the shipped duopoly: (reactive config, reactive model, render context)."""
    session = Session.start(initial_scenario(SCENARIO))
    _box, rc = solara.render(solara.AppLayout(children=[RaceDashboard(session)]), handle_error=False)
    yield session.config, session.model, rc
    rc.close()


def step_button(rc):
    return rc.find(v.Btn, children=["Step"]).widget


def release(rc, label: str, value: float) -> None:
    """Drag the slider called ``label`` to ``value`` and let go (Vuetify's input events, then change)."""
    slider = rc.find(v.Slider, label=label).widget
    slider.v_model = value
    slider.fire_event("change", value)


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
    config, model, rc = page
    start = config.value
    step_button(rc).click()
    assert model.value.recorder.size == 1
    new_delta0 = start.market.delta0 + 1.5
    release(rc, "demand slope delta0 (congestion)", new_delta0)
    expected = replace(start, market=replace(start.market, delta0=new_delta0))
    assert config.value == expected
    assert model.value.config == expected
    assert model.value.recorder.size == 0  # a fresh model, not the stepped one
    same_run(model.value, RaceModel(expected), 3)


def test_changing_a_labs_policy_changes_the_policy_that_decides(page):
    config, model, rc = page
    selects = rc.find(v.Select, label="policy").widgets
    assert [s.v_model for s in selects] == [lab.policy.name for lab in config.value.labs]
    selects[1].v_model = "constant"
    lab = config.value.labs[1]
    assert lab.policy == resolve_policy("constant")
    groups = {type(policy).name: labs.tolist() for policy, labs in model.value.policy_groups}
    assert groups["constant"] == [1]
    # the constant policy's default share is what the lab then plays
    step_button(rc).click()
    assert model.value.state.alpha[1] == pytest.approx(dict(lab.policy.params)["alpha"])


def test_policy_parameter_out_of_range_is_refused_with_its_path(page):
    config, model, rc = page
    before = config.value
    field = rc.find(v.TextField, label="replan_every").widgets[0]
    field.v_model = "0"
    field.fire_event("focusout", None)
    assert config.value == before
    alert = " ".join(str(c) for w in errors(rc) for c in w.children)
    assert "labs[0].policy.params.replan_every" in alert and "[1, inf)" in alert
    field = rc.find(v.TextField, label="replan_every").widgets[0]
    field.v_model = "3"
    field.fire_event("focusout", None)
    assert dict(config.value.labs[0].policy.params)["replan_every"] == 3
    assert not errors(rc)


def test_number_of_labs_adds_copies_of_the_last_lab(page):
    config, model, rc = page
    start = config.value
    release(rc, "number of labs", 4)
    labs = config.value.labs
    assert len(labs) == 4 == model.value.state.n
    assert len({lab.name for lab in labs}) == 4
    assert all(replace(lab, name=start.labs[-1].name) == start.labs[-1] for lab in labs[2:])
    release(rc, "number of labs", 1)
    assert config.value.labs == start.labs[:1]


def test_contest_checkbox_unties_lambda_from_gamma(page):
    config, model, rc = page
    assert config.value.market.contest is None
    rc.find(v.Checkbox, label="contest lambda = gamma").widget.v_model = False
    assert config.value.market.contest == config.value.market.gamma
    release(rc, "contest exponent lambda", 4.0)
    assert model.value.market_params.contest_exponent == 4.0


def test_seed_and_shipped_scenario_controls(page):
    config, model, rc = page
    seed = rc.find(v.TextField, label="seed").widget
    seed.v_model = "17"
    seed.fire_event("focusout", None)
    assert config.value.seed == 17 and model.value.config.seed == 17
    rc.find(v.Select, label="Shipped scenario").widget.v_model = "oligopoly"
    assert config.value == load_scenario("oligopoly")
    assert model.value.state.n == len(load_scenario("oligopoly").labs)


def test_export_reproduces_the_page_model(page, tmp_path):
    config, model, rc = page
    release(rc, "price scale omega", 2.5)
    rc.find(v.Select, label="policy").widgets[0].v_model = "catch_up"
    path = tmp_path / "exported.toml"
    path.write_text(export_text(config.value))
    loaded = load_scenario(path)
    assert loaded == config.value
    shown = model.value
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
    config, model, rc = page
    for _ in range(4):
        step_button(rc).click()
    m = model.value
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

"""Calibration: the figures file and its checks, real units, the model's measures against closed forms,
the least-squares fit (known parameters recovered from data the model generated itself, its standard
errors against the textbook formula and a real profile), and the shipped frontier_2025 scenario
reproducing the 2025 figures within their ranges."""

from __future__ import annotations

import json
import math
import shutil
import tomllib
from pathlib import Path

import numpy as np
import pytest
from scipy.stats import spearmanr

import labrace

from labrace.calibration.fit import calibrate, standard_errors
from labrace.calibration.measures import MEASURES, log_sigma
from labrace.calibration.spec import read_calibration
from labrace.cli.main import main
from labrace.simulation.real_units import real_summary
from labrace.simulation.run import run_config
from scenarios.distributions import TAIL
from scenarios.figures import COLUMNS, load_figures, shipped_figures_path
from scenarios.loader import config_from_dict, config_to_toml, read_scenario, resolve_source
from scenarios.schema import ScenarioError, scenario_units

FRONTIER_LABS = {"OpenAI", "Anthropic", "Google DeepMind", "Meta", "xAI"}
Z90 = 1.6448536269514722


@pytest.fixture(scope="module")
def frontier_fit():
    return calibrate(read_calibration("frontier_2025"))


def frontier_data(horizon: float | None = None) -> dict:
    data = tomllib.loads(resolve_source("frontier_2025").read_text())
    if horizon is not None:
        data["horizon"] = horizon
    return data


# --- the figures file ------------------------------------------------------------------------------------

def test_shipped_figures_cite_their_sources_and_cover_the_five_labs():
    figures = load_figures()
    compute = [f for f in figures.figures if f.figure == "compute"]
    assert {f.lab for f in compute} == FRONTIER_LABS
    for f in compute:  # Epoch AI's Monte Carlo ranges are kept beside the medians
        assert f.p5 < f.median < f.p95 and f.unit == "H100e"
    assert {(f.lab, f.period_start) for f in compute} >= {(lab, y) for lab in FRONTIER_LABS for y in (2025.0, 2026.0)}
    for f in figures.figures:
        assert figures.citation(f)
    assert "Epoch AI" in figures.citation(compute[0]) and "ai-compute-users" in figures.sources["epoch-lab-compute"]["data"]


def _figures_file(tmp_path: Path, rows: list[str]) -> Path:
    shutil.copy(shipped_figures_path().parent / "sources.toml", tmp_path / "sources.toml")
    path = tmp_path / "figures.csv"
    path.write_text(",".join(COLUMNS) + "\n" + "\n".join(rows) + "\n")
    return path


GOOD = "compute,OpenAI,2026.0,2026.0,1,2,3,H100e,epoch-lab-compute,note"


@pytest.mark.parametrize("row, field, word", [
    ("compute,OpenAI,2026.0,2026.0,1,2,1.5,H100e,epoch-lab-compute,x", "line 3.p95", "below the median"),
    ("compute,OpenAI,2026.0,2026.0,3,2,4,H100e,epoch-lab-compute,x", "line 3.p5", "not in (0"),
    ("compute,OpenAI,2026.0,2026.0,1,2,,H100e,epoch-lab-compute,x", "line 3.p95", "together"),
    ("compute,OpenAI,2026.0,2025.0,,2,,H100e,epoch-lab-compute,x", "line 3.period_end", "before"),
    ("compute,OpenAI,2026.0,2026.0,,-2,,H100e,epoch-lab-compute,x", "line 3.median", "not positive"),
    ("compute,OpenAI,2026.0,2026.0,,two,,H100e,epoch-lab-compute,x", "line 3.median", "number"),
    ("compute,OpenAI,2026.0,2026.0,,2,,H100e,wikipedia,x", "line 3.source", "unknown source"),
    ("compute,OpenAI,2026.0,2026.0,,2,,H100e,epoch-lab-compute,x,extra", "line 3", "values"),
])
def test_a_bad_figure_is_refused_naming_the_file_line_and_column(tmp_path, row, field, word):
    path = _figures_file(tmp_path, [GOOD, row])
    with pytest.raises(ScenarioError) as caught:
        load_figures(path)
    assert caught.value.source == str(path) and caught.value.path == field and word in str(caught.value)


# --- real units --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("table, field", [
    ("h100e_per_compute_unit = 0.0", "units.h100e_per_compute_unit"),
    ("usd_per_revenue_unit = -1e9", "units.usd_per_revenue_unit"),
    ("start_year = 1066.0", "units.start_year"),
    ("start_yaer = 2025.0", "units.start_yaer"),
])
def test_a_bad_units_table_exits_2_naming_the_file_and_field(tmp_path, capsys, table, field):
    path = tmp_path / "bad.toml"
    path.write_text(f"[units]\n{table}\n[[labs]]\npolicy = \"constant\"\n")
    assert main(["run", str(path), "--out", str(tmp_path / "out"), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert f"{path}: {field}" in err and "Traceback" not in err
    assert not (tmp_path / "out").exists()


def test_units_survive_the_resolved_scenario_and_change_no_number():
    scenario = read_scenario("frontier_2025")
    text = config_to_toml(scenario.config, scenario.description, scenario.units)
    again = tomllib.loads(text)
    assert again["units"] == scenario.units.to_dict()
    plain = frontier_data()
    del plain["units"]
    assert config_from_dict(plain).key() == scenario.config.key()  # the units are not part of the run


def test_real_summary_matches_the_closed_form_revenue_of_a_lone_lab():
    """One power-law lab with constant alpha in isoelastic demand earns R = omega M^gamma K (K / T0)^(-1/eta),
    M(t) = M0 + beta (alpha C0)^eps (e^(eps g t) - 1) / (eps g), at every step start."""
    omega, gamma, eta, T0, C0, g, alpha, beta, eps, M0, dt = 9.0, 2.0, 0.5, 1.0, 0.4, 1.2, 0.5, 3.0, 0.5, 1.0, 0.05
    data = {"horizon": 2.0, "dt": dt, "units": {"h100e_per_compute_unit": 1e6, "usd_per_revenue_unit": 1e9},
            "market": {"demand": "isoelastic", "omega": omega, "gamma": gamma, "elasticity": eta,
                       "reference_tokens": T0},
            "labs": [{"name": "solo", "compute0": C0, "growth": g, "discount": 0.1,
                      "law_params": {"beta_T": beta, "epsilon": eps, "capability0": M0},
                      "policy": {"name": "constant", "params": {"alpha": alpha}}}]}
    result = run_config(config_from_dict(data), units=scenario_units(data))
    t = np.arange(40) * dt
    M = M0 + beta * (alpha * C0) ** eps * np.expm1(eps * g * t) / (eps * g)
    K = (1 - alpha) * C0 * np.exp(g * t)
    R = omega * M ** gamma * K * (K / T0) ** (-1 / eta)
    block = real_summary(result)["labs"][0]
    assert block["revenue_first_year_usd"] == pytest.approx(R[:20].sum() * dt * 1e9, rel=1e-10)
    assert block["revenue_last_year_usd"] == pytest.approx(R[20:].sum() * dt * 1e9, rel=1e-10)
    assert block["compute_start_h100e"] == pytest.approx(C0 * 1e6, rel=1e-12)
    assert block["revenue_per_inference_h100e_year_start_usd"] == pytest.approx(R[0] * 1e9 / (K[0] * 1e6), rel=1e-10)


def test_run_prints_real_units_and_writes_them_to_the_summary(tmp_path, capsys):
    assert main(["run", "frontier_2025", "--out", str(tmp_path / "f"), "--no-figures"]) == 0
    out = capsys.readouterr().out
    assert "in real units (1 compute unit = 1M H100e, 1 revenue unit = $1B, t = 0 is 2025)" in out
    assert "OpenAI" in out and "H100e (2025) ->" in out and "NPV $" in out
    summary = json.loads((tmp_path / "f" / "summary.json").read_text())
    assert {lab["lab"] for lab in summary["real_units"]["labs"]} == FRONTIER_LABS
    assert "[units]" in (tmp_path / "f" / "scenario.toml").read_text()
    assert main(["run", "duopoly", "--out", str(tmp_path / "d"), "--no-figures", "--quiet"]) == 0
    assert "real_units" not in json.loads((tmp_path / "d" / "summary.json").read_text())


# --- measures ------------------------------------------------------------------------------------------------

def test_measures_agree_with_closed_forms_on_the_shipped_scenario():
    scenario = read_scenario("frontier_2025")
    result = run_config(config_from_dict(frontier_data(horizon=1.5)), units=scenario.units)
    figures = {f.label: f for f in load_figures().figures}
    openai = next(lab for lab in scenario.config.labs if lab.name == "OpenAI")
    compute = MEASURES["compute"](result, figures["compute OpenAI 2026"], scenario.units)
    assert compute == pytest.approx(openai.compute0 * math.exp(openai.growth) * 1e6, rel=1e-12)
    share = MEASURES["inference_share"](result, figures["inference_share OpenAI 2025-2026"], scenario.units)
    assert share == pytest.approx(1 - openai.policy.kwargs["alpha"], rel=1e-12)
    assert MEASURES["compute"](result, figures["compute OpenAI 2024"], scenario.units) is None  # before t = 0


def test_log_sigma_is_the_lognormal_sd_of_a_90_percent_interval():
    figure = next(f for f in load_figures().figures if f.figure == "inference_price_decline")
    assert log_sigma(figure, 0.25) == pytest.approx(math.log(900 / 9) / (2 * Z90))
    point = next(f for f in load_figures().figures if f.figure == "revenue")
    assert log_sigma(point, 0.25) == 0.25


# --- the fit --------------------------------------------------------------------------------------------------

def test_standard_errors_match_the_inverse_information_and_flag_exact_trade_offs():
    rng = np.random.default_rng(3)
    J = rng.normal(size=(12, 4))
    assert standard_errors(J) == pytest.approx(np.sqrt(np.diag(np.linalg.inv(J.T @ J))), rel=1e-10)
    tied = np.column_stack([J, 2.0 * J[:, 1]])
    se = standard_errors(tied)
    assert math.isinf(se[1]) and math.isinf(se[4]) and np.isfinite(se[[0, 2, 3]]).all()


def _synthetic_calibration(tmp_path: Path, truth: dict[str, float]) -> Path:
    """Figures made by the model itself at ``truth`` (same kinds, dates and ranges as the shipped ones)."""
    spec = read_calibration("frontier_2025")
    values = {p: truth.get(p.name, spec.value(p)) for p in spec.free + spec.probe}
    data = spec.with_values(values)
    result = run_config(config_from_dict(dict(data, horizon=1.5)), units=spec.units)
    rows = []
    for f in spec.figures.figures:
        if f.figure not in spec.targets:
            continue
        model = MEASURES[f.figure](result, f, spec.units)
        if model is None:
            continue
        scale = model / f.median
        low, high = ("", "") if f.p5 is None else (repr(f.p5 * scale), repr(f.p95 * scale))
        rows.append(f"{f.figure},{f.lab},{f.period_start!r},{f.period_end!r},{low},{model!r},{high},{f.unit},"
                    f"{f.source},synthetic")
    _figures_file(tmp_path, rows)
    text = (Path(spec.source)).read_text().replace('figures = "frontier"', 'figures = "figures.csv"')
    path = tmp_path / "synthetic.toml"
    path.write_text(text)
    return path


def test_the_fit_recovers_known_parameters_from_data_the_model_generated(tmp_path):
    truth = {"market.omega": 12.0, "market.elasticity": 0.6, "law_params.beta_T (all labs)": 4.0,
             "Anthropic.law_params.capability0": 0.8, "OpenAI.growth": 1.3, "xAI.policy.params.alpha": 0.9,
             "Anthropic.policy.params.alpha": 0.55, "Meta.compute0": 0.3}
    fit = calibrate(read_calibration(_synthetic_calibration(tmp_path, truth)))
    assert fit.converged and 2 * fit.cost < 1e-12
    values = fit.parameters.set_index("parameter")["value"]
    for name, value in truth.items():
        assert values[name] == pytest.approx(value, rel=1e-5), name
    assert fit.targets["within_range"].all()


def test_the_frontier_fit_puts_every_target_inside_its_range_and_names_what_it_cannot_pin(frontier_fit):
    fit = frontier_fit
    assert fit.converged and fit.targets["within_range"].all()
    assert len(fit.targets) == 19
    verdicts = fit.parameters.set_index("parameter")["verdict"]
    for name in ("market.reference_tokens", "OpenAI.law_params.capability0", "market.demand_growth",
                 "Google DeepMind.law_params.capability0", "Meta.law_params.capability0",
                 "law_params.epsilon (all labs)"):
        assert verdicts[name] == "not pinned", name
    assert all(verdicts[f"{lab}.compute0"] == "pinned" for lab in FRONTIER_LABS)


def test_the_omega_reference_tokens_gauge_is_exact(frontier_fit):
    """Only omega T0^(1/eta) enters isoelastic revenue, so d r / d ln T0 = (1/eta) d r / d ln omega."""
    params = list(frontier_fit.parameters["parameter"])
    J = frontier_fit.jacobian
    omega, tokens = J[:, params.index("market.omega")], J[:, params.index("market.reference_tokens")]
    eta = frontier_fit.parameters.set_index("parameter").loc["market.elasticity", "value"]
    assert tokens == pytest.approx(omega / eta, rel=1e-6, abs=1e-8)


def test_the_standard_error_of_gamma_predicts_its_profile(frontier_fit, tmp_path):
    """Refit with gamma moved by d (on its log scale): the sum of squares rises by about (d / se)^2."""
    row = frontier_fit.parameters.set_index("parameter").loc["market.gamma"]
    d = 0.2
    data = frontier_fit.data
    data = json.loads(json.dumps(data))
    data["market"]["gamma"] = row["value"] * math.exp(d)
    shifted = tmp_path / "shifted.toml"
    shifted.write_text(config_to_toml(config_from_dict(data), "", read_scenario("frontier_2025").units))
    text = Path(frontier_fit.spec.source).read_text().replace('scenario = "frontier_2025"', f'scenario = "{shifted}"')
    calibration = tmp_path / "shifted_calibration.toml"
    calibration.write_text(text)
    refit = calibrate(read_calibration(calibration))
    rise = 2 * (refit.cost - frontier_fit.cost)
    assert rise == pytest.approx((d / row["se"]) ** 2, rel=0.3)


def test_the_shipped_scenario_is_the_fit_and_reproduces_the_2025_figures(frontier_fit):
    """The shipped values are the optimum to the 4 digits written; run as shipped, every 2025 target lies
    in its published range (or within 1.645 sigma of a point figure)."""
    shipped = frontier_fit.parameters[frontier_fit.parameters["role"] == "free"]
    moved = np.abs(np.log(shipped["value"] / shipped["start"]))
    assert (moved < 0.05 * shipped["se"]).all()
    scenario = read_scenario("frontier_2025")
    result = run_config(scenario.config, units=scenario.units)
    spec = read_calibration("frontier_2025")
    checked = 0
    for f in spec.figures.figures:
        if f.figure not in spec.targets or f.period_end > 2026.0:
            continue
        model = MEASURES[f.figure](result, f, scenario.units)
        if model is None:
            continue
        sigma = log_sigma(f, spec.point_sigma)
        low = f.p5 if f.p5 is not None else f.median * math.exp(-Z90 * sigma)
        high = f.p95 if f.p95 is not None else f.median * math.exp(Z90 * sigma)
        assert low <= model <= high, f.label
        checked += 1
    assert checked == 19


# --- calibration files -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("change, field, word", [
    (('targets = [', 'targets = ["compute_spend", '), "targets[0]", "no model measure"),
    (('point_sigma = 0.25', 'point_sigma = -1.0'), "point_sigma", "out of range"),
    (('labs = ["Anthropic"]\nscale = "log"', 'labs = ["Anthropic Inc"]\nscale = "log"'), "free[", "no lab named"),
    (('parameter = "market.omega"', 'parameter = "market.contest"'), "free[", "explicitly"),
    (('parameter = "market.elasticity"\nscale = "log"', 'parameter = "market.elasticity"\nscale = "probit"'),
     "free[", "unknown scale"),
    (('parameter = "market.demand_growth"\nscale = "linear"', 'parameter = "market.demand_growth"\nscale = "log"'),
     "probe[", "outside the log scale"),
    (('point_sigma = 0.25', 'point_sigma = 0.25\ntarget = []'), "target", "did you mean 'targets'"),
])
def test_a_bad_calibration_file_exits_2_naming_the_file_and_field(tmp_path, capsys, change, field, word):
    text = Path(read_calibration("frontier_2025").source).read_text()
    old, new = change
    assert old in text
    path = tmp_path / "bad.toml"
    path.write_text(text.replace(old, new, 1))
    assert main(["calibrate", str(path)]) == 2
    err = capsys.readouterr().err
    assert f"{path}: {field}" in err and word in err and "Traceback" not in err


def test_validate_resolved_keeps_the_units_table(capsys):
    assert main(["validate", "frontier_2025", "--resolved"]) == 0
    resolved = tomllib.loads(capsys.readouterr().out)
    assert resolved["units"] == {"h100e_per_compute_unit": 1e6, "usd_per_revenue_unit": 1e9, "start_year": 2025.0}


# --- frontier_2025 with its ranges as distributions ------------------------------------------------------

def test_the_uncertain_frontier_carries_epochs_compute_ranges_and_the_fitted_rest():
    uncertain = read_scenario("frontier_2025_uncertain")
    fitted = read_scenario("frontier_2025").config
    figures = {f.lab: f for f in load_figures().figures if f.figure == "compute" and f.note.startswith("end-2024")}
    per_unit = uncertain.units.h100e_per_compute_unit
    by_name = {p.name: p.distribution for p in uncertain.uncertainty.parameters}
    for k, lab in enumerate(uncertain.config.labs):
        figure = figures[lab.name]
        levels = (np.array([0.05, 0.5, 0.95]) - TAIL) / (1 - 2 * TAIL)
        np.testing.assert_allclose(by_name[f"labs[{k}].compute0"].ppf(levels) * per_unit,
                                   [figure.p5, figure.median, figure.p95], rtol=1e-9)
        # everything not given as a distribution is the fitted scenario's
        assert (lab.growth, lab.discount, lab.policy) == (fitted.labs[k].growth, fitted.labs[k].discount,
                                                          fitted.labs[k].policy)
    assert uncertain.config.market.omega == fitted.market.omega


def test_in_the_uncertain_frontier_each_labs_share_rises_with_its_own_compute(tmp_path):
    result = labrace.monte_carlo("frontier_2025_uncertain", 48, tmp_path / "mc", progress=False, figures=False)
    assert result.failed == 0
    for seat, rows in result.samples.groupby("seat"):
        # more compute serves more and trains more, whatever the other eleven draws are
        assert spearmanr(rows[f"labs[{seat}].compute0"], rows["revenue_share"]).statistic > 0.3

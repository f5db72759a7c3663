"""Costs, profit and endogenous compute (docs/model.md §7), each checked against an independent value.

* the booked compute bill against the geometric series of its step-start rates, and the planner's NPV of
  profit against the continuous closed form of the bill's present value;
* the sweep against the direct method with costs on, in a separable and a congested market;
* reinvestment's compute path against the closed form of its state equation (first-order convergence in
  dt) and the planner's own-compute forecast against what model.md says it is.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from labs.params import ParameterError
from labs.spec import LabSpec
from market.config import RaceConfig
from market.params import MarketParams
from policies.base import Observation
from policies.forecast import own_problem
from policies.optimal_control import solve_direct, solve_pontryagin
from policies.revenue import RivalPath
from labrace.simulation.model import RaceModel
from labrace.simulation.run import run_config
from tests.cases import seed_problem

PRICE, DECLINE = 2.0, 0.3
PLANNER_PRICE = 500.0  # the compute_priced scenario's: the bill is 5% of the base case's NPV


def bill_present_value(p0: float, C0: float, g: float, h: float, rho: float, T: float) -> float:
    """∫_0^T e^{-rho t} p0 e^{-h t} C0 e^{g t} dt, written out."""
    rate = rho + h - g
    return p0 * C0 * (-math.expm1(-rate * T) / rate if rate != 0 else T)


def duopoly(market: MarketParams, **lab: float) -> RaceConfig:
    labs = tuple(LabSpec.build(name, policy="constant", policy_params={"alpha": a}, **lab)
                 for name, a in (("a", 0.3), ("b", 0.6)))
    return RaceConfig(labs=labs, market=market, horizon=5.0, dt=0.1)


def test_costs_off_leave_profit_equal_to_revenue_and_the_bill_zero():
    result = run_config(duopoly(MarketParams.build(delta0=0.5)))
    labs = result.labs
    assert (labs["cost"] == 0).all()
    assert labs["profit"].equals(labs["revenue"]) and labs["npv_profit"].equals(labs["npv"])
    assert result.outcomes["npv_profit"].equals(result.outcomes["npv"])


def test_exogenous_compute_bill_is_sunk_alphas_and_revenue_unchanged_profit_npv_exact():
    off = run_config(duopoly(MarketParams.build(delta0=0.5)))
    on = run_config(duopoly(MarketParams.build(delta0=0.5, compute_price=PRICE, hardware_growth=DECLINE)))
    for column in ("alpha", "capability", "compute", "revenue", "npv"):
        assert on.labs[column].equals(off.labs[column]), column
    # The booked bill is a geometric series of the step-start rates p0 C0 e^{(g - h) t_k}.
    lab = LabSpec()
    dt, n = 0.1, 50
    q = math.exp(-(lab.discount + DECLINE - lab.growth) * dt)
    series = PRICE * lab.compute0 * (-math.expm1(-lab.discount * dt) / lab.discount) * (1 - q ** n) / (1 - q)
    lost = on.outcomes["npv"] - on.outcomes["npv_profit"]
    assert np.allclose(lost, series, rtol=1e-12, atol=0)
    # ... which converges to the continuous present value at first order in dt
    exact = bill_present_value(PRICE, lab.compute0, lab.growth, DECLINE, lab.discount, 5.0)
    assert abs(series / exact - 1) < 0.05


def test_planner_maximises_the_npv_of_profit_sweep_direct_and_closed_form_agree():
    free = seed_problem()
    priced = seed_problem(market=MarketParams.build(omega=1.0, gamma=2.0, compute_price=PLANNER_PRICE,
                                                    hardware_growth=DECLINE))
    sweep_free = solve_pontryagin(free)
    sweep = solve_pontryagin(priced)
    direct = solve_direct(priced, pieces=100)
    bill = bill_present_value(PLANNER_PRICE, 100.0, 0.1, DECLINE, 0.05, 10.0)
    assert sweep.converged and sweep.method.startswith("forward-backward sweep (closed_form")
    assert np.array_equal(sweep.alpha, sweep_free.alpha)  # the bill does not move the optimum
    assert abs(sweep.npv - (sweep_free.npv - bill)) < 1e-9 * sweep_free.npv
    assert abs(direct.npv / sweep.npv - 1) < 1e-4  # piecewise-constant control: O(pieces^-2) short (5e-5)


def test_planner_with_costs_in_a_congested_market_matches_the_direct_method():
    market = MarketParams.build(omega=1.0, gamma=2.0, delta0=2.0, compute_price=PLANNER_PRICE, hardware_growth=DECLINE)
    problem = seed_problem(market=market)
    sweep = solve_pontryagin(problem)
    direct = solve_direct(problem, pieces=100)
    free = solve_pontryagin(seed_problem(market=market.replace(compute_price=0.0)))
    bill = bill_present_value(PLANNER_PRICE, 100.0, 0.1, DECLINE, 0.05, 10.0)
    assert sweep.converged
    assert abs(sweep.npv - (free.npv - bill)) < 1e-8 * free.npv
    assert abs(direct.npv / sweep.npv - 1) < 1e-4


def reinvesting_lab(**numbers: float) -> RaceConfig:
    lab = LabSpec.build("r", policy="constant", policy_params={"alpha": 0.4}, reinvest=0.0, funding=50.0,
                        growth=0.0, depreciation=0.5, **numbers)
    market = MarketParams.build(compute_price=PRICE, hardware_growth=0.0)
    return RaceConfig(labs=(lab,), market=market, horizon=4.0, dt=0.1)


def test_funded_compute_follows_its_state_equation_at_first_order_in_dt():
    # s = 0, g = 0, h = 0: dC/dt = d F / p, so C(t) = C0 + d F t / p exactly.
    errors = []
    for step in (0.1, 0.05, 0.025):
        config = reinvesting_lab()
        config = RaceConfig(labs=config.labs, market=config.market, horizon=4.0, dt=step)
        model = RaceModel(config).run()
        exact = 100.0 + 0.5 * 50.0 * 4.0 / PRICE
        errors.append(abs(model.state.compute[0] - exact))
    ratios = errors[0] / errors[1], errors[1] / errors[2]
    assert all(1.8 < r < 2.2 for r in ratios), ratios


def test_one_step_of_reinvestment_grows_compute_by_the_documented_rate():
    lab = LabSpec.build("r", policy="constant", policy_params={"alpha": 0.2}, reinvest=0.7, funding=10.0,
                        growth=0.05, depreciation=0.25)
    market = MarketParams.build(compute_price=0.5, hardware_growth=0.3)
    model = RaceModel(RaceConfig(labs=(lab,), market=market, horizon=1.0, dt=0.1))
    model.step()
    s = model.state
    revenue = 1.0 * 1.0 ** 2 * 0.8 * 100.0  # omega M^gamma (1 - alpha) C at the start
    profit = revenue - 0.5 * 100.0
    rate = 0.05 + 0.25 * (0.7 * profit + 10.0) / (0.5 * 100.0)
    assert s.compute[0] == pytest.approx(100.0 * math.exp(0.1 * rate), rel=1e-14)
    assert s.growth_observed[0] == pytest.approx(rate, rel=1e-12)


def test_rich_get_richer_a_head_start_becomes_a_growing_compute_lead():
    # Two chinchilla labs alike but for 20% more training done at the start, in a business-stealing market.
    labs = tuple(LabSpec.build(name, policy="constant", policy_params={"alpha": 0.3}, reinvest=1.0,
                               growth=0.0, law="chinchilla", law_params={"trained0": f0})
                 for name, f0 in (("ahead", 12.0), ("behind", 10.0)))
    market = MarketParams.build(gamma=2.0, demand="capacity", capacity0=400.0, demand_growth=0.05, contest=8.0,
                                compute_price=2.0, hardware_growth=0.3)
    config = RaceConfig(labs=labs, market=market, horizon=10.0, dt=0.1)
    compute = run_config(config).labs.pivot(index="t", columns="lab", values="compute")
    ratio = (compute["ahead"] / compute["behind"]).to_numpy()
    assert ratio[0] == 1.0 and ratio[-1] > 2.0
    assert np.all(np.diff(ratio[1:]) > 0)  # the lead widens every step
    exogenous = tuple(LabSpec.build(lab.name, policy=lab.policy, law=lab.law, law_params=lab.law_kwargs,
                                    growth=0.0) for lab in labs)
    fixed = run_config(RaceConfig(labs=exogenous, market=market, horizon=10.0, dt=0.1)).labs
    assert (fixed.groupby("t")["compute"].nunique() == 1).all()  # exogenous compute: no lead at all


def test_a_reinvesting_planner_forecasts_its_compute_at_the_observed_growth():
    lab = LabSpec.build("r", reinvest=0.5, growth=0.0)
    config = RaceConfig(labs=(lab,), market=MarketParams.build(compute_price=0.5), horizon=2.0, dt=0.1)
    model = RaceModel(config)
    model.step()
    obs = model.observe()
    problem = own_problem(obs, 0, RivalPath.none())
    assert problem.revenue.growth == obs.growth_observed[0] != lab.growth
    exogenous = own_problem(Observation.at_start(RaceConfig(labs=(LabSpec.build("x"),))), 0, RivalPath.none())
    assert exogenous.revenue.growth == LabSpec().growth


def test_reinvesting_without_a_compute_price_is_refused_naming_the_field():
    with pytest.raises(ParameterError, match=r"labs\[0\]\.reinvest.*compute_price > 0"):
        RaceConfig(labs=(LabSpec.build("r", reinvest=0.5),))


def _shipped(name: str, **lab_changes) -> RaceConfig:
    import tomllib

    from scenarios.loader import config_from_dict, resolve_source

    data = tomllib.loads(resolve_source(name).read_text())
    for lab in data["labs"]:
        for key, value in lab_changes.items():
            if value is None:
                lab.pop(key, None)
            else:
                lab[key] = value
    return config_from_dict(data, name)


def test_the_reinvestment_scenario_shows_what_its_description_says():
    labs = run_config(_shipped("reinvestment")).labs
    compute = labs.pivot(index="t", columns="lab", values="compute")
    share = labs.pivot(index="t", columns="lab", values="share")
    assert (compute["ahead"] / compute["behind"]).iloc[-1] == pytest.approx(2.2, abs=0.05)
    assert share["ahead"].iloc[0] == pytest.approx(0.56, abs=0.005)
    assert share["ahead"].iloc[-1] == pytest.approx(0.78, abs=0.005)
    fixed = run_config(_shipped("reinvestment", reinvest=None)).labs
    assert fixed.pivot(index="t", columns="lab", values="share")["ahead"].iloc[-1] == pytest.approx(0.50, abs=0.005)


@pytest.mark.slow
def test_the_compute_priced_scenario_shows_what_its_description_says():
    priced = run_config(_shipped("compute_priced"))
    free = run_config(_shipped("duopoly"))
    assert priced.labs["alpha"].equals(free.labs["alpha"])
    lab = priced.labs[priced.labs["lab"] == "lab-1"]
    assert lab.loc[lab["profit"] < 0, "t"].max() == pytest.approx(5.5)
    assert lab.loc[lab["npv_profit"] < 0, "t"].max() == pytest.approx(6.3)
    outcome = priced.outcomes.iloc[0]
    assert outcome["npv_profit"] == pytest.approx(3.13e6, rel=2e-3) and outcome["npv"] == pytest.approx(3.31e6, rel=2e-3)
    assert 1 - outcome["npv_profit"] / outcome["npv"] == pytest.approx(0.054, abs=0.001)


def test_the_visualiser_shows_profit_when_compute_has_a_price():
    from labrace.visualiser import charts

    priced = RaceModel(_shipped("compute_priced"))
    free = RaceModel(_shipped("duopoly"))
    for model in (priced, free):
        for _ in range(3):
            model.step()
    assert charts.npv_chart(priced).to_dict()["encoding"]["y"]["field"] == "npv_profit"
    assert charts.npv_chart(free).to_dict()["encoding"]["y"]["field"] == "npv"
    profit = charts.profit_chart(priced).to_dict()
    assert profit["encoding"]["y"]["field"] == "profit"
    assert np.allclose(sorted(v["profit"] for v in profit["datasets"][next(iter(profit["datasets"]))]),
                       sorted(priced.labs_frame()["profit"]))
    board = charts.leaderboard(priced)
    assert np.allclose(board["NPV"], priced.state.npv_profit) and (board["NPV"] < 0).all()  # still training


def test_planning_labs_run_with_reinvested_compute():
    labs = tuple(LabSpec.build(name, reinvest=0.5, growth=0.0, discount=rho, policy="pontryagin",
                               policy_params={"grid": 20, "replan_every": 5, "tol": 1e-6})
                 for name, rho in (("p", 0.05), ("q", 0.1)))
    market = MarketParams.build(compute_price=20.0, delta0=1.0)
    result = run_config(RaceConfig(labs=labs, market=market, horizon=2.0, dt=0.1))
    compute = result.labs.pivot(index="t", columns="lab", values="compute")
    assert np.isfinite(compute.to_numpy()).all() and (compute.iloc[-1] != compute.iloc[0]).all()


def test_baseline_of_reinvesting_labs_reports_an_exploding_independent_market_as_undefined():
    # Unsaturable demand pays omega M^gamma per unit served at any scale: reinvested profit then buys compute
    # without bound, and that run leaves the floating-point range; the comparison with each lab alone stands.
    result = run_config(_shipped("reinvestment")).with_baseline()
    baseline = result.baseline.set_index("lab")
    assert baseline["independent_npv"].isna().all() and baseline["change_vs_independent"].isna().all()
    assert np.isfinite(baseline["alone_npv"]).all() and (baseline["change_vs_alone"] < 0).all()

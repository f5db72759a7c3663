"""How a lab turns the public state into a planning problem: rival forecasts and its own problem.

Two forecasts of the rivals are offered:

* ``constant_alpha`` (default): each rival keeps its last training share and its compute grows at the
  rate observed last step; its capability follows its (published) law exactly.
* ``trend``: each rival's capability and compute keep growing at last step's observed rates, with its last
  training share — no knowledge of rivals' laws needed.
* ``nash``: planning rivals best-respond, the open-loop equilibrium of the remaining game re-solved at
  every re-plan (:mod:`policies.rational`); rivals that follow a rule keep their last share.
"""

from __future__ import annotations

from typing import Iterator

import numpy as np

from labs.laws import LAWS, CapabilityLaw, serving_factor
from policies.base import Array, Observation
from policies.optimal_control import LabProblem, maximise_hamiltonian
from policies.revenue import MarketRevenue, RivalPath

FORECASTS = ("constant_alpha", "trend", "nash")


def _by_law(obs: Observation, rivals: Array) -> Iterator[tuple[CapabilityLaw, Array]]:
    """Each law among ``rivals`` (in order of first appearance) with the positions in ``rivals`` of the
    labs that follow it: a law's formulas run on all of its labs at once."""
    laws = np.array([obs.labs[int(j)].law for j in rivals])
    for name in dict.fromkeys(laws.tolist()):
        yield LAWS[name], np.flatnonzero(laws == name)


def _observed(obs: Observation, labs: Array) -> tuple[dict[str, Array], Array, Array]:
    """The law parameters, capability and cumulative training of ``labs`` (one law), as columns that
    broadcast against times."""
    params = {k: v[:, None] for k, v in obs.law_params(labs).items()}
    return params, obs.capability[labs][:, None], obs.trained[labs][:, None]


def rival_paths(obs: Observation, rivals: Array, rival_alpha: Array, t: Array, forecast: str) -> RivalPath:
    """Aggregates of ``rivals`` on times ``t`` under ``forecast`` (arrays indexed like ``obs``)."""
    if rivals.size == 0:
        return RivalPath.none()
    market = obs.market
    elapsed = (t - obs.t)[None, :]
    alpha = rival_alpha[rivals][:, None]
    C0 = obs.compute[rivals][:, None]
    growth = obs.growth_observed[rivals][:, None]
    M = np.empty((rivals.size, t.size))
    serving = np.ones((rivals.size, t.size))
    for law, rows in _by_law(obs, rivals):
        p, M_now, F_now = _observed(obs, rivals[rows])
        x = law.planning_state(M_now, F_now)
        if forecast == "trend":  # capability and tokens per unit of compute as they are now
            M[rows] = M_now * np.exp(obs.capability_growth[rivals[rows]][:, None] * elapsed)
            serving[rows] = serving_factor(law, x, p)
        else:
            x = x + law.gain(alpha[rows], C0[rows], growth[rows], elapsed, p)
            M[rows] = law.capability(x, p, law.multiplier(M_now, F_now, p))
            serving[rows] = serving_factor(law, x, p)
    K = (1.0 - alpha) * C0 * np.exp(growth * elapsed) * serving
    return RivalPath.of_labs(t, M, K, market.gamma, market.contest_exponent)


def rivals_now(obs: Observation, rivals: Array, rival_alpha: Array) -> RivalPath:
    """Aggregates of ``rivals`` at the observation's time with shares ``rival_alpha``: what
    :func:`rival_paths` forecasts for no time ahead, read off the observed state instead of projected
    through each rival's law (a one-step decision needs nothing more).
    """
    if rivals.size == 0:
        return RivalPath.none()
    market = obs.market
    serving = np.ones(rivals.size)
    for law, rows in _by_law(obs, rivals):
        if law.serving is None:  # tokens per unit of compute are 1 whatever the state
            continue
        p, M_now, F_now = _observed(obs, rivals[rows])
        serving[rows] = serving_factor(law, law.planning_state(M_now, F_now), p)[:, 0]
    K = (1.0 - rival_alpha[rivals]) * obs.compute[rivals] * serving
    return RivalPath.of_labs(np.array([obs.t]), obs.capability[rivals][:, None], K[:, None], market.gamma,
                             market.contest_exponent)


def own_problem(obs: Observation, lab: int, rivals_path: RivalPath) -> LabProblem:
    """Lab ``lab``'s optimal-control problem from now to the horizon against ``rivals_path``."""
    spec = obs.labs[lab]
    law = LAWS[spec.law]
    p = {k: float(v[0]) for k, v in obs.law_params(np.array([lab])).items()}
    M, F = obs.capability[lab:lab + 1], obs.trained[lab:lab + 1]
    x0 = float(law.planning_state(M, F)[0])
    multiplier = float(law.multiplier(M, F, p)[0])
    # A lab that buys compute from profit forecasts it at the growth it observed (docs/model.md §7).
    growth = float(obs.growth_observed[lab]) if spec.reinvests else spec.growth
    revenue = MarketRevenue(obs.market, float(obs.compute[lab]), growth, obs.t, rivals_path)
    return LabProblem(law, p, x0, revenue, spec.discount, obs.t, obs.horizon, multiplier)


def _stacked(problems: list[LabProblem], t: Array) -> LabProblem:
    """One problem whose numbers are arrays over ``problems`` (same law and separability), on times ``t``.

    Every formula of the Hamiltonian is elementwise, so evaluating it on these arrays is evaluating each
    lab's own problem at once. A law parameter all the labs share stays a scalar, as in each lab's own
    problem, so the arithmetic is the same operation for operation.
    """
    first = problems[0]
    params = {}
    for name in first.law_params:
        values = np.array([q.law_params[name] for q in problems])
        params[name] = float(values[0]) if np.all(values == values[0]) else values
    rivals = RivalPath(t=t, value=np.array([q.revenue.rivals.value[0] for q in problems]),
                       tokens=np.array([q.revenue.rivals.tokens[0] for q in problems]),
                       log_weight=np.array([q.revenue.rivals.log_weight[0] for q in problems]))
    revenue = MarketRevenue(first.revenue.market, np.array([q.revenue.compute0 for q in problems]),
                            np.array([q.revenue.growth for q in problems]), first.t0, rivals)
    return LabProblem(first.law, params, np.array([q.x0 for q in problems]), revenue,
                      np.array([q.discount for q in problems]), first.t0, first.t_end,
                      np.array([q.multiplier for q in problems]))


def one_step_revenue_argmax(obs: Observation, labs: Array, rival_alpha: Array,
                            report: dict | None = None) -> Array:
    """For each lab, the alpha that maximises this step's revenue with rivals at ``rival_alpha``.

    Each lab's problem is built on its own, then the Hamiltonian maximiser runs once for all labs that
    share a law and revenue form (its work is elementwise): one vectorised search instead of one per lab,
    with the same numbers. With no costate the Hamiltonian is one step's revenue, which is unimodal in
    alpha for the shipped demand forms, so the search needs no global scan. ``report`` receives the
    maximiser's count of unresolved labs (see :func:`policies.optimal_control.maximise_hamiltonian`).
    """
    everyone = np.arange(obs.n_labs)
    problems = [own_problem(obs, int(lab), rivals_now(obs, everyone[everyone != lab], rival_alpha)) for lab in labs]
    groups: dict[tuple[str, bool], list[int]] = {}
    for k, problem in enumerate(problems):
        groups.setdefault((problem.law.name, problem.revenue.separable), []).append(k)
    out = np.empty(labs.size)
    for rows in groups.values():
        t = np.full(len(rows), obs.t)
        # One lab's problem is already its own stack of one (scalars where a stack holds 1-element arrays).
        stacked = problems[rows[0]] if len(rows) == 1 else _stacked([problems[k] for k in rows], t)
        h = stacked.on_grid(t).at(np.atleast_1d(stacked.x0), np.zeros(len(rows)))
        out[rows] = maximise_hamiltonian(h, report=report)
    return out

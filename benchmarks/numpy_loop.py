"""The limit: the model's equations for power-law labs with non-planning policies as a bare numpy loop.

No agents, no observation objects, no policy dispatch: each step evaluates the three heuristic rules on
whole arrays, clears the quasilinear market (model.md §2), books discounted revenue exactly and advances
capability with the closed-form power-law step (model.md §3), recording the same per-lab variables the
model records. Written independently of ``labrace.simulation.model`` so that agreement between the two is evidence.
"""

from __future__ import annotations

import numpy as np

from market.config import RaceConfig
from policies.erdil import PRESETS, parity_share

Array = np.ndarray
RECORDED = ("alpha", "capability", "compute", "capacity", "revenue", "share", "npv")


def _policy_arrays(config: RaceConfig) -> tuple[Array, Array, Array, Array, Array]:
    """Per-lab fixed share (NaN for catch-up labs) and catch-up base, sensitivity and ceiling."""
    n = len(config.labs)
    fixed, base, sens, ceiling = (np.full(n, np.nan) for _ in range(4))
    for i, lab in enumerate(config.labs):
        if lab.law != "power":
            raise ValueError(f"the numpy loop covers the power law only, lab {lab.name} uses {lab.law}")
        p = lab.policy.kwargs
        if lab.policy.name == "constant":
            fixed[i] = p["alpha"]
        elif lab.policy.name == "erdil":
            fixed[i] = (parity_share(p["a"], p["b"]) if p["preset"] == "custom"
                        else parity_share(PRESETS[p["preset"]][1], PRESETS[p["preset"]][0]))
        elif lab.policy.name == "catch_up":
            base[i], sens[i], ceiling[i] = p["base"], p["sensitivity"], max(p["ceiling"], p["base"])
        else:
            raise ValueError(f"the numpy loop does not implement policy {lab.policy.name!r}")
    return fixed, np.isnan(fixed), base, sens, ceiling


def run_numpy(config: RaceConfig) -> dict[str, Array]:
    """Run ``config`` and return the per-step records, each an array of shape (steps, labs)."""
    if config.shocks.active or config.market.demand != "quasilinear":
        raise ValueError("the numpy loop covers the deterministic quasilinear market only")
    labs, market, dt, steps = config.labs, config.market, config.dt, config.steps
    fixed, chasing, base, sens, ceiling = _policy_arrays(config)
    law = [lab.law_kwargs for lab in labs]
    beta = np.array([p["beta_T"] for p in law])
    eps = np.array([p["epsilon"] for p in law])
    M = np.array([p["capability0"] for p in law], dtype=float)
    C = np.array([lab.compute0 for lab in labs], dtype=float)
    g = np.array([lab.growth for lab in labs])
    rho = np.array([lab.discount for lab in labs])
    npv = np.zeros(M.size)
    gamma, contest = market.gamma, market.contest_exponent
    # Step constants: discount of a constant rate over a step, compute growth, the integral of C^eps.
    book = -np.expm1(-rho * dt) / rho
    grow = np.exp(g * dt)
    train = beta * np.expm1(eps * g * dt) / (eps * g)
    records = {name: np.empty((steps, M.size)) for name in RECORDED}
    for k in range(steps):
        t = k * dt
        alpha = np.where(chasing, np.clip(base + sens * np.log(M.max() / M), 0.0, ceiling), fixed)
        K = (1.0 - alpha) * C
        tokens = K.sum()
        value = (M ** gamma) @ K
        delta = market.demand_kwargs["delta0"] * np.exp(-market.demand_growth * t)
        pool = max(0.0, market.omega * value - delta * tokens * tokens)
        weight = (M / M.max()) ** contest * K
        share = weight / weight.sum() if weight.sum() > 0 else np.zeros_like(K)
        revenue = share * pool if tokens > 0 else np.zeros_like(K)
        npv = npv + revenue * np.exp(-rho * t) * book
        for name, value_k in zip(RECORDED, (alpha, M, C, K, revenue, share, npv)):
            records[name][k] = value_k
        M = M + (alpha * C) ** eps * train
        C = C * grow
    return records

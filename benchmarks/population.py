"""The lab populations the model-step benchmarks run: non-planning policies, power law, congested market.

Policies cycle through constant, Erdil parity and catch-up so that the model has three policy groups to
dispatch and the catch-up labs react to the others. Initial compute and growth vary by lab so that no
two labs are identical. The limit (:mod:`benchmarks.numpy_loop`) and the naive Mesa model
(:mod:`benchmarks.naive_mesa`) read the same configuration, which is what makes their numbers comparable.
"""

from __future__ import annotations

from labs.spec import LabSpec
from market.params import MarketParams
from market.config import RaceConfig

POLICIES = (("constant", {"alpha": 0.4}), ("erdil", {"preset": "scaling_policy"}),
            ("catch_up", {"base": 0.3, "sensitivity": 0.5, "ceiling": 0.9}))
SUPPORTED_POLICIES = {name for name, _ in POLICIES}


def mixed_config(n_labs: int, steps: int = 100) -> RaceConfig:
    """``n_labs`` labs with the policy mix above, ``steps`` steps of 0.1 years, congestion ``delta0 = 0.5``."""
    labs = tuple(
        LabSpec.build(f"lab{i:04d}", policy=POLICIES[i % 3][0], policy_params=POLICIES[i % 3][1],
                      compute0=80.0 + 40.0 * (i % 7) / 6.0, growth=0.08 + 0.04 * (i % 5) / 4.0,
                      discount=0.05)
        for i in range(n_labs))
    return RaceConfig(labs, market=MarketParams.build(delta0=0.5), horizon=0.1 * steps, dt=0.1,
                      name=f"mixed-{n_labs}")

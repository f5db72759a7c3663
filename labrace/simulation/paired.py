"""Two policies for one lab compared on the same shocks: the gain and its confidence interval.

Seed ``k`` of a study draws the same compute, breakthrough and demand shocks whichever policy the lab
plays (the model draws them in a fixed order from its seeded generator, whatever the policies decide),
so comparing the policies seed by seed removes the shocks' own spread from the comparison. Two gains
are reported, because they answer different questions:

* ``expected``: the relative gain in expected NPV, ``mean(challenger) / mean(incumbent) - 1`` — what a
  risk-neutral planner maximises. Its interval is the delta method's for a ratio of paired means
  (Student's t on ``(a_i - R b_i) / mean(b)``).
* ``per_seed``: the mean of each seed's relative gain ``a_i / b_i - 1`` — what a typical draw of the
  shocks brings — with Student's t interval.

They differ when the gain comes from a few seeds with large NPVs (a planner that trains more for
breakthroughs that may not come gains most where they do).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
from scipy import stats

from labs.spec import PolicySpec
from market.config import RaceConfig
from labrace.simulation.run import run_config
from labrace.simulation.seeds import SEEDS, spawn_seeds


@dataclass(frozen=True)
class Gain:
    """A relative gain and its confidence interval."""

    mean: float
    low: float
    high: float

    def text(self, confidence: float) -> str:
        return (f"{100 * self.mean:+.2f}% ({100 * confidence:.0f}% interval {100 * self.low:+.2f}% to "
                f"{100 * self.high:+.2f}%)")


@dataclass(frozen=True)
class PairedGain:
    """Per-seed NPVs of the lab under both policies (``table``) and both gains (see the module docstring)."""

    table: pd.DataFrame
    expected: Gain
    per_seed: Gain
    confidence: float

    def summary(self) -> str:
        return (f"expected NPV {self.expected.text(self.confidence)}, per seed "
                f"{self.per_seed.text(self.confidence)}, {len(self.table)} paired seeds")


def _t_interval(mean: float, terms: np.ndarray, confidence: float) -> Gain:
    """``mean`` with Student's t interval from the spread of ``terms`` (nan with fewer than two)."""
    if terms.size < 2:
        return Gain(mean, float("nan"), float("nan"))
    half = float(stats.t.ppf(0.5 + 0.5 * confidence, terms.size - 1) * terms.std(ddof=1) / np.sqrt(terms.size))
    return Gain(mean, mean - half, mean + half)


def paired_gain(config: RaceConfig, lab: int, challenger: PolicySpec, incumbent: PolicySpec, seeds: int,
                confidence: float = 0.95) -> PairedGain:
    """How much more NPV lab ``lab`` of ``config`` earns with ``challenger`` than with ``incumbent``.

    Both are run on ``seeds`` seeds spawned from the scenario's seed (as ``labrace run --seeds`` does);
    the other labs keep their policies.
    """
    if not 0 <= lab < len(config.labs):
        raise ValueError(f"lab {lab} is not one of the scenario's {len(config.labs)} labs")
    rows = []
    for seed in spawn_seeds(config.seed, SEEDS.check(seeds)):
        npv = {}
        for role, policy in (("challenger", challenger), ("incumbent", incumbent)):
            labs = list(config.labs)
            labs[lab] = replace(labs[lab], policy=policy)
            outcomes = run_config(replace(config, labs=tuple(labs), seed=seed)).outcomes
            npv[role] = float(outcomes["npv"].iloc[lab])
        rows.append({"seed": seed, **npv, "gain": npv["challenger"] / npv["incumbent"] - 1.0})
    table = pd.DataFrame(rows)
    expected = expected_gain(table["challenger"].to_numpy(), table["incumbent"].to_numpy(), confidence)
    gain = table["gain"].to_numpy()
    return PairedGain(table, expected, _t_interval(float(gain.mean()), gain, confidence), confidence)


def expected_gain(challenger: np.ndarray, incumbent: np.ndarray, confidence: float = 0.95) -> Gain:
    """``mean(challenger) / mean(incumbent) - 1`` for paired draws, with the delta method's interval."""
    ratio = challenger.mean() / incumbent.mean()
    return _t_interval(float(ratio - 1.0), (challenger - ratio * incumbent) / incumbent.mean(), confidence)

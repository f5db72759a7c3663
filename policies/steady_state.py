"""Steady-state allocation (seed 000 §4) with its validity region made explicit.

``paper`` is Troynikov's eq. 11, ``alpha = epsilon / (epsilon + (gamma - 1)(1 - g / rho))``. Its derivation
needs ``rho > g`` and only gives a share in [0, 1] when ``(gamma - 1)(1 - g/rho) >= 0``; outside that
region the policy does not extrapolate the formula but returns ``fallback`` (by default 1: train
forever, the paper's own reading of ``g >= rho``). Even inside that region it is not the optimum: the
long-horizon optimal alpha is the balanced-growth share below (``labrace reproduce troynikov`` measures
the difference).

``constant`` is the exact NPV-maximising *constant* share when capability starts negligible:
with ``M(0) = 0`` capability is proportional to ``alpha^epsilon`` at every date, so revenue is proportional
to ``alpha^(gamma epsilon) (1 - alpha)`` and the best constant share is ``gamma epsilon / (1 + gamma epsilon)``
for any horizon, discount rate and compute growth.

``balanced_growth`` is the Pontryagin optimum on a balanced-growth path of the power law: alpha constant,
capability growing at ``epsilon g`` and the current-value costate at ``(1 + epsilon (gamma - 1)) g``. The
costate equation then gives ``alpha = gamma eps^2 g / (rho - g (1 + eps (gamma - 1) - gamma eps^2))``.
It holds where discounted revenue shrinks along the path, ``rho > (1 + gamma epsilon) g``, with ``g > 0``
(only then does training, not ``M(0)``, drive capability); there it matches the middle of long-horizon
numerical optima (``tests/test_steady_state.py``). Outside that region no steady state exists (the
finite-horizon optimum trains fully and switches late), and the policy returns ``fallback``. Its
derivation uses the power law's rate, so only laws declaring ``balanced_growth`` get it; the others
(``chinchilla``) get ``fallback`` under this variant.

``epsilon`` is what the lab's law declares as its returns to training compute (``training_elasticity``):
the exponent for ``power``, the local elasticity of capability to cumulative training compute for
``chinchilla``. A law declaring none gets ``fallback`` under every variant.
"""

from __future__ import annotations

import numpy as np

from labs.laws import LAWS
from labs.params import Param
from policies.base import Array, Observation, Policy
from policies.registry import register


def paper_share(epsilon: Array, gamma: float, growth: Array, discount: Array) -> tuple[Array, Array]:
    """Eq. 11 and a mask of where it is valid (rho > g and the share lies in [0, 1])."""
    denominator = epsilon + (gamma - 1.0) * (1.0 - growth / discount)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = epsilon / denominator
    valid = (discount > growth) & (denominator > 0) & (share >= 0) & (share <= 1)
    return share, valid


def balanced_growth_share(epsilon: Array, gamma: float, growth: Array, discount: Array) -> tuple[Array, Array]:
    """Balanced-growth optimum and a mask of where it is valid (g > 0 and rho > (1 + gamma eps) g)."""
    denominator = discount - growth * (1.0 + epsilon * (gamma - 1.0) - gamma * epsilon ** 2)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = gamma * epsilon ** 2 * growth / denominator
    valid = (growth > 0) & (discount > (1.0 + gamma * epsilon) * growth)
    return share, valid


def constant_share(epsilon: Array, gamma: float) -> Array:
    """Best constant share ``gamma epsilon / (1 + gamma epsilon)`` (capability starting from zero)."""
    return gamma * epsilon / (1.0 + gamma * epsilon)


def effective_epsilon(obs: Observation, labs: Array) -> Array:
    """Each lab's returns to training compute from its law (``nan`` for a law that declares none)."""
    out = np.full(labs.size, np.nan)
    names = np.array([obs.labs[int(i)].law for i in labs])
    for name in np.unique(names):
        rows = np.flatnonzero(names == name)
        law = LAWS[str(name)]
        if law.training_elasticity is not None:
            index = labs[rows]
            out[rows] = law.training_elasticity(obs.capability[index], obs.trained[index], obs.law_params(index))
    return out


@register
class SteadyStatePolicy(Policy):
    name = "steady_state"
    description = "Closed-form constant share: eq. 11, the best constant share, or the balanced-growth optimum."
    params = {
        "variant": Param("variant", "paper", "formula: eq. 11 ('paper'), gamma*eps/(1+gamma*eps) ('constant') "
                         "or the balanced-growth optimum", kind="choice",
                         choices=("paper", "constant", "balanced_growth")),
        "fallback": Param("fallback", 1.0, "share used outside the formula's validity region",
                          low=0.0, high=1.0),
    }

    def decide(self, obs: Observation, labs: Array) -> Array:
        epsilon = effective_epsilon(obs, labs)
        gamma = obs.market.gamma
        if self.p["variant"] == "constant":
            return np.where(np.isfinite(epsilon), constant_share(epsilon, gamma), self.p["fallback"])
        growth = np.array([obs.labs[int(i)].growth for i in labs])
        discount = np.array([obs.labs[int(i)].discount for i in labs])
        if self.p["variant"] == "balanced_growth":
            share, valid = balanced_growth_share(epsilon, gamma, growth, discount)
            valid &= np.array([LAWS[obs.labs[int(i)].law].balanced_growth for i in labs])
        else:
            share, valid = paper_share(epsilon, gamma, growth, discount)
        return np.where(valid, share, self.p["fallback"])

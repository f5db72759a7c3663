"""Model-size economics: how a lab splits training compute between parameters and tokens.

Everything rests on the parametric loss of Hoffmann et al. (2022), ``L(N, D) = E + A/N^a + B/D^b``, and on
the usual FLOP counts: training a model of ``N`` parameters on ``D`` tokens costs ``6 N D``, serving one
token ``2 N``. Three splits of a training budget ``C = 6 N D`` are offered:

* the *rule* ``D = r N`` (Hoffmann et al.'s "about 20 tokens per parameter"): ``N = sqrt(C / 6r)``;
* the *loss-optimal* split, the exact minimiser of ``L`` on ``6 N D = C``:
  ``N = G (C/6)^(b/(a+b))`` with ``G = (a A / (b B))^(1/(a+b))``; its tokens per parameter drift with
  ``C`` because ``a != b``, which is how far the rule is from the fit it summarises;
* the *inference-aware* split of Sardana et al. (2024): minimise ``6 N D + 2 N D_inf`` at a fixed loss,
  where ``D_inf`` is the tokens the model will serve in its lifetime. Its first-order condition is
  ``a A / N^a = b B / D^b · (1 + D_inf / (3 D))``: for the same loss, a smaller model trained longer.

The inference-aware optimum at a target loss is found by a 1-D root find of the derivative of the total
cost along the iso-loss curve (:func:`inference_optimum`); :func:`inference_optimum_2d` solves the same
problem as a 2-D constrained minimisation (SLSQP), the independent check. :func:`inference_split` is the
same optimality condition read at a given training budget instead of a given loss, the form a capability
law needs (every point of Sardana's optimal path is an ``inference_split`` of its own training compute).
All functions take numpy arrays (or scalars) and work elementwise.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

import numpy as np
from scipy.optimize import brentq, minimize, minimize_scalar

Array = np.ndarray

HOFFMANN: Mapping[str, float] = {"E0": 1.69, "A": 406.4, "B": 410.7, "a": 0.34, "b": 0.28}
"""Hoffmann et al. (2022)'s fit of ``L(N, D) = E0 + A/N^a + B/D^b`` (Approach 3, as printed)."""

TRAIN_FLOP_PER_PARAM_TOKEN = 6.0
"""Training FLOP per parameter per token (forward and backward pass)."""
SERVE_FLOP_PER_PARAM_TOKEN = 2.0
"""Inference FLOP per parameter per token served (forward pass)."""
RULE_TOKENS_PER_PARAM = 20.0
"""Hoffmann et al.'s rule of thumb: compute-optimal training uses about 20 tokens per parameter."""


@dataclass(frozen=True)
class LossFit:
    """A fit of ``L(N, D) = E + A/N^a + B/D^b``."""

    E: float
    A: float
    B: float
    a: float
    b: float

    def __post_init__(self) -> None:
        for name in ("A", "B", "a", "b"):
            if not getattr(self, name) > 0:
                raise ValueError(f"loss fit: {name} must be > 0, got {getattr(self, name)!r}")

    @classmethod
    def of(cls, constants: Mapping[str, float]) -> "LossFit":
        """A fit from a mapping that names the irreducible loss ``E0`` (as the chinchilla law does)."""
        return cls(E=constants["E0"], A=constants["A"], B=constants["B"], a=constants["a"], b=constants["b"])

    def loss(self, N: Array | float, D: Array | float) -> Array:
        return self.E + self.A / np.asarray(N, dtype=float) ** self.a + self.B / np.asarray(D, dtype=float) ** self.b

    def reducible(self, N: Array | float, D: Array | float) -> Array:
        """``L - E``, computed without the cancellation of subtracting ``E`` from ``L``."""
        return self.A / np.asarray(N, dtype=float) ** self.a + self.B / np.asarray(D, dtype=float) ** self.b


HOFFMANN_FIT = LossFit.of(HOFFMANN)
"""Hoffmann et al. (2022), Approach 3, as printed: E 1.69, A 406.4, B 410.7, a 0.34, b 0.28."""
SARDANA_FIT = LossFit(E=HOFFMANN["E0"], A=HOFFMANN["A"], B=HOFFMANN["B"], a=0.336, b=0.283)
"""The same fit with the exponents to three digits, as Sardana et al. (2024) use it."""


def rule_split(C: Array | float, tokens_per_param: float = RULE_TOKENS_PER_PARAM) -> tuple[Array, Array]:
    """``N, D`` with ``D = r N`` and ``6 N D = C``."""
    N = np.sqrt(np.asarray(C, dtype=float) / (TRAIN_FLOP_PER_PARAM_TOKEN * tokens_per_param))
    return N, tokens_per_param * N


def loss_optimal_split(C: Array | float, fit: LossFit = HOFFMANN_FIT) -> tuple[Array, Array]:
    """The closed-form minimiser of ``L(N, D)`` on ``6 N D = C``."""
    G = (fit.a * fit.A / (fit.b * fit.B)) ** (1.0 / (fit.a + fit.b))
    budget = np.asarray(C, dtype=float) / TRAIN_FLOP_PER_PARAM_TOKEN
    N = G * budget ** (fit.b / (fit.a + fit.b))
    return N, budget / N


def loss_optimal_split_numeric(C: float, fit: LossFit = HOFFMANN_FIT) -> tuple[float, float]:
    """The same minimiser found by Brent's method on ``L(N, C / 6N)`` over ``ln N`` (the check)."""
    budget = C / TRAIN_FLOP_PER_PARAM_TOKEN
    span = np.log(budget)
    found = minimize_scalar(lambda x: float(fit.reducible(np.exp(x), budget / np.exp(x))),
                            bounds=(0.05 * span, 0.95 * span), method="bounded",
                            options={"xatol": 1e-12, "maxiter": 500})
    N = float(np.exp(found.x))
    return N, budget / N


def rule_loss_penalty(C: Array | float, tokens_per_param: float = RULE_TOKENS_PER_PARAM,
                      fit: LossFit = HOFFMANN_FIT) -> Array:
    """How much higher the loss of the rule's split is than the loss-optimal one, at the same compute."""
    return fit.reducible(*rule_split(C, tokens_per_param)) - fit.reducible(*loss_optimal_split(C, fit))


def loss_optimal_tokens(N: Array | float, fit: LossFit = HOFFMANN_FIT) -> Array:
    """Tokens that make ``N`` parameters the loss-optimal size: ``a A/N^a = b B/D^b`` solved for ``D``."""
    return (fit.b * fit.B * np.asarray(N, dtype=float) ** fit.a / (fit.a * fit.A)) ** (1.0 / fit.b)


def compute_for_loss(target: Array | float, fit: LossFit = HOFFMANN_FIT) -> tuple[Array, Array]:
    """The loss-optimal ``N, D`` that reach loss ``target`` (the cheapest training, no inference).

    At the loss-optimal split ``a A/N^a = b B/D^b``, so ``A/N^a = (target - E) b/(a+b)``: closed form.
    """
    excess = _excess(target, fit)
    N = (fit.A * (fit.a + fit.b) / (fit.b * excess)) ** (1.0 / fit.a)
    D = (fit.B * (fit.a + fit.b) / (fit.a * excess)) ** (1.0 / fit.b)
    return N, D


def tokens_for_loss(N: Array | float, target: Array | float, fit: LossFit = HOFFMANN_FIT) -> Array:
    """Training tokens a model of ``N`` parameters needs to reach ``target``; inf where it never can."""
    room = _excess(target, fit) - fit.A / np.asarray(N, dtype=float) ** fit.a
    with np.errstate(divide="ignore"):
        return np.where(room > 0, (fit.B / np.where(room > 0, room, 1.0)) ** (1.0 / fit.b), np.inf)


def smallest_model(target: Array | float, fit: LossFit = HOFFMANN_FIT) -> Array:
    """The size below which no amount of data reaches ``target``: ``A/N^a = target - E``."""
    return (fit.A / _excess(target, fit)) ** (1.0 / fit.a)


def total_flops(N: Array | float, D: Array | float, inference_tokens: Array | float) -> Array:
    """Lifetime FLOPs ``6 N D + 2 N D_inf`` of training on ``D`` tokens and serving ``D_inf``."""
    N = np.asarray(N, dtype=float)
    return TRAIN_FLOP_PER_PARAM_TOKEN * N * D + SERVE_FLOP_PER_PARAM_TOKEN * N * inference_tokens


def _excess(target: Array | float, fit: LossFit) -> Array:
    excess = np.asarray(target, dtype=float) - fit.E
    if np.any(~(excess > 0)):
        raise ValueError(f"target loss must exceed the irreducible loss E = {fit.E}, got {target!r}")
    return excess


def _cost_slope(log_N: float, target: float, inference_tokens: float, fit: LossFit) -> float:
    """Sign-preserving ``d(total cost)/dN / (6 D)`` along the iso-loss curve, at ``N = exp(log_N)``.

    With ``R = target - E - A/N^a = B/D^b`` the curve has ``d ln D / d ln N = -a A N^-a / (b R)``, so
    ``dcost/dN = 6 D (1 + d ln D/d ln N) + 2 D_inf``; dividing by ``6 D`` keeps it finite near the
    smallest model, where ``D`` diverges.
    """
    term_n = fit.A * np.exp(-fit.a * log_N)
    room = target - fit.E - term_n
    log_D = (np.log(fit.B) - np.log(room)) / fit.b
    return 1.0 - fit.a * term_n / (fit.b * room) + inference_tokens * np.exp(-log_D) / 3.0


def inference_optimum(target: float, inference_tokens: float, fit: LossFit = HOFFMANN_FIT,
                      xtol: float = 1e-14) -> tuple[float, float]:
    """Sardana et al.'s optimum: ``N, D_train`` minimising ``6 N D + 2 N D_inf`` subject to ``L = target``.

    The slope of the cost along the iso-loss curve is zero exactly at the loss-optimal size when
    ``D_inf = 0``, positive there when ``D_inf > 0`` and tends to minus infinity at the smallest model, so
    the optimum is the single root in between (Brent's method on ``ln N``).
    """
    if inference_tokens < 0:
        raise ValueError(f"inference tokens must be >= 0, got {inference_tokens!r}")
    N_train, _ = compute_for_loss(target, fit)
    if inference_tokens == 0:
        return float(N_train), float(tokens_for_loss(N_train, target, fit))
    low = np.log(float(smallest_model(target, fit))) * (1.0 + 1e-12)
    log_N = brentq(_cost_slope, low, float(np.log(N_train)), args=(target, inference_tokens, fit),
                   xtol=xtol, rtol=4 * np.finfo(float).eps, maxiter=500)
    N = float(np.exp(log_N))
    return N, float(tokens_for_loss(N, target, fit))


def inference_optimum_2d(target: float, inference_tokens: float,
                         fit: LossFit = HOFFMANN_FIT) -> tuple[float, float]:
    """The same optimum by SLSQP over ``(ln N, ln D)`` with the loss as an equality constraint."""
    N0, D0 = compute_for_loss(target, fit)
    start = np.array([np.log(N0), np.log(D0)])

    def log_cost(z: Array) -> float:
        return float(np.log(total_flops(np.exp(z[0]), np.exp(z[1]), inference_tokens)) - start.sum())

    def on_target(z: Array) -> float:
        return float(np.log(fit.reducible(np.exp(z[0]), np.exp(z[1]))) - np.log(target - fit.E))

    found = minimize(log_cost, start, method="SLSQP", constraints=[{"type": "eq", "fun": on_target}],
                     options={"ftol": 1e-15, "maxiter": 1000})
    if not found.success:
        raise RuntimeError(f"SLSQP did not converge: {found.message}")
    return float(np.exp(found.x[0])), float(np.exp(found.x[1]))


def inference_split(C: Array | float, inference_tokens: Array | float,
                    fit: LossFit = HOFFMANN_FIT) -> tuple[Array, Array]:
    """The inference-aware ``N, D`` for a training budget ``C = 6 N D`` and ``D_inf`` tokens to serve.

    Sardana et al.'s first-order condition ``a A/N^a = b B/D^b (1 + D_inf/(3D))`` with ``D = C / 6N``: in
    ``ln N`` its left side minus its right side, ``phi``, is strictly decreasing, negative at the
    loss-optimal size and positive as ``N`` falls, so the root is unique. It is solved for all labs at
    once by a vectorised safeguarded Newton iteration (Newton steps kept inside a shrinking bracket).
    """
    C = np.asarray(C, dtype=float)
    inference_tokens = np.broadcast_to(np.asarray(inference_tokens, dtype=float), np.broadcast(C, inference_tokens).shape)
    C = np.broadcast_to(C, inference_tokens.shape)
    budget = C / TRAIN_FLOP_PER_PARAM_TOKEN
    high = np.log(loss_optimal_split(C, fit)[0])
    # phi grows without bound as N falls (D and the size term both grow), so widening finds a lower end.
    low = high - 1.0
    for _ in range(60):
        short = _split_phi(low, budget, inference_tokens, fit)[0] <= 0
        if not np.any(short):
            break
        low = np.where(short, low - 2.0 * (high - low), low)
    x = 0.5 * (low + high)
    # A lab's root is frozen once its own step is below tolerance, so each lab's N depends on its own
    # numbers only, not on which other labs share the call (a lab that does not train keeps its size).
    done = np.zeros(x.shape, dtype=bool)
    for _ in range(100):
        phi, slope = _split_phi(x, budget, inference_tokens, fit)
        low = np.where(phi > 0, x, low)
        high = np.where(phi > 0, high, x)
        step = x - phi / slope
        inside = (step > low) & (step < high)
        x_new = np.where(inside, step, 0.5 * (low + high))
        settled = np.abs(x_new - x) <= 1e-14 * np.maximum(1.0, np.abs(x))
        x = np.where(done, x, x_new)
        done = done | settled
        if np.all(done):
            break
    N = np.exp(x)
    return N, budget / N


def _split_phi(log_N: Array, budget: Array, inference_tokens: Array, fit: LossFit) -> tuple[Array, Array]:
    """``phi(ln N)`` of :func:`inference_split` and its derivative in ``ln N``."""
    log_D = np.log(budget) - log_N
    u = inference_tokens * np.exp(-log_D) / 3.0
    phi = (np.log(fit.a * fit.A) - fit.a * log_N) - (np.log(fit.b * fit.B) - fit.b * log_D + np.log1p(u))
    return phi, -(fit.a + fit.b + u / (1.0 + u))


def inference_split_elasticity(C: Array | float, inference_tokens: Array | float,
                               fit: LossFit = HOFFMANN_FIT) -> Array:
    """``d ln N / d ln C`` along :func:`inference_split`: ``(b + w)/(a + b + w)``, ``w = u/(1+u)``, ``u = D_inf/3D``.

    Implicit differentiation of ``phi``: it is ``b/(a+b)`` without inference and tends to 1 when serving
    dominates (then the model hardly grows in tokens).
    """
    _, D = inference_split(C, inference_tokens, fit)
    u = np.asarray(inference_tokens, dtype=float) / (3.0 * D)
    w = u / (1.0 + u)
    return (fit.b + w) / (fit.a + fit.b + w)

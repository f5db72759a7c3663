"""What a policy sees and what it must do.

A policy maps an :class:`Observation` of the public state to a training share alpha for each of the labs
it controls. Labs that share a policy specification share one policy object, so a policy decides for all
of its labs in one vectorised call; planning policies keep per-lab plans inside the object.
"""

from __future__ import annotations

import dataclasses
from abc import ABC, abstractmethod
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any, Callable, ClassVar, Mapping, TypeVar

import numpy as np

from labs.laws import LAWS
from labs.params import Param, resolve_params
from labs.spec import LabSpec, PolicySpec
from labs.state import LabState, law_param_arrays
from market.config import RaceConfig, ShockParams
from market.params import MarketParams

Array = np.ndarray


@dataclass(frozen=True)
class Observation:
    """The public state at the start of a step (model.md §3). Arrays have one entry per lab.

    ``labs`` carries every lab's published parameters (law, compute growth, discount rate): labrace
    assumes labs know each other's technology but not each other's intentions.
    """

    t: float
    dt: float
    horizon: float
    step: int
    capability: Array
    compute: Array
    trained: Array
    alpha_last: Array
    growth_observed: Array
    capability_growth: Array
    price_last: float
    market: MarketParams
    labs: tuple[LabSpec, ...]
    rng: np.random.Generator
    shocks: ShockParams = ShockParams()  # the published shock process (not its draws): what planners may assume

    @classmethod
    def of_state(cls, state: LabState, config: RaceConfig, *, t: float, step: int, price_last: float,
                 rng: np.random.Generator) -> "Observation":
        """What every lab sees of ``state`` at the start of step ``step`` (time ``t``) of a run of ``config``.

        A policy cannot change the state it observes: the state's arrays are read-only (a step replaces
        them rather than writing into them), so the observation shares them; one that is writable is
        copied. The model observes once per step, so the value is filled in directly rather than through
        the frozen dataclass's ``__init__``, whose per-field ``object.__setattr__`` was most of the cost of
        a small model's observation. It sets every field but ``capability_growth``, which it takes from
        the state's :class:`~labs.state.CapabilityChange` when first read (see :meth:`__getattr__`;
        ``tests/test_model_core.py`` checks both).
        """
        obs = object.__new__(cls)
        obs.__dict__.update(t=t, dt=config.dt, horizon=config.horizon, step=step,
                            capability=_unwritable(state.capability), compute=_unwritable(state.compute),
                            trained=_unwritable(state.trained), alpha_last=_unwritable(state.alpha),
                            growth_observed=_unwritable(state.growth_observed),
                            _capability_change=state.capability_change,
                            price_last=price_last, market=config.market, labs=config.labs, rng=rng,
                            shocks=config.shocks)
        return obs

    def __getattr__(self, name: str) -> Any:
        """``capability_growth`` of an observation made by :meth:`of_state`, on first read (Python asks
        here only for attributes the instance does not hold): most policies never read it."""
        change = self.__dict__.get("_capability_change")
        if name != "capability_growth" or change is None:
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
        rate = _unwritable(change.rate)
        self.__dict__["capability_growth"] = rate
        return rate

    @classmethod
    def at_start(cls, config: RaceConfig) -> "Observation":
        """The observation of a run of ``config`` before its first step (no model needed)."""
        return cls.of_state(LabState(config.labs), config, t=0.0, step=0, price_last=float("nan"),
                            rng=np.random.default_rng(config.seed))

    @property
    def n_labs(self) -> int:
        return len(self.labs)

    def law_params(self, labs: Array) -> dict[str, Array]:
        """Per-lab arrays of the law parameters for ``labs`` (which must all share one law)."""
        return law_param_arrays(LAWS[self.labs[int(labs[0])].law], self.labs, labs)


def _unwritable(a: Array) -> Array:
    """``a`` itself when nobody can write into it, else a copy."""
    return a if not a.flags.writeable else a.copy()


def game_state(obs: Observation) -> tuple:
    """Everything of ``obs`` a planning solve reads, as a hashable value: time, horizon, market, the
    labs' published parameters (their policies do not enter any forecast or game) and the public state
    arrays. Two observations with equal game states give every solver the same problem."""
    labs = tuple(dataclasses.replace(spec, policy=PolicySpec("")) for spec in obs.labs)
    arrays = (obs.capability, obs.compute, obs.trained, obs.alpha_last, obs.growth_observed,
              obs.capability_growth)
    return (obs.t, obs.horizon, obs.market, labs, *(np.asarray(a, dtype=float).tobytes() for a in arrays))


COLD_SOLVES_KEPT = 32  # distinct cold solves remembered per process (a tournament has a few per scenario)
_cold_solves: OrderedDict[tuple, Any] = OrderedDict()
Solved = TypeVar("Solved")


def reused_cold_solve(key: tuple, solve: Callable[[], Solved]) -> Solved:
    """``solve()``, computed once per ``key`` in this process and then reused.

    For solves that are a pure function of ``key`` (a :func:`game_state` and the solver's settings, no
    warm start): the first plan or equilibrium of a run depends on the scenario's starting state, not on
    the seed or on who else sits in the line-up, so a tournament would otherwise repeat it for every
    seed and line-up. Deterministic solves give the same numbers either way, so results do not depend
    on which runs share a process. The result is shared: callers read it and never change it.
    """
    if key in _cold_solves:
        _cold_solves.move_to_end(key)
        return _cold_solves[key]
    result = solve()
    _cold_solves[key] = result
    while len(_cold_solves) > COLD_SOLVES_KEPT:
        _cold_solves.popitem(last=False)
    return result


def forget_cold_solves() -> None:
    """Empty this process's store of cold solves (see :func:`reused_cold_solve`): what a measurement of a
    cold solve's cost must do first, or it times a lookup."""
    _cold_solves.clear()


class IterationHistory:
    """For a solver result that keeps every iteration's change in ``changes``: its last one, the residual."""

    changes: list[float]

    @property
    def change(self) -> float:
        """The fixed-point residual of the last iteration."""
        return self.changes[-1] if self.changes else float("nan")


@dataclass
class PlanLog:
    """Every solve a planning policy made in a run, and how each ended: what ``Policy.diagnostics``
    reports and what a run or tournament records so a non-converged plan is never silently stored.

    ``residual`` is a solve's own convergence measure (the sweep's last change of alpha, the Nash
    iteration's last change, the argmax's unresolved bracket width); ``failures`` keeps the first few
    non-converged solves with the lab, the time and the solver's message.
    """

    plans: int = 0
    not_converged: int = 0
    worst_residual: float = 0.0
    by_lab: dict[int, list[int]] = field(default_factory=dict)  # lab -> [plans, not converged]
    failures: list[dict[str, Any]] = field(default_factory=list)

    KEPT_FAILURES: ClassVar[int] = 5

    def record(self, lab: int, t: float, converged: bool, residual: float, message: str = "") -> None:
        self.plans += 1
        counts = self.by_lab.setdefault(int(lab), [0, 0])
        counts[0] += 1
        if np.isfinite(residual):
            self.worst_residual = max(self.worst_residual, float(residual))
        if not converged:
            self.not_converged += 1
            counts[1] += 1
            if len(self.failures) < self.KEPT_FAILURES:
                self.failures.append({"lab": int(lab), "t": float(t), "residual": float(residual),
                                      "message": message})

    def summary(self) -> dict[str, Any]:
        return {"plans": self.plans, "plans_not_converged": self.not_converged,
                "worst_residual": self.worst_residual,
                "by_lab": {lab: {"plans": n, "plans_not_converged": bad} for lab, (n, bad) in self.by_lab.items()},
                "failures": list(self.failures)}


class Policy(ABC):
    """Base class of every policy family. Subclasses set the class metadata and :meth:`decide`."""

    name: ClassVar[str] = ""
    description: ClassVar[str] = ""
    deterministic: ClassVar[bool] = True
    plans: ClassVar[bool] = False
    params: ClassVar[Mapping[str, Param]] = {}

    def __init__(self, **params: Any) -> None:
        self.p = resolve_params(self.params, params, "params")

    def reset(self) -> None:
        """Forget any per-run state (plans). Called when a model starts."""

    def diagnostics(self) -> dict[str, Any]:
        """How this policy's solves went in the current run (see :class:`PlanLog`; empty for rules that
        solve nothing). Planning policies override it; runners record it next to the outcomes."""
        log = getattr(self, "log", None)
        return log.summary() if isinstance(log, PlanLog) else {}

    @abstractmethod
    def decide(self, obs: Observation, labs: Array) -> Array:
        """Training shares in [0, 1] for the lab indices ``labs``."""

    @classmethod
    def metadata(cls) -> dict[str, Any]:
        return {
            "name": cls.name,
            "description": cls.description,
            "deterministic": cls.deterministic,
            "plans": cls.plans,
            "params": {k: {"default": p.default, "allowed": p.allowed(), "doc": p.doc}
                       for k, p in cls.params.items()},
        }

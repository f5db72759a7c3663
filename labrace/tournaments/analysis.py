"""Turning run rows into rankings, payoff matrices and the tournament's game.

NPVs from different scenarios, sweep points and seats live on different scales (a lab with ten times the
compute earns roughly a hundred times more), so pooling raw NPVs would let one environment drown the rest.
Every result is therefore also expressed as **relative NPV**: the lab's NPV divided by the mean NPV of the
same seat in the same environment (scenario, sweep point, seed) over all line-ups played there. 1.0 is
"as good as the average entrant in that seat". Dividing each environment's payoffs by a positive constant
keeps its strategic structure (best responses, equilibria), unlike dividing by the run's own mean, which
would turn every duopoly into a constant-sum game. Rankings and the game use relative NPV; raw NPV means
and medians are reported alongside.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

from labrace.simulation.columns import OUTCOME_NUMBERS

ENVIRONMENT = ["scenario", "sweep", "seed", "seat"]
BOOTSTRAP_SAMPLES = 2000
INTERVAL_MEANING = (
    f"ci_low and ci_high are the 2.5th and 97.5th percentiles of the mean relative NPV over {BOOTSTRAP_SAMPLES} "
    "resamples, with replacement, of the policy's appearances in this tournament. Those appearances are the "
    "designed set of line-ups x seats x scenarios x sweep points x seeds, not a random sample, so the interval "
    "measures how much the mean depends on which of them are counted; it is not sampling uncertainty. "
    "Deterministic scenarios give exactly the same numbers when the tournament is played again, and other "
    "entrants, line-up sizes or scenarios can move a mean outside its interval."
)


def results_frame(plan: pd.DataFrame, rows: pd.DataFrame) -> pd.DataFrame:
    """The planned seats joined with their recorded outcomes (status ``missing`` if not run yet).

    Metadata (labels, scenario names) comes from the plan, numbers from the store, so relabelling an
    entrant in the tournament file relabels its old results instead of orphaning them.
    """
    plan_columns = [c for c in ("plans", "plans_not_converged", "plan_residual") if c in rows]
    numbers = rows[["key", "seat", *OUTCOME_NUMBERS, *plan_columns, "status", "error"]]
    frame = plan.merge(numbers.drop_duplicates(["key", "seat"]), on=["key", "seat"], how="left")
    frame["status"] = frame["status"].fillna("missing")
    frame["error"] = frame["error"].fillna("")
    ok = frame["status"] == "ok"
    env_mean = frame[ok].groupby(ENVIRONMENT)["npv"].transform("mean")
    frame["relative_npv"] = np.nan
    frame.loc[ok, "relative_npv"] = np.where(env_mean > 0, frame.loc[ok, "npv"] / env_mean, np.nan)
    frame["win"] = np.nan
    frame.loc[ok, "win"] = _wins(frame[ok])
    return frame


def _wins(ok: pd.DataFrame) -> pd.Series:
    """1 for the run's highest NPV, split evenly between tied seats; 0 otherwise."""
    best = ok.groupby("key")["npv"].transform("max")
    top = pd.Series(np.isclose(ok["npv"], best, rtol=1e-12, atol=0.0), index=ok.index)
    ties = top.groupby(ok["key"]).transform("sum")
    return top / ties


def bootstrap_ci(values: np.ndarray, rng: np.random.Generator, samples: int = BOOTSTRAP_SAMPLES,
                 level: float = 0.95) -> tuple[float, float]:
    """Percentile bootstrap interval of the mean of ``values``.

    For a tournament the values are a policy's appearances, a designed set (every line-up, seat,
    scenario, sweep point and seed) rather than a random sample: the interval says how much the mean
    depends on which of those appearances are counted, not how uncertain an estimate of some population
    value is (see :data:`INTERVAL_MEANING`).
    """
    values = np.asarray(values, dtype=float)
    if values.size == 0:
        return (np.nan, np.nan)
    means = np.concatenate([values[rng.integers(0, values.size, (min(100, samples - k), values.size))].mean(axis=1)
                            for k in range(0, samples, 100)])
    tail = (1 - level) / 2 * 100
    low, high = np.percentile(means, [tail, 100 - tail])
    return float(low), float(high)


def ranking(frame: pd.DataFrame, order: list[str], seed: int = 0) -> pd.DataFrame:
    """Per policy: appearances, raw NPV mean/median, relative NPV mean with its bootstrap interval
    (``ci_low``, ``ci_high``: see :data:`INTERVAL_MEANING`), win rate, rank."""
    rng = np.random.default_rng(seed)
    ok = frame[frame["status"] == "ok"]
    rows = []
    for policy in order:
        mine = ok[ok["policy"] == policy]
        rel = mine["relative_npv"].dropna().to_numpy()
        low, high = bootstrap_ci(rel, rng)
        rows.append({"policy": policy, "runs": len(mine), "mean_npv": mine["npv"].mean(),
                     "median_npv": mine["npv"].median(), "mean_relative_npv": rel.mean() if rel.size else np.nan,
                     "median_relative_npv": np.median(rel) if rel.size else np.nan, "ci_low": low, "ci_high": high,
                     "win_rate": mine["win"].mean()})
    table = pd.DataFrame(rows)
    table["rank"] = table["mean_relative_npv"].rank(ascending=False, method="min").astype("Int64")
    return table.sort_values(["rank", "policy"]).reset_index(drop=True)


def ranking_by(frame: pd.DataFrame, order: list[str], column: str, seed: int = 0) -> pd.DataFrame:
    """:func:`ranking` within each value of ``column`` (``scenario`` or ``sweep``), that column first.

    Relative NPV is normalised within each environment, so a ranking restricted to one scenario or one
    sweep point compares like with like; the pooled ranking can hide a reversal between them.
    """
    parts = [ranking(group, order, seed).assign(**{column: name}) for name, group in frame.groupby(column)]
    table = pd.concat(parts, ignore_index=True)
    return table[[column, *[c for c in table.columns if c != column]]]


def ranking_by_sweep(frame: pd.DataFrame, order: list[str], seed: int = 0) -> pd.DataFrame:
    """:func:`ranking_by` sweep point, with the point's values spelled out as one column per parameter."""
    table = ranking_by(frame, order, "sweep", seed)
    values = pd.DataFrame([json.loads(point) for point in table["sweep"]], index=table.index)
    return pd.concat([table[["sweep"]], values, table.drop(columns="sweep")], axis=1)


def pairings(frame: pd.DataFrame) -> pd.DataFrame:
    """For two-lab runs: each seat's policy, its opponent's policy, its NPV and relative NPV."""
    ok = frame[frame["status"] == "ok"]
    sizes = ok.groupby("key")["seat"].transform("size")
    duo = ok[sizes == 2]
    other = duo[["key", "seat", "policy"]].assign(seat=1 - duo["seat"]).rename(columns={"policy": "opponent"})
    return duo.merge(other, on=["key", "seat"])


def payoff_matrix(frame: pd.DataFrame, order: list[str], value: str = "npv") -> pd.DataFrame:
    """Mean ``value`` of the row policy against the column policy over every duopoly run and seat."""
    pairs = pairings(frame)
    table = pairs.pivot_table(index="policy", columns="opponent", values=value, aggfunc="mean")
    table = table.reindex(index=order, columns=order)
    table.index.name, table.columns.name = "policy", "opponent"
    return table

"""Robust policies: which entrant does well across a tournament's sampled scenarios, and where each wins.

A sweep point (a grid point or a Monte-Carlo sample of ``sweep.sample``) in a base scenario is one
possible world. In each, every entrant's **score** is its mean relative NPV there (over seeds, seats and
line-ups; relative NPV is normalised within each environment, so scores are comparable across worlds).
From the worlds x entrants table of scores:

- **expected relative NPV**: the mean score over the worlds (each sampled world weighs the same);
- **regret** in a world: the best entrant's score there minus this entrant's (Savage's regret); its mean
  and its maximum over the worlds. Minimax regret picks the entrant whose worst shortfall against
  hindsight is smallest, a robust choice when nobody can put probabilities on the worlds;
- **where each wins**: the world's best entrant as a function of the swept parameters, summarised by a
  shallow classification tree (CART with Gini impurity, :func:`fit_tree`) whose leaves read as rules,
  e.g. ``market.delta0 <= 1.2 and labs.discount > 0.05: pontryagin wins 18 of 20 worlds``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

WORLD = ["scenario", "sweep"]
TREE_DEPTH = 2
MIN_LEAF = 3


def scores(frame: pd.DataFrame, order: list[str]) -> pd.DataFrame:
    """Worlds (scenario, sweep point) x entrants: the mean relative NPV of each entrant in each world."""
    ok = frame[(frame["status"] == "ok") & frame["relative_npv"].notna()]
    table = ok.groupby([*WORLD, "policy"])["relative_npv"].mean().unstack("policy")
    return table.reindex(columns=[p for p in order if p in table.columns])


def ranking(table: pd.DataFrame) -> pd.DataFrame:
    """Per entrant: expected relative NPV, worst score, mean and max regret, share of worlds won (ties split),
    and its rank by expected relative NPV and by max regret; worlds where an entrant has no score are left out."""
    complete = table.dropna()
    values = complete.to_numpy(dtype=float)
    best = values.max(axis=1, keepdims=True)
    regret = best - values
    top = np.isclose(values, best, rtol=1e-12, atol=0.0)
    wins = (top / top.sum(axis=1, keepdims=True)).mean(axis=0) if len(values) else np.full(values.shape[1], np.nan)
    out = pd.DataFrame({"policy": complete.columns, "worlds": len(complete),
                        "expected_relative_npv": values.mean(axis=0), "worst_relative_npv": values.min(axis=0),
                        "mean_regret": regret.mean(axis=0), "max_regret": regret.max(axis=0), "win_share": wins})
    out["rank_expected"] = out["expected_relative_npv"].rank(ascending=False, method="min").astype(int)
    out["rank_max_regret"] = out["max_regret"].rank(ascending=True, method="min").astype(int)
    return out.sort_values(["rank_expected", "policy"]).reset_index(drop=True)


def world_values(table: pd.DataFrame) -> pd.DataFrame:
    """The swept parameters' values of each world (one column per parameter), in the table's row order."""
    return pd.DataFrame([json.loads(point) for point in table.index.get_level_values("sweep")], index=table.index)


@dataclass
class Node:
    """A node of the classification tree: a split (``feature``, ``threshold``) or a leaf (``feature`` None)."""

    label: str
    count: int
    correct: int
    feature: str | None = None
    threshold: float = np.nan
    low: "Node | None" = None
    high: "Node | None" = None


def _gini(counts: np.ndarray) -> np.ndarray:
    """Gini impurity of class counts (last axis), weighted by their total: total - sum(count^2) / total."""
    total = counts.sum(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total > 0, total - (counts ** 2).sum(axis=-1) / total, 0.0)


def best_split(x: np.ndarray, y: np.ndarray, classes: int, min_leaf: int) -> tuple[int, float, float] | None:
    """(feature, threshold, weighted impurity) of the split of ``x`` (n x d) that most lowers the Gini impurity
    of labels ``y`` (integers < ``classes``), with at least ``min_leaf`` points per side; None if none lowers it.

    Thresholds are midpoints between consecutive distinct values; for each feature every threshold is scored
    at once from cumulative class counts.
    """
    n, d = x.shape
    one_hot = np.eye(classes)[y]
    parent = float(_gini(one_hot.sum(axis=0)))
    found: tuple[int, float, float] | None = None
    for j in range(d):
        order = np.argsort(x[:, j], kind="stable")
        values = x[order, j]
        left = np.cumsum(one_hot[order], axis=0)[:-1]
        right = one_hot.sum(axis=0) - left
        sizes = np.arange(1, n)
        valid = (values[1:] > values[:-1]) & (sizes >= min_leaf) & (n - sizes >= min_leaf)
        if not valid.any():
            continue
        impurity = np.where(valid, _gini(left) + _gini(right), np.inf)
        k = int(np.argmin(impurity))
        if impurity[k] < parent - 1e-12 and (found is None or impurity[k] < found[2] - 1e-12):
            found = (j, float((values[k] + values[k + 1]) / 2), float(impurity[k]))
    return found


def fit_tree(x: np.ndarray, labels: list[str], features: list[str], depth: int = TREE_DEPTH,
             min_leaf: int = MIN_LEAF) -> Node:
    """A classification tree of at most ``depth`` splits from root to leaf (CART, Gini impurity)."""
    classes = sorted(set(labels))
    y = np.array([classes.index(label) for label in labels])

    def grow(rows: np.ndarray, level: int) -> Node:
        counts = np.bincount(y[rows], minlength=len(classes))
        node = Node(classes[int(np.argmax(counts))], int(len(rows)), int(counts.max()))
        if level == depth or counts.max() == len(rows):
            return node
        split = best_split(x[rows], y[rows], len(classes), min_leaf)
        if split is None:
            return node
        j, threshold, _ = split
        below = x[rows, j] <= threshold
        node.feature, node.threshold = features[j], threshold
        node.low, node.high = grow(rows[below], level + 1), grow(rows[~below], level + 1)
        return node

    return grow(np.arange(len(labels)), 0)


def rules(node: Node, conditions: tuple[str, ...] = ()) -> list[dict]:
    """The tree's leaves as rules: the conditions that lead there, the winner, and how often it wins there."""
    if node.feature is None:
        return [{"conditions": " and ".join(conditions) or "everywhere", "winner": node.label,
                 "worlds": node.count, "wins": node.correct}]
    return (rules(node.low, (*conditions, f"{node.feature} <= {node.threshold:.4g}"))
            + rules(node.high, (*conditions, f"{node.feature} > {node.threshold:.4g}")))


@dataclass
class RobustAnalysis:
    """Scores per world, the robust ranking, each world's winner and the rules saying where each entrant wins."""

    scores: pd.DataFrame
    ranking: pd.DataFrame
    winners: pd.DataFrame
    rules: list[dict] = field(default_factory=list)
    features: list[str] = field(default_factory=list)


def analyse(frame: pd.DataFrame, order: list[str]) -> RobustAnalysis | None:
    """The robustness analysis of a tournament's results, or None with fewer than two worlds."""
    table = scores(frame, order).dropna()
    if len(table) < 2 or table.shape[1] < 2:
        return None
    values = world_values(table)
    features = [c for c in values.columns if pd.api.types.is_numeric_dtype(values[c])]
    matrix = table.to_numpy(dtype=float)
    winner = [table.columns[k] for k in np.argmax(matrix, axis=1)]
    scenario = table.index.get_level_values("scenario")
    winners = pd.concat([pd.DataFrame({"scenario": scenario, "winner": winner}), values.reset_index(drop=True),
                         table.reset_index(drop=True).add_prefix("score: ")], axis=1)
    found = []
    for name in dict.fromkeys(scenario) if features else ():  # each base scenario's worlds apart
        mine = winners[winners["scenario"] == name]
        tree = fit_tree(mine[features].to_numpy(dtype=float), list(mine["winner"]), features)
        found += [{"scenario": name, **rule} for rule in rules(tree)]
    return RobustAnalysis(table, ranking(table), winners, found, features)

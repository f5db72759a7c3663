"""Figures of ``labrace reproduce hao_merrill``, drawn from the studies' data (no solving here)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import seaborn as sns  # noqa: E402

from labrace.reproductions.figures import save_figure  # noqa: E402
from labrace.reproductions.hao_merrill_model import compute_bound_exponents  # noqa: E402


def exponent_curve(rows: list[dict[str, Any]], path: Path) -> Path:
    """Local exponent of n* and training spend in E against market size, with both limits marked."""
    sns.set_theme(style="whitegrid")
    frame = pd.DataFrame(rows)
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2), sharex=True)
    for ax, quantity, label in ((axes[0], "n", "d ln n* / d ln E"), (axes[1], "training_spend", "d ln spend / d ln E")):
        for gamma, group in frame.groupby("gamma"):
            line, = ax.plot(group["mu"], group[quantity], label=f"γ = {gamma:g}")
            limits = compute_bound_exponents(0.3, 0.3, float(gamma))
            ax.axhline(limits["large_market"][quantity], color=line.get_color(), ls="--", lw=0.8)
            ax.axhline(limits["small_market"][quantity], color=line.get_color(), ls=":", lw=0.8)
        ax.set_xscale("log")
        ax.set_xlabel("market size μ = 1 / (6 α ρ δ E)")
        ax.set_ylabel(label)
        ax.legend()
    fig.suptitle("Exponent in E of the profit optimum: the theorems' bound (dashed) for μ ≫ 1, "
                 "training-limited (dotted) for μ ≪ 1", fontsize=10)
    return save_figure(fig, path)


def calibration(summary: dict[str, Any], path: Path) -> Path:
    """Yearly growth of profit-optimal spend and FLOP (labrace, the paper) beside Epoch AI's observed rates."""
    sns.set_theme(style="whitegrid")
    labrace = summary["labrace"]
    paper = summary["paper"]
    rows = [("labrace γ = 0", labrace["gamma_0"]["training_spend"], labrace["gamma_0"]["training_flop"]),
            ("labrace γ = −1", labrace["gamma_-1"]["training_spend"], labrace["gamma_-1"]["training_flop"]),
            ("labrace γ = −1, E flat", labrace["gamma_-1_no_hardware"]["training_spend"],
             labrace["gamma_-1_no_hardware"]["training_flop"]),
            ("paper γ = 0", paper["gamma_0"], float("nan")), ("paper γ = −1", paper["gamma_-1"], float("nan")),
            ("paper γ = −1, E flat", paper["gamma_-1_no_hardware"], float("nan"))]
    frame = pd.DataFrame(rows, columns=["case", "spend", "flop"])
    fig, ax = plt.subplots(figsize=(10, 4.2))
    x = range(len(frame))
    ax.bar([i - 0.2 for i in x], frame["spend"], width=0.4, label="training spend per year")
    ax.bar([i + 0.2 for i in x], frame["flop"], width=0.4, label="training FLOP per year")
    cost = summary["observed"]["final_run_cost"]
    ax.axhspan(cost[1], cost[2], color="grey", alpha=0.2, label="observed final-run cost 2.4x (95% CI 2.0–3.1)")
    low, high = summary["observed"]["training_compute"]
    ax.axhspan(low, high, color="orange", alpha=0.15, label="observed frontier training compute 4–5x")
    ax.set_xticks(list(x), frame["case"], rotation=15)
    ax.set_ylabel("growth factor per year")
    ax.set_title("Profit-optimal growth (large-market bound) against Epoch AI's trends")
    ax.legend(fontsize=8)
    return save_figure(fig, path)

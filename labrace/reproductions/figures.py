"""Seaborn figures matching the paper's Figures 1–7, drawn from the reproduction's tables.

Every function takes data already computed (no solving here) and writes one PNG with the Agg backend,
so figures can be redrawn without re-running the solvers.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import seaborn as sns  # noqa: E402

from policies.optimal_control import ControlResult  # noqa: E402
from labrace.reproductions.paper_scheme import SchemeResult  # noqa: E402
from labrace.reproductions.problem import TroynikovCase  # noqa: E402

OPTIMUM, PAPER = "labrace optimum", "paper scheme (emulated)"
LABELS = {"epsilon": "ε", "gamma": "γ", "rho": "ρ", "growth": "compute growth rate g", "g_over_rho": "g/ρ"}


def save_figure(fig: plt.Figure, path: Path) -> Path:
    """Lay out, write at the reproductions' resolution and close ``fig`` (figures pile up otherwise)."""
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def base_case_dashboard(case: TroynikovCase, optimum: ControlResult, scheme: SchemeResult, path: Path) -> Path:
    """Figure 1: allocation, compute split, capability, compute, revenue and cumulative NPV over time."""
    sns.set_theme(style="whitegrid")
    fig, axes = plt.subplots(3, 2, figsize=(11, 10))
    C = case.compute0 * np.exp(case.growth * optimum.t)
    runs = ((OPTIMUM, optimum.t, optimum.alpha, optimum.capability, optimum.revenue, optimum.npv_path, "-"),
            (PAPER, scheme.t, scheme.alpha, scheme.capability, scheme.revenue, scheme.npv_path, "--"))
    for label, t, alpha, M, revenue, npv, style in runs:
        axes[0, 0].plot(t, alpha, style, label=label)
        axes[1, 0].plot(t, M, style, label=label)
        axes[2, 0].plot(t, revenue, style, label=label)
        axes[2, 1].plot(t, npv, style, label=label)
    axes[0, 1].plot(optimum.t, optimum.alpha * C, label="training")
    axes[0, 1].plot(optimum.t, (1.0 - optimum.alpha) * C, label="inference")
    axes[1, 1].plot(optimum.t, C, color="black")
    titles = (("training share α", "compute split (optimum)"), ("capability M", "compute C(t)"),
              ("revenue R(t)", "cumulative NPV"))
    for (row, col), ax in np.ndenumerate(axes):
        ax.set_title(titles[row][col])
        ax.set_xlabel("t (years)")
        if ax.get_legend_handles_labels()[0]:
            ax.legend(fontsize=8)
    axes[0, 0].set_ylim(-0.02, 1.05)
    fig.suptitle("Figure 1 — base case: ε=0.5, γ=2, ρ=0.05, C=100e^{0.1t}, T=10, M(0)=1")
    return save_figure(fig, path)


def sensitivity(frame: pd.DataFrame, parameter: str, number: int, path: Path) -> Path:
    """Figures 2–5: NPV, final capability and mean alpha against one swept parameter."""
    sns.set_theme(style="whitegrid")
    data = frame[frame["parameter"] == parameter]
    fig, axes = plt.subplots(1, 3, figsize=(14, 4.2))
    panels = (("npv", "paper_npv", "NPV"), ("final_capability", "paper_final_capability", "final capability"),
              ("mean_alpha", "paper_mean_alpha", "mean training share α"))
    for ax, (ours, theirs, title) in zip(axes, panels):
        ax.plot(data["value"], data[ours], "o-", label=OPTIMUM)
        ax.plot(data["value"], data[theirs], "s--", label=PAPER)
        ax.set_xlabel(LABELS[parameter])
        ax.set_title(title)
        ax.legend(fontsize=8)
    if data["npv"].max() / data["npv"].min() > 100:
        axes[0].set_yscale("log")
    axes[2].set_ylim(0, 1)
    fig.suptitle(f"Figure {number} — sensitivity to {LABELS[parameter]}")
    return save_figure(fig, path)


def constant_alpha(case: TroynikovCase, curve: pd.DataFrame, best: float, eq11: float, path: Path) -> Path:
    """Figure 6: capability under constant shares, and NPV against the constant share."""
    sns.set_theme(style="whitegrid")
    fig, axes = plt.subplots(1, 2, figsize=(12, 4.5))
    t = np.linspace(0.0, case.horizon, 401)
    growth = case.epsilon * case.growth
    for alpha in (0.2, best, eq11, 0.8):
        scale = case.beta_T * (alpha * case.compute0) ** case.epsilon
        M = case.capability0 + scale * np.expm1(growth * t) / growth
        axes[0].plot(t, M, label=f"α = {alpha:.3f}")
    axes[0].set_yscale("log")
    axes[0].set_xlabel("t (years)")
    axes[0].set_title("capability under a constant share")
    axes[0].legend(fontsize=8)
    axes[1].plot(curve["alpha"], curve["npv"] / curve["npv"].max())
    axes[1].axvline(best, color="C2", ls="--", label=f"best constant {best:.4f}")
    axes[1].axvline(eq11, color="C3", ls=":", label=f"eq. 11: {eq11:.2f}")
    axes[1].set_xlabel("constant α")
    axes[1].set_ylabel("NPV / best NPV")
    axes[1].set_title("NPV of a constant share")
    axes[1].legend(fontsize=8)
    fig.suptitle(f"Figure 6 — constant shares, ρ={case.rho:g}, T={case.horizon:g}, M(0)={case.capability0:g}")
    return save_figure(fig, path)


def steady_state_sensitivity(curves: pd.DataFrame, points: pd.DataFrame, path: Path) -> Path:
    """Figure 7: eq. 11 beside the corrected closed forms and long-horizon numerical optima."""
    sns.set_theme(style="whitegrid")
    fig, axes = plt.subplots(1, 3, figsize=(15, 4.5))
    for ax, parameter in zip(axes, ("epsilon", "gamma", "g_over_rho")):
        data = curves[curves["parameter"] == parameter]
        eq11 = data["eq11"].where(data["eq11_valid"])
        bgp = data["balanced_growth"].where(data["balanced_growth_valid"])
        ax.plot(data["value"], eq11, label="eq. 11 (paper)")
        ax.plot(data["value"], bgp, label="balanced growth (corrected)")
        ax.plot(data["value"], data["best_constant_m0_to_0"], ":", label="best constant, M(0)→0")
        checked = points[points["parameter"] == parameter]
        ax.plot(checked["value"], checked["numerical_mid_alpha"], "kx", ms=9, label="long-horizon optimum (T=300)")
        ax.set_xlabel(LABELS[parameter])
        ax.set_ylabel("steady-state α")
        ax.set_ylim(0, 1.05)
        ax.legend(fontsize=7)
    fig.suptitle("Figure 7 — steady-state α (g = 0.1, ρ = 0.3 unless varied; blank: formula invalid)")
    return save_figure(fig, path)

"""Figures of the model-size reproductions (chinchilla, sardana, erdil), drawn from computed tables.

Like :mod:`labrace.reproductions.figures`, nothing is solved here: each function plots data it is given
and writes one PNG with the Agg backend.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import seaborn as sns  # noqa: E402

from labs.sizing import LossFit  # noqa: E402
from labrace.reproductions.figures import save_figure  # noqa: E402


def isoflop(budget: float, models: pd.DataFrame, fit: LossFit, path: Path) -> Path:
    """Loss along the iso-FLOP curve 6ND = budget, with each named model at its own (N, D)."""
    sns.set_theme(style="whitegrid")
    fig, ax = plt.subplots(figsize=(8, 5))
    N = np.logspace(9.5, 12, 400)
    ax.plot(N, fit.loss(N, budget / (6 * N)), color="black", label=f"6ND = {budget:.3g} FLOP")
    for row in models.itertuples():
        ax.scatter(row.params, row.loss, s=40, zorder=3, label=f"{row.model}: {row.params / 1e9:.0f}B, "
                   f"{row.tokens / 1e12:.2f}T, 6ND = {row.flops_6ND:.2e}")
    ax.set_xscale("log")
    ax.set(xlabel="parameters N", ylabel="loss L(N, D) (nats / token)",
           title="Hoffmann et al.'s fit at Gopher's budget")
    ax.legend(fontsize=7)
    return save_figure(fig, path)


def tokens_per_param(gaps: pd.DataFrame, table3: pd.DataFrame, path: Path) -> Path:
    """Tokens per parameter against compute: the fit's loss-optimal split, the rule and Table 3."""
    sns.set_theme(style="whitegrid")
    fig, ax = plt.subplots(figsize=(8, 5))
    ax.plot(gaps.flops, gaps.optimal_tokens_per_param, label="loss-optimal split of the fit")
    ax.axhline(20.0, color="grey", linestyle="--", label="rule D = 20 N")
    ax.scatter(table3.flops, table3.tokens_per_param, color="C3", zorder=3, label="Table 3 (Approach 1)")
    ax.set_xscale("log")
    ax.set(xlabel="training compute C (FLOP)", ylabel="tokens per parameter D / N",
           title="The 20-tokens rule against the loss fit it summarises")
    ax.legend()
    return save_figure(fig, path)


def rule_penalty(gaps: pd.DataFrame, path: Path) -> Path:
    """The rule's loss penalty and the extra compute it needs to match the loss-optimal split."""
    sns.set_theme(style="whitegrid")
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.5))
    left.plot(gaps.flops, gaps.loss_penalty)
    left.set(xscale="log", xlabel="training compute C (FLOP)", ylabel="ΔL = L_rule − L_opt (nats / token)",
             title="loss penalty of D = 20 N")
    right.plot(gaps.flops, 100 * gaps.rule_extra_compute)
    right.set(xscale="log", xlabel="training compute C (FLOP)", ylabel="extra compute (%)",
              title="compute the rule needs to reach the optimum's loss")
    return save_figure(fig, path)


def inference_shift(curves: pd.DataFrame, path: Path) -> Path:
    """Sardana et al.'s optimum relative to Chinchilla-optimal, against lifetime inference demand."""
    sns.set_theme(style="whitegrid")
    fig, axes = plt.subplots(1, 3, figsize=(14, 4.5))
    for (name, group), style in zip(curves.groupby("model", sort=False), ("-", "--", ":", "-.")):
        axes[0].plot(group.inference_tokens, group.params_ratio, style, label=name)
        axes[1].plot(group.inference_tokens, group.tokens_per_param, style, label=name)
        axes[2].plot(group.inference_tokens, 100 * group.saving, style, label=name)
    axes[0].set(ylabel="N* / N_Chinchilla", title="model size")
    axes[1].set(ylabel="training tokens per parameter", yscale="log", title="tokens per parameter")
    axes[2].set(ylabel="total FLOPs saved (%)", title="saving against Chinchilla-optimal")
    for ax in axes:
        ax.set(xscale="log", xlabel="lifetime inference tokens D_inf")
    axes[0].legend(fontsize=8)
    return save_figure(fig, path)


def parity(presets: pd.DataFrame, dynamic: pd.DataFrame, path: Path) -> Path:
    """Erdil's parity share a/(a+b) for the presets, and labrace's dynamic optimum against parity."""
    sns.set_theme(style="whitegrid")
    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4.8))
    left.barh(presets.preset, presets.parity_share, color="C0", label="a / (a + b)")
    left.scatter(presets.numeric_share, presets.preset, color="black", zorder=3, label="numerical minimum")
    left.set(xlabel="training share of compute", xlim=(0, 1), title="Villalobos–Atkinson presets")
    left.legend(loc="lower right", fontsize=8)
    right.plot(dynamic.parity_share, dynamic.parity_share, color="grey", linestyle="--", label="parity")
    right.plot(dynamic.parity_share, dynamic.best_constant_share, "o-", label="best constant share (NPV)")
    right.plot(dynamic.parity_share, dynamic.dynamic_compute_share, "s-", label="dynamic optimum, compute-weighted")
    right.plot(dynamic.parity_share, dynamic.dynamic_discounted_share, "^-",
               label="dynamic optimum, discount-weighted")
    right.set(xlabel="parity share γε / (1 + γε)", ylabel="training share", title="labrace's optimum vs parity")
    right.legend(fontsize=8)
    return save_figure(fig, path)

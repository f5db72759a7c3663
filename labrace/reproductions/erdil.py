"""``labrace reproduce erdil``: Erdil's training–inference parity (Epoch AI), checked and set against
labrace's dynamic optimum.

The post's claim: if ``b`` orders of magnitude more training compute save ``a`` orders of magnitude of
inference compute at constant performance, the cheapest allocation spends ``a/(a+b)`` of the compute on
training. The reproduction re-computes the worked example (300 zettaFLOP), derives the share by a
numerical minimisation along the trade-off (independent of the formula), tabulates the Villalobos–
Atkinson presets, checks the rule on Sardana et al.'s inference-aware optimum (where the trade-off is
"varying the scaling policy") and compares it with the optimal-control solution of Troynikov's
single-lab problem. Writes ``presets.csv``, ``dynamic.csv``, ``fig1_parity.png``, ``summary.json`` and
``report.md``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

import numpy as np
import pandas as pd
from scipy.integrate import simpson
from scipy.optimize import minimize_scalar

from labrace.reproductions import sizing_figures
from labrace.reproductions.markdown import table, write_outputs
from labrace.reproductions.problem import TroynikovCase
from labrace.reproductions.steady import best_constant
from labrace.version import labrace_version
from labs.sizing import SARDANA_FIT, inference_optimum, loss_optimal_tokens, tokens_for_loss
from policies.erdil import PRESETS, parity_share
from policies.optimal_control import solve_pontryagin
from policies.steady_state import constant_share

BUDGET = 300.0  # zettaFLOP, the post's example
EXAMPLE_TRADE = (1.0, 2.0)  # (training OOM b, inference OOM a) of the post's example
EXAMPLE_STEP = 0.1  # the post's perturbation: +0.1 OOM of training, -0.2 OOM of inference
DYNAMIC_GAMMAS = (0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0)  # with epsilon 0.5: gamma*epsilon from 0.25 to 3
DYNAMIC_CAPABILITY0 = 1e-3  # parity's premise: capability starts negligible


def traded(training: float, inference: float, trade: tuple[float, float], t: float) -> float:
    """Total compute after moving ``t`` along the trade-off: training x 10^(b t), inference x 10^(-a t)."""
    b, a = trade
    return training * 10.0 ** (b * t) + inference * 10.0 ** (-a * t)


def cheapest_share(trade: tuple[float, float], training: float = 1.0, inference: float = 1.0) -> dict[str, float]:
    """The training share at the cheapest point of the trade-off through ``(training, inference)``.

    Found by Brent's method on the total compute along the trade-off, without the formula.
    """
    found = minimize_scalar(lambda t: traded(training, inference, trade, t), bracket=(-1.0, 1.0),
                            method="brent", tol=1e-12)
    b, a = trade
    T, I = training * 10.0 ** (b * found.x), inference * 10.0 ** (-a * found.x)
    return {"share": T / (T + I), "total": T + I, "t": float(found.x)}


def worked_example() -> dict[str, Any]:
    """The post's numbers: 1 + 100 zettaFLOP, and 300 zettaFLOP split equally and at parity."""
    b, a = EXAMPLE_TRADE
    parity = parity_share(a, b)
    naive = BUDGET / 2
    step = EXAMPLE_STEP
    return {
        "skewed_before": 1.0 + 100.0, "skewed_after": traded(1.0, 100.0, (1.0, 1.0), 1.0),
        "skewed_factor": 101.0 / traded(1.0, 100.0, (1.0, 1.0), 1.0),
        "equal_split_perturbed": traded(naive, naive, EXAMPLE_TRADE, step),
        "parity_training": parity * BUDGET, "parity_inference": (1 - parity) * BUDGET,
        "parity_perturbed_up": traded(parity * BUDGET, (1 - parity) * BUDGET, EXAMPLE_TRADE, step),
        "parity_perturbed_down": traded(parity * BUDGET, (1 - parity) * BUDGET, EXAMPLE_TRADE, -step),
        "post_sign_as_printed": naive * 10 ** (b * step) + naive * 10 ** (a * step),
        "numerical_share_from_equal_split": cheapest_share(EXAMPLE_TRADE, naive, naive)["share"],
        "parity_share": parity,
    }


def presets() -> pd.DataFrame:
    """Every Villalobos–Atkinson preset: its parity share by formula and by numerical minimisation."""
    rows = []
    for name, (training_oom, inference_oom) in PRESETS.items():
        numeric = cheapest_share((training_oom, inference_oom), 3.0, 0.5)["share"]
        rows.append({"preset": name, "training_oom": training_oom, "inference_oom": inference_oom,
                     "parity_share": parity_share(inference_oom, training_oom), "numeric_share": numeric})
    frame = pd.DataFrame(rows)
    frame["difference"] = np.abs(frame.numeric_share - frame.parity_share)
    return frame


def sardana_check(chinchilla_params: float = 13e9, inference_tokens: float = 2e12) -> dict[str, float]:
    """Parity on Sardana et al.'s optimum: the local trade-off there predicts its training share.

    Along the iso-loss curve, training compute is 6 N D(N) and inference compute 2 N D_inf; the local
    ratio a/b = -d ln I / d ln T (finite differences) gives the parity share (a/b)/(1 + a/b).
    """
    fit = SARDANA_FIT
    target = float(fit.loss(chinchilla_params, loss_optimal_tokens(chinchilla_params, fit)))
    N, D = inference_optimum(target, inference_tokens, fit)
    h = 1e-5
    log_T = [np.log(6 * n * tokens_for_loss(n, target, fit)) for n in (N * np.exp(-h), N * np.exp(h))]
    ratio = -(2 * h) / float(log_T[1] - log_T[0])  # d ln I / d ln N = 1
    return {"params": N, "training_share": 6 * N * D / (6 * N * D + 2 * N * inference_tokens),
            "local_inference_per_training_oom": ratio, "parity_share": ratio / (1 + ratio)}


def dynamic(quick: bool) -> pd.DataFrame:
    """Troynikov's single-lab optimum against parity a = gamma*epsilon, b = 1, over gamma."""
    rows = []
    for gamma in DYNAMIC_GAMMAS[::2] if quick else DYNAMIC_GAMMAS:
        case = TroynikovCase(gamma=gamma, capability0=DYNAMIC_CAPABILITY0)
        result = solve_pontryagin(case.problem(), 500 if quick else 2000, max_iter=5000)
        C = case.compute0 * np.exp(case.growth * result.t)
        weight = np.exp(-case.rho * result.t) * C
        rows.append({
            "gamma": gamma, "epsilon": case.epsilon, "parity_share": float(constant_share(case.epsilon, gamma)),
            "best_constant_share": best_constant(case),
            "dynamic_compute_share": simpson(result.alpha * C, x=result.t) / simpson(C, x=result.t),
            "dynamic_discounted_share": simpson(result.alpha * weight, x=result.t) / simpson(weight, x=result.t),
            "dynamic_initial": float(result.alpha[0]), "dynamic_final": float(result.alpha[-1]),
            "converged": bool(result.converged), "change": float(result.change),
        })
    return pd.DataFrame(rows)


def reproduce_erdil(out: Path, quick: bool = False,
                    progress: Callable[[str], None] = lambda message: None) -> dict[str, Any]:
    """Run the reproduction into ``out`` (created if needed) and return the summary."""
    out.mkdir(parents=True, exist_ok=True)
    progress("worked example and presets")
    example = worked_example()
    table_presets = presets()
    table_presets.to_csv(out / "presets.csv", index=False)
    sardana = sardana_check()
    progress("dynamic optimum")
    paths = dynamic(quick)
    paths.to_csv(out / "dynamic.csv", index=False)
    summary = {
        "worked_example": example,
        "presets": table_presets.to_dict(orient="records"),
        "presets_max_difference": float(table_presets.difference.max()),
        "sardana": sardana,
        "dynamic": paths.to_dict(orient="records"),
        "constant_vs_parity_max": float(np.max(np.abs(paths.best_constant_share - paths.parity_share))),
        "dynamic_minus_parity": _range(paths.dynamic_compute_share - paths.parity_share),
        "discounted_minus_parity": _range(paths.dynamic_discounted_share - paths.parity_share),
        "headline": (f"parity 200/100 of 300 zettaFLOP; presets agree with a numerical minimum to "
                     f"{table_presets.difference.max():.1e}; dynamic optimum trains "
                     f"{float((paths.dynamic_compute_share - paths.parity_share).min()):+.3f} to "
                     f"{float((paths.dynamic_compute_share - paths.parity_share).max()):+.3f} more than parity"),
        "labrace_version": labrace_version(),
        "quick": quick,
    }
    progress("figures")
    sizing_figures.parity(table_presets, paths, out / "fig1_parity.png")
    write_outputs(out, summary, _report(summary, table_presets, paths))
    return summary


def _range(values: pd.Series) -> list[float]:
    return [float(values.min()), float(values.max())]


def _report(s: dict[str, Any], table_presets: pd.DataFrame, paths: pd.DataFrame) -> str:
    e = s["worked_example"]
    headline = table(["quantity", "post", "labrace", "difference / explanation"], [
        ["1 + 100 zettaFLOP, trade 1 OOM for 1 OOM", "10 + 10 = 20 instead of 101, about 5 times less",
         f"{e['skewed_after']:.1f} instead of {e['skewed_before']:.0f}: {e['skewed_factor']:.2f} times", "agrees"],
        ["300 zettaFLOP split 150 / 150, +0.1 OOM training, −0.2 OOM inference", "≈ 283.4",
         f"{e['equal_split_perturbed']:.3f}", "agrees (the post truncates 283.48)"],
        ["optimal split of 300 (b = 1, a = 2)", "200 training / 100 inference",
         f"{e['parity_training']:.1f} / {e['parity_inference']:.1f}; numerical minimum from 150 / 150: "
         f"training share {e['numerical_share_from_equal_split']:.10f}", "agrees"],
        ["200 / 100 perturbed the same way", "≈ 314.9",
         f"{e['parity_perturbed_up']:.3f} (and {e['parity_perturbed_down']:.3f} the other way)",
         "agrees; both directions cost more than 300"],
        ["the perturbation as printed, 150·10^0.1 + 150·10^0.2", "≈ 283.4",
         f"{e['post_sign_as_printed']:.1f}", "the post drops the minus sign: 10^(−0.2) is meant"],
        ["rule a / (a + b)", "derived from the first-order condition",
         f"numerical minimum along the trade-off for every preset: largest difference "
         f"{s['presets_max_difference']:.1e}", "agrees"],
    ])
    preset_rows = [[r.preset, f"{r.training_oom:g}", f"{r.inference_oom:g}", f"{r.parity_share:.4f}",
                    f"{r.numeric_share:.10f}"] for r in table_presets.itertuples()]
    preset_table = table(["preset", "training OOM b", "inference OOM a", "a / (a + b)", "numerical minimum"],
                         preset_rows)
    dyn_rows = [[f"{r.gamma:g}", f"{r.gamma * r.epsilon:g}", f"{r.parity_share:.4f}", f"{r.best_constant_share:.4f}",
                 f"{r.dynamic_compute_share:.4f}", f"{r.dynamic_discounted_share:.4f}",
                 f"{r.dynamic_initial:.2f} → {r.dynamic_final:.2f}", "yes" if r.converged else f"no ({r.change:.1e})"]
                for r in paths.itertuples()]
    dyn_table = table(["γ", "a = γε", "parity", "best constant share (NPV)", "dynamic, compute-weighted",
                       "dynamic, discount-weighted", "dynamic α(0) → α(T)", "converged"], dyn_rows)
    sar = s["sardana"]
    return f"""# Reproduction: Erdil, "Optimally allocating compute between inference and training"

labrace {s['labrace_version']}{' (quick mode)' if s['quick'] else ''}. Trading b orders of magnitude (OOM) of
training compute for a OOM of inference compute keeps performance; the post says the cheapest allocation
spends a / (a + b) on training.

## The post's numbers beside labrace's

{headline}

The post's proof also writes the frontier as (10^(βt) T, 10^(αt) I); for a trade it must be
10^(−αt) I, which is what its derivative (with the minus sign) uses.

## Villalobos–Atkinson presets (`erdil` policy)

The numerical minimum starts from an allocation far from parity (3 : 0.5) and moves along the trade-off
by Brent's method; it lands on a / (a + b) for every preset.

{preset_table}

## Parity on Sardana et al.'s inference-aware optimum

"Varying the scaling policy" is the trade-off Sardana et al. optimise. At their Figure 1 optimum
({sar['params'] / 1e9:.2f}B parameters for 13B quality and 2T inference tokens) the iso-loss curve trades
{sar['local_inference_per_training_oom']:.4f} OOM of inference compute per OOM of training compute, so
parity predicts a training share of {sar['parity_share']:.6f}; the optimum's actual share is
{sar['training_share']:.6f}. Parity holds exactly with the local trade-off, as the post's third note says.

## labrace's dynamic optimum against parity

Troynikov's single-lab problem (ε = 0.5, ρ = 0.05, C = 100 e^(0.1 t), T = 10 years, M(0) =
{DYNAMIC_CAPABILITY0:g}) with revenue M^γ (1 − α) C. Holding α constant with negligible M(0), revenue is
proportional to α^(γε) (1 − α): Erdil's problem with a = γε OOM of value per OOM of training and b = 1,
whose parity share γε / (1 + γε) is labrace's `steady_state` `constant` share. The NPV-maximising
constant share agrees with parity to {s['constant_vs_parity_max']:.1e}. The dynamic optimum does not hold α
constant: it trains flat out first (capability is a stock that keeps paying) and serves at the end (the
last years' training has no time to pay back), so the two agree only on average.

{dyn_table}

Where they agree: the static trade-off at negligible initial capability (the constant share is parity).
Where they disagree: through time. Parity is a statement about one model's lifetime; labrace's optimum
front-loads training, and its compute-weighted training share is {s['dynamic_minus_parity'][0]:+.3f} to
{s['dynamic_minus_parity'][1]:+.3f} above parity here (discount-weighted {s['discounted_minus_parity'][0]:+.3f}
to {s['discounted_minus_parity'][1]:+.3f}): early compute trains, and capability earns on all later
compute, which is growing. Parity does not see timing (horizon, discounting, compute growth).

## What could not be checked

The presets are the table's maximum spans as the post quotes them; the post itself says the spans are
rough. The post's "somewhat more than 1 OOM" (a > b) is not used in its rule of thumb, nor here.
"""

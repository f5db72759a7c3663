"""``report.md`` of ``labrace reproduce hao_merrill``: the source's statements beside labrace's numbers.

Every number is taken from the summary the reproduction computed; the text says, for each statement of
the source, whether labrace verified it, reconstructed it, or could not reproduce it, and why.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any


def _table(header: list[str], rows: list[list[Any]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


SOURCES = """## Sources: what could be read and what was reconstructed

The paper's body could not be read. Read directly: its abstract (the model's ingredients — quasilinear
inverse demand, quality from parameters n and tokens d, consumers with quality thresholds, training and
inference costs; the claims that n* and d* track hardware efficiency E near-linearly in the compute-bound
regime, that training cost is sub-quadratic in E, that data efficiency raises spend, and that data-bound
spend scales as D²/E). From a public secondary summary of the paper (not verified against the body): the
profit function π = ω t f(q) − δ t² − (6nd + 2nt)/E with a Leontief law q = min(a n^α, b d^β); Theorem 1
(γ ≠ 0) n* = O((E/(ρ a^γ))^{1/(1+αγ)}), so n*, d* ≲ E^1.43 and training cost ≲ E^1.86 at α = 0.3, γ = −1;
Theorem 2 (γ = 0) n* = O(aE/ρ), d* = O(aE), training cost O(a²E/ρ); Theorem 3 (d ≤ D) n* = ρ⁻¹ D^{β/α},
d* = D, training cost Θ(D^{1+β/α}/(ρE)); and the calibration (inputs: compute 5x a year, E 1.37x a year,
algorithmic efficiency √3 a year; outputs: γ = 0 permits spend growth ≲ 4.11x a year, γ = −1 ≲ 7.59x,
γ = −1 with stalled hardware ≲ 4.66x; break-even γ ≈ −0.77).

Reconstructed by labrace (stated here so that each can be checked): the value of quality
f(q) = (1 − q^{−γ})/γ (ln q at γ = 0), the share of consumers whose threshold, of density ∝ q^{−(1+γ)}, lies
below q; that the theorems' O-bounds are the necessary condition for serving to pay at the margin,
ω f′(q) ∂q/∂n > 2/E, which gives n^{1+αγ} < ω α a^{−γ} E / 2 (the theorems' exponent exactly); the
market-size parameter μ = 1/(6 α ρ δ E) (ρ = d/n on the ray) that decides whether that bound or the
training cost limits the model; the training-limited exponent 1/(1 + α/β + 2αγ); and how algorithmic
progress enters a and b in the calibration. The model is solved numerically with no use of any of this
(a grid over (ln n, ln d, ln t) and restarted Nelder–Mead) and checked against the first-order condition
on the Leontief ray (Brent's method)."""


def _model(s: dict[str, Any]) -> str:
    return """## The model solved

π(n, d, t) = ω t f(q) − δ t² − (6 n d + 2 n t)/E, q = min(a n^α, b d^β), optionally d ≤ D. Parameters:
α = β = 0.3 (also Hoffmann et al.'s 0.34, 0.28 in the data-bound check), γ ∈ {0, −1}, a = 1 and
b = 20^{−α} (so the Leontief ray has ρ = 20 tokens per parameter, Chinchilla's rule), E = 10¹⁸ FLOP per
money unit at the reference (an H100-class accelerator at about 2 per hour), ω = 10⁻⁶ (γ = 0) or
3·10⁻¹⁰ (γ = −1) money per token per unit of f, which puts the large-market model near 10¹¹ parameters,
and the demand slope δ set by the market size μ."""


def _verification(s: dict[str, Any]) -> str:
    rows = [[f"{c['gamma']:g}", f"{c['market']} (μ = {c['mu']:g})", "none" if c["data_cap"] is None else f"{c['data_cap']:.0e}",
             c["regime"], f"{c['n']:.4e}", f"{c['d']:.4e}", f"{c['training_spend']:.4e}", f"{c['bound_n']:.4e}",
             f"{c['rel_n']:.1e}", f"{c['rel_d']:.1e}", f"{c['rel_t']:.1e}", f"{c['rel_profit']:.1e}"]
            for c in s["verification"]["cases"]]
    return ("## 1. The numerical optimum against the closed form\n\n"
            + _table(["γ", "market", "D", "optimum found by", "n*", "d*", "spend 6n*d*/E", "bound n (μ → ∞)",
                      "Δn", "Δd", "Δt", "Δπ"], rows)
            + f"\n\nRelative differences (Δ) of the derivative-free optimum from the first-order condition: at most "
              f"{s['verification']['worst_relative_difference']:.1e} in n, d, t, which is the resolution of choices "
              "at the top of a function flat to rounding (√ε ≈ 1e-8 of the profit). Every optimum lies below the "
              "bound, and reaches it only as μ grows.")


def _compute_bound(s: dict[str, Any]) -> str:
    source = {(0.0, "n"): "E^1 (Thm 2: O(aE/ρ))", (0.0, "d"): "E^1 (Thm 2: O(aE))",
              (0.0, "training_spend"): "E^1 (Thm 2: O(a²E/ρ))", (-1.0, "n"): "≲ E^1.43 (Thm 1)",
              (-1.0, "d"): "≲ E^1.43 (Thm 1)", (-1.0, "training_spend"): "≲ E^1.86 (Thm 1)"}
    by = {(r["gamma"], r["market"], r["quantity"]): r for r in s["compute_bound"]}
    rows = []
    for (gamma, quantity), text in source.items():
        large, small = by[(gamma, "large", quantity)], by[(gamma, "small", quantity)]
        rows.append([f"{gamma:g}", quantity.replace("_", " "), text,
                     f"{large['fitted']:.4f} (derived {large['predicted']:.4f})",
                     f"{small['fitted']:.4f} (derived {small['predicted']:.4f})"])
    return ("## 2. Compute-bound regime: exponents in E (α = β = 0.3)\n\n"
            + _table(["γ", "quantity", "source", "labrace, large market (μ ≥ 1e4)",
                      "labrace, small market (μ ≤ 1e-4)"], rows)
            + "\n\nFitted by least squares to numerical optima over two decades of E at a fixed demand slope δ. "
              "**Agrees** where the theorems apply: the stated exponents are upper bounds (O, ≲), and they are "
              "attained exactly in the large-market limit, where the marginal inference cost 2n/E per token is "
              "what stops the model growing. **Differs, by design of the bound**, in a small market, where the "
              "training cost binds first and the exponent halves to 1/(1 + α/β + 2αγ) (0.5 at γ = 0, with a "
              "logarithmic correction that the fit shows as 0.51; 0.714 at γ = −1). Because μ ∝ 1/(δE), "
              "hardware progress at a fixed market drives the firm from the first regime to the second "
              "(fig1_exponent_vs_market_size.png): the near-linear tracking of E needs demand to grow "
              "with hardware (δ to fall at least as fast as 1/E).")


def _data_bound(s: dict[str, Any]) -> str:
    rows = [[f"{r['alpha']:g}, {r['beta']:g}", f"{r['gamma']:g}", "yes" if r["binding"] else "no",
             f"D^{r['predicted_D']:.4f} / E", f"{r['fitted_D']:.6f}", f"{r['fitted_E']:.6f}"]
            for r in s["data_bound"]]
    return ("## 3. Data-bound regime: training spend in D and E\n\n"
            + _table(["α, β", "γ", "cap binds", "source (Thm 3): D^{1+β/α}/E", "labrace exponent in D",
                      "labrace exponent in E"], rows)
            + "\n\n**Agrees exactly** (to the fit's rounding): once the data cap binds the firm trains on all D "
              "tokens with the n that matches them (a n^α = b D^β), so spend 6nD/E = 6 (b/a)^{1/α} D^{1+β/α}/E: "
              "D² / E at α = β, and D^1.82 / E with Hoffmann et al.'s exponents. Better hardware lowers spend "
              "because the model is fixed by the data, not by the budget.")


def _efficiency(s: dict[str, Any]) -> str:
    e = {(r["gamma"], r["regime"], r["efficiency"], r["quantity"]): r["closed_form"] for r in s["efficiency"]}
    large, small, data = "compute-bound, large market", "compute-bound, small market", "data-bound"

    def signed(x: float) -> str:
        return f"{round(x, 2) + 0.0:+.2f}"  # + 0.0: no "-0.00"

    def show(regime: str, efficiency: str, quantities: tuple[str, ...]) -> str:
        return "; ".join(f"{q.replace('training_spend', 'spend')} {signed(e[(0.0, regime, efficiency, q)])} / "
                         f"{signed(e[(-1.0, regime, efficiency, q)])}" for q in quantities)

    rows = [
        ["data efficiency b raises model size and spend (abstract; compute-bound)",
         f"small market: {show(small, 'b', ('n', 'training_spend'))}",
         f"large market: {show(large, 'b', ('n', 'training_spend'))}",
         "agrees where training cost binds; in the large market n* is pinned by inference cost and b only saves tokens"],
        ["parameter efficiency a lowers size, data and spend (the authors' public thread; compute-bound)",
         f"small market: {show(small, 'a', ('n', 'd', 'training_spend'))}",
         f"large market: {show(large, 'a', ('n', 'd', 'training_spend'))}",
         "size falls with a only where training cost binds; d and spend rise in both regimes: not reproduced"],
        ["data-bound spend falls with E and with data efficiency (abstract)",
         f"E: {s['data_bound'][0]['fitted_E']:+.2f}", f"b: {show(data, 'b', ('training_spend',))}",
         "E agrees; b does not: spend 6 (b/a)^{1/α} D^{1+β/α}/E, which is Theorem 3's form if ρ = (a/b)^{1/α}; "
         "the paper must define ρ or data efficiency otherwise"],
    ]
    return ("## 3b. Parameter and data efficiency (elasticities, γ = 0 / γ = −1)\n\n"
            + _table(["statement", "labrace", "labrace", "verdict"], rows)
            + "\n\nElasticities d ln X / d ln a and d ln X / d ln b by central differences of the closed form; "
              "the numerical optimiser gives the same to its resolution (efficiency.csv has both).")


def _calibration(s: dict[str, Any]) -> str:
    c = s["calibration"]
    lab, paper, mine = c["labrace"], c["paper"], c["paper_inputs_in_paper_theorems"]
    rows = [
        ["γ = 0, spend per year", f"≲ {paper['gamma_0']}x", f"{lab['gamma_0']['training_spend']:.2f}x",
         f"{mine['gamma_0']:.2f}x: reproduced (3 × 1.37)"],
        ["γ = −1, spend per year", f"≲ {paper['gamma_-1']}x", f"{lab['gamma_-1']['training_spend']:.2f}x",
         f"{mine['gamma_-1']:.2f}x: not reproduced"],
        ["γ = −1, hardware stalls", f"≲ {paper['gamma_-1_no_hardware']}x",
         f"{lab['gamma_-1_no_hardware']['training_spend']:.2f}x", f"{mine['gamma_-1_no_hardware']:.2f}x: not reproduced"],
        ["γ = 0, training FLOP per year", "—", f"{lab['gamma_0']['training_flop']:.2f}x", "—"],
        ["γ = −1, training FLOP per year", "—", f"{lab['gamma_-1']['training_flop']:.2f}x", "—"],
        ["break-even γ", f"≈ {paper['breakeven_gamma']} (against compute 5x)",
         f"{c['breakeven_gamma_final_run_cost']:.3f} against final-run cost 2.4x; "
         + ", ".join(f"{v:.3f} against compute {k}x" for k, v in c["breakeven_gamma_training_compute"].items()), "—"],
    ]
    return ("## 4. Growth-rate calibration against observed trends\n\n"
            "Observed (Epoch AI): frontier training compute grows 4–5x a year; the amortised cost of final "
            "training runs 2.4x a year (95% CI 2.0–3.1; Cottier et al. 2024); hardware price-performance "
            "about 1.37x a year (machine-learning GPUs double FLOP/s per dollar every 2.07 years: 1.40x); "
            "pretraining compute efficiency about 3x a year.\n\n"
            + _table(["statement", "source", "labrace (large-market bound)", "paper's inputs in its own theorems"],
                     rows)
            + "\n\nlabrace splits the 3x a year of compute efficiency equally between parameters and data, so "
              "that a^{1/α} b^{1/β} grows 3x (a and b each 3^{0.15} = 1.18x a year), and applies the trends to "
              "the large-market bound. Under that reading γ = 0 permits spend to grow only as fast as E "
              "(1.37x: at γ = 0 parameter efficiency enters the value of quality additively, ln a + α ln n, so "
              "it does not move n*), below the observed 2.4x; γ = −1 permits 2.87x, inside the observed "
              "interval, and the observed 2.4x is the bound at γ ≈ "
              f"{c['breakeven_gamma_final_run_cost']:.2f}, close to the source's break-even −0.77 (the source sets its "
              "permitted spend growth against the 5x-a-year growth of training compute; labrace compares spend "
              "with spend and FLOP with FLOP, and the 4–5x of compute needs γ between the two break-evens in "
              "the table). The source "
              "lets a itself grow √3 a year and gets n* ∝ a at γ = 0 (its Theorem 2): with those inputs its "
              "γ = 0 figure is reproduced exactly (3 × 1.37 = 4.11), its γ = −1 figures are not (8.62 and 4.80 "
              "from Theorem 1's exponents against the reported 7.59 and 4.66; the difference would need the "
              "paper's d* exponent in a, which the summary does not give). The qualitative conclusion is the "
              "same in both: γ = 0 cannot explain the observed growth, γ near −1 can, and the margin "
              "disappears if hardware stalls.")


def _dynamic(s: dict[str, Any]) -> str:
    d = s["dynamic_lab"]
    rows = [[f"{E:.0e}", f"{n:.4e}", f"{f:.4e}", f"{a:.4f}"]
            for E, n, f, a in zip(d["efficiencies"], d["final_parameters"], d["training_flop"], d["mean_alpha"])]
    return ("## 5. labrace's own dynamic lab\n\n"
            + _table(["E (FLOP per compute unit)", "final N", "training FLOP E·F", "mean α"], rows)
            + f"\n\nA chinchilla lab (compute 100 e^{{0.1t}} compute units, capacity demand, Pontryagin plan over "
              f"10 years): N grows as E^{d['exponent_n']:.4f} and its training FLOP as E^{d['exponent_flop']:.4f}. "
              "This is the small-market limit of the profit model, not the theorems' bound: the lab's compute "
              "is an endowment in compute units that does not grow when hardware improves, its training share "
              "barely moves, and the compute-optimal split (N = √(E F / 6r)) turns E-fold FLOP into √E-fold "
              "parameters. With costs on (docs/model.md §7) the compute bill of an endowment is sunk, so spend "
              "does not respond to E either. To reach Hao and Merrill's large-market exponents a lab must choose "
              "how much compute to buy; labrace's reinvestment mode makes compute a state, but its planners do "
              "not yet choose it.")


def write_report(s: dict[str, Any], path: Path) -> Path:
    quick = " (quick mode: fewer points per sweep)" if s["quick"] else ""
    text = "\n\n".join([
        f"# Reproduction: Hao & Merrill (2026), \"A Theory of Training Profit-Optimal LLMs\"{quick}",
        f"labrace {s['labrace_version']}. Headline: {s['headline']}.",
        SOURCES, _model(s), _verification(s), _compute_bound(s), _data_bound(s), _efficiency(s), _calibration(s), _dynamic(s),
    ])
    path.write_text(text + "\n", encoding="utf-8")
    return path

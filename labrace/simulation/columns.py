"""Every column a run produces, declared once: its meaning, when in the step it is measured, and its unit.

Three tables come out of a run: one row per step per lab (``labs.csv``), one row per step for the market
(``market.csv``) and one row per lab for the whole run (the outcomes, ``summary.json``'s ``labs`` and a
tournament's stored numbers). The recorder, the run's outcome frame, the writers and the tournament rows
all take their column lists from here, and the README's column tables are generated from the same
declarations, so a column cannot be added in one place and forgotten in another.

Timing follows the step of docs/model.md §3: the market clears on the state at the step's start, revenue
is booked over ``[t, t + dt)``, and only then do labs train and compute grow. Run
``python -m labrace.simulation.columns`` to print the README's tables.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

# How a column's values are written to JSON (and what type they have in a frame).
CONVERTERS: dict[str, Callable[[Any], Any]] = {"text": str, "float": float, "int": int}


@dataclass(frozen=True)
class Column:
    """One column: ``key`` columns say which row it is (time, lab), the others are measured values."""

    name: str
    kind: str  # "text", "float" or "int" (see CONVERTERS)
    unit: str
    measured: str
    meaning: str
    key: bool = False
    stored: bool = True  # kept by a tournament's results store (its schema lists these)

    def convert(self, value: Any) -> Any:
        """``value`` as the plain Python type of this column (for JSON)."""
        return CONVERTERS[self.kind](value)


STEP_START = "step start"
TIME = Column("t", "float", "years", STEP_START, "simulated time t = k dt of step k", key=True)
LAB = Column("lab", "text", "", "fixed", "the lab's name", key=True)
POLICY = Column("policy", "text", "", "fixed", "the lab's policy with its parameters, e.g. `constant(alpha=0.3)`",
                key=True)

LAB_STEP: tuple[Column, ...] = (
    TIME, LAB, POLICY,
    Column("alpha", "float", "share of compute", "decided at step start, held over the step",
           "training share α the policy chose"),
    Column("capability", "float", "dimensionless", STEP_START, "capability M, before this step's training"),
    Column("compute", "float", "compute units / year", STEP_START, "compute C"),
    Column("capacity", "float", "tokens / year", STEP_START, "serving capacity K = (1 − α) C offered for sale"),
    Column("revenue", "float", "revenue units / year", STEP_START,
           "revenue rate R = s Π, held constant over the step"),
    Column("share", "float", "fraction", STEP_START, "market share s = M^λ K / Σ M^λ K of the revenue pool"),
    Column("npv", "float", "revenue units", "step end",
           "revenue discounted at the lab's own rate ρ and summed from t = 0 through this step"),
    Column("trained", "float", "compute units", STEP_START, "cumulative training compute F"),
    Column("cost", "float", "revenue units / year", STEP_START,
           "compute bill p(t) C at the compute unit's price p(t) = p₀ e^{−h t} (0 with costs off)"),
    Column("profit", "float", "revenue units / year", STEP_START, "profit rate π = R − p(t) C (R with costs off)"),
    Column("npv_profit", "float", "revenue units", "step end",
           "profit discounted at the lab's own rate ρ and summed from t = 0 through this step"),
)

MARKET_STEP: tuple[Column, ...] = (
    TIME,
    Column("price", "float", "revenue units / token", STEP_START, "price per token P"),
    Column("tokens", "float", "tokens / year", STEP_START, "tokens offered T = Σ K"),
    Column("revenue_pool", "float", "revenue units / year", STEP_START, "revenue pool Π = P T shared by the labs"),
    Column("quality", "float", "value / token", STEP_START, "mean value per token q̄ = Σ M^γ K / T"),
)

OUTCOMES: tuple[Column, ...] = (
    LAB, POLICY,
    Column("npv", "float", "revenue units", "horizon", "NPV of the lab's revenue over the whole run"),
    Column("final_capability", "float", "dimensionless", "horizon",
           "capability M after the last step's training (and breakthroughs)"),
    Column("mean_alpha", "float", "share of compute", "over the run", "mean training share over the steps"),
    Column("revenue_share", "float", "fraction", "over the run",
           "the lab's share of all revenue earned, each lab's revenue discounted at its own rate"),
    Column("npv_profit", "float", "revenue units", "horizon",
           "NPV of the lab's profit (revenue minus compute bill; its revenue NPV with costs off)", stored=False),
    Column("rank", "int", "", "horizon", "rank by NPV (1 = highest; labs whose NPVs are equal to rounding share the better rank)"),
)


def names(columns: tuple[Column, ...]) -> tuple[str, ...]:
    return tuple(c.name for c in columns)


def values(columns: tuple[Column, ...]) -> tuple[str, ...]:
    """The measured (non-key) columns: what the recorder stores per step."""
    return tuple(c.name for c in columns if not c.key)


def axis_label(columns: tuple[Column, ...], name: str, text: str) -> str:
    """``text`` with the unit of column ``name`` (e.g. ``"capability M (dimensionless)"``), for figures."""
    unit = next(c.unit for c in columns if c.name == name)
    return f"{text} ({unit})" if unit else text


LAB_TABLE = names(LAB_STEP)
MARKET_TABLE = names(MARKET_STEP)
OUTCOME_TABLE = names(OUTCOMES)
# A tournament stores a run's measured numbers per seat; ranks are recomputed across runs, not stored.
OUTCOME_NUMBERS = tuple(c.name for c in OUTCOMES if c.kind == "float" and c.stored)


MARKDOWN_HEADER = "| column | meaning | measured | unit |"


def markdown(columns: tuple[Column, ...]) -> str:
    """A Markdown table of ``columns`` (as the README shows them)."""
    lines = [MARKDOWN_HEADER, "|---|---|---|---|"]
    lines += [f"| `{c.name}` | {c.meaning} | {c.measured} | {c.unit or '—'} |" for c in columns]
    return "\n".join(lines)


TABLES = {"labs.csv": LAB_STEP, "market.csv": MARKET_STEP, "summary.json `labs`": OUTCOMES}


if __name__ == "__main__":
    for title, table in TABLES.items():
        print(f"{title}:\n\n{markdown(table)}\n")

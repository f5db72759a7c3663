"""``labrace sensitivity``: which uncertain parameters move each lab's NPV and training share.

The scenario's distributions are the inputs. A Saltelli design of n (d + 2) points (see
:mod:`labrace.uncertainty.sobol`) is played as a study (resumable, any worker count), followed by 2d + 1
one-at-a-time runs for the tornado: every parameter at its median, then each alone at its p5 and its p95.
Every run uses the scenario's own seed (common random numbers), so with shocks on the indices are those
of the outcome for that realisation of the shocks, and without shocks they are exact functions of the
parameters; the variation the seed adds is what ``labrace run --samples`` shows.

Outputs per lab: ``npv``, ``log_npv``, ``mean_alpha`` (the training share) and ``final_capability``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from labs.params import ParameterError
from scenarios.limits import Limits
from scenarios.loader import Scenario
from labrace.tournaments.execute import PlayReport
from labrace.uncertainty.sobol import LEVEL, check_base, saltelli_design, sobol_indices
from labrace.uncertainty.study import Study, check_count

OUTPUTS = ("npv", "log_npv", "mean_alpha", "final_capability")
"""Outputs per lab. ``log_npv`` (the natural log of NPV) attributes relative changes: an NPV that spans
orders of magnitude over the samples has its variance, and so its indices, decided by the few largest
draws, while its logarithm weighs a doubling the same anywhere. It is left out for a lab whose NPV is not
positive in every run."""
TORNADO_LEVELS = (0.05, 0.95)


def design_size(n: int, d: int) -> int:
    """Runs of a sensitivity study: the Saltelli design and the tornado's one-at-a-time points."""
    return n * (d + 2) + 2 * d + 1


def tornado_units(d: int) -> np.ndarray:
    """All parameters at their medians, then parameter i at its p5, then at its p95 (2d + 1 rows)."""
    rows = [np.full(d, 0.5)]
    for i in range(d):
        for level in TORNADO_LEVELS:
            row = np.full(d, 0.5)
            row[i] = level
            rows.append(row)
    return np.array(rows)


def sensitivity_study(scenario: Scenario, n: int, limits: Limits = Limits()) -> Study:
    """The design's runs of ``scenario`` (n base samples), drawn and validated, none played yet."""
    n = check_base(n)
    uncertainty = scenario.uncertainty
    if uncertainty is None or len(uncertainty) == 0:
        raise ParameterError(scenario.source, "the scenario gives no parameter as a distribution",
                             'e.g. compute0 = { distribution = "lognormal", p5 = 80, median = 100, p95 = 130 }')
    d = len(uncertainty)
    check_count(design_size(n, d), limits, "--base")
    unit = np.vstack([saltelli_design(d, n, scenario.config.seed), tornado_units(d)])
    seeds = [scenario.config.seed] * len(unit)
    return Study.build(scenario, uncertainty.values(unit), seeds, what="design point")


def _outputs(frame: pd.DataFrame, labs: list[str]) -> tuple[np.ndarray, list[tuple[str, str]]]:
    """Outcome matrix (runs x (lab, output)) in sample order."""
    wide = frame.pivot(index="sample", columns="lab", values=[o for o in OUTPUTS if o != "log_npv"])
    columns, values = [], []
    for lab in labs:
        for output in OUTPUTS:
            if output == "log_npv":
                npv = wide[("npv", lab)].to_numpy(float)
                if not (npv > 0).all():
                    continue
                column = np.log(npv)
            else:
                column = wide[(output, lab)].to_numpy(float)
            columns.append((lab, output))
            values.append(column)
    return np.column_stack(values), columns


@dataclass
class SensitivityResult:
    """Sobol indices and tornado swings per lab and output; the design's rows; what was played."""

    study: Study
    out: Path
    report: PlayReport
    samples: pd.DataFrame
    indices: pd.DataFrame
    tornado: pd.DataFrame
    base: int
    dropped: int

    @property
    def failed(self) -> int:
        return int((self.samples.drop_duplicates("sample")["status"] == "failed").sum())

    def summary(self) -> dict:
        config = self.study.scenario.config
        ranking = {}
        for (lab, output), rows in self.indices.groupby(["lab", "output"], sort=False):
            ranking.setdefault(lab, {})[output] = [
                {"parameter": r.parameter, "S1": r.S1, "ST": r.ST} for r in rows.sort_values("rank").itertuples()]
        return {"scenario": config.name, "description": self.study.scenario.description,
                "sensitivity": {"method": "Saltelli design on a scrambled Sobol sequence; first order by Saltelli "
                                          "et al. (2010), total by Jansen (1999); percentile bootstrap intervals "
                                          f"at {LEVEL:.0%}", "base": self.base, "runs": len(self.study.tasks),
                                "dropped_base_rows": self.dropped, "parameters": list(self.study.names),
                                "ranking": ranking},
                "provenance": {"labrace_version": self.study.version, "seed": config.seed,
                               "scenario_key": config.key(self.study.version), "steps": config.steps,
                               "horizon": config.horizon, "dt": config.dt, "end_time": config.end_time}}


def analyse(study: Study, frame: pd.DataFrame, n: int) -> tuple[pd.DataFrame, pd.DataFrame, int]:
    """Indices (ranked by total index within each lab and output), tornado swings and the number of base rows
    dropped because a run of theirs failed or is missing."""
    d = len(study.names)
    labs = list(dict.fromkeys(frame.loc[frame["status"] == "ok", "lab"]))
    if not labs:  # every run failed: nothing to attribute
        return (pd.DataFrame(columns=["lab", "output", "parameter", "S1", "S1_low", "S1_high", "ST", "ST_low",
                                      "ST_high", "rank"]),
                pd.DataFrame(columns=["lab", "output", "parameter", "nominal", "at_low", "at_high", "swing"]), n)
    values, columns = _outputs(frame[frame["status"] == "ok"], labs)
    full = np.full((len(study.tasks), len(columns)), np.nan)
    done = sorted(frame.loc[frame["status"] == "ok", "sample"].unique())
    full[done] = values
    design, oat = full[: n * (d + 2)], full[n * (d + 2):]
    blocks = design.reshape(d + 2, n, -1)
    keep = ~np.isnan(blocks).any(axis=(0, 2))
    kept = blocks[:, keep].reshape(-1, len(columns))
    result = sobol_indices(kept, d, seed=study.scenario.config.seed)
    rows = []
    for k, (lab, output) in enumerate(columns):
        for i, parameter in enumerate(study.names):
            rows.append({"lab": lab, "output": output, "parameter": parameter,
                         "S1": result.first[i, k], "S1_low": result.first_interval[0, i, k],
                         "S1_high": result.first_interval[1, i, k], "ST": result.total[i, k],
                         "ST_low": result.total_interval[0, i, k], "ST_high": result.total_interval[1, i, k]})
    indices = pd.DataFrame(rows)
    indices["rank"] = indices.groupby(["lab", "output"])["ST"].rank(ascending=False, method="min")
    swings = []
    for k, (lab, output) in enumerate(columns):
        for i, parameter in enumerate(study.names):
            low, high = oat[1 + 2 * i, k], oat[2 + 2 * i, k]
            swings.append({"lab": lab, "output": output, "parameter": parameter, "nominal": oat[0, k],
                           "at_low": low, "at_high": high, "swing": high - low})
    return indices, pd.DataFrame(swings), int((~keep).sum())

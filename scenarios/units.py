"""Real units of a scenario: what one compute unit, one revenue unit and t = 0 stand for.

The model is unit-free (docs/model.md): compute in compute units per year, money in revenue units. A
scenario calibrated to public figures declares a ``[units]`` table so that its results can be read in
H100-equivalents, US dollars and calendar years. The table changes no number of the run (it is not part
of :class:`~market.config.RaceConfig` or its key); it only says how to translate the outputs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from labs.params import Validated, field_specs, spec_field


@dataclass(frozen=True)
class Units(Validated):
    """How model units map to real ones (docs/calibration.md)."""

    section: ClassVar[str] = "units"

    h100e_per_compute_unit: float = spec_field(
        1.0, "H100-equivalents in one compute unit (compute is in H100e, i.e. H100e-years per year)",
        low=0.0, low_open=True, high=1e15)
    usd_per_revenue_unit: float = spec_field(1.0, "US dollars in one revenue unit", low=0.0, low_open=True,
                                             high=1e18)
    start_year: float = spec_field(2025.0, "calendar year at t = 0 (2025.0 is the start of 2025)",
                                   low=1900.0, high=2200.0)

    def h100e(self, compute: float) -> float:
        """Compute in model units as H100e (or H100e-years for cumulative compute)."""
        return compute * self.h100e_per_compute_unit

    def usd(self, money: float) -> float:
        """Money in model units as US dollars."""
        return money * self.usd_per_revenue_unit

    def year(self, t: float) -> float:
        """Calendar year of model time ``t``."""
        return self.start_year + t

    def to_dict(self) -> dict[str, float]:
        return {name: getattr(self, name) for name in UNIT_PARAMS}


UNIT_PARAMS = field_specs(Units)
"""The keys of a ``[units]`` table, as declared on :class:`Units`."""

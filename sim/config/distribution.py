"""Random durations in config: a distribution family and its parameters."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from sim.config.errors import require
from sim.config.limits import MAX_CV

DistributionKind = Literal[
    "exponential", "deterministic", "lognormal", "gamma", "triangular", "uniform", "empirical"
]

#: Which fields each distribution kind uses (all others must be left null).
DISTRIBUTION_FIELDS: dict[str, tuple[str, ...]] = {
    "exponential": ("mean",),
    "deterministic": ("mean",),
    "lognormal": ("mean", "cv"),
    "gamma": ("mean", "cv"),
    "triangular": ("low", "mode", "high"),
    "uniform": ("low", "high"),
    "empirical": ("values",),
}


@dataclass(frozen=True)
class DistributionConfig:
    """A non-negative random duration; the unit is given by the field that holds it.

    Attributes
    ----------
    kind
        ``exponential`` (mean), ``deterministic`` (mean), ``lognormal`` / ``gamma`` (mean and
        coefficient of variation ``cv``), ``triangular`` (low, mode, high), ``uniform``
        (low, high), ``empirical`` (``values``: observed durations, resampled with replacement).
    """

    kind: DistributionKind = "exponential"
    mean: float | None = None
    cv: float | None = None
    low: float | None = None
    mode: float | None = None
    high: float | None = None
    values: tuple[float, ...] | None = None

    def validate(self) -> None:
        used = DISTRIBUTION_FIELDS[self.kind]
        for name in ("mean", "cv", "low", "mode", "high", "values"):
            value = getattr(self, name)
            if name in used:
                require(value is not None, name, value, f"a value (kind '{self.kind}' needs it)")
            else:
                require(
                    value is None,
                    name,
                    value,
                    f"null: kind '{self.kind}' uses only {', '.join(used)}",
                )
        if self.mean is not None:
            require(_finite(self.mean) and self.mean > 0, "mean", self.mean, "a number > 0")
        if self.cv is not None:
            require(
                _finite(self.cv) and 0 < self.cv <= MAX_CV,
                "cv",
                self.cv,
                f"a coefficient of variation > 0 and at most {MAX_CV:g} (use kind=deterministic "
                "for no variation)",
            )
        if self.low is not None:
            require(_finite(self.low) and self.low >= 0, "low", self.low, "a number >= 0")
        if self.high is not None and self.low is not None:
            require(
                _finite(self.high) and self.high > self.low,
                "high",
                self.high,
                f"a number > low ({self.low})",
            )
        if self.mode is not None and self.low is not None and self.high is not None:
            require(
                self.low <= self.mode <= self.high,
                "mode",
                self.mode,
                f"a number between low ({self.low}) and high ({self.high})",
            )
        if self.values is not None:
            require(len(self.values) > 0, "values", self.values, "a non-empty list")
            bad = [v for v in self.values if not (_finite(v) and v >= 0)]
            require(not bad, "values", bad[:3], "finite numbers >= 0")
            require(sum(self.values) > 0, "values", self.values, "at least one value > 0")

    @property
    def expected(self) -> float:
        """The distribution's mean, in the unit of the field that holds it."""
        if self.kind in ("exponential", "deterministic", "lognormal", "gamma"):
            assert self.mean is not None
            return self.mean
        if self.kind == "triangular":
            assert self.low is not None and self.mode is not None and self.high is not None
            return (self.low + self.mode + self.high) / 3.0
        if self.kind == "uniform":
            assert self.low is not None and self.high is not None
            return (self.low + self.high) / 2.0
        assert self.values is not None
        return sum(self.values) / len(self.values)


def _finite(x: float) -> bool:
    return isinstance(x, int | float) and math.isfinite(x)

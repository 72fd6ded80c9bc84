"""Confidence intervals for replicated outputs (Student t)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats


@dataclass(frozen=True)
class Interval:
    """A mean with a two-sided confidence interval.

    Attributes
    ----------
    mean
        Sample mean over replications.
    half_width
        Half-width of the interval (NaN with fewer than two replications).
    n
        Number of replications.
    level
        Confidence level, e.g. 0.95.
    """

    mean: float
    half_width: float
    n: int
    level: float

    @property
    def low(self) -> float:
        """Lower bound."""
        return self.mean - self.half_width

    @property
    def high(self) -> float:
        """Upper bound."""
        return self.mean + self.half_width

    def contains(self, value: float) -> bool:
        """Whether ``value`` lies in the interval."""
        return self.low <= value <= self.high

    def __str__(self) -> str:
        return f"{self.mean:.4g} ± {self.half_width:.2g} ({self.level:.0%}, n={self.n})"


def t_interval(values: np.ndarray | list[float], level: float = 0.95) -> Interval:
    """Student-t confidence interval of the mean of independent replications."""
    v = np.asarray(values, dtype=float)
    n = v.size
    if n == 0:
        raise ValueError("need at least one value")
    mean = float(v.mean())
    if n < 2:
        return Interval(mean, float("nan"), n, level)
    sem = float(v.std(ddof=1) / np.sqrt(n))
    half = float(stats.t.ppf(0.5 + level / 2.0, n - 1) * sem)
    return Interval(mean, half, n, level)

"""Confidence intervals for replicated outputs (Student t).

SciPy is imported only when a quantile is needed (two replications or more): ``import sim``
and a single-replication run do not load it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


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
    half = t_quantile(0.5 + level / 2.0, n - 1) * sem
    return Interval(mean, half, n, level)


def t_quantile(p: float, dof: float) -> float:
    """The ``p`` quantile of Student's t distribution with ``dof`` degrees of freedom
    (e.g. ``t_quantile(0.975, n - 1)`` for a two-sided 95 % interval from ``n`` values).

    Imports SciPy on first use (keep ``from scipy import stats`` out of module level: the
    command line and ``import sim`` should not pay for it)."""
    from scipy import stats

    return float(stats.t.ppf(p, dof))

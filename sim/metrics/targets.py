"""Verdicts on capacity targets from replicated runs.

A target (:class:`~sim.config.targets.TargetConfig`) is **met** when the whole confidence
interval of the metric's mean over the replications lies on the right side of the bound,
**missed** when the whole interval lies on the wrong side, and **undecided** when it straddles
the bound (more replications may decide it; one replication never does). A metric that is not
a number in some replication (a green-channel wait when nobody used it) has **no data**.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sim.config.targets import TargetConfig
from sim.metrics.intervals import t_interval

if TYPE_CHECKING:
    import pandas as pd

MET, MISSED, UNDECIDED, NO_DATA = "met", "missed", "undecided", "no data"


@dataclass(frozen=True)
class Verdict:
    """A target's verdict and the interval behind it.

    Attributes
    ----------
    target
        The target.
    mean, half_width
        Mean of the metric over the replications and the half-width of its confidence
        interval (NaN with one replication).
    n
        Replications.
    level
        Confidence level.
    verdict
        ``met``, ``missed``, ``undecided`` or ``no data``.
    """

    target: TargetConfig
    mean: float
    half_width: float
    n: int
    level: float
    verdict: str

    @property
    def low(self) -> float:
        """Lower end of the interval."""
        return self.mean - self.half_width

    @property
    def high(self) -> float:
        """Upper end of the interval."""
        return self.mean + self.half_width

    @property
    def passed(self) -> bool:
        """Whether the target is met."""
        return self.verdict == MET


def judge(target: TargetConfig, values: Sequence[float], level: float = 0.95) -> Verdict:
    """The verdict on ``target`` from the metric's value in each replication."""
    vals = [float(v) for v in values]
    if not vals or any(not math.isfinite(v) for v in vals):
        finite = [v for v in vals if math.isfinite(v)]
        mean = math.fsum(finite) / len(finite) if finite else math.nan
        return Verdict(target, mean, math.nan, len(vals), level, NO_DATA)
    ci = t_interval(vals, level)
    bound = target.bound
    tol = 1e-9 * max(1.0, abs(bound))  # a mean of values all at the bound is at the bound
    if len(vals) < 2:
        verdict = UNDECIDED
    elif target.op == "<=":
        verdict = MET if ci.high <= bound + tol else MISSED if ci.low > bound + tol else UNDECIDED
    else:
        verdict = MET if ci.low >= bound - tol else MISSED if ci.high < bound - tol else UNDECIDED
    return Verdict(target, ci.mean, ci.half_width, ci.n, level, verdict)


def target_values(
    summary: Mapping[str, Any], points: pd.DataFrame | None = None
) -> dict[str, float]:
    """The values of the target metrics in one replication.

    ``summary`` is the replication's summary; ``points`` its per-point table (needed for the
    ``worst_point_*`` forms: the worst over points and rounds).
    """
    out = {
        k: float(v)
        for k, v in summary.items()
        if isinstance(v, int | float) and not isinstance(v, bool)
    }
    if points is not None and len(points):
        out["worst_point_wait_p95_min"] = float(points["wait_p95_min"].max())
        out["worst_point_wait_mean_min"] = float(points["wait_mean_min"].max())
        out["worst_point_longest_queue_m"] = float(points["longest_queue_m"].max())
        arrived = points["arrived"].to_numpy(dtype=float)
        tested = points["tested"].to_numpy(dtype=float)
        shares = [t / a for t, a in zip(tested, arrived, strict=True) if a > 0]
        out["worst_point_coverage"] = min(shares) if shares else math.nan
    return out


def all_decided(verdicts: Sequence[Verdict]) -> bool:
    """Whether no verdict is undecided (met, missed or no data everywhere)."""
    return all(v.verdict != UNDECIDED for v in verdicts)

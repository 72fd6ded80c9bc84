"""Wait statistics: mean and percentiles of waiting times, in minutes."""

from __future__ import annotations

import numpy as np

STATS = ("mean", "p50", "p90", "p95", "max")


def describe(values: np.ndarray) -> dict[str, float]:
    """Mean, p50, p90, p95 and max of the finite values (NaN for all if there are none)."""
    v = values[np.isfinite(values)]
    if v.size == 0:
        return dict.fromkeys(STATS, float("nan"))
    p50, p90, p95 = np.percentile(v, [50, 90, 95])
    return {
        "mean": float(v.mean()),
        "p50": float(p50),
        "p90": float(p90),
        "p95": float(p95),
        "max": float(v.max()),
    }

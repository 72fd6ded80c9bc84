"""Layouts side by side: each metric's mean and interval, and paired differences to a baseline.

Input is one table of per-replication summaries per layout (a row per replication, with the
``seed`` and ``replication`` columns). Layouts run with the same seed share their random
streams (common random numbers), so the per-replication difference to the baseline removes
most of the noise; its t interval says by how much, and how surely, a layout differs.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np

from sim.metrics.intervals import t_interval

if TYPE_CHECKING:
    import pandas as pd

#: Metrics a comparison shows when none are named (those a run has).
HEADLINE_METRICS = (
    "coverage",
    "wait_mean_min",
    "wait_p95_min",
    "longest_queue_m",
    "utilisation_swab",
    "within_target",
    "turnaround_p95_h",
    "last_result_min",
)


def comparison_table(
    frames: Mapping[str, pd.DataFrame],
    metrics: Sequence[str] = (),
    baseline: str | None = None,
    verdicts: Mapping[str, Mapping[str, str]] | None = None,
    level: float = 0.95,
) -> pd.DataFrame:
    """One row per layout: replications, ``<metric>`` (mean) and ``<metric>_hw`` (half-width
    of its ``level`` t interval); with a ``baseline`` (a key of ``frames``) also
    ``<metric>_diff`` and ``<metric>_diff_hw``: the mean paired difference layout - baseline
    over the replications both ran (same seed and replication number) and its half-width;
    ``verdict: <target>`` columns from ``verdicts`` (layout -> target label -> verdict).

    Raises
    ------
    KeyError
        If ``baseline`` is not one of the layouts.
    """
    import pandas as pd

    if baseline is not None and baseline not in frames:
        raise KeyError(f"baseline {baseline!r} is not one of the layouts: {', '.join(frames)}")
    chosen = list(metrics) or [m for m in HEADLINE_METRICS if _anywhere(frames, m)]
    rows = []
    for name, frame in frames.items():
        row: dict[str, object] = {"layout": name, "replications": len(frame)}
        for m in chosen:
            mean, hw = _interval(_column(frame, m), level)
            row[m], row[f"{m}_hw"] = mean, hw
            if baseline is not None:
                diffs = _paired(frames[baseline], frame, m)
                row[f"{m}_diff"], row[f"{m}_diff_hw"] = _interval(diffs, level)
        for label, verdict in (verdicts or {}).get(name, {}).items():
            row[f"verdict: {label}"] = verdict
        rows.append(row)
    return pd.DataFrame(rows)


def _anywhere(frames: Mapping[str, pd.DataFrame], metric: str) -> bool:
    return any(metric in f.columns and f[metric].notna().any() for f in frames.values())


def _column(frame: pd.DataFrame, metric: str) -> np.ndarray:
    if metric not in frame.columns:
        return np.full(len(frame), np.nan)
    return frame[metric].to_numpy(dtype=float)


def _interval(values: np.ndarray, level: float) -> tuple[float, float]:
    """Mean and half-width; NaN where a value is missing or there is one value."""
    if values.size == 0 or not np.all(np.isfinite(values)):
        return math.nan, math.nan
    ci = t_interval(values, level)
    return ci.mean, ci.half_width


def _paired(base: pd.DataFrame, other: pd.DataFrame, metric: str) -> np.ndarray:
    """``other - base`` for the replications both ran (matched on seed and replication)."""
    keys = ["seed", "replication"]
    cols = {*keys, metric}
    if not cols <= set(base.columns) or not cols <= set(other.columns):
        return np.array([])
    both = other[[*keys, metric]].merge(base[[*keys, metric]], on=keys, suffixes=("", "_base"))
    return (both[metric] - both[f"{metric}_base"]).to_numpy(dtype=float)

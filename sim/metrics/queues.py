"""Queue lengths reconstructed from entry and exit times, with no monitoring in the hot path.

A line holds a resident from the moment they join it until they leave it (service start,
reneging, or the end of the day). The number in line at time t is then
``#(entry <= t) - #(exit <= t)``, computed with sorted arrays.
"""

from __future__ import annotations

import numpy as np


def _clean(entry: np.ndarray, exit_: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    keep = np.isfinite(entry) & np.isfinite(exit_) & (exit_ > entry)
    return np.sort(entry[keep]), np.sort(exit_[keep])


def length_at(entry: np.ndarray, exit_: np.ndarray, times: np.ndarray) -> np.ndarray:
    """Number in line at each of ``times`` (minutes)."""
    e, x = _clean(entry, exit_)
    return np.searchsorted(e, times, side="right") - np.searchsorted(x, times, side="right")


def _levels(entry: np.ndarray, exit_: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every entry and exit time in order, and the number in line just after each."""
    e, x = _clean(entry, exit_)
    times = np.concatenate([e, x])
    steps = np.concatenate([np.ones(e.size, dtype=np.int64), -np.ones(x.size, dtype=np.int64)])
    # Exits before entries at equal times, so that a swap does not count as two people.
    order = np.lexsort((steps, times))
    return times[order], np.cumsum(steps[order])


def longest(entry: np.ndarray, exit_: np.ndarray) -> int:
    """Largest number in line at any moment."""
    _, level = _levels(entry, exit_)
    return int(level.max()) if level.size else 0


def minutes_above(entry: np.ndarray, exit_: np.ndarray, limit: int) -> float:
    """Minutes during which more than ``limit`` were in line."""
    times, level = _levels(entry, exit_)
    over = level[:-1] > limit
    return float(np.sum(np.diff(times)[over]))


def time_average(entry: np.ndarray, exit_: np.ndarray, start: float, end: float) -> float:
    """Time-averaged number in line over ``[start, end]`` (the integral divided by its length)."""
    if end <= start:
        raise ValueError(f"need end > start, got {start}, {end}")
    e, x = _clean(entry, exit_)
    lo = np.clip(e, start, end)
    hi = np.clip(x, start, end)
    return float(np.sum(hi - lo) / (end - start))

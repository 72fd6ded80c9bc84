"""Arrival processes, generated in one vectorised block.

* :func:`poisson_arrivals` - a homogeneous Poisson process at a constant rate.
* :func:`profile_arrivals` - a non-homogeneous Poisson process whose rate is piecewise constant
  (an hourly profile). Given the number of arrivals, the times of a Poisson process are
  independent draws from the normalised rate, which is how both are generated here: exact, with
  no thinning loop. With ``fixed_count`` the count is exactly ``expected`` (the process
  conditioned on its count), which is what planners mean by "300,000 residents".
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def poisson_arrivals(
    rng: np.random.Generator, rate_per_min: float, start: float, end: float
) -> np.ndarray:
    """Sorted arrival times (minutes) of a Poisson process on ``[start, end)``.

    Parameters
    ----------
    rate_per_min
        Arrivals per minute (> 0).
    start, end
        Window in minutes, ``end > start``.
    """
    if rate_per_min <= 0 or end <= start:
        raise ValueError(
            f"need rate_per_min > 0 and end > start, got {rate_per_min}, {start}, {end}"
        )
    n = int(rng.poisson(rate_per_min * (end - start)))
    times = rng.uniform(start, end, n)
    times.sort()
    return times


def profile_arrivals(
    rng: np.random.Generator,
    weights: Sequence[float],
    start: float,
    end: float,
    expected: float,
    fixed_count: bool,
    piece_min: float = 60.0,
) -> np.ndarray:
    """Sorted arrival times (minutes) of a piecewise-constant-rate Poisson process.

    Parameters
    ----------
    weights
        Relative rate of each piece (e.g. each hour) from ``start``; the last piece may be cut
        short by ``end``.
    expected
        Expected number of arrivals over the window (exact if ``fixed_count``).
    piece_min
        Length of each piece in minutes (60 for an hourly profile).
    """
    w = np.asarray(weights, dtype=float)
    edges = start + piece_min * np.arange(len(w) + 1)
    edges[-1] = min(edges[-1], end)
    lengths = np.diff(edges)
    if np.any(lengths <= 0) or w.sum() <= 0:
        raise ValueError("profile pieces must have positive length and some positive weight")
    mass = w * lengths
    prob = mass / mass.sum()
    n = round(expected) if fixed_count else int(rng.poisson(expected))
    counts = rng.multinomial(n, prob)
    piece = np.repeat(np.arange(len(w)), counts)
    times = edges[piece] + rng.random(n) * lengths[piece]
    times.sort()
    return times

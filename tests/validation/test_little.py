"""Little's law: time-averaged number in line = arrival rate x mean time in line."""

from __future__ import annotations

import numpy as np
import pytest

from sim.metrics.intervals import t_interval
from tests.validation.steady_state import estimate


@pytest.mark.slow
@pytest.mark.parametrize(
    "overrides",
    [
        ["site.swab_booths=3", "demand.rate_per_hour=162"],
        ["site.swab_booths=2", "demand.rate_per_hour=100", "demand.green_share=0.3"],
        [
            "site.swab_booths=1",
            "demand.rate_per_hour=54",
            "site.swab_time_s.kind=lognormal",
            "site.swab_time_s.cv=1.5",
        ],
    ],
)
def test_littles_law_in_the_line(overrides: list[str]) -> None:
    est = estimate([*overrides, "site.close=200:00"], replications=20, warmup_min=1200)
    # lambda * W from arrivals and waits, against the time average of the line length.
    lw = est.arrivals_per_min * est.mean_wait
    diff = t_interval(est.time_avg_queue - lw, 0.99)
    scale = float(np.mean(est.time_avg_queue))
    assert scale > 0.5, "the line must be long enough for the check to mean something"
    assert abs(diff.mean) <= 0.02 * scale
    assert diff.contains(0.0) or abs(diff.mean) <= 0.005 * scale

"""The summary's steady-state figures agree with queueing theory: utilisation counts the
opening hours only (a long clearing period does not dilute it), the warm-up cut leaves the
empty start out, and the summary's time-average line obeys Little's law (L = lambda W)."""

from __future__ import annotations

import numpy as np
import pytest

import sim
from sim.metrics.intervals import t_interval

#: M/M/2 at load 0.9: 108 residents an hour, two booths of 60 s on average.
MMC = ["scenario=single_station", "site.close=40:00", "site.swab_booths=2"]
RHO = 108 / (2 * 60)


def _summaries(*overrides: str, n: int = 12) -> list[dict[str, float]]:
    cfg = sim.load_config([*MMC, *overrides])
    return [r.summary() for r in sim.run_replications(cfg, n)]


def test_utilisation_is_the_load_however_long_the_clearing() -> None:
    for clearing in (0, 600):
        runs = _summaries(f"site.clearing_min={clearing}", "warmup_min=120")
        ci = t_interval([s["utilisation_swab_booths"] for s in runs], 0.99)
        assert ci.contains(RHO), (clearing, str(ci))
        assert ci.half_width < 0.02


def test_summary_line_obeys_littles_law_after_the_warm_up() -> None:
    runs = _summaries("warmup_min=120", "site.clearing_min=600")
    hours_open = 40 - 2  # from the end of the warm-up to closing
    rate = np.array([s["arrived"] for s in runs]) / (hours_open * 60.0)  # per minute
    lw = rate * np.array([s["wait_mean_min"] for s in runs])
    queue = np.array([s["queue_mean"] for s in runs])
    diff = t_interval(queue - lw, 0.99)
    assert np.mean(queue) > 3.0  # a real line: the check means something
    assert abs(diff.mean) <= 0.03 * np.mean(queue), str(diff)


def test_the_warm_up_cut_leaves_out_the_empty_start() -> None:
    # From an empty system the first hour's waits are shorter than the steady state's: cutting
    # it raises the mean wait; everyone still counts for coverage.
    cold = _summaries("warmup_min=0", n=10)
    warm = _summaries("warmup_min=60", n=10)
    assert all(w["arrived"] < c["arrived"] for w, c in zip(warm, cold, strict=True))
    assert all(w["coverage"] > 0 for w in warm)
    diff = t_interval(
        [w["wait_mean_min"] - c["wait_mean_min"] for w, c in zip(warm, cold, strict=True)], 0.95
    )
    assert diff.low > 0, str(diff)


@pytest.mark.parametrize("bad", ["-5", "nan", "2400"])  # 2400: the whole 40 h of opening
def test_a_negative_or_missing_warm_up_is_a_config_error(bad: str) -> None:
    with pytest.raises(sim.ConfigError) as info:
        sim.load_config([*MMC, f"warmup_min={bad}"])
    assert info.value.field == "warmup_min"
    assert info.value.value == float(bad) or bad == "nan"

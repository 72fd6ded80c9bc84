"""Long schedules and long spans cost what is asked about, with the same answers.

:meth:`CapacitySchedule.at` and :meth:`~CapacitySchedule.server_minutes` look only at the steps
around the time or window asked about (a round of many days has thousands of steps and is asked
about each shift), and the plotting helpers keep a long span's axis and step lines small. Each
is checked against the plain definition.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from matplotlib.figure import Figure

from sim.engine.schedule import CapacitySchedule
from sim.plots.figures import steps_only, tick_step_h, time_axis


def _random_schedule(rng: np.random.Generator, n: int) -> CapacitySchedule:
    times = np.cumsum(rng.uniform(0.5, 90.0, n)) - 500.0
    counts = rng.integers(0, 6, n)
    return CapacitySchedule(tuple(times.tolist()), tuple(int(c) for c in counts))


def _at(s: CapacitySchedule, t: float) -> int:
    """Servers open at ``t``: the count of the last change at or before it."""
    before = [c for x, c in zip(s.times, s.counts, strict=True) if x <= t]
    return before[-1] if before else 0


def _server_minutes(s: CapacitySchedule, start: float, end: float) -> float:
    """Every step's overlap with [start, end], summed in step order."""
    total = 0.0
    bounds = [*s.times[1:], math.inf]
    for t0, t1, c in zip(s.times, bounds, s.counts, strict=True):
        lo, hi = max(t0, start), min(t1, end)
        if hi > lo:
            total += c * (hi - lo)
    return total


@pytest.mark.parametrize("seed", range(5))
def test_at_and_server_minutes_match_their_definitions(seed: int) -> None:
    rng = np.random.default_rng(seed)
    s = _random_schedule(rng, 300)
    lo, hi = s.times[0] - 100.0, s.times[-1] + 100.0
    probes = [*rng.uniform(lo, hi, 200).tolist(), *s.times, lo, hi, -math.inf, math.inf]
    for t in probes:
        assert s.at(t) == _at(s, t)
    windows = [tuple(sorted(rng.uniform(lo, hi, 2).tolist())) for _ in range(200)]
    windows += [(s.times[3], s.times[40]), (s.times[5], s.times[5]), (hi, lo), (-1e12, 1e12)]
    windows += [(-math.inf, math.inf), (s.times[-1], math.inf), (-math.inf, s.times[0])]
    for a, b in windows:
        # the same sum in the same order: equal to the last bit (NaN alike: 0 x inf)
        np.testing.assert_equal(
            s.server_minutes(a, b), _server_minutes(s, a, b), err_msg=str((a, b))
        )


def test_empty_schedule() -> None:
    s = CapacitySchedule((), ())
    assert s.at(5.0) == 0
    assert s.server_minutes(0.0, 100.0) == 0.0


@pytest.mark.parametrize(
    "span_h", [1, 5, 12, 13, 30, 100, 24 * 12, 24 * 13, 24 * 60, 24 * 366, 24 * 36_500]
)
def test_a_time_axis_has_at_most_about_a_dozen_ticks(span_h: int) -> None:
    step = tick_step_h(60.0 * span_h)
    assert span_h / step <= 12
    if step > 24:
        assert step % 24 == 0  # whole days
    fig = Figure()
    ax = fig.add_subplot()
    ax.set_xlim(0.0, 60.0 * span_h)
    time_axis(ax, 60.0 * span_h)
    ticks = [t for t in ax.get_xticks() if 0.0 <= t <= 60.0 * span_h]
    assert len(ticks) <= 13
    labels = [ax.xaxis.get_major_formatter()(t, 0) for t in ticks]
    assert all(label.startswith("day ") for label in labels)
    if step > 24:
        assert all("\n" not in label for label in labels)  # day numbers only


def _step_value(x: np.ndarray, y: np.ndarray, at: np.ndarray) -> np.ndarray:
    """Value of the step line (``where="post"``) through (x, y) at each of ``at``."""
    return y[np.searchsorted(x, at, side="right") - 1]


def test_steps_only_draws_the_same_steps_with_fewer_points() -> None:
    x = np.arange(0.0, 100_000.0, 10.0)
    y = np.zeros(x.size, dtype=np.int64)
    y[100:150] = 3
    y[150:160] = 1
    y[5000:5001] = 7
    xs, ys = steps_only(x, y)
    assert xs.size == 7  # the first point, a point per change (5) and the last point
    assert xs[0] == x[0] and xs[-1] == x[-1]
    np.testing.assert_array_equal(_step_value(xs, ys, x), y)
    short_x, short_y = steps_only(x[:2], y[:2])
    np.testing.assert_array_equal(short_x, x[:2])
    np.testing.assert_array_equal(short_y, y[:2])

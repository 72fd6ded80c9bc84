"""Unit tests for the line-length, wait and interval metrics (:mod:`sim.metrics.queues`,
:mod:`sim.metrics.lines`, :mod:`sim.metrics.waits`, :mod:`sim.metrics.intervals`).

Small cases are worked out by hand; a random case is compared with a direct count.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from sim.engine.schedule import CapacitySchedule
from sim.metrics.intervals import Interval, t_interval
from sim.metrics.lines import entrance_line, swab_line
from sim.metrics.queues import length_at, longest, minutes_above, time_average
from sim.metrics.waits import STATS, describe
from sim.model import records as rec

NAN = math.nan

# Three people: A in line [0, 2), B [1, 3), C [3, 5). B leaves at 3 exactly when C joins.
ENTRY = np.array([0.0, 1.0, 3.0])
EXIT = np.array([2.0, 3.0, 5.0])


# ---------------------------------------------------------------------------
# length_at
# ---------------------------------------------------------------------------


def test_length_at_by_hand() -> None:
    times = np.array([-1.0, 0.0, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0])
    expected = [0, 1, 1, 2, 2, 1, 1, 1, 1, 0, 0]
    assert length_at(ENTRY, EXIT, times).tolist() == expected


def test_length_at_ignores_unsorted_input_order() -> None:
    order = np.array([2, 0, 1])
    times = np.array([0.5, 1.5, 2.5, 3.5])
    np.testing.assert_array_equal(
        length_at(ENTRY[order], EXIT[order], times), length_at(ENTRY, EXIT, times)
    )


def test_length_at_drops_missing_and_zero_length_stays() -> None:
    # A NaN entry (never joined), a NaN exit, and someone served on arrival (exit == entry).
    entry = np.array([0.0, NAN, 1.0, 2.0])
    exit_ = np.array([4.0, 3.0, NAN, 2.0])
    assert length_at(entry, exit_, np.array([0.5, 1.5, 2.0, 3.5])).tolist() == [1, 1, 1, 1]


def test_length_at_with_nobody() -> None:
    assert length_at(np.empty(0), np.empty(0), np.array([0.0, 1.0])).tolist() == [0, 0]


# ---------------------------------------------------------------------------
# longest
# ---------------------------------------------------------------------------


def test_longest_by_hand() -> None:
    assert longest(ENTRY, EXIT) == 2


def test_longest_swap_at_the_same_instant_is_not_double_counted() -> None:
    # One leaves at 2 exactly when the next joins: never two in line.
    assert longest(np.array([0.0, 2.0]), np.array([2.0, 4.0])) == 1
    # A chain of swaps.
    assert longest(np.array([0.0, 1.0, 2.0, 3.0]), np.array([1.0, 2.0, 3.0, 4.0])) == 1


def test_minutes_above_by_hand() -> None:
    # In line: [0, 4), [1, 3), [2, 6): 1 from 0, 2 from 1, 3 from 2 to 3, 2 to 4, 1 to 6.
    entry, exit_ = np.array([0.0, 1.0, 2.0]), np.array([4.0, 3.0, 6.0])
    assert minutes_above(entry, exit_, 2) == 1.0  # 3 in line from 2 to 3
    assert minutes_above(entry, exit_, 1) == 3.0  # 2 or more from 1 to 4
    assert minutes_above(entry, exit_, 0) == 6.0
    assert minutes_above(entry, exit_, 3) == 0.0
    # a swap at the same instant is not an excursion above the limit
    assert minutes_above(np.array([0.0, 2.0]), np.array([2.0, 4.0]), 1) == 0.0
    assert minutes_above(np.empty(0), np.empty(0), 0) == 0.0


def test_longest_counts_simultaneous_entries() -> None:
    assert longest(np.array([1.0, 1.0, 1.0]), np.array([2.0, 3.0, 4.0])) == 3


def test_longest_with_nobody_or_only_zero_length_stays() -> None:
    assert longest(np.empty(0), np.empty(0)) == 0
    assert longest(np.array([1.0, 2.0]), np.array([1.0, 2.0])) == 0


# ---------------------------------------------------------------------------
# time_average
# ---------------------------------------------------------------------------


def test_time_average_by_hand() -> None:
    # Over [0, 5]: each of the three spends 2 minutes in line -> 6 / 5.
    assert time_average(ENTRY, EXIT, 0.0, 5.0) == pytest.approx(1.2)
    # Over [1, 4]: A 1, B 2, C 1 -> 4 / 3.
    assert time_average(ENTRY, EXIT, 1.0, 4.0) == pytest.approx(4.0 / 3.0)
    # Over [0, 10]: 6 / 10.
    assert time_average(ENTRY, EXIT, 0.0, 10.0) == pytest.approx(0.6)


def test_time_average_outside_the_stays_is_zero() -> None:
    assert time_average(ENTRY, EXIT, 10.0, 20.0) == 0.0
    assert time_average(ENTRY, EXIT, -10.0, -1.0) == 0.0


def test_time_average_rejects_an_empty_window() -> None:
    with pytest.raises(ValueError):
        time_average(ENTRY, EXIT, 5.0, 5.0)


# ---------------------------------------------------------------------------
# Against a direct count on random data
# ---------------------------------------------------------------------------


def brute_length(entry: np.ndarray, exit_: np.ndarray, t: float) -> int:
    return sum(1 for a, b in zip(entry, exit_, strict=True) if a <= t < b)


def test_metrics_agree_with_a_direct_count() -> None:
    rng = np.random.default_rng(31)
    n = 300
    # Integer times so that ties between entries and exits are frequent.
    entry = rng.integers(0, 100, n).astype(float)
    exit_ = entry + rng.integers(0, 15, n)
    grid = np.arange(-1.0, 120.0, 0.5)
    expected = [brute_length(entry, exit_, t) for t in grid]
    assert length_at(entry, exit_, grid).tolist() == expected
    # The line length only changes at integer times, and is constant on [k, k + 1).
    assert longest(entry, exit_) == max(expected)
    # Integral on [10, 90] by the step function: sum of lengths on [k, k+1) for k = 10..89.
    integral = sum(brute_length(entry, exit_, float(k)) for k in range(10, 90))
    assert time_average(entry, exit_, 10.0, 90.0) == pytest.approx(integral / 80.0)


# ---------------------------------------------------------------------------
# Lines from resident records
# ---------------------------------------------------------------------------


def site_run(registration: bool, **cols: list[float] | list[int]) -> rec.SiteRun:
    n = len(cols["arrival"])
    nan = np.full(n, NAN)

    def col(name: str) -> np.ndarray:
        return np.asarray(cols[name], dtype=float) if name in cols else nan

    residents = rec.ResidentRecords(
        arrival=col("arrival"),
        green=np.zeros(n, dtype=bool),
        barcode=np.zeros(n, dtype=bool),
        lane=np.asarray(cols.get("lane", [rec.GENERAL] * n), dtype=np.int8),
        stages=(rec.REGISTRATION, rec.SWAB),
        start=(col("reg_start"), col("swab_start")),
        end=(col("reg_end"), col("swab_end")),
        pool=(np.zeros(n, dtype=np.int16), np.zeros(n, dtype=np.int16)),
        outcome=np.asarray(cols["outcome"], dtype=np.int8),
        left_at=np.full(n, "", dtype=object),
        exit=col("exit"),
        registration=registration,
    )
    sched = CapacitySchedule((0.0, 100.0), (1, 0))
    return rec.SiteRun(
        name="test",
        residents=residents,
        stations=(rec.Station(rec.SWAB, 0, "swab booths", sched),),
        registration=registration,
        open_min=0.0,
        close_min=90.0,
        end_min=100.0,
        queue_limit=None,
        spacing_m=1.0,
    )


def test_entrance_line_without_registration() -> None:
    # tested (waited 0-4), reneged (1 -> left 6), balked (2), outside hours (3),
    # not served (5 -> end 100), tested on arrival (7, zero wait).
    run = site_run(
        False,
        arrival=[0.0, 1.0, 2.0, 3.0, 5.0, 7.0],
        swab_start=[4.0, NAN, NAN, NAN, NAN, 7.0],
        swab_end=[5.0, NAN, NAN, NAN, NAN, 8.0],
        exit=[NAN, 6.0, 2.0, 3.0, 100.0, NAN],
        outcome=[rec.TESTED, rec.RENEGED, rec.BALKED, rec.OUTSIDE_HOURS, rec.NOT_SERVED, 0],
        lane=[1, 1, 1, 1, 0, 0],
    )
    entry, exit_ = entrance_line(run)
    assert entry.tolist() == [0.0, 1.0, 5.0, 7.0]
    assert exit_.tolist() == [4.0, 6.0, 100.0, 7.0]
    entry0, exit0 = entrance_line(run, lane=rec.GREEN)
    assert entry0.tolist() == [5.0, 7.0]
    assert exit0.tolist() == [100.0, 7.0]
    # In line at 3.5: the tested one (0-4) and the reneging one (1-6).
    assert length_at(entry, exit_, np.array([3.5])).tolist() == [2]


def test_entrance_and_swab_lines_with_registration() -> None:
    # r0: registered 1-2, swab 3-4. r1: registered 2-3, not served at swab (end 100).
    # r2: still at registration when the day ended (reg_end 101 > end), unserved at swab.
    run = site_run(
        True,
        arrival=[0.0, 0.5, 1.0],
        reg_start=[1.0, 2.0, 99.0],
        reg_end=[2.0, 3.0, 101.0],
        swab_start=[3.0, NAN, NAN],
        swab_end=[4.0, NAN, NAN],
        exit=[NAN, 100.0, 100.0],
        outcome=[rec.TESTED, rec.NOT_SERVED, rec.NOT_SERVED],
    )
    entry, exit_ = entrance_line(run)
    assert entry.tolist() == [0.0, 0.5, 1.0]
    assert exit_.tolist() == [1.0, 2.0, 99.0]
    s_entry, s_exit = swab_line(run)
    assert s_entry.tolist() == [2.0, 3.0, 101.0]
    assert s_exit.tolist() == [3.0, 100.0, 100.0]
    # r2 joined the swab line after the end and never counts in it.
    assert length_at(s_entry, s_exit, np.array([50.0, 100.5])).tolist() == [1, 0]


def test_swab_line_is_empty_without_registration() -> None:
    run = site_run(False, arrival=[0.0], swab_start=[0.0], outcome=[rec.TESTED])
    entry, exit_ = swab_line(run)
    assert entry.size == 0 and exit_.size == 0


# ---------------------------------------------------------------------------
# Wait statistics and confidence intervals
# ---------------------------------------------------------------------------


def test_describe_by_hand() -> None:
    out = describe(np.array([4.0, 1.0, NAN, 3.0, 2.0, math.inf]))
    assert set(out) == set(STATS)
    assert out["mean"] == pytest.approx(2.5)
    assert out["p50"] == pytest.approx(2.5)
    # Linear interpolation on [1, 2, 3, 4]: position 0.9 * 3 = 2.7 -> 3.7; 0.95 * 3 -> 3.85.
    assert out["p90"] == pytest.approx(3.7)
    assert out["p95"] == pytest.approx(3.85)
    assert out["max"] == 4.0


def test_describe_of_nothing_is_nan() -> None:
    out = describe(np.array([NAN, NAN]))
    assert all(math.isnan(v) for v in out.values())
    assert set(out) == set(STATS)


def test_t_interval_by_hand() -> None:
    # [1..5]: mean 3, s = sqrt(2.5), sem = sqrt(0.5); t_{0.975, 4} = 2.7764451052.
    iv = t_interval([1.0, 2.0, 3.0, 4.0, 5.0])
    assert iv.mean == pytest.approx(3.0)
    assert iv.half_width == pytest.approx(2.7764451052 * math.sqrt(0.5), rel=1e-9)
    assert iv.n == 5 and iv.level == 0.95
    assert iv.low == pytest.approx(3.0 - iv.half_width)
    assert iv.high == pytest.approx(3.0 + iv.half_width)
    assert iv.contains(3.0) and iv.contains(iv.low) and not iv.contains(5.0)


def test_t_interval_other_level() -> None:
    # 90 %: t_{0.95, 4} = 2.1318467863.
    iv = t_interval(np.array([1.0, 2.0, 3.0, 4.0, 5.0]), level=0.9)
    assert iv.half_width == pytest.approx(2.1318467863 * math.sqrt(0.5), rel=1e-9)


def test_t_interval_single_and_empty() -> None:
    iv = t_interval([7.0])
    assert iv.mean == 7.0 and math.isnan(iv.half_width) and iv.n == 1
    with pytest.raises(ValueError):
        t_interval([])


def test_t_interval_coverage() -> None:
    # 95 % intervals from 5 normal replications cover the true mean in ~95 % of 2000 trials;
    # binomial SE sqrt(0.95 * 0.05 / 2000) = 0.0049, allow 5 SE.
    rng = np.random.default_rng(2718)
    trials = 2000
    hits = sum(t_interval(rng.normal(10.0, 3.0, 5)).contains(10.0) for _ in range(trials))
    se = math.sqrt(0.95 * 0.05 / trials)
    assert abs(hits / trials - 0.95) <= 5 * se


def test_interval_str() -> None:
    assert str(Interval(3.0, 0.5, 5, 0.95)) == "3 ± 0.5 (95%, n=5)"

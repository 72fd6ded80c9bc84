"""The data behind the figures (:mod:`sim.metrics.figure_data` and the chain's curves in
:mod:`sim.metrics.turnaround`), checked without matplotlib.

Metrics compute, plots only draw: each function here is compared with a direct computation
from the records (a count per minute, per hour or per tube, a quantile of a plain selection)
on hand-made records or small runs of ``single_station`` and ``busy_point``. Nothing in this
module imports matplotlib or :mod:`sim.plots`; importing the metrics does not import it either
(checked in a fresh interpreter).
"""

from __future__ import annotations

import math
import subprocess
import sys
from collections.abc import Callable
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import sim
from sim.config.clock import min_to_clock
from sim.engine.schedule import CapacitySchedule
from sim.metrics import figure_data as fd
from sim.metrics.district import staff_minutes, staff_table
from sim.metrics.mobile import sampled_per_day
from sim.metrics.turnaround import (
    backlog_over_time,
    backlog_series,
    backlog_span,
    summarise_chain,
    turnaround_by_hour,
    turnaround_ecdf,
    turnaround_h,
)
from sim.metrics.waits import describe
from sim.model import records as rec

NAN = math.nan
Loader = Callable[..., sim.ScenarioConfig]


# --------------------------------------------------------------------------------------------
# Runs and hand-made records


@pytest.fixture(scope="module")
def small(load_config: Loader) -> sim.RunResult:
    """One M/M/2 swab station open 12 hours (about 1,300 residents)."""
    return sim.run(load_config("scenario=single_station", "site.close=12:00"), seed=1)


@pytest.fixture(scope="module")
def busy(load_config: Loader) -> list[sim.RunResult]:
    """Two replications of a busy point of 5,000 residents: registration, a green lane, shifts
    with breaks and marshals, a lab."""
    config = load_config("scenario=busy_point", "demand.residents=5000")
    return list(sim.run_replications(config, replications=2, seed=3))


@pytest.fixture(scope="module")
def long_round(load_config: Loader) -> sim.RunResult:
    """A busy point over a 9-day round: periods of 2 days, a heat map column per day."""
    shares = "[0.2," + ",".join(["0.1"] * 8) + "]"
    config = load_config(
        "scenario=busy_point",
        "demand.residents=1500",
        "campaign.round_days=9",
        f"demand.daily_shares={shares}",
    )
    return sim.run(config, seed=2)


def residents(
    arrival: list[float],
    swab_start: list[float],
    outcome: list[int],
    exit_: list[float] | None = None,
    green: list[bool] | None = None,
    subdistrict: list[int] | None = None,
) -> rec.ResidentRecords:
    """Records of a point without registration: a swab takes one minute."""
    n = len(arrival)
    start = np.array(swab_start, dtype=float)
    green_ = np.array(green if green is not None else [False] * n)
    return rec.ResidentRecords(
        arrival=np.array(arrival, dtype=float),
        green=green_,
        barcode=np.zeros(n, dtype=bool),
        lane=np.where(green_, rec.GREEN, rec.GENERAL),
        stages=(rec.SWAB,),
        start=(start,),
        end=(start + 1.0,),
        pool=(np.where(np.isfinite(start), 0, -1),),
        outcome=np.array(outcome, dtype=np.int8),
        left_at=np.array(["" if o == rec.TESTED else "swab" for o in outcome]),
        exit=np.array(exit_ if exit_ is not None else [NAN] * n, dtype=float),
        registration=False,
        subdistrict=None if subdistrict is None else np.array(subdistrict),
    )


def site(name: str, records: rec.ResidentRecords, window: tuple[float, float]) -> rec.SiteRun:
    """A point whose line and desks are open over ``window`` (one day)."""
    a, b = window
    booths = rec.Station("swab", 0, "swab booths", CapacitySchedule((a, b), (2, 0)))
    return rec.SiteRun(
        name, records, (booths,), False, a, b, b, None, 1.0, a, None, ((a, b),), ((a, b),)
    )


def round_run(
    points: tuple[rec.SiteRun, ...],
    end_min: float,
    subdistricts: tuple[str, ...] = (),
    start_day: int = 1,
    days: int = 1,
    everyone: rec.ResidentRecords | None = None,
) -> rec.RoundRun:
    return rec.RoundRun(
        round=0,
        start_day=start_day,
        days=days,
        residents=everyone if everyone is not None else points[0].residents,
        points=points,
        subdistricts=subdistricts,
        end_min=end_min,
    )


def in_line(entry: np.ndarray, exit_: np.ndarray, times: np.ndarray) -> np.ndarray:
    """People in a line at each time, counted one by one: joined at or before, left after."""
    entry, exit_ = entry[:, None], exit_[:, None]
    return np.sum((entry <= times) & (exit_ > times) & (exit_ > entry), axis=0)


def entrance_stays(
    r: rec.ResidentRecords, lane: int | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Arrival and leaving the entrance line (first service start, or giving up), of those
    who joined it."""
    first = np.where(np.isnan(r.reg_start), r.swab_start, r.reg_start)
    left = np.where(np.isnan(first), r.exit, first)
    joined = (r.outcome != rec.OUTSIDE_HOURS) & (r.outcome != rec.BALKED)
    if lane is not None:
        joined &= r.lane == lane
    return r.arrival[joined], left[joined]


def t_band(values: np.ndarray, level: float = 0.95) -> tuple[float, float]:
    """The Student-t interval of the mean of ``values`` (scipy's quantile)."""
    n = values.size
    half = stats.t.ppf(0.5 + level / 2, n - 1) * values.std(ddof=1) / math.sqrt(n)
    return float(values.mean() - half), float(values.mean() + half)


# --------------------------------------------------------------------------------------------
# No matplotlib


def test_importing_the_figure_metrics_does_not_import_matplotlib() -> None:
    code = (
        "import sys\n"
        "import sim.metrics.figure_data, sim.metrics.turnaround, sim.metrics.utilisation\n"
        "assert 'matplotlib' not in sys.modules, 'matplotlib imported'\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


# --------------------------------------------------------------------------------------------
# Windows and spans


def test_windows_span_and_periods(busy: list[sim.RunResult]) -> None:
    run = busy[0].rounds[0]
    point = run.points[0]
    # the line opens at 06:30, the point serves 07:00 to 22:00 (21:00 and an hour of clearing)
    assert fd.point_windows(point, 1) == [(390.0, 1320.0)]
    assert fd.district_windows(run) == [(390.0, 1320.0)]
    assert fd.round_time_span(run) == (360.0, 1320.0)
    # records without windows per day: the first day's hours repeat
    bare = rec.SiteRun(
        "p", point.residents, (), True, 420.0, 1260.0, 1440.0 + 1320.0, None, 1.0, 390.0
    )
    assert fd.point_windows(bare, 2) == [(390.0, 1320.0), (1830.0, 2760.0)]
    # campaign minutes: a round from campaign day 5 is offset by 4 days
    later = rec.RoundRun(0, 5, 1, run.residents, run.points, (), run.end_min)
    assert fd.serving_windows([run, later]) == ((390.0, 1320.0), (6150.0, 7080.0))
    assert fd.round_ends([run, later]) == (run.end_min, 5760.0 + run.end_min)
    assert [fd.days_per_period(d) for d in (1, 7, 8, 14, 15, 30)] == [1, 1, 2, 2, 3, 5]
    assert fd.days_per_period(200, 96) == 3


# --------------------------------------------------------------------------------------------
# One point: lines and waits


def test_queue_length_lines_count_who_is_in_each_line(busy: list[sim.RunResult]) -> None:
    point = busy[0].rounds[0].points[0]
    r = point.residents
    grid, lines = fd.queue_length_lines(point, 390.0, step_min=1.0)
    assert grid[0] == 390.0 and np.all(np.diff(grid) == 1.0) and grid[-1] >= point.end_min
    assert set(lines) == {"general", "green", "swab"}
    for lane in ("general", "green"):
        code = rec.LANES.index(lane)
        np.testing.assert_array_equal(lines[lane], in_line(*entrance_stays(r, code), grid))
    behind = np.isfinite(r.reg_end)
    left_swab_line = np.where(np.isnan(r.swab_start), r.exit, r.swab_start)
    np.testing.assert_array_equal(
        lines["swab"], in_line(r.reg_end[behind], left_swab_line[behind], grid)
    )
    assert lines["general"].max() > 0 and lines["swab"].max() > 0


def test_queue_length_lines_without_registration(small: sim.RunResult) -> None:
    point = small.rounds[0].points[0]
    grid, lines = fd.queue_length_lines(point, 0.0, step_min=5.0)
    assert set(lines) == {"general", "green"}  # no swab line behind registration
    assert not lines["green"].any()  # single_station has no green residents
    np.testing.assert_array_equal(lines["general"], in_line(*entrance_stays(point.residents), grid))


def test_wait_samples_and_bins(busy: list[sim.RunResult]) -> None:
    point = busy[0].rounds[0].points[0]
    r = point.residents
    samples = fd.wait_samples(point)
    assert [s.group for s in samples] == ["general", "green"]
    assert sum(s.waits.size for s in samples) == int(np.isfinite(r.wait).sum())
    for s, mask in zip(samples, (~r.green, r.green), strict=True):
        mine = r.wait[mask & np.isfinite(r.wait)]
        d = describe(mine)
        assert s.mean == pytest.approx(d["mean"]) and s.p95 == pytest.approx(d["p95"])
        assert np.all(np.diff(s.sorted) >= 0)
        np.testing.assert_array_equal(np.sort(mine), s.sorted)
        np.testing.assert_allclose(s.share, np.arange(1, mine.size + 1) / mine.size)
        assert s.share[-1] == 1.0
    bins = fd.wait_bins([point])
    finite = r.wait[np.isfinite(r.wait)]
    assert bins.size == 40 and bins[0] == 0.0
    assert bins[-1] == pytest.approx(max(np.percentile(finite, 99.5), 1.0))


def test_wait_samples_leave_out_an_empty_group(small: sim.RunResult) -> None:
    samples = fd.wait_samples(small.rounds[0].points[0])
    assert [s.group for s in samples] == ["general"]  # nobody green-eligible


# --------------------------------------------------------------------------------------------
# The heat map of entrance lines


def _two_points() -> rec.RoundRun:
    # Point 10, open 0-180: A in line 10.5-70.2, B 20-30, C balks at 130, D reneges 150-175.
    p10 = residents(
        [10.5, 20.0, 130.0, 150.0],
        [70.2, 30.0, NAN, NAN],
        [rec.TESTED, rec.TESTED, rec.BALKED, rec.RENEGED],
        [NAN, NAN, 130.0, 175.0],
    )
    # Point 2, open 120-240: E in line 200-205.
    p2 = residents([200.0], [205.0], [rec.TESTED])
    return round_run(
        (site("Point 10", p10, (0.0, 180.0)), site("Point 2", p2, (120.0, 240.0))), 240
    )


def test_heatmap_cells_by_hand() -> None:
    data = fd.queue_heatmap(_two_points(), order="name")
    assert data.points == ("Point 10", "Point 2")
    assert data.groups == ("", "")
    assert data.column_min == 60.0
    np.testing.assert_array_equal(data.hour_starts, [0.0, 60.0, 120.0, 180.0])
    # the most in line at a whole minute of each hour; NaN: the point's line closed all hour
    np.testing.assert_array_equal(data.values, [[2, 1, 1, NAN], [NAN, NAN, 0, 1]])


def test_heatmap_rows_by_subdistrict_then_natural_name() -> None:
    subdistricts = [
        SimpleNamespace(
            name="North", population=100, catchment=[SimpleNamespace(site="Point 2", share=1.0)]
        ),
        SimpleNamespace(
            name="South",
            population=300,
            catchment=[SimpleNamespace(site="Point 10", share=0.5)],
        ),
    ]
    data = fd.queue_heatmap(_two_points(), subdistricts, order="subdistrict")
    assert data.points == ("Point 2", "Point 10") and data.groups == ("North", "South")
    assert sorted(["Point 10", "Point 2", "Depot"], key=fd.natural_key) == [
        "Depot",
        "Point 2",
        "Point 10",
    ]
    with pytest.raises(ValueError, match="order must be"):
        fd.queue_heatmap(_two_points(), order="size")


def test_heatmap_cell_is_the_longest_line_in_the_hour(small: sim.RunResult) -> None:
    run = small.rounds[0]
    data = fd.queue_heatmap(run)
    np.testing.assert_array_equal(data.hour_starts, 60.0 * np.arange(12))
    stays = entrance_stays(run.points[0].residents)
    for h, start in enumerate(data.hour_starts):
        minutes = start + np.arange(60.0)
        assert data.values[0, h] == in_line(*stays, minutes).max()
    assert np.nanmax(data.values) > 0


def test_long_round_heatmap_has_a_column_per_day(long_round: sim.RunResult) -> None:
    run = long_round.rounds[0]
    data = fd.queue_heatmap(run)
    assert data.column_min == 1440.0
    np.testing.assert_array_equal(data.hour_starts, 1440.0 * np.arange(9))
    stays = entrance_stays(run.points[0].residents)
    for d, (a, b) in enumerate(fd.district_windows(run)):
        minutes = np.arange(60.0 * math.floor(a / 60.0), 60.0 * math.ceil(b / 60.0))
        assert data.values[0, d] == in_line(*stays, minutes).max()


# --------------------------------------------------------------------------------------------
# Waits by period and by hour of arrival


def test_wait_boxes_by_period_of_days(long_round: sim.RunResult) -> None:
    run = long_round.rounds[0]
    r = run.residents
    boxes = fd.wait_boxes(run, days=2)
    assert [(b.period, b.group) for b in boxes] == sorted(
        ((b.period, b.group) for b in boxes), key=lambda k: (k[0], fd.GROUPS.index(k[1]))
    )
    assert {b.period for b in boxes} == set(range(5))  # 9 days in periods of 2
    day = np.floor(r.arrival / 1440.0)
    for b in boxes:
        mask = r.green if b.group == "green" else ~r.green
        w = r.wait[mask & np.isfinite(r.wait) & (day // 2 == b.period)]
        assert b.n == w.size
        expected = np.percentile(w, [5, 25, 50, 75, 95])
        np.testing.assert_allclose([b.p5, b.q1, b.median, b.q3, b.p95], expected)
        assert b.mean == pytest.approx(w.mean())
    assert sum(b.n for b in boxes) == int(np.isfinite(r.wait).sum())


def test_mean_waits_by_hour_of_arrival(busy: list[sim.RunResult]) -> None:
    run = busy[0].rounds[0]
    r = run.residents
    means = fd.mean_waits_by_arrival(run)
    assert means.step_min == 60.0
    np.testing.assert_array_equal(means.centres, np.arange(360.0, 1320.0, 60.0) + 30.0)
    tested = np.isfinite(r.wait)
    for name, mask in (("green", r.green), ("other", ~r.green)):
        for c, m in zip(means.centres, means.mean[name], strict=True):
            w = r.wait[tested & mask & (r.arrival >= c - 30) & (r.arrival < c + 30)]
            if w.size:
                assert m == pytest.approx(w.mean())
            else:
                assert np.isnan(m)
        assert means.tested[name] == int(np.sum(tested & mask))
        assert means.whole[name] == describe(r.wait[tested & mask])


def test_mean_waits_by_day_in_a_long_round(long_round: sim.RunResult) -> None:
    run = long_round.rounds[0]
    longer = rec.RoundRun(0, 1, 15, run.residents, run.points, (), run.end_min)
    means = fd.mean_waits_by_arrival(longer)  # more than MAX_HOURLY_DAYS days: by day
    assert means.step_min == 1440.0
    r = run.residents
    day = np.floor(r.arrival / 1440.0)
    tested = np.isfinite(r.wait)
    for k, c in enumerate(means.centres):
        assert c == 1440.0 * k + 720.0
        for name, mask in (("green", r.green), ("other", ~r.green)):
            w = r.wait[tested & mask & (day == k)]
            assert w.size and means.mean[name][k] == pytest.approx(w.mean())


# --------------------------------------------------------------------------------------------
# Coverage


def test_coverage_curve_is_monotone_and_ends_at_the_summary_coverage(
    small: sim.RunResult, busy: list[sim.RunResult]
) -> None:
    for result in (small, busy[0]):
        run = result.rounds[0]
        r = run.residents
        grid, curves = fd.coverage_curve(run)
        start, _ = fd.round_time_span(run)
        assert grid[0] == start and grid[-1] == run.end_min
        assert np.all(np.diff(grid[:-1]) == 5.0)
        y = curves["all"]
        assert np.all(np.diff(y) >= 0) and 0 <= y[0] <= y[-1] <= 1
        done = r.swab_end[r.outcome == rec.TESTED]
        for k in [*range(0, grid.size, 17), grid.size - 1]:
            assert y[k] == np.sum(done <= grid[k]) / r.n
        np.testing.assert_array_equal(fd.coverage_grid(run), grid)
        # The curve ends at the deadline: the summary's coverage counts a swab finished
        # after it too (single_station has no clearing time: two swabs under way at closing).
        late = int(np.sum(done > run.end_min))
        assert y[-1] == pytest.approx(result.summary()["coverage"] - late / r.n)
        assert late == (2 if result is small else 0)


def test_coverage_curve_by_subdistrict_by_hand() -> None:
    r = residents(
        [10.0, 20.0, 30.0, 40.0],
        [15.0, 100.0, NAN, 50.0],
        [rec.TESTED, rec.TESTED, rec.RENEGED, rec.TESTED],
        [NAN, NAN, 45.0, NAN],
        subdistrict=[0, 0, 1, 1],
    )
    run = round_run((site("Point 1", r, (0.0, 180.0)),), 180.0, ("A", "B", "C"))
    grid, curves = fd.coverage_curve(run, step_min=30.0)
    np.testing.assert_array_equal(grid, [0, 30, 60, 90, 120, 150, 180])
    # swabs done at 16, 101 (A) and 51 (B); the reneged resident is never tested
    np.testing.assert_array_equal(curves["all"], [0, 0.25, 0.5, 0.5, 0.75, 0.75, 0.75])
    np.testing.assert_array_equal(curves["A"], [0, 0.5, 0.5, 0.5, 1, 1, 1])
    np.testing.assert_array_equal(curves["B"], [0, 0, 0.5, 0.5, 0.5, 0.5, 0.5])
    assert np.isnan(curves["C"]).all()  # nobody lives there


def test_coverage_grid_of_a_long_round_is_coarser(long_round: sim.RunResult) -> None:
    run = long_round.rounds[0]
    step = fd.coverage_step(run)
    grid = fd.coverage_grid(run)
    assert step == 10.0 and grid.size <= fd.MAX_CURVE_POINTS + 1
    assert grid[-1] == run.end_min


# --------------------------------------------------------------------------------------------
# Staff


def test_open_stations_follow_the_capacity_schedules(
    busy: list[sim.RunResult], long_round: sim.RunResult
) -> None:
    for run in (busy[0].rounds[0], long_round.rounds[0]):
        grid, totals = fd.open_stations(run)
        start, end = fd.round_time_span(run)
        assert grid[0] == start and grid[-1] == end and np.all(np.diff(grid) == 1.0)
        assert set(totals) == {"registration", "swab"}
        for stage, values in totals.items():
            stations = [st for p in run.points for st in p.stations if st.stage == stage]
            for k in range(0, grid.size, 7):
                assert values[k] == sum(st.schedule.at(float(grid[k])) for st in stations)
        assert totals["swab"].max() == 8  # busy_point's booths


def test_shift_bars_of_each_day(busy: list[sim.RunResult]) -> None:
    run = busy[0].rounds[0]
    shifts = fd.shift_bars(run)
    assert shifts.days_per_bar == 1
    rows = staff_table(run)
    desks = [row for row in rows if row["role"] != "marshal"]
    assert len(shifts.bars) == len(desks) == 5  # 2 registration and 3 swab shifts
    for bar, row in zip(shifts.bars, desks, strict=True):
        assert (bar.role, bar.first_day + 1, bar.staff) == (row["role"], row["day"], row["staff"])
        assert f"{min_to_clock(bar.start_min)}-{min_to_clock(bar.end_min)}" == row["shift"]
        assert bar.utilisation == pytest.approx(row["utilisation"])
        assert 0.0 <= bar.utilisation <= 1.0
    assert shifts.marshals == tuple(row["staff"] for row in rows if row["role"] == "marshal")
    assert shifts.marshals and set(shifts.marshals) == {2}


def test_shift_bars_over_periods_of_days(long_round: sim.RunResult) -> None:
    run = long_round.rounds[0]
    shifts = fd.shift_bars(run)
    assert shifts.days_per_bar == 2  # 9 days, at most 7 bars per shift
    minutes = staff_minutes(run)
    keys = set()
    for bar in shifts.bars:
        mine = [
            v
            for (role, day, s, e), v in minutes.items()
            if role == bar.role
            and day // 2 == bar.first_day // 2
            and (s - 1440 * day, e - 1440 * day) == (bar.start_min, bar.end_min)
        ]
        assert mine
        assert bar.staff == max(int(v[0]) for v in mine)
        assert bar.utilisation == pytest.approx(sum(v[1] for v in mine) / sum(v[2] for v in mine))
        keys.add((bar.role, bar.first_day, bar.start_min))
    assert len(keys) == len(shifts.bars) == 5 * 5  # 5 shifts a day, 5 periods
    assert {bar.first_day for bar in shifts.bars} == {0, 2, 4, 6, 8}
    assert len(shifts.marshals) == sum(1 for k in minutes if k[0] == "marshal")


# --------------------------------------------------------------------------------------------
# The campaign


def test_campaign_tests_over_replications(busy: list[sim.RunResult]) -> None:
    tests = fd.campaign_tests([r.rounds for r in busy])
    assert tests.replications == 2
    np.testing.assert_array_equal(tests.days, [1])
    tested = np.array([r.summary()["tested"] for r in busy], dtype=float)
    np.testing.assert_array_equal(tests.counts[:, 0, 0], tested)
    assert tests.mean[0, 0] == tested.mean() == tests.round_totals[0]
    low, high = t_band(tested)
    assert tests.low[0] == pytest.approx(max(low, 0.0)) and tests.high[0] == pytest.approx(high)
    one = fd.campaign_tests([busy[0].rounds])
    assert one.low[0] == one.high[0] == tested[0]


def test_campaign_tests_leave_out_days_without_a_round_or_tests() -> None:
    # Round 1 on day 1 (one swab after midnight counts on day 2), round 2 on day 5.
    first = residents([600.0, 700.0, 1430.0], [610.0, 710.0, 1445.0], [rec.TESTED] * 3)
    second = residents([600.0, 650.0], [620.0, NAN], [rec.TESTED, rec.BALKED], [NAN, 650.0])
    rounds = [
        round_run((site("P", first, (0.0, 1440.0)),), 1500.0),
        round_run((site("P", second, (0.0, 1440.0)),), 1500.0, start_day=5),
    ]
    tests = fd.campaign_tests([rounds])
    np.testing.assert_array_equal(tests.days, [1, 2, 5])  # days 3 and 4 left out
    np.testing.assert_array_equal(tests.mean, [[2, 1, 0], [0, 0, 1]])
    np.testing.assert_array_equal(tests.round_totals, [3, 1])
    np.testing.assert_array_equal(tests.high, [2, 1, 1])


def test_mobile_team_days_by_hand() -> None:
    a = SimpleNamespace(
        teams=2,
        swab_team=np.array([0, 0, 1, 1, 1]),
        swab_time=np.array([100.0, 1500.0, 200.0, 3000.0, 99999.0]),  # the last after day 3
        visit_employees=np.array([3, 4]),
    )
    b = SimpleNamespace(
        teams=2,
        swab_team=np.array([0, 1]),
        swab_time=np.array([50.0, 60.0]),
        visit_employees=np.array([2, 2]),
    )
    one = fd.mobile_team_days([a], days=3)
    np.testing.assert_array_equal(one.counts[0], [[1, 1, 0], [1, 0, 2]])
    assert (one.total, one.due, one.share) == (5.0, 7.0, 5.0 / 7.0)
    assert one.counts[0].sum() == sampled_per_day(a, 3).sum()
    np.testing.assert_array_equal(one.low, [2, 1, 2])
    both = fd.mobile_team_days([a, b], days=3)
    np.testing.assert_array_equal(both.mean, [[1, 0.5, 0], [1, 0, 1]])
    assert both.total == 3.5 and both.due == 5.5 and both.share == pytest.approx(3.5 / 5.5)
    for day, totals in enumerate(([2.0, 2.0], [1.0, 0.0], [2.0, 0.0])):
        low, high = t_band(np.array(totals))
        assert both.low[day] == pytest.approx(max(low, 0.0))
        assert both.high[day] == pytest.approx(high)


# --------------------------------------------------------------------------------------------
# The chain: backlog and turnaround


def test_backlog_is_delivered_minus_resulted_at_each_hour(busy: list[sim.RunResult]) -> None:
    chain = busy[0].chain
    assert chain is not None
    start, end = backlog_span(chain)
    swabs = chain.swab_time[np.isfinite(chain.swab_time)]
    assert start == 60.0 * math.floor(swabs.min() / 60.0) and start % 60 == 0 and end % 60 == 0
    assert end == 60.0 * math.ceil(np.nanmax(chain.tube_result) / 60.0)  # all resulted
    grid, values = backlog_series(chain, 60.0)
    np.testing.assert_array_equal(grid, np.arange(start, end + 1, 60.0))
    assert values.shape == (len(chain.labs), grid.size)
    for j in range(len(chain.labs)):
        mine = chain.tube_lab == j
        delivered = chain.tube_delivered[mine][:, None] <= grid
        resulted = chain.tube_result[mine][:, None] <= grid
        np.testing.assert_array_equal(values[j], delivered.sum(axis=0) - resulted.sum(axis=0))
        np.testing.assert_array_equal(values[j], np.sum(delivered & ~resulted, axis=0))
    assert values.max() > 0 and values[:, -1].sum() == 0
    with pytest.raises(ValueError, match="step_min"):
        backlog_series(chain, 0.0)


def test_turnaround_ecdf_and_quantiles_by_hour(busy: list[sim.RunResult]) -> None:
    chain = busy[0].chain
    assert chain is not None
    s = summarise_chain(chain)
    done, share = turnaround_ecdf(chain)
    assert np.all(np.diff(done) >= 0) and np.all(np.diff(share) > 0)
    assert share[-1] == s["resulted"] / chain.n_swabs
    within = share[np.searchsorted(done, s["target_h"], side="right") - 1]
    assert within == pytest.approx(s["within_target"])
    hours, q = turnaround_by_hour(chain, (0.5, 0.95))
    ta = turnaround_h(chain)
    ta = np.where(np.isfinite(ta), ta, np.inf)
    hour = np.floor(chain.swab_time / 60.0)
    np.testing.assert_array_equal(hours, 60.0 * np.unique(hour))
    for k, h in enumerate(hours):
        mine = ta[hour == h / 60.0]
        for i, level in enumerate((0.5, 0.95)):
            assert q[i, k] == np.quantile(mine, level, method="inverted_cdf")


def test_bands_over_replications(busy: list[sim.RunResult]) -> None:
    chains = [r.chain for r in busy]
    assert all(c is not None for c in chains)
    bands = fd.backlog_bands(chains, 30.0)
    spans = [backlog_span(c) for c in chains]
    for j, (name, band) in enumerate(bands.items()):
        assert name == chains[0].labs[j]
        assert band.grid[0] == min(a for a, _ in spans)
        assert band.grid[-1] == max(b for _, b in spans)
        per = [backlog_over_time(c, band.grid)[j] for c in chains]
        np.testing.assert_allclose(band.mean, np.mean(per, axis=0))
        assert np.all(band.low >= 0) and np.all(band.low <= band.mean + 1e-9)
    same = fd.backlog_bands([chains[0], chains[0]], 30.0)
    grid, values = backlog_series(chains[0], 30.0)
    band = next(iter(same.values()))
    np.testing.assert_array_equal(band.grid, grid)
    np.testing.assert_allclose(band.mean, values[0])
    np.testing.assert_allclose(band.low, values[0])  # no spread: no band

    turn = fd.turnaround_band(chains, points=50)
    target = chains[0].target_min / 60.0
    assert target in turn.grid and turn.grid[0] == 0.0 and turn.grid.size == 51
    for c, curve in zip(chains, turn.curves, strict=True):
        ta = turnaround_h(c)
        k = turn.grid.size // 2
        assert curve[k] == np.sum(ta <= turn.grid[k]) / c.n_swabs
        assert np.all(np.diff(curve) >= 0)
    stats_ = fd.turnaround_stats(chains)
    assert set(stats_) == set(fd.TURNAROUND_STATS)
    p95 = [summarise_chain(c)["turnaround_p95_h"] for c in chains]
    assert stats_["turnaround_p95_h"].mean == pytest.approx(np.mean(p95))


def test_with_gaps_breaks_a_line_between_hours() -> None:
    x = np.array([0.0, 60.0, 120.0, 300.0, 360.0, 600.0])
    y = np.array([[1.0, 2, 3, 4, 5, 6], [7.0, 8, 9, 10, 11, 12]])
    full, out = fd.with_gaps(x, y, 60.0)
    np.testing.assert_array_equal(full, [0, 60, 120, 180, 300, 360, 420, 600])
    np.testing.assert_array_equal(out[0], [1, 2, 3, NAN, 4, 5, NAN, 6])
    np.testing.assert_array_equal(out[1], [7, 8, 9, NAN, 10, 11, NAN, 12])
    full, one = fd.with_gaps(x[:3], y[0, :3], 60.0)
    np.testing.assert_array_equal(full, x[:3])
    np.testing.assert_array_equal(one, [1, 2, 3])


# --------------------------------------------------------------------------------------------
# A staffing plan


def test_person_hours_by_point_sum_and_order() -> None:
    hours = pd.DataFrame(
        {
            "point": ["C", "C", "A", "A", "B", "B", "D", "D"],
            "role": ["registration", "swab"] * 4,
            "current": [25.0, 0.0, 5.0, 5.0, 10.0, 20.0, 4.0, 6.0],
            "planned": [15.0, 5.0, 4.0, 6.0, 8.0, 12.0, 6.0, 4.0],
        }
    )
    got = fd.person_hours_by_point(hours)
    # B and C plan 20 each: B (30 now) before C (25); A and D plan and have 10: table order
    assert got.points == ("B", "C", "A", "D")
    np.testing.assert_array_equal(got.current, [30.0, 25.0, 10.0, 10.0])
    np.testing.assert_array_equal(got.planned, [20.0, 20.0, 10.0, 10.0])

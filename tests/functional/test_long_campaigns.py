"""A long campaign or a long round: outputs cost what happens, not the length of the span.

Two rounds a year apart leave the labs idle for months: the lab figures draw the backlog's
steps and the turnaround's hours with swabs, not every 10 minutes or hour of the year, and their
time axes keep about a dozen ticks. A round of many days shows its heat map by day, its waits
and shifts by periods of days, and its tables and headline figures are counted in one pass;
each is checked against a plain computation from the records.
"""

from __future__ import annotations

import io
import math
from collections.abc import Callable

import numpy as np
import pytest
from matplotlib.axes import Axes
from matplotlib.figure import Figure

import sim
from sim.config.clock import min_to_clock
from sim.metrics.district import hour_table, staff_minutes
from sim.metrics.waits import describe
from sim.model import records as rec
from sim.plots import district_figures as dfg
from sim.plots import lab_figures as lf

LONG_CAMPAIGN = (
    "scenario=busy_point",
    "demand.residents=800",
    "campaign.round_days=1",
    "campaign.start_days=[1,365]",
)
#: Days of the long round (more than MAX_HOURLY_DAYS, and more than MAX_HEATMAP_COLUMNS hours).
DAYS = 30


def _shares(days: int) -> str:
    values = [1.0 / days] * days
    values[-1] = 1.0 - sum(values[:-1])
    return "[" + ",".join(repr(v) for v in values) + "]"


@pytest.fixture(scope="module")
def campaign(load_config: Callable[..., sim.ScenarioConfig]) -> sim.RunResult:
    return sim.run(load_config(*LONG_CAMPAIGN), seed=7)


@pytest.fixture(scope="module")
def long_round(load_config: Callable[..., sim.ScenarioConfig]) -> sim.RunResult:
    cfg = load_config(
        "scenario=busy_point",
        "demand.residents=3000",
        "site.swab_booths=2",
        f"campaign.round_days={DAYS}",
        f"demand.daily_shares={_shares(DAYS)}",
    )
    return sim.run(cfg, seed=7)


def _ticks_in_view(ax: Axes) -> list[float]:
    lo, hi = ax.get_xlim()
    return [t for t in ax.get_xticks() if lo <= t <= hi]


def _step_value(x: np.ndarray, y: np.ndarray, at: np.ndarray) -> np.ndarray:
    return y[np.searchsorted(x, at, side="right") - 1]


def _render(fig: Figure) -> None:
    fig.savefig(io.BytesIO(), format="png", dpi=30)


# ----------------------------------------------------------------------------- long campaign


def test_backlog_figure_draws_the_steps_not_the_year(campaign: sim.RunResult) -> None:
    chain = campaign.chain
    assert chain is not None
    grid, values = lf.backlog_series(chain)
    assert grid.size > 50_000  # a 10-min grid over the year
    fig = lf.backlog_figure(campaign)
    (ax,) = fig.axes
    steps = [line for line in ax.get_lines() if not line.get_label().startswith("_")]
    assert len(steps) == len(chain.labs)
    for line, y in zip(steps, values, strict=True):
        xs, ys = np.asarray(line.get_xdata()), np.asarray(line.get_ydata())
        assert xs.size < lf.MAX_STEP_POINTS
        np.testing.assert_array_equal(_step_value(xs, ys, grid), y)  # the same steps
    assert len(_ticks_in_view(ax)) <= 13
    texts = "\n".join(t.get_text() for t in ax.texts)
    assert "round 1 ends day 1 22:00" in texts and "round 2 ends day 365 22:00" in texts
    _render(fig)


def test_turnaround_by_hour_has_a_point_per_hour_with_swabs(campaign: sim.RunResult) -> None:
    chain = campaign.chain
    assert chain is not None
    hours, q = lf.turnaround_by_hour(chain)
    fig = lf.turnaround_figure(campaign)
    ax_hour = fig.axes[1]
    median = next(line for line in ax_hour.get_lines() if line.get_label() == "median")
    x = np.asarray(median.get_xdata(), dtype=float)
    y = np.asarray(median.get_ydata(), dtype=float)
    assert x.size < 2 * hours.size  # not one per hour of the year
    shown = np.isfinite(y)
    expected = np.isfinite(q[0])
    np.testing.assert_array_equal(x[shown], hours[expected] + 30.0)
    np.testing.assert_array_equal(y[shown], q[0][expected])
    # hours more than an hour apart are not joined: a NaN between them
    gaps = np.flatnonzero(np.diff(hours) > 60.0)
    assert gaps.size >= 1  # at least the months between the rounds
    assert np.isnan(y).sum() >= gaps.size
    assert len(_ticks_in_view(ax_hour)) <= 13
    _render(fig)


def test_district_figures_of_the_second_round(campaign: sim.RunResult) -> None:
    figures = dfg.district_figure_set(campaign, round=2)
    data = dfg.queue_heatmap_data(campaign, round=2)
    assert data.column_min == 60.0 and data.hour_starts.size == 16  # one day, by hour
    for fig in figures.values():
        _render(fig)


# ----------------------------------------------------------------------------- long round


def _peak(point: rec.SiteRun, a: float, b: float) -> float:
    """Most people in the entrance line at any whole minute in [a, b), by brute force."""
    r = point.residents
    joined = (r.outcome != rec.OUTSIDE_HOURS) & (r.outcome != rec.BALKED)
    entry = r.arrival[joined]
    start = np.where(np.isnan(r.reg_start), r.swab_start, r.reg_start)[joined]
    leave = np.where(np.isnan(start), r.exit[joined], start)
    minutes = np.arange(a, b)
    inside = (entry[None, :] <= minutes[:, None]) & (leave[None, :] > minutes[:, None])
    return float(inside.sum(axis=1).max())


def test_heatmap_of_a_long_round_has_a_column_per_day(long_round: sim.RunResult) -> None:
    data = dfg.queue_heatmap_data(long_round)
    assert data.column_min == 1440.0
    np.testing.assert_array_equal(data.hour_starts, 1440.0 * np.arange(DAYS))
    assert data.values.shape == (1, DAYS)
    point = long_round.rounds[0].points[0]
    for day in (0, 1, DAYS // 2, DAYS - 1):
        # the heat map's hours of the day: 06:00-22:00
        a, b = 1440.0 * day + 360.0, 1440.0 * day + 1320.0
        assert data.values[0, day] == _peak(point, a, b), day
    fig = dfg.queue_heatmap_figure(long_round)
    ax = fig.axes[0]
    assert "by collection point and day" in ax.get_title()
    labels = [t.get_text() for t in ax.get_xticklabels()]
    assert labels[:2] == ["day 1", "day 2"] and labels[-1] == f"day {DAYS}"
    assert fig.get_figwidth() < 0.3 * dfg.MAX_HEATMAP_COLUMNS + 5
    _render(fig)


def test_waits_of_a_long_round_by_period_and_day(long_round: sim.RunResult) -> None:
    run = long_round.rounds[0]
    r = run.residents
    width = math.ceil(DAYS / dfg.MAX_DAYS_SHOWN)
    fig = dfg.waits_by_lane_figure(long_round)
    ax_box, ax_day = fig.axes[:2]
    labels = [t.get_text() for t in ax_box.get_xticklabels()]
    assert labels[0] == f"days\n1-{width}"
    assert len(labels) == math.ceil(DAYS / width)
    # the first box of the others: residents arriving on the first `width` days
    mine = np.isfinite(r.wait) & ~r.green & (r.arrival < 1440.0 * width)
    d = describe(r.wait[mine])
    assert any(f"mean {d['mean']:.1f}\np95 {d['p95']:.1f}" in t.get_text() for t in ax_box.texts)
    # means by day of arrival (the middle of day 3, for the others)
    assert ax_day.get_title() == "Mean wait by day of arrival"
    other = next(line for line in ax_day.get_lines() if line.get_color() == "#1f77b4")
    x, y = np.asarray(other.get_xdata()), np.asarray(other.get_ydata())
    k = int(np.flatnonzero(x == 2 * 1440.0 + 720.0)[0])
    day3 = np.isfinite(r.wait) & ~r.green & (r.arrival >= 2880.0) & (r.arrival < 4320.0)
    assert y[k] == pytest.approx(r.wait[day3].mean())
    assert x.size <= DAYS + 1
    assert len(_ticks_in_view(ax_day)) <= 13
    _render(fig)


def test_coverage_of_a_long_round_is_sampled_coarsely(long_round: sim.RunResult) -> None:
    fig = dfg.coverage_figure(long_round)
    ax = fig.axes[0]
    thick = max(ax.get_lines(), key=lambda line: line.get_linewidth())
    x, y = np.asarray(thick.get_xdata()), np.asarray(thick.get_ydata())
    assert x.size <= dfg.MAX_CURVE_POINTS + 1
    assert x[-1] == long_round.rounds[0].end_min
    assert y[-1] == pytest.approx(long_round.summary()["coverage"])
    _render(fig)


def test_shifts_of_a_long_round_by_period(long_round: sim.RunResult) -> None:
    run = long_round.rounds[0]
    width = math.ceil(DAYS / dfg.MAX_DAYS_SHOWN)
    fig = dfg.staff_utilisation_figure(long_round)
    ax_bar, ax_open = fig.axes[:2]
    labels = [t.get_text() for t in ax_bar.get_xticklabels()]
    heights = [p.get_height() for p in ax_bar.patches]
    assert len(labels) == len(heights) < 7 * 6  # roles x periods x shifts of a day
    # the first bar: registration's first shift over the first period
    first = labels[0]
    assert first.startswith(f"days 1-{width}\n")
    clock = first.split("\n")[1]
    busy = staffed = 0.0
    for (role, day, start, end), (_, b, s) in staff_minutes(run).items():
        shift = f"{min_to_clock(start - 1440 * day)}-{min_to_clock(end - 1440 * day)}"
        if role == "registration" and day < width and shift == clock:
            busy += b
            staffed += s
    assert heights[0] == pytest.approx(busy / staffed)
    # open desks and booths: drawn at their changes only
    grid, _ = dfg.open_stations(long_round)
    for line in ax_open.get_lines():
        assert len(line.get_xdata()) < grid.size / 10
    _render(fig)


def test_tables_and_summary_of_a_long_round_match_plain_counts(
    long_round: sim.RunResult,
) -> None:
    run = long_round.rounds[0]
    r = run.residents
    rows = hour_table(run)
    t = r.first_arrival
    hour = np.floor(t / 60.0)
    assert [row["arrived"] for row in rows] == [
        int(np.sum(hour == h)) for h in np.unique(hour[np.isfinite(hour)])
    ]
    for row in rows[:: max(1, len(rows) // 40)]:
        h = (row["day"] - 1) * 24 + int(row["hour"][:2])
        mine = hour == h
        assert row["tested"] == int(np.sum(mine & (r.outcome == rec.TESTED)))
        d = describe(r.wait[mine])
        np.testing.assert_equal(row["wait_mean_min"], d["mean"])
        np.testing.assert_equal(row["wait_p95_min"], d["p95"])
    s = long_round.summary()
    tested = r.outcome == rec.TESTED
    day = np.floor(r.swab_end / 1440.0)
    for d in range(DAYS):
        assert s[f"tested_day{d + 1}"] == int(np.sum(tested & (day == d)))

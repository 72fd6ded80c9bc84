"""The data the figures draw, computed from the records; no matplotlib here.

Metrics compute, plots only draw what they are given: every figure of :mod:`sim.plots` gets its
data from these functions (and from :mod:`sim.metrics.utilisation`,
:mod:`sim.metrics.turnaround` and :mod:`sim.metrics.district`): the heat map of entrance lines
by point and hour, coverage curves, open desks and booths over time, waits by period and by
hour of arrival, shift bars, tests per campaign day, the mobile teams' samples per day, the lab
backlog and turnaround curves over replications. Each returns plain numpy arrays or small
frozen dataclasses, computed with numpy over the per-resident (per-swab, per-tube) arrays.

Units: times are minutes after midnight of the round's first day for a round's figures, and
campaign minutes (after midnight of campaign day 1) for the chain and the mobile teams; waits
are minutes, turnaround hours, shares 0..1, counts people (residents, staff) or tubes.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from sim.config.staffing import DAY_MIN
from sim.metrics import queues
from sim.metrics.district import (
    CurveBand,
    campaign_day_tests,
    curve_band,
    intervals,
    share_by,
    share_by_band,
    staff_minutes,
)
from sim.metrics.intervals import Interval, t_interval
from sim.metrics.lines import entrance_line, stage_line, swab_line
from sim.metrics.turnaround import backlog_over_time, backlog_span, summarise_chain, turnaround_h
from sim.metrics.waits import describe
from sim.model import records as rec
from sim.model.staffing import ROLES

if TYPE_CHECKING:
    import pandas as pd

    from sim.config.schema import SubdistrictConfig
    from sim.model.mobile_teams import MobileRecords

#: Most columns of the heat map: a longer round shows one column per day (or per few days)
#: instead of one per hour.
MAX_HEATMAP_COLUMNS = 96
#: Most days shown one by one (boxes of waits, bars of shifts); a longer round is shown in
#: periods of several days.
MAX_DAYS_SHOWN = 7
#: Rounds longer than this many days show mean waits by day of arrival, not by hour.
MAX_HOURLY_DAYS = 14
#: Most points of a curve over the round (coverage): a long round is sampled more coarsely.
MAX_CURVE_POINTS = 2000
#: Points of the hours grid of a turnaround curve over replications.
TURNAROUND_POINTS = 800
#: The two groups of residents in the district figures: green-eligible, and the others.
GROUPS = ("green", "other")

Window = tuple[float, float]


# --------------------------------------------------------------------------------------------
# When points serve: windows and spans of a round


def point_windows(point: rec.SiteRun, days: int) -> list[Window]:
    """When each day a point's entrance line can hold people: line opening to end of clearing
    (minutes of the round).

    From the point's own windows per day; for records without them the daily hours are taken
    to repeat: day ``d`` runs from the line's opening on day 1 plus ``1440 d`` to the end of
    clearing of the last day minus ``1440 (days-1-d)``.
    """
    if len(point.line_windows) == days and len(point.serve_windows) == days:
        return [
            (min(a, c), d)
            for (a, _), (c, d) in zip(point.line_windows, point.serve_windows, strict=True)
        ]
    first = point.queue_opens_min if point.queue_opens_min is not None else point.open_min
    first = min(first, point.open_min)
    return [(first + DAY_MIN * d, point.end_min - DAY_MIN * (days - 1 - d)) for d in range(days)]


def district_windows(run: rec.RoundRun) -> list[Window]:
    """Per day, from the first point's line opening to the last point's end of clearing
    (minutes of the round)."""
    per_point = [point_windows(p, run.days) for p in run.points]
    return [
        (min(w[d][0] for w in per_point), max(w[d][1] for w in per_point)) for d in range(run.days)
    ]


def round_time_span(run: rec.RoundRun) -> Window:
    """Whole hours (minutes of the round) covering the round's serving windows and deadline."""
    windows = district_windows(run)
    start = np.floor(windows[0][0] / 60.0) * 60.0
    end = np.ceil(max(windows[-1][1], run.end_min) / 60.0) * 60.0
    return float(start), float(end)


def days_per_period(days: int, most: int = MAX_DAYS_SHOWN) -> int:
    """Days per period so that ``days`` days make at most ``most`` periods."""
    return max(1, math.ceil(days / most))


def serving_windows(rounds: Sequence[rec.RoundRun]) -> tuple[Window, ...]:
    """When the points serve on each day of each round (:func:`district_windows`), in campaign
    minutes."""
    out: list[Window] = []
    for run in rounds:
        offset = run.offset_min
        out.extend((offset + a, offset + b) for a, b in district_windows(run))
    return tuple(out)


def round_ends(rounds: Sequence[rec.RoundRun]) -> tuple[float, ...]:
    """Each round's deadline (``end_min``), in campaign minutes."""
    return tuple(run.offset_min + run.end_min for run in rounds)


# --------------------------------------------------------------------------------------------
# One point: lines over the day, waits by lane


def queue_length_lines(
    site: rec.SiteRun, start: float, step_min: float = 1.0
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """People in each line of a point on a grid: from ``start`` to the end of clearing every
    ``step_min`` minutes.

    Returns the grid (minutes) and the number in line at each grid time, keyed ``general`` and
    ``green`` (the entrance line's lanes) and, for each stage after the point's first, its name
    (the line behind the stage before: at a point with registration, ``swab``).
    """
    grid = np.arange(start, site.end_min + step_min, step_min)
    lines = {
        lane: queues.length_at(*entrance_line(site, rec.LANES.index(lane)), grid)
        for lane in ("general", "green")
    }
    for stage in site.stage_list[1:]:
        line = swab_line(site) if stage == rec.SWAB else stage_line(site, stage)
        lines[stage] = queues.length_at(*line, grid)
    return grid, lines


def wait_bins(sites: Sequence[rec.SiteRun], edges: int = 40) -> np.ndarray:
    """``edges`` bin edges (minutes) from 0 to the 99.5th percentile of the finite waits at
    ``sites`` (at least 1 minute): one scale for the waits of several rounds."""
    finite = np.concatenate([site.residents.wait for site in sites])
    finite = finite[np.isfinite(finite)]
    top = float(np.percentile(finite, 99.5)) if finite.size else 1.0
    return np.linspace(0, max(top, 1.0), edges)


@dataclass(frozen=True)
class WaitSample:
    """Waits of one lane's group of tested residents (minutes queueing, all lines).

    Attributes
    ----------
    group
        ``general`` or ``green`` (green-eligible).
    waits
        The finite waits, in record order.
    mean, p95
        Their mean and 95th percentile.
    sorted, share
        The empirical CDF: the waits sorted, and the share of the group waiting at most each
        (``1/n .. 1``).
    """

    group: str
    waits: np.ndarray
    mean: float
    p95: float
    sorted: np.ndarray
    share: np.ndarray


def wait_samples(site: rec.SiteRun) -> list[WaitSample]:
    """The waits of a point's general and green-eligible residents with a finite wait (a group
    without any is left out)."""
    r = site.residents
    wait = r.wait
    out = []
    for name, mask in (("general", ~r.green), ("green", r.green)):
        w = wait[mask & np.isfinite(wait)]
        if w.size == 0:
            continue
        xs = np.sort(w)
        out.append(
            WaitSample(
                name,
                w,
                float(w.mean()),
                float(np.percentile(w, 95)),
                xs,
                np.arange(1, xs.size + 1) / xs.size,
            )
        )
    return out


# --------------------------------------------------------------------------------------------
# The district: entrance lines by point and hour


@dataclass(frozen=True)
class QueueHeatmap:
    """Longest entrance line of each point in each hour of the round.

    Attributes
    ----------
    points
        Point names, one per row, in display order.
    groups
        The sub-district of each row (the one sending it most residents; ``""`` if none).
    hour_starts
        Start of each column, minutes after midnight of the round's first day. A column is an
        hour (only hours in which some point's line is open: nights are left out); in a round
        with more than :data:`MAX_HEATMAP_COLUMNS` such hours, a day or a period of whole days
        (see ``column_min``).
    values
        ``len(points) x len(hour_starts)``: the most people in the entrance line (both lanes)
        at any whole minute of the column's time; NaN where the point's line was closed all
        that time.
    column_min
        Minutes per column: 60 (hours), or 1440 times the days per column.
    """

    points: tuple[str, ...]
    groups: tuple[str, ...]
    hour_starts: np.ndarray
    values: np.ndarray
    column_min: float = 60.0


def home_subdistricts(
    subdistricts: Sequence[SubdistrictConfig], points: Sequence[str]
) -> list[str]:
    """For each point, the sub-district whose catchment sends it the most residents (``""``
    if none does)."""
    best: dict[str, tuple[float, str]] = {}
    for sd in subdistricts:
        for c in sd.catchment:
            weight = sd.population * c.share
            if c.site not in best or weight > best[c.site][0]:
                best[c.site] = (weight, sd.name)
    return [best[p][1] if p in best else "" for p in points]


def natural_key(name: str) -> tuple[Any, ...]:
    """Sort ``Point 2`` before ``Point 10``."""
    head, _, tail = name.rpartition(" ")
    return (head, int(tail), "") if tail.isdigit() else (name, -1, name)


def queue_heatmap(
    run: rec.RoundRun,
    subdistricts: Sequence[SubdistrictConfig] = (),
    order: str = "subdistrict",
) -> QueueHeatmap:
    """The longest entrance line of each point of a round in each hour (see
    :class:`QueueHeatmap`).

    Parameters
    ----------
    subdistricts
        The scenario's sub-districts (``config.subdistricts``): each point's row is grouped
        under the one sending it the most residents.
    order
        ``subdistrict`` (rows grouped by sub-district in config order, then by name) or
        ``name`` (alphabetical).
    """
    if order not in ("subdistrict", "name"):
        raise ValueError(f"order must be 'subdistrict' or 'name', got {order!r}")
    names = [p.name for p in run.points]
    groups = home_subdistricts(subdistricts, names)
    if order == "name":
        rows = sorted(range(len(names)), key=lambda i: names[i])
    else:
        rank = {sd.name: k for k, sd in enumerate(subdistricts)}
        rows = sorted(
            range(len(names)),
            key=lambda i: (rank.get(groups[i], len(rank)), natural_key(names[i])),
        )
    # Columns: the hours of each day's serving window (whole hours).
    hour_set: set[float] = set()
    for a, b in district_windows(run):
        h0, h1 = int(np.floor(a / 60.0)), int(np.ceil(b / 60.0))
        hour_set.update(60.0 * h for h in range(h0, h1))
    hour_starts = np.array(sorted(hour_set))
    grid = (hour_starts[:, None] + np.arange(60.0)[None, :]).ravel()  # 1-min grid
    values = np.full((len(rows), hour_starts.size), np.nan)
    for row, i in enumerate(rows):
        point = run.points[i]
        length = queues.length_at(*entrance_line(point), grid).reshape(hour_starts.size, 60)
        peak = length.max(axis=1).astype(float)
        open_ = np.zeros(hour_starts.size, dtype=bool)
        for a, b in point_windows(point, run.days):
            open_ |= (hour_starts < b) & (hour_starts + 60.0 > a)
        values[row] = np.where(open_ | (peak > 0), peak, np.nan)
    column_min = 60.0
    if hour_starts.size > MAX_HEATMAP_COLUMNS:
        # A long round: one column per period of whole days, the longest line in it.
        width = days_per_period(run.days, MAX_HEATMAP_COLUMNS)
        column_min = DAY_MIN * width
        period = np.floor(hour_starts / column_min)
        first = np.flatnonzero(np.r_[True, period[1:] != period[:-1]])
        values = np.fmax.reduceat(values, first, axis=1) if values.size else values[:, first]
        hour_starts = period[first] * column_min
    return QueueHeatmap(
        tuple(names[i] for i in rows),
        tuple(groups[i] for i in rows),
        hour_starts,
        values,
        column_min,
    )


# --------------------------------------------------------------------------------------------
# The district: waits of green-eligible residents and the others


def _groups(r: rec.ResidentRecords) -> list[tuple[str, np.ndarray]]:
    green = np.asarray(r.green, dtype=bool)
    return [("green", green), ("other", ~green)]


@dataclass(frozen=True)
class WaitBox:
    """Box statistics of one group's waits (tested residents, minutes queueing, all lines)
    in one period of days of arrival.

    Attributes
    ----------
    period
        The period, 0-based: days of arrival ``period * d`` to ``(period + 1) * d - 1`` of the
        round (0-based) for ``d`` days per period.
    group
        ``green`` (green-eligible) or ``other``.
    p5, q1, median, q3, p95
        Percentiles of the waits, minutes.
    mean
        Their mean, minutes.
    n
        Residents in the box.
    """

    period: int
    group: str
    p5: float
    q1: float
    median: float
    q3: float
    p95: float
    mean: float
    n: int


def wait_boxes(run: rec.RoundRun, days: int = 1) -> list[WaitBox]:
    """Waits of tested residents by period of ``days`` days of arrival and group (periods in
    order, ``green`` before ``other`` in each; a box without residents is left out)."""
    r = run.residents
    wait = r.wait
    tested = np.isfinite(wait)
    n_periods = math.ceil(run.days / days)
    day = np.floor(np.nan_to_num(r.arrival, nan=-DAY_MIN) / DAY_MIN).astype(np.int64)
    period = np.where(day >= 0, day // days, -1)
    out = []
    for d in range(n_periods):
        for name, mask in _groups(r):
            w = wait[tested & mask & (period == d)]
            if w.size == 0:
                continue
            p5, q1, med, q3, p95 = np.percentile(w, [5, 25, 50, 75, 95])
            out.append(
                WaitBox(
                    d,
                    name,
                    float(p5),
                    float(q1),
                    float(med),
                    float(q3),
                    float(p95),
                    float(w.mean()),
                    int(w.size),
                )
            )
    return out


@dataclass(frozen=True)
class MeanWaits:
    """Mean wait of tested residents by hour (a long round: by day) of arrival, per group.

    Attributes
    ----------
    centres
        The middle of each hour (day), minutes of the round, from the first whole hour of
        :func:`round_time_span` (the first midnight by day) to its end.
    step_min
        60 (by hour) or 1440 (by day: a round of more than :data:`MAX_HOURLY_DAYS` days).
    mean
        Per group (``green``, ``other``), the mean wait (minutes) of those arriving in each
        hour (day); NaN where nobody tested arrived.
    whole
        Per group, :func:`sim.metrics.waits.describe` of the whole round's waits.
    tested
        Per group, the tested residents of the whole round.
    """

    centres: np.ndarray
    step_min: float
    mean: dict[str, np.ndarray]
    whole: dict[str, dict[str, float]]
    tested: dict[str, int]


def mean_waits_by_arrival(run: rec.RoundRun) -> MeanWaits:
    """Mean wait by hour (or day) of arrival of each group (see :class:`MeanWaits`)."""
    r = run.residents
    wait = r.wait
    tested = np.isfinite(wait)
    start, end = round_time_span(run)
    hourly = run.days <= MAX_HOURLY_DAYS
    step = 60.0 if hourly else DAY_MIN
    origin = start if hourly else DAY_MIN * np.floor(start / DAY_MIN)
    n_bins = math.ceil((end - origin) / step)
    hour = np.floor((np.nan_to_num(r.arrival, nan=origin - step) - origin) / step).astype(np.int64)
    inside = tested & (hour >= 0) & (hour < n_bins)
    centres = origin + step * np.arange(n_bins) + step / 2
    means: dict[str, np.ndarray] = {}
    whole: dict[str, dict[str, float]] = {}
    counts: dict[str, int] = {}
    for name, mask in _groups(r):
        sel = inside & mask
        count = np.bincount(hour[sel], minlength=n_bins)
        total = np.bincount(hour[sel], weights=wait[sel], minlength=n_bins)
        with np.errstate(invalid="ignore", divide="ignore"):
            means[name] = np.where(count > 0, total / count, np.nan)
        whole[name] = describe(wait[tested & mask])
        counts[name] = int(np.sum(tested & mask))
    return MeanWaits(centres, step, means, whole, counts)


# --------------------------------------------------------------------------------------------
# The district: coverage over the round


def coverage_step(run: rec.RoundRun) -> float:
    """Minutes between points of a coverage curve: 5, or more over a long round (at most
    :data:`MAX_CURVE_POINTS` points)."""
    start, _ = round_time_span(run)
    step = 5.0 * math.ceil((run.end_min - start) / (5.0 * MAX_CURVE_POINTS))
    return max(step, 5.0)


def coverage_grid(run: rec.RoundRun) -> np.ndarray:
    """The times (minutes of the round) of a coverage curve: from the first whole hour of the
    round's serving windows to its deadline (``end_min``), every 5 minutes (more coarsely over
    a long round); the last point is the deadline."""
    start, _ = round_time_span(run)
    return np.append(np.arange(start, run.end_min, coverage_step(run)), run.end_min)


def coverage_curve(
    run: rec.RoundRun, step_min: float = 5.0
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Share of a round's residents tested by each time of a grid ending at its deadline.

    Returns the grid (minutes of the round, every ``step_min`` from the first whole hour of
    its serving windows, the last point ``end_min``) and, keyed ``"all"`` and by sub-district
    name, the share (0..1) of that group's residents whose swab was done at or before each grid
    time (NaN for a group without residents).
    """
    r = run.residents
    start, _ = round_time_span(run)
    grid = np.append(np.arange(start, run.end_min, step_min), run.end_min)
    done = np.where(r.outcome == rec.TESTED, r.done, np.inf)
    curves = {"all": share_by(done, r.n, grid)}
    if r.subdistrict is not None:
        for j, name in enumerate(run.subdistricts):
            mine = r.subdistrict == j
            curves[name] = share_by(done[mine], int(mine.sum()), grid)
    return grid, curves


# --------------------------------------------------------------------------------------------
# The district: staff by shift, open desks and booths


def open_stations(
    run: rec.RoundRun, step_min: float = 1.0
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Open desks (``registration``), booths (``swab``) and the servers of the points' own
    stages (keyed by stage), summed over a round's points, on a grid every ``step_min``
    minutes over :func:`round_time_span`: the capacity schedules' counts at each grid time
    (minutes of the round)."""
    start, end = round_time_span(run)
    grid = np.arange(start, end + step_min, step_min)
    totals: dict[str, np.ndarray] = {}
    for point in run.points:
        for st in point.stations:
            times = np.asarray(st.schedule.times, dtype=float)
            counts = np.append(0, np.asarray(st.schedule.counts, dtype=np.int64))
            at = counts[np.searchsorted(times, grid, side="right")]
            totals[st.stage] = totals.get(st.stage, np.zeros(grid.size, dtype=np.int64)) + at
    return grid, totals


@dataclass(frozen=True)
class ShiftBar:
    """One role's shift (by its hours) over a period of days, summed over the points.

    Attributes
    ----------
    role
        ``registration`` or ``swab``.
    first_day
        First day of the period, 0-based (the shift's day when a period is one day).
    start_min, end_min
        The shift's hours, minutes after midnight of its day (``end_min`` past 1440 for a
        night shift).
    staff
        People on the shift, all points (the most on one day of the period).
    utilisation
        Busy over worked desk/booth minutes within the shift, over the period (0..1; NaN if
        nobody worked).
    """

    role: str
    first_day: int
    start_min: float
    end_min: float
    staff: int
    utilisation: float


@dataclass(frozen=True)
class ShiftBars:
    """The bars of the staff figure (:func:`shift_bars`).

    Attributes
    ----------
    bars
        Registration and swab shifts, in the order of the roles and then of the shifts.
    days_per_bar
        Days per bar (1: one bar per shift of each day).
    marshals
        The marshals on each marshals' shift (day by day).
    """

    bars: tuple[ShiftBar, ...]
    days_per_bar: int
    marshals: tuple[int, ...]


def shift_bars(run: rec.RoundRun, most_days: int = MAX_DAYS_SHOWN) -> ShiftBars:
    """Headcount and utilisation by role and shift (:func:`sim.metrics.district.staff_minutes`):
    a bar per shift of each day; in a round longer than ``most_days`` days, a bar per shift
    (by its hours) over a period of days: busy over worked time in the period, and the most
    staff on the shift on one day."""
    minutes = staff_minutes(run)
    width = days_per_period(run.days, most_days)
    marshals = [int(staff) for (role, *_), (staff, _, _) in minutes.items() if role == "marshal"]
    if width == 1:
        bars = [
            ShiftBar(
                role,
                day,
                start - DAY_MIN * day,
                end - DAY_MIN * day,
                int(staff),
                busy / staffed if staffed > 0 else float("nan"),
            )
            for (role, day, start, end), (staff, busy, staffed) in minutes.items()
            if role != "marshal"
        ]
        return ShiftBars(tuple(bars), 1, tuple(marshals))
    acc: dict[tuple[int, int, float, float], list[float]] = {}
    for (role, day, start, end), (staff, busy, staffed) in minutes.items():
        if role == "marshal":
            continue
        offset = DAY_MIN * day
        key = (ROLES.index(role), day // width, start - offset, end - offset)
        sums = acc.setdefault(key, [0.0, 0.0, 0.0])
        sums[0] = max(sums[0], staff)
        sums[1] += busy
        sums[2] += staffed
    bars = [
        ShiftBar(
            ROLES[r],
            period * width,
            start,
            end,
            int(staff),
            busy / staffed if staffed > 0 else float("nan"),
        )
        for (r, period, start, end), (staff, busy, staffed) in sorted(acc.items())
    ]
    return ShiftBars(tuple(bars), width, tuple(marshals))


# --------------------------------------------------------------------------------------------
# The campaign: tests per campaign day (points), samples per day (mobile teams)


def total_intervals(totals: np.ndarray, level: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Per column of ``totals`` (replications x days), the Student-t ``level`` interval of its
    mean: ``(low, high)``, ``low`` cut at 0 (a count)."""
    cis = [t_interval(totals[:, j], level) for j in range(totals.shape[1])]
    low = np.array([max(ci.low, 0.0) for ci in cis])
    high = np.array([ci.high for ci in cis])
    return low, high


@dataclass(frozen=True)
class CampaignTests:
    """Residents tested at the collection points on each campaign day, by round, over
    replications (:func:`campaign_tests`).

    Attributes
    ----------
    days
        The campaign days shown (1-based, increasing): the days of a round and any day with
        tests.
    counts
        ``replications x rounds x len(days)``: each replication's residents tested that day by
        round (a swab after midnight counts on the next day).
    mean
        ``rounds x len(days)``: the mean over replications.
    round_totals
        Per round, the mean over replications of its residents tested.
    low, high
        Per day, the ``level`` Student-t interval of the mean of the day's total (low cut at
        0); with one replication the day's total.
    """

    days: np.ndarray
    counts: np.ndarray
    mean: np.ndarray
    round_totals: np.ndarray
    low: np.ndarray
    high: np.ndarray

    @property
    def replications(self) -> int:
        """Number of replications."""
        return int(self.counts.shape[0])


def campaign_tests(
    replications: Sequence[Sequence[rec.RoundRun]], level: float = 0.95
) -> CampaignTests:
    """Residents tested at the points per campaign day, by round, over replications of one
    scenario (``[r.rounds for r in results]``); see :class:`CampaignTests` and
    :func:`sim.metrics.district.campaign_day_tests`. Mobile teams' enterprise samples are not
    included."""
    if not replications:
        raise ValueError("need at least one replication")
    first, n = replications[0], len(replications)
    per = [campaign_day_tests(runs) for runs in replications]
    last = max(int(days[-1]) if days.size else 0 for days, _ in per)
    counts = np.zeros((n, len(first), last))
    for i, (_, c) in enumerate(per):
        counts[i, :, : c.shape[1]] = c
    in_round = np.zeros(last, dtype=bool)
    for run in first:
        in_round[run.start_day - 1 : min(run.start_day - 1 + run.days, last)] = True
    shown = np.flatnonzero(in_round | (counts.sum(axis=(0, 1)) > 0))
    counts = counts[:, :, shown]
    totals = counts.sum(axis=1)  # replications x days shown
    if n > 1:
        low, high = total_intervals(totals, level)
    else:
        low = high = totals[0]
    return CampaignTests(
        shown + 1, counts, counts.mean(axis=0), counts.sum(axis=2).mean(axis=0), low, high
    )


@dataclass(frozen=True)
class MobileDays:
    """Employees the mobile teams swabbed on each campaign day, by team, over replications
    (:func:`mobile_team_days`).

    Attributes
    ----------
    counts
        ``replications x teams x days``: employees swabbed by each team on each campaign day
        (day ``k`` at index ``k - 1``; a swab after the last day counts on it).
    mean
        ``teams x days``: the mean over replications.
    total, due
        The campaign's employee samples taken and due, mean over replications.
    share
        ``total / due`` (NaN when none are due).
    low, high
        Per day, the ``level`` Student-t interval of the mean of the day's total (low cut at
        0); with one replication the day's total.
    """

    counts: np.ndarray
    mean: np.ndarray
    total: float
    due: float
    share: float
    low: np.ndarray
    high: np.ndarray


def mobile_team_days(
    records: Sequence[MobileRecords], days: int, level: float = 0.95
) -> MobileDays:
    """The mobile teams' samples per campaign day (``days``: the campaign's last day) and
    team, over replications' records (see :class:`MobileDays`)."""
    if not records:
        raise ValueError("need at least one replication")
    teams = records[0].teams
    counts = np.zeros((len(records), teams, days))
    due = []
    for i, m in enumerate(records):
        for k in range(teams):
            mine = m.swab_team == k
            sub = np.minimum((m.swab_time[mine] // DAY_MIN).astype(np.int64), days - 1)
            counts[i, k] = np.bincount(sub, minlength=days)[:days]
        due.append(int(m.visit_employees.sum()))
    totals = counts.sum(axis=1)
    if len(records) > 1:
        low, high = total_intervals(totals, level)
    else:
        low = high = totals[0]
    total = float(counts.sum(axis=(1, 2)).mean())
    mean_due = float(np.mean(due))
    share = total / mean_due if mean_due > 0 else float("nan")
    return MobileDays(counts, counts.mean(axis=0), total, mean_due, share, low, high)


# --------------------------------------------------------------------------------------------
# The chain over replications: backlog and turnaround bands


def backlog_bands(
    chains: Sequence[rec.ChainRun], step_min: float = 10.0, level: float = 0.95
) -> dict[str, CurveBand]:
    """Tubes waiting for a result at each lab over replications: per lab (the first chain's
    names), :func:`sim.metrics.turnaround.backlog_over_time` of each replication on a common
    grid (every ``step_min`` campaign minutes over the span of all of them, see
    :func:`sim.metrics.turnaround.backlog_span`), with the pointwise mean and ``level`` band
    (cut at 0)."""
    if not chains:
        raise ValueError("need at least one replication")
    if step_min <= 0:
        raise ValueError(f"step_min must be > 0, got {step_min}")
    spans = [backlog_span(c) for c in chains]
    start, end = min(a for a, _ in spans), max(b for _, b in spans)
    grid = np.arange(start, end + step_min / 2, step_min)
    values = [backlog_over_time(c, grid) for c in chains]
    return {
        name: curve_band(grid, [v[j] for v in values], level, bounds=(0.0, np.inf))
        for j, name in enumerate(chains[0].labs)
    }


def turnaround_band(
    chains: Sequence[rec.ChainRun], level: float = 0.95, points: int = TURNAROUND_POINTS
) -> CurveBand:
    """The share (0..1) of all swabs with their result within each number of hours, over
    replications: on ``points`` hours from 0 to 1.08 times the longest turnaround (or the
    target, if longer), plus the target (the first chain's), with the pointwise mean and
    ``level`` band."""
    if not chains:
        raise ValueError("need at least one replication")
    target = chains[0].target_min / 60.0
    hours = [turnaround_h(c) for c in chains]
    done = [h[np.isfinite(h)] for h in hours]
    longest = max((float(d.max()) for d in done if d.size), default=0.0)
    right = max(longest, target) * 1.08
    grid = np.union1d(np.linspace(0.0, right, points), [target])
    return share_by_band(done, [c.n_swabs for c in chains], grid, level)


#: The turnaround figures over replications give these keys of
#: :func:`sim.metrics.turnaround.summarise_chain` with their intervals.
TURNAROUND_STATS = ("turnaround_p50_h", "turnaround_p95_h", "turnaround_mean_h", "backlog_swabs")


def turnaround_stats(chains: Sequence[rec.ChainRun], level: float = 0.95) -> dict[str, Interval]:
    """The mean over replications of :data:`TURNAROUND_STATS` (hours; swabs) with their
    Student-t ``level`` intervals."""
    summaries = [summarise_chain(c) for c in chains]
    return intervals({k: [float(s[k]) for s in summaries] for k in TURNAROUND_STATS}, level)


def with_gaps(x: np.ndarray, y: np.ndarray, step: float) -> tuple[np.ndarray, np.ndarray]:
    """A series on a regular ``step`` with steps missing (``x`` increasing), ready for a line
    broken at the gaps: one more point in each gap (at the step after its last point), NaN in
    ``y`` (``y``: ``len(x)`` values, or rows of them)."""
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    gap = np.flatnonzero(np.diff(x) > step) + 1
    full = np.insert(x, gap, x[gap - 1] + step)
    at = np.arange(x.size) + np.searchsorted(gap, np.arange(x.size), side="right")
    out = np.full((*y.shape[:-1], full.size), np.nan)
    out[..., at] = y
    return full, out


# --------------------------------------------------------------------------------------------
# A staffing plan


@dataclass(frozen=True)
class PersonHours:
    """Person-hours over the round per point, current and planned roster, the largest
    (planned, then current) first.

    Attributes
    ----------
    points
        Point names.
    current, planned
        Person-hours (registration and swab) of each point.
    """

    points: tuple[str, ...]
    current: np.ndarray
    planned: np.ndarray


def person_hours_by_point(hours: pd.DataFrame) -> PersonHours:
    """Sum a person-hours table (columns ``point``, ``current``, ``planned``: one row per
    point and role, e.g. :func:`sim.plots.plan_report.person_hours_table`) per point, the
    largest first (stable for ties: table order)."""
    per_point = hours.groupby("point", sort=False)[["current", "planned"]].sum()
    per_point = per_point.sort_values(["planned", "current"], ascending=False, kind="stable")
    return PersonHours(
        tuple(str(name) for name in per_point.index),
        per_point["current"].to_numpy(dtype=float),
        per_point["planned"].to_numpy(dtype=float),
    )


__all__ = [
    "DAY_MIN",
    "GROUPS",
    "MAX_CURVE_POINTS",
    "MAX_DAYS_SHOWN",
    "MAX_HEATMAP_COLUMNS",
    "MAX_HOURLY_DAYS",
    "TURNAROUND_POINTS",
    "TURNAROUND_STATS",
    "CampaignTests",
    "MeanWaits",
    "MobileDays",
    "PersonHours",
    "QueueHeatmap",
    "ShiftBar",
    "ShiftBars",
    "WaitBox",
    "WaitSample",
    "backlog_bands",
    "campaign_tests",
    "coverage_curve",
    "coverage_grid",
    "coverage_step",
    "days_per_period",
    "district_windows",
    "home_subdistricts",
    "mean_waits_by_arrival",
    "mobile_team_days",
    "natural_key",
    "open_stations",
    "person_hours_by_point",
    "point_windows",
    "queue_heatmap",
    "queue_length_lines",
    "round_ends",
    "round_time_span",
    "serving_windows",
    "shift_bars",
    "total_intervals",
    "turnaround_band",
    "turnaround_stats",
    "wait_bins",
    "wait_boxes",
    "wait_samples",
    "with_gaps",
]

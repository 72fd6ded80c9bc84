"""Figures of a district round a planner can read: lines by point and hour, waits, coverage, staff.

Each figure function takes a :class:`~sim.experiment.result.RunResult` and the round to show
(1-based, or None for every round: a campaign of several rounds then has a panel per round, or
for coverage a colour per round) and returns a :class:`matplotlib.figure.Figure`; none of them
runs the model. Times are those of the records: minutes after midnight of the round's first
day, shown as ``day 1 08:00``. The figures draw what :mod:`sim.metrics.figure_data` computes
(with numpy over the per-resident arrays, no per-resident Python loops), so each figure takes
well under 2 s for the default 313,000-resident round; :func:`queue_heatmap_data`,
:func:`coverage_curve` and :func:`open_stations` give those data for a result's round.

:func:`district_figure_set` returns the four figures keyed by the PNG file name they are saved
as; :func:`campaign_tests_figure` draws the tests per campaign day, stacked by round.
"""

from __future__ import annotations

import itertools
import math
import zlib
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.colors import Colormap
from matplotlib.figure import Figure, FigureBase, SubFigure
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, PercentFormatter

from sim.config.clock import day_clock, min_to_clock
from sim.experiment.result import RunResult
from sim.metrics import figure_data as fd
from sim.metrics.district import CurveBand, coverage_curves, intervals, not_tested_counts
from sim.metrics.figure_data import (
    DAY_MIN,
    MAX_CURVE_POINTS,
    MAX_DAYS_SHOWN,
    MAX_HEATMAP_COLUMNS,
    MAX_HOURLY_DAYS,
    QueueHeatmap,
    WaitBox,
    coverage_grid,
    point_windows,
)
from sim.metrics.intervals import Interval
from sim.model import records as rec
from sim.model.collection_point import stage_noun
from sim.plots.figures import first_of, legend_right, steps_only, time_axis

#: Colours of the two groups of residents (as in :mod:`sim.plots.figures`).
_GROUP_COLOURS = {"green": "#2ca02c", "other": "#1f77b4"}
_GROUP_LABELS = {"green": "green-eligible", "other": "other residents"}
_ROLE_COLOURS = {"registration": "#9467bd", "swab": "#ff7f0e", "marshal": "#7f7f7f"}
_ROLE_LABELS = {
    "registration": "registration desks (registrars)",
    "swab": "swab booths (swabbers)",
    "marshal": "marshals",
}
#: Reasons a resident was not tested (outcome codes 1..4), in words.
_REASONS = {
    "balked": "balked\n(line too long on arrival)",
    "reneged": "reneged\n(gave up waiting in line)",
    "outside_hours": "outside hours\n(came while closed)",
    "not_served_by_close": "not served by close\n(still in line at end)",
}
_NIGHT_COLOUR = "#efefef"

#: Colours of a point's own roles and stages (by name, stable across figures).
_OWN_COLOURS = ("#8c564b", "#e377c2", "#17becf", "#bcbd22")


def _role_colour(name: str) -> str:
    """A role's (or stage's) colour: the built-in ones', else one chosen by the name."""
    if name in _ROLE_COLOURS:
        return _ROLE_COLOURS[name]
    return _OWN_COLOURS[zlib.crc32(name.encode()) % len(_OWN_COLOURS)]


# --------------------------------------------------------------------------------------------
# Helpers: the round, its serving windows and a clock axis


def _round_run(result: RunResult, round: int) -> rec.RoundRun:
    if not 1 <= round <= len(result.rounds):
        raise ValueError(f"round must be between 1 and {len(result.rounds)}, got {round}")
    return result.rounds[round - 1]


def _where(result: RunResult, run: rec.RoundRun) -> str:
    """``district_round, round 1, seed 1`` (with the campaign day when there are rounds)."""
    parts = [result.config.name]
    if len(result.rounds) > 1:
        parts.append(f"round {run.round + 1} (from campaign day {run.start_day})")
    parts.append(f"seed {result.seed}")
    return ", ".join(parts)


def _runs(result: RunResult, round: int | None) -> list[rec.RoundRun]:
    """The rounds a figure shows: every round (``round`` None) or the one asked for."""
    return list(result.rounds) if round is None else [_round_run(result, round)]


def _where_rounds(result: RunResult, replications: int = 1) -> str:
    """``three_rounds, 3 rounds, seed 1`` (and the replications when there are several)."""
    parts = [result.config.name, f"{len(result.rounds)} rounds", f"seed {result.seed}"]
    if replications > 1:
        parts.append(f"{replications} replications")
    return ", ".join(parts)


def _round_heading(run: rec.RoundRun) -> str:
    """``round 2 (campaign days 5-6)``: a round and its days of the campaign."""
    last = run.start_day + run.days - 1
    days = f"day {run.start_day}" if last == run.start_day else f"days {run.start_day}-{last}"
    return f"round {run.round + 1} (campaign {days})"


def _round_colour(k: int) -> str:
    """The colour of round ``k`` (0-based) in the figures that colour rounds."""
    from matplotlib.colors import to_hex

    return str(to_hex(_colormap("tab10")(k % 10)))


def _period_label(first: int, width: int, days: int) -> str:
    """``day 3`` or ``days 8-14`` (0-based ``first`` day, ``width`` days, cut at ``days``)."""
    last = min(first + width, days)
    return f"day {first + 1}" if last == first + 1 else f"days {first + 1}-{last}"


def _round_time_axis(
    ax: Axes,
    run: rec.RoundRun,
    shade_nights: bool = True,
    label_y: float = 0.5,
    pad_min: float = 0.0,
    most: int = 12,
) -> None:
    """x axis in minutes of the round, labelled ``day 1 / 08:00`` (at most ``most`` ticks);
    nights shaded grey."""
    start, end = fd.round_time_span(run)
    end += pad_min
    ax.set_xlim(start, end)
    time_axis(ax, end - start, most)
    if shade_nights:
        windows = fd.district_windows(run)
        label = len(windows) <= MAX_HOURLY_DAYS  # nights of a long round: shaded only
        for (_, b), (a, _) in itertools.pairwise(windows):
            if a > b:
                ax.axvspan(b, a, color=_NIGHT_COLOUR, zorder=0, lw=0)
                if not label:
                    continue
                ax.annotate(
                    "points closed",
                    ((a + b) / 2, label_y),
                    xycoords=("data", "axes fraction"),
                    ha="center",
                    va="center",
                    rotation=90,
                    fontsize=8,
                    color="grey",
                )


# --------------------------------------------------------------------------------------------
# 1. Entrance-line length by point and hour


def queue_heatmap_data(
    result: RunResult, round: int = 1, order: str = "subdistrict"
) -> QueueHeatmap:
    """The matrix behind :func:`queue_heatmap_figure`: :func:`sim.metrics.figure_data.
    queue_heatmap` of round ``round`` (1-based) with the scenario's sub-districts (see
    :class:`~sim.metrics.figure_data.QueueHeatmap`).

    Parameters
    ----------
    order
        ``subdistrict`` (rows grouped by sub-district in config order, then by name) or
        ``name`` (alphabetical).
    """
    if order not in ("subdistrict", "name"):
        raise ValueError(f"order must be 'subdistrict' or 'name', got {order!r}")
    return fd.queue_heatmap(_round_run(result, round), result.config.subdistricts, order)


def queue_heatmap_figure(
    result: RunResult, round: int | None = None, order: str = "subdistrict"
) -> Figure:
    """Most people in each point's entrance line, by point (rows) and hour (columns).

    Each cell is the longest line (both lanes) at any whole minute of the hour; grey cells are
    hours when the point was closed. Nights, when every point is closed, are left out. A long
    round (see :func:`queue_heatmap_data`) has a column per day or period of days instead.
    ``round`` (1-based) shows one round; None (the default) every round: a campaign of several
    rounds has one panel per round, one above the other, on one colour scale.
    """
    runs = _runs(result, round)
    datas = [queue_heatmap_data(result, run.round + 1, order) for run in runs]
    if len(runs) == 1:
        data = datas[0]
        fig = Figure(figsize=_heatmap_size(data), layout="constrained")
        _draw_heatmap(fig, result, runs[0], data, order)
        return fig
    sizes = [_heatmap_size(data) for data in datas]
    peaks = [float(np.nanmax(d.values)) for d in datas if np.isfinite(d.values).any()]
    vmax = max([*peaks, 1.0])
    fig = Figure(
        figsize=(max(w for w, _ in sizes), sum(h for _, h in sizes) + 0.6), layout="constrained"
    )
    subs = _panels(fig, len(runs), [h for _, h in sizes])
    for sub, run, data in zip(subs, runs, datas, strict=True):
        _draw_heatmap(sub, result, run, data, order, vmax, facet=True)
    fig.suptitle(
        f"Entrance-line length by collection point, each round - {_where_rounds(result)}",
        fontsize=12,
    )
    return fig


def _heatmap_size(data: QueueHeatmap) -> tuple[float, float]:
    n_rows, n_cols = data.values.shape
    return max(9.0, 0.28 * n_cols + 4.5), max(4.5, 0.25 * n_rows + 2.2)


def _draw_heatmap(
    fig: FigureBase,
    result: RunResult,
    run: rec.RoundRun,
    data: QueueHeatmap,
    order: str,
    vmax: float | None = None,
    facet: bool = False,
) -> None:
    """The heat map of round ``run`` on ``fig`` (a figure, or a round's panel of one: then
    titled by the round, on the colour scale 0..``vmax``)."""
    n_rows, n_cols = data.values.shape
    hourly = data.column_min == 60.0
    days_per_column = max(1, int(data.column_min // DAY_MIN))
    ax = fig.add_subplot()
    cmap: Colormap = _colormap("YlOrRd").with_extremes(bad="#d9d9d9")
    finite = data.values[np.isfinite(data.values)]
    if vmax is None:
        vmax = max(float(finite.max()) if finite.size else 1.0, 1.0)
    image = ax.imshow(
        np.ma.masked_invalid(data.values),
        aspect="auto",
        cmap=cmap,
        vmin=0.0,
        vmax=vmax,
        interpolation="nearest",
    )
    # Rows: point names; thin white lines between sub-districts, names of the groups at right.
    ax.set_yticks(np.arange(n_rows), labels=list(data.points), fontsize=8)
    if any(data.groups) and order == "subdistrict":
        starts = [0] + [k for k in range(1, n_rows) if data.groups[k] != data.groups[k - 1]]
        for k in starts[1:]:
            ax.axhline(k - 0.5, color="white", lw=2.0)
        bounds = [*starts, n_rows]
        right = ax.secondary_yaxis("right")
        right.set_yticks(
            [(a + b - 1) / 2 for a, b in itertools.pairwise(bounds)],
            labels=[data.groups[a] or "other" for a in starts],
            fontsize=9,
            fontweight="bold",
        )
        right.tick_params(length=0)
        right.set_ylabel("sub-district")
    day_of = np.floor(data.hour_starts / DAY_MIN).astype(int)
    if hourly:
        # Columns: hour starts, a gap line between days, the day written above its block.
        labels = [min_to_clock(h - DAY_MIN * np.floor(h / DAY_MIN)) for h in data.hour_starts]
        ax.set_xticks(np.arange(n_cols), labels=labels, rotation=90, fontsize=7)
        for d in np.unique(day_of):
            cols = np.flatnonzero(day_of == d)
            if cols[0] > 0:
                ax.axvline(cols[0] - 0.5, color="black", lw=2.0)
            ax.annotate(
                f"day {d + 1}",
                ((cols[0] + cols[-1]) / 2, 1.0),
                xycoords=("data", "axes fraction"),
                xytext=(0, 3),
                textcoords="offset points",
                ha="center",
                va="bottom",
                fontsize=9,
                fontweight="bold",
            )
        unit, span = "hour", "the hour starting at the label"
    else:
        # Columns: days (or periods of days) of a long round.
        labels = [_period_label(int(d), days_per_column, run.days) for d in day_of]
        ax.set_xticks(np.arange(n_cols), labels=labels, rotation=90, fontsize=7)
        unit = "day" if days_per_column == 1 else f"{days_per_column} days"
        span = f"the longest line in the {unit}"
    ax.tick_params(axis="both", length=2)
    if hourly:
        ax.set_xlabel(f"hour of the round (each column: {span})")
    else:
        ax.set_xlabel(f"days of the round (each column: {span})")
    ax.set_ylabel("collection point")
    worst = np.unravel_index(np.nanargmax(data.values), data.values.shape) if finite.size else None
    subtitle = ""
    if worst is not None:
        h = float(data.hour_starts[worst[1]])
        when = (
            f"{day_clock(h)}-{min_to_clock(h % DAY_MIN + 60.0)}"
            if hourly
            else _period_label(int(day_of[worst[1]]), days_per_column, run.days)
        )
        subtitle = f"\nlongest: {data.values[worst]:.0f} people at {data.points[worst[0]]}, {when}"
    by = "hour" if hourly else ("day" if days_per_column == 1 else "period of days")
    head = (
        f"{_round_heading(run).capitalize()}: entrance line by point and {by}"
        if facet
        else f"Entrance-line length by collection point and {by} - {_where(result, run)}"
    )
    ax.set_title(f"{head}{subtitle}", fontsize=11, pad=16)
    bar = fig.colorbar(
        image, ax=ax, location="right", fraction=0.04, aspect=30, shrink=0.6 if n_rows > 15 else 1.0
    )
    bar.set_label(f"people in line\n(max in the {unit}; grey = closed)")


def _colormap(name: str) -> Colormap:
    import matplotlib

    return matplotlib.colormaps[name]


# --------------------------------------------------------------------------------------------
# 2. Waits of green-eligible residents and the others


def waits_by_lane_figure(result: RunResult, round: int | None = None) -> Figure:
    """Waits of tested residents, green-eligible vs others: by day (boxes), by hour (means).

    Left: one box per day of arrival and group (box: quartiles, whiskers: 5th-95th percentile,
    diamond: mean; mean and p95 written above). Right: mean wait by hour of arrival. A round
    longer than :data:`MAX_DAYS_SHOWN` days has a box per period of days, and one longer than
    :data:`MAX_HOURLY_DAYS` days the mean wait by day of arrival. ``round`` (1-based) shows one
    round; None (the default) every round: a campaign of several rounds has a row per round,
    on the same wait scale.
    """
    runs = _runs(result, round)
    title = "Waits of green-eligible residents vs others, all points"
    if len(runs) == 1:
        fig = Figure(figsize=(14, 5.2), layout="constrained")
        ax_box, ax_hour = fig.subplots(1, 2, width_ratios=[1, 1.6])
        _draw_waits(ax_box, ax_hour, runs[0])
        fig.suptitle(f"{title} - {_where(result, runs[0])}", fontsize=12)
        return fig
    fig = Figure(figsize=(14, 4.8 * len(runs) + 0.4), layout="constrained")
    rows: list[tuple[Axes, Axes]] = []
    for sub, run in zip(_panels(fig, len(runs)), runs, strict=True):
        ax_box, ax_hour = sub.subplots(1, 2, width_ratios=[1, 1.6])
        _draw_waits(ax_box, ax_hour, run)
        sub.suptitle(_round_heading(run).capitalize(), fontsize=11, fontweight="bold")
        rows.append((ax_box, ax_hour))
    _same_y_scale([ax for ax, _ in rows])
    _same_y_scale([ax for _, ax in rows])
    fig.suptitle(f"{title} - {_where_rounds(result)}", fontsize=12)
    return fig


def _panels(fig: Figure, n: int, heights: Sequence[float] | None = None) -> list[SubFigure]:
    """``n`` panels (subfigures) of ``fig``, one above the other (a round each)."""
    subs = fig.subfigures(n, 1, height_ratios=heights, squeeze=False)
    return [sub for sub in np.asarray(subs).ravel()]


def _same_y_scale(axes: Sequence[Axes]) -> None:
    """One y range, from 0 to the highest top, on all ``axes`` (rounds' panels compared)."""
    top = max(ax.get_ylim()[1] for ax in axes)
    for ax in axes:
        ax.set_ylim(0, top)


def _draw_waits(ax_box: Axes, ax_hour: Axes, run: rec.RoundRun) -> None:
    """The two panels of :func:`waits_by_lane_figure` for round ``run``."""
    width = fd.days_per_period(run.days)
    n_periods = math.ceil(run.days / width)

    # Left: boxes per day (or period of days) and group.
    boxes = fd.wait_boxes(run, width)
    positions = [b.period * 3.0 + fd.GROUPS.index(b.group) for b in boxes]
    top = max((b.p95 for b in boxes), default=0.0)
    if boxes:
        parts = ax_box.bxp(
            [_bxp_stats(b) for b in boxes],
            positions=positions,
            widths=0.7,
            showfliers=False,
            showmeans=True,
            patch_artist=True,
            meanprops={"marker": "D", "markerfacecolor": "white", "markeredgecolor": "black"},
            medianprops={"color": "black"},
        )
        for patch, b in zip(parts["boxes"], boxes, strict=True):
            patch.set_facecolor(_GROUP_COLOURS[b.group])
            patch.set_alpha(0.55)
        for x, b in zip(positions, boxes, strict=True):
            ax_box.annotate(
                f"mean {b.mean:.1f}\np95 {b.p95:.1f}\nn={b.n:,}",
                (x, b.p95),
                xytext=(0, 4),
                textcoords="offset points",
                ha="center",
                va="bottom",
                fontsize=7.5 if n_periods <= 3 else 6.0,
            )
    ax_box.set_xticks(
        [d * 3.0 + 0.5 for d in range(n_periods)],
        labels=[
            _period_label(d * width, width, run.days).replace(" ", "\n", 1)
            if width > 1
            else _period_label(d, 1, run.days)
            for d in range(n_periods)
        ],
    )
    ax_box.set_xlim(-0.8, 3.0 * n_periods - 1.2)
    ax_box.set_ylim(0, max(top, 1.0) * 1.35)
    ax_box.set_xlabel("day of arrival" if width == 1 else f"days of arrival ({width} per box)")
    ax_box.set_ylabel("minutes queueing (all lines), tested residents")
    by = "day" if width == 1 else "period"
    ax_box.set_title(
        f"Waits by {by} (box: quartiles, whiskers: 5th-95th pct, diamond: mean)", fontsize=10
    )
    ax_box.grid(axis="y", alpha=0.3)
    ax_box.legend(
        handles=[
            Patch(color=_GROUP_COLOURS[g], alpha=0.55, label=_GROUP_LABELS[g])
            for g in ("green", "other")
        ],
        loc="upper right",
        fontsize=8,
        frameon=False,
    )

    # Right: mean wait by hour (a long round: by day) of arrival, one line per group (NaN
    # breaks the line overnight).
    means = fd.mean_waits_by_arrival(run)
    for name in fd.GROUPS:
        whole = means.whole[name]
        label = (
            f"{_GROUP_LABELS[name]}: n={means.tested[name]:,}, "
            f"mean {whole['mean']:.1f}, p95 {whole['p95']:.1f} min"
        )
        ax_hour.plot(
            means.centres,
            means.mean[name],
            marker="o",
            ms=3,
            color=_GROUP_COLOURS[name],
            label=label,
        )
    _round_time_axis(ax_hour, run)
    ax_hour.set_ylim(bottom=0)
    unit = "hour" if means.step_min == 60.0 else "day"
    ax_hour.set_xlabel(f"{unit} of arrival (point plotted at the middle of the {unit})")
    ax_hour.set_ylabel("mean minutes queueing, tested residents")
    ax_hour.set_title(f"Mean wait by {unit} of arrival", fontsize=10)
    ax_hour.grid(alpha=0.3)
    ax_hour.legend(
        loc="upper left",
        bbox_to_anchor=(0.0, -0.16),
        fontsize=8,
        frameon=False,
        title="whole round",
        title_fontsize=8,
    )


def _bxp_stats(box: WaitBox) -> dict[str, Any]:
    """A box for :meth:`Axes.bxp`: quartiles, 5th/95th percentile whiskers, mean."""
    return {
        "med": box.median,
        "q1": box.q1,
        "q3": box.q3,
        "whislo": box.p5,
        "whishi": box.p95,
        "mean": box.mean,
        "fliers": np.empty(0),
    }


# --------------------------------------------------------------------------------------------
# 3. Coverage over the round


def coverage_curve(
    result: RunResult, round: int = 1, step_min: float = 5.0
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Share of residents tested by each time of a grid ending at the round's end:
    :func:`sim.metrics.figure_data.coverage_curve` of round ``round`` (1-based).

    Returns the grid (minutes) and, keyed ``"all"`` and by sub-district name, the share of
    that group's residents whose swab was done at or before each grid time.
    """
    return fd.coverage_curve(_round_run(result, round), step_min)


def coverage_figure(result: RunResult, round: int | None = None) -> Figure:
    """Cumulative share of residents tested (district and each sub-district) and who was not.

    ``round`` (1-based) shows one round; None (the default) every round: a campaign of several
    rounds has the district's curve of each round in its own colour, on the time of the round
    (see :func:`coverage_rounds_figure`).
    """
    runs = _runs(result, round)
    if len(runs) > 1:
        return coverage_rounds_figure([result])
    run = runs[0]
    r = run.residents
    grid, curves = fd.coverage_curve(run, step_min=fd.coverage_step(run))
    fig = Figure(figsize=(14, 5.2), layout="constrained")
    ax, ax_bar = fig.subplots(1, 2, width_ratios=[2.2, 1])

    names = [k for k in curves if k != "all"]
    palette = _colormap("tab10")
    for k, name in enumerate(names):
        y = curves[name]
        ax.plot(grid, y, lw=0.9, alpha=0.8, color=palette(k % 10), label=f"{name} ({y[-1]:.1%})")
    total = curves["all"]
    ax.plot(grid, total, lw=2.8, color="black", label=f"district ({total[-1]:.1%})")
    _deadline(ax, run)
    tested = int(np.sum(r.outcome == rec.TESTED))
    _coverage_axes(ax, run, f"{total[-1]:.1%} tested\n({tested:,} of {r.n:,})", grid[-1], total[-1])
    ax.set_title("Cumulative coverage: district (thick) and sub-districts (thin)", fontsize=10)
    ax.grid(alpha=0.3)
    legend_right(ax, "coverage at deadline")

    # Not tested, by reason (the outcome of the resident's last attempt).
    not_tested = not_tested_counts([run])
    keys = list(rec.OUTCOMES[1:])
    counts = np.array([not_tested[k][0] for k in keys])
    y = np.arange(len(keys))
    ax_bar.barh(y, counts, color="#c44e52", alpha=0.8)
    ax_bar.set_yticks(y, labels=[_REASONS[k] for k in keys], fontsize=8)
    ax_bar.invert_yaxis()
    right = max(int(counts.max()), 1)
    ax_bar.set_xlim(0, right * 1.35)
    for yy, c in zip(y, counts, strict=True):
        share = c / r.n if r.n else float("nan")
        ax_bar.annotate(
            f"{c:,} ({share:.2%})",
            (c, yy),
            xytext=(3, 0),
            textcoords="offset points",
            va="center",
            fontsize=8,
        )
    ax_bar.set_xlabel("residents (last attempt)")
    ax_bar.set_title(f"Not tested: {int(counts.sum()):,} residents, by reason", fontsize=10)
    ax_bar.grid(axis="x", alpha=0.3)
    fig.suptitle(f"Coverage over the round - {_where(result, run)}", fontsize=12)
    return fig


def coverage_band_figure(
    curves: Mapping[str, CurveBand],
    not_tested: Mapping[str, Interval],
    residents: float,
    run: rec.RoundRun,
    where: str = "",
) -> Figure:
    """Coverage over replications: the mean share tested with its pointwise band, and the
    residents not tested by reason (mean, with the interval as whiskers).

    Parameters
    ----------
    curves
        From :func:`sim.metrics.district.coverage_curves`: ``"all"`` (drawn thick, with its
        band and each replication) and each sub-district (its mean, thin).
    not_tested
        Per reason (``balked``, ...), the mean count over replications with its interval
        (:func:`sim.metrics.district.intervals` of
        :func:`~sim.metrics.district.not_tested_counts`).
    residents
        Residents in the round (mean over replications), for the shares.
    run
        A replication's round: only its serving hours (night shading, axis) and deadline are
        used.
    where
        Scenario, seed and replications, for the title.
    """
    total = curves["all"]
    grid, n = total.grid, total.replications
    level = f"{total.level:.0%}"
    fig = Figure(figsize=(14, 5.2), layout="constrained")
    ax, ax_bar = fig.subplots(1, 2, width_ratios=[2.2, 1])

    names = [k for k in curves if k != "all"]
    palette = _colormap("tab10")
    for k, name in enumerate(names):
        y = curves[name].mean
        ax.plot(grid, y, lw=0.9, alpha=0.8, color=palette(k % 10), label=f"{name} ({y[-1]:.1%})")
    for i, y in enumerate(total.curves):
        ax.plot(
            grid,
            y,
            lw=0.6,
            alpha=0.6,
            color="grey",
            label="district, each replication" if i == 0 else None,
            zorder=2,
        )
    ax.fill_between(
        grid,
        total.low,
        total.high,
        color="black",
        alpha=0.2,
        lw=0,
        label=f"{level} interval of the district\nmean (pointwise t)",
    )
    ax.plot(grid, total.mean, lw=2.8, color="black", label=f"district ({total.mean[-1]:.1%})")
    _deadline(ax, run)
    end = (float(total.mean[-1]), float(total.low[-1]), float(total.high[-1]))
    d = 1 if end[2] - end[1] >= 0.002 else 2  # digits that tell the ends apart
    text = (
        f"{end[0]:.{d}%} tested (mean of {n})\n{level} interval {end[1]:.{d}%} to {end[2]:.{d}%}\n"
        f"({end[0] * residents:,.0f} of {residents:,.0f})"
    )
    _coverage_axes(ax, run, text, grid[-1], end[0])
    ax.set_title(
        f"Cumulative coverage, mean of {n} replications: district (thick, {level} band) and "
        "sub-districts (thin)",
        fontsize=10,
    )
    ax.grid(alpha=0.3)
    legend_right(ax, f"coverage at deadline\n(mean of {n} replications)")

    # Not tested, by reason: mean over replications, whiskers the interval of the mean.
    keys = list(not_tested)
    means = np.array([not_tested[k].mean for k in keys])
    lows = np.array([max(not_tested[k].low, 0.0) if n > 1 else not_tested[k].mean for k in keys])
    highs = np.array([not_tested[k].high if n > 1 else not_tested[k].mean for k in keys])
    y = np.arange(len(keys))
    ax_bar.barh(
        y,
        means,
        xerr=np.vstack([means - lows, highs - means]),
        color="#c44e52",
        alpha=0.8,
        error_kw={"ecolor": "black", "capsize": 3, "lw": 1.0},
    )
    ax_bar.set_yticks(y, labels=[_REASONS.get(k, k) for k in keys], fontsize=8)
    ax_bar.invert_yaxis()
    right = max(float(highs.max()) if highs.size else 0.0, 1.0)
    ax_bar.set_xlim(0, right * 1.5)
    for yy, m, hi in zip(y, means, highs, strict=True):
        share = m / residents if residents else float("nan")
        ax_bar.annotate(
            f"{m:,.1f} ({share:.2%})",
            (hi, yy),
            xytext=(5, 0),
            textcoords="offset points",
            va="center",
            fontsize=8,
        )
    ax_bar.set_xlabel(f"residents (last attempt), mean\nwhiskers: {level} interval of the mean")
    ax_bar.set_title(f"Not tested, by reason: {means.sum():,.1f} (mean)", fontsize=10)
    ax_bar.grid(axis="x", alpha=0.3)
    title = f"Coverage over the round - {where}" if where else "Coverage over the round"
    fig.suptitle(title, fontsize=12)
    return fig


def _where_over(results: Sequence[RunResult], run: rec.RoundRun) -> str:
    """``district_round, seed 1, 5 replications`` (with the round when there are rounds)."""
    first = results[0]
    parts = [first.config.name]
    if len(first.rounds) > 1:
        parts.append(f"round {run.round + 1} (from campaign day {run.start_day})")
    parts.append(f"seed {first.seed}")
    parts.append(f"{len(results)} replications")
    return ", ".join(parts)


def coverage_figure_over(
    results: Sequence[RunResult], round: int | None = None, level: float = 0.95
) -> Figure:
    """Coverage over the round over replications (all of the same scenario and seed).

    One replication: :func:`coverage_figure`. More: the mean share tested with its pointwise
    ``level`` confidence band and each replication, sub-districts' means, and the residents
    not tested by reason (mean, interval as whiskers); see :func:`coverage_band_figure`.
    ``round`` (1-based) shows one round; None (the default) every round: a campaign of several
    rounds has each round's mean curve and band in its own colour
    (:func:`coverage_rounds_figure`).
    """
    if not results:
        raise ValueError("need at least one replication")
    if len(results) == 1:
        return coverage_figure(results[0], round)
    if round is None and len(results[0].rounds) > 1:
        return coverage_rounds_figure(results, level)
    runs = [_round_run(r, 1 if round is None else round) for r in results]
    grid = coverage_grid(runs[0])
    curves = coverage_curves(runs, grid, level)
    not_tested = intervals(not_tested_counts(runs), level)
    residents = float(np.mean([run.residents.n for run in runs]))
    return coverage_band_figure(
        curves, not_tested, residents, runs[0], _where_over(results, runs[0])
    )


def coverage_rounds_figure(results: Sequence[RunResult], level: float = 0.95) -> Figure:
    """Coverage of each round of a campaign, compared: the district's cumulative share tested
    over the time of each round (its own colour; with replications the mean and its pointwise
    ``level`` band), each round's deadline, and the residents not tested by reason and round
    (with replications the mean, its interval as whiskers).

    ``results`` are replications of one scenario (one is enough); the time axis is that of a
    round (minutes after midnight of the round's first day), so the rounds line up.
    """
    if not results:
        raise ValueError("need at least one replication")
    first, n = results[0], len(results)
    n_rounds = len(first.rounds)
    fig = Figure(figsize=(14, 5.2), layout="constrained")
    ax, ax_bar = fig.subplots(1, 2, width_ratios=[2.2, 1])
    reasons = list(rec.OUTCOMES[1:])
    bar_h = 0.8 / n_rounds
    deadlines: set[float] = set()
    right = 1.0
    for k in range(n_rounds):
        runs = [_round_run(r, k + 1) for r in results]
        run, colour = runs[0], _round_colour(k)
        grid = coverage_grid(run)
        band = coverage_curves(runs, grid, level)["all"]
        if n > 1:
            ax.fill_between(grid, band.low, band.high, color=colour, alpha=0.2, lw=0)
        ax.plot(
            grid,
            band.mean,
            lw=2.4,
            color=colour,
            label=f"{_round_heading(run)}: {band.mean[-1]:.1%}",
        )
        if run.end_min not in deadlines:
            deadlines.add(run.end_min)
            _deadline(ax, run)
        counts = intervals(not_tested_counts(runs), level)
        means = np.array([counts[name].mean for name in reasons])
        y = np.arange(len(reasons)) + (k - (n_rounds - 1) / 2) * bar_h
        if n > 1:
            lows = np.array([max(counts[name].low, 0.0) for name in reasons])
            highs = np.array([counts[name].high for name in reasons])
            xerr: np.ndarray | None = np.vstack([means - lows, highs - means])
        else:
            highs, xerr = means, None
        ax_bar.barh(
            y,
            means,
            height=bar_h,
            color=colour,
            alpha=0.85,
            xerr=xerr,
            error_kw={"ecolor": "black", "capsize": 2, "lw": 0.8},
            label=f"round {k + 1}",
        )
        for yy, m, hi in zip(y, means, highs, strict=True):
            ax_bar.annotate(
                f"{m:,.1f}" if n > 1 else f"{m:,.0f}",
                (hi, yy),
                xytext=(3, 0),
                textcoords="offset points",
                va="center",
                fontsize=7,
            )
        right = max(right, float(highs.max()) if highs.size else 0.0)
    longest = max(first.rounds, key=lambda run: run.end_min)
    _round_time_axis(ax, longest, label_y=0.2, pad_min=90.0)
    ax.set_ylim(0, 1.02)
    ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set_xlabel("time of the round (day 1: each round's first day)")
    ax.set_ylabel("share of residents tested (swab done)")
    mean = f", mean of {n} replications ({level:.0%} band)" if n > 1 else ""
    ax.set_title(f"Cumulative coverage of the district, each round{mean}", fontsize=10)
    ax.grid(alpha=0.3)
    ax.legend(
        loc="upper left",
        fontsize=8,
        framealpha=0.9,
        title="coverage at deadline" + (f" (mean of {n} replications)" if n > 1 else ""),
        title_fontsize=8,
    )
    ax_bar.set_yticks(np.arange(len(reasons)), labels=[_REASONS[k] for k in reasons], fontsize=8)
    ax_bar.invert_yaxis()
    ax_bar.set_xlim(0, right * 1.35)
    ax_bar.set_xlabel(
        "residents (last attempt)"
        + (f", mean\nwhiskers: {level:.0%} interval of the mean" if n > 1 else "")
    )
    ax_bar.set_title("Not tested, by reason and round", fontsize=10)
    ax_bar.grid(axis="x", alpha=0.3)
    ax_bar.legend(loc="lower right", fontsize=8, frameon=False)
    fig.suptitle(f"Coverage over each round - {_where_rounds(first, n)}", fontsize=12)
    return fig


# --------------------------------------------------------------------------------------------
# 4. Staff: utilisation by shift and open desks/booths over time


def open_stations(
    result: RunResult, round: int = 1, step_min: float = 1.0
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Open desks (``registration``) and booths (``swab``), summed over points, on a grid:
    :func:`sim.metrics.figure_data.open_stations` of round ``round`` (1-based)."""
    return fd.open_stations(_round_run(result, round), step_min)


def _shift_label(bar: fd.ShiftBar, width: int, days: int) -> str:
    """``day 2\n08:00-14:00`` (or ``days 8-14\n...``): a shift bar's tick label."""
    shift = f"{min_to_clock(bar.start_min)}-{min_to_clock(bar.end_min)}"
    return f"{_period_label(bar.first_day, width, days)}\n{shift}"


def staff_utilisation_figure(result: RunResult, round: int | None = None) -> Figure:
    """Utilisation and headcount by role and shift; open desks and booths over the round.

    A round longer than :data:`MAX_DAYS_SHOWN` days has a bar per shift and period of days.
    ``round`` (1-based) shows one round; None (the default) every round: a campaign of several
    rounds has a row per round.
    """
    runs = _runs(result, round)
    title = "Staff: utilisation and open stations"
    if len(runs) == 1:
        fig = Figure(figsize=(14, 5.4), layout="constrained")
        _draw_staff(fig, runs[0])
        fig.suptitle(f"{title} - {_where(result, runs[0])}", fontsize=12)
        return fig
    fig = Figure(figsize=(14, 5.0 * len(runs) + 0.4), layout="constrained")
    opens = []
    for sub, run in zip(_panels(fig, len(runs)), runs, strict=True):
        opens.append(_draw_staff(sub, run))
        sub.suptitle(_round_heading(run).capitalize(), fontsize=11, fontweight="bold")
    _same_y_scale(opens)
    fig.suptitle(f"{title} - {_where_rounds(result)}", fontsize=12)
    return fig


def _draw_staff(fig: FigureBase, run: rec.RoundRun) -> Axes:
    """The two panels of :func:`staff_utilisation_figure` for round ``run`` on ``fig`` (a
    figure or a round's panel of one); returns the open-stations axes."""
    shifts = fd.shift_bars(run)
    width, marshals = shifts.days_per_bar, shifts.marshals
    ax_bar, ax_open = fig.subplots(1, 2, width_ratios=[1.3, 1])

    x = 0.0
    ticks: list[float] = []
    tick_labels: list[str] = []
    handles: list[Patch] = []
    own = sorted({bar.role for bar in shifts.bars} - {"registration", "swab", "marshal"})
    for role in ("registration", "swab", *own):
        mine = [bar for bar in shifts.bars if bar.role == role]
        if not mine:
            continue
        xs = x + np.arange(len(mine))
        util = np.array([bar.utilisation for bar in mine], dtype=float)
        colour = _role_colour(role)
        ax_bar.bar(xs, np.nan_to_num(util), width=0.8, color=colour, alpha=0.85)
        handles.append(Patch(color=colour, alpha=0.85, label=_ROLE_LABELS.get(role, role)))
        for xx, u, bar in zip(xs, util, mine, strict=True):
            text = f"{u:.0%}" if np.isfinite(u) else "-"
            ax_bar.annotate(
                f"{text}\n{bar.staff:,} staff",
                (xx, np.nan_to_num(u)),
                xytext=(0, 3),
                textcoords="offset points",
                ha="center",
                va="bottom",
                fontsize=7,
            )
        ticks.extend(xs)
        tick_labels.extend(_shift_label(bar, width, run.days) for bar in mine)
        x = float(xs[-1]) + 1.8
    ax_bar.set_xticks(ticks, labels=tick_labels, fontsize=7, rotation=90)
    ax_bar.set_ylim(0, 1.25)
    ax_bar.axhline(1.0, color="black", lw=0.8, alpha=0.5)
    ax_bar.yaxis.set_major_formatter(PercentFormatter(1.0))
    ax_bar.set_ylabel("share of staffed desk/booth time busy")
    if width == 1:
        ax_bar.set_xlabel("shift (labels above bars: utilisation, people on the shift, all points)")
    else:
        ax_bar.set_xlabel(
            f"shift over {width} days (labels above bars: utilisation, most people on the shift "
            "on a day, all points)"
        )
    ax_bar.set_title("Utilisation by role and shift, all points", fontsize=10)
    ax_bar.grid(axis="y", alpha=0.3)
    ax_bar.legend(handles=handles, loc="upper left", fontsize=8, frameon=False, ncols=2)
    if marshals:
        per_shift = sorted(set(marshals))
        text = "/".join(f"{n:,}" for n in per_shift)
        ax_bar.annotate(
            f"marshals (no desk): {text} per shift, {len(marshals)} shifts",
            (0.99, 0.985),
            xycoords="axes fraction",
            ha="right",
            va="top",
            fontsize=8,
            color=_ROLE_COLOURS["marshal"],
        )

    grid, totals = fd.open_stations(run)
    for stage in ("registration", "swab", *sorted(set(totals) - {"registration", "swab"})):
        if stage in totals:
            label = _ROLE_LABELS.get(stage, stage_noun(stage))
            staffed_by = next(  # a stage in its role's colour (the bars')
                (st.staffed_by for p in run.points for st in p.stations if st.stage == stage),
                None,
            )
            ax_open.step(
                *steps_only(grid, totals[stage]),
                where="post",
                color=_role_colour(staffed_by or stage),
                label=f"{label} (most: {int(totals[stage].max()):,})",
            )
    _round_time_axis(ax_open, run, pad_min=30.0)
    ax_open.set_ylim(bottom=0)
    ax_open.set_xlabel("time of the round")
    ax_open.set_ylabel("desks / booths open, all points")
    ax_open.set_title(
        "Open desks and booths over the round (breaks, hand-overs, PPE rests)", fontsize=10
    )
    ax_open.grid(alpha=0.3)
    ax_open.legend(loc="upper left", bbox_to_anchor=(0.0, -0.16), fontsize=8, frameon=False)
    return ax_open


# --------------------------------------------------------------------------------------------


def district_figure_set(result: RunResult, round: int | None = None) -> dict[str, Figure]:
    """The four district figures keyed by PNG file name: of every round (the default; a
    campaign of several rounds has a panel or a colour per round) or of round ``round``
    (1-based)."""
    return {
        "queue_heatmap.png": queue_heatmap_figure(result, round),
        "waits_by_lane.png": waits_by_lane_figure(result, round),
        "coverage.png": coverage_figure(result, round),
        "staff_utilisation.png": staff_utilisation_figure(result, round),
    }


def district_figure_set_over(
    results: Sequence[RunResult], round: int | None = None
) -> dict[str, Figure]:
    """The four district figures of replications of one scenario, keyed by PNG file name (the
    names of :func:`district_figure_set`), of every round (the default) or of round ``round``.

    The coverage curve is over the replications (mean with a 95% band, see
    :func:`coverage_figure_over`); the line heat map, the waits and the staff figures show the
    first replication, and say so in their titles. With one replication this is
    :func:`district_figure_set` of it.
    """
    if not results:
        raise ValueError("need at least one replication")
    if len(results) == 1:
        return district_figure_set(results[0], round)
    first, n = results[0], len(results)
    return {
        "queue_heatmap.png": first_of(queue_heatmap_figure(first, round), n),
        "waits_by_lane.png": first_of(waits_by_lane_figure(first, round), n),
        "coverage.png": coverage_figure_over(results, round),
        "staff_utilisation.png": first_of(staff_utilisation_figure(first, round), n),
    }


# --------------------------------------------------------------------------------------------
# 5. The campaign: tests per campaign day, by round


def campaign_tests_figure(data: RunResult | Sequence[RunResult], level: float = 0.95) -> Figure:
    """Residents tested at the collection points on each campaign day, stacked by round.

    ``data`` is a result or replications of one scenario (then each bar is the mean over
    replications, and the whisker on a day's total its ``level`` Student-t interval). Days
    without a round and without tests are left out (a gap between rounds is marked); a swab
    after midnight counts on the next day. Mobile teams' enterprise samples are not included.
    """
    results = [data] if isinstance(data, RunResult) else list(data)
    if not results:
        raise ValueError("need at least one replication")
    first, n = results[0], len(results)
    tests = fd.campaign_tests([r.rounds for r in results], level)
    days = tests.days
    # Positions: one per day shown, a wider step over the days left out between them.
    pos = np.zeros(days.size)
    gaps: list[tuple[float, int, int]] = []  # (x, first day left out, last day left out)
    for j in range(1, days.size):
        skipped = int(days[j] - days[j - 1] - 1)
        pos[j] = pos[j - 1] + (1.0 if skipped == 0 else 1.8)
        if skipped:
            gaps.append(((pos[j] + pos[j - 1]) / 2, int(days[j - 1]) + 1, int(days[j]) - 1))
    fig = Figure(figsize=(min(max(11.0, 0.5 * days.size + 5.0), 24.0), 5.2), layout="constrained")
    ax = fig.add_subplot()
    bottom = np.zeros(days.size)
    for k, run in enumerate(first.rounds):
        heights = tests.mean[k]
        total = float(tests.round_totals[k])
        ax.bar(
            pos,
            heights,
            bottom=bottom,
            width=0.8,
            color=_round_colour(k),
            alpha=0.9,
            label=f"{_round_heading(run)}: {total:,.0f} tested",
        )
        bottom += heights
    if n > 1:
        low, high = tests.low, tests.high
        ax.errorbar(
            pos,
            bottom,
            yerr=np.vstack([bottom - low, high - bottom]),
            fmt="none",
            ecolor="black",
            capsize=3,
            lw=1.0,
        )
    else:
        high = bottom
    top = max(float(high.max()) if high.size else 0.0, 1.0)
    for x, b, h in zip(pos, bottom, high, strict=True):
        if b > 0:
            ax.annotate(
                f"{b:,.0f}",
                (x, h),
                xytext=(0, 3),
                textcoords="offset points",
                ha="center",
                va="bottom",
                fontsize=7 if days.size > 14 else 8,
            )
    for gap_x, gap_first, gap_last in gaps:
        ax.annotate(
            f"day {gap_first}" if gap_first == gap_last else f"days {gap_first}-{gap_last}",
            (gap_x, 0.5),
            xycoords=("data", "axes fraction"),
            ha="center",
            va="center",
            rotation=90,
            fontsize=8,
            color="grey",
            bbox={"facecolor": "white", "edgecolor": "none", "pad": 2},
        )
        ax.axvline(gap_x, color="grey", ls=":", lw=0.8)
    step = max(1, math.ceil(days.size / 40))
    ax.set_xticks(
        pos[::step],
        labels=[f"day {d}" for d in days[::step]],
        rotation=90 if days.size > 12 else 0,
        fontsize=8,
    )
    ax.set_xlim(pos[0] - 0.7 if pos.size else -0.7, pos[-1] + 0.7 if pos.size else 0.7)
    ax.set_ylim(0, top * 1.15)
    ax.yaxis.set_major_formatter(FuncFormatter(lambda y, _pos: f"{y:,.0f}"))
    ax.set_xlabel("campaign day (grey: days without a round, left out)")
    ax.set_ylabel("residents tested at the collection points" + (", mean" if n > 1 else ""))
    ax.set_title("Collection points only (not the mobile teams' enterprise samples)", fontsize=9)
    ax.grid(axis="y", alpha=0.3)
    legend_right(
        ax, f"whiskers: {level:.0%} interval of the\nday's total (mean)" if n > 1 else None
    )
    fig.suptitle(
        f"Residents tested per campaign day, by round - {_where_rounds(first, n)}", fontsize=12
    )
    return fig


__all__ = [
    "DAY_MIN",
    "MAX_CURVE_POINTS",
    "MAX_DAYS_SHOWN",
    "MAX_HEATMAP_COLUMNS",
    "MAX_HOURLY_DAYS",
    "QueueHeatmap",
    "campaign_tests_figure",
    "coverage_band_figure",
    "coverage_curve",
    "coverage_figure",
    "coverage_figure_over",
    "coverage_grid",
    "coverage_rounds_figure",
    "day_clock",
    "district_figure_set",
    "district_figure_set_over",
    "open_stations",
    "point_windows",
    "queue_heatmap_data",
    "queue_heatmap_figure",
    "staff_utilisation_figure",
    "waits_by_lane_figure",
]


def _deadline(ax: Axes, run: rec.RoundRun) -> None:
    """The round's deadline as a dashed line, labelled."""
    ax.axvline(run.end_min, color="crimson", ls="--", lw=1.2)
    ax.annotate(
        f"round deadline\n{day_clock(run.end_min)}",
        (run.end_min, 0.02),
        xycoords=("data", "axes fraction"),
        xytext=(-4, 0),
        textcoords="offset points",
        ha="right",
        va="bottom",
        fontsize=8,
        color="crimson",
    )


def _coverage_axes(ax: Axes, run: rec.RoundRun, text: str, x: float, y: float) -> None:
    """The coverage panel's end label (``text`` pointing at ``(x, y)``) and its axes."""
    ax.annotate(
        text,
        (x, y),
        xytext=(0.97, 0.3),
        textcoords="axes fraction",
        ha="right",
        va="center",
        fontsize=10,
        fontweight="bold",
        arrowprops={"arrowstyle": "->", "color": "black"},
    )
    _round_time_axis(ax, run, label_y=0.2, pad_min=90.0)
    ax.set_ylim(0, 1.02)
    ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set_xlabel("time of the round")
    ax.set_ylabel("share of residents tested (swab done)")

"""Figures a planner can read: queue length over the day, waits per lane, utilisation.

Each function takes a :class:`~sim.experiment.result.RunResult` and returns a
:class:`matplotlib.figure.Figure`; none of them runs the model. They draw what
:mod:`sim.metrics.figure_data` and :mod:`sim.metrics.utilisation` compute.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MultipleLocator

from sim.config.clock import day_clock, min_to_clock
from sim.experiment.result import RunResult
from sim.metrics.figure_data import queue_length_lines, wait_bins, wait_samples
from sim.metrics.utilisation import utilisation_steps
from sim.model.records import SiteRun

_LANE_COLOURS = {"green": "#2ca02c", "general": "#1f77b4", "swab": "#ff7f0e"}
#: Colours of the lines before a point's own stages.
_STAGE_COLOURS = ("#8c564b", "#e377c2", "#17becf", "#bcbd22")


def tick_step_h(span_min: float, most: int = 12) -> int:
    """Hours between labelled ticks so that a span of ``span_min`` minutes has at most
    ``most`` of them: 1, 2, 3, 4, 6, 8, 12 or 24 hours, or a whole number of days."""
    hours = span_min / 60.0
    step = next((s for s in (1, 2, 3, 4, 6, 8, 12, 24) if hours / s <= most), None)
    return step if step is not None else 24 * math.ceil(hours / (24 * most))


def time_axis(ax: Axes, span_min: float, most: int = 12) -> None:
    """Label an x axis in minutes after midnight of day 1: ``day 1 / 08:00`` every few hours,
    or ``day 8`` every few days over a long span (see :func:`tick_step_h`)."""
    step = tick_step_h(span_min, most)
    if step > 24:  # ticks every few days: fewer of them, as the labels are day numbers
        step = tick_step_h(span_min, min(most, 8))
    ax.xaxis.set_major_locator(MultipleLocator(60.0 * step))
    if step < 24:
        ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _pos: day_clock(x, sep="\n")))
    else:
        ax.xaxis.set_major_formatter(
            FuncFormatter(lambda x, _pos: f"day {math.floor(x / 1440.0) + 1}")
        )
    ax.tick_params(axis="x", labelsize=8)


def steps_only(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The points of a step line (``where="post"``) where its value changes, and the last one:
    the same line with fewer points."""
    if y.size <= 2:
        return x, y
    keep = np.ones(y.size, dtype=bool)
    keep[1:-1] = y[1:-1] != y[:-2]
    return x[keep], y[keep]


def first_of(fig: Figure, replications: int, fontsize: float = 12) -> Figure:
    """Say in a figure's title that it shows the first of ``replications`` replications (its
    suptitle, or else the first line of its first axes' title); returns the figure."""
    if replications <= 1:
        return fig
    note = f" (first of {replications} replications)"
    suptitle = fig.get_suptitle()
    if suptitle:
        fig.suptitle(suptitle + note, fontsize=fontsize)
    elif fig.axes:
        ax = fig.axes[0]
        head, sep, tail = ax.get_title().partition("\n")
        ax.set_title(head + note + sep + tail)
    return fig


def _clock_axis(ax: Axes) -> None:
    lo, hi = ax.get_xlim()
    step = 60.0 * max(1, int((hi - lo) / 60.0 / 12) + 1)  # at most ~12 hour ticks
    ax.xaxis.set_major_locator(MultipleLocator(step))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _pos: min_to_clock(x)))


def _round_sites(result: RunResult, round: int | None) -> list[tuple[str, SiteRun, int]]:
    """``(heading, the point's records, round)`` of each round a one-point figure shows:
    every round (``round`` None) or the one asked for; the heading is ``""`` for a single
    round campaign."""
    if round is not None and not 1 <= round <= len(result.rounds):
        raise ValueError(f"round must be between 1 and {len(result.rounds)}, got {round}")
    ks = range(1, len(result.rounds) + 1) if round is None else [round]
    out = []
    for k in ks:
        run = result.rounds[k - 1]
        if len(run.points) != 1:
            raise ValueError(
                f"this scenario has {len(run.points)} points: use the district figures "
                "(sim.plots.district_figure_set)"
            )
        heading = (
            "" if len(result.rounds) == 1 else f"round {k} (from campaign day {run.start_day})"
        )
        out.append((heading, run.points[0], k))
    return out


def _with(heading: str, text: str) -> str:
    """``text``, after ``Round 2 (from campaign day 5): `` when there are rounds."""
    return f"{heading.capitalize()}: {text}" if heading else text


def queue_length_figure(
    result: RunResult, step_min: float = 1.0, round: int | None = None
) -> Figure:
    """People waiting in each line over the day (entrance line per lane, swab line).

    ``round`` (1-based) shows one round; None (the default) every round: a campaign of several
    rounds has a panel per round, one above the other, on the same scale.
    """
    sites = _round_sites(result, round)
    fig = Figure(figsize=(12, 4.5 if len(sites) == 1 else 3.6 * len(sites)), layout="constrained")
    axes = fig.subplots(len(sites), 1, sharey=True, squeeze=False)[:, 0]
    for ax, (heading, site, k) in zip(axes, sites, strict=True):
        _draw_queue_length(ax, result, site, k, step_min, heading)
    return fig


def _draw_queue_length(
    ax: Axes, result: RunResult, site: SiteRun, round: int, step_min: float, heading: str
) -> None:
    # the round's own hours (campaign.round_overrides may change them)
    start = site.open_min - result.config.round_config(round - 1).site.queue_opens_before_min
    grid, lines = queue_length_lines(site, start, step_min)
    stages = site.stage_list
    entrance = stages[0].replace("_", " ")
    for lane in ("general", "green"):
        y = lines[lane]
        if y.any():
            ax.plot(grid, y, color=_LANE_COLOURS[lane], label=f"{entrance} line - {lane} lane")
    for k, stage in enumerate(stages[1:]):  # the lines inside the point
        ax.plot(
            grid,
            lines[stage],
            color=_LANE_COLOURS.get(stage, _STAGE_COLOURS[k % len(_STAGE_COLOURS)]),
            label=f"{stage.replace('_', ' ')} line (after {stages[k].replace('_', ' ')})",
        )
    limit = site.queue_limit
    if limit is not None:
        ax.axhline(limit, color="grey", ls="--", lw=1, label=f"line space ({limit} people)")
    for t, text in ((site.open_min, "open"), (site.close_min, "close")):
        ax.axvline(t, color="black", lw=0.8, alpha=0.5)
        ax.annotate(
            text, (t, 1.0), xycoords=("data", "axes fraction"), ha="left", va="top", fontsize=8
        )
    _clock_axis(ax)
    ax.set_xlabel("time of day")
    ax.set_ylabel("people waiting")
    ax.set_title(
        _with(
            heading,
            f"{site.name}: queue length over the day ({result.config.name}, seed {result.seed})",
        )
    )
    legend_right(ax)
    ax.grid(alpha=0.3)


def legend_right(ax: Axes, title: str | None = None, **kw: Any) -> None:
    """The axes' legend outside on the right, small and without a frame (``kw``: e.g. the
    legend's ``handles``)."""
    ax.legend(
        loc="upper left",
        bbox_to_anchor=(1.01, 1.0),
        fontsize=8,
        frameon=False,
        title=title,
        title_fontsize=8,
        **kw,
    )


def wait_distribution_figure(result: RunResult, round: int | None = None) -> Figure:
    """Distribution of total queueing time of tested residents, green-eligible vs others.

    ``round`` (1-based) shows one round; None (the default) every round: a campaign of several
    rounds has a row per round, on the same scale.
    """
    sites = _round_sites(result, round)
    fig = Figure(figsize=(10, 4.5 if len(sites) == 1 else 3.8 * len(sites)), layout="constrained")
    axes = fig.subplots(len(sites), 2, squeeze=False, sharex=len(sites) > 1)
    bins = wait_bins([site for _, site, _ in sites])
    for (ax_hist, ax_cdf), (heading, site, _) in zip(axes, sites, strict=True):
        _draw_waits(ax_hist, ax_cdf, site, bins, heading)
    return fig


def _draw_waits(ax_hist: Axes, ax_cdf: Axes, site: SiteRun, bins: np.ndarray, heading: str) -> None:
    for w in wait_samples(site):
        colour = _LANE_COLOURS[w.group]
        label = f"{w.group} (n={w.waits.size}, mean {w.mean:.1f}, p95 {w.p95:.1f} min)"
        ax_hist.hist(
            w.waits, bins=bins.tolist(), density=True, alpha=0.5, color=colour, label=label
        )
        ax_cdf.plot(w.sorted, w.share, color=colour, label=w.group)
    ax_hist.set_xlabel("minutes queueing (all lines)")
    ax_hist.set_ylabel("share of residents per minute")
    ax_hist.legend(fontsize=8)
    ax_hist.set_title(_with(heading, "Waits by group"))
    ax_cdf.set_xlabel("minutes queueing (all lines)")
    ax_cdf.set_ylabel("share waiting at most this long")
    ax_cdf.set_ylim(0, 1.01)
    ax_cdf.grid(alpha=0.3)
    ax_cdf.legend(fontsize=8)
    ax_cdf.set_title("Cumulative distribution")


def utilisation_figure(
    result: RunResult, step_min: float = 30.0, round: int | None = None
) -> Figure:
    """Open desks/booths and the share of them busy, per station, over the day.

    ``round`` (1-based) shows one round; None (the default) every round: a campaign of several
    rounds has a panel per round.
    """
    sites = _round_sites(result, round)
    fig = Figure(figsize=(10, 4.5 if len(sites) == 1 else 3.6 * len(sites)), layout="constrained")
    axes = fig.subplots(len(sites), 1, squeeze=False)[:, 0]
    for ax, (heading, site, _) in zip(axes, sites, strict=True):
        _draw_utilisation(ax, site, step_min, heading)
    return fig


def _draw_utilisation(ax: Axes, site: SiteRun, step_min: float, heading: str) -> None:
    for station in site.stations:
        edges, share, total = utilisation_steps(site, station, step_min)
        ax.step(edges[:-1], share, where="post", label=f"{station.name} (day: {total:.0%})")
    _clock_axis(ax)
    ax.set_ylim(0, 1.15)
    ax.set_xlabel("time of day")
    ax.set_ylabel("share of staffed time busy")
    ax.set_title(
        _with(
            heading,
            f"{site.name}: utilisation of staffed desks and booths ({step_min:.0f}-min bins)",
        )
    )
    ax.grid(alpha=0.3)
    legend_right(ax)

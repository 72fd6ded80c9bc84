"""Figures of the chain from swab to result a planner can read: lab backlog, turnaround, lab load.

Each figure function takes the run's :class:`~sim.model.records.ChainRun` (``result.chain``) or
the :class:`~sim.experiment.result.RunResult` itself; given the result, the title names the
scenario and seed, and the backlog figure also marks when the points serve and when each round
ends. None of them runs the model. Times are campaign minutes (after midnight of campaign day
1), shown as ``day 1 08:00``. The figures draw what :mod:`sim.metrics.turnaround` and
:mod:`sim.metrics.figure_data` compute with numpy over the per-swab and per-tube arrays, in
about a second each for the default district.

:func:`lab_figure_set` returns the figures keyed by the PNG file name :func:`write_run
<sim.plots.report.write_run>` saves them as (none for a run without labs).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import PercentFormatter

from sim.config.clock import day_clock
from sim.experiment.result import RunResult
from sim.metrics import figure_data as fd
from sim.metrics.district import CurveBand
from sim.metrics.figure_data import TURNAROUND_POINTS
from sim.metrics.intervals import Interval
from sim.metrics.turnaround import (
    backlog_series,
    backlog_span,
    lab_table,
    summarise_chain,
    turnaround_by_hour,
    turnaround_ecdf,
)
from sim.model import records as rec
from sim.model.labs import STAGES
from sim.plots.figures import first_of, steps_only, time_axis

_LAB_COLOURS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2")
_STAGE_COLOURS = {"receiving": "#9467bd", "extraction": "#17becf", "pcr": "#d62728"}
_STAGE_LABELS = {
    "receiving": "receiving desks",
    "extraction": "extractors",
    "pcr": "PCR machines",
}
_SERVING_COLOUR = "#e5f2e5"
_TARGET_COLOUR = "crimson"
#: A backlog line with more points than this is drawn with only the points where it changes
#: (the same steps: a long campaign is mostly hours with nothing at the labs).
MAX_STEP_POINTS = 2000


@dataclass(frozen=True)
class _Source:
    """The chain, with what only the run knows: when points serve and rounds end."""

    chain: rec.ChainRun
    where: str
    round_ends: tuple[float, ...]
    serving: tuple[tuple[float, float], ...]


def _source(data: rec.ChainRun | RunResult) -> _Source:
    if isinstance(data, rec.ChainRun):
        return _Source(data, "", (), ())
    if data.chain is None:
        raise ValueError(
            f"scenario {data.config.name!r} has no labs in use: there is no sample chain to plot"
        )
    return _Source(
        data.chain,
        f"{data.config.name}, seed {data.seed}",
        fd.round_ends(data.rounds),
        fd.serving_windows(data.rounds),
    )


def _title(text: str, src: _Source) -> str:
    return f"{text} - {src.where}" if src.where else text


def share_text(x: float) -> str:
    """``97.3%``; with more decimals when one would round a share short of 100% up to it."""
    if not np.isfinite(x):
        return "-"
    for digits in (1, 2, 3):
        text = f"{x:.{digits}%}"
        if x >= 1.0 or not text.startswith("100."):
            return text
    return ">99.999%"


def _lab_colour(j: int) -> str:
    return _LAB_COLOURS[j % len(_LAB_COLOURS)]


def _clock_axis(ax: Axes, start: float, end: float) -> None:
    """x axis in campaign minutes labelled ``day 1 / 08:00``, at most ~12 ticks."""
    ax.set_xlim(start, end)
    time_axis(ax, end - start)


def _mark(ax: Axes, x: float, text: str, colour: str, y: float = 0.98) -> None:
    """A vertical line at ``x`` with its label written along it, near the top."""
    ax.axvline(x, color=colour, ls="--", lw=1.2, zorder=3)
    ax.annotate(
        text,
        (x, y),
        xycoords=("data", "axes fraction"),
        xytext=(-3, 0),
        textcoords="offset points",
        ha="right",
        va="top",
        rotation=90,
        fontsize=8,
        color=colour,
        bbox={"fc": "white", "ec": "none", "alpha": 0.8, "pad": 1.0},
    )


# --------------------------------------------------------------------------------------------
# 1. Backlog at each lab over time


def backlog_figure(
    data: rec.ChainRun | RunResult,
    step_min: float = 10.0,
    round_ends: Sequence[float] | None = None,
) -> Figure:
    """Tubes delivered to each lab and waiting for their result, over the campaign.

    One step line per lab (sampled every ``step_min`` minutes, from the first swab to the last
    result), with a dashed mark when a lab opens after the first swab (a mobile lab) and when
    each round ends (given ``round_ends`` in campaign minutes, or from a
    :class:`~sim.experiment.result.RunResult`, which also shades when the points serve).
    """
    src = _source(data)
    chain = src.chain
    ends = tuple(round_ends) if round_ends is not None else src.round_ends
    grid, values = backlog_series(chain, step_min)
    start, end = float(grid[0]), float(grid[-1])
    fig = Figure(figsize=(13, 5.4), layout="constrained")
    ax = fig.add_subplot()

    handles: list[Artist] = []
    if src.serving:
        for k, (a, b) in enumerate(src.serving):
            if b > start and a < end:
                ax.axvspan(max(a, start), min(b, end), color=_SERVING_COLOUR, lw=0, zorder=0)
            if k == 0:
                handles.append(Patch(color=_SERVING_COLOUR, label="points serving (swabs taken)"))
    table = {row["lab"]: row for row in lab_table(chain)}
    for j, name in enumerate(chain.labs):
        y = values[j]
        peak = int(y.max()) if y.size else 0
        at = float(grid[int(np.argmax(y))]) if y.size else start
        row = table[name]
        last = row["last_result_min"]
        if not row["tubes_received"]:
            label = f"{name}: no tubes"
        else:
            label = f"{name}: {row['tubes_received']:,} tubes in, most waiting {peak:,}"
            label += f" ({day_clock(at)})"
        if row["backlog_tubes_at_end"]:
            label += f"; {row['backlog_tubes_at_end']:,} still waiting at the horizon"
        elif np.isfinite(last):
            label += f"; last result {day_clock(last)}"
        xs, ys = (grid, y) if grid.size <= MAX_STEP_POINTS else steps_only(grid, y)
        (line,) = ax.step(xs, ys, where="post", color=_lab_colour(j), lw=1.6, label=label)
        handles.insert(j, line)
        opens = float(chain.lab_opens_min[j])
        if start < opens < end:
            _mark(ax, opens, f"{name} opens {day_clock(opens)}", _lab_colour(j))
    for k, t in enumerate(ends):
        if start < t <= end:
            text = "round ends" if len(ends) == 1 else f"round {k + 1} ends"
            _mark(ax, t, f"{text} {day_clock(t)}", "black")
    if end >= chain.horizon_min:
        _mark(ax, chain.horizon_min, f"results horizon {day_clock(chain.horizon_min)}", "grey")

    _clock_axis(ax, start, end)
    ax.set_ylim(bottom=0, top=max(float(values.max()) if values.size else 0.0, 1.0) * 1.12)
    ax.set_xlabel("campaign time")
    ax.set_ylabel(
        f"tubes at the lab, not yet resulted\n(a tube holds up to {chain.pool_size} swabs)"
    )
    ax.grid(alpha=0.3)
    ax.legend(
        handles=handles,
        loc="upper left",
        bbox_to_anchor=(0.0, -0.16),
        fontsize=8,
        frameon=False,
    )
    ax.set_title(f"Tubes waiting for a result at each lab (every {step_min:g} min)", fontsize=10)
    fig.suptitle(_title("Lab backlog over the campaign", src), fontsize=12)
    return fig


# --------------------------------------------------------------------------------------------
# 2. Swab-to-result turnaround


def turnaround_figure(data: rec.ChainRun | RunResult) -> Figure:
    """Hours from swab to result: the share of swabs resulted within each time (left), with
    the target, the share within it and p50/p95 marked; median and p95 by hour of swab (right).

    The left curve is over all swabs, so it stays below 100% when some have no result by the
    horizon (their number is written on the figure).
    """
    src = _source(data)
    chain = src.chain
    s = summarise_chain(chain)
    target = chain.target_min / 60.0
    done, share = turnaround_ecdf(chain)
    n = chain.n_swabs
    fig = Figure(figsize=(14, 5.4), layout="constrained")
    ax, ax_hour = fig.subplots(1, 2, width_ratios=[1.1, 1.4])

    # Left: ECDF over all swabs.
    right = max(float(done[-1]) if done.size else 0.0, target) * 1.08
    if done.size:
        x = np.concatenate(([0.0], done, [right]))
        y = np.concatenate(([0.0], share, [share[-1]]))
        ax.step(x, y, where="post", color="black", lw=1.8, label="swabs with a result by then")
    _target_line(
        ax, target, f"target {target:g} h:\n{share_text(s['within_target'])} of swabs within"
    )
    # p50 and p95 are over the swabs with a result: at that share of them on this curve.
    resulted = done.size / n if n else 0.0
    of = " of those resulted" if s["backlog_swabs"] else ""
    for key, name, level in (("turnaround_p50_h", "p50", 0.5), ("turnaround_p95_h", "p95", 0.95)):
        value = s[key]
        yy = level * resulted
        if np.isfinite(value):
            ax.plot([value, value], [0, yy], color="grey", ls=":", lw=1.2)
            ax.plot([0, value], [yy, yy], color="grey", ls=":", lw=1.2)
            ax.annotate(
                f"{name}{of} {value:.1f} h",
                (value, yy),
                xytext=(4, -10),
                textcoords="offset points",
                fontsize=8.5,
                color="dimgrey",
            )
    if s["backlog_swabs"]:
        note = (
            f"{s['backlog_swabs']:,} of {n:,} swabs ({s['backlog_swabs'] / n:.1%}) have no "
            f"result by the horizon ({day_clock(chain.horizon_min)})"
        )
    else:
        note = f"all {n:,} swabs resulted; longest {s['turnaround_max_h']:.1f} h"
    ax.annotate(
        f"{note}\nmean {s['turnaround_mean_h']:.1f} h, pool size {chain.pool_size}",
        (0.98, 0.03),
        xycoords="axes fraction",
        ha="right",
        va="bottom",
        fontsize=8.5,
        bbox={"boxstyle": "round", "fc": "white", "ec": "lightgrey"},
    )
    ax.set_xlim(0, right)
    ax.set_ylim(0, 1.02)
    ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set_xlabel("hours from swab to result")
    ax.set_ylabel("share of all swabs with their result within")
    ax.set_title("Turnaround: share of swabs resulted within x hours", fontsize=10)
    ax.grid(alpha=0.3)

    # Right: by hour of swab.
    hours, q = turnaround_by_hour(chain)
    if hours.size:
        centres = hours + 30.0
        # Hours with no swab (nights, days between rounds) break the lines: one NaN point in
        # each gap, not one per hour of the campaign.
        full, lines = fd.with_gaps(hours, q, 60.0)
        marks = (("median", "#1f77b4", 0.96), ("p95", "#ff7f0e", 1.0))
        for i, (name, colour, top) in enumerate(marks):
            y = lines[i].copy()
            late = np.isinf(y)
            y[late] = np.nan
            ax_hour.plot(full + 30.0, y, marker="o", ms=3, color=colour, label=name)
            if late.any():
                ax_hour.plot(
                    full[late] + 30.0,
                    np.full(int(late.sum()), right * top),
                    ls="",
                    marker="^",
                    color=colour,
                    label=f"{name} beyond the horizon (no result)",
                )
        _clock_axis(ax_hour, float(hours[0]), float(centres[-1] + 30.0))
    ax_hour.axhline(target, color=_TARGET_COLOUR, lw=1.4, label=f"target {target:g} h")
    ax_hour.set_ylim(0, right * 1.05)
    ax_hour.set_xlabel("hour the swab was taken (point at the middle of the hour)")
    ax_hour.set_ylabel("hours from swab to result")
    ax_hour.set_title("Turnaround by hour of swab: median and 95th percentile", fontsize=10)
    ax_hour.grid(alpha=0.3)
    ax_hour.legend(
        loc="upper left", bbox_to_anchor=(0.0, -0.16), fontsize=8, frameon=False, ncols=3
    )
    fig.suptitle(_title("Swab-to-result turnaround", src), fontsize=12)
    return fig


# --------------------------------------------------------------------------------------------
# 3. Lab load


def lab_utilisation_figure(data: rec.ChainRun | RunResult) -> Figure:
    """Utilisation of each lab's receiving desks, extractors and PCR machines (left) and the
    tubes each lab received (right).

    Utilisation is busy desk/machine time over staffed desk/machine time from the lab's
    first delivery to its last result (see :func:`sim.metrics.turnaround.lab_table`).
    """
    src = _source(data)
    chain = src.chain
    rows = lab_table(chain)
    n_labs = len(rows)
    fig = Figure(figsize=(14, max(4.6, 1.0 + 0.9 * n_labs)), layout="constrained")
    ax, ax_tubes = fig.subplots(1, 2, width_ratios=[1.5, 1])

    x = np.arange(n_labs)
    width = 0.8 / len(STAGES)
    for s, stage in enumerate(STAGES):
        util = np.array([row[f"utilisation_{stage}"] for row in rows], dtype=float)
        xs = x + (s - (len(STAGES) - 1) / 2) * width
        ax.bar(
            xs,
            np.nan_to_num(util),
            width=width * 0.95,
            color=_STAGE_COLOURS[stage],
            alpha=0.85,
            label=_STAGE_LABELS[stage],
        )
        for xx, u, row in zip(xs, util, rows, strict=True):
            text = f"{u:.0%}" if np.isfinite(u) else "-"
            if stage != "receiving" and row[f"{stage}_runs"]:
                text += f"\n{row[f'{stage}_runs']:,} runs\n{row[f'{stage}_tubes_per_run']:.0f}/run"
            ax.annotate(
                text,
                (xx, np.nan_to_num(u)),
                xytext=(0, 3),
                textcoords="offset points",
                ha="center",
                va="bottom",
                fontsize=7,
            )
    labels = [
        f"{row['lab']}\nopens {day_clock(row['opens_min'])}"
        if row["opens_min"] > 0
        else f"{row['lab']}\nopen from the start"
        for row in rows
    ]
    ax.set_xticks(x, labels=labels, fontsize=8)
    ax.set_ylim(0, 1.35)
    ax.axhline(1.0, color="black", lw=0.8, alpha=0.5)
    ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set_ylabel("share of staffed desk/machine time busy")
    ax.set_title(
        "Utilisation by lab and stage, first delivery to last result (runs, tubes per run)",
        fontsize=10,
    )
    ax.grid(axis="y", alpha=0.3)
    ax.legend(loc="upper right", fontsize=8, frameon=False, ncols=3)

    y = np.arange(n_labs)
    pooled = np.array([row["tubes_received"] - row["retest_tubes"] for row in rows])
    retests = np.array([row["retest_tubes"] for row in rows])
    ax_tubes.barh(y, pooled, color=[_lab_colour(j) for j in range(n_labs)], alpha=0.85)
    ax_tubes.barh(y, retests, left=pooled, color="black", alpha=0.7)
    top = max(int((pooled + retests).max()) if n_labs else 0, 1)
    for yy, row in zip(y, rows, strict=True):
        text = f"{row['tubes_received']:,} tubes, {row['swabs_resulted']:,} swabs"
        if np.isfinite(row["lab_hours_mean"]):
            text += f"\nin the lab {row['lab_hours_mean']:.1f} h on average"
        if row["retest_tubes"]:
            text += f"; {row['retest_tubes']:,} retests"
        if row["backlog_tubes_at_end"]:
            text += f"\n{row['backlog_tubes_at_end']:,} without a result at the horizon"
        ax_tubes.annotate(
            text,
            (row["tubes_received"], yy),
            xytext=(4, 0),
            textcoords="offset points",
            va="center",
            fontsize=7.5,
        )
    ax_tubes.set_yticks(y, labels=[row["lab"] for row in rows], fontsize=8)
    ax_tubes.invert_yaxis()
    ax_tubes.set_xlim(0, top * 1.9)
    ax_tubes.set_xlabel("tubes delivered to the lab (black: individual retest tubes)")
    ax_tubes.set_title("Tubes received by each lab", fontsize=10)
    ax_tubes.grid(axis="x", alpha=0.3)
    fig.suptitle(_title("Lab load", src), fontsize=12)
    return fig


# --------------------------------------------------------------------------------------------
# 4. Over replications: mean curves with a pointwise band


def _chains(results: Sequence[RunResult]) -> list[rec.ChainRun]:
    if not results:
        raise ValueError("need at least one replication")
    chains = [r.chain for r in results]
    if any(c is None for c in chains):
        raise ValueError(
            f"scenario {results[0].config.name!r} has no labs in use: there is no sample chain "
            "to plot"
        )
    return [c for c in chains if c is not None]


def _where_over(results: Sequence[RunResult]) -> str:
    first = results[0]
    return f"{first.config.name}, seed {first.seed}, {len(results)} replications"


def backlog_band_figure(
    bands: Mapping[str, CurveBand],
    serving: Sequence[tuple[float, float]] = (),
    round_ends: Sequence[float] = (),
    opens: Mapping[str, float] | None = None,
    horizon_min: float | None = None,
    pool_size: int | None = None,
    where: str = "",
) -> Figure:
    """Tubes waiting for a result at each lab over the campaign, mean over replications with
    its pointwise band (one colour per lab).

    Parameters
    ----------
    bands
        Per lab, the tubes waiting on a common grid of campaign minutes, over replications
        (:func:`sim.metrics.district.curve_band` of
        :func:`sim.metrics.turnaround.backlog_over_time`).
    serving, round_ends
        When the points serve (shaded) and when each round ends (marked), campaign minutes.
    opens
        When each lab opens (marked when after the start of the grid).
    horizon_min, pool_size
        The results horizon (marked when the grid reaches it) and the tube size (y label).
    where
        Scenario, seed and replications, for the title.
    """
    any_band = next(iter(bands.values()))
    grid, n = any_band.grid, any_band.replications
    level = f"{any_band.level:.0%}"
    start, end = float(grid[0]), float(grid[-1])
    fig = Figure(figsize=(13, 5.4), layout="constrained")
    ax = fig.add_subplot()
    handles: list[Artist] = []
    for k, (a, b) in enumerate(serving):
        if b > start and a < end:
            ax.axvspan(max(a, start), min(b, end), color=_SERVING_COLOUR, lw=0, zorder=0)
        if k == 0:
            handles.append(Patch(color=_SERVING_COLOUR, label="points serving (swabs taken)"))
    top = 1.0
    for j, (name, band) in enumerate(bands.items()):
        colour = _lab_colour(j)
        mean = band.mean
        peak = float(mean.max()) if mean.size else 0.0
        at = float(grid[int(np.argmax(mean))]) if mean.size else start
        label = f"{name}: most waiting {peak:,.0f} on average ({day_clock(at)})"
        if mean.size and mean[-1] > 0:
            label += f"; {mean[-1]:,.1f} still waiting at the end"
        ax.fill_between(
            grid, band.low, band.high, step="post", color=colour, alpha=0.25, lw=0, zorder=2
        )
        (line,) = ax.step(grid, mean, where="post", color=colour, lw=1.6, label=label, zorder=3)
        handles.insert(j, line)
        top = max(top, float(band.high.max()) if band.high.size else 0.0)
        t = (opens or {}).get(name)
        if t is not None and start < t < end:
            _mark(ax, t, f"{name} opens {day_clock(t)}", colour)
    handles.append(
        Patch(
            color="grey", alpha=0.35, label=f"band: {level} interval of the mean (the lab's colour)"
        )
    )
    for k, t in enumerate(round_ends):
        if start < t <= end:
            text = "round ends" if len(round_ends) == 1 else f"round {k + 1} ends"
            _mark(ax, t, f"{text} {day_clock(t)}", "black")
    if horizon_min is not None and end >= horizon_min:
        _mark(ax, horizon_min, f"results horizon {day_clock(horizon_min)}", "grey")
    _clock_axis(ax, start, end)
    ax.set_ylim(bottom=0, top=top * 1.12)
    ax.set_xlabel("campaign time")
    tube = f"\n(a tube holds up to {pool_size} swabs)" if pool_size else ""
    ax.set_ylabel(f"tubes at the lab, not yet resulted{tube}")
    ax.grid(alpha=0.3)
    ax.legend(
        handles=handles, loc="upper left", bbox_to_anchor=(0.0, -0.16), fontsize=8, frameon=False
    )
    ax.set_title(
        f"Tubes waiting for a result at each lab: mean of {n} replications (line) and the "
        f"{level} interval of the mean (band, pointwise t)",
        fontsize=10,
    )
    title = "Lab backlog over the campaign"
    fig.suptitle(f"{title} - {where}" if where else title, fontsize=12)
    return fig


def backlog_figure_over(
    results: Sequence[RunResult], step_min: float = 10.0, level: float = 0.95
) -> Figure:
    """The lab backlog over replications: :func:`backlog_figure` for one, and for more the
    mean tubes waiting at each lab with a pointwise ``level`` band (:func:`backlog_band_figure`)
    on a common grid (every ``step_min`` over the span of all replications)."""
    chains = _chains(results)
    if len(results) == 1:
        return backlog_figure(results[0], step_min)
    bands = fd.backlog_bands(chains, step_min, level)
    src = _source(results[0])
    first = chains[0]
    opens = {name: float(first.lab_opens_min[j]) for j, name in enumerate(first.labs)}
    return backlog_band_figure(
        bands,
        src.serving,
        src.round_ends,
        opens,
        first.horizon_min,
        first.pool_size,
        _where_over(results),
    )


def turnaround_band_figure(
    band: CurveBand,
    target_h: float,
    stats: Mapping[str, Interval] | None = None,
    where: str = "",
) -> Figure:
    """Share of all swabs resulted within each number of hours, over replications: each
    replication, the mean and its pointwise band, with the target marked.

    Parameters
    ----------
    band
        Over a grid of hours (including ``target_h``): :func:`sim.metrics.district.share_by_band`
        of each replication's :func:`sim.metrics.turnaround.turnaround_h` (with a result) out
        of its swabs.
    target_h
        The turnaround target, hours.
    stats
        Optional intervals over replications of :func:`sim.metrics.turnaround.summarise_chain`
        keys, written in a box: ``turnaround_p50_h``, ``turnaround_p95_h``,
        ``turnaround_mean_h``, ``backlog_swabs``.
    where
        Scenario, seed and replications, for the title.
    """
    grid, n = band.grid, band.replications
    level = f"{band.level:.0%}"
    fig = Figure(figsize=(12, 5.4), layout="constrained")
    ax = fig.add_subplot()
    for i, y in enumerate(band.curves):
        ax.step(
            grid,
            y,
            where="post",
            color="grey",
            lw=0.6,
            alpha=0.6,
            label="each replication" if i == 0 else None,
        )
    ax.fill_between(
        grid,
        band.low,
        band.high,
        step="post",
        color="black",
        alpha=0.2,
        lw=0,
        label=f"{level} interval of the mean (pointwise t)",
    )
    ax.step(grid, band.mean, where="post", color="black", lw=1.8, label=f"mean of {n} replications")
    k = int(np.searchsorted(grid, target_h, side="right")) - 1
    k = min(max(k, 0), grid.size - 1)
    _target_line(
        ax,
        target_h,
        f"target {target_h:g} h: {share_text(float(band.mean[k]))} of swabs within\n"
        f"(mean; {level} interval {share_text(float(band.low[k]))} to "
        f"{share_text(float(band.high[k]))})",
    )
    if stats:
        rows = []
        names = {
            "turnaround_p50_h": ("p50 of swabs resulted", "h"),
            "turnaround_p95_h": ("p95 of swabs resulted", "h"),
            "turnaround_mean_h": ("mean turnaround", "h"),
            "backlog_swabs": ("swabs without a result by the horizon", ""),
        }
        for key, (text, unit) in names.items():
            if key not in stats:
                continue
            ci = stats[key]
            digits = 1 if unit else 0
            value = f"{ci.mean:,.{digits}f}{(' ' + unit) if unit else ''}"
            if np.isfinite(ci.half_width):
                value += f" ± {ci.half_width:,.{digits}f}"
            rows.append(f"{text}: {value}")
        ax.annotate(
            f"mean of {n} replications ± half-width of the {level} interval\n" + "\n".join(rows),
            (0.98, 0.03),
            xycoords="axes fraction",
            ha="right",
            va="bottom",
            fontsize=8.5,
            bbox={"boxstyle": "round", "fc": "white", "ec": "lightgrey"},
        )
    ax.set_xlim(0, float(grid[-1]))
    ax.set_ylim(0, 1.02)
    ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set_xlabel("hours from swab to result")
    ax.set_ylabel("share of all swabs with their result within")
    ax.set_title("Turnaround: share of swabs resulted within x hours", fontsize=10)
    ax.grid(alpha=0.3)
    ax.legend(loc="upper left", fontsize=8, frameon=False)
    title = "Swab-to-result turnaround"
    fig.suptitle(f"{title} - {where}" if where else title, fontsize=12)
    return fig


def turnaround_figure_over(results: Sequence[RunResult], level: float = 0.95) -> Figure:
    """Turnaround over replications: :func:`turnaround_figure` for one, and for more the share
    of swabs resulted within x hours, mean with a pointwise ``level`` band
    (:func:`turnaround_band_figure`)."""
    chains = _chains(results)
    if len(results) == 1:
        return turnaround_figure(results[0])
    target = chains[0].target_min / 60.0
    band = fd.turnaround_band(chains, level, TURNAROUND_POINTS)
    stats = fd.turnaround_stats(chains, level)
    return turnaround_band_figure(band, target, stats, _where_over(results))


# --------------------------------------------------------------------------------------------


def lab_figure_set(result: RunResult) -> dict[str, Figure]:
    """The lab figures keyed by PNG file name; empty for a run without labs."""
    if result.chain is None:
        return {}
    return {
        "lab_backlog.png": backlog_figure(result),
        "turnaround.png": turnaround_figure(result),
        "lab_utilisation.png": lab_utilisation_figure(result),
    }


def lab_figure_set_over(results: Sequence[RunResult]) -> dict[str, Figure]:
    """The lab figures of replications of one scenario, keyed by PNG file name (the names of
    :func:`lab_figure_set`; empty for a run without labs).

    The backlog and the turnaround curve are over the replications (mean with a 95% band, see
    :func:`backlog_figure_over` and :func:`turnaround_figure_over`); the lab load figure shows
    the first replication, and says so in its title. With one replication this is
    :func:`lab_figure_set` of it.
    """
    if not results:
        raise ValueError("need at least one replication")
    if len(results) == 1 or results[0].chain is None:
        return lab_figure_set(results[0])
    return {
        "lab_backlog.png": backlog_figure_over(results),
        "turnaround.png": turnaround_figure_over(results),
        "lab_utilisation.png": first_of(lab_utilisation_figure(results[0]), len(results)),
    }


__all__ = [
    "TURNAROUND_POINTS",
    "backlog_band_figure",
    "backlog_figure",
    "backlog_figure_over",
    "backlog_series",
    "backlog_span",
    "lab_figure_set",
    "lab_figure_set_over",
    "lab_utilisation_figure",
    "turnaround_band_figure",
    "turnaround_by_hour",
    "turnaround_figure",
    "turnaround_figure_over",
]


def _target_line(ax: Axes, target_h: float, text: str) -> None:
    """The turnaround target as a vertical line, with ``text`` to its left."""
    ax.axvline(target_h, color=_TARGET_COLOUR, lw=1.4)
    ax.annotate(
        text,
        (target_h, 0.35),
        xycoords=("data", "axes fraction"),
        xytext=(-5, 0),
        textcoords="offset points",
        ha="right",
        va="center",
        fontsize=9,
        fontweight="bold",
        color=_TARGET_COLOUR,
    )

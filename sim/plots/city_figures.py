"""Figures of a city that stay readable with hundreds of collection points.

Each function draws tables of :meth:`sim.experiment.city.CityResult.tables` (and plain values:
targets, the labs' places) and returns a :class:`matplotlib.figure.Figure`; none of them runs
the model or reads a result object, and none changes the tables it is given. No figure labels
every point: a city has hundreds of them (400 in ``city_3m``, some 1,300 in a Wuhan-scale
city), so points are drawn as marks (by district, or on the map) and only the few worst are
named.

- :func:`district_figure`: per district, coverage, 95th-percentile wait and (with labs) the
  share of swabs resulted within the turnaround target, as bars.
- :func:`point_wait_figure`: every point's 95th-percentile wait, a strip and a box per
  district, the five worst points named.
- :func:`city_map_figure`: the points on the city's map (km), coloured by their
  95th-percentile wait and sized by residents arrived, with the labs and district names.
- :func:`lab_load_figure`: tubes waiting at each lab hour by hour, and tubes resulted per hour.

:data:`CITY_FIGURES` gives each figure's PNG file name and caption; :func:`city_figure_set`
draws them all from the tables. Waits and coverage are the first round's (the rows with
``round == 1`` of a table that has a ``round`` column).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import FuncFormatter, MultipleLocator, PercentFormatter

from sim.plots.figures import legend_right, tick_step_h
from sim.plots.lab_figures import share_text

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.colors import Colormap

#: PNG file name of each city figure and its caption (one line).
CITY_FIGURES: dict[str, str] = {
    "districts.png": (
        "Per district: share of residents tested, 95th-percentile wait (min) against the "
        "target, and share of swabs resulted within the turnaround target."
    ),
    "point_waits.png": (
        "95th-percentile wait (min) of every collection point, by district (dots: points; "
        "box: quartiles, whiskers: 5th-95th percentile); the five worst points named."
    ),
    "city_map.png": (
        "Map of the collection points (km): colour = 95th-percentile wait (min), size = "
        "residents arrived; labs as black triangles, district names at their points' centre."
    ),
    "lab_load.png": (
        "Tubes waiting for a result at each lab on the hour, and tubes resulted per hour "
        "by all labs (hours since day 1 00:00)."
    ),
}

_OK_COLOUR = "#1f77b4"
_MISS_COLOUR = "#ff7f0e"
_WITHIN_COLOUR = "#2ca02c"
_TARGET_COLOUR = "crimson"
_RESULTED_COLOUR = "#7f7f7f"
#: Colours of the labs (as in :mod:`sim.plots.lab_figures`); more labs take tab20's.
_LAB_COLOURS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2")
#: Points named in :func:`point_wait_figure` (the highest 95th-percentile waits).
WORST_NAMED = 5
#: Half the width (in district slots) of a district's strip of points.
_JITTER = 0.25


# --------------------------------------------------------------------------------------------
# Helpers


def _first_round(table: pd.DataFrame) -> pd.DataFrame:
    """The rows of round 1 when ``table`` has a ``round`` column, else all of them."""
    if "round" in table.columns:
        return table[table["round"] == 1]
    return table


def _in_order(values: pd.Series) -> list[str]:
    """The distinct values of ``values`` (e.g. district names), in order of first appearance."""
    return [str(v) for v in dict.fromkeys(values.tolist())]


def _colormap(name: str) -> Colormap:
    import matplotlib

    return matplotlib.colormaps[name]


def _lab_colours(n: int) -> list[str]:
    """``n`` colours, one per lab: those of :mod:`sim.plots.lab_figures`, or tab20's."""
    if n <= len(_LAB_COLOURS):
        return list(_LAB_COLOURS[:n])
    from matplotlib.colors import to_hex

    cmap = _colormap("tab20")
    return [str(to_hex(cmap(k % 20))) for k in range(n)]


def _halo(width: float = 3.0) -> list[Any]:
    """A white outline under text drawn over marks, so that it stays legible."""
    from matplotlib import patheffects

    return [patheffects.withStroke(linewidth=width, foreground="white")]


def _no_data(ax: Axes, text: str) -> None:
    ax.text(0.5, 0.5, text, transform=ax.transAxes, ha="center", va="center", color="grey")
    ax.set_xticks([])
    ax.set_yticks([])


def _bar_labels(
    ax: Axes, y: np.ndarray, widths: np.ndarray, texts: list[str], right: float
) -> None:
    """Each bar's value: inside the bar at its start (white) when the bar is long, so that a
    target line near its end crosses no text; else just after the bar's end."""
    for yi, w, text in zip(y, widths, texts, strict=True):
        if not np.isfinite(w):
            ax.text(0.0, yi, " no data", ha="left", va="center", fontsize=7.5, color="grey")
        elif w > 0.3 * right:
            ax.text(0.0, yi, f" {text}", ha="left", va="center", fontsize=7.5, color="white")
        else:
            ax.text(w, yi, f" {text}", ha="left", va="center", fontsize=7.5, color="black")


def _share_vs(x: float, target: float | None) -> str:
    """:func:`share_text` of ``x``, with more decimals when fewer would hide on which side of
    ``target`` (a share) it is (``99.0%`` for 0.98996 below a 99% target: ``98.996%``)."""
    text = share_text(x)
    if target is None or not np.isfinite(x):
        return text
    for digits in (1, 2, 3):
        shown = round(x, digits + 2)
        if (shown < target) == (x < target):
            return text if digits == 1 else f"{x:.{digits}%}"
    return f"{x:.3%}"


# --------------------------------------------------------------------------------------------
# 1. Districts


def district_figure(
    districts: pd.DataFrame,
    wait_target_min: float | None = None,
    coverage_target: float | None = None,
) -> Figure:
    """Per district (one row each, top to bottom in the table's order), horizontal bars of:

    - coverage: the share of the district's residents tested (0 to 100%), with
      ``coverage_target`` (a share, e.g. 0.95) as a vertical line;
    - the 95th-percentile wait of its tested residents (minutes, column ``wait_p95_min``),
      with ``wait_target_min`` (minutes) as a vertical line;
    - when the table has a ``within_target`` column (a city with labs), the share of the
      district's swabs resulted within the turnaround target.

    With a target, the bars that miss it are orange, the others blue. Each bar carries its
    value. Readable for 10 to 30 districts (the figure grows with their number).

    Parameters
    ----------
    districts
        The ``districts`` table of :meth:`CityResult.tables`: columns ``district``,
        ``coverage`` (share), ``wait_p95_min`` (minutes) and optionally ``within_target``
        (share).
    wait_target_min
        The 95th-percentile wait not to exceed, minutes (None: no target drawn).
    coverage_target
        The share of residents to test, 0 to 1 (None: no target drawn).
    """
    names = [str(n) for n in districts["district"].tolist()]
    n = len(names)
    coverage = districts["coverage"].to_numpy(dtype=float)
    wait = districts["wait_p95_min"].to_numpy(dtype=float)
    within = (
        districts["within_target"].to_numpy(dtype=float)
        if "within_target" in districts.columns
        else None
    )
    ncols = 2 if within is None else 3
    fig = Figure(figsize=(4.6 * ncols + 1.4, max(3.8, 0.3 * n + 2.2)), layout="constrained")
    axes = fig.subplots(1, ncols, sharey=True)
    y = np.arange(n, dtype=float)
    height = 0.7

    # Coverage.
    ax = axes[0]
    miss = coverage < coverage_target if coverage_target is not None else np.zeros(n, bool)
    ax.barh(y, coverage, height=height, color=np.where(miss, _MISS_COLOUR, _OK_COLOUR).tolist())
    _bar_labels(ax, y, coverage, [_share_vs(c, coverage_target) for c in coverage], 1.0)
    ax.set_xlim(0, 1.0)
    ax.xaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set_title(
        _with_target(
            "Coverage: share of residents tested",
            None if coverage_target is None else f"{share_text(coverage_target)}",
            "below it",
        ),
        fontsize=10,
    )
    ax.set_xlabel("share of the district's residents")
    if coverage_target is not None:
        ax.axvline(coverage_target, color=_TARGET_COLOUR, lw=1.4, zorder=3)

    # 95th-percentile wait.
    ax = axes[1]
    miss = wait > wait_target_min if wait_target_min is not None else np.zeros(n, bool)
    ax.barh(y, wait, height=height, color=np.where(miss, _MISS_COLOUR, _OK_COLOUR).tolist())
    finite = wait[np.isfinite(wait)]
    right = max([*finite.tolist(), wait_target_min or 0.0, 1.0]) * 1.18
    _bar_labels(ax, y, wait, [_minutes(w, wait_target_min) for w in wait], right)
    ax.set_xlim(0, right)
    ax.set_title(
        _with_target(
            "95th-percentile wait (tested residents)",
            None if wait_target_min is None else f"{wait_target_min:g} min",
            "above it",
        ),
        fontsize=10,
    )
    ax.set_xlabel("minutes queueing (all lines)")
    if wait_target_min is not None:
        ax.axvline(wait_target_min, color=_TARGET_COLOUR, lw=1.4, zorder=3)

    # Results within the turnaround target.
    if within is not None:
        ax = axes[2]
        ax.barh(y, within, height=height, color=_WITHIN_COLOUR)
        _bar_labels(ax, y, within, [share_text(w) for w in within], 1.0)
        ax.set_xlim(0, 1.0)
        ax.xaxis.set_major_formatter(PercentFormatter(1.0))
        ax.set_title("Swabs resulted within the turnaround target", fontsize=10)
        ax.set_xlabel("share of the district's swabs")

    first = axes[0]
    first.set_yticks(y, labels=names, fontsize=9 if n <= 20 else 8)
    first.set_ylim(n - 0.5, -0.5)  # the table's first district at the top
    for ax in axes:
        ax.grid(axis="x", alpha=0.3)
        ax.tick_params(axis="x", labelsize=8)
        ax.set_axisbelow(True)
    fig.suptitle(f"Districts of the city ({n}): coverage, waits and results", fontsize=12)
    return fig


def _minutes(w: float, target: float | None = None) -> str:
    """``61 min``, ``7.9 min``; with a decimal more when fewer would hide on which side of
    ``target`` (minutes) the wait is (``30 min`` for 30.2 above a 30-minute target: ``30.2``)."""
    if not np.isfinite(w):
        return "-"
    for digits in (0 if w >= 10 else 1, 1, 2):
        shown = round(w, digits)
        if target is None or (shown > target) == (w > target):
            return f"{w:.{digits}f} min"
    return f"{w:.2f} min"


def _with_target(title: str, target: str | None, miss: str) -> str:
    """A panel's title, with a second line saying how the target and the misses are drawn."""
    if target is None:
        return title
    return f"{title}\nred line: target {target}; orange bars: {miss}"


# --------------------------------------------------------------------------------------------
# 2. Every point's wait, by district


def point_wait_figure(points: pd.DataFrame, wait_target_min: float | None = None) -> Figure:
    """The 95th-percentile wait of every collection point (minutes), grouped by district.

    One column per district (in the table's order): a dot per point (spread sideways at
    random, with a fixed seed, so that points with close waits stay apart) over a box of the
    district's points (box: quartiles; whiskers: 5th to 95th percentile; line: median). The
    :data:`WORST_NAMED` points with the highest waits are named above the data, a line leading
    to each; no other point is labelled. With ``wait_target_min`` (minutes) the target is a
    horizontal line and the points above it are orange. Only round 1 is drawn when the table
    has a ``round`` column.

    Parameters
    ----------
    points
        The ``points`` table of :meth:`CityResult.tables`: columns ``district``, ``site`` and
        ``wait_p95_min`` (minutes; NaN for a point nobody was tested at: not drawn).
    wait_target_min
        The 95th-percentile wait not to exceed, minutes (None: no target drawn).
    """
    pts = _first_round(points)
    names = _in_order(pts["district"])
    n = len(names)
    slot = {name: k for k, name in enumerate(names)}
    x = np.array([slot[str(d)] for d in pts["district"].tolist()], dtype=float)
    wait = pts["wait_p95_min"].to_numpy(dtype=float)
    sites = [str(s) for s in pts["site"].tolist()]
    rng = np.random.default_rng(0)  # the same spread every time the figure is drawn
    x_dot = x + rng.uniform(-_JITTER, _JITTER, size=x.size)

    fig = Figure(figsize=(min(max(9.0, 0.55 * n + 3.5), 22.0), 6.2), layout="constrained")
    ax = fig.add_subplot()
    if n == 0:
        _no_data(ax, "no collection points")
        return fig
    by_district = [wait[(x == k) & np.isfinite(wait)] for k in range(n)]
    shown = [k for k in range(n) if by_district[k].size]
    if shown:
        ax.boxplot(
            [by_district[k] for k in shown],
            positions=shown,
            widths=0.62,
            whis=(5, 95),
            showfliers=False,
            patch_artist=True,
            boxprops={"facecolor": "#e8e8e8", "edgecolor": "#555555"},
            medianprops={"color": "black", "lw": 1.4},
            whiskerprops={"color": "#555555"},
            capprops={"color": "#555555"},
            zorder=1,
        )
    miss = wait > wait_target_min if wait_target_min is not None else np.zeros(wait.size, bool)
    ax.scatter(
        x_dot,
        wait,
        s=14 if wait.size <= 600 else 9,
        c=np.where(miss, _MISS_COLOUR, _OK_COLOUR).tolist(),
        alpha=0.7,
        linewidths=0,
        zorder=3,
    )
    top = float(np.nanmax(wait)) if np.isfinite(wait).any() else 1.0
    top = max(top, wait_target_min or 0.0, 1.0)
    # The data fill the lower 70% of the axes; the names of the worst points sit above.
    ax.set_ylim(0, top / 0.7)
    ax.set_yticks([t for t in ax.get_yticks() if 0 <= t <= top * 1.02])  # none by the names
    _name_worst(ax, x_dot, wait, sites, n)
    handles: list[Any] = [
        Line2D([], [], ls="", marker="o", color=_OK_COLOUR, label="a collection point"),
    ]
    if wait_target_min is not None:
        ax.axhline(wait_target_min, color=_TARGET_COLOUR, lw=1.4, zorder=2)
        handles = [
            Line2D([], [], ls="", marker="o", color=_OK_COLOUR, label="point within the target"),
            Line2D([], [], ls="", marker="o", color=_MISS_COLOUR, label="point above it"),
            Line2D([], [], color=_TARGET_COLOUR, lw=1.4, label=f"target {wait_target_min:g} min"),
        ]
    legend_right(ax, handles=handles)
    ax.set_xticks(
        range(n),
        labels=names,
        rotation=35 if n > 8 else 0,
        ha="right" if n > 8 else "center",
        fontsize=9,
    )
    ax.set_xlim(-0.6, n - 0.4)
    ax.set_ylabel("95th-percentile wait at the point (min)")
    ax.set_xlabel("district")
    ax.grid(axis="y", alpha=0.3)
    ax.set_axisbelow(True)
    ax.set_title(
        "Box: the district's points' quartiles; whiskers: their 5th-95th percentile",
        fontsize=9,
    )
    fig.suptitle(
        f"95th-percentile wait at each of the {wait.size:,} collection points, by district",
        fontsize=12,
    )
    return fig


def _name_worst(ax: Axes, x: np.ndarray, wait: np.ndarray, sites: list[str], n: int) -> None:
    """Name the :data:`WORST_NAMED` points of highest ``wait`` in rows above the data.

    The point furthest right gets the lowest row, the next one to its left the row above,
    and so on; each name starts at its point's x (ends there near the right edge) with a
    vertical line down to the point, so the lines cross no name.
    """
    finite = np.flatnonzero(np.isfinite(wait))
    if not finite.size:
        return
    order = finite[np.argsort(-wait[finite], kind="stable")][:WORST_NAMED]
    # A black ring round each named point (a line of markers, not a second scatter).
    ax.plot(
        x[order], wait[order], ls="", marker="o", ms=7, mfc="none", mec="black", mew=1.0, zorder=4
    )
    by_x = order[np.argsort(-x[order], kind="stable")]  # rightmost first: lowest row
    for row, i in enumerate(by_x):
        right = x[i] > n - 1.8  # near the right edge: the name ends at the point
        ax.annotate(
            sites[i],
            (x[i], wait[i]),
            xytext=(x[i], 0.74 + 0.05 * row),
            textcoords=("data", "axes fraction"),
            ha="right" if right else "left",
            va="bottom",
            fontsize=8,
            arrowprops={
                "arrowstyle": "-",
                "color": "#555555",
                "lw": 0.7,
                "relpos": (1.0, 0.0) if right else (0.0, 0.0),
                "shrinkA": 0,
                "shrinkB": 3,
            },
            bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.8, "pad": 0.5},
            zorder=4,
        )


# --------------------------------------------------------------------------------------------
# 3. Map


def city_map_figure(points: pd.DataFrame, labs: Sequence[tuple[str, float, float]]) -> Figure:
    """The city's map: every collection point at ``(x_km, y_km)``, coloured by its
    95th-percentile wait (minutes, colour bar) and sized by residents arrived (marker area in
    proportion); the labs as black triangles with their names; each district's name at the
    centre (mean position) of its points. Equal scales on both axes (km). Points are drawn
    from the shortest wait to the longest, so the worst are on top. Only round 1 is drawn
    when the table has a ``round`` column.

    Parameters
    ----------
    points
        The ``points`` table of :meth:`CityResult.tables`: columns ``district``, ``x_km``,
        ``y_km`` (km), ``wait_p95_min`` (minutes; NaN drawn grey) and ``arrived`` (residents).
    labs
        ``(name, x_km, y_km)`` of each lab (:meth:`CityResult.labs_at`).
    """
    pts = _first_round(points)
    xs = pts["x_km"].to_numpy(dtype=float)
    ys = pts["y_km"].to_numpy(dtype=float)
    wait = pts["wait_p95_min"].to_numpy(dtype=float)
    arrived = pts["arrived"].to_numpy(dtype=float)
    lab_x = np.array([float(lab[1]) for lab in labs])
    lab_y = np.array([float(lab[2]) for lab in labs])
    all_x = np.concatenate([xs, lab_x])
    all_y = np.concatenate([ys, lab_y])
    span_x = float(np.ptp(all_x)) if all_x.size else 1.0
    span_y = float(np.ptp(all_y)) if all_y.size else 1.0
    ratio = min(max(span_y / max(span_x, 1e-9), 0.4), 1.6)
    fig = Figure(figsize=(11.0, min(max(7.8 * ratio + 1.6, 5.0), 13.5)), layout="constrained")
    ax = fig.add_subplot()
    if not xs.size:
        _no_data(ax, "no collection points")
        return fig

    # Points, shortest wait first (NaN: no one tested, drawn first, grey).
    order = np.argsort(np.nan_to_num(wait, nan=-np.inf), kind="stable")
    biggest = max(float(np.nanmax(arrived)) if np.isfinite(arrived).any() else 1.0, 1.0)
    s_max = min(max(30000.0 / xs.size, 16.0), 110.0)  # marker area of the busiest point, pt^2

    def area(a: np.ndarray) -> np.ndarray:
        return np.maximum(s_max * np.nan_to_num(a) / biggest, 3.0)

    cmap = _colormap("YlOrRd").with_extremes(bad="#bdbdbd")
    finite = wait[np.isfinite(wait)]
    dots = ax.scatter(
        xs[order],
        ys[order],
        c=wait[order],
        s=area(arrived[order]),
        cmap=cmap,
        vmin=0.0,
        vmax=max(float(finite.max()) if finite.size else 1.0, 1.0),
        edgecolors="#444444",
        linewidths=0.3,
        plotnonfinite=True,
        zorder=2,
    )
    bar = fig.colorbar(dots, ax=ax, location="right", fraction=0.04, aspect=30, shrink=0.8)
    bar.set_label("95th-percentile wait at the point (min)")

    # District names at their points' centre (just below it when a lab's triangle is there).
    frame = pts[["district", "x_km", "y_km"]]
    centres = frame.groupby("district", sort=False)[["x_km", "y_km"]].mean()
    near = 0.05 * max(span_x, span_y, 1.0)  # km
    for name, (cx, cy) in zip(centres.index, centres.to_numpy(), strict=True):
        crowded = bool(np.any(np.hypot(lab_x - cx, lab_y - cy) < near))
        ax.text(
            cx,
            cy - 0.6 * near if crowded else cy,
            str(name),
            ha="center",
            va="top" if crowded else "center",
            fontsize=10,
            fontweight="bold",
            color="#222222",
            alpha=0.9,
            path_effects=_halo(3.5),
            zorder=4,
        )

    # Labs.
    if labs:
        ax.scatter(
            lab_x,
            lab_y,
            marker="^",
            s=130,
            c="black",
            edgecolors="white",
            linewidths=1.0,
            zorder=5,
        )
        for name, lx, ly in labs:
            ax.annotate(
                str(name),
                (float(lx), float(ly)),
                xytext=(0, 8),
                textcoords="offset points",
                ha="center",
                va="bottom",
                fontsize=8.5,
                fontstyle="italic",
                path_effects=_halo(2.5),
                zorder=6,
            )

    # Marker sizes: three round numbers of residents.
    sizes = _round_sizes(biggest)
    handles: list[Any] = [
        Line2D(
            [],
            [],
            ls="",
            marker="o",
            markersize=math.sqrt(float(area(np.array([v]))[0])),
            markerfacecolor="white",
            markeredgecolor="#444444",
            label=f"{v:,.0f}",
        )
        for v in sizes
    ]
    handles.append(Line2D([], [], ls="", marker="^", markersize=10, color="black", label="lab"))
    ax.legend(
        handles=handles,
        title="marker size: residents arrived at the point",
        title_fontsize=8,
        fontsize=8,
        loc="upper center",
        bbox_to_anchor=(0.5, -0.07),
        ncols=len(handles),
        frameon=False,
        columnspacing=2.0,
    )
    ax.set_aspect("equal")
    pad = 0.04 * max(span_x, span_y, 1.0)
    ax.set_xlim(float(all_x.min()) - pad, float(all_x.max()) + pad)
    ax.set_ylim(float(all_y.min()) - pad, float(all_y.max()) + 2.5 * pad)
    ax.set_xlabel("x (km)")
    ax.set_ylabel("y (km)")
    ax.grid(alpha=0.25)
    ax.set_axisbelow(True)
    fig.suptitle(
        f"The city's {xs.size:,} collection points: 95th-percentile wait (colour) and "
        "residents arrived (size)",
        fontsize=12,
    )
    return fig


def _round_sizes(biggest: float) -> list[float]:
    """Three round numbers up to ``biggest`` (residents) for the marker-size key."""
    step = 10.0 ** math.floor(math.log10(max(biggest, 1.0)))
    top = math.floor(biggest / step) * step
    return sorted({max(top / 4, 1.0), max(top / 2, 1.0), top})


# --------------------------------------------------------------------------------------------
# 4. Labs


def lab_load_figure(lab_backlog: pd.DataFrame) -> Figure:
    """The city's labs hour by hour (x: hours since day 1 00:00; midnights dotted).

    Top: tubes waiting for a result at each lab on the hour (delivered, not yet resulted),
    one line per lab. Bottom: tubes resulted in each hour by all labs together (a bar from
    the hour to the next). A tube holds a pool of swabs.

    Parameters
    ----------
    lab_backlog
        The ``lab_backlog`` table of :meth:`CityResult.tables`: columns ``lab``, ``time_min``
        (the hour, minutes after midnight of day 1), ``tubes_waiting`` and
        ``tubes_resulted`` (tubes).
    """
    fig = Figure(figsize=(13.0, 7.4), layout="constrained")
    ax_wait, ax_done = fig.subplots(2, 1, sharex=True, height_ratios=[1.5, 1.0])
    if lab_backlog.empty:
        _no_data(ax_wait, "no labs in use")
        _no_data(ax_done, "no labs in use")
        return fig
    names = _in_order(lab_backlog["lab"])
    colours = _lab_colours(len(names))
    lab_col = lab_backlog["lab"].astype(str)
    for name, colour in zip(names, colours, strict=True):
        rows = lab_backlog[lab_col == name]
        hours = rows["time_min"].to_numpy(dtype=float) / 60.0
        ax_wait.plot(hours, rows["tubes_waiting"].to_numpy(), color=colour, lw=1.6, label=name)
    totals = lab_backlog.groupby("time_min", sort=True)["tubes_resulted"].sum()
    hours = totals.index.to_numpy(dtype=float) / 60.0
    ax_done.bar(
        hours,
        totals.to_numpy(),
        width=1.0,
        align="edge",
        color=_RESULTED_COLOUR,
        edgecolor="white",
        linewidth=0.3,
    )
    start = math.floor(float(lab_backlog["time_min"].min()) / 60.0)
    end = math.ceil(float(lab_backlog["time_min"].max()) / 60.0) + 1
    step = tick_step_h(60.0 * (end - start), 16)
    ax_done.set_xlim(start, end)
    ax_done.xaxis.set_major_locator(MultipleLocator(step))
    for midnight in range(24 * math.ceil(start / 24), end + 1, 24):
        for ax in (ax_wait, ax_done):
            ax.axvline(midnight, color="grey", ls=":", lw=0.9, zorder=0)
        if (end - start) / 24 <= 20:
            ax_wait.annotate(
                f"day {midnight // 24 + 1}",
                (midnight, 1.0),
                xycoords=("data", "axes fraction"),
                xytext=(3, -3),
                textcoords="offset points",
                ha="left",
                va="top",
                fontsize=8,
                color="grey",
            )
    thousands = FuncFormatter(lambda v, _pos: f"{v:,.0f}")
    ax_wait.yaxis.set_major_formatter(thousands)
    ax_done.yaxis.set_major_formatter(thousands)
    ax_wait.set_ylim(bottom=0)
    ax_wait.set_ylabel("tubes waiting at the lab\n(delivered, no result yet)")
    ax_wait.set_title("Tubes waiting at each lab, on the hour", fontsize=10)
    legend_right(ax_wait, "lab")
    ax_done.set_ylabel("tubes resulted\nin the hour")
    ax_done.set_title("Tubes resulted per hour, all labs", fontsize=10)
    ax_done.set_xlabel("hours since day 1 00:00")
    for ax in (ax_wait, ax_done):
        ax.grid(axis="y", alpha=0.3)
        ax.tick_params(axis="x", labelbottom=True, labelsize=8)
    fig.suptitle(f"The city's labs ({len(names)}): backlog and output by hour", fontsize=12)
    return fig


# --------------------------------------------------------------------------------------------
# All of them


def city_figure_set(
    tables: Mapping[str, pd.DataFrame],
    labs: Sequence[tuple[str, float, float]],
    wait_target_min: float | None = None,
    coverage_target: float | None = None,
) -> dict[str, Figure]:
    """The city's figures keyed by their PNG file names (:data:`CITY_FIGURES`), drawn from
    the tables of :meth:`CityResult.tables` and the labs' places (:meth:`CityResult.labs_at`);
    ``lab_load.png`` only when there is a ``lab_backlog`` table. Targets as in
    :func:`district_figure` (wait in minutes, coverage a share)."""
    figs = {
        "districts.png": district_figure(tables["districts"], wait_target_min, coverage_target),
        "point_waits.png": point_wait_figure(tables["points"], wait_target_min),
        "city_map.png": city_map_figure(tables["points"], labs),
    }
    if "lab_backlog" in tables:
        figs["lab_load.png"] = lab_load_figure(tables["lab_backlog"])
    return figs


__all__ = [
    "CITY_FIGURES",
    "WORST_NAMED",
    "city_figure_set",
    "city_map_figure",
    "district_figure",
    "lab_load_figure",
    "point_wait_figure",
]

"""Figures of a staffing plan (:class:`~sim.planning.plan.StaffingPlan`): staff by hour at a
point, and person-hours per point.

:func:`point_staffing_figure` draws, for one point and each day of the round (one panel per
day), the residents arriving per staffing slot (grey bars, right axis), the staff each role
needs (the ISA's requirement: solid steps), the planned roster's staff serving (dashed steps)
and the current roster's open desks/booths as the model opens them (dotted steps).
:func:`district_staffing_figure` draws each point's person-hours over the round, current
beside planned, largest first.

The figures draw what the plan holds (:meth:`StaffingPlan.table`) and what
:mod:`sim.plots.plan_report` reads off the two configs (the current roster per slot,
person-hours per point and role, summed per point by
:func:`sim.metrics.figure_data.person_hours_by_point`); nothing is simulated or planned here.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, MaxNLocator, MultipleLocator

from sim.config.clock import clock_to_min, min_to_clock
from sim.metrics.figure_data import person_hours_by_point

if TYPE_CHECKING:
    from sim.planning.plan import StaffingPlan

#: Colours of the roles (as in :mod:`sim.plots.district_figures`).
ROLE_COLOURS = {"registration": "#9467bd", "swab": "#ff7f0e"}
ROLE_LABELS = {"registration": "registrars (desks)", "swab": "swabbers (booths)"}
_ARRIVALS_COLOUR = "#c8c8c8"
_CURRENT_COLOUR = "#1f77b4"
_PLANNED_COLOUR = "#2ca02c"
#: Panels side by side in a row when a round has more than three days.
_WIDE_COLUMNS = 2


def point_staffing_figure(plan: StaffingPlan, point_name: str) -> Figure:
    """Staff by hour at one point: arrivals, required, planned and current staff per role.

    One panel per day of the round (a single panel for a one-day round). Arrivals are the mean
    over the planning replications of the residents arriving in each slot; required staff are
    the hourly requirement (:attr:`StaffingPlan.requirements`); rostered staff are those the
    planned roster has serving through the slot (the roster repeats daily); the current
    roster's open desks/booths are drawn as the model opens them, minute by minute (a
    hand-over may close them for a few minutes).

    Raises
    ------
    ValueError
        If the plan has no point ``point_name``.
    """
    from sim.plots.plan_report import current_staffing

    names = [req.name for req in plan.requirements]
    if point_name not in names:
        raise ValueError(f"the plan has no point {point_name!r}; its points: {', '.join(names)}")
    req = plan.requirements[names.index(point_name)]
    table = plan.table()
    rows = table[table["point"] == point_name].copy()
    rows["start_h"] = [clock_to_min(h) / 60.0 for h in rows["hour"]]
    current = current_staffing(plan, point_name)
    slot_h = req.slots.length_min / 60.0
    days = sorted(int(d) for d in rows["day"].unique())
    cols = 1 if len(days) <= 3 else _WIDE_COLUMNS
    nrows = math.ceil(len(days) / cols)
    fig = Figure(figsize=(11.0 if cols == 1 else 15.0, 3.3 * nrows + 1.2), layout="constrained")
    axes = fig.subplots(nrows, cols, squeeze=False, sharey=True)
    arrivals_top = max(1.0, float(rows["arrivals"].max()) * 1.15)
    staff_top = max(
        1.0,
        float(rows[["required", "rostered"]].to_numpy().max()),
        float(current["open"].max()) if len(current) else 0.0,
    )
    for k, day in enumerate(days):
        ax = axes[k // cols][k % cols]
        twin = ax.twinx()
        day_rows = rows[rows["day"] == day]
        first_role = day_rows[day_rows["role"] == req.stages[0]].sort_values("start_h")
        starts = first_role["start_h"].to_numpy(dtype=float)
        twin.bar(
            starts + slot_h / 2.0,
            first_role["arrivals"].to_numpy(dtype=float),
            width=slot_h * 0.9,
            color=_ARRIVALS_COLOUR,
            alpha=0.7,
        )
        twin.set_ylim(0.0, arrivals_top)
        twin.set_ylabel("arrivals per slot", fontsize=9, color="#666666")
        twin.tick_params(axis="y", labelsize=8, colors="#666666")
        for role in req.stages:
            sub = day_rows[day_rows["role"] == role].sort_values("start_h")
            x = sub["start_h"].to_numpy(dtype=float)
            edges = np.append(x, x[-1] + slot_h)
            colour = ROLE_COLOURS.get(role, "#333333")
            ax.stairs(
                sub["required"].to_numpy(dtype=float),
                edges,
                baseline=None,
                color=colour,
                linewidth=2.2,
            )
            ax.stairs(
                sub["rostered"].to_numpy(dtype=float),
                edges,
                baseline=None,
                color=colour,
                linewidth=1.5,
                linestyle="--",
            )
            cur = current[(current["role"] == role) & (current["day"] == day)]
            if len(cur):
                cur = cur.sort_values("start_h")
                ax.stairs(
                    cur["open"].to_numpy(dtype=float),
                    np.append(cur["start_h"].to_numpy(dtype=float), float(cur["end_h"].iloc[-1])),
                    baseline=None,
                    color=colour,
                    linewidth=1.2,
                    linestyle=":",
                )
        ax.set_zorder(twin.get_zorder() + 1)  # the steps over the bars
        ax.patch.set_visible(False)
        ax.set_ylim(0.0, staff_top * 1.15 + 0.5)
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_ylabel("staff serving", fontsize=9)
        ax.xaxis.set_major_locator(MultipleLocator(1.0 if len(starts) <= 16 else 2.0))
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _pos: min_to_clock(v * 60.0)))
        ax.tick_params(axis="x", labelsize=8, rotation=0)
        ax.tick_params(axis="y", labelsize=8)
        ax.grid(axis="y", alpha=0.3)
        if len(days) > 1:
            ax.set_title(f"day {day}", fontsize=10, loc="left")
    for k in range(len(days), nrows * cols):
        axes[k // cols][k % cols].set_visible(False)
    handles: list[Line2D | Patch] = []
    for role in req.stages:
        colour = ROLE_COLOURS.get(role, "#333333")
        label = ROLE_LABELS.get(role, role)
        handles += [
            Line2D([], [], color=colour, linewidth=2.2, label=f"{label}: required"),
            Line2D([], [], color=colour, linewidth=1.5, linestyle="--", label=f"{label}: planned"),
            Line2D([], [], color=colour, linewidth=1.2, linestyle=":", label=f"{label}: current"),
        ]
    handles.append(Patch(color=_ARRIVALS_COLOUR, label="arrivals per slot (right axis)"))
    fig.legend(  # a column per role (required, planned, current), then the arrivals
        handles=handles,
        loc="outside lower center",
        ncols=len(req.stages) + 1,
        fontsize=8,
        frameon=False,
    )
    converged = "converged" if req.converged else "not converged"
    fig.suptitle(
        f"{point_name}: staff by hour, required (ISA, P(wait) {req.alpha:g}, {req.iterations} "
        f"iterations, {converged}), planned and current roster",
        fontsize=11,
    )
    return fig


def district_staffing_figure(plan: StaffingPlan) -> Figure:
    """Person-hours over the round per point, current beside planned, the largest (planned)
    first; the totals in the title."""
    from sim.plots.plan_report import person_hours_table

    per_point = person_hours_by_point(person_hours_table(plan))
    n = len(per_point.points)
    fig = Figure(figsize=(11.0, max(3.0, 0.32 * n + 1.6)), layout="constrained")
    ax = fig.add_subplot()
    y = np.arange(n, dtype=float)
    bar = 0.4
    for offset, layout, values, colour in (
        (-bar / 2, "current", per_point.current, _CURRENT_COLOUR),
        (bar / 2, "planned", per_point.planned, _PLANNED_COLOUR),
    ):
        bars = ax.barh(y + offset, values, height=bar, color=colour, label=layout)
        ax.bar_label(bars, fmt="{:,.0f}", padding=2, fontsize=7)
    ax.set_ylim(n - 0.4, -0.6)  # the first point on top
    ax.margins(x=0.08)
    ax.set_yticks(y, list(per_point.points), fontsize=8 if n > 20 else 9)
    ax.set_xlabel("person-hours over the round (registration and swab)")
    ax.grid(axis="x", alpha=0.3)
    ax.legend(loc="lower right", fontsize=9)
    current, planned = float(per_point.current.sum()), float(per_point.planned.sum())
    change = planned - current
    verb = "saved" if change <= 0 else "added"
    ax.set_title(
        f"Person-hours per point: current {current:,.0f}, planned {planned:,.0f} "
        f"({abs(change):,.0f} {verb})",
        fontsize=11,
    )
    return fig

"""The mobile teams' figure: employees swabbed on each campaign day, by team and round.

Plots draw what they are given (:func:`sim.metrics.figure_data.mobile_team_days` computes);
matplotlib is imported here only.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.figure import Figure

from sim.experiment.result import RunResult
from sim.metrics.figure_data import mobile_team_days

_TEAM_COLOURS = ("#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02", "#a6761d")


def mobile_teams_figure(data: RunResult | Sequence[RunResult], level: float = 0.95) -> Figure:
    """Employees the mobile teams swabbed on each campaign day, stacked by team, with the
    rounds' days shaded.

    ``data`` is a result or replications of one scenario with mobile teams (each bar is then
    the mean over replications, and the whisker on a day's total its ``level`` Student-t
    interval). The title gives the campaign's samples and the share of those due.
    """
    results = [data] if isinstance(data, RunResult) else list(data)
    if not results or any(r.mobile is None for r in results):
        raise ValueError("need results of a scenario with mobile teams (mobile.teams > 0)")
    first = results[0]
    days = first.config.campaign.last_day
    sampled = mobile_team_days([r.mobile for r in results if r.mobile is not None], days, level)
    teams, mean = sampled.mean.shape[0], sampled.mean
    x = np.arange(1, days + 1)
    fig = Figure(figsize=(min(max(9.0, 0.5 * days + 4.0), 24.0), 4.8), layout="constrained")
    ax = fig.add_subplot()
    for run in first.rounds:
        ax.axvspan(run.start_day - 0.5, run.start_day + run.days - 0.5, color="0.93", zorder=0)
    bottom = np.zeros(days)
    for k in range(teams):
        ax.bar(
            x,
            mean[k],
            bottom=bottom,
            width=0.8,
            color=_TEAM_COLOURS[k % len(_TEAM_COLOURS)],
            label=f"team {k + 1}",
            zorder=2,
        )
        bottom += mean[k]
    if len(results) > 1:
        ax.errorbar(
            x,
            bottom,
            yerr=np.vstack([bottom - sampled.low, sampled.high - bottom]),
            fmt="none",
            ecolor="black",
            capsize=3,
            lw=1.0,
            zorder=3,
        )
    total, share = sampled.total, sampled.share
    ax.set_xticks(x, labels=[f"day {d}" for d in x], rotation=45 if days > 14 else 0)
    ax.set_xlim(0.4, days + 0.6)
    ax.set_ylabel("employees swabbed")
    ax.legend(loc="upper right", fontsize=8, ncols=min(teams, 4))
    reps = f" (mean of {len(results)} replications)" if len(results) > 1 else ""
    ax.set_title(
        f"Mobile teams: {total:,.0f} employee samples over the campaign, "
        f"{share:.1%} of those due{reps}; rounds' days shaded",
        fontsize=10,
    )
    ax.grid(axis="y", alpha=0.3, zorder=1)
    return fig

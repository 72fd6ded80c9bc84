"""Headline figures of the mobile sampling teams, as a flat dict of plain numbers."""

from __future__ import annotations

from typing import Any

import numpy as np

from sim.config.clock import min_to_clock
from sim.model.mobile_teams import MobileRecords

_NAN = float("nan")


def mobile_summary(records: MobileRecords) -> dict[str, Any]:
    """Flat dict of the mobile teams' figures (minutes unless stated).

    Keys
    ----
    ``mobile_teams``; ``mobile_enterprises`` and how many were ``_covered`` (every employee
    sampled), ``_partial`` (visited, backlog left) or ``_unvisited``;
    ``mobile_employees``, ``mobile_sampled``, ``mobile_not_sampled`` (backlog at the round's
    end), ``mobile_coverage`` (sampled / employees);
    ``mobile_last_enterprise_done_min`` / ``_clock`` (last covered enterprise's visit end);
    ``mobile_cover_time_{mean,p95,max}_min``: time from the round's start (day 1's
    ``work_start``) to an enterprise being covered, over covered enterprises (wall-clock
    minutes, nights included);
    per team ``k`` (1-based): ``mobile_team{k}_sampled``, ``mobile_team{k}_visits``,
    ``mobile_team{k}_busy_min`` (working minutes travelling, setting up or sampling),
    ``mobile_team{k}_per_hour`` (employees sampled per busy working hour) and
    ``mobile_team{k}_utilisation`` (busy share of the round's working hours).
    NaN where there is nothing to measure.
    """
    r = records
    covered = r.covered
    visited = r.visited
    employees = int(r.workforce.sum())
    sampled = int(r.sampled.sum())
    out: dict[str, Any] = {
        "mobile_teams": r.teams,
        "mobile_enterprises": r.n,
        "mobile_enterprises_covered": int(np.count_nonzero(covered)),
        "mobile_enterprises_partial": int(np.count_nonzero(visited & ~covered)),
        "mobile_enterprises_unvisited": int(np.count_nonzero(~visited)),
        "mobile_employees": employees,
        "mobile_sampled": sampled,
        "mobile_not_sampled": int(r.not_sampled.sum()),
        "mobile_coverage": sampled / employees if employees else _NAN,
    }
    done = r.visit_end_min[covered]
    last = float(done.max()) if done.size else _NAN
    out["mobile_last_enterprise_done_min"] = last
    out["mobile_last_enterprise_done_clock"] = min_to_clock(last) if np.isfinite(last) else ""
    since_start = done - r.round_start_min
    if since_start.size:
        out["mobile_cover_time_mean_min"] = float(since_start.mean())
        out["mobile_cover_time_p95_min"] = float(np.percentile(since_start, 95))
        out["mobile_cover_time_max_min"] = float(since_start.max())
    else:
        for stat in ("mean", "p95", "max"):
            out[f"mobile_cover_time_{stat}_min"] = _NAN
    for k in range(r.teams):
        key = f"mobile_team{k + 1}"
        busy = float(r.team_busy_min[k])
        out[f"{key}_sampled"] = int(r.team_sampled[k])
        out[f"{key}_visits"] = int(r.team_visits[k])
        out[f"{key}_busy_min"] = busy
        out[f"{key}_per_hour"] = float(r.team_sampled[k]) / (busy / 60.0) if busy > 0 else _NAN
        out[f"{key}_utilisation"] = busy / r.working_min if r.working_min > 0 else _NAN
    return out

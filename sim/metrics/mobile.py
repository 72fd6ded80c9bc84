"""Figures of the mobile sampling teams over the campaign: a flat summary and tables."""

from __future__ import annotations

from typing import Any

import numpy as np

from sim.config.clock import day_clock
from sim.model.mobile_teams import (
    NOT_REACHED,
    PARTIAL,
    SAMPLED,
    SUPERSEDED,
    VISIT_OUTCOMES,
    MobileRecords,
)

_NAN = float("nan")
_DAY = 1440.0


def mobile_summary(records: MobileRecords, rounds: int = 1) -> dict[str, Any]:
    """Flat dict of the mobile teams' figures over the campaign (minutes unless stated).

    Keys
    ----
    ``mobile_teams``, ``mobile_enterprises``, ``mobile_employees`` (the enterprises'
    headcount); ``mobile_screenings`` (firm screenings that came due) and how many ended
    ``_sampled`` (every employee swabbed), ``_partial`` (the campaign ended during the visit),
    ``_superseded`` (the next one came due before a team started it) or ``_not_reached``;
    ``mobile_due`` (employee samples due: each screening's workforce), ``mobile_sampled``
    (swabs taken), ``mobile_not_sampled`` (``due - sampled``), ``mobile_coverage``
    (sampled / due); ``mobile_sampled_per_day_max`` (the busiest campaign day);
    ``mobile_last_swab_min`` / ``_clock``; ``mobile_delay_{mean,p95}_h``: hours from a
    screening coming due (midnight of its day) to its last swab, over fully sampled ones;
    per round ``k`` (of ``rounds``): ``round{k}_mobile_sampled`` (screenings due on the
    round's days) and ``mobile_between_rounds_sampled``;
    per team ``k`` (1-based): ``mobile_team{k}_sampled``, ``_visits``, ``_busy_min``
    (working minutes travelling, setting up or sampling), ``_per_hour`` (employees per busy
    hour) and ``_utilisation`` (busy share of the working hours).
    NaN where there is nothing to measure.
    """
    r = records
    outcome = r.visit_outcome
    due = int(r.visit_employees.sum())
    sampled = int(r.visit_sampled.sum())
    out: dict[str, Any] = {
        "mobile_teams": r.teams,
        "mobile_enterprises": r.n,
        "mobile_employees": int(r.workforce.sum()),
        "mobile_screenings": r.visits,
    }
    for code, name in zip((SAMPLED, PARTIAL, SUPERSEDED, NOT_REACHED), VISIT_OUTCOMES, strict=True):
        out[f"mobile_screenings_{name}"] = int(np.count_nonzero(outcome == code))
    out |= {
        "mobile_due": due,
        "mobile_sampled": sampled,
        "mobile_not_sampled": due - sampled,
        "mobile_coverage": sampled / due if due else _NAN,
    }
    per_day = np.bincount((r.swab_time // _DAY).astype(np.int64))
    out["mobile_sampled_per_day_max"] = int(per_day.max()) if per_day.size else 0
    last = float(r.swab_time.max()) if r.swab_time.size else _NAN
    out["mobile_last_swab_min"] = last
    out["mobile_last_swab_clock"] = _clock(last)
    done = outcome == SAMPLED
    delay = (r.visit_end_min[done] - _DAY * (r.visit_due_day[done] - 1)) / 60.0
    out["mobile_delay_mean_h"] = float(delay.mean()) if delay.size else _NAN
    out["mobile_delay_p95_h"] = float(np.percentile(delay, 95)) if delay.size else _NAN
    for k in range(rounds):
        out[f"round{k + 1}_mobile_sampled"] = int(r.visit_sampled[r.visit_round == k].sum())
    out["mobile_between_rounds_sampled"] = int(r.visit_sampled[r.visit_round < 0].sum())
    working = r.working_min
    for k in range(r.teams):
        key = f"mobile_team{k + 1}"
        busy = float(r.team_busy_min[k])
        out[f"{key}_sampled"] = int(r.team_sampled[k])
        out[f"{key}_visits"] = int(r.team_visits[k])
        out[f"{key}_busy_min"] = busy
        out[f"{key}_per_hour"] = float(r.team_sampled[k]) / (busy / 60.0) if busy > 0 else _NAN
        out[f"{key}_utilisation"] = busy / working if working > 0 else _NAN
    return out


def screening_table(records: MobileRecords) -> list[dict[str, Any]]:
    """One row per screening that came due: round (1-based; 0 between rounds), due day,
    enterprise, zone, team (0: none), visit start and end (minutes, and as ``day 3 08:10``),
    employees, sampled, not sampled and outcome."""
    r = records
    rows = []
    for v in range(r.visits):
        firm = int(r.visit_firm[v])
        start, end = float(r.visit_start_min[v]), float(r.visit_end_min[v])
        rows.append(
            {
                "round": int(r.visit_round[v]) + 1,
                "due_day": int(r.visit_due_day[v]),
                "enterprise": str(r.name[firm]),
                "zone": int(r.zone[firm]),
                "team": int(r.visit_team[v]),
                "visit_start_min": start,
                "visit_end_min": end,
                "visit_start": _clock(start),
                "visit_end": _clock(end),
                "employees": int(r.workforce[firm]),
                "sampled": int(r.visit_sampled[v]),
                "not_sampled": int(r.visit_not_sampled[v]),
                "outcome": VISIT_OUTCOMES[int(r.visit_outcome[v])],
            }
        )
    return rows


def team_table(records: MobileRecords) -> list[dict[str, Any]]:
    """One row per team and round (1-based; 0: screenings due between rounds): visits
    started and employees swabbed; with the team's campaign-wide busy minutes and
    utilisation on every row of that team."""
    r = records
    rows = []
    for k in range(r.teams):
        mine = r.visit_team == k + 1
        busy = float(r.team_busy_min[k])
        for rnd in sorted({int(x) for x in r.visit_round[mine]} or {0}):
            sel = mine & (r.visit_round == rnd)
            rows.append(
                {
                    "round": rnd + 1,
                    "team": k + 1,
                    "visits": int(np.count_nonzero(sel)),
                    "sampled": int(r.visit_sampled[sel].sum()),
                    "campaign_busy_min": busy,
                    "campaign_utilisation": busy / r.working_min if r.working_min else _NAN,
                }
            )
    return rows


def sampled_per_day(records: MobileRecords, days: int) -> np.ndarray:
    """Employees swabbed on each campaign day (length ``days``; later swabs on the last)."""
    day = np.minimum((records.swab_time // _DAY).astype(np.int64), days - 1)
    return np.bincount(day, minlength=days)[:days]


def _clock(t: float) -> str:
    return day_clock(t) if np.isfinite(t) else ""

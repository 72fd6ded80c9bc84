"""Figures of door-to-door sampling: homebound residents visited at home, by round and team.

The homebound residents count with the points' residents wherever a round's residents are
counted (``residents``, ``tested``, ``coverage``, tests by day and sub-district, the
population groups' coverage: :func:`everyone`); waits and lines are the points'.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

import numpy as np

from sim.config.clock import day_clock
from sim.config.door_to_door import GREEN_GROUPS, door_team_name
from sim.config.staffing import DAY_MIN
from sim.model import records as rec
from sim.model.door_to_door import DoorToDoorRecords

_NAN = float("nan")


class Everyone(NamedTuple):
    """Every resident of a round, the points' then the homebound (in resident-number order).

    Attributes
    ----------
    tested
        Tested by the end of the round (at a point, or at home).
    done
        When the resident was tested: left a point's last stage, or the visit ended (NaN: not
        tested).
    subdistrict, group
        Sub-district and population group codes (None where the points' records have none).
    """

    tested: np.ndarray
    done: np.ndarray
    subdistrict: np.ndarray | None
    group: np.ndarray | None


def everyone(run: rec.RoundRun) -> Everyone:
    """The round's residents, at the points and at home, for counting coverage."""
    r = run.residents
    tested = r.outcome == rec.TESTED
    h = run.door_to_door
    if h is None:
        return Everyone(tested, r.done, r.subdistrict, r.group)

    def both(points: np.ndarray | None, home: np.ndarray) -> np.ndarray | None:
        if points is None:
            return None
        return np.concatenate([np.asarray(points), np.asarray(home).astype(points.dtype)])

    group = r.group if r.group is not None else np.zeros(r.n, dtype=np.int8)
    return Everyone(
        np.concatenate([tested, h.visited]),
        np.concatenate([r.done, h.visit_end]),
        both(r.subdistrict, h.subdistrict),
        both(group, h.group),
    )


def _clock(t: float) -> str:
    return day_clock(t) if np.isfinite(t) else ""


def _round_figures(h: DoorToDoorRecords, days: int) -> dict[str, Any]:
    """One round's door-to-door figures (keys without the ``door_to_door_`` prefix)."""
    visited = int(h.visited.sum())
    out: dict[str, Any] = {
        "teams": h.teams,
        "residents": h.n,
    }
    for code, name in enumerate(GREEN_GROUPS):
        out[f"residents_{name}"] = int(np.sum(h.green_group == code))
    out |= {
        "visited": visited,
        "not_visited": h.n - visited,
        "coverage": visited / h.n if h.n else _NAN,
    }
    done = h.visit_end[h.visited]
    by_day = np.bincount(np.floor(done / DAY_MIN).astype(np.int64), minlength=days)
    for d in range(days):
        out[f"visited_day{d + 1}"] = int(by_day[d])
    first = float(np.nanmin(h.visit_start)) if visited else _NAN
    last = float(done.max()) if visited else _NAN
    out["first_visit_min"] = first
    out["first_visit_clock"] = _clock(first)
    out["last_visit_min"] = last
    out["last_visit_clock"] = _clock(last)
    working = h.working_min
    team_days = h.teams * len(h.windows)
    out["visits_per_team_day"] = visited / team_days if team_days else _NAN
    busy = float(h.team_busy_min.sum())
    out["utilisation"] = busy / (working * h.teams) if working > 0 and h.teams else _NAN
    for k in range(h.teams):
        out[f"team{k + 1}_visits"] = int(h.team_visits[k])
        out[f"team{k + 1}_utilisation"] = (
            float(h.team_busy_min[k]) / working if working > 0 else _NAN
        )
    return out


def door_to_door_summary(runs: Sequence[rec.RoundRun]) -> dict[str, Any]:
    """Flat dict of door-to-door sampling's figures (minutes unless stated).

    Keys (the first round's, like the summary's other unprefixed keys)
    ------------------------------------------------------------------
    ``door_to_door_teams``; ``door_to_door_residents`` (homebound residents of the round) and
    ``door_to_door_residents_<group>`` per green-channel group (``over_70``, ``disabled``,
    ``pregnant``, ``under_8``); ``door_to_door_visited`` (swabbed at home),
    ``door_to_door_not_visited`` (no team came by the end of the round: not tested),
    ``door_to_door_coverage`` (visited / residents); ``door_to_door_visited_day<d>`` per day of
    the round; ``door_to_door_first_visit_min`` / ``_clock`` (a team's first arrival at a
    home) and ``door_to_door_last_visit_min`` / ``_clock`` (the last swab), minutes after
    midnight of the round's first day; ``door_to_door_visits_per_team_day`` (homes visited per
    team and working day); ``door_to_door_utilisation`` (the teams' travelling and visiting
    time over their working time); per team ``k`` (1-based) ``door_to_door_team<k>_visits``
    and ``door_to_door_team<k>_utilisation``. With several rounds, for each round ``k``
    ``round<k>_door_to_door_residents``, ``_visited``, ``_not_visited``, and over the
    campaign ``campaign_door_to_door_visited`` and ``campaign_door_to_door_not_visited``.
    Empty without door-to-door sampling.
    """
    homes = [run.door_to_door for run in runs]
    if not runs or homes[0] is None:
        return {}
    first = _round_figures(homes[0], runs[0].days)
    out = {f"door_to_door_{key}": value for key, value in first.items()}
    if len(runs) > 1:
        visited = not_visited = 0
        for run, h in zip(runs, homes, strict=True):
            assert h is not None
            k = run.round + 1
            v = int(h.visited.sum())
            out[f"round{k}_door_to_door_residents"] = h.n
            out[f"round{k}_door_to_door_visited"] = v
            out[f"round{k}_door_to_door_not_visited"] = h.n - v
            visited += v
            not_visited += h.n - v
        out["campaign_door_to_door_visited"] = visited
        out["campaign_door_to_door_not_visited"] = not_visited
    return out


def door_to_door_table(runs: Sequence[rec.RoundRun]) -> list[dict[str, Any]]:
    """One row per round and team: ``round`` (1-based), ``team`` (1-based), ``site`` (where
    its tubes are collected), ``homes`` (homebound residents on its list), ``visited``,
    ``not_visited``, ``first_visit`` / ``last_visit`` (``day 1 08:06``; its first arrival and
    last swab), ``busy_min`` (travelling and visiting), ``travel_min``, ``working_min`` (its
    working time in the round), ``utilisation`` (busy / working) and ``visits_per_hour``
    (homes per busy hour)."""
    rows = []
    for run in runs:
        h = run.door_to_door
        if h is None:
            continue
        working = h.working_min
        for k in range(h.teams):
            mine = h.team == k
            visited = int(np.sum(h.visited & mine))
            busy = float(h.team_busy_min[k])
            rows.append(
                {
                    "round": run.round + 1,
                    "team": k + 1,
                    "site": door_team_name(k),
                    "homes": int(mine.sum()),
                    "visited": visited,
                    "not_visited": int(mine.sum()) - visited,
                    "first_visit": _clock(float(h.team_first_min[k])),
                    "last_visit": _clock(float(h.team_last_min[k])),
                    "busy_min": busy,
                    "travel_min": float(h.team_travel_min[k]),
                    "working_min": working,
                    "utilisation": busy / working if working > 0 else _NAN,
                    "visits_per_hour": visited / (busy / 60.0) if busy > 0 else _NAN,
                }
            )
    return rows

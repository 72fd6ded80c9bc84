"""A fixed budget of staff: where and when to put them, and what one more person is worth.

Given ``swabbers`` (and ``registrars``) on duty at once in the district, :func:`allocate_budget`
shares them over the points and hours so as to minimise the worst point's p95 wait (or the
share of residents left untested, ``objective="coverage"``):

1. **In proportion to the load**: in every hour the whole budget is on duty, one person at
   each point open then and the rest one at a time to the point furthest below its share of
   the hour's offered load (arrivals in the hour times the mean service time).
2. **Greedy moves with simulation**: the points are simulated on their own residents (the
   replications of :func:`sim.planning.isa.point_demands`, common random numbers); one person
   moves, in the hour the worst point's line is longest, from the point best off then to the
   worst point, kept when the worse of the two ends better than the worst was; repeated
   while moves help (lines carry over from hour to hour, which the proportional share
   ignores).
3. **Marginal value**: each point simulated again with one more swabber (registrar) in every
   hour: how much its p95 wait (or untested share) falls.

The budget counts people serving at once (desks/booths staffed), per role; with rosters the
people on duty are more (shifts overlap at hand-overs, rests): the rosters of the allocation are
planned like the staffing planner's (:func:`sim.planning.plan.plan_staffing`) when asked.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from sim.config.build import check_config
from sim.config.schema import ScenarioConfig
from sim.experiment.backends import run_map
from sim.planning.isa import (
    PointDemand,
    Slots,
    check_plannable,
    point_demands,
    point_slots,
    service_level,
    simulate_point,
    stage_occupancy,
)

if TYPE_CHECKING:
    import pandas as pd

#: What the allocation minimises: the worst point's p95 wait, or the worst point's share of
#: residents (who came in the line's hours) left untested.
OBJECTIVES = {"worst_p95": "wait_p95_min", "coverage": "share_not_tested"}


class BudgetTooSmall(ValueError):
    """The budget cannot open every point in every hour it is open."""


@dataclass
class BudgetPlan:
    """What :func:`allocate_budget` returns.

    Attributes
    ----------
    budget
        People on duty at once per stage (``registration``, ``swab``).
    objective
        ``worst_p95`` or ``coverage``.
    names, stages
        The points and each point's stages.
    slots
        Each point's staffing slots.
    staff
        Per point, per stage, staff in each slot.
    level
        Per point, its service levels with that staff (:func:`sim.planning.isa.service_level`).
    marginal
        Per role, per point: the objective's metric with one more person of that role there
        in every hour (NaN where the point has no such stage).
    greedy_steps
        People moved by step 2 (a person moved in one hour counts once).
    """

    budget: dict[str, int]
    objective: str
    names: list[str]
    stages: list[tuple[str, ...]]
    slots: list[Slots]
    staff: list[list[np.ndarray]]
    level: list[dict[str, float]]
    marginal: dict[str, list[float]]
    greedy_steps: int

    @property
    def metric(self) -> str:
        """The summary metric the objective is about."""
        return OBJECTIVES[self.objective]

    @property
    def worst(self) -> tuple[str, float]:
        """The worst point and its value of the objective's metric."""
        values = [lv[self.metric] for lv in self.level]
        k = int(np.argmax(values))
        return self.names[k], float(values[k])

    def table(self) -> pd.DataFrame:
        """One row per point: its service levels, peak staff per stage, and the marginal value
        of one more person of each role there in every hour (``one_more_swab``,
        ``one_more_registration``: how much the objective's metric falls)."""
        import pandas as pd

        rows = []
        for k, name in enumerate(self.names):
            row: dict[str, Any] = {"point": name, **self.level[k]}
            for j, stage in enumerate(self.stages[k]):
                row[f"{stage}_peak"] = int(self.staff[k][j].max())
            for role, values in self.marginal.items():
                row[f"one_more_{role}"] = self.level[k][self.metric] - values[k]
            rows.append(row)
        return pd.DataFrame(rows)

    def hourly(self) -> pd.DataFrame:
        """One row per point, stage and slot: the staff allocated."""
        import pandas as pd

        rows = []
        for k, name in enumerate(self.names):
            sl = self.slots[k]
            for j, stage in enumerate(self.stages[k]):
                for i in range(sl.n):
                    rows.append(
                        {
                            "point": name,
                            "role": stage,
                            "day": int(sl.day[i]) + 1,
                            "slot_start_min": float(sl.starts[i]),
                            "staff": int(self.staff[k][j][i]),
                        }
                    )
        return pd.DataFrame(rows)


def offered_load(demand: PointDemand, slots: Slots, stage: int) -> np.ndarray:
    """Mean busy servers each slot would need at ``stage``: arrivals in the slot (mean over the
    replications) times the stage's mean service time, over the slot length."""
    edges = np.append(slots.starts, slots.starts[-1] + slots.length_min)
    arrivals = np.zeros(slots.n)
    for t in demand.arrivals:
        arrivals += np.histogram(t, bins=edges)[0]
    arrivals /= max(demand.replications, 1)
    service = np.concatenate([s[stage] for s in demand.service])
    mean = float(service.mean()) if service.size else 0.0
    return arrivals * mean / slots.length_min


def _share_out(
    loads: list[np.ndarray], keys: list[np.ndarray], n: int, role: str
) -> list[np.ndarray]:
    """``n`` people in every slot, shared over the points open then: one each, the rest one at
    a time to the point furthest below its share of the slot's offered load."""
    slots_at: dict[int, list[tuple[int, int]]] = {}
    for p, kk in enumerate(keys):
        for i, key in enumerate(kk.tolist()):
            slots_at.setdefault(key, []).append((p, i))
    out = [np.ones(len(kk), dtype=np.int64) for kk in keys]
    for key, members in sorted(slots_at.items()):
        if len(members) > n:
            raise BudgetTooSmall(
                f"{role}: {n} people cannot open the {len(members)} points open at "
                f"{_clock(key)} (one each at least): give at least {len(members)}"
            )
        load = np.array([loads[p][i] for p, i in members])
        total = float(load.sum())
        target = n * (load / total if total > 0 else np.full(load.size, 1.0 / load.size))
        got = np.ones(load.size, dtype=np.int64)
        for _ in range(n - load.size):
            got[int(np.argmax(target - got))] += 1
        for (p, i), g in zip(members, got.tolist(), strict=True):
            out[p][i] = g
    return out


def allocate_budget(
    config: ScenarioConfig,
    *,
    swabbers: int,
    registrars: int | None = None,
    objective: str = "worst_p95",
    replications: int = 8,
    seed: int | None = None,
    greedy: bool = True,
    n_jobs: int | None = None,
) -> BudgetPlan:
    """Share ``swabbers`` (and ``registrars``, people serving at once in the district) over
    the points and hours (module docstring).

    Raises :class:`BudgetTooSmall` naming the hour and the points when a budget cannot give
    every open point one person at a stage, and ValueError for a bad option.
    """
    check_config(config)
    check_plannable(config)
    if objective not in OBJECTIVES:
        raise ValueError(f"objective must be one of {sorted(OBJECTIVES)}, got {objective!r}")
    if not isinstance(replications, int) or replications < 2:
        raise ValueError(f"replications must be an integer >= 2, got {replications!r}")
    points = config.points
    needs_reg = any(p.registration for p in points)
    if needs_reg and registrars is None:
        raise ValueError("registrars: the points register residents; give a number of registrars")
    for name, value in (("swabbers", swabbers), ("registrars", registrars)):
        if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
            raise ValueError(f"{name} must be a whole number of people, got {value!r}")
    budget = {"swab": swabbers}
    if needs_reg:
        budget["registration"] = registrars or 0
    for role, n in budget.items():
        if n < 1:
            raise BudgetTooSmall(f"{role}: a budget of {n} opens no point (at least 1 a point)")
    demands = point_demands(config, replications, seed)
    slots = [point_slots(d) for d in demands]
    stage_of = [{name: j for j, name in enumerate(d.stages)} for d in demands]
    staff: list[list[np.ndarray]] = [
        [np.ones(sl.n, dtype=np.int64) for _ in d.stages]
        for d, sl in zip(demands, slots, strict=True)
    ]
    for role, n in budget.items():
        members = [k for k in range(len(demands)) if role in stage_of[k]]
        loads = [offered_load(demands[k], slots[k], stage_of[k][role]) for k in members]
        keys = [np.round(slots[k].starts).astype(np.int64) for k in members]
        shares = _share_out(loads, keys, n, role)
        for k, got in zip(members, shares, strict=True):
            staff[k][stage_of[k][role]] = got
    levels = _simulate_all(demands, slots, staff, n_jobs)
    metric = OBJECTIVES[objective]
    steps = 0
    if greedy:
        steps = _greedy(demands, slots, staff, levels, stage_of, metric)
    marginal = _marginal(demands, slots, staff, metric, n_jobs)
    return BudgetPlan(
        budget=budget,
        objective=objective,
        names=[d.name for d in demands],
        stages=[d.stages for d in demands],
        slots=slots,
        staff=staff,
        level=levels,
        marginal=marginal,
        greedy_steps=steps,
    )


def _clock(minutes: int) -> str:
    from sim.config.clock import day_clock

    return day_clock(float(minutes))


def _level(args: tuple[PointDemand, Slots, list[np.ndarray]]) -> dict[str, float]:
    demand, slots, staff = args
    records = [simulate_point(demand, r, slots, staff) for r in range(demand.replications)]
    return service_level(records, demand.arrivals)


def _simulate_all(
    demands: list[PointDemand],
    slots: list[Slots],
    staff: list[list[np.ndarray]],
    n_jobs: int | None,
) -> list[dict[str, float]]:
    jobs = list(zip(demands, slots, staff, strict=True))
    workers = max(1, min(n_jobs or os.cpu_count() or 1, len(jobs)))
    return run_map(_level, jobs, backend="processes", n_jobs=workers)


def _greedy(
    demands: list[PointDemand],
    slots: list[Slots],
    staff: list[list[np.ndarray]],
    levels: list[dict[str, float]],
    stage_of: list[dict[str, int]],
    metric: str,
    max_steps: int = 200,
) -> int:
    """Move one person at a time, in the hour the worst point's line is longest, from the
    point best off then (of those open with two or more) to the worst point, while it lowers
    the worst value; returns the people moved."""
    keys = [np.round(sl.starts).astype(np.int64) for sl in slots]
    tried: set[tuple[int, int, int]] = set()
    moved = 0
    for _ in range(max_steps):
        values = np.array([lv[metric] for lv in levels])
        k = int(np.argmax(values))
        if not math.isfinite(values[k]) or values[k] <= 0:
            break
        demand, sl = demands[k], slots[k]
        recs = [simulate_point(demand, r, sl, staff[k]) for r in range(demand.replications)]
        times = sl.starts + sl.length_min / 2.0
        move = None
        for role, j in stage_of[k].items():
            occ = np.mean(
                [stage_occupancy(rec, demand.arrivals[r], j, times) for r, rec in enumerate(recs)],
                axis=0,
            )
            for i in np.argsort(-(occ - staff[k][j]), kind="stable").tolist():
                if (k, j, i) in tried:
                    continue
                donors = [
                    (values[d], d)
                    for d in range(len(demands))
                    if d != k
                    and role in stage_of[d]
                    and (hit := np.flatnonzero(keys[d] == keys[k][i])).size
                    and staff[d][stage_of[d][role]][hit[0]] > 1
                ]
                if donors:
                    d = min(donors)[1]
                    di = int(np.flatnonzero(keys[d] == keys[k][i])[0])
                    gain = float(occ[i] - staff[k][j][i])
                    if move is None or gain > move[0]:
                        move = (gain, j, i, d, stage_of[d][role], di)
                break
        if move is None or move[0] <= 0:
            break
        _, j, i, d, dj, di = move
        tried.add((k, j, i))
        mine = [s.copy() for s in staff[k]]
        mine[j][i] += 1
        theirs = [s.copy() for s in staff[d]]
        theirs[dj][di] -= 1
        got_k = _level((demand, sl, mine))
        got_d = _level((demands[d], slots[d], theirs))
        if max(got_k[metric], got_d[metric]) < values[k] - 1e-9:
            staff[k], staff[d] = mine, theirs
            levels[k], levels[d] = got_k, got_d
            moved += 1
    return moved


def _marginal(
    demands: list[PointDemand],
    slots: list[Slots],
    staff: list[list[np.ndarray]],
    metric: str,
    n_jobs: int | None,
) -> dict[str, list[float]]:
    """Per role, each point's metric with one more person of that role in every hour (NaN
    where the point has no such stage)."""
    out: dict[str, list[float]] = {}
    for role in ("registration", "swab"):
        idx = [k for k, d in enumerate(demands) if role in d.stages]
        if not idx:
            continue
        plus = []
        for k in idx:
            j = demands[k].stages.index(role)
            plus.append([s + 1 if i == j else s for i, s in enumerate(staff[k])])
        got = _simulate_all([demands[k] for k in idx], [slots[k] for k in idx], plus, n_jobs)
        values = [math.nan] * len(demands)
        for k, lv in zip(idx, got, strict=True):
            values[k] = lv[metric]
        out[role] = values
    return out

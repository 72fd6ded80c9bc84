"""The staffing planner: the fewest staff-hours that meet the targets, point by point.

:func:`plan_staffing` takes a scenario and returns a :class:`StaffingPlan`:

1. **Service levels** from the scenario's ``targets`` (or given): ``wait_p95_min <= T`` and
   ``wait_mean_min <= M`` are held at every point (a district's p95 is met when every point
   meets it); ``coverage >= c`` becomes at most ``1 - c`` of a point's residents not tested
   there (without the returns the district model simulates: a cautious reading).
2. **Hourly requirements** per point and role by the iterative staffing algorithm
   (:func:`sim.planning.isa.plan_point_requirements`) on each point's own residents, drawn
   from the scenario's streams (the residents :func:`sim.run` simulates).
3. **Rosters**: per point and role, an integer program (:func:`sim.planning.roster.cover`)
   covers each hour's requirement (the largest over the round's days: a roster repeats
   daily) with shifts of 4, 6, 8 or 12 hours starting on the hour, with the role's hand-over
   and the swabbers' PPE rests, at the fewest person-hours; the point gets a desk or booth for
   everyone on shift at the busiest moment.
4. **Verification**: the planned layout (:attr:`StaffingPlan.config`) is simulated with
   replications, beside the current one, with the same random numbers; the targets' verdicts,
   waits, coverage and person-hours of both are in :meth:`StaffingPlan.comparison`.
"""

from __future__ import annotations

import dataclasses
import math
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from sim.config.build import check_config
from sim.config.clock import min_to_clock
from sim.config.schema import ScenarioConfig, SiteConfig
from sim.config.staffing import RoleRosterConfig
from sim.experiment.backends import Backend, check_backend, run_map
from sim.planning.isa import (
    SERVICE_LEVELS,
    PointDemand,
    PointRequirement,
    TargetUnreachable,
    check_plannable,
    plan_point_requirements,
    point_demands,
)
from sim.planning.roster import (
    BreakRule,
    PpeRule,
    RosterPlan,
    cover,
    shift_patterns,
    to_roster_config,
)

if TYPE_CHECKING:
    import pandas as pd

    from sim.experiment.result import CompactResult
    from sim.metrics.targets import Verdict

#: Shift lengths (hours) the rosters may use.
SHIFT_LENGTHS_H: tuple[float, ...] = (4.0, 6.0, 8.0, 12.0)


@dataclass(frozen=True)
class ShiftRules:
    """The shifts a planned roster may use.

    Attributes
    ----------
    lengths_h
        Allowed shift lengths, hours (each in (0, 24]).
    start_step_min
        Shifts start every this many minutes from opening (60: on the hour).
    breaks
        A 30-min break after 4 h on shifts longer than 6 h (staggered every 30 min up to
        6 h in), paid; False: no breaks.
    min_staff, max_staff
        Fewest serving in every open hour (at least 1), and most on shift at once at a point
        and role (None: no limit).
    """

    lengths_h: tuple[float, ...] = SHIFT_LENGTHS_H
    start_step_min: float = 60.0
    breaks: bool = False
    min_staff: int = 1
    max_staff: int | None = None

    def check(self) -> None:
        """Raise ValueError naming the rule that is out of range."""
        bad = [h for h in self.lengths_h if not (isinstance(h, int | float) and 0 < h <= 24)]
        if not self.lengths_h or bad:
            raise ValueError(
                f"shift lengths_h = {list(self.lengths_h)}: hours in (0, 24], at least one"
            )
        if not (isinstance(self.start_step_min, int | float) and self.start_step_min > 0):
            raise ValueError(f"start_step_min = {self.start_step_min}: minutes > 0")
        if not (isinstance(self.min_staff, int) and self.min_staff >= 1):
            raise ValueError(f"min_staff = {self.min_staff}: an integer >= 1 (a point is open)")
        if self.max_staff is not None and not (
            isinstance(self.max_staff, int) and self.max_staff >= self.min_staff
        ):
            raise ValueError(
                f"max_staff = {self.max_staff}: an integer >= min_staff ({self.min_staff}), or None"
            )


def service_levels(config: ScenarioConfig) -> dict[str, float]:
    """The per-point service levels the scenario's targets ask for (see the module docstring).

    Raises ValueError when no target is about the points' lines (nothing to plan for).
    """
    out: dict[str, float] = {}
    for t in config.targets:
        if t.value is None:
            continue
        if t.metric in ("wait_p95_min", "wait_mean_min", "share_waited") and t.op in ("<=", "<"):
            out[t.metric] = min(out.get(t.metric, math.inf), float(t.value))
        elif t.metric == "coverage" and t.op in (">=", ">"):
            out["share_not_tested"] = min(out.get("share_not_tested", 1.0), 1.0 - float(t.value))
    if not out:
        raise ValueError(
            "no target the staffing planner can plan for: give targets on wait_p95_min, "
            "wait_mean_min, share_waited or coverage (or pass levels=...)"
        )
    return out


@dataclass
class StaffingPlan:
    """What :func:`plan_staffing` returns.

    Attributes
    ----------
    config
        The planned scenario: every point with its planned rosters, desks and booths.
    current
        The scenario as it was.
    levels
        The service levels planned for (metric -> most allowed, per point).
    requirements
        Per point, its hourly requirement (:class:`~sim.planning.isa.PointRequirement`).
    rosters
        Per point, per role, the roster the integer program chose.
    replications, simulated
        Replications the requirements were planned with, and simulated replications of a
        point in all (every ISA iteration and trim step).
    verification
        ``{"current": [...], "planned": [...]}``: the replications of both layouts, as
        summaries and tables (:class:`~sim.experiment.result.CompactResult`; None if not
        verified).
    outside_hours_share
        Share of the residents who first come outside the lines' hours (no staffing tests
        them on that attempt: :attr:`coverage_ceiling`).
    """

    config: ScenarioConfig
    current: ScenarioConfig
    levels: dict[str, float]
    requirements: list[PointRequirement]
    rosters: list[dict[str, RosterPlan]]
    replications: int
    simulated: int
    verification: dict[str, list[CompactResult]] | None = None
    outside_hours_share: float = 0.0

    @property
    def coverage_ceiling(self) -> float:
        """The most coverage any staffing reaches here: residents who come outside the lines'
        hours are turned away whatever the staff (only returns or longer hours reach them)."""
        return 1.0 - self.outside_hours_share

    def table(self) -> pd.DataFrame:
        """One row per point, role, day and hour: arrivals, required and rostered staff."""
        import pandas as pd

        rows = []
        for req, rosters in zip(self.requirements, self.rosters, strict=True):
            for j, stage in enumerate(req.stages):
                plan = rosters[stage]
                for i in range(req.slots.n):
                    hour = float(req.slots.hour[i])
                    k = round((hour * 60.0 - plan.start_min) / plan.slot_min)
                    rows.append(
                        {
                            "point": req.name,
                            "role": stage,
                            "day": int(req.slots.day[i]) + 1,
                            "hour": min_to_clock(hour * 60.0),
                            "arrivals": float(req.arrivals_per_slot[i]),
                            "required": int(req.staff[j][i]),
                            "rostered": int(plan.rostered[k]) if 0 <= k < plan.n_slots else 0,
                        }
                    )
        return pd.DataFrame(rows)

    def verdicts(self) -> dict[str, list[Verdict]]:
        """The targets' verdicts on each verified layout (``current``, ``planned``)."""
        from sim.experiment.targets import evaluate_targets

        done = self.verification or {}
        return {name: evaluate_targets(res) for name, res in done.items() if res}

    def planned_targets_met(self) -> bool | None:
        """Whether the planned layout meets every target (``met`` verdicts only: undecided
        counts as not met); None when not verified or the scenario judges no target."""
        planned = self.verdicts().get("planned")
        if not planned:
            return None
        return all(v.verdict == "met" for v in planned)

    def person_hours(self) -> dict[str, float]:
        """Person-hours over the round of the current and the planned rosters (registration
        and swab roles)."""
        return {
            "current": _person_hours(self.current),
            "planned": _person_hours(self.config),
        }

    def summary(self) -> dict[str, Any]:
        """Flat dict: person-hours of both layouts and the change; and, when verified, each
        layout's mean of the planned-for metrics and of the targets' metrics."""
        hours = self.person_hours()
        out: dict[str, Any] = {
            "points": len(self.requirements),
            "replications": self.replications,
            "simulated_replications": self.simulated,
            "person_hours_current": hours["current"],
            "person_hours_planned": hours["planned"],
            "person_hours_change": hours["planned"] - hours["current"],
            "coverage_ceiling": self.coverage_ceiling,
            **{f"level_{k}": v for k, v in self.levels.items()},
        }
        for name, results in (self.verification or {}).items():
            if not results:
                continue
            for key in ("coverage", "wait_mean_min", "wait_p95_min", "longest_queue"):
                vals = [r.summary()[key] for r in results]
                out[f"{name}_{key}"] = float(np.mean(vals))
        return out


def _person_hours(config: ScenarioConfig) -> float:
    from sim.model.district import plan_layout

    total = 0.0
    for plan in plan_layout(config):
        staff = plan.staffing
        roles = [r for r in (staff.swab, staff.registration) if r is not None]
        roles += [r for _, r in staff.others]
        total += sum(s.staff * s.hours for role in roles for s in role.shifts)
    return total


def plan_staffing(
    config: ScenarioConfig,
    *,
    replications: int = 8,
    seed: int | None = None,
    levels: dict[str, float] | None = None,
    slot_min: float = 60.0,
    verify_replications: int | None = 4,
    n_jobs: int | None = None,
    progress: bool | Callable[[int, int], None] = False,
    shifts: ShiftRules | None = None,
    backend: Backend = "processes",
    address: str | None = None,
) -> StaffingPlan:
    """Plan the fewest staff-hours that meet the targets at every point (module docstring).

    Parameters
    ----------
    config
        The scenario (checked like any other before anything is simulated).
    replications
        Replications of each point's residents the requirements are planned with (common
        random numbers between every simulation of a point).
    seed
        Base seed (default: the scenario's).
    levels
        Service levels per point (metric of :data:`~sim.planning.isa.SERVICE_LEVELS` -> most
        allowed); default: from the scenario's targets (:func:`service_levels`).
    slot_min
        Length of a staffing slot, minutes (60: hourly requirements).
    verify_replications
        Replications of the current and the planned layout simulated to verify (None or 0:
        not verified).
    n_jobs
        Processes planning points in parallel (None: every core).
    progress
        True for a progress bar (tqdm) over the points, or a callback ``(done, total)``.
    shifts
        The shifts the rosters may use (:class:`ShiftRules`; default: 4, 6, 8 or 12 h on the
        hour, no breaks, at least 1 serving, no maximum).
    backend, address
        Where the points are planned and the layouts verified (as
        :func:`sim.run_replications`: ``serial``, ``processes`` or ``ray``, with a cluster's
        ``address``); the same plan on each.
    """
    check_config(config)
    if not isinstance(replications, int) or replications < 2:
        raise ValueError(f"replications must be an integer >= 2, got {replications!r}")
    if slot_min <= 0 or 1440 % slot_min:
        raise ValueError(f"slot_min must divide a day (e.g. 30 or 60 minutes), got {slot_min}")
    rules = ShiftRules() if shifts is None else shifts
    rules.check()
    check_backend(backend, max(1, n_jobs or os.cpu_count() or 1), address)
    wanted = service_levels(config) if levels is None else dict(levels)
    bad = [m for m in wanted if m not in SERVICE_LEVELS]
    if bad:
        raise ValueError(f"levels must be among {SERVICE_LEVELS}, got {bad}")
    if config.demand.arrivals != "profile":
        raise ValueError("the staffing planner needs demand.arrivals: profile (residents)")
    check_plannable(config)
    demands = point_demands(config, replications, seed)
    requirements = _requirements(demands, wanted, slot_min, n_jobs, progress, backend, address)
    rosters = [
        _rosters(site, req, rules) for site, req in zip(config.points, requirements, strict=True)
    ]
    planned = _planned_config(config, rosters)
    plan = StaffingPlan(
        config=planned,
        current=config,
        levels=wanted,
        requirements=requirements,
        rosters=rosters,
        replications=replications,
        simulated=sum(r.simulated for r in requirements),
        outside_hours_share=_outside_hours_share(demands),
    )
    if verify_replications:
        from sim.experiment.replications import run_replications

        seed = config.seed if seed is None else seed
        plan.verification = {
            name: run_replications(
                cfg,
                verify_replications,
                seed=seed,
                n_jobs=n_jobs or os.cpu_count() or 1,
                keep="tables",  # verdicts, waits, coverage: no records to send back
                backend=backend,
                address=address,
            )
            for name, cfg in (("current", config), ("planned", planned))
        }
    return plan


def _outside_hours_share(demands: Sequence[PointDemand]) -> float:
    """Mean share (over replications) of the residents who first come outside the line's
    hours."""
    reps = demands[0].replications if demands else 0
    shares = []
    for r in range(reps):
        came = outside = 0
        for d in demands:
            t = d.arrivals[r]
            inside = np.zeros(t.size, dtype=bool)
            for a, b in d.line_windows:
                inside |= (t >= a) & (t < b)
            came += t.size
            outside += int(t.size - inside.sum())
        shares.append(outside / came if came else 0.0)
    return float(np.mean(shares)) if shares else 0.0


def _plan_one(args: tuple[PointDemand, dict[str, float], float]) -> PointRequirement:
    demand, wanted, slot_min = args
    return plan_point_requirements(demand, wanted, slot_min=slot_min)


def _requirements(
    demands: Sequence[PointDemand],
    wanted: dict[str, float],
    slot_min: float,
    n_jobs: int | None,
    progress: bool | Callable[[int, int], None],
    backend: Backend = "processes",
    address: str | None = None,
) -> list[PointRequirement]:
    jobs = [(d, wanted, slot_min) for d in demands]
    workers = max(1, min(n_jobs or os.cpu_count() or 1, len(jobs)))
    bar = None
    if progress is True:
        from tqdm import tqdm

        bar = tqdm(total=len(jobs), desc="planning points", unit="point")

    def ticking(results: Iterable[PointRequirement]) -> Iterable[PointRequirement]:
        for done, req in enumerate(results, start=1):
            if bar is not None:
                bar.update(1)
            elif callable(progress):
                progress(done, len(jobs))
            yield req

    try:
        return run_map(
            _plan_one, jobs, backend=backend, n_jobs=workers, address=address, progress=ticking
        )
    finally:
        if bar is not None:
            bar.close()


def _daily_requirement(req: PointRequirement, j: int) -> tuple[float, np.ndarray]:
    """The requirement of stage ``j`` by time of day: the largest over the days."""
    hours = np.round(req.slots.hour * 60.0).astype(np.int64)
    first = int(hours.min())
    n = int((hours.max() - first) // req.slots.length_min) + 1
    need = np.zeros(n, dtype=np.int64)
    for i in range(req.slots.n):
        k = int((hours[i] - first) // req.slots.length_min)
        need[k] = max(need[k], int(req.staff[j][i]))
    return float(first), need


def _rosters(site: SiteConfig, req: PointRequirement, rules: ShiftRules) -> dict[str, RosterPlan]:
    out = {}
    for j, stage in enumerate(req.stages):
        start, need = _daily_requirement(req, j)
        role: RoleRosterConfig = getattr(site.staffing, stage)
        ppe = (
            PpeRule(role.ppe_max_hours, role.ppe_rest_min)
            if stage == "swab" and role.ppe_max_hours is not None
            else None
        )
        close = start + req.slots.length_min * need.size
        try:
            patterns = shift_patterns(
                start,
                close,
                lengths_h=rules.lengths_h,
                start_step_min=rules.start_step_min,
                break_rule=BreakRule(latest_after_min=360.0) if rules.breaks else None,
                ppe=ppe,
            )
            out[stage] = cover(
                need,
                req.slots.length_min,
                start,
                patterns,
                min_staff=rules.min_staff,
                max_staff=rules.max_staff,
                handover_min=role.handover_min,
            )
        except ValueError as err:
            raise TargetUnreachable(
                f"'{site.name}', {stage}: no roster covers the plan: {err}"
            ) from err
    return out


def _planned_config(config: ScenarioConfig, rosters: list[dict[str, RosterPlan]]) -> ScenarioConfig:
    sites = []
    for site, plans in zip(config.points, rosters, strict=True):
        staffing = site.staffing
        changes: dict[str, Any] = {}
        for stage, plan in plans.items():
            roster = to_roster_config(plan)
            if stage == "swab":
                staffing = dataclasses.replace(staffing, swab=roster)
            else:
                staffing = dataclasses.replace(staffing, registration=roster)
            # a desk/booth for everyone on shift at the busiest moment (those on a PPE rest
            # or a break included: their crew's seats stay theirs)
            most = int(max(plan.on_duty.max(), plan.rostered.max()))
            changes["swab_booths" if stage == "swab" else "registration_desks"] = most
        sites.append(dataclasses.replace(site, staffing=staffing, **changes))
    if config.sites:
        planned = dataclasses.replace(config, sites=tuple(sites), name=f"{config.name}_planned")
    else:
        planned = dataclasses.replace(config, site=sites[0], name=f"{config.name}_planned")
    check_config(planned)
    return planned

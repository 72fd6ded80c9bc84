"""A collection point: an entrance line, optional registration desks, then swab booths.

A point becomes stations of the queue kernel (:mod:`sim.engine.network`): lane 0 is the green
channel, lane 1 the general line. The green-channel mode decides which desks/booths serve
which lane:

* ``none`` - everyone in the general lane, one pool of servers;
* ``priority`` - one pool serving the green lane first, then the general lane;
* ``dedicated`` - a pool of reserved desks/booths for the green lane (also serving the general
  lane when idle, if configured) and a pool for the general lane.

Queue space and patience apply to the entrance line (the outdoor line with 1 m circles): a
resident who has registered waits for a booth indoors and does not leave. Desks and booths are
open while staffed (:mod:`sim.model.staffing`); after closing, the staff on duty in the last
open minute serve whoever is still in line for ``clearing_min``.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass

from sim.config.schema import SiteConfig
from sim.config.staffing import DAY_MIN
from sim.engine.schedule import CapacitySchedule
from sim.model import records as rec
from sim.model.staffing import REGISTRATION, SWAB, RoleSchedule, SiteStaffing, site_staffing

#: Record slots of the two stages.
REG_SLOT, SWAB_SLOT = 0, 1


@dataclass(frozen=True)
class StagePlan:
    """One stage of a point: its record slot, server pools and their open schedules."""

    stage: str
    slot: int
    pools: tuple[tuple[int, ...], ...]
    stations: tuple[rec.Station, ...]


@dataclass(frozen=True)
class PointPlan:
    """Everything the kernel needs about one point over a round.

    Attributes
    ----------
    stages
        Registration (if any) then swab.
    staffing
        The rosters by role, with their shift instances (for headcount).
    line_windows
        Per day, when the entrance line is open: from ``queue_opens_before_min`` before opening
        until closing (minutes from midnight of the round's first day).
    serve_windows
        Per day, from opening until the end of clearing.
    """

    site: SiteConfig
    stages: tuple[StagePlan, ...]
    staffing: SiteStaffing
    line_windows: tuple[tuple[float, float], ...]
    serve_windows: tuple[tuple[float, float], ...]

    @property
    def day_ends(self) -> tuple[float, ...]:
        """End of clearing on each day (the point closes its line then)."""
        return tuple(b for _, b in self.serve_windows)


def plan_point(site: SiteConfig, days: int) -> PointPlan:
    """Stations, pools and staffed schedules of a point for a round of ``days`` days."""
    open_days = [
        (a + DAY_MIN * d, b + DAY_MIN * d) for d in range(days) for a, b in [site.hours_on(d)]
    ]
    staffing = site_staffing(
        site.staffing,
        open_days,
        site.swab_booths,
        site.registration_desks if site.registration else None,
    )
    stages: list[StagePlan] = []
    gc = site.green_channel
    if site.registration:
        assert staffing.registration is not None
        stages.append(
            _stage(
                site,
                REGISTRATION,
                REG_SLOT,
                "registration desks",
                gc.dedicated_desks,
                staffing.registration,
                open_days,
            )
        )
    stages.append(
        _stage(site, SWAB, SWAB_SLOT, "swab booths", gc.dedicated_booths, staffing.swab, open_days)
    )
    before = site.queue_opens_before_min
    return PointPlan(
        site=site,
        stages=tuple(stages),
        staffing=staffing,
        line_windows=tuple((a - before, b) for a, b in open_days),
        serve_windows=tuple((a, b + site.clearing_min) for a, b in open_days),
    )


def with_clearing(
    schedule: CapacitySchedule, open_days: list[tuple[float, float]], clearing_min: float
) -> CapacitySchedule:
    """The staffed schedule with each day's last open count held for ``clearing_min``."""
    points: dict[float, int] = {}
    times = schedule.times
    for a, b in open_days:
        inside = times[bisect_right(times, a) : bisect_left(times, b)]  # a < x < b
        for t in (a, *inside):
            points[t] = schedule.at(t)
        points[b] = schedule.at(b - 1e-6)  # staff on duty in the last open minute stay on
        points[b + clearing_min] = 0
    order = sorted(points)
    return CapacitySchedule.from_steps(order, [points[t] for t in order])


def _stage(
    site: SiteConfig,
    stage: str,
    slot: int,
    noun: str,
    dedicated: int,
    roster: RoleSchedule,
    open_days: list[tuple[float, float]],
) -> StagePlan:
    total = with_clearing(roster.schedule, open_days, site.clearing_min)
    gc = site.green_channel
    if gc.mode == "dedicated" and dedicated > 0:
        green_sched = total.capped(dedicated)
        general_sched = total.minus(green_sched)
        green_lanes = (rec.GREEN, rec.GENERAL) if gc.serve_general_when_idle else (rec.GREEN,)
        return StagePlan(
            stage,
            slot,
            ((rec.GENERAL,), green_lanes),
            (
                rec.Station(stage, 0, noun, general_sched),
                rec.Station(stage, 1, f"{noun} (green channel)", green_sched),
            ),
        )
    return StagePlan(
        stage, slot, ((rec.GREEN, rec.GENERAL),), (rec.Station(stage, 0, noun, total),)
    )

"""A collection point: an entrance line, then its stages in order (by default optional
registration desks, then swab booths; any list of stages, :mod:`sim.config.stages`).

A point becomes stations of the queue kernel (:mod:`sim.engine.network`): lane 0 is the green
channel, lane 1 the general line. The green-channel mode decides which desks/booths serve
which lane:

* ``none`` - everyone in the general lane, one pool of servers;
* ``priority`` - one pool serving the green lane first, then the general lane;
* ``dedicated`` - a pool of reserved desks/booths for the green lane (also serving the general
  lane when idle, if configured) and a pool for the general lane.

Queue space and patience apply to the entrance line (the outdoor line with 1 m circles): a
resident who has passed the first stage waits for the next indoors and does not leave; the room
there is unlimited unless the stage before gives ``space_after_m`` (with ``blocking``, a full
room holds residents at the desk before it). Desks and booths are
open while staffed (:mod:`sim.model.staffing`); after closing, the staff on duty in the last
open minute serve whoever is still in line for ``clearing_min``.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass

from sim.config.schema import SiteConfig
from sim.config.staffing import DAY_MIN
from sim.config.stages import StageConfig
from sim.engine.schedule import CapacitySchedule
from sim.model import records as rec
from sim.model.staffing import SiteStaffing, point_staffing

#: Record slots of the two built-in stages in a district without stages of its own.
REG_SLOT, SWAB_SLOT = 0, 1

#: What the servers of a stage are called (tables, plots); other stages: "<stage> desks".
_NOUNS = {rec.REGISTRATION: "registration desks", rec.SWAB: "swab booths"}


@dataclass(frozen=True)
class StagePlan:
    """One stage of a point: its record slot, server pools and their open schedules.

    Attributes
    ----------
    block_after
        Residents who fit in the room after the stage when a full room blocks it (None:
        never blocks).
    space_after
        Residents who fit in the room after the stage (None: unlimited), blocking or not.
    """

    stage: str
    slot: int
    pools: tuple[tuple[int, ...], ...]
    stations: tuple[rec.Station, ...]
    block_after: int | None = None
    space_after: int | None = None


@dataclass(frozen=True)
class PointPlan:
    """Everything the kernel needs about one point over a round.

    Attributes
    ----------
    stages
        The point's stages in order (by default registration, if any, then swab).
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


def stage_noun(stage: str, staffed: bool = True) -> str:
    """What a stage's servers are called, e.g. ``swab booths``, ``health code check desks``
    or, for places without staff, ``observation places``."""
    return _NOUNS.get(stage, stage.replace("_", " ") + (" desks" if staffed else " places"))


def plan_point(site: SiteConfig, days: int, slots: dict[str, int] | None = None) -> PointPlan:
    """Stations, pools and staffed schedules of a point for a round of ``days`` days.

    ``slots`` maps stage names to record slots (the district's stages, in order); by default
    the point's own stages in order.
    """
    open_days = [
        (a + DAY_MIN * d, b + DAY_MIN * d) for d in range(days) for a, b in [site.hours_on(d)]
    ]
    staffing = point_staffing(site, open_days)
    if slots is None:
        slots = {name: k for k, name in enumerate(site.stage_names)}
    stages = tuple(_stage(site, st, slots[st.name], staffing, open_days) for st in site.stage_list)
    before = site.queue_opens_before_min
    return PointPlan(
        site=site,
        stages=stages,
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


def _places(servers: int, open_days: list[tuple[float, float]]) -> CapacitySchedule:
    """Places without staff (chairs): all open from opening to closing each day."""
    times: list[float] = []
    counts: list[int] = []
    for a, b in open_days:
        times += [a, b]
        counts += [servers, 0]
    return CapacitySchedule.from_steps(times, counts)


def _stage(
    site: SiteConfig,
    cfg: StageConfig,
    slot: int,
    staffing: SiteStaffing,
    open_days: list[tuple[float, float]],
) -> StagePlan:
    stage = cfg.name
    role = site.stage_role(cfg)
    noun = stage_noun(stage, role is not None)
    roster = staffing.for_stage(stage)
    staffed = roster.schedule if roster is not None else _places(site.stage_servers(cfg), open_days)
    total = with_clearing(staffed, open_days, site.clearing_min)
    room = site.space_after(cfg)
    extra = {"block_after": room if cfg.blocking else None, "space_after": room}
    gc = site.green_channel
    dedicated = site.stage_dedicated(cfg)
    if gc.mode == "dedicated" and dedicated > 0:
        green_sched = total.capped(dedicated)
        general_sched = total.minus(green_sched)
        green_lanes = (rec.GREEN, rec.GENERAL) if gc.serve_general_when_idle else (rec.GREEN,)
        return StagePlan(
            stage,
            slot,
            ((rec.GENERAL,), green_lanes),
            (
                rec.Station(stage, 0, noun, general_sched, role),
                rec.Station(stage, 1, f"{noun} (green channel)", green_sched, role),
            ),
            **extra,
        )
    return StagePlan(
        stage,
        slot,
        ((rec.GREEN, rec.GENERAL),),
        (rec.Station(stage, 0, noun, total, role),),
        **extra,
    )

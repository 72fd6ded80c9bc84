"""A collection point: an entrance line, optional registration desks, then swab booths.

The point is expressed as a :class:`~sim.engine.tandem.TandemQueue`: lane 0 is the green
channel, lane 1 the general line. The green-channel mode decides which desks/booths serve
which lane:

* ``none`` - everyone in the general lane, one pool of servers;
* ``priority`` - one pool serving the green lane first, then the general lane;
* ``dedicated`` - a pool of reserved desks/booths for the green lane (also serving the general
  lane when idle, if configured) and a pool for the general lane.

Queue space and patience apply to the entrance line (the outdoor line with 1 m circles): a
resident who has registered waits for a booth indoors and does not leave.
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass
from typing import Any

import numpy as np
import simpy

from sim.config.schema import DemandConfig, ShiftConfig, SiteConfig
from sim.engine.process import drive
from sim.engine.schedule import CapacitySchedule
from sim.engine.streams import RandomStreams
from sim.engine.tandem import StageSpec, TandemQueue
from sim.model import records as rec
from sim.model.durations import distribution
from sim.model.residents import Residents, draw_residents
from sim.model.roster import open_schedule

_SECONDS = 1.0 / 60.0


@dataclass(frozen=True)
class _StagePlan:
    name: str
    pools: tuple[tuple[int, ...], ...]
    stations: tuple[rec.Station, ...]
    service: np.ndarray


class CollectionPoint:
    """One collection point in a SimPy environment.

    Parameters
    ----------
    env
        The SimPy environment; the point registers one process in it.
    site, demand
        Configuration of the point and of who comes to it.
    streams
        Random streams of this replication.
    prefix
        Prefix for this point's stream names (distinct per site in a district).
    """

    def __init__(
        self,
        env: simpy.Environment,
        site: SiteConfig,
        demand: DemandConfig,
        streams: RandomStreams,
        prefix: str = "",
    ) -> None:
        self.env = env
        self.site = site
        self.open_min = site.open_min
        self.close_min = site.close_min
        self.end_min = self.close_min + site.clearing_min
        self.residents: Residents = draw_residents(demand, site, streams, prefix)
        n = self.residents.n
        gc = site.green_channel
        if gc.mode == "none":
            lane = np.full(n, rec.GENERAL, dtype=np.int8)
        else:
            lane = np.where(self.residents.green, rec.GREEN, rec.GENERAL).astype(np.int8)
        self.lane = lane

        plans: list[_StagePlan] = []
        if site.registration:
            general = distribution(site.registration_time_s, _SECONDS).sample(
                streams(prefix + "registration_time"), n
            )
            scan = distribution(site.barcode_registration_time_s, _SECONDS).sample(
                streams(prefix + "barcode_registration_time"), n
            )
            service = np.where(self.residents.barcode, scan, general)
            plans.append(
                self._plan(
                    rec.REGISTRATION,
                    "registration desks",
                    site.registration_desks,
                    gc.dedicated_desks,
                    site.roster.registration,
                    service,
                )
            )
        swab = distribution(site.swab_time_s, _SECONDS).sample(streams(prefix + "swab_time"), n)
        plans.append(
            self._plan(
                rec.SWAB,
                "swab booths",
                site.swab_booths,
                gc.dedicated_booths,
                site.roster.swab,
                swab,
            )
        )
        self._plans = plans

        patience = None
        if demand.patience_min is not None:
            patience = distribution(demand.patience_min, 1.0).sample(
                streams(prefix + "patience"), n
            )
        t = self.residents.arrival
        admitted = (t >= self.open_min - site.queue_opens_before_min) & (t < self.close_min)
        limit = site.queue_limit
        if gc.mode == "dedicated":
            group, limits = [1, 0], [limit, None]  # green lane: its own unlimited line (group 1)
        else:
            group, limits = [0, 0], [limit]
        self.kernel = TandemQueue(
            t,
            lane,
            [StageSpec(p.pools, p.service) for p in plans],
            n_lanes=2,
            space_group=group,
            space_limit=limits,
            patience=patience,
            admitted=admitted,
        )
        self.process = env.process(self._run())

    def _plan(
        self,
        stage: str,
        noun: str,
        physical: int,
        dedicated: int,
        shifts: tuple[ShiftConfig, ...],
        service: np.ndarray,
    ) -> _StagePlan:
        site = self.site
        total = open_schedule(shifts, physical, self.open_min, self.close_min, site.clearing_min)
        mode = site.green_channel.mode
        if mode == "dedicated" and dedicated > 0:
            green_sched = total.capped(dedicated)
            general_sched = total.minus(green_sched)
            green_lanes = (
                (rec.GREEN, rec.GENERAL)
                if site.green_channel.serve_general_when_idle
                else (rec.GREEN,)
            )
            return _StagePlan(
                stage,
                ((rec.GENERAL,), green_lanes),
                (
                    rec.Station(stage, 0, noun, general_sched),
                    rec.Station(stage, 1, f"{noun} (green channel)", green_sched),
                ),
                service,
            )
        return _StagePlan(
            stage, ((rec.GREEN, rec.GENERAL),), (rec.Station(stage, 0, noun, total),), service
        )

    def _run(self) -> Generator[simpy.Event, Any, None]:
        schedules: list[tuple[int, int, CapacitySchedule]] = [
            (s, st.pool, st.schedule) for s, plan in enumerate(self._plans) for st in plan.stations
        ]
        yield from drive(self.env, self.kernel, schedules)

    def records(self) -> rec.SiteRun:
        """Finish the day and return what happened (call after the environment has run)."""
        out = self.kernel.finish(self.end_min)
        n = self.residents.n
        nan = np.full(n, np.nan)
        none = np.full(n, -1, dtype=np.int16)
        reg = self.site.registration
        s_swab = 1 if reg else 0
        outcome = _OUTCOME_FROM_KERNEL[out.outcome]
        stage_names = np.array(["", *(p.name for p in self._plans)], dtype=object)
        left_at = stage_names[out.left_stage.astype(np.int64) + 1]
        residents = rec.ResidentRecords(
            arrival=self.residents.arrival,
            green=self.residents.green,
            barcode=self.residents.barcode,
            lane=self.lane,
            reg_start=out.start[0] if reg else nan,
            reg_end=out.end[0] if reg else nan,
            swab_start=out.start[s_swab],
            swab_end=out.end[s_swab],
            reg_pool=out.pool[0] if reg else none,
            swab_pool=out.pool[s_swab],
            outcome=outcome,
            left_at=left_at,
            exit=out.exit_time,
            registration=reg,
        )
        return rec.SiteRun(
            name=self.site.name,
            residents=residents,
            stations=tuple(st for p in self._plans for st in p.stations),
            registration=reg,
            open_min=self.open_min,
            close_min=self.close_min,
            end_min=self.end_min,
            queue_limit=self.site.queue_limit,
            spacing_m=self.site.spacing_m,
        )


# Kernel outcome codes -> domain outcome codes (see sim.engine.tandem.OUTCOME_NAMES).
_OUTCOME_FROM_KERNEL = np.array(
    [rec.TESTED, rec.BALKED, rec.RENEGED, rec.OUTSIDE_HOURS, rec.NOT_SERVED], dtype=np.int8
)

"""The district: residents of the sub-districts, the collection points, their staff.

One round is simulated in one SimPy environment: one queue kernel holds every point
(:class:`~sim.engine.network.QueueNetwork`); one SimPy process per point applies its staffed
schedule and closes its line at the end of each day; a queue-board process refreshes the posted
line lengths. Residents are arrays, not
objects, and every random quantity is drawn as a block from its own named stream. With
door-to-door sampling the homebound residents are drawn first and never reach a point; their
teams' visits are arrays too (:mod:`sim.model.door_to_door`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Generator, Sequence
from typing import Any

import numpy as np
import simpy

from sim.config.schema import ScenarioConfig, SiteConfig
from sim.config.staffing import DAY_MIN
from sim.engine.arrivals import poisson_arrivals, profile_arrivals
from sim.engine.distributions import LazyDraws
from sim.engine.network import (
    NetworkRecords,
    QueueNetwork,
    SiteSpec,
    StationSpec,
)
from sim.engine.schedule import CapacitySchedule
from sim.engine.streams import RandomStreams
from sim.model import records as rec
from sim.model.collection_point import PointPlan, plan_point
from sim.model.door_to_door import PICK_STREAM, pick_homebound, visit_homes
from sim.model.durations import distribution

_SECONDS = 1.0 / 60.0


def plan_layout(config: ScenarioConfig) -> list[PointPlan]:
    """Plan every point for a round (its stages, staffed schedules and serving windows).

    That each point is staffed while open is checked with the rest of the config
    (:func:`sim.config.build_config`).
    """
    slots = {name: k for k, name in enumerate(config.stage_names)}
    return [plan_point(site, config.campaign.round_days, slots) for site in config.points]


class RoundSimulation:
    """One round of the district in a SimPy environment.

    Parameters
    ----------
    config
        The scenario; the round runs ``config.round_config(round_index)`` (the scenario with
        the ``campaign.round_overrides`` of this round; the config itself without any).
    streams
        Random streams of this replication.
    round_index
        Which round (0-based); each round draws from its own streams.
    returns
        Recalled residents coming back to a point in this round for a retest (``recall.mode:
        point``): they join its lines after the round's residents in number, with service
        times from streams of their own (``return/<stage>_time<k>``), so the residents keep
        every draw; none by default.
    """

    def __init__(
        self,
        config: ScenarioConfig,
        streams: RandomStreams,
        round_index: int,
        returns: rec.Returns | None = None,
    ) -> None:
        config = config.round_config(round_index)  # the same object without round overrides
        self.config = config
        self.round = round_index
        self.days = config.campaign.round_days
        self.prefix = "" if round_index == 0 else f"round{round_index + 1}/"
        self.plans = plan_layout(config)
        self.env = simpy.Environment()
        self.streams = streams.with_prefix(self.prefix)
        s = self.streams
        points = config.points
        self.sub_names, home, sub, green, barcode, dep = self._residents(s)
        n = len(dep)
        homebound = green_group = None
        if config.door_to_door.active:  # who stays at home (validated: sub-districts' groups)
            sizes = [sd.green_groups for sd in config.subdistricts if sd.green_groups is not None]
            assert len(sizes) == len(config.subdistricts)
            homebound, green_group = pick_homebound(
                sub, green, sizes, config.door_to_door, s(PICK_STREAM)
            )
        # Number residents in order of departure: the kernel then walks its arrays in order.
        order = np.argsort(dep, kind="stable")
        home, sub, green, barcode, dep = (x[order] for x in (home, sub, green, barcode, dep))
        group = self._group[order]  # population group: 0 general, k demand.groups[k - 1]
        self.stage_names = config.stage_names
        service = [np.full(n, np.nan) for _ in self.stage_names]
        for k, site in enumerate(points):  # durations follow the home point's figures
            idx = np.flatnonzero(home == k)
            for stage in site.stage_list:
                times, scan_times = site.stage_service_s(stage)
                slot = service[self.stage_names.index(stage.name)]
                slot[idx] = self._service_times(s, stage.name, k, times, scan_times, barcode[idx])
        demand = config.demand
        patience = None
        if demand.patience_min is not None:
            patience = distribution(demand.patience_min, 1.0).sample(s("patience"), n)
        #: The homebound residents (door-to-door sampling), as drawn; they leave the points'
        #: arrays here, after the departure, service and patience draws (so the others keep
        #: theirs), and their teams' visits are scheduled when the round has run.
        self._homebound: dict[str, np.ndarray] | None = None
        if homebound is not None and green_group is not None:
            at_home = homebound[order]
            self._homebound = {
                "subdistrict": sub[at_home],
                "group": group[at_home],
                "barcode": barcode[at_home],
                "home": home[at_home],
                "green_group": green_group[order][at_home],
            }
            keep = ~at_home
            home, sub, green, barcode, dep, group = (
                x[keep] for x in (home, sub, green, barcode, dep, group)
            )
            service = [x[keep] for x in service]
            if patience is not None:
                patience = patience[keep]
            n = len(dep)
        self.home = home
        self.subdistrict = sub
        self.green = green
        self.barcode = barcode
        self.group = group
        # Lanes: green only where the point has a green channel (the same mode everywhere when
        # residents may switch points).
        has_green = np.array([p.green_channel.mode != "none" for p in points])
        lane = np.where(green & has_green[home], rec.GREEN, rec.GENERAL).astype(np.int8)
        self.lane = lane
        rc = demand.retry
        delays = distribution(rc.delay_min, 1.0)

        def retry_delays(k: int) -> np.ndarray:
            """Delay before each resident's return after failing attempt k + 1 (inf: none)."""
            back = s(f"retry{k}").random(n) < rc.share
            d = delays.sample(s(f"retry_delay{k}"), n)
            return np.where(back, d, np.inf)

        # Drawn per attempt when someone first fails it: work grows with the returns that
        # happen, not with max_retries.
        self.retry_delays: Any = LazyDraws(rc.max_retries if rc.share > 0 else 0, retry_delays)
        #: Per resident (in departure order): service time at each stage (of
        #: ``stage_names``; NaN where the home point has no such stage), patience, minutes.
        self.service = tuple(service)
        self.patience = patience
        self.departures = dep
        stations: list[StationSpec] = []
        sites: list[SiteSpec] = []
        limits: list[int | None] = []
        self._schedules: list[list[tuple[int, int, CapacitySchedule]]] = []
        for k, plan in enumerate(self.plans):
            site = plan.site
            if site.green_channel.mode == "dedicated":
                groups = (len(limits) + 1, len(limits))  # green lane: its own unlimited line
                limits += [site.queue_limit, None]
            else:
                groups = (len(limits), len(limits))
                limits.append(site.queue_limit)
            ids = []
            sched: list[tuple[int, int, CapacitySchedule]] = []
            for j, step in enumerate(plan.stages):
                st = len(stations)
                stations.append(
                    StationSpec(
                        k,
                        step.slot,
                        step.pools,
                        groups if j == 0 else (),
                        block_after=step.block_after,
                    )
                )
                ids.append(st)
                sched += [(st, station.pool, station.schedule) for station in step.stations]
            sites.append(SiteSpec(tuple(ids), plan.line_windows))
            self._schedules.append(sched)
        cands = travel = None
        if config.site_choice.rule == "queue_board":
            cands, travel = self._board_geometry(points)
        self.n = n
        self.returns = returns
        customers = (dep, np.arange(n), home, lane, list(self.service), patience)
        retry_plan = self.retry_delays
        if returns is not None and returns.n:
            customers = self._with_returns(s, returns, *customers)
            m = returns.n
            retry_plan = LazyDraws(  # the returns do not retry: they are visited instead
                len(self.retry_delays),
                lambda k: np.concatenate([self.retry_delays[k], np.full(m, np.inf)]),
            )
        departures, order, homes, lanes, service, patience_all = customers
        self._kernel_service = service  # per stage, every customer's (returns after residents)
        self.kernel = QueueNetwork(
            departures=departures,
            order=order,
            home=homes.astype(np.int32),
            lane=lanes,
            service=service,
            stations=stations,
            sites=sites,
            space_limit=limits,
            patience=patience_all,
            retry_delays=retry_plan,
            board_candidates=cands,
            travel=travel,
            board_service_min=[  # the last stage's mean service (the swab by default)
                p.stage_service_s(p.stage_list[-1])[0].expected / 60.0 for p in points
            ],
        )
        self.end_min = max(plan.day_ends[-1] for plan in self.plans)
        for k in range(len(points)):
            self.env.process(self._point(k))
        if cands is not None:
            self.env.process(self._board(config.site_choice.board_refresh_min))

    # ------------------------------------------------------------------ residents
    def _with_returns(
        self,
        s: RandomStreams,
        returns: rec.Returns,
        dep: np.ndarray,
        order: np.ndarray,
        home: np.ndarray,
        lane: np.ndarray,
        service: list[np.ndarray],
        patience: np.ndarray | None,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, list[np.ndarray], np.ndarray | None]:
        """The kernel's customers with the returns after the residents (numbers n, n + 1,
        ...): departures sorted, their order, home point, lane, service per stage, patience
        (a return does not give up)."""
        m = returns.n
        extra = [np.full(m, np.nan) for _ in self.stage_names]
        for k, site in enumerate(self.config.points):
            idx = np.flatnonzero(returns.site == k)
            if not idx.size:
                continue
            for stage in site.stage_list:  # registered before: a barcode holder's times
                times, scan_times = site.stage_service_s(stage)
                draw = distribution(scan_times if scan_times is not None else times, _SECONDS)
                slot = extra[self.stage_names.index(stage.name)]
                slot[idx] = draw.sample(s(f"return/{stage.name}_time{k}"), idx.size)
        departures = np.concatenate([dep, returns.arrival])
        order = np.argsort(departures, kind="stable")
        return (
            departures[order],
            order,
            np.concatenate([home, returns.site.astype(home.dtype)]),
            np.concatenate([lane, returns.lane.astype(lane.dtype)]),
            [np.concatenate([a, b]) for a, b in zip(service, extra, strict=True)],
            None if patience is None else np.concatenate([patience, np.full(m, np.inf)]),
        )

    @staticmethod
    def _service_times(
        s: RandomStreams,
        stage: str,
        k: int,
        times: Any,
        scan_times: Any,
        barcode: np.ndarray,
    ) -> np.ndarray:
        """Service minutes at one stage of point ``k`` for its residents (barcode holders:
        ``scan_times`` when the stage has them), each stage from streams of its own."""
        m = len(barcode)
        full = distribution(times, _SECONDS).sample(s(f"{stage}_time{k}"), m)
        if scan_times is None:
            return full
        scan = distribution(scan_times, _SECONDS).sample(s(f"barcode_{stage}_time{k}"), m)
        return np.where(barcode, scan, full)

    def _residents(
        self, s: RandomStreams
    ) -> tuple[tuple[str, ...], np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Sub-district names, and each resident's home point, sub-district, green and barcode
        flags and departure time; sets ``group_names`` and ``_group`` (each resident's code
        into ``group_names``: 0 general, k ``demand.groups[k - 1]``)."""
        cfg = self.config
        demand = cfg.demand
        points = cfg.points
        days = self.days
        self.group_names = ("general", *(g.name for g in demand.groups))
        if demand.arrivals == "constant":
            assert demand.rate_per_hour is not None
            times, homes = [], []
            for k, plan in enumerate(self.plans):
                for a, b in plan.line_windows:
                    t = poisson_arrivals(
                        s(f"arrivals{k}" if k else "arrivals"), demand.rate_per_hour / 60.0, a, b
                    )
                    times.append(t)
                    homes.append(np.full(len(t), k))
            dep = np.concatenate(times)
            home = np.concatenate(homes).astype(np.int64)
            n = len(dep)
            sub = np.zeros(n, dtype=np.int16)
            green = s("green").random(n) < demand.green_share
            barcode = s("barcode").random(n) < demand.barcode_share
            self._group = np.zeros(n, dtype=np.int8)  # no groups with constant arrivals
            return ("all",), home, sub, green, barcode, dep
        if cfg.subdistricts:
            names = tuple(sd.name for sd in cfg.subdistricts)
            index = {p.name: k for k, p in enumerate(points)}
            sizes = [sd.population for sd in cfg.subdistricts]
            group_shares = [sd.group_shares(demand.groups) for sd in cfg.subdistricts]
            n = sum(sizes)
            sub = np.repeat(np.arange(len(sizes)), sizes).astype(np.int16)
            home = np.empty(n, dtype=np.int64)
            green_share = np.empty(n)
            barcode_share = np.empty(n)
            start = 0
            for j, sd in enumerate(cfg.subdistricts):
                m = sd.population
                ids = [index[c.site] for c in sd.catchment]
                shares = np.array([c.share for c in sd.catchment])
                counts = s(f"catchment{j}").multinomial(m, shares / shares.sum())
                home[start : start + m] = np.repeat(ids, counts)
                green_share[start : start + m] = (
                    sd.green_groups.total if sd.green_groups is not None else demand.green_share
                )
                barcode_share[start : start + m] = (
                    sd.barcode_share if sd.barcode_share is not None else demand.barcode_share
                )
                start += m
        else:
            names = ("all",)
            assert demand.residents is not None
            n = demand.residents
            if not demand.fixed_count:
                n = int(s("count").poisson(n))
            sub = np.zeros(n, dtype=np.int16)
            if len(points) == 1:
                home = np.zeros(n, dtype=np.int64)
            else:  # one area: residents spread over the points in proportion to their booths
                booths = np.array([p.swab_booths for p in points], dtype=float)
                home = s("catchment").choice(len(points), size=n, p=booths / booths.sum())
            green_share = np.full(n, demand.green_share)
            barcode_share = np.full(n, demand.barcode_share)
            sizes = [n]
            group_shares = [tuple(g.share for g in demand.groups)]
        green = s("green").random(n) < green_share
        barcode = s("barcode").random(n) < barcode_share
        group = self._group = self._group_codes(s, sizes, group_shares)
        # Turnout: which day each resident comes, then when in the day.
        day_counts = s("turnout_day").multinomial(n, np.asarray(demand.daily_shares))
        day = np.repeat(np.arange(days), day_counts)
        s("turnout_day").shuffle(day)
        for k, g in enumerate(demand.groups, start=1):  # groups with days of their own
            if g.daily_shares is not None:
                mine = np.flatnonzero(group == k)
                rng = s(f"turnout_day/{g.name}")
                own = np.repeat(np.arange(days), rng.multinomial(mine.size, g.daily_shares))
                rng.shuffle(own)
                day[mine] = own
        dep = np.empty(n)
        if demand.appointments.enabled:
            dep = self._appointments(s, home, day)
        else:
            assert demand.hourly_profile is not None
            w0, w1 = demand.window
            # The general population, then each group, by its own profile and stream (without
            # groups everyone is general: the draws are those of a run without the feature).
            profiles = [(demand.hourly_profile, s("arrivals"))]
            profiles += [(g.hourly_profile, s(f"arrivals/{g.name}")) for g in demand.groups]
            for code, (profile, rng) in enumerate(profiles):
                for d in range(days):
                    idx = np.flatnonzero((day == d) & (group == code))
                    t = profile_arrivals(
                        rng,
                        profile,
                        w0 + DAY_MIN * d,
                        w1 + DAY_MIN * d,
                        len(idx),
                        fixed_count=True,
                    )
                    dep[idx] = rng.permutation(t)
        return names, home, sub, green, barcode, dep

    def _group_codes(
        self, s: RandomStreams, sizes: list[int], shares: list[tuple[float, ...]]
    ) -> np.ndarray:
        """Each resident's population group (0 general, k ``demand.groups[k - 1]``), residents
        laid out by sub-district (``sizes``): in each, exact counts drawn from a multinomial
        with the sub-district's group ``shares`` and the rest as general, in random order."""
        n = sum(sizes)
        group = np.zeros(n, dtype=np.int8)
        if not self.config.demand.groups:
            return group
        rng = s("groups")
        start = 0
        for m, own in zip(sizes, shares, strict=True):
            p = np.array([max(0.0, 1.0 - sum(own)), *own])
            counts = rng.multinomial(m, p / p.sum())
            group[start : start + m] = rng.permutation(np.repeat(np.arange(p.size), counts))
            start += m
        return group

    def _appointments(self, s: RandomStreams, home: np.ndarray, day: np.ndarray) -> np.ndarray:
        sd = self.config.demand.appointments.punctuality_sd_min
        dep = np.empty(len(home))
        for k, plan in enumerate(self.plans):
            for d in range(self.days):
                idx = np.flatnonzero((home == k) & (day == d))
                if idx.size == 0:
                    continue
                a, b = plan.serve_windows[d]
                b -= plan.site.clearing_min
                slots = a + (np.arange(idx.size) + 0.5) / idx.size * (b - a)
                dep[s("appointments").permutation(idx)] = slots
        return dep + s("punctuality").normal(0.0, sd, len(dep))

    def _board_geometry(
        self, points: tuple[SiteConfig, ...]
    ) -> tuple[list[list[int]], list[list[float]]]:
        xy = np.array([(p.x_km, p.y_km) for p in points])
        dist = np.hypot(xy[:, None, 0] - xy[None, :, 0], xy[:, None, 1] - xy[None, :, 1])
        k = min(self.config.site_choice.candidates, len(points))
        cands = [list(np.argsort(row, kind="stable")[:k]) for row in dist]
        for h, c in enumerate(cands):  # the home point first among equals
            if h in c:
                c.remove(h)
            c.insert(0, h)
            del c[k:]
        travel = (dist * self.config.site_choice.walk_min_per_km).tolist()
        return [[int(x) for x in c] for c in cands], travel

    # ------------------------------------------------------------------ processes
    def _point(self, k: int) -> Generator[simpy.Event, Any, None]:
        """Apply point ``k``'s staffed schedules and close its line at the end of each day."""
        events: dict[float, list[tuple[int, int, int]]] = {}
        for st, pool, sched in self._schedules[k]:
            for t, c in zip(sched.times, sched.counts, strict=True):
                events.setdefault(t, []).append((st, pool, c))
        closes = set(self.plans[k].day_ends)
        env = self.env
        kernel = self.kernel
        for t in sorted(set(events) | closes):
            if t > env.now:
                yield env.timeout(t - env.now)
            kernel.advance(t)
            for st, pool, count in events.get(t, ()):
                kernel.set_capacity(st, pool, count, t)
            if t in closes:
                kernel.close_site(k, t)

    def _board(self, every: float) -> Generator[simpy.Event, Any, None]:
        """Refresh the queue board every ``every`` minutes."""
        while self.env.now < self.end_min:
            self.kernel.refresh_board(self.env.now)
            yield self.env.timeout(every)

    # ------------------------------------------------------------------ run
    def run(self) -> rec.RoundRun:
        """Run the round and return its records."""
        self.env.run(until=self.end_min + 1e-9)
        out = self.kernel.finish(self.end_min)
        held = self._held(out)
        returns = None
        if self.returns is not None:
            out, returns = self._returns_run(out, held, self.returns)
            held = tuple(h[: self.n] for h in held)
        residents = self._records(out, held)
        assert residents.site is not None
        by_site = np.argsort(residents.site, kind="stable")
        bounds = np.searchsorted(residents.site[by_site], np.arange(len(self.plans) + 1))
        points = tuple(
            self._point_run(k, residents.subset(by_site[bounds[k] : bounds[k + 1]]))
            for k in range(len(self.plans))
        )
        start_day = self.config.campaign.start_days[self.round]
        at_home = None
        if self._homebound is not None:
            at_home = visit_homes(
                self.config.door_to_door,
                self.days,
                residents.n,
                streams=self.streams,
                **self._homebound,
            )
        return rec.RoundRun(
            self.round,
            start_day,
            self.days,
            residents,
            points,
            self.sub_names,
            self.end_min,
            groups=self.group_names,
            door_to_door=at_home,
            returns=returns,
        )

    def _held(self, out: NetworkRecords) -> tuple[np.ndarray, ...]:
        """Per stage, minutes each customer stayed at the desk after service, held by a full
        room after it (0 where not); empty when no stage blocks."""
        blocking = {s.slot for p in self.plans for s in p.stages if s.block_after is not None}
        if not blocking:
            return ()
        out_held = []
        for k in range(len(self.stage_names)):
            extra = out.end[k] - out.start[k] - self._kernel_service[k]
            out_held.append(np.where((k in blocking) & (extra > 1e-9), extra, 0.0))
        return tuple(out_held)

    def _returns_run(
        self, out: NetworkRecords, held: tuple[np.ndarray, ...], plan: rec.Returns
    ) -> tuple[NetworkRecords, rec.Returns]:
        """Split the kernel's records: the residents' (numbers below n), and what happened to
        the returns (after them)."""
        n = self.n

        def part(sl: slice) -> NetworkRecords:
            return NetworkRecords(
                start=[x[sl] for x in out.start],
                end=[x[sl] for x in out.end],
                pool=[x[sl] for x in out.pool],
                outcome=out.outcome[sl],
                left_slot=out.left_slot[sl],
                exit_time=out.exit_time[sl],
                site=out.site[sl],
                first_arrival=out.first_arrival[sl],
                arrival=out.arrival[sl],
                attempts=out.attempts[sl],
            )

        mine, theirs = part(slice(0, n)), part(slice(n, None))
        outcome = _OUTCOME_FROM_KERNEL[theirs.outcome]
        waits = rec.stage_waits(
            theirs.arrival, theirs.start, theirs.end, tuple(h[n:] for h in held)
        )
        wait = np.sum([np.nan_to_num(w, nan=0.0) for w in waits], axis=0)
        slot = self.stage_names.index(rec.SWAB) if rec.SWAB in self.stage_names else None
        sample = np.full(plan.n, np.nan) if slot is None else theirs.end[slot]
        swabbed = (outcome == rec.TESTED) & np.isfinite(sample)
        return mine, dataclasses.replace(
            plan,
            outcome=outcome,
            sample_time=np.where(swabbed, sample, np.nan),
            wait=np.where(swabbed, wait, np.nan),
        )

    def _records(self, out: NetworkRecords, held: tuple[np.ndarray, ...]) -> rec.ResidentRecords:
        outcome = _OUTCOME_FROM_KERNEL[out.outcome]
        stage_names = np.array(["", *self.stage_names], dtype=object)
        left_at = stage_names[out.left_slot.astype(np.int64) + 1]
        pools = []
        for start, end, pool in zip(out.start, out.end, out.pool, strict=True):
            used = np.isfinite(start) | np.isfinite(end)
            pools.append(np.where(used, pool, -1).astype(np.int16))
        registration = any(p.site.registration for p in self.plans)
        return rec.ResidentRecords(
            arrival=out.arrival,
            green=self.green,
            barcode=self.barcode,
            lane=self.lane,
            stages=self.stage_names,
            start=tuple(out.start),
            end=tuple(out.end),
            pool=tuple(pools),
            outcome=outcome,
            left_at=left_at,
            exit=out.exit_time,
            registration=registration,
            site=out.site.astype(np.int16),
            subdistrict=self.subdistrict,
            attempts=out.attempts,
            first_arrival=out.first_arrival,
            group=self.group,
            held=held,
        )

    def _point_run(self, k: int, mine: rec.ResidentRecords) -> rec.SiteRun:
        plan = self.plans[k]
        site = plan.site
        return rec.SiteRun(
            name=site.name,
            residents=mine,
            stations=tuple(st for stage in plan.stages for st in stage.stations),
            registration=site.registration,
            open_min=plan.serve_windows[0][0],
            close_min=plan.serve_windows[-1][1] - site.clearing_min,
            end_min=plan.day_ends[-1],
            queue_limit=site.queue_limit,
            spacing_m=site.spacing_m,
            queue_opens_min=plan.line_windows[0][0],
            staffing=plan.staffing,
            line_windows=plan.line_windows,
            serve_windows=plan.serve_windows,
            stages=site.stage_names,
            space_after=tuple(stage.space_after for stage in plan.stages),
        )


def simulate_campaign(
    config: ScenarioConfig,
    streams: RandomStreams,
    returns: Sequence[rec.Returns | None] | None = None,
) -> list[rec.RoundRun]:
    """Simulate every round of the campaign (rounds are independent: queues do not carry),
    each as its round's config has it (:meth:`ScenarioConfig.round_config`: the
    ``campaign.round_overrides`` of that round applied); ``returns``: per round, recalled
    residents coming back to its points for a retest."""
    return [
        RoundSimulation(
            config.round_config(k), streams, k, returns[k] if returns is not None else None
        ).run()
        for k in range(len(config.campaign.start_days))
    ]


# Kernel outcome codes -> domain outcome codes (see sim.engine.network.OUTCOME_NAMES).
_OUTCOME_FROM_KERNEL = np.array(
    [rec.TESTED, rec.BALKED, rec.RENEGED, rec.OUTSIDE_HOURS, rec.NOT_SERVED], dtype=np.int8
)

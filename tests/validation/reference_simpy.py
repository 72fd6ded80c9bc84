"""An independent, deliberately plain SimPy model of one collection point (test reference).

It reads the same :class:`sim.ScenarioConfig` but shares no code with ``sim`` beyond that: its
own arrival generation, duration sampling, roster arithmetic and queueing logic, and its own
random numbers. One SimPy process per resident; the desks/booths of a stage are grouped into
pools, each with a number of *staffed* servers (set over the day by a schedule process) and a
number of busy ones. The rules, as stated in the README and the config docs:

* Residents arriving before ``open - queue_opens_before_min`` or at/after ``close`` are turned
  away (``outside_hours``).
* The entrance stage is registration if enabled, else swab. An arrival who finds no free server
  and the entrance line full (``floor(queue_space_m / spacing_m)`` waiting) balks. In
  ``dedicated`` mode only the general line is limited (the green line has its own space); in the
  other modes everyone waiting at the entrance counts.
* Patience applies only while waiting in the entrance line; when it runs out the resident leaves.
* Green channel: ``none`` - one FIFO line; ``priority`` - green first at every stage
  (non-preemptive); ``dedicated`` - reserved servers for the green line that also serve the
  general line when the green line is empty (if ``serve_general_when_idle``); a newcomer tries
  its own lane's servers first.
* Staffed servers follow each role's roster (``site.staffing.registration`` for the desks,
  ``site.staffing.swab`` for the booths) from ``open`` to ``close``: with the
  ``opening_hours`` pattern, ``staff`` people (null: one per desk/booth) all day; with
  ``custom``, each shift's ``staff`` (null: the roster's ``staff``, null: one per desk/booth)
  from its start to its end, less ``closed`` during each break. Never more servers than the
  physical desks/booths. The number on duty just before closing stays ``clearing_min`` longer,
  then none. With reserved servers, the reserved pool gets ``min(staffed, reserved)`` and the
  general pool the rest. A server that closes finishes its resident first. Whoever still waits
  at ``close + clearing`` (or reaches a line after it) is ``not_served_by_close``.

The reference covers one point for a one-day round without returns; shift patterns ``2x12`` /
``3x8``, hand-over gaps and PPE rests are not modelled here, and a config that uses any of these
is refused rather than simulated differently.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Generator
from typing import Any

import numpy as np
import simpy

GREEN, GENERAL = "green", "general"
REFERENCE_SEED = 771_234_019  # the reference's own random numbers, unrelated to sim's streams


def minutes(clock: str) -> float:
    """``"HH:MM"`` -> minutes after midnight."""
    hours, mins = clock.split(":")
    return 60.0 * int(hours) + int(mins)


def draw(dist: Any, n: int, rng: np.random.Generator, scale: float) -> np.ndarray:
    """``n`` durations from a config distribution, multiplied by ``scale`` (unit change)."""
    if dist.kind == "exponential":
        x = rng.exponential(dist.mean, n)
    elif dist.kind == "deterministic":
        x = np.full(n, float(dist.mean))
    elif dist.kind == "lognormal":
        sigma = math.sqrt(math.log(1.0 + dist.cv**2))
        x = rng.lognormal(math.log(dist.mean) - sigma**2 / 2.0, sigma, n)
    elif dist.kind == "gamma":
        x = rng.gamma(1.0 / dist.cv**2, dist.mean * dist.cv**2, n)
    elif dist.kind == "uniform":
        x = rng.uniform(dist.low, dist.high, n)
    elif dist.kind == "triangular":
        x = rng.triangular(dist.low, dist.mode, dist.high, n)
    else:
        x = rng.choice(np.asarray(dist.values, dtype=float), n)
    return x * scale


def arrival_times(demand: Any, site: Any, rng: np.random.Generator) -> np.ndarray:
    """Sorted arrival times: Poisson at a constant rate, or from the hourly profile."""
    if demand.arrivals == "constant":
        start = minutes(site.open) - site.queue_opens_before_min
        end = minutes(site.close)
        n = rng.poisson(demand.rate_per_hour / 60.0 * (end - start))
        return np.sort(rng.uniform(start, end, n))
    w0, w1 = minutes(demand.window_start), minutes(demand.window_end)
    weights = np.asarray(demand.hourly_profile, dtype=float)
    starts = w0 + 60.0 * np.arange(len(weights))
    lengths = np.minimum(starts + 60.0, w1) - starts
    mass = weights * lengths
    n = demand.residents if demand.fixed_count else rng.poisson(demand.residents)
    hour = rng.choice(len(weights), size=n, p=mass / mass.sum())
    return np.sort(starts[hour] + rng.uniform(0.0, 1.0, n) * lengths[hour])


# A shift as (start, end, staff, breaks), breaks as (start, end, closed); minutes.
Shift = tuple[float, float, int, list[tuple[float, float, int]]]


def roster_shifts(roster: Any, physical: int, open_: float, close: float) -> list[Shift]:
    """The day's shifts of one role's roster (``site.staffing.<role>``)."""
    if roster.handover_min or roster.ppe_max_hours is not None:
        raise NotImplementedError("the reference models neither hand-over gaps nor PPE rests")
    default = physical if roster.staff is None else roster.staff
    if roster.pattern == "opening_hours":
        return [(open_, close, default, [])]
    if roster.pattern != "custom":
        raise NotImplementedError(f"the reference does not model the {roster.pattern} pattern")
    return [
        (
            minutes(shift.start),
            minutes(shift.end),
            default if shift.staff is None else shift.staff,
            [(minutes(b.start), minutes(b.end), b.closed) for b in shift.breaks],
        )
        for shift in roster.shifts
    ]


def staffed_at(shifts: list[Shift], physical: int, t: float) -> int:
    """Desks/booths staffed at time ``t`` by the roster (at most the physical number)."""
    count = 0
    for start, end, staff, breaks in shifts:
        if start <= t < end:
            count += staff
            for b0, b1, closed in breaks:
                if b0 <= t < b1:
                    count -= closed
    return min(count, physical)


def check_supported(cfg: Any) -> None:
    """Refuse configs with features the reference does not model."""
    unsupported = {
        "several collection points (sites)": len(cfg.sites) > 0,
        "sub-districts": len(cfg.subdistricts) > 0,
        "rounds of more than one day": cfg.campaign.round_days != 1,
        "returns (demand.retry.share > 0)": cfg.demand.retry.share > 0,
        "appointments": cfg.demand.appointments.enabled,
    }
    found = [name for name, used in unsupported.items() if used]
    if found:
        raise NotImplementedError("the reference does not model " + ", ".join(found))


class Pool:
    """Servers of one kind at a stage: ``lanes`` in the order they are served."""

    def __init__(self, lanes: tuple[str, ...], capacity_at: Callable[[float], int]) -> None:
        self.lanes = lanes
        self.capacity_at = capacity_at
        self.staffed = 0
        self.busy = 0


class Stage:
    """A line per lane (lists of pending SimPy events, FIFO) in front of server pools."""

    def __init__(self, env: simpy.Environment, pools: list[Pool]) -> None:
        self.env = env
        self.pools = pools
        self.lines: dict[str, list[simpy.Event]] = {GREEN: [], GENERAL: []}
        self.closed = False

    def free_pool(self, lane: str) -> Pool | None:
        """A pool with an idle staffed server for a newcomer of ``lane`` (own pools first)."""
        own = [p for p in self.pools if p.lanes[0] == lane]
        helpers = [p for p in self.pools if lane in p.lanes[1:]]
        for pool in own + helpers:
            if pool.busy < pool.staffed:
                return pool
        return None

    def request(self, lane: str) -> simpy.Event:
        """An event that fires with the serving pool (or ``None``: the day is over)."""
        ticket = self.env.event()
        pool = None if self.closed else self.free_pool(lane)
        if self.closed:
            ticket.succeed(None)
        elif pool is not None:
            pool.busy += 1
            ticket.succeed(pool)
        else:
            self.lines[lane].append(ticket)
        return ticket

    def release(self, pool: Pool) -> None:
        pool.busy -= 1
        self.dispatch(pool)

    def dispatch(self, pool: Pool) -> None:
        """Idle staffed servers of ``pool`` take the first in line, by lane priority."""
        while pool.busy < pool.staffed:
            lane = next((q for q in pool.lanes if self.lines[q]), None)
            if lane is None:
                return
            ticket = self.lines[lane].pop(0)
            pool.busy += 1
            ticket.succeed(pool)

    def close(self) -> None:
        """End of the day: everyone still in line is sent home unserved."""
        self.closed = True
        for line in self.lines.values():
            for ticket in line:
                ticket.succeed(None)
            line.clear()


class ReferencePoint:
    """One replication of one collection point; :meth:`run` returns the summary figures."""

    def __init__(self, cfg: Any, replication: int) -> None:
        check_supported(cfg)
        self.cfg = cfg
        site, demand = cfg.site, cfg.demand
        rng = np.random.default_rng([REFERENCE_SEED, replication])
        self.env = simpy.Environment()
        self.open = minutes(site.open)
        self.close = minutes(site.close)
        self.line_opens = self.open - site.queue_opens_before_min
        self.end = self.close + site.clearing_min

        self.arrival = arrival_times(demand, site, rng)
        n = len(self.arrival)
        self.green = rng.random(n) < demand.green_share
        barcode = rng.random(n) < demand.barcode_share
        gc = site.green_channel
        self.mode = gc.mode
        self.lane = np.where(self.green & (gc.mode != "none"), GREEN, GENERAL)
        self.patience = (
            np.full(n, math.inf)
            if demand.patience_min is None
            else draw(demand.patience_min, n, rng, 1.0)
        )
        self.limit = (
            math.inf
            if site.queue_space_m is None
            else math.floor(site.queue_space_m / site.spacing_m + 1e-9)
        )

        self.stages: list[Stage] = []
        self.service: list[np.ndarray] = []
        self.shifts: list[list[Shift]] = []
        if site.registration:
            slow = draw(site.registration_time_s, n, rng, 1 / 60)
            scan = draw(site.barcode_registration_time_s, n, rng, 1 / 60)
            self.service.append(np.where(barcode, scan, slow))
            desks = site.registration_desks
            shifts = roster_shifts(site.staffing.registration, desks, self.open, self.close)
            self.shifts.append(shifts)
            self.stages.append(self.make_stage(shifts, desks, gc.dedicated_desks))
        self.service.append(draw(site.swab_time_s, n, rng, 1 / 60))
        shifts = roster_shifts(site.staffing.swab, site.swab_booths, self.open, self.close)
        self.shifts.append(shifts)
        self.stages.append(self.make_stage(shifts, site.swab_booths, gc.dedicated_booths))

        self.outcome = np.full(n, "", dtype=object)
        self.wait = np.full(n, np.nan)

    def make_stage(self, shifts: list[Shift], physical: int, reserved: int) -> Stage:
        def total(t: float) -> int:
            if t < self.open or t >= self.end:
                return 0
            return staffed_at(shifts, physical, min(t, self.close - 1e-6))

        if self.mode == "dedicated" and reserved > 0:
            helps = self.cfg.site.green_channel.serve_general_when_idle
            green_pool = Pool(
                (GREEN, GENERAL) if helps else (GREEN,), lambda t: min(total(t), reserved)
            )
            general_pool = Pool((GENERAL,), lambda t: total(t) - min(total(t), reserved))
            return Stage(self.env, [general_pool, green_pool])
        return Stage(self.env, [Pool((GREEN, GENERAL), total)])

    # ------------------------------------------------------------------ processes
    def schedule(self, change_times: list[float]) -> Generator[simpy.Event, Any, None]:
        for t in change_times:
            yield self.env.timeout(t - self.env.now)
            for stage in self.stages:
                for pool in stage.pools:
                    pool.staffed = pool.capacity_at(t)
                    stage.dispatch(pool)
        for stage in self.stages:  # the last change time is the end of the day
            stage.close()

    def source(self) -> Generator[simpy.Event, Any, None]:
        for i, t in enumerate(self.arrival):
            yield self.env.timeout(t - self.env.now)
            self.env.process(self.resident(i, t))

    def line_full(self, lane: str) -> bool:
        line = self.stages[0].lines
        if self.mode == "dedicated":
            waiting = len(line[GENERAL]) if lane == GENERAL else 0
        else:
            waiting = len(line[GREEN]) + len(line[GENERAL])
        return waiting >= self.limit

    def resident(self, i: int, t: float) -> Generator[simpy.Event, Any, None]:
        env = self.env
        if not self.line_opens <= t < self.close:
            self.outcome[i] = "outside_hours"
            return
        lane = self.lane[i]
        entrance = self.stages[0]
        if entrance.free_pool(lane) is None and self.line_full(lane):
            self.outcome[i] = "balked"
            return
        ticket = entrance.request(lane)
        if not ticket.triggered and math.isfinite(self.patience[i]):
            yield ticket | env.timeout(self.patience[i])
            if not ticket.triggered:
                entrance.lines[lane].remove(ticket)
                self.outcome[i] = "reneged"
                return
        waited = 0.0
        for k, stage in enumerate(self.stages):
            if k > 0:
                ticket = stage.request(lane)
            ready = env.now
            pool = yield ticket
            if pool is None:
                self.outcome[i] = "not_served_by_close"
                return
            waited += env.now - (t if k == 0 else ready)
            yield env.timeout(self.service[k][i])
            stage.release(pool)
        self.outcome[i] = "tested"
        self.wait[i] = waited

    def run(self) -> dict[str, float]:
        times = {self.open, self.close, self.end}
        for shifts in self.shifts:
            for start, end, _staff, breaks in shifts:
                times |= {start, end}
                times |= {b0 for b0, _b1, _closed in breaks}
                times |= {b1 for _b0, b1, _closed in breaks}
        change_times = sorted(t for t in times if self.open <= t <= self.end)
        self.env.process(self.schedule(change_times))
        self.env.process(self.source())
        self.env.run()
        out: dict[str, float] = {"arrived": float(len(self.arrival))}
        for name in ("tested", "balked", "reneged", "outside_hours", "not_served_by_close"):
            out[name] = float(np.sum(self.outcome == name))
        tested = self.outcome == "tested"
        out["wait_mean_min"] = _mean(self.wait[tested])  # green: eligible, whatever the lane
        out["wait_mean_min_green"] = _mean(self.wait[tested & self.green])
        out["wait_mean_min_general"] = _mean(self.wait[tested & ~self.green])
        return out


def _mean(x: np.ndarray) -> float:
    return float(x.mean()) if x.size else math.nan


def run_reference(cfg: Any, replications: int) -> list[dict[str, float]]:
    """Summary figures of replications ``0 .. replications-1`` of the reference model."""
    return [ReferencePoint(cfg, k).run() for k in range(replications)]

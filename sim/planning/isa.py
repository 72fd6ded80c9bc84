"""Hourly staff requirements of a point: the simulation-based iterative staffing algorithm.

Feldman, Mandelbaum, Massey and Whitt, "Staffing of time-varying queues to achieve
time-stable performance", Management Science 54(2):324-338, 2008 (the ISA). For a target
probability of waiting ``alpha``:

1. Simulate the point with a starting staffing: square-root staffing around each slot's
   offered load, with the Halfin-Whitt margin for ``alpha`` (or, as in the paper, ample
   servers at every stage).
2. From the replications, estimate in each staffing slot (an hour by default) the
   distribution of ``L``, the number of residents at a stage (waiting or in service). Set the
   slot's staff to the smallest ``s`` with ``P(L >= s) <= alpha``. In a stationary M/M/c queue
   ``P(L >= c)`` is Erlang C's probability of waiting, so the fixed point is the smallest
   ``c`` that Erlang C says meets ``alpha``.
3. Simulate again with that staffing (the same residents and service times: common random
   numbers between iterations) and repeat until the staffing stops changing (the stopping
   rule: two successive iterations give the same staff in every slot). With common random
   numbers the iteration is deterministic, so it either converges or enters a cycle (typically
   the first hour, where the line that formed before opening makes the staffing swing between
   two values); a cycle stops it too, with each slot's largest staffing over the cycle. At most
   ``max_iterations`` iterations (the result says whether it stopped by the rule).

``L`` is sampled every ``sample_min`` minutes in the slot and pooled over the slot's sample
times and the replications (the paper sets the staffing pointwise in time; pooling within a
slot gives a requirement that holds for the slot on average and needs far fewer
replications). Both stages (registration, then swab) are staffed in the same iteration: the
swab stage sees the registration stage's departures. The green channel is a priority lane at
each stage (dedicated green desks are sized with the rest); patience (reneging) and the line's
space (balking) are the point's; returns after leaving are not simulated here.

A service level other than the probability of waiting (p95 or mean wait) is met by searching
``alpha`` (:func:`plan_point_requirements`): the largest ``alpha`` in a decreasing ladder whose
plan meets the level in the final iteration's replications.

Everything here works on arrays of one point's residents per replication
(:class:`PointDemand`, drawn from the scenario's own streams by :func:`point_demands`), on the
queue kernel of :mod:`sim.engine.tandem`. Times are minutes after midnight of the round's first
day.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from sim.config.schema import ScenarioConfig
from sim.engine.streams import RandomStreams
from sim.engine.tandem import (
    BALKED,
    NOT_ADMITTED,
    SERVED,
    StageSpec,
    TandemQueue,
    TandemRecords,
)

#: Probabilities of waiting tried, largest (fewest staff) first, when a wait target is met by
#: searching ``alpha``.
ALPHA_LADDER: tuple[float, ...] = (0.5, 0.35, 0.25, 0.15, 0.1, 0.05, 0.02, 0.01, 0.005)
#: Service-level metrics a point's plan can be held to.
SERVICE_LEVELS = (
    "wait_p95_min",
    "wait_mean_min",
    "share_waited",
    "share_not_tested",
    "share_balked",
)


class TargetUnreachable(ValueError):
    """No staffing in the search meets a service level at a point."""


@dataclass(frozen=True)
class PointDemand:
    """One point's residents over a round, per replication, as the planner simulates them.

    Attributes
    ----------
    name
        The point.
    arrivals
        Per replication, arrival times at the point (first attempts), minutes, sorted.
    green
        Per replication, whether each resident uses the green lane (priority).
    service
        Per replication, service times per stage (registration first, if the point has it),
        minutes.
    patience
        Per replication, patience in the entrance line (None: nobody reneges), minutes.
    line_windows, serve_windows
        Per day: when the entrance line is open; from opening to the end of clearing.
    clearing_min
        Minutes the staff on duty at closing go on serving the line.
    queue_limit
        Most residents the entrance line holds (None: unlimited).
    stages
        Stage names in order (``registration``, ``swab``).
    """

    name: str
    arrivals: tuple[np.ndarray, ...]
    green: tuple[np.ndarray, ...]
    service: tuple[tuple[np.ndarray, ...], ...]
    patience: tuple[np.ndarray | None, ...]
    line_windows: tuple[tuple[float, float], ...]
    serve_windows: tuple[tuple[float, float], ...]
    clearing_min: float
    queue_limit: int | None
    stages: tuple[str, ...]

    @property
    def replications(self) -> int:
        """Replications drawn."""
        return len(self.arrivals)


@dataclass(frozen=True)
class Slots:
    """Staffing slots of a point: ``length_min`` long, from each day's opening to its closing.

    ``starts`` are the slots' start times (round clock), ``day`` their day (0-based) and
    ``hour`` their start as hours after midnight of their day.
    """

    starts: np.ndarray
    length_min: float
    day: np.ndarray

    @property
    def n(self) -> int:
        """Number of slots."""
        return len(self.starts)

    @property
    def hour(self) -> np.ndarray:
        """Slot starts as hours after midnight of their day."""
        return (self.starts - 1440.0 * self.day) / 60.0


def point_slots(demand: PointDemand, length_min: float = 60.0) -> Slots:
    """Slots from each day's opening to its closing (clearing keeps the last slot's staff)."""
    starts: list[float] = []
    days: list[int] = []
    for d, (a, b) in enumerate(demand.serve_windows):
        close = b - demand.clearing_min
        n = max(1, math.ceil((close - a) / length_min - 1e-9))
        starts += [a + length_min * i for i in range(n)]
        days += [d] * n
    return Slots(np.array(starts), float(length_min), np.array(days, dtype=np.int64))


def check_plannable(config: ScenarioConfig) -> None:
    """Raise ValueError (naming the point) unless every point is registration and swab stages
    (the planner's queue model) without a blocking room."""
    for k, point in enumerate(config.points):
        own = [s for s in point.stage_names if s not in ("registration", "swab")]
        blocking = [s.name for s in point.stage_list if s.blocking]
        if own or blocking:
            what = f"its own stages {own}" if own else f"a blocking room after {blocking}"
            raise ValueError(
                f"the staffing planner plans points of registration and swab stages only, "
                f"without a blocking room; point {k} '{point.name}' has {what}: plan the "
                "layout without them (site.stages: null) and add them back"
            )


def point_demands(
    config: ScenarioConfig, replications: int, seed: int | None = None
) -> list[PointDemand]:
    """Each point's residents of the first round, per replication, from the scenario's streams.

    The residents, their turnout, lanes, service times and patience are drawn exactly as
    :func:`sim.run` draws them (replication ``r`` uses the same streams), so a plan and its
    verification share random numbers.
    """
    from sim.model.district import RoundSimulation

    seed = config.seed if seed is None else seed
    per: list[list[tuple[np.ndarray, np.ndarray, tuple[np.ndarray, ...], np.ndarray | None]]]
    per = [[] for _ in config.points]
    sims = []
    for r in range(replications):
        rs = RoundSimulation(config, RandomStreams(seed, r), 0)
        sims.append(rs)
        names = rs.stage_names
        for k, plan in enumerate(rs.plans):
            idx = np.flatnonzero(rs.home == k)
            service = tuple(rs.service[names.index(s)][idx] for s in plan.site.stage_names)
            patience = None if rs.patience is None else rs.patience[idx]
            per[k].append((rs.departures[idx], rs.lane[idx] == 0, service, patience))
    out = []
    plans = sims[0].plans
    for k, plan in enumerate(plans):
        site = plan.site
        rows = per[k]
        out.append(
            PointDemand(
                name=site.name,
                arrivals=tuple(x[0] for x in rows),
                green=tuple(x[1] for x in rows),
                service=tuple(x[2] for x in rows),
                patience=tuple(x[3] for x in rows),
                line_windows=plan.line_windows,
                serve_windows=plan.serve_windows,
                clearing_min=site.clearing_min,
                queue_limit=site.queue_limit,
                stages=("registration", "swab") if site.registration else ("swab",),
            )
        )
    return out


def simulate_point(
    demand: PointDemand, r: int, slots: Slots, staff: Sequence[np.ndarray]
) -> TandemRecords:
    """Replication ``r`` of the point with ``staff[j][i]`` servers at stage ``j`` in slot ``i``.

    Arrivals outside the line's windows are turned away; at each day's closing the last
    slot's staff serve the line until the end of clearing, then every stage closes.
    """
    t = demand.arrivals[r]
    lane = np.where(demand.green[r], 0, 1).astype(np.int64)
    admitted = np.zeros(t.size, dtype=bool)
    for a, b in demand.line_windows:
        admitted |= (t >= a) & (t < b)
    stages = [StageSpec(((0, 1),), s) for s in demand.service[r]]
    q = TandemQueue(
        t,
        lane,
        stages,
        2,
        [0, 0],
        [demand.queue_limit],
        patience=demand.patience[r],
        admitted=admitted,
    )
    events: dict[float, list[tuple[int, int]]] = {}
    for j, s in enumerate(staff):
        for i, start in enumerate(slots.starts):
            events.setdefault(float(start), []).append((j, int(s[i])))
    for _, b in demand.serve_windows:
        for j in range(len(staff)):
            events.setdefault(float(b), []).append((j, 0))
    for when in sorted(events):
        q.advance(when)
        for j, count in events[when]:
            q.set_capacity(j, 0, count, when)
    end = demand.serve_windows[-1][1]
    return q.finish(end)


def stage_occupancy(
    rec: TandemRecords, arrival: np.ndarray, stage: int, times: np.ndarray
) -> np.ndarray:
    """Residents at ``stage`` (waiting or in service) at each of ``times``; ``arrival`` are the
    residents' arrival times at the point."""
    if stage == 0:  # joined the first line on arrival, unless turned away or balked
        joined = (rec.outcome != BALKED) & (rec.outcome != NOT_ADMITTED)
        enter = np.where(joined, arrival, np.nan)
    else:
        enter = rec.end[stage - 1]
    leave = np.where(np.isfinite(rec.end[stage]), rec.end[stage], rec.exit_time)
    ok = np.isfinite(enter)
    e = np.sort(enter[ok])
    lv = np.sort(np.where(np.isfinite(leave[ok]), leave[ok], np.inf))
    return np.searchsorted(e, times, side="right") - np.searchsorted(lv, times, side="right")


@dataclass
class PointRequirement:
    """The hourly requirement of one point (the output of the ISA).

    Attributes
    ----------
    name, stages, slots
        The point, its stages and staffing slots.
    staff
        Per stage, staff required in each slot.
    alpha
        Probability of waiting the plan stabilises (per stage and slot).
    iterations, converged
        ISA iterations of the final ``alpha`` and whether the staffing stopped changing.
    replications
        Replications per iteration; ``simulated`` counts every simulated replication.
    level
        Service levels the final plan reached in its last iteration (means over the
        replications): ``wait_p95_min``, ``wait_mean_min``, ``share_waited``.
    arrivals_per_slot
        Mean arrivals in each slot (for the figures).
    """

    name: str
    stages: tuple[str, ...]
    slots: Slots
    staff: list[np.ndarray]
    alpha: float
    iterations: int
    converged: bool
    replications: int
    simulated: int
    level: dict[str, float] = field(default_factory=dict)
    arrivals_per_slot: np.ndarray = field(default_factory=lambda: np.zeros(0))


def isa(
    demand: PointDemand,
    alpha: float,
    slots: Slots,
    *,
    sample_min: float = 5.0,
    max_iterations: int = 12,
    start: str = "square_root",
) -> tuple[list[np.ndarray], int, bool, list[TandemRecords]]:
    """Staff per stage and slot that keeps ``P(L >= s) <= alpha`` (see the module docstring).

    ``start``: ``square_root`` starts from square-root staffing around each slot's offered
    load with the Halfin-Whitt margin for ``alpha`` (:func:`start_staffing`), ``ample`` from
    as many servers as residents (the paper's infinite-server start).

    Returns the staffing, the iterations run, whether it stopped by the rule, and the last
    iteration's records (one per replication, simulated with the returned staffing).
    """
    if start not in ("square_root", "ample"):
        raise ValueError(f"start must be 'square_root' or 'ample', got {start!r}")
    if not 0.0 < alpha < 1.0:
        raise ValueError(f"alpha must be in (0, 1), got {alpha}")
    stages = len(demand.stages)
    staff = (
        start_staffing(demand, slots, alpha)
        if start == "square_root"
        else [
            np.full(slots.n, max(max((a.size for a in demand.arrivals), default=1), 1))
            for _ in range(stages)
        ]
    )
    grid = [
        start + np.arange(sample_min / 2.0, slots.length_min, sample_min) for start in slots.starts
    ]
    times = np.concatenate(grid)
    slot_of = np.repeat(np.arange(slots.n), [g.size for g in grid])
    records: list[TandemRecords] = []
    history: list[list[np.ndarray]] = []
    for it in range(1, max_iterations + 1):
        records = [simulate_point(demand, r, slots, staff) for r in range(demand.replications)]
        new = []
        for j in range(stages):
            occ = np.stack(
                [
                    stage_occupancy(rec, demand.arrivals[r], j, times)
                    for r, rec in enumerate(records)
                ]
            )  # replications x times
            need = np.zeros(slots.n, dtype=np.int64)
            for i in range(slots.n):
                need[i] = _smallest_s(occ[:, slot_of == i].ravel(), alpha)
            need = np.maximum(need, 1)
            if it > 1:  # damped: halfway to the new staffing (the map swings at high loads)
                need = np.ceil((staff[j] + need) / 2.0).astype(np.int64)
            new.append(need)
        if _same(new, staff):
            return staff, it, True, records
        for back, old in enumerate(reversed(history)):
            if _same(new, old):  # a cycle (e.g. a backlog at opening): its elementwise max
                cycle = [*history[len(history) - back - 1 :], staff]
                top = [np.max(np.stack([c[j] for c in cycle]), axis=0) for j in range(stages)]
                records = [
                    simulate_point(demand, r, slots, top) for r in range(demand.replications)
                ]
                return top, it, True, records
        history.append(staff)
        staff = new
    records = [simulate_point(demand, r, slots, staff) for r in range(demand.replications)]
    return staff, max_iterations, False, records


def halfin_whitt_beta(alpha: float) -> float:
    """The square-root margin ``beta`` whose Halfin-Whitt probability of waiting,
    ``1 / (1 + beta Phi(beta) / phi(beta))``, is ``alpha`` (bisection)."""

    def wait(beta: float) -> float:
        phi = math.exp(-beta * beta / 2.0) / math.sqrt(2.0 * math.pi)
        big_phi = 0.5 * (1.0 + math.erf(beta / math.sqrt(2.0)))
        return 1.0 / (1.0 + beta * big_phi / phi)

    lo, hi = 1e-9, 10.0
    for _ in range(80):
        mid = (lo + hi) / 2.0
        if wait(mid) > alpha:
            lo = mid
        else:
            hi = mid
    return hi


def start_staffing(demand: PointDemand, slots: Slots, alpha: float) -> list[np.ndarray]:
    """Square-root staffing per stage and slot, ``max(1, ceil(R + beta sqrt(R)))``: ``R`` the
    slot's offered load (arrivals in the slot, mean over the replications, times the stage's
    mean service time, over the slot), ``beta`` :func:`halfin_whitt_beta` of ``alpha``."""
    edges = np.append(slots.starts, slots.starts[-1] + slots.length_min)
    arrivals = np.zeros(slots.n)
    for t in demand.arrivals:
        arrivals += np.histogram(t, bins=edges)[0]
    arrivals /= max(demand.replications, 1)
    beta = halfin_whitt_beta(alpha)
    out = []
    for j in range(len(demand.stages)):
        durations = np.concatenate([sv[j] for sv in demand.service])
        mean = float(durations.mean()) if durations.size else 0.0
        load = arrivals * mean / slots.length_min
        out.append(np.maximum(1, np.ceil(load + beta * np.sqrt(load))).astype(np.int64))
    return out


def _same(a: Sequence[np.ndarray], b: Sequence[np.ndarray]) -> bool:
    return all(np.array_equal(x, y) for x, y in zip(a, b, strict=True))


def _smallest_s(samples: np.ndarray, alpha: float) -> int:
    """Smallest integer ``s`` with ``share(samples >= s) <= alpha`` (samples may be real)."""
    if samples.size == 0:
        return 0
    v = np.sort(samples)
    n = v.size
    allowed = math.floor(alpha * n + 1e-9)  # samples that may be >= s
    # s must exceed the value at sorted position n - allowed - 1
    k = n - allowed - 1
    return math.floor(v[k]) + 1 if k >= 0 else 0


def service_level(
    records: Sequence[TandemRecords], arrivals: Sequence[np.ndarray]
) -> dict[str, float]:
    """Means over replications of the p95 and mean wait of tested residents (minutes), the
    share of them who waited (more than 1 second), and the share of the point's residents who
    came in the line's hours but were not tested there (balked, reneged or still in line at
    the end; those outside the hours are left out, as no staffing helps them, and the planner
    does not simulate returns), and the share of those who balked at a full line."""
    p95, mean, waited, missed, balked = [], [], [], [], []
    for rec, arr in zip(records, arrivals, strict=True):
        served = rec.outcome == SERVED
        came = rec.outcome != NOT_ADMITTED  # outside the line's hours: no staffing helps
        missed.append(float(np.mean(~served[came])) if came.any() else 0.0)
        balked.append(float(np.mean(rec.outcome[came] == BALKED)) if came.any() else 0.0)
        wait = np.zeros(int(served.sum()))
        prev_end = arr[served]
        for j in range(len(rec.start)):
            wait += rec.start[j][served] - prev_end
            prev_end = rec.end[j][served]
        if wait.size:
            p95.append(float(np.percentile(wait, 95)))
            mean.append(float(wait.mean()))
            waited.append(float(np.mean(wait > 1.0 / 60.0)))
    nan = float("nan")
    return {
        "wait_p95_min": float(np.mean(p95)) if p95 else nan,
        "wait_mean_min": float(np.mean(mean)) if mean else nan,
        "share_waited": float(np.mean(waited)) if waited else nan,
        "share_not_tested": float(np.mean(missed)) if missed else nan,
        "share_balked": float(np.mean(balked)) if balked else nan,
    }


def meets(level: dict[str, float], targets: dict[str, float]) -> bool:
    """Whether every service level in ``targets`` (metric -> most allowed) is met."""
    return all(level[m] <= v + 1e-12 for m, v in targets.items())


def plan_point_requirements(
    demand: PointDemand,
    targets: dict[str, float],
    *,
    slot_min: float = 60.0,
    sample_min: float = 5.0,
    max_iterations: int = 12,
    trim: bool = True,
) -> PointRequirement:
    """The hourly requirement of one point for service levels ``targets``.

    ``targets`` maps metrics of :data:`SERVICE_LEVELS` to the most allowed (``wait_p95_min``:
    30 keeps the point's 95th percentile wait of tested residents at most 30 minutes, as a
    mean over the replications). Steps:

    1. The ISA (:func:`isa`) at ``alpha`` = the ``share_waited`` target, else 0.5 (the largest
       probability of waiting at which the iteration is stable), then down
       :data:`ALPHA_LADDER` until the plan meets every target in its last iteration's
       replications; none does: :class:`TargetUnreachable`.
    2. Trim (a wait target allows lines the ISA's time-stable delay probability does not): the
       staffing is scaled down, keeping its shape over the day, by the smallest factor (in
       steps of 1/64, by bisection) at which the targets still hold, first for every stage
       together, then stage by stage. The same replications every time (common random
       numbers), so a plan that passes is not a lucky draw.
    """
    bad = [m for m in targets if m not in SERVICE_LEVELS]
    if bad:
        raise ValueError(f"service levels must be among {SERVICE_LEVELS}, got {bad}")
    for m, v in targets.items():
        if m in ("share_not_tested", "share_balked") and math.isfinite(v) and v >= 0:
            continue
        if not (math.isfinite(v) and v > 0):
            raise TargetUnreachable(
                f"{m} <= {v:g} at '{demand.name}': no staffing meets it (waits of tested "
                "residents are never below 0 and random service makes some wait: give a "
                "value > 0)"
            )
    slots = point_slots(demand, slot_min)
    first = min(0.5, targets.get("share_waited", 0.5))
    ladder = [first, *(a for a in ALPHA_LADDER if a < first)]
    simulated = 0
    for alpha in ladder:
        staff, it, converged, records = isa(
            demand, alpha, slots, sample_min=sample_min, max_iterations=max_iterations
        )
        simulated += (it + (0 if converged and it > 0 else 1)) * demand.replications
        level = service_level(records, demand.arrivals)
        if meets(level, targets):
            break
    else:
        shown = ", ".join(f"{m} {level[m]:.3g}" for m in targets)
        raise TargetUnreachable(
            f"'{demand.name}': no staffing on the ladder meets "
            + ", ".join(f"{m} <= {v:g}" for m, v in targets.items())
            + f" (at alpha {ladder[-1]:g}: {shown}); check the target, the point's hours and "
            "its queue space"
        )
    if trim:
        for stages in ([*range(len(staff))], *([j] for j in range(len(staff)))):
            staff, level, n = _trim(demand, slots, staff, stages, targets, level)
            simulated += n
    arrivals = np.zeros(slots.n)
    edges = np.append(slots.starts, slots.starts[-1] + slot_min)
    for t in demand.arrivals:
        arrivals += np.histogram(t, bins=edges)[0]
    return PointRequirement(
        name=demand.name,
        stages=demand.stages,
        slots=slots,
        staff=staff,
        alpha=alpha,
        iterations=it,
        converged=converged,
        replications=demand.replications,
        simulated=simulated,
        level=level,
        arrivals_per_slot=arrivals / demand.replications,
    )


def _trim(
    demand: PointDemand,
    slots: Slots,
    staff: list[np.ndarray],
    stages: list[int],
    targets: dict[str, float],
    level: dict[str, float],
) -> tuple[list[np.ndarray], dict[str, float], int]:
    """Scale ``stages``' staffing by the smallest factor that still meets ``targets``."""

    def scaled(f: float) -> list[np.ndarray]:
        return [
            np.maximum(np.ceil(f * s - 1e-9), 1).astype(np.int64) if j in stages else s
            for j, s in enumerate(staff)
        ]

    lo, hi = 0, 64  # factor hi/64 is known to meet the targets
    best, best_level, n = staff, level, 0
    while hi - lo > 1:
        mid = (lo + hi) // 2
        trial = scaled(mid / 64)
        records = [simulate_point(demand, r, slots, trial) for r in range(demand.replications)]
        n += demand.replications
        got = service_level(records, demand.arrivals)
        if meets(got, targets):
            hi, best, best_level = mid, trial, got
        else:
            lo = mid
    return best, best_level, n

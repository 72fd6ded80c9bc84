"""The chain from swab to result: tubes at the points, couriers, labs, recalls and retests.

After the rounds are simulated, every swab taken at a point, and every swab the mobile teams
took at the enterprises, enters the chain (:func:`simulate_chain`). A mobile team counts as a
place tubes are collected from, like a point: its swabbers fill tubes as booths do, at the
enterprises' location (``mobile.x_km``, ``mobile.y_km``), on its working days:

1. **Pooling** (:mod:`sim.model.pooling`): swabs go k-in-1 into tubes at the booths.
2. **Couriers**: each point calls a courier at fixed pick-up times and when a box is full; the
   call waits for one of the district's vehicles, which loads every tube closed by then, drives
   to a lab (chosen by the dispatch policy), and drives back.
3. **Labs** (:mod:`sim.model.labs`): receiving, extraction runs and PCR plate runs.
4. **Recalls**: when a pool's result is out and positive, each member is swabbed again on
   their own (a visit, or back at their point) and the tube goes straight to the same lab,
   where it jumps the queue. The member's final result is the retest's. A positive tube holding
   a single swab is already that swab's result: nobody is recalled.

**Test results**: the lab reports a tube positive with probability ``sensitivity * (m/k) **
dilution`` if ``m >= 1`` of its ``k`` swabs are positive (a retest: ``k = m = 1``), else with
probability ``1 - specificity`` (:func:`sim.model.pooling.reported_positive_probability`).
Recalls follow the reported result: a falsely positive pool recalls all its members, a falsely
negative one nobody. Each swab's final result is its pool's, or its retest's if recalled.

The queues at the points are not fed back: retests are a few per 10,000 residents at realistic
prevalence and are taken outside the lines (a visiting team or a separate retest desk).

Randomness (each from its own named stream, so layouts share them): who is positive (per round
and resident; ``mobile_infection`` per employee swab), courier travel (per point-lab pair), run
times (per lab and stage), recall delays and retest travel, and, only when the test is not
exact, the test results (``test_error/pool`` per pooled tube, ``test_error/retest`` per swab).
Times are minutes after midnight of campaign day 1.
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from collections.abc import Generator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import simpy

from sim.config.labs import courier_routes
from sim.config.schema import ScenarioConfig
from sim.engine.distributions import BlockDraws
from sim.engine.streams import RandomStreams
from sim.model import records as rec
from sim.model.durations import distribution
from sim.model.labs import STAGES, Lab, stage_capacity
from sim.model.mobile_teams import MobileRecords
from sim.model.pooling import pool_swabs, reported_positive_probability

_INF = math.inf
_NAN = math.nan
_TUBE_TIMES = (
    "called",
    "picked",
    "delivered",
    "received",
    "extraction_start",
    "extraction_end",
    "pcr_start",
    "pcr_end",
    "result",
)


@dataclass
class SwabFeed:
    """The swabs a chain follows, and the places their tubes are collected from.

    One district's feed comes from :func:`swab_feed`; a city's is its districts' feeds merged
    (:func:`merge_feeds`). Times are minutes after midnight of campaign day 1.

    Attributes
    ----------
    round, resident, site, time, positive
        Per swab: round (0-based; -1 for a mobile team's), resident (or employee) number,
        index in ``sites`` (int32: 4 bytes a swab to send between processes), when it was
        taken, and whether it is positive.
    sites
        (name, x_km, y_km) of each place tubes are collected from: the points, then the teams.
    n_points
        How many of ``sites`` are collection points.
    booths
        Swab booths (or swabbers) per site: tubes filled at once.
    windows
        Per site, the (start, end) minutes it serves (points) or works (teams).
    day_booths
        Per site, its booths (or swabbers) in each of ``windows`` (a round's own, with
        ``campaign.round_overrides``).
    end_min
        The last minute any site serves or works.
    returned
        Per swab (None: no recalled resident came back through a point's lines): whether the
        resident came back to the point for the retest (``recall.mode: point``, simulated
        in the points' lines), and ``return_time``: when the retest swab was taken there (NaN:
        not, e.g. the line was full; they are visited instead).
    """

    round: np.ndarray
    resident: np.ndarray
    site: np.ndarray
    time: np.ndarray
    positive: np.ndarray
    sites: tuple[tuple[str, float, float], ...]
    n_points: int
    booths: np.ndarray
    windows: list[list[tuple[float, float]]]
    end_min: float
    day_booths: list[list[int]] | None = None
    returned: np.ndarray | None = None
    return_time: np.ndarray | None = None


def swab_feed(
    config: ScenarioConfig,
    rounds: list[rec.RoundRun],
    streams: RandomStreams,
    mobile: MobileRecords | None = None,
) -> SwabFeed:
    """Every swab of the campaign's rounds and of the mobile teams, with who is positive
    (streams ``infection`` per round, one draw per resident of the round, ``mobile_infection``),
    and, with door-to-door sampling, the homebound residents' swabs (after the mobile teams':
    round and resident number as the points', the site one of the visiting teams that follow
    the mobile teams in ``config.chain_sites``)."""
    prevalence = config.samples.prevalence
    n_points = len(config.points)
    parts = []
    at_home = []
    for run in rounds:
        r = run.residents
        positive = (
            streams.with_prefix("" if run.round == 0 else f"round{run.round + 1}/")(
                "infection"
            ).random(run.n_residents)
            < prevalence
        )
        if run.door_to_door is not None:
            at_home.append((run, positive[r.n :]))
            positive = positive[: r.n]
        # swabbed: tested at a point with a swab stage (a clinic's residents send no sample)
        tested = np.flatnonzero((r.outcome == rec.TESTED) & np.isfinite(r.swab_end))
        assert r.site is not None
        parts.append(
            (
                np.full(tested.size, run.round, dtype=np.int16),
                tested.astype(np.int32),
                r.site[tested].astype(np.int32),
                r.swab_end[tested] + run.offset_min,
                positive[tested],
            )
        )
    if mobile is not None:
        m = mobile.swab_time.size
        parts.append(
            (
                np.full(m, -1, dtype=np.int16),
                mobile.swab_employee.astype(np.int32),
                n_points + mobile.swab_team.astype(np.int32),
                mobile.swab_time,
                streams("mobile_infection").random(m) < prevalence,
            )
        )
    sites = config.chain_sites
    home_teams = config.door_to_door.chain_teams
    first_home = len(sites) - home_teams  # the visiting teams' first site
    for run, positive in at_home:
        h = run.door_to_door
        assert h is not None
        done = np.flatnonzero(h.visited)
        parts.append(
            (
                np.full(done.size, run.round, dtype=np.int16),
                (h.first_resident + done).astype(np.int32),
                (first_home + h.team[done]).astype(np.int32),
                h.visit_end[done] + run.offset_min,
                positive[done],
            )
        )
    windows: list[list[tuple[float, float]]] = [[] for _ in sites]
    day_booths: list[list[int]] = [[] for _ in sites]
    changed = False  # a round with its own booths (campaign.round_overrides)
    for run in rounds:
        off = run.offset_min
        own = config.round_config(run.round).points
        for k, point in enumerate(run.points):
            windows[k] += [(a + off, b + off) for a, b in point.serve_windows]
            day_booths[k] += [own[k].swab_booths] * len(point.serve_windows)
            changed |= own[k].swab_booths != config.points[k].swab_booths
    booths = [p.swab_booths for p in config.points]
    end = max(run.offset_min + run.end_min for run in rounds)
    if mobile is not None:
        for k in range(mobile.teams):
            windows[n_points + k] = list(mobile.windows)
        booths += [mobile.swabbers_per_team] * mobile.teams
        if mobile.windows:
            end = max(end, mobile.windows[-1][1])
    if home_teams:
        days: list[tuple[float, float]] = []
        for run, _ in at_home:
            assert run.door_to_door is not None
            off = run.offset_min
            days += [(a + off, b + off) for a, b in run.door_to_door.windows]
        for k in range(home_teams):
            windows[first_home + k] = list(days)
        booths += [config.door_to_door.swabbers_per_team] * home_teams
        if days:
            end = max(end, days[-1][1])
    cols = [np.concatenate([p[i] for p in parts]) for i in range(5)]
    returned, return_time = _returned(rounds, cols[0], cols[1], cols[2], n_points)
    return SwabFeed(
        round=cols[0],
        resident=cols[1],
        site=cols[2],
        time=cols[3],
        positive=cols[4],
        sites=sites,
        n_points=n_points,
        booths=np.array(booths),
        windows=windows,
        end_min=float(end),
        day_booths=[
            day_booths[k] if k < n_points else [int(booths[k])] * len(windows[k])
            for k in range(len(sites))
        ]
        if changed
        else None,
        returned=returned,
        return_time=return_time,
    )


def _returned(
    rounds: list[rec.RoundRun],
    swab_round: np.ndarray,
    swab_resident: np.ndarray,
    swab_site: np.ndarray,
    n_points: int,
) -> tuple[np.ndarray | None, np.ndarray | None]:
    """Per swab: whether its resident came back through a point's lines for a retest, and
    when the retest swab was taken there (campaign minutes; NaN: not taken there)."""
    runs = [run for run in rounds if run.returns is not None and run.returns.n]
    if not runs:
        return None, None
    # the points' swabs keyed (round, resident) -> one sorted integer key, looked up at once
    at_point = np.flatnonzero((swab_round >= 0) & (swab_site < n_points))
    keys = swab_round[at_point].astype(np.int64) << 32 | swab_resident[at_point].astype(np.int64)
    order = np.argsort(keys, kind="stable")
    keys = keys[order]
    returned = np.zeros(swab_round.size, dtype=bool)
    when = np.full(swab_round.size, np.nan)
    for run in runs:
        ret = run.returns
        assert ret is not None
        if not keys.size:
            break
        want = ret.swab_round.astype(np.int64) << 32 | ret.swab_resident.astype(np.int64)
        pos = np.minimum(np.searchsorted(keys, want), keys.size - 1)
        found = keys[pos] == want  # the resident's swab is still in the chain
        hit = at_point[order[pos[found]]]
        returned[hit] = True
        when[hit] = ret.sample_time[found] + run.offset_min
    return returned, when


def merge_feeds(feeds: Sequence[SwabFeed], names: Sequence[str] | None = None) -> SwabFeed:
    """One feed of several (a city's districts): every feed's points first, in order, then
    every feed's mobile teams (renamed ``<name> <team>`` when ``names`` are given)."""
    point_at, team_at = [], []
    n_points = sum(f.n_points for f in feeds)
    p = t = 0
    for f in feeds:
        point_at.append(p)
        team_at.append(n_points + t)
        p += f.n_points
        t += len(f.sites) - f.n_points
    site = []
    for f, a, b in zip(feeds, point_at, team_at, strict=True):
        site.append(np.where(f.site < f.n_points, f.site + a, f.site - f.n_points + b))
    labels = list(names) if names is not None else [""] * len(feeds)
    points = [s for f in feeds for s in f.sites[: f.n_points]]
    teams = [
        (f"{label} {s[0]}".strip(), s[1], s[2])
        for f, label in zip(feeds, labels, strict=True)
        for s in f.sites[f.n_points :]
    ]
    return SwabFeed(
        np.concatenate([f.round for f in feeds]),
        np.concatenate([f.resident for f in feeds]),
        np.concatenate(site),
        np.concatenate([f.time for f in feeds]),
        np.concatenate([f.positive for f in feeds]),
        tuple(points + teams),
        n_points,
        np.concatenate(
            [f.booths[: f.n_points] for f in feeds] + [f.booths[f.n_points :] for f in feeds]
        ),
        [w for f in feeds for w in f.windows[: f.n_points]]
        + [w for f in feeds for w in f.windows[f.n_points :]],
        max(f.end_min for f in feeds),
        None
        if all(f.day_booths is None for f in feeds)
        else [d for f in feeds for d in _day_booths(f)[: f.n_points]]
        + [d for f in feeds for d in _day_booths(f)[f.n_points :]],
    )


def _day_booths(feed: SwabFeed) -> list[list[int]]:
    """A feed's booths per site and window (its constant booths when it has no others)."""
    if feed.day_booths is not None:
        return feed.day_booths
    return [[int(b)] * len(w) for b, w in zip(feed.booths, feed.windows, strict=True)]


class _Chain:
    def __init__(self, config: ScenarioConfig, feed: SwabFeed, streams: RandomStreams) -> None:
        self.config = config
        samples = config.samples
        couriers = config.couriers
        self.sites = feed.sites
        self.n_points = feed.n_points
        self.labs_cfg = config.labs_in_use
        s = streams.with_prefix("chain/")
        self.swab_round = feed.round
        self.swab_resident = feed.resident.astype(np.int64)
        self.swab_site = feed.site.astype(np.int64)
        self.swab_time = feed.time
        self.swab_pos = feed.positive
        self.returned = feed.returned
        self.return_time = feed.return_time
        n_swabs = self.swab_time.size
        self.windows = feed.windows
        booths = feed.booths
        # ---- pooling
        tubes = pool_swabs(
            self.swab_time,
            self.swab_site,
            booths,
            [np.array([w[0] for w in ws]) for ws in self.windows],
            [np.array([w[1] for w in ws]) for ws in self.windows],
            samples.pool_size,
            samples.tube_max_open_min,
            None if feed.day_booths is None else [np.array(d) for d in feed.day_booths],
        )
        self.tubes = tubes
        n_pool = tubes.n
        n_pos = (
            np.add.reduceat(self.swab_pos[tubes.members].astype(np.int64), tubes.first)
            if n_pool
            else np.zeros(0, dtype=np.int64)
        )
        pos_members = n_pos > 0
        self.swab_tube = tubes.tube_of_swab(n_swabs)
        # What the lab reports for each pooled tube: the truth with an exact test (nothing
        # drawn, so the other streams' results are untouched), else one draw per tube.
        exact = samples.exact_tests
        test = (samples.sensitivity, samples.specificity, samples.dilution)
        if exact:
            reported = pos_members
        else:
            chance = reported_positive_probability(tubes.size, n_pos, *test)
            reported = s("test_error/pool").random(n_pool) < chance
        # A positive tube of one swab is already an individual result: only pools of two or
        # more recall their members.
        recall = reported & (tubes.size > 1)
        recalled = np.flatnonzero(recall[self.swab_tube]) if n_swabs else np.zeros(0, int)
        n_tubes = n_pool + recalled.size
        self.retest_tube = np.full(n_swabs, -1, dtype=np.int64)
        self.retest_tube[recalled] = n_pool + np.arange(recalled.size)
        self.retest_time = np.full(n_swabs, _NAN)
        self.retest_visited = np.zeros(n_swabs, dtype=bool)
        self.in_line = np.zeros(n_swabs, dtype=bool)
        self.n_pool = n_pool
        # ---- tube arrays (pooled tubes, then retests)
        self.tube_site = np.concatenate([tubes.site, self.swab_site[recalled]])
        self.tube_size = np.concatenate([tubes.size, np.ones(recalled.size, dtype=np.int64)])
        self.tube_retest = np.concatenate(
            [np.zeros(n_pool, dtype=bool), np.ones(recalled.size, dtype=bool)]
        )
        retest_truth = self.swab_pos[recalled]
        if exact:
            retest_reported = retest_truth
        else:
            # one draw per swab, whoever is recalled: a swab's retest result does not depend
            # on the others' pools
            chance = reported_positive_probability(
                np.ones(recalled.size), retest_truth.astype(np.int64), *test
            )
            retest_reported = s("test_error/retest").random(n_swabs)[recalled] < chance
        self.tube_positive = np.concatenate([pos_members, retest_truth])
        self.tube_result_positive = (
            self.tube_positive if exact else np.concatenate([reported, retest_reported])
        )
        self.tube_opened = np.concatenate([tubes.opened, np.full(recalled.size, _NAN)])
        self.tube_closed = np.concatenate([tubes.closed, np.full(recalled.size, _NAN)])
        self.tube_lab = np.full(n_tubes, -1, dtype=np.int16)
        self.t = {name: np.full(n_tubes, _NAN) for name in _TUBE_TIMES}
        self.retest_swab = np.full(n_tubes, -1, dtype=np.int64)
        self.retest_swab[n_pool:] = recalled
        # ---- horizon
        self.horizon = feed.end_min + 60.0 * samples.results_horizon_h
        # ---- the SimPy model
        self.env = simpy.Environment()
        env = self.env
        routes = courier_routes(self.sites, self.labs_cfg, couriers)
        self.routes = routes
        self.mean_travel = [[_INF if r is None else r.expected for r in row] for row in routes]
        self.travel = self._travel_draws(s, "courier_travel", 64)
        self.retest_travel = self._travel_draws(s, "retest_travel", 16)
        self.recall_delay = (
            distribution(samples.recall.delay_min, 1.0).sample(s("recall_delay"), n_swabs)
            if n_swabs
            else np.zeros(0)
        )
        self.capacity = tuple(stage_capacity(lab, self.horizon) for lab in self.labs_cfg)
        self.labs = [
            Lab(
                env,
                j,
                lab,
                self.capacity[j],
                distribution(lab.extraction_min, 1.0),
                distribution(lab.pcr_min, 1.0),
                (s(f"lab/{lab.name}/extraction"), s(f"lab/{lab.name}/pcr")),
                self.tube_retest,
                self.t,
                self._on_result,
            )
            for j, lab in enumerate(self.labs_cfg)
        ]
        self.lab_order = self._lab_order()
        # per lab, for dispatch (properties, computed once): opening, tubes per minute, and
        # expected minutes from a tube's turn to its result
        self.lab_opens = [lab.opens_min for lab in self.labs_cfg]
        self.lab_rate = [lab.tubes_per_hour / 60.0 for lab in self.labs_cfg]
        self.lab_work = [
            lab.extraction_min.expected + lab.pcr_min.expected + lab.report_min
            for lab in self.labs_cfg
        ]
        self.fleet = simpy.Resource(env, capacity=couriers.vehicles)
        self.trips: list[tuple[int, int, float, float, float, int]] = []
        order = np.argsort(tubes.closed, kind="stable")
        by_site = tubes.site[order]
        for k in range(len(self.sites)):
            mine = order[by_site == k]
            if mine.size:
                env.process(self._point(k, mine))

    def _travel_draws(
        self, s: RandomStreams, stream: str, block: int
    ) -> list[list[BlockDraws | None]]:
        """Per point and lab, travel times (minutes) from stream ``<stream>/<point>/<lab>``."""
        return [
            [
                None
                if r is None
                else BlockDraws(distribution(r, 1.0), s(f"{stream}/{site[0]}/{lab.name}"), block)
                for r, lab in zip(row, self.labs_cfg, strict=True)
            ]
            for row, site in zip(self.routes, self.sites, strict=True)
        ]

    # ------------------------------------------------------------------ dispatch
    def _lab_order(self) -> list[list[int]]:
        names = [lab.name for lab in self.labs_cfg]
        explicit = {
            a.site: [names.index(x) for x in a.labs if x in names]
            for a in self.config.couriers.assignment
        }
        out = []
        for k, (name, _, _) in enumerate(self.sites):
            if name in explicit:
                out.append(explicit[name])
                continue
            reach = [j for j in range(len(names)) if self.routes[k][j] is not None]
            out.append(sorted(reach, key=lambda j: (self.mean_travel[k][j], j)))
        return out

    def _dispatch(self, k: int, now: float) -> int:
        if self.config.couriers.dispatch == "fixed":
            for j in self.lab_order[k]:
                if self.lab_opens[j] <= now:
                    return j
            return self.lab_order[k][0]
        load = self.config.couriers.load_min
        best, best_t = -1, _INF
        routes, travel = self.routes[k], self.mean_travel[k]
        # Labs open now, if the point reaches any; else every lab it reaches (they queue
        # until it opens).
        reach = [j for j in range(len(self.labs)) if routes[j] is not None]
        open_now = [j for j in reach if self.lab_opens[j] <= now]
        for j in open_now or reach:
            lab = self.labs[j]
            ready = max(now, self.lab_opens[j]) + lab.in_hand / self.lab_rate[j]
            arrive = now + load + travel[j]
            done = max(arrive, ready) + self.lab_work[j]
            if done < best_t:
                best, best_t = j, done
        return best

    # ------------------------------------------------------------------ processes
    def _pickups(self, k: int, close: list[float]) -> list[float]:
        """Fixed pick-up times at point ``k``, given its tubes' closing times (sorted)."""
        every = self.config.couriers.pickup_every_min
        wins = self.windows[k]
        out: list[float] = []
        for d, (a, b) in enumerate(wins):
            if every is not None:
                n = math.ceil((b - a) / every)
                out += [a + every * i for i in range(1, n) if a + every * i < b]
            # The day's last pick-up, after its last tube closes: a booth may finish a swab
            # after the end of serving, and that tube must not wait for the next day.
            j = bisect_left(close, wins[d + 1][0]) if d + 1 < len(wins) else len(close)
            out.append(max(b, close[j - 1]) if j > 0 else b)
        return sorted(out)

    def _point(self, k: int, ids: np.ndarray) -> Generator[simpy.Event, Any, None]:
        """Call couriers at point ``k`` for its tubes ``ids`` (sorted by closing time)."""
        env = self.env
        close = self.tube_closed[ids].tolist()
        n = len(close)
        sched = self._pickups(k, close)
        box = self.config.samples.box_tubes if self.config.couriers.when_box_full else None
        p = 0
        si = 0
        while p < n:
            now = env.now
            while si < len(sched) and sched[si] < now:
                si += 1
            t_sched = sched[si] if si < len(sched) else _INF
            t_full = close[p + box - 1] if box is not None and p + box - 1 < n else _INF
            t_next = min(t_sched, t_full)
            if t_next == _INF:
                t_next = close[-1]
            if t_next > now:
                yield env.timeout(t_next - now)
            if t_next == t_sched:
                si += 1
            if bisect_right(close, env.now, p) == p:
                continue
            called = env.now
            req = self.fleet.request()
            yield req
            q = bisect_right(close, env.now, p)
            batch = ids[p:q]
            p = q
            self.t["called"][batch] = np.maximum(called, self.tube_closed[batch])
            env.process(self._trip(k, batch, req))

    def _trip(
        self, k: int, batch: np.ndarray, req: simpy.Event
    ) -> Generator[simpy.Event, Any, None]:
        env = self.env
        loaded = env.now
        j = self._dispatch(k, loaded)
        travel = self.travel[k][j]
        assert travel is not None
        d = travel()
        self.tube_lab[batch] = j
        self.t["picked"][batch] = loaded
        lab = self.labs[j]
        lab.in_hand += int(batch.size)
        trip = len(self.trips)
        self.trips.append((k, j, float(self.t["called"][batch[0]]), loaded, _NAN, int(batch.size)))
        yield env.timeout(self.config.couriers.load_min + d)
        self.t["delivered"][batch] = env.now
        self.trips[trip] = (*self.trips[trip][:4], env.now, int(batch.size))
        lab.deliver(batch, env.now)
        yield env.timeout(d)
        self.fleet.release(req)  # type: ignore[arg-type]

    # ------------------------------------------------------------------ recalls
    def _on_result(self, ids: np.ndarray, out: float) -> None:
        pos = ids[
            self.tube_result_positive[ids] & ~self.tube_retest[ids] & (self.tube_size[ids] > 1)
        ]
        if not pos.size:
            return
        tubes = self.tubes
        recall = self.config.samples.recall
        env = self.env
        for tube in pos.tolist():
            j = int(self.tube_lab[tube])
            first = tubes.first[tube]
            for swab in tubes.members[first : first + tubes.size[tube]].tolist():
                k = int(self.swab_site[swab])
                when = out + self.recall_delay[swab]
                visited = True
                back = _INF  # no return through the point's lines simulated
                if self.return_time is not None and self.returned is not None:
                    back = self.return_time[swab] if self.returned[swab] else _INF
                if recall.mode == "point" and out <= back < _INF:
                    when, visited = back, False  # swabbed there after the point's lines
                    self.in_line[swab] = True
                elif recall.mode == "point" and math.isnan(back):
                    pass  # came back but not swabbed there (a full line): visited instead
                elif recall.mode == "point":
                    back = self._next_serving(k, when)
                    if back < _INF:
                        when, visited = back, False
                retest = int(self.retest_tube[swab])
                self.retest_time[swab] = when
                self.retest_visited[swab] = visited
                self.tube_opened[retest] = self.tube_closed[retest] = when
                self.t["called"][retest] = self.t["picked"][retest] = when
                self.tube_lab[retest] = j
                self.labs[j].in_hand += 1
                travel = self.retest_travel[k][j]
                assert travel is not None
                arrive = when + travel()
                if arrive <= self.horizon:
                    env.process(self._retest(retest, j, arrive))

    def _retest(self, tube: int, j: int, arrive: float) -> Generator[simpy.Event, Any, None]:
        """Carry retest tube ``tube`` to lab ``j`` (a dedicated run, not the fleet)."""
        yield self.env.timeout(arrive - self.env.now)
        self.t["delivered"][tube] = arrive
        self.labs[j].deliver(np.array([tube]), arrive)

    def _next_serving(self, k: int, t: float) -> float:
        for a, b in self.windows[k]:
            if t < b:
                return max(a, t)
        return _INF

    # ------------------------------------------------------------------ run
    def run(self) -> rec.ChainRun:
        self.env.run(until=self.horizon)
        t = self.t
        result = t["result"][self.swab_tube] if self.swab_tube.size else np.zeros(0)
        recalled = self.retest_tube >= 0
        result = np.where(recalled, t["result"][np.maximum(self.retest_tube, 0)], result)
        result = np.where(result <= self.horizon, result, _NAN)
        final_tube = np.where(recalled, self.retest_tube, self.swab_tube)  # the reported one
        if self.config.samples.exact_tests:
            swab_result_positive = self.swab_pos
        elif self.n_pool:
            said = self.tube_result_positive[np.maximum(final_tube, 0)]
            swab_result_positive = (final_tube >= 0) & said
        else:
            swab_result_positive = np.zeros(self.swab_time.size, dtype=bool)
        logs = [lab.log for lab in self.labs]
        stage_code = {name: i for i, name in enumerate(STAGES)}
        trips = self.trips
        config = self.config
        return rec.ChainRun(
            sites=tuple(site[0] for site in self.sites),
            n_points=self.n_points,
            labs=tuple(lab.name for lab in self.labs_cfg),
            lab_opens_min=np.array([lab.opens_min for lab in self.labs_cfg]),
            lab_rated_people_per_day=np.array(
                [
                    _NAN if lab.people_per_day is None else lab.people_per_day
                    for lab in self.labs_cfg
                ]
            ),
            pool_size=config.samples.pool_size,
            sensitivity=config.samples.sensitivity,
            specificity=config.samples.specificity,
            dilution=config.samples.dilution,
            horizon_min=self.horizon,
            target_min=60.0 * config.samples.turnaround_target_h,
            swab_round=self.swab_round,
            swab_resident=self.swab_resident,
            swab_site=self.swab_site.astype(np.int16),
            swab_time=self.swab_time,
            swab_positive=self.swab_pos,
            swab_result_positive=swab_result_positive,
            swab_tube=self.swab_tube,
            retest_tube=self.retest_tube,
            retest_time=self.retest_time,
            retest_visited=self.retest_visited,
            retest_in_line=self.in_line,
            result=result,
            tube_site=self.tube_site.astype(np.int16),
            tube_size=self.tube_size,
            tube_retest=self.tube_retest,
            tube_positive=self.tube_positive,
            tube_result_positive=self.tube_result_positive,
            tube_opened=self.tube_opened,
            tube_closed=self.tube_closed,
            tube_called=t["called"],
            tube_picked=t["picked"],
            tube_lab=self.tube_lab,
            tube_delivered=t["delivered"],
            tube_received=t["received"],
            tube_extraction_start=t["extraction_start"],
            tube_extraction_end=t["extraction_end"],
            tube_pcr_start=t["pcr_start"],
            tube_pcr_end=t["pcr_end"],
            tube_result=np.where(t["result"] <= self.horizon, t["result"], _NAN),
            run_lab=np.concatenate(
                [np.full(len(log.stage), j, dtype=np.int16) for j, log in enumerate(logs)]
            ),
            run_stage=np.array([stage_code[x] for log in logs for x in log.stage], dtype=np.int8),
            run_machine=np.array([x for log in logs for x in log.machine], dtype=np.int16),
            run_start=np.array([x for log in logs for x in log.start], dtype=float),
            run_end=np.array(
                [x if x < _INF else _NAN for log in logs for x in log.end], dtype=float
            ),
            run_tubes=np.array([x for log in logs for x in log.tubes], dtype=np.int64),
            capacity=self.capacity,
            trip_site=np.array([x[0] for x in trips], dtype=np.int16),
            trip_lab=np.array([x[1] for x in trips], dtype=np.int16),
            trip_called=np.array([x[2] for x in trips], dtype=float),
            trip_loaded=np.array([x[3] for x in trips], dtype=float),
            trip_delivered=np.array([x[4] for x in trips], dtype=float),
            trip_tubes=np.array([x[5] for x in trips], dtype=np.int64),
        )


def simulate_chain(
    config: ScenarioConfig,
    rounds: list[rec.RoundRun],
    streams: RandomStreams,
    mobile: MobileRecords | None = None,
) -> rec.ChainRun | None:
    """Follow every swab of the campaign's rounds, and the mobile teams' swabs, to its result
    (None without labs in use)."""
    if not config.labs_in_use:
        return None
    return _Chain(config, swab_feed(config, rounds, streams, mobile), streams).run()


def plan_returns(
    config: ScenarioConfig, rounds: list[rec.RoundRun], chain: rec.ChainRun | None
) -> list[rec.Returns | None] | None:
    """Per round, the recalled residents whose retest a first pass of the chain planned at
    their point (``recall.mode: point``): each comes back when the point's line is next open
    at or after the planned time, in the lane they used. None when nobody comes back (or
    another recall mode): the first pass stands.

    The second pass simulates the rounds with them in the points' lines and follows the
    samples again (:func:`sim.experiment.run.run`): a resident recalled only in the second pass
    (the returns moved a swab into another tube) is retested at the planned time, outside the
    lines, and counted (``retests_in_line`` says how many went through them).
    """
    if chain is None or config.samples.recall.mode != "point":
        return None
    back = (
        (chain.retest_tube >= 0)
        & ~chain.retest_visited
        & (chain.swab_round >= 0)
        & (chain.swab_site < chain.n_points)
    )
    idx = np.flatnonzero(back)
    if not idx.size:
        return None
    # every point's line windows over the campaign, and the round each belongs to
    n_points = chain.n_points
    opens: list[list[tuple[float, float, int]]] = [[] for _ in range(n_points)]
    for run in rounds:
        for k, point in enumerate(run.points):
            opens[k] += [
                (a + run.offset_min, b + run.offset_min, run.round) for a, b in point.line_windows
            ]
    plans: dict[int, list[tuple[int, int, int, float, int]]] = {}
    for i in idx.tolist():
        k = int(chain.swab_site[i])
        t = float(chain.retest_time[i])
        for a, b, rnd in opens[k]:
            if t < b:
                arrive = max(a, t)
                rho, who = int(chain.swab_round[i]), int(chain.swab_resident[i])
                lane = int(rounds[rho].residents.lane[who])
                plans.setdefault(rnd, []).append(
                    (rho, who, k, arrive - rounds[rnd].offset_min, lane)
                )
                break
    out: list[rec.Returns | None] = []
    for run in rounds:
        rows = plans.get(run.round)
        if not rows:
            out.append(None)
            continue
        cols = list(zip(*rows, strict=True))
        out.append(
            rec.Returns(
                swab_round=np.array(cols[0], dtype=np.int16),
                swab_resident=np.array(cols[1], dtype=np.int64),
                site=np.array(cols[2], dtype=np.int64),
                arrival=np.array(cols[3], dtype=float),
                lane=np.array(cols[4], dtype=np.int8),
            )
        )
    return out if any(r is not None for r in out) else None


def simulate_city_chain(
    config: ScenarioConfig, feed: SwabFeed, streams: RandomStreams
) -> rec.ChainRun | None:
    """Follow a merged feed's swabs (a city's) through ``config``'s couriers and labs (None
    without labs in use)."""
    if not config.labs_in_use:
        return None
    return _Chain(config, feed, streams).run()

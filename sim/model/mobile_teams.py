"""Mobile sampling teams that visit enterprises and swab their employees on site.

Each team is one SimPy process in the caller's environment, so mobile teams run alongside the
collection points of a round. Times are minutes after midnight of day 1; day ``d`` (0-based) of
the round is offset by ``1440 * d``.

Rules
-----
Work list
    The enterprises, sorted by zone then name, form one shared work list. A team that becomes
    free takes the first enterprise still waiting in its current zone; if its zone is done, the
    first one in the next zone in order (wrapping round after the last zone). Teams freed at the
    same instant choose in team order.
Start of the round
    Every team starts at the base at day 1's ``work_start``. Team ``k`` (1-based) of ``T`` heads
    first for zone number ``(k - 1) * Z // T`` in zone order (``Z`` zones), so teams spread over
    the park; the trip from the base counts as travel to another zone.
Visit
    Travel (``travel_same_zone_min`` if the enterprise is in the zone the team is in, else
    ``travel_other_zone_min``), then ``setup_min``, then sampling. The visit starts when setup
    starts (``visit_start_min``) and ends when the last employee has been swabbed
    (``visit_end_min``).
Sampling time
    One swab time per employee, drawn up front for every employee of every enterprise (in
    work-list order) from the stream ``mobile_swab_time``, so an enterprise gets the same swab
    times whatever the number of teams (common random numbers). Employees are assigned to the
    ``swabbers_per_team`` swabbers round-robin (employee ``i`` to swabber ``i mod s``); each
    swabber swabs its employees one after another, and sampling lasts the makespan: the largest
    per-swabber total (not the sum divided by ``s``, which would understate small firms).
Working hours
    Teams work only within ``[work_start, work_end]`` of each day of the round. Travel, setup and
    sampling all run on this working-time calendar: an activity still under way at
    ``work_end`` pauses and resumes at the next day's ``work_start`` (a swab in progress
    finishes then; no new setup is needed after the night).
End of the round
    The round ends at ``work_end`` of the last day. Employees not swabbed by then are
    ``not_sampled`` (backlog). An enterprise whose setup has not started by then (the team was
    still travelling, or no team reached it) is unvisited: team 0, all of its workforce
    ``not_sampled``.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Generator
from dataclasses import dataclass
from typing import Any

import numpy as np
import simpy

from sim.config.mobile import (
    MINUTES_PER_DAY,
    EnterpriseConfig,
    GeneratedEnterprisesConfig,
    MobileTeamsConfig,
)
from sim.engine import distributions as d
from sim.engine.streams import RandomStreams
from sim.model.durations import distribution

#: Stream of per-employee swab times.
SWAB_STREAM = "mobile_swab_time"
#: Stream of generated workforces.
ENTERPRISE_STREAM = "mobile_enterprises"

_SECONDS = 1.0 / 60.0
_EPS = 1e-9


@dataclass(frozen=True)
class WorkCalendar:
    """Working hours of a round: ``[start_min, end_min]`` on each of ``days`` days.

    ``start_min`` and ``end_min`` are day 1's hours (minutes after midnight of day 1); day ``d``
    (0-based) is shifted by ``1440 * d``. Windows must not overlap (``end_min - start_min`` at
    most a day).
    """

    start_min: float
    end_min: float
    days: int

    def window(self, day: int) -> tuple[float, float]:
        """Working window of ``day`` (0-based)."""
        shift = MINUTES_PER_DAY * day
        return self.start_min + shift, self.end_min + shift

    @property
    def round_start(self) -> float:
        """Start of work on day 1."""
        return self.start_min

    @property
    def round_end(self) -> float:
        """End of work on the last day."""
        return self.window(self.days - 1)[1]

    @property
    def minutes_per_day(self) -> float:
        """Working minutes per day."""
        return self.end_min - self.start_min

    @property
    def total(self) -> float:
        """Working minutes in the round."""
        return self.days * self.minutes_per_day

    def next_open(self, t: float) -> float:
        """Earliest time >= ``t`` at which work can go on (``inf`` after the round's end).

        A time at the end of a window (``work_end``) moves to the next day's ``work_start``.
        """
        for day in range(self.days):
            a, b = self.window(day)
            if t < b - _EPS:
                return max(t, a)
        return math.inf

    def worked(self, t0: float, t1: float) -> float:
        """Working minutes between ``t0`` and ``t1``."""
        total = 0.0
        for day in range(self.days):
            a, b = self.window(day)
            total += max(0.0, min(b, t1) - max(a, t0))
        return total

    def advance(self, t: float, work: float) -> float:
        """Time at which ``work`` working minutes started at ``t`` are done.

        ``t`` itself when ``work`` is 0; ``inf`` if the work cannot be done by the round's end.
        """
        if work <= 0:
            return t
        remaining = work
        for day in range(self.days):
            a, b = self.window(day)
            if b <= t:
                continue
            s = max(a, t)
            room = b - s
            if remaining <= room + _EPS:
                return min(s + remaining, b)
            remaining -= room
        return math.inf


def generate_enterprises(
    cfg: GeneratedEnterprisesConfig, rng: np.random.Generator
) -> tuple[EnterpriseConfig, ...]:
    """Enterprises ``E001``... in contiguous, balanced zones with lognormal workforces.

    Enterprise ``i`` (0-based) is in zone ``i * zones // count``; its workforce is a lognormal
    draw (mean ``workforce_mean``, CV ``workforce_cv``; all equal when the CV is 0) rounded to
    whole employees, at least 1.
    """
    n = cfg.count
    if cfg.workforce_cv > 0:
        raw = d.lognormal(cfg.workforce_mean, cfg.workforce_cv).sample(rng, n)
    else:
        raw = np.full(n, float(cfg.workforce_mean))
    workforce = np.maximum(np.rint(raw), 1).astype(np.int64)
    width = max(3, len(str(n)))
    return tuple(
        EnterpriseConfig(name=f"E{i + 1:0{width}d}", zone=i * cfg.zones // n, workforce=int(w))
        for i, w in enumerate(workforce)
    )


def resolve_enterprises(
    cfg: MobileTeamsConfig, streams: RandomStreams
) -> tuple[EnterpriseConfig, ...]:
    """The round's enterprises in work-list order (zone, then name).

    The explicit ``enterprises`` if given, else generated ones (stream ``mobile_enterprises``),
    else none.
    """
    if cfg.enterprises:
        ents = cfg.enterprises
    elif cfg.generate is not None:
        ents = generate_enterprises(cfg.generate, streams(ENTERPRISE_STREAM))
    else:
        ents = ()
    return tuple(sorted(ents, key=lambda e: (e.zone, e.name)))


def swab_completion(times: np.ndarray, swabbers: int) -> np.ndarray:
    """Working minutes from the start of sampling until each employee is swabbed.

    Employee ``i`` goes to swabber ``i mod swabbers``; each swabber works through its own
    employees in order. The visit's sampling time is the maximum of the result (the makespan).
    """
    n = len(times)
    rows = -(-n // swabbers)
    padded = np.zeros(rows * swabbers)
    padded[:n] = times
    return np.cumsum(padded.reshape(rows, swabbers), axis=0).reshape(-1)[:n]


@dataclass(frozen=True)
class MobileRecords:
    """Outcome of the mobile teams in one round and replication.

    Per-enterprise arrays (length ``n``) are in work-list order (zone, then name). Times are
    minutes after midnight of day 1, NaN where they did not happen. Per-team arrays have one
    entry per team: entry ``k - 1`` is team ``k``.

    Attributes
    ----------
    name, zone, workforce
        The enterprise.
    team
        Team number (1-based) that visited it; 0 if unvisited.
    visit_start_min
        Start of setup at the enterprise (NaN: unvisited).
    sampling_start_min
        Start of sampling (NaN: not reached).
    visit_end_min
        Last employee swabbed (NaN unless every employee was sampled).
    sampled, not_sampled
        Employees swabbed / left unswabbed by the end of the round
        (``sampled + not_sampled == workforce``).
    team_sampled, team_visits
        Employees swabbed and enterprises visited (setup started) per team.
    team_busy_min, team_travel_min
        Working minutes spent on travel, setup and sampling / on travel alone, per team.
    team_finish_min
        When the team stopped: end of its last visit, or the round's end if work was left
        (NaN: the team never worked).
    round_start_min, round_end_min
        Start of work on day 1; end of work on the last day.
    days, work_min_per_day, swabbers_per_team
        The round's days, working minutes per day, and swabbers per team.
    """

    name: np.ndarray
    zone: np.ndarray
    workforce: np.ndarray
    team: np.ndarray
    visit_start_min: np.ndarray
    sampling_start_min: np.ndarray
    visit_end_min: np.ndarray
    sampled: np.ndarray
    not_sampled: np.ndarray
    team_sampled: np.ndarray
    team_visits: np.ndarray
    team_busy_min: np.ndarray
    team_travel_min: np.ndarray
    team_finish_min: np.ndarray
    round_start_min: float
    round_end_min: float
    days: int
    work_min_per_day: float
    swabbers_per_team: int

    @property
    def n(self) -> int:
        """Number of enterprises."""
        return len(self.name)

    @property
    def teams(self) -> int:
        """Number of teams."""
        return len(self.team_sampled)

    @property
    def visited(self) -> np.ndarray:
        """Whether a team started setting up at each enterprise."""
        return self.team > 0

    @property
    def covered(self) -> np.ndarray:
        """Whether every employee of each enterprise was sampled."""
        return self.not_sampled == 0

    @property
    def working_min(self) -> float:
        """Working minutes available to each team over the round."""
        return self.days * self.work_min_per_day


class MobileTeams:
    """Mobile teams in a SimPy environment: one process per team.

    Parameters
    ----------
    env
        The environment; the teams register their processes in it (the caller runs it).
    cfg
        Configuration (validated here).
    streams
        Random streams of this replication (``mobile_swab_time``, ``mobile_enterprises``).
    days
        Days in the round (>= 1).

    Call :meth:`records` once the environment has run to the end of the round (or until no
    events remain).
    """

    def __init__(
        self,
        env: simpy.Environment,
        cfg: MobileTeamsConfig,
        streams: RandomStreams,
        days: int,
    ) -> None:
        if isinstance(days, bool) or not isinstance(days, int) or days < 1:
            raise ValueError(f"days must be an integer >= 1, got {days!r}")
        cfg.validate()
        self.env = env
        self.cfg = cfg
        self.calendar = WorkCalendar(cfg.work_start_min, cfg.work_end_min, days)
        self.enterprises = resolve_enterprises(cfg, streams)
        n = len(self.enterprises)
        self._workforce = np.array([e.workforce for e in self.enterprises], dtype=np.int64)
        total = int(self._workforce.sum())
        swab = distribution(cfg.swab_time_s, _SECONDS)
        draws = swab.sample(streams(SWAB_STREAM), total) if total else np.zeros(0)
        self._offsets = np.concatenate([[0], np.cumsum(self._workforce)])
        self._swab = draws
        self._zones = sorted({e.zone for e in self.enterprises})
        self._pending: dict[int, deque[int]] = {z: deque() for z in self._zones}
        for i, e in enumerate(self.enterprises):
            self._pending[e.zone].append(i)
        # Per-enterprise results.
        self._team = np.zeros(n, dtype=np.int64)
        self._visit_start = np.full(n, np.nan)
        self._sampling_start = np.full(n, np.nan)
        self._visit_end = np.full(n, np.nan)
        self._sampled = np.zeros(n, dtype=np.int64)
        # Per-team results.
        t = cfg.teams
        self._team_sampled = np.zeros(t, dtype=np.int64)
        self._team_visits = np.zeros(t, dtype=np.int64)
        self._team_busy = np.zeros(t)
        self._team_travel = np.zeros(t)
        self._team_finish = np.full(t, np.nan)
        self.processes = [env.process(self._team_process(k)) for k in range(t)]

    @property
    def finished(self) -> bool:
        """Whether every team process has ended."""
        return not any(p.is_alive for p in self.processes)

    def _take(self, zone_pos: int) -> int | None:
        """Next enterprise in the zone at ``zone_pos`` or the zones after it (None: all taken)."""
        nz = len(self._zones)
        for j in range(nz):
            queue = self._pending[self._zones[(zone_pos + j) % nz]]
            if queue:
                return queue.popleft()
        return None

    def _team_process(self, k: int) -> Generator[simpy.Event, Any, None]:
        env = self.env
        cal = self.calendar
        cfg = self.cfg
        nz = len(self._zones)
        if nz == 0:
            return
        zone_pos = k * nz // cfg.teams
        here: int | None = None  # zone the team is in (None: at the base)
        while True:
            t = env.now
            if cal.next_open(t) == math.inf:
                break
            i = self._take(zone_pos)
            if i is None:
                break
            ent = self.enterprises[i]
            travel = cfg.travel_same_zone_min if ent.zone == here else cfg.travel_other_zone_min
            arrive = cal.advance(t, travel)
            start = cal.next_open(arrive)
            if start == math.inf:
                # The round ends on the road: the enterprise stays unvisited.
                spent = cal.worked(t, cal.round_end)
                self._team_busy[k] += spent
                self._team_travel[k] += spent
                self._team_finish[k] = cal.round_end
                yield env.timeout(max(cal.round_end - t, 0.0))
                return
            self._team_travel[k] += cal.worked(t, arrive)
            here = ent.zone
            zone_pos = self._zones.index(ent.zone)
            self._team[i] = k + 1
            self._team_visits[k] += 1
            self._visit_start[i] = start
            sampling_start = cal.next_open(cal.advance(start, cfg.setup_min))
            times = self._swab[self._offsets[i] : self._offsets[i + 1]]
            done = swab_completion(times, cfg.swabbers_per_team)
            makespan = float(done.max())
            if sampling_start < math.inf:
                self._sampling_start[i] = sampling_start
                room = cal.worked(sampling_start, cal.round_end)
            else:
                room = 0.0
            if sampling_start < math.inf and makespan <= room + _EPS:
                end = min(cal.advance(sampling_start, makespan), cal.round_end)
                self._visit_end[i] = end
                sampled = ent.workforce
            else:
                # The round ends during setup or sampling: the rest is backlog.
                end = cal.round_end
                sampled = (
                    int(np.count_nonzero(done <= room + _EPS)) if sampling_start < math.inf else 0
                )
            self._sampled[i] = sampled
            self._team_sampled[k] += sampled
            self._team_busy[k] += cal.worked(t, end)
            self._team_finish[k] = end
            yield env.timeout(max(end - t, 0.0))
            if end >= cal.round_end and sampled < ent.workforce:
                return

    def records(self) -> MobileRecords:
        """The round's records (raises RuntimeError while a team is still working)."""
        if not self.finished:
            raise RuntimeError(
                f"mobile teams still working at t={self.env.now:g} min; run the environment "
                f"to at least the end of the round ({self.calendar.round_end:g} min)"
            )
        ents = self.enterprises
        return MobileRecords(
            name=np.array([e.name for e in ents], dtype=str),
            zone=np.array([e.zone for e in ents], dtype=np.int64),
            workforce=self._workforce.copy(),
            team=self._team.copy(),
            visit_start_min=self._visit_start.copy(),
            sampling_start_min=self._sampling_start.copy(),
            visit_end_min=self._visit_end.copy(),
            sampled=self._sampled.copy(),
            not_sampled=self._workforce - self._sampled,
            team_sampled=self._team_sampled.copy(),
            team_visits=self._team_visits.copy(),
            team_busy_min=self._team_busy.copy(),
            team_travel_min=self._team_travel.copy(),
            team_finish_min=self._team_finish.copy(),
            round_start_min=self.calendar.round_start,
            round_end_min=self.calendar.round_end,
            days=self.calendar.days,
            work_min_per_day=self.calendar.minutes_per_day,
            swabbers_per_team=self.cfg.swabbers_per_team,
        )


def simulate_mobile_teams(
    env: simpy.Environment, cfg: MobileTeamsConfig, streams: RandomStreams, days: int
) -> MobileTeams:
    """Register one process per mobile team in ``env`` (the caller runs the environment).

    After ``env.run()``, :meth:`MobileTeams.records` gives the round's :class:`MobileRecords`.
    """
    return MobileTeams(env, cfg, streams, days)


def run_mobile_teams(cfg: MobileTeamsConfig, streams: RandomStreams, days: int) -> MobileRecords:
    """Simulate the mobile teams alone in their own environment and return the records."""
    env = simpy.Environment()
    teams = simulate_mobile_teams(env, cfg, streams, days)
    env.run()
    return teams.records()

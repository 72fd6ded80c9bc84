"""Mobile sampling teams screening enterprises over the whole campaign.

The enterprises are a persistent population: drawn once per run (listed, or generated from
the stream ``mobile_enterprises``), then screened on the schedule of ``mobile.screening``. The
teams run in their own SimPy environment (they share nothing with the points' lines); their
swabs go into the sample chain with the points' (:mod:`sim.model.sample_chain`). Times are
minutes after midnight of campaign day 1; campaign day ``d`` (1-based) starts at
``1440 * (d - 1)``.

Rules
-----
Screenings
    Each firm has due days (:func:`due_days`). A screening due on day ``d`` joins the shared
    work list at midnight of day ``d``. If the firm's previous screening is still waiting for
    a team then, the old one is dropped (``superseded``): the same employees are not swabbed
    twice in one visit.
Work list
    Waiting screenings are kept per zone, in order of due day, then name. A team that becomes
    free takes the first screening waiting in its current zone; if its zone has none, the
    first one in the next zone in order (wrapping round after the last zone). A team with
    nothing to take waits (where it is) until the next screenings come due.
Start
    Every team starts at the base. Team ``k`` (1-based) of ``T`` heads first for zone number
    ``(k - 1) * Z // T`` in zone order (``Z`` zones), so teams spread over the park; the trip
    from the base counts as travel to another zone.
Visit
    Travel (``travel_same_zone_min`` within the team's current zone, else
    ``travel_other_zone_min``), then ``setup_min``, then sampling. The visit starts when setup
    starts (``visit_start_min``) and ends when the last employee has been swabbed
    (``visit_end_min``).
Sampling time
    One swab time per employee per screening, drawn up front for every screening (in order of
    due day, zone, name) from the stream ``mobile_swab_time``, so a screening gets the same
    swab times whatever the number of teams (common random numbers). Employees are assigned
    to the ``swabbers_per_team`` swabbers round-robin; each swabber swabs its employees one
    after another, and sampling lasts the makespan.
Working hours
    Teams work within ``[work_start, work_end]`` of each of their ``work_days`` (every campaign
    day by default). Travel, setup and sampling run on this working-time calendar: an activity
    under way at ``work_end`` pauses and resumes at the next working day's ``work_start``.
End of the campaign
    The teams stop at ``work_end`` of their last working day. Employees of a visit under way
    then are not sampled (``partial``); screenings still waiting are ``not_reached``.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Generator, Sequence
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
from sim.config.schema import CampaignConfig
from sim.engine import distributions as d
from sim.engine.streams import RandomStreams
from sim.model.durations import distribution

#: Stream of per-employee swab times.
SWAB_STREAM = "mobile_swab_time"
#: Stream of generated workforces.
ENTERPRISE_STREAM = "mobile_enterprises"

#: Outcome of a screening, indexed by :attr:`MobileRecords.visit_outcome` codes.
VISIT_OUTCOMES = ("sampled", "partial", "superseded", "not_reached")
SAMPLED, PARTIAL, SUPERSEDED, NOT_REACHED = range(4)

_SECONDS = 1.0 / 60.0
_EPS = 1e-9


class WorkCalendar:
    """Working windows ``[start, end]`` on a set of campaign days, minutes.

    ``start_min`` and ``end_min`` are the hours of day 1 (minutes after its midnight); day
    ``d`` (0-based) is shifted by ``1440 * d``. ``days`` are the 0-based working days
    (increasing); windows must not overlap (``end_min - start_min`` at most a day).
    """

    def __init__(self, start_min: float, end_min: float, days: Sequence[int]) -> None:
        if not days:
            raise ValueError("a work calendar needs at least one working day")
        self.start_min = float(start_min)
        self.end_min = float(end_min)
        self.days = tuple(sorted(int(x) for x in days))
        self.starts = np.array([self.start_min + MINUTES_PER_DAY * x for x in self.days])
        self.ends = self.starts + (self.end_min - self.start_min)
        # working minutes done by the start of each window
        self._before = np.concatenate([[0.0], np.cumsum(self.ends - self.starts)])

    @property
    def end(self) -> float:
        """End of work on the last working day."""
        return float(self.ends[-1])

    @property
    def minutes_per_day(self) -> float:
        """Working minutes per working day."""
        return self.end_min - self.start_min

    @property
    def total(self) -> float:
        """Working minutes in the calendar."""
        return float(self._before[-1])

    def windows(self) -> list[tuple[float, float]]:
        """The working windows, in order."""
        return list(zip(self.starts.tolist(), self.ends.tolist(), strict=True))

    def _done_by(self, t: float) -> float:
        """Working minutes from the first window's start to ``t``."""
        i = int(np.searchsorted(self.starts, t, side="right")) - 1
        if i < 0:
            return 0.0
        return float(self._before[i] + min(t - self.starts[i], self.ends[i] - self.starts[i]))

    def next_open(self, t: float) -> float:
        """Earliest time >= ``t`` at which work can go on (``inf`` after the last window).

        A time at the end of a window moves to the next window's start.
        """
        i = int(np.searchsorted(self.ends, t + _EPS, side="right"))
        if i >= len(self.ends):
            return math.inf
        return max(t, float(self.starts[i]))

    def worked(self, t0: float, t1: float) -> float:
        """Working minutes between ``t0`` and ``t1``."""
        return max(0.0, self._done_by(t1) - self._done_by(t0)) if t1 > t0 else 0.0

    def advance_many(self, t: float, work: np.ndarray) -> np.ndarray:
        """Times at which ``work`` working minutes (each) started at ``t`` are done.

        ``t`` itself for 0 work; ``inf`` for work that cannot be done by the last window's end.
        """
        work = np.asarray(work, dtype=float)
        target = self._done_by(t) + work
        i = np.searchsorted(self._before[1:], target - _EPS, side="left")
        ok = i < len(self.starts)
        j = np.minimum(i, len(self.starts) - 1)
        at = self.starts[j] + (target - self._before[j])
        out = np.where(ok, np.minimum(at, self.ends[j]), math.inf)
        return np.where(work <= 0, t, np.maximum(out, t))

    def advance(self, t: float, work: float) -> float:
        """Time at which ``work`` working minutes started at ``t`` are done (see
        :meth:`advance_many`)."""
        return float(self.advance_many(t, np.array([work]))[0])


def generate_enterprises(
    cfg: GeneratedEnterprisesConfig, rng: np.random.Generator
) -> tuple[EnterpriseConfig, ...]:
    """Enterprises ``E001``... in contiguous, balanced zones with lognormal workforces.

    Enterprise ``i`` (0-based) is in zone ``i * zones // count``; its workforce is a lognormal
    draw (mean ``workforce_mean``, CV ``workforce_cv``; all equal when the CV is 0) rounded to
    whole employees, at least 1. With ``fixed_total`` they add up to ``count x
    workforce_mean`` (rounded) exactly: the draws are rescaled, and the rounding remainders go
    to the largest fractions.
    """
    n = cfg.count
    if cfg.workforce_cv > 0:
        raw = d.lognormal(cfg.workforce_mean, cfg.workforce_cv).sample(rng, n)
    else:
        raw = np.full(n, float(cfg.workforce_mean))
    if cfg.fixed_total:
        workforce = _shares_of(round(n * cfg.workforce_mean), raw)
    else:
        workforce = np.maximum(np.rint(raw), 1).astype(np.int64)
    width = max(3, len(str(n)))
    return tuple(
        EnterpriseConfig(name=f"E{i + 1:0{width}d}", zone=i * cfg.zones // n, workforce=int(w))
        for i, w in enumerate(workforce)
    )


def _shares_of(total: int, weights: np.ndarray) -> np.ndarray:
    """``total`` split in proportion to ``weights``, whole numbers of at least 1 each."""
    n = len(weights)
    rest = total - n  # one each first
    exact = weights / weights.sum() * rest
    out = np.floor(exact).astype(np.int64)
    short = rest - int(out.sum())
    out[np.argsort(-(exact - out), kind="stable")[:short]] += 1
    return out + 1


def resolve_enterprises(
    cfg: MobileTeamsConfig, streams: RandomStreams
) -> tuple[EnterpriseConfig, ...]:
    """The run's enterprises in work-list order (zone, then name).

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


def due_days(
    cfg: MobileTeamsConfig, campaign: CampaignConfig, ents: Sequence[EnterpriseConfig]
) -> list[list[int]]:
    """Campaign days (1-based, increasing) on which each enterprise (work-list order) is due."""
    sc = cfg.screening
    last = campaign.last_day
    out = []
    for i, ent in enumerate(ents):
        every = sc.every_days
        for rule in sc.rules:
            if ent.name in rule.firms or ent.zone in rule.zones:
                every = rule.every_days
                break
        if every is None:
            out.append([day for day in campaign.start_days if day <= last])
            continue
        if sc.stagger == "zone":
            offset = ent.zone % every
        elif sc.stagger == "firm":
            offset = i % every
        else:
            offset = 0
        out.append(list(range(sc.first_day + offset, last + 1, every)))
    return out


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
    """The mobile teams over the campaign, in one replication.

    Times are minutes after midnight of campaign day 1, NaN where they did not happen.

    Attributes
    ----------
    name, zone, workforce
        The enterprises, in work-list order (zone, then name).
    visit_firm, visit_due_day, visit_round
        Per screening (in order of due day, zone, name): the enterprise (index), the campaign
        day it was due (1-based), and the round (0-based) whose days include it (-1: between
        rounds).
    visit_team
        Team number (1-based) that visited; 0 if no team started it.
    visit_start_min, sampling_start_min, visit_end_min
        Start of setup, start of sampling, last employee swabbed (NaN unless all were).
    visit_sampled, visit_not_sampled
        Employees swabbed / not swabbed (``sampled + not_sampled == workforce`` of the firm).
    visit_outcome
        Code into :data:`VISIT_OUTCOMES`.
    swab_visit, swab_employee, swab_time, swab_team
        Per swab taken: its screening, the employee (numbered over the enterprises, so a
        person keeps their number from one screening to the next), when it was taken, and
        the team (0-based) that took it.
    team_sampled, team_visits, team_busy_min, team_travel_min, team_finish_min
        Per team (entry ``k - 1`` is team ``k``): employees swabbed, visits started, working
        minutes busy (travel, setup, sampling) and travelling, and when it stopped (NaN: never
        worked).
    windows
        The teams' working windows ``(start, end)`` over the campaign.
    swabbers_per_team
        Swabbers of each team.
    """

    name: np.ndarray
    zone: np.ndarray
    workforce: np.ndarray
    visit_firm: np.ndarray
    visit_due_day: np.ndarray
    visit_round: np.ndarray
    visit_team: np.ndarray
    visit_start_min: np.ndarray
    sampling_start_min: np.ndarray
    visit_end_min: np.ndarray
    visit_sampled: np.ndarray
    visit_not_sampled: np.ndarray
    visit_outcome: np.ndarray
    swab_visit: np.ndarray
    swab_employee: np.ndarray
    swab_time: np.ndarray
    swab_team: np.ndarray
    team_sampled: np.ndarray
    team_visits: np.ndarray
    team_busy_min: np.ndarray
    team_travel_min: np.ndarray
    team_finish_min: np.ndarray
    windows: tuple[tuple[float, float], ...]
    swabbers_per_team: int

    @property
    def n(self) -> int:
        """Number of enterprises."""
        return len(self.name)

    @property
    def visits(self) -> int:
        """Number of screenings that came due."""
        return len(self.visit_firm)

    @property
    def teams(self) -> int:
        """Number of teams."""
        return len(self.team_sampled)

    @property
    def working_min(self) -> float:
        """Working minutes available to each team over the campaign."""
        return float(sum(b - a for a, b in self.windows))

    @property
    def visit_employees(self) -> np.ndarray:
        """Employees due at each screening (the firm's workforce)."""
        return self.workforce[self.visit_firm]


class MobileTeams:
    """The mobile teams in a SimPy environment: one process per team.

    Parameters
    ----------
    env
        The environment; the teams register their processes in it (the caller runs it).
    cfg
        The teams and enterprises (validated with the scenario).
    campaign
        The campaign's rounds and days.
    streams
        Random streams of this replication (``mobile_swab_time``, ``mobile_enterprises``).

    Call :meth:`records` once the environment has run to the end (or until no events remain).
    """

    def __init__(
        self,
        env: simpy.Environment,
        cfg: MobileTeamsConfig,
        campaign: CampaignConfig,
        streams: RandomStreams,
    ) -> None:
        self.env = env
        self.cfg = cfg
        self.campaign = campaign
        days = cfg.work_days if cfg.work_days is not None else range(1, campaign.last_day + 1)
        self.calendar = WorkCalendar(cfg.work_start_min, cfg.work_end_min, [x - 1 for x in days])
        self.enterprises = resolve_enterprises(cfg, streams)
        ents = self.enterprises
        self._workforce = np.array([e.workforce for e in ents], dtype=np.int64)
        self._first_employee = np.concatenate([[0], np.cumsum(self._workforce)[:-1]]).astype(
            np.int64
        )
        # ---- screenings, in order of due day, zone, name
        due = due_days(cfg, campaign, ents)
        pairs = sorted((day, i) for i, days_i in enumerate(due) for day in days_i)
        self._firm = np.array([i for _, i in pairs], dtype=np.int64)
        self._day = np.array([day for day, _ in pairs], dtype=np.int64)
        self._release = MINUTES_PER_DAY * (self._day - 1).astype(float)
        v = len(pairs)
        size = self._workforce[self._firm] if v else np.zeros(0, dtype=np.int64)
        total = int(size.sum())
        swab = distribution(cfg.swab_time_s, _SECONDS)
        self._swab = swab.sample(streams(SWAB_STREAM), total) if total else np.zeros(0)
        self._offsets = np.concatenate([[0], np.cumsum(size)]).astype(np.int64)
        self._zones = sorted({e.zone for e in ents})
        self._pending: dict[int, deque[int]] = {z: deque() for z in self._zones}
        self._waiting = np.full(len(ents), -1, dtype=np.int64)  # screening waiting per firm
        self._released = 0
        # ---- per screening
        self._team = np.zeros(v, dtype=np.int64)
        self._visit_start = np.full(v, np.nan)
        self._sampling_start = np.full(v, np.nan)
        self._visit_end = np.full(v, np.nan)
        self._sampled = np.zeros(v, dtype=np.int64)
        self._outcome = np.full(v, NOT_REACHED, dtype=np.int8)
        # (screening, team, employees swabbed (place in the firm), their swab times)
        self._swabs: list[tuple[int, int, np.ndarray, np.ndarray]] = []
        # ---- per team
        t = cfg.teams
        self._team_sampled = np.zeros(t, dtype=np.int64)
        self._team_visits = np.zeros(t, dtype=np.int64)
        self._team_busy = np.zeros(t)
        self._team_travel = np.zeros(t)
        self._team_finish = np.full(t, np.nan)
        self.processes = [env.process(self._team_process(k)) for k in range(t)] if v else []

    @property
    def finished(self) -> bool:
        """Whether every team process has ended."""
        return not any(p.is_alive for p in self.processes)

    # ------------------------------------------------------------------ work list
    def _release_until(self, t: float) -> None:
        """Put every screening due by ``t`` on the work list (superseding a firm's older one)."""
        rel = self._release
        while self._released < len(rel) and rel[self._released] <= t + _EPS:
            v = self._released
            firm = int(self._firm[v])
            old = int(self._waiting[firm])
            queue = self._pending[self.enterprises[firm].zone]
            if old >= 0:
                queue.remove(old)
                self._outcome[old] = SUPERSEDED
            queue.append(v)
            self._waiting[firm] = v
            self._released += 1

    def _take(self, zone_pos: int, t: float) -> int | None:
        """Next screening in the zone at ``zone_pos`` or the zones after it (None: nothing)."""
        self._release_until(t)
        nz = len(self._zones)
        for j in range(nz):
            queue = self._pending[self._zones[(zone_pos + j) % nz]]
            if queue:
                v = queue.popleft()
                self._waiting[self._firm[v]] = -1
                return v
        return None

    def _next_release(self) -> float:
        return (
            float(self._release[self._released])
            if self._released < len(self._release)
            else math.inf
        )

    # ------------------------------------------------------------------ teams
    def _team_process(self, k: int) -> Generator[simpy.Event, Any, None]:
        env = self.env
        cal = self.calendar
        cfg = self.cfg
        nz = len(self._zones)
        zone_pos = k * nz // cfg.teams
        here: int | None = None  # zone the team is in (None: at the base)
        while True:
            t = env.now
            opens = cal.next_open(t)
            if opens == math.inf:
                break
            if opens > t:  # work is taken in working hours only
                yield env.timeout(opens - t)
                continue
            v = self._take(zone_pos, t)
            if v is None:
                nxt = self._next_release()
                if nxt == math.inf:
                    break
                yield env.timeout(max(nxt - t, 0.0))
                continue
            firm = int(self._firm[v])
            ent = self.enterprises[firm]
            travel = cfg.travel_same_zone_min if ent.zone == here else cfg.travel_other_zone_min
            arrive = cal.advance(t, travel)
            start = cal.next_open(arrive)
            if start == math.inf:
                # The campaign ends on the road: the screening is not reached.
                spent = cal.worked(t, cal.end)
                self._team_busy[k] += spent
                self._team_travel[k] += spent
                self._team_finish[k] = cal.end
                yield env.timeout(max(cal.end - t, 0.0))
                return
            self._team_travel[k] += cal.worked(t, arrive)
            here = ent.zone
            zone_pos = self._zones.index(ent.zone)
            self._team[v] = k + 1
            self._team_visits[k] += 1
            self._visit_start[v] = start
            sampling_start = cal.next_open(cal.advance(start, cfg.setup_min))
            times = self._swab[self._offsets[v] : self._offsets[v + 1]]
            done = swab_completion(times, cfg.swabbers_per_team)
            if sampling_start < math.inf:
                self._sampling_start[v] = sampling_start
                at = cal.advance_many(sampling_start, done)
            else:
                at = np.full(done.size, math.inf)
            ok = np.isfinite(at)
            sampled = int(np.count_nonzero(ok))
            if sampled == ent.workforce:
                end = float(at.max())
                self._visit_end[v] = end
                self._outcome[v] = SAMPLED
            else:
                end = cal.end  # the campaign ends during setup or sampling
                self._outcome[v] = PARTIAL
            if sampled:
                self._swabs.append((v, k, np.flatnonzero(ok), at[ok]))
            self._sampled[v] = sampled
            self._team_sampled[k] += sampled
            self._team_busy[k] += cal.worked(t, end)
            self._team_finish[k] = end
            yield env.timeout(max(end - t, 0.0))
            if self._outcome[v] == PARTIAL:
                return

    def records(self) -> MobileRecords:
        """The campaign's records (raises RuntimeError while a team is still working)."""
        if not self.finished:
            raise RuntimeError(
                f"mobile teams still working at t={self.env.now:g} min; run the environment "
                f"to at least the end of the campaign ({self.calendar.end:g} min)"
            )
        # screenings that came due while every team was busy to the end: supersede as due
        self._release_until(self.calendar.end)
        ents = self.enterprises
        firm = self._firm
        parts = self._swabs

        sizes = [p[2].size for p in parts]
        swab_visit = np.repeat(np.array([p[0] for p in parts], dtype=np.int64), sizes)
        swab_team = np.repeat(np.array([p[1] for p in parts], dtype=np.int16), sizes)
        place = np.concatenate([p[2] for p in parts]) if parts else np.zeros(0, np.int64)
        swab_employee = self._first_employee[firm[swab_visit]] + place
        swab_time = np.concatenate([p[3] for p in parts]) if parts else np.zeros(0)
        rounds = np.array([self.campaign.round_of_day(int(x)) for x in self._day], dtype=np.int64)
        return MobileRecords(
            name=np.array([e.name for e in ents], dtype=str),
            zone=np.array([e.zone for e in ents], dtype=np.int64),
            workforce=self._workforce.copy(),
            visit_firm=firm.copy(),
            visit_due_day=self._day.copy(),
            visit_round=rounds,
            visit_team=self._team.copy(),
            visit_start_min=self._visit_start.copy(),
            sampling_start_min=self._sampling_start.copy(),
            visit_end_min=self._visit_end.copy(),
            visit_sampled=self._sampled.copy(),
            visit_not_sampled=self._workforce[firm] - self._sampled,
            visit_outcome=self._outcome.copy(),
            swab_visit=swab_visit,
            swab_employee=swab_employee,
            swab_time=swab_time,
            swab_team=swab_team,
            team_sampled=self._team_sampled.copy(),
            team_visits=self._team_visits.copy(),
            team_busy_min=self._team_busy.copy(),
            team_travel_min=self._team_travel.copy(),
            team_finish_min=self._team_finish.copy(),
            windows=tuple(self.calendar.windows()),
            swabbers_per_team=self.cfg.swabbers_per_team,
        )


def simulate_mobile_teams(
    cfg: MobileTeamsConfig, campaign: CampaignConfig, streams: RandomStreams
) -> MobileRecords | None:
    """Simulate the mobile teams over the campaign (None without teams)."""
    if cfg.teams <= 0:
        return None
    env = simpy.Environment()
    teams = MobileTeams(env, cfg, campaign, streams)
    env.run()
    return teams.records()

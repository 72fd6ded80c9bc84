"""Door-to-door sampling: visiting teams swab homebound residents at home, round by round.

Arrays only: no SimPy process (a team's day is a sequence of trips and visits that nothing
else interrupts). Times are minutes after midnight of the round's first day.

Rules
-----
Who is homebound
    At the start of each round, each green-channel resident of a sub-district belongs to one
    green-channel group, drawn with the sub-district's group sizes
    (``subdistricts[i].green_groups``: a resident is ``over_70`` with probability
    ``over_70 / total``, ...), and is homebound with the probability ``door_to_door.shares``
    gives that group. Both draws come from the round's stream ``door_to_door/pick`` (only
    when door-to-door sampling is on, so that nothing else shifts). Homebound residents do
    not go to a collection point: they are never in a point's line.
Work list
    The round's homebound residents in a random order (the same stream), dealt to the teams in
    turn: home ``i`` of the list goes to team ``i mod teams``. Each team visits its homes in
    list order.
A team's day
    On each working day (``work_days`` of the round, ``work_start``-``work_end``) a team
    starts at ``work_start``: ``travel_min`` to the next home (from the base for the day's
    first), then ``visit_min`` there; the swab is taken at the end of the visit. A trip and
    visit that would end after ``work_end`` is not started: the team stops for the day and
    goes to that home first the next working day (a new trip from the base). A home whose trip
    and visit are longer than a whole working day is never visited (the team passes it by).
    Travel and visit times are drawn once per home (streams ``door_to_door/travel`` and
    ``door_to_door/visit``, in list order), so a home keeps its times whatever the number of
    teams.
End of the round
    Homes not visited by the end of the round's last working day are ``not_visited``: those
    residents are not tested in the round.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.config.door_to_door import GREEN_GROUPS, DoorToDoorConfig
from sim.config.schema import GreenGroupsConfig
from sim.engine.streams import RandomStreams
from sim.model.durations import distribution

#: Streams (prefixed per round, like the round's others).
PICK_STREAM = "door_to_door/pick"
VISIT_STREAM = "door_to_door/visit"
TRAVEL_STREAM = "door_to_door/travel"

_EPS = 1e-9


def pick_homebound(
    sub: np.ndarray,
    green: np.ndarray,
    groups: list[GreenGroupsConfig],
    cfg: DoorToDoorConfig,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray]:
    """Which residents are homebound, and each resident's green-channel group.

    Parameters
    ----------
    sub, green
        Each resident's sub-district (index into ``groups``) and green-channel flag.
    groups
        Each sub-district's green-channel group sizes.
    cfg
        The shares sampled at home.
    rng
        The round's stream :data:`PICK_STREAM`.

    Returns
    -------
    homebound, green_group
        A boolean mask, and each resident's group (index into
        :data:`~sim.config.door_to_door.GREEN_GROUPS`; -1 for residents not green-eligible).
    """
    n = len(sub)
    sizes = np.array([[getattr(g, name) for name in GREEN_GROUPS] for g in groups], dtype=float)
    totals = sizes.sum(axis=1, keepdims=True)
    mix = np.divide(sizes, totals, out=np.zeros_like(sizes), where=totals > 0)
    cum = np.cumsum(mix, axis=1)
    idx = np.flatnonzero(green)
    u = rng.random(idx.size)
    code = (u[:, None] >= cum[np.asarray(sub, dtype=np.int64)[idx]]).sum(axis=1)
    code = np.minimum(code, len(GREEN_GROUPS) - 1)  # rounding at the top of the last group
    green_group = np.full(n, -1, dtype=np.int8)
    green_group[idx] = code
    share = np.array([cfg.share(name) for name in GREEN_GROUPS])
    homebound = np.zeros(n, dtype=bool)
    homebound[idx] = rng.random(idx.size) < share[code]
    return homebound, green_group


@dataclass(frozen=True)
class DoorToDoorRecords:
    """The homebound residents of one round and the teams that visited them.

    Per-resident arrays are in work-list order (length ``n``); resident ``i`` of these records
    is resident number ``first_resident + i`` of the round (the point residents are numbered
    ``0 .. first_resident - 1``). Times are minutes after midnight of the round's first day,
    NaN where a home was not visited.

    Attributes
    ----------
    first_resident
        The round's resident number of the first homebound resident.
    subdistrict, group, barcode, home
        Sub-district, population group (code into :attr:`sim.model.records.RoundRun.groups`),
        barcode flag and the point of the catchment the resident would have gone to.
    green_group
        Green-channel group (index into :data:`~sim.config.door_to_door.GREEN_GROUPS`).
    team
        Team (0-based) whose list holds the home.
    visit_start, visit_end
        The team's arrival at the home, and the end of the visit (the swab).
    visited
        Whether the home was visited in the round.
    team_visits, team_busy_min, team_travel_min, team_first_min, team_last_min
        Per team: homes visited, working minutes busy (travelling and visiting) and
        travelling, its first arrival and last swab (NaN: none).
    windows
        The teams' working windows ``(start, end)`` in the round.
    swabbers_per_team
        Swabbers of each team (tubes filled at once).
    """

    first_resident: int
    subdistrict: np.ndarray
    group: np.ndarray
    barcode: np.ndarray
    home: np.ndarray
    green_group: np.ndarray
    team: np.ndarray
    visit_start: np.ndarray
    visit_end: np.ndarray
    visited: np.ndarray
    team_visits: np.ndarray
    team_busy_min: np.ndarray
    team_travel_min: np.ndarray
    team_first_min: np.ndarray
    team_last_min: np.ndarray
    windows: tuple[tuple[float, float], ...]
    swabbers_per_team: int

    @property
    def n(self) -> int:
        """Homebound residents of the round."""
        return len(self.team)

    @property
    def teams(self) -> int:
        """Number of teams."""
        return len(self.team_visits)

    @property
    def working_min(self) -> float:
        """Working minutes available to each team in the round."""
        return float(sum(b - a for a, b in self.windows))

    @property
    def resident(self) -> np.ndarray:
        """The round's resident number of each homebound resident."""
        return self.first_resident + np.arange(self.n, dtype=np.int64)


def team_schedule(
    travel: np.ndarray, visit: np.ndarray, windows: list[tuple[float, float]]
) -> tuple[np.ndarray, np.ndarray]:
    """One team's visits to its homes (in order) over its working ``windows``.

    Returns each home's arrival and swab time (NaN for homes not visited): a day's homes are
    those whose cumulative trip and visit time fits in the day (see the module's rules).
    """
    start = np.full(len(travel), np.nan)
    end = np.full(len(travel), np.nan)
    if not windows:
        return start, end
    length = windows[0][1] - windows[0][0]  # every working day is as long
    work = travel + visit
    fits = np.flatnonzero(work <= length + _EPS)  # the others are never visited
    work, visit = work[fits], visit[fits]
    m = fits.size
    j = 0
    for a, _ in windows:
        if j >= m:
            break
        cum = np.cumsum(work[j:])
        k = int(np.searchsorted(cum, length + _EPS, side="right"))  # >= 1: the first fits
        done = a + cum[:k]
        end[fits[j : j + k]] = done
        start[fits[j : j + k]] = done - visit[j : j + k]
        j += k
    return start, end


def visit_homes(
    cfg: DoorToDoorConfig,
    round_days: int,
    first_resident: int,
    subdistrict: np.ndarray,
    group: np.ndarray,
    barcode: np.ndarray,
    home: np.ndarray,
    green_group: np.ndarray,
    streams: RandomStreams,
) -> DoorToDoorRecords:
    """Put the round's homebound residents (given in any fixed order) in a random work list,
    deal it to the teams and schedule their visits (streams: the round's)."""
    n = len(subdistrict)
    order = streams(PICK_STREAM).permutation(n)
    subdistrict, group, barcode, home, green_group = (
        np.asarray(x)[order] for x in (subdistrict, group, barcode, home, green_group)
    )
    teams = cfg.teams
    visit = distribution(cfg.visit_min, 1.0).sample(streams(VISIT_STREAM), n) if n else np.zeros(0)
    travel = (
        distribution(cfg.travel_min, 1.0).sample(streams(TRAVEL_STREAM), n) if n else np.zeros(0)
    )
    team = (np.arange(n) % teams).astype(np.int16)
    windows = cfg.windows(round_days)
    start = np.full(n, np.nan)
    end = np.full(n, np.nan)
    visits = np.zeros(teams, dtype=np.int64)
    busy = np.zeros(teams)
    on_road = np.zeros(teams)
    first = np.full(teams, np.nan)
    last = np.full(teams, np.nan)
    for k in range(teams):
        mine = np.arange(k, n, teams)
        s, e = team_schedule(travel[mine], visit[mine], windows)
        start[mine], end[mine] = s, e
        done = np.isfinite(e)
        visits[k] = int(done.sum())
        busy[k] = float(travel[mine][done].sum() + visit[mine][done].sum())
        on_road[k] = float(travel[mine][done].sum())
        if visits[k]:
            first[k] = float(np.nanmin(s))
            last[k] = float(np.nanmax(e))
    return DoorToDoorRecords(
        first_resident=first_resident,
        subdistrict=subdistrict.astype(np.int16),
        group=group.astype(np.int8),
        barcode=barcode.astype(bool),
        home=home.astype(np.int16),
        green_group=green_group.astype(np.int8),
        team=team,
        visit_start=start,
        visit_end=end,
        visited=np.isfinite(end),
        team_visits=visits,
        team_busy_min=busy,
        team_travel_min=on_road,
        team_first_min=first,
        team_last_min=last,
        windows=tuple(windows),
        swabbers_per_team=cfg.swabbers_per_team,
    )

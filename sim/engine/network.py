"""The queue kernel: many sites, each a line of multi-server stations, in one event loop.

A *site* is a series of *stations* (e.g. desks then booths). Customers arrive at a site's
entrance station and pass through its stations in order. At each station they wait in one of
several FIFO *lanes*; servers are grouped into *pools*, and each pool serves a list of lanes in
priority order (non-preemptive priority). A lane may be served by several pools, so a shared
line with a priority class and dedicated servers that help other lanes when idle are expressed
the same way.

At the entrance, lanes belong to *space groups* with a limit on the number waiting (an arrival
to a full group balks), customers who wait longer than their patience renege, and arrivals
outside the site's *windows* (hours when its line is open) are turned away. A customer who
balks, reneges, is turned away or is still in line when the site closes for the day may come
back: a retry plan gives, per attempt, the delay before returning (infinite: never). Returns
that fall outside the site's windows move to its next window.

A station may *block after service*: when the lines of the next station are full (see
:attr:`StationSpec.block_after`), a customer who completes service stays on the server, which
takes nobody else, until a place frees.

Customers first *depart* (from home) at given times. They go to their home site or, with a
*queue board*, to whichever of their candidate sites posts the shortest entrance line (the
board is refreshed by :meth:`QueueNetwork.refresh_board`), arriving after a travel time.

Why not one SimPy process per customer: for 300,000 customers that costs tens of microseconds
each, and ``simpy.PriorityResource`` re-sorts its queue on every request, which is quadratic
when lines grow into the thousands. Here the per-customer work is a few heap and deque
operations in one loop, independent of line length. SimPy processes advance the kernel in time
and apply capacity schedules (one per point, see :class:`sim.model.district.RoundSimulation`),
so the kernel sits in a SimPy environment beside other processes.

Times are minutes. Service times and patience are drawn in advance, one value per customer and
slot, so the kernel itself uses no random numbers.
"""

from __future__ import annotations

import heapq
import math
from array import array
from bisect import bisect_right
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

#: Outcome codes of :attr:`NetworkRecords.outcome`.
SERVED, BALKED, RENEGED, NOT_ADMITTED, UNSERVED = 0, 1, 2, 3, 4
OUTCOME_NAMES = ("served", "balked", "reneged", "not_admitted", "unserved")

_INF = math.inf
_NAN = math.nan
_ARRIVE = -2
_PULL = -3  # codes <= _PULL: pool (station, pool) = _PULL - code takes waiting customers


@dataclass(frozen=True)
class StationSpec:
    """One station (a group of identical desks or booths in pools).

    Attributes
    ----------
    site
        Index of the site the station belongs to.
    slot
        Which record slot its service times fill (e.g. 0 registration, 1 swab).
    pools
        For each server pool, the lanes it serves in priority order (highest first).
    space_group
        For each lane, the index of its space group (entrance stations only; -1 elsewhere).
    block_after
        Blocking after service (``None``, the default: none; not allowed on a site's last
        station): at most this many customers (all lanes together) may wait in the lines of the
        next station of the site. A customer who completes service here while those lines hold
        ``block_after`` customers and no server of the next station is free for them stays on
        the server, which stays busy and takes nobody else, until they move on; their ``end``
        at this station is when they leave the server. ``0`` allows no line at all: blocked
        customers move on only straight into service.

        The exact rule: each lane of the next station has a *virtual line*, its real line
        followed by the blocked customers of that lane in the order they were blocked. A
        free pool of the next station takes the head of the first non-empty virtual line of
        its lanes in priority order (as without blocking, so the order of service there is
        the one without blocking). When it takes a customer from a real line, the customer
        blocked first (whatever their lane) moves into their lane's line; when the real line
        is empty it takes the first blocked customer of that lane straight into service. In
        both cases the blocked customer's server is freed at that instant.
    """

    site: int
    slot: int
    pools: tuple[tuple[int, ...], ...]
    space_group: tuple[int, ...] = ()
    block_after: int | None = None


@dataclass(frozen=True)
class SiteSpec:
    """A site: its stations in order and the windows when its entrance line is open.

    Attributes
    ----------
    stations
        Station indices in the order customers pass them.
    windows
        ``(start, end)`` intervals (minutes, increasing) in which arrivals are admitted; an
        empty tuple admits all.
    """

    stations: tuple[int, ...]
    windows: tuple[tuple[float, float], ...] = ()


@dataclass
class NetworkRecords:
    """What happened to each customer (arrays of length n; NaN where not reached).

    Attributes
    ----------
    start, end, pool
        Per slot: service start, service end, and the pool that served (-1 if none), from the
        customer's last attempt.
    outcome
        Code into :data:`OUTCOME_NAMES` (of the last attempt).
    left_slot
        Slot where a customer who was not served left (-1 for served customers).
    exit_time
        When a customer who was not served left, NaN for served customers.
    site
        Site of the last attempt.
    first_arrival, arrival
        Arrival time of the first and of the last attempt (NaN if the customer never arrived).
    attempts
        Number of arrivals at a site (retries included).
    """

    start: list[np.ndarray]
    end: list[np.ndarray]
    pool: list[np.ndarray]
    outcome: np.ndarray
    left_slot: np.ndarray
    exit_time: np.ndarray
    site: np.ndarray
    first_arrival: np.ndarray
    arrival: np.ndarray
    attempts: np.ndarray


class QueueNetwork:
    """Sites of tandem stations with lanes, pools, balking, reneging, retries and a board.

    Parameters
    ----------
    departures
        Departure time of each customer's first trip, minutes, sorted.
    order
        Customer index of each departure (a permutation of ``0..n-1``).
    home
        Home site of each customer.
    lane
        Lane index of each customer (the same at every station).
    service
        Per slot, the service time of each customer, minutes.
    stations, sites
        The stations and sites (see :class:`StationSpec`, :class:`SiteSpec`).
    space_limit
        For each space group, the most customers that may wait in it (``None``: unlimited).
    patience
        Longest wait at an entrance before reneging, per customer (``inf``: never); ``None`` if
        nobody reneges.
    retry_delays
        For attempt k (0-based), the delay in minutes before customer r retries after failing,
        ``retry_delays[k][r]`` (``inf``: does not retry). Empty: nobody retries. Item ``k`` is
        read only when some customer first fails attempt k + 1, so a lazy sequence (see
        :class:`sim.engine.distributions.LazyDraws`) draws only the attempts that happen.
    board_candidates
        For each home site, the sites a customer considers, nearest first (``None``: customers
        go to their home site).
    travel
        ``travel[home][site]`` minutes from a home site's area to a site (with a board).
    board_service_min
        Per site, mean service minutes at its last station: the board posts the expected wait,
        people waiting at the site (all its lines) x this / open servers at the last station.
        Customers pick the candidate with the least posted wait plus travel.

    Notes
    -----
    All pools start closed; open them with :meth:`set_capacity`. Advance with
    :meth:`advance` to increasing times; :meth:`close_site` ends a site's day; call
    :meth:`finish` once at the end.
    """

    def __init__(
        self,
        departures: np.ndarray,
        order: np.ndarray,
        home: np.ndarray,
        lane: np.ndarray,
        service: Sequence[np.ndarray],
        stations: Sequence[StationSpec],
        sites: Sequence[SiteSpec],
        space_limit: Sequence[int | None],
        patience: np.ndarray | None = None,
        retry_delays: Sequence[np.ndarray] = (),
        board_candidates: Sequence[Sequence[int]] | None = None,
        travel: Sequence[Sequence[float]] | None = None,
        board_service_min: Sequence[float] | None = None,
    ) -> None:
        n = len(departures)
        self._validate(departures, order, home, lane, service, stations, sites, space_limit)
        n_lanes = 1 + max((max(p) for st in stations for p in st.pools), default=0)
        self.n = n
        self.n_slots = len(service)
        self.now = -_INF
        # customers
        self._dep = departures.tolist()
        # Whether each departure, going straight to its home site, arrives while its line is
        # open (1) or not (0): vectorised here instead of a search per arrival in the loop.
        admit = np.ones(n, dtype=np.int8)
        arrive_at = np.asarray(home)[np.asarray(order)] if n else np.zeros(0, dtype=int)
        for k, site in enumerate(sites):
            if site.windows:
                edges = np.array([x for w in site.windows for x in w])
                mine = arrive_at == k
                admit[mine] = np.searchsorted(edges, departures[mine], side="right") % 2
        self._dep_admit = admit.tolist()
        # Read once per customer: C arrays (8 bytes a customer, not a Python object each);
        # the departure times, read at every event, stay a list.
        self._order = array("q", np.asarray(order, dtype=np.int64).tobytes())
        self._site = home.tolist()
        self._lane = lane.tolist()
        self._svc = [array("d", np.asarray(s, dtype=np.float64).tobytes()) for s in service]
        self._patience = (
            None
            if patience is None
            else array("d", np.asarray(patience, dtype=np.float64).tobytes())
        )
        # Retry plan: row k is converted to a list the first time someone fails attempt k + 1.
        self._retry_plan = retry_delays
        self._n_retry = len(retry_delays)
        self._retry: dict[int, list[float]] = {}
        self._deadline = [_INF] * n if patience is not None else []
        # stations
        self._next_station = [-1] * len(stations)
        for site in sites:
            for a, b in zip(site.stations, site.stations[1:], strict=False):
                self._next_station[a] = b
        self._entrance = [site.stations[0] for site in sites]
        self._is_entrance = [False] * len(stations)
        for idx in self._entrance:
            self._is_entrance[idx] = True
        # Blocking after service: per station, the most customers its next station's lines may
        # hold (None: no limit); per station, the customers blocked on a server of the previous
        # station because its lines are full, in the order they were blocked.
        self._prev_station = [-1] * len(stations)
        for a, b in enumerate(self._next_station):
            if b >= 0:
                self._prev_station[b] = a
        self._block_after: list[int | None] = [
            None if st.block_after is None else int(st.block_after) for st in stations
        ]
        self._blocked: list[deque[int]] = [deque() for _ in stations]
        self._blocking = any(b is not None for b in self._block_after)
        self._slot = [st.slot for st in stations]
        self._serves = [[tuple(p) for p in st.pools] for st in stations]
        self._pools_for: list[list[list[int]]] = []
        for spec in stations:
            per_lane: list[list[int]] = []
            for q in range(n_lanes):
                cands = [(lanes.index(q), p) for p, lanes in enumerate(spec.pools) if q in lanes]
                per_lane.append([p for _, p in sorted(cands)])
            self._pools_for.append(per_lane)
        self._group = [list(st.space_group) for st in stations]
        self._cap = [[0] * len(st.pools) for st in stations]
        self._busy = [[0] * len(st.pools) for st in stations]
        self._lines: list[list[deque[int]]] = [[deque() for _ in range(n_lanes)] for _ in stations]
        self._limit = [(_INF if lim is None else lim) for lim in space_limit]
        self._in_group = [0] * len(space_limit)
        # sites
        self._windows = [[x for w in site.windows for x in w] for site in sites]
        self._site_of_station = [st.site for st in stations]
        self._site_groups = [sorted(set(stations[site.stations[0]].space_group)) for site in sites]
        self._site_inner = [site.stations[1:] for site in sites]
        self._board = [0.0] * len(sites)
        self._board_svc = (
            [1.0] * len(sites) if board_service_min is None else list(board_service_min)
        )
        self._last_station = [site.stations[-1] for site in sites]
        self._closed_until = [-_INF] * len(sites)
        self._cands = None if board_candidates is None else [list(c) for c in board_candidates]
        self._travel = None if travel is None else [list(row) for row in travel]
        # event heap and state
        self._heap: list[tuple[float, int, int]] = []
        # Patience deadlines live in their own heap: most are stale (the customer was served
        # first) and would otherwise make every completion's heap operation deeper.
        self._rheap: list[tuple[float, int]] = []
        self._next = 0
        self._waiting0 = bytearray(n)
        nan = math.nan
        # Records are written, not read, in the loop: C arrays, handed to NumPy without copying.
        self._start = [array("d", [nan]) * n for _ in service]
        self._end = [array("d", [nan]) * n for _ in service]
        self._pool = [array("h", [-1]) * n for _ in service]
        # Per station, the record arrays of its slot (so the event loop skips the slot lookup;
        # built once here, not on each of the many calls to advance).
        self._by_station = (
            [self._start[k] for k in self._slot],
            [self._end[k] for k in self._slot],
            [self._pool[k] for k in self._slot],
            [self._svc[k] for k in self._slot],
        )
        self._outcome = bytearray(n)
        self._left = array("b", [-1]) * n
        self._exit = array("d", [nan]) * n
        self._first = array("d", [nan]) * n
        self._arrival = array("d", [nan]) * n
        self._attempts = array("h", [0]) * n
        self._finished = False

    @staticmethod
    def _validate(
        departures: np.ndarray,
        order: np.ndarray,
        home: np.ndarray,
        lane: np.ndarray,
        service: Sequence[np.ndarray],
        stations: Sequence[StationSpec],
        sites: Sequence[SiteSpec],
        space_limit: Sequence[int | None],
    ) -> None:
        n = len(departures)
        if not (len(order) == len(home) == len(lane) == n):
            raise ValueError("order, home and lane need one entry per customer")
        if n and np.any(np.diff(departures) < 0):
            raise ValueError("departures must be sorted")
        if any(len(s) != n for s in service):
            raise ValueError("service needs one entry per customer in every slot")
        for k, site in enumerate(sites):
            if not site.stations:
                raise ValueError(f"site {k} has no station")
            first = stations[site.stations[0]]
            if len(first.space_group) == 0:
                raise ValueError(f"site {k}: the entrance station needs space groups per lane")
            if any(not 0 <= g < len(space_limit) for g in first.space_group):
                raise ValueError(f"site {k}: space groups must index space_limit")
        has_next = {a for site in sites for a in site.stations[:-1]}
        for s, st in enumerate(stations):
            for lanes in st.pools:
                if not lanes:
                    raise ValueError(f"station {s}: a pool must serve at least one lane")
            b = st.block_after
            if b is None:
                continue
            if isinstance(b, bool) or not isinstance(b, int | np.integer) or b < 0:
                raise ValueError(f"station {s}: block_after must be None or an int >= 0, got {b!r}")
            if s not in has_next:
                raise ValueError(
                    f"station {s}: block_after needs a next station, but station {s} is the last"
                    " station of its site"
                )
        for k, site in enumerate(sites):
            used = set(np.unique(lane[home == k]).tolist()) if n else set()
            for s in site.stations:
                served = {q for lanes in stations[s].pools for q in lanes}
                if not used <= served:
                    raise ValueError(f"station {s}: lanes {sorted(used - served)} have no pool")

    # ------------------------------------------------------------------ control
    def capacity(self, station: int, pool: int) -> int:
        """Servers currently open in a pool."""
        return self._cap[station][pool]

    def set_capacity(self, station: int, pool: int, count: int, t: float) -> None:
        """Open or close servers of a pool at time ``t`` (the kernel is advanced to ``t``).

        A server that closes while busy finishes its customer first; servers that open take
        waiting customers at once.
        """
        if count < 0:
            raise ValueError(f"capacity must be >= 0, got {count}")
        self._cap[station][pool] = count
        heapq.heappush(self._heap, (t, -1, _PULL - (station << 8 | pool)))
        self.advance(t)

    def refresh_board(self, t: float) -> None:
        """Post each site's expected wait on the queue board (at time ``t``)."""
        self.advance(t)
        board = []
        for k in range(len(self._board)):
            waiting = self.waiting_at(k)
            open_servers = sum(self._cap[self._last_station[k]])
            board.append(waiting * self._board_svc[k] / open_servers if open_servers else _INF)
        self._board = board

    def waiting_in(self, station: int, lane: int) -> int:
        """Customers now waiting in one lane of a station (without those who reneged)."""
        line = self._lines[station][lane]
        if self._is_entrance[station]:
            return sum(1 for r in line if self._waiting0[r])
        return len(line)

    def waiting_at(self, site: int) -> int:
        """Customers now waiting in any line of a site, and those blocked on a server after
        service (see :attr:`StationSpec.block_after`): they wait for the next station too."""
        inner = sum(len(line) for st in self._site_inner[site] for line in self._lines[st])
        held = sum(len(self._blocked[st]) for st in self._site_inner[site])
        return sum(self._in_group[g] for g in self._site_groups[site]) + inner + held

    def close_site(self, site: int, t: float) -> None:
        """End a site's day at ``t``: whoever waits there leaves unserved (and may retry).

        Until the site's next window opens, a customer who finishes a station there does not
        join the next line overnight but leaves unserved too. A customer blocked on a server
        (see :attr:`StationSpec.block_after`) leaves it at ``t`` (their end there) and is left
        unserved at the next station.
        """
        self.advance(t)
        self._closed_until[site] = self._next_open(site, t)
        for st in range(len(self._lines)):
            if self._site_of_station[st] != site:
                continue
            entrance = self._is_entrance[st]
            for q, line in enumerate(self._lines[st]):
                waiting = list(line)
                line.clear()
                for r in waiting:
                    if entrance:
                        if not self._waiting0[r]:
                            continue  # reneged earlier, lazily left in the line
                        self._waiting0[r] = 0
                        self._in_group[self._group[st][q]] -= 1
                    self._fail(t, r, UNSERVED, self._slot[st])
            blocked = self._blocked[st]
            if blocked:
                waiting = list(blocked)
                blocked.clear()
                for r in waiting:
                    self._release(self._prev_station[st], r, t)
                    self._fail(t, r, UNSERVED, self._slot[st])

    def finish(self, end_time: float) -> NetworkRecords:
        """End the run at ``end_time``: whoever still waits is left unserved.

        Services under way are completed; a customer who completes a station after
        ``end_time`` joins the next line (without blocking) and is left unserved there. Nobody
        retries after the end.
        """
        self.advance(end_time)
        self._n_retry = 0
        for i in range(self._next, self.n):  # would leave home after the end
            self._never_arrived(self._order[i], self._dep[i])
        self._next = self.n
        for t, r, code in self._heap:
            if code == _ARRIVE and self._attempts[r] == 0:  # on the way at the end
                self._never_arrived(r, t)
            # a return planned after the end: the last attempt's outcome stands
        for site in range(len(self._entrance)):
            self.close_site(site, end_time)
        self._heap = [e for e in self._heap if e[2] >= 0]  # only services under way remain
        heapq.heapify(self._heap)
        self._rheap = []
        for caps in self._cap:  # nobody starts a new service after the end
            caps[:] = [0] * len(caps)
        # nobody is blocked after the end (close_site released whoever was): a customer who
        # completes a station later joins the next line, as without blocking
        self._block_after = [None] * len(self._block_after)
        self._blocking = False
        self.advance(_INF)
        for site in range(len(self._entrance)):
            self.close_site(site, end_time)
        self._finished = True
        return NetworkRecords(
            start=[np.frombuffer(x, dtype=np.float64) for x in self._start],
            end=[np.frombuffer(x, dtype=np.float64) for x in self._end],
            pool=[np.frombuffer(x, dtype=np.int16) for x in self._pool],
            outcome=np.frombuffer(bytes(self._outcome), dtype=np.uint8).copy(),
            left_slot=np.frombuffer(self._left, dtype=np.int8),
            exit_time=np.frombuffer(self._exit, dtype=np.float64),
            site=np.array(self._site, dtype=np.int32),
            first_arrival=np.where(
                np.isnan(first := np.frombuffer(self._first, dtype=np.float64)),
                np.frombuffer(self._arrival, dtype=np.float64),
                first,
            ),
            arrival=np.frombuffer(self._arrival, dtype=np.float64),
            attempts=np.frombuffer(self._attempts, dtype=np.int16),
        )

    # ------------------------------------------------------------------ failures and retries
    def _never_arrived(self, r: int, t: float) -> None:
        """Customer ``r`` arrives at ``t``, after the end of the run: turned away then."""
        self._attempts[r] = 1
        self._arrival[r] = self._exit[r] = t
        self._outcome[r] = NOT_ADMITTED
        self._left[r] = self._slot[self._entrance[self._site[r]]]

    def _fail(self, t: float, r: int, code: int, slot: int) -> None:
        """Record that customer ``r`` left unserved; schedule a retry if the plan says so."""
        self._outcome[r] = code
        self._left[r] = slot
        self._exit[r] = t
        k = self._attempts[r] - 1
        if 0 <= k < self._n_retry:
            row = self._retry.get(k)
            if row is None:
                row = self._retry[k] = self._retry_plan[k].tolist()
            delay = row[r]
            if delay < _INF:
                back = self._next_open(self._site[r], t + delay)
                if back < _INF:
                    heapq.heappush(self._heap, (back, r, _ARRIVE))

    # ------------------------------------------------------------------ blocking after service
    def _release(self, station: int, r: int, t: float) -> None:
        """Customer ``r``, blocked on a server of ``station``, leaves it at ``t``."""
        self._by_station[1][station][r] = t
        p = self._by_station[2][station][r]
        self._busy[station][p] -= 1
        heapq.heappush(self._heap, (t, -1, _PULL - (station << 8 | p)))

    def _pull_blocked(self, st: int, p: int, t: float) -> None:
        """Pool ``p`` of station ``st`` takes customers while some are blocked before ``st``.

        The slow path of the pull in :meth:`advance` (``st`` is never an entrance): each lane's
        virtual line is its real line then its blocked customers (see
        :attr:`StationSpec.block_after`).
        """
        cap = self._cap[st]
        busy = self._busy[st]
        lines = self._lines[st]
        blocked = self._blocked[st]
        prev = self._prev_station[st]
        lane = self._lane
        started = self._by_station[0][st]
        served_by = self._by_station[2][st]
        service = self._by_station[3][st]
        heap = self._heap
        while busy[p] < cap[p]:
            nxt = -1
            for q in self._serves[st][p]:
                line = lines[q]
                if line:
                    nxt = line.popleft()
                    if blocked:  # a place freed: the customer blocked first joins their line
                        b = blocked.popleft()
                        self._release(prev, b, t)
                        lines[lane[b]].append(b)
                    break
                # lane q's line is empty: its first blocked customer goes straight in
                nxt = next((b for b in blocked if lane[b] == q), -1)
                if nxt >= 0:
                    blocked.remove(nxt)
                    self._release(prev, nxt, t)
                    break
            if nxt < 0:
                break
            busy[p] += 1
            started[nxt] = t
            served_by[nxt] = p
            heapq.heappush(heap, (t + service[nxt], nxt, st << 8 | p))

    def _next_open(self, site: int, t: float) -> float:
        w = self._windows[site]
        if not w:
            return t
        k = bisect_right(w, t)
        if k % 2 == 1:
            return t
        return w[k] if k < len(w) else _INF

    # ------------------------------------------------------------------ the event loop
    def advance(self, until: float) -> None:
        """Process every departure, arrival and event up to and including ``until`` (minutes).

        This is the hot loop: the per-customer work is inlined, with locals for speed. Heap
        entries are ``(time, customer, code)``: ``code >= 0`` is a service completion at
        station ``code >> 8``, pool ``code & 255``; ``-2`` an
        arrival at the customer's site; ``<= -3`` lets pool ``-3 - code`` take waiting
        customers.

        Blocking after service costs a network without it one test of a local flag per
        completion that joins a line and per pull by a pool with a free server; with it, a
        pool takes customers in :meth:`_pull_blocked` while some are blocked before its
        station.
        """
        if self._finished:
            raise RuntimeError("advance() after finish()")
        heap = self._heap
        rheap = self._rheap
        heappop = heapq.heappop
        heappush = heapq.heappush
        dep = self._dep
        order = self._order
        n = self.n
        i = self._next
        site_of = self._site
        lane = self._lane
        dep_admit = self._dep_admit
        slot_of = self._slot
        st_starts, st_ends, st_pools, st_svc = self._by_station
        next_station = self._next_station
        entrance_of = self._entrance
        is_entrance = self._is_entrance
        starts = self._start
        ends = self._end
        pools = self._pool
        caps = self._cap
        busys = self._busy
        lines_of = self._lines
        pools_for = self._pools_for
        serves = self._serves
        waiting0 = self._waiting0
        groups = self._group
        limit = self._limit
        in_group = self._in_group
        patience = self._patience
        deadline = self._deadline
        windows = self._windows
        first = self._first
        arrival = self._arrival
        attempts = self._attempts
        n_slots = self.n_slots
        outcome = self._outcome
        left = self._left
        exit_ = self._exit
        fail = self._fail
        cands = self._cands
        travel = self._travel
        closed_until = self._closed_until
        board = self._board
        blocking = self._blocking  # any station blocks after service
        block_after = self._block_after
        blocked_at = self._blocked
        while True:
            t_ev = heap[0][0] if heap else _INF
            t_dep = dep[i] if i < n else _INF
            if rheap and rheap[0][0] < t_ev and rheap[0][0] <= t_dep:
                # ---- patience runs out: leave the entrance line if still in it (after any
                # completion at the same instant, so a freed server serves the customer first)
                t, r = heappop(rheap)
                if t > until:
                    heapq.heappush(rheap, (t, r))
                    break
                if waiting0[r] and deadline[r] == t:
                    waiting0[r] = 0
                    s = site_of[r]
                    st = entrance_of[s]
                    in_group[groups[st][lane[r]]] -= 1
                    fail(t, r, RENEGED, slot_of[st])
                continue
            if t_dep < t_ev:
                if t_dep > until:
                    break
                t = t_dep
                r = order[i]
                admit = dep_admit[i]  # the window check, done in advance for direct trips
                i += 1
                if cands is not None:
                    admit = -1
                    # ---- departure with a queue board: go where the posted line is shortest
                    home = site_of[r]
                    assert travel is not None
                    trips = travel[home]
                    best = home
                    best_cost = _INF
                    for c in cands[home]:
                        cost = board[c] + trips[c]
                        if cost < best_cost:
                            best, best_cost = c, cost
                    site_of[r] = best
                    trip = trips[best]
                    if trip > 0:
                        heappush(heap, (t + trip, r, _ARRIVE))
                        continue
                    t += trip
            else:
                if t_ev > until or t_ev == _INF:
                    break
                t, r, code = heappop(heap)
                admit = -1
                if code >= 0:
                    # ---- service completion; the customer moves on to the next station
                    st = code >> 8
                    p = code & 255
                    st_ends[st][r] = t
                    busys[st][p] -= 1
                    st2 = next_station[st]
                    if st2 >= 0 and t < closed_until[site_of[r]]:
                        fail(t, r, UNSERVED, slot_of[st2])  # finished after the site closed
                    elif st2 >= 0:
                        q = lane[r]
                        cap = caps[st2]
                        busy = busys[st2]
                        for p2 in pools_for[st2][q]:
                            if busy[p2] < cap[p2]:
                                busy[p2] += 1
                                st_starts[st2][r] = t
                                st_pools[st2][r] = p2
                                heappush(heap, (t + st_svc[st2][r], r, st2 << 8 | p2))
                                break
                        else:
                            if blocking:
                                lim = block_after[st]
                                if lim is not None and sum(map(len, lines_of[st2])) >= lim:
                                    # ---- blocked: stays on the server until a place frees
                                    busys[st][p] += 1
                                    st_ends[st][r] = _NAN
                                    blocked_at[st2].append(r)
                                    continue
                            lines_of[st2][q].append(r)
                    elif attempts[r] > 1:  # an earlier attempt failed: clear its outcome
                        outcome[r] = SERVED
                        left[r] = -1
                        exit_[r] = _NAN
                elif code != _ARRIVE:
                    st, p = divmod(_PULL - code, 256)
                if code != _ARRIVE:
                    # ---- the freed (or newly opened) pool takes waiting customers by priority
                    cap = caps[st]
                    busy = busys[st]
                    if busy[p] >= cap[p]:
                        continue
                    if blocking and blocked_at[st]:  # some blocked before this station
                        self._pull_blocked(st, p, t)
                        continue
                    lines = lines_of[st]
                    entrance = is_entrance[st]
                    started = st_starts[st]
                    served_by = st_pools[st]
                    service = st_svc[st]
                    while busy[p] < cap[p]:
                        nxt = -1
                        for q in serves[st][p]:
                            line = lines[q]
                            while line:
                                cand = line.popleft()
                                if entrance:
                                    if not waiting0[cand]:
                                        continue  # reneged earlier, lazily left in the line
                                    waiting0[cand] = 0
                                    in_group[groups[st][q]] -= 1
                                nxt = cand
                                break
                            if nxt >= 0:
                                break
                        if nxt < 0:
                            break
                        busy[p] += 1
                        started[nxt] = t
                        served_by[nxt] = p
                        heappush(heap, (t + service[nxt], nxt, st << 8 | p))
                    continue
            # ---- arrival of customer r at its site's entrance at time t
            s = site_of[r]
            a = attempts[r] = attempts[r] + 1
            if a > 1:  # a return: keep the first arrival, forget the failed attempt
                if a == 2:
                    first[r] = arrival[r]
                for k in range(n_slots):
                    starts[k][r] = _NAN
                    ends[k][r] = _NAN
                    pools[k][r] = -1
            arrival[r] = t
            st = entrance_of[s]
            if admit < 0:
                w = windows[s]
                admit = 0 if w and bisect_right(w, t) % 2 == 0 else 1
            if not admit:
                fail(t, r, NOT_ADMITTED, slot_of[st])
                continue
            q = lane[r]
            cap = caps[st]
            busy = busys[st]
            for p in pools_for[st][q]:
                if busy[p] < cap[p]:
                    busy[p] += 1
                    st_starts[st][r] = t
                    st_pools[st][r] = p
                    heappush(heap, (t + st_svc[st][r], r, st << 8 | p))
                    break
            else:
                g = groups[st][q]
                if in_group[g] >= limit[g]:
                    fail(t, r, BALKED, slot_of[st])
                    continue
                in_group[g] += 1
                waiting0[r] = 1
                lines_of[st][q].append(r)
                if patience is not None:
                    d = t + patience[r]
                    if d < _INF:
                        deadline[r] = d
                        heappush(rheap, (d, r))
        self._next = i
        self.now = until

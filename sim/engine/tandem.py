"""The queue kernel: multi-server stations in series, with priority lanes and server pools.

Customers arrive at stage 0 and pass through every stage in order. At each stage they wait in
one of several FIFO lanes (queues); servers are grouped into pools, and each pool serves a list
of lanes in priority order (non-preemptive priority). A lane may be served by several pools, so
both a shared line with a priority class and dedicated servers (that may help other lanes when
idle) are expressed the same way.

Stage 0 is the entrance: its lanes belong to space groups with a limit on the number waiting
(arrivals to a full group balk), customers who wait longer than their patience renege, and
customers can be turned away (not admitted) outright.

Why not one SimPy process per customer: for 300,000 customers that costs tens of microseconds
each, and ``simpy.PriorityResource`` re-sorts its queue on every request, which becomes
quadratic when queues grow into the thousands. Here the per-customer work is a few heap and
deque operations in one loop, independent of queue length. The kernel is advanced in time by
one SimPy process per site (:mod:`sim.engine.process`), which also applies capacity changes, so
the site fits in a SimPy environment beside other processes.

Times are in minutes. Service times and patience are drawn in advance, one value per customer
and stage, so the kernel itself uses no random numbers.
"""

from __future__ import annotations

import heapq
import itertools
import math
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

#: Outcome codes of :attr:`TandemRecords.outcome`.
SERVED, BALKED, RENEGED, NOT_ADMITTED, UNSERVED = 0, 1, 2, 3, 4
OUTCOME_NAMES = ("served", "balked", "reneged", "not_admitted", "unserved")

_DONE, _RENEGE = 0, 1
_INF = math.inf


@dataclass(frozen=True)
class StageSpec:
    """One stage of the tandem.

    Attributes
    ----------
    pools
        For each server pool, the lanes it serves in priority order (highest first).
    service
        Service time of each customer at this stage, minutes.
    """

    pools: tuple[tuple[int, ...], ...]
    service: np.ndarray


@dataclass
class TandemRecords:
    """What happened to each customer (arrays of length n; NaN where not reached).

    Attributes
    ----------
    start, end
        Per stage: service start and end times, minutes.
    pool
        Per stage: index of the pool that served the customer (-1 if none).
    outcome
        One of :data:`OUTCOME_NAMES` as a code.
    left_stage
        Stage at which a customer who was not served left (-1 for served customers).
    exit_time
        When a customer left without service (balk, renege, not admitted: arrival time or the
        renege time; unserved: the end of the run), NaN for served customers.
    """

    start: list[np.ndarray]
    end: list[np.ndarray]
    pool: list[np.ndarray]
    outcome: np.ndarray
    left_stage: np.ndarray
    exit_time: np.ndarray


class TandemQueue:
    """Stations in series with priority lanes, server pools, balking and reneging.

    Parameters
    ----------
    arrival_times
        Arrival time of each customer at stage 0, minutes, non-decreasing.
    lane
        Lane index of each customer (the same lane at every stage).
    stages
        The stages in order.
    n_lanes
        Number of lanes at every stage.
    space_group
        For each lane, the index of its entrance space group.
    space_limit
        For each space group, the most customers that may wait in it (``None``: unlimited).
    patience
        Longest wait at the entrance before reneging, per customer, minutes (``inf``: never);
        ``None`` if nobody reneges.
    admitted
        Per customer, ``False`` to turn the customer away on arrival; ``None`` admits all.

    Notes
    -----
    All pools start closed (capacity 0); call :meth:`set_capacity` to open servers. Then call
    :meth:`advance` with increasing times, and :meth:`finish` once at the end.
    """

    def __init__(
        self,
        arrival_times: np.ndarray,
        lane: np.ndarray,
        stages: Sequence[StageSpec],
        n_lanes: int,
        space_group: Sequence[int],
        space_limit: Sequence[int | None],
        patience: np.ndarray | None = None,
        admitted: np.ndarray | None = None,
    ) -> None:
        n = len(arrival_times)
        if len(lane) != n:
            raise ValueError("lane must have one entry per customer")
        if n and np.any(np.diff(arrival_times) < 0):
            raise ValueError("arrival_times must be sorted")
        for s, st in enumerate(stages):
            if len(st.service) != n:
                raise ValueError(f"stage {s}: service must have one entry per customer")
            for lanes in st.pools:
                if not lanes or any(not 0 <= q < n_lanes for q in lanes):
                    raise ValueError(f"stage {s}: a pool must serve lanes in 0..{n_lanes - 1}")
            served = {q for lanes in st.pools for q in lanes}
            used = set(np.unique(lane).tolist())
            if not used <= served:
                raise ValueError(f"stage {s}: lanes {sorted(used - served)} have no server pool")
        if len(space_group) != n_lanes:
            raise ValueError("space_group needs one entry per lane")
        self.n = n
        self.n_stages = len(stages)
        self.now = -_INF
        self._arr = arrival_times.tolist()
        self._lane = lane.tolist()
        self._svc = [st.service.tolist() for st in stages]
        self._serves = [[tuple(p) for p in st.pools] for st in stages]
        # For each stage and lane, the pools that may take a newcomer in that lane: pools for
        # which the lane is highest priority first (dedicated servers before helpers).
        self._pools_for: list[list[list[int]]] = []
        for st in stages:
            per_lane: list[list[int]] = []
            for q in range(n_lanes):
                cands = [(lanes.index(q), p) for p, lanes in enumerate(st.pools) if q in lanes]
                per_lane.append([p for _, p in sorted(cands)])
            self._pools_for.append(per_lane)
        self._cap = [[0] * len(st.pools) for st in stages]
        self._busy = [[0] * len(st.pools) for st in stages]
        self._queues: list[list[deque[int]]] = [[deque() for _ in range(n_lanes)] for _ in stages]
        self._group = list(space_group)
        self._limit = [(_INF if lim is None else lim) for lim in space_limit]
        self._waiting_in_group = [0] * len(space_limit)
        self._patience = None if patience is None else patience.tolist()
        self._admitted = None if admitted is None else admitted.tolist()
        self._waiting0 = bytearray(n)
        self._heap: list[tuple[float, int, int, int, int, int]] = []
        self._seq = itertools.count()
        self._next = 0
        nan = math.nan
        self._start = [[nan] * n for _ in stages]
        self._end = [[nan] * n for _ in stages]
        self._pool = [[-1] * n for _ in stages]
        self._outcome = bytearray(n)  # SERVED by default; overwritten for the others
        self._left = [-1] * n
        self._exit = [nan] * n
        self._finished = False

    # ------------------------------------------------------------------ control
    def capacity(self, stage: int, pool: int) -> int:
        """Servers currently open in a pool."""
        return self._cap[stage][pool]

    def set_capacity(self, stage: int, pool: int, count: int, t: float) -> None:
        """Open or close servers of a pool at time ``t`` (after :meth:`advance` to ``t``).

        A server that closes while busy finishes its customer first.
        """
        if count < 0:
            raise ValueError(f"capacity must be >= 0, got {count}")
        self.now = t
        self._cap[stage][pool] = count
        self._pull(stage, pool, t)

    def advance(self, until: float) -> None:
        """Process every arrival and event up to and including time ``until`` (minutes)."""
        if self._finished:
            raise RuntimeError("advance() after finish()")
        heap = self._heap
        arr = self._arr
        n = self.n
        i = self._next
        heappop = heapq.heappop
        arrive0 = self._arrive0
        complete = self._complete
        renege = self._renege
        while True:
            t_ev = heap[0][0] if heap else _INF
            t_arr = arr[i] if i < n else _INF
            if t_ev <= t_arr:
                if t_ev > until or t_ev == _INF:
                    break
                t, _, kind, s, p, r = heappop(heap)
                if kind == _DONE:
                    complete(t, s, p, r)
                else:
                    renege(t, r)
            else:
                if t_arr > until:
                    break
                arrive0(t_arr, i)
                i += 1
        self._next = i
        self.now = until

    def finish(self, end_time: float) -> TandemRecords:
        """End the run at ``end_time``: whoever is still waiting then is left unserved.

        Services under way at ``end_time`` are completed; a customer who completes a stage after
        ``end_time`` joins the next line and is left unserved there.

        Parameters
        ----------
        end_time
            The end of the run (minutes), recorded as the exit time of unserved customers.
        """
        self.advance(end_time)
        self._abandon(0, end_time)  # before their patience events could fire after the end
        self.advance(_INF)
        self._finished = True
        for s in range(1, self.n_stages):
            self._abandon(s, end_time)
        return TandemRecords(
            start=[np.array(x) for x in self._start],
            end=[np.array(x) for x in self._end],
            pool=[np.array(x, dtype=np.int16) for x in self._pool],
            outcome=np.frombuffer(bytes(self._outcome), dtype=np.uint8).copy(),
            left_stage=np.array(self._left, dtype=np.int8),
            exit_time=np.array(self._exit),
        )

    # ------------------------------------------------------------------ events
    def _arrive0(self, t: float, r: int) -> None:
        if self._admitted is not None and not self._admitted[r]:
            self._outcome[r] = NOT_ADMITTED
            self._left[r] = 0
            self._exit[r] = t
            return
        q = self._lane[r]
        cap = self._cap[0]
        busy = self._busy[0]
        for p in self._pools_for[0][q]:
            if busy[p] < cap[p]:
                busy[p] += 1
                self._start[0][r] = t
                self._pool[0][r] = p
                heapq.heappush(self._heap, (t + self._svc[0][r], next(self._seq), _DONE, 0, p, r))
                return
        g = self._group[q]
        if self._waiting_in_group[g] >= self._limit[g]:
            self._outcome[r] = BALKED
            self._left[r] = 0
            self._exit[r] = t
            return
        self._waiting_in_group[g] += 1
        self._waiting0[r] = 1
        self._queues[0][q].append(r)
        if self._patience is not None:
            deadline = t + self._patience[r]
            if deadline < _INF:
                heapq.heappush(self._heap, (deadline, next(self._seq), _RENEGE, 0, 0, r))

    def _renege(self, t: float, r: int) -> None:
        if self._waiting0[r]:
            self._waiting0[r] = 0
            self._waiting_in_group[self._group[self._lane[r]]] -= 1
            self._outcome[r] = RENEGED
            self._left[r] = 0
            self._exit[r] = t

    def _complete(self, t: float, s: int, p: int, r: int) -> None:
        self._end[s][r] = t
        self._busy[s][p] -= 1
        nxt = s + 1
        if nxt < self.n_stages:
            q = self._lane[r]
            cap = self._cap[nxt]
            busy = self._busy[nxt]
            for p2 in self._pools_for[nxt][q]:
                if busy[p2] < cap[p2]:
                    busy[p2] += 1
                    self._start[nxt][r] = t
                    self._pool[nxt][r] = p2
                    heapq.heappush(
                        self._heap, (t + self._svc[nxt][r], next(self._seq), _DONE, nxt, p2, r)
                    )
                    break
            else:
                self._queues[nxt][q].append(r)
        self._pull(s, p, t)

    def _pull(self, s: int, p: int, t: float) -> None:
        """Let pool ``p`` of stage ``s`` take waiting customers while it has free servers."""
        cap = self._cap[s]
        busy = self._busy[s]
        if busy[p] >= cap[p]:
            return
        queues = self._queues[s]
        entrance = s == 0
        waiting0 = self._waiting0
        svc = self._svc[s]
        start = self._start[s]
        pool = self._pool[s]
        while busy[p] < cap[p]:
            r = -1
            for q in self._serves[s][p]:
                line = queues[q]
                while line:
                    cand = line.popleft()
                    if entrance:
                        if not waiting0[cand]:
                            continue  # reneged earlier
                        waiting0[cand] = 0
                        self._waiting_in_group[self._group[q]] -= 1
                    r = cand
                    break
                if r >= 0:
                    break
            if r < 0:
                return
            busy[p] += 1
            start[r] = t
            pool[r] = p
            heapq.heappush(self._heap, (t + svc[r], next(self._seq), _DONE, s, p, r))

    # ------------------------------------------------------------------ helpers
    def _abandon(self, s: int, end_time: float) -> None:
        for q, queue in enumerate(self._queues[s]):
            for r in queue:
                if s == 0:
                    if not self._waiting0[r]:
                        continue  # reneged earlier, lazily left in the line
                    self._waiting0[r] = 0
                    self._waiting_in_group[self._group[q]] -= 1
                self._outcome[r] = UNSERVED
                self._left[r] = s
                self._exit[r] = end_time
            queue.clear()

    def waiting(self, stage: int, lane: int) -> int:
        """Customers waiting in a lane now (entrance lines exclude those who reneged)."""
        line = self._queues[stage][lane]
        if stage == 0:
            return sum(1 for r in line if self._waiting0[r])
        return len(line)

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
import math
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

#: Outcome codes of :attr:`TandemRecords.outcome`.
SERVED, BALKED, RENEGED, NOT_ADMITTED, UNSERVED = 0, 1, 2, 3, 4
OUTCOME_NAMES = ("served", "balked", "reneged", "not_admitted", "unserved")

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
        self._heap: list[tuple[float, int, int]] = []
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

        A server that closes while busy finishes its customer first; servers that open take
        waiting customers at once.
        """
        if count < 0:
            raise ValueError(f"capacity must be >= 0, got {count}")
        self._cap[stage][pool] = count
        # A "pull" event lets the pool take waiting customers, through the one event loop.
        heapq.heappush(self._heap, (t, -1, -2 - (stage << 8 | pool)))
        self.advance(t)

    def advance(self, until: float) -> None:
        """Process every arrival and event up to and including time ``until`` (minutes).

        This is the hot loop: everything per customer is inlined, with locals for speed.
        Heap entries are ``(time, customer, code)``: ``code >= 0`` is a service completion at
        stage ``code >> 8``, pool ``code & 255``; ``-1`` is a patience deadline; ``<= -2`` lets
        pool ``-2 - code`` take waiting customers (after a capacity change).
        """
        if self._finished:
            raise RuntimeError("advance() after finish()")
        heap = self._heap
        heappop = heapq.heappop
        heappush = heapq.heappush
        arr = self._arr
        n = self.n
        i = self._next
        last = self.n_stages - 1
        lane = self._lane
        svc = self._svc
        starts = self._start
        ends = self._end
        pools = self._pool
        caps = self._cap
        busys = self._busy
        queues = self._queues
        pools_for = self._pools_for
        serves = self._serves
        waiting0 = self._waiting0
        group = self._group
        limit = self._limit
        in_group = self._waiting_in_group
        patience = self._patience
        admitted = self._admitted
        outcome = self._outcome
        left = self._left
        exit_ = self._exit
        while True:
            t_ev = heap[0][0] if heap else _INF
            t_arr = arr[i] if i < n else _INF
            if t_arr < t_ev:
                # ---- arrival at the entrance (stage 0)
                if t_arr > until:
                    break
                t = t_arr
                r = i
                i += 1
                if admitted is not None and not admitted[r]:
                    outcome[r] = NOT_ADMITTED
                    left[r] = 0
                    exit_[r] = t
                    continue
                q = lane[r]
                cap = caps[0]
                busy = busys[0]
                for p in pools_for[0][q]:
                    if busy[p] < cap[p]:
                        busy[p] += 1
                        starts[0][r] = t
                        pools[0][r] = p
                        heappush(heap, (t + svc[0][r], r, p))
                        break
                else:
                    g = group[q]
                    if in_group[g] >= limit[g]:
                        outcome[r] = BALKED
                        left[r] = 0
                        exit_[r] = t
                        continue
                    in_group[g] += 1
                    waiting0[r] = 1
                    queues[0][q].append(r)
                    if patience is not None:
                        deadline = t + patience[r]
                        if deadline < _INF:
                            heappush(heap, (deadline, r, -1))
                continue
            if t_ev > until or t_ev == _INF:
                break
            t, r, code = heappop(heap)
            if code == -1:
                # ---- patience runs out: leave the entrance line if still in it
                if waiting0[r]:
                    waiting0[r] = 0
                    in_group[group[lane[r]]] -= 1
                    outcome[r] = RENEGED
                    left[r] = 0
                    exit_[r] = t
                continue
            if code >= 0:
                # ---- service completion; the customer moves on to the next stage
                s = code >> 8
                p = code & 255
                ends[s][r] = t
                busys[s][p] -= 1
                if s < last:
                    s2 = s + 1
                    q = lane[r]
                    cap = caps[s2]
                    busy = busys[s2]
                    for p2 in pools_for[s2][q]:
                        if busy[p2] < cap[p2]:
                            busy[p2] += 1
                            starts[s2][r] = t
                            pools[s2][r] = p2
                            heappush(heap, (t + svc[s2][r], r, s2 << 8 | p2))
                            break
                    else:
                        queues[s2][q].append(r)
            else:
                s, p = divmod(-2 - code, 256)
            # ---- the freed (or newly opened) pool takes waiting customers by priority
            cap = caps[s]
            busy = busys[s]
            if busy[p] >= cap[p]:
                continue
            lines = queues[s]
            entrance = s == 0
            while busy[p] < cap[p]:
                nxt = -1
                for q in serves[s][p]:
                    line = lines[q]
                    while line:
                        cand = line.popleft()
                        if entrance:
                            if not waiting0[cand]:
                                continue  # reneged earlier, lazily left in the line
                            waiting0[cand] = 0
                            in_group[group[q]] -= 1
                        nxt = cand
                        break
                    if nxt >= 0:
                        break
                if nxt < 0:
                    break
                busy[p] += 1
                starts[s][nxt] = t
                pools[s][nxt] = p
                heappush(heap, (t + svc[s][nxt], nxt, s << 8 | p))
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

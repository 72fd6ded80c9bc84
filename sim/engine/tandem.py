"""A single site of stations in series: a convenience front end of the network kernel.

Customers arrive at stage 0 and pass through every stage in order. At each stage they wait in
one of several FIFO lanes; servers are grouped into pools, and each pool serves a list of lanes
in priority order (non-preemptive priority). Stage 0 is the entrance: its lanes belong to space
groups with a limit on the number waiting (arrivals to a full group balk), customers who wait
longer than their patience renege, and customers can be turned away outright.

The work is done by :class:`sim.engine.network.QueueNetwork` (one site, no retries, no board);
see there for how and why.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from sim.engine.network import (
    BALKED,
    NOT_ADMITTED,
    OUTCOME_NAMES,
    RENEGED,
    SERVED,
    UNSERVED,
    QueueNetwork,
    SiteSpec,
    StationSpec,
)

__all__ = [
    "BALKED",
    "NOT_ADMITTED",
    "OUTCOME_NAMES",
    "RENEGED",
    "SERVED",
    "UNSERVED",
    "StageSpec",
    "TandemQueue",
    "TandemRecords",
]


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
        if len(space_group) != n_lanes:
            raise ValueError("space_group needs one entry per lane")
        if n and (lane.min() < 0 or lane.max() >= n_lanes):
            raise ValueError(f"lanes must be in 0..{n_lanes - 1}")
        used = set(np.unique(lane).tolist())
        for s, st in enumerate(stages):
            if len(st.service) != n:
                raise ValueError(f"stage {s}: service must have one entry per customer")
            for lanes in st.pools:
                if not lanes or any(not 0 <= q < n_lanes for q in lanes):
                    raise ValueError(f"stage {s}: a pool must serve lanes in 0..{n_lanes - 1}")
            served = {q for lanes in st.pools for q in lanes}
            if not used <= served:
                raise ValueError(f"stage {s}: lanes {sorted(used - served)} have no server pool")
        self.n = n
        self.n_stages = len(stages)
        keep = np.ones(n, dtype=bool) if admitted is None else np.asarray(admitted, dtype=bool)
        self._keep = keep
        self._arrival = np.asarray(arrival_times, dtype=float)
        idx = np.flatnonzero(keep)
        stations = [
            StationSpec(0, s, st.pools, tuple(space_group) if s == 0 else ())
            for s, st in enumerate(stages)
        ]
        self._net = QueueNetwork(
            departures=self._arrival[idx],
            order=np.arange(len(idx)),
            home=np.zeros(len(idx), dtype=np.int32),
            lane=np.asarray(lane)[idx],
            service=[np.asarray(st.service, dtype=float)[idx] for st in stages],
            stations=stations,
            sites=[SiteSpec(tuple(range(len(stages))))],
            space_limit=space_limit,
            patience=None if patience is None else np.asarray(patience, dtype=float)[idx],
        )

    @property
    def now(self) -> float:
        """Time up to which the queue has been advanced, minutes."""
        return self._net.now

    def capacity(self, stage: int, pool: int) -> int:
        """Servers currently open in a pool."""
        return self._net.capacity(stage, pool)

    def set_capacity(self, stage: int, pool: int, count: int, t: float) -> None:
        """Open or close servers of a pool at time ``t``; a closing server finishes first."""
        self._net.set_capacity(stage, pool, count, t)

    def advance(self, until: float) -> None:
        """Process every arrival and event up to and including time ``until`` (minutes)."""
        self._net.advance(until)

    def waiting(self, stage: int, lane: int) -> int:
        """Customers waiting in a lane now (entrance lines exclude those who reneged)."""
        return self._net.waiting_in(stage, lane)

    def finish(self, end_time: float) -> TandemRecords:
        """End the run at ``end_time``: whoever is still waiting then is left unserved.

        Services under way at ``end_time`` are completed; a customer who completes a stage after
        ``end_time`` joins the next line and is left unserved there.
        """
        out = self._net.finish(end_time)
        keep = self._keep
        n = self.n

        def spread(values: np.ndarray, fill: float | int, dtype: type | None = None) -> np.ndarray:
            full = np.full(n, fill, dtype=dtype or values.dtype)
            full[keep] = values
            return full

        outcome = spread(out.outcome, NOT_ADMITTED)
        exit_time = spread(out.exit_time, np.nan)
        exit_time[~keep] = self._arrival[~keep]
        left = spread(out.left_slot, 0)
        return TandemRecords(
            start=[spread(x, np.nan) for x in out.start],
            end=[spread(x, np.nan) for x in out.end],
            pool=[spread(x, -1) for x in out.pool],
            outcome=outcome,
            left_stage=left,
            exit_time=exit_time,
        )

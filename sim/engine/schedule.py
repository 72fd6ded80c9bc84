"""Capacity schedules: how many servers are open over time, as data.

A schedule is a step function: ``counts[i]`` servers from ``times[i]`` until ``times[i+1]``
(minutes). One SimPy process per point applies it to the queue kernel
(see :class:`sim.model.district.RoundSimulation`).
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class CapacitySchedule:
    """Piecewise-constant number of open servers.

    Attributes
    ----------
    times
        Change times in minutes, strictly increasing.
    counts
        Servers open from each change time until the next (the last holds forever).
    """

    times: tuple[float, ...]
    counts: tuple[int, ...]

    def __post_init__(self) -> None:
        if len(self.times) != len(self.counts):
            raise ValueError("times and counts must have the same length")
        if any(b <= a for a, b in zip(self.times, self.times[1:], strict=False)):
            raise ValueError(f"schedule times must increase strictly: {self.times}")
        if any(c < 0 for c in self.counts):
            raise ValueError(f"schedule counts must be >= 0: {self.counts}")

    @classmethod
    def from_steps(cls, times: Sequence[float], counts: Sequence[int]) -> CapacitySchedule:
        """A schedule from change times and counts, merging steps that change nothing."""
        out_t: list[float] = []
        out_c: list[int] = []
        for t, c in zip(times, counts, strict=True):
            if out_c and out_c[-1] == c:
                continue
            out_t.append(t)
            out_c.append(c)
        return cls(tuple(out_t), tuple(out_c))

    def at(self, t: float) -> int:
        """Servers open at time ``t`` (0 before the first change)."""
        i = bisect_right(self.times, t) - 1
        return self.counts[i] if i >= 0 else 0

    def server_minutes(self, start: float, end: float) -> float:
        """Integral of open servers over ``[start, end]``: staffed server-minutes."""
        total = 0.0
        times = self.times
        # Only the steps that overlap [start, end] (a long schedule is asked about many short
        # windows, e.g. one per shift).
        first = max(bisect_right(times, start) - 1, 0)
        last = bisect_left(times, end)
        for i in range(first, last):
            t1 = times[i + 1] if i + 1 < len(times) else math.inf
            lo, hi = max(times[i], start), min(t1, end)
            if hi > lo:
                total += self.counts[i] * (hi - lo)
        return total

    def capped(self, limit: int) -> CapacitySchedule:
        """Each count replaced by ``min(count, limit)`` (merging equal steps)."""
        return CapacitySchedule.from_steps(self.times, tuple(min(c, limit) for c in self.counts))

    def minus(self, other: CapacitySchedule) -> CapacitySchedule:
        """Pointwise ``self - other``, floored at 0."""
        times = sorted(set(self.times) | set(other.times))
        return CapacitySchedule.from_steps(
            tuple(times), tuple(max(self.at(t) - other.at(t), 0) for t in times)
        )

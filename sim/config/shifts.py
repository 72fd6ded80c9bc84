"""Staffed counts from shifts and breaks (a pure function of the config, used to validate it)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from sim.config.clock import clock_to_min

if TYPE_CHECKING:
    from sim.config.schema import ShiftConfig


def staffed_schedule(shifts: Sequence[ShiftConfig], physical: int) -> tuple[list[float], list[int]]:
    """Staffed count over time from shifts: change times (minutes) and counts.

    Each shift adds ``staff`` (``physical`` when null) from its start to its end; each break
    removes ``closed`` during it.
    """
    deltas: dict[float, int] = {}
    for shift in shifts:
        s0 = clock_to_min(shift.start, "start")
        s1 = clock_to_min(shift.end, "end")
        staff = physical if shift.staff is None else shift.staff
        deltas[s0] = deltas.get(s0, 0) + staff
        deltas[s1] = deltas.get(s1, 0) - staff
        for brk in shift.breaks:
            b0 = clock_to_min(brk.start, "start")
            b1 = clock_to_min(brk.end, "end")
            deltas[b0] = deltas.get(b0, 0) - brk.closed
            deltas[b1] = deltas.get(b1, 0) + brk.closed
    times: list[float] = []
    counts: list[int] = []
    level = 0
    for t in sorted(deltas):
        level += deltas[t]
        if counts and counts[-1] == level:
            continue
        times.append(t)
        counts.append(level)
    return times, counts

"""Staff rosters: shifts and breaks become the number of staffed desks or booths over time."""

from __future__ import annotations

from collections.abc import Sequence

from sim.config.clock import clock_to_min
from sim.config.schema import ShiftConfig
from sim.engine.schedule import CapacitySchedule


def staffed_schedule(shifts: Sequence[ShiftConfig]) -> tuple[list[float], list[int]]:
    """Staffed count over time from shifts: change times (minutes) and counts.

    Each shift adds ``staff`` from its start to its end; each break removes ``closed`` during it.
    """
    deltas: dict[float, int] = {}
    for shift in shifts:
        s0 = clock_to_min(shift.start, "start")
        s1 = clock_to_min(shift.end, "end")
        deltas[s0] = deltas.get(s0, 0) + shift.staff
        deltas[s1] = deltas.get(s1, 0) - shift.staff
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


def open_schedule(
    shifts: Sequence[ShiftConfig],
    physical: int,
    open_min: float,
    close_min: float,
    clearing_min: float,
) -> CapacitySchedule:
    """Desks/booths open over the day: staffed ones, only while the site serves.

    Without shifts every physical desk/booth is staffed from opening until closing. After
    closing, the staff on duty at closing stay for ``clearing_min`` to serve whoever is in line.
    """
    end = close_min + clearing_min
    if not shifts:
        return CapacitySchedule((open_min, end), (physical, 0))
    times, counts = staffed_schedule(shifts)
    sched = CapacitySchedule((-1e9, *times), (0, *counts))
    at_close = sched.at(close_min - 1e-6)  # staff on duty in the last open minute
    pts = sorted({open_min, close_min, end} | {t for t in times if open_min < t < close_min})
    vals = [sched.at(t) if t < close_min else at_close for t in pts[:-1]]
    return CapacitySchedule(tuple(pts), (*vals, 0)).capped(physical)

"""Staff rosters: shifts and breaks become the number of staffed desks or booths over time."""

from __future__ import annotations

from collections.abc import Sequence

from sim.config.schema import ShiftConfig
from sim.config.shifts import staffed_schedule
from sim.engine.schedule import CapacitySchedule


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
    times, counts = staffed_schedule(shifts, physical)
    sched = CapacitySchedule((-1e9, *times), (0, *counts))
    at_close = sched.at(close_min - 1e-6)  # staff on duty in the last open minute
    pts = sorted({open_min, close_min, end} | {t for t in times if open_min < t < close_min})
    vals = [sched.at(t) if t < close_min else at_close for t in pts[:-1]]
    return CapacitySchedule(tuple(pts), (*vals, 0)).capped(physical)

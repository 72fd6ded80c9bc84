"""Utilisation of desks and booths: busy server-minutes over staffed server-minutes, while open.

Both are counted while the point is open (from opening to closing each day, after a warm-up
when one is given): the clearing period after closing, when staff only serve whoever is still
in line, would otherwise dilute the figure (a validation run with a long clearing time at load
0.9 would read 0.005).
"""

from __future__ import annotations

import numpy as np

from sim.model import records as rec

Window = tuple[float, float]


def open_windows(run: rec.SiteRun, start: float | None = None) -> list[Window]:
    """The point's opening hours, one ``(open, close)`` per day (minutes), from ``start``."""
    if run.serve_windows and run.line_windows:
        wins = [(s[0], w[1]) for s, w in zip(run.serve_windows, run.line_windows, strict=True)]
    else:
        wins = [(run.open_min, run.close_min)]
    if start is not None:
        wins = [(max(a, start), b) for a, b in wins if b > start]
    return wins


def busy_minutes(
    run: rec.SiteRun, station: rec.Station, windows: list[Window] | None = None
) -> float:
    """Server-minutes spent serving residents at one station (pool), within ``windows`` (all
    the time when None)."""
    r = run.residents
    if station.stage == rec.REGISTRATION:
        start, end, pool = r.reg_start, r.reg_end, r.reg_pool
    else:
        start, end, pool = r.swab_start, r.swab_end, r.swab_pool
    mine = (pool == station.pool) & np.isfinite(end)
    s, e = start[mine], end[mine]
    if windows is None:
        return float(np.sum(e - s))
    return float(sum(np.sum(np.clip(e, a, b) - np.clip(s, a, b)) for a, b in windows))


def staffed_minutes(station: rec.Station, windows: list[Window]) -> float:
    """Server-minutes a station's desks/booths were staffed within ``windows``."""
    return float(sum(station.schedule.server_minutes(a, b) for a, b in windows))


def utilisation(run: rec.SiteRun, station: rec.Station, start: float | None = None) -> float:
    """Share of the staffed time while open (from ``start``) that a station's desks/booths were
    serving; NaN if never staffed then."""
    windows = open_windows(run, start)
    staffed = staffed_minutes(station, windows)
    if staffed <= 0:
        return float("nan")
    return busy_minutes(run, station, windows) / staffed

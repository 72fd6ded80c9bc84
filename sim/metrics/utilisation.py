"""Utilisation of desks and booths: busy server-minutes over staffed server-minutes."""

from __future__ import annotations

import numpy as np

from sim.model import records as rec


def busy_minutes(run: rec.SiteRun, station: rec.Station) -> float:
    """Server-minutes spent serving residents at one station (pool)."""
    r = run.residents
    if station.stage == rec.REGISTRATION:
        start, end, pool = r.reg_start, r.reg_end, r.reg_pool
    else:
        start, end, pool = r.swab_start, r.swab_end, r.swab_pool
    mine = (pool == station.pool) & np.isfinite(end)
    return float(np.sum(end[mine] - start[mine]))


def utilisation(run: rec.SiteRun, station: rec.Station) -> float:
    """Share of staffed time a station's desks/booths were serving (NaN if never staffed).

    A desk whose shift ends while it serves finishes that resident, so a station can exceed
    1.0 slightly when shifts end into a queue.
    """
    staffed = station.schedule.server_minutes(run.open_min - 1e9, run.end_min + 1e9)
    if staffed <= 0:
        return float("nan")
    return busy_minutes(run, station) / staffed

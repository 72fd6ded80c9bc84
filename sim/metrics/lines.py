"""Where each resident stood in line: entry and exit times per line of a collection point.

Two lines per point: the entrance line (registration, or swab without registration), split by
lane, and the swab line behind the registration desks.
"""

from __future__ import annotations

import numpy as np

from sim.model import records as rec


def entrance_line(run: rec.SiteRun, lane: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Entry and exit times (minutes) of the entrance line, optionally for one lane.

    Residents who were turned away or balked never join it.
    """
    r = run.residents
    joined = (r.outcome != rec.OUTSIDE_HOURS) & (r.outcome != rec.BALKED)
    if lane is not None:
        joined &= r.lane == lane
    start = r.entry_start
    left_early = np.isnan(start)
    exit_ = np.where(left_early, r.exit, start)
    return r.arrival[joined], exit_[joined]


def swab_line(run: rec.SiteRun) -> tuple[np.ndarray, np.ndarray]:
    """Entry and exit times (minutes) of the swab line behind registration."""
    r = run.residents
    if not run.registration:
        return np.empty(0), np.empty(0)
    joined = np.isfinite(r.reg_end)
    exit_ = np.where(np.isnan(r.swab_start), r.exit, r.swab_start)
    return r.reg_end[joined], exit_[joined]

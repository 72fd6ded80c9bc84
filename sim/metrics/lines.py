"""Where each resident stood in line: entry and exit times per line of a collection point.

One line per stage: the entrance line (before the first stage: registration, or swab without
registration), split by lane, and behind each stage the line (the room) before the next, e.g.
the swab line behind the registration desks.
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


def stage_line(run: rec.SiteRun, stage: str) -> tuple[np.ndarray, np.ndarray]:
    """Entry and exit times (minutes) of the line before ``stage`` behind the point's previous
    stage (empty for the first stage, whose line is the entrance line, or a stage the point
    does not have). Residents join it when they leave the previous stage's desk and leave it
    when served (or when the point closes)."""
    names = run.stage_list
    if stage not in names or names.index(stage) == 0:
        return np.empty(0), np.empty(0)
    r = run.residents
    before = r.stage_end(names[names.index(stage) - 1])
    start = r.stage_start(stage)
    joined = np.isfinite(before)
    exit_ = np.where(np.isnan(start), r.exit, start)
    return before[joined], exit_[joined]


def swab_line(run: rec.SiteRun) -> tuple[np.ndarray, np.ndarray]:
    """Entry and exit times (minutes) of the swab line behind registration."""
    return stage_line(run, rec.SWAB)


def from_start(
    entry: np.ndarray, exit_: np.ndarray, start: float | None
) -> tuple[np.ndarray, np.ndarray]:
    """A line's stays from ``start`` on (a warm-up cut): earlier stays are cut at ``start``,
    stays that ended before it are dropped."""
    if start is None:
        return entry, exit_
    keep = exit_ > start
    return np.maximum(entry[keep], start), exit_[keep]


def mean_in_line(run: rec.SiteRun, start: float | None = None) -> float:
    """Time-average number of residents in the entrance line while the point is open (from
    ``start``), people."""
    from sim.metrics.queues import time_average
    from sim.metrics.utilisation import open_windows

    entry, exit_ = entrance_line(run)
    windows = open_windows(run, start)
    total = sum(b - a for a, b in windows)
    if total <= 0:
        return float("nan")
    return sum(time_average(entry, exit_, a, b) * (b - a) for a, b in windows) / total

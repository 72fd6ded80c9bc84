"""Utilisation of desks and booths: busy server-minutes over worked server-minutes, while open.

Worked minutes are the staffed ones (the desks/booths the roster opens) plus any overtime: a
service under way when its desk closes (a hand-over, a break, a PPE rest) is finished, so for
that moment more people serve than the roster opens. Counting the overtime as worked keeps
utilisation at most 1 (an invariant, tested); without it a busy point read 1.0003.

Both are counted while the point is open (from opening to closing each day, after a warm-up
when one is given): the clearing period after closing, when staff only serve whoever is still
in line, would otherwise dilute the figure (a validation run with a long clearing time at load
0.9 would read 0.005).
"""

from __future__ import annotations

import itertools

import numpy as np

from sim.engine.schedule import CapacitySchedule
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
    s, e = services(run, station)
    if windows is None:
        return float(np.sum(e - s))
    return float(sum(np.sum(np.clip(e, a, b) - np.clip(s, a, b)) for a, b in windows))


def staffed_minutes(station: rec.Station, windows: list[Window]) -> float:
    """Server-minutes a station's desks/booths were staffed within ``windows``."""
    return float(sum(station.schedule.server_minutes(a, b) for a, b in windows))


def services(run: rec.SiteRun, station: rec.Station) -> tuple[np.ndarray, np.ndarray]:
    """Start and end (minutes) of every service at one station (pool)."""
    r = run.residents
    start, end, pool = (
        r.stage_start(station.stage),
        r.stage_end(station.stage),
        r.stage_pool(station.stage),
    )
    mine = (pool == station.pool) & np.isfinite(end)
    return start[mine], end[mine]


def overtime_minutes(
    starts: np.ndarray,
    ends: np.ndarray,
    station: rec.Station | CapacitySchedule,
    windows: list[Window],
    presorted: bool = False,
) -> float:
    """Server-minutes within ``windows`` during which more services were under way at the
    station (or on the servers of a capacity schedule: a lab stage's machines) than its
    schedule opened (``starts``/``ends``: its services, minutes; ``presorted``: each already
    in increasing order, for a caller asking about many windows)."""
    sched = station if isinstance(station, CapacitySchedule) else station.schedule
    s_sorted = starts if presorted else np.sort(starts)
    e_sorted = ends if presorted else np.sort(ends)
    cap_t = np.asarray(sched.times, dtype=float)
    cap_c = np.asarray(sched.counts, dtype=float)
    total = 0.0
    for a, b in windows:
        cuts = np.concatenate(
            [
                [a, b],
                _inside(s_sorted, a, b),
                _inside(e_sorted, a, b),
                _inside(cap_t, a, b),
            ]
        )
        t = np.unique(cuts)
        if t.size < 2:
            continue
        left = t[:-1]
        busy = np.searchsorted(s_sorted, left, side="right") - np.searchsorted(
            e_sorted, left, side="right"
        )
        k = np.searchsorted(cap_t, left, side="right") - 1
        cap = np.where(k >= 0, cap_c[np.maximum(k, 0)], 0.0)
        total += float(np.sum(np.maximum(busy - cap, 0.0) * np.diff(t)))
    return total


def _inside(values: np.ndarray, a: float, b: float) -> np.ndarray:
    """The sorted ``values`` strictly between ``a`` and ``b`` (a slice: no pass over all)."""
    return values[np.searchsorted(values, a, side="right") : np.searchsorted(values, b, "left")]


def worked_minutes(run: rec.SiteRun, station: rec.Station, windows: list[Window]) -> float:
    """Server-minutes worked at a station within ``windows``: staffed plus overtime (see the
    module docstring); busy minutes never exceed it."""
    starts, ends = services(run, station)
    return staffed_minutes(station, windows) + overtime_minutes(starts, ends, station, windows)


def utilisation(run: rec.SiteRun, station: rec.Station, start: float | None = None) -> float:
    """Share of the worked time while open (from ``start``) that a station's desks/booths were
    serving (at most 1); NaN if never staffed then."""
    windows = open_windows(run, start)
    worked = worked_minutes(run, station, windows)
    if worked <= 0:
        return float("nan")
    return busy_minutes(run, station, windows) / worked


def utilisation_steps(
    run: rec.SiteRun, station: rec.Station, step_min: float
) -> tuple[np.ndarray, np.ndarray, float]:
    """A station's utilisation in steps of ``step_min`` from opening to the end of the
    round: the step edges (minutes), each step's busy share of its worked minutes (NaN where
    nobody worked), and the share over the whole round. Every share is at most 1."""
    edges = np.arange(run.open_min, run.end_min + step_min, step_min)
    s, e = services(run, station)
    busy = np.array(
        [
            np.sum(np.clip(np.minimum(e, b) - np.maximum(s, a), 0, None))
            for a, b in itertools.pairwise(edges)
        ]
    )
    worked = np.array(
        [
            station.schedule.server_minutes(a, b) + overtime_minutes(s, e, station, [(a, b)])
            for a, b in itertools.pairwise(edges)
        ]
    )
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(worked > 0, busy / worked, np.nan)
    # the whole round: from opening to the end of the clearing (a schedule's last step
    # holds forever, so an infinite window would count 0 x inf)
    everything = [(float(edges[0]), float(edges[-1]))]
    total_worked = staffed_minutes(station, everything) + overtime_minutes(
        s, e, station, everything
    )
    total = float(np.sum(e - s)) / total_worked if total_worked > 0 else float("nan")
    return edges, share, total

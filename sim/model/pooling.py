"""Pooling at the booths: swabs go k-in-1 into tubes.

Each booth of a point fills its own tube. The kernel does not track which booth of a point took
a swab, so a point's swabs are dealt to its booths in turn, in the order they were taken (with
every booth busy, as in a long line, that is the order in which booths finish). A tube closes
when it holds ``pool_size`` swabs (at the last swab), when ``max_open_min`` has passed since its
first swab, or at the end of the point's day, whichever is first.

Everything here is arrays: one loop step per tube, none per swab.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Tubes:
    """Tubes made at the points, in order of point, booth and time.

    Attributes
    ----------
    members
        Swab indices, tube by tube: tube ``t`` holds ``members[first[t]:first[t] + size[t]]``.
    first, size
        Offset into ``members`` and number of swabs of each tube.
    site
        Point of each tube.
    opened, closed
        First swab of each tube, and when it closed, minutes.
    """

    members: np.ndarray
    first: np.ndarray
    size: np.ndarray
    site: np.ndarray
    opened: np.ndarray
    closed: np.ndarray

    @property
    def n(self) -> int:
        """Number of tubes."""
        return len(self.size)

    def tube_of_swab(self, n_swabs: int) -> np.ndarray:
        """Tube index of each swab (``-1`` for a swab in no tube)."""
        out = np.full(n_swabs, -1, dtype=np.int64)
        out[self.members] = np.repeat(np.arange(self.n), self.size)
        return out


def pool_swabs(
    times: np.ndarray,
    site: np.ndarray,
    booths: np.ndarray,
    day_starts: list[np.ndarray],
    day_ends: list[np.ndarray],
    pool_size: int,
    max_open_min: float | None,
) -> Tubes:
    """Put swabs into tubes.

    Parameters
    ----------
    times
        When each swab was taken, minutes.
    site
        Point of each swab (index into ``booths`` and ``day_ends``).
    booths
        Swab booths of each point (tubes filled at once), >= 1.
    day_starts, day_ends
        Per point, when each of its days starts and ends serving (increasing): a tube still
        open at the end of the day closes then (or at its last swab, if a booth finished a
        swab after the end). A swab belongs to the last day started by its time.
    pool_size
        Swabs per tube (k-in-1), >= 1.
    max_open_min
        Longest a tube stays open after its first swab (None: no limit).
    """
    if pool_size < 1:
        raise ValueError(f"pool_size must be >= 1, got {pool_size}")
    times = np.asarray(times, dtype=float)
    site = np.asarray(site, dtype=np.int64)
    order = np.lexsort((times, site))
    sizes: list[np.ndarray] = []
    members: list[np.ndarray] = []
    tube_site: list[np.ndarray] = []
    opened: list[np.ndarray] = []
    closed: list[np.ndarray] = []
    bounds = np.searchsorted(site[order], np.arange(len(booths) + 1))
    limit = math.inf if max_open_min is None else float(max_open_min)
    for k in range(len(booths)):
        idx = order[bounds[k] : bounds[k + 1]]
        if idx.size == 0:
            continue
        ends = np.asarray(day_ends[k], dtype=float)
        day = np.searchsorted(np.asarray(day_starts[k], dtype=float), times[idx], side="right")
        day = np.maximum(day - 1, 0)
        booth = np.arange(idx.size) % int(booths[k])
        by_booth = np.lexsort((np.arange(idx.size), booth))  # stable: time order per booth
        idx, day, booth = idx[by_booth], day[by_booth], booth[by_booth]
        t = times[idx]
        if pool_size == 1:
            sizes.append(np.ones(idx.size, dtype=np.int64))
            members.append(idx)
            tube_site.append(np.full(idx.size, k))
            opened.append(t)
            closed.append(t)
            continue
        # Tubes never span booths or days: cut the time line there.
        cut = np.flatnonzero((np.diff(booth) != 0) | (np.diff(day) != 0)) + 1
        starts = np.concatenate(([0], cut)).tolist()
        stops = [*starts[1:], idx.size]
        tl = t.tolist()
        day_end = ends[day].tolist()
        first_list: list[int] = []
        n_list: list[int] = []
        close_list: list[float] = []
        for a, b in zip(starts, stops, strict=True):
            i = a
            end = max(day_end[a], tl[b - 1])
            while i < b:
                t0 = tl[i]
                shut = min(t0 + limit, end)
                j = bisect_right(tl, shut, i, min(i + pool_size, b))
                first_list.append(i)
                n_list.append(j - i)
                close_list.append(tl[j - 1] if j - i == pool_size else shut)
                i = j
        f = np.array(first_list, dtype=np.int64)
        sizes.append(np.array(n_list, dtype=np.int64))
        members.append(idx)
        tube_site.append(np.full(f.size, k))
        opened.append(t[f])
        closed.append(np.array(close_list))
    if not sizes:
        empty = np.zeros(0, dtype=np.int64)
        return Tubes(empty, empty, empty, empty, np.zeros(0), np.zeros(0))
    size = np.concatenate(sizes)
    first = np.concatenate(([0], np.cumsum(size)[:-1])).astype(np.int64)
    return Tubes(
        members=np.concatenate(members),
        first=first,
        size=size,
        site=np.concatenate(tube_site).astype(np.int64),
        opened=np.concatenate(opened),
        closed=np.concatenate(closed),
    )

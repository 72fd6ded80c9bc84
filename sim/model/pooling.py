"""Pooling at the booths: swabs go k-in-1 into tubes.

Each booth of a point fills its own tube. The kernel does not track which booth of a point took
a swab, so a point's swabs are dealt to its booths in turn, in the order they were taken (with
every booth busy, as in a long line, that is the order in which booths finish). A tube closes
when it holds ``pool_size`` swabs (at the last swab), when ``max_open_min`` has passed since its
first swab, or at the end of the point's day, whichever is first.

Everything here is arrays; the only Python loop steps from one tube's first swab to the
next (one cheap step per tube).
"""

from __future__ import annotations

import math
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
    day_booths: list[np.ndarray] | None = None,
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
    day_booths
        Per point, its booths on each of its days (``campaign.round_overrides`` may change
        them from one round to the next); None, or a point whose count never changes: its
        ``booths``. Swabs are dealt to the booths in turn within each stretch of days with
        the same count.
    """
    if pool_size < 1:
        raise ValueError(f"pool_size must be >= 1, got {pool_size}")
    times = np.asarray(times, dtype=float)
    site = np.asarray(site, dtype=np.int64)
    # Swabs by point, then time, then index (what ``np.lexsort((times, site))`` gives, faster:
    # a stable radix sort on the point, then a stable sort of each point's times).
    key = site.astype(np.int16) if len(booths) < 2**15 else site
    by_site = np.argsort(key, kind="stable")
    sizes: list[np.ndarray] = []
    members: list[np.ndarray] = []
    tube_site: list[np.ndarray] = []
    opened: list[np.ndarray] = []
    closed: list[np.ndarray] = []
    bounds = np.searchsorted(site[by_site], np.arange(len(booths) + 1))
    limit = math.inf if max_open_min is None else float(max_open_min)
    for k in range(len(booths)):
        idx = by_site[bounds[k] : bounds[k + 1]]
        if idx.size == 0:
            continue
        idx = idx[np.argsort(times[idx], kind="stable")]
        n = idx.size
        ends = np.asarray(day_ends[k], dtype=float)
        day = np.searchsorted(np.asarray(day_starts[k], dtype=float), times[idx], side="right")
        day = np.maximum(day - 1, 0)
        # Deal the swabs to the booths in turn, then list them booth by booth (time order).
        counts = None if day_booths is None else np.asarray(day_booths[k], dtype=np.int64)
        if counts is None or counts.size == 0 or np.all(counts == counts[0]):
            nb = int(booths[k]) if counts is None or counts.size == 0 else int(counts[0])
            by_booth = np.concatenate([np.arange(b, n, nb) for b in range(min(nb, n))])
            idx, day, booth = idx[by_booth], day[by_booth], by_booth % nb
        else:
            # stretches of days with the same count, dealt one after the other
            stretch_of_day = np.concatenate(([0], np.cumsum(np.diff(counts) != 0)))
            stretch = stretch_of_day[np.minimum(day, counts.size - 1)]
            first = np.searchsorted(stretch, stretch, side="left")  # swabs are in time order
            booth_all = (np.arange(n) - first) % counts[np.minimum(day, counts.size - 1)]
            order = np.lexsort((np.arange(n), booth_all, stretch))
            idx, day, booth = idx[order], day[order], booth_all[order] + 1000 * stretch[order]
        t = times[idx]
        if pool_size == 1:
            sizes.append(np.ones(n, dtype=np.int64))
            members.append(idx)
            tube_site.append(np.full(n, k))
            opened.append(t)
            closed.append(t)
            continue
        # Tubes never span booths or days: cut the time line there into segments.
        cut = np.flatnonzero((np.diff(booth) != 0) | (np.diff(day) != 0)) + 1
        starts = np.concatenate(([0], cut))
        stops = np.append(cut, n)
        seg_len = stops - starts
        # A tube whose first swab is i shuts at its time limit or at the end of the day (or
        # the segment's last swab, if a booth finished one after the end), and holds the swabs
        # up to that time, at most ``pool_size`` and none past the segment: its next tube
        # starts at ``nxt[i]``. Swab times increase within a segment.
        end = np.repeat(np.maximum(ends[day[starts]], t[stops - 1]), seg_len)
        shut = np.minimum(t + limit, end)
        nxt = np.empty(n, dtype=np.int64)
        for a, b in zip(starts.tolist(), stops.tolist(), strict=True):
            nxt[a:b] = np.searchsorted(t[a:b], shut[a:b], side="right") + a
        nxt = np.minimum(nxt, np.minimum(np.arange(n) + pool_size, np.repeat(stops, seg_len)))
        # Each segment's last tube ends where the next segment starts: one walk covers all.
        step = nxt.tolist()
        first_list: list[int] = []
        i = 0
        while i < n:
            first_list.append(i)
            i = step[i]
        f = np.array(first_list, dtype=np.int64)
        j = nxt[f]
        size = j - f
        sizes.append(size)
        members.append(idx)
        tube_site.append(np.full(f.size, k))
        opened.append(t[f])
        closed.append(np.where(size == pool_size, t[j - 1], shut[f]))
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


def reported_positive_probability(
    size: np.ndarray,
    positives: np.ndarray,
    sensitivity: float,
    specificity: float,
    dilution: float,
) -> np.ndarray:
    """Probability that the lab reports each tube positive (dimensionless, 0 to 1).

    A tube of ``size`` swabs (``k``) of which ``positives`` (``m``) are positive is reported
    positive with probability ``sensitivity * (m / k) ** dilution`` if ``m >= 1`` (a
    power-law dilution model; ``dilution`` 0: the individual sensitivity whatever the pool),
    else with probability ``1 - specificity`` (a false positive).

    Parameters
    ----------
    size, positives
        Swabs in each tube, and how many of them are positive (arrays of the same length).
    sensitivity, specificity
        Of an individual test, in (0, 1].
    dilution
        The exponent, >= 0.
    """
    k = np.asarray(size, dtype=float)
    m = np.asarray(positives, dtype=float)
    share = np.divide(m, k, out=np.zeros_like(m), where=k > 0)
    pooled = sensitivity * share**dilution if dilution else np.full(m.shape, sensitivity)
    return np.where(m > 0, pooled, 1.0 - specificity)

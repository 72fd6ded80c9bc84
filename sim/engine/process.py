"""The SimPy side of the kernel: one process per site advances it and applies its schedules."""

from __future__ import annotations

from collections.abc import Generator, Sequence
from typing import Any

import simpy

from sim.engine.schedule import CapacitySchedule
from sim.engine.tandem import TandemQueue


def drive(
    env: simpy.Environment,
    kernel: TandemQueue,
    schedules: Sequence[tuple[int, int, CapacitySchedule]],
    sync_every_min: float | None = None,
) -> Generator[simpy.Event, Any, None]:
    """SimPy process that keeps ``kernel`` in step with ``env`` and applies capacity schedules.

    At each schedule change time the kernel is advanced to that time and the pool's capacity set;
    optionally it is also advanced every ``sync_every_min`` minutes so that other processes
    reading the kernel (e.g. a queue board) see its state at ``env.now``. Run the environment to
    the end of the day, then call ``kernel.finish``.

    Parameters
    ----------
    schedules
        ``(stage, pool, schedule)`` triples.
    """
    changes: dict[float, list[tuple[int, int, int]]] = {}
    for stage, pool, sched in schedules:
        for t, c in zip(sched.times, sched.counts, strict=True):
            changes.setdefault(t, []).append((stage, pool, c))
    times = sorted(changes)
    if sync_every_min is not None and times:
        t = times[0]
        extra: set[float] = set()
        while t < times[-1]:
            t += sync_every_min
            extra.add(t)
        times = sorted(set(times) | extra)
    for t in times:
        if t > env.now:
            yield env.timeout(t - env.now)
        kernel.advance(env.now)
        for stage, pool, count in changes.get(t, ()):
            kernel.set_capacity(stage, pool, count, env.now)

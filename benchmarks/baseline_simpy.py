"""Plain SimPy baseline: the benchmark point written "the obvious way".

One generator process per resident, ``simpy.PriorityResource`` for desks and
booths (priority 0 = green, 1 = general, FIFO within a class), one arrival
process drawing ``rng.exponential`` inter-arrival times from a numpy Generator.
Deliberately unoptimised: this is what a competent SimPy user writes first.
"""

from __future__ import annotations

import numpy as np
import simpy

from benchmarks.workload import (
    BOOTH_MEAN_MIN,
    DESK_MEAN_MIN,
    GREEN_SHARE,
    HORIZON_MIN,
    N_BOOTHS,
    N_DESKS,
    OPEN_MIN,
    PRIORITY_GENERAL,
    PRIORITY_GREEN,
)


def resident(env, green, desks, booths, rng, stats):
    """One resident: queue for a desk, register, queue for a booth, get swabbed."""
    priority = PRIORITY_GREEN if green else PRIORITY_GENERAL
    arrived = env.now

    with desks.request(priority=priority) as request:
        yield request
        registration_wait = env.now - arrived
        yield env.timeout(rng.exponential(DESK_MEAN_MIN))

    registered = env.now
    with booths.request(priority=priority) as request:
        yield request
        wait = registration_wait + (env.now - registered)
        yield env.timeout(rng.exponential(BOOTH_MEAN_MIN))

    # Only reached if the swab finished before the horizon (env.run stops at 960).
    stats["n_tested"] += 1
    if green:
        stats["n_green"] += 1
        stats["wait_sum_green"] += wait
    else:
        stats["n_general"] += 1
        stats["wait_sum_general"] += wait


def arrivals(env, rate_per_min, desks, booths, rng, stats):
    """Poisson arrivals while the point is open (0 <= t < 840)."""
    while True:
        yield env.timeout(rng.exponential(1.0 / rate_per_min))
        if env.now >= OPEN_MIN:
            return
        stats["n_arrived"] += 1
        green = rng.random() < GREEN_SHARE
        env.process(resident(env, green, desks, booths, rng, stats))


def run_point(rate_per_min: float, seed: int) -> dict:
    """Simulate one point for one day (840 min open + 120 min clearing)."""
    rng = np.random.default_rng(seed)
    env = simpy.Environment()
    desks = simpy.PriorityResource(env, capacity=N_DESKS)
    booths = simpy.PriorityResource(env, capacity=N_BOOTHS)
    stats = {
        "n_arrived": 0,
        "n_tested": 0,
        "n_green": 0,
        "wait_sum_green": 0.0,
        "n_general": 0,
        "wait_sum_general": 0.0,
    }
    env.process(arrivals(env, rate_per_min, desks, booths, rng, stats))
    env.run(until=HORIZON_MIN)
    return stats


if __name__ == "__main__":
    import time

    t0 = time.perf_counter()
    print(run_point(6.8, 1), f"{time.perf_counter() - t0:.2f} s")

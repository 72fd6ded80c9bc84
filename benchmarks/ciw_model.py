"""The benchmark point in Ciw 3.x.

Two customer classes (green / general) arrive as independent Poisson streams
with rates 0.12 * rate and 0.88 * rate -- the thinning of one Poisson stream by
an independent 12 % choice per resident, so the same arrival process as the
other engines. Node 1 = registration (8 servers), node 2 = swab (4 servers),
routing 1 -> 2 -> exit for both classes, non-preemptive priority classes
(green = 0 is served first, FIFO within a class).

Arrivals must stop at 840 min while the simulation runs to 960 min. Ciw has no
"closing time" parameter, so the arrival distribution below returns ``inf`` for
the first inter-arrival time that would land at or after 840: the arrival node
then never fires again for that class. (``ciw.dists.PoissonIntervals`` could do
the same but pre-samples all dates with a different algorithm; the custom
distribution keeps the usual exponential inter-arrival sampling.)

Ciw's random streams are global (``random`` + ``ciw.rng``): ``ciw.seed`` is called
at the start of every point.
"""

from __future__ import annotations

import math
import random

import ciw

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


class ExponentialUntil(ciw.dists.Distribution):
    """Exponential inter-arrival times; no arrival at or after ``stop`` (returns inf)."""

    def __init__(self, rate: float, stop: float) -> None:
        self.rate = rate
        self.stop = stop

    def __repr__(self) -> str:
        return f"ExponentialUntil(rate={self.rate}, stop={self.stop})"

    def sample(self, t=None, ind=None):
        # Ciw calls this with t = the time of the arrival just made (0 at start).
        gap = random.expovariate(self.rate)
        if t + gap >= self.stop:
            return math.inf
        return gap

    @property
    def mean(self) -> float:
        return 1.0 / self.rate


def build_network(rate_per_min: float):
    desk = ciw.dists.Exponential(rate=1.0 / DESK_MEAN_MIN)
    booth = ciw.dists.Exponential(rate=1.0 / BOOTH_MEAN_MIN)
    rates = {"green": GREEN_SHARE * rate_per_min, "general": (1.0 - GREEN_SHARE) * rate_per_min}
    return ciw.create_network(
        arrival_distributions={
            clss: [ExponentialUntil(rate, OPEN_MIN), None] for clss, rate in rates.items()
        },
        service_distributions={clss: [desk, booth] for clss in rates},
        number_of_servers=[N_DESKS, N_BOOTHS],
        routing={clss: [[0.0, 1.0], [0.0, 0.0]] for clss in rates},
        priority_classes={"green": PRIORITY_GREEN, "general": PRIORITY_GENERAL},
    )


def run_point(rate_per_min: float, seed: int) -> dict:
    """Simulate one point for one day (840 min open + 120 min clearing)."""
    ciw.seed(seed)
    network = build_network(rate_per_min)
    q = ciw.Simulation(network)
    q.simulate_until_max_time(HORIZON_MIN)

    stats = {
        "n_arrived": q.nodes[0].number_of_individuals,
        "n_tested": 0,
        "n_green": 0,
        "wait_sum_green": 0.0,
        "n_general": 0,
        "wait_sum_general": 0.0,
    }
    # Individuals in the exit node have finished swab (service end < 960).
    for ind in q.nodes[-1].all_individuals:
        wait = sum(rec.waiting_time for rec in ind.data_records if rec.record_type == "service")
        stats["n_tested"] += 1
        if ind.customer_class == "green":
            stats["n_green"] += 1
            stats["wait_sum_green"] += wait
        else:
            stats["n_general"] += 1
            stats["wait_sum_general"] += wait
    return stats


if __name__ == "__main__":
    import time

    t0 = time.perf_counter()
    print(run_point(6.8, 1), f"{time.perf_counter() - t0:.2f} s")

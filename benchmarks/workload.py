"""The benchmark workload, shared by every engine adapter and the runner.

One "benchmark point" is one collection point simulated for one day:

* two stages in tandem: registration (8 desks, exponential service, mean 1.0 min)
  then swab (4 booths, exponential service, mean 0.5 min);
* non-preemptive priority at both stages: green-channel residents (12 % of
  arrivals, drawn independently per resident) before general residents, FIFO
  within a class;
* Poisson arrivals at a constant rate while open, 07:00-21:00 (840 min), then
  120 min of "clearing" (no new arrivals, queues keep being served); whoever is
  still waiting (or still in service) at 960 min is not counted as tested;
* wait = queueing time at registration + queueing time at swab
  (= start of swab service - arrival - registration service time), averaged
  per class over residents who completed swab by the horizon.

Every engine adapter exposes ``run_point(rate_per_min, seed) -> dict`` returning
the keys in :data:`RESULT_KEYS` and, optionally, ``setup(rate_per_min)`` which the
runner calls once before the timed loop.
"""

from __future__ import annotations

OPEN_MIN = 840.0  # 07:00-21:00
CLEARING_MIN = 120.0
HORIZON_MIN = OPEN_MIN + CLEARING_MIN  # 960

N_DESKS = 8
DESK_MEAN_MIN = 1.0
N_BOOTHS = 4
BOOTH_MEAN_MIN = 0.5

GREEN_SHARE = 0.12
PRIORITY_GREEN = 0
PRIORITY_GENERAL = 1

TOTAL_RESIDENTS_PER_CASE = 300_000

# case name -> arrival rate per minute per point (utilisation = rate * 1.0 / 8 = rate * 0.5 / 4)
CASES: dict[str, float] = {
    "normal": 6.8,  # rho = 0.85, 408 / h
    "overload": 20.0,  # rho = 2.5, 1200 / h
}

RESULT_KEYS = (
    "n_arrived",
    "n_tested",
    "n_green",
    "wait_sum_green",
    "n_general",
    "wait_sum_general",
)


class EngineUnavailable(RuntimeError):
    """Raised by an adapter whose engine cannot run here (missing package or API)."""


def utilisation(rate_per_min: float) -> float:
    """Offered load per server at registration (identical at swab by construction)."""
    return rate_per_min * DESK_MEAN_MIN / N_DESKS


def n_points(rate_per_min: float, scale: float = 1.0) -> int:
    """Number of identical points so that a case totals about 300 000 residents."""
    base = round(TOTAL_RESIDENTS_PER_CASE / (rate_per_min * OPEN_MIN))
    return max(1, round(base * scale))


def empty_result() -> dict[str, float]:
    return {key: 0 for key in RESULT_KEYS}

"""The staffing planner against queueing theory.

- A stationary M/M/c point: the ISA's staff in the steady hours is the smallest ``c`` whose
  Erlang C probability of waiting meets the target, at several loads; with a mean-wait target
  the planned (trimmed) staffing is Erlang C's smallest ``c`` for that mean wait.
- With exponential patience (M/M/c+M): the smallest ``c`` of Erlang-A.
- A time-varying Mt/M/st(+M) point: with the plan, the probability of waiting in each hour
  stays in a band around the target (Feldman, Mandelbaum, Massey and Whitt 2008).

Parameters are chosen away from the boundary between two staff counts (Erlang C at ``c - 1``
and ``c`` clearly on either side of the target), so the check is about the method, not noise.
"""

from __future__ import annotations

import numpy as np
import pytest

from sim.metrics.intervals import t_interval
from sim.metrics.theory import erlang_a, mmc_mean_wait, mmc_wait_probability
from sim.planning.isa import PointDemand, isa, plan_point_requirements, point_slots, simulate_point

pytestmark = pytest.mark.slow

OPEN, CLOSE = 7 * 60.0, 21 * 60.0


def poisson_demand(
    rate_per_min: np.ndarray | float,
    service_min: float,
    replications: int,
    seed: int,
    patience_min: float | None = None,
) -> PointDemand:
    """A one-stage point open 07:00-21:00: Poisson arrivals (rate per minute, constant or one
    value per hour), exponential service, unlimited line; exponential patience of mean
    ``patience_min`` (None: nobody gives up)."""
    rng = np.random.default_rng(seed)
    hours = np.arange(OPEN, CLOSE, 60.0)
    rates = np.broadcast_to(np.asarray(rate_per_min, dtype=float), hours.shape)
    arrivals, service, patience = [], [], []
    for _ in range(replications):
        t = np.concatenate(
            [
                np.sort(rng.uniform(h, h + 60.0, rng.poisson(r * 60.0)))
                for h, r in zip(hours, rates, strict=True)
            ]
        )
        arrivals.append(t)
        service.append((rng.exponential(service_min, t.size),))
        patience.append(None if patience_min is None else rng.exponential(patience_min, t.size))
    return PointDemand(
        name="theory",
        arrivals=tuple(arrivals),
        green=tuple(np.zeros(a.size, dtype=bool) for a in arrivals),
        service=tuple(service),
        patience=tuple(patience),
        line_windows=((OPEN, CLOSE),),
        serve_windows=((OPEN, CLOSE + 240.0),),
        clearing_min=240.0,
        queue_limit=None,
        stages=("swab",),
    )


def erlang_c_smallest(lam: float, mu: float, alpha: float) -> int:
    c = int(np.floor(lam / mu)) + 1
    while mmc_wait_probability(lam, mu, c) > alpha:
        c += 1
    return c


@pytest.mark.parametrize("start", ["square_root", "ample"])
@pytest.mark.parametrize(
    ("lam", "service", "alpha"),
    [(2.0, 2.5, 0.2), (4.0, 2.0, 0.1), (1.0, 3.0, 0.3), (5.0, 2.5, 0.05)],
)
def test_isa_staff_equals_erlang_c_for_the_probability_of_waiting(
    lam: float, service: float, alpha: float, start: str
) -> None:
    mu = 1.0 / service
    c = erlang_c_smallest(lam, mu, alpha)
    # away from the boundary: c - 1 clearly misses, c clearly meets
    assert mmc_wait_probability(lam, mu, c - 1) > 1.15 * alpha
    assert mmc_wait_probability(lam, mu, c) < 0.87 * alpha
    # enough samples of the line for the tail: about 6 / alpha replications of the day
    demand = poisson_demand(lam, service, max(24, int(6 / alpha)), seed=7)
    slots = point_slots(demand)
    staff, _, stopped, _ = isa(demand, alpha, slots, start=start)
    assert stopped
    steady = staff[0][2:]  # after the first two hours (the line starts empty)
    assert (steady == c).mean() >= 0.75, (c, staff[0])
    assert np.all(np.abs(steady - c) <= 1), (c, staff[0])


@pytest.mark.parametrize(
    ("lam", "service", "patience", "alpha"),
    [(3.0, 2.0, 5.0, 0.2), (4.0, 2.0, 10.0, 0.1), (2.0, 2.5, 3.0, 0.3)],
)
def test_isa_staff_equals_erlang_a_with_abandonment(
    lam: float, service: float, patience: float, alpha: float
) -> None:
    """M/M/c+M: ``P(L >= c)`` is Erlang-A's probability of waiting, so the ISA's fixed point is
    the smallest ``c`` Erlang-A says meets ``alpha``."""
    mu, theta = 1.0 / service, 1.0 / patience
    c = 1
    while erlang_a(lam, mu, c, theta).p_wait > alpha:
        c += 1
    assert erlang_a(lam, mu, c - 1, theta).p_wait > 1.15 * alpha
    assert erlang_a(lam, mu, c, theta).p_wait < 0.87 * alpha
    demand = poisson_demand(lam, service, max(24, int(6 / alpha)), seed=5, patience_min=patience)
    staff, _, stopped, _ = isa(demand, alpha, point_slots(demand))
    assert stopped
    steady = staff[0][2:]
    assert (steady == c).mean() >= 0.75, (c, staff[0])
    assert np.all(np.abs(steady - c) <= 1), (c, staff[0])


@pytest.mark.parametrize(("lam", "service", "wait"), [(2.0, 2.5, 1.0), (4.0, 2.0, 0.3)])
def test_planned_staff_equals_erlang_c_for_a_mean_wait(
    lam: float, service: float, wait: float
) -> None:
    mu = 1.0 / service
    c = int(np.floor(lam / mu)) + 1
    while mmc_mean_wait(lam, mu, c) > wait:
        c += 1
    assert mmc_mean_wait(lam, mu, c - 1) > 1.3 * wait and mmc_mean_wait(lam, mu, c) < 0.8 * wait
    demand = poisson_demand(lam, service, 24, seed=11)
    plan = plan_point_requirements(demand, {"wait_mean_min": wait})
    steady = plan.staff[0][2:]
    assert np.median(steady) == c, (c, plan.staff[0], plan.level)
    assert plan.level["wait_mean_min"] <= wait


@pytest.mark.parametrize("patience", [None, 10.0])
def test_time_varying_demand_keeps_the_probability_of_waiting_stable(
    patience: float | None,
) -> None:
    """Mt/M/st (and Mt/M/st+M with exponential patience of mean 10 min): arrivals rise and
    fall threefold over the day; with the ISA's staffing each hour's probability of waiting is
    near the target (not far above it in the peaks, not near 0 in the troughs, as a constant
    staffing would give)."""
    hours = np.arange(14)
    rate = 1.0 + 2.0 * np.sin(np.pi * hours / 13.0) ** 2  # per minute: 1 -> 3 -> 1
    service, alpha = 2.0, 0.2
    demand = poisson_demand(rate, service, 40, seed=3, patience_min=patience)
    slots = point_slots(demand)
    staff, _, stopped, _ = isa(demand, alpha, slots)
    assert stopped
    assert staff[0].max() > staff[0].min() + 2  # the staffing follows the demand
    # fresh replications (not those the plan was made with): P(wait) per hour of arrival
    check = poisson_demand(rate, service, 40, seed=99, patience_min=patience)
    per_hour = np.zeros((check.replications, slots.n))
    for r in range(check.replications):
        rec = simulate_point(check, r, slots, staff)
        t = check.arrivals[r]
        # waited: served after a wait, or gave up (a wait, then abandonment)
        waited = ~(np.abs(rec.start[0] - t) <= 1e-9)
        hour = np.minimum(((t - OPEN) // 60).astype(int), slots.n - 1)
        per_hour[r] = [waited[hour == h].mean() for h in range(slots.n)]
    for h in range(1, slots.n):  # the first hour starts with an empty line
        ci = t_interval(per_hour[:, h])
        assert ci.low <= alpha + 0.12 and ci.high >= alpha - 0.15, (h, ci, staff[0])

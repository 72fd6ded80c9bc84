"""M/M/c+M (Erlang-A): the exact birth-death solution against the queue kernel with reneging.

The simulated queue is :class:`sim.engine.tandem.TandemQueue` with one stage, one lane and one
pool of ``c`` servers open throughout, Poisson arrivals, exponential service and exponential
patience (the ``patience`` array: a customer still waiting when it runs out reneges). Each
replication is one long run from empty; arrivals in the first 5% are discarded as warm-up, and
the run is finished long after the last arrival so every customer is either served or reneges.
Each replication gives one estimate of the probability of abandoning, of waiting (finding every
server busy), the mean time in line of all arrivals (abandoners until they leave) and
``P(W > t0)`` at ``t0`` = the theoretical mean wait; the 99% t interval over replications must
contain :func:`sim.metrics.theory.erlang_a`'s value and be narrow (half-width under 5% of it).

Measured with these seeds (simulated mean ± 99% half-width, then the theory value):

=========================  ================  ================  ================  ================
point (mu = 1/min)         P(abandon)        P(wait)           mean wait, min    P(W > t0)
=========================  ================  ================  ================  ================
c=1, rho=0.8, theta=0.2    0.1812 ± 0.0022   0.6545 ± 0.0032   0.9014 ± 0.011    0.3588 ± 0.0038
                           0.1811            0.6552            0.9053            0.3598
c=5, rho=0.9, theta=0.1    0.0537 ± 0.0011   0.6495 ± 0.0052   0.5363 ± 0.0092   0.3672 ± 0.0039
                           0.0537            0.6478            0.5367            0.3666
c=10, rho=1.2, theta=0.5   0.1955 ± 0.0031   0.8483 ± 0.0067   0.3898 ± 0.0071   0.4294 ± 0.0090
                           0.1957            0.8504            0.3913            0.4317
c=3, rho=2.0, theta=1.0    0.5120 ± 0.0030   0.9380 ± 0.0016   0.5127 ± 0.0039   0.4162 ± 0.0038
                           0.5136            0.9380            0.5136            0.4161
=========================  ================  ================  ================  ================

The closed-form parts (theta -> 0 is Erlang C, the waiting-time tail against a matrix
exponential of the tagged customer's chain, the tail's integral against the mean wait) are
checked first, without simulation.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import integrate, linalg

from sim.engine.tandem import RENEGED, SERVED, StageSpec, TandemQueue
from sim.metrics.intervals import t_interval
from sim.metrics.theory import (
    ErlangAResult,
    erlang_a,
    erlang_c,
    mmc_mean_wait,
    mmc_wait_tail,
)

SEED = 20_261_101
MU = 1.0  # service rate per minute (mean service 1 minute)

# ---------------------------------------------------------------------------
# The formulas (no simulation)
# ---------------------------------------------------------------------------

POINTS_ANALYTIC = [
    (0.8, 1.0, 1, 0.2),
    (4.5, 1.0, 5, 0.1),
    (12.0, 1.0, 10, 0.5),
    (6.0, 1.0, 3, 1.0),
    (95.0, 1.0, 100, 0.05),
]


@pytest.mark.parametrize(("lam", "c"), [(0.5, 1), (1.8, 2), (4.5, 5), (9.5, 10), (95.0, 100)])
def test_zero_abandonment_is_erlang_c(lam: float, c: int) -> None:
    exact = erlang_a(lam, MU, c, 0.0)
    assert exact.p_wait == pytest.approx(erlang_c(c, lam / MU), rel=1e-12)
    assert exact.mean_wait == pytest.approx(mmc_mean_wait(lam, MU, c), rel=1e-12)
    assert exact.mean_queue == pytest.approx(lam * mmc_mean_wait(lam, MU, c), rel=1e-12)
    assert exact.p_abandon == 0.0
    for t in (0.0, 0.5, 3.0):
        assert exact.p_wait_longer(t) == pytest.approx(mmc_wait_tail(lam, MU, c, t), rel=1e-12)
    # The birth-death chain with a vanishing abandonment rate tends to the same values.
    tiny = erlang_a(lam, MU, c, 1e-9)
    assert tiny.p_wait == pytest.approx(exact.p_wait, rel=1e-6)
    assert tiny.mean_wait == pytest.approx(exact.mean_wait, rel=1e-6)
    assert tiny.p_abandon == pytest.approx(1e-9 * exact.mean_wait, rel=1e-6)
    for t in (0.5, 3.0):
        assert tiny.p_wait_longer(t) == pytest.approx(exact.p_wait_longer(t), rel=1e-6)


def test_overloaded_without_abandonment_is_refused() -> None:
    with pytest.raises(ValueError, match=r"unstable.*abandon_rate = 0"):
        erlang_a(2.0, 1.0, 2, 0.0)
    with pytest.raises(ValueError, match="too small"):
        erlang_a(5.0, 1.0, 1, 1e-6)  # a line of ~4 million people


@pytest.mark.parametrize(
    ("args", "match"),
    [
        ((-1.0, 1.0, 1, 0.1), "arrival_rate"),
        ((1.0, 0.0, 1, 0.1), "service_rate"),
        ((1.0, 1.0, 0, 0.1), "c must be a positive integer"),
        ((1.0, 1.0, 1.5, 0.1), "c must be a positive integer"),
        ((1.0, 1.0, 1, -0.1), "abandon_rate"),
        ((1.0, 1.0, 1, math.nan), "abandon_rate"),
    ],
)
def test_bad_input(args: tuple[float, float, int, float], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        erlang_a(*args)


def _birth_death_reference(lam: float, mu: float, c: int, theta: float, n_max: int) -> np.ndarray:
    """Stationary distribution of the chain cut at a generous fixed n_max (numpy, no tricks)."""
    n = np.arange(n_max + 1)
    death = np.minimum(n, c) * mu + np.maximum(n - c, 0) * theta
    log_w = np.concatenate([[0.0], np.cumsum(np.log(lam) - np.log(death[1:]))])
    w = np.exp(log_w - log_w.max())
    return w / w.sum()


@pytest.mark.parametrize(("lam", "mu", "c", "theta"), POINTS_ANALYTIC)
def test_truncated_chain_matches_a_long_one(lam: float, mu: float, c: int, theta: float) -> None:
    p = _birth_death_reference(lam, mu, c, theta, n_max=c + 4000)
    q = np.maximum(np.arange(p.size) - c, 0)
    res = erlang_a(lam, mu, c, theta)
    assert res.p_wait == pytest.approx(p[c:].sum(), rel=1e-10)
    assert res.mean_queue == pytest.approx((q * p).sum(), rel=1e-10)
    assert res.mean_wait == pytest.approx(res.mean_queue / lam, rel=1e-12)
    assert res.p_abandon == pytest.approx(theta * res.mean_queue / lam, rel=1e-12)
    assert res.utilisation == pytest.approx(((np.minimum(np.arange(p.size), c)) * p).sum() / c)


@pytest.mark.parametrize(("lam", "mu", "c", "theta"), POINTS_ANALYTIC)
def test_wait_tail_matches_the_tagged_customer_chain(
    lam: float, mu: float, c: int, theta: float
) -> None:
    """``P(W > t)`` against ``p0 exp(Q t) 1`` for the tagged arrival: state j = customers
    ahead of it, leaving at rate ``c mu + j theta``; the tagged customer abandons at ``theta``."""
    res = erlang_a(lam, mu, c, theta)
    p0 = np.exp(np.array(res.queue_log_probabilities))  # an arrival finds c + j in system
    size = p0.size
    gen = np.diag(-(c * mu + np.arange(size) * theta + theta))
    gen[np.arange(1, size), np.arange(size - 1)] = c * mu + np.arange(1, size) * theta
    for t in (0.1, 0.5, 1.0, 3.0):
        alive = p0 @ linalg.expm(gen * t)
        assert res.p_wait_longer(t) == pytest.approx(alive.sum(), rel=1e-8)
        assert res.p_offered_wait_longer(t) == pytest.approx(
            alive.sum() * math.exp(theta * t), rel=1e-8
        )
    assert res.p_wait_longer(0.0) == res.p_wait


@pytest.mark.parametrize(("lam", "mu", "c", "theta"), POINTS_ANALYTIC)
def test_wait_tail_integrates_to_the_mean_wait(lam: float, mu: float, c: int, theta: float) -> None:
    res = erlang_a(lam, mu, c, theta)
    area, _ = integrate.quad(res.p_wait_longer, 0.0, math.inf, limit=200)
    assert area == pytest.approx(res.mean_wait, rel=1e-7)


def test_many_servers_neither_overflow_nor_lose_precision() -> None:
    res = erlang_a(1000.0, 1.0, 1000, 0.1)
    assert 0.0 < res.p_abandon < res.p_wait < 1.0
    # Overloaded: in the fluid limit (lambda - c mu) / lambda abandon.
    heavy = erlang_a(1000.0, 1.0, 900, 0.01)
    assert heavy.p_abandon == pytest.approx(0.1, rel=1e-3)
    assert heavy.p_wait == pytest.approx(1.0, abs=1e-9)
    assert erlang_a(0.0, 1.0, 3, 0.5) == ErlangAResult(0.0, 1.0, 3, 0.5, 0.0, 0.0, 0.0, 0.0, ())


# ---------------------------------------------------------------------------
# Against the simulated queue
# ---------------------------------------------------------------------------

# (arrival rate /min, servers, abandonment rate /min, minutes per replication, replications)
POINTS_SIM = [
    (0.8, 1, 0.2, 100_000.0, 10),  # rho = 0.8, mean patience 5 min
    (4.5, 5, 0.1, 30_000.0, 10),  # rho = 0.9, mean patience 10 min
    (12.0, 10, 0.5, 8_000.0, 10),  # rho = 1.2: overloaded, abandonment keeps it stable
    (6.0, 3, 1.0, 15_000.0, 10),  # rho = 2.0: heavily overloaded, half abandon
]
MEASURES = ("p_abandon", "p_wait", "mean_wait", "p_wait_longer_t0")


def _replication(
    lam: float, c: int, theta: float, minutes: float, t0: float, rng: np.random.Generator
) -> list[float]:
    n = int(rng.poisson(lam * minutes))
    arrival = np.sort(rng.uniform(0.0, minutes, n))
    service = rng.exponential(1.0 / MU, n)
    patience = rng.exponential(1.0 / theta, n)
    queue = TandemQueue(
        arrival,
        np.zeros(n, dtype=np.int8),
        [StageSpec(((0,),), service)],
        n_lanes=1,
        space_group=[0],
        space_limit=[None],
        patience=patience,
    )
    queue.set_capacity(0, 0, c, -1.0)  # open before the first arrival
    out = queue.finish(minutes + 1e6)  # long after the last arrival: nobody is left waiting
    kept = arrival >= 0.05 * minutes
    outcome = out.outcome[kept]
    assert np.isin(outcome, [SERVED, RENEGED]).all()
    left_line = np.where(outcome == SERVED, out.start[0][kept], out.exit_time[kept])
    wait = left_line - arrival[kept]
    assert (wait >= 0.0).all()
    reneged = outcome == RENEGED
    # Reneging customers waited exactly their patience.
    np.testing.assert_allclose(wait[reneged], patience[kept][reneged], rtol=1e-9, atol=1e-9)
    return [
        float(np.mean(reneged)),
        float(np.mean(wait > 0.0)),
        float(wait.mean()),
        float(np.mean(wait > t0)),
    ]


@pytest.mark.parametrize(("lam", "c", "theta", "minutes", "reps"), POINTS_SIM)
def test_simulated_queue_matches_erlang_a(
    lam: float, c: int, theta: float, minutes: float, reps: int
) -> None:
    theory = erlang_a(lam, MU, c, theta)
    t0 = theory.mean_wait
    expected = {
        "p_abandon": theory.p_abandon,
        "p_wait": theory.p_wait,
        "mean_wait": theory.mean_wait,
        "p_wait_longer_t0": theory.p_wait_longer(t0),
    }
    rng = np.random.default_rng([SEED, c])
    values = np.array([_replication(lam, c, theta, minutes, t0, rng) for _ in range(reps)])
    for j, name in enumerate(MEASURES):
        ci = t_interval(values[:, j], 0.99)
        what = f"{name} lambda={lam} c={c} theta={theta}"
        assert ci.half_width <= 0.05 * expected[name], f"{what}: interval {ci} too wide"
        assert ci.contains(expected[name]), (
            f"{what}: theory {expected[name]:.5g} outside simulated {ci}"
        )

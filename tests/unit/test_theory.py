"""Unit tests for sim.metrics.theory against independently known queueing results."""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from fractions import Fraction

import pytest
from scipy import integrate

from sim.metrics.theory import (
    MMCKResult,
    cobham_priority_waits,
    dorfman_tests_per_person,
    erlang_c,
    little_law_queue_length,
    md1_mean_wait,
    mg1_mean_wait_from_cv,
    mmc_mean_wait,
    mmc_wait_probability,
    mmc_wait_tail,
    mmck,
    pollaczek_khinchine_wait,
)

# ---------------------------------------------------------------------------
# Independent reference implementations (direct textbook formulas)
# ---------------------------------------------------------------------------


def erlang_c_direct(c: int, a: float) -> float:
    """Erlang C from the factorial-sum formula (fine for small c)."""
    top = a**c / math.factorial(c) * c / (c - a)
    bottom = sum(a**k / math.factorial(k) for k in range(c)) + top
    return top / bottom


def mmck_exact(lam: int, mu: int, c: int, capacity: int) -> list[Fraction]:
    """Exact rational stationary distribution of M/M/c/K via detailed balance."""
    weights = [Fraction(1)]
    for n in range(1, capacity + 1):
        death = mu * min(n, c)
        weights.append(weights[-1] * Fraction(lam, death))
    total = sum(weights)
    return [w / total for w in weights]


# ---------------------------------------------------------------------------
# Erlang C and M/M/c
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("rho", [0.01, 0.3, 0.5, 0.9, 0.999])
def test_mm1_wait_probability_equals_rho(rho: float) -> None:
    assert erlang_c(1, rho) == pytest.approx(rho, rel=1e-12)
    assert mmc_wait_probability(rho * 2.0, 2.0, 1) == pytest.approx(rho, rel=1e-12)


@pytest.mark.parametrize(("lam", "mu"), [(0.5, 1.0), (1.0, 4.0), (9.0, 10.0), (0.2, 0.25)])
def test_mm1_mean_wait(lam: float, mu: float) -> None:
    rho = lam / mu
    assert mmc_mean_wait(lam, mu, 1) == pytest.approx(rho / (mu - lam), rel=1e-12)


def test_mm2_textbook_value() -> None:
    # lambda = 1, mu = 1, c = 2: a = 1, rho = 1/2, C = 1/3, Wq = 1/3.
    assert erlang_c(2, 1.0) == pytest.approx(1.0 / 3.0, rel=1e-12)
    assert mmc_mean_wait(1.0, 1.0, 2) == pytest.approx(1.0 / 3.0, rel=1e-12)


@pytest.mark.parametrize("rho", [0.1, 0.5, 0.75, 0.95])
def test_mm2_closed_form(rho: float) -> None:
    # M/M/2: C = 2 rho^2 / (1 + rho), Lq = 2 rho^3 / (1 - rho^2).
    mu = 3.0
    lam = 2.0 * mu * rho
    assert mmc_wait_probability(lam, mu, 2) == pytest.approx(2 * rho**2 / (1 + rho), rel=1e-12)
    lq = 2 * rho**3 / (1 - rho**2)
    assert mmc_mean_wait(lam, mu, 2) == pytest.approx(lq / lam, rel=1e-12)


@pytest.mark.parametrize("c", [1, 2, 3, 5, 8, 13, 20])
@pytest.mark.parametrize("utilisation", [0.05, 0.5, 0.8, 0.97])
def test_erlang_c_matches_factorial_formula(c: int, utilisation: float) -> None:
    a = utilisation * c
    assert erlang_c(c, a) == pytest.approx(erlang_c_direct(c, a), rel=1e-10)


def test_erlang_c_large_c_is_stable_and_monotone() -> None:
    values = [erlang_c(200, a) for a in (100.0, 150.0, 180.0, 190.0, 199.0, 199.99)]
    assert all(0.0 < v < 1.0 for v in values)
    assert values == sorted(values)
    # Heavy load with many servers: almost everyone waits.
    assert values[-1] > 0.99
    # Light load with many servers: essentially no one waits.
    assert values[0] < 1e-10


def test_erlang_c_zero_load() -> None:
    assert erlang_c(3, 0.0) == 0.0
    assert mmc_mean_wait(0.0, 1.0, 3) == 0.0


def test_more_servers_reduce_wait() -> None:
    waits = [mmc_mean_wait(3.5, 1.0, c) for c in range(4, 9)]
    assert all(w1 > w2 for w1, w2 in itertools.pairwise(waits))


def test_wait_tail_mm1_closed_form() -> None:
    lam, mu = 0.6, 1.0
    for t in (0.0, 0.5, 2.0, 10.0):
        expected = (lam / mu) * math.exp(-(mu - lam) * t)
        assert mmc_wait_tail(lam, mu, 1, t) == pytest.approx(expected, rel=1e-12)


def test_wait_tail_at_zero_is_wait_probability() -> None:
    assert mmc_wait_tail(7.0, 2.0, 4, 0.0) == pytest.approx(
        mmc_wait_probability(7.0, 2.0, 4), rel=1e-14
    )


def test_wait_tail_integrates_to_mean_wait() -> None:
    # E[Wq] = integral_0^inf P(Wq > t) dt.
    lam, mu, c = 7.0, 2.0, 4
    area, _ = integrate.quad(lambda t: mmc_wait_tail(lam, mu, c, t), 0.0, math.inf)
    assert area == pytest.approx(mmc_mean_wait(lam, mu, c), rel=1e-8)


# ---------------------------------------------------------------------------
# Cobham non-preemptive priority
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(("lam", "mu", "c"), [(0.7, 1.0, 1), (3.0, 1.0, 4), (45.0, 0.5, 100)])
def test_cobham_single_class_is_mmc(lam: float, mu: float, c: int) -> None:
    (w,) = cobham_priority_waits([lam], mu, c)
    assert w == pytest.approx(mmc_mean_wait(lam, mu, c), rel=1e-12)


def test_cobham_two_class_mm1_hand_computed() -> None:
    # c = 1, mu = 1, rates 0.2 and 0.3: W0 = rho / mu = 0.5,
    # W1 = 0.5 / 0.8 = 0.625, W2 = 0.5 / (0.8 * 0.5) = 1.25.
    waits = cobham_priority_waits([0.2, 0.3], 1.0, 1)
    assert waits == pytest.approx([0.625, 1.25], rel=1e-12)


@pytest.mark.parametrize(
    ("rates", "mu", "c"),
    [
        ([0.2, 0.3], 1.0, 1),
        ([1.0, 2.0, 0.5], 1.0, 4),
        ([0.1, 5.0, 3.0, 0.0, 1.2], 0.8, 12),
        ([10.0, 10.0], 0.25, 90),
    ],
)
def test_cobham_conservation_law(rates: list[float], mu: float, c: int) -> None:
    # With equal exponential service rates, the load-weighted average of the
    # class waits equals the FCFS M/M/c mean wait (Kleinrock conservation).
    waits = cobham_priority_waits(rates, mu, c)
    total = sum(rates)
    weighted = sum(r * w for r, w in zip(rates, waits, strict=True)) / total
    assert weighted == pytest.approx(mmc_mean_wait(total, mu, c), rel=1e-10)


def test_cobham_higher_priority_waits_less() -> None:
    waits = cobham_priority_waits([1.0, 1.0, 1.0], 1.0, 4)
    assert waits[0] < waits[1] < waits[2]
    assert len(waits) == 3


def test_cobham_zero_rate_class_still_gets_a_wait() -> None:
    # A class with no arrivals of its own still has a well-defined wait.
    waits = cobham_priority_waits([0.0, 0.5], 1.0, 1)
    # Highest priority only waits for residual service: W0 = rho / mu.
    assert waits[0] == pytest.approx(0.5, rel=1e-12)
    assert waits[1] == pytest.approx(0.5 / 0.5, rel=1e-12)


# ---------------------------------------------------------------------------
# M/M/c/K
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("rho", [0.3, 0.8, 1.5, 4.0])
@pytest.mark.parametrize("capacity", [1, 2, 5, 20])
def test_mm1k_blocking_closed_form(rho: float, capacity: int) -> None:
    res = mmck(rho * 2.0, 2.0, 1, capacity)
    expected = (1 - rho) * rho**capacity / (1 - rho ** (capacity + 1))
    assert res.blocking_probability == pytest.approx(expected, rel=1e-12)
    for n, p in enumerate(res.probabilities):
        assert p == pytest.approx((1 - rho) * rho**n / (1 - rho ** (capacity + 1)), rel=1e-12)


@pytest.mark.parametrize("capacity", [1, 4, 10, 1000])
def test_mm1k_rho_one_is_uniform(capacity: int) -> None:
    res = mmck(1.5, 1.5, 1, capacity)
    assert res.blocking_probability == pytest.approx(1.0 / (capacity + 1), rel=1e-12)
    assert res.probabilities == pytest.approx([1.0 / (capacity + 1)] * (capacity + 1), rel=1e-12)
    # Lq = sum_{n>=1} (n-1) / (K+1) = (K-1) K / (2 (K+1)).
    expected_lq = (capacity - 1) * capacity / (2 * (capacity + 1))
    assert res.mean_queue_length == pytest.approx(expected_lq, rel=1e-12, abs=1e-15)


@pytest.mark.parametrize(
    ("lam", "mu", "c", "capacity"),
    [(3, 1, 2, 10), (1, 2, 3, 3), (7, 3, 2, 9), (20, 1, 4, 12), (5, 1, 5, 30)],
)
def test_mmck_matches_exact_rational_solution(lam: int, mu: int, c: int, capacity: int) -> None:
    exact = mmck_exact(lam, mu, c, capacity)
    res = mmck(lam, mu, c, capacity)
    assert isinstance(res, MMCKResult)
    assert len(res.probabilities) == capacity + 1
    assert res.probabilities == pytest.approx([float(p) for p in exact], rel=1e-12)
    blocking = float(exact[-1])
    lq = float(sum((n - c) * p for n, p in enumerate(exact) if n > c))
    assert res.blocking_probability == pytest.approx(blocking, rel=1e-12)
    assert res.mean_queue_length == pytest.approx(lq, rel=1e-12, abs=1e-15)
    assert res.throughput == pytest.approx(lam * (1 - blocking), rel=1e-12)
    assert res.mean_wait == pytest.approx(lq / (lam * (1 - blocking)), rel=1e-12, abs=1e-15)


def test_mmck_large_capacity_approaches_mmc() -> None:
    lam, mu, c = 3.2, 1.0, 4
    res = mmck(lam, mu, c, 2000)
    assert res.blocking_probability < 1e-150
    assert res.mean_wait == pytest.approx(mmc_mean_wait(lam, mu, c), rel=1e-9)
    assert res.throughput == pytest.approx(lam, rel=1e-12)
    # P(N >= c) is the Erlang C probability.
    p_wait = math.fsum(res.probabilities[c:])
    assert p_wait == pytest.approx(erlang_c(c, lam / mu), rel=1e-9)


def test_mmck_overloaded_large_capacity_is_finite() -> None:
    # lambda > c mu: finite K keeps it stable; throughput saturates at c mu.
    lam, mu, c, capacity = 60.0, 1.0, 50, 3000
    res = mmck(lam, mu, c, capacity)
    assert all(math.isfinite(p) and p >= 0.0 for p in res.probabilities)
    assert math.fsum(res.probabilities) == pytest.approx(1.0, rel=1e-12)
    assert res.throughput == pytest.approx(c * mu, rel=1e-9)
    assert res.blocking_probability == pytest.approx(1 - c * mu / lam, rel=1e-9)
    # Queue is nearly full: Lq close to K - c.
    assert capacity - c - 10 < res.mean_queue_length < capacity - c
    # Little's law on the waiting room with the admitted rate.
    assert res.mean_queue_length == pytest.approx(res.throughput * res.mean_wait, rel=1e-12)


def test_mmck_capacity_equal_servers_is_erlang_loss() -> None:
    # M/M/c/c: blocking is Erlang B, no queue.
    c, a = 5, 3.0
    erlang_b = (a**c / math.factorial(c)) / sum(a**k / math.factorial(k) for k in range(c + 1))
    res = mmck(a, 1.0, c, c)
    assert res.blocking_probability == pytest.approx(erlang_b, rel=1e-12)
    assert res.mean_queue_length == 0.0
    assert res.mean_wait == 0.0


def test_mmck_zero_arrivals() -> None:
    res = mmck(0.0, 1.0, 2, 5)
    assert res.probabilities == (1.0, 0.0, 0.0, 0.0, 0.0, 0.0)
    assert res.blocking_probability == 0.0
    assert res.throughput == 0.0
    assert res.mean_wait == 0.0


def test_mmck_result_is_frozen() -> None:
    res = mmck(1.0, 1.0, 1, 3)
    with pytest.raises(AttributeError):
        res.throughput = 2.0  # type: ignore[misc]


# ---------------------------------------------------------------------------
# M/G/1
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(("lam", "mu"), [(0.5, 1.0), (2.0, 2.5), (0.01, 3.0)])
def test_pk_exponential_equals_mm1(lam: float, mu: float) -> None:
    mm1 = (lam / mu) / (mu - lam)
    assert pollaczek_khinchine_wait(lam, 1 / mu, 2 / mu**2) == pytest.approx(mm1, rel=1e-12)
    assert mg1_mean_wait_from_cv(lam, 1 / mu, 1.0) == pytest.approx(mm1, rel=1e-12)
    assert mmc_mean_wait(lam, mu, 1) == pytest.approx(mm1, rel=1e-12)


@pytest.mark.parametrize(("lam", "d"), [(0.5, 1.0), (0.9, 1.0), (3.0, 0.2)])
def test_md1_is_half_of_mm1(lam: float, d: float) -> None:
    mm1 = mmc_mean_wait(lam, 1 / d, 1)
    assert md1_mean_wait(lam, d) == pytest.approx(mm1 / 2, rel=1e-12)
    assert mg1_mean_wait_from_cv(lam, d, 0.0) == pytest.approx(mm1 / 2, rel=1e-12)


def test_pk_uniform_service() -> None:
    # S ~ Uniform(0, 2): E[S] = 1, E[S^2] = 4/3; lambda = 0.5 -> Wq = 0.5*(4/3)/(2*0.5) = 2/3.
    assert pollaczek_khinchine_wait(0.5, 1.0, 4.0 / 3.0) == pytest.approx(2.0 / 3.0, rel=1e-12)
    # cv of Uniform(0, 2) is 1/sqrt(3).
    assert mg1_mean_wait_from_cv(0.5, 1.0, 1 / math.sqrt(3)) == pytest.approx(2 / 3, rel=1e-12)


def test_pk_zero_arrivals() -> None:
    assert pollaczek_khinchine_wait(0.0, 2.0, 5.0) == 0.0


# ---------------------------------------------------------------------------
# Dorfman pooling and Little's law
# ---------------------------------------------------------------------------


def test_dorfman_textbook_value() -> None:
    assert dorfman_tests_per_person(0.01, 10) == pytest.approx(0.1 + 1 - 0.99**10, rel=1e-14)
    assert dorfman_tests_per_person(0.01, 10) == pytest.approx(0.195618, abs=1e-6)


def test_dorfman_optimal_pool_size_at_one_percent() -> None:
    # Dorfman (1943): at 1% prevalence the optimal pool size is 11 (~0.1956 tests/person).
    costs = {k: dorfman_tests_per_person(0.01, k) for k in range(2, 60)}
    best = min(costs, key=lambda k: costs[k])
    assert best == 11
    assert costs[11] == pytest.approx(0.1956, abs=1e-4)


@pytest.mark.parametrize("p", [0.0, 0.05, 0.5, 1.0])
def test_dorfman_individual_testing_is_exactly_one(p: float) -> None:
    assert dorfman_tests_per_person(p, 1) == 1.0


def test_dorfman_extremes() -> None:
    # No positives: one test per pool. All positive: pool test plus everyone retested.
    assert dorfman_tests_per_person(0.0, 8) == pytest.approx(1 / 8, rel=1e-14)
    assert dorfman_tests_per_person(1.0, 8) == pytest.approx(1 + 1 / 8, rel=1e-14)


def test_little_law() -> None:
    assert little_law_queue_length(2.0, 3.0) == pytest.approx(6.0)
    assert little_law_queue_length(0.0, 3.0) == 0.0
    # Consistency with M/M/2 closed form Lq = 2 rho^3 / (1 - rho^2).
    rho, mu = 0.75, 1.0
    lam = 2 * mu * rho
    lq = little_law_queue_length(lam, mmc_mean_wait(lam, mu, 2))
    assert lq == pytest.approx(2 * rho**3 / (1 - rho**2), rel=1e-12)


# ---------------------------------------------------------------------------
# Input validation
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "pattern"),
    [
        (lambda: erlang_c(0, 0.5), r"c must be a positive integer, got 0"),
        (lambda: erlang_c(2.0, 0.5), r"c must be a positive integer"),  # type: ignore[arg-type]
        (lambda: erlang_c(True, 0.5), r"c must be a positive integer"),
        (lambda: erlang_c(2, -0.1), r"offered_load .*non-negative.*-0\.1"),
        (lambda: erlang_c(2, math.nan), r"offered_load"),
        (lambda: erlang_c(2, 2.0), r"unstable.*offered_load.*< c"),
        (lambda: mmc_mean_wait(-1.0, 1.0, 1), r"arrival_rate.*-1\.0"),
        (lambda: mmc_mean_wait(1.0, 0.0, 1), r"service_rate must be a finite positive"),
        (lambda: mmc_mean_wait(1.0, math.inf, 1), r"service_rate"),
        (lambda: mmc_mean_wait(1.0, 1.0, -3), r"c must be a positive integer, got -3"),
        (lambda: mmc_mean_wait(6.0, 1.0, 5), r"unstable: utilisation lambda/\(c mu\) = 1\.2 "),
        (lambda: mmc_wait_probability(2.0, 1.0, 2), r"unstable.*must be < 1 for M/M/c"),
        (lambda: mmc_wait_tail(1.0, 2.0, 1, -1.0), r"t must be a finite non-negative"),
        (lambda: mmc_wait_tail(1.0, 2.0, 1, "1"), r"t must be"),  # type: ignore[arg-type]
        (lambda: cobham_priority_waits([], 1.0, 1), r"arrival_rates must contain at least one"),
        (lambda: cobham_priority_waits([0.1, -0.2], 1.0, 1), r"arrival_rates\[1\].*-0\.2"),
        (lambda: cobham_priority_waits(0.5, 1.0, 1), r"arrival_rates must be a sequence"),  # type: ignore[arg-type]
        (lambda: cobham_priority_waits([0.5, 0.6], 1.0, 1), r"unstable.*1\.1"),
        (lambda: cobham_priority_waits([0.5], -1.0, 1), r"service_rate"),
        (lambda: cobham_priority_waits([0.5], 1.0, 0), r"c must be a positive integer"),
        (lambda: mmck(1.0, 1.0, 3, 2), r"K must be an integer >= c = 3.*got 2"),
        (lambda: mmck(1.0, 1.0, 3, 0), r"K must be a positive integer, got 0"),
        (lambda: mmck(1.0, 1.0, 0, 5), r"c must be a positive integer"),
        (lambda: mmck(-1.0, 1.0, 1, 5), r"arrival_rate"),
        (lambda: mmck(1.0, 0.0, 1, 5), r"service_rate"),
        (lambda: pollaczek_khinchine_wait(1.0, 1.0, 2.0), r"unstable.*rho.*M/G/1"),
        (lambda: pollaczek_khinchine_wait(0.5, 0.0, 2.0), r"mean_service"),
        (lambda: pollaczek_khinchine_wait(0.5, 1.0, 0.5), r"second_moment_service.*0\.5"),
        (lambda: pollaczek_khinchine_wait(-0.5, 1.0, 2.0), r"arrival_rate"),
        (lambda: md1_mean_wait(0.5, 0.0), r"service_time must be a finite positive"),
        (lambda: md1_mean_wait(2.0, 0.5), r"unstable"),
        (lambda: mg1_mean_wait_from_cv(0.5, 1.0, -0.1), r"cv must be a finite non-negative"),
        (lambda: mg1_mean_wait_from_cv(0.5, -1.0, 0.5), r"mean_service"),
        (lambda: dorfman_tests_per_person(1.5, 10), r"prevalence must be a probability.*1\.5"),
        (lambda: dorfman_tests_per_person(-0.01, 10), r"prevalence"),
        (lambda: dorfman_tests_per_person(0.01, 0), r"pool_size must be a positive integer, got 0"),
        (lambda: dorfman_tests_per_person(0.01, 2.5), r"pool_size.*2\.5"),  # type: ignore[arg-type]
        (lambda: little_law_queue_length(-1.0, 2.0), r"arrival_rate"),
        (lambda: little_law_queue_length(1.0, -2.0), r"mean_wait.*-2\.0"),
    ],
)
def test_invalid_inputs_raise_value_error(call: Callable[[], object], pattern: str) -> None:
    with pytest.raises(ValueError, match=pattern):
        call()

"""Unit tests for :mod:`sim.planning.stationary`: staffing a stationary point.

Hand values come from the Erlang C formula in exact rational arithmetic (small cases) and from
the classic Erlang C table for ``a = 10`` Erlangs (``C(12) = 0.4494``, ``C(13) = 0.2853``,
``C(14) = 0.1741``, ``C(15) = 0.1020``); searches are also checked against a plain linear scan.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from fractions import Fraction
from typing import Any

import pytest
from scipy import integrate, optimize, stats

from sim.metrics.theory import erlang_a, erlang_c, mmc_mean_wait, mmc_wait_tail
from sim.planning.stationary import (
    erlang_a_staffing,
    erlang_c_staffing,
    hourly_offered_load,
    hourly_square_root_staffing,
    offered_load,
    square_root_staffing,
    staffing_search_limit,
)


def erlang_c_exact(c: int, a: int) -> Fraction:
    """Erlang C in exact arithmetic for integer loads (textbook factorial formula)."""
    top = Fraction(a**c, math.factorial(c)) * Fraction(c, c - a)
    return top / (sum(Fraction(a**k, math.factorial(k)) for k in range(c)) + top)


def linear_scan_c(lam: float, mu: float, meets: Callable[[int], bool]) -> int:
    """Smallest stable c meeting ``meets(c)``, by trying c = floor(R) + 1, floor(R) + 2, ..."""
    c = math.floor(lam / mu) + 1
    while not meets(c):
        c += 1
    return c


# ---------------------------------------------------------------------------
# Offered load and square-root staffing
# ---------------------------------------------------------------------------


def test_offered_load() -> None:
    assert offered_load(2.0, 0.25) == 8.0
    assert offered_load(0.0, 1.0) == 0.0
    with pytest.raises(ValueError, match="service_rate"):
        offered_load(1.0, 0.0)
    with pytest.raises(ValueError, match="arrival_rate"):
        offered_load(-1.0, 1.0)


@pytest.mark.parametrize(
    ("load", "beta", "expected"),
    [
        (16.0, 0.5, 18),  # 16 + 0.5 * 4 = 18 exactly: no extra server
        (9.0, 1.0, 12),
        (100.0, 1.0, 110),
        (100.0, 1.5, 115),
        (10.0, 1.0, 14),  # 10 + 3.162 = 13.16 -> 14
        (2.0, 0.0, 2),
        (0.3 * 10, 0.0, 3),  # 3.0000000000000004: floating noise does not add a server
        (50.0, -1.0, 43),  # 50 - 7.07 = 42.9 -> 43 (for abandonment: below the load)
        (0.01, -1.0, 1),  # an open point with any load has at least one server
        (0.0, 2.0, 0),  # no load, no staff
    ],
)
def test_square_root_staffing(load: float, beta: float, expected: int) -> None:
    assert square_root_staffing(load, beta) == expected


def test_square_root_staffing_bad_input() -> None:
    with pytest.raises(ValueError, match="offered_load"):
        square_root_staffing(-1.0, 1.0)
    with pytest.raises(ValueError, match="beta"):
        square_root_staffing(10.0, math.inf)
    with pytest.raises(ValueError, match="beta"):
        square_root_staffing(10.0, True)


def test_square_root_staffing_approaches_erlang_c_for_large_loads() -> None:
    """Halfin-Whitt: with c = R + beta sqrt(R), P(wait) -> 1 / (1 + beta Phi(beta)/phi(beta)).
    The beta solving that for a target alpha staffs a large stationary point within a server
    of the exact Erlang C minimum."""
    alpha = 0.2
    beta = optimize.brentq(
        lambda b: 1.0 / (1.0 + b * stats.norm.cdf(b) / stats.norm.pdf(b)) - alpha, 0.01, 5.0
    )
    for load in (100.0, 400.0, 1000.0):
        exact = erlang_c_staffing(load, 1.0, max_wait_probability=alpha)
        assert abs(square_root_staffing(load, beta) - exact) <= 1


def test_search_limit_grows_with_the_load() -> None:
    assert staffing_search_limit(0.0) == 100
    assert staffing_search_limit(100.0) == 600
    limits = [staffing_search_limit(r) for r in (1.0, 10.0, 100.0, 1000.0)]
    assert limits == sorted(limits)


# ---------------------------------------------------------------------------
# Erlang C staffing
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("target", "expected"),
    [(0.5, 12), (0.45, 12), (0.3, 13), (0.2, 14), (0.15, 15), (0.1, 16), (0.05, 17)],
)
def test_erlang_c_table_for_ten_erlangs(target: float, expected: int) -> None:
    # Erlang C table, a = 10: C(12) = 0.449, C(13) = 0.285, C(14) = 0.174, C(15) = 0.102,
    # C(16) = 0.0573, C(17) = 0.0312.
    assert erlang_c_staffing(10.0, 1.0, max_wait_probability=target) == expected
    assert float(erlang_c_exact(expected, 10)) <= target < float(erlang_c_exact(expected - 1, 10))


def test_exact_small_case_by_hand() -> None:
    # a = 2: C(3, 2) = 4/9 exactly, C(4, 2) = 4/23; Wq = C / (c mu - lambda).
    assert erlang_c_exact(3, 2) == Fraction(4, 9)
    assert erlang_c_exact(4, 2) == Fraction(4, 23)
    assert erlang_c_staffing(2.0, 1.0, max_wait_probability=0.45) == 3
    assert erlang_c_staffing(2.0, 1.0, max_wait_probability=0.44) == 4
    assert erlang_c_staffing(2.0, 1.0, max_mean_wait=0.45) == 3  # Wq(3) = 4/9 min
    assert erlang_c_staffing(2.0, 1.0, max_mean_wait=0.44) == 4  # Wq(4) = 2/23 min
    # Same load in other units: 2 arrivals a minute and 30 s services need the same c.
    assert erlang_c_staffing(4.0, 2.0, max_wait_probability=0.44) == 4


def test_p95_wait_target() -> None:
    # 100 arrivals an hour, 5-minute services (8.33 Erlangs); P(W > t) = C e^{-(c mu - lambda) t}.
    lam, mu = 100.0 / 60.0, 1.0 / 5.0
    # p95 wait <= 30 minutes, i.e. P(W > 30) <= 0.05: met by the smallest stable c (0.014).
    assert erlang_c_staffing(lam, mu, max_wait_quantile=(0.95, 30.0)) == 9
    # p95 wait <= 5 minutes: P(W > 5) = 0.092 with 10 servers, 0.021 with 11.
    assert erlang_c_staffing(lam, mu, max_wait_quantile=(0.95, 5.0)) == 11
    assert mmc_wait_tail(lam, mu, 11, 5.0) <= 0.05 < mmc_wait_tail(lam, mu, 10, 5.0)
    # p99 wait <= 10 minutes: P(W > 10) = 0.0174 with 10 servers, 0.0014 with 11.
    assert erlang_c_staffing(lam, mu, max_wait_quantile=(0.99, 10.0)) == 11
    # A 0-minute p80 is a target on the probability of waiting: P(W > 0) <= 0.2.
    assert erlang_c_staffing(lam, mu, max_wait_quantile=(0.8, 0.0)) == erlang_c_staffing(
        lam, mu, max_wait_probability=0.2
    )


LOADS = [(0.5, 1.0), (1.8, 1.0), (4.0, 0.5), (9.5, 1.0), (50.0, 1.0), (100.0 / 60.0, 0.2)]


@pytest.mark.parametrize(("lam", "mu"), LOADS)
def test_erlang_c_staffing_is_the_smallest_meeting_every_target(lam: float, mu: float) -> None:
    for p_max, w_max, quantile in [
        (0.2, None, None),
        (None, 0.5, None),
        (None, None, (0.9, 2.0)),
        (0.5, 0.1, (0.99, 10.0)),
        (0.01, 5.0, None),
    ]:

        def meets(
            c: int,
            p: float | None = p_max,
            w: float | None = w_max,
            qt: tuple[float, float] | None = quantile,
        ) -> bool:
            return (
                (p is None or erlang_c(c, lam / mu) <= p)
                and (w is None or mmc_mean_wait(lam, mu, c) <= w)
                and (qt is None or mmc_wait_tail(lam, mu, c, qt[1]) <= 1 - qt[0])
            )

        got = erlang_c_staffing(
            lam, mu, max_wait_probability=p_max, max_mean_wait=w_max, max_wait_quantile=quantile
        )
        assert got == linear_scan_c(lam, mu, meets), (lam, mu, p_max, w_max, quantile)
        assert got > lam / mu  # stable


def test_erlang_c_staffing_is_monotone() -> None:
    # More demand never needs fewer servers; a looser target never needs more.
    by_load = [erlang_c_staffing(lam, 1.0, max_mean_wait=0.25) for lam in range(1, 60)]
    assert by_load == sorted(by_load)
    by_target = [
        erlang_c_staffing(20.0, 1.0, max_wait_probability=p)
        for p in (0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 0.9, 1.0)
    ]
    assert by_target == sorted(by_target, reverse=True)
    assert by_target[-1] == 21  # P(wait) <= 1: only stability is asked


def test_no_arrivals_need_no_staff() -> None:
    assert erlang_c_staffing(0.0, 1.0, max_mean_wait=1.0) == 0
    assert erlang_a_staffing(0.0, 1.0, 0.5, max_abandon_probability=0.01) == 0


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"max_wait_probability": 0.0}, r"max_wait_probability=0 cannot be met.*Erlang C > 0"),
        ({"max_mean_wait": 0.0}, r"max_mean_wait=0 cannot be met"),
        ({"max_wait_quantile": (1.0, 30.0)}, r"max_wait_quantile=\(1, 30\) cannot be met"),
        ({"max_mean_wait": 1e-300}, r"search limit of 237 servers.*max_mean_wait=1e-300"),
        ({}, "at least one target"),
        ({"max_wait_probability": 1.5}, "probability"),
        ({"max_wait_probability": math.nan}, "max_wait_probability"),
        ({"max_mean_wait": -1.0}, "max_mean_wait"),
        ({"max_wait_quantile": (0.0, 30.0)}, r"q must be in \(0, 1\)"),
        ({"max_wait_quantile": (0.95, -1.0)}, "max_wait_quantile t"),
        ({"max_wait_quantile": 0.95}, "must be a pair"),
        ({"max_wait_quantile": (0.95, 30.0, 1.0)}, "must be a pair"),
    ],
)
def test_erlang_c_staffing_refuses_impossible_or_bad_targets(
    kwargs: dict[str, object], match: str
) -> None:
    with pytest.raises(ValueError, match=match):
        erlang_c_staffing(10.0, 1.0, **kwargs)  # type: ignore[arg-type]


def test_bad_rates() -> None:
    with pytest.raises(ValueError, match="arrival_rate"):
        erlang_c_staffing(-1.0, 1.0, max_mean_wait=1.0)
    with pytest.raises(ValueError, match="service_rate"):
        erlang_c_staffing(1.0, 0.0, max_mean_wait=1.0)
    with pytest.raises(ValueError, match="abandon_rate"):
        erlang_a_staffing(1.0, 1.0, -0.1, max_mean_wait=1.0)


# ---------------------------------------------------------------------------
# Erlang-A staffing
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(("lam", "theta"), [(4.5, 0.1), (12.0, 0.5), (30.0, 0.2), (6.0, 1.0)])
def test_erlang_a_staffing_is_the_smallest_meeting_every_target(lam: float, theta: float) -> None:
    cases: list[dict[str, Any]] = [
        {"max_wait_probability": 0.3},
        {"max_abandon_probability": 0.05},
        {"max_abandon_probability": 0.3},
        {"max_mean_wait": 0.2},
        {"max_wait_quantile": (0.9, 1.0)},
        {"max_wait_probability": 0.5, "max_abandon_probability": 0.01},
    ]
    for kwargs in cases:

        def meets(c: int, kw: dict[str, Any] = kwargs) -> bool:
            r = erlang_a(lam, 1.0, c, theta)
            q, t = kw.get("max_wait_quantile", (0.0, 0.0))
            return bool(
                r.p_wait <= kw.get("max_wait_probability", 1.0)
                and r.p_abandon <= kw.get("max_abandon_probability", 1.0)
                and r.mean_wait <= kw.get("max_mean_wait", math.inf)
                and r.p_wait_longer(t) <= 1.0 - q
            )

        scan = next(c for c in range(1, 1000) if meets(c))
        assert erlang_a_staffing(lam, 1.0, theta, **kwargs) == scan, kwargs


def test_abandonment_never_needs_more_staff_than_erlang_c() -> None:
    for lam in (2.0, 8.0, 25.0, 80.0):
        for target in (0.05, 0.2, 0.5):
            c_only = erlang_c_staffing(lam, 1.0, max_wait_probability=target)
            with_abandonment = erlang_a_staffing(lam, 1.0, 0.5, max_wait_probability=target)
            assert with_abandonment <= c_only


def test_overloaded_staffing_for_an_abandonment_target() -> None:
    # 12 Erlangs, impatient customers: a 30% abandonment target is met with fewer servers than
    # the load (allowed with abandonment; Erlang C could not staff below 13).
    c = erlang_a_staffing(12.0, 1.0, 0.5, max_abandon_probability=0.3)
    assert c < 12
    assert erlang_a(12.0, 1.0, c, 0.5).p_abandon <= 0.3 < erlang_a(12.0, 1.0, c - 1, 0.5).p_abandon


def test_erlang_a_staffing_without_abandonment_is_erlang_c() -> None:
    for target in (0.05, 0.2, 0.5):
        assert erlang_a_staffing(10.0, 1.0, 0.0, max_wait_probability=target) == erlang_c_staffing(
            10.0, 1.0, max_wait_probability=target
        )
        assert erlang_a_staffing(10.0, 1.0, 1e-9, max_wait_probability=target) == (
            erlang_c_staffing(10.0, 1.0, max_wait_probability=target)
        )
    # Nobody abandons, so an abandonment target alone asks only for stability.
    assert erlang_a_staffing(10.0, 1.0, 0.0, max_abandon_probability=0.0) == 11


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"max_abandon_probability": 0.0}, r"max_abandon_probability=0 cannot be met"),
        ({"max_wait_probability": 0.0}, r"max_wait_probability=0 cannot be met"),
        ({"max_mean_wait": 0.0}, r"max_mean_wait=0 cannot be met"),
        ({"max_wait_quantile": (1.0, 5.0)}, r"max_wait_quantile=\(1, 5\) cannot be met"),
        ({"max_abandon_probability": 1e-300}, r"search limit.*max_abandon_probability=1e-300"),
        ({"max_abandon_probability": 2.0}, "probability"),
        ({}, "at least one target"),
    ],
)
def test_erlang_a_staffing_refuses_impossible_or_bad_targets(
    kwargs: dict[str, object], match: str
) -> None:
    with pytest.raises(ValueError, match=match):
        erlang_a_staffing(10.0, 1.0, 0.5, **kwargs)  # type: ignore[arg-type]


# ---------------------------------------------------------------------------
# Time-varying demand
# ---------------------------------------------------------------------------


def test_pointwise_offered_load() -> None:
    assert hourly_offered_load([60.0, 120.0, 0.0], 5.0, method="pointwise") == [5.0, 10.0, 0.0]
    assert hourly_offered_load([], 5.0) == []


def test_lagged_load_of_constant_demand() -> None:
    # Starting at the stationary load, constant demand keeps it; from empty it builds up as
    # R (1 - e^{-t/E[S]}), whose first-hour average is R (1 - E[S]/60 (1 - e^{-60/E[S]})).
    assert hourly_offered_load([90.0] * 3, 4.0, initial_load=6.0) == pytest.approx([6.0] * 3)
    first, second = hourly_offered_load([90.0, 90.0], 4.0)
    assert first == pytest.approx(6.0 * (1.0 - 4.0 / 60.0 * (1.0 - math.exp(-15.0))))
    assert second == pytest.approx(6.0, rel=1e-6)


def test_lagged_load_solves_the_infinite_server_equation() -> None:
    # m' = lambda(t) - m / E[S] with hourly rates, integrated numerically; hour averages.
    rates, es = [30.0, 150.0, 60.0, 0.0, 200.0], 20.0
    sol = integrate.solve_ivp(
        lambda t, m: [rates[min(int(t // 60), len(rates) - 1)] / 60.0 - m[0] / es],
        (0.0, 60.0 * len(rates)),
        [0.0],
        max_step=0.5,
        dense_output=True,
        rtol=1e-9,
        atol=1e-12,
    )
    expected = [
        integrate.quad(lambda t: float(sol.sol(t)[0]), 60.0 * h, 60.0 * (h + 1))[0] / 60.0
        for h in range(len(rates))
    ]
    assert hourly_offered_load(rates, es) == pytest.approx(expected, rel=1e-5)
    # The load lags: in the empty hour people are still being served.
    assert hourly_offered_load(rates, es)[3] > 0.0


def test_hourly_square_root_staffing() -> None:
    rates = [60.0, 120.0, 0.0, 30.0]
    loads = hourly_offered_load(rates, 5.0, method="pointwise")
    assert hourly_square_root_staffing(rates, 5.0, 1.0, method="pointwise") == [
        square_root_staffing(r, 1.0) for r in loads
    ]
    assert hourly_square_root_staffing(rates, 5.0, 1.0, method="pointwise") == [8, 14, 0, 5]


@pytest.mark.parametrize(
    ("args", "kwargs", "match"),
    [
        (([60.0, -1.0], 5.0), {}, r"arrivals_per_hour\[1\]"),
        (("60", 5.0), {}, "sequence"),
        (([60.0], 0.0), {}, "mean_service_min"),
        (([60.0], 5.0), {"method": "psa"}, "method"),
        (([60.0], 5.0), {"initial_load": -1.0}, "initial_load"),
    ],
)
def test_hourly_offered_load_bad_input(
    args: tuple[object, ...], kwargs: dict[str, object], match: str
) -> None:
    with pytest.raises(ValueError, match=match):
        hourly_offered_load(*args, **kwargs)  # type: ignore[arg-type]

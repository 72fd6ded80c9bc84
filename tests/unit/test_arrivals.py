"""Unit tests for the arrival processes in :mod:`sim.engine.arrivals`.

Counts are checked over many seeds (mean within 5 standard errors of ``rate * T``, variance
within 5 standard errors of a Poisson variance); shares per piece with a chi-square test at a
fixed seed; positions within a piece with a Kolmogorov-Smirnov test.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from sim.engine.arrivals import poisson_arrivals, profile_arrivals

Z = 5.0
SEEDS = 2000


def check_poisson_counts(counts: np.ndarray, lam: float) -> None:
    """Mean and variance of Poisson(lam) counts, within Z standard errors."""
    m = counts.size
    se_mean = math.sqrt(lam / m)
    assert abs(counts.mean() - lam) <= Z * se_mean, (counts.mean(), lam)
    # Var of the sample variance of Poisson(lam): (mu4 - sigma^4) / m with
    # mu4 = lam (1 + 3 lam), sigma^4 = lam^2  ->  (lam + 2 lam^2) / m.
    se_var = math.sqrt((lam + 2 * lam * lam) / m)
    assert abs(counts.var(ddof=1) - lam) <= Z * se_var, (counts.var(ddof=1), lam)


# ---------------------------------------------------------------------------
# Homogeneous Poisson
# ---------------------------------------------------------------------------


def test_poisson_count_mean_and_variance() -> None:
    rate, start, end = 0.5, 100.0, 300.0  # expect 100 per window
    counts = np.array(
        [poisson_arrivals(np.random.default_rng(s), rate, start, end).size for s in range(SEEDS)]
    )
    check_poisson_counts(counts, rate * (end - start))


def test_poisson_times_sorted_and_inside_the_window() -> None:
    for seed in range(50):
        t = poisson_arrivals(np.random.default_rng(seed), 2.0, 420.0, 480.0)
        assert np.all(np.diff(t) >= 0)
        assert np.all((t >= 420.0) & (t < 480.0))


def test_poisson_times_are_uniform_over_the_window() -> None:
    t = poisson_arrivals(np.random.default_rng(11), 50.0, 0.0, 600.0)
    assert t.size > 25_000
    assert stats.kstest(t, stats.uniform(loc=0.0, scale=600.0).cdf).pvalue > 1e-3


def test_poisson_counts_in_disjoint_subwindows_are_poisson() -> None:
    # Counts in the first 10 minutes of [0, 60) at rate 1: Poisson(10) over seeds.
    counts = np.array(
        [
            np.sum(poisson_arrivals(np.random.default_rng(s), 1.0, 0.0, 60.0) < 10.0)
            for s in range(SEEDS)
        ]
    )
    check_poisson_counts(counts, 10.0)


def test_poisson_interarrival_times_are_exponential() -> None:
    t = poisson_arrivals(np.random.default_rng(5), 2.0, 0.0, 20_000.0)
    gaps = np.diff(t)
    assert stats.kstest(gaps, stats.expon(scale=0.5).cdf).pvalue > 1e-3


def test_poisson_same_seed_same_times() -> None:
    a = poisson_arrivals(np.random.default_rng(3), 1.0, 0.0, 100.0)
    b = poisson_arrivals(np.random.default_rng(3), 1.0, 0.0, 100.0)
    np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize(("rate", "start", "end"), [(0.0, 0, 10), (-1.0, 0, 10), (1.0, 10, 10)])
def test_poisson_rejects_bad_input(rate: float, start: float, end: float) -> None:
    with pytest.raises(ValueError):
        poisson_arrivals(np.random.default_rng(0), rate, start, end)


# ---------------------------------------------------------------------------
# Piecewise-constant profile
# ---------------------------------------------------------------------------


def hourly_counts(t: np.ndarray, start: float, n_pieces: int, piece: float = 60.0) -> np.ndarray:
    edges = start + piece * np.arange(n_pieces + 1)
    return np.histogram(t, bins=edges)[0]


@pytest.mark.parametrize("expected", [1000, 7500, 1])
def test_fixed_count_gives_exactly_n(expected: int) -> None:
    for seed in range(20):
        t = profile_arrivals(
            np.random.default_rng(seed), [1, 6, 10, 9], 360.0, 600.0, expected, True
        )
        assert t.size == expected


def test_fixed_count_rounds_a_fractional_expectation() -> None:
    t = profile_arrivals(np.random.default_rng(0), [1, 1], 0.0, 120.0, 99.6, True)
    assert t.size == 100


def test_poisson_count_of_profile() -> None:
    counts = np.array(
        [
            profile_arrivals(np.random.default_rng(s), [1, 3, 2], 0.0, 180.0, 200.0, False).size
            for s in range(SEEDS)
        ]
    )
    check_poisson_counts(counts, 200.0)


def test_profile_times_sorted_and_inside_the_window() -> None:
    for seed in range(20):
        t = profile_arrivals(np.random.default_rng(seed), [2, 1, 3], 420.0, 600.0, 500, True)
        assert np.all(np.diff(t) >= 0)
        assert np.all((t >= 420.0) & (t < 600.0))


def test_share_per_hour_proportional_to_weights() -> None:
    weights = np.array([1.0, 6.0, 10.0, 9.0, 7.0, 5.0, 3.0, 3.0])
    n = 100_000
    t = profile_arrivals(np.random.default_rng(2024), weights.tolist(), 360.0, 840.0, n, True)
    counts = hourly_counts(t, 360.0, len(weights))
    assert counts.sum() == n
    expected = n * weights / weights.sum()
    assert stats.chisquare(counts, expected).pvalue > 1e-3
    # And per hour, within 5 binomial standard errors.
    p = weights / weights.sum()
    se = np.sqrt(n * p * (1 - p))
    assert np.all(np.abs(counts - expected) <= Z * se)


def test_poisson_profile_share_per_hour() -> None:
    weights = np.array([3.0, 1.0, 2.0])
    t = profile_arrivals(np.random.default_rng(77), weights.tolist(), 0.0, 180.0, 60_000, False)
    counts = hourly_counts(t, 0.0, 3)
    assert stats.chisquare(counts, t.size * weights / weights.sum()).pvalue > 1e-3


def test_zero_weight_hours_get_no_arrivals() -> None:
    weights = [2.0, 0.0, 5.0, 0.0, 1.0]
    t = profile_arrivals(np.random.default_rng(1), weights, 0.0, 300.0, 20_000, True)
    counts = hourly_counts(t, 0.0, 5)
    assert counts[1] == 0 and counts[3] == 0
    assert stats.chisquare(counts[[0, 2, 4]], 20_000 * np.array([2, 5, 1]) / 8).pvalue > 1e-3


def test_partial_last_hour_gets_a_share_in_proportion_to_its_length() -> None:
    # Weights [1, 1, 1] but the window ends 30 min into the third hour: the rate per minute is
    # the same in every piece, so the shares are 60:60:30 = 0.4, 0.4, 0.2.
    n = 50_000
    t = profile_arrivals(np.random.default_rng(8), [1.0, 1.0, 1.0], 0.0, 150.0, n, True)
    assert t.max() < 150.0
    counts = np.histogram(t, bins=[0.0, 60.0, 120.0, 150.0])[0]
    assert stats.chisquare(counts, n * np.array([0.4, 0.4, 0.2])).pvalue > 1e-3


def test_partial_last_hour_rate_follows_its_weight() -> None:
    # Weights [1, 4], second piece cut to 15 minutes: mass 60 : 60 -> equal shares.
    n = 40_000
    t = profile_arrivals(np.random.default_rng(9), [1.0, 4.0], 0.0, 75.0, n, True)
    counts = np.histogram(t, bins=[0.0, 60.0, 75.0])[0]
    assert stats.chisquare(counts, [n / 2, n / 2]).pvalue > 1e-3


def test_times_uniform_within_a_piece() -> None:
    t = profile_arrivals(np.random.default_rng(4), [1.0, 5.0, 2.0], 60.0, 240.0, 40_000, True)
    in_second = t[(t >= 120.0) & (t < 180.0)]
    assert stats.kstest(in_second, stats.uniform(loc=120.0, scale=60.0).cdf).pvalue > 1e-3


def test_custom_piece_length() -> None:
    # Half-hour pieces: weights [1, 0, 1] over [0, 90).
    t = profile_arrivals(
        np.random.default_rng(6), [1.0, 0.0, 1.0], 0.0, 90.0, 10_000, True, piece_min=30.0
    )
    counts = np.histogram(t, bins=[0.0, 30.0, 60.0, 90.0])[0]
    assert counts[1] == 0
    assert stats.chisquare(counts[[0, 2]], [5000, 5000]).pvalue > 1e-3


def test_profile_same_seed_same_times() -> None:
    args = ([1.0, 2.0], 0.0, 120.0, 300.0, False)
    a = profile_arrivals(np.random.default_rng(12), *args)
    b = profile_arrivals(np.random.default_rng(12), *args)
    np.testing.assert_array_equal(a, b)


def test_profile_rejects_all_zero_weights() -> None:
    with pytest.raises(ValueError):
        profile_arrivals(np.random.default_rng(0), [0.0, 0.0], 0.0, 120.0, 10, True)


def test_profile_rejects_a_window_ending_before_the_last_piece_starts() -> None:
    # Three hourly pieces but the window is only 90 minutes long: the third piece would have
    # non-positive length.
    with pytest.raises(ValueError):
        profile_arrivals(np.random.default_rng(0), [1.0, 1.0, 1.0], 0.0, 90.0, 10, True)

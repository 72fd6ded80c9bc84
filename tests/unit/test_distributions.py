"""Unit tests for the duration samplers in :mod:`sim.engine.distributions`.

Sample checks use a fixed seed and a large sample; tolerances are 5 standard errors of the
estimate, with the standard error estimated from the same sample (e.g. ``std(X**2)/sqrt(n)``
for the second moment), so they are neither lucky nor loose. Shapes are checked with a
Kolmogorov-Smirnov test against SciPy's independent parametrisation of each family.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from sim.engine import distributions as d

N = 400_000
Z = 5.0  # standard errors allowed


def rng(seed: int = 20240501) -> np.random.Generator:
    return np.random.default_rng(seed)


def check_moments(dist: d.Distribution, x: np.ndarray) -> None:
    """Sample mean and second moment within Z standard errors of the stated ones."""
    n = x.size
    se_mean = x.std(ddof=1) / math.sqrt(n)
    assert abs(x.mean() - dist.mean) <= Z * se_mean, (x.mean(), dist.mean, se_mean)
    x2 = x * x
    se_m2 = x2.std(ddof=1) / math.sqrt(n)
    assert abs(x2.mean() - dist.second_moment) <= Z * se_m2, (
        x2.mean(),
        dist.second_moment,
        se_m2,
    )


def check_shape(x: np.ndarray, ref: stats.rv_continuous) -> None:
    """KS test against the reference distribution (fixed seed, so deterministic)."""
    assert stats.kstest(x[:50_000], ref.cdf).pvalue > 1e-3


# ---------------------------------------------------------------------------
# Families given by mean and CV
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(("mean", "cv"), [(1.5, 0.5), (35.0, 0.4), (120.0, 1.2), (0.2, 0.1)])
def test_lognormal_mean_and_cv(mean: float, cv: float) -> None:
    dist = d.lognormal(mean, cv)
    assert dist.kind == "lognormal"
    assert dist.mean == pytest.approx(mean, rel=1e-12)
    assert dist.cv == pytest.approx(cv, rel=1e-12)
    x = dist.sample(rng(), N)
    assert x.shape == (N,)
    assert np.all(x > 0)
    check_moments(dist, x)
    # SciPy: lognorm(s=sigma, scale=exp(mu)), with sigma^2 = ln(1 + cv^2), mu = ln(mean) - s^2/2
    s = math.sqrt(math.log(1 + cv * cv))
    check_shape(x, stats.lognorm(s=s, scale=mean / math.sqrt(1 + cv * cv)))


@pytest.mark.parametrize(("mean", "cv"), [(1.5, 0.5), (10.0, 1.0), (60.0, 2.0), (3.0, 0.2)])
def test_gamma_mean_and_cv(mean: float, cv: float) -> None:
    dist = d.gamma(mean, cv)
    assert dist.kind == "gamma"
    assert dist.mean == pytest.approx(mean, rel=1e-12)
    assert dist.cv == pytest.approx(cv, rel=1e-12)
    x = dist.sample(rng(), N)
    assert np.all(x >= 0)
    check_moments(dist, x)
    check_shape(x, stats.gamma(a=1 / cv**2, scale=mean * cv**2))


def test_gamma_with_cv_one_is_exponential() -> None:
    x = d.gamma(4.0, 1.0).sample(rng(), N)
    check_shape(x, stats.expon(scale=4.0))


@pytest.mark.parametrize("mean", [0.5, 60.0])
def test_exponential(mean: float) -> None:
    dist = d.exponential(mean)
    assert dist.cv == pytest.approx(1.0)
    assert dist.second_moment == pytest.approx(2 * mean * mean)
    x = dist.sample(rng(), N)
    check_moments(dist, x)
    check_shape(x, stats.expon(scale=mean))


def test_sample_cv_matches_stated_cv() -> None:
    # The CV itself, estimated with a delta-method standard error from replicated blocks.
    dist = d.lognormal(90.0, 0.5)
    blocks = dist.sample(rng(7), N).reshape(400, -1)
    cvs = blocks.std(axis=1, ddof=1) / blocks.mean(axis=1)
    se = cvs.std(ddof=1) / math.sqrt(cvs.size)
    # The pooled estimate of the CV over blocks of 1000 is biased by O(1/1000); allow for it.
    assert abs(cvs.mean() - 0.5) <= Z * se + 2e-3


# ---------------------------------------------------------------------------
# Bounded families
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("low", "mode", "high"), [(20.0, 30.0, 60.0), (0.0, 0.0, 1.0), (1.0, 5.0, 5.0)]
)
def test_triangular(low: float, mode: float, high: float) -> None:
    dist = d.triangular(low, mode, high)
    assert dist.kind == "triangular"
    assert dist.mean == pytest.approx((low + mode + high) / 3)
    ref = stats.triang(c=(mode - low) / (high - low), loc=low, scale=high - low)
    assert dist.mean == pytest.approx(ref.mean())
    assert dist.second_moment == pytest.approx(ref.var() + ref.mean() ** 2)
    x = dist.sample(rng(), N)
    assert np.all((x >= low) & (x <= high))
    check_moments(dist, x)
    check_shape(x, ref)


def test_triangular_by_hand() -> None:
    # low 0, mode 0, high 3: mean 1, variance (0 + 0 + 9 - 0 - 0 - 0) / 18 = 0.5.
    dist = d.triangular(0.0, 0.0, 3.0)
    assert dist.mean == pytest.approx(1.0)
    assert dist.second_moment == pytest.approx(1.5)
    assert dist.cv == pytest.approx(math.sqrt(0.5))


def test_degenerate_triangular_is_deterministic() -> None:
    dist = d.triangular(4.0, 4.0, 4.0)
    assert dist.kind == "deterministic"
    np.testing.assert_array_equal(dist.sample(rng(), 5), np.full(5, 4.0))
    assert dist.cv == 0.0


@pytest.mark.parametrize(("low", "high"), [(10.0, 20.0), (0.0, 1.0)])
def test_uniform(low: float, high: float) -> None:
    dist = d.uniform(low, high)
    assert dist.kind == "uniform"
    assert dist.mean == pytest.approx((low + high) / 2)
    assert dist.second_moment == pytest.approx((high - low) ** 2 / 12 + ((low + high) / 2) ** 2)
    x = dist.sample(rng(), N)
    assert np.all((x >= low) & (x <= high))
    check_moments(dist, x)
    check_shape(x, stats.uniform(loc=low, scale=high - low))


def test_uniform_cv_by_hand() -> None:
    # U(0, 2): mean 1, variance 4/12 = 1/3.
    assert d.uniform(0.0, 2.0).cv == pytest.approx(1 / math.sqrt(3))


# ---------------------------------------------------------------------------
# Empirical, deterministic, never
# ---------------------------------------------------------------------------


def test_empirical_resamples_only_the_given_values_in_proportion() -> None:
    values = [1.0, 2.0, 2.0, 5.0]
    dist = d.empirical(values)
    assert dist.kind == "empirical"
    assert dist.mean == pytest.approx(2.5)
    assert dist.second_moment == pytest.approx((1 + 4 + 4 + 25) / 4)
    x = dist.sample(rng(), N)
    assert set(np.unique(x).tolist()) == {1.0, 2.0, 5.0}
    counts = np.array([np.sum(x == 1.0), np.sum(x == 2.0), np.sum(x == 5.0)])
    assert stats.chisquare(counts, N * np.array([0.25, 0.5, 0.25])).pvalue > 1e-3
    check_moments(dist, x)


def test_empirical_single_value() -> None:
    dist = d.empirical([7.0])
    np.testing.assert_array_equal(dist.sample(rng(), 4), np.full(4, 7.0))
    assert dist.cv == 0.0


def test_empirical_copies_its_input() -> None:
    values = [1.0, 2.0]
    dist = d.empirical(values)
    values[0] = 100.0
    assert set(np.unique(dist.sample(rng(), 1000)).tolist()) == {1.0, 2.0}


@pytest.mark.parametrize("value", [0.0, 0.5, 35.0])
def test_deterministic(value: float) -> None:
    dist = d.deterministic(value)
    x = dist.sample(rng(), 10)
    np.testing.assert_array_equal(x, np.full(10, value))
    assert x.dtype == np.float64
    assert dist.mean == value
    assert dist.second_moment == value * value
    assert dist.cv == 0.0


def test_never_is_infinite() -> None:
    dist = d.never()
    assert np.all(np.isinf(dist.sample(rng(), 3)))
    assert dist.mean == math.inf


def test_zero_draws() -> None:
    for dist in (d.lognormal(1.0, 0.5), d.gamma(1.0, 0.5), d.empirical([1.0, 2.0])):
        assert dist.sample(rng(), 0).shape == (0,)


# ---------------------------------------------------------------------------
# scaled
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "dist",
    [
        d.lognormal(90.0, 0.5),
        d.gamma(35.0, 0.4),
        d.exponential(60.0),
        d.triangular(20.0, 30.0, 60.0),
        d.uniform(10.0, 20.0),
        d.empirical([30.0, 40.0, 80.0]),
        d.deterministic(45.0),
    ],
    ids=lambda dist: dist.kind,
)
def test_scaled_multiplies_every_value(dist: d.Distribution) -> None:
    factor = 1.0 / 60.0  # seconds -> minutes
    sc = dist.scaled(factor)
    assert sc.kind == dist.kind
    assert sc.mean == pytest.approx(dist.mean * factor)
    assert sc.second_moment == pytest.approx(dist.second_moment * factor**2)
    assert sc.cv == pytest.approx(dist.cv)
    # Same generator state -> the same draws, times the factor.
    np.testing.assert_allclose(sc.sample(rng(3), 1000), dist.sample(rng(3), 1000) * factor)
    check_moments(sc, sc.sample(rng(), N))


def test_scaled_twice_composes() -> None:
    dist = d.lognormal(10.0, 0.5).scaled(2.0).scaled(3.0)
    assert dist.mean == pytest.approx(60.0)
    np.testing.assert_allclose(
        dist.sample(rng(9), 100), d.lognormal(10.0, 0.5).sample(rng(9), 100) * 6.0
    )


def test_cv_of_zero_mean_is_zero() -> None:
    assert d.deterministic(0.0).cv == 0.0

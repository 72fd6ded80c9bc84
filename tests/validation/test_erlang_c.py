"""M/M/c: mean wait and probability of waiting against Erlang C."""

from __future__ import annotations

import pytest

from sim.metrics.theory import erlang_c, mmc_mean_wait
from tests.validation.steady_state import assert_agrees, estimate

MU = 1.0  # service rate per minute (exponential, mean 60 s in the scenario)

# (servers, utilisation, hours open, replications)
POINTS = [
    (1, 0.50, 200, 20),
    (1, 0.95, 1000, 30),
    (2, 0.80, 200, 20),
    (5, 0.90, 300, 20),
    (10, 0.95, 400, 20),
]


@pytest.mark.slow
@pytest.mark.parametrize(("c", "rho", "hours", "reps"), POINTS)
def test_mmc_matches_erlang_c(c: int, rho: float, hours: int, reps: int) -> None:
    lam = rho * c * MU  # arrivals per minute
    est = estimate(
        [
            f"site.swab_booths={c}",
            f"demand.rate_per_hour={lam * 60}",
            f"site.close={hours}:00",
        ],
        replications=reps,
        warmup_min=0.1 * hours * 60,
    )
    assert_agrees(est.ci("mean_wait"), mmc_mean_wait(lam, MU, c), 0.15, f"Wq c={c} rho={rho}")
    assert_agrees(est.ci("p_wait"), erlang_c(c, lam / MU), 0.05, f"P(W>0) c={c} rho={rho}")

"""Two-class non-preemptive priority with equal exponential service: Cobham's formula."""

from __future__ import annotations

import pytest

from sim.metrics.theory import cobham_priority_waits, mmc_mean_wait
from tests.validation.steady_state import assert_agrees, estimate

MU = 1.0


@pytest.mark.slow
@pytest.mark.parametrize(
    ("c", "rho", "green_share", "hours", "reps"),
    [(1, 0.85, 0.12, 600, 24), (3, 0.90, 0.30, 400, 20), (2, 0.95, 0.50, 1600, 24)],
)
def test_priority_classes_match_cobham(
    c: int, rho: float, green_share: float, hours: int, reps: int
) -> None:
    lam = rho * c * MU
    est = estimate(
        [
            f"site.swab_booths={c}",
            f"demand.rate_per_hour={lam * 60}",
            f"demand.green_share={green_share}",
            "site.green_channel.mode=priority",
            f"site.close={hours}:00",
        ],
        replications=reps,
        warmup_min=0.1 * hours * 60,
    )
    w_green, w_general = cobham_priority_waits([green_share * lam, (1 - green_share) * lam], MU, c)
    assert_agrees(est.ci("mean_wait_green"), w_green, 0.12, f"green c={c} rho={rho}")
    assert_agrees(est.ci("mean_wait_general"), w_general, 0.12, f"general c={c} rho={rho}")
    # Priority reorders who waits but not how much work waits: overall mean equals M/M/c.
    assert_agrees(est.ci("mean_wait"), mmc_mean_wait(lam, MU, c), 0.12, f"all c={c} rho={rho}")

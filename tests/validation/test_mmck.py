"""M/M/c/K: a line with limited space. Blocking probability and mean wait, closed form."""

from __future__ import annotations

import pytest

from sim.metrics.theory import mmck
from tests.validation.steady_state import assert_agrees, estimate

MU = 1.0


@pytest.mark.slow
@pytest.mark.parametrize(
    ("c", "rho", "space", "reps"),
    [(1, 0.9, 5, 20), (2, 1.2, 10, 20), (4, 2.5, 30, 20), (3, 0.8, 3, 20)],
)
def test_limited_line_matches_mmck(c: int, rho: float, space: int, reps: int) -> None:
    lam = rho * c * MU
    hours = 150
    est = estimate(
        [
            f"site.swab_booths={c}",
            f"demand.rate_per_hour={lam * 60}",
            f"site.queue_space_m={space}",  # 1 m per person: `space` residents may wait
            f"site.close={hours}:00",
        ],
        replications=reps,
        warmup_min=600,
    )
    theory = mmck(lam, MU, c, c + space)
    assert_agrees(est.ci("blocking"), theory.blocking_probability, 0.06, f"P(block) c={c}")
    assert_agrees(est.ci("mean_wait"), theory.mean_wait, 0.06, f"Wq c={c}")

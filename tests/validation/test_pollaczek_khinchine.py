"""M/G/1: mean wait against Pollaczek-Khinchine, for several service distributions."""

from __future__ import annotations

import pytest

from sim.metrics.theory import pollaczek_khinchine_wait
from tests.validation.steady_state import assert_agrees, estimate

# Service distribution overrides (seconds) and E[S], E[S^2] in minutes.
CASES = {
    "deterministic": (["kind=deterministic", "mean=60"], 1.0, 1.0),
    "lognormal_cv0.5": (["kind=lognormal", "mean=60", "cv=0.5"], 1.0, 1.25),
    "gamma_cv2": (["kind=gamma", "mean=60", "cv=2.0"], 1.0, 5.0),
    "uniform": (["kind=uniform", "mean=null", "low=30", "high=90"], 1.0, 1.0 + 1.0 / 12),
    "triangular": (
        ["kind=triangular", "mean=null", "low=20", "mode=40", "high=120"],
        60.0 / 60,
        # E[S^2] = var + mean^2, var = (a^2+b^2+c^2-ab-ac-bc)/18 in minutes
        ((20**2 + 40**2 + 120**2 - 20 * 40 - 20 * 120 - 40 * 120) / 18) / 3600 + 1.0,
    ),
}


@pytest.mark.slow
@pytest.mark.parametrize("case", list(CASES))
def test_mg1_matches_pollaczek_khinchine(case: str) -> None:
    fields, mean, second = CASES[case]
    rho = 0.8
    lam = rho / mean
    hours = 600 if case == "gamma_cv2" else 300
    est = estimate(
        [
            "site.swab_booths=1",
            f"demand.rate_per_hour={lam * 60}",
            f"site.close={hours}:00",
            *(f"site.swab_time_s.{f}" for f in fields),
        ],
        replications=20,
        warmup_min=3000,
    )
    theory = pollaczek_khinchine_wait(lam, mean, second)
    assert_agrees(est.ci("mean_wait"), theory, 0.12, f"M/G/1 {case}")

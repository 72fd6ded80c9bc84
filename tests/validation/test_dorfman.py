"""Dorfman pooling: PCR tests per person, simulated against 1/k + 1 - (1 - p)^k.

Swabs go k-in-1 into tubes; a positive tube recalls each of its k members for an individual
retest. With independent positives at prevalence p and full tubes, the expected number of tests
per swab is Dorfman's ``1/k + 1 - (1 - p)^k`` (:func:`sim.metrics.theory.dorfman_tests_per_person`).

The scenario is the busy point (~7,300 swabs a replication) with no time limit on an open tube,
so tubes are full except a booth's last tube of the day (8 booths: at most 8 of ~730-1,460
tubes). Each replication gives one value of ``tests_per_swab`` (pooled tubes plus retests, per
swab); the 99% t interval over the replications must contain Dorfman's value at the
*configured* prevalence, and be narrow enough (half-width under 3% of the value) for that to
mean something. The number of retests is checked exactly in every replication.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

import sim
from sim.metrics.intervals import t_interval
from sim.metrics.theory import dorfman_tests_per_person

SEED = 20_260_815
REPS = 40
BASE = ("scenario=busy_point", "samples.tube_max_open_min=null")

Load = Callable[..., sim.ScenarioConfig]


@pytest.mark.slow
@pytest.mark.parametrize("k", [5, 10])
@pytest.mark.parametrize("p", [0.01, 0.03])
def test_tests_per_swab_agree_with_dorfman(load_config: Load, k: int, p: float) -> None:
    cfg = load_config(*BASE, f"samples.pool_size={k}", f"samples.prevalence={p}")
    tests_per_swab = []
    positive_share = []
    for result in sim.run_replications(cfg, REPS, seed=SEED):
        s = result.summary()
        chain = result.chain
        assert chain is not None
        pooled = ~chain.tube_retest
        size = chain.tube_size[pooled]
        positive = chain.tube_positive[pooled]
        full = size == k
        # Only a booth's last tube of the day may be partial.
        assert np.sum(~full) <= cfg.site.swab_booths, "tubes must be full for Dorfman's formula"
        # Every member of a positive pool is retested, exactly once, and nobody else is (a
        # positive tube of one swab is already an individual result).
        assert s["recalled"] == int(size[positive & (size > 1)].sum())
        recalled_from_full = int(np.sum(full[chain.swab_tube] & (chain.retest_tube >= 0)))
        assert recalled_from_full == k * int(np.sum(positive & full))
        assert s["retests_done"] == s["recalled"] == int(chain.tube_retest.sum())
        assert s["pcr_tests"] == s["tubes"] + s["recalled"], "every test is resulted"
        assert s["tests_per_swab"] == (s["tubes"] + s["recalled"]) / s["swabs"]
        tests_per_swab.append(s["tests_per_swab"])
        positive_share.append(s["positive_swabs"] / s["swabs"])
    assert t_interval(positive_share, 0.99).contains(p)
    theory = dorfman_tests_per_person(p, k)
    ci = t_interval(tests_per_swab, 0.99)
    assert ci.half_width < 0.03 * theory, f"k={k} p={p}: interval {ci} too wide"
    assert ci.contains(theory), f"k={k} p={p}: Dorfman {theory:.4f} outside simulated {ci}"


def test_pooling_cuts_the_tests_as_dorfman_says(load_config: Load) -> None:
    # Quick version for the default suite: one replication at a low prevalence, where
    # 10-in-1 needs about a tenth of the tests, and the summary's own Dorfman value (at the
    # observed share positive) is what the formula gives.
    cfg = load_config(*BASE, "samples.pool_size=10", "samples.prevalence=0.001")
    s = sim.run(cfg, seed=SEED).summary()
    observed = s["positive_swabs"] / s["swabs"]
    assert s["dorfman_tests_per_swab"] == pytest.approx(dorfman_tests_per_person(observed, 10))
    assert 0.1 <= s["tests_per_swab"] < 0.13
    assert s["tests_per_swab"] == pytest.approx(s["dorfman_tests_per_swab"], rel=0.05)

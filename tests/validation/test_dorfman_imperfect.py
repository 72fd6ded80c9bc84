"""Dorfman pooling with an imperfect test: tests per person, missed positives and false
positives, simulated against the closed forms.

A tube of ``k`` swabs of which ``m >= 1`` are positive is reported positive with probability
``S_km = S (m/k)^d`` (``samples.sensitivity`` S, ``samples.dilution`` d), one without a positive
swab with ``1 - Sp`` (``samples.specificity``); a pool reported positive recalls each member for
an individual retest (``k = m = 1``), whose result is the member's. With independent positives
at prevalence p and full pools (:func:`sim.metrics.turnaround.dorfman_imperfect`; without
dilution the forms of Kim, Hudgens et al. 2007, Biometrics 63:1152-1163):

- tests per person ``1/k + sum_m B(k, m) S_km + (1 - Sp)(1-p)^k``;
- share of positives missed ``1 - S * sum_j B(k-1, j) S_k(j+1)`` (``1 - S^2`` without dilution);
- share of negatives reported positive ``(1 - Sp) [sum_j B(k-1, j) S_kj + (1 - Sp)(1-p)^(k-1)]``.

The scenario is the busy point (~7,300 swabs a replication) at a high prevalence (3%: ~220
positive swabs a replication) with no time limit on an open tube, so tubes are full except a
booth's last tube of the day. Each replication gives one value of each share; the 99% t
interval over the replications must contain the closed form at the configured prevalence and
be narrow enough for that to mean something. The bookkeeping (who is recalled, each swab's
final result) is checked exactly in every replication, and an exact test (sensitivity and
specificity 1, no dilution) gives exactly the results of a run that does not mention them.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

import sim
from sim.metrics.intervals import t_interval
from sim.metrics.theory import dorfman_tests_per_person
from sim.metrics.turnaround import dorfman_imperfect
from sim.model.pooling import reported_positive_probability

SEED = 20_261_013
REPS = 30
P = 0.03
SENSITIVITY, SPECIFICITY = 0.9, 0.98
BASE = ("scenario=busy_point", "samples.tube_max_open_min=null", f"samples.prevalence={P}")
TEST = (f"samples.sensitivity={SENSITIVITY}", f"samples.specificity={SPECIFICITY}")

Load = Callable[..., sim.ScenarioConfig]


def check_bookkeeping(result: sim.RunResult) -> None:
    """Recalls follow the reported pool result; each swab's final result is its retest's if
    recalled, else its pool's; the summary counts what the records hold."""
    chain = result.chain
    assert chain is not None
    s = result.summary()
    pooled = ~chain.tube_retest
    size = chain.tube_size
    said = chain.tube_result_positive
    # every member of a pool reported positive (of two swabs or more) is recalled, once
    recalls = pooled & said & (size > 1)
    assert s["recalled"] == int(size[recalls].sum()) == int(chain.tube_retest.sum())
    recalled = chain.retest_tube >= 0
    np.testing.assert_array_equal(recalled, recalls[chain.swab_tube])
    # a false positive pool recalls everyone, a false negative one nobody
    assert np.all(recalled[(~chain.tube_positive & said)[chain.swab_tube]])
    assert not np.any(recalled[(chain.tube_positive & ~said & pooled)[chain.swab_tube]])
    # retest tubes hold the recalled swab (the truth) and their own result
    np.testing.assert_array_equal(
        chain.tube_positive[chain.retest_tube[recalled]], chain.swab_positive[recalled]
    )
    final = np.where(recalled, said[np.maximum(chain.retest_tube, 0)], said[chain.swab_tube])
    np.testing.assert_array_equal(chain.swab_result_positive, final)
    assert s["tests_per_swab"] == (s["tubes"] + s["recalled"]) / s["swabs"]
    assert s["positive_pools"] == int(np.sum(pooled & said))
    assert s["backlog_swabs"] == 0, "every swab must have its result for the shares below"
    truth = chain.swab_positive
    assert s["false_negatives"] == int(np.sum(truth & ~chain.swab_result_positive))
    assert s["false_positives"] == int(np.sum(~truth & chain.swab_result_positive))
    assert s["missed_positive_share"] == s["false_negatives"] / int(truth.sum())
    assert s["false_positive_share"] == s["false_positives"] / int((~truth).sum())
    # the per-resident table says the same
    df = result.residents
    tested = df["outcome"] == "tested"
    assert int((df["positive"] & ~df["result_positive"] & tested).sum()) == s["false_negatives"]
    assert int((~df["positive"] & df["result_positive"]).sum()) == s["false_positives"]


@pytest.mark.slow
@pytest.mark.parametrize("dilution", [0.0, 0.1])
@pytest.mark.parametrize("k", [5, 10])
def test_imperfect_dorfman_agrees_with_the_closed_forms(
    load_config: Load, k: int, dilution: float
) -> None:
    cfg = load_config(*BASE, *TEST, f"samples.pool_size={k}", f"samples.dilution={dilution}")
    tests, missed, false_pos = [], [], []
    for result in sim.run_replications(cfg, REPS, seed=SEED):
        chain = result.chain
        assert chain is not None
        full = chain.tube_size[~chain.tube_retest] == k
        assert np.sum(~full) <= cfg.site.swab_booths, "tubes must be full for the closed forms"
        check_bookkeeping(result)
        s = result.summary()
        tests.append(s["tests_per_swab"])
        missed.append(s["missed_positive_share"])
        false_pos.append(s["false_positive_share"])
    theory = dorfman_imperfect(P, k, SENSITIVITY, SPECIFICITY, dilution)
    for name, values, expected, precision in (
        ("tests per swab", tests, theory.tests_per_person, 0.03),
        ("share of positives missed", missed, 1.0 - theory.sensitivity, 0.10),
        ("false positives per negative", false_pos, 1.0 - theory.specificity, 0.15),
    ):
        ci = t_interval(values, 0.99)
        where = f"k={k} dilution={dilution}: {name}"
        assert ci.half_width < precision * expected, f"{where}: interval {ci} too wide"
        assert ci.contains(expected), f"{where}: closed form {expected:.5f} outside {ci}"


# ------------------------------------------------------------------------------ quick checks


def test_closed_forms_reduce_to_the_published_ones() -> None:
    p, k, se, sp = 0.02, 10, 0.9, 0.98
    q = 1 - p
    kim = dorfman_imperfect(p, k, se, sp)  # no dilution: Kim et al. (2007), Dorfman (D2)
    assert kim.tests_per_person == pytest.approx(1 / k + se - (se + sp - 1) * q**k)
    assert kim.sensitivity == pytest.approx(se**2)
    assert kim.specificity == pytest.approx(1 - (1 - sp) * (se - (se + sp - 1) * q ** (k - 1)))
    # an exact test: Dorfman's 1/k + 1 - (1-p)^k, nothing missed, no false positives
    exact = dorfman_imperfect(p, k)
    assert exact.tests_per_person == pytest.approx(dorfman_tests_per_person(p, k))
    assert (exact.sensitivity, exact.specificity) == pytest.approx((1.0, 1.0))
    # individual tests: one test each, the test's own sensitivity and specificity
    assert dorfman_imperfect(p, 1, se, sp, 0.3) == (1.0, se, sp)
    # dilution lowers the pooled sensitivity, so fewer pools test positive and more are missed
    diluted = dorfman_imperfect(p, k, se, sp, 0.1)
    assert diluted.tests_per_person < kim.tests_per_person
    assert diluted.sensitivity < kim.sensitivity
    # a pool of one positive in ten: S (1/10)^d
    share = reported_positive_probability(np.array([10, 10, 1]), np.array([1, 0, 1]), se, sp, 0.1)
    np.testing.assert_allclose(share, [se * 0.1**0.1, 1 - sp, se])


def test_an_exact_test_gives_exactly_the_results_of_a_run_without_it(load_config: Load) -> None:
    plain = sim.run(load_config(*BASE), seed=SEED)
    exact = sim.run(
        load_config(*BASE, "samples.sensitivity=1", "samples.specificity=1", "samples.dilution=0"),
        seed=SEED,
    )
    assert exact.summary() == plain.summary()
    assert "false_negatives" not in plain.summary()  # the keys come with an imperfect test
    a, b = plain.chain, exact.chain
    assert a is not None and b is not None
    np.testing.assert_array_equal(a.tube_result_positive, a.tube_positive)
    np.testing.assert_array_equal(a.swab_result_positive, a.swab_positive)
    np.testing.assert_array_equal(b.tube_result_positive, a.tube_result_positive)
    np.testing.assert_array_equal(b.result, a.result)
    assert plain.residents["result_positive"].sum() == plain.summary()["positive_swabs"]


def test_test_errors_leave_the_other_random_numbers_alone(load_config: Load) -> None:
    # The test results come from streams of their own: the same residents are positive and
    # the same tubes are made; only what the lab reports (and what follows) differs.
    exact = sim.run(load_config(*BASE), seed=SEED).chain
    result = sim.run(load_config(*BASE, *TEST, "samples.dilution=0.1"), seed=SEED)
    chain = result.chain
    assert exact is not None and chain is not None
    np.testing.assert_array_equal(chain.swab_positive, exact.swab_positive)
    np.testing.assert_array_equal(chain.swab_tube, exact.swab_tube)
    n_pool = int(np.sum(~exact.tube_retest))
    np.testing.assert_array_equal(chain.tube_positive[:n_pool], exact.tube_positive[:n_pool])
    assert not np.array_equal(chain.swab_result_positive, chain.swab_positive)
    check_bookkeeping(result)
    s = result.summary()
    assert s["false_negatives"] > 0 and s["false_positives"] > 0
    assert s["false_positive_pools"] > 0 and s["false_negative_pools"] > 0
    assert s["pooled_sensitivity"] == pytest.approx(SENSITIVITY * 0.1**0.1)
    observed = s["positive_swabs"] / s["swabs"]
    theory = dorfman_imperfect(observed, 10, SENSITIVITY, SPECIFICITY, 0.1)
    assert s["dorfman_tests_per_swab"] == pytest.approx(theory.tests_per_person)
    assert s["dorfman_missed_positive_share"] == pytest.approx(1 - theory.sensitivity)
    assert s["dorfman_false_positive_share"] == pytest.approx(1 - theory.specificity)


@pytest.mark.parametrize(
    ("overrides", "none_of"),
    [
        # every tube holding a positive swab is found: no false negatives at all
        (("samples.sensitivity=1", "samples.specificity=0.95"), "false_negatives"),
        # no tube without a positive swab is reported positive: no false positives at all
        (("samples.sensitivity=0.8", "samples.dilution=0.2"), "false_positives"),
    ],
)
def test_a_perfect_side_makes_no_errors_of_its_kind(
    load_config: Load, overrides: tuple[str, ...], none_of: str
) -> None:
    result = sim.run(load_config(*BASE, *overrides), seed=SEED)
    check_bookkeeping(result)
    s = result.summary()
    assert s[none_of] == 0
    other = "false_positives" if none_of == "false_negatives" else "false_negatives"
    assert s[other] > 0

"""Calibration: the default district round reproduces the source's figures.

The source (Lusong district, Zhuzhou, August 2021) reports that

- issuing pre-issued barcodes to everyone roughly **halved the queueing time** (Dongjiadun);
- the busiest sub-district (**Longquan**) tested **more than 30,000** residents in one day;
- the round tested essentially everyone (300,000+ residents) in its two days.

The default scenario (``configs/config.yaml``) must reproduce these with its own figures.
Each replication of the full round (313,000 residents) takes a few seconds, so the
replications are shared by the tests of this module. Mobile teams are switched off: they draw
from their own random streams and never touch the residents (checked in
``tests/functional/test_district.py``), so they would only cost time here.
"""

from __future__ import annotations

import numpy as np
import pytest

import sim
from sim.metrics.intervals import t_interval

pytestmark = pytest.mark.slow

#: Paired replications (the same seed and replication numbers in every layout).
REPLICATIONS = 4
SEED = 2021
N_JOBS = 2
FAST = ("mobile.teams=0",)


def _replicate(*overrides: str) -> list[sim.RunResult]:
    cfg = sim.load_config([*FAST, *overrides])
    return sim.run_replications(cfg, REPLICATIONS, seed=SEED, n_jobs=N_JOBS)


@pytest.fixture(scope="module")
def default_round() -> list[sim.RunResult]:
    return _replicate()


@pytest.fixture(scope="module")
def no_barcodes() -> list[sim.RunResult]:
    return _replicate("layout=no_barcodes")


@pytest.fixture(scope="module")
def all_barcodes() -> list[sim.RunResult]:
    return _replicate("layout=all_barcodes")


def test_the_layouts_really_differ_in_barcodes_only(
    no_barcodes: list[sim.RunResult], all_barcodes: list[sim.RunResult]
) -> None:
    none_cfg, all_cfg = no_barcodes[0].config, all_barcodes[0].config
    assert none_cfg.demand.barcode_share == 0.0
    assert all_cfg.demand.barcode_share == 1.0
    assert all(sd.barcode_share is None for sd in none_cfg.subdistricts)
    for a, b in zip(no_barcodes, all_barcodes, strict=True):
        assert not a.residents["barcode"].any()
        assert b.residents["barcode"].all()
        # common random numbers: the same residents leave home at the same times
        np.testing.assert_array_equal(
            a.residents["first_arrival_min"].to_numpy(),
            b.residents["first_arrival_min"].to_numpy(),
        )


def test_barcodes_for_everyone_halve_the_queueing_time(
    no_barcodes: list[sim.RunResult], all_barcodes: list[sim.RunResult]
) -> None:
    """Source: Dongjiadun cut queueing time by half with pre-issued barcodes."""
    none = np.array([r.summary()["wait_mean_min"] for r in no_barcodes])
    full = np.array([r.summary()["wait_mean_min"] for r in all_barcodes])
    ratio = t_interval(full / none)
    assert ratio.n >= 4
    assert ratio.low >= 0.35 and ratio.high <= 0.65, f"all/none wait ratio {ratio}"
    # and the paired difference is clearly negative (pairing checked by paired_difference)
    diff = sim.paired_difference(no_barcodes, all_barcodes, "wait_mean_min")
    assert diff.high < 0, f"all - none mean wait {diff}"


def test_best_subdistrict_day_is_longquan_above_30000(
    default_round: list[sim.RunResult],
) -> None:
    """Source: Longquan tested more than 30,000 residents in a day."""
    for r in default_round:
        s = r.summary()
        assert s["best_subdistrict_day_tests"] > 30_000, s["best_subdistrict_day_tests"]
        assert s["best_subdistrict_day"].startswith("Longquan day "), s["best_subdistrict_day"]
        # the figure is the count of Longquan residents swabbed on that day
        df = r.residents
        day = int(s["best_subdistrict_day"].rsplit(" ", 1)[1])
        swab_day = np.floor(df["swab_end_min"].to_numpy() / 1440.0) + 1
        mine = (df["subdistrict"] == "Longquan").to_numpy() & (swab_day == day)
        assert (
            int((mine & (df["outcome"] == "tested").to_numpy()).sum())
            == (s["best_subdistrict_day_tests"])
        )


def test_default_round_reaches_95_percent_coverage(default_round: list[sim.RunResult]) -> None:
    """Source: 300,000+ residents tested within the round."""
    cfg = default_round[0].config
    assert cfg.residents_per_round == 313_000
    assert cfg.campaign.round_days == 2
    for r in default_round:
        s = r.summary()
        assert s["residents"] == 313_000
        assert s["coverage"] >= 0.95, s["coverage"]
        assert s["tested"] > 300_000
        # coverage counts tests by the round's deadline (end of clearing on its last day)
        assert s["last_tested_min"] <= r.rounds[0].end_min
    cov = t_interval([r.summary()["coverage"] for r in default_round])
    assert cov.low >= 0.95, f"coverage {cov}"

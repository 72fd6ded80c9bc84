"""Reproducibility and common random numbers.

A run is a pure function of (config, seed, replication); replications are independent; running
them in worker processes changes nothing; and scenarios compared with the same seed share their
random streams, so a change of staffing or share does not reshuffle who arrives when.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import sim
from sim.model import records as rec

# One busy point with fewer residents, every booth staffed all day; the last override is the
# number of booths (replaced in the staffing comparison below).
SMALL = (
    "scenario=busy_point",
    "demand.residents=1500",
    "site.staffing.swab.pattern=opening_hours",
    "site.staffing.swab.shifts=[]",
    "site.swab_booths=3",
)

#: Flags and names, not per-resident arrays; ``held`` is empty when no stage blocks.
NOT_ARRAYS = ("registration", "stages", "held")
PER_STAGE = ("start", "end", "pool")
ARRAY_FIELDS = [
    f.name
    for f in dataclasses.fields(rec.ResidentRecords)
    if f.name not in NOT_ARRAYS and f.name not in PER_STAGE
]


def assert_same_records(a: rec.ResidentRecords, b: rec.ResidentRecords) -> None:
    assert a.registration == b.registration
    assert a.stages == b.stages
    for name in PER_STAGE:
        for k, (x, y) in enumerate(zip(getattr(a, name), getattr(b, name), strict=True)):
            assert x.dtype == y.dtype, name
            np.testing.assert_array_equal(x, y, err_msg=f"{name}[{k}]")
    for name in ARRAY_FIELDS:
        x, y = getattr(a, name), getattr(b, name)
        # A run fills every field, the optional ones (site, sub-district, attempts) included.
        assert x is not None and y is not None, name
        assert x.dtype == y.dtype, name
        np.testing.assert_array_equal(x, y, err_msg=name)  # NaN == NaN here, exact otherwise


def assert_same_summary(a: dict[str, Any], b: dict[str, Any]) -> None:
    assert a.keys() == b.keys()
    for key in a:
        x, y = a[key], b[key]
        if isinstance(x, float) and math.isnan(x):
            assert isinstance(y, float) and math.isnan(y), key
        else:
            assert x == y, key


@pytest.fixture(scope="module")
def small(load_config: Callable[..., sim.ScenarioConfig]) -> sim.ScenarioConfig:
    return load_config(*SMALL)


def test_same_seed_same_replication_identical(small: sim.ScenarioConfig) -> None:
    a = sim.run(small, seed=5, replication=2)
    b = sim.run(small, seed=5, replication=2)
    assert a.site.residents.n > 0
    assert_same_records(a.site.residents, b.site.residents)
    assert_same_summary(a.summary(), b.summary())


def test_seed_defaults_to_config_seed(small: sim.ScenarioConfig) -> None:
    a = sim.run(small)
    b = sim.run(small, seed=small.seed, replication=0)
    assert a.seed == small.seed
    assert_same_records(a.site.residents, b.site.residents)


def test_same_config_composed_twice_identical() -> None:
    # Bypass the cache: two independent compositions of the same overrides.
    a = sim.run(sim.load_config(overrides=list(SMALL)), seed=3)
    b = sim.run(sim.load_config(overrides=list(SMALL)), seed=3)
    assert_same_records(a.site.residents, b.site.residents)


@pytest.mark.parametrize(("other_seed", "other_rep"), [(5, 1), (6, 0)])
def test_different_replication_or_seed_differs(
    small: sim.ScenarioConfig, other_seed: int, other_rep: int
) -> None:
    a = sim.run(small, seed=5, replication=0).site.residents
    b = sim.run(small, seed=other_seed, replication=other_rep).site.residents
    # Fixed count: both have the same number of residents, at different times.
    assert a.n == b.n
    assert not np.array_equal(a.arrival, b.arrival)
    assert not np.array_equal(a.green, b.green)
    tested = (a.outcome == rec.TESTED) & (b.outcome == rec.TESTED)
    assert not np.allclose((a.swab_end - a.swab_start)[tested], (b.swab_end - b.swab_start)[tested])


def test_parallel_replications_equal_serial(small: sim.ScenarioConfig) -> None:
    serial = sim.run_replications(small, 4, n_jobs=1)
    parallel = sim.run_replications(small, 4, n_jobs=2)
    assert [r.replication for r in serial] == [0, 1, 2, 3]
    assert [r.replication for r in parallel] == [0, 1, 2, 3]
    for s, p in zip(serial, parallel, strict=True):
        assert s.seed == p.seed == small.seed
        assert_same_records(s.site.residents, p.site.residents)
        assert_same_summary(s.summary(), p.summary())
    # ... and the replications really are different runs.
    assert not np.array_equal(serial[0].site.residents.arrival, serial[1].site.residents.arrival)


def test_run_replications_matches_single_runs(small: sim.ScenarioConfig) -> None:
    reps = sim.run_replications(small, 3, seed=9)
    for k, result in enumerate(reps):
        assert_same_records(
            result.site.residents, sim.run(small, seed=9, replication=k).site.residents
        )


def test_crn_changing_booths_keeps_residents_and_their_service_times(
    load_config: Callable[..., sim.ScenarioConfig],
) -> None:
    few = sim.run(load_config(*SMALL), seed=4).site.residents
    many = sim.run(load_config(*SMALL[:-1], "site.swab_booths=6"), seed=4).site.residents
    np.testing.assert_array_equal(few.arrival, many.arrival)
    np.testing.assert_array_equal(few.green, many.green)
    np.testing.assert_array_equal(few.barcode, many.barcode)
    # Each resident's own swab and registration durations do not depend on the staffing.
    both = (few.outcome == rec.TESTED) & (many.outcome == rec.TESTED)
    assert both.sum() > 0.9 * few.n
    for start, end in (("swab_start", "swab_end"), ("reg_start", "reg_end")):
        d_few = getattr(few, end)[both] - getattr(few, start)[both]
        d_many = getattr(many, end)[both] - getattr(many, start)[both]
        np.testing.assert_allclose(d_few, d_many, rtol=0, atol=1e-9, err_msg=start)
    # ... while the staffing change does change what happened.
    assert not np.array_equal(few.swab_start, many.swab_start)


def test_crn_raising_green_share_only_adds_green_residents(
    load_config: Callable[..., sim.ScenarioConfig],
) -> None:
    low = sim.run(load_config(*SMALL, "demand.green_share=0.1"), seed=4).site.residents
    high = sim.run(load_config(*SMALL, "demand.green_share=0.2"), seed=4).site.residents
    np.testing.assert_array_equal(low.arrival, high.arrival)
    np.testing.assert_array_equal(low.barcode, high.barcode)
    assert low.green.any()
    assert not (low.green & ~high.green).any(), "a resident green at 0.1 is not green at 0.2"
    assert high.green.sum() > low.green.sum()


def test_crn_raising_barcode_share_only_adds_barcode_holders(
    load_config: Callable[..., sim.ScenarioConfig],
) -> None:
    low = sim.run(load_config(*SMALL, "demand.barcode_share=0.3"), seed=4).site.residents
    high = sim.run(load_config(*SMALL, "demand.barcode_share=0.6"), seed=4).site.residents
    np.testing.assert_array_equal(low.arrival, high.arrival)
    np.testing.assert_array_equal(low.green, high.green)
    assert low.barcode.any()
    assert not (low.barcode & ~high.barcode).any()
    assert high.barcode.sum() > low.barcode.sum()


# Two points from the busy_point template, a two-day round, two rounds, returns: every record of
# a campaign must be reproducible too.
DISTRICT = (
    "scenario=busy_point",
    "demand.residents=1200",
    "sites=[{name:North},{name:South,swab_booths:4}]",
    "campaign.round_days=2",
    "demand.daily_shares=[0.6,0.4]",
    "campaign.start_days=[1,5]",
    "demand.retry.share=0.5",
)


def test_campaign_of_several_points_and_rounds_is_reproducible(
    load_config: Callable[..., sim.ScenarioConfig],
) -> None:
    cfg = load_config(*DISTRICT)
    a = sim.run(cfg, seed=5, replication=1)
    b = sim.run_replications(cfg, 2, seed=5, n_jobs=2)[1]
    assert len(a.rounds) == len(b.rounds) == 2
    for ra, rb in zip(a.rounds, b.rounds, strict=True):
        assert_same_records(ra.residents, rb.residents)
        assert [p.name for p in ra.points] == [p.name for p in rb.points] == ["North", "South"]
        for pa, pb in zip(ra.points, rb.points, strict=True):
            assert pa.residents.n > 0
            assert_same_records(pa.residents, pb.residents)
    assert_same_summary(a.summary(), b.summary())
    assert a.residents.equals(b.residents)
    # ... while each round draws its own residents.
    first, second = a.rounds[0].residents, a.rounds[1].residents
    assert first.n == second.n == 1200
    assert not np.array_equal(first.arrival, second.arrival)


def test_result_of_several_points_and_rounds(
    load_config: Callable[..., sim.ScenarioConfig],
) -> None:
    # How a campaign's records are reached (the one-point shortcut `result.site` is refused).
    result = sim.run(load_config(*DISTRICT), seed=5)
    with pytest.raises(ValueError, match="2 points"):
        _ = result.site
    first, second = result.rounds
    assert result.point("South") is first.points[1]
    assert result.point("North", round=2) is second.points[0]
    with pytest.raises(KeyError, match="Nowhere"):
        result.point("Nowhere")
    # Each point's records are the residents whose last attempt was there.
    for run in result.rounds:
        assert run.residents.site is not None
        for k, point in enumerate(run.points):
            assert point.residents.n == int(np.sum(run.residents.site == k))
        assert sum(p.residents.n for p in run.points) == run.residents.n
    table = result.residents
    assert len(table) == first.residents.n + second.residents.n
    assert table.groupby("round").size().to_dict() == {1: 1200, 2: 1200}
    assert set(table["site"].astype(str)) == {"North", "South"}
    assert (table["attempts"] >= 1).all()
    assert (table["first_arrival_min"] <= table["arrival_min"]).all()
    returns = 0
    for run in result.rounds:
        assert run.residents.attempts is not None
        returns += int(np.sum(run.residents.attempts - 1))
    assert table["attempts"].sum() - len(table) == returns > 0
    s = result.summary()
    assert s["rounds"] == 2
    assert s["residents"] == 1200
    assert s["round2_tested"] == int(np.sum(second.residents.outcome == rec.TESTED))

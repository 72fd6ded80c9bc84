"""Direction of effects: changes a planner makes move the results the right way.

Each comparison runs both scenarios over the same replications with the same seed (common random
numbers: the same residents arrive at the same times with the same service durations), and
tests the per-replication differences with a paired Student-t 95% confidence interval, which
must exclude 0 on the expected side.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

import sim
from sim.metrics.intervals import Interval, t_interval

SEED = 2024
REPS = 8

# A busy point (scenario busy_point, fewer residents): ~280 residents/h at the peak hours, i.e.
# ~2.8 booths' worth of 35 s swabs and ~4.5 desks' worth of registration; no shifts (every
# desk/booth staffed all day) and nobody gives up, so every resident's wait counts.
BASE = (
    "scenario=busy_point",
    "demand.residents=2500",
    "demand.patience_min=null",
    "site.staffing.registration.pattern=opening_hours",
    "site.staffing.registration.shifts=[]",
    "site.staffing.swab.pattern=opening_hours",
    "site.staffing.swab.shifts=[]",
    "site.registration_desks=6",
    "site.swab_booths=3",
)

Load = Callable[..., sim.ScenarioConfig]


def metric(cfg: sim.ScenarioConfig, key: str) -> np.ndarray:
    results = sim.run_replications(cfg, REPS, seed=SEED)
    values = np.array([r.summary()[key] for r in results], dtype=float)
    assert np.isfinite(values).all(), f"{key} undefined in some replication"
    return values


def paired(a: sim.ScenarioConfig, b: sim.ScenarioConfig, key: str) -> Interval:
    """95% t interval of the mean per-replication difference ``key(a) - key(b)``."""
    return t_interval(metric(a, key) - metric(b, key))


def test_paired_comparison_uses_common_random_numbers(load_config: Load) -> None:
    # The premise of every comparison below: replication k of both scenarios sees the same
    # residents, while different replications see different ones.
    a = sim.run_replications(load_config(*BASE), 2, seed=SEED)
    b = sim.run_replications(load_config(*BASE, "site.swab_booths=4"), 2, seed=SEED)
    for ra, rb in zip(a, b, strict=True):
        np.testing.assert_array_equal(ra.site.residents.arrival, rb.site.residents.arrival)
    assert not np.array_equal(a[0].site.residents.arrival, a[1].site.residents.arrival)


def test_more_swab_booths_shorten_the_mean_wait(load_config: Load) -> None:
    ci = paired(load_config(*BASE, "site.swab_booths=4"), load_config(*BASE), "wait_mean_min")
    assert ci.high < 0, f"4 booths minus 3 booths: {ci}"
    ci_swab = paired(
        load_config(*BASE, "site.swab_booths=4"), load_config(*BASE), "swab_wait_mean_min"
    )
    assert ci_swab.high < 0, f"swab line, 4 booths minus 3 booths: {ci_swab}"


def test_pre_issued_barcodes_shorten_the_registration_wait(load_config: Load) -> None:
    # Registration is the bottleneck here: 8 desks, 90 s per resident without a barcode.
    busy_desks = (*BASE, "site.registration_desks=8", "site.swab_booths=5")
    ci = paired(
        load_config(*busy_desks, "demand.barcode_share=1.0"),
        load_config(*busy_desks, "demand.barcode_share=0.0"),
        "reg_wait_mean_min",
    )
    assert ci.high < 0, f"all barcodes minus none: {ci}"


def test_priority_green_channel_serves_green_residents_first(load_config: Load) -> None:
    cfg = load_config(*BASE, "site.green_channel.mode=priority")
    ci = t_interval(metric(cfg, "wait_mean_min_green") - metric(cfg, "wait_mean_min_general"))
    assert ci.high < 0, f"green minus general wait under priority: {ci}"


def test_priority_lowers_green_wait_compared_with_no_green_channel(load_config: Load) -> None:
    ci = paired(
        load_config(*BASE, "site.green_channel.mode=priority"),
        load_config(*BASE, "site.green_channel.mode=none"),
        "wait_mean_min_green",
    )
    assert ci.high < 0, f"green wait, priority minus none: {ci}"


def test_without_green_channel_green_and_general_wait_alike(load_config: Load) -> None:
    none = load_config(*BASE, "site.green_channel.mode=none")
    gap_none = metric(none, "wait_mean_min_green") - metric(none, "wait_mean_min_general")
    ci = t_interval(gap_none)
    assert ci.contains(0.0), f"green minus general wait with mode none: {ci}"
    # ... and far from the gap priority opens up with the same residents.
    prio = load_config(*BASE, "site.green_channel.mode=priority")
    gap_prio = metric(prio, "wait_mean_min_green") - metric(prio, "wait_mean_min_general")
    assert abs(gap_none.mean()) < 0.25 * abs(gap_prio.mean())


@pytest.mark.parametrize("helping_metric", ["wait_mean_min_general", "wait_mean_min"])
def test_dedicated_booth_helping_when_idle_is_no_worse_for_the_general_line(
    load_config: Load, helping_metric: str
) -> None:
    dedicated = (*BASE, "site.swab_booths=4", "site.green_channel.mode=dedicated")
    helping = load_config(*dedicated, "site.green_channel.serve_general_when_idle=true")
    strict = load_config(*dedicated, "site.green_channel.serve_general_when_idle=false")
    ci = paired(helping, strict, helping_metric)
    # Reserved desks/booths that help when idle add capacity to the general line: strictly
    # better at this load, so the interval lies below 0.
    assert ci.high < 0, f"{helping_metric}, helping minus strict: {ci}"

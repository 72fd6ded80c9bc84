"""Compact results: replications that send back their summary and tables, not their records."""

from __future__ import annotations

import math
import pickle

import pandas as pd
import pytest

import sim
from sim.experiment.result import CompactResult, compact
from sim.experiment.targets import evaluate_targets


@pytest.fixture(scope="module")
def cfg() -> sim.ScenarioConfig:
    return sim.load_config(["scenario=busy_point"])


@pytest.fixture(scope="module")
def full(cfg: sim.ScenarioConfig) -> list[sim.RunResult]:
    return sim.run_replications(cfg, 3, seed=4)


def same_summary(a: dict, b: dict) -> bool:
    return a.keys() == b.keys() and all(
        a[k] == b[k] or (isinstance(a[k], float) and math.isnan(a[k]) and math.isnan(b[k]))
        for k in a
    )


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_compact_results_equal_the_full_ones(
    cfg: sim.ScenarioConfig, full: list[sim.RunResult], n_jobs: int
) -> None:
    small = sim.run_replications(cfg, 3, seed=4, n_jobs=n_jobs, keep="tables")
    assert all(isinstance(r, CompactResult) for r in small)
    for a, b in zip(full, small, strict=True):
        assert (a.seed, a.replication) == (b.seed, b.replication)
        assert same_summary(a.summary(), b.summary())
        for name, frame in a.tables().items():
            pd.testing.assert_frame_equal(frame, b.tables()[name])
    # what a worker sends back is small
    assert len(pickle.dumps(small[0])) * 20 < len(pickle.dumps(full[0]))


def test_the_per_resident_table_only_when_kept(
    cfg: sim.ScenarioConfig, full: list[sim.RunResult]
) -> None:
    with_residents = sim.run_replications(cfg, 1, seed=4, keep="residents")[0]
    pd.testing.assert_frame_equal(with_residents.residents, full[0].residents)
    without = compact(full[0])
    with pytest.raises(ValueError, match="keep='residents'"):
        _ = without.residents
    # tables are copies: changing one does not change the next
    mine = without.tables()["points"]
    mine["tested"] = -1
    assert (without.tables()["points"]["tested"] > 0).all()


def test_comparisons_and_targets_take_compact_results(
    cfg: sim.ScenarioConfig, full: list[sim.RunResult]
) -> None:
    small = [compact(r) for r in full]
    assert [v.verdict for v in evaluate_targets(small)] == [
        v.verdict for v in evaluate_targets(full)
    ]
    d = sim.paired_difference(full, small, "wait_mean_min")
    assert d.mean == 0.0
    assert sim.summary_frame(small).shape == sim.summary_frame(full).shape
    assert sim.metric_interval(small, "coverage").mean == sim.metric_interval(full, "coverage").mean


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"keep": "records"}, "keep must be one of all, tables, residents"),
        ({"n_jobs": 0}, "n_jobs must be an integer >= 1"),
        ({"n_jobs": True}, "n_jobs must be an integer >= 1"),
        ({"replications": 0}, "replications must be an integer >= 1"),
    ],
)
def test_bad_options_are_named(cfg: sim.ScenarioConfig, kwargs: dict, words: str) -> None:
    with pytest.raises(ValueError, match=words):
        sim.run_replications(cfg, **{"replications": 1, **kwargs})

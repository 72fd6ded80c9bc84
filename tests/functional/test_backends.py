"""Backends: the same results in this process, in worker processes and on Ray; named errors."""

from __future__ import annotations

import json
import math
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

import sim
from sim.experiment.backends import BackendError, check_backend
from tests.cli_helpers import sim_cli


@pytest.fixture(scope="module")
def cfg() -> Iterator[sim.ScenarioConfig]:
    yield sim.load_config(["scenario=busy_point"])
    if "ray" in sys.modules and sys.modules["ray"] is not None:  # the local Ray the tests began
        sys.modules["ray"].shutdown()


def same(a: dict, b: dict) -> bool:
    return a.keys() == b.keys() and all(
        a[k] == b[k] or (isinstance(a[k], float) and math.isnan(a[k]) and math.isnan(b[k]))
        for k in a
    )


def test_every_backend_gives_bit_identical_summaries(cfg: sim.ScenarioConfig) -> None:
    pytest.importorskip("ray")
    serial = sim.run_replications(cfg, 3, seed=8, backend="serial", keep="tables")
    procs = sim.run_replications(cfg, 3, seed=8, n_jobs=2, backend="processes", keep="tables")
    on_ray = sim.run_replications(cfg, 3, seed=8, n_jobs=2, backend="ray", keep="tables")
    for a, b, c in zip(serial, procs, on_ray, strict=True):
        assert a.replication == b.replication == c.replication
        assert same(a.summary(), b.summary()) and same(a.summary(), c.summary())
    # full results come back from Ray too
    full = sim.run_replications(cfg, 2, seed=8, n_jobs=2, backend="ray")
    assert isinstance(full[1], sim.RunResult)
    assert same(full[1].summary(), serial[1].summary())


def test_an_unreachable_ray_address_is_named_within_the_timeout(cfg: sim.ScenarioConfig) -> None:
    pytest.importorskip("ray")
    start = time.monotonic()
    with pytest.raises(BackendError, match=r"no Ray cluster answers at 127\.0\.0\.1:9"):
        sim.run_replications(cfg, 2, backend="ray", address="127.0.0.1:9")
    assert time.monotonic() - start < 10
    with pytest.raises(BackendError, match="is not host:port"):
        check_backend("ray", 2, "my-cluster")


def test_ray_not_installed_says_which_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "ray", None)  # import ray fails
    with pytest.raises(BackendError, match=r"pip install 'masstest-sim\[ray\]'"):
        check_backend("ray", 2)


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("threads", 2, None), "backend must be one of serial, processes, ray"),
        (("processes", 0, None), "n_jobs must be an integer >= 1"),
        (("processes", 2, "10.0.0.1:6379"), "is for backend='ray'"),
    ],
)
def test_bad_backend_options(args: tuple, words: str) -> None:
    with pytest.raises(ValueError, match=words):
        check_backend(*args)


def test_the_command_line_runs_on_ray_and_names_a_missing_cluster(tmp_path: Path) -> None:
    pytest.importorskip("ray")
    bad = sim_cli(
        tmp_path, "scenario=busy_point", "execution.backend=ray", "execution.address=127.0.0.1:9"
    )
    assert bad.returncode == 2 and "execution.address = '127.0.0.1:9'" in bad.stderr
    assert "no Ray cluster answers" in bad.stderr and not (tmp_path / "outputs").exists()
    ok = sim_cli(
        tmp_path,
        "scenario=busy_point",
        "execution.backend=ray",
        "replications=2",
        "output.figures=false",
        "output.residents_table=false",
        "hydra.run.dir=r",
    )
    assert ok.returncode == 0, ok.stderr[-2000:]
    same_cfg = sim.load_config(["scenario=busy_point"])
    direct = sim.run_replications(same_cfg, 2, keep="tables")
    written = json.loads((tmp_path / "r" / "summary.json").read_text())
    assert written["tested"] == np.mean([r.summary()["tested"] for r in direct])


def test_the_staffing_planner_plans_the_same_on_ray(cfg: sim.ScenarioConfig) -> None:
    pytest.importorskip("ray")
    from sim.planning.plan import plan_staffing

    local = plan_staffing(cfg, replications=3, verify_replications=None, n_jobs=1)
    on_ray = plan_staffing(cfg, replications=3, verify_replications=2, n_jobs=2, backend="ray")
    for a, b in zip(local.requirements, on_ray.requirements, strict=True):
        for x, y in zip(a.staff, b.staff, strict=True):
            np.testing.assert_array_equal(x, y)
    assert on_ray.verification is not None and len(on_ray.verification["planned"]) == 2
    with pytest.raises(ValueError, match="is for backend='ray'"):
        plan_staffing(cfg, verify_replications=None, address="10.0.0.1:6379")

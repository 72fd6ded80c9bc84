"""``hydra/launcher=ray`` (``hydra_plugins/masstest_ray_launcher``) from the command line.

A multirun's jobs run as Ray tasks on a local Ray with the basic launcher's results, their
return values reach Hydra's sweeper, and a cluster that does not answer, a missing Ray or
settings that do not fit are one-line errors (exit 2) before anything is written.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from sim.experiment.backends import CONNECT_TIMEOUT_S
from tests.cli_helpers import SMALL_SWEEP, sim_cli, small_sweep, sweep_summaries

ON_RAY = ("hydra/launcher=ray", "hydra.launcher.num_cpus=2")


def test_the_ray_launcher_gives_the_basic_launchers_results(tmp_path: Path) -> None:
    pytest.importorskip("ray")
    basic = small_sweep(tmp_path / "basic")
    assert sorted(basic) == ["0_site.swab_booths=3", "1_site.swab_booths=4"]
    assert small_sweep(tmp_path / "ray", *ON_RAY) == basic
    # each job's folder has its own log, written by its Ray task; the comparison at the root
    (sweep,) = (tmp_path / "ray" / "multirun").glob("*/*")
    logs = sorted(sweep.glob("*/masstest.log"))
    assert len(logs) == 2 and all("complete" in p.read_text() for p in logs)
    assert (sweep / "comparison.csv").is_file()


def test_the_jobs_return_values_reach_the_sweeper(tmp_path: Path) -> None:
    pytest.importorskip("ray")
    proc = sim_cli(
        tmp_path,
        "-m",
        *SMALL_SWEEP,
        *ON_RAY,
        "hydra/sweeper=optuna",
        "hydra.sweeper.n_trials=2",
        "hydra.sweeper.n_jobs=2",
        "hydra.sweeper.sampler.seed=3",
        "objective=wait_p95_min",
        "site.swab_booths=choice(2,5)",
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    waits = [s["wait_p95_min"] for s in sweep_summaries(tmp_path / "multirun").values()]
    (results,) = (tmp_path / "multirun").glob("*/*/optimization_results.yaml")
    assert len(waits) == 2
    assert yaml.safe_load(results.read_text())["best_value"] == min(waits)


def test_an_unreachable_cluster_is_named_within_the_timeout(tmp_path: Path) -> None:
    pytest.importorskip("ray")
    start = time.monotonic()
    proc = sim_cli(
        tmp_path,
        "-m",
        *SMALL_SWEEP,
        "site.swab_booths=3,4",
        "hydra/launcher=ray",
        "hydra.launcher.address=127.0.0.1:9",
        timeout=60,
    )
    assert time.monotonic() - start < 15
    assert proc.returncode == 2, proc.stderr[-3000:]
    assert "hydra.launcher.address = '127.0.0.1:9'" in proc.stderr
    assert "no Ray cluster answers at 127.0.0.1:9 (" in proc.stderr
    assert f"waited {CONNECT_TIMEOUT_S:g} s" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not (tmp_path / "multirun").exists()  # nothing written


def _without_ray(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``python -m sim *args`` in a Python where ``import ray`` fails."""
    code = "import sys; sys.modules['ray'] = None; from sim.cli import main; main(sys.argv[1:])"
    env = {**os.environ, "MPLBACKEND": "Agg"}
    env.pop("HYDRA_FULL_ERROR", None)
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_without_ray_the_launcher_names_the_extra(tmp_path: Path) -> None:
    proc = _without_ray(tmp_path, "-m", *SMALL_SWEEP, "site.swab_booths=3,4", "hydra/launcher=ray")
    assert proc.returncode == 2, proc.stderr[-3000:]
    assert "hydra/launcher=ray needs Ray" in proc.stderr
    assert "pip install 'masstest-sim[ray]'" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not (tmp_path / "multirun").exists()


@pytest.mark.parametrize(
    ("settings", "named"),
    [
        (
            ("hydra.launcher.address=10.0.0.5:6379", "hydra.launcher.num_cpus=2"),
            "hydra.launcher.num_cpus = 2; allowed: null with a running cluster",
        ),
        (("hydra.launcher.num_cpus=0",), "hydra.launcher.num_cpus = 0"),
        (("+hydra.launcher.init.address=auto",), "hydra.launcher.init.address = 'auto'"),
    ],
    ids=["cpus_of_a_cluster", "no_cpus", "address_in_init"],
)
def test_settings_that_do_not_fit_are_named(
    tmp_path: Path, settings: tuple[str, ...], named: str
) -> None:
    # checked before Ray is imported: the same error with or without Ray
    sweep = ("-m", *SMALL_SWEEP, "site.swab_booths=3,4", "hydra/launcher=ray")
    proc = _without_ray(tmp_path, *sweep, *settings)
    assert proc.returncode == 2, proc.stderr[-3000:]
    assert named in proc.stderr and "Traceback" not in proc.stderr

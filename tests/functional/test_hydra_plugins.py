"""Hydra's launcher and sweeper plugins from the command line, as Hydra users run them.

The plugins come with the ``test`` extra (and the ``hydra-plugins`` extra for planners):
joblib and submitit_local run a multirun's jobs in other processes with the same results as
the basic launcher; the Optuna sweeper minimises the metric named by ``objective``.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from tests.cli_helpers import SMALL_SWEEP, sim_cli, small_sweep, sweep_summaries


def test_joblib_and_submitit_launchers_give_the_basic_launchers_results(tmp_path: Path) -> None:
    basic = small_sweep(tmp_path / "basic")
    assert sorted(basic) == ["0_site.swab_booths=3", "1_site.swab_booths=4"]
    joblib = small_sweep(tmp_path / "joblib", "hydra/launcher=joblib", "hydra.launcher.n_jobs=2")
    submitit = small_sweep(
        tmp_path / "submitit", "hydra/launcher=submitit_local", "hydra.launcher.timeout_min=5"
    )
    assert joblib == basic
    assert submitit == basic
    # each job's folder has its own log, written by the worker process
    logs = sorted((tmp_path / "joblib" / "multirun").glob("*/*/*/masstest.log"))
    assert len(logs) == 2 and all("complete" in p.read_text() for p in logs)


def test_optuna_minimises_the_objective(tmp_path: Path) -> None:
    proc = sim_cli(
        tmp_path,
        "-m",
        *SMALL_SWEEP,
        "hydra/sweeper=optuna",
        "hydra.sweeper.n_trials=3",
        "hydra.sweeper.n_jobs=1",
        "hydra.sweeper.sampler.seed=3",
        "objective=wait_p95_min",
        "site.swab_booths=choice(2,3,5)",
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    trials = sweep_summaries(tmp_path / "multirun")
    assert len(trials) == 3
    (results,) = (tmp_path / "multirun").glob("*/*/optimization_results.yaml")
    best = yaml.safe_load(results.read_text())
    waits = {folder: s["wait_p95_min"] for folder, s in trials.items()}
    assert best["best_value"] == min(waits.values())
    assert set(best["best_params"]) == {"site.swab_booths"}  # as typed, no '++'
    # the best trial's folder holds that value
    folder = next(k for k, v in waits.items() if v == best["best_value"])
    assert folder.endswith(f"site.swab_booths={best['best_params']['site.swab_booths']}")


def test_a_bad_objective_is_a_named_error(tmp_path: Path) -> None:
    proc = sim_cli(tmp_path, *SMALL_SWEEP, "objective=wait_p59_min")
    assert proc.returncode == 2
    assert "objective = 'wait_p59_min'" in proc.stderr
    assert "did you mean 'wait_p95_min'" in proc.stderr

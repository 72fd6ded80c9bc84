"""Hydra's launcher and sweeper plugins from the command line, as Hydra users run them.

The plugins come with the ``test`` extra (and the ``hydra-plugins`` extra for planners):
joblib and submitit_local run a multirun's jobs in other processes with the same results as
the basic launcher; the Optuna sweeper minimises the metric named by ``objective``.
"""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from tests.cli_helpers import sim_cli

SMALL = (
    "scenario=busy_point",
    "demand.residents=400",
    "output.figures=false",
    "output.residents_table=false",
    "output.print_summary=false",
)


def _summaries(root: Path) -> dict[str, dict[str, object]]:
    """Each job's summary by its folder name (``0_site.swab_booths=3``)."""
    return {
        p.parent.name: json.loads(p.read_text()) for p in sorted(root.glob("*/*/*/summary.json"))
    }


def _sweep(cwd: Path, *extra: str) -> dict[str, dict[str, object]]:
    cwd.mkdir()
    proc = sim_cli(cwd, "-m", *SMALL, "site.swab_booths=3,4", *extra)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "Traceback" not in proc.stderr
    return _summaries(cwd / "multirun")


def test_joblib_and_submitit_launchers_give_the_basic_launchers_results(tmp_path: Path) -> None:
    basic = _sweep(tmp_path / "basic")
    assert sorted(basic) == ["0_site.swab_booths=3", "1_site.swab_booths=4"]
    joblib = _sweep(tmp_path / "joblib", "hydra/launcher=joblib", "hydra.launcher.n_jobs=2")
    submitit = _sweep(
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
        *SMALL,
        "hydra/sweeper=optuna",
        "hydra.sweeper.n_trials=3",
        "hydra.sweeper.n_jobs=1",
        "hydra.sweeper.sampler.seed=3",
        "objective=wait_p95_min",
        "site.swab_booths=choice(2,3,5)",
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    trials = _summaries(tmp_path / "multirun")
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
    proc = sim_cli(tmp_path, *SMALL, "objective=wait_p59_min")
    assert proc.returncode == 2
    assert "objective = 'wait_p59_min'" in proc.stderr
    assert "did you mean 'wait_p95_min'" in proc.stderr

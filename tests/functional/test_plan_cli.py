"""``masstest-sim plan`` as a planner runs it: exit codes, the plan folder, bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import sim
from tests.cli_helpers import sim_cli

WAIT_ONLY = "targets=[{metric: wait_p95_min, op: '<=', value: 30, at: null}]"


@pytest.fixture(scope="module")
def planned(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, int]:
    cwd = tmp_path_factory.mktemp("plan")
    proc = sim_cli(cwd, "plan", "scenario=busy_point", WAIT_ONLY, "--verify", "4", "--jobs", "1")
    return cwd, proc.stdout + proc.stderr, proc.returncode


def test_plan_meets_the_target_exits_0_and_writes_its_folder(
    planned: tuple[Path, str, int],
) -> None:
    cwd, out, code = planned
    assert code == 0, out[-3000:]
    assert "Traceback" not in out
    assert "the planned layout meets every target" in out
    (folder,) = [Path(line.split(": ", 1)[1]) for line in out.splitlines() if "plan folder" in line]
    folder = cwd / folder if not folder.is_absolute() else folder
    assert folder.parent.parent == cwd / "outputs" / "plan"
    names = {p.name for p in folder.iterdir()}
    for name in ("plan.csv", "roster.yaml", "config.yaml", "plan.html", "summary.json"):
        assert name in names
    summary = json.loads((folder / "summary.json").read_text())
    assert summary["person_hours_planned"] < summary["person_hours_current"]
    # the plan folder runs as is
    run = sim_cli(cwd, "--config-dir", str(folder), "hydra.run.dir=rerun", "replications=1")
    assert run.returncode == 0, run.stderr[-2000:]
    cfg = sim.load_config(config_dir=folder)
    assert cfg.site.staffing.swab.pattern == "custom"


def test_plan_help_and_bad_input(tmp_path: Path) -> None:
    help_ = sim_cli(tmp_path, "plan", "--help")
    assert help_.returncode == 0 and "usage: masstest-sim plan" in help_.stdout
    cases = [
        (("plan", "scenario=busy_point", "site.swab_booths=-1"), "site.swab_booths = -1"),
        (("plan", "scenario=busy_point", "--replications", "1"), "--replications = 1"),
        (("plan", "scenario=busy_point", "--bogus"), "--bogus"),
        (("plan", "scenario=busy_point", "targets=[]"), "no target the staffing planner"),
        (("plan", "scenario=busy_point", "--out"), "needs a value"),
        (("plan", "scenario=busy_point", "--shift-hours", "30"), "hours in (0, 24]"),
        (("plan", "scenario=busy_point", "--shift-hours", "x"), "--shift-hours = 'x'"),
        (
            ("plan", "scenario=busy_point", "--max-staff", "3", "--verify", "0"),
            "no roster covers 07:00-08:00 (needs 9 serving): the requirement 9 is more than "
            "max_staff=3",
        ),
    ]
    for args, words in cases:
        proc = sim_cli(tmp_path, *args)
        assert proc.returncode == 2, (args, proc.stdout, proc.stderr)
        assert words in proc.stderr and "Traceback" not in proc.stderr
    assert not (tmp_path / "outputs").exists()  # nothing planned, nothing written


def test_a_taken_plan_folder_is_refused(tmp_path: Path) -> None:
    (tmp_path / "taken").mkdir()
    (tmp_path / "taken" / "plan.csv").write_text("mine")
    proc = sim_cli(tmp_path, "plan", "scenario=busy_point", "--out", "taken")
    assert proc.returncode == 2
    assert "--out <new folder>" in proc.stderr
    assert (tmp_path / "taken" / "plan.csv").read_text() == "mine"


def test_a_fixed_budget_writes_its_allocation(tmp_path: Path) -> None:
    proc = sim_cli(
        tmp_path,
        "plan",
        "scenario=busy_point",
        "--swabbers",
        "7",
        "--registrars",
        "10",
        "--replications",
        "3",
        "--out",
        "budget",
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "worst wait_p95_min" in proc.stdout and "one more swab" in proc.stdout
    summary = json.loads((tmp_path / "budget" / "summary.json").read_text())
    assert summary["budget"] == {"swab": 7, "registration": 10}
    assert summary["worst_point"] == "Central square"
    hourly = (tmp_path / "budget" / "budget_hourly.csv").read_text().splitlines()
    assert len(hourly) == 1 + 2 * 14  # roles x hours (a one-day round)
    small = sim_cli(tmp_path, "plan", "scenario=busy_point", "--swabbers", "0", "--registrars", "9")
    assert small.returncode == 2 and "opens no point" in small.stderr


def test_a_target_the_plan_cannot_meet_exits_1_and_says_why(tmp_path: Path) -> None:
    """busy_point: nobody returns, and 1.7% come outside the line's hours: coverage >= 0.99
    is out of any staffing's reach; the planner says so and exits 1."""
    proc = sim_cli(tmp_path, "plan", "scenario=busy_point", "--verify", "4", "--out", "p")
    assert proc.returncode == 1, proc.stderr[-2000:]
    assert "out of the staff's reach" in proc.stdout
    assert "coverage >= 0.99: missed" in proc.stdout
    assert (tmp_path / "p" / "summary.json").exists()

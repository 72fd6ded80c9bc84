"""End to end: ``python -m sim`` as a planner runs it, in a fresh working folder.

Each run writes a new folder under ``outputs/`` (relative to the working directory) holding the
resolved config, ``summary.json``, the per-resident table and PNG figures; bad input is reported
on stderr as one line naming the field, with no Python traceback, before anything is simulated.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pandas as pd
import pytest
import yaml

from sim.model.records import OUTCOMES
from tests.cli_helpers import Run, run_cli

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
FIGURES = ("queue_length.png", "wait_distribution.png", "utilisation.png")


def run_folders(cwd: Path) -> list[Path]:
    return sorted(p.parent for p in (cwd / "outputs").glob("*/*/summary.json"))


def snapshot(folder: Path) -> dict[str, str]:
    """Content hash of every file the run wrote (Hydra's own .hydra/ files excluded)."""
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.iterdir())
        if p.is_file()
    }


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("cli")


# One busy point: the shipped default is the whole district.
BASE = "scenario=busy_point"


@pytest.fixture(scope="module")
def first(workdir: Path) -> Run:
    return run_cli(workdir, BASE, "demand.residents=800", "output.residents_table=true")


def test_run_succeeds_and_prints_the_summary(first: Run) -> None:
    assert first.returncode == 0, first.stderr
    assert "Traceback" not in first.stderr
    out = first.stdout
    assert re.search(r"^Residents\s+800\b", out, flags=re.MULTILINE), out  # exactly 800
    for outcome in OUTCOMES:
        assert outcome.replace("_", " ") in out
    assert "Waiting time" in out
    assert "Utilisation" in out


def test_run_folder_is_under_outputs_of_the_working_directory(first: Run) -> None:
    assert first.returncode == 0, first.stderr
    folder = first.folder
    assert folder.is_dir()
    assert folder.resolve().is_relative_to((first.cwd / "outputs").resolve())
    assert run_folders(first.cwd)[0] == folder


def test_run_folder_holds_config_summary_and_residents(first: Run) -> None:
    assert first.returncode == 0, first.stderr
    folder = first.folder

    config = yaml.safe_load((folder / "config.yaml").read_text())
    assert config["name"] == "busy_point"
    assert config["demand"]["residents"] == 800
    assert config["output"]["residents_table"] is True
    assert "hydra" not in config

    summary = json.loads((folder / "summary.json").read_text())
    for key in ("arrived", "tested", "wait_mean_min_green"):
        assert key in summary
    assert summary["arrived"] == 800
    assert sum(summary[o] for o in OUTCOMES) == summary["arrived"]

    table = pd.read_parquet(folder / "residents.parquet")
    assert len(table) == summary["arrived"]
    assert table["resident"].tolist() == list(range(len(table)))
    counts = table["outcome"].value_counts()
    for outcome in OUTCOMES:
        assert counts.get(outcome, 0) == summary[outcome], outcome
    assert set(table["site"]) == {"Central square"}
    assert (table["round"] == 1).all()

    # The per-point table has the one point, with the same counts.
    points = pd.read_csv(folder / "points.csv")
    assert points["site"].tolist() == ["Central square"]
    assert points["arrived"].tolist() == [800]
    assert points["tested"].tolist() == [summary["tested"]]


def test_run_folder_holds_png_figures(first: Run) -> None:
    assert first.returncode == 0, first.stderr
    for name in FIGURES:
        path = first.folder / name
        data = path.read_bytes()
        assert data[:8] == PNG_MAGIC, name
        assert len(data) > 5_000, name
    assert not list(first.folder.glob(".*.part")), "temporary files left behind"


def test_second_run_creates_a_new_folder_and_leaves_the_first_alone(first: Run) -> None:
    assert first.returncode == 0, first.stderr
    before = snapshot(first.folder)
    second = run_cli(
        first.cwd,
        BASE,
        "demand.residents=300",
        "output.figures=false",
        "output.residents_table=false",
    )
    assert second.returncode == 0, second.stderr
    assert second.folder != first.folder
    assert run_folders(first.cwd) == sorted([first.folder, second.folder])
    assert snapshot(first.folder) == before
    assert set(snapshot(second.folder)) >= {"config.yaml", "summary.json"}
    assert not list(second.folder.glob("residents.*"))
    assert not list(second.folder.glob("*.png"))
    assert json.loads((second.folder / "summary.json").read_text())["arrived"] == 300


def test_run_refuses_to_overwrite_an_existing_run_folder(tmp_path: Path) -> None:
    common = (BASE, "demand.residents=300", "output.figures=false", "hydra.run.dir=fixed")
    one = run_cli(tmp_path, *common)
    assert one.returncode == 0, one.stderr
    before = snapshot(tmp_path / "fixed")
    assert {"config.yaml", "summary.json", "residents.parquet"} <= set(before)
    two = run_cli(tmp_path, *common, "seed=2")
    assert two.returncode != 0
    assert snapshot(tmp_path / "fixed") == before


def test_misspelt_override_fails_cleanly(tmp_path: Path) -> None:
    res = run_cli(tmp_path, BASE, "site.swab_boths=6")
    assert res.returncode != 0
    assert "site.swab_boths" in res.stderr
    assert "swab_booths" in res.stderr.replace("site.swab_boths", "")  # the suggestion
    assert "Traceback" not in res.stderr
    assert not (tmp_path / "outputs").exists(), "a run folder was created for a bad config"


def test_invalid_value_fails_cleanly_before_simulating(tmp_path: Path) -> None:
    res = run_cli(tmp_path, BASE, "site.swab_booths=0")
    assert res.returncode != 0
    assert "site.swab_booths" in res.stderr
    assert ">= 1" in res.stderr
    assert "Traceback" not in res.stderr
    assert not list(tmp_path.rglob("summary.json"))


def test_unknown_scenario_fails_cleanly_and_lists_scenarios(tmp_path: Path) -> None:
    res = run_cli(tmp_path, "scenario=nope")
    assert res.returncode != 0
    assert "nope" in res.stderr
    assert "single_station" in res.stderr and "benchmark_point" in res.stderr
    assert "Traceback" not in res.stderr


def test_single_station_scenario_with_overrides(tmp_path: Path) -> None:
    res = run_cli(
        tmp_path,
        "scenario=single_station",
        "demand.rate_per_hour=60",
        "site.swab_booths=1",
        "site.close=10:00",
        "output.figures=false",
    )
    assert res.returncode == 0, res.stderr
    assert "Scenario: single_station" in res.stdout
    config = yaml.safe_load((res.folder / "config.yaml").read_text())
    assert config["name"] == "single_station"
    assert config["demand"]["arrivals"] == "constant"
    assert config["demand"]["rate_per_hour"] == 60
    assert config["site"]["swab_booths"] == 1
    assert config["site"]["close"] == "10:00"
    assert config["site"]["registration"] is False
    table = pd.read_parquet(res.folder / "residents.parquet")
    assert len(table) > 0
    # Arrivals run from opening (00:00, no early queue) to the 10:00 close.
    assert table["arrival_min"].min() >= 0
    assert table["arrival_min"].max() < 600
    assert table["reg_start_min"].isna().all()

"""Every shipped layout variant (``configs/layout/*.yaml``) composes and runs, from Python and
from the command line (one Hydra multirun over all of them), and the bare ``python -m sim``
runs the default district round.

The layouts are discovered from the folder, so a new one is tested without editing this file.
Populations are scaled down (8 sub-districts of 3,000 residents) and mobile teams switched off
so that each run takes well under a second; the layouts keep their own points and catchments.
"""

from __future__ import annotations

import dataclasses
import json
import re
import subprocess
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

import sim
from sim.cli import config_root
from sim.model.records import OUTCOMES
from tests.cli_helpers import sim_cli

pytestmark = pytest.mark.slow

LAYOUTS = sorted(p.stem for p in (config_root() / "layout").glob("*.yaml"))
POPULATION = 3_000
SUBDISTRICTS = 8
SMALL = (
    "mobile.teams=0",
    *(f"subdistricts.{k}.population={POPULATION}" for k in range(SUBDISTRICTS)),
)
NO_FILES = ("output.residents_table=false", "output.figures=false")


def test_layouts_are_discovered() -> None:
    assert len(LAYOUTS) >= 8
    for name in ("no_barcodes", "all_barcodes", "queue_board", "three_rounds"):
        assert name in LAYOUTS


def _all_barcodes(cfg: sim.ScenarioConfig, r: sim.RunResult) -> None:
    assert r.residents["barcode"].all()


def _no_barcodes(cfg: sim.ScenarioConfig, r: sim.RunResult) -> None:
    assert not r.residents["barcode"].any()


def _appointments(cfg: sim.ScenarioConfig, r: sim.RunResult) -> None:
    assert cfg.demand.appointments.enabled


def _extended_hours(cfg: sim.ScenarioConfig, r: sim.RunResult) -> None:
    assert all((p.open, p.close) == ("06:00", "22:00") for p in cfg.points)
    # somebody is swabbed before the usual 07:00 opening
    tod = np.mod(r.residents["swab_start_min"].dropna().to_numpy(), 1440.0)
    assert (tod < 7 * 60).any()


def _fewer_bigger_points(cfg: sim.ScenarioConfig, r: sim.RunResult) -> None:
    assert len(cfg.points) == 24
    assert len(r.tables()["points"]) == 24


def _no_green_channel(cfg: sim.ScenarioConfig, r: sim.RunResult) -> None:
    assert all(p.green_channel.mode == "none" for p in cfg.points)
    assert (r.residents["lane"] == "general").all()
    assert r.residents["green_eligible"].any()


def _queue_board(cfg: sim.ScenarioConfig, r: sim.RunResult) -> None:
    assert cfg.site_choice.rule == "queue_board"


def _three_rounds(cfg: sim.ScenarioConfig, r: sim.RunResult) -> None:
    assert len(r.rounds) == 3
    assert sorted(r.residents["round"].unique()) == [1, 2, 3]
    assert r.summary()["rounds"] == 3
    assert cfg.labs[2].opens_day == 4  # the source's mobile lab, on day 4
    # three full rounds within days 1-12, back to back
    assert cfg.campaign.start_days == (1, 5, 9) and cfg.campaign.round_days == 4
    assert cfg.campaign.last_day == 12
    # the enterprises are screened throughout: on every campaign day (teams off in SMALL)
    assert r.mobile is None
    teams = sim.run(dataclasses.replace(cfg, mobile=sim.load_config().mobile), seed=3)
    assert teams.mobile is not None
    days = np.unique(teams.mobile.swab_time // 1440.0)
    assert days.tolist() == list(range(12))


def _no_mobile_lab(cfg: sim.ScenarioConfig, r: sim.RunResult) -> None:
    assert [lab.name for lab in cfg.labs_in_use] == ["District hospital lab", "City CDC lab"]
    assert r.chain is not None and "Mobile lab" not in r.chain.labs
    assert set(r.residents["lab"].dropna().unique()) <= {
        "",
        "District hospital lab",
        "City CDC lab",
    }


def _pool_5_in_1(cfg: sim.ScenarioConfig, r: sim.RunResult) -> None:
    assert r.chain is not None and r.chain.pool_size == 5
    assert r.chain.tube_size[~r.chain.tube_retest].max() == 5


def _courier_every_2h(cfg: sim.ScenarioConfig, r: sim.RunResult) -> None:
    assert cfg.couriers.pickup_every_min == 120


def _health_code_check(cfg: sim.ScenarioConfig, r: sim.RunResult) -> None:
    assert cfg.stage_names == ("health_code_check", "registration", "swab")
    tested = r.residents.query("outcome == 'tested'")
    assert tested["health_code_check_end_min"].le(tested["reg_start_min"]).all()
    assert r.summary()["staff_checker"] > 0


#: What each shipped layout must change (layouts added later get the generic checks only).
EXPECTED: dict[str, Callable[[sim.ScenarioConfig, sim.RunResult], None]] = {
    "all_barcodes": _all_barcodes,
    "no_barcodes": _no_barcodes,
    "appointments": _appointments,
    "extended_hours": _extended_hours,
    "fewer_bigger_points": _fewer_bigger_points,
    "no_green_channel": _no_green_channel,
    "queue_board": _queue_board,
    "three_rounds": _three_rounds,
    "no_mobile_lab": _no_mobile_lab,
    "pool_5_in_1": _pool_5_in_1,
    "courier_every_2h": _courier_every_2h,
    "health_code_check": _health_code_check,
}


@pytest.fixture(scope="module")
def default_small() -> sim.ScenarioConfig:
    return sim.load_config(list(SMALL))


@pytest.mark.parametrize("layout", LAYOUTS)
def test_layout_composes_and_runs(layout: str, default_small: sim.ScenarioConfig) -> None:
    cfg = sim.load_config([f"layout={layout}", *SMALL])
    assert cfg.name == layout  # run folders are named after it
    changed = {
        f.name
        for f in dataclasses.fields(cfg)
        if f.name not in ("name", "description")
        and getattr(cfg, f.name) != getattr(default_small, f.name)
    }
    assert changed, f"layout {layout} changes nothing"
    assert cfg.residents_per_round == SUBDISTRICTS * POPULATION
    r = sim.run(cfg, seed=3)
    rounds = len(cfg.campaign.start_days)
    df = r.residents
    assert len(df) == rounds * SUBDISTRICTS * POPULATION
    s = r.summary()
    assert s["scenario"] == layout
    assert s["residents"] == SUBDISTRICTS * POPULATION
    assert sum(s[o] for o in OUTCOMES) == s["residents"]
    assert 0.9 < s["coverage"] <= 1.0, s["coverage"]
    assert (df["attempts"] >= 1).all()
    tested = df[df["outcome"] == "tested"]
    assert (tested["swab_end_min"] >= tested["arrival_min"]).all()
    if layout in EXPECTED:
        EXPECTED[layout](cfg, r)


# ----------------------------------------------------------------------------- command line


def _cli(cwd: Path, *args: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    return sim_cli(cwd, *args, timeout=timeout)


def test_all_layouts_in_one_multirun(tmp_path: Path) -> None:
    proc = _cli(tmp_path, "-m", f"layout={','.join(LAYOUTS)}", *SMALL, *NO_FILES)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "Traceback" not in proc.stderr
    folders = sorted(p.parent for p in (tmp_path / "multirun").glob("*/*/*/summary.json"))
    assert len(folders) == len(LAYOUTS), folders
    # each job's folder is named by what the sweep changes: 0_layout=all_barcodes, ...
    names = sorted(re.sub(r"^\d+_layout=", "", f.name) for f in folders)
    assert names == LAYOUTS
    for folder in folders:
        summary = json.loads((folder / "summary.json").read_text())
        assert summary["scenario"] == re.sub(r"^\d+_layout=", "", folder.name)
        assert summary["residents"] == SUBDISTRICTS * POPULATION
        assert not list(folder.glob("residents.*"))
        assert not list(folder.glob("*.png"))


def test_python_m_sim_runs_the_default_district_round(tmp_path: Path) -> None:
    proc = _cli(tmp_path, *NO_FILES)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "Traceback" not in proc.stderr
    out = proc.stdout
    assert "Scenario: district_round" in out
    assert "40 collection points, 8 sub-districts" in out
    assert re.search(r"Residents\s+313,000", out), out[:2000]
    assert "best sub-district day" in out
    assert "Mobile teams (enterprises, whole campaign" in out
    assert re.search(r"4 teams, 137 enterprises, 60,006 employees", out), out[-3000:]
    m = re.search(r"^run folder: (.+)$", out, flags=re.MULTILINE)
    assert m, out[-2000:]
    folder = Path(m.group(1).strip())
    summary = json.loads((folder / "summary.json").read_text())
    assert summary["residents"] == 313_000
    assert summary["points"] == 40
    assert summary["coverage"] >= 0.95
    assert (folder / "config.yaml").is_file()
    assert not list(folder.glob("residents.*"))

"""A city run: districts as tasks, the labs city-wide; conservation, the same results on every
backend, independent districts, the city's figures from every resident, and its run folder."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import sim
from sim.experiment.city import CityResult, city_verdicts, run_city, run_city_replications

CITY = """\
name: small
seed: 4
overrides: [mobile.teams=1, mobile.generate.count=12, samples.prevalence=0.002]
districts:
  - {name: North, residents: 30000, origin_km: [0, 0]}
  - {name: South, residents: 24000, origin_km: [0, 10]}
  - {name: East, residents: 26000, origin_km: [10, 0], overrides: [layout=no_barcodes]}
labs:
  central: {name: Central lab, x_km: 5, y_km: 5, extractors: 1, pcr_machines: 2}
  east: {name: East lab, x_km: 15, y_km: 2, extractors: 1, pcr_machines: 1}
"""


@pytest.fixture(scope="module")
def city_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("city") / "small.yaml"
    path.write_text(CITY, "utf-8")
    return path


@pytest.fixture(scope="module")
def city(city_file: Path) -> sim.config.city.CityConfig:
    return sim.load_city(city_file)


@pytest.fixture(scope="module")
def result(city) -> CityResult:
    return run_city(city, backend="serial")


def test_every_resident_is_tested_or_counted_as_not_tested(result) -> None:
    s = result.summary()
    districts = result.tables()["districts"]
    assert (districts["tested"] + districts["not_tested"] == districts["residents"]).all()
    assert s["tested"] + s["not_tested"] == s["residents"] == 80000
    for d in result.districts:
        ds = d.summary()
        not_tested = ds["balked"] + ds["reneged"] + ds["outside_hours"] + ds["not_served_by_close"]
        assert ds["tested"] + not_tested == ds["residents"]


def test_every_swab_of_the_city_ends_in_a_result_or_a_counted_backlog(result) -> None:
    s = result.summary()
    chain = result.chain
    assert chain is not None
    tested = sum(d.summary()["tested"] for d in result.districts)
    mobile = sum(d.summary()["mobile_sampled"] for d in result.districts)
    assert s["swabs"] == chain.swab_time.size == tested + mobile
    backlog = sum(v for k, v in s.items() if k.startswith("backlog_") and k != "backlog_swabs")
    assert s["resulted"] + s["backlog_swabs"] == s["swabs"]
    assert backlog == s["backlog_swabs"]
    # every swab of every district is followed once
    per_district = result.tables()["districts"]
    assert per_district["swabs"].sum() == s["swabs"]
    assert per_district["resulted"].sum() == s["resulted"]
    assert s["positive_swabs"] > 0 and s["recalled"] > 0


def test_swabs_without_a_result_by_the_horizon_are_counted_by_stage(city_file: Path) -> None:
    # the samples followed for 1 hour after the last point closes: the small labs leave a
    # backlog, every swab of it counted at one stage, and per district
    short = sim.load_city(city_file, ["overrides=[mobile.teams=0, samples.results_horizon_h=1]"])
    s = run_city(short, backend="serial").summary()
    stages = sum(v for k, v in s.items() if k.startswith("backlog_") and k != "backlog_swabs")
    assert s["backlog_swabs"] > 1000
    assert stages == s["backlog_swabs"]
    assert s["resulted"] + s["backlog_swabs"] == s["swabs"] == s["tested"]


def test_the_city_waits_are_every_tested_residents(result) -> None:
    s = result.summary()
    assert result.waits.size == s["tested"]
    assert s["wait_p95_min"] == pytest.approx(np.percentile(result.waits, 95), rel=1e-5)
    assert s["wait_mean_min"] == pytest.approx(float(np.mean(result.waits)), rel=1e-5)
    p95 = [d.summary()["wait_p95_min"] for d in result.districts]
    assert min(p95) - 1e-6 <= s["wait_p95_min"] <= max(p95) + 1e-6
    assert s["worst_district_wait_p95_min"] == pytest.approx(max(p95))


def test_the_tables_cover_every_point_and_lab(result, city) -> None:
    t = result.tables()
    assert len(t["points"]) == city.n_points
    assert set(t["points"]["district"]) == {"North", "South", "East"}
    assert list(t["labs"]["lab"]) == ["Central lab", "East lab"]
    assert t["points"]["arrived"].sum() == result.summary()["arrived"]


def test_a_district_does_not_depend_on_the_others(city_file: Path, result) -> None:
    other = sim.load_city(city_file, ["districts.0.residents=50000", "districts.2.name=West"])
    again = run_city(other, backend="serial")
    south = {k: v for k, v in result.districts[1].summary().items()}
    assert again.districts[1].summary() == south
    assert again.districts[0].summary()["residents"] == 50000


@pytest.mark.slow
def test_the_same_results_serial_and_in_processes(city, result) -> None:
    two = run_city(city, backend="processes", n_jobs=2)
    assert json.dumps(two.summary(), default=str) == json.dumps(result.summary(), default=str)
    assert two.tables()["districts"].equals(result.tables()["districts"])


@pytest.mark.slow
def test_the_same_results_on_ray(city, result) -> None:
    pytest.importorskip("ray")
    on_ray = run_city(city, backend="ray", n_jobs=2)
    assert json.dumps(on_ray.summary(), default=str) == json.dumps(result.summary(), default=str)


def test_replications_differ_and_are_judged(city) -> None:
    results = run_city_replications(city, 2, backend="serial")
    a, b = (r.summary() for r in results)
    assert a["replication"] == 0 and b["replication"] == 1
    assert a["wait_mean_min"] != b["wait_mean_min"]
    verdicts = city_verdicts(results)
    assert [v.target.metric for v in verdicts] == [t.metric for t in city.chain.targets]
    assert all(v.n == 2 for v in verdicts)


def test_bad_calls_are_named(city) -> None:
    with pytest.raises(ValueError, match="n_jobs"):
        run_city(city, n_jobs=0)
    with pytest.raises(ValueError, match="replications"):
        run_city_replications(city, 0)
    with pytest.raises(TypeError, match="load_city"):
        run_city(sim.load_config())  # type: ignore[arg-type]


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sim", "city", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=300,
    )


def test_the_command_line_writes_the_city_folder(city_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "run"
    done = _cli(str(city_file), "--out", str(out), "--jobs", "2", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "city small: 3 districts" in done.stdout
    names = {p.name for p in out.iterdir()}
    assert {
        "city.yaml",
        "districts.csv",
        "points.csv",
        "hours.csv",
        "labs.csv",
        "lab_backlog.csv",
        "targets.csv",
        "summary.json",
        "districts.png",
        "point_waits.png",
        "city_map.png",
        "lab_load.png",
    } <= names
    summary = json.loads((out / "summary.json").read_text())
    assert summary["replications"][0]["residents"] == 80000
    # the folder's city.yaml runs again, to the same summary
    again = tmp_path / "again"
    redo = _cli(str(out / "city.yaml"), "--out", str(again), "--no-figures", cwd=tmp_path)
    assert redo.returncode == 0, redo.stderr
    assert (
        json.loads((again / "summary.json").read_text())["replications"] == summary["replications"]
    )
    # never over another run's files
    taken = _cli(str(city_file), "--out", str(out), "--no-figures", cwd=tmp_path)
    assert taken.returncode == 2
    assert "already exists" in taken.stderr and "Traceback" not in taken.stderr


def test_the_command_line_gate_and_bad_input(city_file: Path, tmp_path: Path) -> None:
    out = str(tmp_path / "a")
    gate = _cli(str(city_file), "--check", "--no-figures", "--out", out, cwd=tmp_path)
    assert gate.returncode == 1  # one replication: every target undecided
    ok = _cli(
        str(city_file),
        "--check",
        "--accept-undecided",
        "--no-figures",
        "targets=[{metric: coverage, op: '>=', value: 0.5}]",
        "--out",
        str(tmp_path / "b"),
        cwd=tmp_path,
    )
    assert ok.returncode == 0, ok.stderr
    for args, field in (
        (["districts.0.residents=-1"], "districts.0.residents"),
        (["--jobs", "0"], "--jobs"),
        (["--backend", "spark"], "--backend"),
        (["districts.9.name=x"], "districts.9.name"),
    ):
        bad = _cli(str(city_file), *args, cwd=tmp_path)
        assert bad.returncode == 2, (args, bad.stderr)
        assert field in bad.stderr and "Traceback" not in bad.stderr
    assert not (tmp_path / "outputs").exists()  # nothing written for bad input

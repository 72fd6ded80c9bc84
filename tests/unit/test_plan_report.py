"""The plan folder on disk: :func:`sim.plots.plan_report.write_plan` and the staffing figures.

One staffing plan of the busy point (6 planning replications, verified with 4 of each
layout) is made once for the module and written once; the tests read that folder. A plan
folder follows a run folder's rules: every file written completely, ``summary.json`` (strict
JSON) last, nothing ever overwritten; its ``config.yaml`` runs the planned layout as is and its
``roster.yaml`` applies the plan as a layout of the scenario.
"""

from __future__ import annotations

import dataclasses
import json
import math
import shutil
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pandas as pd
import pytest
import yaml
from matplotlib.figure import Figure

import sim
from sim.planning.plan import StaffingPlan, plan_staffing
from sim.plots.plan_report import (
    DISTRICT_FIGURE,
    current_staffing,
    figure_files,
    person_hours_table,
    write_plan,
)
from sim.plots.report import RunFolderError
from sim.plots.staffing_figures import district_staffing_figure, point_staffing_figure
from tests.cli_helpers import sim_cli

Loader = Callable[..., sim.ScenarioConfig]
POINT = "Central square"
VERIFY = 4
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def plan(load_config: Loader) -> StaffingPlan:
    config = load_config("scenario=busy_point")
    return plan_staffing(config, replications=6, verify_replications=VERIFY, n_jobs=1)


@pytest.fixture(scope="module")
def written(
    plan: StaffingPlan, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, list[Path]]:
    folder = tmp_path_factory.mktemp("plan") / "plan_folder"
    return folder, write_plan(plan, folder, command="masstest-sim plan scenario=busy_point")


def strict_json(text: str) -> Any:
    def refuse(token: str) -> None:
        raise ValueError(f"not strict JSON: {token}")

    return json.loads(text, parse_constant=refuse)


def files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


# --------------------------------------------------------------------------------------------
# The files


def test_every_file_is_written_with_the_summary_last(written: tuple[Path, list[Path]]) -> None:
    folder, paths = written
    names = [p.name for p in paths]
    assert names[-1] == "summary.json"
    assert set(names) == {
        "plan.csv",
        "roster.yaml",
        "config.yaml",
        "staffing_Central_square.png",
        DISTRICT_FIGURE,
        "verification.csv",
        "targets.csv",
        "plan.html",
        "summary.json",
    }
    assert sorted(names) == sorted(files(folder))  # nothing else, no temporary file left
    assert all(p.parent == folder and p.stat().st_size > 0 for p in paths)


def test_summary_is_strict_json_with_both_layouts_verdicts(
    plan: StaffingPlan, written: tuple[Path, list[Path]]
) -> None:
    summary = strict_json((written[0] / "summary.json").read_text("utf-8"))
    for key, value in plan.summary().items():
        assert summary[key] == pytest.approx(value), key
    assert summary["verified"] is True
    assert summary["verification_replications"] == {"current": VERIFY, "planned": VERIFY}
    verdicts = plan.verdicts()
    for layout in ("current", "planned"):
        got = [(t["target"], t["verdict"]) for t in summary["targets"][layout]]
        assert got == [(v.target.label, v.verdict) for v in verdicts[layout]]


def test_summary_writes_nan_as_null(plan: StaffingPlan, tmp_path: Path) -> None:
    odd = dataclasses.replace(plan, levels={**plan.levels, "wait_mean_min": math.nan})
    write_plan(odd, tmp_path)
    summary = strict_json((tmp_path / "summary.json").read_text("utf-8"))
    assert summary["level_wait_mean_min"] is None
    assert summary["levels"]["wait_mean_min"] is None


def test_plan_csv_has_a_row_per_point_role_and_slot(
    plan: StaffingPlan, written: tuple[Path, list[Path]]
) -> None:
    table = pd.read_csv(written[0] / "plan.csv")
    assert list(table.columns) == [
        "point", "role", "day", "hour", "arrivals", "required", "rostered"
    ]  # fmt: skip
    expected = sum(len(req.stages) * req.slots.n for req in plan.requirements)
    assert len(table) == expected == len(plan.table())
    assert len(table.drop_duplicates(["point", "role", "day", "hour"])) == expected
    assert set(table["point"]) == {POINT}
    assert set(table["role"]) == {"registration", "swab"}
    covered = table[table["rostered"] > 0]
    assert len(covered) == len(table)  # the roster covers every slot of the busy point
    assert (covered["required"] <= covered["rostered"]).all()
    pd.testing.assert_frame_equal(table, plan.table(), check_dtype=False)


def test_roster_yaml_names_each_point_and_applies_as_a_layout(
    plan: StaffingPlan, written: tuple[Path, list[Path]], tmp_path: Path
) -> None:
    text = (written[0] / "roster.yaml").read_text("utf-8")
    assert text.startswith("# @package _global_\n")
    assert "layout=planned_roster" in text  # how to use it
    data = yaml.safe_load(text)
    site = data["site"]
    planned = plan.config.points[0]
    assert site["name"] == POINT
    assert site["registration_desks"] == planned.registration_desks
    assert site["swab_booths"] == planned.swab_booths
    assert set(site["staffing"]) == {"registration", "swab"}
    layout = tmp_path / "layout"
    layout.mkdir()
    shutil.copy(written[0] / "roster.yaml", layout / "planned_roster.yaml")
    config = sim.load_config(["scenario=busy_point", "layout=planned_roster"], config_dir=tmp_path)
    assert config.points == plan.config.points


def test_config_yaml_rebuilds_the_planned_config(
    plan: StaffingPlan, written: tuple[Path, list[Path]]
) -> None:
    config = sim.load_config(config_dir=written[0])
    for got, want in zip(config.points, plan.config.points, strict=True):
        assert got.staffing == want.staffing
        assert got.swab_booths == want.swab_booths
        assert got.registration_desks == want.registration_desks
    assert config == plan.config


def test_config_yaml_runs_from_the_command_line(
    plan: StaffingPlan, written: tuple[Path, list[Path]], tmp_path: Path
) -> None:
    run_dir = tmp_path / "run"
    proc = sim_cli(
        tmp_path,
        "--config-dir",
        str(written[0]),
        f"hydra.run.dir={run_dir}",
        "output.figures=false",
        "output.residents_table=false",
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    summary = strict_json((run_dir / "summary.json").read_text("utf-8"))
    assert summary["scenario"] == plan.config.name
    ran = sim.load_config(config_dir=run_dir)
    assert ran.points == plan.config.points
    # the planned layout's first replication, as verified
    assert summary["wait_p95_min"] == pytest.approx(
        (plan.verification or {})["planned"][0].summary()["wait_p95_min"]
    )


def test_a_second_write_is_refused_and_changes_nothing(
    plan: StaffingPlan, written: tuple[Path, list[Path]]
) -> None:
    folder = written[0]
    before = files(folder)
    with pytest.raises(RunFolderError, match="already holds") as err:
        write_plan(plan, folder)
    assert "\n" not in str(err.value)
    assert files(folder) == before


def test_figures_are_png_files(written: tuple[Path, list[Path]]) -> None:
    pngs = [p for p in written[1] if p.suffix == ".png"]
    assert {p.name for p in pngs} == {"staffing_Central_square.png", DISTRICT_FIGURE}
    for p in pngs:
        assert p.read_bytes().startswith(PNG_MAGIC)


def test_verification_and_targets_csv(plan: StaffingPlan, written: tuple[Path, list[Path]]) -> None:
    folder = written[0]
    runs = pd.read_csv(folder / "verification.csv")
    assert list(runs["layout"]) == ["current"] * VERIFY + ["planned"] * VERIFY
    assert list(runs["replication"]) == list(range(VERIFY)) * 2
    hours = plan.person_hours()
    for layout in ("current", "planned"):
        assert (runs.loc[runs["layout"] == layout, "person_hours"] == hours[layout]).all()
    for t in plan.current.judged_targets:
        assert t.metric in runs.columns
    first = (plan.verification or {})["planned"][0].summary()
    assert runs.loc[VERIFY, "wait_p95_min"] == pytest.approx(first["wait_p95_min"])
    targets = pd.read_csv(folder / "targets.csv")
    verdicts = plan.verdicts()
    assert list(targets["layout"]) == ["current"] * len(verdicts["current"]) + ["planned"] * len(
        verdicts["planned"]
    )
    assert list(targets["verdict"]) == [v.verdict for vs in verdicts.values() for v in vs]


def test_plan_html_is_self_contained_with_the_verdict_table(
    plan: StaffingPlan, written: tuple[Path, list[Path]]
) -> None:
    page = (written[0] / "plan.html").read_text("utf-8")
    assert page.startswith("<!DOCTYPE html>")
    assert '<table class="verdicts">' in page
    assert "current: verdict" in page and "planned: verdict" in page
    for vs in plan.verdicts().values():
        for v in vs:
            assert v.target.label.replace(">", "&gt;").replace("<", "&lt;") in page
    assert page.count("data:image/png;base64,") == 2
    assert "<script" not in page and "http://" not in page and "https://" not in page
    assert "masstest-sim plan scenario=busy_point" in page
    hours = plan.person_hours()
    assert f"{hours['current']:,.0f}" in page and f"{hours['planned']:,.0f}" in page
    assert POINT in page and "ISA P(wait)" in page


def test_an_unverified_plan_writes_no_verdicts(plan: StaffingPlan, tmp_path: Path) -> None:
    bare = dataclasses.replace(plan, verification=None)
    names = [p.name for p in write_plan(bare, tmp_path)]
    assert "verification.csv" not in names and "targets.csv" not in names
    assert names[-1] == "summary.json"
    summary = strict_json((tmp_path / "summary.json").read_text("utf-8"))
    assert summary["verified"] is False and summary["targets"] == {}
    assert "not verified" in (tmp_path / "plan.html").read_text("utf-8")


# --------------------------------------------------------------------------------------------
# Figures and the tables behind them


def test_point_figure_has_a_panel_per_day_and_refuses_an_unknown_point(
    plan: StaffingPlan,
) -> None:
    fig = point_staffing_figure(plan, POINT)
    assert isinstance(fig, Figure)
    days = plan.current.campaign.round_days
    assert sum(ax.get_visible() for ax in fig.axes) == 2 * days  # staff axis + arrivals axis
    with pytest.raises(ValueError, match="no point 'Nowhere'"):
        point_staffing_figure(plan, "Nowhere")


def test_district_figure_and_person_hours_add_up(plan: StaffingPlan) -> None:
    fig = district_staffing_figure(plan)
    assert isinstance(fig, Figure)
    hours = person_hours_table(plan)
    totals = plan.person_hours()
    assert hours["current"].sum() == pytest.approx(totals["current"])
    assert hours["planned"].sum() == pytest.approx(totals["planned"])


def test_current_staffing_is_the_current_roster(plan: StaffingPlan) -> None:
    steps = current_staffing(plan, POINT)
    site = plan.current.points[0]
    assert set(steps["role"]) == {"registration", "swab"}
    assert steps.loc[steps["role"] == "swab", "open"].max() <= site.swab_booths
    assert steps.loc[steps["role"] == "registration", "open"].max() <= site.registration_desks
    assert (steps["end_h"] > steps["start_h"]).all()


def test_figure_files_are_file_safe_and_distinct() -> None:
    fake = SimpleNamespace(
        requirements=[SimpleNamespace(name=n) for n in ("A/B", "A B", "district", "..", "Ü 1")]
    )
    names = figure_files(fake)  # type: ignore[arg-type]
    assert list(names.values()) == [
        "staffing_A_B.png",
        "staffing_A_B_2.png",
        "staffing_district_2.png",
        "staffing_point.png",
        "staffing_Ü_1.png",
    ]

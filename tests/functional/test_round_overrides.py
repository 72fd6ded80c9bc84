"""``layout=extra_booth_from_round2`` (the twelve-day campaign with one more swab booth at
every point from round 2, through ``campaign.round_overrides``) changes rounds 2 and 3 only:
with the same seed its round 1 is ``layout=three_rounds``' round 1 to the last resident, and
rounds 2 and 3 have more swabbers and shorter waits. The outputs follow each round's points
(staff by round), and the run folder's ``config.yaml`` rebuilds the rounds as they ran.

The whole district (313,000 residents a round, 40 points) so that lines form; the mobile teams
are switched off to keep the two runs short.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pandas as pd
import pytest
import yaml

import sim
from sim.experiment.result import RESIDENT_COLUMNS
from sim.metrics.district import summarise_round
from sim.plots.report import format_summary, write_run

pytestmark = pytest.mark.slow

SEED = 5
COMMON = ("mobile.teams=0",)


@pytest.fixture(scope="module")
def three() -> sim.RunResult:
    return sim.run(sim.load_config(["layout=three_rounds", *COMMON]), seed=SEED)


@pytest.fixture(scope="module")
def extra() -> sim.RunResult:
    return sim.run(sim.load_config(["layout=extra_booth_from_round2", *COMMON]), seed=SEED)


def _round(result: sim.RunResult, k: int) -> pd.DataFrame:
    """Round ``k``'s residents at the points (the sample chain's columns are the campaign's:
    tubes are numbered over every round)."""
    df = result.residents
    return df.loc[df["round"] == k, list(RESIDENT_COLUMNS)].reset_index(drop=True)


def test_round_1_is_three_rounds_round_1(three: sim.RunResult, extra: sim.RunResult) -> None:
    assert summarise_round(extra.rounds[0]) == summarise_round(three.rounds[0])
    pd.testing.assert_frame_equal(_round(extra, 1), _round(three, 1))
    a, b = three.summary(), extra.summary()
    for key in ("residents", "tested", "coverage", "wait_mean_min", "wait_p95_min"):
        assert a[key] == b[key], key  # the unprefixed metrics are round 1's
    for name in ("points", "hours", "staff"):
        ta, tb = three.tables()[name], extra.tables()[name]
        pd.testing.assert_frame_equal(
            tb[tb["round"] == 1].reset_index(drop=True), ta[ta["round"] == 1].reset_index(drop=True)
        )


@pytest.mark.parametrize("k", [2, 3])
def test_later_rounds_have_shorter_waits(
    three: sim.RunResult, extra: sim.RunResult, k: int
) -> None:
    a, b = three.summary(), extra.summary()
    assert b[f"round{k}_wait_mean_min"] < 0.5 * a[f"round{k}_wait_mean_min"]
    assert b[f"round{k}_wait_p95_min"] < 0.5 * a[f"round{k}_wait_p95_min"]
    assert b[f"round{k}_residents"] == a[f"round{k}_residents"]  # the same residents
    assert b[f"round{k}_coverage"] >= a[f"round{k}_coverage"] - 0.001
    # the same residents come at the same times: only the booths differ
    ra, rb = _round(three, k), _round(extra, k)
    assert (ra["site"] == rb["site"]).all()
    assert (ra["first_arrival_min"] == rb["first_arrival_min"]).all()


def test_the_staff_follow_each_rounds_booths(three: sim.RunResult, extra: sim.RunResult) -> None:
    """One swabber per booth: 40 more swabbers a shift from round 2, per the staff table."""
    staff = extra.tables()["staff"]
    base = three.tables()["staff"]
    swab = staff[staff["role"] == "swab"].set_index(["round", "day", "shift"])["staff"]
    was = base[base["role"] == "swab"].set_index(["round", "day", "shift"])["staff"]
    diff = (swab - was).groupby(level="round").unique()
    assert [list(d) for d in diff] == [[0], [40], [40]]
    points = extra.tables()["points"]
    per_round = points.groupby("round")["staff_swab"].sum()
    assert per_round[2] == per_round[3] > per_round[1]


def test_the_run_folder_rebuilds_its_rounds(extra: sim.RunResult, tmp_path: Path) -> None:
    cfg = extra.config
    quiet = dataclasses.replace(
        cfg, output=dataclasses.replace(cfg.output, figures=False, residents_table=False)
    )
    write_run(tmp_path, quiet, [extra])
    again = sim.build_config(yaml.safe_load((tmp_path / "config.yaml").read_text()))
    assert [again.round_config(k) for k in range(3)] == [
        dataclasses.replace(cfg.round_config(k), output=quiet.output) for k in range(3)
    ]
    text = format_summary([extra])
    assert "3 rounds" in text

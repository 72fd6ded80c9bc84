"""The mobile teams in a run's outputs: text summary, tables, figure."""

from __future__ import annotations

import numpy as np
import pytest

import sim
from sim.plots.mobile_figures import mobile_teams_figure
from sim.plots.report import format_summary

SMALL_TEAMS = (
    "scenario=busy_point",
    "campaign.start_days=[1,3]",
    "mobile.teams=2",
    "mobile.swabbers_per_team=2",
    "mobile.generate.count=12",
    "mobile.generate.zones=3",
    "mobile.generate.workforce_mean=40",
    "mobile.screening.every_days=1",
)


@pytest.fixture(scope="module")
def results() -> list[sim.RunResult]:
    cfg = sim.load_config(list(SMALL_TEAMS))
    return sim.run_replications(cfg, 2, seed=5, n_jobs=1)


def test_summary_text_has_the_mobile_section_by_round(results: list[sim.RunResult]) -> None:
    s = results[0].summary()
    text = format_summary(results[:1])
    assert "Mobile teams (enterprises, whole campaign" in text
    assert f"{s['mobile_sampled']:,} of {s['mobile_due']:,} employee samples due" in text
    assert "samples by round: round 1: " in text and "round 2: " in text
    # the campaign is 3 days (rounds on days 1 and 3): day 2 is between rounds
    assert s["mobile_between_rounds_sampled"] > 0
    assert "between rounds: " in text


def test_tables_have_a_row_per_screening_and_per_team_and_round(
    results: list[sim.RunResult],
) -> None:
    r = results[0]
    assert r.mobile is not None
    tables = r.tables()
    screenings = tables["screenings"]
    assert len(screenings) == r.mobile.visits == 12 * 3  # 12 firms, daily, 3 days
    assert sorted(screenings["round"].unique()) == [0, 1, 2]  # 0: between rounds (day 2)
    assert (screenings.loc[screenings["due_day"] == 2, "round"] == 0).all()
    assert screenings["sampled"].sum() == r.summary()["mobile_sampled"]
    teams = tables["mobile_teams"]
    assert set(teams["team"]) == {1, 2}
    assert teams["sampled"].sum() == r.summary()["mobile_sampled"]


def test_mobile_figure_stacks_the_teams_per_day(results: list[sim.RunResult]) -> None:
    fig = mobile_teams_figure(results)
    ax = fig.axes[0]
    days = results[0].config.campaign.last_day
    bars = [p for p in ax.patches if p.get_width() == pytest.approx(0.8)]
    assert len(bars) == 2 * days  # one bar per team and day
    # the stacked heights add up to the mean employees swabbed per day
    heights = np.zeros(days)
    for p in bars:
        heights[round(p.get_x() + p.get_width() / 2) - 1] += p.get_height()
    assert heights.sum() == pytest.approx(np.mean([r.summary()["mobile_sampled"] for r in results]))
    assert "employee samples over the campaign" in ax.get_title()


def test_mobile_figure_needs_mobile_teams() -> None:
    r = sim.run(sim.load_config(["scenario=busy_point"]), seed=1)
    with pytest.raises(ValueError, match="mobile teams"):
        mobile_teams_figure(r)

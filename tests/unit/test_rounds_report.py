"""Every round of a campaign reported: per-round summary keys, campaign totals, the rounds table,
the text report's per-round table, faceted figures, the campaign figure and report.html; and a
single round looks as before."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

import sim
from sim.experiment.result import RunResult
from sim.metrics.district import CAMPAIGN_METRICS, ROUND_METRICS, campaign_day_tests
from sim.plots.html_report import run_report_html
from sim.plots.report import _figure_makers, _png_bytes, format_summary

dfg = importlib.import_module("sim.plots.district_figures")

# A small district (4 of the default points, 2 sub-districts, 1,600 residents) with two 2-day
# rounds starting on campaign days 1 and 4 (day 3 has no round).
SMALL = """# @package _global_
name: small_campaign
sites:
  - {name: "Jianning 1", type: standard}
  - {name: "Jianning 2", type: community}
  - {name: "Longquan 1", type: standard}
  - {name: "Longquan 2", type: community, open: "09:00", close: "17:00"}
subdistricts:
  - name: Jianning
    population: 900
    catchment: [{site: "Jianning 1", share: 0.6}, {site: "Jianning 2", share: 0.4}]
  - name: Longquan
    population: 700
    catchment: [{site: "Longquan 1", share: 0.7}, {site: "Longquan 2", share: 0.3}]
mobile: {teams: 0}
campaign: {round_days: 2, start_days: [1, 4]}
"""
ROUNDS = 2
START_DAYS = (1, 4)
RESIDENTS = 1600

Results = tuple[sim.ScenarioConfig, list[RunResult]]


@pytest.fixture(scope="module")
def config(tmp_path_factory: pytest.TempPathFactory) -> sim.ScenarioConfig:
    config_dir = tmp_path_factory.mktemp("campaign_cfg")
    (config_dir / "scenario").mkdir()
    (config_dir / "scenario" / "small.yaml").write_text(SMALL)
    return sim.load_config(config_dir=config_dir, overrides=["scenario=small"])


@pytest.fixture(scope="module")
def campaign(config: sim.ScenarioConfig) -> RunResult:
    return sim.run(config, seed=5)


@pytest.fixture(scope="module")
def replications(config: sim.ScenarioConfig) -> list[RunResult]:
    return sim.run_replications(config, 2, seed=5)


@pytest.fixture(scope="module")
def point_campaign(load_config: Callable[..., sim.ScenarioConfig]) -> RunResult:
    """One busy point, two one-day rounds (campaign days 1 and 3)."""
    cfg = load_config("scenario=busy_point", "demand.residents=300", "campaign.start_days=[1,3]")
    return sim.run(cfg, seed=4)


# --------------------------------------------------------------------------------------------
# Summary and tables


def test_summary_has_each_rounds_figures_from_its_residents(campaign: RunResult) -> None:
    s = campaign.summary()
    assert s["rounds"] == ROUNDS
    df = campaign.residents
    for k, start in zip(range(1, ROUNDS + 1), START_DAYS, strict=True):
        mine = df[df["round"] == k]
        tested = mine["outcome"] == "tested"
        waits = mine.loc[tested, "wait_min"].to_numpy(dtype=float)
        assert s[f"round{k}_start_day"] == start
        assert s[f"round{k}_days"] == 2
        assert s[f"round{k}_residents"] == len(mine) == RESIDENTS
        assert s[f"round{k}_tested"] == int(tested.sum())
        assert s[f"round{k}_coverage"] == pytest.approx(tested.sum() / len(mine))
        assert s[f"round{k}_wait_mean_min"] == pytest.approx(waits.mean())
        assert s[f"round{k}_wait_p95_min"] == pytest.approx(np.percentile(waits, 95))
        assert s[f"round{k}_wait_max_min"] == pytest.approx(waits.max())
        last = float(mine.loc[tested, "swab_end_min"].max())
        assert s[f"round{k}_last_tested_min"] == pytest.approx(last)
        assert s[f"round{k}_finish_min"] == pytest.approx(1440.0 * (start - 1) + last)
        assert s[f"round{k}_finish_clock"] == dfg.day_clock(1440.0 * (start - 1) + last)
        points = campaign.tables()["points"]
        assert (
            s[f"round{k}_longest_queue"] == points.loc[points["round"] == k, "longest_queue"].max()
        )
        assert set(s) >= {f"round{k}_{key}" for key in ROUND_METRICS}
    # the two rounds are different draws
    assert s["round1_wait_mean_min"] != s["round2_wait_mean_min"]
    # the unprefixed keys stay round 1's
    for key in ("residents", "tested", "coverage", "wait_mean_min", "wait_p95_min"):
        assert s[key] == s[f"round1_{key}"], key
    assert s["longest_queue"] == s["round1_longest_queue"]
    assert s["last_tested_min"] == s["round1_last_tested_min"]


def test_campaign_totals_add_up(campaign: RunResult) -> None:
    s = campaign.summary()
    assert set(CAMPAIGN_METRICS) <= set(s)
    df = campaign.residents
    assert s["campaign_residents"] == len(df) == ROUNDS * RESIDENTS
    assert s["campaign_tested"] == sum(s[f"round{k}_tested"] for k in range(1, ROUNDS + 1))
    assert s["campaign_tested"] == int((df["outcome"] == "tested").sum())
    assert s["campaign_coverage"] == pytest.approx(s["campaign_tested"] / s["campaign_residents"])
    assert s["campaign_days"] == START_DAYS[-1] + 2 - 1
    assert s["campaign_finish_min"] == max(s[f"round{k}_finish_min"] for k in range(1, 3))


def test_rounds_table_has_a_row_per_round(campaign: RunResult) -> None:
    s = campaign.summary()
    table = campaign.tables()["rounds"]
    assert list(table.columns) == ["round", *ROUND_METRICS]
    assert table["round"].tolist() == [1, 2]
    for _, row in table.iterrows():
        for key in ROUND_METRICS:
            assert row[key] == s[f"round{row['round']}_{key}"], key


def test_tests_per_campaign_day_by_round(campaign: RunResult) -> None:
    days, counts = campaign_day_tests(campaign.rounds)
    assert days[0] == 1 and days.size >= START_DAYS[-1] + 1
    assert counts.shape == (ROUNDS, days.size)
    df = campaign.residents
    tested = df[df["outcome"] == "tested"]
    for k, start in zip(range(1, ROUNDS + 1), START_DAYS, strict=True):
        mine = tested[tested["round"] == k]
        day = start + np.floor(mine["swab_end_min"].to_numpy() / 1440.0).astype(int)
        assert counts[k - 1].tolist() == [int(np.sum(day == d)) for d in days]
        assert counts[k - 1].sum() == campaign.summary()[f"round{k}_tested"]
    # round 1 tests nobody on round 2's days, and nobody is tested on day 3
    assert counts[0, START_DAYS[1] - 1 :].sum() == 0
    assert counts[:, 2].sum() == 0


def test_queue_length_and_point_of_a_later_round(campaign: RunResult) -> None:
    run = campaign.rounds[1]
    point = campaign.point("Longquan 2", round=2)
    assert point is next(p for p in run.points if p.name == "Longquan 2")
    times = np.arange(6 * 60, 22 * 60, 30.0)
    second = campaign.queue_length(times, site="Longquan 2", round=2)
    first = campaign.queue_length(times, site="Longquan 2")
    assert np.array_equal(first, campaign.queue_length(times, site="Longquan 2", round=1))
    assert not np.array_equal(first, second)
    with pytest.raises(ValueError, match="round"):
        campaign.queue_length(times, round=3)
    with pytest.raises(ValueError, match="round"):
        campaign.point("Longquan 2", round=0)


# --------------------------------------------------------------------------------------------
# The text summary


def _round_rows(text: str) -> list[str]:
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("Rounds of the campaign"))
    rows = []
    for line in lines[start + 2 :]:
        if not line.strip() or line.strip().startswith("("):
            break
        rows.append(line)
    return rows


def test_text_summary_has_a_row_per_round_and_the_campaign(campaign: RunResult) -> None:
    s = campaign.summary()
    text = format_summary([campaign])
    assert "figures below: round 1" not in text
    rows = _round_rows(text)
    assert len(rows) == ROUNDS + 1
    for k, row in enumerate(rows[:-1], start=1):
        cells = row.split()
        assert cells[0] == str(k)
        assert cells[1] == f"{START_DAYS[k - 1]}-{START_DAYS[k - 1] + 1}"
        assert cells[2] == f"{s[f'round{k}_residents']:,}"
        assert cells[3] == f"{s[f'round{k}_tested']:,}"
        assert cells[4] == f"{s[f'round{k}_coverage']:.1%}"
        assert cells[5] == f"{s[f'round{k}_wait_mean_min']:.1f}"
        assert row.endswith(s[f"round{k}_finish_clock"])
    total = rows[-1].split()
    assert total[0] == "campaign"
    assert total[1:4] == [
        f"{s['campaign_residents']:,}",
        f"{s['campaign_tested']:,}",
        f"{s['campaign_coverage']:.1%}",
    ]
    assert "Round 1 in detail" in text
    # the points, hours and staff sections cover every round, with a round column
    assert "Points with the longest mean wait, all 2 rounds" in text
    assert "Staff utilisation by round, role and shift" in text
    staff = text.split("Staff utilisation by round, role and shift")[1].split("\n\n")[0]
    rows = staff.splitlines()[2:]
    assert rows and {line.split()[0] for line in rows} == {"1", "2"}


def test_text_summary_of_replications_shows_means(replications: list[RunResult]) -> None:
    text = format_summary(replications)
    assert "means of 2 replications" in text
    rows = _round_rows(text)
    assert len(rows) == ROUNDS + 1
    mean = np.mean([r.summary()["round2_tested"] for r in replications])
    assert rows[1].split()[3] == f"{mean:,.0f}"


def test_single_round_has_no_per_round_section(
    busy: tuple[sim.ScenarioConfig, list[RunResult]],
) -> None:
    config, results = busy
    (result,) = results
    s = result.summary()
    assert not any(k.startswith(("round", "campaign_")) for k in s)
    assert "rounds" not in result.tables()
    text = format_summary(results)
    assert "Rounds of the campaign" not in text and "Round 1" not in text
    assert "rounds" not in text and "campaign day" not in text
    page = run_report_html(config, results, [], {}, [], version="test")
    assert "Rounds of the campaign" not in page and "Round 1:" not in page
    names = [name for name, _ in _figure_makers(config, results)]
    assert "campaign_tests.png" not in names


# --------------------------------------------------------------------------------------------
# Figures


def test_figure_makers_draw_a_file_per_figure(
    config: sim.ScenarioConfig, campaign: RunResult, tmp_path: Path
) -> None:
    makers = _figure_makers(config, [campaign])
    names = [name for name, _ in makers]
    assert names[:5] == [
        "campaign_tests.png",
        "queue_heatmap.png",
        "waits_by_lane.png",
        "coverage.png",
        "staff_utilisation.png",
    ]
    assert len(set(names)) == len(names)
    for name, make in makers:
        fig = make()
        assert isinstance(fig, Figure)
        fig.savefig(tmp_path / name, dpi=40)  # a low resolution: fast, still a real drawing
    assert sorted(p.name for p in tmp_path.glob("*.png")) == sorted(names)
    assert all((tmp_path / name).stat().st_size > 5_000 for name in names)


def test_district_figures_have_a_panel_per_round(campaign: RunResult) -> None:
    for fig in (
        dfg.queue_heatmap_figure(campaign),
        dfg.waits_by_lane_figure(campaign),
        dfg.staff_utilisation_figure(campaign),
    ):
        panels = fig.subfigs
        assert len(panels) == ROUNDS
        titles = [p.get_suptitle() or p.axes[0].get_title() for p in panels]
        for k, title in enumerate(titles, start=1):
            assert title.startswith(f"Round {k} (campaign days {START_DAYS[k - 1]}-"), title
        assert "2 rounds" in fig.get_suptitle()
    # one round asked for: the figure of that round alone, as before
    one = dfg.waits_by_lane_figure(campaign, round=2)
    assert not one.subfigs and "round 2 (from campaign day 4)" in one.get_suptitle()
    assert list(dfg.district_figure_set(campaign, round=1)) == list(
        dfg.district_figure_set(campaign)
    )


def test_heatmap_panels_share_one_colour_scale(campaign: RunResult) -> None:
    fig = dfg.queue_heatmap_figure(campaign)
    images = [ax.images[0] for ax in fig.axes if ax.images]
    assert len(images) == ROUNDS
    peak = max(np.nanmax(dfg.queue_heatmap_data(campaign, k).values) for k in (1, 2))
    assert {im.get_clim() for im in images} == {(0.0, max(float(peak), 1.0))}


def test_coverage_figure_has_a_curve_per_round(
    campaign: RunResult, replications: list[RunResult]
) -> None:
    s = campaign.summary()
    fig = dfg.coverage_figure(campaign)
    ax, ax_bar = fig.axes[:2]
    curves = [line for line in ax.get_lines() if line.get_label().startswith("round ")]
    assert len(curves) == ROUNDS
    for k, line in enumerate(curves, start=1):
        assert np.asarray(line.get_ydata())[-1] == pytest.approx(s[f"round{k}_coverage"])
        assert f"{s[f'round{k}_coverage']:.1%}" in line.get_label()
    bars = [p for p in ax_bar.patches if isinstance(p, Rectangle)]
    assert len(bars) == ROUNDS * 4  # a bar per reason and round
    df = campaign.residents
    outside = [int(((df["round"] == k) & (df["outcome"] == "outside_hours")).sum()) for k in (1, 2)]
    assert [b.get_width() for b in bars[2::4]] == outside
    # over replications: a mean curve and a band per round
    over = dfg.coverage_figure_over(replications)
    ax = over.axes[0]
    means = [line for line in ax.get_lines() if line.get_label().startswith("round ")]
    assert len(means) == ROUNDS and len(ax.collections) >= ROUNDS
    expected = np.mean([r.summary()["round2_coverage"] for r in replications])
    assert np.asarray(means[1].get_ydata())[-1] == pytest.approx(expected)


def test_campaign_tests_figure_stacks_the_rounds(campaign: RunResult) -> None:
    days, counts = campaign_day_tests(campaign.rounds)
    fig = dfg.campaign_tests_figure(campaign)
    ax = fig.axes[0]
    bars = [p for p in ax.patches if isinstance(p, Rectangle)]
    shown = [d for d in days if counts[:, d - 1].sum() > 0 or d in (1, 2, 4, 5)]
    assert 3 not in shown  # the day between the rounds is left out
    assert len(bars) == ROUNDS * len(shown)
    heights = np.array([b.get_height() for b in bars]).reshape(ROUNDS, len(shown))
    assert heights.tolist() == counts[:, [d - 1 for d in shown]].tolist()
    assert [t.get_text() for t in ax.get_xticklabels()] == [f"day {d}" for d in shown]
    assert any(t.get_text() == "day 3" for t in ax.texts)  # the gap is marked
    _png_bytes(fig)
    # over replications: means, with whiskers on each day's total
    fig = dfg.campaign_tests_figure([campaign, campaign])
    assert fig.axes[0].collections  # the error bars
    _png_bytes(fig)


def test_one_point_figures_have_a_panel_per_round(point_campaign: RunResult) -> None:
    config = point_campaign.config
    names = [name for name, _ in _figure_makers(config, [point_campaign])]
    assert names[:4] == [
        "campaign_tests.png",
        "queue_length.png",
        "wait_distribution.png",
        "utilisation.png",
    ]
    for make, per_row in (
        (sim.plots.queue_length_figure, 1),
        (sim.plots.wait_distribution_figure, 2),
        (sim.plots.utilisation_figure, 1),
    ):
        fig = make(point_campaign)
        assert len(fig.axes) == ROUNDS * per_row
        assert fig.axes[0].get_title().startswith("Round 1 (from campaign day 1): ")
        assert fig.axes[per_row].get_title().startswith("Round 2 (from campaign day 3): ")
        one = make(point_campaign, round=2)
        assert len(one.axes) == per_row
    text = format_summary([point_campaign])
    assert len(_round_rows(text)) == ROUNDS + 1


# --------------------------------------------------------------------------------------------
# report.html


def test_report_html_has_the_rounds_table(
    config: sim.ScenarioConfig, replications: list[RunResult]
) -> None:
    page = run_report_html(config, replications, [], {"coverage.png": b"png"}, [], version="t")
    section = page.split("<h3>Rounds of the campaign</h3>")[1].split("</table>")[0]
    rows = section.split("<tbody>")[1].split("</tr>")[:-1]
    assert len(rows) == ROUNDS + 1
    cells = [row.replace("</td>", "").split("<td")[1:] for row in rows]
    firsts = [c[0].split(">", 1)[1] for c in cells]
    assert firsts == ["1", "2", "campaign"]
    mean = np.mean([r.summary()["round2_coverage"] for r in replications])
    assert f">{mean:.1%}" in rows[1]
    assert "Means over the 2 replications" in section
    assert "Round 1: coverage by the end of the round" in page
    assert "Campaign coverage, all rounds" in page
    assert "every figure shows the 2 rounds" in page and ", round 1;" not in page

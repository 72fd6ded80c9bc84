"""District figures: what they show matches the records, and they save as readable PNGs."""

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
from sim.metrics.district import staff_table
from sim.model import records as rec

# The module, not the function `sim.plots.district_figures` that the package re-exports under
# the same name (`from sim.plots import district_figures` gives the function).
dfg = importlib.import_module("sim.plots.district_figures")

# A small district: 4 of the default points (one with shorter hours, to have closed cells),
# 2 sub-districts of a few hundred residents, no mobile teams; the 2-day round is kept.
SMALL = """# @package _global_
name: small_district
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
"""


@pytest.fixture(scope="module")
def result(tmp_path_factory: pytest.TempPathFactory) -> RunResult:
    config_dir = tmp_path_factory.mktemp("district_cfg")
    (config_dir / "scenario").mkdir()
    (config_dir / "scenario" / "small.yaml").write_text(SMALL)
    cfg = sim.load_config(config_dir=config_dir, overrides=["scenario=small"])
    return sim.run(cfg, seed=3)


@pytest.fixture(scope="module")
def one_day_point(load_config: Callable[..., sim.ScenarioConfig]) -> RunResult:
    """A single-point, one-day scenario (no sub-districts)."""
    cfg = load_config("scenario=busy_point", "demand.residents=600")
    return sim.run(cfg, seed=2)


def _titles(fig: Figure) -> list[str]:
    return [ax.get_title() for ax in fig.axes if ax.get_title()]


# --------------------------------------------------------------------------------------------
# Heat map


def test_heatmap_rows_grouped_by_subdistrict(result: RunResult) -> None:
    data = dfg.queue_heatmap_data(result)
    assert data.points == ("Jianning 1", "Jianning 2", "Longquan 1", "Longquan 2")
    assert data.groups == ("Jianning", "Jianning", "Longquan", "Longquan")
    assert data.values.shape == (4, data.hour_starts.size)
    # Both days' serving hours (06:00-22:00), nights left out.
    assert data.hour_starts[0] == 6 * 60
    assert data.hour_starts[-1] == 1440 + 21 * 60
    assert data.hour_starts.size == 32
    by_name = dfg.queue_heatmap_data(result, order="name")
    assert list(by_name.points) == sorted(by_name.points)
    with pytest.raises(ValueError, match="order"):
        dfg.queue_heatmap_data(result, order="size")


def _independent_peak(point: rec.SiteRun, hour_start: float) -> int:
    """Most people in the entrance line at any whole minute of the hour, by brute force."""
    r = point.residents
    joined = (r.outcome != rec.OUTSIDE_HOURS) & (r.outcome != rec.BALKED)
    entry = r.arrival[joined]
    start = np.where(np.isnan(r.reg_start), r.swab_start, r.reg_start)[joined]
    leave = np.where(np.isnan(start), r.exit[joined], start)
    return max(int(np.sum((entry <= t) & (leave > t))) for t in hour_start + np.arange(60.0))


def test_heatmap_matches_independent_count(result: RunResult) -> None:
    data = dfg.queue_heatmap_data(result)
    row, col = np.unravel_index(np.nanargmax(data.values), data.values.shape)
    hour = float(data.hour_starts[col])
    assert data.values[row, col] == _independent_peak(result.point(data.points[row]), hour)
    assert data.values[row, col] > 0
    # And an ordinary cell: Jianning 1, day 2 10:00.
    ten = int(np.flatnonzero(data.hour_starts == 1440 + 600)[0])
    assert data.values[0, ten] == _independent_peak(result.point("Jianning 1"), 1440 + 600)
    # The figure shows that matrix.
    fig = dfg.queue_heatmap_figure(result)
    shown = fig.axes[0].images[0].get_array()
    assert shown is not None
    np.testing.assert_array_equal(np.ma.filled(shown, np.nan), data.values)


def test_heatmap_grey_where_closed(result: RunResult) -> None:
    data = dfg.queue_heatmap_data(result)
    closed = data.points.index("Longquan 2")  # line 08:30 to 18:00 each day
    for day in (0, 1):
        for clock, is_open in ((7, False), (8, True), (17, True), (18, False), (21, False)):
            col = int(np.flatnonzero(data.hour_starts == 1440 * day + 60 * clock)[0])
            assert np.isfinite(data.values[closed, col]) == is_open, (day, clock)
    assert np.isfinite(data.values[:closed]).all()


def test_heatmap_figure_labels(result: RunResult) -> None:
    fig = dfg.queue_heatmap_figure(result)
    ax = fig.axes[0]
    assert "Entrance-line length by collection point and hour" in ax.get_title()
    assert "small_district" in ax.get_title()
    assert [t.get_text() for t in ax.get_yticklabels()][:2] == ["Jianning 1", "Jianning 2"]
    assert ax.get_xticklabels()[0].get_text() == "06:00"
    texts = [t.get_text() for t in ax.texts]
    assert "day 1" in texts and "day 2" in texts
    colourbar = fig.axes[-1]
    assert "people in line" in colourbar.get_ylabel()
    # ~0.25 in per row.
    assert fig.get_figheight() >= 0.25 * 4


# --------------------------------------------------------------------------------------------
# Waits


def test_waits_figure(result: RunResult) -> None:
    fig = dfg.waits_by_lane_figure(result)
    ax_box, ax_hour = fig.axes[:2]
    assert "Waits by day" in ax_box.get_title()
    assert ax_hour.get_title() == "Mean wait by hour of arrival"
    assert "green-eligible" in fig.get_suptitle()
    assert "minutes" in ax_box.get_ylabel() and "minutes" in ax_hour.get_ylabel()
    # Mean annotated per box equals the data: green-eligible residents arriving on day 1.
    r = result.rounds[0].residents
    w = r.wait[np.isfinite(r.wait) & r.green & (r.arrival < 1440)]
    assert any(f"mean {w.mean():.1f}" in t.get_text() for t in ax_box.texts)
    assert any(f"p95 {np.percentile(w, 95):.1f}" in t.get_text() for t in ax_box.texts)
    # Hourly means: one line per group; the day-2 09:00 hour of the others.
    lines = {line.get_color(): line for line in ax_hour.get_lines()}
    other = lines["#1f77b4"]
    x, y = np.asarray(other.get_xdata()), np.asarray(other.get_ydata())
    k = int(np.flatnonzero(np.asarray(x) == 1440 + 9 * 60 + 30)[0])
    mine = np.isfinite(r.wait) & ~r.green & (r.arrival >= 1440 + 540) & (r.arrival < 1440 + 600)
    assert y[k] == pytest.approx(r.wait[mine].mean())
    assert "day 1\n08:00" in [t.get_text() for t in ax_hour.get_xticklabels()]


# --------------------------------------------------------------------------------------------
# Coverage


def test_coverage_ends_at_summary(result: RunResult) -> None:
    grid, curves = dfg.coverage_curve(result)
    assert grid[-1] == result.rounds[0].end_min
    assert curves["all"][-1] == pytest.approx(result.summary()["coverage"])
    assert set(curves) == {"all", "Jianning", "Longquan"}
    assert np.all(np.diff(curves["all"]) >= 0)
    fig = dfg.coverage_figure(result)
    ax, ax_bar = fig.axes[:2]
    thick = max(ax.get_lines(), key=lambda line: line.get_linewidth())
    assert np.asarray(thick.get_ydata())[-1] == pytest.approx(result.summary()["coverage"])
    assert any("round deadline" in t.get_text() for t in ax.texts)
    assert any(f"{result.summary()['coverage']:.1%} tested" in t.get_text() for t in ax.texts)
    assert "Cumulative coverage" in ax.get_title()
    assert "Not tested" in ax_bar.get_title()
    # Not-tested bars: one per reason, lengths = counts of each outcome.
    widths = [p.get_width() for p in ax_bar.patches if isinstance(p, Rectangle)]
    s = result.summary()
    assert widths == [s[name] for name in rec.OUTCOMES[1:]]


# --------------------------------------------------------------------------------------------
# Staff


def test_staff_figure(result: RunResult) -> None:
    fig = dfg.staff_utilisation_figure(result)
    ax_bar, ax_open = fig.axes[:2]
    assert "Utilisation by role and shift" in ax_bar.get_title()
    assert "Open desks and booths" in ax_open.get_title()
    rows = [row for row in staff_table(result.rounds[0]) if row["role"] != "marshal"]
    heights = [p.get_height() for p in ax_bar.patches if isinstance(p, Rectangle)]
    assert heights == pytest.approx([row["utilisation"] for row in rows])
    assert any(f"{rows[0]['staff']:,} staff" in t.get_text() for t in ax_bar.texts)
    # Open stations summed over points, against the schedules.
    grid, totals = dfg.open_stations(result)
    for t in (7 * 60 + 5, 11 * 60 + 10, 1440 + 14 * 60 + 5, 1440 + 17 * 60 + 10):
        k = int(np.flatnonzero(grid == t)[0])
        for stage in ("registration", "swab"):
            expected = sum(
                st.schedule.at(t)
                for p in result.rounds[0].points
                for st in p.stations
                if st.stage == stage
            )
            assert totals[stage][k] == expected
    assert totals["swab"][int(np.flatnonzero(grid == 3 * 60 + 1440)[0])] == 0  # night


# --------------------------------------------------------------------------------------------
# All four, saved


def test_district_figures_save(result: RunResult, tmp_path: Path) -> None:
    figures = dfg.district_figure_set(result)
    assert list(figures) == [
        "queue_heatmap.png",
        "waits_by_lane.png",
        "coverage.png",
        "staff_utilisation.png",
    ]
    for name, fig in figures.items():
        assert isinstance(fig, Figure)
        assert _titles(fig) or fig.get_suptitle()
        path = tmp_path / name
        fig.savefig(path, dpi=100)
        assert path.stat().st_size > 10_000, name


def test_single_point_round(one_day_point: RunResult, tmp_path: Path) -> None:
    figures = dfg.district_figure_set(one_day_point)
    data = dfg.queue_heatmap_data(one_day_point)
    assert data.points == ("Central square",)
    assert data.hour_starts.size == 16
    _, curves = dfg.coverage_curve(one_day_point)
    assert curves["all"][-1] == pytest.approx(one_day_point.summary()["coverage"])
    for name, fig in figures.items():
        fig.savefig(tmp_path / name, dpi=80)


def test_round_out_of_range(result: RunResult) -> None:
    with pytest.raises(ValueError, match="round"):
        dfg.coverage_figure(result, round=2)


def test_day_clock() -> None:
    assert dfg.day_clock(8 * 60) == "day 1 08:00"
    assert dfg.day_clock(1440 + 21 * 60 + 30) == "day 2 21:30"

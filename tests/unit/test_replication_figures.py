"""Figures over replications: curves with a pointwise band (metrics), and the figure sets that
draw them (one replication: exactly the single-replication figures)."""

from __future__ import annotations

import ast
import importlib
import io
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from matplotlib.axes import Axes
from matplotlib.collections import PolyCollection
from matplotlib.figure import Figure

import sim
from sim.experiment.result import RunResult
from sim.metrics import district as md
from sim.metrics.intervals import t_interval
from sim.metrics.turnaround import summarise_chain, turnaround_h
from sim.model.records import OUTCOMES

dfg = importlib.import_module("sim.plots.district_figures")
lfg = importlib.import_module("sim.plots.lab_figures")

OVERRIDES = ("scenario=busy_point", "demand.residents=800")


@pytest.fixture(scope="module")
def three(load_config: Callable[..., sim.ScenarioConfig]) -> list[RunResult]:
    return sim.run_replications(load_config(*OVERRIDES), 3, seed=1)


@pytest.fixture(scope="module")
def one(three: list[RunResult]) -> list[RunResult]:
    return three[:1]


# --------------------------------------------------------------------------------------------
# Metrics: plain arrays in, mean and band out (no matplotlib)


def test_curve_band_contains_mean_and_is_a_t_interval() -> None:
    rng = np.random.default_rng(0)
    grid = np.linspace(0.0, 10.0, 50)
    curves = np.cumsum(rng.uniform(0.0, 0.02, size=(5, grid.size)), axis=1)
    band = md.curve_band(grid, curves)
    assert band.replications == 5
    np.testing.assert_allclose(band.mean, curves.mean(axis=0))
    assert np.all(band.low <= band.mean) and np.all(band.mean <= band.high)
    assert np.all(band.high - band.low > 0)
    # Pointwise, the band is the t interval of the mean at each grid point.
    for k in (0, 17, 49):
        ci = t_interval(curves[:, k])
        assert band.low[k] == pytest.approx(ci.low)
        assert band.high[k] == pytest.approx(ci.high)
    np.testing.assert_array_equal(band.lowest, curves.min(axis=0))
    np.testing.assert_array_equal(band.highest, curves.max(axis=0))
    # Cut to the curve's range.
    cut = md.curve_band(grid, curves, bounds=(0.0, 0.05))
    assert cut.high.max() <= 0.05 and cut.low.min() >= 0.0


def test_curve_band_of_one_replication_is_the_curve() -> None:
    grid = np.arange(4.0)
    band = md.curve_band(grid, [np.array([0.0, 0.2, 0.5, 0.9])])
    np.testing.assert_array_equal(band.mean, [0.0, 0.2, 0.5, 0.9])
    np.testing.assert_array_equal(band.low, band.mean)
    np.testing.assert_array_equal(band.high, band.mean)


def test_curve_band_refuses_bad_shapes() -> None:
    with pytest.raises(ValueError, match="grid points"):
        md.curve_band(np.arange(3.0), np.zeros((2, 4)))
    with pytest.raises(ValueError, match="level"):
        md.curve_band(np.arange(3.0), np.zeros((2, 3)), level=95)
    with pytest.raises(ValueError, match="totals"):
        md.share_by_band([np.zeros(2)], [2, 3], np.arange(3.0))


def test_share_by_counts_items_at_or_before_each_time() -> None:
    values = np.array([5.0, 1.0, 3.0, 3.0])
    got = md.share_by(values, 8, np.array([0.0, 1.0, 2.9, 3.0, 10.0]))
    np.testing.assert_array_equal(got, [0.0, 1 / 8, 1 / 8, 3 / 8, 4 / 8])
    assert np.isnan(md.share_by(np.empty(0), 0, np.arange(2.0))).all()
    band = md.share_by_band([np.array([1.0]), np.array([1.0, 2.0])], [2, 2], np.arange(4.0))
    np.testing.assert_allclose(band.mean, [0.0, 0.5, 0.75, 0.75])
    assert band.low.min() >= 0.0 and band.high.max() <= 1.0


def test_metrics_need_no_matplotlib() -> None:
    """The band computations import neither matplotlib nor the plots (nor sim.experiment)."""
    code = (
        "import sys, numpy as np\n"
        "import sim.metrics.district as m\n"
        "b = m.share_by_band([np.array([1.0, 2.0]), np.array([3.0])], [2, 2], np.arange(5.0))\n"
        "assert np.all(b.low <= b.mean) and np.all(b.mean <= b.high)\n"
        "m.intervals({'x': [1.0, 2.0, 4.0]})\n"
        "assert 'matplotlib' not in sys.modules, 'matplotlib imported'\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    source = Path(md.__file__).read_text(encoding="utf-8")
    imported = {
        node.module
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.ImportFrom) and node.module
    }
    assert not {m for m in imported if m.startswith(("matplotlib", "sim.plots", "sim.experiment"))}


def test_coverage_curves_of_one_replication_equal_the_single_curve(one: list[RunResult]) -> None:
    run = one[0].rounds[0]
    grid = dfg.coverage_grid(run)
    single_grid, single = dfg.coverage_curve(one[0])
    np.testing.assert_array_equal(grid, single_grid)
    bands = md.coverage_curves([run], grid)
    assert set(bands) == set(single)
    for key, band in bands.items():
        np.testing.assert_array_equal(band.mean, single[key])
        np.testing.assert_array_equal(band.low, single[key])
        np.testing.assert_array_equal(band.high, single[key])


def test_coverage_band_over_three_replications(three: list[RunResult]) -> None:
    runs = [r.rounds[0] for r in three]
    grid = dfg.coverage_grid(runs[0])
    band = md.coverage_curves(runs, grid)["all"]
    assert band.replications == 3
    assert np.all(band.low <= band.mean) and np.all(band.mean <= band.high)
    # Not degenerate: the replications differ while the point serves.
    assert np.sum(band.high - band.low > 0.005) > grid.size // 4
    assert band.low.min() >= 0.0 and band.high.max() <= 1.0
    # Each replication's curve ends at its coverage; the band's end is the metric's interval.
    coverage = [r.summary()["coverage"] for r in three]
    np.testing.assert_allclose(band.curves[:, -1], coverage)
    ci = sim.metric_interval(three, "coverage")
    assert band.mean[-1] == pytest.approx(ci.mean)
    assert band.low[-1] == pytest.approx(max(ci.low, 0.0))
    assert band.high[-1] == pytest.approx(min(ci.high, 1.0))
    # Not tested, by reason: counts per replication.
    counts = md.not_tested_counts(runs)
    assert list(counts) == list(OUTCOMES[1:])
    for name, values in counts.items():
        assert list(values) == [r.summary()[name] for r in three]


# --------------------------------------------------------------------------------------------
# Figures


def _png(fig: Figure) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=50)
    return buf.getvalue()


def test_one_replication_gives_the_single_figures(one: list[RunResult]) -> None:
    over = dfg.district_figure_set_over(one)
    single = dfg.district_figure_set(one[0])
    assert list(over) == list(single)
    for name in over:
        assert _png(over[name]) == _png(single[name]), name
    labs_over = lfg.lab_figure_set_over(one)
    labs = lfg.lab_figure_set(one[0])
    assert list(labs_over) == list(labs) and labs
    for name in labs:
        assert _png(labs_over[name]) == _png(labs[name]), name


def _band_of(ax: Axes) -> tuple[float, float]:
    polys = [c for c in ax.collections if isinstance(c, PolyCollection)]
    assert polys, "no band drawn"
    y = polys[0].get_paths()[0].vertices[:, 1]
    return float(y.min()), float(y.max())


def test_coverage_figure_over_draws_the_band(three: list[RunResult]) -> None:
    figs = dfg.district_figure_set_over(three)
    assert list(figs) == list(dfg.district_figure_set(three[0]))
    ax, ax_bar = figs["coverage.png"].axes[:2]
    runs = [r.rounds[0] for r in three]
    band = md.coverage_curves(runs, dfg.coverage_grid(runs[0]))["all"]
    thick = max(ax.get_lines(), key=lambda line: line.get_linewidth())
    np.testing.assert_allclose(np.asarray(thick.get_ydata()), band.mean)
    low, high = _band_of(ax)
    assert low == pytest.approx(band.low.min()) and high == pytest.approx(band.high.max())
    grey = [line for line in ax.get_lines() if line.get_color() == "grey"]
    assert len(grey) == 3  # each replication
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert any("95% interval" in t and "pointwise t" in t for t in labels)
    assert "3 replications" in figs["coverage.png"].get_suptitle()
    assert any("tested (mean of 3)" in t.get_text() for t in ax.texts)
    # Bars: mean not tested by reason, over replications.
    counts = md.not_tested_counts(runs)
    widths = [p.get_width() for p in ax_bar.patches]
    assert widths == pytest.approx([v.mean() for v in counts.values()])
    # The other figures show the first replication, and say so.
    assert "first of 3 replications" in figs["queue_heatmap.png"].axes[0].get_title()
    for name in ("waits_by_lane.png", "staff_utilisation.png"):
        assert "first of 3 replications" in figs[name].get_suptitle()


def test_lab_figures_over_replications(three: list[RunResult]) -> None:
    figs = lfg.lab_figure_set_over(three)
    assert list(figs) == list(lfg.lab_figure_set(three[0]))
    chains = [r.chain for r in three if r.chain is not None]
    assert len(chains) == 3
    # Turnaround: the mean curve at the target is the mean share within the target.
    ax = figs["turnaround.png"].axes[0]
    mean_line = next(line for line in ax.get_lines() if line.get_label().startswith("mean of 3"))
    x, y = np.asarray(mean_line.get_xdata()), np.asarray(mean_line.get_ydata())
    target = chains[0].target_min / 60.0
    within = np.mean([summarise_chain(c)["within_target"] for c in chains])
    assert y[int(np.flatnonzero(x == target)[0])] == pytest.approx(within)
    lo, hi = _band_of(ax)
    assert 0.0 <= lo < hi <= 1.0
    # Each replication: the share resulted within x hours, from turnaround_h.
    grey = [line for line in ax.get_lines() if line.get_color() == "grey"]
    assert len(grey) == 3
    ta = turnaround_h(chains[1])
    xs, ys = np.asarray(grey[1].get_xdata()), np.asarray(grey[1].get_ydata())
    assert ys[len(xs) // 2] == pytest.approx(np.sum(ta <= xs[len(xs) // 2]) / ta.size)
    # Backlog: a band per lab; load figure: the first replication.
    ax_b = figs["lab_backlog.png"].axes[0]
    assert any(isinstance(c, PolyCollection) for c in ax_b.collections)
    assert "3 replications" in figs["lab_backlog.png"].get_suptitle()
    assert "first of 3 replications" in figs["lab_utilisation.png"].get_suptitle()


def test_over_needs_a_replication() -> None:
    with pytest.raises(ValueError, match="at least one"):
        dfg.district_figure_set_over([])
    with pytest.raises(ValueError, match="at least one"):
        lfg.lab_figure_set_over([])

"""City figures: they draw exactly the tables they are given, leave them unchanged, and stay
readable (no per-point labels) and fast with a Wuhan-scale city's 1,300 points."""

from __future__ import annotations

import io
import time

import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import PathCollection
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle
from matplotlib.text import Text

from sim.plots import city_figures as cf

LABS = [("Central lab", 12.0, 8.0), ("East lab", 33.0, 5.0), ("Mobile lab", 28.0, 16.0)]


def districts_table(n: int = 4, labs: bool = True) -> pd.DataFrame:
    rng = np.random.default_rng(n)
    table = pd.DataFrame(
        {
            "district": [f"District {k}" for k in range(n)],
            "residents": rng.integers(100_000, 400_000, n),
            "coverage": rng.uniform(0.95, 1.0, n),
            "wait_p95_min": rng.uniform(5.0, 60.0, n),
        }
    )
    if labs:
        table["within_target"] = rng.uniform(0.9, 1.0, n)
    return table


def points_table(n_districts: int = 3, per_district: int = 8, rounds: int = 2) -> pd.DataFrame:
    """``rounds`` rounds of every point; round 2's waits are far higher than round 1's (so a
    figure drawing them would show it), and one round-1 point has no tested resident."""
    rng = np.random.default_rng(per_district)
    rows = []
    for r in range(1, rounds + 1):
        for d in range(n_districts):
            for k in range(per_district):
                rows.append(
                    {
                        "district": f"D{d}",
                        "round": r,
                        "site": f"D{d} point {k + 1}",
                        "x_km": 10.0 * d + rng.uniform(0, 8),
                        "y_km": rng.uniform(0, 8),
                        "arrived": int(rng.integers(1_000, 16_000)),
                        "wait_p95_min": rng.uniform(1.0, 90.0) + (500.0 if r > 1 else 0.0),
                    }
                )
    table = pd.DataFrame(rows)
    table.loc[1, "wait_p95_min"] = np.nan
    return table


def backlog_table(labs: int = 3, hours: int = 30) -> pd.DataFrame:
    rng = np.random.default_rng(labs)
    return pd.DataFrame(
        [
            {
                "lab": f"Lab {j}",
                "day": (7 + h) // 24 + 1,
                "time_min": 60.0 * (7 + h),
                "tubes_waiting": int(rng.integers(0, 5_000)),
                "tubes_delivered": int(rng.integers(0, 900)),
                "tubes_resulted": int(rng.integers(0, 800)),
            }
            for j in range(labs)
            for h in range(hours)
        ]
    )


def _bars(ax: object) -> list[Rectangle]:
    return [p for p in ax.patches if isinstance(p, Rectangle)]  # type: ignore[attr-defined]


def _scatters(ax: object) -> list[PathCollection]:
    return [c for c in ax.collections if isinstance(c, PathCollection)]  # type: ignore[attr-defined]


def _texts(fig: Figure) -> list[str]:
    """The text labels drawn on the figure's axes (not ticks, titles or legends)."""
    return [t.get_text() for ax in fig.axes for t in ax.texts]


# --------------------------------------------------------------------------------------------
# District bars


def test_district_bars_are_the_table() -> None:
    table = districts_table(5)
    fig = cf.district_figure(table, wait_target_min=30.0, coverage_target=0.97)
    assert isinstance(fig, Figure)
    assert len(fig.axes) == 3
    ax_cov, ax_wait, ax_within = fig.axes
    for ax, column in (
        (ax_cov, "coverage"),
        (ax_wait, "wait_p95_min"),
        (ax_within, "within_target"),
    ):
        bars = _bars(ax)
        assert [b.get_width() for b in bars] == pytest.approx(table[column].tolist())
        assert [b.get_y() + b.get_height() / 2 for b in bars] == list(range(5))
    # Districts in the table's order, the first at the top.
    labels = [t.get_text() for t in ax_cov.get_yticklabels()]
    assert labels == table["district"].tolist()
    low, high = ax_cov.get_ylim()
    assert low > high
    # The targets as vertical lines; the bars that miss them in the other colour.
    for ax, target in ((ax_cov, 0.97), (ax_wait, 30.0)):
        assert any(
            isinstance(line, Line2D) and list(line.get_xdata()) == [target, target]
            for line in ax.get_lines()
        )
    for ax, miss in (
        (ax_cov, table["coverage"] < 0.97),
        (ax_wait, table["wait_p95_min"] > 30.0),
    ):
        expected = [to_rgba(cf._MISS_COLOUR if m else cf._OK_COLOUR) for m in miss]
        assert [b.get_facecolor() for b in _bars(ax)] == expected
    assert "target 30 min" in ax_wait.get_title()
    # Every bar carries its value.
    texts = [t.strip() for t in _texts(fig)]
    assert texts[5:10] == [cf._minutes(w, 30.0) for w in table["wait_p95_min"]]
    assert cf._minutes(30.2, 30.0) == "30.2 min"
    assert cf._minutes(30.2) == "30 min"
    assert cf._minutes(7.94) == "7.9 min"


def test_district_figure_without_labs_or_targets() -> None:
    table = districts_table(3, labs=False)
    fig = cf.district_figure(table)
    assert len(fig.axes) == 2
    assert all(not ax.get_lines() for ax in fig.axes)  # no target lines
    assert all(ax.get_legend() is None for ax in fig.axes)


def test_share_near_target_shows_its_side() -> None:
    assert cf._share_vs(0.98996, None) == "99.0%"
    assert cf._share_vs(0.98996, 0.99) == "98.996%"
    assert cf._share_vs(0.9901, 0.99) == "99.0%"
    assert cf._share_vs(0.5, 0.99) == "50.0%"


def test_thirty_districts_fit() -> None:
    fig = cf.district_figure(districts_table(30), 30.0, 0.98)
    assert fig.get_figheight() >= 0.3 * 30
    assert len(fig.axes[0].get_yticklabels()) == 30


# --------------------------------------------------------------------------------------------
# Every point's wait, by district


def test_point_waits_are_round_one() -> None:
    table = points_table()
    first = table[table["round"] == 1]
    fig = cf.point_wait_figure(table, wait_target_min=40.0)
    assert len(fig.axes) == 1
    ax = fig.axes[0]
    (dots,) = _scatters(ax)
    offsets = np.asarray(dots.get_offsets())
    np.testing.assert_array_equal(offsets[:, 1], first["wait_p95_min"].to_numpy())
    # Each dot in its district's column, spread sideways by at most the jitter.
    slot = first["district"].str[1:].astype(int).to_numpy()
    assert np.all(np.abs(offsets[:, 0] - slot) <= cf._JITTER)
    assert [t.get_text() for t in ax.get_xticklabels()] == ["D0", "D1", "D2"]
    # The five worst points (of round 1: round 2's are far higher) are named; nothing else.
    worst = first.nlargest(cf.WORST_NAMED, "wait_p95_min")["site"]
    assert sorted(_texts(fig)) == sorted(worst)
    assert any(list(line.get_ydata()) == [40.0, 40.0] for line in ax.get_lines())
    # The named points are the labelled ones: each name's line leads to its point.
    for text in ax.texts:
        row = first[first["site"] == text.get_text()].iloc[0]
        assert text.xy[1] == pytest.approx(row["wait_p95_min"])  # type: ignore[attr-defined]


def test_point_waits_without_round_column() -> None:
    table = points_table(rounds=1).drop(columns="round")
    fig = cf.point_wait_figure(table)
    (dots,) = _scatters(fig.axes[0])
    np.testing.assert_array_equal(
        np.asarray(dots.get_offsets())[:, 1], table["wait_p95_min"].to_numpy()
    )


# --------------------------------------------------------------------------------------------
# Map


def test_map_colours_sizes_and_labs() -> None:
    table = points_table()
    first = table[table["round"] == 1].reset_index(drop=True)
    fig = cf.city_map_figure(table, LABS)
    assert len(fig.axes) == 2  # the map and its colour bar
    ax = fig.axes[0]
    assert ax.get_aspect() == 1.0
    dots, labs = _scatters(ax)
    # The same points, drawn from the shortest wait to the longest (NaN first).
    colour = np.asarray(dots.get_array(), dtype=float)
    np.testing.assert_array_equal(
        np.sort(colour[np.isfinite(colour)]), np.sort(first["wait_p95_min"].dropna())
    )
    assert np.isnan(colour[0]) and np.all(np.diff(colour[1:]) >= 0)
    offsets = np.asarray(dots.get_offsets())
    rows = [first.index[(first["x_km"] == x) & (first["y_km"] == y)] for x, y in offsets]
    assert all(len(r) == 1 for r in rows)
    drawn = first.loc[[r[0] for r in rows]]
    np.testing.assert_array_equal(colour, drawn["wait_p95_min"].to_numpy())
    # Marker area in proportion to residents arrived.
    ratio = np.asarray(dots.get_sizes()) / drawn["arrived"].to_numpy()
    np.testing.assert_allclose(ratio, ratio[0])
    # Labs at their places, named; district names at their points' centre.
    np.testing.assert_array_equal(np.asarray(labs.get_offsets()), [lab[1:] for lab in LABS])
    texts = {t.get_text(): t for t in ax.texts}
    assert {name for name, _, _ in LABS} <= texts.keys()
    centre = first.groupby("district")[["x_km", "y_km"]].mean()
    for name in ("D0", "D1", "D2"):
        assert texts[name].get_position()[0] == pytest.approx(centre.loc[name, "x_km"])
    assert len(texts) == len(LABS) + 3


# --------------------------------------------------------------------------------------------
# Labs


def test_lab_load_lines_and_hourly_total() -> None:
    table = backlog_table()
    fig = cf.lab_load_figure(table)
    assert len(fig.axes) == 2
    ax_wait, ax_done = fig.axes
    lines = [line for line in ax_wait.get_lines() if line.get_label().startswith("Lab ")]
    assert [line.get_label() for line in lines] == ["Lab 0", "Lab 1", "Lab 2"]
    for line in lines:
        rows = table[table["lab"] == line.get_label()]
        np.testing.assert_array_equal(line.get_xdata(), rows["time_min"] / 60.0)
        np.testing.assert_array_equal(line.get_ydata(), rows["tubes_waiting"])
    total = table.groupby("time_min")["tubes_resulted"].sum()
    bars = _bars(ax_done)
    assert [b.get_height() for b in bars] == total.tolist()
    assert [b.get_x() for b in bars] == (total.index / 60.0).tolist()
    assert all(b.get_width() == 1.0 for b in bars)
    assert ax_done.get_xlabel() == "hours since day 1 00:00"


def test_lab_load_empty() -> None:
    fig = cf.lab_load_figure(backlog_table().iloc[:0])
    assert "no labs in use" in _texts(fig)


# --------------------------------------------------------------------------------------------
# All figures: inputs unchanged, a Wuhan-scale city drawn fast and readable


def test_figure_set_leaves_tables_unchanged() -> None:
    tables = {
        "districts": districts_table(3),
        "points": points_table(),
        "lab_backlog": backlog_table(),
    }
    copies = {k: v.copy(deep=True) for k, v in tables.items()}
    figs = cf.city_figure_set(tables, LABS, wait_target_min=30.0, coverage_target=0.99)
    assert list(figs) == list(cf.CITY_FIGURES)
    assert all(isinstance(f, Figure) for f in figs.values())
    for key, table in tables.items():
        pd.testing.assert_frame_equal(table, copies[key])
    no_labs = cf.city_figure_set({k: tables[k] for k in ("districts", "points")}, [])
    assert "lab_load.png" not in no_labs


@pytest.mark.parametrize("kind", ["point_waits", "city_map"])
def test_wuhan_scale_city_fast_and_readable(kind: str) -> None:
    table = points_table(n_districts=13, per_district=100)  # 1,300 points a round
    copy = table.copy(deep=True)
    start = time.perf_counter()
    if kind == "point_waits":
        fig = cf.point_wait_figure(table, wait_target_min=30.0)
    else:
        fig = cf.city_map_figure(table, LABS)
    fig.savefig(io.BytesIO(), format="png", dpi=80)
    assert time.perf_counter() - start < 5.0
    labels = _texts(fig)
    assert len(labels) <= 40  # no label per point
    visible = [t for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()]
    assert len(visible) <= 90  # ticks, titles, legends and labels together
    pd.testing.assert_frame_equal(table, copy)


def test_captions_name_every_figure() -> None:
    assert set(cf.CITY_FIGURES) == {
        "districts.png",
        "point_waits.png",
        "city_map.png",
        "lab_load.png",
    }
    assert all(caption and "\n" not in caption for caption in cf.CITY_FIGURES.values())

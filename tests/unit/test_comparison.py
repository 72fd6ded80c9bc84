"""Comparing layouts: the table's means, intervals and paired differences, the baseline, the
sweep's numeric setting, ``sim.compare`` and a multirun's comparison at its root."""

from __future__ import annotations

import json
import math
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import sim
from sim.metrics.comparison import comparison_table
from sim.metrics.intervals import t_interval
from sim.plots.comparison import numeric_knob, resolve_baseline, write_comparison
from tests.cli_helpers import sim_cli

BASE = ["scenario=busy_point", "demand.residents=900", "replications=4"]


def _frame(values: list[float], seed: int = 1, metric: str = "wait_mean_min") -> pd.DataFrame:
    return pd.DataFrame(
        {"seed": seed, "replication": range(len(values)), metric: values, "coverage": 0.9}
    )


def test_table_means_intervals_and_paired_differences() -> None:
    a = [1.0, 2.0, 3.0, 4.0]
    b = [1.5, 2.7, 3.4, 4.6]
    table = comparison_table({"a": _frame(a), "b": _frame(b)}, ["wait_mean_min"], baseline="a")
    row = table.set_index("layout").loc["b"]
    ci = t_interval(b)
    assert row["wait_mean_min"] == pytest.approx(ci.mean)
    assert row["wait_mean_min_hw"] == pytest.approx(ci.half_width)
    diff = t_interval(np.array(b) - np.array(a))
    assert row["wait_mean_min_diff"] == pytest.approx(diff.mean)
    assert row["wait_mean_min_diff_hw"] == pytest.approx(diff.half_width)
    # pairing removes the spread the layouts share: the difference is surer than either mean
    assert row["wait_mean_min_diff_hw"] < row["wait_mean_min_hw"]
    base = table.set_index("layout").loc["a"]
    assert base["wait_mean_min_diff"] == 0.0


def test_pairs_only_the_same_seed_and_replication() -> None:
    a = _frame([1.0, 2.0, 3.0, 4.0])
    b = _frame([2.0, 3.0, 4.0, 5.0]).iloc[[0, 2]]  # b ran replications 0 and 2 only
    table = comparison_table({"a": a, "b": b}, ["wait_mean_min"], baseline="a")
    assert table.set_index("layout").loc["b", "wait_mean_min_diff"] == pytest.approx(1.0)
    other = comparison_table({"a": a, "c": _frame([2.0, 3.0, 4.0, 5.0], seed=9)}, [], "a")
    assert math.isnan(other.set_index("layout").loc["c", "wait_mean_min_diff"])  # no pairs


def test_an_unknown_baseline_is_an_error() -> None:
    with pytest.raises(KeyError, match="baseline 'x'"):
        comparison_table({"a": _frame([1.0, 2.0])}, [], baseline="x")


def test_baseline_by_folder_overrides_or_number() -> None:
    names = ["0_layout=no_barcodes", "1_layout=all_barcodes"]
    assert resolve_baseline(names, None)[0] == names[0]
    assert resolve_baseline(names, "1")[0] == names[1]
    assert resolve_baseline(names, "layout=all_barcodes")[0] == names[1]
    assert resolve_baseline(names, names[1])[0] == names[1]
    missing, note = resolve_baseline(names, "layout=nope")
    assert missing is None and "names no job" in note


def test_a_numeric_sweep_is_recognised() -> None:
    assert numeric_knob(["0_site.swab_booths=3", "1_site.swab_booths=5"]) == (
        "site.swab_booths",
        [3.0, 5.0],
    )
    assert numeric_knob(["0_layout=a", "1_layout=b"]) is None
    assert numeric_knob(["0_a=1,b=2", "1_a=2,b=2"]) is None  # two settings
    assert numeric_knob(["0_a=1"]) is None  # one job is no sweep


def test_sim_compare_pairs_layouts_run_with_common_random_numbers() -> None:
    more = sim.load_config([*BASE, "site.swab_booths=8"])
    fewer = sim.load_config([*BASE, "site.swab_booths=3"])
    table = sim.compare({"8 booths": more, "3 booths": fewer}, baseline="8 booths")
    row = table.set_index("layout").loc["3 booths"]
    assert row["replications"] == 4
    assert row["wait_mean_min_diff"] > 0  # fewer booths: longer waits
    assert row["wait_mean_min_diff"] - row["wait_mean_min_diff_hw"] > 0  # and surely so
    assert row["wait_mean_min_diff_hw"] < row["wait_mean_min_hw"]  # common random numbers
    assert "verdict: wait_p95_min <= 30" in table.columns
    # the same from results, by position
    results = [sim.run_replications(more), sim.run_replications(fewer)]
    again = sim.compare(results, baseline=0)
    assert list(again["wait_mean_min_diff"]) == pytest.approx(list(table["wait_mean_min_diff"]))


def test_a_multirun_compares_its_jobs_at_its_root(tmp_path: Path) -> None:
    proc = sim_cli(
        tmp_path,
        "-m",
        *BASE,
        "replications=3",
        "site.swab_booths=3,8",
        "comparison.baseline=1",
        "output.figures=false",
        "output.residents_table=false",
        "output.print_summary=false",
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    (root,) = [p.parent for p in (tmp_path / "multirun").glob("*/*/comparison.csv")]
    table = pd.read_csv(root / "comparison.csv")
    assert list(table["layout"]) == ["0_site.swab_booths=3", "1_site.swab_booths=8"]
    assert list(table["baseline"]) == [False, True]
    three = table.iloc[0]
    assert three["replications"] == 3 and three["wait_mean_min_diff"] > 0
    job = json.loads((root / "0_site.swab_booths=3" / "summary.json").read_text())
    assert three["wait_mean_min"] == pytest.approx(job["wait_mean_min"])
    assert (root / "comparison.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    images: list[str] = []

    class Images(HTMLParser):
        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            if tag == "img":
                images.append(dict(attrs).get("src") or "")

    Images().feed((root / "report.html").read_text())
    assert len(images) == 1 and images[0].startswith("data:image/png;base64,")


def test_write_comparison_without_finished_jobs_writes_nothing(tmp_path: Path) -> None:
    assert write_comparison(tmp_path) == []
    assert not list(tmp_path.iterdir())

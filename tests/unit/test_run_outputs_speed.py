"""What keeps ``python -m sim`` fast, and must not change what it writes.

- ``import sim`` loads no heavy library the run may not use (SciPy, matplotlib, pandas).
- The per-resident table is Parquet (types kept) by default; CSV, on request, is written
  through Arrow with times rounded to 3 decimals.
- ``RunResult.tables()`` is computed once per result; callers get copies.
- The figures are drawn by this process and a forked helper at the same time: the PNG bytes
  (and the report embedding them) are those of drawing them one after the other, and a helper
  that fails or dies only means this process draws the rest.

Runs are small: one busy point with 300 residents and its lab (six figures).
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import sim
import sim.experiment.result as result_module
import sim.plots.report as report
from sim.experiment.replications import run_replications
from sim.experiment.result import RunResult
from sim.experiment.targets import evaluate_targets
from sim.plots.report import format_summary, write_run

BUSY = ("scenario=busy_point", "demand.residents=300")
Loader = Callable[..., sim.ScenarioConfig]
Results = tuple[sim.ScenarioConfig, list[RunResult]]


def _digests(folder: Path, suffixes: tuple[str, ...]) -> dict[str, str]:
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.iterdir())
        if p.suffix in suffixes
    }


# --------------------------------------------------------------------------------------------
# import sim is light


def test_import_sim_loads_no_heavy_library() -> None:
    code = (
        "import sim, sys; "
        "print(sorted(m for m in ('scipy', 'matplotlib', 'pandas') if m in sys.modules))"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, timeout=120
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"


def test_t_interval_still_uses_student_t() -> None:
    from sim.metrics.intervals import t_interval, t_quantile

    assert t_quantile(0.975, 4) == pytest.approx(2.7764451, rel=1e-6)
    ci = t_interval([1.0, 2.0, 3.0, 4.0, 5.0])
    assert ci.half_width == pytest.approx(2.7764451 * np.std([1, 2, 3, 4, 5], ddof=1) / 5**0.5)


# --------------------------------------------------------------------------------------------
# the per-resident table


def test_residents_parquet_keeps_the_columns_and_their_types(busy: Results, tmp_path: Path) -> None:
    config, results = busy
    written = write_run(tmp_path / "run", config, results)
    names = [p.name for p in written]
    assert "residents.parquet" in names and "residents.csv" not in names
    table = pd.read_parquet(tmp_path / "run" / "residents.parquet")
    expected = results[0].residents
    assert list(table.columns) == ["replication", *expected.columns]
    assert (table["replication"] == results[0].replication).all()
    pd.testing.assert_frame_equal(table.drop(columns="replication"), expected)
    for name in ("outcome", "lane", "site", "subdistrict"):
        assert isinstance(table[name].dtype, pd.CategoricalDtype), name


def test_residents_csv_on_request(busy: Results, tmp_path: Path) -> None:
    _, results = busy
    path = tmp_path / "residents.csv"
    report._residents_writer(results, "csv")(path)
    table = pd.read_csv(path)
    expected = results[0].residents
    assert list(table.columns) == ["replication", *expected.columns]
    assert len(table) == len(expected)
    for name in expected.columns:
        want, got = expected[name], table[name]
        if want.dtype.kind == "f":
            assert np.allclose(got, np.round(want, 3), equal_nan=True, rtol=0, atol=1e-9), name
        elif isinstance(want.dtype, pd.CategoricalDtype):  # labels; "" reads back as NaN
            assert (got.fillna("").astype(str).to_numpy() == want.astype(str).to_numpy()).all()
        else:
            assert (got.to_numpy() == want.to_numpy()).all(), name
    first_line = path.read_text().splitlines()[1]
    assert "nan" not in first_line.lower()  # missing values are empty


def test_residents_format_is_checked(busy: Results) -> None:
    _, results = busy
    with pytest.raises(ValueError, match="parquet"):
        report._residents_writer(results, "xlsx")
    assert report.residents_format(busy[0]) == "parquet"


# --------------------------------------------------------------------------------------------
# tables are computed once per result


def test_tables_are_computed_once_and_callers_get_copies(
    load_config: Loader, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    calls: list[int] = []
    real = result_module.point_table

    def counted(run: Any) -> Any:
        calls.append(1)
        return real(run)

    monkeypatch.setattr(result_module, "point_table", counted)
    config = load_config(*BUSY, "output.figures=false")
    results = run_replications(config)
    first = results[0]
    rounds = len(first.rounds)

    tables = first.tables()
    tables["points"]["wait_mean_min"] = -1.0  # a caller changing what it got...
    del tables["points"]["site"]
    tables["staff"].loc[:, "staff"] = 0
    again = first.tables()
    assert "site" in again["points"]  # ...changes nothing for the next caller
    assert (again["staff"]["staff"] > 0).any()
    assert (again["points"]["wait_mean_min"] >= 0).all()

    evaluate_targets(results)
    format_summary(results)
    write_run(tmp_path / "run", config, results)  # tables, report.html (its own summary)
    assert len(calls) == rounds  # computed once, whoever asked


# --------------------------------------------------------------------------------------------
# figures drawn by two processes: the same bytes


@pytest.fixture(scope="module")
def serial_digests(busy: Results, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    config, results = busy
    folder = tmp_path_factory.mktemp("serial") / "run"
    before = report.PARALLEL_FIGURES
    report.PARALLEL_FIGURES = False
    try:
        write_run(folder, config, results)
    finally:
        report.PARALLEL_FIGURES = before
    digests = _digests(folder, (".png", ".html"))
    assert len([n for n in digests if n.endswith(".png")]) == 6
    return digests


@pytest.mark.skipif(not report._can_fork_helper(), reason="no forked helper on this machine")
def test_figures_drawn_in_parallel_are_the_serial_bytes(
    busy: Results, serial_digests: dict[str, str], tmp_path: Path
) -> None:
    config, results = busy
    written = write_run(tmp_path / "run", config, results)
    assert written[-1].name == "summary.json"
    assert _digests(tmp_path / "run", (".png", ".html")) == serial_digests
    assert not multiprocessing.active_children()  # the helper is gone


def _drawn_by(pids: Path) -> Callable[[Any], bytes]:
    real = report._png_bytes

    def draw(fig: Any) -> bytes:
        with pids.open("a") as fh:
            fh.write(f"{os.getpid()}\n")
        return real(fig)

    return draw


@pytest.mark.skipif(not report._can_fork_helper(), reason="no forked helper on this machine")
def test_the_helper_draws_figures(
    busy: Results, serial_digests: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With this process never taking one (it waits), the helper draws every figure."""
    config, results = busy
    pids = tmp_path / "pids.txt"
    monkeypatch.setattr(report, "_png_bytes", _drawn_by(pids))
    real_claim = report._FigurePngs._claim

    def helper_only(self: Any, front: bool) -> int | None:
        return real_claim(self, front) if front else None

    monkeypatch.setattr(report._FigurePngs, "_claim", helper_only)
    write_run(tmp_path / "run", config, results)
    drawers = pids.read_text().split()
    assert len(drawers) == 6
    assert str(os.getpid()) not in drawers
    assert _digests(tmp_path / "run", (".png", ".html")) == serial_digests
    assert not multiprocessing.active_children()


@pytest.mark.parametrize("how", ["raises", "dies"])
@pytest.mark.skipif(not report._can_fork_helper(), reason="no forked helper on this machine")
def test_a_failing_helper_leaves_the_figures_to_this_process(
    busy: Results,
    serial_digests: dict[str, str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    how: str,
) -> None:
    config, results = busy
    parent = os.getpid()
    real = report._png_bytes

    def draw(fig: Any) -> bytes:
        if os.getpid() != parent:  # in the helper
            if how == "dies":
                os._exit(3)
            raise RuntimeError("the helper cannot draw")
        return real(fig)

    monkeypatch.setattr(report, "_png_bytes", draw)
    written = write_run(tmp_path / "run", config, results)
    assert written[-1].name == "summary.json"
    assert _digests(tmp_path / "run", (".png", ".html")) == serial_digests
    assert not multiprocessing.active_children()


def test_a_figure_failing_out_of_order_raises_in_order(
    busy: Results, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A figure this process draws early (from the back) and cannot draw raises only when its
    turn comes: the figures before it are written, summary.json is not."""
    config, results = busy
    real = report._figure_makers

    def makers(config: sim.ScenarioConfig, result: RunResult) -> Any:
        out = real(config, result)

        def broken() -> Any:
            raise RuntimeError("cannot draw the last figure")

        return [*out[:-1], (out[-1][0], broken)]

    monkeypatch.setattr(report, "_figure_makers", makers)
    with pytest.raises(RuntimeError, match="last figure"):
        write_run(tmp_path / "run", config, results)
    names = {p.name for p in (tmp_path / "run").iterdir()}
    assert {"queue_length.png", "wait_distribution.png", "turnaround.png"} <= names
    assert "lab_utilisation.png" not in names and "summary.json" not in names
    assert not [n for n in names if n.endswith(".part")]
    assert not multiprocessing.active_children()

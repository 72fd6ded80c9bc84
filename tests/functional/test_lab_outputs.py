"""What a run with labs hands the planner: labs.csv, the lab figures, the "Samples and results"
section of the printed summary, and ``labs.<key>.<field>`` overrides on the command line.

The busy point (one day, the district hospital lab only) keeps every run to a few seconds; a run
without labs (``scenario=single_station``) must write and print nothing about samples.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from matplotlib.figure import Figure

import sim
from sim.config.labs import LabConfig
from sim.metrics.turnaround import backlog_over_time, summarise_chain, turnaround_h
from sim.plots import lab_figures as lf
from sim.plots.report import format_summary
from tests.cli_helpers import Run, run_cli

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
LAB_FIGURES = ("lab_backlog.png", "turnaround.png", "lab_utilisation.png")
BASE = ("scenario=busy_point", "demand.residents=800")


def section(stdout: str) -> str:
    """The "Samples and results" section of the printed summary."""
    start = stdout.index("Samples and results")
    end = stdout.find("\n\n", start)
    return stdout[start : end if end >= 0 else None]


# --------------------------------------------------------------------------------------------
# The command line: one busy point with its lab (two replications, two overrides)


OVERRIDES = ("labs.hospital.extractors=1", "couriers.pickup_every_min=120")


@pytest.fixture(scope="module")
def busy(tmp_path_factory: pytest.TempPathFactory) -> Run:
    cwd = tmp_path_factory.mktemp("labs_cli")
    return run_cli(cwd, *BASE, *OVERRIDES, "replications=2", "output.residents_table=false")


def test_run_writes_labs_csv_and_lab_figures(busy: Run) -> None:
    assert busy.returncode == 0, busy.stderr
    assert "Traceback" not in busy.stderr
    folder = busy.folder
    labs = pd.read_csv(folder / "labs.csv")
    assert labs["replication"].tolist() == [0, 1]
    assert set(labs["lab"]) == {"District hospital lab"}
    for column in ("tubes_received", "utilisation_extraction", "utilisation_pcr"):
        assert column in labs.columns
    summary = json.loads((folder / "summary.json").read_text())
    assert summary["replications"] == 2
    assert "turnaround_p95_h_ci95" in summary
    assert summary["swabs"] == pytest.approx(labs["swabs_resulted"].mean(), abs=0.5)
    replications = pd.read_csv(folder / "replications.csv")
    assert len(replications) == 2
    for key in ("tubes", "tests_per_swab", "within_target", "backlog_swabs"):
        assert key in replications.columns
    for name in LAB_FIGURES:
        data = (folder / name).read_bytes()
        assert data[:8] == PNG_MAGIC, name
        assert len(data) > 10_000, name
    printed = [line.strip() for line in busy.stdout.split("run folder:")[1].splitlines()]
    assert {"labs.csv", *LAB_FIGURES} <= set(printed)
    assert not list(folder.glob(".*.part")), "temporary files left behind"


def test_printed_summary_has_samples_and_results(busy: Run) -> None:
    assert busy.returncode == 0, busy.stderr
    text = section(busy.stdout)
    for words in (
        "swabs pooled",
        "PCR tests per swab",
        "Dorfman",
        "positive pools",
        "turnaround, hours",
        "within 24 h target",
        "last result out",
        "courier trips",
        "mean wait for a vehicle",
    ):
        assert words in text, words
    assert re.search(r"p50\s+p95\s+max\s+mean", text)
    lab_row = r"^  District hospital lab\s+day 1 00:00\s+[\d,]+\s+\d+%\s+\d+%\s+day "
    assert re.search(lab_row, text, re.M)
    assert re.search(r"last result out\s+day \d \d\d:\d\d \(mean of replications\)", text)
    # The section is the last of the summary and keeps to the width of the others.
    assert max(len(line) for line in text.splitlines()) <= 100


def test_lab_and_courier_overrides_take_effect(
    busy: Run, load_config: Callable[..., sim.ScenarioConfig]
) -> None:
    assert busy.returncode == 0, busy.stderr
    config = yaml.safe_load((busy.folder / "config.yaml").read_text())
    labs = {lab["name"]: lab for lab in config["labs"]}
    assert labs["District hospital lab"]["extractors"] == 1
    assert labs["District hospital lab"]["enabled"] is True
    assert config["couriers"]["pickup_every_min"] == 120

    # Against the shipped settings, same seed and replications: pick-ups every two hours mean
    # fewer trips; one extractor instead of two is busier.
    base = sim.run_replications(load_config(*BASE), 2, seed=1)
    base_labs = pd.concat([r.tables()["labs"] for r in base])
    run_labs = pd.read_csv(busy.folder / "labs.csv")
    summary = json.loads((busy.folder / "summary.json").read_text())
    assert summary["courier_trips"] < np.mean([r.summary()["courier_trips"] for r in base])
    assert run_labs["utilisation_extraction"].mean() > base_labs["utilisation_extraction"].mean()


# --------------------------------------------------------------------------------------------
# labs.<key>.<field> overrides and their errors


def test_lab_override_in_python() -> None:
    cfg = sim.load_config(
        [
            *BASE,
            "labs.hospital.pcr_machines=2",
            "labs.mobile.enabled=true",
            "labs.mobile.opens_day=1",
            "labs.mobile.opens_at=12:00",
        ]
    )
    by_name = {lab.name: lab for lab in cfg.labs_in_use}
    assert by_name["District hospital lab"].pcr_machines == 2
    assert by_name["Mobile lab"].opens_min == 12 * 60.0
    assert "City CDC lab" not in by_name


def test_override_of_a_field_a_planners_lab_leaves_out(tmp_path: Path) -> None:
    """A lab added in the planner's own YAML may spell out a few fields only; an override sets
    one it leaves to the defaults (as ``sites.N.field`` does for points)."""
    (tmp_path / "layout").mkdir()
    (tmp_path / "layout" / "field_lab.yaml").write_text(
        "# @package _global_\nlabs:\n  field: {name: Field lab, x_km: 1.0, y_km: 0.5}\n"
    )
    cfg = sim.load_config(
        [*BASE, "layout=field_lab", "labs.field.pcr_machines=4"], config_dir=tmp_path
    )
    field = next(lab for lab in cfg.labs if lab.name == "Field lab")
    assert field.pcr_machines == 4
    assert field.extractors == LabConfig().extractors


@pytest.mark.parametrize(
    ("override", "field", "words"),
    [
        ("labs.hospital.extractor=3", "labs.hospital.extractor", ("did you mean 'extractors'",)),
        ("labs.0.extractor=3", "labs.0.extractor", ("did you mean 'extractors'",)),
        ("labs.mobil.enabled=false", "labs.mobil", ("did you mean 'mobile'", "hospital, cdc")),
        ("labs.2.opens_day=1", "labs.2", ("labs.mobile.opens_day=1",)),
    ],
)
def test_misspelt_lab_override_is_a_config_error(
    override: str, field: str, words: tuple[str, ...]
) -> None:
    with pytest.raises(sim.ConfigError) as info:
        sim.load_config([*BASE, override])
    assert info.value.field == field
    for w in words:
        assert w in str(info.value)


def test_misspelt_lab_key_on_the_command_line(tmp_path: Path) -> None:
    res = run_cli(tmp_path, *BASE, "labs.mobil.enabled=false")
    assert res.returncode == 2, res.stderr
    assert "labs.mobil" in res.stderr
    assert "did you mean 'mobile'" in res.stderr
    assert "Traceback" not in res.stderr
    assert "+labs" not in res.stderr  # not Hydra's advice to append a new lab
    assert not (tmp_path / "outputs").exists(), "a run folder was created for a bad config"


def test_lab_key_typo_in_a_multirun_adds_no_lab(tmp_path: Path) -> None:
    res = run_cli(tmp_path, "-m", *BASE, "labs.mobil.enabled=false", "seed=1,2")
    assert res.returncode != 0
    assert not list(tmp_path.rglob("summary.json"))


# --------------------------------------------------------------------------------------------
# No labs: nothing about samples


def test_run_without_labs_writes_and_prints_no_lab_output(tmp_path: Path) -> None:
    res = run_cli(
        tmp_path,
        "scenario=single_station",
        "demand.rate_per_hour=60",
        "site.close=04:00",
        "output.residents_table=false",
    )
    assert res.returncode == 0, res.stderr
    names = {p.name for p in res.folder.iterdir()}
    assert "queue_length.png" in names
    assert not names & {"labs.csv", *LAB_FIGURES}, names
    assert "Samples and results" not in res.stdout
    assert json.loads((res.folder / "summary.json").read_text()).get("swabs") is None


# --------------------------------------------------------------------------------------------
# The figures, from Python


@pytest.fixture(scope="module")
def three_labs(load_config: Callable[..., sim.ScenarioConfig]) -> sim.RunResult:
    """The busy point with all three labs, the mobile one opening at noon; 1 in 100 positive
    (some recalls); results followed for 3 h after closing (a backlog at the end)."""
    cfg = load_config(
        *BASE,
        "labs.cdc.enabled=true",
        "labs.mobile.enabled=true",
        "labs.mobile.opens_day=1",
        "labs.mobile.opens_at=12:00",
        "labs.hospital.pcr_machines=1",
        "samples.prevalence=0.01",
        "samples.results_horizon_h=3",
    )
    return sim.run(cfg, seed=4)


@pytest.fixture(scope="module")
def one_lab(load_config: Callable[..., sim.ScenarioConfig]) -> sim.RunResult:
    return sim.run(load_config(*BASE), seed=2)


def _legend_texts(fig: Figure) -> list[str]:
    return [t.get_text() for ax in fig.axes if ax.get_legend() for t in ax.get_legend().texts]


def _texts(fig: Figure) -> str:
    return "\n".join(t.get_text() for ax in fig.axes for t in ax.texts)


def test_figure_set_names(three_labs: sim.RunResult, one_lab: sim.RunResult) -> None:
    for result in (three_labs, one_lab):
        figures = lf.lab_figure_set(result)
        assert list(figures) == list(LAB_FIGURES)
        assert all(isinstance(f, Figure) and f.get_suptitle() for f in figures.values())
        assert "busy_point, seed" in figures["turnaround.png"].get_suptitle()


def test_figure_set_without_labs(load_config: Callable[..., sim.ScenarioConfig]) -> None:
    cfg = load_config("scenario=single_station", "demand.rate_per_hour=30", "site.close=03:00")
    result = sim.run(cfg)
    assert result.chain is None
    assert lf.lab_figure_set(result) == {}
    with pytest.raises(ValueError, match="no labs"):
        lf.backlog_figure(result)
    assert "Samples and results" not in format_summary([result])


def test_backlog_figure_one_line_per_lab(three_labs: sim.RunResult) -> None:
    chain = three_labs.chain
    assert chain is not None and len(chain.labs) == 3
    fig = lf.backlog_figure(three_labs)
    (ax,) = fig.axes
    steps = [line for line in ax.get_lines() if not line.get_label().startswith("_")]
    assert [line.get_label().split(":")[0] for line in steps] == list(chain.labs)
    legend = _legend_texts(fig)
    assert len(legend) == 4 and legend[-1].startswith("points serving")
    # The mobile lab's opening, the end of the round and the horizon are marked.
    texts = _texts(fig)
    assert "Mobile lab opens day 1 12:00" in texts
    assert "round ends day 1 22:00" in texts
    assert "results horizon day 2 01:00" in texts
    # The lines are the metric on a 10-min grid up to the horizon (some tubes wait past it).
    grid, values = lf.backlog_series(chain)
    np.testing.assert_array_equal(np.diff(grid), 10.0)
    assert grid[-1] >= chain.horizon_min
    np.testing.assert_array_equal(values, backlog_over_time(chain, grid))
    for line, y in zip(steps, values, strict=True):
        np.testing.assert_array_equal(line.get_ydata(), y)
    assert values[:, -1].sum() > 0


def test_backlog_figure_from_the_chain_alone(one_lab: sim.RunResult) -> None:
    chain = one_lab.chain
    assert chain is not None
    fig = lf.backlog_figure(chain, step_min=30.0, round_ends=[22 * 60.0])
    assert len(_legend_texts(fig)) == 1  # one lab, no serving windows without the run
    assert "round ends day 1 22:00" in _texts(fig)
    grid, values = lf.backlog_series(chain, 30.0)
    assert values[0, -1] == 0  # every tube resulted: the span ends at the last result
    assert grid[-1] >= np.nanmax(chain.tube_result) > grid[-1] - 90.0


def test_turnaround_figure_marks_target_percentiles_and_backlog(
    three_labs: sim.RunResult, one_lab: sim.RunResult
) -> None:
    s = three_labs.summary()
    assert s["backlog_swabs"] > 0
    fig = lf.turnaround_figure(three_labs)
    ax = fig.axes[0]
    texts = _texts(fig)
    assert f"target 24 h:\n{lf.share_text(s['within_target'])} of swabs within" in texts
    assert f"p50 of those resulted {s['turnaround_p50_h']:.1f} h" in texts
    assert f"p95 of those resulted {s['turnaround_p95_h']:.1f} h" in texts
    assert f"{s['backlog_swabs']:,} of {s['swabs']:,} swabs" in texts
    assert "have no result by the horizon" in texts
    # The curve is over all swabs: it ends at the share with a result.
    curve = ax.get_lines()[0]
    assert curve.get_ydata()[-1] == pytest.approx(s["resulted"] / s["swabs"])
    assert {"median", "p95", "target 24 h"} <= set(_legend_texts(fig))

    s1 = one_lab.summary()
    assert s1["backlog_swabs"] == 0
    texts = _texts(lf.turnaround_figure(one_lab))
    assert f"all {s1['swabs']:,} swabs resulted" in texts
    assert f"p95 {s1['turnaround_p95_h']:.1f} h" in texts


def test_turnaround_by_hour_quantiles(one_lab: sim.RunResult) -> None:
    chain = one_lab.chain
    assert chain is not None
    hours, q = lf.turnaround_by_hour(chain)
    ta = turnaround_h(chain)
    hour = np.floor(chain.swab_time / 60.0) * 60.0
    np.testing.assert_array_equal(hours, np.unique(hour))
    for k, h in enumerate(hours):
        mine = ta[hour == h]
        expected = np.percentile(mine, [50, 95], method="inverted_cdf")
        np.testing.assert_allclose(q[:, k], expected)


def test_lab_utilisation_figure(three_labs: sim.RunResult) -> None:
    fig = lf.lab_utilisation_figure(three_labs)
    ax, ax_tubes = fig.axes
    assert [t.get_text() for t in ax.get_legend().texts] == [
        "receiving desks",
        "extractors",
        "PCR machines",
    ]
    assert len(ax.patches) == 3 * 3  # a bar per lab and stage
    ticks = [t.get_text() for t in ax.get_xticklabels()]
    assert ticks[2] == "Mobile lab\nopens day 1 12:00"
    assert [t.get_text() for t in ax_tubes.get_yticklabels()] == list(three_labs.chain.labs)


def test_summary_section_lists_backlog_stages(three_labs: sim.RunResult) -> None:
    s = three_labs.summary()
    text = section(format_summary([three_labs]))
    assert re.search(rf"no result by horizon\s+{s['backlog_swabs']:,}\s+swabs", text)
    for stage in ("awaiting_retest", "at_point", "pcr_queue", "pcr"):
        count = s[f"backlog_{stage}"]
        shown = re.search(rf"^    {stage.replace('_', ' ')}\s+([\d,]+)$", text, re.M)
        assert (shown is not None) == (count > 0), stage
        if shown:
            assert shown.group(1) == f"{count:,}"
    assert f"{s['recalled']:,} members recalled" in text
    labs = three_labs.tables()["labs"]
    for _, row in labs.iterrows():
        assert re.search(rf"^  {row['lab']}\s", text, re.M)
    assert summarise_chain(three_labs.chain)["swabs"] == s["swabs"]


def test_lab_backlog_table_adds_up_hour_by_hour() -> None:
    cfg = sim.load_config(["scenario=busy_point", "demand.residents=3000"])
    result = sim.run(cfg, seed=2)
    chain = result.chain
    assert chain is not None
    table = result.tables()["lab_backlog"]
    assert list(table["lab"].unique()) == list(chain.labs)
    for _, rows in table.groupby("lab"):
        waiting = rows["tubes_waiting"].to_numpy()
        flow = (rows["tubes_delivered"] - rows["tubes_resulted"]).to_numpy()
        # the next hour's waiting = this hour's + delivered - resulted in between
        np.testing.assert_array_equal(waiting[1:], waiting[:-1] + flow[:-1])
        assert waiting[0] == 0 and (waiting >= 0).all()
        assert rows["tubes_delivered"].sum() == int(np.isfinite(chain.tube_delivered).sum())
    assert (np.diff(table["time_min"].to_numpy()[: len(table) // len(chain.labs)]) == 60).all()

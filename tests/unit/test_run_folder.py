"""The run folder on disk: :func:`sim.plots.report.write_run` and
:func:`sim.plots.report.check_run_folder`.

A run folder is never reused and nothing in it is overwritten; ``summary.json`` is strict JSON
and is written last, so a folder holding it is complete; writing a run leaves the results it
was given unchanged, so the same results can be written twice.

Runs are small: one busy point with 300 residents and its lab (every table and figure), and a
two-hour single station (no registration, no green residents: NaN in the summary).
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

import sim
from sim.experiment.replications import run_replications
from sim.experiment.result import RunResult
from sim.plots import figures
from sim.plots.report import RunFolderError, check_run_folder, format_summary, write_run

BUSY = ("scenario=busy_point", "demand.residents=300")
STATION = ("scenario=single_station", "site.close=02:00")
Loader = Callable[..., sim.ScenarioConfig]
Results = tuple[sim.ScenarioConfig, list[RunResult]]


@pytest.fixture(scope="module")
def station(load_config: Loader) -> Results:
    """A two-hour single station, no figures (fast)."""
    config = load_config(*STATION, "output.figures=false")
    return config, run_replications(config)


def strict_json(text: str) -> Any:
    """Parse JSON, failing on the NaN, Infinity and -Infinity that Python's json accepts."""

    def refuse(token: str) -> None:
        raise ValueError(f"not strict JSON: {token}")

    return json.loads(text, parse_constant=refuse)


def same(a: Any, b: Any) -> bool:
    """Equal, NaN equal to NaN."""
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return bool(a == b)


def files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def listing(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


def one_line(err: pytest.ExceptionInfo[RunFolderError]) -> str:
    message = str(err.value)
    assert "\n" not in message
    return message


# --------------------------------------------------------------------------------------------
# Inputs are left unchanged


@pytest.mark.parametrize("replications", [1, 2])
def test_writing_twice_gives_identical_folders_and_leaves_results_unchanged(
    load_config: Loader, tmp_path: Path, replications: int
) -> None:
    config = load_config(*BUSY, f"replications={replications}")
    results = run_replications(config)
    residents = [r.residents.copy(deep=True) for r in results]
    columns = [list(r.residents.columns) for r in results]
    summaries = [r.summary() for r in results]

    one = write_run(tmp_path / "one", config, results)
    format_summary(results)
    two = write_run(tmp_path / "two", config, results)

    assert [p.name for p in one] == [p.name for p in two]
    assert "residents.parquet" in {p.name for p in one}
    assert "lab_utilisation.png" in {p.name for p in one}
    assert files(tmp_path / "one") == files(tmp_path / "two")
    for r, before, cols, summary in zip(results, residents, columns, summaries, strict=True):
        assert list(r.residents.columns) == cols
        assert "replication" not in r.residents.columns
        pd.testing.assert_frame_equal(r.residents, before)
        after = r.summary()
        assert after.keys() == summary.keys()
        assert all(same(after[k], summary[k]) for k in summary), r.replication
        for name, frame in r.tables().items():
            assert "replication" not in frame.columns, name
    # ...and the files carry the replication column
    table = pd.read_parquet(tmp_path / "one" / "residents.parquet")
    assert table.columns[0] == "replication"
    assert sorted(set(table["replication"])) == list(range(replications))
    assert len(table) == sum(len(r.residents) for r in results)
    labs = pd.read_csv(tmp_path / "one" / "labs.csv")
    assert labs["replication"].tolist() == list(range(replications))


# --------------------------------------------------------------------------------------------
# summary.json is strict JSON


NAN_KEYS = ("wait_mean_min_green", "wait_max_min_green", "reg_wait_mean_min")


def test_summary_json_writes_null_for_nan(station: Results, tmp_path: Path) -> None:
    config, results = station
    summary = results[0].summary()
    for key in NAN_KEYS:  # no green residents, no registration desk
        assert math.isnan(summary[key]), key
    write_run(tmp_path / "run", config, results)
    text = (tmp_path / "run" / "summary.json").read_text("utf-8")
    assert "NaN" not in text
    data = strict_json(text)
    for key in NAN_KEYS:
        assert data[key] is None, key
    # and the config's warnings (none) and target verdicts (none without verdicts given)
    assert data.keys() == {*summary.keys(), "warnings", "targets"}
    assert data["warnings"] == [] and data["targets"] == []
    assert data["tested"] == summary["tested"] > 0
    assert data["wait_mean_min"] == pytest.approx(summary["wait_mean_min"])


def test_summary_json_of_replications_writes_null_for_nan(
    load_config: Loader, tmp_path: Path
) -> None:
    config = load_config(*STATION, "output.figures=false", "replications=2")
    results = run_replications(config)
    write_run(tmp_path / "run", config, results)
    data = strict_json((tmp_path / "run" / "summary.json").read_text("utf-8"))
    assert data["replications"] == 2
    for key in NAN_KEYS:
        assert data[key] is None, key
    assert data["wait_mean_min_ci95"] > 0


def test_summary_json_writes_null_for_infinities_and_numpy_values(
    station: Results, tmp_path: Path
) -> None:
    config, results = station
    odd = {
        **results[0].summary(),
        "plus_inf": math.inf,
        "minus_inf": np.float64(-np.inf),
        "nan32": np.float32("nan"),
        "half32": np.float32(0.5),
        "count64": np.int64(7),
        "flag": np.bool_(True),
        "nested": {"values": [1.0, math.nan, np.float64(np.inf)], "array": np.array([2.0, np.nan])},
    }
    result = dataclasses.replace(results[0], _summary=odd)
    write_run(tmp_path / "run", config, [result])
    data = strict_json((tmp_path / "run" / "summary.json").read_text("utf-8"))
    assert data["plus_inf"] is None
    assert data["minus_inf"] is None
    assert data["nan32"] is None
    assert data["half32"] == 0.5
    assert data["count64"] == 7
    assert data["flag"] is True
    assert data["nested"] == {"values": [1.0, None, None], "array": [2.0, None]}


# --------------------------------------------------------------------------------------------
# summary.json is written last: a folder without it is incomplete


def test_summary_json_is_written_last(busy: Results, tmp_path: Path) -> None:
    config, results = busy
    written = write_run(tmp_path / "run", config, results)
    assert written[-1].name == "summary.json"
    assert written[0].name == "config.yaml"
    assert sorted(p.name for p in written) == sorted(files(tmp_path / "run"))


def _fail_after_writing_some_bytes(name: str) -> Callable[..., None]:
    def fail(self: Any, path: Any, *args: Any, **kwargs: Any) -> None:
        Path(path).write_bytes(b"partial")
        raise OSError(f"disk full while writing {name}")

    return fail


@pytest.mark.parametrize("what", ["figure", "table"])
def test_a_run_failing_while_writing_leaves_no_summary_and_no_partial_file(
    busy: Results, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, what: str
) -> None:
    config, results = busy
    if what == "figure":  # the second of the three queue figures (drawn, then written)
        real = Path.write_bytes

        def write_bytes(self: Path, data: Any) -> int:
            if self.name == ".wait_distribution.png.part":
                real(self, b"partial")
                raise OSError("disk full while writing a figure")
            return real(self, data)

        monkeypatch.setattr(Path, "write_bytes", write_bytes)
        before, missing = "queue_length.png", "wait_distribution.png"
    else:
        real_csv = pd.DataFrame.to_csv

        def to_csv(self: pd.DataFrame, path: Any = None, *args: Any, **kwargs: Any) -> Any:
            if str(path).endswith(".staff.csv.part"):
                _fail_after_writing_some_bytes("staff.csv")(self, path)
            return real_csv(self, path, *args, **kwargs)

        monkeypatch.setattr(pd.DataFrame, "to_csv", to_csv)
        before, missing = "hours.csv", "staff.csv"

    folder = tmp_path / "run"
    with pytest.raises(OSError, match="disk full"):
        write_run(folder, config, results)
    names = set(files(folder))
    assert "config.yaml" in names
    assert before in names  # it failed mid-way...
    assert missing not in names  # ...with no partial file...
    assert not [n for n in names if n.endswith(".part")]
    assert "summary.json" not in names  # ...and the folder is not marked complete


def test_a_failing_figure_maker_leaves_no_summary(
    busy: Results, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config, results = busy

    def broken(result: RunResult) -> Figure:
        raise RuntimeError("cannot draw")

    monkeypatch.setattr(figures, "utilisation_figure", broken)
    with pytest.raises(RuntimeError, match="cannot draw"):
        write_run(tmp_path / "run", config, results)
    names = set(files(tmp_path / "run"))
    assert {"config.yaml", "residents.parquet", "wait_distribution.png"} <= names
    assert "summary.json" not in names


# --------------------------------------------------------------------------------------------
# write_run refuses to overwrite, and tolerates what Hydra puts in the folder first


def test_write_run_tolerates_hydras_files(station: Results, tmp_path: Path) -> None:
    config, results = station
    folder = tmp_path / "run"
    (folder / ".hydra").mkdir(parents=True)
    (folder / ".hydra" / "config.yaml").write_text("hydra: its own\n")
    (folder / "__main__.log").write_text("")
    written = write_run(folder, config, results)
    assert {p.name for p in written} >= {"config.yaml", "residents.parquet", "summary.json"}
    assert (folder / ".hydra" / "config.yaml").read_text() == "hydra: its own\n"
    assert (folder / "__main__.log").read_text() == ""


@pytest.mark.parametrize(
    "name",
    ["summary.json", "config.yaml", "residents.parquet", "points.csv", ".summary.json.part"],
)
def test_write_run_refuses_a_folder_holding_one_of_its_files(
    station: Results, tmp_path: Path, name: str
) -> None:
    config, results = station
    folder = tmp_path / "run"
    (folder / ".hydra").mkdir(parents=True)
    (folder / name).write_text("an earlier run's\n")
    before = listing(folder)
    with pytest.raises(RunFolderError) as err:
        write_run(folder, config, results)
    message = one_line(err)
    assert str(folder) in message and name in message
    assert "hydra.run.dir" in message
    assert listing(folder) == before  # nothing written
    assert (folder / name).read_text() == "an earlier run's\n"


def test_write_run_refuses_a_figure_it_would_overwrite(busy: Results, tmp_path: Path) -> None:
    config, results = busy
    folder = tmp_path / "run"
    folder.mkdir()
    (folder / "turnaround.png").write_bytes(b"old")
    with pytest.raises(RunFolderError, match=r"turnaround\.png"):
        write_run(folder, config, results)
    assert listing(folder) == ["turnaround.png"]


def test_writing_the_same_folder_twice_refuses_and_leaves_the_first_run(
    station: Results, tmp_path: Path
) -> None:
    config, results = station
    folder = tmp_path / "run"
    write_run(folder, config, results)
    before = files(folder)
    with pytest.raises(RunFolderError, match="already holds"):
        write_run(folder, config, results)
    assert files(folder) == before


def test_write_run_under_a_file_raises_run_folder_error(station: Results, tmp_path: Path) -> None:
    config, results = station
    (tmp_path / "afile").write_text("x")
    with pytest.raises(RunFolderError) as err:
        write_run(tmp_path / "afile" / "run", config, results)
    assert str(tmp_path / "afile" / "run") in one_line(err)
    with pytest.raises(RunFolderError, match="is a file, not a folder"):
        write_run(tmp_path / "afile", config, results)
    assert (tmp_path / "afile").read_text() == "x"


# --------------------------------------------------------------------------------------------
# check_run_folder: the pre-flight check, before anything is simulated


@pytest.mark.parametrize("relative", ["run", "outputs/2024-05-01/10-00-00"])
def test_check_accepts_a_new_folder_and_creates_nothing(tmp_path: Path, relative: str) -> None:
    check_run_folder(tmp_path / relative)
    assert list(tmp_path.iterdir()) == []


def test_check_accepts_an_empty_folder(tmp_path: Path) -> None:
    (tmp_path / "run").mkdir()
    check_run_folder(tmp_path / "run")
    assert list((tmp_path / "run").iterdir()) == []


@pytest.mark.parametrize("entry", ["summary.json", "notes.txt", ".hydra", "__main__.log"])
def test_check_refuses_a_folder_holding_anything(tmp_path: Path, entry: str) -> None:
    folder = tmp_path / "run"
    folder.mkdir()
    if entry.startswith("."):
        (folder / entry).mkdir()
    else:
        (folder / entry).write_text("")
    with pytest.raises(RunFolderError) as err:
        check_run_folder(folder)
    message = one_line(err)
    assert str(folder) in message and entry in message
    assert "hydra.run.dir" in message
    assert listing(folder) == [entry]


def test_check_refuses_a_file(tmp_path: Path) -> None:
    (tmp_path / "run").write_text("x")
    with pytest.raises(RunFolderError, match="is a file, not a folder"):
        check_run_folder(tmp_path / "run")


@pytest.mark.parametrize("below", ["run", "a/b/run"])
def test_check_refuses_a_folder_that_cannot_be_created_under_a_file(
    tmp_path: Path, below: str
) -> None:
    (tmp_path / "afile").write_text("x")
    folder = tmp_path / "afile" / below
    with pytest.raises(RunFolderError) as err:
        check_run_folder(folder)
    message = one_line(err)
    assert str(folder) in message
    assert f"{tmp_path / 'afile'} is a file" in message
    assert (tmp_path / "afile").read_text() == "x"


def _deny_writes_to(monkeypatch: pytest.MonkeyPatch, denied: Path) -> list[tuple[str, int]]:
    """Make ``os.access`` answer "no" for writing into ``denied`` (root may write anywhere)."""
    calls: list[tuple[str, int]] = []
    real = os.access

    def access(path: Any, mode: int, *args: Any, **kwargs: Any) -> bool:
        calls.append((os.fspath(path), mode))
        if Path(path) == denied and mode & os.W_OK:
            return False
        return real(path, mode, *args, **kwargs)

    monkeypatch.setattr(os, "access", access)
    return calls


@pytest.mark.parametrize("below", ["run", "a/b/run"])
def test_check_refuses_a_folder_under_one_it_cannot_write(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, below: str
) -> None:
    parent = tmp_path / "readonly"
    parent.mkdir()
    calls = _deny_writes_to(monkeypatch, parent)
    folder = parent / below
    with pytest.raises(RunFolderError) as err:
        check_run_folder(folder)
    message = one_line(err)
    assert str(folder) in message and f"no permission to write in {parent}" in message
    assert (str(parent), os.W_OK | os.X_OK) in calls
    assert list(parent.iterdir()) == []


def test_check_refuses_an_empty_folder_it_cannot_write(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "run"
    folder.mkdir()
    _deny_writes_to(monkeypatch, folder)
    with pytest.raises(RunFolderError, match="not writable"):
        check_run_folder(folder)


def test_write_run_refuses_a_folder_it_cannot_write(
    station: Results, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config, results = station
    folder = tmp_path / "run"
    folder.mkdir()
    _deny_writes_to(monkeypatch, folder)
    with pytest.raises(RunFolderError, match="not writable"):
        write_run(folder, config, results)
    assert list(folder.iterdir()) == []


def test_check_refuses_a_read_only_folder_for_real(tmp_path: Path) -> None:
    parent = tmp_path / "readonly"
    parent.mkdir()
    parent.chmod(0o555)
    try:
        if os.access(parent, os.W_OK):
            pytest.skip("this user may write to a read-only folder (root)")
        with pytest.raises(RunFolderError, match="no permission"):
            check_run_folder(parent / "run")
    finally:
        parent.chmod(0o755)

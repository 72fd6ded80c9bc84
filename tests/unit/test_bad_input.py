"""Bad input of every kind, all of it reported before anything is simulated.

1. Every error of a config at once: five mistakes in five places give one
   :class:`sim.ConfigErrors` listing them (from :func:`sim.load_config`, from
   :func:`sim.build_config` and from ``python -m sim``), and a template error that 40 points
   inherit is shown once.
2. Did-you-mean for a misspelt value or key wherever it was typed (an override, a
   ``site_types`` entry, a planner's scenario file), named where it was typed.
3. The catalogue of absurd sizes and values: each a ConfigError naming the field and the bound
   (:mod:`sim.config.limits`), or, for unusual but allowed settings, a warning naming the field
   (:func:`sim.config.cautions.config_warnings`).
4. Hydra and command-line input (an unknown layout, a missing ``--config-dir``, an override
   without ``=``, a broken YAML file, a point past the end of ``sites``): the project's own
   one-line ``error: ...`` on stderr, exit status 2, no traceback, nothing written.
5. Run folders: a run never reuses a folder (the first run's files stay byte for byte), and a
   folder under a regular file is refused before simulating.

Overrides apply to ``scenario=busy_point`` (one busy point with its lab) unless a test says it
uses the shipped district (40 points built from ``site`` <- ``site_types`` <- ``sites``).
Command-line tests run ``python -m sim`` in an empty folder (~3 s each); the quick suite keeps
eight of them, the others are marked slow.
"""

from __future__ import annotations

import dataclasses
import json
import math
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

import sim
from sim.cli import config_root
from sim.config import limits
from sim.config.cautions import config_warnings
from sim.config.staffing import MAX_UNSTAFFED_MIN
from sim.engine.network import QueueNetwork
from sim.engine.tandem import TandemQueue
from sim.model.collection_point import plan_point
from sim.model.district import RoundSimulation
from tests.cli_helpers import sim_cli, write_scenario

BASE = "scenario=busy_point"

#: Five mistakes in five places of busy_point: a misspelt key, a negative count, a probability
#: of 3, a negative seed and a round starting on day 0. (field, value, fragment of allowed)
FIVE_MISTAKES = (
    "site.swab_boths=3",
    "site.registration_desks=-2",
    "demand.barcode_share=3",
    "seed=-1",
    "campaign.start_days=[0]",
)
FIVE_ERRORS = (
    ("site.swab_boths", 3, "did you mean 'swab_booths'?"),
    ("site.registration_desks", -2, "an integer >= 1"),
    ("demand.barcode_share", 3.0, "a probability between 0 and 1"),
    ("seed", -1, "an integer >= 0"),
    ("campaign.start_days", (0,), "days >= 1"),
)


@pytest.fixture(autouse=True)
def _no_simulation(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail loudly if validating a config ever starts simulating (in this process; the
    command-line runs are subprocesses)."""

    def boom(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("a simulation was started while validating a config")

    monkeypatch.setattr(RoundSimulation, "_residents", boom)
    monkeypatch.setattr(QueueNetwork, "__init__", boom)
    monkeypatch.setattr(TandemQueue, "__init__", boom)


# --------------------------------------------------------------------------------- helpers


def config_error(*overrides: str, config_dir: Path | None = None) -> sim.ConfigError:
    """The error of composing ``overrides`` (name the base scenario among them)."""
    with pytest.raises(sim.ConfigError) as info:
        sim.load_config(overrides=list(overrides), config_dir=config_dir)
    return info.value


def fields(err: sim.ConfigError) -> list[str]:
    return [e.field for e in err.errors]


def same(a: Any, b: Any) -> bool:
    """Equal, NaN equal to NaN."""
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return bool(a == b)


def busy_point_dict() -> dict[str, Any]:
    return dataclasses.asdict(sim.load_config(overrides=[BASE]))


@pytest.fixture
def cwd(tmp_path: Path) -> Path:
    """An empty folder to run ``python -m sim`` in (Hydra writes ``outputs/`` there)."""
    folder = tmp_path / "cwd"
    folder.mkdir()
    return folder


def cli(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return sim_cli(cwd, *args, timeout=300)


def assert_refused(proc: subprocess.CompletedProcess[str], cwd: Path) -> list[str]:
    """Exit status 2, the project's own ``error: ...`` on stderr, no traceback, nothing
    simulated and nothing written in ``cwd``; returns the lines of stderr."""
    assert proc.returncode == 2, (proc.returncode, proc.stderr[-3000:])
    assert "Traceback" not in proc.stderr, proc.stderr
    assert proc.stdout == "", proc.stdout  # no summary, no "run folder:"
    lines = proc.stderr.strip().splitlines()
    assert lines and lines[0].startswith("error: "), proc.stderr
    assert list(cwd.iterdir()) == [], sorted(cwd.rglob("*"))  # no outputs/, no log
    return lines


def assert_one_line(proc: subprocess.CompletedProcess[str], cwd: Path) -> str:
    lines = assert_refused(proc, cwd)
    assert len(lines) == 1, proc.stderr
    return lines[0]


# ------------------------------------------------------------- 1. every error at once


def test_five_mistakes_are_reported_together_by_load_config() -> None:
    err = config_error(BASE, *FIVE_MISTAKES)
    assert isinstance(err, sim.ConfigErrors)
    assert isinstance(err, sim.ConfigError) and isinstance(err, ValueError)
    by_field = {e.field: e for e in err.errors}
    for field, value, allowed in FIVE_ERRORS:
        assert field in by_field, (field, str(err))
        assert by_field[field].value == value, (field, by_field[field].value)
        assert allowed in by_field[field].allowed, (field, by_field[field].allowed)
        assert f"\n  {by_field[field].line}" in str(err)  # one line each in the message
    first = err.errors[0]
    assert (err.field, err.value, err.allowed) == (first.field, first.value, first.allowed)
    assert str(err).startswith(f"invalid config: {len(err.errors)} errors:\n")


def test_five_mistakes_give_exactly_five_errors() -> None:
    err = config_error(BASE, *FIVE_MISTAKES)
    assert sorted(fields(err)) == sorted(f for f, _, _ in FIVE_ERRORS), str(err)


def test_five_mistakes_from_the_command_line_in_one_run(cwd: Path) -> None:
    proc = cli(cwd, BASE, *FIVE_MISTAKES)
    lines = assert_refused(proc, cwd)
    assert re.fullmatch(r"error: invalid config: \d+ errors:", lines[0]), lines[0]
    for field, _, allowed in FIVE_ERRORS:
        assert any(ln.startswith(f"  {field} = ") and allowed in ln for ln in lines[1:]), (
            field,
            proc.stderr,
        )


def test_build_config_reports_every_error_of_a_plain_dict() -> None:
    data = busy_point_dict()
    data["sead"] = 2  # misspelt top-level key
    data["replications"] = 0
    data["seed"] = "one"  # wrong type
    data["site"] = {**data["site"], "swab_booths": 0}
    data["site"]["green_channel"] = {**data["site"]["green_channel"], "mode": "priorty"}
    data["demand"] = {**data["demand"], "green_share": 2.0}
    with pytest.raises(sim.ConfigErrors) as info:
        sim.build_config(data)
    err = info.value
    expected = {
        "sead": (2, "did you mean 'seed'?"),
        "replications": (0, ">= 1"),
        "seed": ("one", "a whole number"),
        "site.swab_booths": (0, ">= 1"),
        "site.green_channel.mode": ("priorty", "did you mean 'priority'?"),
        "demand.green_share": (2.0, "between 0 and 1"),
    }
    assert sorted(fields(err)) == sorted(expected), str(err)
    for e in err.errors:
        value, allowed = expected[e.field]
        assert e.value == value and allowed in e.allowed, e.line


def test_build_config_refuses_a_non_mapping() -> None:
    with pytest.raises(sim.ConfigErrors) as info:
        sim.build_config([1, 2, 3])  # type: ignore[arg-type]
    assert info.value.field == "<root>"
    assert info.value.value == [1, 2, 3]
    assert "mapping" in info.value.allowed


@pytest.mark.parametrize(
    ("override", "field", "value", "allowed"),
    [
        # Every site type sets its own booths, so the template's -1 reaches no point ...
        ("site.swab_booths=-1", "site.swab_booths", -1, "an integer >= 1"),
        # ... while clearing_min is inherited by all 40 points: still one error, not 41.
        ("site.clearing_min=-1", "site.clearing_min", -1.0, "minutes >= 0"),
        ("site.green_channel.mode=priorty", "site.green_channel.mode", "priorty", "priority"),
    ],
)
def test_a_template_error_in_the_district_is_reported_once(
    override: str, field: str, value: Any, allowed: str
) -> None:
    err = config_error(override)  # the shipped district: 40 points inherit `site`
    assert fields(err) == [field], str(err)
    assert err.value == value
    assert allowed in err.allowed
    assert "\n" not in str(err)
    assert "sites[" not in str(err)


@pytest.mark.slow
def test_a_template_error_in_the_district_is_one_line_on_the_command_line(cwd: Path) -> None:
    line = assert_one_line(cli(cwd, "site.clearing_min=-1"), cwd)
    assert line == "error: invalid config: site.clearing_min = -1.0; allowed: minutes >= 0"


# ------------------------------------------------------------------------- 2. did you mean


def test_misspelt_literal_value_suggests_the_right_one() -> None:
    err = config_error(BASE, "site.green_channel.mode=priorty")
    assert fields(err) == ["site.green_channel.mode"]
    assert err.value == "priorty"
    assert "did you mean 'priority'?" in err.allowed
    for mode in ("'none'", "'priority'", "'dedicated'"):
        assert mode in err.allowed


def test_misspelt_key_of_a_site_type_is_named_where_it_was_typed() -> None:
    err = config_error("site_types.square.swab_bothes=3")  # the district: 7 square points
    assert fields(err) == ["site_types.square.swab_bothes"], str(err)
    assert err.value == 3
    assert "did you mean 'swab_booths'?" in err.allowed
    assert "site.swab_bothes" not in str(err) and "sites[" not in str(err)


def test_misspellings_in_a_planners_scenario_file(tmp_path: Path) -> None:
    write_scenario(
        tmp_path,
        """\
        name: mine
        demand:
          barcode_shar: 0.3
        site:
          green_channel: {mode: priorty}
        site_types:
          square: {swab_bothes: 8}
        """,
    )
    err = config_error("scenario=mine", config_dir=tmp_path)
    assert isinstance(err, sim.ConfigErrors)
    expected = {
        "demand.barcode_shar": (0.3, "did you mean 'barcode_share'?"),
        "site.green_channel.mode": ("priorty", "did you mean 'priority'?"),
        "site_types.square.swab_bothes": (8, "did you mean 'swab_booths'?"),
    }
    assert sorted(fields(err)) == sorted(expected), str(err)  # once each, not per point
    for e in err.errors:
        value, allowed = expected[e.field]
        assert e.value == value and allowed in e.allowed, e.line


# ------------------------------------------------------------------------ 3. the catalogue

SHORT_SWAB_ROSTER = "site.staffing.swab.shifts=[{start:'07:00',end:'10:00',staff:null,breaks:[]}]"


@dataclass(frozen=True)
class Bad:
    overrides: tuple[str, ...]
    field: str
    value: Any
    allowed: tuple[str, ...]  # fragments of what is allowed
    alone: bool = True  # the config's only error


CATALOGUE: dict[str, Bad] = {
    "line_of_1e600_people": Bad(
        ("site.queue_space_m=1e300", "site.spacing_m=1e-300"),
        "site.queue_space_m",
        1e300,
        (f"at most {limits.MAX_LINE_PEOPLE:,} people", "null for unlimited"),
    ),
    "residents_above_the_bound": Bad(
        (f"demand.residents={limits.MAX_RESIDENTS + 1}",),
        "demand.residents",
        limits.MAX_RESIDENTS + 1,
        (f"at most {limits.MAX_RESIDENTS:,} residents", "several districts"),
    ),
    "a_billion_employees_per_enterprise": Bad(
        ("mobile.generate.workforce_mean=1e9",),
        "mobile.generate.workforce_mean",
        1e9,
        (f"at most {limits.MAX_EMPLOYEES:,} employees",),
    ),
    "a_million_returns": Bad(
        ("demand.retry.max_retries=1000000",),
        "demand.retry.max_retries",
        1_000_000,
        (f"from 0 to {limits.MAX_RETRIES}",),
    ),
    "a_round_on_day_100000": Bad(
        ("campaign.start_days=[1,100000]",),
        "campaign.start_days",
        (1, 100_000),
        (f"end by day {limits.MAX_CAMPAIGN_DAYS}", "100,000"),
    ),
    "swabbers_only_07_to_10": Bad(
        (SHORT_SWAB_ROSTER,),
        "site.staffing.swab",
        "no swab staff 10:00-21:00 on day 1",
        ("swab booth", "'Central square'", "07:00-21:00", f"{MAX_UNSTAFFED_MIN:g} min"),
    ),
    "closing_at_9999_00": Bad(
        ("site.close='9999:00'",),
        "site.close",
        "9999:00",
        (f"within {limits.MAX_CAMPAIGN_DAYS} days",),
    ),
    "position_nan": Bad(
        # Hydra reads nan as a float (its `.nan` would be the string '.nan').
        ("site.x_km=nan",),
        "site.x_km",
        math.nan,
        ("a finite position",),
        alone=False,  # see test_a_non_finite_position_is_one_error
    ),
    "empty_point_name": Bad(('site.name=""',), "site.name", "", ("non-empty",)),
    "a_million_swabs_per_tube": Bad(
        ("samples.pool_size=1000000",),
        "samples.pool_size",
        1_000_000,
        (f"from 1 to {limits.MAX_POOL_SIZE}",),
    ),
    "swab_time_cv_1e6": Bad(
        ("site.swab_time_s.cv=1e6",),
        "site.swab_time_s.cv",
        1e6,
        (f"at most {limits.MAX_CV:g}", "deterministic"),
    ),
}


@pytest.mark.parametrize("bad", list(CATALOGUE.values()), ids=list(CATALOGUE))
def test_catalogue_of_bad_values_names_field_value_and_bound(bad: Bad) -> None:
    err = config_error(BASE, *bad.overrides)  # no OverflowError, no MemoryError: a ConfigError
    first = err.errors[0]
    assert first.field == bad.field, str(err)
    assert same(first.value, bad.value), (first.value, bad.value)
    for fragment in bad.allowed:
        assert fragment in first.allowed, (fragment, first.allowed)
    assert f"{bad.field} = " in str(err)
    if bad.alone:
        assert fields(err) == [bad.field], str(err)


def test_residents_of_sub_districts_above_the_bound() -> None:
    err = config_error("subdistricts.0.population=20000000")  # the district: 313,000 in all
    assert fields(err) == ["subdistricts"]
    assert err.value == "20,271,000 residents in all"
    assert f"at most {limits.MAX_RESIDENTS:,} residents" in err.allowed


def test_a_nan_in_a_planners_yaml_file(tmp_path: Path) -> None:
    write_scenario(tmp_path, "site:\n  x_km: .nan\n")  # YAML's NaN, in the district's template
    err = config_error("scenario=mine", config_dir=tmp_path)
    assert fields(err) == ["site.x_km"], str(err)
    assert isinstance(err.value, float) and math.isnan(err.value)
    assert "finite" in err.allowed


def test_a_dotted_nan_override_is_text_not_a_number() -> None:
    # YAML's `.nan` is not Hydra's spelling: it arrives as the string '.nan'.
    err = config_error(BASE, "site.x_km=.nan")
    assert fields(err) == ["site.x_km"]
    assert err.value == ".nan"
    assert err.allowed == "a number"


@pytest.mark.parametrize("value", ["nan", "inf"])
def test_a_non_finite_position_is_one_error(value: str) -> None:
    err = config_error(BASE, f"site.x_km={value}")
    assert fields(err) == ["site.x_km"], str(err)


# Warnings: allowed, so the config loads; the warning names the field and the value.


def test_busy_point_has_no_warnings() -> None:
    assert config_warnings(sim.load_config(overrides=[BASE])) == ()


def test_a_pool_of_30_with_labs_in_use_is_a_warning() -> None:
    cfg = sim.load_config(overrides=[BASE, "samples.pool_size=30"])
    assert cfg.samples.pool_size == 30 and cfg.labs_in_use
    (warning,) = config_warnings(cfg)
    assert warning.startswith("samples.pool_size = 30: ")
    assert f"{limits.USUAL_POOL_SIZE}-in-1" in warning
    # Without a lab in use the pools are not simulated: nothing to warn about.
    quiet = sim.load_config(overrides=[BASE, "samples.pool_size=30", "labs.hospital.enabled=false"])
    assert not quiet.labs_in_use
    assert [w for w in config_warnings(quiet) if w.startswith("samples.")] == []


@pytest.mark.parametrize(("cv", "warned"), [(3, False), (4, True)])
def test_a_swab_time_cv_above_3_is_a_warning(cv: int, warned: bool) -> None:
    cfg = sim.load_config(overrides=[BASE, f"site.swab_time_s.cv={cv}"])
    assert cfg.site.swab_time_s.cv == cv
    warnings = config_warnings(cfg)
    if warned:
        (warning,) = warnings
        assert warning.startswith(f"site.swab_time_s.cv = {cv}: ")
        assert f"above {limits.USUAL_CV:g}" in warning
    else:
        assert warnings == ()


def test_overlapping_custom_shifts_are_a_warning_and_their_staff_add_up() -> None:
    cfg = sim.load_config(
        overrides=[
            BASE,
            "site.staffing.swab.shifts=[{start:'07:00',end:'15:00',staff:3,breaks:[]},"
            "{start:'13:00',end:'21:00',staff:4,breaks:[]}]",
        ]
    )
    assert config_warnings(cfg) == ()  # 3 + 4 people fit the 8 booths: a deliberate overlap
    more = sim.load_config(
        overrides=[
            BASE,
            "site.staffing.swab.shifts=[{start:'07:00',end:'15:00',staff:5,breaks:[]},"
            "{start:'13:00',end:'21:00',staff:4,breaks:[]}]",
        ]
    )
    (warning,) = config_warnings(more)
    assert warning.startswith("site.staffing.swab.shifts[1] = 13:00-21:00 overlaps shifts[0]")
    assert "'Central square'" in warning and "add up to 9, more than the 8 booths" in warning
    (swab,) = plan_point(cfg.site, days=1).stages[-1].stations
    steps = dict(zip(swab.schedule.times, swab.schedule.counts, strict=True))
    assert steps[420.0] == 3 and steps[780.0] == 3 + 4 and steps[900.0] == 4  # 8 booths


# -------------------------------------------------------------- 4. Hydra and the command line

BROKEN_YAML = {
    "syntax_error": (
        "name: mine\nsite:\n  swab_booths: 3: 4\n  registration_desks: 5\n",
        4,
        "mapping values are not allowed here",
    ),
    "duplicate_key": (
        "name: mine\nsite:\n  swab_booths: 3\n  swab_booths: 4\n",
        5,
        "duplicate key 'swab_booths' (first on line 4)",
    ),
    "tab_indentation": (
        "name: mine\nsite:\n\tswab_booths: 3\n",
        4,
        "indent with spaces, not tabs",
    ),
}


@pytest.mark.parametrize(("body", "line", "what"), BROKEN_YAML.values(), ids=list(BROKEN_YAML))
def test_a_broken_yaml_file_is_named_with_its_line(
    tmp_path: Path, body: str, line: int, what: str
) -> None:
    path = write_scenario(tmp_path, body).resolve()  # line 1 is the @package header
    err = config_error("scenario=mine", config_dir=tmp_path)
    assert fields(err) == [f"{path}:{line}"], str(err)
    assert what in err.value
    assert err.allowed == "valid YAML"


HYDRA_ERRORS = {
    "unknown_layout": (
        (BASE, "layout=nope"),
        "layout",
        "nope",
        ("one of all_barcodes", "no_green_channel", "three_rounds"),
    ),
    "override_without_equals": ((BASE, "foo"), "foo", "foo", ("an override key=value",)),
    "point_past_the_end": (("sites.99.swab_booths=3",), "sites.99", "3", ("0 to 39", "40")),
}


@pytest.mark.parametrize(
    ("overrides", "field", "value", "allowed"), HYDRA_ERRORS.values(), ids=list(HYDRA_ERRORS)
)
def test_hydra_errors_are_config_errors(
    overrides: tuple[str, ...], field: str, value: str, allowed: tuple[str, ...]
) -> None:
    err = config_error(*overrides)
    assert fields(err) == [field]
    assert err.value == value
    for fragment in allowed:
        assert fragment in err.allowed
    assert "Traceback" not in str(err) and "\n" not in str(err)


def test_cli_unknown_layout_lists_the_layouts(cwd: Path) -> None:
    line = assert_one_line(cli(cwd, BASE, "layout=nope"), cwd)
    assert line.startswith("error: invalid config: layout = 'nope'; allowed: one of ")
    layouts = sorted(p.stem for p in (config_root() / "layout").glob("*.yaml"))
    assert len(layouts) > 5
    for layout in layouts:
        assert layout in line


def test_cli_missing_config_dir(cwd: Path, tmp_path: Path) -> None:
    missing = tmp_path / "no_such_folder"
    line = assert_one_line(cli(cwd, "--config-dir", str(missing), BASE), cwd)
    assert line.startswith("error: invalid config: --config-dir = ")
    assert str(missing) in line and "an existing folder" in line


def test_cli_override_without_equals(cwd: Path) -> None:
    line = assert_one_line(cli(cwd, BASE, "foo"), cwd)
    assert line.startswith("error: invalid config: foo = 'foo'; allowed: an override key=value")


@pytest.mark.parametrize(
    "case",
    [
        pytest.param("tab_indentation"),
        pytest.param("syntax_error", marks=pytest.mark.slow),
        pytest.param("duplicate_key", marks=pytest.mark.slow),
    ],
)
def test_cli_broken_yaml_in_a_planners_folder(case: str, cwd: Path, tmp_path: Path) -> None:
    body, line_no, what = BROKEN_YAML[case]
    mine = tmp_path / "mine"
    path = write_scenario(mine, body).resolve()
    line = assert_one_line(cli(cwd, "--config-dir", str(mine), "scenario=mine"), cwd)
    assert line.startswith(f"error: invalid config: {path}:{line_no} = "), line
    assert what in line and line.endswith("allowed: valid YAML")


def test_cli_point_past_the_end_of_the_list(cwd: Path) -> None:
    line = assert_one_line(cli(cwd, "sites.99.swab_booths=3"), cwd)
    assert line.startswith("error: invalid config: sites.99 = '3'; allowed: an index from 0 to 39")
    assert "++" not in line


# ---------------------------------------------------------------------------- 5. run folders

SMALL_RUN = (
    BASE,
    "demand.residents=300",
    "output.figures=false",
    "output.residents_table=false",
    "samples.pool_size=30",  # a warning, listed in summary.json
)


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_cli_never_reuses_a_run_folder(cwd: Path, tmp_path: Path) -> None:
    run1 = tmp_path / "run1"
    first = cli(cwd, *SMALL_RUN, f"hydra.run.dir={run1}")
    assert first.returncode == 0, first.stderr[-3000:]
    before = snapshot(run1)
    for name in (".hydra/config.yaml", "config.yaml", "summary.json"):
        assert name in before, sorted(before)
    summary = json.loads(before["summary.json"])
    assert any(w.startswith("samples.pool_size = 30: ") for w in summary["warnings"])

    second = cli(cwd, *SMALL_RUN, f"hydra.run.dir={run1}")
    assert second.returncode == 2, second.stderr[-3000:]
    assert "Traceback" not in second.stderr
    assert second.stdout == ""  # nothing simulated: no summary printed
    (line,) = second.stderr.strip().splitlines()  # no INFO lines: the run never started
    assert line.startswith(f"error: run folder {run1} already exists"), line
    assert snapshot(run1) == before  # every file byte for byte, and no new one


@pytest.mark.parametrize(
    "where",
    [pytest.param("afile/run1"), pytest.param("afile", marks=pytest.mark.slow)],
)
def test_cli_refuses_a_run_folder_at_or_under_a_regular_file(
    where: str, cwd: Path, tmp_path: Path
) -> None:
    afile = tmp_path / "afile"
    afile.write_text("keep me\n")
    line = assert_one_line(cli(cwd, BASE, f"hydra.run.dir={tmp_path / where}"), cwd)
    assert line.startswith(f"error: run folder {tmp_path / where} "), line
    assert f"{afile} is a file, not a folder" in line
    assert afile.read_text() == "keep me\n"

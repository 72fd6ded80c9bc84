"""Bad input is rejected by ``sim.load_config`` / ``sim.build_config`` before any simulation.

Every error is a :class:`sim.ConfigError` (a ``ValueError``) that names the offending field by
its full dotted path (``err.field``), shows the value that was given and says what is allowed.
"""

from __future__ import annotations

import dataclasses
import re
import textwrap
from pathlib import Path
from typing import Any

import pytest

import sim
from sim.model.collection_point import CollectionPoint


@pytest.fixture(autouse=True)
def _no_simulation(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail loudly if validating a config ever starts building a simulation."""

    def boom(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("a simulation was started while loading a config")

    monkeypatch.setattr(CollectionPoint, "__init__", boom)


def config_error(overrides: list[str], config_dir: Path | None = None) -> sim.ConfigError:
    with pytest.raises(sim.ConfigError) as info:
        sim.load_config(overrides=overrides, config_dir=config_dir)
    return info.value


def shows(text: str, message: str) -> bool:
    """Whether ``text`` appears in ``message`` as a whole token (not inside a longer word)."""
    return re.search(rf"(?<![\w.]){re.escape(text)}(?![\w.])", message) is not None


def write_scenario(config_dir: Path, body: str, name: str = "mine") -> Path:
    folder = config_dir / "scenario"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.yaml"
    path.write_text("# @package _global_\n" + textwrap.dedent(body), encoding="utf-8")
    return path


def test_config_error_is_a_value_error_with_field_value_and_allowed() -> None:
    err = config_error(["site.swab_booths=0"])
    assert isinstance(err, ValueError)
    assert err.field == "site.swab_booths"
    assert err.value == 0
    assert err.allowed and err.allowed in str(err)


def test_valid_overrides_compose_positive_control() -> None:
    # The invalid cases below differ from these only in the offending value, so a failure to
    # parse the override syntax itself would show up here rather than as a false "pass".
    cfg = sim.load_config(
        overrides=[
            "site.swab_booths=6",
            'site.roster.swab=[{start:"07:00",end:"21:00",staff:4}]',
            "demand.green_share=0.2",
        ]
    )
    assert cfg.site.swab_booths == 6
    assert len(cfg.site.roster.swab) == 1
    shift = cfg.site.roster.swab[0]
    assert (shift.start, shift.end, shift.staff) == ("07:00", "21:00", 4)
    assert cfg.demand.green_share == 0.2


# ---------------------------------------------------------------------------------- misspelt keys


def test_misspelt_override_key_names_field_and_suggests_the_right_one() -> None:
    err = config_error(["site.swab_boths=6"])
    assert err.field == "site.swab_boths"
    assert "swab_booths" in err.allowed
    assert "did you mean 'swab_booths'" in str(err)


def test_misspelt_override_key_shows_the_value_given() -> None:
    # The message reads "<field> = <value>; allowed: ...": the value is the 6 the planner typed,
    # not the key repeated (which reads as if the field had been set to its own name).
    err = config_error(["site.swab_boths=6"])
    assert shows("6", str(err)), str(err)
    assert err.value in (6, "6")


@pytest.mark.parametrize(
    ("override", "field", "suggestion"),
    [
        ("demnd.residents=5", "demnd", "demand"),
        ("site.green_chanel.mode=none", "site.green_chanel", "green_channel"),
        ("site.swab_time_s.cvv=0.3", "site.swab_time_s.cvv", "cv"),
        ("output.figure=false", "output.figure", "figures"),
    ],
)
def test_misspelt_override_key_at_any_depth(override: str, field: str, suggestion: str) -> None:
    err = config_error([override])
    assert err.field == field
    assert f"did you mean '{suggestion}'" in str(err)


def test_misspelt_key_in_planners_scenario_file(tmp_path: Path) -> None:
    write_scenario(
        tmp_path,
        """\
        name: mine
        site:
          swab_boths: 6
        """,
    )
    err = config_error(["scenario=mine"], config_dir=tmp_path)
    assert err.field == "site.swab_boths"
    assert err.value == 6
    assert shows("6", str(err))
    assert "did you mean 'swab_booths'" in str(err)


def test_misspelt_key_inside_a_roster_list_in_scenario_file(tmp_path: Path) -> None:
    write_scenario(
        tmp_path,
        """\
        site:
          roster:
            swab:
              - {start: "07:00", end: "14:00", staff: 4}
              - {start: "14:00", end: "21:00", staf: 4}
        """,
    )
    err = config_error(["scenario=mine"], config_dir=tmp_path)
    assert err.field == "site.roster.swab[1].staf"
    assert "did you mean 'staff'" in str(err)


def test_misspelt_key_in_distribution_of_scenario_file(tmp_path: Path) -> None:
    write_scenario(
        tmp_path,
        """\
        demand:
          patience_min: {kind: exponential, mean: 30, sd: 5}
        """,
    )
    err = config_error(["scenario=mine"], config_dir=tmp_path)
    assert err.field == "demand.patience_min.sd"
    assert shows("5", str(err))


def test_valid_list_index_override_is_not_rejected_by_the_key_check() -> None:
    # Hydra/OmegaConf address a list element with a numeric path component; the shipped roster
    # has three swab shifts, so editing the first one's staff is a legitimate override.
    cfg = sim.load_config(overrides=["site.roster.swab.0.staff=3"])
    assert cfg.site.roster.swab[0].staff == 3
    default = sim.load_config()
    assert cfg.site.roster.swab[1:] == default.site.roster.swab[1:]


def test_misspelt_key_below_a_list_index_names_the_full_path() -> None:
    err = config_error(["site.roster.swab.0.staf=3"])
    assert err.field in ("site.roster.swab.0.staf", "site.roster.swab[0].staf")
    assert "did you mean 'staff'" in str(err)


# ------------------------------------------------------------------------------- invalid values

INVALID_VALUES = [
    # (overrides, field, value as shown in the message, fragment of what is allowed)
    (["site.swab_booths=0"], "site.swab_booths", "0", ">= 1"),
    (["site.registration_desks=-2"], "site.registration_desks", "-2", ">= 1"),
    (["demand.green_share=1.5"], "demand.green_share", "1.5", "between 0 and 1"),
    (["demand.barcode_share=-0.1"], "demand.barcode_share", "-0.1", "between 0 and 1"),
    (["site.swab_time_s.cv=-0.3"], "site.swab_time_s.cv", "-0.3", "> 0"),
    (["demand.patience_min.mean=0"], "demand.patience_min.mean", "0.0", "> 0"),
    (["replications=0"], "replications", "0", ">= 1"),
    (["site.swab_booths=abc"], "site.swab_booths", "abc", "whole number"),
    (["site.green_channel.mode=bogus"], "site.green_channel.mode", "bogus", "dedicated"),
    (["site.close=06:00"], "site.close", "06:00", "after open (07:00)"),
    (["site.open=0700"], "site.open", "0700", "HH:MM"),
    (["demand.hourly_profile=[1,2,3]"], "demand.hourly_profile", "3 values", "16 weights"),
    (["demand.rate_per_hour=100"], "demand.rate_per_hour", "100.0", "profile"),
    (
        ["site.green_channel.mode=dedicated", "site.green_channel.dedicated_booths=8"],
        "site.green_channel.dedicated_booths",
        "8",
        "fewer than swab_booths (8)",
    ),
    (["site.swab_time_s.low=5"], "site.swab_time_s.low", "5.0", "uses only mean, cv"),
]


@pytest.mark.parametrize(
    ("overrides", "field", "shown", "allowed"),
    INVALID_VALUES,
    ids=[" ".join(case[0])[:60] for case in INVALID_VALUES],
)
def test_invalid_value_names_field_value_and_allowed(
    overrides: list[str], field: str, shown: str, allowed: str
) -> None:
    err = config_error(overrides)
    assert err.field == field
    assert shows(shown, str(err)), str(err)
    assert allowed in err.allowed


def test_switching_distribution_kind_without_nulling_its_other_fields() -> None:
    default_cv = sim.load_config().site.swab_time_s.cv
    assert default_cv is not None
    err = config_error(["site.swab_time_s.kind=exponential"])
    assert err.field == "site.swab_time_s.cv"
    assert err.value == default_cv
    assert shows(str(default_cv), str(err))
    assert "uses only mean" in err.allowed


def test_distribution_missing_a_field_its_kind_needs() -> None:
    err = config_error(
        ["site.swab_time_s.kind=uniform", "site.swab_time_s.mean=null", "site.swab_time_s.cv=null"]
    )
    assert err.field == "site.swab_time_s.low"
    assert "uniform" in err.allowed


def test_constant_arrivals_without_nulling_residents_names_residents() -> None:
    residents = sim.load_config().demand.residents
    assert residents is not None
    err = config_error(["demand.arrivals=constant", "demand.rate_per_hour=100"])
    assert err.field == "demand.residents"
    assert shows(str(residents), str(err))
    assert "null" in err.allowed


def test_constant_arrivals_without_nulling_profile_names_profile() -> None:
    err = config_error(
        ["demand.arrivals=constant", "demand.rate_per_hour=100", "demand.residents=null"]
    )
    assert err.field == "demand.hourly_profile"
    assert "null" in err.allowed


def test_constant_arrivals_fully_specified_is_valid() -> None:
    cfg = sim.load_config(
        overrides=[
            "demand.arrivals=constant",
            "demand.rate_per_hour=100",
            "demand.residents=null",
            "demand.hourly_profile=null",
        ]
    )
    assert cfg.demand.arrivals == "constant"
    assert cfg.demand.rate_per_hour == 100.0


# -------------------------------------------------------------------------------------- rosters

ROSTER_ERRORS = [
    # A shift ending before it starts, with each Hydra quoting style.
    ('[{start:"12:00",end:"08:00",staff:2}]', "site.roster.swab[0].end", "08:00", "12:00"),
    ("[{start:'12:00',end:'08:00',staff:2}]", "site.roster.swab[0].end", "08:00", "12:00"),
    ("[{start:12:00,end:08:00,staff:2}]", "site.roster.swab[0].end", "08:00", "12:00"),
    # A shift that covers no opening hour (the site is open 07:00-21:00).
    ('[{start:"22:00",end:"23:00",staff:2}]', "site.roster.swab[0]", "22:00-23:00", "07:00-21:00"),
    # Two overlapping shifts staff 5 + 5 = 10 booths at once; the site has 8.
    (
        '[{start:"07:00",end:"14:00",staff:5},{start:"12:00",end:"21:00",staff:5}]',
        "site.roster.swab",
        "10 staffed at once",
        "swab_booths",
    ),
    # Breaks. A reversed break (end before start) would otherwise add staff from end to start.
    (
        '[{start:"07:00",end:"12:00",staff:2,breaks:[{start:"13:00",end:"13:30"}]}]',
        "site.roster.swab[0].breaks[0]",
        "13:00-13:30",
        "07:00-12:00",
    ),
    (
        '[{start:"07:00",end:"12:00",staff:2,breaks:[{start:"09:00",end:"09:30",closed:3}]}]',
        "site.roster.swab[0].breaks[0].closed",
        "3",
        "staff (2)",
    ),
    (
        '[{start:"07:00",end:"12:00",staff:2,breaks:[{start:"09:30",end:"09:00"}]}]',
        "site.roster.swab[0].breaks[0].end",
        "09:00",
        "after start",
    ),
    # A break that "closes" a negative number of booths would add staff during it.
    (
        '[{start:"07:00",end:"12:00",staff:2,breaks:[{start:"09:00",end:"09:30",closed:-1}]}]',
        "site.roster.swab[0].breaks[0].closed",
        "-1",
        ">= 1",
    ),
]


@pytest.mark.parametrize(("roster", "field", "shown", "allowed"), ROSTER_ERRORS)
def test_roster_error_via_hydra_list_override(
    roster: str, field: str, shown: str, allowed: str
) -> None:
    err = config_error([f"site.roster.swab={roster}"])
    assert err.field == field
    assert shows(shown, str(err)), str(err)
    assert allowed in err.allowed


def test_registration_roster_staffing_more_desks_than_exist() -> None:
    desks = sim.load_config().site.registration_desks
    err = config_error(
        [f'site.roster.registration=[{{start:"07:00",end:"21:00",staff:{desks + 2}}}]']
    )
    assert err.field == "site.roster.registration"
    assert f"{desks + 2} staffed at once" in str(err)
    assert "registration_desks" in err.allowed
    assert str(desks) in err.allowed


def test_registration_shifts_without_registration() -> None:
    err = config_error(["site.registration=false"])  # the shipped roster has desk shifts
    assert err.field == "site.roster.registration"
    assert "registration is false" in err.allowed


def test_shift_ending_before_it_starts_in_scenario_file(tmp_path: Path) -> None:
    write_scenario(
        tmp_path,
        """\
        site:
          roster:
            swab:
              - {start: "07:00", end: "12:00", staff: 4}
              - {start: "16:00", end: "13:00", staff: 4}
        """,
    )
    err = config_error(["scenario=mine"], config_dir=tmp_path)
    assert err.field == "site.roster.swab[1].end"
    assert shows("13:00", str(err))
    assert "16:00" in err.allowed


@pytest.mark.parametrize(
    ("body", "field", "number"),
    [
        # YAML 1.1 reads an unquoted 12:00 as the sexagesimal number 720 (= 12 * 60).
        ("site:\n  close: 12:00\n", "site.close", 720),
        (
            "site:\n  roster:\n    swab:\n      - {start: 8:00, end: '21:00', staff: 4}\n",
            "site.roster.swab[0].start",
            480,
        ),
    ],
)
def test_unquoted_clock_time_in_yaml_says_to_quote_it(
    tmp_path: Path, body: str, field: str, number: int
) -> None:
    write_scenario(tmp_path, body)
    err = config_error(["scenario=mine"], config_dir=tmp_path)
    assert err.field == field
    assert err.value == number
    assert shows(str(number), str(err))
    # A planner who wrote 12:00 must learn that it is a clock-time field and that the fix is
    # quoting, not merely that a "text string" was expected.
    assert "HH:MM" in err.allowed, str(err)
    assert "quot" in err.allowed.lower(), str(err)


# ------------------------------------------------------------------------------------ scenarios


def test_unknown_scenario_lists_available() -> None:
    err = config_error(["scenario=nope"])
    assert err.field == "scenario"
    assert shows("nope", str(err))
    assert "single_station" in err.allowed
    assert "benchmark_point" in err.allowed


def test_unknown_scenario_lists_planners_own_too(tmp_path: Path) -> None:
    write_scenario(tmp_path, "name: mine\n")
    err = config_error(["scenario=nope"], config_dir=tmp_path)
    assert err.field == "scenario"
    assert "mine" in err.allowed
    assert "single_station" in err.allowed
    # ... and the planner's own scenario does load.
    assert sim.load_config(overrides=["scenario=mine"], config_dir=tmp_path).name == "mine"


def test_missing_config_dir() -> None:
    with pytest.raises(sim.ConfigError) as info:
        sim.load_config(overrides=[], config_dir="/nonexistent/planner/configs")
    assert info.value.field == "config_dir"
    assert "/nonexistent/planner/configs" in str(info.value)


# ------------------------------------------------------------------------------- build_config


def default_dict() -> dict[str, Any]:
    return dataclasses.asdict(sim.load_config())


def test_build_config_round_trips_a_valid_dict() -> None:
    cfg = sim.load_config()
    assert sim.build_config(dataclasses.asdict(cfg)) == cfg


@pytest.mark.parametrize(
    ("path", "key", "field"),
    [
        ((), "sead", "sead"),
        (("site", "green_channel"), "priorty", "site.green_channel.priorty"),
        (("site", "swab_time_s"), "sd", "site.swab_time_s.sd"),
        (("site", "roster", "swab", 1), "stafff", "site.roster.swab[1].stafff"),
        (
            ("site", "roster", "registration", 0, "breaks", 0),
            "closd",
            "site.roster.registration[0].breaks[0].closd",
        ),
    ],
)
def test_build_config_unknown_nested_key(path: tuple[str | int, ...], key: str, field: str) -> None:
    data = default_dict()
    node: Any = data
    for part in path:
        node = node[part]
    data = _replace(data, path, {**node, key: 12345})
    with pytest.raises(sim.ConfigError) as info:
        sim.build_config(data)
    assert info.value.field == field
    assert shows("12345", str(info.value))


def _replace(data: Any, path: tuple[str | int, ...], new: Any) -> Any:
    if not path:
        return new
    head, rest = path[0], path[1:]
    if isinstance(data, dict):
        return {**data, head: _replace(data[head], rest, new)}
    items = list(data)
    assert isinstance(head, int)
    items[head] = _replace(items[head], rest, new)
    return items


def test_build_config_missing_required_field() -> None:
    data = default_dict()
    shift = dict(data["site"]["roster"]["swab"][0])
    del shift["start"]
    data = _replace(data, ("site", "roster", "swab", 0), shift)
    with pytest.raises(sim.ConfigError) as info:
        sim.build_config(data)
    assert info.value.field == "site.roster.swab[0].start"
    assert "required" in info.value.allowed


def test_build_config_wrong_types() -> None:
    data = _replace(default_dict(), ("site", "swab_booths"), "8")
    with pytest.raises(sim.ConfigError) as info:
        sim.build_config(data)
    assert info.value.field == "site.swab_booths"
    assert shows("'8'", str(info.value))

    data = _replace(default_dict(), ("site", "green_channel"), "priority")
    with pytest.raises(sim.ConfigError) as info:
        sim.build_config(data)
    assert info.value.field == "site.green_channel"
    assert "mapping" in info.value.allowed

    data = _replace(default_dict(), ("demand", "hourly_profile"), "1,2,3")
    with pytest.raises(sim.ConfigError) as info:
        sim.build_config(data)
    assert info.value.field == "demand.hourly_profile"
    assert "list" in info.value.allowed

"""Bad input is rejected by ``sim.load_config`` / ``sim.build_config`` before any simulation.

Every error is a :class:`sim.ConfigError` (a ``ValueError``) that names the offending field by
its full dotted path (``err.field``), shows the value that was given and says what is allowed.

Overrides are applied to ``scenario=busy_point`` (one busy point) unless a test says otherwise:
the shipped default is the whole district. All checks, including that every point is staffed
while it is open, are made by ``sim.build_config`` (the one validation path), which
``sim.load_config`` and ``sim.run`` both go through before anything is simulated.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path
from typing import Any

import pytest

import sim
from sim.config.staffing import BreakConfig, ShiftConfig
from sim.engine.network import QueueNetwork
from sim.engine.schedule import CapacitySchedule
from sim.engine.tandem import TandemQueue
from sim.model.collection_point import plan_point
from sim.model.district import RoundSimulation
from sim.model.staffing import REGISTRATION, SWAB
from tests.cli_helpers import write_scenario

BASE = "scenario=busy_point"


@pytest.fixture(autouse=True)
def _no_simulation(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail loudly if validating a config ever starts simulating.

    Drawing residents or building a queue kernel is not part of validation.
    """

    def boom(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("a simulation was started while validating a config")

    monkeypatch.setattr(RoundSimulation, "_residents", boom)
    monkeypatch.setattr(QueueNetwork, "__init__", boom)
    monkeypatch.setattr(TandemQueue, "__init__", boom)


def load(*overrides: str) -> sim.ScenarioConfig:
    """``busy_point`` with ``overrides``."""
    return sim.load_config(overrides=[BASE, *overrides])


def config_error(
    overrides: list[str], config_dir: Path | None = None, base: str | None = BASE
) -> sim.ConfigError:
    """The error of loading ``overrides`` on top of ``base``.

    ``base=None`` applies them to the shipped default (or to a scenario they name).
    """
    with pytest.raises(sim.ConfigError) as info:
        sim.load_config(overrides=[*([base] if base else []), *overrides], config_dir=config_dir)
    return info.value


def steps(s: CapacitySchedule) -> list[tuple[float, int]]:
    return list(zip(s.times, s.counts, strict=True))


def shows(text: str, message: str) -> bool:
    """Whether ``text`` appears in ``message`` as a whole token (not inside a longer word)."""
    return re.search(rf"(?<![\w.]){re.escape(text)}(?![\w.])", message) is not None


def test_config_error_is_a_value_error_with_field_value_and_allowed() -> None:
    err = config_error(["site.swab_booths=0"])
    assert isinstance(err, ValueError)
    assert err.field == "site.swab_booths"
    assert err.value == 0
    assert err.allowed and err.allowed in str(err)


def test_valid_overrides_compose_positive_control() -> None:
    # The invalid cases below differ from these only in the offending value, so a failure to
    # parse the override syntax itself would show up here rather than as a false "pass".
    cfg = load(
        "site.swab_booths=6",
        "site.staffing.swab.pattern=custom",
        'site.staffing.swab.shifts=[{start:"07:00",end:"21:00",staff:4}]',
        "demand.green_share=0.2",
    )
    assert cfg.site.swab_booths == 6
    assert cfg.site.staffing.swab.pattern == "custom"
    assert len(cfg.site.staffing.swab.shifts) == 1
    shift = cfg.site.staffing.swab.shifts[0]
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
        ("site.staffing.swab.patern=2x12", "site.staffing.swab.patern", "pattern"),
    ],
)
def test_misspelt_override_key_at_any_depth(override: str, field: str, suggestion: str) -> None:
    err = config_error([override])
    assert err.field == field
    assert f"did you mean '{suggestion}'" in str(err)


def test_misspelt_key_in_planners_scenario_file(tmp_path: Path) -> None:
    # A planner's scenario file is applied on top of the shipped default.
    write_scenario(
        tmp_path,
        """\
        name: mine
        site:
          swab_boths: 6
        """,
    )
    err = config_error(["scenario=mine"], config_dir=tmp_path, base=None)
    assert err.field == "site.swab_boths"
    assert err.value == 6
    assert shows("6", str(err))
    assert "did you mean 'swab_booths'" in str(err)


def test_misspelt_key_inside_a_shift_list_in_scenario_file(tmp_path: Path) -> None:
    write_scenario(
        tmp_path,
        """\
        site:
          staffing:
            swab:
              pattern: custom
              shifts:
                - {start: "07:00", end: "14:00", staff: 4}
                - {start: "14:00", end: "21:00", staf: 4}
        """,
    )
    err = config_error(["scenario=mine"], config_dir=tmp_path, base=None)
    assert err.field == "site.staffing.swab.shifts[1].staf"
    assert "did you mean 'staff'" in str(err)


def test_misspelt_key_in_distribution_of_scenario_file(tmp_path: Path) -> None:
    write_scenario(
        tmp_path,
        """\
        demand:
          patience_min: {kind: exponential, mean: 30, sd: 5}
        """,
    )
    err = config_error(["scenario=mine"], config_dir=tmp_path, base=None)
    assert err.field == "demand.patience_min.sd"
    assert shows("5", str(err))


def test_valid_list_index_override_is_not_rejected_by_the_key_check() -> None:
    # Hydra/OmegaConf address a list element with a numeric path component; busy_point's swab
    # roster has three custom shifts, so editing the first one's staff is a legitimate override.
    cfg = load("site.staffing.swab.shifts.0.staff=3")
    assert cfg.site.staffing.swab.shifts[0].staff == 3
    default = load()
    assert cfg.site.staffing.swab.shifts[1:] == default.site.staffing.swab.shifts[1:]


def test_misspelt_key_below_a_list_index_names_the_full_path() -> None:
    err = config_error(["site.staffing.swab.shifts.0.staf=3"])
    assert err.field in ("site.staffing.swab.shifts.0.staf", "site.staffing.swab.shifts[0].staf")
    assert "did you mean 'staff'" in str(err)


def test_per_point_override_of_the_district_default() -> None:
    # The shipped district lists its points in `sites`; `sites.N.field` changes one of them.
    default = sim.load_config()
    cfg = sim.load_config(overrides=["sites.3.swab_booths=10"])
    assert len(cfg.sites) == len(default.sites) > 1
    assert cfg.sites[3].swab_booths == 10
    assert cfg.sites[:3] == default.sites[:3] and cfg.sites[4:] == default.sites[4:]
    err = config_error(["sites.3.swab_boths=10"], base=None)
    assert err.field in ("sites.3.swab_boths", "sites[3].swab_boths")
    assert "did you mean 'swab_booths'" in str(err)


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
    (["site.staffing.swab.pattern=4x6"], "site.staffing.swab.pattern", "4x6", "'3x8'"),
    (["site.staffing.swab.ppe_max_hours=0"], "site.staffing.swab.ppe_max_hours", "0.0", "> 0"),
    (["site.staffing.marshals_per_shift=-1"], "site.staffing.marshals_per_shift", "-1", ">= 0"),
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
    default_cv = load().site.swab_time_s.cv
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
    residents = load().demand.residents
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
    cfg = load(
        "demand.arrivals=constant",
        "demand.rate_per_hour=100",
        "demand.residents=null",
        "demand.hourly_profile=null",
    )
    assert cfg.demand.arrivals == "constant"
    assert cfg.demand.rate_per_hour == 100.0


# -------------------------------------------------------------------------------------- rosters

ROSTER_ERRORS = [
    # A shift ending before it starts, with each Hydra quoting style.
    ('[{start:"12:00",end:"08:00",staff:2}]', "site.staffing.swab.shifts[0].end", "08:00", "12:00"),
    ("[{start:'12:00',end:'08:00',staff:2}]", "site.staffing.swab.shifts[0].end", "08:00", "12:00"),
    ("[{start:12:00,end:08:00,staff:2}]", "site.staffing.swab.shifts[0].end", "08:00", "12:00"),
    # A shift that covers no opening hour (the site is open 07:00-21:00).
    (
        '[{start:"22:00",end:"23:00",staff:2}]',
        "site.staffing.swab.shifts[0]",
        "22:00-23:00",
        "07:00-21:00",
    ),
    # Breaks. A reversed break (end before start) would otherwise add staff from end to start.
    (
        '[{start:"07:00",end:"12:00",staff:2,breaks:[{start:"13:00",end:"13:30"}]}]',
        "site.staffing.swab.shifts[0].breaks[0]",
        "13:00-13:30",
        "07:00-12:00",
    ),
    (
        '[{start:"07:00",end:"12:00",staff:2,breaks:[{start:"09:00",end:"09:30",closed:3}]}]',
        "site.staffing.swab.shifts[0].breaks[0].closed",
        "3",
        "staff (2)",
    ),
    (
        '[{start:"07:00",end:"12:00",staff:2,breaks:[{start:"09:30",end:"09:00"}]}]',
        "site.staffing.swab.shifts[0].breaks[0].end",
        "09:00",
        "after start",
    ),
    # A break that "closes" a negative number of booths would add staff during it.
    (
        '[{start:"07:00",end:"12:00",staff:2,breaks:[{start:"09:00",end:"09:30",closed:-1}]}]',
        "site.staffing.swab.shifts[0].breaks[0].closed",
        "-1",
        ">= 1",
    ),
    # A shift with no people.
    ('[{start:"07:00",end:"21:00",staff:0}]', "site.staffing.swab.shifts[0].staff", "0", ">= 1"),
]


@pytest.mark.parametrize(("shifts", "field", "shown", "allowed"), ROSTER_ERRORS)
def test_roster_error_via_hydra_list_override(
    shifts: str, field: str, shown: str, allowed: str
) -> None:
    err = config_error(["site.staffing.swab.pattern=custom", f"site.staffing.swab.shifts={shifts}"])
    assert err.field == field
    assert shows(shown, str(err)), str(err)
    assert allowed in err.allowed


def test_custom_pattern_without_shifts_and_shifts_without_custom_pattern() -> None:
    err = config_error(["site.staffing.swab.pattern=custom", "site.staffing.swab.shifts=[]"])
    assert err.field == "site.staffing.swab.shifts"
    assert "custom" in err.allowed
    # busy_point's swab roster lists three shifts: they mean nothing to a fixed pattern.
    err = config_error(["site.staffing.swab.pattern=2x12"])
    assert err.field == "site.staffing.swab.shifts"
    assert shows("3 shifts", str(err)), str(err)
    assert "empty list" in err.allowed


def test_roster_staffing_more_booths_than_exist_opens_only_the_booths() -> None:
    # Two overlapping shifts of 5 put 10 swabbers on duty from 12:00 to 14:00, at a point with
    # 8 booths. That is allowed: the open count is capped at the booths (the spare swabbers
    # relieve PPE rests), while the headcount still counts everyone rostered.
    cfg = load(
        "site.staffing.swab.pattern=custom",
        'site.staffing.swab.shifts=[{start:"07:00",end:"14:00",staff:5},'
        '{start:"12:00",end:"21:00",staff:5}]',
    )
    assert cfg.site.swab_booths == 8
    plan = plan_point(cfg.site, days=1)
    (swab,) = plan.stages[-1].stations
    # 07:00 5 | 12:00 5 + 5 = 10, capped at 8 | 14:00 5 | 21:00-22:00 the 5 on duty in the
    # last open minute clear the line (clearing_min=60).
    assert steps(swab.schedule) == [(420.0, 5), (720.0, 8), (840.0, 5), (1320.0, 0)]
    assert plan.staffing.headcount()[SWAB] == 10


def test_registration_roster_staffing_more_desks_than_exist_opens_only_the_desks() -> None:
    desks = load().site.registration_desks
    for roster in (
        # a custom shift with its own staff ...
        [
            "site.staffing.registration.pattern=custom",
            f'site.staffing.registration.shifts=[{{start:"07:00",end:"21:00",staff:{desks + 2}}}]',
        ],
        # ... or a pattern with the roster's staff
        [
            "site.staffing.registration.pattern=opening_hours",
            "site.staffing.registration.shifts=[]",
            f"site.staffing.registration.staff={desks + 2}",
        ],
    ):
        cfg = load(*roster)
        plan = plan_point(cfg.site, days=1)
        reg = plan.stages[0]
        assert reg.stage == REGISTRATION
        total = reg.stations[0].schedule
        assert steps(total) == [(420.0, desks), (1320.0, 0)], roster
        assert max(total.counts) == desks
        assert plan.staffing.headcount()[REGISTRATION] == desks + 2, roster


def test_registration_roster_is_ignored_without_registration() -> None:
    # busy_point has a custom registration roster; a point without registration has no desks
    # for it to staff. Unlike the old `site.roster`, the roster is then simply unused (the
    # district's template roster must not stop a point from dropping registration).
    cfg = load("site.registration=false")
    assert cfg.site.staffing.registration.shifts  # still configured ...
    plan = plan_point(cfg.site, days=1)
    assert [stage.stage for stage in plan.stages] == [SWAB]  # ... but there are no desks
    assert plan.staffing.registration is None
    assert plan.staffing.headcount()[REGISTRATION] == 0


def test_shift_ending_before_it_starts_in_scenario_file(tmp_path: Path) -> None:
    write_scenario(
        tmp_path,
        """\
        site:
          staffing:
            swab:
              pattern: custom
              shifts:
                - {start: "07:00", end: "12:00", staff: 4}
                - {start: "16:00", end: "13:00", staff: 4}
        """,
    )
    err = config_error(["scenario=mine"], config_dir=tmp_path, base=None)
    assert err.field == "site.staffing.swab.shifts[1].end"
    assert shows("13:00", str(err))
    assert "16:00" in err.allowed


@pytest.mark.parametrize(
    ("body", "field", "number"),
    [
        # YAML 1.1 reads an unquoted 12:00 as the sexagesimal number 720 (= 12 * 60).
        ("site:\n  close: 12:00\n", "site.close", 720),
        (
            "site:\n  staffing:\n    swab:\n      pattern: custom\n      shifts:\n"
            "        - {start: 8:00, end: '21:00', staff: 4}\n",
            "site.staffing.swab.shifts[0].start",
            480,
        ),
    ],
)
def test_unquoted_clock_time_in_yaml_says_to_quote_it(
    tmp_path: Path, body: str, field: str, number: int
) -> None:
    write_scenario(tmp_path, body)
    err = config_error(["scenario=mine"], config_dir=tmp_path, base=None)
    assert err.field == field
    assert err.value == number
    assert shows(str(number), str(err))
    # A planner who wrote 12:00 must learn that it is a clock-time field and that the fix is
    # quoting, not merely that a "text string" was expected.
    assert "HH:MM" in err.allowed, str(err)
    assert "quot" in err.allowed.lower(), str(err)


# ------------------------------------------------------------------ a point with no staff open

# One shift over the opening hours whose break takes off both of its people for the
# whole shift: every field is valid on its own, but no desk or booth is ever open.
NOBODY_ON_DUTY = (
    '[{start:"07:00",end:"21:00",staff:2,breaks:[{start:"07:00",end:"21:00",closed:2}]}]'
)


@pytest.mark.parametrize("role", [REGISTRATION, SWAB])
def test_point_with_no_staff_while_open_is_rejected_by_load_config(role: str) -> None:
    err = config_error(
        [f"site.staffing.{role}.pattern=custom", f"site.staffing.{role}.shifts={NOBODY_ON_DUTY}"]
    )
    assert err.field == f"site.staffing.{role}"
    assert "07:00-21:00" in str(err)
    noun = "registration desk" if role == REGISTRATION else "swab booth"
    assert noun in err.allowed
    assert "Central square" in err.allowed


def _busy_point_dict() -> dict[str, Any]:
    return dataclasses.asdict(load())


def _no_swab_staff(site: dict[str, Any]) -> dict[str, Any]:
    swab = {
        **site["staffing"]["swab"],
        "pattern": "custom",
        "shifts": [
            {
                "start": "07:00",
                "end": "21:00",
                "staff": 2,
                "breaks": [{"start": "07:00", "end": "21:00", "closed": 2}],
            }
        ],
    }
    return {**site, "staffing": {**site["staffing"], "swab": swab}}


def test_a_point_with_no_staff_while_open_is_a_config_error() -> None:
    # build_config checks the staffed hours with every other field (one path): a roster whose
    # only shift is one long break leaves the booths unstaffed all day.
    data = _busy_point_dict()
    with pytest.raises(sim.ConfigError) as info:
        sim.build_config({**data, "site": _no_swab_staff(data["site"])})
    assert info.value.field == "site.staffing.swab"
    assert "no swab staff" in str(info.value)


def test_run_rejects_a_point_with_no_staff_made_in_python_before_simulating() -> None:
    # A config changed in Python after it was built is checked again by sim.run, before a
    # single resident is drawn (the autouse fixture would fail otherwise).
    cfg = load()
    site = cfg.site
    swab = dataclasses.replace(
        site.staffing.swab,
        pattern="custom",
        shifts=(ShiftConfig("07:00", "21:00", 2, (BreakConfig("07:00", "21:00", 2),)),),
    )
    bad = dataclasses.replace(
        cfg, site=dataclasses.replace(site, staffing=dataclasses.replace(site.staffing, swab=swab))
    )
    with pytest.raises(sim.ConfigError) as info:
        sim.run(bad)
    assert info.value.field == "site.staffing.swab"
    assert "no swab staff" in str(info.value)


def test_run_names_the_unstaffed_point_of_a_district() -> None:
    data = _busy_point_dict()
    # Two points from the template: the second has nobody at its booths.
    data["sites"] = [{"name": "North"}, _no_swab_staff({**data["site"], "name": "South"})]
    with pytest.raises(sim.ConfigError) as info:
        sim.build_config(data)
    assert info.value.field == "sites[1].staffing.swab"
    assert "'South'" in info.value.allowed


# ------------------------------------------------------------------------------------ scenarios


def test_unknown_scenario_lists_available() -> None:
    err = config_error(["scenario=nope"], base=None)
    assert err.field == "scenario"
    assert shows("nope", str(err))
    assert "single_station" in err.allowed
    assert "benchmark_point" in err.allowed
    assert "busy_point" in err.allowed


def test_unknown_scenario_lists_planners_own_too(tmp_path: Path) -> None:
    write_scenario(tmp_path, "name: mine\n")
    err = config_error(["scenario=nope"], config_dir=tmp_path, base=None)
    assert err.field == "scenario"
    assert "mine" in err.allowed
    assert "single_station" in err.allowed
    # ... and the planner's own scenario does load.
    assert sim.load_config(overrides=["scenario=mine"], config_dir=tmp_path).name == "mine"


def test_missing_config_dir() -> None:
    with pytest.raises(sim.ConfigError) as info:
        sim.load_config(overrides=[BASE], config_dir="/nonexistent/planner/configs")
    assert info.value.field == "config_dir"
    assert "/nonexistent/planner/configs" in str(info.value)


# ------------------------------------------------------------------------------- build_config


def default_dict() -> dict[str, Any]:
    return _busy_point_dict()


@pytest.mark.parametrize("overrides", [[BASE], []], ids=["busy_point", "district_default"])
def test_build_config_round_trips_a_valid_dict(overrides: list[str]) -> None:
    cfg = sim.load_config(overrides=overrides)
    assert sim.build_config(dataclasses.asdict(cfg)) == cfg


@pytest.mark.parametrize(
    ("path", "key", "field"),
    [
        ((), "sead", "sead"),
        (("site", "green_channel"), "priorty", "site.green_channel.priorty"),
        (("site", "swab_time_s"), "sd", "site.swab_time_s.sd"),
        (("site", "staffing"), "marshals", "site.staffing.marshals"),
        (
            ("site", "staffing", "swab", "shifts", 1),
            "stafff",
            "site.staffing.swab.shifts[1].stafff",
        ),
        (
            ("site", "staffing", "registration", "shifts", 0, "breaks", 0),
            "closd",
            "site.staffing.registration.shifts[0].breaks[0].closd",
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
    shift = dict(data["site"]["staffing"]["swab"]["shifts"][0])
    del shift["start"]
    data = _replace(data, ("site", "staffing", "swab", "shifts", 0), shift)
    with pytest.raises(sim.ConfigError) as info:
        sim.build_config(data)
    assert info.value.field == "site.staffing.swab.shifts[0].start"
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

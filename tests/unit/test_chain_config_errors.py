"""Bad input to the sample chain (pooling, couriers, labs) stops before any simulation with a
:class:`sim.ConfigError` naming the field.

The four bad inputs of the issue first (a pool size below 1, a lab with no machines, a point
with no courier route to any lab, a mobile lab that opens after the round ends), then the other
checks of :mod:`sim.config.labs`. Labs are keyed in the config files (``labs.hospital``,
``labs.cdc``, ``labs.mobile``); an error names a lab by its position in the list of labs
(``labs[2].opens_day``) and its message gives the lab's name.
"""

from __future__ import annotations

import dataclasses
import subprocess
from pathlib import Path
from typing import Any

import pytest

import sim
from sim.engine.network import QueueNetwork
from sim.engine.tandem import TandemQueue
from sim.model import sample_chain
from sim.model.district import RoundSimulation
from tests.cli_helpers import sim_cli

POINT = "scenario=busy_point"  # one point, the hospital lab only (cdc and mobile disabled)
SHORT_BAND = "couriers.travel_bands=[{up_to_km:1,travel_min:{kind:deterministic,mean:10}}]"


@pytest.fixture(autouse=True)
def _no_simulation(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail loudly if validating a config ever starts simulating (the queues or the chain)."""

    def boom(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("a simulation was started while validating a config")

    monkeypatch.setattr(RoundSimulation, "_residents", boom)
    monkeypatch.setattr(QueueNetwork, "__init__", boom)
    monkeypatch.setattr(TandemQueue, "__init__", boom)
    monkeypatch.setattr(sample_chain._Chain, "__init__", boom)


def config_error(*overrides: str) -> sim.ConfigError:
    with pytest.raises(sim.ConfigError) as info:
        sim.load_config(overrides=list(overrides))
    return info.value


# ------------------------------------------------------------------------------ positive control


def test_valid_chain_overrides_compose() -> None:
    # The bad cases below differ from these only in the offending value.
    cfg = sim.load_config(
        overrides=[
            POINT,
            "samples.pool_size=1",
            "samples.prevalence=0",
            "labs.hospital.extractors=1",
            "labs.hospital.pcr_machines=1",
            "labs.hospital.control_wells=95",
            "labs.cdc.enabled=true",
            "couriers.dispatch=fixed",
            "couriers.assignment=[{site:'Central square',labs:['City CDC lab']}]",
            "couriers.travel_bands=[{up_to_km:7,travel_min:{kind:deterministic,mean:10}}]",
        ]
    )
    assert cfg.samples.pool_size == 1
    hospital = cfg.labs_in_use[0]
    assert (hospital.extractors, hospital.pcr_machines, hospital.tubes_per_plate) == (1, 1, 1)
    assert [lab.name for lab in cfg.labs_in_use] == ["District hospital lab", "City CDC lab"]
    assert cfg.couriers.assignment[0].labs == ("City CDC lab",)
    # A disabled lab is not checked against the round: it tests nothing anyway.
    assert sim.load_config(overrides=[POINT, "labs.mobile.opens_day=9"]).labs[2].opens_day == 9


# ------------------------------------------------------------------------------ the issue's four


@pytest.mark.parametrize("value", ["0", "-3"])
def test_pool_size_below_one(value: str) -> None:
    err = config_error(POINT, f"samples.pool_size={value}")
    assert err.field == "samples.pool_size"
    assert str(int(value)) in str(err)
    assert "from 1 to" in err.allowed


@pytest.mark.parametrize(
    ("override", "field", "lab"),
    [
        ("labs.hospital.extractors=0", "labs[0].extractors", "District hospital lab"),
        ("labs.hospital.pcr_machines=0", "labs[0].pcr_machines", "District hospital lab"),
    ],
)
def test_lab_without_machines(override: str, field: str, lab: str) -> None:
    err = config_error(POINT, override)
    assert err.field == field
    assert err.value == 0
    assert ">= 1" in err.allowed
    assert lab in str(err)


def test_lab_without_machines_in_the_district_names_which_lab() -> None:
    err = config_error("labs.cdc.pcr_machines=0")
    assert err.field == "labs[1].pcr_machines"
    assert "City CDC lab" in str(err)


def test_point_without_a_courier_route_to_any_lab() -> None:
    # The district's bands reach 1 km only: its first point has no lab that close.
    err = config_error(SHORT_BAND)
    assert err.field == "couriers.travel_bands"
    assert "no courier route" in str(err)
    assert "'Jianning 1'" in str(err)
    assert "couriers.routes" in err.allowed


def test_lab_too_far_from_the_point() -> None:
    err = config_error(POINT, "labs.hospital.x_km=100")
    assert err.field == "couriers.travel_bands"
    assert "'Central square'" in str(err)
    assert "100.0 km" in str(err)


def test_a_named_route_gives_a_point_its_route() -> None:
    route = (
        "couriers.routes=[{site:'Central square',lab:'District hospital lab',"
        "travel_min:{kind:deterministic,mean:90}}]"
    )
    cfg = sim.load_config(overrides=[POINT, "labs.hospital.x_km=100", route])
    assert cfg.couriers.routes[0].lab == "District hospital lab"


def test_mobile_lab_opening_after_the_round_ends() -> None:
    err = config_error("labs.mobile.opens_day=3")  # the district's round is days 1-2
    assert err.field == "labs[2].opens_day"
    assert err.value == 3
    assert "1 to 2" in err.allowed
    assert "Mobile lab" in str(err)


def test_mobile_lab_in_a_one_day_round() -> None:
    err = config_error(POINT, "labs.mobile.enabled=true")  # opens on day 2
    assert err.field == "labs[2].opens_day"
    assert "1 to 1" in err.allowed


def test_mobile_lab_opens_on_a_day_of_the_campaign() -> None:
    cfg = sim.load_config(overrides=["layout=three_rounds", "labs.mobile.opens_day=12"])
    assert cfg.labs[2].opens_day == 12
    err = config_error("layout=three_rounds", "labs.mobile.opens_day=13")
    assert err.field == "labs[2].opens_day"
    assert "1 to 12" in err.allowed
    # between rounds is fine; a longer campaign (campaign.days) lets it open later
    gaps = ["campaign.round_days=2", "demand.daily_shares=[0.55,0.45]"]
    assert sim.load_config(overrides=["layout=three_rounds", *gaps, "labs.mobile.opens_day=7"])
    longer = ["layout=three_rounds", "campaign.days=14", "labs.mobile.opens_day=13"]
    assert sim.load_config(overrides=longer).campaign.last_day == 14


def test_issue_errors_from_the_command_line(tmp_path: Path) -> None:
    proc: subprocess.CompletedProcess[str] = sim_cli(
        tmp_path, POINT, "samples.pool_size=0", timeout=300
    )
    assert proc.returncode == 2, (proc.returncode, proc.stderr[-2000:])
    assert "Traceback" not in proc.stderr
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert lines[-1].startswith("error: invalid config: samples.pool_size = 0"), proc.stderr
    assert not list(tmp_path.rglob("summary.json"))


# ------------------------------------------------------------------------------ imperfect tests


@pytest.mark.parametrize("value", ["0", "1.2", "-0.1"])
def test_sensitivity_outside_zero_to_one(value: str) -> None:
    err = config_error(POINT, f"samples.sensitivity={value}")
    assert err.field == "samples.sensitivity"
    assert err.value == pytest.approx(float(value))
    assert "(0, 1]" in err.allowed
    assert "samples.sensitivity" in str(err)


@pytest.mark.parametrize("value", ["0", "1.5", "-1"])
def test_specificity_outside_zero_to_one(value: str) -> None:
    err = config_error(POINT, f"samples.specificity={value}")
    assert err.field == "samples.specificity"
    assert "(0, 1]" in err.allowed


@pytest.mark.parametrize("value", ["-0.1", "-2"])
def test_negative_dilution(value: str) -> None:
    err = config_error(POINT, f"samples.dilution={value}")
    assert err.field == "samples.dilution"
    assert ">= 0" in err.allowed
    assert "(m/k)^dilution" in err.allowed


def test_every_bad_test_value_at_once() -> None:
    err = config_error(
        POINT, "samples.sensitivity=0", "samples.specificity=0", "samples.dilution=-1"
    )
    fields = [e.field for e in err.errors]
    assert fields == ["samples.sensitivity", "samples.specificity", "samples.dilution"]


def test_imperfect_test_values_compose() -> None:
    cfg = sim.load_config(
        overrides=[
            POINT,
            "samples.sensitivity=1",
            "samples.specificity=0.001",
            "samples.dilution=0",
        ]
    )
    assert (cfg.samples.sensitivity, cfg.samples.specificity) == (1.0, 0.001)
    assert not cfg.samples.exact_tests
    assert sim.load_config(overrides=[POINT]).samples.exact_tests
    assert sim.load_config(overrides=["layout=imperfect_tests"]).samples.dilution > 0


# ------------------------------------------------------------------------------ other checks

INVALID = [
    # (overrides, field, fragment of the message)
    (
        [
            POINT,
            "couriers.routes=[{site:'Central square',lab:'Nowhere lab',"
            "travel_min:{kind:deterministic,mean:10}}]",
        ],
        "couriers.routes[0].lab",
        "District hospital lab",
    ),
    (
        [
            POINT,
            "couriers.routes=[{site:'Nowhere',lab:'District hospital lab',"
            "travel_min:{kind:deterministic,mean:10}}]",
        ],
        "couriers.routes[0].site",
        "Central square",
    ),
    (
        [POINT, "couriers.assignment=[{site:'Central square',labs:['Nowhere lab']}]"],
        "couriers.assignment[0].labs",
        "Nowhere lab",
    ),
    (
        [POINT, "couriers.assignment=[{site:'Nowhere',labs:['District hospital lab']}]"],
        "couriers.assignment[0].site",
        "Central square",
    ),
    (
        [POINT, "couriers.assignment=[{site:'Central square',labs:[]}]"],
        "couriers.assignment[0].labs",
        "at least one lab",
    ),
    (
        # The assigned lab exists but the point has no route to it.
        [
            POINT,
            "labs.cdc.enabled=true",
            "labs.cdc.x_km=60",
            "couriers.assignment=[{site:'Central square',labs:['City CDC lab']}]",
        ],
        "couriers.assignment[0].labs",
        "courier route",
    ),
    (["labs.cdc.name=Mobile lab"], "labs[2].name", "unique"),
    ([POINT, "labs.hospital.control_wells=96"], "labs[0].control_wells", "plate_wells"),
    ([POINT, "labs.hospital.max_batch_wait_min=-1"], "labs[0].max_batch_wait_min", ">= 0"),
    ([POINT, "labs.hospital.opens_day=0"], "labs[0].opens_day", ">= 1"),
    (
        [POINT, "labs.hospital.technicians.pattern=opening_hours"],
        "labs[0].technicians.pattern",
        "no opening hours",
    ),
    ([POINT, "samples.prevalence=-0.1"], "samples.prevalence", "between 0 and 1"),
    ([POINT, "samples.tube_max_open_min=0"], "samples.tube_max_open_min", "> 0"),
    ([POINT, "samples.recall.delay_min.mean=-5"], "samples.recall.delay_min.mean", "> 0"),
    ([POINT, "couriers.vehicles=0"], "couriers.vehicles", ">= 1"),
    (
        [
            POINT,
            "couriers.travel_bands=[{up_to_km:10,travel_min:{kind:deterministic,mean:10}},"
            "{up_to_km:5,travel_min:{kind:deterministic,mean:20}}]",
        ],
        "couriers.travel_bands[1].up_to_km",
        "increasing",
    ),
]


@pytest.mark.parametrize(
    ("overrides", "field", "fragment"),
    INVALID,
    ids=[case[1] + ":" + case[0][-1].split("=", 1)[1][:30] for case in INVALID],
)
def test_invalid_chain_value_names_the_field(
    overrides: list[str], field: str, fragment: str
) -> None:
    err = config_error(*overrides)
    assert err.field == field, str(err)
    assert fragment in str(err), str(err)


def test_assignment_to_disabled_labs_only() -> None:
    # Naming a lab that is listed but not taking part is allowed (layouts switch labs off), but
    # a point must keep at least one lab in use.
    err = config_error(POINT, "couriers.assignment=[{site:'Central square',labs:['Mobile lab']}]")
    assert err.field == "couriers.assignment[0].labs"
    both = "['Mobile lab','District hospital lab']"
    cfg = sim.load_config(
        overrides=[POINT, f"couriers.assignment=[{{site:'Central square',labs:{both}}}]"]
    )
    assert cfg.couriers.assignment[0].labs == ("Mobile lab", "District hospital lab")


# ------------------------------------------------------------------------------ misspelt keys


@pytest.mark.parametrize(
    ("override", "field", "suggestion"),
    [
        ("labs.hospital.extractor=3", "labs.hospital.extractor", "extractors"),
        ("labs.hospital.technicians.patern=2x12", "labs.hospital.technicians.patern", "pattern"),
        ("samples.pool_sise=3", "samples.pool_sise", "pool_size"),
        ("couriers.vehicle=3", "couriers.vehicle", "vehicles"),
    ],
)
def test_misspelt_chain_key_suggests_the_right_one(
    override: str, field: str, suggestion: str
) -> None:
    err = config_error(POINT, override)
    assert err.field == field
    assert f"did you mean '{suggestion}'" in str(err)


def test_unknown_lab_key_lists_the_labs() -> None:
    err = config_error(POINT, "labs.hospitl.extractors=3")
    assert err.field == "labs.hospitl"
    for key in ("hospital", "cdc", "mobile"):
        assert key in str(err)


# ------------------------------------------------------------------------------ build_config


def test_build_config_checks_a_hand_built_lab() -> None:
    cfg = sim.load_config(overrides=[POINT])
    data = dataclasses.asdict(cfg)
    assert sim.build_config(data) == cfg
    data["labs"][0]["pcr_machines"] = 0
    with pytest.raises(sim.ConfigError) as info:
        sim.build_config(data)
    assert info.value.field == "labs[0].pcr_machines"
    data = dataclasses.asdict(cfg)
    data["samples"]["pool_size"] = 0
    with pytest.raises(sim.ConfigError) as info:
        sim.build_config(data)
    assert info.value.field == "samples.pool_size"
    data = dataclasses.asdict(cfg)
    data["samples"]["sensitivity"] = 1.2
    with pytest.raises(sim.ConfigError) as info:
        sim.build_config(data)
    assert info.value.field == "samples.sensitivity"
    data = dataclasses.asdict(cfg)
    data["samples"]["dilution"] = float("nan")
    with pytest.raises(sim.ConfigError) as info:
        sim.build_config(data)
    assert info.value.field == "samples.dilution"

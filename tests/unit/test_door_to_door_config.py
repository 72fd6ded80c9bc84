"""Bad door-to-door settings (``door_to_door``) are config errors, all reported at once.

Each error names the field by its full dotted path, shows the value given and says what is
allowed (a misspelt green-channel group gets the closest name). Configs are the shipped
district (``layout=door_to_door``) as plain mappings through :func:`sim.build_config` (the
one validation path); a few go through Hydra overrides too.
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Callable
from typing import Any

import pytest

import sim
from sim.config.door_to_door import DoorToDoorConfig


@pytest.fixture(scope="module")
def base() -> dict[str, Any]:
    return dataclasses.asdict(sim.load_config(["layout=door_to_door"]))


Edit = Callable[[dict[str, Any]], None]


def errors(base: dict[str, Any], edit: Edit) -> dict[str, sim.ConfigError]:
    data = copy.deepcopy(base)
    edit(data)
    with pytest.raises(sim.ConfigError) as info:
        sim.build_config(data)
    return {e.field: e for e in info.value.errors}


def test_the_layout_builds(base: dict[str, Any]) -> None:
    cfg = sim.build_config(base)
    assert cfg.door_to_door.active and cfg.door_to_door.teams == 48
    assert cfg.chain_sites[-1][0] == "Door-to-door team 48"


def test_a_misspelt_group_gets_the_closest_name(base: dict[str, Any]) -> None:
    def edit(d: dict[str, Any]) -> None:
        d["door_to_door"]["shares"]["disabld"] = 0.5

    err = errors(base, edit)["door_to_door.shares.disabld"]
    assert err.value == 0.5
    assert "did you mean 'disabled'?" in err.allowed
    assert "over_70, disabled, pregnant, under_8" in err.allowed


@pytest.mark.parametrize("share", [-0.1, 1.5, float("nan")])
def test_a_share_is_between_0_and_1(base: dict[str, Any], share: float) -> None:
    def edit(d: dict[str, Any]) -> None:
        d["door_to_door"]["shares"]["over_70"] = share

    err = errors(base, edit)["door_to_door.shares.over_70"]
    assert "between 0 and 1" in err.allowed


def test_somebody_must_visit_the_homebound(base: dict[str, Any]) -> None:
    def edit(d: dict[str, Any]) -> None:
        d["door_to_door"]["teams"] = 0

    err = errors(base, edit)["door_to_door.teams"]
    assert err.value == 0 and ">= 1 when a share is above 0" in err.allowed
    # with every share 0, no teams is fine: nothing is simulated
    data = copy.deepcopy(base)
    data["door_to_door"]["teams"] = 0
    data["door_to_door"]["shares"] = {}
    assert not sim.build_config(data).door_to_door.active


def test_every_mistake_is_reported_together(base: dict[str, Any]) -> None:
    def edit(d: dict[str, Any]) -> None:
        h = d["door_to_door"]
        h["teams"] = -2
        h["swabbers_per_team"] = 0
        h["work_start"] = "18:00"
        h["work_end"] = "08:00"
        h["visit_min"] = {"kind": "lognormal", "mean": -3, "cv": 0.4}
        h["travel_min"] = {"kind": "exponential", "mean": 5, "cv": 0.4}
        h["x_km"] = float("inf")
        h["work_days"] = [0, 1, 1]

    found = errors(base, edit)
    for field in (
        "door_to_door.teams",
        "door_to_door.swabbers_per_team",
        "door_to_door.work_end",
        "door_to_door.visit_min.mean",
        "door_to_door.travel_min.cv",
        "door_to_door.x_km",
        "door_to_door.work_days",
    ):
        assert field in found, (field, sorted(found))
    assert "a time after work_start (18:00)" in found["door_to_door.work_end"].allowed


def test_working_days_are_days_of_the_round(base: dict[str, Any]) -> None:
    def edit(d: dict[str, Any]) -> None:
        d["door_to_door"]["work_days"] = [1, 3]

    err = errors(base, edit)["door_to_door.work_days"]
    assert err.value == [3]
    assert "days of a round (1-2" in err.allowed


def test_the_shares_need_the_sub_districts_green_groups(base: dict[str, Any]) -> None:
    def edit(d: dict[str, Any]) -> None:
        d["subdistricts"][2]["green_groups"] = None

    err = errors(base, edit)["door_to_door.shares"]
    assert "green_groups is null for 'Dongjiadun'" in err.allowed
    with pytest.raises(sim.ConfigError, match="only with sub-districts"):
        sim.load_config(["scenario=busy_point", "door_to_door.shares.disabled=0.5"])


def test_on_the_command_line() -> None:
    with pytest.raises(sim.ConfigError) as info:
        sim.load_config(
            [
                "door_to_door.shares.disabled=2",
                "door_to_door.teams=0",
                "door_to_door.work_end=07:00",
            ]
        )
    fields = {e.field for e in info.value.errors}
    assert {"door_to_door.shares.disabled", "door_to_door.work_end"} <= fields
    cfg = sim.load_config(["door_to_door.shares.disabled=0.5", "door_to_door.teams=3"])
    assert cfg.door_to_door.share("disabled") == 0.5 and cfg.door_to_door.chain_teams == 3


def test_a_config_changed_in_python_is_checked_again() -> None:
    cfg = sim.load_config(["layout=door_to_door", "mobile.teams=0"])
    bad = dataclasses.replace(cfg, door_to_door=DoorToDoorConfig(shares={"under8": 0.1}, teams=1))
    with pytest.raises(sim.ConfigError, match="did you mean 'under_8'"):
        sim.run(bad)


def test_the_default_is_off() -> None:
    cfg = sim.load_config()
    assert not cfg.door_to_door.active
    assert DoorToDoorConfig().shares == {} and not DoorToDoorConfig().active
    assert not any(name.startswith("Door-to-door") for name, _, _ in cfg.chain_sites)

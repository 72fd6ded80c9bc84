"""Bad population groups (``demand.groups``, ``subdistricts[k].groups``) are config errors.

Each error names the field by its full dotted path, shows the value given and says what is
allowed. Configs are built from ``scenario=busy_point`` (one point, "Central square") with three
small sub-districts and one ``market_traders`` group, as plain mappings through
:func:`sim.build_config` (the one validation path); a few go through Hydra overrides too.
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Callable
from typing import Any

import pytest

import sim
from sim.config.cautions import config_warnings

#: Market traders: none during the 07:00-12:00 trading hours (window 06:00-22:00, 16 hours).
TRADERS = [1, 0, 0, 0, 0, 0, 10, 8, 6, 5, 4, 3, 3, 2, 1, 0]
POINT = "Central square"


@pytest.fixture(scope="module")
def base() -> dict[str, Any]:
    """busy_point as a mapping, with three sub-districts and a market_traders group."""
    data = dataclasses.asdict(sim.load_config(overrides=["scenario=busy_point"]))
    data["demand"]["residents"] = None
    data["demand"]["groups"] = [
        {"name": "market_traders", "share": 0.03, "hourly_profile": TRADERS},
        {"name": "students", "share": 0.1, "hourly_profile": [1] * 16},
    ]
    data["subdistricts"] = [
        {
            "name": name,
            "population": 1000,
            "catchment": [{"site": POINT, "share": 1.0}],
            "groups": own,
        }
        for name, own in (
            ("North", {"market_traders": 0.2}),
            ("Centre", None),
            ("South", {"students": 0.0}),
        )
    ]
    return data


Edit = Callable[[dict[str, Any]], None]


def errors(base: dict[str, Any], edit: Edit) -> list[sim.ConfigError]:
    data = copy.deepcopy(base)
    edit(data)
    with pytest.raises(sim.ConfigError) as info:
        sim.build_config(data)
    return info.value.errors


def only(base: dict[str, Any], edit: Edit) -> sim.ConfigError:
    found = errors(base, edit)
    assert len(found) == 1, [e.line for e in found]
    return found[0]


def group(data: dict[str, Any], i: int = 0) -> dict[str, Any]:
    out: dict[str, Any] = data["demand"]["groups"][i]
    return out


def test_the_base_is_valid(base: dict[str, Any]) -> None:
    cfg = sim.build_config(base)
    assert [g.name for g in cfg.demand.groups] == ["market_traders", "students"]
    assert cfg.subdistricts[0].groups == {"market_traders": 0.2}
    assert cfg.subdistricts[0].group_shares(cfg.demand.groups) == (0.2, 0.1)
    assert cfg.subdistricts[1].group_shares(cfg.demand.groups) == (0.03, 0.1)
    assert cfg.subdistricts[2].group_shares(cfg.demand.groups) == (0.03, 0.0)
    hash(cfg)  # a frozen config stays hashable with a dict field


@pytest.mark.parametrize("share", [1.5, -0.1])
def test_group_share_outside_0_1(base: dict[str, Any], share: float) -> None:
    err = only(base, lambda d: group(d).update(share=share))
    assert err.field == "demand.groups[0].share"
    assert err.value == share
    assert "between 0 and 1" in err.allowed
    assert str(share) in str(err)


def test_default_shares_summing_above_1(base: dict[str, Any]) -> None:
    err, north = errors(base, lambda d: group(d, 1).update(share=0.99))
    assert err.field == "demand.groups"
    assert "1.02" in str(err.value)
    assert "market_traders: 0.03" in str(err.value) and "students: 0.99" in str(err.value)
    assert "at most 1" in err.allowed and "general" in err.allowed
    # North's own traders' share (0.2) adds up to more still; Centre has no entries of its
    # own (its sum is the one above) and South's own students' share of 0 keeps it below 1
    assert north.field == "subdistricts[0].groups"
    assert "1.19" in str(north.value) and "'North'" in north.allowed


def test_subdistrict_shares_summing_above_1_name_the_subdistrict(base: dict[str, Any]) -> None:
    err = only(base, lambda d: d["subdistricts"][0]["groups"].update(market_traders=0.95))
    assert err.field == "subdistricts[0].groups"
    assert "1.05" in str(err.value)  # 0.95 + students' default 0.1
    assert "market_traders: 0.95" in str(err.value) and "students: 0.1" in str(err.value)
    assert "'North'" in err.allowed and "at most 1" in err.allowed


@pytest.mark.parametrize("share", [1.2, -0.5])
def test_subdistrict_share_outside_0_1(base: dict[str, Any], share: float) -> None:
    err = only(base, lambda d: d["subdistricts"][2]["groups"].update(students=share))
    assert err.field == "subdistricts[2].groups.students"
    assert err.value == share
    assert "between 0 and 1" in err.allowed


def test_unknown_group_in_a_subdistrict(base: dict[str, Any]) -> None:
    err = only(base, lambda d: d["subdistricts"][0].update(groups={"market_trader": 0.2}))
    assert err.field == "subdistricts[0].groups.market_trader"
    assert err.value == 0.2
    assert "demand.groups" in err.allowed
    assert "did you mean 'market_traders'" in err.allowed
    assert "market_traders, students" in err.allowed


def test_subdistrict_groups_of_the_wrong_type(base: dict[str, Any]) -> None:
    err = only(base, lambda d: d["subdistricts"][0].update(groups=[0.2]))
    assert err.field == "subdistricts[0].groups"
    assert "mapping" in err.allowed
    err = only(base, lambda d: d["subdistricts"][0].update(groups={"market_traders": "x"}))
    assert err.field == "subdistricts[0].groups.market_traders"
    assert err.value == "x"
    assert "number" in err.allowed


def test_profile_of_the_wrong_length(base: dict[str, Any]) -> None:
    err = only(base, lambda d: group(d).update(hourly_profile=TRADERS[:-1]))
    assert err.field == "demand.groups[0].hourly_profile"
    assert err.value == "15 values"
    assert "exactly 16 weights" in err.allowed and "06:00-22:00" in err.allowed


def test_profile_of_zeros(base: dict[str, Any]) -> None:
    err = only(base, lambda d: group(d).update(hourly_profile=[0] * 16))
    assert err.field == "demand.groups[0].hourly_profile"
    assert err.value == (0.0,) * 16
    assert "at least one weight > 0" in err.allowed


def test_negative_weight(base: dict[str, Any]) -> None:
    err = only(base, lambda d: group(d).update(hourly_profile=[-1, *TRADERS[1:]]))
    assert err.field == "demand.groups[0].hourly_profile"
    assert err.value == [-1.0]
    assert ">= 0" in err.allowed


def test_duplicate_names(base: dict[str, Any]) -> None:
    def rename(d: dict[str, Any]) -> None:
        group(d, 1).update(name="market_traders", share=0.0)
        d["subdistricts"][2]["groups"] = None  # named students

    err = only(base, rename)
    assert err.field == "demand.groups[1].name"
    assert err.value == "market_traders"
    assert "no other group" in err.allowed


@pytest.mark.parametrize("name", ["general", "market traders", "2nd_shift", ""])
def test_names_that_are_not_allowed(base: dict[str, Any], name: str) -> None:
    found = errors(base, lambda d: group(d, 1).update(name=name))
    err = found[0]
    assert err.field == "demand.groups[1].name"
    assert err.value == name
    assert "identifier-like" in err.allowed and "'general'" in err.allowed


def test_group_daily_shares(base: dict[str, Any]) -> None:
    err = only(base, lambda d: group(d).update(daily_shares=[0.5, 0.5]))
    assert err.field == "demand.groups[0].daily_shares"
    assert err.value == (0.5, 0.5)
    assert "one share per day of the round (1 values" in err.allowed
    err = only(base, lambda d: group(d).update(daily_shares=[0.5]))
    assert err.field == "demand.groups[0].daily_shares"
    assert "sum to 1" in err.allowed


def test_groups_with_constant_arrivals(base: dict[str, Any]) -> None:
    def constant(d: dict[str, Any]) -> None:
        d["subdistricts"] = []
        d["demand"].update(arrivals="constant", rate_per_hour=100.0, hourly_profile=None)

    err = only(base, constant)
    assert err.field == "demand.groups"
    assert err.value == ["market_traders", "students"]
    assert "'constant'" in err.allowed and "arrivals: profile" in err.allowed
    assert "groups: []" in err.allowed


def test_groups_with_appointments(base: dict[str, Any]) -> None:
    err = only(base, lambda d: d["demand"]["appointments"].update(enabled=True))
    assert err.field == "demand.groups"
    assert err.value == ["market_traders", "students"]
    assert "appointments.enabled" in err.allowed and "groups: []" in err.allowed


def test_several_errors_are_reported_together(base: dict[str, Any]) -> None:
    def many(d: dict[str, Any]) -> None:
        group(d).update(share=2.0, hourly_profile=[0] * 16)
        d["subdistricts"][1]["groups"] = {"traders": 0.1}

    fields = [e.field for e in errors(base, many)]
    assert "demand.groups[0].share" in fields
    assert "demand.groups[0].hourly_profile" in fields
    assert "subdistricts[1].groups.traders" in fields


def test_switching_groups_off_leaves_subdistrict_entries_with_a_warning(
    base: dict[str, Any],
) -> None:
    data = copy.deepcopy(base)
    data["demand"]["groups"] = []
    cfg = sim.build_config(data)
    warnings = config_warnings(cfg)
    assert any(w.startswith("subdistricts[0].groups") and "ignored" in w for w in warnings)
    assert not any("subdistricts[1].groups" in w for w in warnings)  # Centre names none


def test_through_hydra_overrides() -> None:
    """A group and a sub-district's share given on the command line, with a mistake each."""
    traders = (
        "{name:market_traders,share:0.03,hourly_profile:[" + ",".join(map(str, TRADERS)) + "]}"
    )
    sub = (
        "subdistricts=[{name:North,population:1000,catchment:[{site:'Central square',"
        "share:1.0}],groups:{market_traders:1.5}}]"
    )
    with pytest.raises(sim.ConfigError) as info:
        sim.load_config(
            overrides=[
                "scenario=busy_point",
                "demand.residents=null",
                f"demand.groups=[{traders}]",
                sub,
            ]
        )
    err = info.value.errors[0]
    assert err.field == "subdistricts[0].groups.market_traders"
    assert err.value == 1.5


def test_the_shipped_default_has_market_traders() -> None:
    """configs/config.yaml: traders come outside the markets' 07:00-12:00 trading hours."""
    cfg = sim.load_config(overrides=[])
    (traders,) = cfg.demand.groups
    assert traders.name == "market_traders"
    profile = dict(zip(range(6, 22), traders.hourly_profile, strict=True))
    assert all(profile[h] == 0 for h in range(7, 12))
    assert sum(profile.values()) > 0
    by_name = {sd.name: sd.group_shares(cfg.demand.groups)[0] for sd in cfg.subdistricts}
    assert by_name["Jianning"] > traders.share and by_name["Longquan"] > traders.share
    assert by_name["Qingyun"] == traders.share

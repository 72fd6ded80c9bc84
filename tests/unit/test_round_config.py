"""``ScenarioConfig.round_config(k)`` (0-based) is the scenario as round ``k`` runs it: the
``campaign.round_overrides`` that name round ``k + 1`` applied, in list order; the scenario
itself (the same object, nothing rebuilt) in a round no override names, and in every round
of a scenario without overrides. A built config lists a change made through ``site_types``
or the template point by point, so that it rebuilds (a run folder's ``config.yaml``,
``dataclasses.replace``) with the same rounds.

``layout=three_rounds`` has three rounds; its points are typed ``square`` (6 booths),
``standard`` (4) and ``community`` (2).
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import pytest

import sim
from sim.cli import config_root
from sim.engine.streams import RandomStreams
from sim.model.district import RoundSimulation, plan_layout

THREE = "layout=three_rounds"
EXTRA = "layout=extra_booth_from_round2"
LAYOUTS = sorted(p.stem for p in (config_root() / "layout").glob("*.yaml"))


def load(*args: str) -> sim.ScenarioConfig:
    return sim.load_config(list(args))


@pytest.fixture(scope="module")
def three() -> sim.ScenarioConfig:
    return load(THREE)


@pytest.fixture(scope="module")
def extra() -> sim.ScenarioConfig:
    return load(EXTRA)


def _booths(cfg: sim.ScenarioConfig) -> list[int]:
    return [p.swab_booths for p in cfg.points]


def _rebuilt(cfg: sim.ScenarioConfig) -> sim.ScenarioConfig:
    """The config as a run folder's config.yaml gives it back (lists, not tuples)."""
    return sim.build_config(json.loads(json.dumps(dataclasses.asdict(cfg))))


# ------------------------------------------------------------------------------ no overrides


@pytest.mark.parametrize("layout", [name for name in LAYOUTS if name != "extra_booth_from_round2"])
def test_without_overrides_every_round_is_the_scenario_itself(layout: str) -> None:
    """The default's rounds run exactly the config they ran before: the same object."""
    cfg = load(f"layout={layout}")
    assert cfg.campaign.round_overrides == ()
    rounds = len(cfg.campaign.start_days)
    assert all(cfg.round_config(k) is cfg for k in range(rounds))
    assert not hasattr(cfg, "_rounds")  # nothing built or kept for them


def test_the_default_round_is_the_scenario_itself() -> None:
    cfg = load()
    assert cfg.round_config(0) is cfg
    with pytest.raises(IndexError, match="from 0 to 0"):
        cfg.round_config(1)


# ------------------------------------------------------------------------------ the layout


def test_the_layout_is_three_rounds_with_more_booths_from_round_2(
    three: sim.ScenarioConfig, extra: sim.ScenarioConfig
) -> None:
    assert extra.name == "extra_booth_from_round2"
    assert extra.campaign.start_days == three.campaign.start_days == (1, 5, 9)
    # round 1 runs the points of three_rounds; the config is otherwise three_rounds'
    first = extra.round_config(0)
    assert first is extra
    assert first.points == three.points and first.demand == three.demand
    assert dataclasses.replace(
        extra, name=three.name, description=three.description, campaign=three.campaign
    ) == dataclasses.replace(three)
    # rounds 2 and 3: one more booth at every point, nothing else
    for k in (1, 2):
        later = extra.round_config(k)
        assert later is not extra
        assert _booths(later) == [b + 1 for b in _booths(three)]
        assert sorted(set(_booths(later))) == [3, 5, 7]
        assert [dataclasses.replace(p, swab_booths=0) for p in later.points] == [
            dataclasses.replace(p, swab_booths=0) for p in three.points
        ]
        assert later.demand == three.demand and later.labs == three.labs
        assert later.campaign.round_overrides == ()  # a round's config has none of its own
        assert later.round_config(k) is later
    assert extra.round_config(1) is extra.round_config(2)  # one override: built once
    with pytest.raises(IndexError, match="from 0 to 2"):
        extra.round_config(3)


def test_a_round_simulation_runs_its_rounds_points(extra: sim.ScenarioConfig) -> None:
    """Given the scenario, a round's simulation applies its overrides itself (planners call
    ``RoundSimulation(config, streams, 0)``), so both ways plan the same points."""
    for k in range(3):
        want = [plan.site for plan in plan_layout(extra.round_config(k))]
        sim_ = RoundSimulation(extra, RandomStreams(1), k)
        assert sim_.config is extra.round_config(k)
        assert [plan.site for plan in sim_.plans] == want
    booths = [p.swab_booths for p in RoundSimulation(extra, RandomStreams(1), 1).config.points]
    assert booths == [b + 1 for b in _booths(extra)]


# ------------------------------------------------------------------------------ what applies


def test_a_type_change_is_listed_point_by_point(extra: sim.ScenarioConfig) -> None:
    """``site_types`` are resolved when a config is built: the built override names the
    points (every point here)."""
    (override,) = extra.campaign.round_overrides
    assert override.rounds == (2, 3)
    assert override.set == {f"sites.{i}.swab_booths": b + 1 for i, b in enumerate(_booths(extra))}


def test_it_rebuilds_as_it_ran(extra: sim.ScenarioConfig) -> None:
    again = _rebuilt(extra)
    assert again == extra
    assert all(again.round_config(k) == extra.round_config(k) for k in range(3))
    # changed in Python: the rounds are built (and checked) on first use
    other = dataclasses.replace(extra, seed=9)
    assert not hasattr(other, "_rounds")
    assert other.round_config(0) is other
    assert other.round_config(1) == dataclasses.replace(extra.round_config(1), seed=9)
    assert other.round_config(2) is other.round_config(1)


def test_the_template_site_and_a_point(three: sim.ScenarioConfig) -> None:
    cfg = load(
        THREE,
        "campaign.round_overrides=[{rounds: [3], set: {site.close: '22:00', "
        "sites.4.registration_desks: 7}}]",
    )
    third = cfg.round_config(2)
    assert {p.close for p in third.points} == {"22:00"}  # every point inherits the template
    assert third.site.close == "22:00"
    assert third.points[4].registration_desks == 7
    assert [p.registration_desks for p in third.points[:4]] == [
        p.registration_desks for p in three.points[:4]
    ]
    assert cfg.round_config(1) is cfg and cfg.round_config(0) is cfg
    assert _rebuilt(cfg).round_config(2) == third


def test_a_point_of_another_type(three: sim.ScenarioConfig) -> None:
    """Point 3 (community) is a square point in round 2: the type's fields, listed."""
    cfg = load(THREE, "campaign.round_overrides=[{rounds: [2], set: {sites.3.type: square}}]")
    second = cfg.round_config(1)
    point = second.points[3]
    assert (point.registration_desks, point.swab_booths, point.queue_space_m) == (14, 6, 500.0)
    assert point.name == three.points[3].name and point.x_km == three.points[3].x_km
    assert cfg.campaign.round_overrides[0].set == {
        "sites.3.registration_desks": 14,
        "sites.3.swab_booths": 6,
        "sites.3.queue_space_m": 500.0,
    }
    assert _rebuilt(cfg).round_config(1) == second


def test_demand_and_a_mapping_that_merges(three: sim.ScenarioConfig) -> None:
    cfg = load(
        THREE,
        "campaign.round_overrides=[{rounds: [2], set: {demand.barcode_share: 0.9, "
        "demand.daily_shares: [0.4, 0.3, 0.2, 0.1], site: {staffing: {swab: {handover_min: 0}}}}}]",
    )
    second = cfg.round_config(1)
    assert second.demand.barcode_share == 0.9
    assert second.demand.daily_shares == (0.4, 0.3, 0.2, 0.1)
    # merged into the roster: its other fields stay
    assert all(p.staffing.swab.handover_min == 0 for p in second.points)
    assert [dataclasses.replace(p.staffing.swab, handover_min=0) for p in second.points] == [
        dataclasses.replace(p.staffing.swab, handover_min=0) for p in three.points
    ]
    assert cfg.round_config(2).demand == three.demand


def test_overrides_of_the_same_round_apply_in_order(three: sim.ScenarioConfig) -> None:
    cfg = load(
        THREE,
        "campaign.round_overrides=["
        "{rounds: [2, 3], set: {sites.1.swab_booths: 9, demand.barcode_share: 0.6}},"
        "{rounds: [3], set: {site_types.standard.swab_booths: 5}}]",
    )
    second, third = cfg.round_config(1), cfg.round_config(2)
    assert second.points[1].swab_booths == 9 and second.points[2].swab_booths == 4
    # round 3: both, the later winning where they meet (point 1 is standard)
    assert third.points[1].swab_booths == 5 and third.points[2].swab_booths == 5
    assert third.demand.barcode_share == 0.6
    assert third.points[0].swab_booths == three.points[0].swab_booths  # square: unchanged
    again = _rebuilt(cfg)
    assert [again.round_config(k) for k in range(3)] == [cfg.round_config(k) for k in range(3)]


def test_a_one_point_scenario() -> None:
    cfg = load(
        "scenario=busy_point",
        "campaign.round_days=1",
        "campaign.start_days=[1,3]",
        "demand.daily_shares=[1.0]",
        "campaign.round_overrides=[{rounds: [2], set: {site.swab_booths: 9}}]",
    )
    assert cfg.round_config(0).site.swab_booths != 9
    assert cfg.round_config(1).site.swab_booths == 9
    assert cfg.round_config(1).points == (cfg.round_config(1).site,)


def test_the_round_configs_travel_with_the_config(extra: sim.ScenarioConfig) -> None:
    """Replications in other processes get the rounds with the config (pickled)."""
    import pickle

    back: Any = pickle.loads(pickle.dumps(extra))
    assert back == extra
    assert back.round_config(1) == extra.round_config(1)
    assert back.round_config(0) is back

"""Bad round overrides (``campaign.round_overrides``) stop before the run with a
:class:`sim.ConfigError` naming the override's field, the value and what is allowed: a round
the campaign does not have, an empty ``rounds`` list, a field that is the same in every round
(labs, mobile teams, the campaign, the seed, a point's name or position, the residents), a
misspelt field (with the closest name), and a value the round's config cannot take (a negative
booth count), named under the override's ``set``. Several mistakes are reported together, and
nothing is simulated while checking.

``layout=three_rounds`` has three rounds; the default district one. Its points are typed
``square`` (6 booths), ``standard`` (4) and ``community`` (2); point 1 (``Jianning 2``) is
standard.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest

import sim
from sim.config.schema import RoundOverrideConfig
from sim.model import mobile_teams, sample_chain
from sim.model.district import RoundSimulation
from tests.cli_helpers import sim_cli

THREE = "layout=three_rounds"
OVERRIDE = "campaign.round_overrides"


@pytest.fixture(autouse=True)
def _no_simulation(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail loudly if validating a config starts simulating."""

    def boom(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("a simulation was started while validating a config")

    monkeypatch.setattr(RoundSimulation, "_residents", boom)
    monkeypatch.setattr(sample_chain._Chain, "__init__", boom)
    monkeypatch.setattr(mobile_teams.MobileTeams, "__init__", boom)


def overrides(text: str) -> str:
    return f"{OVERRIDE}=[{text}]"


def errors(*args: str) -> list[sim.ConfigError]:
    with pytest.raises(sim.ConfigError) as info:
        sim.load_config(overrides=list(args))
    return info.value.errors


def only_error(*args: str) -> sim.ConfigError:
    found = errors(*args)
    assert len(found) == 1, "\n".join(e.line for e in found)
    return found[0]


# ------------------------------------------------------------------------------ positive control


def test_a_valid_override_builds() -> None:
    cfg = sim.load_config(
        [THREE, overrides("{rounds: [2, 3], set: {site_types.standard.swab_booths: 5}}")]
    )
    assert cfg.campaign.round_overrides[0].rounds == (2, 3)
    assert cfg.round_config(1).points[1].swab_booths == 5
    # the boundaries of the bad cases below pass
    edge = sim.load_config(
        [
            THREE,
            overrides(
                "{rounds: [1, 3], set: {sites.39.swab_booths: 1, demand.barcode_share: 1.0}}"
            ),
        ]
    )
    assert edge.round_config(2).points[39].swab_booths == 1
    assert edge.round_config(0).demand.barcode_share == 1.0


# ------------------------------------------------------------------------------ rounds


def test_a_round_that_does_not_exist() -> None:
    err = only_error(THREE, overrides("{rounds: [4], set: {site.swab_booths: 5}}"))
    assert err.field == "campaign.round_overrides[0].rounds"
    assert err.value == [4]
    assert "a round from 1 to 3" in err.allowed
    assert "there is no round 4" in err.allowed


def test_a_second_round_in_a_one_round_campaign() -> None:
    err = only_error(overrides("{rounds: [2], set: {site_types.standard.swab_booths: 5}}"))
    assert err.field == "campaign.round_overrides[0].rounds"
    assert err.value == [2]
    assert "a round from 1 to 1" in err.allowed


def test_round_zero_is_not_a_round() -> None:
    """Rounds are 1-based, as in the tables' round column."""
    err = only_error(THREE, overrides("{rounds: [0, 1], set: {site.swab_booths: 5}}"))
    assert err.field == "campaign.round_overrides[0].rounds"
    assert "1-based" in err.allowed and "there is no round 0" in err.allowed


def test_an_empty_rounds_list() -> None:
    err = only_error(THREE, overrides("{rounds: [], set: {site.swab_booths: 5}}"))
    assert err.field == "campaign.round_overrides[0].rounds"
    assert err.value == []
    assert err.allowed.startswith("at least one round")


def test_rounds_missing_or_repeated() -> None:
    err = only_error(THREE, overrides("{set: {site.swab_booths: 5}}"))
    assert err.field == "campaign.round_overrides[0].rounds"
    assert "required" in err.allowed
    err = only_error(THREE, overrides("{rounds: [2, 2], set: {site.swab_booths: 5}}"))
    assert err.field == "campaign.round_overrides[0].rounds"
    assert err.allowed == "each round once"


def test_the_second_override_is_named_by_its_index() -> None:
    err = only_error(
        THREE,
        overrides("{rounds: [2], set: {site.swab_booths: 5}}, {rounds: [5], set: {}}"),
    )
    assert err.field == "campaign.round_overrides[1].rounds"


# ------------------------------------------------------------------------------ fields


@pytest.mark.parametrize(
    ("key", "value", "why"),
    [
        ("labs.mobile.opens_day", "2", "labs is campaign-wide"),
        ("mobile.teams", "6", "mobile is campaign-wide"),
        ("campaign.round_days", "3", "campaign is campaign-wide"),
        ("seed", "7", "seed is campaign-wide"),
        ("samples.pool_size", "5", "samples is campaign-wide"),
        ("subdistricts.0.population", "1000", "subdistricts is campaign-wide"),
        ("site_choice.rule", "queue_board", "site_choice is campaign-wide"),
        ("sites.3.name", "X", "a point's name is the same every round"),
        ("sites.3.x_km", "1.0", "a point's x_km is the same every round"),
        ("site.registration", "false", "a point's registration is the same every round"),
        (
            "site_types.square.green_channel.mode",
            "none",
            "a point's green_channel.mode is the same every round",
        ),
        ("demand.residents", "100", "demand.residents is the campaign's"),
        ("demand.groups", "[]", "demand.groups is the campaign's"),
    ],
)
def test_a_field_that_is_not_per_round(key: str, value: str, why: str) -> None:
    err = only_error(THREE, overrides(f"{{rounds: [2], set: {{{key}: {value}}}}}"))
    assert err.field == f"campaign.round_overrides[0].set.{key}"
    assert why in err.allowed
    # what is allowed is listed
    assert "site_types.<type>.<field>" in err.allowed
    assert "swab_booths" in err.allowed and "staffing" in err.allowed
    assert "barcode_share" in err.allowed and "daily_shares" in err.allowed


def test_a_mapping_value_is_checked_field_by_field() -> None:
    """``site.green_channel: {mode: none}`` is ``site.green_channel.mode: none``."""
    err = only_error(THREE, overrides("{rounds: [2], set: {site: {green_channel: {mode: none}}}}"))
    assert err.field == "campaign.round_overrides[0].set.site.green_channel.mode"
    assert err.value == "none"


def test_a_type_that_brings_a_field_that_is_not_per_round() -> None:
    """Checked on the round's config too: square points have no registration stage here,
    so point 3 would lose its registration in round 2."""
    err = only_error(
        THREE,
        "site_types.square.registration=false",
        overrides("{rounds: [2], set: {sites.3.type: square}}"),
    )
    assert err.field == "campaign.round_overrides[0].set.sites.3.type"
    assert err.value == "square"
    assert "a point's registration is the same every round" in err.allowed
    assert "it changes sites.3.registration to False" in err.allowed


def test_the_points_themselves_are_the_same_every_round() -> None:
    err = only_error(THREE, overrides("{rounds: [2], set: {sites: []}}"))
    assert err.field == "campaign.round_overrides[0].set.sites"
    assert "the points themselves" in err.allowed


def test_a_misspelt_field_gets_the_closest_name() -> None:
    err = only_error(THREE, overrides("{rounds: [2], set: {site_types.square.swab_boths: 8}}"))
    assert err.field == "campaign.round_overrides[0].set.site_types.square.swab_boths"
    assert err.value == 8
    assert "did you mean 'swab_booths'?" in err.allowed
    err = only_error(THREE, overrides("{rounds: [2], set: {demand.barcode_shar: 0.4}}"))
    assert err.field == "campaign.round_overrides[0].set.demand.barcode_shar"
    assert "did you mean 'barcode_share'?" in err.allowed
    err = only_error(THREE, overrides("{rounds: [2], set: {labz.mobile.opens_day: 3}}"))
    assert err.field == "campaign.round_overrides[0].set.labz"
    assert "did you mean 'labs'?" in err.allowed


def test_a_misspelt_site_type() -> None:
    err = only_error(THREE, overrides("{rounds: [2], set: {site_types.standrad.swab_booths: 5}}"))
    assert err.field == "campaign.round_overrides[0].set.site_types.standrad"
    assert "did you mean 'standard'?" in err.allowed
    assert "square, standard, community" in err.allowed


def test_a_point_that_does_not_exist() -> None:
    err = only_error(THREE, overrides("{rounds: [2], set: {sites.45.swab_booths: 5}}"))
    assert err.field == "campaign.round_overrides[0].set.sites.45"
    assert err.allowed == "an index from 0 to 39 (sites lists 40 entries)"


# ------------------------------------------------------------------------------ values


def test_a_negative_booth_count_of_a_type() -> None:
    err = only_error(
        THREE, overrides("{rounds: [2, 3], set: {site_types.standard.swab_booths: -1}}")
    )
    assert err.field == "campaign.round_overrides[0].set.site_types.standard.swab_booths"
    assert err.value == -1
    assert err.allowed.startswith("an integer >= 1")


def test_a_negative_booth_count_of_a_point() -> None:
    err = only_error(THREE, overrides("{rounds: [3], set: {sites.3.swab_booths: -2}}"))
    assert err.field == "campaign.round_overrides[0].set.sites.3.swab_booths"
    assert err.value == -2
    assert err.allowed == "an integer >= 1"


def test_a_value_that_does_not_fit_the_round() -> None:
    """Checked as the round runs it: the daily shares of a 4-day round."""
    err = only_error(THREE, overrides("{rounds: [2], set: {demand.daily_shares: [0.5, 0.5]}}"))
    assert err.field == "campaign.round_overrides[0].set.demand.daily_shares"
    assert "one share per day of the round (4 values" in err.allowed
    err = only_error(THREE, overrides("{rounds: [2], set: {demand.barcode_share: 3}}"))
    assert err.field == "campaign.round_overrides[0].set.demand.barcode_share"
    assert err.allowed == "a probability between 0 and 1"


def test_a_consequence_is_named_in_the_rounds_config() -> None:
    """Fewer booths than the green channel reserves: the error of the point's field that
    the change broke, named under the override."""
    err = only_error(
        THREE,
        "site.green_channel.mode=dedicated",
        "site.green_channel.dedicated_booths=1",
        overrides("{rounds: [2], set: {site_types.community.swab_booths: 1}}"),
    )
    assert err.field.startswith("campaign.round_overrides[0].set.")
    assert "fewer than swab_booths (1)" in err.allowed


def test_two_overrides_that_clash_in_a_round() -> None:
    """Each is fine alone; round 3 has both."""
    err = only_error(
        THREE,
        "site.green_channel.mode=dedicated",
        "site.green_channel.dedicated_booths=1",
        overrides(
            "{rounds: [2, 3], set: {site_types.square.green_channel.dedicated_booths: 3}},"
            "{rounds: [3], set: {site_types.square.swab_booths: 3}}"
        ),
    )
    assert err.field.startswith("campaign.round_overrides[1].set.")
    assert "round 3, with round_overrides 0, 1" in err.allowed


# ------------------------------------------------------------------------------ all at once


def test_every_error_at_once_and_the_scenarios_own_only_once() -> None:
    found = errors(
        THREE,
        "demand.barcode_share=3",
        overrides(
            "{rounds: [4], set: {seed: 2, sites.3.swab_booths: 0, site.swab_boths: 3}},"
            "{rounds: [], set: {demand.green_share: 0.2}}"
        ),
    )
    fields = [e.field for e in found]
    assert sorted(fields) == sorted(
        [
            "demand.barcode_share",
            "campaign.round_overrides[0].rounds",
            "campaign.round_overrides[0].set.seed",
            "campaign.round_overrides[0].set.sites.3.swab_booths",
            "campaign.round_overrides[0].set.site.swab_boths",
            "campaign.round_overrides[1].rounds",
        ]
    ), "\n".join(e.line for e in found)


def test_in_a_mapping_given_to_build_config() -> None:
    data = dataclasses.asdict(sim.load_config([THREE]))
    data["campaign"]["round_overrides"] = [{"rounds": [2], "set": {"sites.3.swab_booths": -1}}]
    with pytest.raises(sim.ConfigError) as info:
        sim.build_config(data)
    assert [e.field for e in info.value.errors] == [
        "campaign.round_overrides[0].set.sites.3.swab_booths"
    ]
    data["campaign"]["round_overrides"] = [{"rounds": [2], "set": {"sites.3.swab_booths": 9}}]
    assert sim.build_config(data).round_config(1).points[3].swab_booths == 9


def test_site_types_in_a_built_config() -> None:
    """A built config lists every point in full: a type names no point there, and saying
    so beats changing nothing."""
    cfg = sim.load_config([THREE])
    changed = dataclasses.replace(
        cfg,
        campaign=dataclasses.replace(
            cfg.campaign,
            round_overrides=(RoundOverrideConfig((2,), {"site_types.standard.swab_booths": 5}),),
        ),
    )
    with pytest.raises(sim.ConfigError) as info:
        changed.round_config(1)
    err = info.value.errors[0]
    assert err.field == "campaign.round_overrides[0].set.site_types.standard"
    assert "sites.<i>.<field>" in err.allowed


def test_the_command_line_names_the_override(tmp_path: Path) -> None:
    proc = sim_cli(tmp_path, THREE, overrides("{rounds: [4], set: {site.swab_booths: 5}}"))
    assert proc.returncode == 2, proc.stderr[-2000:]
    assert "Traceback" not in proc.stderr
    assert "campaign.round_overrides[0].rounds = [4]; allowed: a round from 1 to 3" in proc.stderr
    assert not list(tmp_path.rglob("summary.json"))

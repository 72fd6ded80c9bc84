"""Bad campaign input (the campaign's days, the mobile teams' working days and screening
schedule, a lab's rated people a day) stops before the run with a :class:`sim.ConfigError`
naming the field, the value and what is allowed; several mistakes are reported together.

The shipped district runs a 2-day campaign (one round); ``layout=three_rounds`` runs three
4-day rounds, days 1-12. Its 137 generated enterprises are ``E001``-``E137`` in zones 0-5; its
mobile lab (``labs[2]``) is rated 11,250 people a day and its machines reach 15,040 (10-in-1).
"""

from __future__ import annotations

import dataclasses
import subprocess
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import sim
from sim.engine.streams import RandomStreams
from sim.model import mobile_teams, sample_chain
from sim.model.district import RoundSimulation
from tests.cli_helpers import sim_cli

THREE = "layout=three_rounds"


@pytest.fixture
def simulating() -> None:
    """Requested by the tests that do run the mobile teams."""


@pytest.fixture(autouse=True)
def _no_simulation(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail loudly if validating a config starts simulating (unless the test is
    ``simulating``)."""
    if "simulating" in request.fixturenames:
        return

    def boom(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("a simulation was started while validating a config")

    monkeypatch.setattr(RoundSimulation, "_residents", boom)
    monkeypatch.setattr(sample_chain._Chain, "__init__", boom)
    monkeypatch.setattr(mobile_teams.MobileTeams, "__init__", boom)


def config_error(*overrides: str) -> sim.ConfigError:
    with pytest.raises(sim.ConfigError) as info:
        sim.load_config(overrides=list(overrides))
    return info.value


def only_error(*overrides: str) -> sim.ConfigError:
    """The config's one error."""
    err = config_error(*overrides)
    assert len(err.errors) == 1, str(err)
    return err.errors[0]


# ------------------------------------------------------------------------------ positive control


def test_valid_campaigns_compose() -> None:
    base = sim.load_config()
    assert base.campaign.last_day == 2 and base.campaign.days is None
    assert base.mobile.teams == 4 and base.mobile.screening.every_days == 2
    three = sim.load_config(overrides=[THREE, "mobile.work_days=[12]"])
    assert three.campaign.start_days == (1, 5, 9) and three.campaign.round_days == 4
    assert three.campaign.rounds_end_day == 12 and three.campaign.last_day == 12
    assert [three.campaign.round_of_day(d) for d in (1, 4, 5, 9, 12)] == [0, 0, 1, 2, 2]
    assert three.mobile.work_days == (12,)
    # The boundaries of the bad cases below pass.
    edge = sim.load_config(
        overrides=[
            "campaign.days=2",
            "mobile.work_days=[1,2]",
            "mobile.screening.first_day=2",
            "mobile.screening.every_days=1",
            "mobile.screening.rules=[{zones:[5],every_days:1},{firms:[E137],every_days:3}]",
        ]
    )
    assert edge.campaign.last_day == 2 and edge.mobile.work_days == (1, 2)
    screening = edge.mobile.screening
    assert (screening.first_day, screening.every_days) == (2, 1)
    assert [r.every_days for r in screening.rules] == [1, 3]
    assert screening.rules[0].zones == (5,) and screening.rules[1].firms == ("E137",)
    longer = sim.load_config(
        overrides=[
            THREE,
            "campaign.days=14",
            "mobile.screening.first_day=14",
            "mobile.screening.every_days=null",
        ]
    )
    assert longer.campaign.last_day == 14 and longer.campaign.rounds_end_day == 12
    assert longer.mobile.screening.every_days is None
    # Days outside the campaign do not matter without teams.
    idle = sim.load_config(overrides=["mobile.teams=0", "mobile.work_days=[13]"])
    assert idle.mobile.teams == 0


@pytest.mark.usefixtures("simulating")
def test_a_longer_campaign_lets_the_teams_work_on_its_last_day() -> None:
    cfg = sim.load_config(
        overrides=["campaign.days=14", "mobile.work_days=[14]", "mobile.screening.every_days=1"]
    )
    assert cfg.campaign.last_day == 14
    r = mobile_teams.simulate_mobile_teams(cfg.mobile, cfg.campaign, RandomStreams(1))
    assert r is not None
    assert r.windows == ((13 * 1440.0 + 420.0, 13 * 1440.0 + 1140.0),)  # 07:00-19:00 of day 14
    days = np.unique((r.swab_time // 1440.0).astype(int))
    assert days.tolist() == [13]  # every swab on day 14
    assert r.visit_due_day.max() == 14
    assert r.visit_round[r.visit_due_day > 2].tolist() == [-1] * int(np.sum(r.visit_due_day > 2))


@pytest.mark.usefixtures("simulating")
def test_without_campaign_days_the_teams_stop_with_the_last_round() -> None:
    cfg = sim.load_config(overrides=[THREE, "mobile.screening.every_days=1"])
    r = mobile_teams.simulate_mobile_teams(cfg.mobile, cfg.campaign, RandomStreams(1))
    assert r is not None
    assert len(r.windows) == 12 and r.visit_due_day.max() == 12
    assert int(r.swab_time.max() // 1440.0) == 11


# ------------------------------------------------------------------------------ screening interval


def test_screening_interval_of_zero() -> None:
    err = only_error("mobile.screening.every_days=0")
    assert err.field == "mobile.screening.every_days"
    assert err.value == 0
    assert "from 1 to" in err.allowed and "null" in err.allowed


def test_screening_interval_of_zero_in_a_mapping() -> None:
    data = dataclasses.asdict(sim.load_config())
    data["mobile"]["screening"]["every_days"] = 0
    with pytest.raises(sim.ConfigError) as info:
        sim.build_config(data)
    assert [e.field for e in info.value.errors] == ["mobile.screening.every_days"]
    data["mobile"]["screening"]["every_days"] = 3
    assert sim.build_config(data).mobile.screening.every_days == 3


def test_rule_interval_of_zero() -> None:
    err = only_error("mobile.screening.rules=[{zones:[0],every_days:0}]")
    assert err.field == "mobile.screening.rules[0].every_days"
    assert err.value == 0


@pytest.mark.parametrize(
    ("override", "field", "value"),
    [
        ("mobile.screening.first_day=0", "mobile.screening.first_day", 0),
        ("mobile.screening.stagger=odd", "mobile.screening.stagger", "odd"),
        ("mobile.work_days=[0]", "mobile.work_days", [0]),
        ("mobile.work_days=[1,1]", "mobile.work_days", [1, 1]),
        ("mobile.work_days=[]", "mobile.work_days", []),
    ],
)
def test_other_schedule_fields(override: str, field: str, value: Any) -> None:
    err = only_error(override)
    assert err.field == field and err.value == value


# ------------------------------------------------------------------------------ campaign days


@pytest.mark.parametrize(("layout", "days"), [((), "1-2"), ((THREE,), "1-12")])
def test_work_day_after_the_campaign(layout: tuple[str, ...], days: str) -> None:
    err = only_error(*layout, "mobile.work_days=[13]")
    assert err.field == "mobile.work_days"
    assert err.value == [13]
    assert f"days of the campaign ({days}" in err.allowed
    assert "campaign.days" in err.allowed  # how to make it longer
    assert "mobile.work_days = [13]" in str(err)


def test_work_days_partly_after_the_campaign_name_the_days_outside() -> None:
    err = only_error(THREE, "mobile.work_days=[1,5,13,20]")
    assert err.field == "mobile.work_days" and err.value == [13, 20]


@pytest.mark.parametrize(("layout", "days", "end"), [((), 1, 2), ((THREE,), 10, 12)])
def test_campaign_shorter_than_its_last_round(layout: tuple[str, ...], days: int, end: int) -> None:
    err = only_error(*layout, f"campaign.days={days}")
    assert err.field == "campaign.days"
    assert err.value == days
    assert f"last round's end (day {end})" in err.allowed


def test_campaign_days_must_be_a_whole_number_of_days() -> None:
    assert config_error("campaign.days=0").field == "campaign.days"
    assert config_error("campaign.days=1000").field == "campaign.days"


@pytest.mark.parametrize(("layout", "first", "days"), [((), 3, "1-2"), ((THREE,), 13, "1-12")])
def test_first_screening_after_the_campaign(layout: tuple[str, ...], first: int, days: str) -> None:
    err = only_error(*layout, f"mobile.screening.first_day={first}")
    assert err.field == "mobile.screening.first_day"
    assert err.value == first
    assert days in err.allowed


# ------------------------------------------------------------------------------ screening rules


def test_rule_with_an_unknown_zone() -> None:
    err = only_error("mobile.screening.rules=[{zones:[2,7],every_days:1}]")
    assert err.field == "mobile.screening.rules[0].zones"
    assert err.value == [7]
    assert "0, 1, 2, 3, 4, 5" in err.allowed


def test_rule_with_an_unknown_firm() -> None:
    err = only_error(
        "mobile.screening.rules=[{zones:[1],every_days:1},{firms:[E001,E999],every_days:2}]"
    )
    assert err.field == "mobile.screening.rules[1].firms"
    assert err.value == ["E999"]
    assert "E001" in err.allowed and "E137" in err.allowed


def test_rule_with_an_unknown_firm_among_listed_enterprises() -> None:
    err = only_error(
        "mobile.generate=null",
        "mobile.enterprises=[{name:Mill,zone:0,workforce:50},{name:Dock,zone:3,workforce:20}]",
        "mobile.screening.rules=[{firms:[Mil],every_days:1}]",
    )
    assert err.field == "mobile.screening.rules[0].firms"
    assert err.value == ["Mil"]
    assert "Mill" in err.allowed and "Dock" in err.allowed


@pytest.mark.parametrize(
    "rule", ["{every_days:1}", "{zones:[],firms:[],every_days:1}", "{zones:[],every_days:null}"]
)
def test_rule_naming_neither_zones_nor_firms(rule: str) -> None:
    err = only_error(f"mobile.screening.rules=[{rule}]")
    assert err.field == "mobile.screening.rules[0].zones"
    assert err.value == []
    assert "at least one zone number or firm name" in err.allowed


# ------------------------------------------------------------------------------ lab rating


def test_lab_rated_beyond_its_machines() -> None:
    err = only_error("labs.mobile.people_per_day=20000")
    assert err.field == "labs[2].people_per_day"
    assert err.value == 20000
    message = str(err)
    assert "Mobile lab" in message
    assert "at most 15,040 people a day" in message  # the most it can reach
    assert "20000" in message


@pytest.mark.parametrize("rated", ["11250", "15040", "null"])
def test_lab_rating_within_its_machines_passes(rated: str) -> None:
    cfg = sim.load_config(overrides=[f"labs.mobile.people_per_day={rated}"])
    assert cfg.labs[2].name == "Mobile lab"
    assert cfg.labs[2].people_per_day == (None if rated == "null" else float(rated))


def test_lab_rating_is_at_its_own_pool_size() -> None:
    # The rating is stated at rated_pool_size-in-1 (10): the scenario's pooling leaves it valid.
    assert sim.load_config(overrides=["samples.pool_size=5"]).labs[2].people_per_day == 11250
    # rated at 5-in-1, the machines test half as many people: 7,520 a day
    err = only_error("labs.mobile.rated_pool_size=5")
    assert err.field == "labs[2].people_per_day"
    assert err.value == 11250
    assert "at most 7,520 people a day" in str(err) and "5-in-1" in str(err)
    cfg = sim.load_config(
        overrides=["labs.mobile.rated_pool_size=5", "labs.mobile.people_per_day=7500"]
    )
    assert cfg.labs[2].people_per_day == 7500


@pytest.mark.parametrize("rated", ["0", "-5"])
def test_lab_rating_must_be_positive(rated: str) -> None:
    err = only_error(f"labs.mobile.people_per_day={rated}")
    assert err.field == "labs[2].people_per_day"
    assert err.value == float(rated)
    assert "> 0" in err.allowed


# ------------------------------------------------------------------------------ all together


SEVERAL = (
    "mobile.screening.every_days=0",
    "mobile.work_days=[13]",
    "mobile.screening.rules=[{zones:[7],every_days:1},{firms:[E999],every_days:2},{every_days:1}]",
    "labs.mobile.people_per_day=20000",
)
SEVERAL_FIELDS = {
    "mobile.screening.every_days",
    "mobile.work_days",
    "mobile.screening.rules[0].zones",
    "mobile.screening.rules[1].firms",
    "mobile.screening.rules[2].zones",
    "labs[2].people_per_day",
}


def test_several_errors_are_reported_together() -> None:
    err = config_error(*SEVERAL)
    assert isinstance(err, sim.ConfigErrors)
    fields = [e.field for e in err.errors]
    assert set(fields) == SEVERAL_FIELDS and len(fields) == len(SEVERAL_FIELDS)
    message = str(err)
    assert message.startswith(f"invalid config: {len(SEVERAL_FIELDS)} errors:")
    for field in SEVERAL_FIELDS:
        assert f"  {field} = " in message


def test_several_campaign_errors_with_three_rounds() -> None:
    err = config_error(
        THREE,
        "mobile.work_days=[13]",
        "mobile.screening.first_day=13",
        "labs.mobile.people_per_day=0",
    )
    assert {e.field: e.value for e in err.errors} == {
        "mobile.work_days": [13],
        "mobile.screening.first_day": 13,
        "labs[2].people_per_day": 0.0,
    }


def test_cli_reports_every_error_before_running(tmp_path: Path) -> None:
    proc: subprocess.CompletedProcess[str] = sim_cli(
        tmp_path, *SEVERAL, "output.figures=false", timeout=300
    )
    assert proc.returncode == 2, (proc.returncode, proc.stderr[-2000:])
    assert "Traceback" not in proc.stderr
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert lines[0].startswith("error: invalid config: "), proc.stderr
    for field in SEVERAL_FIELDS:
        assert any(ln.startswith(f"  {field} = ") for ln in lines), (field, proc.stderr)
    assert not list(tmp_path.rglob("summary.json"))  # nothing was run

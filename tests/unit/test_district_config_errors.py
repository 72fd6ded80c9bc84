"""Bad district input stops before the run with an error naming the field.

Each case is checked twice: through :func:`sim.load_config` (a :class:`sim.ConfigError` whose
``field`` is the dotted path of the culprit) and through ``python -m sim`` (exit status 2, one
``error: invalid config: <field> ...`` line on stderr, no traceback, no run folder written).
A layout that merely cannot cope with the turnout is not an error: it runs and shows who is left
untested.
"""

from __future__ import annotations

import dataclasses
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

import sim
from sim.config.staffing import BreakConfig, ShiftConfig
from sim.model.records import OUTCOMES
from tests.cli_helpers import sim_cli

#: A custom swab roster for sites[2] (Jianning 3, a standard point with 4 booths).
LATE_SHIFT = "sites.2.staffing.swab.shifts=[{start:'22:00',end:'23:00',staff:null,breaks:[]}]"
ALL_ON_BREAK = (
    "sites.2.staffing.swab.shifts=[{start:'07:00',end:'21:00',staff:2,"
    "breaks:[{start:'07:00',end:'21:00',closed:2}]}]"
)

BAD_TYPE_SCENARIO = """\
# @package _global_
name: bad_type
sites:
  - {name: "North square", type: square, x_km: 0.0, y_km: 0.0}
  - {name: "North hall", type: mega, x_km: 1.0, y_km: 0.0}
subdistricts:
  - name: North
    population: 1000
    catchment: [{site: "North square", share: 0.5}, {site: "North hall", share: 0.5}]
"""


@dataclass(frozen=True)
class Case:
    overrides: tuple[str, ...]
    field: str  # the ConfigError's field (exact)
    mentions: tuple[str, ...] = ()  # words the message must contain


CASES: dict[str, Case] = {
    "catchment_not_summing_to_one": Case(
        ("subdistricts.0.catchment.0.share=0.9",),
        "subdistricts[0].catchment",
        ("sum to 1",),
    ),
    "catchment_naming_an_unknown_point": Case(
        ("subdistricts.0.catchment.0.site=Nowhere",),
        "subdistricts[0].catchment[0].site",
        ("Nowhere", "Jianning 1"),
    ),
    "only_shift_outside_opening_hours": Case(
        ("sites.2.staffing.swab.pattern=custom", LATE_SHIFT),
        "sites[2].staffing.swab.shifts[0]",
        ("22:00-23:00", "07:00-21:00"),
    ),
    "nobody_staffed_while_open": Case(
        (ALL_ON_BREAK,),
        "sites[2].staffing.swab",
        ("Jianning 3", "swab"),
    ),
    "round_with_no_days": Case(("campaign.round_days=0",), "campaign.round_days", (">= 1",)),
    "daily_shares_wrong_length": Case(
        ("demand.daily_shares=[1.0]",), "demand.daily_shares", ("2 values", "round_days")
    ),
    "daily_shares_not_summing_to_one": Case(
        ("demand.daily_shares=[0.5,0.4]",), "demand.daily_shares", ("sum to 1",)
    ),
    "daily_shares_for_a_longer_round": Case(
        ("campaign.round_days=3",), "demand.daily_shares", ("3 values",)
    ),
    "duplicate_point_names": Case(
        ("sites.1.name=Jianning 1",), "sites[1].name", ("Jianning 1", "no other point")
    ),
    "point_without_booths": Case(("sites.3.swab_booths=0",), "sites[3].swab_booths", (">= 1",)),
    "site_type_without_booths": Case(
        ("site_types.community.swab_booths=0",),
        "sites[3].swab_booths",  # Jianning 4, the first community point
        (">= 1",),
    ),
    "queue_board_without_candidates": Case(
        ("site_choice.candidates=0",), "site_choice.candidates", (">= 1",)
    ),
    "mobile_teams_negative_setup": Case(
        ("mobile.setup_min=-5",), "mobile.setup_min", ("-5", ">= 0")
    ),
    "queue_board_with_mixed_green_channels": Case(
        ("site_choice.rule=queue_board", "sites.0.green_channel.mode=none"),
        "site_choice.rule",
        ("green_channel.mode", "none", "priority"),
    ),
    "queue_board_with_dedicated_and_priority": Case(
        ("site_choice.rule=queue_board", "sites.7.green_channel.mode=dedicated"),
        "site_choice.rule",
        ("dedicated", "priority"),
    ),
}


@pytest.mark.parametrize("case", list(CASES.values()), ids=list(CASES))
def test_load_config_names_the_field(case: Case) -> None:
    with pytest.raises(sim.ConfigError) as info:
        sim.load_config(list(case.overrides))
    err = info.value
    assert err.field == case.field, str(err)  # the first of the config's errors
    message = str(err)
    assert re.search(rf"^(invalid config: |  ){re.escape(case.field)} = ", message, re.M), message
    for word in case.mentions:
        assert word in message, (word, message)


def test_a_queue_board_is_fine_when_every_point_has_the_same_mode() -> None:
    cfg = sim.load_config(["site_choice.rule=queue_board", "layout=no_green_channel"])
    assert {p.green_channel.mode for p in cfg.points} == {"none"}


def test_the_staffing_check_also_guards_sim_run() -> None:
    """A config changed in Python after load_config is checked again before it runs."""
    good = sim.load_config(["mobile.teams=0"])
    site = good.sites[2]
    roster = site.staffing.swab
    off = ShiftConfig(
        start="07:00", end="21:00", staff=2, breaks=(BreakConfig("07:00", "21:00", closed=2),)
    )
    bad_site = dataclasses.replace(
        site,
        staffing=dataclasses.replace(
            site.staffing, swab=dataclasses.replace(roster, shifts=(off,))
        ),
    )
    bad = dataclasses.replace(good, sites=(*good.sites[:2], bad_site, *good.sites[3:]))
    with pytest.raises(sim.ConfigError) as info:
        sim.run(bad, seed=1)
    assert info.value.field == "sites[2].staffing.swab"


# ----------------------------------------------------------------------------- site types


@pytest.fixture(scope="module")
def bad_type_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("bad_type")
    (root / "scenario").mkdir()
    (root / "scenario" / "bad_type.yaml").write_text(BAD_TYPE_SCENARIO)
    return root


def test_unknown_site_type_in_a_planners_file(bad_type_dir: Path) -> None:
    with pytest.raises(sim.ConfigError) as info:
        sim.load_config(["scenario=bad_type"], config_dir=bad_type_dir)
    err = info.value
    assert err.field == "sites[1].type"
    assert err.value == "mega"
    for name in ("square", "standard", "community"):
        assert name in err.allowed


def test_a_point_can_change_type_from_an_override() -> None:
    cfg = sim.load_config(["sites.0.type=community"])
    assert cfg.sites[0].name == "Jianning 1"
    assert cfg.sites[0].swab_booths == 2  # community size


def test_unknown_site_type_override_lists_the_types() -> None:
    with pytest.raises(sim.ConfigError) as info:
        sim.load_config(["sites.0.type=mega"])
    assert info.value.field in ("sites[0].type", "sites.0.type")
    assert "community" in info.value.allowed


# ----------------------------------------------------------------------------- command line


def _cli(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return sim_cli(cwd, *args, timeout=300)


def _assert_clean_error(proc: subprocess.CompletedProcess[str], cwd: Path, field: str) -> None:
    assert proc.returncode == 2, (proc.returncode, proc.stderr[-2000:])
    assert "Traceback" not in proc.stderr
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert lines and lines[0].startswith("error: invalid config: "), proc.stderr
    assert any(
        ln.startswith((f"error: invalid config: {field} = ", f"  {field} = ")) for ln in lines
    ), proc.stderr
    assert "Residents" not in proc.stdout  # nothing was simulated
    assert not list(cwd.rglob("summary.json"))


#: Checked from the command line in the quick suite; the others (~3 s each) are marked slow.
QUICK_CLI = ("catchment_not_summing_to_one", "nobody_staffed_while_open")
CLI_CASES = [
    pytest.param(case, id=name, marks=() if name in QUICK_CLI else pytest.mark.slow)
    for name, case in CASES.items()
]


@pytest.mark.parametrize("case", CLI_CASES)
def test_cli_reports_the_field_before_running(case: Case, tmp_path: Path) -> None:
    proc = _cli(tmp_path, *case.overrides, "mobile.teams=0", "output.figures=false")
    _assert_clean_error(proc, tmp_path, case.field)


def test_cli_reports_an_unknown_site_type_in_a_planners_file(
    bad_type_dir: Path, tmp_path: Path
) -> None:
    proc = _cli(tmp_path, "--config-dir", str(bad_type_dir), "scenario=bad_type")
    _assert_clean_error(proc, tmp_path, "sites[1].type")
    assert "community" in proc.stderr


def test_cli_reports_a_point_that_does_not_exist(tmp_path: Path) -> None:
    proc = _cli(tmp_path, "sites.45.swab_booths=3")
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.startswith("error: invalid config: sites"), proc.stderr


# ----------------------------------------------------------------------------- not an error


def test_a_layout_that_cannot_cope_runs_and_leaves_residents_untested() -> None:
    cfg = sim.load_config(
        [
            "mobile.teams=0",
            "site_types.community.swab_booths=1",
            "site_types.standard.swab_booths=1",
            "site_types.square.swab_booths=1",
        ]
    )
    assert all(p.swab_booths == 1 for p in cfg.points)
    s = sim.run(cfg, seed=1).summary()
    assert s["residents"] == 313_000
    assert sum(s[o] for o in OUTCOMES) == s["residents"]
    assert s["coverage"] < 0.9
    untested = s["residents"] - s["tested"]
    assert untested > 0
    assert s["not_served_by_close"] > 0
    assert s["balked"] + s["reneged"] + s["outside_hours"] + s["not_served_by_close"] == untested
    assert s["returns"] > 0  # people come back and still do not get through

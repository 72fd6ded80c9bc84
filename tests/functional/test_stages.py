"""Stages as data (``site.stages``): a point is an ordered list of stages.

The default (registration then swab) is checked against saved summaries by the regression test
(tests/regression); here: the same two stages listed explicitly give the same run, a point's own
stages (a health-code check, a vaccination clinic's injection and observation) pass residents
through in order with every resident accounted for, and a limited room after a stage holds its
residents at the desk (blocking) or is reported as overflowing (not blocking).
"""

from __future__ import annotations

import numpy as np
import pytest

import sim
from sim.config.errors import ConfigErrors
from sim.engine.streams import RandomStreams
from sim.model import records as rec
from sim.model.district import RoundSimulation

# One busy point whose booths run on one swabber of eight for three hours (12:00-15:00): the
# line behind the registration desks grows into the hundreds unless the room there is limited.
PAUSE = [
    "scenario=busy_point",
    "output.figures=false",
    "site.staffing.swab.shifts=[{start: '07:00', end: '21:00', staff: null, "
    "breaks: [{start: '12:00', end: '15:00', closed: 7}]}]",
]
ROOM = 30


def _round(overrides: list[str], seed: int = 3) -> tuple[RoundSimulation, rec.RoundRun]:
    cfg = sim.load_config(overrides)
    simulation = RoundSimulation(cfg, RandomStreams(seed, 0), 0)
    return simulation, simulation.run()


def _in_line_peak(entry: np.ndarray, exit_: np.ndarray) -> int:
    from sim.metrics.queues import longest

    return longest(entry, exit_)


def test_listing_the_built_in_stages_changes_nothing() -> None:
    plain = sim.run(sim.load_config(["scenario=busy_point"]), seed=2).summary()
    listed = sim.run(
        sim.load_config(
            ["scenario=busy_point", "+site.stages=[{name: registration}, {name: swab}]"]
        ),
        seed=2,
    ).summary()
    assert listed == plain


def _time_identity(simulation: RoundSimulation, run: rec.RoundRun) -> None:
    """For every tested resident: time at the point = waits + services, to the microsecond,
    and the stages come in order (each starts after the previous one ended)."""
    r = run.residents
    tested = r.outcome == rec.TESTED
    assert tested.sum() > 0
    service = np.zeros(r.n)
    for k in range(len(r.stages)):
        passed = np.isfinite(r.start[k])
        service += np.where(passed, simulation.service[k], 0.0)
    total = r.done - r.arrival
    np.testing.assert_allclose(total[tested], (r.wait + service)[tested], atol=1e-6)
    last_end = r.arrival.copy()
    for k in range(len(r.stages)):
        at = tested & np.isfinite(r.start[k])
        assert np.all(r.start[k][at] >= last_end[at] - 1e-9)
        last_end = np.where(np.isfinite(r.end[k]), r.end[k], last_end)


def test_a_full_room_blocks_the_desks_before_it() -> None:
    free_sim, free = _round(PAUSE)
    room_sim, limited = _round(
        [
            *PAUSE,
            f"+site.stages=[{{name: registration, space_after_m: {ROOM}, blocking: true}}, "
            "{name: swab}]",
        ]
    )
    from sim.metrics.lines import swab_line

    unlimited_peak = _in_line_peak(*swab_line(free.points[0]))
    limited_peak = _in_line_peak(*swab_line(limited.points[0]))
    assert unlimited_peak > 10 * ROOM  # hundreds held indoors without a limit
    assert limited_peak == ROOM  # filled, never more
    held = limited.residents.held[0]
    assert held.max() > 5.0  # residents waited at the desks, minutes
    assert (held > 0).sum() > 100
    assert np.all(held >= 0)
    # the entrance line takes what the room cannot: longer registration waits
    assert np.nanmean(limited.residents.reg_wait) > np.nanmean(free.residents.reg_wait)
    for simulation, run in ((free_sim, free), (room_sim, limited)):
        _time_identity(simulation, run)
        outcomes = np.bincount(run.residents.outcome, minlength=len(rec.OUTCOMES))
        assert outcomes.sum() == run.residents.n  # every resident ends with one outcome


def test_a_room_that_does_not_block_is_reported_as_overflowing() -> None:
    base = sim.run(sim.load_config(PAUSE), seed=4).summary()
    noted = sim.run(
        sim.load_config(
            [
                *PAUSE,
                f"+site.stages=[{{name: registration, space_after_m: {ROOM}}}, {{name: swab}}]",
            ]
        ),
        seed=4,
    ).summary()
    # the same run (nothing blocks), with the room's figures added
    assert {k: v for k, v in noted.items() if not k.startswith("space_")} == base
    assert noted["space_peak_registration"] == base["longest_swab_queue"] > ROOM
    assert noted["space_over_registration_min"] > 60.0


def test_health_code_check_layout_passes_residents_through_three_stages() -> None:
    overrides = ["layout=health_code_check", "demand.residents=null", "mobile.teams=0"]
    cfg = sim.load_config(overrides)
    assert cfg.stage_names == ("health_code_check", "registration", "swab")
    simulation, run = _round(overrides)
    _time_identity(simulation, run)
    r = run.residents
    tested = r.outcome == rec.TESTED
    k = r.stages.index("health_code_check")
    assert np.all(np.isfinite(r.start[k][tested]))
    # checkers are rostered and counted; the room before the booths holds 20 at most
    point = run.points[0]
    assert point.staffing is not None
    assert point.staffing.headcount()["checker"] == 2 * cfg.campaign.round_days  # person-shifts
    from sim.metrics.lines import swab_line

    assert max(_in_line_peak(*swab_line(p)) for p in run.points) <= 20


def test_points_with_and_without_an_own_stage_share_a_district() -> None:
    overrides = [
        "scenario=busy_point",
        "demand.residents=4000",
        "+sites=[{name: A, stages: [{name: screen, role: null, servers: 2, "
        "service_s: {kind: exponential, mean: 8}}, {name: registration}, {name: swab}]}, "
        "{name: B}]",
    ]
    simulation, run = _round(overrides)
    r = run.residents
    assert r.stages == ("screen", "registration", "swab")
    k = r.stages.index("screen")
    at_b = r.site == 1
    assert at_b.any() and np.all(np.isnan(r.start[k][at_b]))
    assert np.all(np.isfinite(r.start[k][(r.site == 0) & (r.outcome == rec.TESTED)]))
    _time_identity(simulation, run)
    frame = sim.run(sim.load_config(overrides), seed=3).residents
    for column in ("screen_start_min", "screen_end_min", "screen_wait_min", "screen_station"):
        assert column in frame.columns


def test_vaccination_clinic_observes_on_its_chairs_and_sends_no_samples() -> None:
    result = sim.run(sim.load_config(["scenario=vaccination_clinic"]), seed=1)
    run = result.rounds[0]
    r = run.residents
    assert r.stages == ("registration", "injection", "observation")
    k = r.stages.index("observation")
    served = np.isfinite(r.end[k])
    stay = (r.end[k] - r.start[k])[served]
    assert stay.min() >= 15.0 - 1e-9 and stay.max() <= 30.0 + 1e-9
    from sim.metrics.queues import longest

    assert longest(r.start[k][served], r.end[k][served]) <= 60  # chairs
    assert result.chain is not None and result.chain.n_swabs == 0
    s = result.summary()
    assert s["coverage"] > 0.95
    assert "stage_injection_wait_mean_min" in s and "utilisation_observation_places" in s
    assert s["staff_vaccinator"] == 8


@pytest.mark.parametrize(
    ("override", "field", "allowed"),
    [
        ("+site.stages=[]", "site.stages", "at least one stage"),
        (
            "+site.stages=[{name: check, role: chekcer, servers: 1, service_s: {kind: "
            "exponential, mean: 5}}, {name: registration}, {name: swab}]",
            "site.stages[0].role",
            "registration, swab",
        ),
        (
            "+site.stages=[{name: registration, space_after_m: -5}, {name: swab}]",
            "site.stages[0].space_after_m",
            "metres >= 0",
        ),
        (
            "+site.stages=[{name: registration}, {name: swab, space_after_m: 5}]",
            "site.stages[1].space_after_m",
            "nothing comes after the last stage",
        ),
        (
            "+site.stages=[{name: registration, blocking: true}, {name: swab}]",
            "site.stages[0].blocking",
            "space_after_m",
        ),
        (
            "+site.stages=[{name: registration, servers: 3}, {name: swab}]",
            "site.stages[0].servers",
            "takes it from the point",
        ),
        (
            "+site.stages=[{name: swab}, {name: swab}]",
            "site.stages[1].name",
            "no other stage",
        ),
        ("+site.stages=[{name: swab}]", "site.stages", "registration is true"),
        (
            "+site.stages=[{name: Check-In, role: null, servers: 1, service_s: {kind: "
            "exponential, mean: 5}}, {name: registration}, {name: swab}]",
            "site.stages[0].name",
            "snake_case",
        ),
        (
            "+site.stages=[{name: reg, role: null, servers: 1, service_s: {kind: "
            "exponential, mean: 5}}, {name: registration}, {name: swab}]",
            "site.stages[0].name",
            "other than reg",
        ),
        (
            "+site.stages=[{name: check, role: registration, servers: 0, service_s: {kind: "
            "exponential, mean: 5}}, {name: registration}, {name: swab}]",
            "site.stages[0].servers",
            ">= 1",
        ),
        (
            "+site.stages=[{name: check, role: null, servers: 1}, {name: registration}, "
            "{name: swab}]",
            "site.stages[0].service_s",
            "service-time distribution",
        ),
        (
            "+site.staffing.roles={swab: {pattern: opening_hours}}",
            "site.staffing.roles.swab",
            "other than",
        ),
    ],
)
def test_bad_stages_are_named_before_the_run(override: str, field: str, allowed: str) -> None:
    with pytest.raises(ConfigErrors) as info:
        sim.load_config(["scenario=busy_point", override])
    fields = {e.field: e.allowed for e in info.value.errors}
    assert field in fields, fields
    assert allowed in fields[field]


def test_unknown_role_suggests_the_closest() -> None:
    with pytest.raises(ConfigErrors) as info:
        sim.load_config(
            [
                "scenario=busy_point",
                "+site.staffing.roles={checker: {pattern: opening_hours}}",
                "+site.stages=[{name: check, role: chekcer, servers: 1, service_s: {kind: "
                "exponential, mean: 5}}, {name: registration}, {name: swab}]",
            ]
        )
    (err,) = [e for e in info.value.errors if e.field == "site.stages[0].role"]
    assert "checker" in err.allowed and "did you mean" in err.allowed.lower()


def test_points_must_agree_on_the_order_of_shared_stages() -> None:
    stage = "{name: check, role: null, servers: 1, service_s: {kind: exponential, mean: 5}}"
    with pytest.raises(ConfigErrors) as info:
        sim.load_config(
            [
                "scenario=busy_point",
                f"+sites=[{{name: A, stages: [{stage}, {{name: registration}}, {{name: swab}}]}}, "
                f"{{name: B, stages: [{{name: registration}}, {stage}, {{name: swab}}]}}]",
            ]
        )
    assert any(e.field == "sites" and "same order" in e.allowed for e in info.value.errors)


def test_every_error_of_a_stage_list_is_reported_together() -> None:
    with pytest.raises(ConfigErrors) as info:
        sim.load_config(
            [
                "scenario=busy_point",
                "+site.stages=[{name: check, role: nobody, servers: 0, service_s: {kind: "
                "exponential, mean: 5}, space_after_m: -1}, {name: registration}, {name: swab}]",
            ]
        )
    fields = {e.field for e in info.value.errors}
    assert {
        "site.stages[0].role",
        "site.stages[0].servers",
        "site.stages[0].space_after_m",
    } <= fields


def test_the_staffing_planner_refuses_a_point_of_its_own_stages() -> None:
    from sim.planning.plan import plan_staffing

    cfg = sim.load_config(["scenario=vaccination_clinic"])
    with pytest.raises(ValueError, match="registration and swab stages only") as info:
        plan_staffing(cfg, replications=2)
    assert "'Community clinic'" in str(info.value) and "injection" in str(info.value)


def test_layouts_with_different_stages_compare() -> None:
    plain = ["scenario=busy_point", "demand.residents=3000", "replications=2"]
    check = [
        *plain,
        "+site.staffing.roles={checker: {pattern: opening_hours}}",
        "+site.stages=[{name: check, role: checker, servers: 2, service_s: {kind: lognormal, "
        "mean: 12, cv: 0.5}}, {name: registration}, {name: swab}]",
    ]
    table = sim.compare([sim.load_config(plain), sim.load_config(check)])
    assert len(table) == 2
    # the same residents (common random numbers) wait in one more line: never less
    assert table["wait_mean_min"].iloc[1] > table["wait_mean_min"].iloc[0]
    assert table["coverage"].iloc[1] == table["coverage"].iloc[0]


def test_an_own_stage_reserves_servers_for_the_green_channel() -> None:
    overrides = [
        "scenario=busy_point",
        "demand.residents=3000",
        "site.green_channel.mode=dedicated",
        "+site.stages=[{name: check, role: null, servers: 3, dedicated_servers: 1, "
        "service_s: {kind: exponential, mean: 20}}, {name: registration}, {name: swab}]",
    ]
    result = sim.run(sim.load_config(overrides), seed=1)
    frame = result.residents
    tested = frame[frame["outcome"] == "tested"]
    green = tested[tested["lane"] == "green"]
    general = tested[tested["lane"] == "general"]
    # the reserved place serves the green lane (and the general one when idle); the general
    # places never serve the green lane
    assert set(green["check_station"]) <= {"check places (green channel)"}
    assert "check places" in set(general["check_station"])
    with pytest.raises(ConfigErrors) as info:
        sim.load_config(
            [*overrides[:-1], overrides[-1].replace("dedicated_servers: 1", "dedicated_servers: 3")]
        )
    assert any(e.field == "site.stages[0].dedicated_servers" for e in info.value.errors)


def test_an_own_stage_before_the_swab_without_registration() -> None:
    """registration: false with a check before the swab: the line between them is the swab
    line (its longest, and the room's peak, agree)."""
    cfg = sim.load_config(
        [
            "scenario=busy_point",
            "demand.residents=3000",
            "site.registration=false",
            "+site.staffing.roles={checker: {pattern: opening_hours}}",
            "+site.stages=[{name: check, role: checker, servers: 2, service_s: {kind: "
            "lognormal, mean: 40, cv: 0.5}, space_after_m: 3, blocking: true}, {name: swab}]",
            "site.swab_booths=1",
            "site.staffing.swab.pattern=opening_hours",
            "site.staffing.swab.shifts=[]",
        ]
    )
    s = sim.run(cfg, seed=1).summary()
    assert s["longest_swab_queue"] == s["space_peak_check"] == 3
    assert np.isnan(s["reg_wait_mean_min"]) and s["staff_checker"] == 2

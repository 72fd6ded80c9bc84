"""The staffing planner end to end on a real point: plan, rosters, verification."""

from __future__ import annotations

import numpy as np
import pytest

import sim
from sim.planning.isa import TargetUnreachable
from sim.planning.plan import StaffingPlan, plan_staffing, service_levels


@pytest.fixture(scope="module")
def busy() -> sim.ScenarioConfig:
    return sim.load_config(["scenario=busy_point"])


@pytest.fixture(scope="module")
def plan(busy: sim.ScenarioConfig) -> StaffingPlan:
    return plan_staffing(busy, replications=6, verify_replications=4, n_jobs=1)


def test_levels_come_from_the_targets(busy: sim.ScenarioConfig) -> None:
    levels = service_levels(busy)
    assert levels["wait_p95_min"] == 30.0
    assert levels["share_not_tested"] == pytest.approx(0.01)  # coverage >= 0.99
    with pytest.raises(ValueError, match="no target the staffing planner can plan for"):
        service_levels(sim.load_config(["scenario=busy_point", "targets=[]"]))


def test_the_roster_covers_every_hour_of_the_requirement(plan: StaffingPlan) -> None:
    table = plan.table()
    roles = set(table["role"])
    assert roles == {"registration", "swab"}
    days = plan.config.campaign.round_days
    assert len(table) == len(roles) * days * 14  # 07:00-21:00, hourly
    assert (table["rostered"] >= table["required"]).all()
    assert (table["required"] >= 1).all()
    # the requirement follows the demand: the busiest hours need the most swabbers
    swab = table[(table["role"] == "swab") & (table["day"] == 1)]
    busiest = swab.sort_values("arrivals").iloc[-3:]["required"].min()
    quietest = swab.sort_values("arrivals").iloc[:3]["required"].max()
    assert busiest > quietest


def test_the_planned_layout_runs_and_its_booths_match_the_roster(plan: StaffingPlan) -> None:
    site = plan.config.site
    rosters = plan.rosters[0]
    for role, count in (("swab", site.swab_booths), ("registration", site.registration_desks)):
        assert count == int(rosters[role].on_duty.max()) >= int(rosters[role].rostered.max())
    from sim.config.cautions import config_warnings

    assert config_warnings(plan.config) == ()  # no crew larger than its seats
    assert site.staffing.swab.pattern == "custom"
    r = sim.run(plan.config, seed=1)
    assert r.summary()["residents"] == sim.run(plan.current, seed=1).summary()["residents"]


def test_verified_plan_meets_the_wait_target_with_fewer_person_hours(plan: StaffingPlan) -> None:
    s = plan.summary()
    assert s["person_hours_planned"] < s["person_hours_current"]
    assert s["planned_wait_p95_min"] <= 30.0
    assert s["planned_wait_p95_min"] < s["current_wait_p95_min"]
    verdicts = {v.target.metric: v.verdict for v in plan.verdicts()["planned"]}
    assert verdicts["wait_p95_min"] == "met"
    # both layouts on the same random numbers (paired), kept compact (summary and tables)
    assert plan.verification is not None
    current, planned = plan.verification["current"], plan.verification["planned"]
    d = sim.paired_difference(current, planned, "wait_p95_min")
    assert d.high < 0, d
    for a, b in zip(current, planned, strict=True):
        assert (a.seed, a.replication) == (b.seed, b.replication)
        assert a.summary()["residents"] == b.summary()["residents"]
        with pytest.raises(ValueError, match="keep='residents'"):
            _ = b.residents


def test_same_seed_same_plan(busy: sim.ScenarioConfig, plan: StaffingPlan) -> None:
    again = plan_staffing(busy, replications=6, verify_replications=None, n_jobs=2)
    assert again.verification is None and again.planned_targets_met() is None
    for a, b in zip(plan.requirements, again.requirements, strict=True):
        for x, y in zip(a.staff, b.staff, strict=True):
            np.testing.assert_array_equal(x, y)
    assert again.person_hours()["planned"] == plan.person_hours()["planned"]


def test_an_impossible_level_is_named(busy: sim.ScenarioConfig) -> None:
    with pytest.raises(TargetUnreachable, match="Central square"):
        plan_staffing(busy, replications=2, levels={"wait_mean_min": 0.0}, verify_replications=0)


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"replications": 1}, "replications must be an integer >= 2"),
        ({"slot_min": 7}, "slot_min must divide a day"),
        ({"levels": {"coverage": 0.9}}, "levels must be among"),
    ],
)
def test_bad_options(busy: sim.ScenarioConfig, kwargs: dict, words: str) -> None:
    with pytest.raises(ValueError, match=words):
        plan_staffing(busy, verify_replications=0, **kwargs)


def test_shift_rules_shape_the_roster(busy: sim.ScenarioConfig, plan: StaffingPlan) -> None:
    from sim.planning.plan import ShiftRules

    eights = plan_staffing(
        busy,
        replications=6,
        verify_replications=0,
        n_jobs=1,
        shifts=ShiftRules(lengths_h=(8.0,), breaks=True),
    )
    for rosters in eights.rosters:
        for roster in rosters.values():
            assert {p.length for p, _ in roster.shifts} == {480.0}
            assert all(p.break_min == 30.0 for p, _ in roster.shifts)
    # the same requirement (the plan is made before the rosters), rostered less flexibly
    for a, b in zip(plan.requirements, eights.requirements, strict=True):
        for x, y in zip(a.staff, b.staff, strict=True):
            np.testing.assert_array_equal(x, y)
    assert eights.person_hours()["planned"] > plan.person_hours()["planned"]
    with pytest.raises(ValueError, match="max_staff = 0"):
        plan_staffing(busy, verify_replications=0, shifts=ShiftRules(max_staff=0))

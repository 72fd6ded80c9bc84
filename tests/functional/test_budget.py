"""A fixed budget of staff shared over points and hours (the staffing planner's budget mode)."""

from __future__ import annotations

import numpy as np
import pytest

import sim
from sim.planning.budget import BudgetPlan, BudgetTooSmall, allocate_budget
from sim.planning.isa import point_demands, point_slots, service_level, simulate_point

#: Four points of the default district (two squares, two community points).
FOUR = (
    "mobile.teams=0",
    "sites=[{name: A, type: square}, {name: B, type: square}, "
    "{name: C, type: community}, {name: D, type: community}]",
    "subdistricts=[{name: S, population: 30000, green_groups: null, barcode_share: null, "
    "groups: null, catchment: [{site: A, share: 0.4}, {site: B, share: 0.3}, "
    "{site: C, share: 0.2}, {site: D, share: 0.1}]}]",
)


@pytest.fixture(scope="module")
def four() -> sim.ScenarioConfig:
    return sim.load_config(list(FOUR))


@pytest.fixture(scope="module")
def plan(four: sim.ScenarioConfig) -> BudgetPlan:
    return allocate_budget(four, swabbers=14, registrars=30, replications=4, n_jobs=1)


def test_the_whole_budget_is_on_duty_in_every_hour(plan: BudgetPlan) -> None:
    hourly = plan.hourly()
    per_slot = hourly.groupby(["role", "slot_start_min"])["staff"].sum()
    assert (per_slot.loc["swab"] == 14).all()
    assert (per_slot.loc["registration"] == 30).all()
    assert (hourly["staff"] >= 1).all()


def test_busier_points_get_more_staff_and_the_worst_is_named(plan: BudgetPlan) -> None:
    table = plan.table().set_index("point")
    assert table.loc["A", "swab_peak"] >= table.loc["D", "swab_peak"]
    name, value = plan.worst
    assert value == table["wait_p95_min"].max() and table.loc[name, "wait_p95_min"] == value
    # one more swabber never makes a point worse, and helps where swabbing is the bottleneck
    assert (table["one_more_swab"] >= -1.0).all()
    assert table["one_more_swab"].max() > 0


def test_levels_are_those_of_the_allocated_staff(
    four: sim.ScenarioConfig, plan: BudgetPlan
) -> None:
    demands = point_demands(four, 4)
    for k, d in enumerate(demands):
        slots = point_slots(d)
        recs = [simulate_point(d, r, slots, plan.staff[k]) for r in range(d.replications)]
        assert service_level(recs, d.arrivals) == pytest.approx(plan.level[k])


def test_the_allocation_beats_the_same_people_spread_evenly(
    four: sim.ScenarioConfig, plan: BudgetPlan
) -> None:
    """The same 14 swabbers and 30 registrars, a fixed share per point all day (in proportion
    to the point types' booths): the allocation's worst p95 is lower."""
    demands = point_demands(four, 4)
    even_swab = {"A": 5, "B": 5, "C": 2, "D": 2}
    even_reg = {"A": 11, "B": 11, "C": 4, "D": 4}
    worst = 0.0
    for d in demands:
        slots = point_slots(d)
        staff = [
            np.full(slots.n, even_reg[d.name] if stage == "registration" else even_swab[d.name])
            for stage in d.stages
        ]
        recs = [simulate_point(d, r, slots, staff) for r in range(d.replications)]
        worst = max(worst, service_level(recs, d.arrivals)["wait_p95_min"])
    assert plan.worst[1] < worst


def test_a_budget_too_small_to_open_every_point_is_named(four: sim.ScenarioConfig) -> None:
    with pytest.raises(BudgetTooSmall, match=r"swab: 3 people cannot open the 4 points open at"):
        allocate_budget(four, swabbers=3, registrars=30, replications=2, greedy=False)
    with pytest.raises(ValueError, match="give a number of registrars"):
        allocate_budget(four, swabbers=10, replications=2)
    with pytest.raises(ValueError, match="swabbers must be a whole number of people"):
        allocate_budget(four, swabbers=7.5, registrars=10)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="objective must be one of"):
        allocate_budget(four, swabbers=10, registrars=10, objective="cheapest")

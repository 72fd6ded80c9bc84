"""The iterative staffing algorithm on a real point of the scenario (fast cases)."""

from __future__ import annotations

import numpy as np
import pytest

import sim
from sim.planning.isa import (
    TargetUnreachable,
    isa,
    plan_point_requirements,
    point_demands,
    point_slots,
    service_level,
    simulate_point,
)


@pytest.fixture(scope="module")
def busy_point() -> sim.ScenarioConfig:
    return sim.load_config(["scenario=busy_point"])


@pytest.fixture(scope="module")
def demand(busy_point: sim.ScenarioConfig) -> sim.planning.isa.PointDemand:
    return point_demands(busy_point, 6, seed=3)[0]


def test_demands_are_the_residents_sim_run_draws(busy_point: sim.ScenarioConfig) -> None:
    d = point_demands(busy_point, 2, seed=3)[0]
    for r in range(2):
        run = sim.run(busy_point, seed=3, replication=r)
        df = run.residents
        np.testing.assert_allclose(np.sort(d.arrivals[r]), np.sort(df["first_arrival_min"]))
        assert d.green[r].sum() == int((df["lane"] == "green").sum())


def test_slots_cover_each_day_from_opening_to_closing(demand: sim.planning.isa.PointDemand) -> None:
    slots = point_slots(demand)
    for d, (a, b) in enumerate(demand.serve_windows):
        mine = slots.starts[slots.day == d]
        assert mine[0] == a
        assert mine[-1] + slots.length_min >= b - demand.clearing_min
    assert (slots.hour >= 0).all() and (slots.hour < 24).all()


def test_isa_stops_and_more_waiting_allowed_needs_fewer_staff(
    demand: sim.planning.isa.PointDemand,
) -> None:
    slots = point_slots(demand)
    loose, _, stop1, _ = isa(demand, 0.5, slots)
    tight, _, stop2, recs = isa(demand, 0.05, slots)
    assert stop1 and stop2
    for a, b in zip(loose, tight, strict=True):
        assert a.sum() < b.sum()
        assert (a >= 1).all()
    # the returned records are the plan's: the same staffing simulated again gives them
    again = simulate_point(demand, 0, slots, tight)
    np.testing.assert_array_equal(again.outcome, recs[0].outcome)
    assert service_level(recs, demand.arrivals)["share_waited"] < 0.3


def test_plan_meets_the_wait_target_in_its_replications(
    demand: sim.planning.isa.PointDemand,
) -> None:
    plan = plan_point_requirements(
        demand, {"wait_p95_min": 20.0, "share_not_tested": 0.02, "share_balked": 0.001}
    )
    assert plan.level["wait_p95_min"] <= 20.0
    assert plan.level["share_not_tested"] <= 0.02
    assert plan.level["share_balked"] <= 0.001
    assert plan.simulated >= plan.replications
    # simulated again (same replications): the same levels
    recs = [simulate_point(demand, r, plan.slots, plan.staff) for r in range(6)]
    assert service_level(recs, demand.arrivals) == pytest.approx(plan.level)
    # a stricter target needs more staff-slots
    strict = plan_point_requirements(demand, {"wait_p95_min": 5.0})
    assert sum(s.sum() for s in strict.staff) > sum(s.sum() for s in plan.staff)


@pytest.mark.parametrize(
    ("targets", "words"),
    [
        ({"wait_mean_min": 0.0}, "wait_mean_min <= 0"),
        ({"share_waited": -0.1}, "share_waited"),
        ({"wait_p95_min": float("nan")}, "wait_p95_min"),
    ],
)
def test_impossible_targets_are_named(
    demand: sim.planning.isa.PointDemand, targets: dict[str, float], words: str
) -> None:
    with pytest.raises(TargetUnreachable, match=words) as info:
        plan_point_requirements(demand, targets)
    assert demand.name in str(info.value)


def test_unknown_service_level_is_refused(demand: sim.planning.isa.PointDemand) -> None:
    with pytest.raises(ValueError, match="service levels must be among"):
        plan_point_requirements(demand, {"coverage": 0.99})

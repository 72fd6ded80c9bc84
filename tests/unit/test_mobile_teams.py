"""Mobile sampling teams screening enterprises over the campaign: dispatch, working hours,
screening schedules, superseded screenings, backlog at the end, metrics.

Times are minutes after midnight of campaign day 1 (08:00 is 480; day 2's 08:00 is 1920, day
3's is 3360). Records are per screening (a firm due on a day); with a single due day per firm
(``screening.every_days`` null and one one-day round) screening ``v`` is firm ``v`` of the work
list.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import numpy as np
import pytest
import simpy

from sim.config.clock import Clock
from sim.config.errors import ConfigError
from sim.config.mobile import (
    EnterpriseConfig,
    GeneratedEnterprisesConfig,
    MobileTeamsConfig,
    ScreeningConfig,
    ScreeningRuleConfig,
)
from sim.config.schema import CampaignConfig, DistributionConfig
from sim.engine.streams import RandomStreams
from sim.metrics.mobile import mobile_summary, sampled_per_day, screening_table, team_table
from sim.model.mobile_teams import (
    NOT_REACHED,
    PARTIAL,
    SAMPLED,
    SUPERSEDED,
    VISIT_OUTCOMES,
    MobileRecords,
    MobileTeams,
    WorkCalendar,
    due_days,
    generate_enterprises,
    resolve_enterprises,
    simulate_mobile_teams,
    swab_completion,
)

DAY = 1440.0


def fixed_swab(seconds: float) -> DistributionConfig:
    return DistributionConfig(kind="deterministic", mean=seconds)


def ents(*spec: tuple[str, int, int]) -> tuple[EnterpriseConfig, ...]:
    return tuple(EnterpriseConfig(name=n, zone=z, workforce=w) for n, z, w in spec)


def config(**kw: Any) -> MobileTeamsConfig:
    base: dict[str, Any] = {
        "teams": 1,
        "swabbers_per_team": 2,
        "swab_time_s": fixed_swab(30.0),
        "setup_min": 15.0,
        "travel_same_zone_min": 10.0,
        "travel_other_zone_min": 30.0,
    }
    base.update(kw)
    cfg = MobileTeamsConfig(**base)
    cfg.validate()
    return cfg


def slow(**kw: Any) -> MobileTeamsConfig:
    """One swabber at 1 min a swab, 08:00-09:00 (60 working minutes a day), no travel/setup."""
    base: dict[str, Any] = {
        "swabbers_per_team": 1,
        "swab_time_s": fixed_swab(60.0),
        "setup_min": 0.0,
        "travel_same_zone_min": 0.0,
        "travel_other_zone_min": 0.0,
        "work_start": Clock("08:00"),
        "work_end": Clock("09:00"),
    }
    base.update(kw)
    return config(**base)


def every(
    days: int | None, stagger: str = "none", first_day: int = 1, **kw: Any
) -> ScreeningConfig:
    return ScreeningConfig(every_days=days, stagger=stagger, first_day=first_day, **kw)  # type: ignore[arg-type]


def campaign(
    days: int | None = 1, round_days: int = 1, start_days: tuple[int, ...] = (1,)
) -> CampaignConfig:
    camp = CampaignConfig(round_days=round_days, start_days=start_days, days=days)
    camp.validate()
    return camp


def run(cfg: MobileTeamsConfig, camp: CampaignConfig | None = None, seed: int = 1) -> MobileRecords:
    r = simulate_mobile_teams(cfg, camp if camp is not None else campaign(), RandomStreams(seed))
    assert r is not None
    return r


def by_name(r: MobileRecords, name: str) -> int:
    return int(np.flatnonzero(r.name == name)[0])


def visit(r: MobileRecords, name: str, day: int = 1) -> int:
    """The screening of firm ``name`` due on ``day``."""
    found = np.flatnonzero((r.visit_firm == by_name(r, name)) & (r.visit_due_day == day))
    assert found.size == 1, (name, day)
    return int(found[0])


def outcomes(r: MobileRecords) -> dict[tuple[str, int], str]:
    return {
        (str(r.name[f]), int(day)): VISIT_OUTCOMES[int(o)]
        for f, day, o in zip(r.visit_firm, r.visit_due_day, r.visit_outcome, strict=True)
    }


# --- hand-computed cases ------------------------------------------------------------------------


def test_hand_case_one_team_two_enterprises_in_one_zone() -> None:
    # Listed out of order: the work list is zone, then name, so A is visited before B.
    r = run(config(enterprises=ents(("B", 0, 5), ("A", 0, 10))))
    assert list(r.name) == ["A", "B"]
    assert list(r.visit_firm) == [0, 1] and list(r.visit_due_day) == [1, 1]
    a, b = visit(r, "A"), visit(r, "B")
    # From the base (other-zone travel 30) at 08:00: A set up 08:30-08:45; 10 employees round-robin
    # over 2 swabbers = 5 swabs of 0.5 min each -> 2.5 min.
    assert r.visit_start_min[a] == 510.0
    assert r.sampling_start_min[a] == 525.0
    assert r.visit_end_min[a] == 527.5
    # Same-zone travel 10, setup 15; 5 employees -> swabber 1 has 3 of them: 1.5 min (makespan,
    # not 5 * 0.5 / 2 = 1.25).
    assert r.visit_start_min[b] == 537.5
    assert r.sampling_start_min[b] == 552.5
    assert r.visit_end_min[b] == 554.0
    assert list(r.visit_team) == [1, 1]
    assert list(r.visit_sampled) == [10, 5] and list(r.visit_not_sampled) == [0, 0]
    assert list(r.visit_outcome) == [SAMPLED, SAMPLED]
    assert list(r.visit_round) == [0, 0]
    assert r.team_visits[0] == 2 and r.team_sampled[0] == 15
    assert r.team_busy_min[0] == pytest.approx(74.0)  # 08:00 -> 09:14
    assert r.team_travel_min[0] == pytest.approx(40.0)
    assert r.team_finish_min[0] == 554.0
    # Swabs: A's employees are 0-9, B's 10-14; swabber 0 of A swabs employees 0, 2, 4, ...
    assert r.swab_visit.tolist() == [a] * 10 + [b] * 5
    assert r.swab_employee.tolist() == list(range(15))
    assert r.swab_time[:4].tolist() == [525.5, 525.5, 526.0, 526.0]
    assert r.swab_time[10:].tolist() == [553.0, 553.0, 553.5, 553.5, 554.0]
    assert r.swab_team.tolist() == [0] * 15
    s = mobile_summary(r)
    assert s["mobile_employees"] == 15 and s["mobile_due"] == 15 and s["mobile_sampled"] == 15
    assert s["mobile_not_sampled"] == 0 and s["mobile_coverage"] == 1.0
    assert s["mobile_screenings"] == 2 and s["mobile_screenings_sampled"] == 2
    assert s["mobile_last_swab_min"] == 554.0
    assert s["mobile_last_swab_clock"] == "day 1 09:14"
    assert s["mobile_sampled_per_day_max"] == 15
    assert s["mobile_delay_mean_h"] == pytest.approx((527.5 + 554.0) / 2 / 60)
    assert s["mobile_team1_sampled"] == 15 and s["mobile_team1_visits"] == 2
    assert s["mobile_team1_busy_min"] == pytest.approx(74.0)
    assert s["mobile_team1_per_hour"] == pytest.approx(15 / (74 / 60))
    assert s["mobile_team1_utilisation"] == pytest.approx(74 / 600)
    assert s["round1_mobile_sampled"] == 15 and s["mobile_between_rounds_sampled"] == 0


def test_swab_completion_is_round_robin_makespan() -> None:
    done = swab_completion(np.array([1.0, 2.0, 3.0, 4.0, 5.0]), 2)
    # Swabber 0: employees 0, 2, 4 -> 1, 4, 9; swabber 1: employees 1, 3 -> 2, 6.
    assert list(done) == [1.0, 2.0, 4.0, 6.0, 9.0]
    assert list(swab_completion(np.array([2.0]), 4)) == [2.0]
    assert list(swab_completion(np.array([1.0, 1.0, 1.0]), 1)) == [1.0, 2.0, 3.0]


def test_team_prefers_its_zone_then_the_next_zone() -> None:
    cfg = config(
        setup_min=0.0,
        travel_same_zone_min=1.0,
        travel_other_zone_min=5.0,
        enterprises=ents(("Z2a", 2, 2), ("Z0a", 0, 2), ("Z1a", 1, 2), ("Z0b", 0, 2)),
    )
    r = run(cfg)
    order = [str(r.name[r.visit_firm[v]]) for v in np.argsort(r.visit_start_min)]
    assert order == ["Z0a", "Z0b", "Z1a", "Z2a"]
    # travel: base 5, same zone 1, other 5, other 5; each visit 0.5 min of sampling.
    assert r.team_travel_min[0] == pytest.approx(16.0)


def test_team_wraps_round_to_the_first_zone() -> None:
    # Two teams, zones 0 and 1: team 2 starts in zone 1, then wraps round to zone 0's backlog.
    cfg = config(
        teams=2,
        setup_min=0.0,
        enterprises=ents(("a", 0, 200), ("b", 0, 2), ("c", 0, 2), ("d", 1, 2)),
    )
    r = run(cfg)
    team_of = {str(r.name[f]): int(t) for f, t in zip(r.visit_firm, r.visit_team, strict=True)}
    # Team 1: a (50 min of sampling); team 2: d (0.5 min), then b and c in zone 0, the next
    # zone after its own.
    assert team_of == {"a": 1, "b": 2, "c": 2, "d": 2}
    assert r.visit_start_min[visit(r, "b")] == 480.0 + 30.0 + 0.5 + 30.0
    assert r.visit_start_min[visit(r, "c")] == 541.0 + 10.0


def test_teams_spread_over_zones_at_the_start() -> None:
    cfg = config(teams=2, enterprises=ents(("a", 0, 4), ("b", 0, 4), ("c", 1, 4), ("d", 1, 4)))
    r = run(cfg)
    team_of = {str(r.name[f]): int(t) for f, t in zip(r.visit_firm, r.visit_team, strict=True)}
    assert team_of == {"a": 1, "b": 1, "c": 2, "d": 2}
    # Three teams over six zones start in zones 0, 2 and 4.
    six = config(teams=3, enterprises=ents(*((f"z{z}", z, 4) for z in range(6))), setup_min=0.0)
    r = run(six)
    first = {
        int(t): str(r.name[r.visit_firm[v]])
        for v, t in enumerate(r.visit_team)
        if r.visit_start_min[v] == 510.0
    }
    assert first == {1: "z0", 2: "z2", 3: "z4"}


# --- working hours over days --------------------------------------------------------------------


def day_case(days: int, workforce: int = 90) -> MobileRecords:
    # One swabber, 1 min per swab, 60 working minutes a day (08:00-09:00), no travel or setup.
    return run(slow(enterprises=ents(("A", 0, workforce))), campaign(days=days))


def test_visit_past_work_end_pauses_and_resumes_next_day() -> None:
    r = day_case(days=2)
    assert r.visits == 1 and r.visit_due_day.tolist() == [1]  # once per round (one round)
    assert r.visit_start_min[0] == 480.0
    # 60 swabbed on day 1 (08:00-09:00), the other 30 from day 2's 08:00 (1920).
    assert r.visit_end_min[0] == 1950.0
    assert r.visit_sampled[0] == 90 and r.visit_not_sampled[0] == 0
    assert r.visit_outcome[0] == SAMPLED
    assert r.team_busy_min[0] == pytest.approx(90.0)
    assert r.windows == ((480.0, 540.0), (1920.0, 1980.0))
    assert r.working_min == 120.0
    assert sampled_per_day(r, 2).tolist() == [60, 30]


def test_campaign_end_leaves_backlog_partial() -> None:
    r = day_case(days=1)
    assert r.visit_sampled[0] == 60 and r.visit_not_sampled[0] == 30
    assert r.visit_outcome[0] == PARTIAL
    assert math.isnan(r.visit_end_min[0])
    assert r.team_finish_min[0] == 540.0
    assert r.swab_time.size == 60 and r.swab_time.max() == 540.0
    s = mobile_summary(r)
    assert s["mobile_not_sampled"] == 30 and s["mobile_coverage"] == pytest.approx(60 / 90)
    assert s["mobile_screenings_partial"] == 1 and s["mobile_screenings_sampled"] == 0
    assert math.isnan(s["mobile_delay_mean_h"])


def test_travel_and_setup_pause_overnight() -> None:
    # A: 08:00 + 30 travel + 15 setup + 10 swabs (1 swabber, 1 min) ends 08:55. Travel to B (10 min)
    # runs 08:55-09:00 and 08:00-08:05 of day 2, setup until 08:20, 3 swabs until 08:23.
    cfg = slow(
        setup_min=15.0,
        travel_same_zone_min=10.0,
        travel_other_zone_min=30.0,
        enterprises=ents(("A", 0, 10), ("B", 0, 3)),
    )
    r = run(cfg, campaign(days=2))
    b = visit(r, "B")
    assert r.visit_end_min[visit(r, "A")] == 535.0
    assert r.visit_start_min[b] == DAY + 485.0
    assert r.sampling_start_min[b] == DAY + 500.0
    assert r.visit_end_min[b] == DAY + 503.0
    assert r.team_busy_min[0] == pytest.approx(60.0 + 23.0)
    assert r.team_travel_min[0] == pytest.approx(30.0 + 10.0)


def test_setup_pausing_overnight() -> None:
    # A ends 08:55; B (same zone) needs 3 min of travel and 15 of setup: setup runs 08:58-09:00
    # and 08:00-08:13 of day 2.
    cfg = slow(
        setup_min=15.0,
        travel_same_zone_min=3.0,
        travel_other_zone_min=30.0,
        enterprises=ents(("A", 0, 10), ("B", 0, 3)),
    )
    r = run(cfg, campaign(days=2))
    b = visit(r, "B")
    assert r.visit_start_min[b] == 538.0
    assert r.sampling_start_min[b] == DAY + 493.0
    assert r.visit_end_min[b] == DAY + 496.0


def test_campaign_ending_on_the_road_leaves_screenings_not_reached() -> None:
    cfg = slow(
        setup_min=15.0,
        travel_same_zone_min=10.0,
        travel_other_zone_min=30.0,
        enterprises=ents(("A", 0, 10), ("B", 0, 3), ("C", 1, 7)),
    )
    r = run(cfg, campaign(days=1))
    for name in ("B", "C"):
        v = visit(r, name)
        assert r.visit_team[v] == 0 and math.isnan(r.visit_start_min[v])
        assert r.visit_outcome[v] == NOT_REACHED
        assert r.visit_sampled[v] == 0 and r.visit_not_sampled[v] == r.workforce[by_name(r, name)]
    assert r.team_busy_min[0] == pytest.approx(60.0)
    assert r.team_travel_min[0] == pytest.approx(35.0)
    assert r.team_finish_min[0] == 540.0
    s = mobile_summary(r)
    assert s["mobile_screenings_not_reached"] == 2 and s["mobile_screenings_sampled"] == 1


def test_campaign_ending_during_setup_is_partial_with_nothing_sampled() -> None:
    # A ends 08:55; B is 2 min away and needs 15 min of setup: the visit starts but no swab.
    cfg = slow(
        setup_min=15.0,
        travel_same_zone_min=2.0,
        travel_other_zone_min=30.0,
        enterprises=ents(("A", 0, 10), ("B", 0, 3)),
    )
    r = run(cfg, campaign(days=1))
    b = visit(r, "B")
    assert r.visit_outcome[b] == PARTIAL and r.visit_team[b] == 1
    assert r.visit_start_min[b] == 537.0
    assert math.isnan(r.sampling_start_min[b]) and math.isnan(r.visit_end_min[b])
    assert r.visit_sampled[b] == 0 and r.visit_not_sampled[b] == 3
    assert r.team_busy_min[0] == pytest.approx(60.0)


# --- work calendar ------------------------------------------------------------------------------


def test_work_calendar_on_consecutive_days() -> None:
    cal = WorkCalendar(480.0, 1080.0, [0, 1])
    assert cal.end == DAY + 1080.0
    assert cal.minutes_per_day == 600.0 and cal.total == 1200.0
    assert cal.windows() == [(480.0, 1080.0), (1920.0, 2520.0)]
    assert cal.next_open(0.0) == 480.0
    assert cal.next_open(500.0) == 500.0
    assert cal.next_open(1080.0) == 1920.0
    assert cal.next_open(cal.end) == math.inf
    assert cal.advance(1070.0, 20.0) == 1930.0
    assert cal.advance(1070.0, 10.0) == 1080.0
    assert cal.advance(1070.0, 0.0) == 1070.0
    assert cal.advance(500.0, 1200.0) == math.inf
    assert cal.advance(480.0, 1200.0) == cal.end
    assert cal.worked(0.0, 3000.0) == pytest.approx(1200.0)
    assert cal.worked(1000.0, 2000.0) == pytest.approx(160.0)
    assert cal.worked(2000.0, 1000.0) == 0.0


def test_work_calendar_with_non_contiguous_days() -> None:
    # Working days 1, 3 and 4 of the campaign (0-based 0, 2, 3); day 2 (1440-2880) is off.
    cal = WorkCalendar(480.0, 1080.0, (3, 0, 2))
    assert cal.days == (0, 2, 3)
    assert cal.windows() == [(480.0, 1080.0), (3360.0, 3960.0), (4800.0, 5400.0)]
    assert cal.end == 5400.0 and cal.total == 1800.0
    assert cal.next_open(1080.0) == 3360.0  # skips the day off
    assert cal.next_open(2000.0) == 3360.0
    assert cal.next_open(3960.0) == 4800.0
    assert cal.next_open(5400.0) == math.inf
    assert cal.advance(1070.0, 20.0) == 3370.0
    assert cal.advance(2000.0, 10.0) == 3370.0  # started on the day off
    assert cal.advance(1070.0, 610.0) == 3960.0
    assert cal.advance(1070.0, 611.0) == 4801.0
    assert cal.advance(480.0, 1800.0) == 5400.0
    assert cal.advance(480.0, 1800.5) == math.inf
    assert cal.worked(1000.0, 3400.0) == pytest.approx(80.0 + 40.0)
    assert cal.worked(1500.0, 3000.0) == 0.0
    assert cal.worked(0.0, 10_000.0) == pytest.approx(1800.0)


def test_work_calendar_night_shift() -> None:
    # 20:00-06:00 on days 1 and 2: the windows run past midnight.
    cal = WorkCalendar(1200.0, 1800.0, [0, 1])
    assert cal.windows() == [(1200.0, 1800.0), (2640.0, 3240.0)]
    assert cal.next_open(DAY) == DAY
    assert cal.advance(1700.0, 200.0) == 2740.0


def test_work_calendar_needs_a_day() -> None:
    with pytest.raises(ValueError, match="working day"):
        WorkCalendar(480.0, 1080.0, [])


def reference_advance(cal: WorkCalendar, t: float, work: float) -> float:
    """Step through the windows one by one."""
    if work <= 0:
        return t
    left = work
    for a, b in cal.windows():
        if b <= t:
            continue
        start = max(a, t)
        if start + left <= b + 1e-9:
            return start + left
        left -= b - start
    return math.inf


@pytest.mark.parametrize("days", [(0,), (0, 1), (0, 2, 3), (1, 4, 5, 9)])
def test_advance_many_matches_advance_and_a_reference(days: tuple[int, ...]) -> None:
    cal = WorkCalendar(420.0, 1140.0, days)
    rng = np.random.default_rng(len(days))
    work = np.concatenate([[0.0, 1.0, 720.0, cal.total], rng.uniform(0, cal.total * 1.1, 60)])
    starts = [0.0, 420.0, 1140.0, 1500.0, *rng.uniform(0, cal.end + DAY, 25).tolist()]
    for t in starts:
        many = cal.advance_many(t, work)
        one = np.array([cal.advance(t, w) for w in work])
        np.testing.assert_array_equal(many, one)
        ref = np.array([reference_advance(cal, t, w) for w in work])
        np.testing.assert_allclose(many, ref, rtol=0, atol=1e-6)
        # worked() inverts advance() where it finishes
        done = np.isfinite(many) & (work > 0)
        for w, at in zip(work[done], many[done], strict=True):
            assert cal.worked(t, at) == pytest.approx(w, abs=1e-6)


# --- screening schedules ------------------------------------------------------------------------


PARK = ents(("a0", 0, 3), ("b0", 0, 3), ("a1", 1, 3), ("a2", 2, 3), ("b2", 2, 3))


def schedule(
    screening: ScreeningConfig,
    camp: CampaignConfig,
    park: tuple[EnterpriseConfig, ...] = PARK,
) -> dict[str, list[int]]:
    cfg = config(enterprises=park, screening=screening)
    order = resolve_enterprises(cfg, RandomStreams(1))
    return {e.name: days for e, days in zip(order, due_days(cfg, camp, order), strict=True)}


def test_due_days_every_n_days_staggered_by_zone() -> None:
    got = schedule(every(3, "zone"), campaign(days=8))
    # zone z: days 1 + z mod 3, every 3 days, to day 8
    assert got == {
        "a0": [1, 4, 7],
        "b0": [1, 4, 7],
        "a1": [2, 5, 8],
        "a2": [3, 6],
        "b2": [3, 6],
    }
    got = schedule(every(2, "zone", first_day=2), campaign(days=6))
    assert got == {"a0": [2, 4, 6], "b0": [2, 4, 6], "a1": [3, 5], "a2": [2, 4, 6], "b2": [2, 4, 6]}


def test_due_days_every_n_days_staggered_by_firm() -> None:
    got = schedule(every(2, "firm"), campaign(days=5))
    # place in the work list (zone, name): a0, b0, a1, a2, b2
    assert got == {"a0": [1, 3, 5], "b0": [2, 4], "a1": [1, 3, 5], "a2": [2, 4], "b2": [1, 3, 5]}


def test_due_days_every_n_days_without_stagger() -> None:
    got = schedule(every(2, "none", first_day=2), campaign(days=7))
    assert set(map(tuple, got.values())) == {(2, 4, 6)}
    assert schedule(every(1), campaign(days=3))["a1"] == [1, 2, 3]


def test_due_days_stagger_by_zone_number_with_gaps_in_the_zones() -> None:
    # Zones 0, 2 and 3 (no zone 1): documented offsets 0 mod 2, 2 mod 2, 3 mod 2.
    park = ents(("A", 0, 3), ("B", 2, 3), ("C", 3, 3))
    got = schedule(every(2, "zone"), campaign(days=6), park)
    assert got == {"A": [1, 3, 5], "B": [1, 3, 5], "C": [2, 4, 6]}


def test_per_round_screening_is_due_on_each_rounds_start_day() -> None:
    three = campaign(days=None, round_days=4, start_days=(1, 5, 9))
    got = schedule(every(None), three)
    assert set(map(tuple, got.values())) == {(1, 5, 9)}
    # stagger and first_day only apply to every_days
    assert schedule(every(None, "firm", first_day=3), three)["b0"] == [1, 5, 9]
    # a campaign longer than its rounds: no extra screening after the last round
    assert schedule(every(None), campaign(days=14, round_days=4, start_days=(1, 5, 9)))["a0"] == [
        1,
        5,
        9,
    ]


def test_rules_override_by_zone_and_firm_first_rule_wins() -> None:
    rules = (
        ScreeningRuleConfig(firms=("b0",), every_days=3),
        ScreeningRuleConfig(zones=(0, 2), every_days=1),
        ScreeningRuleConfig(firms=("a2",), every_days=4),  # a2 is in zone 2: the rule above wins
    )
    got = schedule(every(2, "none", rules=rules), campaign(days=6))
    assert got == {
        "a0": [1, 2, 3, 4, 5, 6],
        "b0": [1, 4],
        "a1": [1, 3, 5],
        "a2": [1, 2, 3, 4, 5, 6],
        "b2": [1, 2, 3, 4, 5, 6],
    }
    # Rules in the other order: the zone rule now wins for b0.
    got = schedule(every(2, "none", rules=(rules[1], rules[0])), campaign(days=6))
    assert got["b0"] == [1, 2, 3, 4, 5, 6]
    # A rule once per round inside a campaign screened every day.
    per_round = (ScreeningRuleConfig(zones=(1,), every_days=None),)
    two_rounds = campaign(days=6, round_days=2, start_days=(1, 4))
    got = schedule(every(1, rules=per_round), two_rounds)
    assert got["a1"] == [1, 4] and got["a0"] == [1, 2, 3, 4, 5, 6]


def test_records_follow_the_due_days() -> None:
    cfg = config(
        teams=2,
        enterprises=PARK,
        screening=every(2, "zone", rules=(ScreeningRuleConfig(firms=("a1",), every_days=1),)),
    )
    camp = campaign(days=5)
    r = run(cfg, camp)
    due = due_days(cfg, camp, resolve_enterprises(cfg, RandomStreams(1)))
    for i in range(r.n):
        assert sorted(r.visit_due_day[r.visit_firm == i].tolist()) == due[i]
    assert r.visits == sum(len(x) for x in due)
    # screenings in order of due day, then work list (zone, name)
    keys = list(zip(r.visit_due_day.tolist(), r.visit_firm.tolist(), strict=True))
    assert keys == sorted(keys)
    # a screening starts no earlier than midnight of its due day
    started = np.isfinite(r.visit_start_min)
    assert np.all(r.visit_start_min[started] >= DAY * (r.visit_due_day[started] - 1))


def test_superseded_when_the_firm_comes_due_while_still_waiting() -> None:
    # One team, 60 working minutes a day (one swabber, 1 min a swab), three firms screened
    # daily for 2 days; A's 70 employees keep the team busy into day 2, so the work list backs
    # up. Day 1: A1 from 08:00, 60 swabbed by 09:00. Day 2: A1's last 10 by 08:10; A2, B2 and C2
    # came due at midnight while B1 and C1 still waited: B1 and C1 are superseded. A2 is
    # sampled 08:10-09:00 (50 of 70) when the campaign ends; B2 and C2 are not reached.
    cfg = slow(enterprises=ents(("A", 0, 70), ("B", 0, 5), ("C", 0, 5)), screening=every(1))
    r = run(cfg, campaign(days=2))
    assert outcomes(r) == {
        ("A", 1): "sampled",
        ("B", 1): "superseded",
        ("C", 1): "superseded",
        ("A", 2): "partial",
        ("B", 2): "not_reached",
        ("C", 2): "not_reached",
    }
    a1, a2, b1 = visit(r, "A", 1), visit(r, "A", 2), visit(r, "B", 1)
    assert (r.visit_start_min[a1], r.visit_end_min[a1]) == (480.0, DAY + 490.0)
    assert r.visit_start_min[a2] == DAY + 490.0 and math.isnan(r.visit_end_min[a2])
    assert (r.visit_sampled[a2], r.visit_not_sampled[a2]) == (50, 20)
    assert r.visit_team[b1] == 0 and math.isnan(r.visit_start_min[b1])
    assert r.visit_sampled[b1] == 0 and r.visit_not_sampled[b1] == 5
    assert r.team_visits[0] == 2 and r.team_busy_min[0] == pytest.approx(120.0)
    s = mobile_summary(r)
    assert s["mobile_screenings"] == 6
    assert s["mobile_screenings_sampled"] == 1 and s["mobile_screenings_partial"] == 1
    assert s["mobile_screenings_superseded"] == 2
    assert s["mobile_screenings_not_reached"] == 2
    assert s["mobile_due"] == 160 and s["mobile_sampled"] == 120
    assert s["mobile_not_sampled"] == 40
    assert s["mobile_team1_utilisation"] == pytest.approx(1.0)
    assert sampled_per_day(r, 2).tolist() == [60, 60]


def test_superseded_even_while_every_team_is_busy_to_the_end() -> None:
    # A (200 employees, once) keeps the only team busy to the end of day 3; B is due daily and
    # waits: B1 is still waiting when B2 comes due, B2 when B3 does.
    cfg = slow(
        enterprises=ents(("A", 0, 200), ("B", 0, 5)),
        screening=every(None, rules=(ScreeningRuleConfig(firms=("B",), every_days=1),)),
    )
    r = run(cfg, campaign(days=3))
    assert outcomes(r) == {
        ("A", 1): "partial",
        ("B", 1): "superseded",
        ("B", 2): "superseded",
        ("B", 3): "not_reached",
    }


def test_team_idles_until_the_next_screening_comes_due() -> None:
    # One firm every 2 days (days 1 and 3): after day 1 the team waits on site until day 3.
    cfg = config(enterprises=ents(("A", 0, 10)), screening=every(2))
    r = run(cfg, campaign(days=3))
    assert r.visit_due_day.tolist() == [1, 3]
    assert r.visit_outcome.tolist() == [SAMPLED, SAMPLED]
    # Day 1: base travel 30, setup 15, 2.5 min of sampling. Day 3: same-zone travel 10.
    assert r.visit_start_min.tolist() == [510.0, 2 * DAY + 490.0]
    assert r.visit_end_min.tolist() == [527.5, 2 * DAY + 507.5]
    assert r.team_busy_min[0] == pytest.approx(47.5 + 27.5)  # no busy minutes on day 2
    assert r.team_travel_min[0] == pytest.approx(40.0)
    assert sampled_per_day(r, 3).tolist() == [10, 0, 10]


def test_work_days_restrict_the_teams() -> None:
    # Teams work on days 1 and 3 only; B (every 2 days from day 2) is due on day 2, a day off,
    # and is picked up on day 3's morning.
    cfg = slow(
        enterprises=ents(("A", 0, 10), ("B", 0, 5)),
        work_days=(1, 3),
        screening=every(2, "firm"),
    )
    r = run(cfg, campaign(days=3))
    assert outcomes(r) == {("A", 1): "sampled", ("B", 2): "sampled", ("A", 3): "sampled"}
    assert r.windows == ((480.0, 540.0), (2 * DAY + 480.0, 2 * DAY + 540.0))
    day = (r.swab_time // DAY).astype(int)
    assert set(day.tolist()) == {0, 2}  # no swab on day 2
    assert r.visit_start_min[visit(r, "B", 2)] == 2 * DAY + 480.0
    assert r.visit_end_min[visit(r, "B", 2)] == 2 * DAY + 485.0
    assert r.visit_end_min[visit(r, "A", 3)] == 2 * DAY + 495.0
    assert sampled_per_day(r, 3).tolist() == [10, 0, 15]
    assert r.working_min == 120.0


def test_screening_taken_on_a_day_off_is_superseded_by_the_next_one() -> None:
    # Daily screening, work on days 1 and 3. The idle team takes A2 at midnight of day 2 (a day
    # off); A3 comes due at midnight of day 3, before A2's visit has started (08:00 of day 3).
    cfg = slow(enterprises=ents(("A", 0, 10)), work_days=(1, 3), screening=every(1))
    r = run(cfg, campaign(days=3))
    assert outcomes(r) == {("A", 1): "sampled", ("A", 2): "superseded", ("A", 3): "sampled"}


def test_screenings_between_rounds_have_round_minus_one() -> None:
    # Rounds on days 1 and 3 (one day each); the campaign runs to day 4.
    cfg = config(enterprises=ents(("A", 0, 4), ("B", 1, 6)), screening=every(1))
    camp = campaign(days=4, round_days=1, start_days=(1, 3))
    r = run(cfg, camp)
    assert [camp.round_of_day(d) for d in (1, 2, 3, 4)] == [0, -1, 1, -1]
    expected = {1: 0, 2: -1, 3: 1, 4: -1}
    assert r.visit_round.tolist() == [expected[d] for d in r.visit_due_day.tolist()]
    assert np.all(r.visit_outcome == SAMPLED)
    s = mobile_summary(r, rounds=2)
    assert s["round1_mobile_sampled"] == 10 and s["round2_mobile_sampled"] == 10
    assert s["mobile_between_rounds_sampled"] == 20
    table = screening_table(r)
    assert [row["round"] for row in table] == [1, 1, 0, 0, 2, 2, 0, 0]
    assert [row["due_day"] for row in table] == [1, 1, 2, 2, 3, 3, 4, 4]
    rows = team_table(r)
    assert [(row["round"], row["visits"], row["sampled"]) for row in rows] == [
        (0, 4, 20),
        (1, 2, 10),
        (2, 2, 10),
    ]


def test_teams_work_to_the_campaigns_last_day() -> None:
    # A 2-day round in a 5-day campaign: teams work on days 1-5.
    cfg = slow(enterprises=ents(("A", 0, 10)), screening=every(1))
    r = run(cfg, campaign(days=5, round_days=2, start_days=(1,)))
    assert len(r.windows) == 5 and r.windows[-1] == (4 * DAY + 480.0, 4 * DAY + 540.0)
    assert sampled_per_day(r, 5).tolist() == [10] * 5
    assert r.visit_round.tolist() == [0, 0, -1, -1, -1]


# --- tables -------------------------------------------------------------------------------------


def test_screening_table_has_one_row_per_screening() -> None:
    cfg = slow(enterprises=ents(("A", 0, 70), ("B", 0, 5), ("C", 0, 5)), screening=every(1))
    r = run(cfg, campaign(days=2))
    rows = screening_table(r)
    assert len(rows) == r.visits == 6
    assert [(row["enterprise"], row["due_day"]) for row in rows] == [
        (n, d) for d in (1, 2) for n in "ABC"
    ]
    first = rows[0]
    assert first["round"] == 1 and first["team"] == 1 and first["zone"] == 0
    assert first["visit_start_min"] == 480.0 and first["visit_end_min"] == DAY + 490.0
    assert first["visit_start"] == "day 1 08:00" and first["visit_end"] != ""
    assert first["employees"] == 70 and first["sampled"] == 70 and first["not_sampled"] == 0
    assert first["outcome"] == "sampled"
    b1 = rows[1]
    assert b1["outcome"] == "superseded" and b1["team"] == 0
    assert b1["visit_start"] == "" and math.isnan(b1["visit_start_min"])
    assert [row["outcome"] for row in rows[3:]] == ["partial", "not_reached", "not_reached"]
    assert rows[3]["visit_end"] == "" and rows[3]["sampled"] == 50
    assert sum(row["sampled"] for row in rows) == r.swab_time.size == 120
    assert sum(row["sampled"] + row["not_sampled"] for row in rows) == 160


# --- properties ---------------------------------------------------------------------------------


def random_case(rng: np.random.Generator) -> tuple[MobileTeamsConfig, CampaignConfig]:
    round_days = int(rng.integers(1, 4))
    starts = [1]
    for _ in range(int(rng.integers(0, 3))):
        starts.append(starts[-1] + round_days + int(rng.integers(0, 3)))
    end = starts[-1] + round_days - 1
    days = None if rng.random() < 0.3 else end + int(rng.integers(0, 4))
    camp = campaign(days=days, round_days=round_days, start_days=tuple(starts))
    last = camp.last_day
    if rng.random() < 0.2:  # a night shift
        start, stop = "20:00", f"{20 + int(rng.integers(2, 11))}:00"
    else:
        first = int(rng.integers(6, 10))
        start, stop = f"{first:02d}:00", f"{first + int(rng.integers(2, 12)):02d}:00"
    zones = int(rng.integers(1, 5))
    if rng.random() < 0.5:
        listed = ents(
            *(
                (f"x{i}", int(rng.integers(0, zones)), int(rng.integers(1, 400)))
                for i in range(int(rng.integers(1, 30)))
            )
        )
        source: dict[str, Any] = {"enterprises": listed}
        zone_set = sorted({e.zone for e in listed})
    else:
        count = int(rng.integers(6, 60))
        source = {
            "generate": GeneratedEnterprisesConfig(
                count=count, zones=min(zones, count), workforce_mean=120.0
            )
        }
        zone_set = list(range(min(zones, count)))
    interval = [None, 1, 2, 3][int(rng.integers(0, 4))]
    rules: tuple[ScreeningRuleConfig, ...] = ()
    if rng.random() < 0.5:
        rules = (
            ScreeningRuleConfig(
                zones=(int(rng.choice(zone_set)),), every_days=[None, 1, 2][int(rng.integers(0, 3))]
            ),
        )
    screening = ScreeningConfig(
        every_days=interval,
        stagger=["none", "zone", "firm"][int(rng.integers(0, 3))],  # type: ignore[arg-type]
        first_day=int(rng.integers(1, min(3, last) + 1)),
        rules=rules,
    )
    work_days = None
    if rng.random() < 0.5:
        k = int(rng.integers(1, last + 1))
        work_days = tuple(
            sorted(int(x) for x in rng.choice(np.arange(1, last + 1), k, replace=False))
        )
    swab = [
        DistributionConfig(kind="lognormal", mean=30.0, cv=0.3),
        DistributionConfig(kind="exponential", mean=40.0),
        DistributionConfig(kind="empirical", values=(0.0, 20.0, 45.0)),
    ][int(rng.integers(0, 3))]
    cfg = config(
        teams=int(rng.integers(1, 6)),
        swabbers_per_team=int(rng.integers(1, 6)),
        swab_time_s=swab,
        setup_min=float(rng.choice([0.0, 15.0, 45.0])),
        travel_same_zone_min=float(rng.choice([0.0, 10.0])),
        travel_other_zone_min=float(rng.choice([0.0, 30.0, 90.0])),
        work_start=Clock(start),
        work_end=Clock(stop),
        work_days=work_days,
        screening=screening,
        **source,
    )
    return cfg, camp


@pytest.mark.parametrize("seed", range(16))
def test_conservation_over_random_configs(seed: int) -> None:
    cfg, camp = random_case(np.random.default_rng(seed))
    r = run(cfg, camp, seed=seed)
    days = cfg.work_days if cfg.work_days is not None else range(1, camp.last_day + 1)
    cal = WorkCalendar(cfg.work_start_min, cfg.work_end_min, [x - 1 for x in days])
    assert r.windows == tuple(cal.windows())
    firms = resolve_enterprises(cfg, RandomStreams(seed))
    assert r.name.tolist() == [e.name for e in firms]
    due = due_days(cfg, camp, firms)
    assert r.visits == sum(len(x) for x in due)
    for i in range(r.n):
        assert sorted(r.visit_due_day[r.visit_firm == i].tolist()) == due[i]
    assert r.visit_round.tolist() == [camp.round_of_day(int(x)) for x in r.visit_due_day]

    # per screening: sampled + not sampled == workforce
    employees = r.workforce[r.visit_firm]
    assert np.all(r.visit_sampled + r.visit_not_sampled == employees)
    assert np.all((r.visit_sampled >= 0) & (r.visit_sampled <= employees))
    out = r.visit_outcome
    sampled, partial = out == SAMPLED, out == PARTIAL
    waiting = (out == SUPERSEDED) | (out == NOT_REACHED)
    assert np.all(sampled | partial | waiting)
    assert np.all(r.visit_sampled[sampled] == employees[sampled])
    assert np.all(r.visit_sampled[partial] < employees[partial])
    assert np.all(np.isfinite(r.visit_end_min[sampled]))
    assert np.all(np.isnan(r.visit_end_min[~sampled]))
    assert np.all(r.visit_team[waiting] == 0) and np.all(r.visit_sampled[waiting] == 0)
    assert np.all(np.isnan(r.visit_start_min[waiting]))
    visited = sampled | partial
    assert np.all(r.visit_team[visited] >= 1)
    assert np.all(np.isfinite(r.visit_start_min[visited]))
    # a superseded screening has a later one of the same firm
    for v in np.flatnonzero(out == SUPERSEDED):
        later = (r.visit_firm == r.visit_firm[v]) & (r.visit_due_day > r.visit_due_day[v])
        assert later.any()
    # visits start in working hours, no earlier than midnight of their due day
    for v in np.flatnonzero(visited):
        t = float(r.visit_start_min[v])
        assert cal.next_open(t) == t
        assert t >= DAY * (r.visit_due_day[v] - 1)
    assert np.all(r.visit_end_min[sampled] <= cal.end + 1e-9)
    assert np.all(r.visit_end_min[sampled] >= r.visit_start_min[sampled])

    # swabs
    assert r.swab_time.size == r.visit_sampled.sum()
    assert np.bincount(r.swab_visit, minlength=r.visits).tolist() == r.visit_sampled.tolist()
    windows = np.array(r.windows)
    w = np.searchsorted(windows[:, 0], r.swab_time, side="right") - 1
    assert np.all(w >= 0)
    assert np.all(r.swab_time <= windows[w, 1] + 1e-9)  # inside a working window
    assert np.all(r.swab_time >= r.sampling_start_min[r.swab_visit] - 1e-9)
    assert np.all(r.swab_team == r.visit_team[r.swab_visit] - 1)
    first_employee = np.concatenate([[0], np.cumsum(r.workforce)[:-1]])
    lo = first_employee[r.visit_firm[r.swab_visit]]
    assert np.all((r.swab_employee >= lo) & (r.swab_employee < lo + employees[r.swab_visit]))
    for v in np.flatnonzero(r.visit_sampled):
        mine = r.swab_employee[r.swab_visit == v]
        assert len(set(mine.tolist())) == mine.size  # nobody swabbed twice in a screening
        if sampled[v]:
            assert r.swab_time[r.swab_visit == v].max() == r.visit_end_min[v]
    assert sampled_per_day(r, camp.last_day).sum() == r.swab_time.size

    # per-team totals add up, and a team's visits do not overlap
    assert r.team_sampled.sum() == r.visit_sampled.sum()
    assert r.team_visits.sum() == np.count_nonzero(visited)
    assert np.all(r.team_busy_min <= r.working_min + 1e-6)
    assert np.all(r.team_travel_min <= r.team_busy_min + 1e-6)
    for k in range(1, cfg.teams + 1):
        mine = np.flatnonzero(r.visit_team == k)
        assert r.team_sampled[k - 1] == r.visit_sampled[mine].sum()
        mine = mine[np.argsort(r.visit_start_min[mine])]
        ends = np.where(sampled[mine], r.visit_end_min[mine], cal.end)
        assert np.all(ends[:-1] <= r.visit_start_min[mine][1:] + 1e-9)
        assert np.count_nonzero(partial[mine]) <= 1  # a team stops at its partial visit

    # the summary adds up
    rounds = len(camp.start_days)
    s = mobile_summary(r, rounds)
    assert s["mobile_due"] == s["mobile_sampled"] + s["mobile_not_sampled"]
    assert s["mobile_due"] == int(employees.sum())
    assert s["mobile_sampled"] == r.swab_time.size
    assert sum(s[f"mobile_screenings_{name}"] for name in VISIT_OUTCOMES) == s["mobile_screenings"]
    assert s["mobile_screenings"] == r.visits
    assert (
        sum(s[f"round{k + 1}_mobile_sampled"] for k in range(rounds))
        + s["mobile_between_rounds_sampled"]
        == s["mobile_sampled"]
    )
    assert sum(s[f"mobile_team{k + 1}_sampled"] for k in range(r.teams)) == s["mobile_sampled"]
    table = screening_table(r)
    assert len(table) == r.visits
    assert [row["outcome"] for row in table] == [VISIT_OUTCOMES[o] for o in out]
    assert sum(row["sampled"] for row in team_table(r)) == s["mobile_sampled"]


def park(teams: int, **kw: Any) -> MobileTeamsConfig:
    """The industrial park of the source event: 137 firms in 6 zones, default team settings."""
    cfg = MobileTeamsConfig(teams=teams, generate=GeneratedEnterprisesConfig(), **kw)
    cfg.validate()
    return cfg


def test_more_teams_never_sample_less_in_a_short_campaign() -> None:
    sampled = [mobile_summary(run(park(t)))["mobile_sampled"] for t in (1, 2, 4, 8)]
    assert sampled[0] < sampled[1] < sampled[2] <= sampled[3]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_more_teams_finish_earlier(seed: int) -> None:
    last = []
    for teams in (1, 2, 4, 8):
        r = run(park(teams), campaign(days=14), seed=seed)  # long enough for one team to finish
        s = mobile_summary(r)
        assert s["mobile_coverage"] == 1.0
        last.append(s["mobile_last_swab_min"])
    assert last == sorted(last, reverse=True) and len(set(last)) == 4


def test_generated_enterprises_count_zones_and_workforce() -> None:
    r = run(park(4), seed=5)
    assert r.n == 137
    assert sorted(set(r.zone.tolist())) == list(range(6))
    sizes = np.bincount(r.zone)
    assert sizes.max() - sizes.min() <= 1
    assert len(set(r.name.tolist())) == 137 and r.name[0] == "E001" and r.name[-1] == "E137"
    assert r.workforce.min() >= 1
    assert 100 < r.workforce.mean() < 200  # lognormal mean 150, CV 1
    # Work-list order: zone, then name; contiguous zones in generation order.
    keys = list(zip(r.zone.tolist(), r.name.tolist(), strict=True))
    assert keys == sorted(keys)
    assert r.name.tolist() == sorted(r.name.tolist())


def test_generate_enterprises_directly() -> None:
    same = generate_enterprises(
        GeneratedEnterprisesConfig(count=10, zones=3, workforce_mean=42.4, workforce_cv=0.0),
        np.random.default_rng(0),
    )
    assert [e.name for e in same] == [f"E{i:03d}" for i in range(1, 11)]
    assert [e.zone for e in same] == [0, 0, 0, 0, 1, 1, 1, 2, 2, 2]
    assert {e.workforce for e in same} == {42}
    many = generate_enterprises(
        GeneratedEnterprisesConfig(count=1200, zones=5), np.random.default_rng(1)
    )
    assert many[0].name == "E0001" and many[-1].name == "E1200"
    assert min(e.workforce for e in many) >= 1


def test_resolve_enterprises_lists_or_generates() -> None:
    listed = config(enterprises=ents(("b", 1, 3), ("z", 0, 3), ("a", 1, 3)))
    assert [e.name for e in resolve_enterprises(listed, RandomStreams(1))] == ["z", "a", "b"]
    gen = park(1)
    a, b = resolve_enterprises(gen, RandomStreams(3)), resolve_enterprises(gen, RandomStreams(3))
    assert a == b and len(a) == 137
    assert resolve_enterprises(MobileTeamsConfig(), RandomStreams(1)) == ()


def test_same_seed_same_records() -> None:
    cfg = park(4, screening=every(2, "zone"))
    camp = campaign(days=4)
    a, b = run(cfg, camp, seed=9), run(cfg, camp, seed=9)
    for f in dataclasses.fields(MobileRecords):
        x, y = getattr(a, f.name), getattr(b, f.name)
        if isinstance(x, np.ndarray):
            np.testing.assert_array_equal(x, y, err_msg=f.name)
        else:
            assert x == y, f.name
    assert not np.array_equal(a.workforce, run(cfg, camp, seed=10).workforce)


def test_common_random_numbers_across_team_counts() -> None:
    # The park and each screening's swab times do not depend on the number of teams: a
    # screening fully sampled in both runs takes the same working minutes of sampling.
    camp = campaign(days=3)
    a = run(park(4, screening=every(1)), camp, seed=9)
    b = run(park(2, screening=every(1)), camp, seed=9)
    np.testing.assert_array_equal(a.workforce, b.workforce)
    np.testing.assert_array_equal(a.visit_firm, b.visit_firm)
    cal = WorkCalendar(480.0, 1080.0, [0, 1, 2])
    both = np.flatnonzero((a.visit_outcome == SAMPLED) & (b.visit_outcome == SAMPLED))
    assert both.size > 50
    for v in both:
        assert cal.worked(a.sampling_start_min[v], a.visit_end_min[v]) == pytest.approx(
            cal.worked(b.sampling_start_min[v], b.visit_end_min[v])
        )


def test_runs_inside_a_shared_environment() -> None:
    env = simpy.Environment()
    cfg = config(enterprises=ents(("A", 0, 10), ("B", 0, 5)))
    teams = MobileTeams(env, cfg, campaign(), RandomStreams(1))
    assert len(teams.processes) == 1 and not teams.finished
    with pytest.raises(RuntimeError, match="still working"):
        teams.records()
    env.run(until=530.0)
    with pytest.raises(RuntimeError):
        teams.records()
    env.run()
    assert teams.finished
    assert teams.records().visit_end_min.tolist() == [527.5, 554.0]


def test_no_teams() -> None:
    cfg = MobileTeamsConfig(teams=0, enterprises=ents(("A", 0, 10)))
    assert simulate_mobile_teams(cfg, campaign(), RandomStreams(1)) is None
    env = simpy.Environment()
    teams = MobileTeams(env, cfg, campaign(days=2), RandomStreams(1))
    assert teams.processes == []
    env.run()
    r = teams.records()
    assert r.visit_not_sampled.tolist() == [10] and r.visit_team.tolist() == [0]
    assert r.visit_outcome.tolist() == [NOT_REACHED]
    s = mobile_summary(r)
    assert s["mobile_teams"] == 0 and s["mobile_coverage"] == 0.0
    assert s["mobile_screenings_not_reached"] == 1
    assert math.isnan(s["mobile_delay_mean_h"]) and s["mobile_last_swab_clock"] == ""


def test_teams_without_enterprises_record_nothing() -> None:
    env = simpy.Environment()
    teams = MobileTeams(env, MobileTeamsConfig(teams=2), campaign(), RandomStreams(1))
    env.run()
    r = teams.records()
    assert r.n == 0 and r.visits == 0 and r.swab_time.size == 0
    s = mobile_summary(r)
    assert s["mobile_due"] == 0 and math.isnan(s["mobile_coverage"])
    assert s["mobile_sampled_per_day_max"] == 0


# --- validation ---------------------------------------------------------------------------------


def error_field(cfg: MobileTeamsConfig) -> str:
    with pytest.raises(ConfigError) as info:
        cfg.validate()
    return info.value.field


@pytest.mark.parametrize(
    ("kw", "field"),
    [
        ({"teams": -1}, "teams"),
        ({"swabbers_per_team": 0}, "swabbers_per_team"),
        ({"setup_min": -1.0}, "setup_min"),
        ({"travel_same_zone_min": -5.0}, "travel_same_zone_min"),
        ({"travel_other_zone_min": math.inf}, "travel_other_zone_min"),
        ({"swab_time_s": DistributionConfig(kind="lognormal", mean=30.0)}, "swab_time_s.cv"),
        ({"work_end": Clock("08:00")}, "work_end"),
        ({"work_end": Clock("07:00")}, "work_end"),
        ({"work_end": Clock("33:00")}, "work_end"),
        ({"work_start": Clock("25:00"), "work_end": Clock("26:00")}, "work_start"),
        ({"work_start": Clock("8am")}, "work_start"),
        ({"work_days": (0, 2)}, "work_days"),
        ({"work_days": (2, 2)}, "work_days"),
        ({"work_days": ()}, "work_days"),
        ({"x_km": math.nan}, "x_km"),
        ({"screening": ScreeningConfig(every_days=0)}, "screening.every_days"),
        ({"screening": ScreeningConfig(first_day=0)}, "screening.first_day"),
        ({"screening": ScreeningConfig(stagger="odd")}, "screening.stagger"),  # type: ignore[arg-type]
        (
            {"screening": ScreeningConfig(rules=(ScreeningRuleConfig(every_days=1),))},
            "screening.rules[0].zones",
        ),
        (
            {"screening": ScreeningConfig(rules=(ScreeningRuleConfig(zones=(0,), every_days=0),))},
            "screening.rules[0].every_days",
        ),
        (
            {"screening": ScreeningConfig(rules=(ScreeningRuleConfig(zones=(4,), every_days=1),))},
            "screening.rules[0].zones",
        ),
        (
            {
                "screening": ScreeningConfig(
                    rules=(ScreeningRuleConfig(firms=("Z",), every_days=1),)
                )
            },
            "screening.rules[0].firms",
        ),
        ({"enterprises": ()}, "enterprises"),
        ({"generate": GeneratedEnterprisesConfig()}, "generate"),
        ({"enterprises": ents(("A", 0, 0))}, "enterprises[0].workforce"),
        ({"enterprises": ents(("A", 0, 3), ("B", -1, 3))}, "enterprises[1].zone"),
        ({"enterprises": ents(("", 0, 3))}, "enterprises[0].name"),
        ({"enterprises": ents(("A", 0, 3), ("B", 1, 3), ("A", 2, 3))}, "enterprises[2].name"),
        (
            {"enterprises": (), "generate": GeneratedEnterprisesConfig(count=0)},
            "generate.count",
        ),
        (
            {"enterprises": (), "generate": GeneratedEnterprisesConfig(count=5, zones=6)},
            "generate.zones",
        ),
        (
            {"enterprises": (), "generate": GeneratedEnterprisesConfig(workforce_mean=0.0)},
            "generate.workforce_mean",
        ),
        (
            {"enterprises": (), "generate": GeneratedEnterprisesConfig(workforce_cv=-1.0)},
            "generate.workforce_cv",
        ),
    ],
)
def test_validation_names_the_field(kw: dict[str, Any], field: str) -> None:
    base: dict[str, Any] = {"teams": 2, "enterprises": ents(("A", 0, 3))}
    base.update(kw)
    assert error_field(MobileTeamsConfig(**base)) == field


def test_valid_configs_pass() -> None:
    MobileTeamsConfig().validate()  # no teams: nothing required
    MobileTeamsConfig(teams=0, enterprises=ents(("A", 0, 3))).validate()
    MobileTeamsConfig(teams=4, generate=GeneratedEnterprisesConfig()).validate()
    MobileTeamsConfig(
        teams=1, work_start=Clock("20:00"), work_end=Clock("30:00"), enterprises=ents(("A", 0, 3))
    ).validate()
    rules = (
        ScreeningRuleConfig(zones=(5,), every_days=1),
        ScreeningRuleConfig(firms=("E137",), every_days=None),
    )
    MobileTeamsConfig(
        teams=4,
        generate=GeneratedEnterprisesConfig(),
        work_days=(3, 1),
        screening=ScreeningConfig(every_days=3, stagger="firm", first_day=2, rules=rules),
    ).validate()


def test_error_message_shows_value_and_allowed() -> None:
    with pytest.raises(ConfigError) as info:
        MobileTeamsConfig(teams=1, swabbers_per_team=0, enterprises=ents(("A", 0, 1))).validate()
    err = info.value
    assert err.value == 0 and "integer >= 1" in err.allowed
    assert "swabbers_per_team" in str(err)

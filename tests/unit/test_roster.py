"""Rosters from staff requirements (sim.planning.roster): patterns, the covering program,
breaks, PPE rests, hand-overs, limits, infeasible input and the config fragment.

Every expected roster below is worked out by hand; coverage is checked from the chosen shifts
(an independent minute-by-minute count, and the model's own capacity schedule), not from the
solver's claim.
"""

from __future__ import annotations

import dataclasses
import functools
import math
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import pytest
import yaml

import sim
from sim.config.build import check_config
from sim.config.errors import ConfigError
from sim.config.staffing import RoleRosterConfig
from sim.model.collection_point import plan_point
from sim.model.staffing import SWAB, role_schedule
from sim.planning.roster import (
    BreakRule,
    PpeRule,
    RosterError,
    RosterInfeasible,
    RosterPlan,
    RosterTimeLimit,
    ShiftPattern,
    cover,
    roster_mapping,
    roster_yaml,
    shift_patterns,
    slot_capacity,
    to_roster_config,
)

OPEN = 420.0  # 07:00
CLOSE = 1260.0  # 21:00


def serving_by_minute(
    shifts: Sequence[tuple[ShiftPattern, int]], handover_min: float, t0: float, t1: float
) -> np.ndarray:
    """People serving in each minute of [t0, t1), from the model's documented rules."""
    mid = np.arange(t0, t1) + 0.5
    total = np.zeros(len(mid), dtype=int)
    ends = {p.end % 1440 for p, _ in shifts}
    for p, n in shifts:
        serve_from = p.start + (handover_min if p.start % 1440 in ends else 0.0)
        level = np.full(len(mid), n)
        if p.ppe is not None:
            resting = math.ceil(n * p.ppe.rest_min / (p.ppe.max_hours * 60 + p.ppe.rest_min) - 1e-9)
            level[mid >= serve_from + p.ppe.max_hours * 60] -= resting
        if p.break_offset is not None:
            b0 = p.start + p.break_offset
            level[(mid >= b0) & (mid < b0 + p.break_min)] = 0
        on = (mid >= serve_from) & (mid < p.end)
        total += np.where(on, np.maximum(level, 0), 0)
    return total


def slot_min_serving(plan: RosterPlan) -> np.ndarray:
    """Fewest serving in each slot of the plan, counted minute by minute from its shifts."""
    end = plan.start_min + plan.n_slots * plan.slot_min
    minutes = serving_by_minute(plan.shifts, plan.handover_min, plan.start_min, end)
    return minutes.reshape(plan.n_slots, int(plan.slot_min)).min(axis=1)


def labels(plan: RosterPlan) -> list[tuple[str, int]]:
    return [(p.label, n) for p, n in plan.shifts]


# --- patterns --------------------------------------------------------------------------------


def test_shift_patterns_fit_the_opening_hours() -> None:
    pats = shift_patterns("07:00", "21:00", lengths_h=(8, 12))
    assert {(p.start, p.length) for p in pats} == {
        *((OPEN + 60 * k, 480.0) for k in range(7)),  # 07:00 .. 13:00
        *((OPEN + 60 * k, 720.0) for k in range(3)),  # 07:00 .. 09:00
    }
    assert all(p.start >= OPEN and p.end <= CLOSE for p in pats)
    half = shift_patterns(OPEN, CLOSE, lengths_h=(8,), start_step_min=30)
    assert [p.start for p in half] == [OPEN + 30 * k for k in range(13)]
    listed = shift_patterns(OPEN, CLOSE, lengths_h=(4, 8), starts=["07:00", "13:00", "17:00"])
    assert [p.label for p in listed] == [
        *("07:00-11:00", "13:00-17:00", "17:00-21:00"),  # 4 h
        *("07:00-15:00", "13:00-21:00"),  # 8 h
    ]


def test_break_rule_applies_to_long_shifts_with_each_offset() -> None:
    rule = BreakRule(length_min=30, after_min=240, over_min=360, latest_after_min=300)
    pats = shift_patterns(OPEN, CLOSE, lengths_h=(6, 8), starts=["07:00"], break_rule=rule)
    assert [p.label for p in pats] == [
        "07:00-13:00",  # 6 h: not over 6 h, no break
        "07:00-15:00 (break 11:00-11:30)",
        "07:00-15:00 (break 11:30-12:00)",
        "07:00-15:00 (break 12:00-12:30)",
    ]
    unpaid = ShiftPattern(OPEN, 480, 240, 30, break_paid=False)
    assert unpaid.paid_hours == 7.5
    assert ShiftPattern(OPEN, 480, 240, 30).paid_hours == 8.0


@pytest.mark.parametrize(
    "kwargs",
    [
        {"start": 420.5, "length": 480},
        {"start": 1440, "length": 60},
        {"start": 420, "length": 0},
        {"start": 420, "length": 480, "break_offset": 470, "break_min": 30},
        {"start": 420, "length": 480, "break_offset": 240, "break_min": 0},
    ],
)
def test_bad_patterns_are_refused(kwargs: dict[str, float]) -> None:
    with pytest.raises(ValueError, match=r"shift pattern|break"):
        ShiftPattern(**kwargs)  # type: ignore[arg-type]


def test_breaks_and_ppe_rests_reduce_a_patterns_coverage_where_they_should() -> None:
    # 07:00-15:00, break 11:00-11:30: the half-hour slot of the break has nobody
    p = ShiftPattern(OPEN, 480, 240, 30)
    cov = p.coverage(3, OPEN, 30, 18)
    assert list(cov) == [3] * 8 + [0] + [3] * 7 + [0, 0]  # nobody after 15:00
    # hourly slots: the break empties the whole 11:00-12:00 slot (fewest at any moment)
    assert list(p.coverage(3, OPEN, 60, 8)) == [3, 3, 3, 3, 0, 3, 3, 3]
    # PPE: 4 h in gear, 20 min rests (12 turns); 6 swabbers rest one at a time, from 2 h in
    # to 4 h in (07:00 + 2 h = 09:00 to 11:00) and again 4 h after each rest (13:20-15:00)
    ppe = ShiftPattern(OPEN, 480, ppe=PpeRule(4, 20))
    assert list(ppe.coverage(6, OPEN, 60, 8)) == [6, 6, 5, 5, 6, 6, 5, 5]
    assert PpeRule(4, 20).resting(6) == 1 and PpeRule(4, 20).resting(14) == 2
    assert PpeRule(4, 20).onset_min == 0.0 and PpeRule(4, 30).onset_min == 0.0
    assert PpeRule(4, 50).onset_min == 40.0  # 4 turns of 50 min fit in 240: from 40 min in
    # after a 10-min hand-over the shift opens late and its PPE clock starts late
    assert list(ppe.coverage(6, OPEN, 30, 16, late_min=10)) == (
        [0, 6, 6, 6, 5, 5, 5, 5, 5, 6, 6, 6, 6, 5, 5, 5]
    )
    # the model agrees (role_schedule on the shift as a roster)
    plan = cover([5] * 8, 60, OPEN, [ppe], compare_single=False)
    assert labels(plan) == [("07:00-15:00", 6)]
    assert list(plan.rostered) == [6, 6, 5, 5, 6, 6, 5, 5]


# --- the covering program ----------------------------------------------------------------


def test_flat_requirement_with_8h_shifts_has_the_obvious_optimum() -> None:
    # 14 opening hours, 3 serving, 8-h shifts: 3 must start at 07:00 and 3 end at 21:00
    plan = cover([3] * 14, 60, OPEN, shift_patterns(OPEN, CLOSE, lengths_h=(8,)))
    assert plan.status == "optimal"
    assert labels(plan) == [("07:00-15:00", 3), ("13:00-21:00", 3)]
    assert plan.person_hours == 48.0 and plan.people == 6
    assert list(slot_min_serving(plan)) == [3] * 6 + [6, 6] + [3] * 6
    assert list(plan.rostered) == list(slot_min_serving(plan))
    assert list(plan.on_duty) == [3] * 6 + [6, 6] + [3] * 6
    assert plan.slot_labels[0] == "07:00-08:00" and plan.slot_labels[-1] == "20:00-21:00"
    # with 6-h shifts too, 8 + 6 tile the day back to back
    mixed = cover([3] * 14, 60, OPEN, shift_patterns(OPEN, CLOSE, lengths_h=(6, 8)))
    assert mixed.person_hours == 42.0
    assert mixed.best_single_pattern is not None
    assert mixed.best_single_pattern.person_hours == 48.0
    assert mixed.best_single_pattern.lengths_h == (8.0,)
    assert mixed.hours_saved == 6.0


def test_the_roster_covers_a_varying_requirement_exactly_as_planned() -> None:
    req = np.array([2, 5, 6, 4, 3, 2, 2, 2, 3, 4, 6, 6, 4, 1])
    pats = shift_patterns(OPEN, CLOSE, lengths_h=(4, 6, 8), start_step_min=30)
    plan = cover(req, 60, OPEN, pats)
    counted = slot_min_serving(plan)
    assert np.all(counted >= req)
    assert np.array_equal(counted, plan.rostered)
    assert plan.person_hours == sum(p.paid_hours * n for p, n in plan.shifts)
    assert plan.best_single_pattern is not None
    assert plan.person_hours <= plan.best_single_pattern.person_hours
    assert plan.person_hours >= req.sum()  # a person-hour per needed serving hour at least


def test_staggered_breaks_cover_each_other() -> None:
    # 2 serving 07:00-15:00, 8-h shifts from 07:00 only, a 30-min break after 4 h or 4.5 h:
    # the crews on each break time must cover the other's break: 2 + 2 people
    rule = BreakRule(after_min=240, latest_after_min=270)
    pats = shift_patterns(OPEN, 900, lengths_h=(8,), starts=["07:00"], break_rule=rule)
    plan = cover([2] * 16, 30, OPEN, pats)
    assert labels(plan) == [
        ("07:00-15:00 (break 11:00-11:30)", 2),
        ("07:00-15:00 (break 11:30-12:00)", 2),
    ]
    assert list(plan.rostered) == [4] * 8 + [2, 2] + [4] * 6
    # one break time only: nobody serves during it
    one = shift_patterns(OPEN, 900, lengths_h=(8,), starts=["07:00"], break_rule=BreakRule())
    with pytest.raises(RosterInfeasible, match="on a break") as info:
        cover([2] * 16, 30, OPEN, one)
    assert info.value.span == "11:00-11:30" and info.value.slot == 8


def test_hourly_slots_with_half_hour_breaks_are_counted_exactly() -> None:
    # The program counts on a half-hour grid: two crews on different breaks within one hour
    # keep someone serving all through it.
    rule = BreakRule(after_min=240, latest_after_min=270)
    pats = shift_patterns(OPEN, 900, lengths_h=(8,), starts=["07:00"], break_rule=rule)
    plan = cover([1] * 8, 60, OPEN, pats)
    assert plan.people == 2 and plan.person_hours == 16.0
    assert list(plan.rostered) == [2, 2, 2, 2, 1, 2, 2, 2]


def test_ppe_rests_need_an_extra_swabber() -> None:
    pats = shift_patterns(OPEN, 900, lengths_h=(8,), starts=["07:00"], ppe=PpeRule(4, 20))
    plan = cover([5] * 8, 60, OPEN, pats)
    assert labels(plan) == [("07:00-15:00", 6)]  # one of 6 resting at a time
    assert list(plan.rostered) == [6, 6, 5, 5, 6, 6, 5, 5]
    assert to_roster_config(plan).ppe_max_hours == 4.0


def test_hand_overs_close_the_incoming_shift_for_its_first_slot() -> None:
    back_to_back = [ShiftPattern(OPEN, 480), ShiftPattern(900, 360)]  # 07-15, 15-21
    free = cover([2] * 14, 60, OPEN, back_to_back)
    assert labels(free) == [("07:00-15:00", 2), ("15:00-21:00", 2)]
    # with a 10-min hand-over the 15:00 shift opens at 15:10: 15:00-16:00 is short
    with pytest.raises(RosterInfeasible, match="hand-over") as info:
        cover([2] * 14, 60, OPEN, back_to_back, handover_min=10)
    assert info.value.span == "15:00-16:00" and info.value.required == 2
    # a shift overlapping the change covers it
    plan = cover([2] * 14, 60, OPEN, [*back_to_back, ShiftPattern(840, 420)], handover_min=10)
    assert labels(plan) == [("07:00-15:00", 2), ("14:00-21:00", 2)]
    assert plan.person_hours == 30.0
    assert np.all(slot_min_serving(plan) >= 2)
    assert np.array_equal(slot_min_serving(plan), plan.rostered)


def test_a_hand_over_is_kept_where_someone_staying_on_covers_it() -> None:
    # 15:00-16:00 needs only 1: the 15:00 shift may open late after the 07:00-15:00 shift's
    # hand-over, as long as one person of a 07:00-16:00 shift stays on through it.
    req = [2] * 8 + [1] + [2] * 5
    pats = [ShiftPattern(OPEN, 480), ShiftPattern(900, 360), ShiftPattern(OPEN, 540)]
    plan = cover(req, 60, OPEN, pats, handover_min=10)
    assert np.all(slot_min_serving(plan) >= req)
    # 07-16 x1 (covers 15-16 through the hand-over), 07-15 x1, 15-21 x2: 9 + 8 + 12
    assert plan.person_hours == 29.0
    assert labels(plan) == [("07:00-15:00", 1), ("07:00-16:00", 1), ("15:00-21:00", 2)]


def test_min_staff_keeps_someone_serving_while_open() -> None:
    req = [0, 0, 3, 3, 0, 0, 0, 0, 0, 0, 3, 3, 0, 0]
    pats = shift_patterns(OPEN, CLOSE, lengths_h=(4, 8))
    bare = cover(req, 60, OPEN, pats)
    assert bare.person_hours == 24.0  # two crews of 3 for 4 h
    plan = cover(req, 60, OPEN, pats, min_staff=1)
    assert list(plan.need) == [max(r, 1) for r in req]
    assert np.all(plan.rostered >= plan.need) and np.all(plan.rostered >= 1)
    assert plan.min_staff == 1


def test_max_staff_is_respected_or_named() -> None:
    pats = shift_patterns(OPEN, CLOSE, lengths_h=(8,))
    plan = cover([3] * 14, 60, OPEN, pats, max_staff=6)
    assert plan.on_duty.max() <= 6
    # 3 start at 07:00 and 3 end at 21:00, so 6 are on shift at once 13:00-15:00
    with pytest.raises(RosterInfeasible, match="max_staff=5"):
        cover([3] * 14, 60, OPEN, pats, max_staff=5)
    # with 6-h shifts a roster of 3 on duty at any time exists
    both = cover([3] * 14, 60, OPEN, shift_patterns(OPEN, CLOSE, lengths_h=(6, 8)), max_staff=3)
    assert both.on_duty.max() == 3 and both.person_hours == 42.0
    # max_staff counts people on a break too: 2 serving with staggered breaks needs 4
    rule = BreakRule(after_min=240, latest_after_min=270)
    brk = shift_patterns(OPEN, 900, lengths_h=(8,), starts=["07:00"], break_rule=rule)
    with pytest.raises(RosterInfeasible, match="together with the other slots with max_staff=3"):
        cover([2] * 8, 60, OPEN, brk, max_staff=3)
    assert cover([2] * 8, 60, OPEN, brk, max_staff=4).people == 4
    # PPE rests too: 5 on shift keep 1 resting after 11:00, so only 4 serve
    ppe = [ShiftPattern(OPEN, 480, ppe=PpeRule(4, 20))]
    with pytest.raises(RosterInfeasible, match="at most 4 can be serving then with max_staff=5"):
        cover([5] * 8, 60, OPEN, ppe, max_staff=5)


@pytest.mark.parametrize(
    ("kwargs", "span", "match"),
    [
        ({"max_staff": 4}, "10:00-11:00", "requirement 5 is more than max_staff=4"),
        ({"physical": 4}, "10:00-11:00", "site's 4 desks/booths"),
        ({"min_staff": 6, "max_staff": 5}, "07:00-08:00", "raised to min_staff=6"),
    ],
)
def test_a_slot_needing_more_than_allowed_is_named(
    kwargs: dict[str, int], span: str, match: str
) -> None:
    req = [2, 3, 4, 5, 3, 2, 2, 2, 2, 2, 2, 2, 2, 2]
    with pytest.raises(RosterInfeasible, match=match) as info:
        cover(req, 60, OPEN, shift_patterns(OPEN, CLOSE, lengths_h=(8,)), **kwargs)
    assert info.value.span == span
    assert isinstance(info.value, ValueError)
    assert span in str(info.value)


def test_patterns_that_cannot_reach_the_opening_hours_are_named() -> None:
    late = shift_patterns("08:00", CLOSE, lengths_h=(4, 8))
    with pytest.raises(RosterInfeasible, match=r"no allowed pattern starts by 07:00 \(earliest"):
        cover([1] * 14, 60, OPEN, late)
    early = shift_patterns(OPEN, "20:00", lengths_h=(4, 8))
    with pytest.raises(RosterInfeasible, match=r"runs until 21:00 \(latest end 20:00\)") as info:
        cover([1] * 14, 60, OPEN, early)
    assert info.value.span == "20:00-21:00" and info.value.slot == 13
    gap = [ShiftPattern(OPEN, 300), ShiftPattern(780, 480)]  # 07-12, 13-21
    with pytest.raises(RosterInfeasible, match="no allowed pattern is on shift"):
        cover([1] * 14, 60, OPEN, gap)
    # a slot needing nobody may stay unstaffed
    plan = cover([1] * 5 + [0] + [1] * 8, 60, OPEN, gap)
    assert plan.rostered[5] == 0


@pytest.mark.parametrize(
    ("args", "kwargs", "match"),
    [
        (([1, -1], 60, OPEN), {}, "whole numbers >= 0"),
        (([1, 1.5], 60, OPEN), {}, "whole numbers >= 0"),
        (([], 60, OPEN), {}, "non-empty"),
        (([1, 1], 0, OPEN), {}, "slot_min"),
        (([1, 1], 60, OPEN), {"handover_min": 480}, "handover_min"),
        (([1, 1], 60, OPEN), {"time_limit_s": 0}, "time_limit_s"),
        (([1, 1], 60, OPEN), {"max_staff": -1}, "max_staff"),
    ],
)
def test_bad_input_is_a_clear_error(
    args: tuple[list[float], float, float], kwargs: dict[str, float], match: str
) -> None:
    with pytest.raises(RosterError, match=match):
        cover(*args, [ShiftPattern(OPEN, 480)], **kwargs)  # type: ignore[arg-type]


def test_patterns_must_share_one_ppe_rule_and_fit_a_day() -> None:
    mixed = [ShiftPattern(OPEN, 480, ppe=PpeRule(4, 20)), ShiftPattern(OPEN, 480)]
    with pytest.raises(RosterError, match="different PPE rules"):
        cover([1] * 8, 60, OPEN, mixed)
    with pytest.raises(RosterError, match="more than 24 h"):
        cover([1] * 8, 60, OPEN, [ShiftPattern(0, 480), ShiftPattern(1380, 480)])
    with pytest.raises(RosterError, match="no shift patterns are allowed"):
        cover([1] * 8, 60, OPEN, [])
    with pytest.raises(ValueError, match="no shift of 16 h fits"):
        shift_patterns(OPEN, CLOSE, lengths_h=(16,))


def test_the_time_limit_ends_the_search_with_a_clear_error() -> None:
    pats = shift_patterns(
        OPEN,
        CLOSE,
        lengths_h=(4, 5, 6, 7, 8, 9, 10, 12),
        start_step_min=30,
        break_rule=BreakRule(after_min=180, latest_after_min=330),
        ppe=PpeRule(2, 20),
    )
    req = np.random.default_rng(5).integers(1, 30, 28)
    try:
        plan = cover(req, 30, OPEN, pats, handover_min=10, time_limit_s=1e-6)
    except RosterTimeLimit as err:  # what HiGHS does: no roster yet at the limit
        assert "time limit of 1e-06 s" in str(err)
    else:  # a roster found by then is returned, flagged as not proven cheapest
        assert plan.status == "time_limit" and "time limit" in plan.message


# --- the config fragment ----------------------------------------------------------------------


@functools.cache
def _swab_plan() -> RosterPlan:
    req = np.array([3, 6, 8, 7, 5, 4, 3, 3, 3, 4, 6, 8, 8, 6, 3, 1])[:14]
    pats = shift_patterns(
        OPEN,
        CLOSE,
        lengths_h=(4, 6, 8),
        break_rule=BreakRule(after_min=210, latest_after_min=270),
        ppe=PpeRule(4, 20),
    )
    return cover(req, 60, OPEN, pats, handover_min=10, min_staff=1, physical=8)


def test_to_roster_config_writes_a_valid_custom_roster() -> None:
    plan = _swab_plan()
    cfg = to_roster_config(plan)
    cfg.validate(physical=8)
    assert cfg.pattern == "custom" and cfg.handover_min == 10.0
    assert cfg.ppe_max_hours == 4.0 and cfg.ppe_rest_min == 20.0
    assert [(s.start, s.end, s.staff) for s in cfg.shifts] == [
        (p.label[:5], p.label[6:11], n) for p, n in plan.shifts
    ]
    for (p, n), s in zip(plan.shifts, cfg.shifts, strict=True):
        assert len(s.breaks) == (p.break_offset is not None)
        assert all(b.closed == n for b in s.breaks)
    # the model's capacity from the config covers every slot
    sched = role_schedule(SWAB, cfg, 8, [(OPEN, CLOSE)]).schedule
    assert np.all(slot_capacity(sched, OPEN, 60, 14) >= plan.need)
    with pytest.raises(RosterError, match="no shifts"):
        to_roster_config(cover([0] * 4, 60, OPEN, [ShiftPattern(OPEN, 240)]))


def test_roster_yaml_reads_back_as_the_same_roster() -> None:
    plan = _swab_plan()
    text = roster_yaml({"swab": plan})
    assert text.startswith(f"# swab: {plan.person_hours:g} person-hours")
    assert "'07:00'" in text  # clock times quoted
    data = yaml.safe_load(text)
    assert list(data) == ["staffing"] and list(data["staffing"]) == ["swab"]
    assert data["staffing"]["swab"] == yaml.safe_load(yaml.safe_dump(roster_mapping(plan)))
    assert data["staffing"]["swab"]["shifts"][0]["start"] == "07:00"
    with pytest.raises(RosterError, match="swab role only"):
        roster_yaml({"registration": plan})
    with pytest.raises(RosterError, match="role must be"):
        roster_yaml({"marshal": plan})
    # a roster config works too (e.g. the registrars' without PPE)
    reg = to_roster_config(cover([2] * 14, 60, OPEN, shift_patterns(OPEN, CLOSE, lengths_h=(8,))))
    assert (
        yaml.safe_load(roster_yaml({"registration": reg}))["staffing"]["registration"][
            "ppe_max_hours"
        ]
        is None
    )


def _covers(site: sim.config.schema.SiteConfig, plan: RosterPlan, days: int) -> None:
    point = plan_point(site, days)
    sched = point.staffing.swab.schedule
    for d in range(days):
        cap = slot_capacity(sched, plan.start_min + 1440 * d, plan.slot_min, plan.n_slots)
        assert np.all(cap >= plan.need), (d, cap, plan.need)


def test_the_planned_roster_in_a_site_config_covers_the_requirement(
    load_config: Callable[..., sim.ScenarioConfig],
) -> None:
    config = load_config("scenario=busy_point")
    plan = _swab_plan()
    site = config.site
    assert site.swab_booths == 8 and (site.open_min, site.close_min) == (OPEN, CLOSE)
    staffing = dataclasses.replace(site.staffing, swab=to_roster_config(plan))
    planned = dataclasses.replace(config, site=dataclasses.replace(site, staffing=staffing))
    check_config(planned)  # raises ConfigError if the fragment does not fit the site
    _covers(planned.site, plan, days=2)


def test_the_yaml_fragment_runs_as_is_from_a_config_folder(tmp_path: Path) -> None:
    plan = _swab_plan()
    fragment = roster_yaml({"swab": plan})
    layout = tmp_path / "layout"
    layout.mkdir()
    indented = "".join(f"  {line}\n" for line in fragment.splitlines())
    (layout / "planned.yaml").write_text(f"# @package _global_\nsite:\n{indented}")
    config = sim.load_config(["scenario=busy_point", "layout=planned"], config_dir=tmp_path)
    assert config.site.staffing.swab == to_roster_config(plan)
    assert isinstance(config.site.staffing.swab, RoleRosterConfig)
    _covers(config.site, plan, days=1)


def test_a_roster_over_the_sites_booths_is_refused_by_the_config() -> None:
    plan = cover([3] * 14, 60, OPEN, shift_patterns(OPEN, CLOSE, lengths_h=(8,)))
    cfg = to_roster_config(plan)
    bad = dataclasses.replace(cfg, shifts=(dataclasses.replace(cfg.shifts[0], start="25:00"),))
    with pytest.raises(ConfigError):
        bad.validate()

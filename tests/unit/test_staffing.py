"""Rosters by role: shift patterns over a multi-day round, hand-overs, breaks, PPE, headcount.

Every expected schedule below is worked out by hand. The round has two days, open 07:00-22:00
(clearing included): windows (420, 1320) on day 0 and (1860, 2760) on day 1.
"""

from __future__ import annotations

import itertools
import typing

import numpy as np
import pytest

from sim.config.errors import ConfigError
from sim.config.schema import BreakConfig, ShiftConfig
from sim.config.staffing import Clock, RoleRosterConfig, StaffingConfig
from sim.engine.schedule import CapacitySchedule
from sim.model.staffing import (
    MARSHAL,
    REGISTRATION,
    SWAB,
    ShiftInstance,
    headcount,
    ppe_resting,
    ppe_rests,
    role_schedule,
    site_staffing,
)

W = [(420.0, 1320.0), (1860.0, 2760.0)]


def steps(sched: CapacitySchedule) -> list[tuple[float, int]]:
    return list(zip(sched.times, sched.counts, strict=True))


def shift(start: str, end: str, staff: int | None = None, *breaks: BreakConfig) -> ShiftConfig:
    return ShiftConfig(Clock(start), Clock(end), staff, tuple(breaks))


def brk(start: str, end: str, closed: int = 1) -> BreakConfig:
    return BreakConfig(Clock(start), Clock(end), closed)


# --- patterns -----------------------------------------------------------------------------


def test_opening_hours_one_shift_per_window_all_desks() -> None:
    rs = role_schedule(REGISTRATION, RoleRosterConfig(), 4, W)
    assert steps(rs.schedule) == [(420, 4), (1320, 0), (1860, 4), (2760, 0)]
    assert rs.shifts == (
        ShiftInstance(REGISTRATION, 0, 420, 1320, 4),
        ShiftInstance(REGISTRATION, 1, 1860, 2760, 4),
    )
    assert rs.schedule.at(419.9) == 0 and rs.schedule.at(1500) == 0 and rs.schedule.at(3000) == 0


def test_staff_null_is_physical_and_staff_above_physical_is_capped() -> None:
    fewer = role_schedule(SWAB, RoleRosterConfig(staff=2), 4, W)
    assert steps(fewer.schedule) == [(420, 2), (1320, 0), (1860, 2), (2760, 0)]
    more = role_schedule(SWAB, RoleRosterConfig(staff=6), 4, W)
    assert steps(more.schedule) == [(420, 4), (1320, 0), (1860, 4), (2760, 0)]
    # the people are rostered all the same
    assert [s.staff for s in more.shifts] == [6, 6]
    assert headcount(more.shifts)[SWAB] == 12


def test_2x12_covers_the_windows_and_counts_four_person_shifts_per_swabber() -> None:
    rs = role_schedule(SWAB, RoleRosterConfig(pattern="2x12", staff=6), 6, W)
    # day 0: 07:00-19:00, 19:00-07:00; day 1: 07:00-19:00 (1860-2580), 19:00-07:00 (2580-3300)
    assert [(s.day, s.start, s.end) for s in rs.shifts] == [
        (0, 420, 1140),
        (0, 1140, 1860),
        (1, 1860, 2580),
        (1, 2580, 3300),
    ]
    assert steps(rs.schedule) == [(420, 6), (1320, 0), (1860, 6), (2760, 0)]
    assert headcount(rs.shifts) == {REGISTRATION: 0, SWAB: 24, MARSHAL: 0}


def test_3x8_keeps_only_shifts_that_overlap_a_window() -> None:
    cfg = RoleRosterConfig(pattern="3x8", first_start=Clock("06:00"))
    rs = role_schedule(REGISTRATION, cfg, 3, W)
    # day 0: 06-14, 14-22, 22-06 (1320-1800: no window); day 1: 06-14, 14-22, 22-06 (dropped)
    assert [(s.start, s.end) for s in rs.shifts] == [
        (360, 840),
        (840, 1320),
        (1800, 2280),
        (2280, 2760),
    ]
    assert steps(rs.schedule) == [(420, 3), (1320, 0), (1860, 3), (2760, 0)]
    assert headcount(rs.shifts)[REGISTRATION] == 12


def test_custom_shifts_repeat_daily_with_breaks_and_overlaps() -> None:
    cfg = RoleRosterConfig(
        pattern="custom",
        shifts=(
            shift("07:00", "15:00", 3, brk("11:00", "11:30")),
            shift("14:00", "22:00", None, brk("18:00", "19:00", closed=2)),
        ),
    )
    rs = role_schedule(SWAB, cfg, 4, W)
    # 07:00 3; 11:00-11:30 one on break; 14:00 3+4=7 capped at 4; 15:00 4; 18:00-19:00 4-2
    day0 = [(420, 3), (660, 2), (690, 3), (840, 4), (1080, 2), (1140, 4), (1320, 0)]
    day1 = [(t + 1440, c) for t, c in day0]
    assert steps(rs.schedule) == day0 + day1
    assert headcount(rs.shifts)[SWAB] == (3 + 4) * 2
    # overlapping shifts have no hand-over instant: a hand-over time changes nothing
    cfg_h = RoleRosterConfig(pattern="custom", shifts=cfg.shifts, handover_min=20)
    assert role_schedule(SWAB, cfg_h, 4, W).schedule == rs.schedule


def test_custom_staff_falls_back_to_roster_staff_then_physical() -> None:
    cfg = RoleRosterConfig(pattern="custom", staff=2, shifts=(shift("07:00", "22:00"),))
    rs = role_schedule(REGISTRATION, cfg, 5, W)
    assert steps(rs.schedule) == [(420, 2), (1320, 0), (1860, 2), (2760, 0)]


def test_custom_night_shift_crossing_midnight_equals_2x12() -> None:
    custom = RoleRosterConfig(
        pattern="custom", handover_min=15, shifts=(shift("07:00", "19:00"), shift("19:00", "31:00"))
    )
    fixed = RoleRosterConfig(pattern="2x12", handover_min=15)
    a = role_schedule(SWAB, custom, 5, W)
    b = role_schedule(SWAB, fixed, 5, W)
    assert a.schedule == b.schedule
    assert [(s.start, s.end) for s in a.shifts] == [(s.start, s.end) for s in b.shifts]


# --- hand-over ----------------------------------------------------------------------------


def test_handover_closes_the_role_after_each_change_including_across_midnight() -> None:
    cfg = RoleRosterConfig(pattern="2x12", staff=6, handover_min=15)
    rs = role_schedule(SWAB, cfg, 6, W)
    # changes at 19:00 (1140), 07:00 day 1 (1860, across midnight), 19:00 day 1 (2580);
    # none at 07:00 on day 0 (nobody hands over)
    assert steps(rs.schedule) == [
        (420, 6),
        (1140, 0),
        (1155, 6),
        (1320, 0),
        (1875, 6),
        (2580, 0),
        (2595, 6),
        (2760, 0),
    ]
    no_gap = role_schedule(SWAB, RoleRosterConfig(pattern="2x12", staff=6), 6, W)
    assert no_gap.schedule.server_minutes(-1e12, 1e12) == 6 * 2 * 900
    assert rs.schedule.server_minutes(-1e12, 1e12) == 6 * 2 * 900 - 6 * 15 * 3
    # shifts keep their nominal times
    assert rs.shifts[2].start == 1860


def test_handover_3x8_only_between_kept_shifts() -> None:
    cfg = RoleRosterConfig(pattern="3x8", first_start=Clock("06:00"), handover_min=10)
    rs = role_schedule(REGISTRATION, cfg, 3, W)
    # 14:00 changes (840, 2280) close 10 min; the 22:00-06:00 shifts were dropped
    assert steps(rs.schedule) == [
        (420, 3),
        (840, 0),
        (850, 3),
        (1320, 0),
        (1860, 3),
        (2280, 0),
        (2290, 3),
        (2760, 0),
    ]


def test_handover_back_to_back_custom_shifts() -> None:
    cfg = RoleRosterConfig(
        pattern="custom",
        staff=2,
        handover_min=30,
        shifts=(shift("07:00", "15:00"), shift("15:00", "23:00")),
    )
    rs = role_schedule(REGISTRATION, cfg, 2, W)
    day0 = [(420, 2), (900, 0), (930, 2), (1320, 0)]
    assert steps(rs.schedule) == day0 + [(t + 1440, c) for t, c in day0]


def test_opening_hours_handover_when_windows_touch() -> None:
    windows = [(0.0, 1440.0), (1440.0, 2880.0)]  # open round the clock
    cfg = RoleRosterConfig(staff=3, handover_min=30)
    rs = role_schedule(SWAB, cfg, 3, windows)
    assert steps(rs.schedule) == [(0, 3), (1440, 0), (1470, 3), (2880, 0)]


# --- PPE ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("staff", "hours", "rest", "resting"),
    [
        (6, 4, 30, 1),  # 8 turns of 30 min fit in 4 h: one at a time
        (9, 4, 30, 2),  # 9 people, 8 turns: two at a time
        (10, 2, 30, 3),  # 4 turns: ceil(10 / 4)
        (20, 4, 30, 3),  # 8 turns: ceil(20 / 8)
        (1, 4, 30, 1),  # a lone swabber must rest
        (4, 3, 20, 1),  # 9 turns
        (3, 0.25, 30, 3),  # a rest longer than the work: everyone at once
    ],
)
def test_ppe_resting_numbers(staff: int, hours: float, rest: float, resting: int) -> None:
    assert ppe_resting(staff, hours, rest) == resting


def _person_minutes(rests: list[tuple[float, float, int]]) -> float:
    return sum((b - a) * c for a, b, c in rests)


def test_ppe_rests_are_exact_to_the_minute_and_rotate() -> None:
    # 6 swabbers, 4 h in gear then 20 min, a 5-hour shift: each rests once -> 120 minutes
    # (the old rule removed 60); one at a time, the last rest ending 4 h in
    rests = ppe_rests(6, 0.0, 300.0, 240.0, 20.0)
    assert _person_minutes(rests) == 120
    assert [(a, b, c) for a, b, c in rests] == [(120 + 20 * k, 140 + 20 * k, 1) for k in range(6)]
    # a lone swabber rests 20 minutes, not the last hour of the shift
    assert ppe_rests(1, 0.0, 300.0, 240.0, 20.0) == [(220.0, 240.0, 1)]
    # a shift no longer than the limit has no rests
    assert ppe_rests(6, 0.0, 240.0, 240.0, 20.0) == []


@pytest.mark.parametrize("seed", range(40))
def test_nobody_works_longer_than_the_limit_and_rests_never_overlap_more_than_needed(
    seed: int,
) -> None:
    rng = np.random.default_rng(seed)
    staff = int(rng.integers(1, 30))
    max_min = float(rng.choice([60, 120, 180, 240]))
    rest = float(rng.choice([10, 15, 20, 30]))
    length = float(rng.integers(30, 14 * 60))
    start = float(rng.integers(0, 600))
    rests = ppe_rests(staff, start, start + length, max_min, rest)
    c = ppe_resting(staff, max_min / 60.0, rest)
    # at most c at once, and the rests of one time never overlap the next
    for (_a0, b0, _), (a1, _, _) in itertools.pairwise(rests):
        assert b0 <= a1 + 1e-9
    assert all(n <= c for _, _, n in rests)
    # every person (group) works at most max_min between rests, from the start to the end
    groups = sorted({(a - start) % (max_min + rest) for a, _, _ in rests})
    people = sum(n for a, _, n in rests if a - start < max_min)
    if length > max_min:
        assert people == staff  # everyone rests once in the first max_min
    for g in groups:
        mine = [(a, b) for a, b, _ in rests if abs((a - start) % (max_min + rest) - g) < 1e-6]
        worked_from = start
        for a, b in mine:
            assert a - worked_from <= max_min + 1e-6
            worked_from = b
        assert start + length - worked_from <= max_min + 1e-6


def test_ppe_reduces_swab_booths_by_each_rest() -> None:
    cfg = RoleRosterConfig(pattern="2x12", staff=6, ppe_max_hours=4, ppe_rest_min=30)
    rs = role_schedule(SWAB, cfg, 6, W)
    # day 0's day shift (07:00-19:00, window to 22:00): one booth closed during each rest,
    # the rests those of ppe_rests; the night shift starts at 19:00 and never passes 4 h
    # inside the window
    rests = ppe_rests(6, 420.0, 1140.0, 240.0, 30.0)
    lost = sum((6 - rs.schedule.at(t + 0.5)) for t in range(420, 1140))
    assert lost == _person_minutes(rests)
    assert min(rs.schedule.at(t + 0.5) for t in range(420, 1140)) == 5
    # PPE rests are for swabbers only
    reg = role_schedule(REGISTRATION, cfg, 6, W)
    assert steps(reg.schedule) == [(420, 6), (1320, 0), (1860, 6), (2760, 0)]


def test_ppe_clock_starts_after_the_handover() -> None:
    cfg = RoleRosterConfig(pattern="2x12", staff=6, handover_min=15, ppe_max_hours=4)
    rs = role_schedule(SWAB, cfg, 6, W)
    # day 1's day shift serves from 1875 (after the hand-over): its first rest at
    # 1875 + 240 - 6 * 30 = 1935; day 0's day shift starts on time: first rest at 480
    assert rs.schedule.at(1934) == 6 and rs.schedule.at(1935) == 5
    assert rs.schedule.at(479) == 6 and rs.schedule.at(480) == 5


def test_ppe_spare_staff_cover_the_rests() -> None:
    # 8 swabbers for 6 booths: one resting at a time, 7 serving, 6 booths stay open
    spare = role_schedule(SWAB, RoleRosterConfig(staff=8, ppe_max_hours=4), 6, W)
    assert steps(spare.schedule) == [(420, 6), (1320, 0), (1860, 6), (2760, 0)]


def test_ppe_and_break_never_go_below_zero() -> None:
    cfg = RoleRosterConfig(
        pattern="custom",
        ppe_max_hours=1,
        shifts=(shift("07:00", "22:00", 1, brk("08:00", "09:00")),),
    )
    rs = role_schedule(SWAB, cfg, 1, W)
    assert rs.schedule.at(420) == 1
    assert all(c >= 0 for c in rs.schedule.counts)
    assert rs.schedule.at(480) == 0 and rs.schedule.at(1000) == 0


# --- windows, rules at the edges ----------------------------------------------------------


def test_first_day_has_no_night_shift_from_the_day_before() -> None:
    windows = [(360.0, 1320.0), (1800.0, 2760.0)]  # open 06:00
    rs = role_schedule(SWAB, RoleRosterConfig(pattern="2x12", staff=2), 2, windows)
    assert rs.schedule.at(360) == 0 and rs.schedule.at(420) == 2  # day 0 waits for 07:00
    assert rs.schedule.at(1800) == 2  # day 1 06:00 is the night shift of day 0


def test_schedule_is_zero_outside_windows_and_at_most_physical() -> None:
    for cfg in (
        RoleRosterConfig(),
        RoleRosterConfig(pattern="2x12", staff=9, handover_min=5),
        RoleRosterConfig(pattern="3x8", first_start=Clock("00:00"), ppe_max_hours=2),
        RoleRosterConfig(pattern="custom", shifts=(shift("05:00", "29:00", 7),)),
    ):
        sched = role_schedule(SWAB, cfg, 5, W).schedule
        for t in range(0, 3400, 5):
            inside = any(a <= t < b for a, b in W)
            assert 0 <= sched.at(t) <= (5 if inside else 0), (cfg.pattern, t)


def test_bad_arguments_raise() -> None:
    with pytest.raises(ValueError, match="role"):
        role_schedule("marshal", RoleRosterConfig(), 4, W)  # marshals staff no desk
    with pytest.raises(ValueError, match="role"):
        role_schedule("", RoleRosterConfig(), 4, W)
    with pytest.raises(ValueError, match="window"):
        role_schedule(SWAB, RoleRosterConfig(), 4, [])
    with pytest.raises(ValueError, match="overlapping"):
        role_schedule(SWAB, RoleRosterConfig(), 4, [(420, 1320), (1300, 2000)])
    with pytest.raises(ValueError, match="end after"):
        role_schedule(SWAB, RoleRosterConfig(), 4, [(420, 420)])


# --- headcount ----------------------------------------------------------------------------


def test_site_staffing_headcount_with_marshals() -> None:
    cfg = StaffingConfig(
        registration=RoleRosterConfig(staff=3),
        swab=RoleRosterConfig(pattern="2x12", staff=6),
        marshals_per_shift=2,
    )
    site = site_staffing(cfg, W, swab_booths=6, registration_desks=4)
    assert site.registration is not None
    assert site.headcount() == {REGISTRATION: 6, SWAB: 24, MARSHAL: 8}
    assert [(m.start, m.end) for m in site.marshals] == [(s.start, s.end) for s in site.swab.shifts]
    no_reg = site_staffing(cfg, W, swab_booths=6)
    assert no_reg.registration is None
    assert no_reg.headcount()[REGISTRATION] == 0
    none = site_staffing(StaffingConfig(marshals_per_shift=0), W, swab_booths=2)
    assert none.marshals == () and none.headcount()[MARSHAL] == 0


def test_staffed_minutes_window() -> None:
    rs = role_schedule(SWAB, RoleRosterConfig(staff=3), 3, W)
    assert rs.schedule.server_minutes(-1e12, 1e12) == 3 * 900 * 2
    assert rs.schedule.server_minutes(0, 1440) == 3 * 900
    assert rs.schedule.server_minutes(1200, 1900) == 3 * (120 + 40)


# --- validation ---------------------------------------------------------------------------


def error(cfg: RoleRosterConfig | StaffingConfig, *physical: int) -> ConfigError:
    with pytest.raises(ConfigError) as info:
        cfg.validate(*physical)
    return info.value


def test_defaults_and_good_configs_validate() -> None:
    StaffingConfig().validate()
    StaffingConfig().validate(4, 4)
    RoleRosterConfig(pattern="2x12", handover_min=719, ppe_max_hours=4).validate()
    RoleRosterConfig(
        pattern="custom", shifts=(shift("22:00", "30:00", 2, brk("26:00", "26:30", 2)),)
    ).validate()


@pytest.mark.parametrize(
    ("cfg", "field"),
    [
        (RoleRosterConfig(ppe_max_hours=-1), "ppe_max_hours"),
        (RoleRosterConfig(ppe_max_hours=float("inf")), "ppe_max_hours"),
        (RoleRosterConfig(ppe_rest_min=0), "ppe_rest_min"),
        (RoleRosterConfig(staff=0), "staff"),
        (RoleRosterConfig(pattern="custom"), "shifts"),
        (RoleRosterConfig(pattern="2x12", shifts=(shift("07:00", "19:00"),)), "shifts"),
        (RoleRosterConfig(handover_min=-5), "handover_min"),
        (RoleRosterConfig(pattern="2x12", handover_min=720), "handover_min"),
        (RoleRosterConfig(pattern="3x8", handover_min=480), "handover_min"),
        (
            RoleRosterConfig(
                pattern="custom",
                handover_min=60,
                shifts=(shift("07:00", "15:00"), shift("15:00", "16:00")),
            ),
            "handover_min",
        ),
        (RoleRosterConfig(first_start=Clock("25:00")), "first_start"),
        (RoleRosterConfig(first_start=Clock("7am")), "first_start"),
        (RoleRosterConfig(pattern="custom", shifts=(shift("15:00", "07:00"),)), "shifts[0].end"),
        (RoleRosterConfig(pattern="custom", shifts=(shift("07:00", "32:00"),)), "shifts[0].end"),
        (RoleRosterConfig(pattern="custom", shifts=(shift("24:30", "30:00"),)), "shifts[0].start"),
        (
            RoleRosterConfig(
                pattern="custom", shifts=(shift("07:00", "15:00", 2, brk("16:00", "17:00")),)
            ),
            "shifts[0].breaks[0]",
        ),
        (
            RoleRosterConfig(
                pattern="custom", shifts=(shift("07:00", "15:00", 2, brk("09:00", "10:00", 3)),)
            ),
            "shifts[0].breaks[0].closed",
        ),
    ],
)
def test_roster_errors_name_the_field(cfg: RoleRosterConfig, field: str) -> None:
    err = error(cfg)
    assert err.field == field
    assert err.allowed in str(err)


def test_staffing_errors_are_prefixed_by_role() -> None:
    assert error(StaffingConfig(swab=RoleRosterConfig(ppe_max_hours=-1))).field == (
        "swab.ppe_max_hours"
    )
    assert error(StaffingConfig(registration=RoleRosterConfig(pattern="custom"))).field == (
        "registration.shifts"
    )
    assert error(StaffingConfig(marshals_per_shift=-1)).field == "marshals_per_shift"
    assert error(StaffingConfig(registration=RoleRosterConfig(ppe_max_hours=4))).field == (
        "registration.ppe_max_hours"
    )
    # a staff-null custom shift's break is checked against the site's booths when given
    custom = RoleRosterConfig(
        pattern="custom", shifts=(shift("07:00", "15:00", None, brk("09:00", "10:00", 3)),)
    )
    StaffingConfig(swab=custom).validate()
    assert error(StaffingConfig(swab=custom), 4, 2).field == "swab.shifts[0].breaks[0].closed"
    StaffingConfig(swab=custom).validate(4, 3)


def test_schema_types_resolve_for_the_config_builder() -> None:
    hints = typing.get_type_hints(RoleRosterConfig)
    assert hints["shifts"] == tuple[ShiftConfig, ...]
    assert typing.get_type_hints(StaffingConfig)["swab"] is RoleRosterConfig

"""Unit tests for capacity schedules (:mod:`sim.engine.schedule`) and for the desks/booths a
collection point opens over its day: the role's roster (:func:`sim.model.staffing.role_schedule`)
held through clearing (:func:`sim.model.collection_point.with_clearing`), as
:func:`sim.model.collection_point.plan_point` combines them. Expected steps are worked out by
hand. Shift patterns, hand-overs and PPE rests are in ``test_staffing.py``.

Clock times: 07:00 = 420, 08:00 = 480, 12:00 = 720, 18:00 = 1080 minutes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pytest

import sim
from sim.config.clock import Clock
from sim.config.schema import BreakConfig, ShiftConfig, SiteConfig
from sim.config.staffing import RoleRosterConfig, StaffingConfig
from sim.engine.schedule import CapacitySchedule
from sim.model.collection_point import plan_point, with_clearing
from sim.model.staffing import SWAB, role_schedule


def steps(s: CapacitySchedule) -> list[tuple[float, int]]:
    return list(zip(s.times, s.counts, strict=True))


# ---------------------------------------------------------------------------
# CapacitySchedule
# ---------------------------------------------------------------------------

SCHED = CapacitySchedule((0.0, 10.0, 30.0, 40.0), (2, 5, 1, 0))


@pytest.mark.parametrize(
    ("t", "count"),
    [(-5.0, 0), (0.0, 2), (9.999, 2), (10.0, 5), (29.0, 5), (30.0, 1), (40.0, 0), (1e9, 0)],
)
def test_at_is_right_continuous_and_zero_before_start(t: float, count: int) -> None:
    assert SCHED.at(t) == count


def test_last_count_holds_forever() -> None:
    s = CapacitySchedule((0.0, 10.0), (1, 3))
    assert s.at(1e12) == 3


def test_server_minutes_by_hand() -> None:
    # 2*10 + 5*20 + 1*10 = 130 over the whole schedule.
    assert SCHED.server_minutes(0.0, 40.0) == pytest.approx(130.0)
    assert SCHED.server_minutes(-100.0, 1000.0) == pytest.approx(130.0)
    # [5, 35]: 2*5 + 5*20 + 1*5 = 115.
    assert SCHED.server_minutes(5.0, 35.0) == pytest.approx(115.0)
    # Inside one step.
    assert SCHED.server_minutes(12.0, 14.0) == pytest.approx(10.0)
    # Empty or reversed windows.
    assert SCHED.server_minutes(20.0, 20.0) == 0.0
    assert SCHED.server_minutes(35.0, 5.0) == 0.0


def test_server_minutes_with_an_open_ended_last_step() -> None:
    s = CapacitySchedule((0.0, 10.0), (1, 3))
    assert s.server_minutes(0.0, 20.0) == pytest.approx(10 + 30)


def test_server_minutes_matches_a_numerical_integral() -> None:
    grid = np.linspace(-10.0, 50.0, 600_001)
    mid = (grid[:-1] + grid[1:]) / 2
    numeric = sum(SCHED.at(t) for t in mid[::100]) * (grid[1] - grid[0]) * 100
    assert SCHED.server_minutes(-10.0, 50.0) == pytest.approx(numeric, rel=1e-3)


def test_capped_limits_and_merges_equal_steps() -> None:
    # (2, 5, 1, 0) capped at 2 -> (2, 2, 1, 0): the 10.0 step disappears.
    c = SCHED.capped(2)
    assert steps(c) == [(0.0, 2), (30.0, 1), (40.0, 0)]
    for t in np.arange(-5.0, 50.0, 0.5):
        assert c.at(t) == min(SCHED.at(t), 2)


def test_capped_above_every_count_is_unchanged() -> None:
    assert steps(SCHED.capped(100)) == steps(SCHED)


def test_minus_pointwise_floored_at_zero() -> None:
    other = CapacitySchedule((5.0, 20.0, 35.0), (1, 3, 4))
    diff = SCHED.minus(other)
    # Times 0, 5, 10, 20, 30, 35, 40: 2-0, 2-1, 5-1, 5-3, 1-3 -> 0, 1-4 -> 0, 0-4 -> 0.
    assert steps(diff) == [(0.0, 2), (5.0, 1), (10.0, 4), (20.0, 2), (30.0, 0)]
    for t in np.arange(-5.0, 50.0, 0.25):
        assert diff.at(t) == max(SCHED.at(t) - other.at(t), 0)


def test_capped_plus_minus_recovers_the_total() -> None:
    # As the dedicated green channel splits a total: green = capped(k), general = rest.
    green = SCHED.capped(1)
    general = SCHED.minus(green)
    for t in np.arange(-5.0, 50.0, 0.5):
        assert green.at(t) + general.at(t) == SCHED.at(t)


@pytest.mark.parametrize(
    ("times", "counts"),
    [((0.0, 0.0), (1, 2)), ((5.0, 1.0), (1, 2)), ((0.0, 1.0, 1.0), (1, 2, 3))],
)
def test_non_increasing_times_are_rejected(
    times: tuple[float, ...], counts: tuple[int, ...]
) -> None:
    with pytest.raises(ValueError, match="increase strictly"):
        CapacitySchedule(times, counts)


def test_length_mismatch_and_negative_counts_are_rejected() -> None:
    with pytest.raises(ValueError, match="same length"):
        CapacitySchedule((0.0, 1.0), (1,))
    with pytest.raises(ValueError, match=">= 0"):
        CapacitySchedule((0.0,), (-1,))


# ---------------------------------------------------------------------------
# Staffed counts of custom shifts (role_schedule, before opening hours matter)
# ---------------------------------------------------------------------------


def shift(start: str, end: str, staff: int | None = None, *breaks: BreakConfig) -> ShiftConfig:
    return ShiftConfig(start=Clock(start), end=Clock(end), staff=staff, breaks=tuple(breaks))


def brk(start: str, end: str, closed: int) -> BreakConfig:
    return BreakConfig(Clock(start), Clock(end), closed)


def custom(*shifts: ShiftConfig, staff: int | None = None) -> RoleRosterConfig:
    return RoleRosterConfig(pattern="custom", staff=staff, shifts=shifts)


# Open round the clock for two days, one window: only the shifts of day 0 are rostered, so the
# schedule is the staffed count itself (at most `physical`).
ALL_DAY = [(0.0, 2880.0)]


def staffed(roster: RoleRosterConfig, physical: int) -> list[tuple[float, int]]:
    return steps(role_schedule(SWAB, roster, physical, ALL_DAY).schedule)


# Physical 4. A: 07:00-13:00 with 3 staff, break 10:00-10:30 closing 1.
# B: 12:00-19:00 with staff null (= 4), break 15:00-15:30 closing 2.
ROSTER = (
    shift("07:00", "13:00", 3, brk("10:00", "10:30", 1)),
    shift("12:00", "19:00", None, brk("15:00", "15:30", 2)),
)


def test_staffed_count_overlapping_shifts_and_breaks_by_hand() -> None:
    # B's staff null falls back to the roster's staff (4); with room for 10 the count is not
    # capped: 07:00 3 | 10:00 2 | 10:30 3 | 12:00 3+4=7 | 13:00 4 | 15:00 2 | 15:30 4 | 19:00 0
    assert staffed(custom(*ROSTER, staff=4), physical=10) == [
        (0.0, 0),
        (420.0, 3),
        (600.0, 2),
        (630.0, 3),
        (720.0, 7),
        (780.0, 4),
        (900.0, 2),
        (930.0, 4),
        (1140.0, 0),
    ]


def test_staffed_count_is_capped_at_physical() -> None:
    # The same roster at a point with 4: B's staff null is 4, and 12:00-13:00 opens 4, not 7.
    assert staffed(custom(*ROSTER), physical=4) == [
        (0.0, 0),
        (420.0, 3),
        (600.0, 2),
        (630.0, 3),
        (720.0, 4),
        (900.0, 2),
        (930.0, 4),
        (1140.0, 0),
    ]


def test_staff_null_means_every_physical_desk() -> None:
    assert staffed(custom(shift("08:00", "16:00")), physical=6) == [
        (0.0, 0),
        (480.0, 6),
        (960.0, 0),
    ]


def test_back_to_back_shifts_with_equal_staff_have_no_change_point() -> None:
    roster = custom(shift("07:00", "12:00", 2), shift("12:00", "17:00", 2))
    assert staffed(roster, physical=5) == [(0.0, 0), (420.0, 2), (1020.0, 0)]


def test_gap_between_shifts_has_no_staff() -> None:
    roster = custom(shift("07:00", "12:00", 2), shift("12:30", "17:00", 3))
    assert staffed(roster, physical=5) == [
        (0.0, 0),
        (420.0, 2),
        (720.0, 0),
        (750.0, 3),
        (1020.0, 0),
    ]


def test_hours_past_midnight() -> None:
    assert staffed(custom(shift("22:00", "26:00", 1)), physical=1) == [
        (0.0, 0),
        (1320.0, 1),
        (1560.0, 0),
    ]


def test_opening_hours_pattern_staffs_every_desk_for_the_whole_window() -> None:
    # The pattern that replaced "no shifts": one shift per window, one person per desk.
    assert staffed(RoleRosterConfig(), physical=3) == [(0.0, 3), (2880.0, 0)]


# ---------------------------------------------------------------------------
# Open desks/booths over a point's day: roster, then clearing
# ---------------------------------------------------------------------------


def open_schedule(
    shifts: Sequence[ShiftConfig],
    physical: int,
    open_min: float,
    close_min: float,
    clearing_min: float,
    days: int = 1,
) -> CapacitySchedule:
    """What ``plan_point`` does with a role's roster: staffed while open, then clearing.

    No shifts: the ``opening_hours`` pattern (every desk/booth staffed).
    """
    open_days = [(open_min + 1440.0 * d, close_min + 1440.0 * d) for d in range(days)]
    roster = custom(*shifts) if shifts else RoleRosterConfig()
    return with_clearing(
        role_schedule(SWAB, roster, physical, open_days).schedule, open_days, clearing_min
    )


def swab_site(shifts: Sequence[ShiftConfig], physical: int, clearing_min: float) -> SiteConfig:
    """A point open 08:00-18:00 with only swab booths, staffed by ``shifts``."""
    roster = custom(*shifts) if shifts else RoleRosterConfig()
    return SiteConfig(
        open=Clock("08:00"),
        close=Clock("18:00"),
        clearing_min=clearing_min,
        registration=False,
        swab_booths=physical,
        staffing=StaffingConfig(swab=roster),
    )


@pytest.mark.parametrize("days", [1, 2])
@pytest.mark.parametrize(
    "shifts", [(), ROSTER, (shift("08:00", "18:15", 3),)], ids=["opening_hours", "roster", "late"]
)
def test_open_schedule_is_what_plan_point_opens(shifts: tuple[ShiftConfig, ...], days: int) -> None:
    site = swab_site(shifts, physical=4, clearing_min=30.0)
    site.validate()
    plan = plan_point(site, days=days)
    (stage,) = plan.stages
    (station,) = stage.stations
    assert station.schedule == open_schedule(shifts, 4, 480.0, 1080.0, 30.0, days=days)
    assert plan.serve_windows == tuple(
        (480.0 + 1440.0 * d, 1110.0 + 1440.0 * d) for d in range(days)
    )


def test_open_schedule_without_shifts_staffs_every_desk_through_clearing() -> None:
    s = open_schedule((), physical=5, open_min=420.0, close_min=1260.0, clearing_min=60.0)
    assert steps(s) == [(420.0, 5), (1320.0, 0)]


def test_open_schedule_by_hand() -> None:
    # Open 08:00, close 18:00, clearing 30 min, physical 4, ROSTER as above.
    # Staffed: 07:00 3 | 10:00 2 | 10:30 3 | 12:00 7 | 13:00 4 | 15:00 2 | 15:30 4 | 19:00 0.
    # Open from 08:00 (3 on duty), capped at 4 (12:00-13:00 has 7); the 4 on duty in the last
    # open minute stay for clearing until 18:30 (B's 19:00 end is ignored).
    s = open_schedule(ROSTER, physical=4, open_min=480.0, close_min=1080.0, clearing_min=30.0)
    assert steps(s) == [
        (480.0, 3),
        (600.0, 2),
        (630.0, 3),
        (720.0, 4),
        (900.0, 2),
        (930.0, 4),
        (1110.0, 0),
    ]
    assert s.at(479.9) == 0


def test_open_schedule_every_day_of_the_round() -> None:
    # Day 2 repeats day 1, 1440 minutes later, clearing included; closed overnight.
    s = open_schedule(
        ROSTER, physical=4, open_min=480.0, close_min=1080.0, clearing_min=30.0, days=2
    )
    day1 = [(480.0, 3), (600.0, 2), (630.0, 3), (720.0, 4), (900.0, 2), (930.0, 4), (1110.0, 0)]
    assert steps(s) == day1 + [(t + 1440.0, c) for t, c in day1]
    assert s.at(1500.0) == 0 and s.at(1919.9) == 0


def test_open_schedule_is_capped_at_physical() -> None:
    s = open_schedule(
        [shift("08:00", "18:00", 5), shift("08:00", "18:00", 5)],
        physical=6,
        open_min=480.0,
        close_min=1080.0,
        clearing_min=0.0,
    )
    assert steps(s) == [(480.0, 6), (1080.0, 0)]


def test_clearing_uses_staff_whose_shift_ends_exactly_at_close() -> None:
    s = open_schedule(
        [shift("08:00", "18:00", 2)], physical=4, open_min=480.0, close_min=1080.0, clearing_min=30
    )
    assert steps(s) == [(480.0, 2), (1110.0, 0)]
    assert s.at(1095.0) == 2


def test_clearing_ignores_a_shift_starting_at_close() -> None:
    # Day shift 2 until 18:00, evening shift 4 from 18:00: clearing keeps the 2 on duty in the
    # last open minute, not the evening shift.
    s = open_schedule(
        [shift("08:00", "18:00", 2), shift("18:00", "22:00", 4)],
        physical=4,
        open_min=480.0,
        close_min=1080.0,
        clearing_min=60.0,
    )
    assert steps(s) == [(480.0, 2), (1140.0, 0)]


def test_clearing_keeps_staff_even_if_their_shift_ends_during_it() -> None:
    s = open_schedule(
        [shift("08:00", "18:15", 3)], physical=3, open_min=480.0, close_min=1080.0, clearing_min=60
    )
    assert steps(s) == [(480.0, 3), (1140.0, 0)]


def test_no_clearing_staff_when_nobody_is_on_duty_at_close() -> None:
    s = open_schedule(
        [shift("08:00", "17:00", 3)], physical=3, open_min=480.0, close_min=1080.0, clearing_min=60
    )
    assert steps(s) == [(480.0, 3), (1020.0, 0)]
    assert s.at(1100.0) == 0


def test_break_in_the_last_open_minute_reduces_clearing_staff() -> None:
    # Break 17:30-18:00 closing 1 of 3: 2 on duty in the last open minute.
    s = open_schedule(
        [shift("08:00", "18:00", 3, brk("17:30", "18:00", 1))],
        physical=3,
        open_min=480.0,
        close_min=1080.0,
        clearing_min=30,
    )
    assert steps(s) == [(480.0, 3), (1050.0, 2), (1110.0, 0)]


def test_shift_before_opening_counts_from_opening() -> None:
    s = open_schedule(
        [shift("06:00", "12:00", 2), shift("12:00", "20:00", 3)],
        physical=4,
        open_min=480.0,
        close_min=1080.0,
        clearing_min=0.0,
    )
    assert steps(s) == [(480.0, 2), (720.0, 3), (1080.0, 0)]


def test_open_schedule_staffed_minutes() -> None:
    # Cross-check with server_minutes: ROSTER, open 08:00-18:00 + 30 min clearing, cap 4.
    s = open_schedule(ROSTER, physical=4, open_min=480.0, close_min=1080.0, clearing_min=30.0)
    # 3*120 + 2*30 + 3*90 + 4*180 + 2*30 + 4*180 = 360 + 60 + 270 + 720 + 60 + 720 = 2190
    assert s.server_minutes(0.0, 2000.0) == pytest.approx(2190.0)


def test_with_clearing_holds_the_count_of_the_last_open_minute() -> None:
    # A bare staffed schedule: 2 open 08:00-12:00, 5 from 12:00 to 17:59:30, 1 until 18:00.
    staffed_sched = CapacitySchedule((480.0, 720.0, 1079.5, 1080.0), (2, 5, 1, 0))
    s = with_clearing(staffed_sched, [(480.0, 1080.0)], 45.0)
    assert steps(s) == [(480.0, 2), (720.0, 5), (1079.5, 1), (1125.0, 0)]
    # No clearing: closed at closing time.
    assert steps(with_clearing(staffed_sched, [(480.0, 1080.0)], 0.0)) == [
        (480.0, 2),
        (720.0, 5),
        (1079.5, 1),
        (1080.0, 0),
    ]


# ---------------------------------------------------------------------------
# The shipped one-point scenarios open what they say
# ---------------------------------------------------------------------------

Load = Callable[..., sim.ScenarioConfig]


def stations(cfg: sim.ScenarioConfig) -> dict[str, list[tuple[float, int]]]:
    plan = plan_point(cfg.site, cfg.campaign.round_days)
    return {st.name: steps(st.schedule) for stage in plan.stages for st in stage.stations}


def test_busy_point_rosters_by_hand(load_config: Load) -> None:
    # Registration: 10 desks, 07:00-14:00 with 3 off 11:00-11:30, 14:00-21:00 with 3 off
    # 15:30-16:00. Swab: 8 booths, 07:00-12:00, 12:00-16:30 with 2 off 14:00-14:30,
    # 16:30-21:00. Everyone on duty at 21:00 clears the line until 22:00.
    assert stations(load_config("scenario=busy_point")) == {
        "registration desks": [
            (420.0, 10),
            (660.0, 7),
            (690.0, 10),
            (930.0, 7),
            (960.0, 10),
            (1320.0, 0),
        ],
        "swab booths": [(420.0, 8), (840.0, 6), (870.0, 8), (1320.0, 0)],
    }


def test_single_station_is_an_mmc_queue(load_config: Load) -> None:
    # tests/validation/ compares this scenario with M/M/c formulas: every booth open all the
    # time it is open (no PPE rests, no hand-over, no breaks), for as long as it is open.
    cfg = load_config("scenario=single_station")
    c = cfg.site.swab_booths
    assert stations(cfg) == {"swab booths": [(0.0, c), (12000.0, 0)]}
    long = load_config("scenario=single_station", "site.close=600:00", "site.swab_booths=1")
    assert stations(long) == {"swab booths": [(0.0, 1), (36000.0, 0)]}


def test_benchmark_point_opens_every_desk_and_booth_all_day(load_config: Load) -> None:
    # 07:00-21:00 plus 120 min clearing with all 8 desks and 4 booths (utilisation 0.85 at
    # 408 residents an hour, as its description says).
    cfg = load_config("scenario=benchmark_point")
    assert stations(cfg) == {
        "registration desks": [(420.0, 8), (1380.0, 0)],
        "swab booths": [(420.0, 4), (1380.0, 0)],
    }

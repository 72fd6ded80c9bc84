"""Unit tests for capacity schedules (:mod:`sim.engine.schedule`) and rosters
(:mod:`sim.config.shifts`, :mod:`sim.model.roster`), with expected steps worked out by hand.

Clock times: 07:00 = 420, 08:00 = 480, 12:00 = 720, 18:00 = 1080 minutes.
"""

from __future__ import annotations

import numpy as np
import pytest

from sim.config.clock import Clock
from sim.config.schema import BreakConfig, ShiftConfig
from sim.config.shifts import staffed_schedule
from sim.engine.schedule import CapacitySchedule
from sim.model.roster import open_schedule


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


def test_constant() -> None:
    s = CapacitySchedule.constant(4, 420.0, 1260.0)
    assert steps(s) == [(420.0, 4), (1260.0, 0)]
    assert s.at(419.0) == 0 and s.at(420.0) == 4 and s.at(1259.9) == 4 and s.at(1260.0) == 0
    assert s.server_minutes(0.0, 2000.0) == pytest.approx(4 * 840)


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


def test_until_closes_from_the_end_on() -> None:
    u = SCHED.until(20.0)
    assert steps(u) == [(0.0, 2), (10.0, 5), (20.0, 0)]


def test_until_at_a_change_time() -> None:
    assert steps(SCHED.until(30.0)) == [(0.0, 2), (10.0, 5), (30.0, 0)]


def test_until_before_the_start() -> None:
    u = SCHED.until(-1.0)
    assert steps(u) == [(-1.0, 0)]
    assert u.server_minutes(-100.0, 100.0) == 0.0


def test_until_after_the_end_is_unchanged() -> None:
    assert steps(SCHED.until(100.0)) == steps(SCHED)


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
# staffed_schedule
# ---------------------------------------------------------------------------


def shift(start: str, end: str, staff: int | None = None, *breaks: BreakConfig) -> ShiftConfig:
    return ShiftConfig(start=Clock(start), end=Clock(end), staff=staff, breaks=tuple(breaks))


def brk(start: str, end: str, closed: int) -> BreakConfig:
    return BreakConfig(Clock(start), Clock(end), closed)


# Physical 4. A: 07:00-13:00 with 3 staff, break 10:00-10:30 closing 1.
# B: 12:00-19:00 with staff null (= 4), break 15:00-15:30 closing 2.
ROSTER = (
    shift("07:00", "13:00", 3, brk("10:00", "10:30", 1)),
    shift("12:00", "19:00", None, brk("15:00", "15:30", 2)),
)


def test_staffed_schedule_overlapping_shifts_and_breaks_by_hand() -> None:
    times, counts = staffed_schedule(ROSTER, physical=4)
    # 07:00 3 | 10:00 2 | 10:30 3 | 12:00 3+4=7 | 13:00 4 | 15:00 2 | 15:30 4 | 19:00 0
    assert times == [420.0, 600.0, 630.0, 720.0, 780.0, 900.0, 930.0, 1140.0]
    assert counts == [3, 2, 3, 7, 4, 2, 4, 0]


def test_staff_null_means_every_physical_desk() -> None:
    assert staffed_schedule([shift("08:00", "16:00")], physical=6) == ([480.0, 960.0], [6, 0])


def test_back_to_back_shifts_with_equal_staff_have_no_change_point() -> None:
    times, counts = staffed_schedule(
        [shift("07:00", "12:00", 2), shift("12:00", "17:00", 2)], physical=5
    )
    assert (times, counts) == ([420.0, 1020.0], [2, 0])


def test_gap_between_shifts_has_no_staff() -> None:
    times, counts = staffed_schedule(
        [shift("07:00", "12:00", 2), shift("12:30", "17:00", 3)], physical=5
    )
    assert (times, counts) == ([420.0, 720.0, 750.0, 1020.0], [2, 0, 3, 0])


def test_hours_past_midnight() -> None:
    times, counts = staffed_schedule([shift("22:00", "26:00", 1)], physical=1)
    assert (times, counts) == ([1320.0, 1560.0], [1, 0])


def test_no_shifts_no_staff() -> None:
    assert staffed_schedule([], physical=3) == ([], [])


# ---------------------------------------------------------------------------
# open_schedule
# ---------------------------------------------------------------------------


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

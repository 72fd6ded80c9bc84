"""Unit tests for the queue kernel :class:`sim.engine.tandem.TandemQueue`.

Every case is small and deterministic (fixed service times), so the expected start and end
times are worked out by hand in the comments and compared exactly.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np
import pytest

from sim.config.schema import ScenarioConfig
from sim.engine.tandem import (
    BALKED,
    NOT_ADMITTED,
    OUTCOME_NAMES,
    RENEGED,
    SERVED,
    UNSERVED,
    StageSpec,
    TandemQueue,
    TandemRecords,
)

INF = math.inf
NAN = math.nan
#: Opening time used for "open from the start": just before the first arrival at 0, because the
#: driver (like :func:`sim.engine.process.drive`) advances to a change time before applying it,
#: so arrivals at the very instant of an opening are processed while the pool is still closed.
OPEN = -1.0

Pools = tuple[tuple[int, ...], ...]
Floats = Sequence[float] | np.ndarray
Change = tuple[float, int, int, int]  # (time, stage, pool, count)


def make(
    arrivals: Floats,
    stages: Sequence[tuple[Pools, Floats]],
    *,
    lanes: Sequence[int] | np.ndarray | None = None,
    n_lanes: int = 1,
    space_group: Sequence[int] | None = None,
    space_limit: Sequence[int | None] = (None,),
    patience: Floats | None = None,
    admitted: Sequence[bool] | np.ndarray | None = None,
) -> TandemQueue:
    """Build a kernel from plain lists; ``stages`` holds ``(pools, service)`` per stage."""
    arr = np.asarray(arrivals, dtype=float)
    n = len(arr)
    lane = np.zeros(n, dtype=np.int8) if lanes is None else np.asarray(lanes, dtype=np.int8)
    return TandemQueue(
        arr,
        lane,
        [StageSpec(pools, np.asarray(svc, dtype=float)) for pools, svc in stages],
        n_lanes=n_lanes,
        space_group=[0] * n_lanes if space_group is None else list(space_group),
        space_limit=list(space_limit),
        patience=None if patience is None else np.asarray(patience, dtype=float),
        admitted=None if admitted is None else np.asarray(admitted, dtype=bool),
    )


def drive(q: TandemQueue, changes: Sequence[Change], end: float) -> TandemRecords:
    """Apply capacity changes in time order (advancing first, as the SimPy driver does)."""
    for t, stage, pool, count in sorted(changes, key=lambda c: c[0]):
        q.advance(t)
        q.set_capacity(stage, pool, count, t)
    return q.finish(end)


def single(
    arrivals: Sequence[float],
    service: Sequence[float],
    servers: int = 1,
    end: float = 1000.0,
    **kw: object,
) -> TandemRecords:
    """One stage, one lane, one pool of ``servers`` open from the start until ``end``."""
    q = make(arrivals, [(((0,),), service)], **kw)  # type: ignore[arg-type]
    return drive(q, [(OPEN, 0, 0, servers)], end)


def assert_times(actual: np.ndarray, expected: Sequence[float]) -> None:
    np.testing.assert_array_equal(actual, np.asarray(expected, dtype=float))


# ---------------------------------------------------------------------------
# Basic FIFO service
# ---------------------------------------------------------------------------


def test_fifo_single_server_by_hand() -> None:
    # Arrivals 0, 1, 2 with 3 minutes each: back-to-back 0-3, 3-6, 6-9.
    out = single([0, 1, 2], [3, 3, 3])
    assert_times(out.start[0], [0, 3, 6])
    assert_times(out.end[0], [3, 6, 9])
    assert out.outcome.tolist() == [SERVED] * 3
    assert out.left_stage.tolist() == [-1] * 3
    assert np.isnan(out.exit_time).all()
    assert out.pool[0].tolist() == [0, 0, 0]


def test_single_server_idles_between_customers() -> None:
    # 0-2 and 2-4 back-to-back (arrival 1 waits 1 minute), then idle until the arrival at 10.
    out = single([0, 1, 10], [2, 2, 2])
    assert_times(out.start[0], [0, 2, 10])
    assert_times(out.end[0], [2, 4, 12])


def test_arrival_at_the_instant_a_server_frees_starts_at_once() -> None:
    # The completion at 3 is handled before the arrival at 3, which then finds the server free.
    out = single([0, 3], [3, 1])
    assert_times(out.start[0], [0, 3])
    assert_times(out.end[0], [3, 4])


def test_fifo_with_equal_arrival_times_keeps_input_order() -> None:
    out = single([5, 5, 5], [1, 2, 3])
    assert_times(out.start[0], [5, 6, 8])
    assert_times(out.end[0], [6, 8, 11])


def test_two_servers_by_hand() -> None:
    # c0 0-5 and c1 0-3 take both servers; c2 (arr 1) takes the server freed at 3 -> 3-7;
    # c3 (arr 2) takes the one freed at 5 -> 5-6.
    out = single([0, 0, 1, 2], [5, 3, 4, 1], servers=2)
    assert_times(out.start[0], [0, 0, 3, 5])
    assert_times(out.end[0], [5, 3, 7, 6])


def test_more_servers_than_customers_means_no_waiting() -> None:
    out = single([0, 0.5, 1, 1.5], [10, 10, 10, 10], servers=4)
    assert_times(out.start[0], [0, 0.5, 1, 1.5])


def test_empty_kernel_finishes_cleanly() -> None:
    out = single([], [])
    assert out.outcome.size == 0
    assert out.start[0].size == 0


# ---------------------------------------------------------------------------
# Stages in series
# ---------------------------------------------------------------------------


def test_two_stages_in_series_by_hand() -> None:
    # Stage 0 (2 min): 0-2, 2-4, 4-6. Stage 1 (3 min): c0 arrives 2 -> 2-5; c1 arrives 4,
    # waits -> 5-8; c2 arrives 6, waits -> 8-11.
    q = make([0, 1, 2], [(((0,),), [2, 2, 2]), (((0,),), [3, 3, 3])])
    out = drive(q, [(OPEN, 0, 0, 1), (OPEN, 1, 0, 1)], 1000)
    assert_times(out.start[0], [0, 2, 4])
    assert_times(out.end[0], [2, 4, 6])
    assert_times(out.start[1], [2, 5, 8])
    assert_times(out.end[1], [5, 8, 11])
    assert out.outcome.tolist() == [SERVED] * 3


def test_service_end_at_stage_0_is_arrival_at_stage_1() -> None:
    # A fast second stage: nobody waits there, so each starts stage 1 the moment stage 0 ends.
    # Stage 0: 0-4, 4-8, then c2 (arr 7) waits for 8 -> 8-12. Stage 1: 4-5, 8-9, 12-13.
    q = make([0, 1, 7], [(((0,),), [4, 4, 4]), (((0,),), [1, 1, 1])])
    out = drive(q, [(OPEN, 0, 0, 1), (OPEN, 1, 0, 1)], 1000)
    assert_times(out.end[0], [4, 8, 12])
    np.testing.assert_array_equal(out.start[1], out.end[0])
    assert_times(out.end[1], [5, 9, 13])


def test_three_stages_with_different_capacities() -> None:
    # Stage 0: 2 servers, 1 min. Stage 1: 1 server, 2 min. Stage 2: 2 servers, 5 min.
    # Stage 0: c0, c1 0-1; c2 1-2.
    # Stage 1: c0 1-3, c1 waits 3-5, c2 (arr 2) waits 5-7.
    # Stage 2: c0 3-8, c1 5-10; c2 arrives 7 with both busy, waits until 8 -> 8-13.
    q = make(
        [0, 0, 0],
        [(((0,),), [1, 1, 1]), (((0,),), [2, 2, 2]), (((0,),), [5, 5, 5])],
    )
    out = drive(q, [(OPEN, 0, 0, 2), (OPEN, 1, 0, 1), (OPEN, 2, 0, 2)], 1000)
    assert_times(out.start[0], [0, 0, 1])
    assert_times(out.start[1], [1, 3, 5])
    assert_times(out.start[2], [3, 5, 8])
    assert_times(out.end[2], [8, 10, 13])


# ---------------------------------------------------------------------------
# Priority lanes and pools
# ---------------------------------------------------------------------------


def test_non_preemptive_priority_by_hand() -> None:
    # One server serving lane 0 (high) before lane 1 (low).
    # c0 (low, 10 min) starts at 0 and is NOT interrupted by the high-priority arrivals.
    # At 10 the waiting line is c1 (low, arr 1), c2 (high, arr 2), c3 (high, arr 5):
    # high first in FIFO order -> c2 10-13, c3 13-14, then c1 14-16.
    q = make(
        [0, 1, 2, 5],
        [(((0, 1),), [10, 2, 3, 1])],
        lanes=[1, 1, 0, 0],
        n_lanes=2,
    )
    out = drive(q, [(OPEN, 0, 0, 1)], 1000)
    assert_times(out.start[0], [0, 14, 10, 13])
    assert_times(out.end[0], [10, 16, 13, 14])


def test_priority_order_follows_the_pool_list_not_the_lane_number() -> None:
    # Same arrivals, but the pool lists lane 1 first: now lane 1 is the high-priority lane.
    # c0 (lane 1) 0-10; at 10 waiting: c1 (lane 1), c2, c3 (lane 0) -> c1 10-12, c2 12-15,
    # c3 15-16.
    q = make([0, 1, 2, 5], [(((1, 0),), [10, 2, 3, 1])], lanes=[1, 1, 0, 0], n_lanes=2)
    out = drive(q, [(OPEN, 0, 0, 1)], 1000)
    assert_times(out.start[0], [0, 10, 12, 15])


def test_priority_with_two_servers() -> None:
    # Two servers, lane 0 high. c0, c1 (low) take both servers until 4 and 6.
    # c2 (low, arr 1), c3 (high, arr 2) wait. At 4 the high one goes first: c3 4-5; at 5 the
    # server freed by c3 takes c2: 5-6.
    q = make([0, 0, 1, 2], [(((0, 1),), [4, 6, 1, 1])], lanes=[1, 1, 1, 0], n_lanes=2)
    out = drive(q, [(OPEN, 0, 0, 2)], 1000)
    assert_times(out.start[0], [0, 0, 5, 4])
    assert_times(out.end[0], [4, 6, 6, 5])


def test_dedicated_pool_does_not_serve_another_lane() -> None:
    # Lane 0 green, lane 1 general. Pool 0 serves general only, pool 1 green only.
    # c0, c1 are general: c0 0-10 on pool 0; c1 waits for pool 0 although pool 1 is idle.
    q = make(
        [0, 1],
        [(((1,), (0,)), [10, 10])],
        lanes=[1, 1],
        n_lanes=2,
    )
    out = drive(q, [(OPEN, 0, 0, 1), (OPEN, 0, 1, 1)], 1000)
    assert_times(out.start[0], [0, 10])
    assert out.pool[0].tolist() == [0, 0]


def test_dedicated_pool_helps_another_lane_when_idle() -> None:
    # Pool 1 now serves green first, then general: c1 (general) is served at once by pool 1.
    q = make([0, 1], [(((1,), (0, 1)), [10, 10])], lanes=[1, 1], n_lanes=2)
    out = drive(q, [(OPEN, 0, 0, 1), (OPEN, 0, 1, 1)], 1000)
    assert_times(out.start[0], [0, 1])
    assert out.pool[0].tolist() == [0, 1]


def test_newcomer_prefers_its_own_lane_pool_over_a_helper() -> None:
    # Both pools idle when the general customer arrives: the general pool (general is its
    # first lane) is preferred over the green pool that only helps; a green customer then
    # still finds its own pool free.
    q = make([0, 1], [(((1,), (0, 1)), [10, 10])], lanes=[1, 0], n_lanes=2)
    out = drive(q, [(OPEN, 0, 0, 1), (OPEN, 0, 1, 1)], 1000)
    assert out.pool[0].tolist() == [0, 1]
    assert_times(out.start[0], [0, 1])


def test_pool_order_preference_holds_whatever_the_pool_index() -> None:
    # Same as above with the pools listed the other way round (helper first in the list).
    q = make([0, 1], [(((0, 1), (1,)), [10, 10])], lanes=[1, 0], n_lanes=2)
    out = drive(q, [(OPEN, 0, 0, 1), (OPEN, 0, 1, 1)], 1000)
    assert out.pool[0].tolist() == [1, 0]
    assert_times(out.start[0], [0, 1])


def test_helper_busy_with_other_lane_is_not_preempted() -> None:
    # Pool 0: general only. Pool 1: green then general. One server each.
    # c0 general 0-10 on pool 0; c1 general (arr 1) helped by pool 1: 1-11.
    # c2 green (arr 2) waits: pool 0 frees at 10 but does not serve green; pool 1 frees at 11
    # -> c2 11-12. c3 general (arr 3) is taken by pool 0 at 10: 10-11.
    q = make(
        [0, 1, 2, 3],
        [(((1,), (0, 1)), [10, 10, 1, 1])],
        lanes=[1, 1, 0, 1],
        n_lanes=2,
    )
    out = drive(q, [(OPEN, 0, 0, 1), (OPEN, 0, 1, 1)], 1000)
    assert_times(out.start[0], [0, 1, 11, 10])
    assert out.pool[0].tolist() == [0, 1, 1, 0]


def test_freed_helper_takes_its_own_lane_first() -> None:
    # Pool 0: general only (1 server). Pool 1: green then general (1 server).
    # c0 general 0-10 (pool 0), c1 green 0-5 (pool 1). Waiting at 5: c2 general (arr 1),
    # c3 green (arr 2). Pool 1 frees at 5 and takes green c3 (5-6) although c2 came first,
    # then at 6 helps general c2 (6-7).
    q = make(
        [0, 0, 1, 2],
        [(((1,), (0, 1)), [10, 5, 1, 1])],
        lanes=[1, 0, 1, 0],
        n_lanes=2,
    )
    out = drive(q, [(OPEN, 0, 0, 1), (OPEN, 0, 1, 1)], 1000)
    assert_times(out.start[0], [0, 0, 6, 5])
    assert out.pool[0].tolist() == [0, 1, 1, 1]


def test_lanes_and_priority_apply_at_later_stages() -> None:
    # Stage 0 (1 server, 1 min), arrivals a minute apart: c0 (low) 0-1, c1 (low) 1-2,
    # c2 (high) 2-3, nobody waits there.
    # Stage 1 (one server, lane 0 high; 10 min low, 1 min high): c0 1-11; c1 waits from 2,
    # c2 from 3; at 11 the high one goes first: c2 11-12, then c1 12-22.
    q = make(
        [0, 1, 2],
        [(((0, 1),), [1, 1, 1]), (((0, 1),), [10, 10, 1])],
        lanes=[1, 1, 0],
        n_lanes=2,
    )
    out = drive(q, [(OPEN, 0, 0, 1), (OPEN, 1, 0, 1)], 1000)
    assert_times(out.start[0], [0, 1, 2])
    assert_times(out.start[1], [1, 12, 11])


# ---------------------------------------------------------------------------
# Balking, reneging, admission
# ---------------------------------------------------------------------------


def test_space_limit_balking_by_hand() -> None:
    # One server, room for 2 waiting. c0 served 0-100; c1, c2 wait; c3 (arr 3) balks.
    # At 100 c1 starts, which frees a place: c4 (arr 101) joins behind c2.
    # Service order: c0 0-100, c1 100-200, c2 200-300, c4 300-400.
    out = single([0, 1, 2, 3, 101], [100] * 5, space_limit=(2,))
    assert out.outcome.tolist() == [SERVED, SERVED, SERVED, BALKED, SERVED]
    assert int(np.sum(out.outcome == BALKED)) == 1
    assert out.exit_time[3] == 3.0
    assert out.left_stage[3] == 0
    assert np.isnan(out.start[0][3])
    assert_times(out.start[0][[0, 1, 2, 4]], [0, 100, 200, 300])


def test_balking_count_in_a_burst() -> None:
    # 10 arrive at once to 2 servers and 3 places: 2 served at once, 3 wait, 5 balk.
    out = single([0] * 10, [5] * 10, servers=2, space_limit=(3,))
    assert int(np.sum(out.outcome == BALKED)) == 5
    assert out.outcome.tolist() == [SERVED] * 5 + [BALKED] * 5


def test_zero_space_means_balk_whenever_all_servers_are_busy() -> None:
    out = single([0, 1, 2, 6], [5, 5, 5, 5], space_limit=(0,))
    assert out.outcome.tolist() == [SERVED, BALKED, BALKED, SERVED]
    assert_times(out.start[0][[0, 3]], [0, 6])


def test_lanes_sharing_a_space_group_share_its_limit() -> None:
    # Lanes 0 and 1 in one group with room for 1. c0 busy 0-10; c1 (lane 0) waits; c2 (lane 1)
    # finds the shared space full and balks.
    q = make(
        [0, 1, 2],
        [(((0, 1),), [10, 1, 1])],
        lanes=[1, 0, 1],
        n_lanes=2,
        space_group=[0, 0],
        space_limit=[1],
    )
    out = drive(q, [(OPEN, 0, 0, 1)], 1000)
    assert out.outcome.tolist() == [SERVED, SERVED, BALKED]


def test_separate_space_groups_have_separate_limits() -> None:
    # Lane 0 (green) in group 1, unlimited; lane 1 (general) in group 0, room for 1 waiting.
    # c1 (general) fills group 0; c2 (green) still joins; c3 (general) balks.
    q = make(
        [0, 1, 2, 3],
        [(((0, 1),), [10, 1, 1, 1])],
        lanes=[1, 1, 0, 1],
        n_lanes=2,
        space_group=[1, 0],
        space_limit=[1, None],
    )
    out = drive(q, [(OPEN, 0, 0, 1)], 1000)
    assert out.outcome.tolist() == [SERVED, SERVED, SERVED, BALKED]
    # Green c2 first at 10, then c1.
    assert_times(out.start[0], [0, 11, 10, NAN])


def test_only_the_entrance_line_is_limited() -> None:
    # Space limit 0 at the entrance; stage 1 (one slow server) has an unlimited line.
    # Stage 0 has 3 servers, so nobody waits there and nobody balks; all three queue at stage 1.
    q = make(
        [0, 0, 0],
        [(((0,),), [1, 1, 1]), (((0,),), [5, 5, 5])],
        space_limit=[0],
    )
    out = drive(q, [(OPEN, 0, 0, 3), (OPEN, 1, 0, 1)], 1000)
    assert out.outcome.tolist() == [SERVED] * 3
    assert_times(out.start[1], [1, 6, 11])


def test_reneging_by_hand() -> None:
    # c0 served 0-10. c1 (arr 1, patience 4) would wait until 10: it leaves at 5.
    # c2 (arr 2, no limit) is served instead at 10.
    out = single([0, 1, 2], [10, 5, 5], patience=[INF, 4, INF])
    assert out.outcome.tolist() == [SERVED, RENEGED, SERVED]
    assert out.exit_time[1] == 5.0
    assert out.left_stage[1] == 0
    assert np.isnan(out.start[0][1]) and np.isnan(out.end[0][1])
    assert_times(out.start[0][[0, 2]], [0, 10])
    assert_times(out.end[0][[0, 2]], [10, 15])


def test_patience_longer_than_the_wait_does_not_renege() -> None:
    # c1's patience (20) outlasts its wait (9): served at 10; the later deadline (21) is moot.
    out = single([0, 1, 2], [10, 5, 5], patience=[INF, 20, INF])
    assert out.outcome.tolist() == [SERVED] * 3
    assert_times(out.start[0], [0, 10, 15])
    assert np.isnan(out.exit_time).all()


def test_patience_does_not_apply_once_in_service() -> None:
    # c0 starts at once with a tiny patience: it is never reneged.
    out = single([0], [10], patience=[0.5])
    assert out.outcome.tolist() == [SERVED]
    assert out.end[0][0] == 10.0


def test_reneging_frees_space_in_the_line() -> None:
    # Room for 1. c0 busy 0-100; c1 waits, reneges at 1 + 5 = 6; c2 (arr 3) balks (line full);
    # c3 (arr 7) finds the place free again and joins.
    out = single([0, 1, 3, 7], [100] * 4, space_limit=(1,), patience=[INF, 5, INF, INF])
    assert out.outcome.tolist() == [SERVED, RENEGED, BALKED, SERVED]
    assert out.exit_time[1] == 6.0
    assert out.start[0][3] == 100.0


def test_several_reneges_in_priority_lanes() -> None:
    # One server, lane 0 high. c0 (low) 0-10. Waiting: c1 low (patience 3, leaves at 4),
    # c2 high (patience 20), c3 low. At 10: c2 10-11, then c3 11-12.
    q = make(
        [0, 1, 2, 3],
        [(((0, 1),), [10, 1, 1, 1])],
        lanes=[1, 1, 0, 1],
        n_lanes=2,
        patience=[INF, 3, 20, INF],
    )
    out = drive(q, [(OPEN, 0, 0, 1)], 1000)
    assert out.outcome.tolist() == [SERVED, RENEGED, SERVED, SERVED]
    assert out.exit_time[1] == 4.0
    assert_times(out.start[0][[0, 2, 3]], [0, 10, 11])


@pytest.mark.parametrize("waiting_first", [False, True], ids=["server_index_lower", "waiter_lower"])
def test_patience_ending_exactly_when_a_server_frees_is_served(waiting_first: bool) -> None:
    # Customers renege when they wait *longer* than their patience. A customer whose patience
    # runs out at the very instant a server frees (possible with deterministic durations) has
    # waited exactly its patience and is served, whichever customer index is lower.
    if not waiting_first:
        # c0 served 0-10; c1 (arr 1, patience 9) reaches its limit at 10.
        q = make([0, 1], [(((0,),), [10, 1])], patience=[INF, 9])
        out = drive(q, [(OPEN, 0, 0, 1)], 1000)
        waiter = 1
    else:
        # Closed until 2; c0 (low lane, arr 0, patience 10) and c1 (high lane, arr 1) wait.
        # At 2 the high one goes first, 2-10; c0 reaches its limit at 10, when the server frees.
        q = make(
            [0, 1],
            [(((0, 1),), [1, 8])],
            lanes=[1, 0],
            n_lanes=2,
            patience=[10, INF],
        )
        out = drive(q, [(2, 0, 0, 1)], 1000)
        waiter = 0
    assert OUTCOME_NAMES[out.outcome[waiter]] == "served"
    assert out.start[0][waiter] == 10.0


def test_waiting_count_excludes_reneged_customers() -> None:
    q = make([0, 1, 2], [(((0,),), [10, 1, 1])], patience=[INF, 2, INF])
    q.set_capacity(0, 0, 1, 0.0)
    q.advance(2.5)
    assert q.waiting(0, 0) == 2
    q.advance(3.0)  # c1 leaves at 1 + 2 = 3
    assert q.waiting(0, 0) == 1


def test_not_admitted_customers_take_neither_space_nor_server() -> None:
    # c1 is turned away at arrival: recorded with exit = arrival, and c2 is served after c0.
    out = single([0, 1, 2], [5, 5, 5], admitted=[True, False, True], space_limit=(1,))
    assert out.outcome.tolist() == [SERVED, NOT_ADMITTED, SERVED]
    assert out.exit_time[1] == 1.0
    assert out.left_stage[1] == 0
    assert np.isnan(out.start[0][1])
    assert_times(out.start[0][[0, 2]], [0, 5])


def test_not_admitted_even_when_a_server_is_free() -> None:
    out = single([0, 1], [1, 1], servers=3, admitted=[False, True])
    assert out.outcome.tolist() == [NOT_ADMITTED, SERVED]
    assert out.exit_time[0] == 0.0
    assert out.start[0][1] == 1.0


def test_outcome_names_match_codes() -> None:
    assert OUTCOME_NAMES[SERVED] == "served"
    assert OUTCOME_NAMES[BALKED] == "balked"
    assert OUTCOME_NAMES[RENEGED] == "reneged"
    assert OUTCOME_NAMES[NOT_ADMITTED] == "not_admitted"
    assert OUTCOME_NAMES[UNSERVED] == "unserved"


# ---------------------------------------------------------------------------
# Capacity changes
# ---------------------------------------------------------------------------


def test_closed_at_start_then_opening_later() -> None:
    # No server until 5: both wait; at 5 one server opens: 5-7, 7-9.
    q = make([0, 1], [(((0,),), [2, 2])])
    out = drive(q, [(5, 0, 0, 1)], 1000)
    assert_times(out.start[0], [5, 7])
    assert_times(out.end[0], [7, 9])


def test_opening_several_servers_takes_several_waiting_at_once() -> None:
    q = make([0, 1, 2], [(((0,),), [2, 2, 2])])
    out = drive(q, [(5, 0, 0, 2)], 1000)
    assert_times(out.start[0], [5, 5, 7])


def test_opening_serves_waiting_lanes_by_priority() -> None:
    # Closed until 5: c0 (low), c1 (high) wait; at opening the high one goes first.
    q = make([0, 1], [(((0, 1),), [2, 2])], lanes=[1, 0], n_lanes=2)
    out = drive(q, [(5, 0, 0, 1)], 1000)
    assert_times(out.start[0], [7, 5])


def test_capacity_decrease_while_busy_lets_services_finish() -> None:
    # 2 servers, cut to 1 at t=1 while both are busy (c0 0-4, c1 0-6).
    # At 4 c0 leaves: busy 1 == capacity 1, so nobody starts. At 6 c1 leaves: c2 6-9, c3 9-12.
    q = make([0, 0, 0, 0], [(((0,),), [4, 6, 3, 3])])
    out = drive(q, [(OPEN, 0, 0, 2), (1, 0, 0, 1)], 1000)
    assert_times(out.start[0], [0, 0, 6, 9])
    assert_times(out.end[0], [4, 6, 9, 12])


def test_closing_while_busy_then_reopening() -> None:
    # Close at 1: c0 (0-4) finishes; c1 waits through the closure until it reopens at 10.
    q = make([0, 0.5], [(((0,),), [4, 1])])
    out = drive(q, [(OPEN, 0, 0, 1), (1, 0, 0, 0), (10, 0, 0, 1)], 1000)
    assert_times(out.start[0], [0, 10])
    assert_times(out.end[0], [4, 11])


def test_capacity_reports_the_open_servers() -> None:
    q = make([0], [(((0,),), [1]), (((0,),), [1])])
    assert q.capacity(0, 0) == 0 and q.capacity(1, 0) == 0  # all pools start closed
    q.set_capacity(1, 0, 3, 0.0)
    assert (q.capacity(0, 0), q.capacity(1, 0)) == (0, 3)
    q.set_capacity(1, 0, 1, 2.0)
    assert q.capacity(1, 0) == 1


def test_capacity_increase_mid_run() -> None:
    # One server: c0 0-10, c1 and c2 wait. A second server opens at 3: c1 starts 3-13;
    # c2 waits for the first free server: 10-20.
    q = make([0, 1, 2], [(((0,),), [10, 10, 10])])
    out = drive(q, [(OPEN, 0, 0, 1), (3, 0, 0, 2)], 1000)
    assert_times(out.start[0], [0, 3, 10])


def test_capacity_applies_per_pool() -> None:
    # Two pools both serving lane 0; pool 1 opens only at 5. c0 0-10 on pool 0;
    # c1 waits until pool 1 opens at 5.
    q = make([0, 1], [(((0,), (0,)), [10, 10])])
    out = drive(q, [(OPEN, 0, 0, 1), (5, 0, 1, 1)], 1000)
    assert_times(out.start[0], [0, 5])
    assert out.pool[0].tolist() == [0, 1]


def test_negative_capacity_is_rejected() -> None:
    q = make([0], [(((0,),), [1])])
    with pytest.raises(ValueError, match="capacity"):
        q.set_capacity(0, 0, -1, 0.0)


# ---------------------------------------------------------------------------
# The end of the run
# ---------------------------------------------------------------------------


def test_finish_leaves_waiting_unserved_and_completes_services_under_way() -> None:
    # One server: c0 0-10, c1 10-20 (in service at the end, 15, so it completes);
    # c2 is still waiting at 15: unserved with exit 15 - not reneged later, even though its
    # patience (arr 2 + 100 = 102) would only run out after the end.
    q = make([0, 1, 2], [(((0,),), [10, 10, 10])], patience=[INF, 100, 100])
    out = drive(q, [(OPEN, 0, 0, 1), (15, 0, 0, 0)], 15)
    assert out.outcome.tolist() == [SERVED, SERVED, UNSERVED]
    assert_times(out.end[0][:2], [10, 20])
    assert out.exit_time[2] == 15.0
    assert out.left_stage[2] == 0
    assert np.isnan(out.start[0][2])


def test_finish_before_patience_ends_is_unserved_not_reneged() -> None:
    # c1's patience runs out at 1 + 8 = 9 but the run ends at 6: unserved at 6.
    q = make([0, 1], [(((0,),), [10, 10])], patience=[INF, 8])
    out = drive(q, [(OPEN, 0, 0, 1), (6, 0, 0, 0)], 6)
    assert out.outcome.tolist() == [SERVED, UNSERVED]
    assert out.exit_time[1] == 6.0


def test_reneged_before_the_end_stays_reneged() -> None:
    q = make([0, 1], [(((0,),), [10, 10])], patience=[INF, 2])
    out = drive(q, [(OPEN, 0, 0, 1), (6, 0, 0, 0)], 6)
    assert out.outcome.tolist() == [SERVED, RENEGED]
    assert out.exit_time[1] == 3.0


def test_finish_mid_way_through_two_stages() -> None:
    # Stage 0 (5 min), stage 1 (1 min), one server each, both closed at the end (8).
    # c0: 0-5, 5-6. c1: stage 0 5-10 (under way at 8, completes at 10), then finds stage 1
    # closed: left unserved at stage 1 with exit 8. c2 (arr 2) still waiting at stage 0.
    q = make([0, 1, 2], [(((0,),), [5, 5, 5]), (((0,),), [1, 1, 1])])
    out = drive(q, [(OPEN, 0, 0, 1), (OPEN, 1, 0, 1), (8, 0, 0, 0), (8, 1, 0, 0)], 8)
    assert out.outcome.tolist() == [SERVED, UNSERVED, UNSERVED]
    assert out.end[0][1] == 10.0
    assert np.isnan(out.start[1][1])
    assert out.left_stage.tolist() == [-1, 1, 0]
    assert_times(out.exit_time, [NAN, 8, 8])


def test_no_service_starts_after_the_end_when_capacity_is_left_open() -> None:
    # finish() documents: "whoever is still waiting then is left unserved" and "a customer who
    # completes a stage after end_time joins the next line and is left unserved there".
    # Stage 0: 2 servers (1 min); stage 1: 1 server (10 min), left open at the end (5).
    # c0: 0-1, then stage 1 1-11 (under way at 5: completes). c1: 0-1, then waits at stage 1
    # from 1; at the end (5) it is still waiting, so it must be unserved with exit 5, not
    # served at 11 after the run has ended.
    q = make([0, 0], [(((0,),), [1, 1]), (((0,),), [10, 10])])
    out = drive(q, [(OPEN, 0, 0, 2), (OPEN, 1, 0, 1)], 5)
    assert out.outcome[0] == SERVED
    assert out.end[1][0] == 11.0
    assert out.outcome[1] == UNSERVED
    assert out.left_stage[1] == 1
    assert out.exit_time[1] == 5.0
    assert np.isnan(out.start[1][1])


def test_customer_arriving_after_the_end_is_not_recorded_as_served() -> None:
    # All servers close at the end (10); c1 arrives at 20, after the end. Whatever the kernel
    # does with it, it must not be recorded as served while having no service times.
    q = make([0, 20], [(((0,),), [1, 1])])
    out = drive(q, [(OPEN, 0, 0, 1), (10, 0, 0, 0)], 10)
    assert out.outcome[0] == SERVED
    served = out.outcome == SERVED
    assert np.isfinite(out.end[0][served]).all(), (
        f"outcome {out.outcome.tolist()} but stage-0 end {out.end[0].tolist()}"
    )


def test_advance_after_finish_is_an_error() -> None:
    q = make([0], [(((0,),), [1])])
    drive(q, [(OPEN, 0, 0, 1)], 5)
    with pytest.raises(RuntimeError):
        q.advance(10)


def test_records_are_consistent_on_a_random_instance() -> None:
    # A larger instance with every feature on: check invariants that must hold whatever the
    # order of events, against the configuration (not against the kernel's own logic).
    rng = np.random.default_rng(12345)
    n = 3000
    arr = np.sort(rng.uniform(0, 600, n))
    lanes = (rng.random(n) < 0.3).astype(np.int8)  # 30 % green (lane 0)
    s0 = rng.exponential(1.5, n)
    s1 = rng.exponential(2.5, n)
    patience = rng.exponential(20.0, n)
    admitted = rng.random(n) < 0.95
    q = make(
        arr,
        [(((1,), (0, 1)), s0), (((0, 1),), s1)],
        lanes=lanes,
        n_lanes=2,
        space_group=[1, 0],
        space_limit=[15, None],  # green (lane 0 -> group 1) unlimited, general room for 15
        patience=patience,
        admitted=admitted,
    )
    changes: list[Change] = [
        (OPEN, 0, 0, 2),
        (OPEN, 0, 1, 1),
        (OPEN, 1, 0, 4),
        (200, 0, 0, 1),
        (300, 1, 0, 2),
        (400, 0, 0, 3),
        (400, 1, 0, 5),
        (600, 0, 0, 0),
        (600, 0, 1, 0),
        (600, 1, 0, 0),
    ]
    out = drive(q, changes, 600)
    served = out.outcome == SERVED
    # Every outcome occurs here.
    for code in (SERVED, BALKED, RENEGED, NOT_ADMITTED, UNSERVED):
        assert np.any(out.outcome == code), OUTCOME_NAMES[code]
    # Not admitted iff flagged.
    np.testing.assert_array_equal(out.outcome == NOT_ADMITTED, ~admitted)
    # Served: both stages, in order, with the drawn service times.
    assert np.all(out.start[0][served] >= arr[served])
    assert np.all(out.start[1][served] >= out.end[0][served])
    np.testing.assert_allclose(out.end[0][served] - out.start[0][served], s0[served])
    np.testing.assert_allclose(out.end[1][served] - out.start[1][served], s1[served])
    assert np.isnan(out.exit_time[served]).all()
    # Reneged: left at arrival + patience, before any service.
    ren = out.outcome == RENEGED
    np.testing.assert_allclose(out.exit_time[ren], arr[ren] + patience[ren])
    assert np.isnan(out.start[0][ren]).all()
    # Balked, not admitted: left on arrival.
    gone = (out.outcome == BALKED) | (out.outcome == NOT_ADMITTED)
    np.testing.assert_array_equal(out.exit_time[gone], arr[gone])
    # Green customers never balk (their group is unlimited).
    assert not np.any((out.outcome == BALKED) & (lanes == 0))
    # Pool 0 at stage 0 serves only general customers.
    assert not np.any((out.pool[0] == 0) & (lanes == 0))
    # No service starts after the end.
    for s in range(2):
        started = np.isfinite(out.start[s])
        assert np.all(out.start[s][started] <= 600)
    # Capacity is respected at every service start: services under way per pool never exceed
    # the capacity in force when one starts.
    steps = {
        (0, 0): [(0, 2), (200, 1), (400, 3)],
        (0, 1): [(0, 1)],
        (1, 0): [(0, 4), (300, 2), (400, 5)],
    }
    for (s, p), sched in steps.items():
        mine = out.pool[s] == p
        st, en = out.start[s][mine], out.end[s][mine]
        assert st.size > 0
        for t in st:
            cap = max(c for t0, c in sched if t0 <= t)
            in_service = int(np.sum((st <= t) & (en > t)))
            assert in_service <= cap, (s, p, t, in_service, cap)
    # Entrance FIFO within a lane for those served by the same pool set: green customers start
    # stage 0 in arrival order.
    g = served & (lanes == 0)
    assert np.all(np.diff(out.start[0][g]) >= 0)


# ---------------------------------------------------------------------------
# Input validation
# ---------------------------------------------------------------------------


def test_unsorted_arrivals_are_rejected() -> None:
    with pytest.raises(ValueError, match="sorted"):
        make([0, 2, 1], [(((0,),), [1, 1, 1])])


def test_lane_without_a_pool_is_rejected() -> None:
    with pytest.raises(ValueError, match="no server pool"):
        make([0, 1], [(((0,),), [1, 1])], lanes=[0, 1], n_lanes=2)


def test_lane_without_a_pool_at_a_later_stage_is_rejected() -> None:
    with pytest.raises(ValueError, match="stage 1"):
        make(
            [0, 1],
            [(((0, 1),), [1, 1]), (((0,),), [1, 1])],
            lanes=[0, 1],
            n_lanes=2,
        )


def test_pool_serving_an_unknown_lane_is_rejected() -> None:
    with pytest.raises(ValueError, match=r"lanes in 0\.\.0"):
        make([0], [(((0, 1),), [1])])


def test_pool_serving_no_lane_is_rejected() -> None:
    with pytest.raises(ValueError):
        make([0], [(((0,), ()), [1])])


def test_service_length_mismatch_is_rejected() -> None:
    with pytest.raises(ValueError, match="service"):
        make([0, 1], [(((0,),), [1])])


def test_lane_length_mismatch_is_rejected() -> None:
    with pytest.raises(ValueError, match="lane"):
        TandemQueue(
            np.array([0.0, 1.0]),
            np.array([0], dtype=np.int8),
            [StageSpec(((0,),), np.array([1.0, 1.0]))],
            n_lanes=1,
            space_group=[0],
            space_limit=[None],
        )


def test_space_group_per_lane_is_required() -> None:
    with pytest.raises(ValueError, match="space_group"):
        make([0], [(((0,),), [1])], n_lanes=2, space_group=[0])


def test_arrivals_at_the_opening_instant_start_at_that_instant() -> None:
    # With the driver's order (advance to the change time, then open), arrivals at the opening
    # instant first join the line, then the opening pull takes them at once.
    q = make([0, 0, 0], [(((0,),), [2, 2, 2])])
    out = drive(q, [(0, 0, 0, 2)], 1000)
    assert_times(out.start[0], [0, 0, 2])
    assert out.outcome.tolist() == [SERVED] * 3


# ---------------------------------------------------------------------------
# How the collection point wires the kernel's space groups
# ---------------------------------------------------------------------------


def test_dedicated_green_channel_has_its_own_unlimited_line(
    load_config: Callable[..., ScenarioConfig],
) -> None:
    # sim/model/district.py: in dedicated mode the green lane has its own (unlimited) line.
    # With a short entrance line (10 places) and too few desks, general residents must be the
    # ones who balk; green residents never balk.
    from sim.experiment.run import run
    from sim.model import records as rec

    cfg = load_config(
        "scenario=busy_point",
        "site.green_channel.mode=dedicated",
        "site.queue_space_m=10",
        "site.registration_desks=3",
        "demand.residents=3000",
        "demand.green_share=0.3",
        "demand.patience_min=null",
    )
    r = run(cfg).site.residents
    balked = r.outcome == rec.BALKED
    green_balked = int(np.sum(balked & (r.lane == rec.GREEN)))
    general_balked = int(np.sum(balked & (r.lane == rec.GENERAL)))
    assert (green_balked, general_balked > 0) == (0, True), (
        f"{green_balked} green and {general_balked} general residents balked: the space limit "
        "is applied to the green lane instead of the general one"
    )

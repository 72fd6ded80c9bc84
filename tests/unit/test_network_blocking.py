"""Blocking after service in the queue kernel (:attr:`sim.engine.network.StationSpec.block_after`).

The small cases use fixed service times, so the expected start and end times are worked out by
hand in the comments and compared exactly; a random case checks invariants.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pytest

from sim.engine.network import (
    OUTCOME_NAMES,
    SERVED,
    UNSERVED,
    NetworkRecords,
    QueueNetwork,
    SiteSpec,
    StationSpec,
)

NAN = math.nan
#: Opening time for "open from the start": just before the first departure at 0.
OPEN = -1.0

Pools = tuple[tuple[int, ...], ...]
Floats = Sequence[float] | np.ndarray
Station = tuple[Pools, Floats, int | None]


def build(
    departures: Floats,
    stations: Sequence[Station],
    *,
    lanes: Sequence[int] | np.ndarray | None = None,
    windows: tuple[tuple[float, float], ...] = (),
) -> QueueNetwork:
    """One site of stations in series; ``stations`` holds ``(pools, service, block_after)``."""
    dep = np.asarray(departures, dtype=float)
    n = len(dep)
    lane = np.zeros(n, dtype=np.int64) if lanes is None else np.asarray(lanes, dtype=np.int64)
    n_lanes = 1 + max(q for pools, _, _ in stations for lanes_ in pools for q in lanes_)
    specs = [
        StationSpec(
            site=0,
            slot=k,
            pools=pools,
            space_group=(0,) * n_lanes if k == 0 else (),
            block_after=block,
        )
        for k, (pools, _, block) in enumerate(stations)
    ]
    return QueueNetwork(
        departures=dep,
        order=np.arange(n),
        home=np.zeros(n, dtype=np.int64),
        lane=lane,
        service=[np.asarray(svc, dtype=float) for _, svc, _ in stations],
        stations=specs,
        sites=[SiteSpec(tuple(range(len(stations))), windows)],
        space_limit=[None],
    )


def open_all(net: QueueNetwork, servers: Sequence[Sequence[int]], t: float = OPEN) -> None:
    """Open ``servers[station][pool]`` servers at ``t``."""
    for st, counts in enumerate(servers):
        for p, count in enumerate(counts):
            net.set_capacity(st, p, count, t)


def run(
    departures: Floats,
    stations: Sequence[Station],
    servers: Sequence[Sequence[int]],
    end: float = 1000.0,
    **kw: object,
) -> NetworkRecords:
    net = build(departures, stations, **kw)  # type: ignore[arg-type]
    open_all(net, servers)
    return net.finish(end)


def check(values: np.ndarray, expected: Floats) -> None:
    np.testing.assert_array_equal(values, np.asarray(expected, dtype=float))


# ------------------------------------------------------------------ hand-computed cases

#: Five customers at 0; station 0: one server, 1 min each; station 1: one server, 5 min each.
FIVE = [0.0] * 5
ONES = [1.0] * 5
FIVES = [5.0] * 5


def test_tandem_with_one_place_blocks_the_first_station() -> None:
    # C0: st0 [0,1], straight into st1 [1,6].  C1: st0 [1,2], joins st1's line (1 place).
    # C2: st0 [2,3), line full: blocked on the server until C1 starts st1 at 6 (C2 joins the
    # line, its end at st0 is 6).  C3: st0 from 6, completes 7, blocked until C2 starts at 11.
    # C4: st0 from 11, completes 12, blocked until C3 starts at 16.  st1 serves back to back.
    rec = run(FIVE, [(((0,),), ONES, 1), (((0,),), FIVES, None)], [[1], [1]])
    check(rec.start[0], [0, 1, 2, 6, 11])
    check(rec.end[0], [1, 2, 6, 11, 16])
    check(rec.start[1], [1, 6, 11, 16, 21])
    check(rec.end[1], [6, 11, 16, 21, 26])
    assert (rec.outcome == SERVED).all()
    check(rec.exit_time, [NAN] * 5)


def test_waiting_at_counts_the_customers_held_on_a_server() -> None:
    # As above, at 3.5: C1 waits in st1's line, C2 (done at 3) is held on st0's server, C3 and
    # C4 wait at the entrance (the queue board posts all four as waiting).
    net = build(FIVE, [(((0,),), ONES, 1), (((0,),), FIVES, None)])
    open_all(net, [[1], [1]])
    net.advance(3.5)
    assert net.waiting_in(0, 0) == 2 and net.waiting_in(1, 0) == 1
    assert net.waiting_at(0) == 4


def test_without_block_after_the_same_tandem_is_not_blocked() -> None:
    # st0 serves back to back [k, k+1]; everyone waits in st1's line instead.
    unblocked = [(((0,),), ONES, None), (((0,),), FIVES, None)]
    rec = run(FIVE, unblocked, [[1], [1]])
    check(rec.start[0], [0, 1, 2, 3, 4])
    check(rec.end[0], [1, 2, 3, 4, 5])
    check(rec.start[1], [1, 6, 11, 16, 21])
    check(rec.end[1], [6, 11, 16, 21, 26])
    # a limit never reached changes nothing either
    roomy = run(FIVE, [(((0,),), ONES, 5), (((0,),), FIVES, None)], [[1], [1]])
    for k in range(2):
        check(roomy.start[k], rec.start[k])
        check(roomy.end[k], rec.end[k])


def test_block_after_zero_moves_on_only_into_service() -> None:
    # No line at st1: C1 completes st0 at 2 and holds its server until st1 frees at 6, so C2
    # starts st0 at 6, completes 7 and holds it until 11, and so on.
    rec = run(FIVE, [(((0,),), ONES, 0), (((0,),), FIVES, None)], [[1], [1]])
    check(rec.start[0], [0, 1, 6, 11, 16])
    check(rec.end[0], [1, 6, 11, 16, 21])
    check(rec.start[1], [1, 6, 11, 16, 21])
    check(rec.end[1], [6, 11, 16, 21, 26])


def test_blocked_customers_keep_their_lane_priority() -> None:
    # st0: 4 servers; st1: one server for lanes (0, 1), lane 0 first, 10 min each; one place.
    # A (lane 1) st0 [0,1] -> st1 [1,11].  X (lane 0) st0 [0,2] -> st1's line.
    # D (lane 1) completes st0 at 3, E (lane 0) at 4: both blocked, D first.
    # 11: st1 takes X from the line; D (blocked first, whatever the lane) joins lane 1's line.
    # 21: lane 0's line is empty but E, lane 0, is blocked: E goes straight in, before D.
    # 31: D.  The order at st1 (A X E D) is the one without blocking.
    lanes = [1, 0, 1, 0]
    st0 = (((0, 1),), [1.0, 2.0, 3.0, 4.0])
    st1 = (((0, 1),), [10.0] * 4)
    rec = run([0.0] * 4, [(*st0, 1), (*st1, None)], [[4], [1]], lanes=lanes)
    check(rec.end[0], [1, 2, 11, 21])
    check(rec.start[1], [1, 11, 31, 21])
    check(rec.end[1], [11, 21, 41, 31])
    free = run([0.0] * 4, [(*st0, None), (*st1, None)], [[4], [1]], lanes=lanes)
    check(free.end[0], [1, 2, 3, 4])
    check(free.start[1], rec.start[1])


def test_blocked_customer_taken_by_a_dedicated_pool_of_their_lane() -> None:
    # st1: pool 0 serves lane 0 only, pool 1 lane 1 only, one server each, 10 min; one place.
    # A (lane 0) st0 [0,1] -> st1 pool 0 [1,11].  B (lane 1) st0 [0,1] -> pool 1 [1,11].
    # C (lane 0) completes st0 at 2 -> line.  D (lane 1) completes 3 -> blocked (line full).
    # 11: pool 0 takes C from the line, which releases D into lane 1's line; pool 1 takes D.
    lanes = [0, 1, 0, 1]
    st0 = (((0, 1),), [1.0, 1.0, 2.0, 3.0], 1)
    st1 = (((0,), (1,)), [10.0] * 4, None)
    rec = run([0.0] * 4, [st0, st1], [[4], [1, 1]], lanes=lanes)
    check(rec.end[0], [1, 1, 2, 11])
    check(rec.start[1], [1, 1, 11, 11])
    check(rec.pool[1], [0, 1, 0, 1])
    # the same with block_after=0: C and D are blocked, each taken by its own pool at 11
    st0_zero = (st0[0], st0[1], 0)
    rec = run([0.0] * 4, [st0_zero, st1], [[4], [1, 1]], lanes=lanes)
    check(rec.end[0], [1, 1, 11, 11])
    check(rec.start[1], [1, 1, 11, 11])


def test_blocking_before_the_last_of_three_stations() -> None:
    # st0 1 min, st1 1 min (blocks, no place), st2 4 min, one server each; three customers.
    # C0: st0 [0,1] st1 [1,2] st2 [2,6].  C1: st0 [1,2] st1 [2,3], blocked until 6, st2 [6,10].
    # C2: st0 [2,3], st1 busy (C1 blocked on it): waits in st1's line (no limit there) until 6,
    # st1 [6,7], blocked until 10, st2 [10,14].
    stations = [
        (((0,),), [1.0] * 3, None),
        (((0,),), [1.0] * 3, 0),
        (((0,),), [4.0] * 3, None),
    ]
    rec = run([0.0] * 3, stations, [[1], [1], [1]])
    check(rec.end[0], [1, 2, 3])
    check(rec.start[1], [1, 2, 6])
    check(rec.end[1], [2, 6, 10])
    check(rec.start[2], [2, 6, 10])
    check(rec.end[2], [6, 10, 14])


# ------------------------------------------------------------------ closing and finishing


def test_close_site_releases_blocked_customers_unserved() -> None:
    # The five-customer tandem, plus F departing at 9. At 8: C1 is in service at st1 [6,11],
    # C2 waits in st1's line, C3 (st0 from 6, completed 7) is blocked, C4 waits at st0.
    # Closing at 8: C2 and C4 leave unserved from their lines, C3 leaves its server at 8,
    # unserved at st1. C1 finishes (no windows: the site is open again at once). F then finds
    # st0's server free: st0 [9,10], waits in st1's line, st1 [11,16].
    net = build(
        [*FIVE, 9.0],
        [(((0,),), [*ONES, 1.0], 1), (((0,),), [*FIVES, 5.0], None)],
    )
    open_all(net, [[1], [1]])
    net.close_site(0, 8.0)
    assert net.waiting_at(0) == 0
    rec = net.finish(100.0)
    assert rec.outcome.tolist() == [SERVED, SERVED, UNSERVED, UNSERVED, UNSERVED, SERVED]
    check(rec.left_slot.astype(float), [-1, -1, 1, 1, 0, -1])
    check(rec.exit_time, [NAN, NAN, 8, 8, 8, NAN])
    check(rec.start[0], [0, 1, 2, 6, NAN, 9])
    check(rec.end[0], [1, 2, 6, 8, NAN, 10])
    check(rec.start[1], [1, 6, NAN, NAN, NAN, 11])
    check(rec.end[1], [6, 11, NAN, NAN, NAN, 16])


def test_finish_with_customers_blocked() -> None:
    # End at 8 as above: C3 is blocked (unserved at st1, end at st0 8), C2 and C4 wait.
    # C1 completes st1 at 11, after the end: still served (services under way are completed).
    rec = run(FIVE, [(((0,),), ONES, 1), (((0,),), FIVES, None)], [[1], [1]], end=8.0)
    assert rec.outcome.tolist() == [SERVED, SERVED, UNSERVED, UNSERVED, UNSERVED]
    check(rec.left_slot.astype(float), [-1, -1, 1, 1, 0])
    check(rec.end[0], [1, 2, 6, 8, NAN])
    check(rec.end[1], [6, 11, NAN, NAN, NAN])


def test_completion_after_the_end_joins_the_line_unblocked() -> None:
    # C0: st0 [0,1], st1 [1,31]. C1: st0 from 1 for 10 min, in service at the end (5): it
    # completes st0 at 11, after the end, and is left unserved at st1 (not blocked on its
    # server: its end at st0 is its completion, 11, not the end of the run).
    stations = [(((0,),), [1.0, 10.0], 0), (((0,),), [30.0, 30.0], None)]
    rec = run([0.0, 0.0], stations, [[1], [1]], end=5.0)
    assert rec.outcome.tolist() == [SERVED, UNSERVED]
    check(rec.end[0], [1, 11])
    assert rec.left_slot[1] == 1


# ------------------------------------------------------------------ a random case: invariants


def line_counts(enter: np.ndarray, leave: np.ndarray) -> np.ndarray:
    """Number in a line after all entries and exits at each event time."""
    times = np.concatenate([enter, leave])
    steps = np.concatenate([np.ones(len(enter)), -np.ones(len(leave))])
    idx = np.argsort(times, kind="stable")
    times, total = times[idx], np.cumsum(steps[idx])
    last_of_time = np.append(times[1:] != times[:-1], True)
    return total[last_of_time]


def max_overlap(start: np.ndarray, end: np.ndarray) -> int:
    """Most intervals ``[start, end)`` open at once (an end at t before a start at t)."""
    times = np.concatenate([end, start])
    steps = np.concatenate([-np.ones(len(end)), np.ones(len(start))])
    idx = np.lexsort((steps, times))
    return int(np.cumsum(steps[idx]).max(initial=0))


def test_random_network_respects_the_limits_and_conserves_customers() -> None:
    rng = np.random.default_rng(20240611)
    n = 1500
    departures = np.sort(rng.uniform(0.0, 600.0, n))
    lanes = rng.integers(0, 2, n)
    # st0: pool 0 (2 servers) lanes 0 then 1, pool 1 (1 server) lane 1 only; blocks with 3
    # places before st1. st1: two single-server pools, each preferring one lane; blocks with
    # 1 place before st2. st2: three servers. Loaded so that blocking happens often.
    servers = [[2, 1], [1, 1], [3]]
    blocks = [3, 1, None]
    pools: list[Pools] = [((0, 1), (1,)), ((0, 1), (1, 0)), ((0, 1),)]
    means = [1.0, 0.7, 1.25]
    service = [rng.exponential(m, n) for m in means]
    windows = ((0.0, 300.0), (400.0, 600.0))
    net = build(
        departures,
        [(pools[k], service[k], blocks[k]) for k in range(3)],
        lanes=lanes,
        windows=windows,
    )
    open_all(net, servers)
    net.advance(150.0)
    net.set_capacity(2, 0, 2, 150.0)  # a booth closes for a while
    net.advance(200.0)
    net.set_capacity(2, 0, 3, 200.0)
    net.close_site(0, 300.0)
    rec = net.finish(600.0)

    # conservation: everyone is served or left somewhere, with a time
    assert set(rec.outcome.tolist()) <= set(range(len(OUTCOME_NAMES)))
    served = rec.outcome == SERVED
    assert served.sum() > n // 2
    for k in range(3):
        assert np.isfinite(rec.start[k][served]).all()
        assert np.isfinite(rec.end[k][served]).all()
    assert (rec.left_slot[served] == -1).all()
    assert np.isnan(rec.exit_time[served]).all()
    assert (rec.left_slot[~served] >= 0).all()
    assert np.isfinite(rec.exit_time[~served]).all()
    assert (rec.outcome[~served] != SERVED).all()
    assert (rec.attempts == 1).all()

    for k, limit in enumerate(blocks):
        reached = np.isfinite(rec.start[k])
        done = np.isfinite(rec.end[k])
        assert (done == reached).all()  # whoever starts a service leaves the server
        # the server is held at least for the service (longer when blocked)
        held = rec.end[k][done] - rec.start[k][done]
        assert (held >= service[k][done] - 1e-9).all()
        # no pool serves more customers at once than it has servers
        for p, count in enumerate(servers[k]):
            mine = rec.pool[k] == p
            assert max_overlap(rec.start[k][mine], rec.end[k][mine]) <= count
        if limit is None:
            continue
        # the lines of the next station: entered when leaving this station's server, left at
        # the start of service there (or when left unserved there)
        nxt = k + 1
        went_on = np.isfinite(rec.start[nxt])
        assert (rec.start[nxt][went_on] >= rec.end[k][went_on]).all()
        gone = ~went_on & (rec.left_slot == nxt)
        leave = np.where(went_on, rec.start[nxt], rec.exit_time)
        joined = done & (went_on | gone)
        assert joined.sum() == done.sum()
        counts = line_counts(rec.end[k][joined], leave[joined])
        assert counts.min() >= 0
        assert counts.max() == limit  # reached, never exceeded
        # blocking did happen: some held their server longer than their service
        assert (held > service[k][done] + 1e-9).sum() > 10


def test_random_network_unchanged_by_a_limit_never_reached() -> None:
    rng = np.random.default_rng(7)
    n = 500
    departures = np.sort(rng.uniform(0.0, 300.0, n))
    lanes = rng.integers(0, 2, n)
    service = [rng.exponential(m, n) for m in (1.0, 0.9)]
    pools: Pools = ((0, 1), (1, 0))
    out = []
    for block in (None, n):
        net = build(
            departures,
            [(pools, service[0], block), (pools, service[1], None)],
            lanes=lanes,
        )
        open_all(net, [[1, 1], [1, 1]])
        out.append(net.finish(400.0))
    free, roomy = out
    for k in range(2):
        np.testing.assert_array_equal(free.start[k], roomy.start[k])
        np.testing.assert_array_equal(free.end[k], roomy.end[k])
        np.testing.assert_array_equal(free.pool[k], roomy.pool[k])
    np.testing.assert_array_equal(free.outcome, roomy.outcome)


def bas_tandem(
    arrival: np.ndarray, s0: np.ndarray, s1: np.ndarray, places: int
) -> tuple[np.ndarray, ...]:
    """The classic recursion of two single-server FIFO stations with ``places`` places between
    them and blocking after service: customer i leaves server 0 when done and when customer
    i - places has started service at station 1 (for 0 places: when server 1 is free)."""
    n = len(arrival)
    start0, leave0, start1, end1 = (np.zeros(n) for _ in range(4))
    for i in range(n):
        start0[i] = max(arrival[i], leave0[i - 1] if i else -np.inf)
        done = start0[i] + s0[i]
        if places == 0:
            leave0[i] = max(done, end1[i - 1] if i else -np.inf)
        else:
            leave0[i] = max(done, start1[i - places] if i >= places else -np.inf)
        start1[i] = max(leave0[i], end1[i - 1] if i else -np.inf)
        end1[i] = start1[i] + s1[i]
    return start0, leave0, start1, end1


@pytest.mark.parametrize("places", [0, 1, 3])
def test_single_server_tandem_matches_the_blocking_recursion(places: int) -> None:
    rng = np.random.default_rng(places)
    n = 400
    arrival = np.cumsum(rng.exponential(1.0, n))
    s0 = rng.exponential(0.8, n)
    s1 = rng.exponential(0.95, n)
    rec = run(arrival, [(((0,),), s0, places), (((0,),), s1, None)], [[1], [1]], end=1e9)
    assert (rec.outcome == SERVED).all()
    start0, leave0, start1, end1 = bas_tandem(arrival, s0, s1, places)
    np.testing.assert_allclose(rec.start[0], start0, rtol=0, atol=1e-9)
    np.testing.assert_allclose(rec.end[0], leave0, rtol=0, atol=1e-9)
    np.testing.assert_allclose(rec.start[1], start1, rtol=0, atol=1e-9)
    np.testing.assert_allclose(rec.end[1], end1, rtol=0, atol=1e-9)
    assert (leave0 > start0 + s0 + 1e-9).sum() > 20  # blocking happened


# ------------------------------------------------------------------ validation


@pytest.mark.parametrize(
    ("block", "message"),
    [
        ((None, 2), "station 1: block_after needs a next station"),
        ((-1, None), "station 0: block_after must be None or an int >= 0, got -1"),
        ((1.5, None), "station 0: block_after must be None or an int >= 0, got 1.5"),
        ((True, None), "station 0: block_after must be None or an int >= 0, got True"),
    ],
)
def test_block_after_is_checked(block: tuple[object, object], message: str) -> None:
    stations = [
        (((0,),), ONES, block[0]),
        (((0,),), FIVES, block[1]),
    ]
    with pytest.raises(ValueError, match=message):
        build(FIVE, stations)  # type: ignore[arg-type]


def test_block_after_accepts_a_numpy_integer() -> None:
    numpy_one: Any = np.int64(1)
    rec = run(FIVE, [(((0,),), ONES, numpy_one), (((0,),), FIVES, None)], [[1], [1]])
    check(rec.end[0], [1, 2, 6, 11, 16])

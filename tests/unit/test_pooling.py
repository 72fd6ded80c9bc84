"""Pooling at the booths (:func:`sim.model.pooling.pool_swabs`) on hand-made swab times.

Times are minutes after midnight of day 1. Unless a test says otherwise there is one point with
one booth serving one day from 420 (07:00) to 1320 (22:00).
"""

from __future__ import annotations

import numpy as np
import pytest

from sim.model.pooling import Tubes, pool_swabs

OPEN, CLOSE = 420.0, 1320.0


def pool(
    times: list[float] | np.ndarray,
    k: int,
    max_open: float | None = None,
    site: list[int] | None = None,
    booths: list[int] | None = None,
    days: list[list[tuple[float, float]]] | None = None,
) -> Tubes:
    t = np.asarray(times, dtype=float)
    s = np.zeros(t.size, dtype=np.int64) if site is None else np.asarray(site)
    b = [1] if booths is None else booths
    d = [[(OPEN, CLOSE)] for _ in b] if days is None else days
    return pool_swabs(
        t,
        s,
        np.asarray(b),
        [np.array([w[0] for w in ws]) for ws in d],
        [np.array([w[1] for w in ws]) for ws in d],
        k,
        max_open,
    )


def groups(tubes: Tubes) -> list[list[int]]:
    """Swab indices of each tube, in tube order."""
    return [tubes.members[f : f + n].tolist() for f, n in zip(tubes.first, tubes.size, strict=True)]


def assert_partition(tubes: Tubes, n_swabs: int) -> None:
    """Every swab is in exactly one tube and the offsets tile ``members``."""
    assert sorted(tubes.members.tolist()) == list(range(n_swabs))
    assert int(tubes.size.sum()) == n_swabs
    np.testing.assert_array_equal(tubes.first, np.concatenate(([0], np.cumsum(tubes.size)[:-1])))
    assert (tubes.size >= 1).all()
    assert (tubes.tube_of_swab(n_swabs) >= 0).all()


# ------------------------------------------------------------------------------ dense and sparse


def test_dense_swabs_fill_tubes_of_exactly_k_closing_at_the_kth_swab() -> None:
    times = OPEN + np.arange(30) * 0.5  # one swab every 30 s: 10 swabs in 4.5 min
    tubes = pool(times, k=10, max_open=60.0)
    assert groups(tubes) == [list(range(0, 10)), list(range(10, 20)), list(range(20, 30))]
    np.testing.assert_array_equal(tubes.size, [10, 10, 10])
    np.testing.assert_allclose(tubes.opened, times[[0, 10, 20]])
    np.testing.assert_allclose(tubes.closed, times[[9, 19, 29]])


def test_last_partial_tube_of_the_day_closes_at_the_days_end() -> None:
    times = OPEN + np.arange(13) * 0.5
    tubes = pool(times, k=10, max_open=None)
    np.testing.assert_array_equal(tubes.size, [10, 3])
    assert tubes.closed[0] == times[9]
    assert tubes.closed[1] == CLOSE  # no time limit: open until the day ends


def test_sparse_swabs_close_the_tube_at_max_open_after_its_first_swab() -> None:
    # One swab every 25 min, 60 min limit: a tube takes swabs at 0, 25, 50 (<= 60) and closes at
    # 60 with 3; the next opens at 75 and takes 75, 100, 125 and closes at 135, ...
    times = OPEN + np.arange(8) * 25.0
    tubes = pool(times, k=10, max_open=60.0)
    assert groups(tubes) == [[0, 1, 2], [3, 4, 5], [6, 7]]
    np.testing.assert_allclose(tubes.opened, OPEN + np.array([0.0, 75.0, 150.0]))
    np.testing.assert_allclose(tubes.closed[:2], OPEN + np.array([60.0, 135.0]))
    # The last tube also closes 60 min after its first swab (well before the day ends).
    assert tubes.closed[2] == pytest.approx(OPEN + 210.0)


def test_a_swab_exactly_at_the_limit_is_still_in_the_tube() -> None:
    times = OPEN + np.array([0.0, 30.0, 60.0, 61.0])
    tubes = pool(times, k=10, max_open=60.0)
    assert groups(tubes) == [[0, 1, 2], [3]]
    assert tubes.closed[0] == OPEN + 60.0


def test_tube_never_closes_after_the_day_end_because_of_the_limit() -> None:
    times = np.array([CLOSE - 20.0, CLOSE - 10.0])
    tubes = pool(times, k=10, max_open=60.0)
    assert groups(tubes) == [[0, 1]]
    assert tubes.closed[0] == CLOSE  # min(first + 60, day end)


def test_full_tube_closes_at_its_last_swab_even_within_the_limit() -> None:
    times = OPEN + np.array([0.0, 1.0, 2.0, 50.0])
    tubes = pool(times, k=3, max_open=60.0)
    assert groups(tubes) == [[0, 1, 2], [3]]
    assert tubes.closed[0] == OPEN + 2.0
    assert tubes.closed[1] == OPEN + 110.0


def test_opened_is_first_swab_and_closed_not_before_last_swab() -> None:
    rng = np.random.default_rng(7)
    times = np.sort(rng.uniform(OPEN, CLOSE, 700))
    tubes = pool(times, k=7, max_open=45.0, booths=[3])
    assert_partition(tubes, times.size)
    for (f, n), opened, closed in zip(
        zip(tubes.first, tubes.size, strict=True), tubes.opened, tubes.closed, strict=True
    ):
        t = times[tubes.members[f : f + n]]
        assert opened == t.min()
        assert closed >= t.max()
        assert closed - opened <= 45.0 + 1e-9
        assert n <= 7


# ------------------------------------------------------------------------------ days and booths


def test_tubes_never_span_two_days() -> None:
    days = [[(OPEN, CLOSE), (OPEN + 1440.0, CLOSE + 1440.0)]]
    # 3 swabs at the end of day 1, 3 at the start of day 2: k=10, no time limit.
    times = np.array([CLOSE - 3, CLOSE - 2, CLOSE - 1, OPEN + 1440, OPEN + 1441, OPEN + 1442])
    tubes = pool(times, k=10, max_open=None, days=days)
    assert groups(tubes) == [[0, 1, 2], [3, 4, 5]]
    np.testing.assert_allclose(tubes.closed, [CLOSE, CLOSE + 1440.0])


def test_a_swab_finishing_slightly_after_the_days_end_stays_in_that_days_tube() -> None:
    # The last resident in line is swabbed at 22:00:30: it still belongs to day 1 (the last
    # day started by then), and the tube closes at that swab rather than at 22:00.
    days = [[(OPEN, CLOSE), (OPEN + 1440.0, CLOSE + 1440.0)]]
    times = np.array([CLOSE - 5.0, CLOSE + 0.5, OPEN + 1440.0 + 1.0])
    tubes = pool(times, k=10, max_open=60.0, days=days)
    assert groups(tubes) == [[0, 1], [2]]
    assert tubes.closed[0] == CLOSE + 0.5
    assert tubes.closed[1] == OPEN + 1440.0 + 61.0


def test_tubes_never_span_two_points() -> None:
    times = np.array([OPEN, OPEN + 1, OPEN + 2, OPEN + 3])
    tubes = pool(times, k=10, max_open=None, site=[0, 1, 0, 1], booths=[1, 1])
    assert sorted(groups(tubes)) == [[0, 2], [1, 3]]
    for t, g in enumerate(groups(tubes)):
        assert {[0, 1, 0, 1][i] for i in g} == {int(tubes.site[t])}


def test_two_booths_take_consecutive_swabs_into_different_tubes() -> None:
    times = OPEN + np.arange(8) * 0.5
    tubes = pool(times, k=4, max_open=None, booths=[2])
    # Swabs dealt to the booths in turn: booth 0 gets 0, 2, 4, 6 and booth 1 gets 1, 3, 5, 7.
    assert sorted(groups(tubes)) == [[0, 2, 4, 6], [1, 3, 5, 7]]
    tube = tubes.tube_of_swab(times.size)
    assert all(tube[i] != tube[i + 1] for i in range(times.size - 1))
    np.testing.assert_allclose(sorted(tubes.closed), [times[6], times[7]])


def test_unsorted_input_is_pooled_in_time_order() -> None:
    times = OPEN + np.array([3.0, 0.0, 2.0, 1.0])
    tubes = pool(times, k=2, max_open=None)
    assert groups(tubes) == [[1, 3], [2, 0]]
    np.testing.assert_allclose(tubes.closed, OPEN + np.array([1.0, 3.0]))


def test_every_swab_is_in_exactly_one_tube_across_points_booths_and_days() -> None:
    rng = np.random.default_rng(3)
    days = [
        [(OPEN, CLOSE), (OPEN + 1440.0, CLOSE + 1440.0)],
        [(OPEN + 60.0, CLOSE - 60.0), (OPEN + 1500.0, CLOSE + 1380.0)],
        [(OPEN, CLOSE), (OPEN + 1440.0, CLOSE + 1440.0)],
    ]
    site = rng.integers(0, 3, 2000)
    day = rng.integers(0, 2, 2000)
    times = np.array(
        [rng.uniform(days[s][d][0], days[s][d][1]) for s, d in zip(site, day, strict=True)]
    )
    booths = [4, 2, 1]
    tubes = pool(times, k=10, max_open=60.0, site=site.tolist(), booths=booths, days=days)
    assert_partition(tubes, times.size)
    tube = tubes.tube_of_swab(times.size)
    np.testing.assert_array_equal(tubes.site[tube], site)
    for g in groups(tubes):
        assert len(set(day[g].tolist())) == 1, "a tube spans two days"
    # Booth round-robin: within a point and day, the swabs of one tube are every b-th swab.
    for s, b in enumerate(booths):
        for d in (0, 1):
            mine = np.flatnonzero((site == s) & (day == d))
            ordered = mine[np.argsort(times[mine], kind="stable")]
            booth_of = {int(i): pos % b for pos, i in enumerate(ordered)}
            for g in groups(tubes):
                if g[0] in booth_of:
                    assert len({booth_of[i] for i in g}) == 1, "a tube spans two booths"


def test_site_without_swabs_makes_no_tubes() -> None:
    times = np.array([OPEN, OPEN + 1])
    tubes = pool(times, k=5, max_open=None, site=[1, 1], booths=[2, 1])
    assert tubes.n == 1
    assert tubes.site.tolist() == [1]


def test_no_swabs_no_tubes() -> None:
    tubes = pool(np.zeros(0), k=5, max_open=60.0)
    assert tubes.n == 0
    assert tubes.members.size == 0


# ------------------------------------------------------------------------------ k = 1


def test_pool_size_one_gives_one_tube_per_swab_closed_at_the_swab() -> None:
    rng = np.random.default_rng(11)
    times = rng.uniform(OPEN, CLOSE, 50)
    tubes = pool(times, k=1, max_open=60.0, booths=[3])
    assert tubes.n == times.size
    assert (tubes.size == 1).all()
    assert_partition(tubes, times.size)
    np.testing.assert_array_equal(tubes.opened, times[tubes.members])
    np.testing.assert_array_equal(tubes.closed, times[tubes.members])


def test_pool_size_below_one_is_rejected() -> None:
    with pytest.raises(ValueError, match="pool_size"):
        pool([OPEN], k=0)


def test_a_round_with_more_booths_fills_more_tubes_at_once() -> None:
    # one point, two days; 10 swabs a day, large pools, no time limit: one tube per booth
    # and day; a second day with 4 booths (campaign.round_overrides) fills 4 tubes
    t = np.concatenate([480.0 + np.arange(10), 1920.0 + np.arange(10)])
    site = np.zeros(20, dtype=np.int64)
    starts, ends = [np.array([420.0, 1860.0])], [np.array([1260.0, 2700.0])]
    same = pool_swabs(t, site, np.array([2]), starts, ends, 100, None)
    assert same.size.tolist() == [5, 5, 5, 5]
    more = pool_swabs(t, site, np.array([2]), starts, ends, 100, None, [np.array([2, 4])])
    day2 = more.opened >= 1860.0
    assert (~day2).sum() == 2 and day2.sum() == 4
    assert sorted(more.size[day2].tolist()) == [2, 2, 3, 3]
    # every swab in exactly one tube, the day's swabs dealt in turn
    assert sorted(more.members.tolist()) == list(range(20))
    # a constant count given per day is the same as the point's booths
    again = pool_swabs(t, site, np.array([2]), starts, ends, 100, None, [np.array([2, 2])])
    assert again.members.tolist() == same.members.tolist()
    assert again.size.tolist() == same.size.tolist()

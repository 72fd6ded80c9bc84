"""Unit tests for named random streams (:class:`sim.engine.streams.RandomStreams`)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from sim.engine.streams import RandomStreams


def draws(streams: RandomStreams, name: str, n: int = 8) -> np.ndarray:
    return streams(name).random(n)


def test_same_seed_replication_and_name_give_identical_draws() -> None:
    a = draws(RandomStreams(42, 3), "swab_time", 100)
    b = draws(RandomStreams(42, 3), "swab_time", 100)
    np.testing.assert_array_equal(a, b)


def test_the_same_generator_object_is_returned_and_continues() -> None:
    s = RandomStreams(1)
    g = s("arrivals")
    assert s("arrivals") is g
    first, second = s("arrivals").random(5), s("arrivals").random(5)
    both = RandomStreams(1)("arrivals").random(10)
    np.testing.assert_array_equal(np.concatenate([first, second]), both)


@pytest.mark.parametrize(
    ("other_seed", "other_rep", "other_name"),
    [(42, 0, "registration_time"), (42, 1, "swab_time"), (43, 0, "swab_time")],
    ids=["name", "replication", "seed"],
)
def test_different_name_replication_or_seed_give_different_draws(
    other_seed: int, other_rep: int, other_name: str
) -> None:
    a = draws(RandomStreams(42, 0), "swab_time", 50)
    b = draws(RandomStreams(other_seed, other_rep), other_name, 50)
    assert not np.any(a == b)


def test_seed_and_replication_are_not_interchangeable() -> None:
    a = draws(RandomStreams(1, 2), "x", 20)
    b = draws(RandomStreams(2, 1), "x", 20)
    assert not np.any(a == b)


def test_new_streams_do_not_shift_existing_ones() -> None:
    # Order independence: asking for (and drawing from) other streams first, or in between,
    # leaves the draws of an existing stream unchanged.
    ref = RandomStreams(7, 1)
    expected = draws(ref, "patience", 20)

    s = RandomStreams(7, 1)
    s("green").random(1000)
    s("barcode").integers(0, 10, 500)
    got_first = s("patience").random(10)
    s("site_b/patience").random(1000)  # a new stream created mid-way
    got_rest = s("patience").random(10)
    np.testing.assert_array_equal(np.concatenate([got_first, got_rest]), expected)


def test_prefixed_names_are_distinct_streams() -> None:
    s = RandomStreams(5)
    assert not np.any(draws(s, "a/swab_time", 50) == draws(s, "b/swab_time", 50))
    assert not np.any(draws(s, "swab_time", 50) == draws(s, "a/swab_time", 50))


def test_streams_are_uncorrelated() -> None:
    # Two named streams of one replication: sample correlation within 5 standard errors of 0
    # (SE of a correlation under independence is 1/sqrt(n)).
    n = 100_000
    s = RandomStreams(11)
    x, y = s("one").standard_normal(n), s("two").standard_normal(n)
    assert abs(np.corrcoef(x, y)[0, 1]) <= 5 / np.sqrt(n)
    # Same across replications of one name.
    z = RandomStreams(11, 1)("one").standard_normal(n)
    assert abs(np.corrcoef(x, z)[0, 1]) <= 5 / np.sqrt(n)


def test_stream_draws_are_uniform() -> None:
    u = RandomStreams(3, 2)("arrivals").random(50_000)
    assert stats.kstest(u, "uniform").pvalue > 1e-3


def test_names_lists_streams_used_so_far_sorted() -> None:
    s = RandomStreams(0)
    assert s.names == []
    s("b")
    s("a")
    s("b")
    assert s.names == ["a", "b"]


def test_unicode_names_work() -> None:
    s = RandomStreams(0)
    np.testing.assert_array_equal(draws(s, "Náměstí/swab"), draws(RandomStreams(0), "Náměstí/swab"))


@pytest.mark.parametrize(("seed", "rep"), [(-1, 0), (0, -1)])
def test_negative_seed_or_replication_is_rejected(seed: int, rep: int) -> None:
    with pytest.raises(ValueError):
        RandomStreams(seed, rep)


def test_attributes() -> None:
    s = RandomStreams(9, 4)
    assert (s.seed, s.replication) == (9, 4)
    assert RandomStreams(9).replication == 0

"""Unit tests for :class:`sim.engine.distributions.LazyDraws` (items drawn when first asked)."""

from __future__ import annotations

import numpy as np
import pytest

from sim.engine.distributions import LazyDraws


def _counting(calls: list[int]) -> LazyDraws:
    def draw(k: int) -> np.ndarray:
        calls.append(k)
        return np.random.default_rng(k).random(5)

    return LazyDraws(1_000_000, draw)


def test_nothing_is_drawn_until_asked() -> None:
    calls: list[int] = []
    lazy = _counting(calls)
    assert len(lazy) == 1_000_000
    assert lazy.drawn == [] and calls == []


def test_an_item_is_drawn_once_and_kept() -> None:
    calls: list[int] = []
    lazy = _counting(calls)
    first = lazy[3]
    assert lazy[3] is first
    np.testing.assert_array_equal(first, np.random.default_rng(3).random(5))
    lazy[0]
    assert calls == [3, 0]
    assert lazy.drawn == [0, 3]


def test_indexing_follows_sequence_rules() -> None:
    calls: list[int] = []
    lazy = _counting(calls)
    assert lazy[-1] is lazy[999_999]
    assert [x is lazy[k] for k, x in zip(range(2, 4), lazy[2:4], strict=True)] == [True, True]
    with pytest.raises(IndexError):
        lazy[1_000_000]
    with pytest.raises(IndexError):
        lazy[-1_000_001]
    assert lazy.drawn == [2, 3, 999_999]


def test_iteration_draws_every_item_in_order() -> None:
    calls: list[int] = []
    lazy = LazyDraws(3, lambda k: (calls.append(k), np.full(2, float(k)))[1])
    assert [float(x[0]) for x in lazy] == [0.0, 1.0, 2.0]
    assert calls == [0, 1, 2]


def test_empty_and_negative_lengths() -> None:
    assert len(LazyDraws(0, lambda k: np.zeros(1))) == 0
    assert list(LazyDraws(0, lambda k: np.zeros(1))) == []
    with pytest.raises(ValueError, match="length"):
        LazyDraws(-1, lambda k: np.zeros(1))

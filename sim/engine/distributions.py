"""Vectorised samplers for non-negative durations.

Each sampler draws a whole block at once: ``sampler(rng, n)`` returns an array of ``n`` values in
the unit of the parameters. Lognormal and gamma are given by mean and coefficient of variation
(CV = standard deviation / mean), the way planners state observed service times.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import overload

import numpy as np

Sampler = Callable[[np.random.Generator, int], np.ndarray]


@dataclass(frozen=True)
class Distribution:
    """A duration distribution with a known mean and second moment.

    Attributes
    ----------
    kind
        Name of the family.
    sample
        ``sample(rng, n) -> ndarray`` of ``n`` draws.
    mean
        Expected value.
    second_moment
        E[X^2], used by Pollaczek-Khinchine checks.
    """

    kind: str
    sample: Sampler
    mean: float
    second_moment: float

    @property
    def cv(self) -> float:
        """Coefficient of variation."""
        var = max(self.second_moment - self.mean**2, 0.0)
        return math.sqrt(var) / self.mean if self.mean > 0 else 0.0

    def scaled(self, factor: float) -> Distribution:
        """The same distribution with every value multiplied by ``factor`` (unit change)."""
        inner = self.sample
        return Distribution(
            self.kind,
            lambda rng, n: inner(rng, n) * factor,
            self.mean * factor,
            self.second_moment * factor * factor,
        )


class BlockDraws:
    """One value at a time from ``dist``, drawn ``block`` at a time from one stream.

    For event-driven code that needs a draw per event (a run time, a trip) without a call to
    the generator per draw.
    """

    def __init__(self, dist: Distribution, rng: np.random.Generator, block: int = 256) -> None:
        self._dist = dist
        self._rng = rng
        self._block = block
        self._values: list[float] = []

    def __call__(self) -> float:
        if not self._values:
            self._values = self._dist.sample(self._rng, self._block).tolist()[::-1]
        return self._values.pop()


class LazyDraws(Sequence[np.ndarray]):
    """A sequence of ``length`` arrays, array ``k`` drawn by ``draw(k)`` when first asked for.

    For plans with many allowed but few used items (e.g. one array per allowed attempt):
    memory and time grow with the items actually used, not with ``length``. Each item is drawn
    once and kept, so asking again gives the same array. ``draw(k)`` should depend on ``k``
    only (e.g. draw from a stream named after ``k``), so the values do not depend on the order
    or the number of items asked for.
    """

    def __init__(self, length: int, draw: Callable[[int], np.ndarray]) -> None:
        if length < 0:
            raise ValueError(f"length must be >= 0, got {length}")
        self._length = length
        self._draw = draw
        self._items: dict[int, np.ndarray] = {}

    def __len__(self) -> int:
        return self._length

    @overload
    def __getitem__(self, k: int) -> np.ndarray: ...

    @overload
    def __getitem__(self, k: slice) -> list[np.ndarray]: ...

    def __getitem__(self, k: int | slice) -> np.ndarray | list[np.ndarray]:
        if isinstance(k, slice):
            return [self[i] for i in range(*k.indices(self._length))]
        i = operator.index(k)
        if i < 0:
            i += self._length
        if not 0 <= i < self._length:
            raise IndexError(f"index {k} out of range for {self._length} items")
        item = self._items.get(i)
        if item is None:
            item = self._items[i] = self._draw(i)
        return item

    @property
    def drawn(self) -> list[int]:
        """Indices of the items drawn so far, ascending."""
        return sorted(self._items)


def exponential(mean: float) -> Distribution:
    """Exponential with the given mean."""
    return Distribution("exponential", lambda rng, n: rng.exponential(mean, n), mean, 2 * mean**2)


def deterministic(value: float) -> Distribution:
    """Always ``value``."""
    return Distribution("deterministic", lambda rng, n: np.full(n, float(value)), value, value**2)


def lognormal(mean: float, cv: float) -> Distribution:
    """Lognormal with the given mean and coefficient of variation."""
    sigma2 = math.log1p(cv * cv)
    mu = math.log(mean) - sigma2 / 2.0
    sigma = math.sqrt(sigma2)
    return Distribution(
        "lognormal",
        lambda rng, n: rng.lognormal(mu, sigma, n),
        mean,
        mean * mean * (1.0 + cv * cv),
    )


def gamma(mean: float, cv: float) -> Distribution:
    """Gamma with the given mean and coefficient of variation (shape = 1 / cv^2)."""
    shape = 1.0 / (cv * cv)
    scale = mean / shape
    return Distribution(
        "gamma",
        lambda rng, n: rng.gamma(shape, scale, n),
        mean,
        mean * mean * (1.0 + cv * cv),
    )


def triangular(low: float, mode: float, high: float) -> Distribution:
    """Triangular on [low, high] with the given mode."""
    mean = (low + mode + high) / 3.0
    var = (low**2 + mode**2 + high**2 - low * mode - low * high - mode * high) / 18.0
    if high == low:
        return deterministic(low)
    return Distribution(
        "triangular", lambda rng, n: rng.triangular(low, mode, high, n), mean, var + mean**2
    )


def uniform(low: float, high: float) -> Distribution:
    """Uniform on [low, high]."""
    mean = (low + high) / 2.0
    var = (high - low) ** 2 / 12.0
    return Distribution("uniform", lambda rng, n: rng.uniform(low, high, n), mean, var + mean**2)


def empirical(values: Sequence[float]) -> Distribution:
    """Resample the observed ``values`` with replacement."""
    data = np.asarray(values, dtype=float)
    return Distribution(
        "empirical",
        lambda rng, n: data[rng.integers(0, len(data), n)],
        float(data.mean()),
        float((data**2).mean()),
    )


def never() -> Distribution:
    """An infinite duration (e.g. no patience limit)."""
    return Distribution("never", lambda rng, n: np.full(n, math.inf), math.inf, math.inf)

"""Named random streams.

Every source of randomness draws from its own :class:`numpy.random.Generator`, seeded by
``SeedSequence([seed, replication, crc32(name)])``. A stream depends only on the seed, the
replication number and its name, so two scenarios run with the same seed and replication share
streams (common random numbers), and adding a new stream never shifts an existing one.
"""

from __future__ import annotations

import zlib

import numpy as np


class RandomStreams:
    """A factory of named, independent random generators for one replication.

    Parameters
    ----------
    seed
        Base seed of the run (an integer >= 0).
    replication
        Replication number (an integer >= 0); replications are independent.
    """

    def __init__(self, seed: int, replication: int = 0, prefix: str = "") -> None:
        if seed < 0 or replication < 0:
            raise ValueError(f"seed and replication must be >= 0, got {seed}, {replication}")
        self.seed = seed
        self.replication = replication
        self.prefix = prefix
        self._cache: dict[str, np.random.Generator] = {}

    def with_prefix(self, prefix: str) -> RandomStreams:
        """Streams of the same replication whose names all start with ``prefix``."""
        return RandomStreams(self.seed, self.replication, self.prefix + prefix)

    def __call__(self, name: str) -> np.random.Generator:
        """Return the generator for ``name`` (the same object on each call)."""
        name = self.prefix + name
        gen = self._cache.get(name)
        if gen is None:
            key = zlib.crc32(name.encode("utf-8"))
            seq = np.random.SeedSequence([self.seed, self.replication, key])
            gen = np.random.Generator(np.random.PCG64(seq))
            self._cache[name] = gen
        return gen

    @property
    def names(self) -> list[str]:
        """Names of the streams used so far."""
        return sorted(self._cache)

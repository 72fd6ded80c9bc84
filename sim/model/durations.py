"""Durations from config: a :class:`DistributionConfig` becomes an engine sampler in minutes."""

from __future__ import annotations

from sim.config.schema import DistributionConfig
from sim.engine import distributions as d


def distribution(cfg: DistributionConfig, to_minutes: float) -> d.Distribution:
    """Build the engine distribution for ``cfg``, scaled to minutes.

    Parameters
    ----------
    to_minutes
        Minutes per unit of the config field (1/60 for a ``_s`` field, 1 for ``_min``).
    """
    k = to_minutes
    if cfg.kind == "exponential":
        assert cfg.mean is not None
        return d.exponential(cfg.mean * k)
    if cfg.kind == "deterministic":
        assert cfg.mean is not None
        return d.deterministic(cfg.mean * k)
    if cfg.kind == "lognormal":
        assert cfg.mean is not None and cfg.cv is not None
        return d.lognormal(cfg.mean * k, cfg.cv)
    if cfg.kind == "gamma":
        assert cfg.mean is not None and cfg.cv is not None
        return d.gamma(cfg.mean * k, cfg.cv)
    if cfg.kind == "triangular":
        assert cfg.low is not None and cfg.mode is not None and cfg.high is not None
        return d.triangular(cfg.low * k, cfg.mode * k, cfg.high * k)
    if cfg.kind == "uniform":
        assert cfg.low is not None and cfg.high is not None
        return d.uniform(cfg.low * k, cfg.high * k)
    assert cfg.values is not None
    return d.empirical([v * k for v in cfg.values])

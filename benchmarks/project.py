"""Adapter for the project's own engine (package ``sim``) on the benchmark point.

The ``benchmark_point`` scenario is expected to encode the workload described in
:mod:`benchmarks.workload`; only the arrival rate is overridden here.
API used::

    cfg = sim.load_config(overrides=["scenario=benchmark_point",
                                     f"demand.rate_per_hour={rate_per_hour}"])
    s = sim.run(cfg, seed=seed).summary()
    # s["arrived"], s["tested"], s["n_tested_green"], s["n_tested_general"],
    # s["wait_mean_min_green"], s["wait_mean_min_general"]

The configuration is loaded once per rate in :func:`setup` (outside the timed
loop) and cached, so the timing measures simulation runs, not config parsing.
"""

from __future__ import annotations

import math

from benchmarks.workload import EngineUnavailable

_CONFIGS: dict[float, object] = {}


def _import_sim():
    try:
        import sim
    except ModuleNotFoundError as exc:
        if exc.name != "sim":
            raise  # a broken import inside the project is an error, not a skip
        raise EngineUnavailable("the project package 'sim' is not importable") from exc
    missing = [name for name in ("load_config", "run") if not hasattr(sim, name)]
    if missing:
        raise EngineUnavailable(
            f"the project package 'sim' has no {', '.join('sim.' + m for m in missing)} yet"
        )
    return sim


def _config(rate_per_min: float):
    cfg = _CONFIGS.get(rate_per_min)
    if cfg is None:
        sim = _import_sim()
        # 6.8 * 60 is 407.99999999999994 in binary floating point: pass "408".
        rate_per_hour = f"{round(rate_per_min * 60.0, 6):f}".rstrip("0").rstrip(".")
        cfg = sim.load_config(
            overrides=["scenario=benchmark_point", f"demand.rate_per_hour={rate_per_hour}"]
        )
        _CONFIGS[rate_per_min] = cfg
    return cfg


def setup(rate_per_min: float) -> None:
    """Import ``sim`` and compose the configuration once, before timing starts."""
    _config(rate_per_min)


def _wait_sum(mean: float, n: int) -> float:
    if n == 0 or mean is None or (isinstance(mean, float) and math.isnan(mean)):
        return 0.0
    return float(mean) * n


def run_point(rate_per_min: float, seed: int) -> dict:
    """Simulate one point for one day with the project's engine."""
    sim = _import_sim()
    s = sim.run(_config(rate_per_min), seed=seed).summary()
    n_green = int(s["n_tested_green"])
    n_general = int(s["n_tested_general"])
    return {
        "n_arrived": int(s["arrived"]),
        "n_tested": int(s["tested"]),
        "n_green": n_green,
        "wait_sum_green": _wait_sum(s["wait_mean_min_green"], n_green),
        "n_general": n_general,
        "wait_sum_general": _wait_sum(s["wait_mean_min_general"], n_general),
    }

"""masstest-sim: a discrete-event simulator of a district-wide mass testing round.

Typical use in Python or Jupyter::

    import sim
    cfg = sim.load_config(overrides=["site.swab_booths=6"])
    result = sim.run(cfg, seed=1)
    result.summary()        # flat dict of headline metrics
    result.residents        # one row per resident (pandas DataFrame), minutes after midnight
    sim.clock("08:30")      # 510.0: clock time to simulation minutes

Figures (``sim.plots``) are matplotlib ``Figure`` objects: Jupyter shows them inline; in a
script call ``fig.savefig("queue.png")``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sim.config import ConfigError, ConfigErrors, ScenarioConfig, build_config
from sim.config.clock import clock_to_min as clock
from sim.experiment import (
    RunResult,
    compare,
    metric_interval,
    paired_difference,
    run,
    run_replications,
    summary_frame,
)
from sim.experiment.city import run_city

if TYPE_CHECKING:
    from pathlib import Path

    from sim.config.city import CityConfig

__version__ = "0.1.0"


def load_config(
    overrides: list[str] | None = None,
    config_dir: str | Path | None = None,
    config_name: str = "config",
) -> ScenarioConfig:
    """Compose the scenario config like the command line does, and validate it.

    Parameters
    ----------
    overrides
        Hydra-style overrides, e.g. ``["scenario=single_station", "site.swab_booths=3"]``.
    config_dir
        A planner's own config folder, searched before the shipped ``configs/``: its files add
        scenarios and layouts, and replace shipped ones of the same name; a ``config.yaml`` in
        it (e.g. a run folder's) replaces the primary config.
    config_name
        Primary config file name without ``.yaml``.

    Raises
    ------
    ConfigError
        A :class:`ConfigErrors` with every error of the config (``.errors``), each naming the
        field, the value and what is allowed (with the closest name for a misspelt one).
    """
    from sim.cli import compose  # Hydra is imported only by the CLI module

    return compose(overrides or [], config_dir, config_name)


def load_city(
    city: str | Path,
    overrides: list[str] | None = None,
    config_dir: str | Path | None = None,
) -> CityConfig:
    """Read a city file and build every district, checked together.

    Parameters
    ----------
    city
        A city YAML file, or a shipped city's name (``city_3m``, ``wuhan``; see
        ``configs/cities/``).
    overrides
        ``key=value`` changes to the city file (``seed=2``, ``districts.0.residents=400000``,
        ``execution.n_jobs=2``).
    config_dir
        A planner's config folder the districts' scenarios are composed from (as for
        :func:`load_config`).

    Raises
    ------
    ConfigError
        A :class:`ConfigErrors` with every error of the city, each naming the field (a
        district's under ``districts.<k>``), the value and what is allowed.
    """
    from sim.cli import compose_dict  # Hydra is imported only by the CLI module
    from sim.config.city import build_city, read_city

    data = read_city(city, overrides or [])
    return build_city(data, lambda ov: compose_dict(ov, config_dir))


def __getattr__(name: str) -> Any:
    """``sim.plots`` and ``sim.plan_staffing`` on first use (``import sim`` stays light: no
    matplotlib, no scipy)."""
    import importlib

    if name == "plots":
        return importlib.import_module("sim.plots")
    if name == "plan_staffing":  # sim.planning.plan.plan_staffing
        return importlib.import_module("sim.planning.plan").plan_staffing
    raise AttributeError(f"module 'sim' has no attribute {name!r}")


__all__ = [
    "ConfigError",
    "ConfigErrors",
    "RunResult",
    "ScenarioConfig",
    "build_config",
    "clock",
    "compare",
    "load_city",
    "load_config",
    "metric_interval",
    "paired_difference",
    "plan_staffing",
    "run",
    "run_city",
    "run_replications",
    "summary_frame",
]

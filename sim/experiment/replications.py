"""Many replications of a scenario, serial or in parallel worker processes.

Each replication is a pure function of (config, seed, replication), so the results are the same
whichever way they are run.
"""

from __future__ import annotations

import logging
from concurrent.futures import ProcessPoolExecutor

from sim.config.cautions import config_warnings
from sim.config.schema import ScenarioConfig
from sim.experiment.result import RunResult
from sim.experiment.run import run

log = logging.getLogger(__name__)


def _one(args: tuple[ScenarioConfig, int, int]) -> RunResult:
    config, seed, replication = args
    return run(config, seed=seed, replication=replication)


def run_replications(
    config: ScenarioConfig,
    replications: int | None = None,
    seed: int | None = None,
    n_jobs: int = 1,
) -> list[RunResult]:
    """Run replications ``0 .. replications-1`` and return their results in order.

    Parameters
    ----------
    replications
        How many; defaults to ``config.replications``.
    n_jobs
        Worker processes (1: serial in this process).
    """
    n = config.replications if replications is None else replications
    if n < 1:
        raise ValueError(f"replications must be >= 1, got {n}")
    if n_jobs < 1:
        raise ValueError(f"n_jobs must be >= 1, got {n_jobs}")
    for warning in config_warnings(config):
        log.warning("%s", warning)
    s = config.seed if seed is None else seed
    jobs = [(config, s, k) for k in range(n)]
    if n_jobs == 1 or n == 1:
        return [_one(j) for j in jobs]
    with ProcessPoolExecutor(max_workers=min(n_jobs, n)) as pool:
        return list(pool.map(_one, jobs))

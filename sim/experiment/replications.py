"""Many replications of a scenario, serial or in parallel worker processes.

Each replication is a pure function of (config, seed, replication), so the results are the same
whichever way they are run.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterable, Sequence
from typing import Any, Literal

from sim.config.build import check_config
from sim.config.cautions import config_warnings
from sim.config.errors import ConfigError, did_you_mean
from sim.config.schema import ScenarioConfig
from sim.experiment.backends import Backend, check_backend, run_map
from sim.experiment.result import CompactResult, Keep, RunResult, compact
from sim.experiment.run import run

log = logging.getLogger(__name__)

#: The values of ``keep`` (see :data:`sim.experiment.result.Keep`).
KEEP = ("all", "tables", "residents")


def _one(args: tuple[ScenarioConfig, int, int, str]) -> RunResult | CompactResult:
    config, seed, replication, keep = args
    result = run(config, seed=seed, replication=replication)
    return result if keep == "all" else compact(result, residents=keep == "residents")


def run_replications(
    config: ScenarioConfig,
    replications: int | Literal["auto"] | None = None,
    seed: int | None = None,
    n_jobs: int = 1,
    keep: Keep = "all",
    backend: Backend = "processes",
    address: str | None = None,
) -> list[Any]:
    """Run replications ``0 .. replications-1`` and return their results in order.

    Parameters
    ----------
    replications
        How many; defaults to ``config.replications`` (``auto``: until every target is
        decided, see :func:`sim.experiment.targets.run_to_precision`).
    n_jobs
        Worker processes (1: serial in this process).
    keep
        ``all``: each replication's full records (:class:`RunResult`); ``tables``: its summary
        and tables only, made where it ran (:class:`CompactResult`: a few hundred kB to send
        back from a worker instead of tens of MB); ``residents``: those and the per-resident
        table. The summaries are the same whichever is kept.
    backend
        Where they run (:mod:`sim.experiment.backends`): ``serial`` (this process),
        ``processes`` (``n_jobs`` local worker processes; serial with 1) or ``ray`` (Ray tasks:
        a local Ray with ``n_jobs`` CPUs, or the cluster at ``address``). The same results on
        every backend.
    address
        A Ray cluster (``host:port``, ``ray://host:port`` or ``auto``); backend ``ray`` only.
    """
    n = config.replications if replications is None else replications
    if n != "auto" and (isinstance(n, bool) or not isinstance(n, int) or n < 1):
        raise ValueError(f"replications must be an integer >= 1 or 'auto', got {n!r}")
    check_backend(backend, n_jobs, address)
    if keep not in KEEP:
        raise ValueError(f"keep must be one of {', '.join(KEEP)}, got {keep!r}")
    check_config(config)
    for warning in config_warnings(config):
        log.warning("%s", warning)
    if n == "auto":
        from sim.experiment.targets import run_to_precision

        return run_to_precision(config, seed, n_jobs, keep=keep, backend=backend, address=address)
    return run_batch(config, range(n), seed, n_jobs, keep=keep, backend=backend, address=address)


def run_batch(
    config: ScenarioConfig,
    replications: range,
    seed: int | None = None,
    n_jobs: int = 1,
    keep: Keep = "all",
    backend: Backend = "processes",
    address: str | None = None,
) -> list[Any]:
    """Run the given replication numbers on ``backend`` (see :func:`run_replications`).

    A progress bar on stderr follows them when there are several and stderr is a terminal
    (none in CI logs or notebooks' captured output).
    """
    from tqdm import tqdm

    s = config.seed if seed is None else seed
    jobs = [(config, s, k, keep) for k in replications]

    def bar(results: Iterable[Any]) -> Iterable[Any]:
        return tqdm(
            results,
            total=len(jobs),
            desc="replications",
            disable=True if len(jobs) < 2 else None,
            leave=False,
        )

    return run_map(_one, jobs, backend=backend, n_jobs=n_jobs, address=address, progress=bar)


def objective_value(results: Sequence[RunResult]) -> float | None:
    """The summary metric named by the config's ``objective``, mean over the replications
    (what a Hydra sweeper minimises); None when the config names none.

    Raises
    ------
    ConfigError
        If ``objective`` names no numeric summary metric (the message lists them).
    """
    name = results[0].config.objective
    if name is None:
        return None
    values = [r.summary().get(name) for r in results]
    numbers = [float(v) for v in values if isinstance(v, int | float) and not isinstance(v, bool)]
    if len(numbers) != len(values):
        known = sorted(
            k
            for k, v in results[0].summary().items()
            if isinstance(v, int | float) and not isinstance(v, bool)
        )
        raise ConfigError(
            "objective",
            name,
            f"a numeric summary metric{did_you_mean(name, known)}: {', '.join(known)}",
        )
    return math.fsum(numbers) / len(numbers)

"""Targets over replications: verdicts, and replications until the targets are decided.

``replications: auto`` runs ``precision.min_replications``, then adds ``precision.batch`` at a
time (in parallel where ``n_jobs`` allows) until no target is undecided or
``precision.max_replications`` is reached. Replications are numbered 0, 1, 2, ... and the batch
is fixed, so the same config and seed stop at the same number on any machine.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sim.config.schema import ScenarioConfig
from sim.experiment.backends import Backend
from sim.experiment.result import AnyResult, Keep
from sim.metrics.targets import Verdict, all_decided, judge, target_values

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Precision:
    """How a ``replications: auto`` run ended.

    Attributes
    ----------
    replications
        Replications run.
    decided
        Whether every target was decided.
    reason
        Why it stopped, in a sentence.
    """

    replications: int
    decided: bool
    reason: str


def evaluate_targets(results: Sequence[AnyResult]) -> list[Verdict]:
    """The verdict on each of the config's targets from ``results`` (one per replication)."""
    if not results:
        return []
    config = results[0].config
    targets = config.judged_targets
    need_points = any(t.metric.startswith("worst_point_") for t in targets)
    values = [
        target_values(r.summary(), r.tables()["points"] if need_points else None) for r in results
    ]
    level = config.precision.level
    return [judge(t, [v.get(t.metric, float("nan")) for v in values], level) for t in targets]


def precision_of(
    results: Sequence[AnyResult], verdicts: Sequence[Verdict] | None = None
) -> Precision:
    """Why a run of ``results`` stopped where it did (for ``replications: auto``);
    ``verdicts``: their :func:`evaluate_targets`, when already judged."""
    config = results[0].config
    n = len(results)
    verdicts = evaluate_targets(results) if verdicts is None else verdicts
    undecided = [v.target.label for v in verdicts if v.verdict == "undecided"]
    if not undecided:
        return Precision(n, True, f"every target decided after {n} replications")
    cap = config.precision.max_replications
    if config.replications != "auto" or n < cap:
        return Precision(n, False, f"{len(undecided)} target(s) undecided after {n} replications")
    return Precision(
        n,
        False,
        f"stopped at the cap of {cap} replications (precision.max_replications) with "
        f"{len(undecided)} target(s) undecided: {', '.join(undecided)}",
    )


def run_to_precision(
    config: ScenarioConfig,
    seed: int | None = None,
    n_jobs: int = 1,
    keep: Keep = "all",
    backend: Backend = "processes",
    address: str | None = None,
) -> list[Any]:
    """Run replications until every target is decided or the cap is reached (``keep``,
    ``backend``, ``address``: as :func:`sim.experiment.replications.run_replications`)."""
    from sim.experiment.replications import run_batch

    p = config.precision
    results = run_batch(
        config, range(p.min_replications), seed, n_jobs, keep, backend=backend, address=address
    )
    verdicts = evaluate_targets(results)
    while not all_decided(verdicts) and len(results) < p.max_replications:
        more = range(len(results), min(len(results) + p.batch, p.max_replications))
        log.info("targets undecided after %d replications: adding %d", len(results), len(more))
        results += run_batch(config, more, seed, n_jobs, keep, backend=backend, address=address)
        verdicts = evaluate_targets(results)
    log.info("%s", precision_of(results, verdicts).reason)
    return results

"""Across replications and between layouts: summary tables and paired differences.

Two layouts run with the same seed and replication numbers share their random streams (common
random numbers), so the per-replication difference of a metric removes most of the noise; its
t interval says whether the layouts really differ.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np

from sim.config.schema import ScenarioConfig
from sim.experiment.result import AnyResult, RunResult
from sim.metrics.comparison import comparison_table
from sim.metrics.intervals import Interval, t_interval

if TYPE_CHECKING:
    import pandas as pd


def compare(
    layouts: Mapping[str, Sequence[RunResult] | ScenarioConfig]
    | Sequence[Sequence[RunResult] | ScenarioConfig],
    baseline: str | int | None = None,
    metrics: Sequence[str] = (),
    n_jobs: int = 1,
) -> pd.DataFrame:
    """Compare layouts: one row per layout with each metric's mean and 95% interval, the
    target verdicts, and with a ``baseline`` the paired differences to it.

    Parameters
    ----------
    layouts
        Results of each layout (replications of it), or configs to run (each with its own
        ``replications`` and the same seed, so that they share random streams); a mapping
        names them, a list uses the scenario names.
    baseline
        The layout the others are compared with (a name, or a position in ``layouts``).
    metrics
        Summary metrics to show (default: the headline metrics the runs have).
    n_jobs
        Worker processes for configs that still have to run.
    """
    from sim.experiment.replications import run_replications
    from sim.experiment.targets import evaluate_targets

    items = dict(layouts) if isinstance(layouts, Mapping) else _named(layouts)
    results = {
        name: run_replications(x, n_jobs=n_jobs) if isinstance(x, ScenarioConfig) else list(x)
        for name, x in items.items()
    }
    if isinstance(baseline, int):
        baseline = list(results)[baseline]
    frames = {name: summary_frame(r) for name, r in results.items()}
    verdicts = {
        name: {v.target.label: v.verdict for v in evaluate_targets(r)}
        for name, r in results.items()
    }
    return comparison_table(frames, metrics, baseline, verdicts)


def _named(
    layouts: Sequence[Sequence[RunResult] | ScenarioConfig],
) -> dict[str, Sequence[RunResult] | ScenarioConfig]:
    out: dict[str, Sequence[RunResult] | ScenarioConfig] = {}
    for x in layouts:
        name = x.name if isinstance(x, ScenarioConfig) else x[0].config.name
        while name in out:
            name += "'"
        out[name] = x
    return out


def summary_frame(results: Sequence[AnyResult]) -> pd.DataFrame:
    """One row per replication, one column per summary metric."""
    import pandas as pd

    return pd.DataFrame([r.summary() for r in results])


def metric_interval(results: Sequence[AnyResult], key: str, level: float = 0.95) -> Interval:
    """Mean of a summary metric over replications with its t confidence interval."""
    return t_interval(_values(results, key), level)


def paired_difference(
    a: Sequence[AnyResult], b: Sequence[AnyResult], key: str, level: float = 0.95
) -> Interval:
    """Confidence interval of ``b - a`` for a summary metric, paired by replication.

    Raises
    ------
    ValueError
        If the two sets of results were not run with the same seed and replications (then they
        do not share random streams and pairing is meaningless).
    """
    pairs_a = [(r.seed, r.replication) for r in a]
    pairs_b = [(r.seed, r.replication) for r in b]
    if pairs_a != pairs_b:
        raise ValueError(
            "paired comparison needs the same (seed, replication) in the same order; "
            f"got {pairs_a[:3]}... and {pairs_b[:3]}..."
        )
    return t_interval(_values(b, key) - _values(a, key), level)


def _values(results: Sequence[AnyResult], key: str) -> np.ndarray:
    if not results:
        raise ValueError("need at least one result")
    summary = results[0].summary()
    if key not in summary:
        raise KeyError(f"unknown metric {key!r}; known: {', '.join(summary)}")
    return np.array([r.summary()[key] for r in results], dtype=float)

"""Running scenarios: one replication, many replications (serial or parallel), results."""

from sim.experiment.compare import compare, metric_interval, paired_difference, summary_frame
from sim.experiment.replications import run_replications
from sim.experiment.result import RunResult
from sim.experiment.run import run

__all__ = [
    "RunResult",
    "compare",
    "metric_interval",
    "paired_difference",
    "run",
    "run_replications",
    "summary_frame",
]

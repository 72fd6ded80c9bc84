"""Running scenarios: one replication, many replications (serial or parallel), results."""

from sim.experiment.replications import run_replications
from sim.experiment.result import RunResult
from sim.experiment.run import run

__all__ = ["RunResult", "run", "run_replications"]

"""Steady-state estimates from replications of the shipped ``single_station`` scenario.

Each replication is one long day; residents arriving in the warm-up period are discarded (the
line starts empty), and
each replication contributes one estimate, so the t confidence intervals across replications
are valid (replications are independent).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

import sim
from sim.metrics import queues
from sim.metrics.intervals import Interval, t_interval
from sim.metrics.lines import entrance_line
from sim.model import records as rec

SEED = 20_260_801


@dataclass
class Estimates:
    """Per-replication estimates, one array entry per replication."""

    arrivals_per_min: np.ndarray
    mean_wait: np.ndarray
    mean_wait_green: np.ndarray
    mean_wait_general: np.ndarray
    p_wait: np.ndarray
    blocking: np.ndarray
    time_avg_queue: np.ndarray

    def ci(self, name: str, level: float = 0.99) -> Interval:
        return t_interval(getattr(self, name), level)


def estimate(
    overrides: list[str], replications: int, warmup_min: float, seed: int = SEED
) -> Estimates:
    """Run ``replications`` of ``scenario=single_station`` with ``overrides``."""
    # Long clearing: everyone who arrives before closing is served, so the last arrivals' long
    # waits are not cut off (that would bias the mean low).
    cfg = sim.load_config(["scenario=single_station", "site.clearing_min=1e7", *overrides])
    end = cfg.site.close_min
    cols: dict[str, list[float]] = {k: [] for k in Estimates.__dataclass_fields__}
    for result in sim.run_replications(cfg, replications, seed=seed, n_jobs=2):
        r = result.site.residents
        window = (r.arrival >= warmup_min) & (r.arrival < end)
        served = window & (r.outcome == rec.TESTED)
        wait = r.swab_start - r.arrival
        cols["arrivals_per_min"].append(window.sum() / (end - warmup_min))
        cols["mean_wait"].append(float(wait[served].mean()))
        green = served & r.green
        general = served & ~r.green
        cols["mean_wait_green"].append(float(wait[green].mean()) if green.any() else np.nan)
        cols["mean_wait_general"].append(float(wait[general].mean()))
        cols["p_wait"].append(float(np.mean(wait[served] > 0)))
        cols["blocking"].append(float(np.mean(r.outcome[window] == rec.BALKED)))
        entry, exit_ = entrance_line(result.site)
        cols["time_avg_queue"].append(queues.time_average(entry, exit_, warmup_min, end))
    return Estimates(**{k: np.array(v) for k, v in cols.items()})


def assert_agrees(ci: Interval, theory: float, max_rel_half_width: float, what: str) -> None:
    """The theory value lies in the interval, and the interval is narrow enough to mean it."""
    assert ci.half_width <= max_rel_half_width * abs(theory), (
        f"{what}: interval {ci} too wide to test theory value {theory:.4g}"
    )
    assert ci.contains(theory), f"{what}: theory {theory:.4g} outside simulated {ci}"

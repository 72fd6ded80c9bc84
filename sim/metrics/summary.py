"""The headline figures of one run, as a flat dict of plain numbers (JSON-ready)."""

from __future__ import annotations

import re
from typing import Any

import numpy as np

from sim.config.clock import min_to_clock
from sim.metrics import queues
from sim.metrics.lines import entrance_line, from_start, mean_in_line, swab_line
from sim.metrics.utilisation import utilisation
from sim.metrics.waits import describe
from sim.model import records as rec


def station_key(station: rec.Station) -> str:
    """A snake_case key for a station, e.g. ``swab_booths_green_channel``."""
    return re.sub(r"[^a-z0-9]+", "_", station.name.lower()).strip("_")


def outcomes_and_waits(r: rec.ResidentRecords) -> dict[str, Any]:
    """Counts by outcome, coverage, and wait statistics overall and per group (see
    :func:`summarise` for the keys)."""
    out: dict[str, Any] = {"arrived": r.n}
    for code, name in enumerate(rec.OUTCOMES):
        out[name] = int(np.sum(r.outcome == code))
    out["coverage"] = out["tested"] / r.n if r.n else float("nan")
    wait = r.wait
    tested = r.outcome == rec.TESTED
    for group, mask in (("", None), ("_green", r.green), ("_general", ~r.green)):
        w = wait if mask is None else wait[mask]
        for stat, value in describe(w).items():
            out[f"wait_{stat}_min{group}"] = value
        if group:
            out[f"n_tested{group}"] = int(np.sum(tested & mask))
    nan = float("nan")
    out["share_waited"] = float(np.mean(wait[tested] > 0)) if tested.any() else nan
    out["reg_wait_mean_min"] = _mean_finite(r.reg_wait[tested])
    out["swab_wait_mean_min"] = _mean_finite(r.swab_wait[tested])
    return out


def _mean_finite(values: np.ndarray) -> float:
    finite = values[np.isfinite(values)]
    return float(finite.mean()) if finite.size else float("nan")


def summarise(run: rec.SiteRun, start: float | None = None) -> dict[str, Any]:
    """Flat dict of the run's headline figures.

    Keys (minutes unless stated): ``arrived``, one count per outcome (``tested``, ``balked``,
    ``reneged``, ``outside_hours``, ``not_served_by_close``), ``coverage`` (tested / arrived),
    ``wait_<stat>_min`` with stat in mean, p50, p90, p95, max over tested residents, the same
    with suffix ``_green`` / ``_general`` for green-eligible and other residents,
    ``n_tested_green`` / ``n_tested_general``, ``share_waited`` (share of tested residents who
    waited at all), ``reg_wait_mean_min``, ``swab_wait_mean_min``,
    ``longest_queue`` (people in the entrance line) and ``longest_queue_m`` (metres), per lane
    ``longest_queue_green`` / ``longest_queue_general``, ``longest_swab_queue``,
    ``queue_mean`` / ``queue_mean_m`` (time-average entrance line while open, people and
    metres), ``utilisation_<station>`` (share of staffed time busy while open),
    ``last_tested_min`` and ``last_tested_clock``.

    With ``start`` (minutes: the end of a warm-up), residents arriving earlier are left out of
    the waits and outcomes, and lines and utilisation count from ``start``.
    """
    r = run.residents
    kept = r if start is None else r.subset(r.arrival >= start)
    out: dict[str, Any] = {"site": run.name, **outcomes_and_waits(kept)}
    if not run.registration:
        out["reg_wait_mean_min"] = float("nan")
    longest = queues.longest(*from_start(*entrance_line(run), start))
    out["longest_queue"] = longest
    out["longest_queue_m"] = longest * run.spacing_m
    out["queue_mean"] = mean_in_line(run, start)
    out["queue_mean_m"] = out["queue_mean"] * run.spacing_m
    for lane, name in enumerate(rec.LANES):
        out[f"longest_queue_{name}"] = queues.longest(*from_start(*entrance_line(run, lane), start))
    swab = queues.longest(*from_start(*swab_line(run), start)) if run.registration else 0
    out["longest_swab_queue"] = swab
    for station in run.stations:
        out[f"utilisation_{station_key(station)}"] = utilisation(run, station, start)
    tested = r.outcome == rec.TESTED
    last = float(np.nanmax(r.swab_end)) if tested.any() else float("nan")
    out["last_tested_min"] = last
    out["last_tested_clock"] = min_to_clock(last) if np.isfinite(last) else ""
    return out

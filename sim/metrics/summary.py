"""The headline figures of one run, as a flat dict of plain numbers (JSON-ready)."""

from __future__ import annotations

import re
from typing import Any

import numpy as np

from sim.config.clock import min_to_clock
from sim.metrics import queues
from sim.metrics.lines import entrance_line, from_start, mean_in_line, stage_line, swab_line
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
    waits = r.stage_waits()
    for stage in (rec.REGISTRATION, rec.SWAB, *r.stages):
        k = r.stage_index(stage)
        key = f"{rec.column_prefix(stage)}_wait_mean_min"
        if stage not in rec.BUILT_IN:
            key = f"stage_{stage}_wait_mean_min"
        out[key] = _mean_finite(waits[k][tested]) if k is not None else nan
    return out


def _mean_finite(values: np.ndarray) -> float:
    finite = values[np.isfinite(values)]
    return float(finite.mean()) if finite.size else float("nan")


def inner_lines(run: rec.SiteRun, start: float | None = None) -> dict[str, Any]:
    """The lines inside a point before its own stages (``longest_<stage>_queue``, people) and
    the rooms after stages that have one (``space_peak_<stage>``, people, and
    ``space_over_<stage>_min``: minutes it held more than fit); empty for the built-in stages
    without rooms. Counted from ``start`` (a warm-up's end) when given."""
    out: dict[str, Any] = {}
    names = run.stage_list
    for stage in names[1:]:
        if stage not in rec.BUILT_IN:
            line = from_start(*stage_line(run, stage), start)
            out[f"longest_{stage}_queue"] = queues.longest(*line)
    for k, room in enumerate(run.space_after):
        if room is not None and k + 1 < len(names):
            line = from_start(*stage_line(run, names[k + 1]), start)
            out[f"space_peak_{names[k]}"] = queues.longest(*line)
            out[f"space_over_{names[k]}_min"] = queues.minutes_above(*line, room)
    return out


def summarise(run: rec.SiteRun, start: float | None = None) -> dict[str, Any]:
    """Flat dict of the run's headline figures.

    Keys (minutes unless stated): ``arrived``, one count per outcome (``tested``, ``balked``,
    ``reneged``, ``outside_hours``, ``not_served_by_close``), ``coverage`` (tested / arrived),
    ``wait_<stat>_min`` with stat in mean, p50, p90, p95, max over tested residents, the same
    with suffix ``_green`` / ``_general`` for green-eligible and other residents,
    ``n_tested_green`` / ``n_tested_general``, ``share_waited`` (share of tested residents who
    waited at all), ``reg_wait_mean_min``, ``swab_wait_mean_min`` (and
    ``stage_<stage>_wait_mean_min`` for a point's own stages), ``longest_<stage>_queue`` for
    the line before each own stage behind the first, ``space_peak_<stage>`` /
    ``space_over_<stage>_min`` (most residents in the room after a stage with
    ``space_after_m``, and minutes it held more than fit),
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
    swab = queues.longest(*from_start(*swab_line(run), start))  # 0: the swab line is the entrance
    out["longest_swab_queue"] = swab
    out.update(inner_lines(run, start))
    for station in run.stations:
        out[f"utilisation_{station_key(station)}"] = utilisation(run, station, start)
    tested = r.outcome == rec.TESTED
    last = float(np.nanmax(r.done)) if tested.any() else float("nan")
    out["last_tested_min"] = last
    out["last_tested_clock"] = min_to_clock(last) if np.isfinite(last) else ""
    return out

"""A city's figures from its districts' summaries and tables and the city-wide chain.

A city's districts are simulated separately (their summaries and tables come back compact);
what needs every resident (the city's waiting-time percentiles) comes from the districts'
waits, what needs every swab (turnaround) from the city-wide chain. Counts add up; waits and
turnaround are the city's own distribution, not an average of the districts'.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from sim.metrics.turnaround import summarise_chain
from sim.metrics.waits import describe
from sim.model import records as rec

#: Counts and staff that add up over districts (first round; ``campaign_*`` over the rounds).
ADDED = (
    "residents",
    "arrived",
    "tested",
    "balked",
    "reneged",
    "outside_hours",
    "not_served_by_close",
    "returns",
    "staff_registration",
    "staff_swab",
    "staff_marshal",
    "campaign_residents",
    "campaign_tested",
    "mobile_employees",
    "mobile_sampled",
)


def site_districts(n_points: Sequence[int], n_teams: Sequence[int]) -> np.ndarray:
    """District index of each site of the city's chain: every district's points, in order,
    then every district's mobile teams."""
    points = [np.full(n, d, dtype=np.int32) for d, n in enumerate(n_points)]
    teams = [np.full(n, d, dtype=np.int32) for d, n in enumerate(n_teams)]
    return np.concatenate([*points, *teams]) if points else np.zeros(0, dtype=np.int32)


def district_turnaround(
    chain: rec.ChainRun, site_district: np.ndarray, n_districts: int
) -> dict[str, np.ndarray]:
    """Per district: swabs followed, swabs resulted, the share resulted within the target,
    mean turnaround (hours) and the last result (minutes after midnight of day 1)."""
    district = site_district[chain.swab_site.astype(np.int64)]
    t = chain.result - chain.swab_time
    ok = np.isfinite(t)
    swabs = np.bincount(district, minlength=n_districts)
    resulted = np.bincount(district[ok], minlength=n_districts)
    within = np.bincount(district[ok & (t <= chain.target_min)], minlength=n_districts)
    hours = np.bincount(district[ok], weights=t[ok] / 60.0, minlength=n_districts)
    last = np.full(n_districts, np.nan)
    if ok.any():
        np.fmax.at(last, district[ok], chain.result[ok])
    with np.errstate(invalid="ignore", divide="ignore"):
        return {
            "swabs": swabs,
            "resulted": resulted,
            "within_target": np.where(swabs > 0, within / np.maximum(swabs, 1), np.nan),
            "turnaround_mean_h": np.where(resulted > 0, hours / np.maximum(resulted, 1), np.nan),
            "last_result_min": last,
        }


def district_rows(
    names: Sequence[str],
    summaries: Sequence[Mapping[str, Any]],
    chain: rec.ChainRun | None,
    site_district: np.ndarray,
) -> list[dict[str, Any]]:
    """One row per district: residents, points, tested, coverage, waits, the longest line,
    staff, and with labs its swabs' turnaround."""
    rows = []
    turn = district_turnaround(chain, site_district, len(names)) if chain is not None else None
    for d, (name, s) in enumerate(zip(names, summaries, strict=True)):
        row: dict[str, Any] = {
            "district": name,
            "residents": s["residents"],
            "points": s.get("points", 1),
            "tested": s["tested"],
            "coverage": s["coverage"],
            "not_tested": s["residents"] - s["tested"],
            "wait_mean_min": s["wait_mean_min"],
            "wait_p95_min": s["wait_p95_min"],
            "wait_max_min": s["wait_max_min"],
            "longest_queue": s.get("longest_queue"),
            "longest_queue_site": s.get("longest_queue_site", ""),
            "last_tested_min": s.get("last_tested_min"),
            "last_tested_clock": s.get("last_tested_clock", ""),
            "utilisation_registration": s.get("utilisation_registration"),
            "utilisation_swab": s.get("utilisation_swab"),
            "staff_registration": s.get("staff_registration", 0),
            "staff_swab": s.get("staff_swab", 0),
        }
        if "campaign_tested" in s:
            row["campaign_tested"] = s["campaign_tested"]
            row["campaign_coverage"] = s["campaign_coverage"]
        if "mobile_sampled" in s:
            row["mobile_sampled"] = s["mobile_sampled"]
        if turn is not None:
            for key, values in turn.items():
                row[key] = values[d].item()
        rows.append(row)
    return rows


def city_summary(
    name: str,
    names: Sequence[str],
    summaries: Sequence[Mapping[str, Any]],
    waits: np.ndarray,
    chain: rec.ChainRun | None,
) -> dict[str, Any]:
    """The city's headline figures (the first round's, like a district's summary; counts
    summed over the districts, waits of every tested resident of the city, the worst
    district by wait and by coverage, ``campaign_*`` totals with several rounds, and the
    city-wide chain's figures: :func:`sim.metrics.turnaround.summarise_chain`).

    ``waits`` are the minutes every tested resident of the city queued (first round).
    """
    out: dict[str, Any] = {
        "city": name,
        "districts": len(names),
        "points": sum(int(s.get("points", 1)) for s in summaries),
    }
    for key in ADDED:
        if all(key in s for s in summaries):
            out[key] = int(sum(s[key] for s in summaries))
    residents = out.get("residents", 0)
    out["coverage"] = out["tested"] / residents if residents else float("nan")
    out["not_tested"] = residents - out["tested"]
    for stat, value in describe(np.asarray(waits, dtype=float)).items():
        out[f"wait_{stat}_min"] = value
    p95 = [float(s["wait_p95_min"]) for s in summaries]
    cov = [float(s["coverage"]) for s in summaries]
    worst = int(np.nanargmax(p95)) if np.isfinite(p95).any() else 0
    low = int(np.nanargmin(cov)) if np.isfinite(cov).any() else 0
    out["worst_wait_district"] = names[worst]
    out["worst_district_wait_p95_min"] = p95[worst]
    out["lowest_coverage_district"] = names[low]
    out["lowest_district_coverage"] = cov[low]
    queues = [int(s.get("longest_queue", 0)) for s in summaries]
    q = int(np.argmax(queues))
    out["longest_queue"] = queues[q]
    out["longest_queue_site"] = summaries[q].get("longest_queue_site", names[q])
    last = [float(s.get("last_tested_min", np.nan)) for s in summaries]
    if np.isfinite(last).any():
        out["last_tested_min"] = float(np.nanmax(last))
        out["last_tested_clock"] = summaries[int(np.nanargmax(last))].get("last_tested_clock", "")
    if out.get("campaign_residents"):
        out["campaign_coverage"] = out["campaign_tested"] / out["campaign_residents"]
    if chain is not None:
        out.update(summarise_chain(chain))
    return out

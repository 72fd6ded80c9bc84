"""Settings that are allowed but unusual: warnings for the run's log and summary.

An error stops a config before it runs (:mod:`sim.config.errors`); a caution does not, because
the setting can be intended (a 30-in-1 pool in a low-prevalence round, a very variable swab
time to stress a layout). Each warning names the field, the value and why it is unusual.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from sim.config import limits
from sim.config.clock import clock_to_min
from sim.config.distribution import DistributionConfig
from sim.config.schema import ScenarioConfig, ShiftConfig
from sim.config.staffing import DAY_MIN, overlapping_shifts

#: Minutes two crews of a role may overlap without a caution: the incoming crew arriving a
#: little early so that no hand-over closes the desks (layout=extended_hours does this).
HANDOVER_OVERLAP_MIN = 15.0


def _overlap_min(a: ShiftConfig, b: ShiftConfig) -> float:
    """Minutes two daily shifts are on duty at once."""
    a0, a1 = clock_to_min(a.start, "start"), clock_to_min(a.end, "end")
    b0, b1 = clock_to_min(b.start, "start"), clock_to_min(b.end, "end")
    return max(max(0.0, min(a1, b1 + k * DAY_MIN) - max(a0, b0 + k * DAY_MIN)) for k in (-1, 0, 1))


def config_warnings(config: ScenarioConfig) -> tuple[str, ...]:
    """Warnings about unusual but allowed settings of ``config``, one line each."""
    out: list[str] = []
    pool = config.samples.pool_size
    if config.labs_in_use and pool > limits.USUAL_POOL_SIZE:
        out.append(
            f"samples.pool_size = {pool}: larger than the published practice of 5, 10 or "
            f"{limits.USUAL_POOL_SIZE}-in-1; pooled PCR loses sensitivity in large pools"
        )
    for k, point in enumerate(config.points):
        where = f"sites[{k}]" if config.sites else "site"
        for role, physical, noun in (
            ("registration", point.registration_desks, "desks"),
            ("swab", point.swab_booths, "booths"),
        ):
            roster = getattr(point.staffing, role)
            if roster.pattern != "custom":
                continue
            for i, j in overlapping_shifts(roster):
                a, b = roster.shifts[i], roster.shifts[j]
                crews = sum(
                    x.staff if x.staff is not None else (roster.staff or physical) for x in (a, b)
                )
                if crews <= physical:  # overlapping crews that fit: a deliberate overlap
                    continue
                if _overlap_min(a, b) <= HANDOVER_OVERLAP_MIN:  # a crew waiting to take over
                    continue
                out.append(
                    f"{where}.staffing.{role}.shifts[{j}] = {b.start}-{b.end} overlaps "
                    f"shifts[{i}] = {a.start}-{a.end} at '{point.name}': both crews are on "
                    f"duty at once and their staff add up to {crews}, more than the "
                    f"{physical} {noun} (the rest stand idle)"
                )
    for i, target in enumerate(config.targets):
        if target not in config.judged_targets:
            out.append(
                f"targets[{i}] = {target.label}: not judged, no lab is in use (there are no "
                "results to time)"
            )
    named = [k for k, sd in enumerate(config.subdistricts) if sd.groups]
    if named and not config.demand.groups:
        first = config.subdistricts[named[0]]
        others = len(named) - 1
        more = f" (and {others} other sub-district{'s' if others > 1 else ''})" if others else ""
        out.append(
            f"subdistricts[{named[0]}].groups = {first.groups}{more}: ignored, demand.groups "
            "is empty (no population groups: everyone follows demand.hourly_profile)"
        )
    for path, dist in _distributions(config, ""):
        if dist.cv is not None and dist.cv > limits.USUAL_CV:
            out.append(
                f"{path}.cv = {dist.cv:g}: a coefficient of variation above "
                f"{limits.USUAL_CV:g} is unusual for a duration (most draws far below the mean, "
                "a few far above it)"
            )
    return tuple(dict.fromkeys(out))


def _distributions(obj: Any, path: str) -> list[tuple[str, DistributionConfig]]:
    if isinstance(obj, DistributionConfig):
        return [(path, obj)]
    found: list[tuple[str, DistributionConfig]] = []
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        for f in dataclasses.fields(obj):
            sub = f"{path}.{f.name}" if path else f.name
            found += _distributions(getattr(obj, f.name), sub)
    elif isinstance(obj, tuple):
        for i, item in enumerate(obj):
            found += _distributions(item, f"{path}[{i}]")
    return found

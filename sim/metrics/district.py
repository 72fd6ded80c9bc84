"""What a planner reads off a district round: coverage, waits by point and hour, staff.

Tables are lists of flat dicts (one row each), ready for pandas or CSV; the headline figures
are a flat dict.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from sim.config.clock import day_clock, min_to_clock
from sim.metrics import queues
from sim.metrics.door_to_door import everyone
from sim.metrics.intervals import Interval, t_interval, t_quantile
from sim.metrics.lines import entrance_line, from_start, mean_in_line
from sim.metrics.summary import inner_lines, outcomes_and_waits, station_key, summarise
from sim.metrics.utilisation import (
    busy_minutes,
    open_windows,
    overtime_minutes,
    services,
    worked_minutes,
)
from sim.metrics.waits import describe
from sim.model import records as rec
from sim.model.staffing import ROLES


def point_table(run: rec.RoundRun) -> list[dict[str, Any]]:
    """One row per collection point: residents, waits, longest line, utilisation, staff."""
    rows = []
    for point in run.points:
        r = point.residents
        tested = r.outcome == rec.TESTED
        row: dict[str, Any] = {
            "round": run.round + 1,
            "site": point.name,
            "arrived": r.n,
            "tested": int(tested.sum()),
        }
        for code, name in enumerate(rec.OUTCOMES[1:], start=1):
            row[name] = int(np.sum(r.outcome == code))
        for stat, value in describe(r.wait).items():
            row[f"wait_{stat}_min"] = value
        longest = queues.longest(*entrance_line(point))
        row["longest_queue"] = longest
        row["longest_queue_m"] = longest * point.spacing_m
        for role in (
            "registration",
            "swab",
            *(s for s in point.stage_list if s not in rec.BUILT_IN),
        ):
            stations = [st for st in point.stations if st.stage == role]
            windows = open_windows(point)
            worked = sum(worked_minutes(point, st, windows) for st in stations)
            busy = sum(busy_minutes(point, st, windows) for st in stations)
            row[f"utilisation_{role}"] = busy / worked if worked > 0 else float("nan")
        if point.staffing is not None:
            for role, count in point.staffing.headcount().items():
                row[f"staff_{role}"] = count
        rows.append(row)
    return rows


def hour_table(run: rec.RoundRun) -> list[dict[str, Any]]:
    """One row per hour of arrival: residents arriving, tested, and their waits."""
    r = run.residents
    t = r.first_arrival if r.first_arrival is not None else r.arrival
    ok = np.isfinite(t)
    hour = np.full(r.n, -1, dtype=np.int64)
    hour[ok] = np.floor(t[ok] / 60.0).astype(np.int64)
    wait = r.wait
    tested = r.outcome == rec.TESTED
    # Group by hour with one sort (residents keep their order within an hour), not a pass over
    # every resident per hour: a long round has thousands of hours.
    idx = np.flatnonzero(ok)
    idx = idx[np.argsort(hour[idx], kind="stable")]
    hours = hour[idx]
    cuts = np.flatnonzero(np.diff(hours)) + 1
    rows = []
    for mine in np.split(idx, cuts) if idx.size else []:
        h = int(hour[mine[0]])
        d = describe(wait[mine])
        rows.append(
            {
                "round": run.round + 1,
                "day": h // 24 + 1,
                "hour": f"{h % 24:02d}:00",
                "arrived": int(mine.size),
                "tested": int(np.sum(tested[mine])),
                "wait_mean_min": d["mean"],
                "wait_p95_min": d["p95"],
            }
        )
    return rows


def group_table(run: rec.RoundRun) -> list[dict[str, Any]]:
    """One row per population group (``general`` first, then ``demand.groups``).

    Columns: ``round``, ``group``, ``residents``, ``tested``, ``coverage`` (tested /
    residents by the round's deadline), ``not_tested``, ``wait_mean_min`` / ``wait_p95_min``
    (minutes queueing, tested residents), ``returns`` (extra attempts), and
    ``arrived_00h`` .. ``arrived_23h``: residents whose first arrival fell in that hour of the
    day, summed over the round's days (a group whose profile is 0 in an hour has nobody there).
    """
    r = run.residents
    group = _group_codes(run)
    wait = r.wait
    t = r.first_arrival if r.first_arrival is not None else r.arrival
    ok = np.isfinite(t)
    hour = np.full(r.n, -1, dtype=np.int64)
    hour[ok] = np.floor(t[ok] / 60.0).astype(np.int64) % 24
    returns = r.attempts - 1 if r.attempts is not None else np.zeros(r.n, dtype=np.int64)
    every = everyone(run)  # residents and coverage count the residents sampled at home too
    all_group = group if run.door_to_door is None else np.asarray(every.group, dtype=np.int64)
    rows = []
    for code, name in enumerate(run.groups):
        mine = group == code
        counted = all_group == code
        n = int(counted.sum())
        n_tested = int(np.sum(every.tested & counted))
        d = describe(wait[mine])
        by_hour = np.bincount(hour[mine & ok], minlength=24)
        row: dict[str, Any] = {
            "round": run.round + 1,
            "group": name,
            "residents": n,
            "tested": n_tested,
            "coverage": n_tested / n if n else float("nan"),
            "not_tested": n - n_tested,
            "wait_mean_min": d["mean"],
            "wait_p95_min": d["p95"],
            "returns": int(np.sum(returns[mine])),
        }
        for h in range(24):
            row[f"arrived_{h:02d}h"] = int(by_hour[h])
        rows.append(row)
    return rows


def _group_codes(run: rec.RoundRun) -> np.ndarray:
    """Each resident's population group code (0: general)."""
    r = run.residents
    if r.group is None:
        return np.zeros(r.n, dtype=np.int64)
    return np.asarray(r.group, dtype=np.int64)


def group_summary(run: rec.RoundRun, start: float | None = None) -> dict[str, Any]:
    """``group_<name>_coverage`` and ``group_<name>_wait_p95_min`` for each population group
    (``general`` included), only when the scenario has groups (else empty). Waits count the
    residents arriving from ``start`` (a warm-up cut) like the summary's; coverage all."""
    if len(run.groups) <= 1:
        return {}
    r = run.residents
    group = _group_codes(run)
    wait = r.wait if start is None else np.where(r.arrival >= start, r.wait, np.nan)
    every = everyone(run)  # coverage counts the residents sampled at home too
    all_group = group if run.door_to_door is None else np.asarray(every.group, dtype=np.int64)
    out: dict[str, Any] = {}
    for code, name in enumerate(run.groups):
        mine = all_group == code
        n = int(mine.sum())
        out[f"group_{name}_coverage"] = (
            float(np.sum(every.tested & mine)) / n if n else float("nan")
        )
        out[f"group_{name}_wait_p95_min"] = describe(wait[group == code])["p95"]
    return out


def staff_table(run: rec.RoundRun) -> list[dict[str, Any]]:
    """Headcount and utilisation by role and shift, summed over the points.

    Utilisation of a shift is the desks'/booths' busy time within the shift over the staffed
    desk/booth time within it (marshals staff nothing: no utilisation).
    """
    rows = []
    for (role, day, start, end), (staff, busy, staffed) in staff_minutes(run).items():
        rows.append(
            {
                "round": run.round + 1,
                "role": role,
                "day": day + 1,
                "shift": f"{min_to_clock(start - 1440 * day)}-{min_to_clock(end - 1440 * day)}",
                "staff": int(staff),
                "utilisation": busy / staffed if staffed > 0 else float("nan"),
            }
        )
    return rows


def staff_minutes(run: rec.RoundRun) -> dict[tuple[str, int, float, float], list[float]]:
    """Per shift, summed over the points: ``[staff, busy minutes, staffed minutes]``.

    Keyed by ``(role, day, start, end)`` (day 0-based, times in minutes of the round), in the
    order of :data:`ROLES` and then of the shift's start. Busy minutes are the desks'/booths'
    service time within the shift; staffed minutes the desk/booth time open within it (both 0
    for marshals, who staff nothing).
    """
    acc: dict[tuple[str, int, float, float], list[float]] = {}
    for point in run.points:
        if point.staffing is None:
            continue
        # Each station's services, once per point (not once per shift).
        # (and sorted copies of the starts and ends, for the overtime at each shift)
        served: list[tuple[rec.Station, np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = []
        for st in point.stations:
            a, b = services(point, st)
            served.append((st, a, b, np.sort(a), np.sort(b)))
        for shift in point.staffing.shifts:
            key = (shift.role, shift.day, shift.start, shift.end)
            row = acc.setdefault(key, [0.0, 0.0, 0.0])
            row[0] += shift.staff
            if shift.role == "marshal":
                continue
            for st, start, end, s_sorted, e_sorted in served:
                if st.staffed_by != shift.role:
                    continue
                lo = np.maximum(start, shift.start)
                hi = np.minimum(end, shift.end)
                row[1] += float(np.sum(np.clip(hi - lo, 0.0, None)))
                window = [(shift.start, shift.end)]
                row[2] += st.schedule.server_minutes(shift.start, shift.end)
                row[2] += overtime_minutes(s_sorted, e_sorted, st, window, presorted=True)
    return dict(sorted(acc.items(), key=lambda kv: (_role_order(kv[0][0]), kv[0][2])))


def _rooms(run: rec.RoundRun, start: float | None) -> dict[str, Any]:
    """The lines inside the points before their own stages (``longest_<stage>_queue``, the
    worst point's) and the rooms after stages (``space_peak_<stage>``,
    ``space_over_<stage>_min``: the worst point's); empty for the built-in stages alone."""
    out: dict[str, Any] = {}
    for point in run.points:
        for key, value in inner_lines(point, start).items():
            out[key] = max(out.get(key, value), value)
    return out


def _role_order(role: str) -> tuple[int, str]:
    """Roles in table order: those of :data:`ROLES` first, then a point's own by name."""
    return (ROLES.index(role), "") if role in ROLES else (len(ROLES), role)


def summarise_round(run: rec.RoundRun, warmup_min: float = 0.0) -> dict[str, Any]:
    """Flat dict of a round's headline figures.

    With one collection point these are :func:`sim.metrics.summary.summarise`'s keys. With
    several, the same counts and waits over the district, plus ``points``,
    ``longest_queue`` / ``longest_queue_m`` / ``longest_queue_site`` (the worst point),
    ``utilisation_registration`` / ``utilisation_swab`` (district), and in both cases
    ``residents``, ``coverage`` (tested / residents, by the round's deadline), ``tested_day<d>``,
    ``best_subdistrict_day`` / ``best_subdistrict_day_tests``, ``returns`` (extra attempts),
    ``group_<name>_coverage`` / ``group_<name>_wait_p95_min`` per population group (only when
    ``demand.groups`` is not empty; see :func:`group_summary`),
    ``staff_<role>`` (headcount). (The mobile teams work over the whole campaign: their
    figures are in :meth:`sim.RunResult.summary`.)

    With door-to-door sampling (``run.door_to_door``), the homebound residents count in
    ``residents``, ``tested`` (at a point or at home; ``tested_at_points`` is the points'
    alone, beside ``arrived`` and the other outcomes at the points), ``coverage``, the tests
    by day and sub-district and the groups' coverage; waits, lines and utilisation are the
    points' (their figures: :func:`sim.metrics.door_to_door.door_to_door_summary`).

    ``warmup_min`` (minutes after the first opening) leaves the residents arriving earlier out
    of the waits, and lines and utilisation count from then (steady-state studies); coverage
    and the counts by day are of the whole round.
    """
    start = min(p.open_min for p in run.points) + warmup_min if warmup_min > 0 else None
    out = summarise(run.points[0], start) if len(run.points) == 1 else _district_core(run, start)
    r = run.residents
    # Residents sampled at home (door-to-door) count with the points' from here on.
    every = everyone(run)
    tested = every.tested
    if run.door_to_door is not None:
        out["tested_at_points"] = out["tested"]
        out["tested"] = int(tested.sum())
    out["residents"] = tested.size
    out["coverage"] = float(tested.mean()) if tested.size else float("nan")
    day = np.floor(np.nan_to_num(every.done, nan=-1.0) / 1440.0).astype(np.int64)
    # Counted with bincount, not a pass over every resident per day (a round may be long).
    counted = tested & (day >= 0) & (day < run.days)
    by_day = np.bincount(day[counted], minlength=run.days)
    for d in range(run.days):
        out[f"tested_day{d + 1}"] = int(by_day[d])
    if every.subdistrict is not None and len(run.subdistricts) > 0:
        n_sub = len(run.subdistricts)
        sub = np.asarray(every.subdistrict, dtype=np.int64)
        mine = counted & (sub >= 0) & (sub < n_sub)
        by_sub_day = np.bincount(
            sub[mine] * run.days + day[mine], minlength=n_sub * run.days
        ).reshape(n_sub, run.days)
        best, best_n = "", -1
        for j, name in enumerate(run.subdistricts):
            for d in range(run.days):
                k = int(by_sub_day[j, d])
                if k > best_n:
                    best, best_n = f"{name} day {d + 1}", k
        out["best_subdistrict_day"] = best
        out["best_subdistrict_day_tests"] = best_n
    out["returns"] = int(np.sum(r.attempts - 1)) if r.attempts is not None else 0
    out.update(group_summary(run, start))
    totals: dict[str, int] = dict.fromkeys(ROLES, 0)
    for point in run.points:
        if point.staffing is not None:
            for role, count in point.staffing.headcount().items():
                totals[role] = totals.get(role, 0) + count
    for role, count in totals.items():
        out[f"staff_{role}"] = count
    return out


def _district_core(run: rec.RoundRun, start: float | None = None) -> dict[str, Any]:
    r = run.residents
    out: dict[str, Any] = {
        "site": f"{len(run.points)} points",
        "points": len(run.points),
        **outcomes_and_waits(r if start is None else r.subset(r.arrival >= start)),
    }
    worst, worst_n, worst_m = "", -1, 0.0
    for point in run.points:
        n = queues.longest(*from_start(*entrance_line(point), start))
        if n > worst_n:
            worst, worst_n, worst_m = point.name, n, n * point.spacing_m
    out["longest_queue"] = worst_n
    out["longest_queue_m"] = worst_m
    out["longest_queue_site"] = worst
    out.update(_rooms(run, start))
    means = [(mean_in_line(p, start), p.spacing_m) for p in run.points]
    out["queue_mean"] = float(np.nanmean([q for q, _ in means]))  # a point's, on average
    out["queue_mean_m"] = float(np.nanmean([q * m for q, m in means]))
    for stage in ("registration", "swab", *(s for s in r.stages if s not in rec.BUILT_IN)):
        staffed = busy = 0.0
        for point in run.points:
            for st in point.stations:
                if st.stage == stage:
                    windows = open_windows(point, start)
                    staffed += worked_minutes(point, st, windows)
                    busy += busy_minutes(point, st, windows)
        out[f"utilisation_{stage}"] = busy / staffed if staffed > 0 else float("nan")
    tested = r.outcome == rec.TESTED
    last = float(np.nanmax(r.done)) if tested.any() else float("nan")
    out["last_tested_min"] = last
    out["last_tested_clock"] = day_clock(last) if np.isfinite(last) else ""
    return out


# --------------------------------------------------------------------------------------------
# Rounds of a campaign: each round's headline figures side by side, and campaign totals

#: The headline figures of each round of a campaign, in the order of the ``rounds`` table
#: (:meth:`sim.experiment.result.RunResult.tables`) and of the summary's ``round<k>_<key>``
#: keys (campaigns of several rounds). ``start_day`` / ``days``: the round's first campaign
#: day and its length; ``last_tested_min`` / ``_clock``: the last swab in minutes after
#: midnight of the round's first day (``day 2 21:30``: the round's day 2); ``finish_min`` /
#: ``_clock``: the same moment in minutes after midnight of campaign day 1 (``day 6 21:30``:
#: campaign day 6). Waits and lines as in :func:`summarise_round` (``longest_queue``: the
#: longest entrance line anywhere, people).
ROUND_METRICS: tuple[str, ...] = (
    "start_day",
    "days",
    "residents",
    "tested",
    "coverage",
    "wait_mean_min",
    "wait_p95_min",
    "wait_max_min",
    "longest_queue",
    "longest_queue_m",
    "last_tested_min",
    "last_tested_clock",
    "finish_min",
    "finish_clock",
)

#: Campaign totals over the rounds (campaigns of several rounds): residents and tested summed
#: over rounds (a resident counts once per round), ``campaign_coverage`` their ratio,
#: ``campaign_days`` from campaign day 1 to the last round's last day, ``campaign_finish_min``
#: / ``_clock`` the last swab of any round (minutes after midnight of campaign day 1).
CAMPAIGN_METRICS: tuple[str, ...] = (
    "campaign_residents",
    "campaign_tested",
    "campaign_coverage",
    "campaign_days",
    "campaign_finish_min",
    "campaign_finish_clock",
)


def round_metrics(run: rec.RoundRun, summary: Mapping[str, Any]) -> dict[str, Any]:
    """Round ``run``'s headline figures (:data:`ROUND_METRICS`, after ``round``, 1-based),
    from its :func:`summarise_round` dict ``summary``."""
    last = float(summary["last_tested_min"])
    finite = bool(np.isfinite(last))
    finish = run.offset_min + last if finite else float("nan")
    return {
        "round": run.round + 1,
        "start_day": run.start_day,
        "days": run.days,
        "residents": int(summary["residents"]),
        "tested": int(summary["tested"]),
        "coverage": float(summary["coverage"]),
        "wait_mean_min": float(summary["wait_mean_min"]),
        "wait_p95_min": float(summary["wait_p95_min"]),
        "wait_max_min": float(summary["wait_max_min"]),
        "longest_queue": int(summary["longest_queue"]),
        "longest_queue_m": float(summary["longest_queue_m"]),
        "last_tested_min": last,
        "last_tested_clock": day_clock(last) if finite else "",
        "finish_min": finish,
        "finish_clock": day_clock(finish) if finite else "",
    }


def campaign_totals(rows: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """The campaign totals (:data:`CAMPAIGN_METRICS`) from each round's
    :func:`round_metrics`."""
    if not rows:
        raise ValueError("a campaign has at least one round")
    residents = sum(int(row["residents"]) for row in rows)
    tested = sum(int(row["tested"]) for row in rows)
    finishes = [float(row["finish_min"]) for row in rows if np.isfinite(row["finish_min"])]
    finish = max(finishes) if finishes else float("nan")
    return {
        "campaign_residents": residents,
        "campaign_tested": tested,
        "campaign_coverage": tested / residents if residents else float("nan"),
        "campaign_days": max(int(row["start_day"]) + int(row["days"]) - 1 for row in rows),
        "campaign_finish_min": finish,
        "campaign_finish_clock": day_clock(finish) if finishes else "",
    }


def campaign_day_tests(runs: Sequence[rec.RoundRun]) -> tuple[np.ndarray, np.ndarray]:
    """Residents tested at the collection points on each campaign day, by round.

    Returns the campaign days (1-based, from day 1 to the last day anyone was tested, at
    least the last round's last day) and a ``len(runs) x len(days)`` count matrix: row ``k``
    is round ``runs[k]``'s residents whose swab was done that day (a swab after midnight
    counts on the next day). Mobile teams' enterprise samples are not included.
    """
    per_round: list[np.ndarray] = []
    last = max((run.start_day + run.days - 1 for run in runs), default=0)
    for run in runs:
        r = run.residents
        done = np.asarray(r.done, dtype=float)[r.outcome == rec.TESTED]
        done = done[np.isfinite(done)]
        day = run.start_day + np.floor(done / 1440.0).astype(np.int64)  # campaign day, 1-based
        day = day[day >= 1]
        per_round.append(day)
        if day.size:
            last = max(last, int(day.max()))
    counts = np.zeros((len(runs), last), dtype=np.int64)
    for k, day in enumerate(per_round):
        counts[k] = np.bincount(day - 1, minlength=last)[:last]
    return np.arange(1, last + 1), counts


# --------------------------------------------------------------------------------------------
# Curves over replications: a mean with a pointwise confidence band


@dataclass(frozen=True)
class CurveBand:
    """A curve over replications: each replication's values on a common grid, their pointwise
    mean and a pointwise confidence band of that mean.

    Attributes
    ----------
    grid
        The x values (e.g. minutes of the round, or hours from swab to result).
    curves
        ``replications x len(grid)``: each replication's curve.
    mean
        Pointwise mean over replications.
    low, high
        Pointwise Student-t confidence interval of the mean at ``level`` (cut to the curve's
        possible range, e.g. 0..1 for a share). With one replication both equal ``mean``:
        one replication gives no band.
    level
        Confidence level of the band, e.g. 0.95.
    """

    grid: np.ndarray
    curves: np.ndarray
    mean: np.ndarray
    low: np.ndarray
    high: np.ndarray
    level: float = 0.95

    @property
    def replications(self) -> int:
        """Number of replications (rows of ``curves``)."""
        return int(self.curves.shape[0])

    @property
    def lowest(self) -> np.ndarray:
        """Pointwise lowest replication (the range of the replications, not an interval)."""
        return np.asarray(self.curves.min(axis=0), dtype=float)

    @property
    def highest(self) -> np.ndarray:
        """Pointwise highest replication."""
        return np.asarray(self.curves.max(axis=0), dtype=float)


def curve_band(
    grid: np.ndarray,
    curves: np.ndarray | Sequence[np.ndarray],
    level: float = 0.95,
    bounds: tuple[float, float] | None = None,
) -> CurveBand:
    """Pointwise mean and Student-t confidence band of replications' curves on one grid.

    Parameters
    ----------
    grid
        The common x values, length ``m``.
    curves
        One curve per replication, each of length ``m`` (an ``n x m`` array).
    level
        Confidence level of the band.
    bounds
        The curve's possible range, e.g. ``(0, 1)`` for a share: the band is cut to it.
    """
    x = np.asarray(grid, dtype=float)
    y = np.atleast_2d(np.asarray(curves, dtype=float))
    if y.shape[0] == 0 or y.shape[1] != x.size:
        raise ValueError(f"curves must be replications x {x.size} grid points, got shape {y.shape}")
    if not 0.0 < level < 1.0:
        raise ValueError(f"level must be between 0 and 1, got {level}")
    n = y.shape[0]
    mean = y.mean(axis=0)
    if n < 2:
        low, high = mean.copy(), mean.copy()
    else:
        half = t_quantile(0.5 + level / 2.0, n - 1) * y.std(axis=0, ddof=1) / np.sqrt(n)
        low, high = mean - half, mean + half
        if bounds is not None:
            low = np.clip(low, *bounds)
            high = np.clip(high, *bounds)
    return CurveBand(x, y, mean, low, high, level)


def share_by(values: np.ndarray, total: int, grid: np.ndarray) -> np.ndarray:
    """Share of ``total`` items whose value is at most each grid point (an empirical CDF
    over all ``total`` items: items without a value, left out of ``values``, count as never
    reached); NaN everywhere when ``total`` is 0."""
    g = np.asarray(grid, dtype=float)
    if total == 0:
        return np.full(g.size, np.nan)
    v = np.sort(np.asarray(values, dtype=float))
    return np.searchsorted(v, g, side="right") / total


def share_by_band(
    values: Sequence[np.ndarray],
    totals: Sequence[int],
    grid: np.ndarray,
    level: float = 0.95,
) -> CurveBand:
    """:func:`share_by` for each replication (its ``values`` out of its ``totals``), with the
    pointwise mean and confidence band (cut to 0..1).

    E.g. coverage: each replication's swab times of tested residents out of its residents;
    turnaround: each replication's hours from swab to result out of its swabs.
    """
    if len(values) != len(totals):
        raise ValueError(f"{len(values)} replications of values but {len(totals)} totals")
    if not values:
        raise ValueError("need at least one replication")
    curves = np.array([share_by(v, int(n), grid) for v, n in zip(values, totals, strict=True)])
    return curve_band(grid, curves, level, bounds=(0.0, 1.0))


def tested_times(run: rec.RoundRun) -> dict[str, tuple[np.ndarray, int]]:
    """When each tested resident's swab was done, and how many residents there are: keyed
    ``"all"`` and by sub-district name (the plain data of a coverage curve). Residents
    sampled at home (door-to-door) count too."""
    every = everyone(run)
    tested = every.tested
    swab_end = every.done
    out = {"all": (np.asarray(swab_end[tested], dtype=float), int(tested.size))}
    if every.subdistrict is not None:
        for j, name in enumerate(run.subdistricts):
            mine = every.subdistrict == j
            out[name] = (np.asarray(swab_end[tested & mine], dtype=float), int(mine.sum()))
    return out


def coverage_curves(
    runs: Sequence[rec.RoundRun], grid: np.ndarray, level: float = 0.95
) -> dict[str, CurveBand]:
    """Share of residents tested (swab done) by each time of ``grid`` (minutes of the round),
    over replications of a round: ``"all"`` and each sub-district, with the pointwise mean and
    ``level`` confidence band (see :class:`CurveBand`).

    ``runs`` are the same round of each replication (``[r.rounds[0] for r in results]``).
    """
    if not runs:
        raise ValueError("need at least one replication")
    per_run = [tested_times(run) for run in runs]
    return {
        key: share_by_band([p[key][0] for p in per_run], [p[key][1] for p in per_run], grid, level)
        for key in per_run[0]
    }


def not_tested_counts(runs: Sequence[rec.RoundRun]) -> dict[str, np.ndarray]:
    """Residents not tested, by reason (the outcome of their last attempt): for each reason
    (``balked``, ``reneged``, ``outside_hours``, ``not_served_by_close``), the count in each
    replication."""
    counts = np.array(
        [
            np.bincount(np.asarray(run.residents.outcome, np.int64), minlength=len(rec.OUTCOMES))
            for run in runs
        ]
    ).reshape(len(runs), -1)
    return {name: counts[:, k] for k, name in enumerate(rec.OUTCOMES) if k != rec.TESTED}


def intervals(
    values: Mapping[str, Sequence[float] | np.ndarray], level: float = 0.95
) -> dict[str, Interval]:
    """The mean of each series of per-replication values with its Student-t interval."""
    return {key: t_interval(np.asarray(v, dtype=float), level) for key, v in values.items()}


__all__ = [
    "CAMPAIGN_METRICS",
    "ROUND_METRICS",
    "CurveBand",
    "campaign_day_tests",
    "campaign_totals",
    "coverage_curves",
    "curve_band",
    "group_summary",
    "group_table",
    "hour_table",
    "intervals",
    "not_tested_counts",
    "point_table",
    "round_metrics",
    "share_by",
    "share_by_band",
    "staff_minutes",
    "staff_table",
    "station_key",
    "summarise_round",
    "tested_times",
]

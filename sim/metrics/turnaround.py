"""What a planner reads off the chain from swab to result: turnaround, backlog, lab load.

All functions take a :class:`~sim.model.records.ChainRun` (times in minutes after midnight of
campaign day 1) and return plain numbers, arrays or lists of flat dicts.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from typing import Any, NamedTuple

import numpy as np

from sim.config.clock import day_clock, min_to_clock
from sim.config.staffing import DAY_MIN
from sim.metrics.theory import dorfman_tests_per_person
from sim.metrics.utilisation import overtime_minutes
from sim.model import records as rec
from sim.model.labs import STAGES

#: Where a swab or tube without a result is at the end of the run, in chain order.
BACKLOG_STAGES: tuple[str, ...] = (
    "awaiting_retest",
    "at_point",
    "in_transit",
    "receiving",
    "extraction_queue",
    "extraction",
    "pcr_queue",
    "pcr",
    "reporting",
)


def turnaround_h(chain: rec.ChainRun) -> np.ndarray:
    """Hours from each swab to its final result (NaN: no result by the horizon)."""
    return (chain.result - chain.swab_time) / 60.0


def tube_stage(chain: rec.ChainRun, t: float | None = None) -> np.ndarray:
    """Index into :data:`BACKLOG_STAGES` of where each tube is at ``t`` (default: the horizon);
    ``-1`` once its result is out (or for a retest tube whose swab is not taken yet: see
    :func:`swab_backlog`)."""
    t = chain.horizon_min if t is None else t
    stage = np.full(chain.n_tubes, -1, dtype=np.int8)
    steps = (
        (chain.tube_closed, 1),  # at the point (a retest tube: swabbed, on its way)
        (chain.tube_picked, 2),
        (chain.tube_delivered, 3),
        (chain.tube_received, 4),
        (chain.tube_extraction_start, 5),
        (chain.tube_extraction_end, 6),
        (chain.tube_pcr_start, 7),
        (chain.tube_pcr_end, 8),
    )
    for times, code in steps:
        stage[times <= t] = code
    stage[chain.tube_result <= t] = -1
    retest = chain.tube_retest
    stage[retest & (stage == 1)] = 2  # a retest goes straight to the lab
    return stage


def swab_backlog(chain: rec.ChainRun) -> dict[str, int]:
    """Swabs without a final result at the end of the run, by the stage holding them up.

    A swab of a negative pool is where its tube is; a positive pool's member is awaiting the
    retest swab, or where the retest tube is.
    """
    stage = tube_stage(chain)
    per_swab = stage[chain.swab_tube]
    recalled = chain.retest_tube >= 0
    pool_done = chain.tube_result[chain.swab_tube] <= chain.horizon_min
    rt = np.maximum(chain.retest_tube, 0)
    waiting = recalled & pool_done & ~(chain.retest_time <= chain.horizon_min)
    per_swab = np.where(recalled & pool_done, stage[rt], per_swab)
    per_swab[waiting] = 0
    counts = np.bincount(per_swab[per_swab >= 0], minlength=len(BACKLOG_STAGES))
    return {name: int(c) for name, c in zip(BACKLOG_STAGES, counts, strict=True)}


def backlog_over_time(chain: rec.ChainRun, times: np.ndarray) -> np.ndarray:
    """Tubes at each lab without a result, at each of ``times``: shape (labs, times).

    A tube counts from its delivery to the lab until its result is out.
    """
    out = np.zeros((len(chain.labs), len(times)), dtype=np.int64)
    t = np.asarray(times, dtype=float)
    for j in range(len(chain.labs)):
        mine = chain.tube_lab == j
        out[j] = _count_by(chain.tube_delivered[mine], t) - _count_by(chain.tube_result[mine], t)
    return out


def backlog_span(chain: rec.ChainRun) -> tuple[float, float]:
    """Whole hours (campaign minutes) from the first swab to the last result (to the horizon if
    some tube has no result by then); ``(0, max(horizon, 60))`` without swabs."""
    swabs = chain.swab_time[np.isfinite(chain.swab_time)]
    if swabs.size == 0:
        return 0.0, max(chain.horizon_min, 60.0)
    start = float(np.floor(swabs.min() / 60.0) * 60.0)
    results = chain.tube_result[np.isfinite(chain.tube_result)]
    unfinished = results.size < chain.n_tubes
    end = chain.horizon_min if unfinished or results.size == 0 else float(results.max())
    return start, float(np.ceil(end / 60.0) * 60.0)


def backlog_series(chain: rec.ChainRun, step_min: float = 10.0) -> tuple[np.ndarray, np.ndarray]:
    """The grid (campaign minutes, every ``step_min`` over :func:`backlog_span`) and the tubes
    at each lab without a result at each grid time, shape (labs, times); see
    :func:`backlog_over_time`."""
    if step_min <= 0:
        raise ValueError(f"step_min must be > 0, got {step_min}")
    start, end = backlog_span(chain)
    grid = np.arange(start, end + step_min / 2, step_min)
    return grid, backlog_over_time(chain, grid)


def turnaround_ecdf(chain: rec.ChainRun) -> tuple[np.ndarray, np.ndarray]:
    """The share of all swabs resulted within each turnaround: the turnarounds with a result
    (hours, sorted) and, at each, the share (0..1) of all the chain's swabs with a result
    within it (below 1 at the last when some swabs have no result by the horizon)."""
    ta = turnaround_h(chain)
    done = np.sort(ta[np.isfinite(ta)])
    return done, np.arange(1, done.size + 1) / chain.n_swabs


def turnaround_by_hour(
    chain: rec.ChainRun, quantiles: Sequence[float] = (0.5, 0.95)
) -> tuple[np.ndarray, np.ndarray]:
    """Turnaround quantiles (hours) of the swabs taken in each hour of the campaign.

    Returns the start of each hour in which some swab was taken (campaign minutes) and an
    array ``len(quantiles) x hours``. Swabs without a result count as later than any result:
    a quantile they reach is ``inf``.
    """
    ta = turnaround_h(chain)
    ta = np.where(np.isfinite(ta), ta, np.inf)
    hour = np.floor(chain.swab_time / 60.0).astype(np.int64)
    order = np.lexsort((ta, hour))
    hour, ta = hour[order], ta[order]
    starts, first = np.unique(hour, return_index=True)
    bounds = [*first.tolist(), hour.size]
    out = np.empty((len(quantiles), starts.size))
    for k, (a, b) in enumerate(itertools.pairwise(bounds)):
        values = ta[a:b]  # sorted
        for i, q in enumerate(quantiles):
            # the smallest value with at least a share q of the hour's swabs at or below it
            rank = int(np.ceil(q * values.size - 1e-9))
            out[i, k] = values[min(max(rank - 1, 0), values.size - 1)]
    return 60.0 * starts.astype(float), out


def backlog_table(chain: rec.ChainRun) -> list[dict[str, Any]]:
    """One row per lab and hour of the campaign, from the first swab's hour to the last result
    (or the horizon): tubes waiting for a result at the lab on the hour, and tubes delivered
    and resulted in the hour that follows."""
    first = np.nanmin(chain.swab_time) if chain.n_swabs else 0.0
    done = chain.tube_result[np.isfinite(chain.tube_result)]
    held = np.isfinite(chain.tube_delivered) & ~np.isfinite(chain.tube_result)
    last = chain.horizon_min if held.any() or not done.size else float(done.max())
    hours = np.arange(np.floor(first / 60.0), np.ceil(last / 60.0) + 1) * 60.0
    waiting = backlog_over_time(chain, hours)
    rows = []
    for j, name in enumerate(chain.labs):
        mine = chain.tube_lab == j
        # counted in (t, t + 60]: the waiting count on the next hour is this hour's plus
        # delivered less resulted
        arrived = np.diff(_count_by(chain.tube_delivered[mine], hours))
        resulted = np.diff(_count_by(chain.tube_result[mine], hours))
        for i, t in enumerate(hours[:-1]):
            rows.append(
                {
                    "lab": name,
                    "day": int(t // DAY_MIN) + 1,
                    "hour": min_to_clock(t % DAY_MIN),
                    "time_min": float(t),
                    "tubes_waiting": int(waiting[j, i]),
                    "tubes_delivered": int(arrived[i]),
                    "tubes_resulted": int(resulted[i]),
                }
            )
    return rows


def _count_by(times: np.ndarray, at: np.ndarray) -> np.ndarray:
    """How many of ``times`` (NaN: never) are <= each of ``at``."""
    return np.searchsorted(np.sort(times[np.isfinite(times)]), at, side="right")


def people_per_day(chain: rec.ChainRun, lab: int) -> np.ndarray:
    """People (swabs) whose final result lab ``lab`` gave, per campaign day (day 1 first)."""
    res = chain.result
    tube = np.where(chain.retest_tube >= 0, chain.retest_tube, chain.swab_tube)
    mine = (chain.tube_lab[np.maximum(tube, 0)] == lab) & (tube >= 0) & np.isfinite(res)
    days = int(chain.horizon_min // DAY_MIN) + 1
    return np.bincount((res[mine] // DAY_MIN).astype(np.int64), minlength=days)


def people_resulted(chain: rec.ChainRun, lab: int, days: float) -> int:
    """People whose final result lab ``lab`` gave in its first ``days`` days open (the
    source's unit: "90,000+ people tested in 8 days")."""
    res = chain.result
    tube = np.where(chain.retest_tube >= 0, chain.retest_tube, chain.swab_tube)
    opens = float(chain.lab_opens_min[lab])
    mine = (chain.tube_lab[np.maximum(tube, 0)] == lab) & (tube >= 0)
    when = res[mine]
    return int(np.count_nonzero((when >= opens) & (when < opens + DAY_MIN * days)))


def lab_table(chain: rec.ChainRun) -> list[dict[str, Any]]:
    """One row per lab: tubes in and resulted, backlog at the end, runs and utilisation.

    Utilisation of a stage is busy desk/machine-minutes over worked desk/machine-minutes (the
    staffed ones plus the overtime of a run finished after its machine's technician went off:
    at most 1) while the lab has work: from its first delivery (or its opening, if later) to
    its last result (or the horizon if it still holds tubes). ``tubes_received`` counts tubes
    delivered to the lab's door.
    """
    rows = []
    for j, name in enumerate(chain.labs):
        mine = chain.tube_lab == j
        delivered = mine & np.isfinite(chain.tube_delivered)
        resulted = mine & np.isfinite(chain.tube_result)
        results = chain.tube_result[resulted]
        held = int(delivered.sum() - resulted.sum())
        end = chain.horizon_min if held or not results.size else float(results.max())
        row: dict[str, Any] = {
            "lab": name,
            "opens_min": float(chain.lab_opens_min[j]),
            "tubes_received": int(delivered.sum()),
            "tubes_resulted": int(resulted.sum()),
            "retest_tubes": int(np.sum(resulted & chain.tube_retest)),
            "swabs_resulted": int(chain.tube_size[resulted].sum()),
            "people_per_day_best": int(people_per_day(chain, j).max(initial=0)),
            "people_per_day_rated": float(chain.lab_rated_people_per_day[j]),
            "backlog_tubes_at_end": held,
            "last_result_min": float(results.max()) if results.size else float("nan"),
        }
        first_in = chain.tube_delivered[delivered]
        begin = max(float(chain.lab_opens_min[j]), float(first_in.min()) if first_in.size else end)
        tat = (results - chain.tube_delivered[resulted]) / 60.0
        row["lab_hours_mean"] = float(tat.mean()) if tat.size else float("nan")
        for s, stage in enumerate(STAGES):
            runs = (chain.run_lab == j) & (chain.run_stage == s)
            start = chain.run_start[runs]
            stop = np.minimum(np.nan_to_num(chain.run_end[runs], nan=end), end)
            busy = float(np.sum(np.maximum(stop - start, 0.0)))
            schedule = chain.capacity[j][stage]
            # a run under way when a machine's technician goes off is finished: overtime
            staffed = schedule.server_minutes(begin, end) + overtime_minutes(
                start, stop, schedule, [(begin, end)]
            )
            row[f"{stage}_runs"] = int(runs.sum())
            row[f"utilisation_{stage}"] = busy / staffed if staffed > 0 else float("nan")
            if stage != "receiving":
                tubes = chain.run_tubes[runs]
                row[f"{stage}_tubes_per_run"] = float(tubes.mean()) if tubes.size else float("nan")
        rows.append(row)
    return rows


class DorfmanExpectation(NamedTuple):
    """Expectations per person of Dorfman pooling with an imperfect test (see
    :func:`dorfman_imperfect`); all dimensionless.

    Attributes
    ----------
    tests_per_person
        Expected tests (pooled tubes plus individual retests) per person.
    sensitivity
        Probability that a positive person's final result is positive (1 - the share of
        positives missed).
    specificity
        Probability that a negative person's final result is negative (1 - the share of
        false positives among negatives).
    """

    tests_per_person: float
    sensitivity: float
    specificity: float


def dorfman_imperfect(
    prevalence: float,
    pool_size: int,
    sensitivity: float = 1.0,
    specificity: float = 1.0,
    dilution: float = 0.0,
) -> DorfmanExpectation:
    """Closed forms of Dorfman two-stage pooling with an imperfect test and dilution.

    Full pools of ``k`` swabs, each positive independently with probability ``p``. A pool with
    ``m >= 1`` positives is reported positive with probability ``S_km = S (m/k)^d`` (``S`` the
    individual sensitivity, ``d`` the dilution exponent), one without with ``1 - Sp``; every
    member of a pool reported positive is retested on their own (sensitivity ``S``,
    specificity ``Sp``) and the retest is their result. With ``B(n, j) = C(n, j) p^j
    (1-p)^(n-j)``::

        tests per person = 1/k + sum_{m=1..k} B(k, m) S_km + (1 - Sp) (1-p)^k
        sensitivity      = S * sum_{j=0..k-1} B(k-1, j) S_k(j+1)
        1 - specificity  = (1 - Sp) * [sum_{j=1..k-1} B(k-1, j) S_kj + (1 - Sp) (1-p)^(k-1)]

    Without dilution (``d = 0``) these are the forms of Kim, Hudgens, Dreyfuss, Westreich and
    Pilcher (2007, Biometrics 63:1152-1163) for two-stage hierarchical (Dorfman) testing:
    ``1/k + S - (S + Sp - 1)(1-p)^k``, ``S^2`` and ``1 - (1-Sp)(S - (S + Sp - 1)(1-p)^(k-1))``;
    with an exact test, Dorfman's ``1/k + 1 - (1-p)^k``. For ``k = 1`` (individual tests): 1
    test, sensitivity ``S``, specificity ``Sp``.

    Parameters
    ----------
    prevalence
        ``p``, in [0, 1].
    pool_size
        ``k``, an integer >= 1.
    sensitivity, specificity
        Of an individual test, in (0, 1].
    dilution
        ``d`` >= 0 (0: every pool holding a positive has sensitivity ``S``).
    """
    p, k = float(prevalence), int(pool_size)
    if not 0 <= p <= 1 or k < 1 or k != pool_size:
        raise ValueError(f"need 0 <= prevalence <= 1 and an integer pool_size >= 1: {p}, {k}")
    if not (0 < sensitivity <= 1 and 0 < specificity <= 1 and dilution >= 0):
        raise ValueError(
            "need sensitivity and specificity in (0, 1] and dilution >= 0: "
            f"{sensitivity}, {specificity}, {dilution}"
        )
    if k == 1:
        return DorfmanExpectation(1.0, float(sensitivity), float(specificity))
    q = 1.0 - p
    fp = 1.0 - specificity

    def pooled(m: int) -> float:
        return sensitivity * (m / k) ** dilution

    def b(n: int, j: int) -> float:
        return math.comb(n, j) * p**j * q ** (n - j)

    pool_positive = sum(b(k, m) * pooled(m) for m in range(1, k + 1)) + fp * q**k
    sens = sensitivity * sum(b(k - 1, j) * pooled(j + 1) for j in range(k))
    others_positive = sum(b(k - 1, j) * pooled(j) for j in range(1, k)) + fp * q ** (k - 1)
    return DorfmanExpectation(1.0 / k + pool_positive, sens, 1.0 - fp * others_positive)


def false_results_summary(chain: rec.ChainRun) -> dict[str, Any]:
    """False results of a chain run with an imperfect test (see :func:`summarise_chain`).

    Counts are over swabs whose final result is out by the horizon; the closed forms
    (``dorfman_*``, :func:`dorfman_imperfect`) are at the share positive observed, for full
    pools of ``pool_size``.
    """
    nan = float("nan")
    out_by_horizon = np.isfinite(chain.result)
    truth, said = chain.swab_positive, chain.swab_result_positive
    positives = int(np.sum(out_by_horizon & truth))
    negatives = int(np.sum(out_by_horizon & ~truth))
    fn = int(np.sum(out_by_horizon & truth & ~said))
    fp = int(np.sum(out_by_horizon & ~truth & said))
    pooled = ~chain.tube_retest
    k = chain.pool_size
    n = chain.n_swabs
    theory = (
        dorfman_imperfect(
            float(truth.mean()), k, chain.sensitivity, chain.specificity, chain.dilution
        )
        if n
        else None
    )
    return {
        "sensitivity": chain.sensitivity,
        "specificity": chain.specificity,
        "dilution": chain.dilution,
        "pooled_sensitivity": chain.sensitivity * (1.0 / k) ** chain.dilution,
        "false_negatives": fn,
        "false_positives": fp,
        "missed_positive_share": fn / positives if positives else nan,
        "false_positive_share": fp / negatives if negatives else nan,
        "false_negative_pools": int(
            np.sum(pooled & chain.tube_positive & ~chain.tube_result_positive)
        ),
        "false_positive_pools": int(
            np.sum(pooled & ~chain.tube_positive & chain.tube_result_positive)
        ),
        "dorfman_missed_positive_share": 1.0 - theory.sensitivity if theory else nan,
        "dorfman_false_positive_share": 1.0 - theory.specificity if theory else nan,
    }


def summarise_chain(chain: rec.ChainRun) -> dict[str, Any]:
    """Headline figures of the chain (hours unless stated).

    Keys: ``swabs`` (all swabs: ``swabs_points`` taken at the points, ``swabs_mobile`` by the
    mobile teams), ``tubes`` (pooled), ``pool_size``,
    ``positive_swabs``, ``positive_pools`` (pooled tubes the lab reports positive),
    ``recalled`` (their members), ``retests_done`` (retest swabs taken by the horizon),
    ``retests_visited`` (of those, the ones a visiting team took), ``pcr_tests`` (pooled tubes
    plus retest tubes resulted), ``tests_per_swab`` (pooled tubes plus retests, per swab,
    recalls after a false positive pool included; compare ``dorfman_tests_per_swab``, Dorfman's
    1/k + 1 - (1 - p)^k at the observed share positive, or with an imperfect test
    :func:`dorfman_imperfect`'s),
    only when the test is not exact (``samples.sensitivity`` or ``specificity`` below 1, or
    ``dilution`` above 0: :func:`false_results_summary`): ``sensitivity``, ``specificity``,
    ``dilution`` (as configured), ``pooled_sensitivity`` (a full pool with one positive swab),
    ``false_negatives`` and ``false_positives`` (swabs whose final result, out by the horizon,
    is wrong), ``missed_positive_share`` and ``false_positive_share`` (of the positive and
    negative swabs with a result), ``false_negative_pools`` and ``false_positive_pools``
    (pooled tubes), ``dorfman_missed_positive_share`` and ``dorfman_false_positive_share``
    (the closed forms);
    ``resulted``, ``backlog_swabs`` (no result by the horizon),
    ``backlog_<stage>`` for each of :data:`BACKLOG_STAGES`, ``turnaround_<stat>_h`` for stat
    in mean, p50, p95, max over swabs with a result, ``within_target`` (share of all swabs
    resulted within the target, unresulted ones counting as late), ``target_h``,
    ``last_result_min`` (campaign minutes), ``courier_trips``, ``courier_wait_mean_min``
    (call to loading); per round ``k`` (1-based, with several rounds) and for the mobile
    teams' swabs (``mobile``): ``round<k>_within_target``, ``round<k>_last_result_min`` /
    ``_clock``, ``mobile_within_target``, ``mobile_last_result_min``.
    """
    n = chain.n_swabs
    ta = turnaround_h(chain)
    ok = np.isfinite(ta)
    pooled = ~chain.tube_retest
    recalled = chain.retest_tube >= 0
    taken = chain.retest_time <= chain.horizon_min
    nan = float("nan")
    at_points = chain.swab_round >= 0
    out: dict[str, Any] = {
        "swabs": n,
        "swabs_points": int(at_points.sum()),
        "swabs_mobile": int(n - at_points.sum()),
        "tubes": int(pooled.sum()),
        "pool_size": chain.pool_size,
        "positive_swabs": int(chain.swab_positive.sum()),
        "positive_pools": int(np.sum(chain.tube_result_positive & pooled)),
        "recalled": int(recalled.sum()),
        "retests_done": int(np.sum(taken)),
        "retests_visited": int(np.sum(taken & chain.retest_visited)),
        "pcr_tests": int(np.sum(np.isfinite(chain.tube_result))),
        "tests_per_swab": (int(pooled.sum()) + int(recalled.sum())) / n if n else nan,
        "dorfman_tests_per_swab": nan,
    }
    if n and chain.exact_tests:
        p = float(chain.swab_positive.mean())
        out["dorfman_tests_per_swab"] = dorfman_tests_per_person(p, chain.pool_size)
    elif n:
        p = float(chain.swab_positive.mean())
        test = (chain.sensitivity, chain.specificity, chain.dilution)
        out["dorfman_tests_per_swab"] = dorfman_imperfect(p, chain.pool_size, *test)[0]
    if not chain.exact_tests:
        out.update(false_results_summary(chain))
    out["resulted"] = int(ok.sum())
    out["backlog_swabs"] = int(n - ok.sum())
    for stage, count in swab_backlog(chain).items():
        out[f"backlog_{stage}"] = count
    t = ta[ok]
    out["turnaround_mean_h"] = float(t.mean()) if t.size else nan
    for q in (50, 95):
        out[f"turnaround_p{q}_h"] = float(np.percentile(t, q)) if t.size else nan
    out["turnaround_max_h"] = float(t.max()) if t.size else nan
    out["target_h"] = chain.target_min / 60.0
    out["within_target"] = float(np.sum(t <= chain.target_min / 60.0) / n) if n else nan
    out["last_result_min"] = float(np.nanmax(chain.result)) if ok.any() else nan
    out["courier_trips"] = len(chain.trip_site)
    waits = chain.trip_loaded - chain.trip_called
    out["courier_wait_mean_min"] = float(waits.mean()) if waits.size else nan
    rounds = int(chain.swab_round.max()) + 1 if n else 0
    groups = [(f"round{k + 1}", chain.swab_round == k) for k in range(rounds)] if rounds > 1 else []
    if n > at_points.sum():
        groups.append(("mobile", ~at_points))
    target_h = chain.target_min / 60.0
    for key, sel in groups:
        m = int(sel.sum())
        got = ta[sel]
        out[f"{key}_within_target"] = float(np.sum(got <= target_h) / m) if m else nan
        last = float(np.nanmax(chain.result[sel])) if np.isfinite(got).any() else nan
        out[f"{key}_last_result_min"] = last
        out[f"{key}_last_result_clock"] = day_clock(last) if np.isfinite(last) else ""
    return out


def returns_summary(rounds: Sequence[rec.RoundRun], chain: rec.ChainRun) -> dict[str, Any]:
    """Recalled residents who came back to their point for the retest (``recall.mode:
    point``), over the campaign: ``recall_returns`` (came back through a point's lines),
    ``recall_returns_swabbed`` (swabbed there; the others were visited instead),
    ``recall_returns_wait_mean_min`` / ``_p95_min`` (minutes in the lines, swabbed ones) and
    ``retests_in_line`` (retest swabs of the chain taken after the lines; a resident first
    recalled in the second pass is retested outside them)."""
    runs = [run.returns for run in rounds if run.returns is not None]
    n = sum(r.n for r in runs)
    waits = np.concatenate([r.wait for r in runs]) if runs else np.zeros(0)
    waits = waits[np.isfinite(waits)]
    nan = float("nan")
    return {
        "recall_returns": n,
        "recall_returns_swabbed": int(waits.size),
        "recall_returns_wait_mean_min": float(waits.mean()) if waits.size else nan,
        "recall_returns_wait_p95_min": float(np.percentile(waits, 95)) if waits.size else nan,
        "retests_in_line": int(np.sum(chain.retest_in_line)),
    }

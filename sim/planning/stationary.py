"""Staffing formulas for one stationary point: the fewest servers that meet a service level.

A *stationary* point has a constant Poisson arrival rate ``lambda`` and exponential service
with rate ``mu`` per server; its offered load is ``R = lambda / mu`` Erlangs (the mean number of
busy servers if there were enough of them). The functions here give

* :func:`square_root_staffing`: the rule of thumb ``c = ceil(R + beta sqrt(R))``
  (Halfin-Whitt / quality-and-efficiency-driven staffing);
* :func:`erlang_c_staffing`: the exact smallest ``c`` that meets targets on the probability of
  waiting, the mean wait and a wait quantile in an M/M/c queue (Erlang C);
* :func:`erlang_a_staffing`: the same with exponential patience, M/M/c+M (Erlang-A), where the
  probability of abandoning can be targeted too;
* :func:`hourly_offered_load` and :func:`hourly_square_root_staffing`: the offered load of
  time-varying (hourly) demand and the square-root staffing derived from it, the starting point
  of the simulation-based iterative staffing algorithm.

Every measure targeted here decreases as servers are added, so each search is a bisection
between the smallest sensible ``c`` and :func:`staffing_search_limit` (derived from the load):
it never runs for ever, and a target not met at the limit raises ``ValueError`` naming it.
Targets no finite staffing can meet (a probability of waiting or of abandoning of 0, a mean
wait of 0, a quantile of 1) are refused up front with the reason.

Units: rates are per minute and times in minutes, as in :mod:`sim.metrics.theory` (any
consistent unit works); loads are in Erlangs (dimensionless).
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Sequence
from typing import Literal

from sim.metrics.theory import (
    _nonnegative,
    _positive,
    erlang_a,
    mmc_mean_wait,
    mmc_wait_probability,
    mmc_wait_tail,
)

__all__ = [
    "erlang_a_staffing",
    "erlang_c_staffing",
    "hourly_offered_load",
    "hourly_square_root_staffing",
    "offered_load",
    "square_root_staffing",
    "staffing_search_limit",
]


# ---------------------------------------------------------------------------
# Validation helpers
# ---------------------------------------------------------------------------


def _number(name: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"{name} must be a finite number, got {value!r}")
    x = float(value)
    if not math.isfinite(x):
        raise ValueError(f"{name} must be a finite number, got {value!r}")
    return x


def _optional_probability(name: str, value: object, reason: str) -> float | None:
    """A probability target in (0, 1]; 0 is refused as impossible with ``reason``."""
    if value is None:
        return None
    x = _number(name, value)
    if not 0.0 <= x <= 1.0:
        raise ValueError(f"{name} must be a probability in (0, 1], got {value!r}")
    if x == 0.0:
        raise ValueError(f"{name}=0 cannot be met by any number of servers: {reason}")
    return x


def _optional_mean_wait(value: object) -> float | None:
    if value is None:
        return None
    x = _nonnegative("max_mean_wait", value)
    if x == 0.0:
        raise ValueError(
            "max_mean_wait=0 cannot be met by any number of servers: with Poisson arrivals "
            "every finite staffing leaves a positive probability that an arrival finds all "
            "servers busy, hence a positive mean wait"
        )
    return x


def _optional_quantile(value: object) -> tuple[float, float] | None:
    """``(q, t)``: the ``q``-quantile of the wait at most ``t`` min, i.e. ``P(W > t) <= 1 - q``."""
    if value is None:
        return None
    if isinstance(value, str | bytes) or not isinstance(value, Sequence) or len(value) != 2:
        raise ValueError(
            f"max_wait_quantile must be a pair (q, t): the q-quantile of the wait at most "
            f"t minutes, e.g. (0.95, 30.0); got {value!r}"
        )
    q = _number("max_wait_quantile q", value[0])
    t = _nonnegative("max_wait_quantile t", value[1])
    if not 0.0 < q <= 1.0:
        raise ValueError(f"max_wait_quantile q must be in (0, 1), got {value[0]!r}")
    if q == 1.0:
        raise ValueError(
            f"max_wait_quantile=(1, {t:g}) cannot be met by any number of servers: it asks that "
            f"no arrival wait longer than {t:g} minutes, but with Poisson arrivals and "
            f"exponential service every finite staffing leaves P(W > {t:g}) > 0; use q < 1"
        )
    return q, t


# ---------------------------------------------------------------------------
# Offered load and square-root staffing
# ---------------------------------------------------------------------------


def offered_load(arrival_rate: float, service_rate: float) -> float:
    """Offered load ``R = lambda / mu`` in Erlangs.

    Parameters
    ----------
    arrival_rate : float
        Arrival rate ``lambda`` (customers per minute), ``>= 0``.
    service_rate : float
        Service rate ``mu`` of one server (customers per minute), ``> 0``; the mean service
        time is ``1/mu`` minutes.

    Returns
    -------
    float
        The mean number of busy servers with unlimited servers (dimensionless).
    """
    return _nonnegative("arrival_rate", arrival_rate) / _positive("service_rate", service_rate)


def square_root_staffing(offered_load: float, beta: float) -> int:
    """Square-root staffing ``c = ceil(R + beta sqrt(R))``.

    ``beta`` is the quality-of-service margin in units of ``sqrt(R)`` (Halfin-Whitt): in an
    M/M/c queue with large ``R`` the probability of waiting tends to
    ``[1 + beta Phi(beta) / phi(beta)]^{-1}`` (e.g. about 0.5 for ``beta = 0.5``, 0.22 for
    ``beta = 1``, 0.02 for ``beta = 2``). It is a starting point, not a guarantee: use
    :func:`erlang_c_staffing` for the exact stationary minimum. ``beta <= 0`` can give
    ``c <= R`` (unstable without abandonment; meaningful with abandonment).

    Parameters
    ----------
    offered_load : float
        ``R`` in Erlangs, finite and ``>= 0``.
    beta : float
        Safety margin (dimensionless), finite; may be negative.

    Returns
    -------
    int
        Servers: ``0`` when ``R == 0``, otherwise at least 1. A value within ``1e-9`` (relative)
        above an integer is rounded down to it, so that floating-point noise in ``R`` does not
        add a server.
    """
    r = _nonnegative("offered_load", offered_load)
    b = _number("beta", beta)
    if r == 0.0:
        return 0
    x = r + b * math.sqrt(r)
    c = math.ceil(x - 1e-9 * max(1.0, abs(x)))
    return max(1, c)


def staffing_search_limit(offered_load: float) -> int:
    """Largest number of servers the staffing searches try: ``ceil(R + 40 sqrt(R)) + 100``.

    Square-root staffing with ``beta = 40`` plus 100 servers leaves an M/M/c probability of
    waiting below about ``1e-200`` at any load (e.g. ``1.6e-231`` for ``R = 10``), far beyond
    any practical target, so the searches stop here; a target still unmet at this limit is
    reported as too strict.

    Parameters
    ----------
    offered_load : float
        ``R`` in Erlangs, finite and ``>= 0``.
    """
    r = _nonnegative("offered_load", offered_load)
    return math.ceil(r + 40.0 * math.sqrt(r)) + 100


def _smallest_meeting(
    lo: int,
    hi: int,
    failures: Callable[[int], list[str]],
    describe: str,
) -> int:
    """Smallest ``c`` in ``[lo, hi]`` with no failing target (failures decrease in ``c``)."""
    at_limit = failures(hi)
    if at_limit:
        raise ValueError(
            f"no staffing up to the search limit of {hi} servers ({describe}) meets "
            + "; ".join(at_limit)
            + ": the target is too strict to be met (see staffing_search_limit)"
        )
    while lo < hi:
        mid = (lo + hi) // 2
        if failures(mid):
            lo = mid + 1
        else:
            hi = mid
    return hi


def erlang_c_staffing(
    arrival_rate: float,
    service_rate: float,
    *,
    max_wait_probability: float | None = None,
    max_mean_wait: float | None = None,
    max_wait_quantile: tuple[float, float] | None = None,
) -> int:
    """Smallest number of servers of an M/M/c queue that meets every given target (Erlang C).

    Parameters
    ----------
    arrival_rate : float
        Poisson arrival rate ``lambda`` (customers per minute), ``>= 0``.
    service_rate : float
        Exponential service rate ``mu`` of one server (customers per minute), ``> 0``.
    max_wait_probability : float, optional
        Largest allowed ``P(W > 0)`` (Erlang C), in ``(0, 1]``.
    max_mean_wait : float, optional
        Largest allowed mean wait in queue ``Wq``, minutes, ``> 0``.
    max_wait_quantile : tuple[float, float], optional
        ``(q, t)``: the ``q``-quantile of the wait at most ``t`` minutes, that is
        ``P(W > t) <= 1 - q`` (FCFS tail :func:`~sim.metrics.theory.mmc_wait_tail`); e.g.
        ``(0.95, 30.0)`` for "p95 wait at most 30 minutes". ``q`` in ``(0, 1)``, ``t >= 0``;
        ``t = 0`` is the same as ``max_wait_probability = 1 - q``.

    Returns
    -------
    int
        The smallest ``c >= floor(R) + 1`` (stable) meeting all targets; ``0`` if
        ``arrival_rate == 0`` (nobody arrives; impossible targets are still refused).

    Raises
    ------
    ValueError
        If no target is given; on invalid inputs; for a target no finite staffing meets (a
        probability of waiting 0, a mean wait 0, ``q = 1``), or one not met at
        :func:`staffing_search_limit` servers, naming the target.
    """
    lam = _nonnegative("arrival_rate", arrival_rate)
    mu = _positive("service_rate", service_rate)
    p_max = _optional_probability(
        "max_wait_probability",
        max_wait_probability,
        "with Poisson arrivals every finite staffing leaves a positive probability that an "
        "arrival finds all servers busy (Erlang C > 0)",
    )
    w_max = _optional_mean_wait(max_mean_wait)
    quantile = _optional_quantile(max_wait_quantile)
    if p_max is None and w_max is None and quantile is None:
        raise ValueError(
            "erlang_c_staffing needs at least one target: max_wait_probability, "
            "max_mean_wait or max_wait_quantile"
        )
    if lam == 0.0:
        return 0

    def failures(c: int) -> list[str]:
        out: list[str] = []
        if p_max is not None and (p := mmc_wait_probability(lam, mu, c)) > p_max:
            out.append(f"max_wait_probability={p_max:g} (P(wait) = {p:.4g} with {c} servers)")
        if w_max is not None and (w := mmc_mean_wait(lam, mu, c)) > w_max:
            out.append(f"max_mean_wait={w_max:g} min (mean wait {w:.4g} min with {c} servers)")
        if quantile is not None:
            q, t = quantile
            if (tail := mmc_wait_tail(lam, mu, c, t)) > 1.0 - q:
                out.append(
                    f"max_wait_quantile=({q:g}, {t:g}) (P(W > {t:g}) = {tail:.4g} > {1 - q:.4g} "
                    f"with {c} servers)"
                )
        return out

    r = lam / mu
    return _smallest_meeting(
        math.floor(r) + 1, staffing_search_limit(r), failures, f"offered load {r:.4g} Erlangs"
    )


_NO_TARGET_A = (
    "erlang_a_staffing needs at least one target: max_wait_probability, "
    "max_abandon_probability, max_mean_wait or max_wait_quantile"
)


def erlang_a_staffing(
    arrival_rate: float,
    service_rate: float,
    abandon_rate: float,
    *,
    max_wait_probability: float | None = None,
    max_abandon_probability: float | None = None,
    max_mean_wait: float | None = None,
    max_wait_quantile: tuple[float, float] | None = None,
) -> int:
    """Smallest number of servers of an M/M/c+M (Erlang-A) queue that meets every given target.

    Waiting customers abandon at rate ``abandon_rate`` each (mean patience
    ``1/abandon_rate`` minutes), computed exactly by :func:`~sim.metrics.theory.erlang_a`. With
    abandonment the queue is stable for any ``c >= 1``, so the search starts at 1; with
    ``abandon_rate == 0`` this is :func:`erlang_c_staffing` (an abandonment target is then met
    trivially). A staffing so far below the load that the line would exceed
    :data:`~sim.metrics.theory.ERLANG_A_MAX_QUEUE` people (only with a mean patience of years)
    counts as failing every target.

    Parameters
    ----------
    arrival_rate : float
        Poisson arrival rate ``lambda`` (customers per minute), ``>= 0``.
    service_rate : float
        Exponential service rate ``mu`` of one server (customers per minute), ``> 0``.
    abandon_rate : float
        Abandonment rate ``theta`` of a waiting customer (per minute), ``>= 0``.
    max_wait_probability : float, optional
        Largest allowed probability that an arrival finds every server busy, in ``(0, 1]``.
    max_abandon_probability : float, optional
        Largest allowed probability that an arrival abandons, in ``(0, 1]``.
    max_mean_wait : float, optional
        Largest allowed mean time in line of all arrivals (abandoners counted until they
        leave), minutes, ``> 0``.
    max_wait_quantile : tuple[float, float], optional
        ``(q, t)``: ``P(W > t) <= 1 - q`` for the time ``W`` an arrival spends in line
        (until service or abandonment), :meth:`~sim.metrics.theory.ErlangAResult.p_wait_longer`.

    Returns
    -------
    int
        The smallest ``c >= 1`` meeting all targets; ``0`` if ``arrival_rate == 0``.

    Raises
    ------
    ValueError
        If no target is given; on invalid inputs; for a target no finite staffing meets (a
        probability 0, a mean wait 0, ``q = 1``), or one not met at
        :func:`staffing_search_limit` servers, naming the target.
    """
    lam = _nonnegative("arrival_rate", arrival_rate)
    mu = _positive("service_rate", service_rate)
    theta = _nonnegative("abandon_rate", abandon_rate)
    p_max = _optional_probability(
        "max_wait_probability",
        max_wait_probability,
        "with Poisson arrivals every finite staffing leaves a positive probability that an "
        "arrival finds all servers busy",
    )
    if theta == 0.0:
        # No abandonment: any abandonment target is met; the rest is Erlang C.
        if max_abandon_probability is not None:
            x = _number("max_abandon_probability", max_abandon_probability)
            if not 0.0 <= x <= 1.0:
                raise ValueError(
                    f"max_abandon_probability must be a probability in (0, 1], "
                    f"got {max_abandon_probability!r}"
                )
        w_max = _optional_mean_wait(max_mean_wait)
        quantile = _optional_quantile(max_wait_quantile)
        if p_max is None and w_max is None and quantile is None:
            if max_abandon_probability is None:
                raise ValueError(_NO_TARGET_A)
            return 0 if lam == 0.0 else math.floor(lam / mu) + 1  # the smallest stable c
        return erlang_c_staffing(
            lam, mu, max_wait_probability=p_max, max_mean_wait=w_max, max_wait_quantile=quantile
        )
    ab_max = _optional_probability(
        "max_abandon_probability",
        max_abandon_probability,
        "with Poisson arrivals and exponential patience every finite staffing leaves a "
        "positive probability that an arrival waits longer than its patience",
    )
    w_max = _optional_mean_wait(max_mean_wait)
    quantile = _optional_quantile(max_wait_quantile)
    if p_max is None and ab_max is None and w_max is None and quantile is None:
        raise ValueError(_NO_TARGET_A)
    if lam == 0.0:
        return 0

    def failures(c: int) -> list[str]:
        try:
            res = erlang_a(lam, mu, c, theta)
        except ValueError as exc:  # only when the line would hold millions: count as failing
            return [f"every target (with {c} servers: {exc})"]
        out: list[str] = []
        if p_max is not None and res.p_wait > p_max:
            out.append(
                f"max_wait_probability={p_max:g} (P(wait) = {res.p_wait:.4g} with {c} servers)"
            )
        if ab_max is not None and res.p_abandon > ab_max:
            out.append(
                f"max_abandon_probability={ab_max:g} (P(abandon) = {res.p_abandon:.4g} "
                f"with {c} servers)"
            )
        if w_max is not None and res.mean_wait > w_max:
            out.append(
                f"max_mean_wait={w_max:g} min (mean wait {res.mean_wait:.4g} min with {c} servers)"
            )
        if quantile is not None:
            q, t = quantile
            if (tail := res.p_wait_longer(t)) > 1.0 - q:
                out.append(
                    f"max_wait_quantile=({q:g}, {t:g}) (P(W > {t:g}) = {tail:.4g} > {1 - q:.4g} "
                    f"with {c} servers)"
                )
        return out

    r = lam / mu
    return _smallest_meeting(
        1,
        staffing_search_limit(r),
        failures,
        f"offered load {r:.4g} Erlangs, abandon_rate {theta:g}/min",
    )


# ---------------------------------------------------------------------------
# Time-varying demand
# ---------------------------------------------------------------------------


def hourly_offered_load(
    arrivals_per_hour: Sequence[float],
    mean_service_min: float,
    *,
    method: Literal["lagged", "pointwise"] = "lagged",
    initial_load: float = 0.0,
) -> list[float]:
    """Offered load (Erlangs) of each hour of a day with hourly arrival rates.

    This is where staffing time-varying demand starts: the simulation-based iterative staffing
    algorithm (Feldman, Mandelbaum, Massey and Whitt, Management Science 54(2), 2008) starts
    from square-root staffing around this load (:func:`hourly_square_root_staffing`) and then
    corrects it by simulation.

    Methods
    -------
    ``"lagged"`` (default)
        The mean number in service of the infinite-server queue ``M_t/M/inf`` fed by the
        piecewise-constant hourly rates, averaged over each hour: ``m' = lambda(t) - m/E[S]``
        solved exactly from ``m = initial_load`` at the first hour's start. This is the
        *offered load* of time-varying queues, ``m(t) = E[lambda(t - S_e)] E[S]``
        (Eick, Massey and Whitt 1993); with exponential service ``S_e`` is ``S`` itself, so it
        is exact for ``M_t/M/inf``. It lags the arrivals by about one service time.
    ``"pointwise"``
        The pointwise stationary approximation (PSA) ``lambda_h E[S]``: each hour treated as
        if stationary at its own rate.

    Caveats: PSA ignores the lag of the load behind the arrival rate; both ignore that a
    queue built up in an understaffed hour carries over to the next, and (with abandonment) how
    patience shortens it. With services of a few minutes and hourly rates the two methods
    differ only in the first minutes of each hour (and the first hour when the point opens
    empty); the iterative algorithm's simulation accounts for all of it. The lag uses
    exponential service; for other service distributions the lag is
    ``E[S_e] = E[S^2] / (2 E[S])`` instead of ``E[S]``, which for short services hardly matters.

    Parameters
    ----------
    arrivals_per_hour : Sequence[float]
        Mean arrivals in each consecutive hour (the hourly rate), each finite and ``>= 0``.
    mean_service_min : float
        Mean service time ``E[S]`` in minutes, ``> 0``.
    method : {"lagged", "pointwise"}
        See above.
    initial_load : float
        Mean number in service when the first hour starts (``"lagged"`` only), ``>= 0``;
        ``0`` for a point that opens empty.

    Returns
    -------
    list[float]
        Offered load of each hour in Erlangs (same length as ``arrivals_per_hour``).
    """
    if isinstance(arrivals_per_hour, str | bytes) or not isinstance(arrivals_per_hour, Sequence):
        raise ValueError(
            f"arrivals_per_hour must be a sequence of non-negative numbers, "
            f"got {arrivals_per_hour!r}"
        )
    rates = [_nonnegative(f"arrivals_per_hour[{i}]", x) for i, x in enumerate(arrivals_per_hour)]
    es = _positive("mean_service_min", mean_service_min)
    m = _nonnegative("initial_load", initial_load)
    if method == "pointwise":
        return [x * es / 60.0 for x in rates]
    if method != "lagged":
        raise ValueError(f"method must be 'lagged' or 'pointwise', got {method!r}")
    decay = math.exp(-60.0 / es)  # e^{-mu T}, T = 60 minutes
    mean_factor = -math.expm1(-60.0 / es) * es / 60.0  # (1 - e^{-mu T}) / (mu T)
    loads: list[float] = []
    for x in rates:
        stationary = x * es / 60.0
        loads.append(stationary + (m - stationary) * mean_factor)
        m = stationary + (m - stationary) * decay
    return loads


def hourly_square_root_staffing(
    arrivals_per_hour: Sequence[float],
    mean_service_min: float,
    beta: float,
    *,
    method: Literal["lagged", "pointwise"] = "lagged",
    initial_load: float = 0.0,
) -> list[int]:
    """Square-root staffing of each hour from :func:`hourly_offered_load`.

    ``c_h = ceil(R_h + beta sqrt(R_h))`` (0 in an hour without load); the starting staffing of
    the iterative staffing algorithm. See :func:`hourly_offered_load` for the arguments and
    :func:`square_root_staffing` for ``beta``.
    """
    loads = hourly_offered_load(
        arrivals_per_hour, mean_service_min, method=method, initial_load=initial_load
    )
    return [square_root_staffing(r, beta) for r in loads]

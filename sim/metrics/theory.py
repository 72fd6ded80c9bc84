"""Closed-form queueing-theory results used to validate the simulator.

Everything here is pure Python (standard library only): no simulation is run.
The functions give textbook values for the simple models that the
discrete-event simulator must reproduce in its validation tests:

* M/M/c (Erlang C): probability of waiting, mean wait, waiting-time tail;
* M/M/c+M (Erlang-A, exponential patience): waiting, abandonment, waits, wait tail;
* non-preemptive priority M/M/c with equal service rates (Cobham's formula);
* M/M/c/K (finite capacity, loss of arrivals that find the system full);
* M/G/1 (Pollaczek-Khinchine), with M/D/1 and coefficient-of-variation helpers;
* Dorfman two-stage pooled testing;
* Little's law.

Units
-----
Rates are in events per minute and times in minutes, matching the simulator.
Any consistent time unit works: if rates are per hour, the times returned are
in hours. Offered loads, utilisations and probabilities are dimensionless.

Every function validates its inputs and raises :class:`ValueError` whose
message names the offending argument, its value and what is allowed.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from dataclasses import dataclass, field

__all__ = [
    "ErlangAResult",
    "MMCKResult",
    "cobham_priority_waits",
    "dorfman_tests_per_person",
    "erlang_a",
    "erlang_c",
    "little_law_queue_length",
    "md1_mean_wait",
    "mg1_mean_wait_from_cv",
    "mmc_mean_wait",
    "mmc_wait_probability",
    "mmc_wait_tail",
    "mmck",
    "pollaczek_khinchine_wait",
]


# ---------------------------------------------------------------------------
# Input validation helpers
# ---------------------------------------------------------------------------


def _real(value: object) -> float | None:
    """Return ``value`` as a float if it is a real number (not bool, not NaN), else None."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        return None
    result = float(value)
    return None if math.isnan(result) else result


def _positive_int(name: str, value: object) -> int:
    """Return ``value`` as an int, requiring an integer >= 1."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or int(value) < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return int(value)


def _nonnegative(name: str, value: object) -> float:
    """Return ``value`` as a float, requiring a finite number >= 0."""
    x = _real(value)
    if x is None or not math.isfinite(x) or x < 0.0:
        raise ValueError(f"{name} must be a finite non-negative number, got {value!r}")
    return x


def _positive(name: str, value: object) -> float:
    """Return ``value`` as a float, requiring a finite number > 0."""
    x = _real(value)
    if x is None or not math.isfinite(x) or x <= 0.0:
        raise ValueError(f"{name} must be a finite positive number, got {value!r}")
    return x


def _probability(name: str, value: object) -> float:
    """Return ``value`` as a float, requiring a number in [0, 1]."""
    x = _real(value)
    if x is None or not 0.0 <= x <= 1.0:
        raise ValueError(f"{name} must be a probability in [0, 1], got {value!r}")
    return x


def _mmc_inputs(arrival_rate: float, service_rate: float, c: int) -> tuple[float, float, int]:
    """Validate M/M/c inputs and check stability; return them as (lambda, mu, c)."""
    lam = _nonnegative("arrival_rate", arrival_rate)
    mu = _positive("service_rate", service_rate)
    servers = _positive_int("c", c)
    rho = lam / (servers * mu)
    if rho >= 1.0:
        raise ValueError(
            f"unstable: utilisation lambda/(c mu) = {rho:.6g} must be < 1 for M/M/c "
            f"(arrival_rate={lam!r}, service_rate={mu!r}, c={servers})"
        )
    return lam, mu, servers


# ---------------------------------------------------------------------------
# M/M/c
# ---------------------------------------------------------------------------


def erlang_c(c: int, offered_load: float) -> float:
    """Erlang C: probability that an arrival has to wait in an M/M/c queue.

    Computed with the numerically stable Erlang B recursion
    ``B(0) = 1``, ``B(k) = a B(k-1) / (k + a B(k-1))`` followed by the
    conversion ``C = c B / (c - a (1 - B))``, which avoids factorials and
    large powers and is accurate for ``c`` in the hundreds.

    Parameters
    ----------
    c : int
        Number of parallel servers, ``c >= 1``.
    offered_load : float
        Offered load ``a = lambda / mu`` in Erlangs (dimensionless), with
        ``0 <= a < c`` for a stable queue.

    Returns
    -------
    float
        ``P(W > 0)``, the probability that an arriving customer waits
        (dimensionless, in ``[0, 1)``).

    Raises
    ------
    ValueError
        If ``c`` is not a positive integer, ``offered_load`` is negative or not
        finite, or ``offered_load >= c`` (unstable queue).
    """
    servers = _positive_int("c", c)
    a = _nonnegative("offered_load", offered_load)
    if a >= servers:
        raise ValueError(
            f"unstable: offered_load a = {a!r} must be < c = {servers} for M/M/c "
            f"(utilisation a/c = {a / servers:.6g} must be < 1)"
        )
    if a == 0.0:
        return 0.0
    erlang_b = 1.0
    for k in range(1, servers + 1):
        erlang_b = a * erlang_b / (k + a * erlang_b)
    return servers * erlang_b / (servers - a * (1.0 - erlang_b))


def mmc_wait_probability(arrival_rate: float, service_rate: float, c: int) -> float:
    """Probability that an arrival waits in an M/M/c queue, ``P(Wq > 0)``.

    Parameters
    ----------
    arrival_rate : float
        Poisson arrival rate ``lambda`` (customers per minute), ``>= 0``.
    service_rate : float
        Exponential service rate ``mu`` of one server (customers per minute),
        ``> 0``.
    c : int
        Number of servers, ``>= 1``.

    Returns
    -------
    float
        Erlang C probability ``C(c, lambda/mu)`` (dimensionless).

    Raises
    ------
    ValueError
        On invalid inputs or if ``lambda >= c mu`` (unstable).
    """
    lam, mu, servers = _mmc_inputs(arrival_rate, service_rate, c)
    return erlang_c(servers, lam / mu)


def mmc_mean_wait(arrival_rate: float, service_rate: float, c: int) -> float:
    """Mean time spent waiting in queue (excluding service) in an M/M/c queue.

    ``Wq = C(c, a) / (c mu - lambda)`` with ``a = lambda / mu``.

    Parameters
    ----------
    arrival_rate : float
        Poisson arrival rate ``lambda`` (customers per minute), ``>= 0``.
    service_rate : float
        Exponential service rate ``mu`` of one server (customers per minute),
        ``> 0``.
    c : int
        Number of servers, ``>= 1``.

    Returns
    -------
    float
        Mean queueing delay ``Wq`` in minutes.

    Raises
    ------
    ValueError
        On invalid inputs or if ``lambda >= c mu`` (unstable).
    """
    lam, mu, servers = _mmc_inputs(arrival_rate, service_rate, c)
    return erlang_c(servers, lam / mu) / (servers * mu - lam)


def mmc_wait_tail(arrival_rate: float, service_rate: float, c: int, t: float) -> float:
    """Waiting-time tail probability ``P(Wq > t)`` for an FCFS M/M/c queue.

    ``P(Wq > t) = C(c, a) exp(-(c mu - lambda) t)``.

    Parameters
    ----------
    arrival_rate : float
        Poisson arrival rate ``lambda`` (customers per minute), ``>= 0``.
    service_rate : float
        Exponential service rate ``mu`` of one server (customers per minute),
        ``> 0``.
    c : int
        Number of servers, ``>= 1``.
    t : float
        Waiting-time threshold in minutes, finite and ``>= 0``.

    Returns
    -------
    float
        Probability that an arrival waits strictly longer than ``t`` minutes
        (dimensionless).

    Raises
    ------
    ValueError
        On invalid inputs or if ``lambda >= c mu`` (unstable).
    """
    lam, mu, servers = _mmc_inputs(arrival_rate, service_rate, c)
    threshold = _nonnegative("t", t)
    return erlang_c(servers, lam / mu) * math.exp(-(servers * mu - lam) * threshold)


def cobham_priority_waits(
    arrival_rates: Sequence[float], service_rate: float, c: int
) -> list[float]:
    """Mean queue wait per class in a non-preemptive priority M/M/c queue.

    Cobham's formula for ``c`` identical exponential servers with the same
    service rate ``mu`` for every class. Classes are given in priority order
    (index 0 is the highest priority); FCFS applies within a class.

    ``W0 = C(c, a) / (c mu)`` with ``a = sum(lambda) / mu``,
    ``s_k = sum_{i <= k} lambda_i / (c mu)`` (``s_{-1} = 0``) and
    ``W_k = W0 / ((1 - s_{k-1}) (1 - s_k))``.

    Parameters
    ----------
    arrival_rates : Sequence[float]
        Poisson arrival rate ``lambda_k`` of each class (customers per
        minute), each finite and ``>= 0``; at least one class.
    service_rate : float
        Exponential service rate ``mu`` of one server (customers per minute),
        ``> 0``, shared by all classes.
    c : int
        Number of servers, ``>= 1``.

    Returns
    -------
    list[float]
        Mean queueing delay ``W_k`` (minutes) for each class, in the same
        order as ``arrival_rates``.

    Raises
    ------
    ValueError
        On invalid inputs or if ``sum(lambda) >= c mu`` (unstable).
    """
    if isinstance(arrival_rates, str | bytes) or not isinstance(arrival_rates, Sequence):
        raise ValueError(
            f"arrival_rates must be a sequence of non-negative numbers, got {arrival_rates!r}"
        )
    if len(arrival_rates) == 0:
        raise ValueError("arrival_rates must contain at least one class, got an empty sequence")
    rates = [_nonnegative(f"arrival_rates[{i}]", r) for i, r in enumerate(arrival_rates)]
    mu = _positive("service_rate", service_rate)
    servers = _positive_int("c", c)
    total = math.fsum(rates)
    capacity = servers * mu
    if total / capacity >= 1.0:
        raise ValueError(
            f"unstable: utilisation sum(arrival_rates)/(c mu) = {total / capacity:.6g} "
            f"must be < 1 for priority M/M/c"
        )
    w0 = erlang_c(servers, total / mu) / capacity
    waits: list[float] = []
    cumulative = 0.0
    for rate in rates:
        s_prev = cumulative / capacity
        cumulative += rate
        s_k = cumulative / capacity
        waits.append(w0 / ((1.0 - s_prev) * (1.0 - s_k)))
    return waits


# ---------------------------------------------------------------------------
# M/M/c/K
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class MMCKResult:
    """Stationary performance measures of an M/M/c/K queue.

    Attributes
    ----------
    blocking_probability : float
        ``P_K``: probability that an arrival finds the system full and is lost
        (dimensionless; by PASTA equal to the time-stationary ``p_K``).
    mean_queue_length : float
        ``Lq``: time-average number of customers waiting (not in service).
    mean_wait : float
        ``Wq``: mean queueing delay of *admitted* customers, in minutes,
        ``Lq / (lambda (1 - P_K))``.
    probabilities : tuple[float, ...]
        Stationary distribution ``(p_0, ..., p_K)`` of the number in system.
    throughput : float
        Rate of admitted (and, in steady state, served) customers per minute,
        ``lambda (1 - P_K)``.
    """

    blocking_probability: float
    mean_queue_length: float
    mean_wait: float
    probabilities: tuple[float, ...]
    throughput: float


def mmck(arrival_rate: float, service_rate: float, c: int, K: int) -> MMCKResult:
    """Stationary solution of the M/M/c/K queue (finite capacity ``K``).

    Arrivals that find ``K`` customers in the system are lost. Because the
    state space is finite the queue is stable for any load, including
    ``lambda >= c mu``. The birth-death stationary distribution is computed in
    log space and normalised with a log-sum-exp, so ``K`` in the thousands
    (and heavy overload) neither overflows nor underflows harmfully.

    Parameters
    ----------
    arrival_rate : float
        Poisson arrival rate ``lambda`` (customers per minute), ``>= 0``.
    service_rate : float
        Exponential service rate ``mu`` of one server (customers per minute),
        ``> 0``.
    c : int
        Number of servers, ``>= 1``.
    K : int
        System capacity (servers plus waiting places), an integer ``>= c``.

    Returns
    -------
    MMCKResult
        Blocking probability, ``Lq``, ``Wq`` (minutes), the distribution
        ``p_0..p_K`` and the throughput (customers per minute).

    Raises
    ------
    ValueError
        On invalid inputs, including ``K < c``.
    """
    lam = _nonnegative("arrival_rate", arrival_rate)
    mu = _positive("service_rate", service_rate)
    servers = _positive_int("c", c)
    capacity = _positive_int("K", K)
    if capacity < servers:
        raise ValueError(
            f"K must be an integer >= c = {servers} (servers plus waiting places), got {capacity}"
        )

    if lam == 0.0:
        probs = [1.0] + [0.0] * capacity
    else:
        # log of unnormalised weights: w_n = a^n / n! (n <= c),
        # w_n = w_c (a / c)^(n - c) (n > c).
        log_a = math.log(lam / mu)
        log_w = [n * log_a - math.lgamma(n + 1) for n in range(servers + 1)]
        log_ratio = math.log(lam / (servers * mu))
        log_wc = log_w[-1]
        log_w.extend(log_wc + (n - servers) * log_ratio for n in range(servers + 1, capacity + 1))
        peak = max(log_w)
        scaled = [math.exp(x - peak) for x in log_w]
        norm = math.fsum(scaled)
        probs = [x / norm for x in scaled]

    blocking = probs[capacity]
    lq = math.fsum((n - servers) * probs[n] for n in range(servers + 1, capacity + 1))
    throughput = lam * (1.0 - blocking)
    wq = lq / throughput if throughput > 0.0 else 0.0
    return MMCKResult(
        blocking_probability=blocking,
        mean_queue_length=lq,
        mean_wait=wq,
        probabilities=tuple(probs),
        throughput=throughput,
    )


# ---------------------------------------------------------------------------
# M/G/1
# ---------------------------------------------------------------------------


def pollaczek_khinchine_wait(
    arrival_rate: float, mean_service: float, second_moment_service: float
) -> float:
    """Mean queueing delay in an M/G/1 queue (Pollaczek-Khinchine formula).

    ``Wq = lambda E[S^2] / (2 (1 - rho))`` with ``rho = lambda E[S]``.

    Parameters
    ----------
    arrival_rate : float
        Poisson arrival rate ``lambda`` (customers per minute), ``>= 0``.
    mean_service : float
        Mean service time ``E[S]`` in minutes, ``> 0``.
    second_moment_service : float
        Second moment of the service time ``E[S^2]`` in minutes squared; must
        satisfy ``E[S^2] >= E[S]^2`` (non-negative variance).

    Returns
    -------
    float
        Mean queueing delay ``Wq`` in minutes.

    Raises
    ------
    ValueError
        On invalid inputs or if ``rho = lambda E[S] >= 1`` (unstable).
    """
    lam = _nonnegative("arrival_rate", arrival_rate)
    es = _positive("mean_service", mean_service)
    es2 = _nonnegative("second_moment_service", second_moment_service)
    # Allow for rounding when E[S^2] is computed as E[S]^2 (deterministic service).
    if es2 < es * es * (1.0 - 1e-12):
        raise ValueError(
            f"second_moment_service must be >= mean_service**2 = {es * es!r} "
            f"(variance cannot be negative), got {second_moment_service!r}"
        )
    rho = lam * es
    if rho >= 1.0:
        raise ValueError(
            f"unstable: utilisation rho = lambda E[S] = {rho:.6g} must be < 1 for M/G/1"
        )
    return lam * es2 / (2.0 * (1.0 - rho))


def md1_mean_wait(arrival_rate: float, service_time: float) -> float:
    """Mean queueing delay in an M/D/1 queue (deterministic service).

    Parameters
    ----------
    arrival_rate : float
        Poisson arrival rate ``lambda`` (customers per minute), ``>= 0``.
    service_time : float
        Constant service time in minutes, ``> 0``.

    Returns
    -------
    float
        ``Wq = lambda d^2 / (2 (1 - lambda d))`` in minutes (half the M/M/1
        value at the same load).

    Raises
    ------
    ValueError
        On invalid inputs or if ``lambda d >= 1`` (unstable).
    """
    d = _positive("service_time", service_time)
    return pollaczek_khinchine_wait(arrival_rate, d, d * d)


def mg1_mean_wait_from_cv(arrival_rate: float, mean_service: float, cv: float) -> float:
    """Mean M/G/1 queueing delay from the service-time coefficient of variation.

    Uses ``E[S^2] = E[S]^2 (1 + cv^2)`` in the Pollaczek-Khinchine formula.

    Parameters
    ----------
    arrival_rate : float
        Poisson arrival rate ``lambda`` (customers per minute), ``>= 0``.
    mean_service : float
        Mean service time ``E[S]`` in minutes, ``> 0``.
    cv : float
        Coefficient of variation ``sd(S) / E[S]`` (dimensionless), ``>= 0``;
        0 is deterministic, 1 is exponential.

    Returns
    -------
    float
        Mean queueing delay ``Wq`` in minutes.

    Raises
    ------
    ValueError
        On invalid inputs or if ``lambda E[S] >= 1`` (unstable).
    """
    es = _positive("mean_service", mean_service)
    cv_value = _nonnegative("cv", cv)
    return pollaczek_khinchine_wait(arrival_rate, es, es * es * (1.0 + cv_value * cv_value))


# ---------------------------------------------------------------------------
# Pooled testing and Little's law
# ---------------------------------------------------------------------------


def dorfman_tests_per_person(prevalence: float, pool_size: int) -> float:
    """Expected number of tests per person under Dorfman two-stage pooling.

    Samples are pooled in groups of ``k``; each pool is tested once and, if
    positive, every member is retested individually. Assumes a perfect test
    and independent infections, giving ``1/k + 1 - (1 - p)^k`` for ``k >= 2``.
    For ``k == 1`` (individual testing) the result is exactly ``1.0``.

    Parameters
    ----------
    prevalence : float
        Probability ``p`` that an individual sample is positive, in ``[0, 1]``.
    pool_size : int
        Number of samples per pool ``k``, an integer ``>= 1``.

    Returns
    -------
    float
        Expected tests per person (dimensionless).

    Raises
    ------
    ValueError
        If ``prevalence`` is outside ``[0, 1]`` or ``pool_size`` is not a
        positive integer.
    """
    p = _probability("prevalence", prevalence)
    k = _positive_int("pool_size", pool_size)
    if k == 1:
        return 1.0
    return 1.0 / k + 1.0 - (1.0 - p) ** k


def little_law_queue_length(arrival_rate: float, mean_wait: float) -> float:
    """Mean number of customers from Little's law, ``L = lambda W``.

    Parameters
    ----------
    arrival_rate : float
        Long-run rate of customers entering the part of the system considered
        (customers per minute), ``>= 0``. Use the admitted rate when arrivals
        can be lost.
    mean_wait : float
        Mean time a customer spends in that part of the system, in minutes,
        ``>= 0``.

    Returns
    -------
    float
        Time-average number of customers present (dimensionless count).

    Raises
    ------
    ValueError
        If either argument is negative or not finite.
    """
    lam = _nonnegative("arrival_rate", arrival_rate)
    w = _nonnegative("mean_wait", mean_wait)
    return lam * w


# ---------------------------------------------------------------------------
# M/M/c+M (Erlang-A)
# ---------------------------------------------------------------------------

#: Relative truncation tolerance of :func:`erlang_a`: the neglected tail of the birth-death chain
#: changes the probability of waiting and the mean queue by at most this fraction of their value.
ERLANG_A_TOLERANCE = 1e-13

#: Largest number of waiting states (queue lengths 0, 1, ...) :func:`erlang_a` will sum before
#: giving up with a ``ValueError``; only reached when the abandonment rate is tiny for the load.
ERLANG_A_MAX_QUEUE = 2_000_000


@dataclass(frozen=True)
class ErlangAResult:
    """Stationary performance measures of the M/M/c+M (Erlang-A) queue.

    Customers arrive as a Poisson process, are served FCFS by ``c`` exponential servers and
    abandon the line when their exponential patience (rate ``theta``) runs out before service
    starts. By PASTA, an arrival sees the stationary distribution of the number in system.

    Attributes
    ----------
    arrival_rate, service_rate, c, abandon_rate
        The inputs: ``lambda`` and ``mu`` (per minute), servers, ``theta`` (per minute).
    p_wait : float
        Probability that an arrival finds every server busy and so has to wait (whether it is
        served later or abandons), ``P(N >= c)``.
    p_abandon : float
        Probability that an arrival abandons before service, ``theta Lq / lambda``.
    mean_wait : float
        Mean time in the line of *all* arrivals, in minutes (0 for those served at once, the
        time to abandonment for those who abandon), ``Lq / lambda`` by Little's law. Note
        ``p_abandon = theta * mean_wait``.
    mean_queue : float
        ``Lq``: time-average number of customers waiting (not in service).
    queue_log_probabilities : tuple[float, ...]
        ``log P(N = c + k)`` for ``k = 0, 1, ...`` up to the truncation point (empty when
        ``abandon_rate == 0``, where the Erlang C closed forms are used); kept for
        :meth:`p_wait_longer`.
    """

    arrival_rate: float
    service_rate: float
    c: int
    abandon_rate: float
    p_wait: float
    p_abandon: float
    mean_wait: float
    mean_queue: float
    queue_log_probabilities: tuple[float, ...] = field(repr=False, compare=False)

    @property
    def p_served(self) -> float:
        """Probability that an arrival is served, ``1 - p_abandon``."""
        return 1.0 - self.p_abandon

    @property
    def utilisation(self) -> float:
        """Share of server time busy, ``lambda (1 - p_abandon) / (c mu)``."""
        return self.arrival_rate * (1.0 - self.p_abandon) / (self.c * self.service_rate)

    def p_offered_wait_longer(self, t: float) -> float:
        """``P(V > t)`` for the *offered* wait ``V``: how long an arrival would wait for a
        server if it had infinite patience (those ahead of it still abandon).

        Exact (Baccelli and Hebuterne's M/M/c+G virtual-wait density with exponential
        patience): ``P(V > t) = exp((lambda/theta)(1 - e^{-theta t}) - c mu t)
        * sum_k P(N = c + k) e^{-k theta t}``, evaluated in log space over the truncated chain
        (relative error at most about :data:`ERLANG_A_TOLERANCE`). With ``theta = 0`` this is
        Erlang C's ``C e^{-(c mu - lambda) t}``.

        Parameters
        ----------
        t : float
            Threshold in minutes, finite and ``>= 0``.
        """
        threshold = _nonnegative("t", t)
        if threshold == 0.0 or self.p_wait == 0.0:
            return self.p_wait
        lam, mu, c, theta = self.arrival_rate, self.service_rate, self.c, self.abandon_rate
        if theta == 0.0:
            return self.p_wait * math.exp(-(c * mu - lam) * threshold)
        terms = [lp - k * theta * threshold for k, lp in enumerate(self.queue_log_probabilities)]
        peak = max(terms)
        log_sum = peak + math.log(math.fsum(math.exp(x - peak) for x in terms))
        exponent = (lam / theta) * -math.expm1(-theta * threshold) - c * mu * threshold
        return min(self.p_wait, math.exp(log_sum + exponent))

    def p_wait_longer(self, t: float) -> float:
        """``P(W > t)``: probability that an arrival spends longer than ``t`` minutes in the line
        (waiting for service or until it abandons).

        Exact: the actual wait is ``W = min(V, patience)`` with the patience independent of the
        offered wait ``V`` (see :meth:`p_offered_wait_longer`), so
        ``P(W > t) = e^{-theta t} P(V > t)``.

        Parameters
        ----------
        t : float
            Threshold in minutes, finite and ``>= 0``.
        """
        threshold = _nonnegative("t", t)
        return self.p_offered_wait_longer(threshold) * math.exp(-self.abandon_rate * threshold)


def erlang_a(
    arrival_rate: float, service_rate: float, c: int, abandon_rate: float
) -> ErlangAResult:
    """Stationary solution of the M/M/c+M (Erlang-A, Palm) queue: ``c`` servers, exponential
    patience.

    The number in system is a birth-death chain with birth rate ``lambda`` and death rate
    ``min(n, c) mu + max(n - c, 0) theta``. Its stationary distribution is computed exactly in
    log space (no overflow for ``c`` in the thousands) and normalised with a log-sum-exp.

    Truncation: with ``theta > 0`` the ratio ``w_{n+1}/w_n = lambda / (c mu + (n + 1 - c) theta)``
    decreases above ``c``, so once it is ``r < 1`` at state ``N`` the neglected tail is bounded
    by a geometric series: mass ``sum_{n > N} w_n <= w_N r/(1-r)`` and queue
    ``sum_{n > N} (n - c) w_n <= w_N r/(1-r) ((N - c) + 1/(1-r))``. The chain is cut at the first
    ``N`` where both bounds are below :data:`ERLANG_A_TOLERANCE` times (lower bounds of) the
    waiting mass and the queue sum, so ``p_wait``, ``mean_queue``, ``mean_wait`` and
    ``p_abandon`` have relative error at most about ``2e-13``. The chain is always stable when
    ``theta > 0`` (even for ``lambda >= c mu``); the number of states is about
    ``max(c, c + (lambda - c mu)/theta)`` plus a few standard deviations, and more than
    :data:`ERLANG_A_MAX_QUEUE` waiting states raise ``ValueError``.

    With ``theta == 0`` the model is M/M/c: the Erlang C closed forms are returned (abandonment
    0), which requires ``lambda < c mu``.

    Parameters
    ----------
    arrival_rate : float
        Poisson arrival rate ``lambda`` (customers per minute), ``>= 0``.
    service_rate : float
        Exponential service rate ``mu`` of one server (customers per minute), ``> 0``.
    c : int
        Number of servers, ``>= 1``.
    abandon_rate : float
        Abandonment rate ``theta`` of one waiting customer (per minute; the mean patience is
        ``1/theta`` minutes), ``>= 0``.

    Returns
    -------
    ErlangAResult
        Probability of waiting and of abandoning, mean wait of all arrivals (minutes), mean
        number waiting, and the waiting-time tail :meth:`ErlangAResult.p_wait_longer`.

    Raises
    ------
    ValueError
        On invalid inputs; if ``abandon_rate == 0`` and ``lambda >= c mu`` (an M/M/c queue
        without abandonment is then unstable); or if the truncated chain would need more than
        :data:`ERLANG_A_MAX_QUEUE` waiting states.
    """
    lam = _nonnegative("arrival_rate", arrival_rate)
    mu = _positive("service_rate", service_rate)
    servers = _positive_int("c", c)
    theta = _nonnegative("abandon_rate", abandon_rate)

    def result(p_wait: float, lq: float, log_probs: tuple[float, ...]) -> ErlangAResult:
        wq = lq / lam if lam > 0.0 else 0.0
        return ErlangAResult(
            arrival_rate=lam,
            service_rate=mu,
            c=servers,
            abandon_rate=theta,
            p_wait=p_wait,
            p_abandon=min(1.0, theta * wq),
            mean_wait=wq,
            mean_queue=lq,
            queue_log_probabilities=log_probs,
        )

    if lam == 0.0:
        return result(0.0, 0.0, ())
    if theta == 0.0:
        if lam >= servers * mu:
            raise ValueError(
                f"unstable: with abandon_rate = 0 (no abandonment) the utilisation "
                f"lambda/(c mu) = {lam / (servers * mu):.6g} must be < 1 "
                f"(arrival_rate={lam!r}, service_rate={mu!r}, c={servers}); give a positive "
                f"abandon_rate to model an overloaded line"
            )
        wq = mmc_mean_wait(lam, mu, servers)
        return result(mmc_wait_probability(lam, mu, servers), lam * wq, ())

    too_long = (
        f"erlang_a: the queue-length distribution needs more than {ERLANG_A_MAX_QUEUE} waiting "
        f"states (abandon_rate={theta!r} is too small for arrival_rate={lam!r}, "
        f"service_rate={mu!r}, c={servers}: the line would hold about "
        f"{max(0.0, (lam - servers * mu) / theta):.3g} people)"
    )
    if lam - servers * mu >= ERLANG_A_MAX_QUEUE * theta:  # the mode alone is beyond the limit
        raise ValueError(too_long)
    log_lam = math.log(lam)
    log_tol = math.log(ERLANG_A_TOLERANCE)
    log_w = [0.0]  # log of unnormalised weights w_n, n = 0, 1, ...
    wait_ref = -math.inf  # max log w_n over n >= c: a lower bound of log sum_{n >= c} w_n
    queue_ref = -math.inf  # max log((n - c) w_n) over n > c: lower bound of log of the queue sum
    n = 0
    while True:
        n += 1
        lw = log_w[-1] + log_lam - math.log(min(n, servers) * mu + max(n - servers, 0) * theta)
        log_w.append(lw)
        if n < servers:
            continue
        wait_ref = max(wait_ref, lw)
        if n > servers:
            queue_ref = max(queue_ref, math.log(n - servers) + lw)
        ratio = lam / (servers * mu + (n + 1 - servers) * theta)
        if ratio < 1.0 and queue_ref > -math.inf:
            log_geo = math.log(ratio) - math.log1p(-ratio)  # log(r / (1 - r))
            tail_mass = lw + log_geo
            tail_queue = lw + log_geo + math.log((n - servers) + 1.0 / (1.0 - ratio))
            if tail_mass <= log_tol + wait_ref and tail_queue <= log_tol + queue_ref:
                break
        if n - servers >= ERLANG_A_MAX_QUEUE:
            raise ValueError(too_long)

    peak = max(log_w)
    log_norm = peak + math.log(math.fsum(math.exp(x - peak) for x in log_w))
    log_probs = [x - log_norm for x in log_w]
    probs = [math.exp(x) for x in log_probs]
    p_wait = min(1.0, math.fsum(probs[servers:]))
    lq = math.fsum((k - servers) * probs[k] for k in range(servers + 1, len(probs)))
    return result(p_wait, lq, tuple(log_probs[servers:]))

"""Where replications run: in this process, in local worker processes, or on Ray.

Each replication is a pure function of (config, seed, replication), so every backend gives
the same results (tested): only the time differs. Ray is an optional extra
(``pip install 'masstest-sim[ray]'``): local by default (a Ray instance on this machine with
``n_jobs`` CPUs), or an existing cluster at ``address``.
"""

from __future__ import annotations

import multiprocessing
import socket
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any, Literal, TypeVar

T = TypeVar("T")
R = TypeVar("R")

Backend = Literal["serial", "processes", "ray"]
#: The backends, by name.
BACKENDS: tuple[str, ...] = ("serial", "processes", "ray")
#: Seconds to wait for a Ray cluster's address to answer before giving up.
CONNECT_TIMEOUT_S = 5.0


class BackendError(RuntimeError):
    """A backend that cannot run here: not installed, or its cluster does not answer."""


def check_backend(backend: str, n_jobs: int, address: str | None = None) -> None:
    """Raise ValueError (a bad name or ``n_jobs``) or :class:`BackendError` (Ray missing, its
    address unreachable) before any work starts."""
    if backend not in BACKENDS:
        raise ValueError(f"backend must be one of {', '.join(BACKENDS)}, got {backend!r}")
    if isinstance(n_jobs, bool) or not isinstance(n_jobs, int) or n_jobs < 1:
        raise ValueError(f"n_jobs must be an integer >= 1 (workers), got {n_jobs!r}")
    if address is not None and backend != "ray":
        raise ValueError(f"address={address!r} is for backend='ray' (got backend={backend!r})")
    if backend == "ray":
        _ray()
        if address not in (None, "auto", "local"):
            _reachable(address)


def run_map(
    fn: Callable[[T], R],
    jobs: Sequence[T],
    *,
    backend: Backend = "processes",
    n_jobs: int = 1,
    address: str | None = None,
    progress: Callable[[Iterable[R]], Iterable[R]] | None = None,
) -> list[R]:
    """``[fn(job) for job in jobs]``, in order, on ``backend`` (``fn`` must be picklable: a
    module-level function). ``processes`` with one worker, or inside a worker process, runs
    serially; ``progress`` wraps the results as they come (e.g. a tqdm bar)."""
    check_backend(backend, n_jobs, address)
    wrap = progress or (lambda it: it)
    serial = backend == "serial" or (
        backend == "processes"
        and (n_jobs == 1 or len(jobs) <= 1 or multiprocessing.current_process().daemon)
    )
    if serial:
        return list(wrap(fn(j) for j in jobs))
    if backend == "processes":
        with ProcessPoolExecutor(max_workers=min(n_jobs, len(jobs))) as pool:
            return list(wrap(pool.map(fn, jobs)))
    return _ray_map(fn, jobs, n_jobs, address, wrap)


def _ray() -> Any:
    try:
        import ray
    except ImportError:
        raise BackendError(
            "backend='ray' needs Ray, which is not installed: pip install 'masstest-sim[ray]'"
        ) from None
    return ray


def _reachable(address: str) -> None:
    """The cluster's ``host:port`` (``ray://host:port`` too) answers within the timeout."""
    target = address.removeprefix("ray://")
    host, _, port = target.rpartition(":")
    if not host or not port.isdigit():
        raise BackendError(
            f"Ray address {address!r} is not host:port (e.g. 10.0.0.5:6379 or "
            "ray://10.0.0.5:10001), 'auto' or None for a local Ray"
        )
    try:
        with socket.create_connection((host, int(port)), timeout=CONNECT_TIMEOUT_S):
            pass
    except OSError as err:
        raise BackendError(
            f"no Ray cluster answers at {address} ({err.strerror or err}; waited "
            f"{CONNECT_TIMEOUT_S:g} s): start one (ray start --head) or check the address"
        ) from None


def _connect(ray: Any, address: str) -> None:
    """``ray.init`` on the cluster at ``address``, giving up after about
    :data:`CONNECT_TIMEOUT_S` seconds (Ray's own default is 20 tries a second apart) with a
    :class:`BackendError` naming the address (something that answers there may not be Ray)."""
    import os

    saved = {k: os.environ.get(k) for k in _RAY_CONNECT_ENV}
    os.environ["RAY_gcs_server_port_wait_time_s"] = str(max(1, round(CONNECT_TIMEOUT_S)))  # noqa: SIM112
    os.environ.setdefault("RAY_BACKEND_LOG_LEVEL", "error")
    try:
        ray.init(address=address, log_to_driver=False, configure_logging=False)
    except (ConnectionError, RuntimeError, OSError) as err:
        first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        token = (
            "; a cluster with token authentication (Ray's default) needs RAY_AUTH_MODE=token "
            "and its token here (~/.ray/auth_token or RAY_AUTH_TOKEN)"
            if address != "auto" and "RAY_AUTH_MODE" not in os.environ
            else ""
        )
        raise BackendError(
            f"no Ray cluster answers at {address} (waited about {CONNECT_TIMEOUT_S:g} s: "
            f"{first}{token}): start one (ray start --head) or check the address"
        ) from None
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


#: Environment variables :func:`_connect` sets for Ray while it connects.
_RAY_CONNECT_ENV = ("RAY_gcs_server_port_wait_time_s", "RAY_BACKEND_LOG_LEVEL")


def _ray_map(
    fn: Callable[[T], R],
    jobs: Sequence[T],
    n_jobs: int,
    address: str | None,
    wrap: Callable[[Iterable[R]], Iterable[R]],
) -> list[R]:
    ray = _ray()
    if not ray.is_initialized():
        if address in (None, "local"):
            ray.init(
                num_cpus=n_jobs,
                include_dashboard=False,
                log_to_driver=False,
                configure_logging=False,
            )
        else:
            _connect(ray, address)
    remote = ray.remote(fn)
    refs = [remote.remote(j) for j in jobs]

    def in_order() -> Iterable[R]:
        for ref in refs:
            yield ray.get(ref)

    return list(wrap(in_order()))

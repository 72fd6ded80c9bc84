"""What ``hydra/launcher=ray`` does: check and start (or join) Ray, then run each job as a Ray
task and bring its :class:`~hydra.core.utils.JobReturn` back to Hydra.

As Hydra's joblib launcher does, a job runs through :func:`hydra.core.utils.run_job` with
Hydra's globals and singletons restored in the worker; unlike it, each job's config is composed
here, on the driver, so a cluster's nodes need no config files. A job writes its folder where
the multirun was started: on a cluster, that folder must be at the same path on every node.
"""

from __future__ import annotations

import logging
import os
import socket
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

from hydra.core.hydra_config import HydraConfig
from hydra.core.singleton import Singleton
from hydra.core.utils import (
    JobReturn,
    JobStatus,
    configure_log,
    filter_overrides,
    run_job,
    setup_globals,
)
from hydra.types import HydraContext, TaskFunction
from omegaconf import DictConfig, open_dict

from .ray_launcher import RayLauncher

log = logging.getLogger(__name__)

#: The addresses that start a new Ray on this machine.
LOCAL = (None, "local")


def _refuse(field: str, value: Any, allowed: str) -> NoReturn:
    """Stop with the command line's one-line error (exit 2), as for any bad setting."""
    from sim.config import ConfigError

    print(f"error: {ConfigError(field, value, allowed)}", file=sys.stderr)
    raise SystemExit(2)


def _checked(launcher: RayLauncher) -> Any:
    """The ``ray`` module, once the settings are consistent and the cluster answers."""
    from sim.experiment.backends import BackendError, _reachable

    address, num_cpus = launcher.address, launcher.num_cpus
    if num_cpus is not None and (isinstance(num_cpus, bool) or num_cpus < 1):
        _refuse("hydra.launcher.num_cpus", num_cpus, "an integer >= 1, or null for every core")
    if num_cpus is not None and address not in LOCAL:
        _refuse(
            "hydra.launcher.num_cpus",
            num_cpus,
            f"null with a running cluster (address={address}: its CPUs are its nodes'; a job's "
            "are hydra.launcher.remote.num_cpus)",
        )
    for key in ("address", "num_cpus"):
        if key in launcher.init:
            _refuse(f"hydra.launcher.init.{key}", launcher.init[key], f"hydra.launcher.{key}")
    try:
        import ray
    except ImportError:
        _refuse(
            "hydra/launcher",
            "ray",
            "hydra/launcher=ray needs Ray, which is not installed: pip install 'masstest-sim[ray]'",
        )
    if address not in (*LOCAL, "auto"):
        try:
            _reachable(address)
        except BackendError as err:
            _refuse("hydra.launcher.address", address, str(err))
    return ray


def start_ray(launcher: RayLauncher) -> None:
    """Start a local Ray, or join the cluster at ``address``; a missing Ray, an unreachable
    address or inconsistent settings stop the multirun here, before Hydra writes anything."""
    ray = _checked(launcher)
    if ray.is_initialized():
        log.info("Ray launcher: Ray is already running in this process")
        return
    local = launcher.address in LOCAL
    kwargs: dict[str, Any] = (
        {"address": "local", "num_cpus": launcher.num_cpus, "include_dashboard": False}
        if local
        else {"address": launcher.address}
    )
    kwargs.update(launcher.init)
    try:
        ray.init(**kwargs)
    except (ConnectionError, RuntimeError, TypeError) as err:
        text = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        if isinstance(err, TypeError) or text.startswith("Unknown keyword argument"):
            _refuse("hydra.launcher.init", launcher.init, f"keyword arguments of ray.init ({text})")
        if local:
            raise
        # no cluster for "auto", a cluster of another Ray or Python version, ...
        if launcher.address != "auto" and "RAY_AUTH_MODE" not in os.environ:
            # Ray loads a cluster's token for "auto", never for an explicit address
            text += (
                "; a cluster with token authentication (Ray's default) needs RAY_AUTH_MODE=token "
                "and its token here (~/.ray/auth_token or RAY_AUTH_TOKEN)"
            )
        _refuse("hydra.launcher.address", launcher.address, f"a Ray cluster to join ({text})")
    cpus = ray.cluster_resources().get("CPU", 0)
    where = "a local Ray" if local else f"the Ray cluster at {launcher.address}"
    log.info("Ray launcher: %s with %g CPUs", where, cpus)


def execute_job(
    idx: int,
    sweep_config: DictConfig,
    shared: tuple[HydraContext, TaskFunction, dict[Any, Any]],
) -> JobReturn:
    """One job, in a Ray worker: Hydra's state restored, run in the folder the multirun was
    started in (relative paths, the sweep's folder among them, mean the same as there)."""
    hydra_context, task_function, singleton_state = shared
    setup_globals()
    Singleton.set_state(singleton_state)
    HydraConfig.instance().set_config(sweep_config)
    here = os.getcwd()
    started_in = str(sweep_config.hydra.runtime.cwd)
    try:
        os.chdir(started_in)
    except OSError as err:
        return _failed(
            sweep_config,
            RuntimeError(
                f"job #{idx} cannot run on {socket.gethostname()}: the folder the multirun was "
                f"started in, {started_in}, is not there ({err.strerror}); start it from a "
                "folder every node has at the same path (a shared file system)"
            ),
        )
    try:
        return run_job(
            hydra_context=hydra_context,
            task_function=task_function,
            config=sweep_config,
            job_dir_key="hydra.sweep.dir",
            job_subdir_key="hydra.sweep.subdir",
        )
    except SystemExit as stop:  # the app's own exit (its error is logged): Hydra exits with it
        return _failed(sweep_config, stop)
    finally:
        os.chdir(here)


def _failed(sweep_config: DictConfig, error: BaseException) -> JobReturn:
    """A job that did not run: Hydra raises ``error`` when it reads the job's return value."""
    ret = JobReturn()
    ret.overrides = list(sweep_config.hydra.overrides.task)
    ret.status = JobStatus.FAILED
    ret.return_value = error
    return ret


def launch(
    launcher: RayLauncher,
    job_overrides: Sequence[Sequence[str]],
    initial_job_idx: int,
) -> Sequence[JobReturn]:
    """Compose each job's config, run the jobs as Ray tasks, return their results in order."""
    import ray

    setup_globals()
    assert launcher.config is not None
    assert launcher.task_function is not None
    assert launcher.hydra_context is not None

    configure_log(launcher.config.hydra.hydra_logging, launcher.config.hydra.verbose)
    sweep_dir = Path(str(launcher.config.hydra.sweep.dir))
    sweep_dir.mkdir(parents=True, exist_ok=True)
    options = ", ".join(f"{k}={v}" for k, v in launcher.remote.items())
    log.info("Ray launcher is launching %d jobs as Ray tasks (%s)", len(job_overrides), options)
    log.info("Launching jobs, sweep output dir : %s", sweep_dir)

    shared = ray.put((launcher.hydra_context, launcher.task_function, Singleton.get_state()))
    as_task = ray.remote(**launcher.remote) if launcher.remote else ray.remote
    task = as_task(execute_job)
    refs = []
    for idx, overrides in enumerate(job_overrides, start=initial_job_idx):
        log.info("\t#%d : %s", idx, " ".join(filter_overrides(overrides)))
        sweep_config = launcher.hydra_context.config_loader.load_sweep_config(
            launcher.config, list(overrides)
        )
        with open_dict(sweep_config):
            sweep_config.hydra.job.id = f"{sweep_config.hydra.job.name}_{idx}"
            sweep_config.hydra.job.num = idx
        refs.append(task.remote(idx, sweep_config, shared))

    runs = ray.get(refs)
    assert all(isinstance(run, JobReturn) for run in runs)
    return list(runs)

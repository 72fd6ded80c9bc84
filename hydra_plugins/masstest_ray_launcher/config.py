"""The settings of ``hydra/launcher=ray`` (``hydra.launcher.*``)."""

from dataclasses import dataclass, field
from typing import Any

from hydra.core.config_store import ConfigStore


@dataclass
class RayLauncherConf:
    _target_: str = "hydra_plugins.masstest_ray_launcher.ray_launcher.RayLauncher"

    # null: a new local Ray on this machine, with num_cpus CPUs; "auto": the cluster this
    # machine is a node of (ray start); host:port (the head node, e.g. 10.0.0.5:6379) or
    # ray://host:port (Ray Client, port 10001): a running cluster
    address: str | None = None

    # CPUs of the local Ray (null: every core); only with address=null
    num_cpus: int | None = None

    # options of each job's Ray task (ray.remote): the CPUs a job takes, so at most
    # CPUs / remote.num_cpus jobs run at once; a job is not retried (a retry would find its
    # folder half written). Add others with +hydra.launcher.remote.<option>=...
    remote: dict[str, Any] = field(default_factory=lambda: {"num_cpus": 1, "max_retries": 0})

    # further keyword arguments of ray.init (+hydra.launcher.init.log_to_driver=false, ...)
    init: dict[str, Any] = field(default_factory=dict)


ConfigStore.instance().store(
    group="hydra/launcher",
    name="ray",
    node=RayLauncherConf,
    provider="masstest_ray_launcher",
)

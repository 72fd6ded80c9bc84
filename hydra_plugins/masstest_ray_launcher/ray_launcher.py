"""The launcher Hydra instantiates for ``hydra/launcher=ray`` (the work is in ``_core``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from hydra.core.utils import JobReturn
from hydra.plugins.launcher import Launcher
from hydra.types import HydraContext, TaskFunction
from omegaconf import DictConfig, OmegaConf


class RayLauncher(Launcher):
    """Runs each job of a multirun as a Ray task; the jobs' results come back to Hydra.

    Ray is checked (installed, its cluster answering) and started or joined in :meth:`setup`,
    before Hydra writes the sweep's folder.
    """

    def __init__(
        self,
        address: str | None = None,
        num_cpus: int | None = None,
        remote: Any = None,
        init: Any = None,
    ) -> None:
        self.address = None if address is None else str(address)
        self.num_cpus = num_cpus
        self.remote: dict[str, Any] = _plain(remote)
        self.init: dict[str, Any] = _plain(init)
        self.config: DictConfig | None = None
        self.task_function: TaskFunction | None = None
        self.hydra_context: HydraContext | None = None

    def setup(
        self,
        *,
        hydra_context: HydraContext,
        task_function: TaskFunction,
        config: DictConfig,
    ) -> None:
        self.config = config
        self.task_function = task_function
        self.hydra_context = hydra_context
        from . import _core

        _core.start_ray(self)

    def launch(
        self, job_overrides: Sequence[Sequence[str]], initial_job_idx: int
    ) -> Sequence[JobReturn]:
        from . import _core

        return _core.launch(
            launcher=self, job_overrides=job_overrides, initial_job_idx=initial_job_idx
        )


def _plain(options: Any) -> dict[str, Any]:
    """A setting's mapping (a DictConfig from Hydra) as a plain dict."""
    if options is None:
        return {}
    if isinstance(options, DictConfig):
        options = OmegaConf.to_container(options, resolve=True)
    return {str(k): v for k, v in dict(options).items()}

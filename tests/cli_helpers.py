"""Running ``python -m sim`` as a planner would, for the command-line tests."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path


def sim_cli(cwd: Path, *args: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    """Run ``python -m sim *args`` in ``cwd`` (headless plots, Hydra's short errors)."""
    env = {**os.environ, "MPLBACKEND": "Agg"}
    env.pop("HYDRA_FULL_ERROR", None)
    return subprocess.run(
        [sys.executable, "-m", "sim", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@dataclass(frozen=True)
class Run:
    """A finished ``python -m sim`` run: where it ran and what it printed."""

    cwd: Path
    returncode: int
    stdout: str
    stderr: str

    @property
    def folder(self) -> Path:
        """The run folder it printed."""
        m = re.search(r"^run folder: (.+)$", self.stdout, flags=re.MULTILINE)
        assert m, f"no run folder printed:\n{self.stdout}\n{self.stderr}"
        return Path(m.group(1).strip())


def run_cli(cwd: Path, *args: str) -> Run:
    """Run ``python -m sim *args`` in ``cwd`` (5-minute limit)."""
    proc = sim_cli(cwd, *args, timeout=300)
    return Run(cwd, proc.returncode, proc.stdout, proc.stderr)

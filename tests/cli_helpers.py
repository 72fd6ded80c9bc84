"""Running ``python -m sim`` as a planner would, for the command-line tests."""

from __future__ import annotations

import os
import subprocess
import sys
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

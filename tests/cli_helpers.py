"""Running ``python -m sim`` as a planner would, for the command-line tests."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
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


def write_scenario(config_dir: Path, body: str, name: str = "mine") -> Path:
    """A planner's ``scenario/<name>.yaml`` (applied on top of the shipped district)."""
    folder = config_dir / "scenario"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.yaml"
    path.write_text("# @package _global_\n" + textwrap.dedent(body), encoding="utf-8")
    return path


#: A small scenario for multirun tests: one busy point, 400 residents, no figures or tables.
SMALL_SWEEP = (
    "scenario=busy_point",
    "demand.residents=400",
    "output.figures=false",
    "output.residents_table=false",
    "output.print_summary=false",
)


def sweep_summaries(root: Path) -> dict[str, dict[str, object]]:
    """Each multirun job's summary by its folder name (``0_site.swab_booths=3``)."""
    return {
        p.parent.name: json.loads(p.read_text()) for p in sorted(root.glob("*/*/*/summary.json"))
    }


def small_sweep(cwd: Path, *extra: str) -> dict[str, dict[str, object]]:
    """``python -m sim -m`` of :data:`SMALL_SWEEP` over 3 and 4 booths in a new folder
    ``cwd`` (``extra``: a launcher and its settings); it must succeed without a traceback."""
    cwd.mkdir()
    proc = sim_cli(cwd, "-m", *SMALL_SWEEP, "site.swab_booths=3,4", *extra)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "Traceback" not in proc.stderr
    return sweep_summaries(cwd / "multirun")

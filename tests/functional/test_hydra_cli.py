"""Hydra's features work as Hydra users expect, and the config is checked before any of them.

``--version``, the app help, ``--cfg job`` / ``--info`` after validation, a planner's
``--config-dir`` that wins over shipped files, re-running a run folder, logging into the run
folder, sweep folders named by their overrides and shell completion. Launchers and the Optuna
sweeper are in ``test_hydra_plugins.py``.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

import sim
from tests.cli_helpers import run_cli, sim_cli

SMALL = ("scenario=busy_point", "demand.residents=600", "output.figures=false")


def _summary(folder: Path) -> dict[str, object]:
    data = json.loads((folder / "summary.json").read_text())
    assert isinstance(data, dict)
    return data


# ------------------------------------------------------------------------------ version, help


def test_version_is_the_packages(tmp_path: Path) -> None:
    proc = sim_cli(tmp_path, "--version")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == f"masstest-sim {sim.__version__}"


@pytest.fixture(scope="module")
def help_text(tmp_path_factory: pytest.TempPathFactory) -> str:
    proc = sim_cli(tmp_path_factory.mktemp("help"), "--help")
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_help_lists_groups_fields_and_examples(help_text: str) -> None:
    assert "masstest-sim" in help_text.splitlines()[0]
    scenarios = re.search(r"^scenario: (.+)$", help_text, re.M)
    layouts = re.search(r"^layout: (.+)$", help_text, re.M)
    assert scenarios and "busy_point" in scenarios.group(1)
    assert layouts and "no_barcodes" in layouts.group(1) and "three_rounds" in layouts.group(1)
    fields = re.findall(r"^  ([a-z_]+(?:\.[a-z_0-9]+)+|seed|replications)\s", help_text, re.M)
    assert len(set(fields)) >= 19, fields  # the twenty fields (site.open / site.close share one)
    examples = re.findall(r"^  python -m sim .+$", help_text, re.M)
    assert len(examples) >= 5, examples
    assert any("--config-dir outputs/" in e for e in examples)  # re-running a run folder
    for flag in ("--cfg job", "--info", "--version", "-sc install=bash"):
        assert flag in help_text
    # the help is not Hydra's config dump
    assert "hourly_profile" not in help_text and "catchment" not in help_text
    assert len(help_text.splitlines()) < 100


#: Help lines whose default is read straight off the default config.
HELP_DEFAULTS = {
    "seed": lambda c: c.seed,
    "replications": lambda c: c.replications,
    "campaign.round_days": lambda c: c.campaign.round_days,
    "demand.barcode_share": lambda c: c.demand.barcode_share,
    "demand.retry.share": lambda c: c.demand.retry.share,
    "demand.appointments.enabled": lambda c: c.demand.appointments.enabled,
    "site.clearing_min": lambda c: c.site.clearing_min,
    "site.green_channel.mode": lambda c: c.site.green_channel.mode,
    "site_choice.rule": lambda c: c.site_choice.rule,
    "samples.pool_size": lambda c: c.samples.pool_size,
    "couriers.pickup_every_min": lambda c: c.couriers.pickup_every_min,
    "output.figures": lambda c: c.output.figures,
}


def test_help_defaults_are_the_default_configs(help_text: str) -> None:
    cfg = sim.load_config()
    for field, get in HELP_DEFAULTS.items():
        m = re.search(rf"^  {re.escape(field)}\s+(\S+)", help_text, re.M)
        assert m, field
        value = get(cfg)
        shown = (
            str(value).lower()
            if isinstance(value, bool)
            else f"{value:g}"
            if isinstance(value, float)
            else str(value)
        )
        assert m.group(1) == shown, (field, m.group(1), value)


# ------------------------------------------------------------------- --cfg and --info validate


@pytest.mark.parametrize("flag", [("--cfg", "job"), ("--info",)])
def test_cfg_and_info_refuse_a_config_that_fails(flag: tuple[str, ...], tmp_path: Path) -> None:
    proc = sim_cli(tmp_path, "scenario=busy_point", "site.swab_booths=-1", *flag)
    assert proc.returncode == 2, proc.stdout[-500:]
    assert "site.swab_booths = -1" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert "swab_booths: -1" not in proc.stdout


def test_cfg_job_prints_the_composed_config(tmp_path: Path) -> None:
    proc = sim_cli(tmp_path, "scenario=busy_point", "site.swab_booths=7", "--cfg", "job")
    assert proc.returncode == 0, proc.stderr
    cfg = yaml.safe_load(proc.stdout)
    assert cfg["name"] == "busy_point"
    assert cfg["site"]["swab_booths"] == 7
    assert not (tmp_path / "outputs").exists()  # nothing was run


# ---------------------------------------------------------------- a planner's configs win


@pytest.fixture(scope="module")
def planners_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A planner's folder with its own ``scenario/busy_point.yaml`` (the shipped name)."""
    root = tmp_path_factory.mktemp("planner")
    shipped = Path(sim.__file__).resolve().parent.parent / "configs" / "scenario"
    text = (shipped / "busy_point.yaml").read_text(encoding="utf-8")
    text = re.sub(r"^name: .*$", "name: my_busy_point", text, count=1, flags=re.M)
    text = re.sub(r"^  swab_booths: .*$", "  swab_booths: 5", text, count=1, flags=re.M)
    (root / "scenario").mkdir()
    (root / "scenario" / "busy_point.yaml").write_text(text, encoding="utf-8")
    return root


def test_planners_file_replaces_the_shipped_one_in_python(planners_dir: Path) -> None:
    mine = sim.load_config(["scenario=busy_point"], config_dir=planners_dir)
    shipped = sim.load_config(["scenario=busy_point"])
    assert (mine.name, mine.site.swab_booths) == ("my_busy_point", 5)
    assert shipped.name == "busy_point"
    assert shipped.site.swab_booths != 5


def test_planners_file_replaces_the_shipped_one_on_the_command_line(
    planners_dir: Path, tmp_path: Path
) -> None:
    run = run_cli(tmp_path, "--config-dir", str(planners_dir), *SMALL)
    assert run.returncode == 0, run.stderr
    assert _summary(run.folder)["scenario"] == "my_busy_point"
    saved = yaml.safe_load((run.folder / "config.yaml").read_text())
    assert saved["site"]["swab_booths"] == 5


# ------------------------------------------------------------------------- re-run a folder


def test_rerunning_a_run_folder_reproduces_it_exactly(tmp_path: Path) -> None:
    first = run_cli(tmp_path, *SMALL, "seed=7", "replications=2", "site.swab_booths=3")
    assert first.returncode == 0, first.stderr
    again = run_cli(tmp_path, "--config-dir", str(first.folder))
    assert again.returncode == 0, again.stderr
    assert again.folder != first.folder
    assert _summary(again.folder) == _summary(first.folder)
    assert (again.folder / "points.csv").read_bytes() == (first.folder / "points.csv").read_bytes()
    # from Python too
    cfg = sim.load_config(config_dir=first.folder)
    assert (cfg.seed, cfg.replications, cfg.site.swab_booths) == (7, 2, 3)


# --------------------------------------------------------------------------------- logging


def test_the_run_folders_log_holds_what_the_run_said(tmp_path: Path) -> None:
    run = run_cli(tmp_path, *SMALL, "samples.pool_size=30")
    assert run.returncode == 0, run.stderr
    log = (run.folder / "masstest.log").read_text()
    assert "busy_point: 1 replication(s), seed 1" in log
    assert re.search(r"WARNING .*samples\.pool_size = 30", log), log
    assert "complete" in log
    # the console: the summary on stdout, messages on stderr
    assert "WARNING" in run.stderr and "INFO" not in run.stdout and "WARNING" not in run.stdout
    assert any("samples.pool_size" in w for w in _summary(run.folder)["warnings"])  # type: ignore[attr-defined]


# ---------------------------------------------------------------------------------- sweeps


def test_sweep_folders_are_named_by_their_overrides(tmp_path: Path) -> None:
    proc = sim_cli(tmp_path, "-m", *SMALL, "site.swab_booths=3,5", "output.print_summary=false")
    assert proc.returncode == 0, proc.stderr[-2000:]
    folders = sorted(p.parent.name for p in (tmp_path / "multirun").glob("*/*/*/summary.json"))
    assert folders == ["0_site.swab_booths=3", "1_site.swab_booths=5"]
    assert "Launching 2 jobs" not in proc.stdout  # Hydra's own lines go to stderr


def test_a_sweep_is_checked_job_by_job_before_any_runs(tmp_path: Path) -> None:
    proc = sim_cli(tmp_path, "-m", *SMALL, "site.swab_booths=3,-1,-2")
    assert proc.returncode == 2
    assert "site.swab_booths = -1" in proc.stderr and "site.swab_booths = -2" in proc.stderr
    assert not (tmp_path / "multirun").exists()


# ------------------------------------------------------------------------ shell completion


def test_shell_completion_installs_and_completes(tmp_path: Path) -> None:
    install = sim_cli(tmp_path, "-sc", "install=bash")
    assert install.returncode == 0, install.stderr
    assert "hydra_bash_completion" in install.stdout
    script = Path(sys.executable).parent / "masstest-sim"
    env = {**os.environ, "COMP_LINE": "masstest-sim scenario=bu"}
    query = subprocess.run(
        [str(script), "-sc", "query=bash"], env=env, capture_output=True, text=True, cwd=tmp_path
    )
    assert query.returncode == 0, query.stderr
    assert "scenario=busy_point" in query.stdout.split()
    env["COMP_LINE"] = "masstest-sim site.swab_bo"
    query = subprocess.run(
        [str(script), "-sc", "query=bash"], env=env, capture_output=True, text=True, cwd=tmp_path
    )
    assert "site.swab_booths=" in query.stdout.split()

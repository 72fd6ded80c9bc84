"""Run a scenario into a run folder: the plain function behind the command line.

The Hydra task (:mod:`sim.cli`) turns the composed YAML into a config and calls
:func:`run_to_folder`; anything else (a script, another front end) can call it the same way.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sim.config.cautions import config_warnings
from sim.config.schema import ScenarioConfig
from sim.experiment.replications import objective_value, run_replications
from sim.experiment.targets import evaluate_targets, precision_of
from sim.plots.html_report import ReportInfo
from sim.plots.report import format_summary, write_run
from sim.plots.verdicts import format_verdicts, gate_passes

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Outcome:
    """What a run into a folder gives back.

    Attributes
    ----------
    objective
        The config's ``objective`` metric, mean over the replications (None without one).
    gate_passed
        Whether every target is met (undecided ones too, when accepted).
    files
        The files written, ``summary.json`` last.
    """

    objective: float | None
    gate_passed: bool
    files: tuple[Path, ...]


def run_to_folder(
    config: ScenarioConfig,
    out_dir: Path,
    gate: bool = False,
    accept_undecided: bool = False,
    *,
    command: str = "",
    default: ScenarioConfig | None = None,
) -> Outcome:
    """Run ``config``'s replications, judge its targets and write ``out_dir``.

    Prints the summary (``output.print_summary``) and, with targets, the verdicts on stdout;
    progress and warnings go to the log. With ``gate`` the verdicts are printed even without
    the summary.

    The folder's ``report.html`` shows ``command`` (the command line, e.g.
    ``" ".join(sys.argv)``), the date and time, and, given ``default``, the fields in which
    ``config`` differs from it.

    Raises
    ------
    ConfigError
        For an ``objective`` that names no metric (before anything is written).
    RunFolderError
        If ``out_dir`` cannot be written or holds another run's files.
    """
    reps = config.replications
    log.info("%s: %s replication(s), seed %d", config.name, reps, config.seed)
    # on the machine's cores, or where execution says (the same results whatever the number
    # and the backend: each replication has its own streams); logs the config's warnings
    ex = config.execution
    results = run_replications(
        config, n_jobs=ex.n_jobs or os.cpu_count() or 1, backend=ex.backend, address=ex.address
    )
    value = objective_value(results)
    verdicts = evaluate_targets(results)
    note = precision_of(results, verdicts).reason if reps == "auto" else ""
    info = ReportInfo(
        command=command, default=default, created=datetime.now().astimezone(), note=note
    )
    files = write_run(
        out_dir, config, results, config_warnings(config), verdicts, accept_undecided, report=info
    )
    log.info("run folder %s complete (%d files)", out_dir, len(files))
    if config.output.print_summary or gate:
        if config.output.print_summary:
            print(format_summary(results))
        if verdicts:
            print("\n" + format_verdicts(verdicts, note))
        print(f"\nrun folder: {out_dir}\n" + "\n".join(f"  {p.name}" for p in files))
    passed = gate_passes(verdicts, accept_undecided)
    if gate and not passed:
        missed = sum(not v.passed for v in verdicts)
        log.error("check: %d of %d targets not met", missed, len(verdicts))
    if value is not None:
        log.info("objective %s = %.6g", config.objective, value)
    return Outcome(value, passed, tuple(files))

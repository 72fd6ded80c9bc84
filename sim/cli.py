"""The command line: ``python -m sim [overrides]``. The only module that imports Hydra.

Hydra composes the YAML (a planner's ``--config-dir`` first, then the shipped ``configs/``);
:func:`sim.config.build_config` turns it into frozen config objects, reporting every error at
once; the task runs the replications and writes the run folder. Hydra's own options
(``hydra/launcher=joblib``, ``hydra/sweeper=optuna``, ``-sc``, ``--cfg``, ``--info``) pass
through untouched; the config is checked before Hydra runs anything, so ``--cfg job`` never
prints a config that would fail.
"""

from __future__ import annotations

import functools
import logging
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from hydra.experimental.callback import Callback

from sim.config import ConfigError, ConfigErrors, ScenarioConfig, build_config
from sim.config.build import lab_override_errors
from sim.config.files import (
    config_groups,
    index_error,
    job_folder,
    planner_folder,
    unknown_options,
)
from sim.config.files import shipped_configs as config_root

log = logging.getLogger("sim")

#: Names the planner's config folder for the search-path plugin (see :func:`_register`).
USER_DIR_ENV = "MASSTEST_SIM_CONFIG_DIR"

_MAX_CHECKED_JOBS = 256  #: larger sweeps are checked job by job as they start


def _register() -> None:
    """The resolver of sweep folder names, and the search-path plugin that puts a planner's
    folder first (Hydra's own ``--config-dir`` comes after the app's configs)."""
    from hydra.core.config_search_path import ConfigSearchPath, SearchPathQuery
    from hydra.core.plugins import Plugins
    from hydra.plugins.search_path_plugin import SearchPathPlugin
    from omegaconf import OmegaConf

    class MasstestUserConfigs(SearchPathPlugin):
        def manipulate_search_path(self, search_path: ConfigSearchPath) -> None:
            folder = os.environ.get(USER_DIR_ENV)
            if folder:
                query = SearchPathQuery(provider="main")
                search_path.prepend("masstest-sim user configs", f"file://{folder}", query)

    OmegaConf.register_new_resolver("sim_job", job_folder, replace=True)
    Plugins.instance().register(MasstestUserConfigs)


_register()  # in every process that runs a job (joblib, submitit workers import this module)


class CompareJobs(Callback):
    """Hydra callback: at the end of a multirun, compare its jobs at the sweep's root
    (``comparison.csv``, ``comparison.png``; :mod:`sim.plots.comparison`)."""

    def on_multirun_end(self, config: Any, **kwargs: Any) -> None:
        from sim.plots.comparison import write_comparison

        spec = config.get("comparison") or {}
        metrics = tuple(spec.get("metrics") or ())
        folder = Path(config.hydra.sweep.dir)
        write_comparison(folder, spec.get("baseline"), metrics, _REPORT.get("command", ""))


@contextmanager
def _user_first(user: Path | None) -> Iterator[None]:
    """Put the planner's folder first on Hydra's search path (the plugin in :func:`_register`
    reads it; Hydra's own ``--config-dir`` would come after the shipped configs)."""
    before = os.environ.pop(USER_DIR_ENV, None)
    os.environ.update({USER_DIR_ENV: str(user)} if user else {})
    try:
        yield
    finally:
        os.environ.pop(USER_DIR_ENV, None)
        os.environ.update({USER_DIR_ENV: before} if before else {})


def _groups(user: Path | None) -> set[str]:
    return config_groups(config_root()) | (config_groups(user) if user else set())


def _parse(overrides: list[str]) -> list[Any]:
    from hydra.core.override_parser.overrides_parser import OverridesParser
    from hydra.errors import OverrideParseException

    parser = OverridesParser.create()
    parsed = []
    for item in overrides:
        try:
            parsed += parser.parse_overrides([item])
        except OverrideParseException as err:
            text = str(err).strip().splitlines()[0]
            raise ConfigError(item, item, f"an override key=value ({text})") from None
    return parsed


def _for_hydra(overrides: list[str], user: Path | None, config_name: str = "config") -> list[str]:
    """The overrides as Hydra should get them: a field the YAML leaves to the schema's default
    (``sites.3.swab_booths``) is set with ``++`` (Hydra refuses a plain override of a key it
    has not seen); a misspelt one is then reported with the rest of the config's errors
    (did-you-mean included) instead of by Hydra."""
    from omegaconf import OmegaConf

    groups = _groups(user)
    parsed = _parse(overrides)
    picks = tuple(
        str(o.input_line) for o in parsed if o.key_or_group in groups and not o.is_sweep_override()
    )
    out = []
    for o in parsed:
        plain = not (o.is_add() or o.is_force_add() or o.is_delete() or o.package)
        if plain and not o.is_hydra_override() and o.key_or_group not in groups:
            base = _base(picks, user, config_name)
            if OmegaConf.select(base, o.key_or_group, default=_ABSENT) is _ABSENT:
                out.append("++" + str(o.input_line))
                continue
        out.append(str(o.input_line))
    return out


_ABSENT = object()


@functools.lru_cache(maxsize=32)
def _base(picks: tuple[str, ...], user: Path | None, config_name: str) -> Any:
    """The composed config with only the group choices (which keys the YAML spells out)."""
    return _hydra_compose(list(picks), user, config_name)


def _hydra_compose(
    overrides: list[str], user: Path | None, config_name: str, with_hydra: bool = False
) -> Any:
    """Hydra's composed config, its errors as :class:`ConfigError`."""
    from hydra import compose, initialize_config_dir
    from hydra.core.global_hydra import GlobalHydra
    from hydra.errors import HydraException
    from omegaconf.errors import OmegaConfBaseException

    GlobalHydra.instance().clear()
    try:
        with _user_first(user), initialize_config_dir(str(config_root()), version_base=None):
            return compose(config_name, overrides=overrides, return_hydra_config=with_hydra)
    except (HydraException, OmegaConfBaseException) as err:
        text = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        for item in overrides:  # name the override Hydra could not apply
            key, _, value = item.lstrip("+~").partition("=")
            if past_the_end := index_error(key, value, _plain(_base((), user, config_name))):
                raise past_the_end from None
            if key and key in text:
                text = text.replace(item, item.lstrip("+"))
                raise ConfigError(key, value, f"an entry that exists ({text})") from None
        raise ConfigError("config", config_name, f"a valid composition ({text})") from None
    finally:
        GlobalHydra.instance().clear()


def _plain(cfg: Any) -> dict[str, Any]:
    from omegaconf import DictConfig, OmegaConf

    task = DictConfig({k: v for k, v in cfg.items_ex(resolve=False) if k != "hydra"})
    data = OmegaConf.to_container(task, resolve=True)
    assert isinstance(data, dict)
    return {str(k): v for k, v in data.items()}


def _lab_keys_exist(overrides: list[str], user: Path | None, config_name: str) -> None:
    """``labs.<key>.<field>=v`` must name a lab of the composed config and a lab's field."""
    named = [o for o in overrides if o.startswith("labs.") and o.split("=")[0].count(".") >= 2]
    if named:
        others = [o for o in overrides if o not in named]
        composed = _hydra_compose(_for_hydra(others, user, config_name), user, config_name)
        labs = _plain(composed).get("labs")
        keys = [str(k) for k in labs] if isinstance(labs, dict) else []
        if errors := lab_override_errors(named, keys):
            raise ConfigErrors(errors)


def compose(
    overrides: list[str], config_dir: str | Path | None = None, config_name: str = "config"
) -> ScenarioConfig:
    """Compose the YAML with ``overrides`` and build the validated config (for notebooks);
    raises :class:`~sim.config.ConfigErrors` with every error of the config."""
    user = planner_folder(config_dir)
    mine = [o for o in overrides if not o.lstrip("+~").startswith(("hydra.", "hydra/"))]
    return _build(mine, user, config_name)[0]


def compose_dict(
    overrides: list[str], config_dir: str | Path | None = None, config_name: str = "config"
) -> dict[str, Any]:
    """Compose the YAML with ``overrides`` into a plain mapping, not yet built (a city's
    districts start from it); raises :class:`~sim.config.ConfigErrors` for overrides that
    name an unknown option or cannot be applied."""
    user = planner_folder(config_dir)
    bad = unknown_options(overrides, _groups(user), config_root(), user)
    if bad:
        raise ConfigErrors(bad)
    _lab_keys_exist(overrides, user, config_name)
    return _plain(_hydra_compose(_for_hydra(overrides, user, config_name), user, config_name))


def _build(overrides: list[str], user: Path | None, config_name: str) -> tuple[ScenarioConfig, Any]:
    """Compose and build; an unknown group option is reported with the config's other errors."""
    bad = unknown_options(overrides, _groups(user), config_root(), user)
    overrides = [o for o in overrides if o.lstrip("+~").split("=")[0] not in {e.field for e in bad}]
    try:
        _lab_keys_exist(overrides, user, config_name)
        cfg = _hydra_compose(
            _for_hydra(overrides, user, config_name), user, config_name, with_hydra=True
        )
        config = build_config(_plain(cfg))
    except ConfigError as err:
        raise ConfigErrors([*bad, *err.errors]) from None
    if bad:
        raise ConfigErrors(bad)
    return config, cfg


def _jobs(overrides: list[str]) -> list[list[str]]:
    """The jobs of a basic sweep (``a=1,2 b=x,y``: four); for another sweeper's syntax
    (``interval(...)``) or a very large sweep, what every job shares (each job is checked
    again as it starts)."""
    from hydra._internal.core_plugins.basic_sweeper import BasicSweeper

    parsed = _parse(overrides)
    try:
        jobs = [job for batch in BasicSweeper.split_arguments(parsed, None) for job in batch]
    except Exception:  # a sweep function only another sweeper understands
        jobs = []
    if 0 < len(jobs) <= _MAX_CHECKED_JOBS:
        return jobs
    return [[str(o.input_line) for o in parsed if not o.is_sweep_override()]]


def _check(args: Any, user: Path | None) -> None:
    """Check the config of a run, or of every job of a sweep, and that its output folder can
    be written, before Hydra starts (and so before it writes anything)."""
    from omegaconf import OmegaConf

    from sim.plots.report import check_run_folder

    hydra_ones = [o for o in args.overrides if o.lstrip("+~").startswith(("hydra.", "hydra/"))]
    mine = [o for o in args.overrides if o not in hydra_ones]
    seen: dict[str, ConfigError] = {}  # an error shared by every job is shown once
    for job in _jobs(mine) if args.multirun else [mine]:
        try:  # with hydra.run.dir=..., hydra/sweeper=optuna, hydra.sweeper.n_trials=3, ...
            config, cfg = _build([*job, *hydra_ones], user, args.config_name or "config")
            if _GATE and not config.judged_targets:
                raise ConfigError("targets", [], "at least one target for check to judge")
            _backend_ready(config)
        except ConfigError as err:
            seen.update({e.line: e for e in err.errors})
    if seen:
        raise ConfigErrors(list(seen.values()))
    folder = OmegaConf.select(cfg, "hydra.sweep.dir" if args.multirun else "hydra.run.dir")
    if folder:  # as given (hydra.run.dir=...) or from the config, its date and time resolved
        check_run_folder(Path(str(folder)))


def _backend_ready(config: ScenarioConfig) -> None:
    """The run's backend can run here (Ray installed, its cluster answering), before Hydra."""
    from sim.experiment.backends import BackendError, check_backend

    ex = config.execution
    try:
        check_backend(ex.backend, ex.n_jobs or os.cpu_count() or 1, ex.address)
    except BackendError as err:
        raise ConfigError(
            "execution.address" if ex.address else "execution.backend",
            ex.address or ex.backend,
            str(err),
        ) from None


def _task(cfg: Any) -> float | None:
    """One Hydra job: build the config and run it into the job's folder (:mod:`sim.runner`);
    returns the ``objective`` metric for a sweeper. ``check`` exits 1 when a target is not met."""
    from hydra.core.hydra_config import HydraConfig

    from sim.plots.report import RunFolderError
    from sim.runner import run_to_folder

    out_dir = Path(HydraConfig.get().runtime.output_dir)
    try:
        config = build_config(_plain(cfg))
        gate, accept = bool(_GATE), bool(_GATE.get("accept_undecided"))
        default = config if _REPORT.get("default") == "same" else _REPORT.get("default")
        command = _REPORT.get("command", "")
        outcome = run_to_folder(config, out_dir, gate, accept, command=command, default=default)
    except (ConfigError, RunFolderError) as err:
        log.error("%s", err)
        raise SystemExit(2) from None
    if _GATE and not outcome.gate_passed:
        raise SystemExit(1)
    return outcome.objective


def main(argv: list[str] | None = None) -> None:
    """Entry point of ``python -m sim`` and ``masstest-sim``."""
    from hydra._internal.utils import get_args_parser

    from sim import __version__
    from sim.plots.report import RunFolderError

    argv = sys.argv[1:] if argv is None else list(argv)
    _REPORT["command"] = " ".join(["masstest-sim", *argv])
    if "--version" in argv:
        print(f"masstest-sim {__version__}")
        return
    if argv[:1] == ["plan"]:  # the staffing planner: its own folder, no Hydra run
        raise SystemExit(_plan(argv[1:]))
    if argv[:1] == ["city"]:  # a city of districts: its own folder, no Hydra run
        raise SystemExit(_city(argv[1:]))
    if argv[:1] == ["check"]:  # the CI gate: exit 0 all targets met, 1 not, 2 bad input
        _GATE.update(check=True, accept_undecided="--accept-undecided" in argv)
        argv = [a for a in argv[1:] if a != "--accept-undecided"]
        if not any(a.lstrip("+").startswith("replications=") for a in argv):
            argv.append("replications=auto")  # unless the command names a number
    args, _ = get_args_parser().parse_known_args(argv)
    try:
        if _GATE and args.multirun:
            raise ConfigError("check", "--multirun", "one layout per check (no -m)")
        user = planner_folder(args.config_dir, "--config-dir")
        passthrough = args.shell_completion or args.help or args.hydra_help
        if not passthrough:
            _check(args, user)
            changed = user or any(not o.startswith("hydra") for o in args.overrides)
            _REPORT["default"] = compose([]) if changed else "same"  # for the report
        overrides = args.overrides if args.shell_completion else _for_hydra(args.overrides, user)
    except (ConfigError, RunFolderError) as err:
        print(f"error: {err}", file=sys.stderr)
        raise SystemExit(2) from None
    flags = [a for a in argv if a not in args.overrides]  # --config-dir too: Hydra checks it
    if args.multirun:  # name a job's folder by what the sweep changes (0_layout=no_barcodes)
        overrides.append(_fixed_keys(args.overrides))
    sys.argv = [sys.argv[0], *overrides, *flags]  # flags last: `--info` takes an optional value
    import hydra

    with _user_first(user):
        hydra.main(version_base=None, config_path=str(config_root()), config_name="config")(_task)()


_PLAN_USAGE = """\
usage: masstest-sim plan [--replications N] [--verify N] [--jobs N] [--out DIR]
                         [--config-dir DIR] [override ...]

The fewest staff-hours that meet the targets at every point: hourly requirements per point
and role (iterative staffing algorithm), rosters (integer program), and a verification of the
planned layout beside the current one. Overrides choose the scenario as for a run
(layout=..., scenario=..., targets=...). Writes plan.csv, roster.yaml, config.yaml (runs the
planned layout: masstest-sim --config-dir <plan folder>), figures, plan.html, summary.json
into DIR (default: outputs/plan/<date>/<time>_<scenario>); exit 0 when the planned layout
meets every target, 1 when not, 2 on bad input.

  --replications N   replications each point is planned with (default 8)
  --verify N         replications of each layout to verify with (default 4; 0: none)
  --jobs N           processes (default: every core)
  --shift-hours L    shift lengths the rosters may use, hours (default 4,6,8,12; on the hour)
  --breaks           a 30-min break after 4 h on shifts over 6 h (staggered up to 6 h in)
  --max-staff N      most people of a role on shift at once at a point
  --swabbers N       a fixed budget instead: N swabbers (and --registrars M) on duty at once
                     in the district, shared over the points and hours to minimise the worst
                     point's p95 wait; writes budget.csv (with the value of one more person
                     at each point), budget_hourly.csv, summary.json
  --registrars M     registrars of the budget
"""


class _NeedsValue(Exception):
    """An option given last, without its value (the message is the option)."""


def _options(
    argv: list[str], valued: tuple[str, ...], command: str
) -> tuple[dict[str, str], list[str]]:
    """A subcommand's ``--option value`` / ``--option=value`` pairs and its other words.

    Raises
    ------
    ConfigError
        For an option ``command`` does not have.
    _NeedsValue
        For an option without its value.
    """
    opts: dict[str, str] = {}
    words: list[str] = []
    it = iter(argv)
    for a in it:
        key, eq, val = a.partition("=")
        if key in valued:
            try:
                opts[key] = val if eq else next(it)
            except StopIteration:
                raise _NeedsValue(a) from None
        elif a.startswith("-"):
            raise ConfigError(command, a, f"an option of masstest-sim {command} --help")
        else:
            words.append(a)
    return opts, words


def _plan(argv: list[str]) -> int:
    """``masstest-sim plan``: plan, verify, write the plan folder; the exit code."""
    import datetime as dt

    from sim.plots.report import RunFolderError

    if "-h" in argv or "--help" in argv:
        print(_PLAN_USAGE, end="")
        return 0
    opts = {
        "--replications": 8,
        "--verify": 4,
        "--jobs": 0,
        "--swabbers": -1,
        "--registrars": -1,
        "--max-staff": -1,
    }
    breaks = "--breaks" in argv
    argv = [a for a in argv if a != "--breaks"]
    try:
        given, overrides = _options(argv, (*opts, "--out", "--config-dir", "--shift-hours"), "plan")
        for key, value in given.items():
            if key in opts:
                if not value.isdigit():
                    raise ConfigError(key, value, "a whole number")
                opts[key] = int(value)
    except _NeedsValue as err:
        print(f"error: {err} needs a value\n\n{_PLAN_USAGE}", file=sys.stderr, end="")
        return 2
    except ConfigError as err:
        print(f"error: {err}\n\n{_PLAN_USAGE}", file=sys.stderr, end="")
        return 2
    out = given.get("--out")
    shift_hours = given.get("--shift-hours", "")
    config_dir = given.get("--config-dir")
    try:
        if opts["--replications"] < 2:
            raise ConfigError("--replications", opts["--replications"], "at least 2")
        config = compose(overrides, config_dir)
        from sim.planning.plan import check_plannable, plan_staffing, service_levels
        from sim.plots.plan_report import write_plan
        from sim.plots.report import check_run_folder

        if opts["--swabbers"] < 0 and opts["--registrars"] >= 0:
            raise ConfigError("--registrars", opts["--registrars"], "with --swabbers (a budget)")
        check_plannable(config)  # the planner's queue model: registration and swab
        if opts["--swabbers"] < 0:
            service_levels(config)  # a config without a target to plan for: before the work
        _backend_ready(config)
        from sim.planning.plan import SHIFT_LENGTHS_H, ShiftRules

        try:
            lengths = tuple(float(h) for h in shift_hours.split(",")) if shift_hours else None
        except ValueError:
            raise ConfigError(
                "--shift-hours", shift_hours, "hours separated by commas, e.g. 4,8,12"
            ) from None
        rules = ShiftRules(
            lengths_h=lengths or SHIFT_LENGTHS_H,
            breaks=breaks,
            max_staff=opts["--max-staff"] if opts["--max-staff"] >= 0 else None,
        )
        rules.check()
        stamp = dt.datetime.now().strftime("%Y-%m-%d/%H-%M-%S-%f")
        folder = Path(out) if out else Path("outputs/plan") / f"{stamp}_{config.name}"
        check_run_folder(folder)
    except RunFolderError as err:
        from sim.plots.report import _CHOOSE

        message = str(err).replace(_CHOOSE, "choose another plan folder (--out <new folder>)")
        print(f"error: {message}", file=sys.stderr)
        return 2
    except (ConfigError, ValueError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    from sim.planning.isa import TargetUnreachable

    if opts["--swabbers"] >= 0:
        return _budget(config, opts, folder)
    try:
        plan = plan_staffing(
            config,
            replications=opts["--replications"],
            verify_replications=opts["--verify"] or None,
            n_jobs=opts["--jobs"] or config.execution.n_jobs,
            progress=sys.stderr.isatty(),
            shifts=rules,
            backend=config.execution.backend,
            address=config.execution.address,
        )
    except TargetUnreachable as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    write_plan(plan, folder, command=" ".join(["masstest-sim plan", *argv]))
    s = plan.summary()
    print(
        f"staffing plan for {config.name}: {s['points']} points, person-hours "
        f"{s['person_hours_current']:,.0f} now -> {s['person_hours_planned']:,.0f} planned "
        f"({s['person_hours_change']:+,.0f}); {s['simulated_replications']:,} point "
        f"replications simulated\nplan folder: {folder}"
    )
    ceiling = plan.coverage_ceiling
    no_returns = config.demand.retry.share == 0
    for t in config.targets:
        if no_returns and t.metric == "coverage" and t.value is not None and t.value > ceiling:
            print(
                f"note: {t.label} is out of the staff's reach: {1 - ceiling:.1%} of the "
                f"residents come outside the lines' hours (coverage ceiling {ceiling:.1%}); "
                "returns or longer hours reach them, not more staff"
            )
    met = plan.planned_targets_met()
    if met is not None:
        print("the planned layout " + ("meets every target" if met else "does not meet:"))
    if met is False:
        from sim.config.targets import CHAIN_METRICS

        for v in plan.verdicts()["planned"]:
            if v.verdict != "met":
                why = " (results: the labs' capacity, not the points' staff)"
                print(
                    f"  {v.target.label}: {v.verdict}"
                    + (why if v.target.metric in CHAIN_METRICS else "")
                )
    return 0 if met in (True, None) else 1


_CITY_USAGE = """\
usage: masstest-sim city CITY [key=value ...] [options]

Simulate a city: each district's round is one task (in parallel), then the city's labs serve
every district. CITY is a city YAML file or a shipped city (city_3m: 3 million residents in 10
districts; wuhan: 10 million in 13). key=value changes the city file (seed=2,
districts.0.residents=400000, execution.n_jobs=2).

options:
  --replications N    replications of the whole city (default: the file's)
  --jobs N            worker processes (default: execution.n_jobs, or every core)
  --backend B         serial | processes | ray (default: execution.backend)
  --address A         a Ray cluster, host:port (backend ray)
  --out DIR           the run folder (default: outputs/city/<date>/<time>_<city>)
  --config-dir DIR    a planner's config folder the districts are composed from
  --no-figures        tables and summary only
  --check             exit 1 unless every target is met (--accept-undecided: or undecided)

exit status: 0 done (with --check: every target met), 1 a target not met (--check only),
2 bad input (nothing simulated).
"""


def _city(argv: list[str]) -> int:
    """``masstest-sim city``: run a city into its folder; the exit code."""
    import datetime as dt
    import time

    from sim.plots.report import RunFolderError

    if "-h" in argv or "--help" in argv or not argv:
        print(_CITY_USAGE, end="", file=sys.stdout if argv else sys.stderr)
        return 0 if argv else 2
    flags = {"--no-figures", "--check", "--accept-undecided"}
    given = {a for a in argv if a in flags}
    argv = [a for a in argv if a not in flags]
    valued = ("--replications", "--jobs", "--backend", "--address", "--out", "--config-dir")
    try:
        opts, positional = _options(argv, valued, "city")
    except _NeedsValue as err:
        print(f"error: {err} needs a value\n\n{_CITY_USAGE}", file=sys.stderr, end="")
        return 2
    except ConfigError as err:
        print(f"error: {err}\n\n{_CITY_USAGE}", file=sys.stderr, end="")
        return 2
    from sim import load_city
    from sim.experiment.backends import BackendError, check_backend
    from sim.plots.report import check_run_folder

    try:
        for key in ("--replications", "--jobs"):
            if key in opts and not (opts[key].isdigit() and int(opts[key]) >= 1):
                raise ConfigError(key, opts[key], "a whole number >= 1")
        city = load_city(positional[0], positional[1:], opts.get("--config-dir"))
        ex = city.execution
        backend = opts.get("--backend", ex.backend)
        n_jobs = int(opts.get("--jobs", 0)) or ex.n_jobs or os.cpu_count() or 1
        address = opts.get("--address", ex.address)
        try:
            check_backend(backend, n_jobs, address)
        except ValueError as err:
            raise ConfigError("--backend", backend, str(err)) from None
        except BackendError as err:
            raise ConfigError(
                "--address" if address else "--backend", address or backend, str(err)
            ) from None
        stamp = dt.datetime.now().strftime("%Y-%m-%d/%H-%M-%S-%f")
        folder = (
            Path(opts["--out"])
            if "--out" in opts
            else Path("outputs/city") / f"{stamp}_{city.name}"
        )
        check_run_folder(folder)
    except RunFolderError as err:
        from sim.plots.report import _CHOOSE

        print(
            f"error: {str(err).replace(_CHOOSE, 'choose another folder (--out <new folder>)')}",
            file=sys.stderr,
        )
        return 2
    except ConfigError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    from tqdm import tqdm

    from sim.experiment.city import city_verdicts, run_city_replications
    from sim.plots.city_report import format_city, write_city

    reps = int(opts.get("--replications", 0)) or city.replications
    total = reps * len(city.districts)

    def bar(results: Any) -> Any:
        return tqdm(results, total=total, desc="districts", leave=False, disable=None)

    from sim.experiment.backends import BackendError

    start = time.perf_counter()
    try:
        results = run_city_replications(
            city,
            reps,
            backend=backend,  # type: ignore[arg-type]  # checked above
            n_jobs=n_jobs,
            address=address,
            progress=bar,
        )
    except BackendError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    seconds = time.perf_counter() - start
    try:
        write_city(results, folder, figures="--no-figures" not in given)
    except RunFolderError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    print(format_city(results, seconds))
    print(f"city folder: {folder}")
    if "--check" not in given:
        return 0
    ok = ("met", "undecided") if "--accept-undecided" in given else ("met",)
    return 0 if all(v.verdict in ok for v in city_verdicts(results)) else 1


def _budget(config: ScenarioConfig, opts: dict[str, int], folder: Path) -> int:
    """``plan --swabbers N [--registrars M]``: share a fixed budget; the exit code."""
    from sim.planning.budget import BudgetTooSmall, allocate_budget
    from sim.plots.plan_report import write_budget

    try:
        plan = allocate_budget(
            config,
            swabbers=opts["--swabbers"],
            registrars=opts["--registrars"] if opts["--registrars"] >= 0 else None,
            replications=opts["--replications"],
            n_jobs=opts["--jobs"] or None,
        )
    except (BudgetTooSmall, ValueError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    write_budget(plan, folder)
    name, value = plan.worst
    table = plan.table()
    print(
        f"budget for {config.name}: "
        + ", ".join(f"{n} {role}" for role, n in plan.budget.items())
        + f" on duty at once over {len(plan.names)} points; worst {plan.metric}: "
        f"{value:.3g} at '{name}'"
    )
    for role in plan.marginal:
        col = f"one_more_{role}"
        best = table.sort_values(col, ascending=False).iloc[0]
        print(f"  one more {role}: most help at '{best['point']}' ({best[col]:.3g} less)")
    print(f"plan folder: {folder}")
    return 0


#: Set by ``check``: the run is a CI gate (``accept_undecided``: undecided targets pass).
_GATE: dict[str, bool] = {}
#: For report.html: the command and the default config ("same": the run's), in this process.
_REPORT: dict[str, Any] = {}


def _fixed_keys(overrides: list[str]) -> str:
    """The override that leaves the keys every job shares out of its folder name."""
    fixed = [o.key_or_group for o in _parse(overrides) if not o.is_sweep_override()]
    keys = ",".join("'" + k.replace("'", "") + "'" for k in fixed)
    return f"hydra.job.config.override_dirname.exclude_keys=[{keys}]"

"""The command line: ``python -m sim [overrides]``. The only module that imports Hydra.

It composes the YAML config (shipped ``configs/``, plus ``--config-dir`` if given), turns it into
frozen config objects (reporting bad input with the field, the value and what is allowed),
runs the replications and writes the run folder.
"""

from __future__ import annotations

import dataclasses
import difflib
import sys
import typing
from collections.abc import Collection
from importlib import resources
from pathlib import Path
from typing import Any, get_args, get_origin

from sim.config import ConfigError, ScenarioConfig, build_config

CONFIG_MODULE = "sim.configs"
_GROUPS = ("scenario", "layout")


def config_root() -> Path:
    """Folder of the shipped configs.

    Inside an installed package this is ``sim/configs``; when ``sim`` is imported from a source
    checkout (e.g. ``python -m sim`` run at the repository root) it is the top-level ``configs/``.
    """
    try:
        return Path(str(resources.files(CONFIG_MODULE)))
    except ModuleNotFoundError:
        source = Path(__file__).resolve().parent.parent / "configs"
        if (source / "config.yaml").is_file():
            return source
        raise


def group_options(group: str, extra_dir: Path | None = None) -> list[str]:
    """Names of the configs available in a group (e.g. scenarios)."""
    names = {p.stem for p in (config_root() / group).glob("*.yaml")}
    if extra_dir is not None:
        names |= {p.stem for p in (Path(extra_dir) / group).glob("*.yaml")}
    return sorted(names)


def check_overrides(overrides: list[str], extra_dir: Path | None = None) -> None:
    """Check every override names a real field or group before Hydra sees it.

    Raises
    ------
    ConfigError
        For an unknown key (with the closest field name) or an unknown group option.
    """
    for item in overrides:
        if "=" not in item:
            raise ConfigError(item, item, "an override of the form key=value")
        key, value = item.split("=", 1)
        key = key.lstrip("+~")
        if key.startswith("hydra.") or key == "hydra":
            continue
        if key.startswith("site_types."):
            parts = key.split(".")
            if len(parts) >= 3:
                _check_path(".".join(["site", *parts[2:]]), value)
            continue
        if key in _GROUPS:
            if value.startswith(("glob(", "choice(", "range(")):
                continue  # a Hydra sweep function: Hydra checks the names it expands to
            options = group_options(key, extra_dir)
            for name in value.split(","):  # a multirun sweep lists several
                if name.strip() not in options and name.strip() != "null":
                    raise ConfigError(key, name, "one of " + ", ".join(options))
            continue
        parts = key.split(".")
        if len(parts) == 3 and parts[0] == "sites" and parts[1].isdigit() and parts[2] == "type":
            continue  # a point's size: checked against site_types once the config is composed
        if parts[0] == "labs" and len(parts) >= 3:
            # labs are a mapping by key (labs.mobile.enabled): check the field here; the key is
            # checked against the composed config (check_lab_keys)
            try:
                _check_path(".".join(["labs", "0", *parts[2:]]), value)
            except ConfigError as err:
                raise ConfigError(
                    err.field.replace("labs.0", f"labs.{parts[1]}", 1), err.value, err.allowed
                ) from None
            continue
        _check_path(key, value)


_LIST_PREFIXES = ("sites.", "subdistricts.", "site_types.")


def force_list_overrides(overrides: list[str], lab_keys: Collection[str] = ()) -> list[str]:
    """Let ``sites.3.swab_booths=10`` set a field the YAML entry leaves to the template.

    Entries of ``sites`` (and ``site_types``) list only what differs from the template, so
    Hydra would refuse a key they do not spell out; the key has been checked against the
    schema, so it is passed as ``++key=value`` (add or override). The same for
    ``labs.<key>.<field>`` when ``<key>`` is one of ``lab_keys`` (the labs of the composed
    config: a lab added in a planner's YAML may spell out only some fields); any other lab key
    is left to Hydra, so that a misspelt key never adds a lab.
    """
    out = []
    for item in overrides:
        key = item.split("=", 1)[0]
        if key.startswith(("+", "~")) or key.count(".") < 2:
            pass
        elif key.startswith(_LIST_PREFIXES) or _lab_key(item) in lab_keys:
            item = "++" + item
        out.append(item)
    return out


def _lab_key(item: str) -> str | None:
    """``mobile`` for ``labs.mobile.enabled=false`` (None if the override sets no lab's field,
    or adds one with ``+``/``++``)."""
    key = item.split("=", 1)[0]
    parts = key.split(".")
    if key.startswith(("+", "~")) or parts[0] != "labs" or len(parts) < 3:
        return None
    return parts[1]


def lab_keys(
    overrides: list[str], extra_dir: Path | None = None, config_name: str = "config"
) -> list[str]:
    """Keys of the ``labs`` mapping once the scenario, layout and the other overrides are
    applied (the ``labs.<key>.<field>`` overrides themselves are left out)."""
    from omegaconf import DictConfig

    others = [o for o in overrides if _lab_key(o) is None]
    labs = _hydra_compose(others, extra_dir, config_name).get("labs")
    return [str(k) for k in labs] if isinstance(labs, DictConfig) else []


def check_lab_keys(overrides: list[str], keys: list[str]) -> None:
    """Check every ``labs.<key>.<field>`` override names a lab of the composed config.

    Raises
    ------
    ConfigError
        Naming ``labs.<key>``, with the closest key, or for a position (``labs.2.opens_day``)
        the key of the lab at that position.
    """
    for item in overrides:
        name = _lab_key(item)
        if name is None or name in keys:
            continue
        key, value = item.split("=", 1)
        field = key.split(".", 2)[2]
        if not keys:
            allowed = "a lab's key, but this scenario has no labs (labs: null or {})"
        elif name.isdigit() and int(name) < len(keys):
            lab = keys[int(name)]
            allowed = (
                f"a lab's key, not its position: labs are keyed by name ({', '.join(keys)}); "
                f"lab {name} is '{lab}': labs.{lab}.{field}={value}"
            )
        else:
            close = difflib.get_close_matches(name, keys, n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            allowed = f"a lab's key{hint}; labs here: {', '.join(keys)}"
        raise ConfigError(f"labs.{name}", value, allowed)


def _check_path(key: str, value: str) -> None:
    tp: Any = ScenarioConfig
    done: list[str] = []
    for part in key.split("."):
        tp = _unwrap(tp)
        if get_origin(tp) is tuple and part.isdigit():  # list index, e.g. roster.swab.0.staff
            tp = get_args(tp)[0]
            done.append(part)
            continue
        if not (dataclasses.is_dataclass(tp) and isinstance(tp, type)):
            where = ".".join([*done, part])
            raise ConfigError(where, value, f"no sub-field '{part}' under {'.'.join(done)}")
        fields = [f.name for f in dataclasses.fields(tp)]
        if part not in fields:
            close = difflib.get_close_matches(part, fields, n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            where = ".".join([*done, part])
            raise ConfigError(
                where, value, f"a known field{hint}; fields here: {', '.join(fields)}"
            )
        done.append(part)
        tp = typing.get_type_hints(tp)[part]


def _unwrap(tp: Any) -> Any:
    args = [a for a in get_args(tp) if a is not type(None)]
    if get_origin(tp) in (typing.Union, __import__("types").UnionType) and len(args) == 1:
        return args[0]
    return tp


def _plain(cfg: Any) -> dict[str, Any]:
    from omegaconf import OmegaConf

    data = OmegaConf.to_container(cfg, resolve=True)
    assert isinstance(data, dict)
    data.pop("hydra", None)
    return {str(k): v for k, v in data.items()}


def compose(
    overrides: list[str], config_dir: str | Path | None = None, config_name: str = "config"
) -> ScenarioConfig:
    """Compose and validate a scenario config without running anything (for notebooks)."""
    extra = Path(config_dir).resolve() if config_dir is not None else None
    if extra is not None and not extra.is_dir():
        raise ConfigError("config_dir", str(config_dir), "an existing folder of YAML configs")
    return _compose(list(overrides), extra, config_name)[0]


def _compose(
    overrides: list[str], extra: Path | None, config_name: str = "config"
) -> tuple[ScenarioConfig, list[str]]:
    """:func:`compose`, and the keys of the labs that ``labs.<key>.<field>`` overrides name."""
    check_overrides(overrides, extra)
    keys: list[str] = []
    if any(_lab_key(o) is not None for o in overrides):
        keys = lab_keys(overrides, extra, config_name)
        check_lab_keys(overrides, keys)
    cfg = _hydra_compose(force_list_overrides(overrides, keys), extra, config_name)
    return _checked(build_config(_plain(cfg))), keys


def _hydra_compose(overrides: list[str], extra: Path | None, config_name: str) -> Any:
    """Hydra's composed config (a DictConfig), its errors reported as :class:`ConfigError`."""
    from hydra import compose as hydra_compose
    from hydra import initialize_config_dir
    from hydra.core.global_hydra import GlobalHydra
    from hydra.errors import HydraException
    from omegaconf.errors import OmegaConfBaseException

    search = [f"hydra.searchpath=[file://{extra}]"] if extra is not None else []
    if GlobalHydra.instance().is_initialized():
        GlobalHydra.instance().clear()
    try:
        with initialize_config_dir(config_dir=str(config_root()), version_base=None):
            return hydra_compose(config_name, overrides=[*overrides, *search])
    except (HydraException, OmegaConfBaseException) as err:
        text = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        for item in overrides:  # name the override Hydra could not apply, if it is one of them
            key, _, value = item.lstrip("+~").partition("=")
            if key and key in str(err):
                raise ConfigError(key, value, f"an existing entry or key ({text})") from None
        plain = [o[2:] if o.startswith("++") else o for o in overrides]
        raise ConfigError("overrides", plain, f"a valid composition ({text})") from None


def _checked(config: ScenarioConfig) -> ScenarioConfig:
    """Also check what needs the model: e.g. that every point is staffed while open."""
    from sim.model.district import check_layout

    check_layout(config)
    return config


def _task(cfg: Any) -> None:
    from hydra.core.hydra_config import HydraConfig

    from sim.experiment.replications import run_replications
    from sim.plots.report import format_summary, write_run

    try:
        config = _checked(build_config(_plain(cfg)))
    except ConfigError as err:
        print(f"error: {err}", file=sys.stderr)
        raise SystemExit(2) from None
    out_dir = Path(HydraConfig.get().runtime.output_dir)
    results = run_replications(config)
    try:
        paths = write_run(out_dir, config, results)
    except FileExistsError as err:
        print(f"error: {err}. Choose another hydra.run.dir.", file=sys.stderr)
        raise SystemExit(2) from None
    if config.output.print_summary:
        print(format_summary(results))
        print(f"\nrun folder: {out_dir}")
        for p in paths:
            print(f"  {p.name}")


def _multirun_lab_keys(overrides: list[str], extra_dir: Path | None) -> list[str]:
    """Lab keys for a multirun: composed without the sweeps (``a,b``, ``glob(...)``)."""

    def sweep(item: str) -> bool:
        value = item.split("=", 1)[1].strip()
        if value.startswith(("glob(", "choice(", "range(", "interval(")):
            return True
        return "," in value and not value.startswith(("[", "{", "'", '"'))

    try:
        return lab_keys([o for o in overrides if not sweep(o)], extra_dir)
    except ConfigError:
        return []  # Hydra reports it for the run that fails


def main() -> None:
    """Entry point of ``python -m sim`` and ``masstest-sim``."""
    import hydra

    args = sys.argv[1:]
    extra_dir = None
    for i, a in enumerate(args):
        if a.startswith("--config-dir="):
            extra_dir = Path(a.split("=", 1)[1])
        elif a in ("--config-dir", "-cd") and i + 1 < len(args):
            extra_dir = Path(args[i + 1])
    overrides = [a for a in args if "=" in a and not a.startswith("-")]
    multirun = any(a in ("-m", "--multirun") for a in args)
    extra = extra_dir.resolve() if extra_dir is not None else None
    keys: list[str] = []
    try:
        check_overrides(overrides, extra_dir)
        if multirun:
            if any(_lab_key(o) is not None for o in overrides):
                keys = _multirun_lab_keys(overrides, extra)
        elif any(o.lstrip("+~").startswith((*_LIST_PREFIXES, "labs.")) for o in overrides):
            # an index past the end of a list, or a lab key that names no lab: our error,
            # not Hydra's
            _, keys = _compose(overrides, extra)
    except ConfigError as err:
        print(f"error: {err}", file=sys.stderr)
        raise SystemExit(2) from None
    sys.argv = [sys.argv[0], *force_list_overrides(args, keys)]
    runner = hydra.main(version_base=None, config_path=str(config_root()), config_name="config")(
        _task
    )
    runner()

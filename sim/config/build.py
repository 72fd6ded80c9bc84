"""Turn a plain mapping (composed YAML) into validated, frozen config objects: the one path.

Every config, from the command line, :func:`sim.load_config` or Python, goes through
:func:`build_config`. The dataclasses in :mod:`sim.config.schema` are the schema: the builder
walks their type hints, so a misspelt key (with the closest field name), a wrong type or a
value outside the allowed set is reported with its full dotted path; then each object's
``validate`` checks values and how they fit together (including that every point is staffed
while it is open). All errors of a config are reported at once (:class:`ConfigErrors`), before
any simulation starts.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Mapping
from typing import Any, Literal, TypeVar, Union, get_args, get_origin

from sim.config.clock import Clock, clock_to_min
from sim.config.errors import (
    ConfigError,
    ConfigErrors,
    collecting,
    did_you_mean,
    report,
    within,
)
from sim.config.schema import LabConfig, ScenarioConfig, SiteConfig

T = TypeVar("T")

_MISSING = dataclasses.MISSING


class _Unbuilt(Exception):
    """An object could not be built (its errors are already reported)."""


def build_config(data: Mapping[str, Any]) -> ScenarioConfig:
    """Build and validate a :class:`ScenarioConfig` from a plain nested mapping.

    Raises
    ------
    ConfigError
        A :class:`ConfigErrors` listing every error found (``.errors``), each naming the field,
        the value and what is allowed; ``field``/``value``/``allowed`` are the first one's.
    """
    if not isinstance(data, Mapping):
        raise ConfigErrors([ConfigError("<root>", data, "a mapping of scenario fields")])
    # a run folder's config.yaml names Hydra's settings in a defaults list: not a field
    data = {k: v for k, v in data.items() if k != "defaults"}
    with collecting() as errors:
        cfg: ScenarioConfig | None = None
        with within(""):  # a part that cannot be built ends the build (its errors recorded)
            cfg = _build(ScenarioConfig, expand_labs(expand_sites(data)), "")
        built_with_errors = len(errors)
        if cfg is not None:
            with within(""):
                cfg.validate()
    if errors:
        raise ConfigErrors(_tidy(errors, built_with_errors))
    assert cfg is not None
    object.__setattr__(cfg, "_checked", True)  # not a field: dataclasses.replace drops it
    return cfg


def check_config(config: ScenarioConfig) -> None:
    """Check a config object made in Python (``dataclasses.replace``, or by hand) exactly as
    :func:`build_config` checks a mapping: types, values, and how they fit together.

    Raises
    ------
    ConfigError
        A :class:`ConfigErrors` with every error found.
    """
    if not getattr(config, "_checked", False):
        build_config(dataclasses.asdict(config))


def _tidy(errors: list[ConfigError], n_build: int) -> list[ConfigError]:
    """Drop repeats: a template's error shown again at every point that inherits it, and
    checks of a value that was replaced by its default because it could not be read."""
    bad_fields = [e.field for e in errors[:n_build]]
    out: list[ConfigError] = []
    seen: set[tuple[str, str, str]] = set()
    for i, err in enumerate(errors):
        if i >= n_build and any(
            err.field == f or err.field.startswith((f + ".", f + "[")) for f in bad_fields
        ):
            continue
        field = err.field
        if field.startswith("sites["):  # sites[3].x repeats site.x or another point's error
            field = "site" + field[field.index("]") + 1 :]
        key = (field, repr(err.value), err.allowed)
        if key in seen:
            continue
        seen.add(key)
        out.append(err)
    return out


def expand_sites(data: Mapping[str, Any]) -> dict[str, Any]:
    """Resolve each ``sites`` entry as ``site`` <- ``site_types[type]`` <- entry (deep merge).

    ``site_types`` (a mapping of named partial sites) is consumed here; the built config lists
    every point in full. A misspelt key is reported where it was typed (``site.x``,
    ``site_types.square.x`` or ``sites[3].x``), once, and left out of the merge.
    """
    out = dict(data)
    kinds = out.pop("site_types", None) or {}
    if not isinstance(kinds, Mapping):
        report(ConfigError("site_types", kinds, "a mapping of type names to site fields"))
        kinds = {}
    checked_kinds: dict[str, Mapping[str, Any]] = {}
    for name, fields in kinds.items():
        if not isinstance(fields, Mapping):
            report(ConfigError(f"site_types.{name}", fields, "a mapping of site fields"))
            continue
        checked_kinds[str(name)] = _known_keys(SiteConfig, fields, f"site_types.{name}")
    template = out.get("site") or {}
    if isinstance(template, Mapping):
        template = _known_keys(SiteConfig, template, "site")
        if "site" in out:
            out["site"] = template
    else:
        template = {}
    entries = out.get("sites") or []
    if not isinstance(entries, list | tuple):
        report(ConfigError("sites", entries, "a list of collection points"))
        out["sites"] = entries = []
    expanded = []
    for k, entry in enumerate(entries):
        if not isinstance(entry, Mapping):
            report(ConfigError(f"sites[{k}]", entry, "a mapping of site fields"))
            continue
        entry = dict(entry)
        kind = entry.pop("type", None)
        layer: Mapping[str, Any] = {}
        if kind is not None:
            if kind not in checked_kinds:
                hint = did_you_mean(kind, list(checked_kinds))
                report(
                    ConfigError(
                        f"sites[{k}].type",
                        kind,
                        f"one of the site_types{hint}: " + ", ".join(checked_kinds),
                    )
                )
            else:
                layer = checked_kinds[kind]
        entry = _known_keys(SiteConfig, entry, f"sites[{k}]")
        expanded.append(_merge(_merge(template, layer), entry))
    if entries:
        out["sites"] = expanded
    return out


def _known_keys(tp: Any, value: Any, path: str) -> Any:
    """``value`` without the keys the schema does not know, each reported with a hint."""
    tp = _optional(tp)
    if dataclasses.is_dataclass(tp) and isinstance(tp, type) and isinstance(value, Mapping):
        hints = typing.get_type_hints(tp)
        kept = {}
        for key, sub in value.items():
            where = f"{path}.{key}" if path else str(key)
            if key not in hints:
                report(_unknown_key(tp, str(key), sub, where))
                continue
            kept[key] = _known_keys(hints[key], sub, where)
        return kept
    if get_origin(tp) is tuple and isinstance(value, list | tuple):
        item_tp = get_args(tp)[0]
        return [_known_keys(item_tp, v, f"{path}[{i}]") for i, v in enumerate(value)]
    return value


def _unknown_key(cls: Any, key: str, value: Any, where: str) -> ConfigError:
    fields = [f.name for f in dataclasses.fields(cls)]
    hint = did_you_mean(key, fields)
    return ConfigError(where, value, f"no such field{hint}; fields here: {', '.join(fields)}")


def _optional(tp: Any) -> Any:
    if get_origin(tp) in (Union, types.UnionType):
        args = [a for a in get_args(tp) if a is not type(None)]
        if len(args) == 1:
            return args[0]
    return tp


def expand_labs(data: Mapping[str, Any]) -> dict[str, Any]:
    """Accept ``labs`` as a mapping of key -> lab fields (YAML and layouts), in order.

    A mapping merges across config files and command-line overrides (``labs.mobile.enabled=
    false``), which a list cannot; each entry's ``name`` defaults to its key.
    """
    out = dict(data)
    labs = out.get("labs")
    if labs is None and "labs" in out:
        out["labs"] = []  # `labs: null` in a scenario file: no labs
    elif isinstance(labs, Mapping):
        entries = []
        for key, entry in labs.items():
            if not isinstance(entry, Mapping):
                report(ConfigError(f"labs.{key}", entry, "a mapping of lab fields"))
                continue
            entry = _known_keys(LabConfig, entry, f"labs.{key}")  # named as typed
            entries.append({"name": str(key), **dict(entry)})
        out["labs"] = entries
    return out


def _merge(base: Mapping[str, Any], top: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in top.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _build(tp: Any, value: Any, path: str) -> Any:
    origin = get_origin(tp)
    if origin is Union or origin is types.UnionType:
        args = [a for a in get_args(tp) if a is not type(None)]
        if value is None:
            return None
        if len(args) == 1:
            return _build(args[0], value, path)
        options = []
        for arg in args:  # e.g. replications: a whole number or 'auto'
            try:
                return _build(arg, value, path)
            except ConfigError as err:
                options.append(err.allowed)
        raise ConfigError(path, value, " or ".join(options))
    if origin is Literal:
        allowed = get_args(tp)
        if value not in allowed:
            hint = did_you_mean(value, [str(a) for a in allowed])
            raise ConfigError(path, value, "one of " + ", ".join(repr(a) for a in allowed) + hint)
        return value
    if origin is tuple:
        (item_tp, _ellipsis) = get_args(tp)
        if value is None:
            raise ConfigError(path, value, "a list")
        if isinstance(value, str | bytes) or not isinstance(value, list | tuple):
            raise ConfigError(path, value, "a list")
        built: dict[int, Any] = {}
        for i, v in enumerate(value):
            try:
                built[i] = _build(item_tp, v, f"{path}[{i}]")
            except ConfigError as err:
                report(err)
            except _Unbuilt:
                pass
        if len(built) < len(value):  # not a shorter list (later items would be checked
            for i, item in built.items():  # under other indices): the others' own checks now
                if _self_checking(item):
                    with within(f"{path}[{i}]"):
                        item.validate()
            raise _Unbuilt(path)
        return tuple(built.values())
    if origin is dict:  # e.g. a sub-district's groups: {market_traders: 0.06}
        (key_tp, item_tp) = get_args(tp)
        if not isinstance(value, Mapping):
            raise ConfigError(path, value, "a mapping of names to values")
        entries: dict[Any, Any] = {}
        failed = False
        for k, v in value.items():
            where = f"{path}.{k}"
            try:
                entries[_build(key_tp, k, where)] = _build(item_tp, v, where)
            except ConfigError as err:
                report(err)
                failed = True
            except _Unbuilt:
                failed = True
        if failed:
            raise _Unbuilt(path)
        return entries
    if dataclasses.is_dataclass(tp) and isinstance(tp, type):
        return _build_dataclass(tp, value, path)
    if tp is bool:
        if not isinstance(value, bool):
            raise ConfigError(path, value, "true or false")
        return value
    if tp is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(path, value, "a whole number")
        return value
    if tp is float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ConfigError(path, value, "a number")
        return float(value)
    if tp is Clock:
        clock_to_min(value, path)  # raises with the 'quote it' hint for YAML's 07:00 -> 420
        return value
    if tp is str:
        if not isinstance(value, str):
            raise ConfigError(path, value, "a text string")
        return value
    raise TypeError(f"unsupported schema type {tp!r} at {path}")  # pragma: no cover


def _self_checking(obj: Any) -> bool:
    """Whether ``obj`` checks itself with ``validate()`` (no arguments)."""
    import inspect

    check = getattr(obj, "validate", None)
    return check is not None and not inspect.signature(check).parameters


def _build_dataclass(cls: type[T], value: Any, path: str) -> T:
    if not isinstance(value, Mapping):
        raise ConfigError(path or "<root>", value, f"a mapping of {cls.__name__} fields")
    hints = typing.get_type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
    for key in value:
        if key not in fields:
            report(_unknown_key(cls, str(key), value[key], f"{path}.{key}" if path else str(key)))
    kwargs: dict[str, Any] = {}
    unbuilt = False
    for name, f in fields.items():
        sub = f"{path}.{name}" if path else name
        required = f.default is _MISSING and f.default_factory is _MISSING
        if name in value:
            try:
                kwargs[name] = _build(hints[name], value[name], sub)
            except ConfigError as err:
                report(err)  # while collecting: go on with the default, if the field has one
                unbuilt = unbuilt or required
            except _Unbuilt:
                unbuilt = unbuilt or required
        elif required:
            report(ConfigError(sub, None, "a value (this field is required)"))
            unbuilt = True
    if unbuilt:
        raise _Unbuilt(path)
    return cls(**kwargs)


def lab_override_errors(overrides: list[str], keys: list[str]) -> list[ConfigError]:
    """Errors of ``labs.<key>.<field>=value`` overrides against the config's lab ``keys``:
    a misspelt field, or a key that names no lab (a position, ``labs.2``, is shown the key it
    means). Labs are a mapping by key, so an unchecked override would add a lab."""
    fields = [f.name for f in dataclasses.fields(LabConfig)]
    errors = []
    for item in overrides:
        key, _, value = item.partition("=")
        parts = key.split(".")
        if parts[0] != "labs" or len(parts) < 3:
            continue
        if parts[2] not in fields:
            allowed = f"a lab's field{did_you_mean(parts[2], fields)}; fields: {', '.join(fields)}"
            errors.append(ConfigError(key, value, allowed))
        elif parts[1] not in keys:
            if parts[1].isdigit() and int(parts[1]) < len(keys):
                lab = keys[int(parts[1])]
                allowed = (
                    f"a lab's key, not its position: labs are keyed by name ({', '.join(keys)});"
                    f" lab {parts[1]} is '{lab}': labs.{lab}.{'.'.join(parts[2:])}={value}"
                )
            else:
                where = f"labs here: {', '.join(keys)}" if keys else "this scenario has no labs"
                allowed = f"a lab's key{did_you_mean(parts[1], keys)}; {where}"
            errors.append(ConfigError(f"labs.{parts[1]}", value, allowed))
    return errors

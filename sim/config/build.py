"""Turn a plain mapping (composed YAML) into validated, frozen config objects.

The dataclasses in :mod:`sim.config.schema` are the schema: this module walks their type hints,
so a misspelt key, a wrong type or a value outside the allowed set is reported with its full
dotted path before any simulation starts.
"""

from __future__ import annotations

import dataclasses
import difflib
import types
import typing
from collections.abc import Mapping
from typing import Any, Literal, TypeVar, Union, get_args, get_origin

from sim.config.clock import Clock, clock_to_min
from sim.config.errors import ConfigError
from sim.config.schema import ScenarioConfig

T = TypeVar("T")

_MISSING = dataclasses.MISSING


def build_config(data: Mapping[str, Any]) -> ScenarioConfig:
    """Build and validate a :class:`ScenarioConfig` from a plain nested mapping.

    Raises
    ------
    ConfigError
        Naming the field, the value and what is allowed.
    """
    cfg = _build(ScenarioConfig, expand_labs(expand_sites(data)), "")
    cfg.validate()
    return cfg


def expand_sites(data: Mapping[str, Any]) -> dict[str, Any]:
    """Resolve each ``sites`` entry as ``site`` <- ``site_types[type]`` <- entry (deep merge).

    ``site_types`` (a mapping of named partial sites) is consumed here; the built config lists
    every point in full.
    """
    out = dict(data)
    types = out.pop("site_types", None) or {}
    if not isinstance(types, Mapping):
        raise ConfigError("site_types", types, "a mapping of type names to site fields")
    template = out.get("site") or {}
    entries = out.get("sites") or []
    if not isinstance(entries, list | tuple):
        raise ConfigError("sites", entries, "a list of collection points")
    expanded = []
    for k, entry in enumerate(entries):
        if not isinstance(entry, Mapping):
            raise ConfigError(f"sites[{k}]", entry, "a mapping of site fields")
        entry = dict(entry)
        kind = entry.pop("type", None)
        layer: Mapping[str, Any] = {}
        if kind is not None:
            if kind not in types:
                raise ConfigError(
                    f"sites[{k}].type", kind, "one of the site_types: " + ", ".join(map(str, types))
                )
            layer = types[kind]
        expanded.append(_merge(_merge(template, layer), entry))
    if entries:
        out["sites"] = expanded
    return out


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
                raise ConfigError(f"labs.{key}", entry, "a mapping of lab fields")
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
        raise TypeError(f"unsupported union type {tp} at {path}")  # pragma: no cover
    if origin is Literal:
        allowed = get_args(tp)
        if value not in allowed:
            raise ConfigError(path, value, "one of " + ", ".join(repr(a) for a in allowed))
        return value
    if origin is tuple:
        (item_tp, _ellipsis) = get_args(tp)
        if value is None:
            raise ConfigError(path, value, "a list")
        if isinstance(value, str | bytes) or not isinstance(value, list | tuple):
            raise ConfigError(path, value, "a list")
        return tuple(_build(item_tp, v, f"{path}[{i}]") for i, v in enumerate(value))
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


def _build_dataclass(cls: type[T], value: Any, path: str) -> T:
    if not isinstance(value, Mapping):
        raise ConfigError(path or "<root>", value, f"a mapping of {cls.__name__} fields")
    hints = typing.get_type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
    for key in value:
        if key not in fields:
            where = f"{path}.{key}" if path else str(key)
            close = difflib.get_close_matches(str(key), list(fields), n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            raise ConfigError(
                where, value[key], f"no such field{hint}; fields here: {', '.join(fields)}"
            )
    kwargs: dict[str, Any] = {}
    for name, f in fields.items():
        sub = f"{path}.{name}" if path else name
        if name in value:
            kwargs[name] = _build(hints[name], value[name], sub)
        elif f.default is _MISSING and f.default_factory is _MISSING:
            raise ConfigError(sub, None, "a value (this field is required)")
    return cls(**kwargs)

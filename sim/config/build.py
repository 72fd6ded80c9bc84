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

import copy
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
    dotted,
    errors_so_far,
    report,
    within,
)
from sim.config.schema import (
    LabConfig,
    RoundOverrideConfig,
    ScenarioConfig,
    SiteConfig,
    round_field_problem,
    round_set_items,
)

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
        if cfg is not None and cfg.campaign.round_overrides:
            with within(""):
                cfg = _with_rounds(data, cfg, list(errors))
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
        _adopt_rounds(config, build_config(dataclasses.asdict(config)))


def round_configs(config: ScenarioConfig) -> tuple[ScenarioConfig, ...]:
    """The scenario as each round runs it (:meth:`ScenarioConfig.round_config`): kept with a
    built config; a config changed in Python is built (and checked) on first use."""
    rounds: tuple[ScenarioConfig, ...] | None = getattr(config, "_rounds", None)
    if rounds is None:
        rounds = _adopt_rounds(config, build_config(dataclasses.asdict(config)))
    if rounds is None:  # no round overrides: every round is the scenario
        rounds = (config,) * len(config.campaign.start_days)
    return rounds


def _adopt_rounds(
    config: ScenarioConfig, built: ScenarioConfig
) -> tuple[ScenarioConfig, ...] | None:
    """Keep with ``config`` the rounds' configs of ``built`` (the same config, rebuilt)."""
    rounds: tuple[ScenarioConfig, ...] | None = getattr(built, "_rounds", None)
    if rounds is not None:
        rounds = tuple(config if r is built else r for r in rounds)
        object.__setattr__(config, "_rounds", rounds)  # not a field, like _checked
    return rounds


# ------------------------------------------------------------------------------ round overrides


def _with_rounds(
    data: Mapping[str, Any], cfg: ScenarioConfig, known: list[ConfigError]
) -> ScenarioConfig:
    """``cfg`` with the config of each round that ``campaign.round_overrides`` change (kept
    as ``_rounds``, one per round: ``cfg`` itself where none applies).

    Each override's ``set`` is applied to the mapping ``data`` (before ``site_types`` and
    the template are resolved, as the command line applies ``key=value``) and built through
    :func:`build_config`; its errors are reported under
    ``campaign.round_overrides[i].set``. The built config lists a change that reached the
    points through ``site_types`` or ``site`` point by point (``sites.<i>.<field>``), so
    that it rebuilds from ``dataclasses.asdict`` as it ran; overrides naming the same round
    apply in list order on the scenario's points, a later one's values winning.
    """
    overrides = cfg.campaign.round_overrides
    seen = {_line(e) for e in known}  # the scenario's own errors: not again under a round
    expanded = _plain(dataclasses.asdict(cfg))
    plain = _without_overrides(expanded)  # as a round's config is, to compare with
    alone: list[ScenarioConfig | None] = []
    sets: list[dict[str, Any]] = []
    for i, override in enumerate(overrides):
        where = f"campaign.round_overrides[{i}].set"
        items = list(round_set_items(override.set))
        keys = [k for k, _ in items]
        raw = _without_overrides(data)
        for key, value in items:
            if round_field_problem(key) is None:  # else reported by CampaignConfig.validate
                _apply(raw, key, value, where)
        built = _build_round(raw, where, keys, seen, "")
        # a type (site_types.<t>.<field>, sites.<i>.type) is resolved: its points are listed
        canonical = {k: v for k, v in items if not _names_a_type(k)}
        if built is not None:
            changed = _differences("", plain, _plain(dataclasses.asdict(built)))
            for path, value in changed.items():  # e.g. a point's type with another stage
                if (problem := round_field_problem(path)) is not None:
                    key = _typed_key(path, keys)
                    report(
                        ConfigError(
                            f"{where}.{key}",
                            dict(items).get(key, value),
                            f"{problem} (it changes {path} to {value!r} in the round's config)",
                        )
                    )
                    built = None
            canonical.update({k: v for k, v in changed.items() if k.startswith("sites.")})
        alone.append(built)
        sets.append(canonical)
    if errors_so_far() or any(c is None for c in alone) or not _rounds_valid(cfg):
        return cfg  # errors reported: the config is not built
    campaign = dataclasses.replace(
        cfg.campaign,
        round_overrides=tuple(
            RoundOverrideConfig(o.rounds, s) for o, s in zip(overrides, sets, strict=True)
        ),
    )
    out = dataclasses.replace(cfg, campaign=campaign)
    combined: dict[tuple[int, ...], ScenarioConfig | None] = {}
    rounds: list[ScenarioConfig] = []
    for k in range(len(cfg.campaign.start_days)):
        covering = tuple(i for i, o in enumerate(overrides) if k + 1 in o.rounds)
        if not covering:
            rounds.append(out)
            continue
        if len(covering) == 1:
            config = alone[covering[0]]
        else:
            if covering not in combined:
                raw = _without_overrides(expanded)
                for i in covering:
                    for key, value in sets[i].items():
                        _apply(raw, key, value, f"campaign.round_overrides[{i}].set")
                note = f" (round {k + 1}, with round_overrides {', '.join(map(str, covering))})"
                where = f"campaign.round_overrides[{covering[-1]}].set"
                keys = [key for i in covering for key in sets[i]]
                combined[covering] = _build_round(raw, where, keys, seen, note)
            config = combined[covering]
        if config is None:
            return cfg
        rounds.append(config)
    object.__setattr__(out, "_rounds", tuple(rounds))  # not a field: replace drops it
    return out


def _names_a_type(key: str) -> bool:
    parts = key.split(".")
    return parts[0] == "site_types" or (parts[0] == "sites" and parts[2:3] == ["type"])


def _rounds_valid(cfg: ScenarioConfig) -> bool:
    n = len(cfg.campaign.start_days)
    return all(
        o.rounds and len(set(o.rounds)) == len(o.rounds) and all(1 <= r <= n for r in o.rounds)
        for o in cfg.campaign.round_overrides
    )


def _line(err: ConfigError) -> tuple[str, str, str]:
    return err.field, repr(err.value), err.allowed


def _without_overrides(data: Mapping[str, Any]) -> dict[str, Any]:
    """A deep copy of ``data`` whose campaign has no round overrides (a round's own config)."""
    raw = copy.deepcopy(dict(data))
    campaign = raw.get("campaign")
    if isinstance(campaign, Mapping):
        raw["campaign"] = {**campaign, "round_overrides": []}
    return raw


def _build_round(
    raw: dict[str, Any], where: str, keys: list[str], seen: set[tuple[str, str, str]], note: str
) -> ScenarioConfig | None:
    """Build a round's config from ``raw``; its errors reported under ``where`` (the override's
    ``set``), named by the key as typed when one of ``keys`` made it; None if it has errors."""
    try:
        return build_config(raw)
    except ConfigError as err:
        for e in err.errors:
            if _line(e) in seen:
                continue
            seen.add(_line(e))
            report(_under_set(e, where, keys, note))
        return None


def _under_set(err: ConfigError, where: str, keys: list[str], note: str) -> ConfigError:
    """``err`` of a round's config, named under its override's ``set``: by the key as typed
    (``site_types.square.swab_booths``) when one of ``keys`` names the field, else by the
    field in the round's config (``sites.5.green_channel.dedicated_booths``)."""
    name = dotted(err.field)
    key = _typed_key(name, keys)
    allowed = err.allowed
    if key != name:
        allowed += f" (at {name} in the round's config)"
    elif name not in keys:  # a field the change broke
        allowed += " (in the round's config)"
    return ConfigError(f"{where}.{key}", err.value, allowed + note)


def _typed_key(name: str, keys: list[str]) -> str:
    if name in keys:
        return name
    tail = _point_field(name)
    if tail is not None:
        for key in keys:
            mine = _point_field(key)
            if mine is not None and (mine == tail or tail.startswith(mine + ".")):
                return key
        parts = name.split(".")
        if parts[0] == "sites" and (typed := f"sites.{parts[1]}.type") in keys:
            return typed  # the point's new type brought the field
    return name


def _point_field(name: str) -> str | None:
    """``swab_booths`` of ``site.swab_booths``, ``sites.3.swab_booths`` and
    ``site_types.square.swab_booths``; None for a field that is not a point's."""
    parts = name.split(".")
    if parts[0] == "site" and len(parts) > 1:
        return ".".join(parts[1:])
    if parts[0] in ("sites", "site_types") and len(parts) > 2:
        return ".".join(parts[2:])
    return None


def _apply(raw: dict[str, Any], key: str, value: Any, where: str) -> None:
    """Set the dotted field ``key`` of the plain mapping ``raw`` to ``value`` (a list entry by
    its index: ``sites.3.swab_booths``), as ``key=value`` on the command line; what cannot
    be set is reported under ``where``."""
    parts = key.split(".")
    node: Any = raw
    for depth, part in enumerate(parts):
        last = depth == len(parts) - 1
        path = ".".join(parts[: depth + 1])
        if isinstance(node, list):
            if not (part.isdigit() and int(part) < len(node)):
                allowed = (
                    f"an index from 0 to {len(node) - 1} ({'.'.join(parts[:depth])} lists "
                    f"{len(node)} entries)"
                    if node
                    else f"an entry of {'.'.join(parts[:depth])}, which is empty here"
                )
                if parts[0] == "sites" and not node:
                    allowed = (
                        "a point of sites, but this scenario has one point: set "
                        f"site.{'.'.join(parts[2:])}"
                    )
                report(ConfigError(f"{where}.{path}", value, allowed))
                return
            if last:
                node[int(part)] = value
                return
            node = node[int(part)]
            continue
        if not isinstance(node, dict):
            parent = ".".join(parts[:depth])
            report(
                ConfigError(
                    f"{where}.{key}", value, f"a field of a mapping ({parent} is a single value)"
                )
            )
            return
        if depth == 1 and parts[0] == "site_types" and part not in node:
            types_ = [str(t) for t in node]
            allowed = (
                f"one of the site_types{did_you_mean(part, types_)}: {', '.join(types_)}"
                if types_
                else "a type of site_types, but this config has none (a built config lists "
                "every point in full: set sites.<i>.<field>)"
            )
            report(ConfigError(f"{where}.{path}", value, allowed))
            return
        if last:
            node[part] = value
            return
        child = node.get(part)
        if child is None:  # absent or null: the field's own mapping, from its keys
            child = node[part] = {}
        elif isinstance(child, tuple):
            child = node[part] = list(child)
        elif isinstance(child, Mapping) and not isinstance(child, dict):
            child = node[part] = dict(child)
        node = child


def _differences(path: str, old: Any, new: Any) -> dict[str, Any]:
    """``{dotted field: new value}`` for each field of ``new`` that differs from ``old``
    (mappings and the entries of equally long lists of mappings field by field)."""
    if isinstance(old, dict) and isinstance(new, dict):
        out: dict[str, Any] = {}
        for key, value in new.items():
            out.update(_differences(f"{path}.{key}" if path else str(key), old.get(key), value))
        return out
    if (
        isinstance(old, list)
        and isinstance(new, list)
        and len(old) == len(new)
        and all(isinstance(x, dict) for x in old)
        and path == "sites"
    ):
        out = {}
        for k, (a, b) in enumerate(zip(old, new, strict=True)):
            out.update(_differences(f"{path}.{k}", a, b))
        return out
    return {} if old == new else {path: new}


def _plain(x: Any) -> Any:
    """Tuples as lists, through mappings and lists (a config as YAML gives it)."""
    if isinstance(x, dict):
        return {k: _plain(v) for k, v in x.items()}
    if isinstance(x, list | tuple):
        return [_plain(v) for v in x]
    return x


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
    if tp is Any:  # a round override's values: checked when its round's config is built
        return value
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

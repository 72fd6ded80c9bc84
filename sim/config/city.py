"""A city: many districts, each a scenario of its own, and labs that serve them all.

A city file (YAML, ``configs/cities/*.yaml``) lists its districts. Each district is a scenario
composed like the command line composes one (the default district, with the district's
``overrides``), grown or shrunk to its ``residents``: the scenario's sub-districts and points are
repeated as often as the population needs (``round(residents / scenario residents)`` copies,
at least one, laid side by side), then the sub-districts' populations are scaled so that they
add up to ``residents`` exactly. Its points are named ``<point_prefix><point>`` (the prefix is the
district's name and a space by default; copies after the first end in ``-2``, ``-3``, ...) and
placed at ``origin_km`` on the city's map.

The city's ``labs``, ``couriers`` and ``samples`` (the scenario's when left out) serve every
district: each district's collection round is simulated on its own, then every swab of the city
goes through one city-wide chain of couriers and labs. ``targets`` are judged on the city's
summary (the scenario's targets when left out).

:func:`build_city` checks the whole file and reports every error together (each district's
errors under ``districts.<k>``), before anything is simulated; it takes the function that
composes a scenario, so this module does not depend on Hydra (``sim.load_city`` passes the
command line's).
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sim.config.build import build_config
from sim.config.errors import ConfigError, ConfigErrors, did_you_mean, finite, whole
from sim.config.schema import ExecutionConfig, ScenarioConfig

#: Keys of a city file, with their meaning.
CITY_KEYS: dict[str, str] = {
    "name": "the city's name (the run folder is named after it)",
    "description": "one line on what the city is",
    "seed": "base seed (an integer >= 0)",
    "replications": "replications of the whole city (an integer >= 1)",
    "overrides": "overrides applied to every district's scenario (as on the command line)",
    "districts": "the districts (a list; see DISTRICT_KEYS)",
    "labs": "the city's labs (as a scenario's labs; null: the scenario's)",
    "couriers": "the city's couriers (as a scenario's; null: the scenario's)",
    "samples": "pooling, prevalence, recalls and the turnaround target (null: the scenario's)",
    "targets": "targets judged on the city's summary (null: the scenario's)",
    "execution": "where the districts run: backend, n_jobs, address (as a scenario's)",
}

#: Keys of a district entry, with their meaning.
DISTRICT_KEYS: dict[str, str] = {
    "name": "the district's name (unique in the city)",
    "residents": "residents to test (null: the scenario's own population)",
    "origin_km": "[x, y]: where the district's map starts on the city's map, km",
    "overrides": "overrides of this district's scenario (after the city's)",
    "point_prefix": "put before each point's name (null: the district's name and a space)",
}

#: Kilometres between two copies of a scenario's map inside one district.
COPY_GAP_KM = 1.0

Compose = Callable[[list[str]], dict[str, Any]]


@dataclass(frozen=True)
class CityConfig:
    """A validated city (from :func:`build_city` or ``sim.load_city``).

    Attributes
    ----------
    name, description
        The city's name and what it is.
    seed, replications
        Base seed and replications of the whole city.
    districts
        Each district's scenario (its ``name`` is the district's; no labs: the city's labs
        serve it).
    chain
        The city-wide chain as a scenario: every district's points, the city's labs,
        couriers, samples, targets and execution (only these parts of it are used).
    data
        The city file as given (written to a run folder's ``city.yaml``).
    """

    name: str
    description: str
    seed: int
    replications: int
    districts: tuple[ScenarioConfig, ...]
    chain: ScenarioConfig
    data: Mapping[str, Any]

    @property
    def district_names(self) -> tuple[str, ...]:
        """The districts' names, in order."""
        return tuple(d.name for d in self.districts)

    @property
    def residents(self) -> int:
        """Residents to test per round, the whole city."""
        return sum(d.residents_per_round or 0 for d in self.districts)

    @property
    def n_points(self) -> int:
        """Collection points, the whole city."""
        return sum(len(d.points) for d in self.districts)

    @property
    def execution(self) -> ExecutionConfig:
        """Where the districts run (the city's ``execution``)."""
        return self.chain.execution


def build_city(data: Mapping[str, Any], compose: Compose) -> CityConfig:
    """Build and check a city from its file's mapping.

    Parameters
    ----------
    data
        The city file, parsed.
    compose
        Composes a scenario from overrides into a plain mapping (``sim.load_city`` passes the
        command line's composition); raises :class:`ConfigError` for overrides it cannot apply.

    Raises
    ------
    ConfigErrors
        Every error of the file: its keys, each district (``districts.<k>.<field>``, its
        scenario's errors included), point names two districts share, and the city-wide labs,
        couriers, samples and targets.
    """
    errors: list[ConfigError] = []
    if not isinstance(data, Mapping):
        raise ConfigErrors([ConfigError("<city>", data, "a mapping of city fields")])
    for key in data:
        if key not in CITY_KEYS:
            hint = did_you_mean(key, list(CITY_KEYS))
            errors.append(
                ConfigError(str(key), data[key], f"a city key{hint}: {', '.join(CITY_KEYS)}")
            )
    name = data.get("name")
    if not isinstance(name, str) or not name.strip():
        errors.append(ConfigError("name", name, "a non-empty name"))
        name = "city"
    seed = data.get("seed", 1)
    if not (whole(seed) and seed >= 0):
        errors.append(ConfigError("seed", seed, "an integer >= 0"))
        seed = 1
    reps = data.get("replications", 1)
    if not (whole(reps) and reps >= 1):
        errors.append(ConfigError("replications", reps, "an integer >= 1"))
        reps = 1
    common = _overrides(data.get("overrides"), "overrides", errors)
    entries = data.get("districts")
    if not isinstance(entries, list) or not entries:
        errors.append(ConfigError("districts", entries, "a list of at least one district"))
        entries = []
    cache: dict[tuple[str, ...], dict[str, Any] | ConfigError] = {}
    districts: list[ScenarioConfig] = []
    raw: list[dict[str, Any]] = []
    first: dict[str, Any] | None = None  # the first district's scenario, as composed
    seen_names: dict[str, int] = {}
    owner: dict[str, tuple[int, str]] = {}  # point name -> (district index, district name)
    for k, entry in enumerate(entries):
        where = f"districts.{k}"
        spec = _district_spec(entry, where, errors)
        if spec is None:
            continue
        dname = spec["name"]
        if dname in seen_names:
            errors.append(
                ConfigError(
                    f"{where}.name",
                    dname,
                    f"a name no other district has (districts.{seen_names[dname]} has it)",
                )
            )
            continue
        seen_names[dname] = k
        chosen: tuple[str, ...] = (*common, *spec["overrides"])
        if chosen not in cache:
            try:
                cache[chosen] = compose(list(chosen))
            except ConfigError as err:
                cache[chosen] = err
        template = cache[chosen]
        if isinstance(template, ConfigError):
            errors += [e.within(where) for e in template.errors]
            continue
        first = template if first is None else first
        d = district_dict(template, spec, where, errors)
        if d is None:
            continue
        clash = [(p["name"], owner[p["name"]]) for p in d["sites"] if p["name"] in owner]
        if clash:
            point, (j, other) = clash[0]
            errors.append(
                ConfigError(
                    f"{where}.point_prefix",
                    spec["point_prefix"],
                    f"a prefix that keeps this district's point names apart from the others' "
                    f"({len(clash)} shared with earlier districts; {point!r} is also "
                    f"district {other!r}'s, districts.{j})",
                )
            )
            continue
        owner.update({p["name"]: (k, dname) for p in d["sites"]})
        try:
            districts.append(build_config(d))
            raw.append(d)
        except ConfigError as err:
            errors += [e.within(where) for e in err.errors]
    chain: ScenarioConfig | None = None
    if raw and first is not None and not errors:
        try:
            chain = build_config(_chain_dict(raw, first, data, str(name), int(seed)))
        except ConfigError as err:
            errors += err.errors
    if errors:
        raise ConfigErrors(errors)
    assert chain is not None
    return CityConfig(
        name=str(name),
        description=str(data.get("description") or ""),
        seed=int(seed),
        replications=int(reps),
        districts=tuple(districts),
        chain=chain,
        data=copy.deepcopy(dict(data)),
    )


def _overrides(value: Any, field: str, errors: list[ConfigError]) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list | tuple) or not all(isinstance(x, str) for x in value):
        errors.append(ConfigError(field, value, "a list of overrides, e.g. ['layout=no_barcodes']"))
        return ()
    return tuple(value)


def _district_spec(entry: Any, where: str, errors: list[ConfigError]) -> dict[str, Any] | None:
    """A district entry, checked: its name, residents, origin, overrides and prefix."""
    if not isinstance(entry, Mapping):
        errors.append(ConfigError(where, entry, "a mapping with a district's name, residents, ..."))
        return None
    before = len(errors)
    for key in entry:
        if key not in DISTRICT_KEYS:
            hint = did_you_mean(key, list(DISTRICT_KEYS))
            errors.append(
                ConfigError(
                    f"{where}.{key}",
                    entry[key],
                    f"a district key{hint}: {', '.join(DISTRICT_KEYS)}",
                )
            )
    name = entry.get("name")
    if not isinstance(name, str) or not name.strip():
        errors.append(ConfigError(f"{where}.name", name, "a non-empty name"))
    residents = entry.get("residents")
    if residents is not None and not (whole(residents) and residents >= 1):
        errors.append(ConfigError(f"{where}.residents", residents, "an integer >= 1, or null"))
    origin = entry.get("origin_km", [0.0, 0.0])
    if not (
        isinstance(origin, list | tuple) and len(origin) == 2 and all(finite(x) for x in origin)
    ):
        errors.append(ConfigError(f"{where}.origin_km", origin, "[x, y] in km (two numbers)"))
    prefix = entry.get("point_prefix")
    if prefix is not None and not isinstance(prefix, str):
        errors.append(ConfigError(f"{where}.point_prefix", prefix, "a string, or null"))
    overrides = _overrides(entry.get("overrides"), f"{where}.overrides", errors)
    if len(errors) > before or not isinstance(name, str):
        return None
    return {
        "name": name.strip(),
        "residents": residents,
        "origin_km": (float(origin[0]), float(origin[1])),
        "point_prefix": f"{name.strip()} " if prefix is None else prefix,
        "overrides": overrides,
    }


def district_dict(
    template: Mapping[str, Any], spec: Mapping[str, Any], where: str, errors: list[ConfigError]
) -> dict[str, Any] | None:
    """A district's scenario mapping: ``template`` (a composed scenario) repeated and scaled
    to ``spec["residents"]``, its points renamed and moved to the district's origin."""
    d = copy.deepcopy(dict(template))
    sites = d.get("sites") or []
    subs = d.get("subdistricts") or []
    given: list[Any] = [sd.get("population") for sd in subs if isinstance(sd, Mapping)]
    pops = [int(p) for p in given if whole(p) and p > 0]
    if not sites or not subs or len(pops) != len(subs):
        errors.append(
            ConfigError(
                f"{where}.overrides",
                list(spec["overrides"]),
                "a scenario with points (sites) and sub-districts with populations (a city's "
                "district is a district scenario, like the default)",
            )
        )
        return None
    base = sum(pops)
    residents = spec["residents"] if spec["residents"] is not None else base
    copies = max(1, round(residents / base))
    xs = [float(s.get("x_km") or 0.0) for s in sites]
    ys = [float(s.get("y_km") or 0.0) for s in sites]
    width = max(xs) - min(xs) + COPY_GAP_KM
    height = max(ys) - min(ys) + COPY_GAP_KM
    cols = math.ceil(math.sqrt(copies))
    ox, oy = spec["origin_km"]
    prefix = spec["point_prefix"]
    shares = _split(residents, [p for _ in range(copies) for p in pops])
    new_sites, new_subs, assignment = [], [], []
    for c in range(copies):
        suffix = "" if c == 0 else f"-{c + 1}"
        dx = ox + (c % cols) * width - min(xs)
        dy = oy + (c // cols) * height - min(ys)

        def rename(point: str, suffix: str = suffix) -> str:
            return f"{prefix}{point}{suffix}"

        for s, x, y in zip(sites, xs, ys, strict=True):
            new_sites.append(
                {**s, "name": rename(str(s.get("name"))), "x_km": x + dx, "y_km": y + dy}
            )
        for j, sd in enumerate(subs):
            sd = copy.deepcopy(dict(sd))
            sd["name"] = rename(str(sd.get("name")))
            sd["population"] = shares[c * len(subs) + j]
            sd["catchment"] = [
                {**c_, "site": rename(str(c_.get("site")))} for c_ in sd.get("catchment") or []
            ]
            new_subs.append(sd)
        couriers = d.get("couriers") or {}
        for a in couriers.get("assignment") or []:
            assignment.append({**a, "site": rename(str(a.get("site")))})
    d["name"] = spec["name"]
    d["sites"] = new_sites
    d["subdistricts"] = new_subs
    d["labs"] = {}
    d["targets"] = [t for t in d.get("targets") or [] if t.get("metric") in _ROUND_TARGETS]
    demand = dict(d.get("demand") or {})
    demand["residents"] = None
    d["demand"] = demand
    if isinstance(d.get("couriers"), Mapping):
        d["couriers"] = {**d["couriers"], "assignment": assignment}
    mobile = d.get("mobile")
    if isinstance(mobile, Mapping):
        d["mobile"] = {
            **mobile,
            "x_km": float(mobile.get("x_km") or 0.0) + ox - min(xs),
            "y_km": float(mobile.get("y_km") or 0.0) + oy - min(ys),
        }
    return d


#: Targets a district keeps (its labs are the city's: results are judged city-wide).
_ROUND_TARGETS = ("coverage", "wait_p95_min", "wait_mean_min", "balked_share", "reneged_share")


def _split(total: int, weights: Sequence[int]) -> list[int]:
    """``total`` split in proportion to ``weights``, whole numbers adding up exactly (largest
    remainders)."""
    w = sum(weights)
    exact = [total * x / w for x in weights]
    out = [math.floor(e) for e in exact]
    order = sorted(range(len(exact)), key=lambda i: out[i] - exact[i])
    for i in order[: total - sum(out)]:
        out[i] += 1
    return out


def _chain_dict(
    districts: Sequence[Mapping[str, Any]],
    template: Mapping[str, Any],
    data: Mapping[str, Any],
    name: str,
    seed: int,
) -> dict[str, Any]:
    """The city-wide chain as a scenario mapping: the first district's, with every district's
    points and sub-districts, and the city's labs, couriers, samples, targets and execution
    (``template``'s, the first district's scenario as composed, where the city leaves one out)."""
    d = copy.deepcopy(dict(districts[0]))
    d["name"] = name
    d["seed"] = seed
    d["sites"] = [s for dd in districts for s in dd["sites"]]
    d["subdistricts"] = [s for dd in districts for s in dd["subdistricts"]]
    d["mobile"] = {**(d.get("mobile") or {}), "teams": 0}
    for key in ("labs", "couriers", "samples", "targets", "execution"):
        source = data if data.get(key) is not None else template
        if key in source:
            d[key] = copy.deepcopy(source[key])
    couriers = d.get("couriers")
    if isinstance(couriers, Mapping) and data.get("couriers") is None:
        d["couriers"] = {
            **couriers,
            "assignment": [
                a for dd in districts for a in (dd.get("couriers") or {}).get("assignment") or []
            ],
        }
    return d


def city_file(source: str | Path) -> Path:
    """The city file ``source`` names: a YAML path, or a shipped city's name
    (``configs/cities/<name>.yaml``, e.g. ``city_3m``).

    Raises
    ------
    ConfigError
        Naming ``city`` for a file that does not exist, with the shipped cities.
    """
    from sim.config.files import shipped_configs

    path = Path(source).expanduser()
    if path.is_file():
        return path
    shipped = shipped_configs() / "cities"
    names = sorted(p.stem for p in shipped.glob("*.yaml"))
    if str(source) in names:
        return shipped / f"{source}.yaml"
    hint = did_you_mean(str(source), names)
    raise ConfigError(
        "city", str(source), f"a city YAML file, or a shipped city{hint}: {', '.join(names)}"
    )


def read_city(source: str | Path, overrides: Sequence[str] = ()) -> dict[str, Any]:
    """The city file's mapping, with ``key=value`` overrides applied (dotted keys, list
    entries by index: ``seed=2``, ``districts.0.residents=400000``; values read as YAML).

    Raises
    ------
    ConfigError
        For a file that is not valid YAML (file and line), an override without ``=``, or one
        whose path does not exist in the file (with the keys there are).
    """
    import yaml

    from sim.config.files import _loader

    path = city_file(source)
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_loader())
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        where = f"{path}:{mark.line + 1}" if mark else str(path)
        what = " ".join(str(x) for x in (err.context, err.problem) if x)
        raise ConfigError(where, what, "valid YAML") from None
    if not isinstance(data, dict):
        raise ConfigError(str(path), data, "a mapping of city fields (name, districts, ...)")
    errors = []
    for item in overrides:
        key, eq, text = item.partition("=")
        if not eq or not key:
            errors.append(ConfigError(item, item, "key=value (e.g. seed=2)"))
            continue
        value = yaml.safe_load(text) if text else None
        if allowed := _set(data, key.split("."), value):
            errors.append(ConfigError(key, text, allowed))
    if errors:
        raise ConfigErrors(errors)
    return data


def _set(data: dict[str, Any], parts: list[str], value: Any) -> str | None:
    """Set ``data[parts...] = value`` (missing mappings made on the way); what is allowed
    when the path does not fit the file, else None."""
    node: Any = data
    for i, part in enumerate(parts):
        here = ".".join(parts[:i]) or "the top"
        if isinstance(node, list):
            if not part.isdigit() or int(part) >= len(node):
                return f"an index from 0 to {len(node) - 1} at {here}"
            key: Any = int(part)
        elif isinstance(node, dict):
            key = part
            if i < len(parts) - 1 and node.get(part) is None:
                node[part] = {}
        else:
            return f"a path into the city file ({here} is a value, not a mapping)"
        if i == len(parts) - 1:
            node[key] = value
        else:
            node = node[key]
    return None

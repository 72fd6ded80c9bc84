"""A planner's config folder: its YAML files parse, and which groups and options it offers.

Checked before Hydra reads the folder, so a syntax error, a tab or a duplicate key is reported
with the file and line (not as a traceback), and the options of a group (``scenario``,
``layout``, or the planner's own) can be listed in an error.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sim.config.errors import ConfigError, ConfigErrors, did_you_mean


def _loader() -> Any:
    import yaml

    class Strict(yaml.SafeLoader):
        """YAML's safe loader that refuses a key given twice in one mapping."""

        def construct_mapping(self, node: Any, deep: bool = False) -> Any:
            seen: dict[Any, Any] = {}
            for key_node, _ in node.value:
                key = self.construct_object(key_node, deep=deep)
                if key in seen:
                    raise yaml.constructor.ConstructorError(
                        None,
                        None,
                        f"duplicate key {key!r} (first on line {seen[key].line + 1})",
                        key_node.start_mark,
                    )
                seen[key] = key_node.start_mark
            return super().construct_mapping(node, deep=deep)

    return Strict


def shipped_configs() -> Path:
    """Folder of the shipped configs (``sim/configs`` when installed, ``configs/`` in a
    source checkout)."""
    from importlib import resources

    try:
        return Path(str(resources.files("sim.configs")))
    except ModuleNotFoundError:  # pragma: no cover - sim imported from a bare source tree
        return Path(__file__).resolve().parent.parent.parent / "configs"


def index_error(key: str, value: object, data: dict[str, object]) -> ConfigError | None:
    """The error of ``sites.45.x=...`` when ``data`` lists fewer points (or sub-districts)."""
    parts = key.split(".")
    if parts[0] not in ("sites", "subdistricts") or len(parts) < 2 or not parts[1].isdigit():
        return None
    entries = data.get(parts[0])
    n = len(entries) if isinstance(entries, list) else 0
    if int(parts[1]) < n:
        return None
    allowed = f"an index from 0 to {n - 1} ({parts[0]} lists {n} entries)"
    return ConfigError(".".join(parts[:2]), value, allowed)


def planner_folder(folder: str | Path | None, field: str = "config_dir") -> Path | None:
    """A planner's config folder as an absolute path, checked: it exists and its YAML parses.

    Raises
    ------
    ConfigError
        Naming ``field`` for a folder that does not exist; one per unreadable YAML file.
    """
    if folder is None:
        return None
    path = Path(folder).expanduser().resolve()
    if not path.is_dir():
        raise ConfigError(field, str(folder), "an existing folder of YAML configs")
    check_yaml_files(path)
    return path


def check_yaml_files(folder: Path) -> None:
    """Parse every YAML file under ``folder`` (hidden folders aside).

    Raises
    ------
    ConfigError
        One per unreadable file, naming the file and line and what YAML found there.
    """
    import yaml

    errors = []
    for path in sorted(folder.rglob("*.yaml")):
        if any(part.startswith(".") for part in path.relative_to(folder).parts):
            continue
        try:
            yaml.load(path.read_text(encoding="utf-8"), Loader=_loader())
        except yaml.MarkedYAMLError as err:
            mark = err.problem_mark or err.context_mark
            where = f"{path}:{mark.line + 1}" if mark else str(path)
            what = " ".join(str(x) for x in (err.context, err.problem) if x)
            if "\\t" in what or "'\\t'" in what or "tab" in what:
                what += " (indent with spaces, not tabs)"
            errors.append(ConfigError(where, what, "valid YAML"))
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as err:
            errors.append(ConfigError(str(path), str(err), "a readable UTF-8 YAML file"))
    if errors:
        raise ConfigErrors(errors)


def config_groups(root: Path) -> set[str]:
    """Config groups a folder offers: sub-folders holding YAML files (``hydra/help`` too)."""
    if not root.is_dir():
        return set()
    groups = set()
    for path in root.rglob("*.yaml"):
        rel = path.parent.relative_to(root)
        if rel.parts and not any(p.startswith(".") for p in rel.parts):
            groups.add(rel.as_posix())
    return groups


def group_options(group: str, *roots: Path | None) -> list[str]:
    """Names of the configs in ``group`` across ``roots`` (e.g. the scenarios)."""
    names = set()
    for root in roots:
        if root is not None:
            names |= {p.stem for p in (root / group).glob("*.yaml")}
    return sorted(names)


def unknown_options(
    overrides: list[str], groups: set[str], *roots: Path | None
) -> list[ConfigError]:
    """Errors of ``group=option`` overrides whose option no root offers (``layout=nope``),
    each listing the options with the closest one."""
    errors = []
    for item in overrides:
        key, _, value = item.lstrip("+~").partition("=")
        options = group_options(key, *roots)
        if key in groups and options and value not in (*options, "null"):
            allowed = f"one of {', '.join(options)}{did_you_mean(value, options)}"
            errors.append(ConfigError(key, value, allowed))
    return errors


def job_folder(overrides: str, name: str) -> str:
    """A sweep job's folder name from its overrides (``layout=no_barcodes``, as Hydra's
    ``override_dirname`` gives them), or the scenario's name when it has none; ``++``/``+``
    and characters unsafe in a path left out, at most 120 characters."""
    import re

    parts = [p.lstrip("+~") for p in overrides.split(",") if p]
    text = re.sub(r"[^-\w.=,\[\]]", "_", ",".join(parts).replace("/", "-"))
    return (text or str(name))[:120]

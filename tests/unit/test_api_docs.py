"""docs/API.md cannot drift: every documented name exists with the parameters shown, every
example parses, and every public name the notebooks use is documented."""

from __future__ import annotations

import ast
import dataclasses
import importlib
import inspect
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

import sim

ROOT = Path(__file__).resolve().parents[2]
API = ROOT / "docs" / "API.md"
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))

_HEADING = re.compile(r"^#{2,4} `([\w.]+)`\s*$")
_FENCE = re.compile(r"^```(\w*)\s*$")


@dataclass
class Section:
    name: str
    blocks: list[str] = field(default_factory=list)  # python code blocks, in order

    @property
    def signature(self) -> str:
        return self.blocks[0] if self.blocks else ""

    @property
    def examples(self) -> list[str]:
        return self.blocks[1:]


def _sections() -> list[Section]:
    """The sections of docs/API.md (a ``### `name``` heading each) with their python blocks."""
    sections: list[Section] = []
    language: str | None = None  # of the code block we are in
    block: list[str] = []
    for line in API.read_text(encoding="utf-8").splitlines():
        fence = _FENCE.match(line)
        if language is not None:
            if fence and not fence.group(1):
                if language == "python" and sections:
                    sections[-1].blocks.append("\n".join(block))
                language, block = None, []
            else:
                block.append(line)
        elif fence:
            language = fence.group(1) or "text"
        elif heading := _HEADING.match(line):
            sections.append(Section(heading.group(1)))
    return sections


SECTIONS = _sections()
DOCUMENTED = {s.name for s in SECTIONS}

_MISSING = object()


def resolve(name: str) -> Any:
    """The object a dotted name refers to (the longest importable module, then attributes; a
    dataclass field without a class default counts as existing); ``_MISSING`` if none."""
    parts = name.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj: Any = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for k, attr in enumerate(parts[cut:], start=cut):
            if hasattr(obj, attr):
                obj = getattr(obj, attr)
            elif (
                k == len(parts) - 1
                and inspect.isclass(obj)
                and dataclasses.is_dataclass(obj)
                and attr in {f.name for f in dataclasses.fields(obj)}
            ):
                return dataclasses.fields(obj)
            else:
                return _MISSING
        return obj
    return _MISSING


def test_the_doc_has_every_group() -> None:
    text = API.read_text(encoding="utf-8")
    for group in ("Configs", "Running", "Results", "Comparing", "Targets", "Figures", "Theory"):
        assert f"\n## {group}\n" in text, group
    assert len(SECTIONS) > 50
    duplicates = {s.name for s in SECTIONS if sum(t.name == s.name for t in SECTIONS) > 1}
    assert not duplicates


@pytest.mark.parametrize("section", SECTIONS, ids=lambda s: s.name)
def test_documented_name_exists(section: Section) -> None:
    assert resolve(section.name) is not _MISSING, f"{section.name} does not exist"
    assert section.signature, f"{section.name}: no signature block"
    assert section.examples, f"{section.name}: no example"


def _shown(signature: str) -> ast.arguments:
    """The parameters of the first ``name(...)`` of a signature block, parsed."""
    start = signature.index("(")
    depth = end = 0
    for end in range(start, len(signature)):
        depth += {"(": 1, ")": -1}.get(signature[end], 0)
        if depth == 0:
            break
    fn = ast.parse(f"def _({signature[start + 1 : end]}): pass").body[0]
    assert isinstance(fn, ast.FunctionDef)
    return fn.args


def _defaults(args: ast.arguments) -> dict[str, ast.expr]:
    positional = [*args.posonlyargs, *args.args]
    out = {
        a.arg: d
        for a, d in zip(
            positional[len(positional) - len(args.defaults) :], args.defaults, strict=True
        )
    }
    out.update({a.arg: d for a, d in zip(args.kwonlyargs, args.kw_defaults, strict=True) if d})
    return out


@pytest.mark.parametrize(
    "section", [s for s in SECTIONS if "(" in s.signature.split("->")[0]], ids=lambda s: s.name
)
def test_signature_matches_the_code(section: Section) -> None:
    obj = resolve(section.name)
    assert callable(obj), f"{section.name} is documented with parameters but is not callable"
    real = [
        p
        for p in inspect.signature(obj).parameters.values()
        if p.name != "self" and not p.name.startswith("_")
    ]
    shown = _shown(section.signature)
    names = [a.arg for a in (*shown.posonlyargs, *shown.args, *shown.kwonlyargs)]
    assert names == [p.name for p in real], section.name
    defaults = _defaults(shown)
    for p in real:
        if p.default is inspect.Parameter.empty:
            assert p.name not in defaults, f"{section.name}: {p.name} has no default"
            continue
        assert p.name in defaults, f"{section.name}: default of {p.name} not shown"
        try:
            shown_default = ast.literal_eval(defaults[p.name])
        except ValueError:
            continue  # not a literal (e.g. np.inf): the name check above is enough
        assert shown_default == p.default, f"{section.name}: default of {p.name}"


@pytest.mark.parametrize("section", SECTIONS, ids=lambda s: s.name)
def test_examples_are_python(section: Section) -> None:
    for example in section.examples:
        ast.parse(example)


# --------------------------------------------------------------------------------------------
# Names the notebooks use


def _code_cells(path: Path) -> list[str]:
    nb = json.loads(path.read_text(encoding="utf-8"))
    cells = []
    for cell in nb["cells"]:
        if cell["cell_type"] != "code":
            continue
        source = "".join(cell["source"])
        # IPython magics and shell escapes are not Python
        lines = source.splitlines()
        cells.append("\n".join(ln for ln in lines if not ln.lstrip().startswith(("%", "!"))))
    return cells


def _dotted(node: ast.expr) -> list[str] | None:
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        return [node.id, *reversed(parts)]
    return None


def _is_call_to(node: ast.AST, name: str) -> bool:
    return isinstance(node, ast.Call) and _dotted(node.func) == name.split(".")


def notebook_names(path: Path) -> set[str]:
    """Public ``sim`` names a notebook's code cells use, as documented names: modules and
    objects reached from ``import sim``/``from sim... import``, and attributes of the results
    of ``sim.run`` (and of each item of ``sim.run_replications``) as ``sim.RunResult.<attr>``."""
    trees = [ast.parse(code) for code in _code_cells(path)]
    aliases: dict[str, str] = {}  # local name -> dotted path of a sim module or object
    results: set[str] = {"result"}  # local names holding a RunResult
    lists: set[str] = set()  # local names holding a list of RunResult
    used: set[str] = set()
    for tree in trees:
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for a in node.names:
                    if a.name.split(".")[0] == "sim":
                        aliases[a.asname or "sim"] = a.name if a.asname else "sim"
            elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("sim"):
                for a in node.names:
                    aliases[a.asname or a.name] = f"{node.module}.{a.name}"
            elif isinstance(node, ast.Assign):
                targets = [t.id for t in node.targets if isinstance(t, ast.Name)]
                if _is_call_to(node.value, "sim.run"):
                    results.update(targets)
                elif _is_call_to(node.value, "sim.run_replications"):
                    lists.update(targets)
    for tree in trees:  # loop variables over lists of results
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.comprehension | ast.For)
                and isinstance(node.iter, ast.Name)
                and node.iter.id in lists
                and isinstance(node.target, ast.Name)
            ):
                results.add(node.target.id)
    for tree in trees:
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("sim"):
                for a in node.names:
                    if not isinstance(resolve(f"{node.module}.{a.name}"), ModuleType):
                        used.add(f"{node.module}.{a.name}")
            if not isinstance(node, ast.Attribute):
                continue
            if _is_call_to(node.value, "sim.run"):
                used.add(f"sim.RunResult.{node.attr}")
                continue
            chain = _dotted(node)
            if chain is None:
                continue
            head, rest = chain[0], chain[1:]
            if head in results:
                used.add(f"sim.RunResult.{rest[0]}")
            elif head in aliases:
                path = aliases[head]
                obj = resolve(path)
                for attr in rest:  # through modules, to the first object that is not one
                    if not isinstance(obj, ModuleType):
                        break
                    path += f".{attr}"
                    obj = resolve(path)
                if not isinstance(obj, ModuleType):
                    used.add(path)
    return used


def _documented(name: str) -> bool:
    return name in DOCUMENTED


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.name)
def test_every_name_the_notebooks_use_is_documented(notebook: Path) -> None:
    names = notebook_names(notebook)
    assert names, f"found no sim names in {notebook.name}"
    missing = sorted(n for n in names if not _documented(n))
    assert not missing, f"{notebook.name} uses names docs/API.md does not document: {missing}"


def test_the_notebook_parser_finds_what_they_use() -> None:
    """The parser is not silently blind: names known to be in the notebooks are found."""
    assert len(NOTEBOOKS) >= 2
    found = set().union(*(notebook_names(p) for p in NOTEBOOKS))
    for name in (
        "sim.load_config",
        "sim.run",
        "sim.run_replications",
        "sim.ConfigError",
        "sim.paired_difference",
        "sim.metric_interval",
        "sim.plots.queue_length_figure",
        "sim.plots.coverage_figure",
        "sim.RunResult.summary",
        "sim.RunResult.residents",
        "sim.RunResult.queue_length",
        "sim.RunResult.tables",
        "sim.metrics.theory.erlang_c",
        "sim.metrics.theory.mmc_mean_wait",
        "sim.metrics.intervals.t_interval",
        "sim.experiment.result.RESIDENT_COLUMNS",
    ):
        assert name in found, name


def test_public_api_is_documented() -> None:
    """Everything ``sim``, ``sim.plots`` and ``sim.metrics.theory`` export is documented."""
    theory = importlib.import_module("sim.metrics.theory")
    plots = importlib.import_module("sim.plots")
    exported = [f"sim.{n}" for n in sim.__all__]
    exported += [f"sim.plots.{n}" for n in plots.__all__]
    exported += [f"sim.metrics.theory.{n}" for n in theory.__all__]
    missing = sorted(n for n in exported if n not in DOCUMENTED)
    assert not missing, f"docs/API.md does not document: {missing}"

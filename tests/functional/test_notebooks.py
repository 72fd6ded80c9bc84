"""The quickstart notebook: saved clean, in step with its builder, and runs top to bottom."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import nbformat
import pytest
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import AsyncKernelManager
from nbclient import NotebookClient
from nbformat import NotebookNode
from traitlets import default

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
QUICKSTART = NOTEBOOKS / "01_quickstart.ipynb"
BUILDER = NOTEBOOKS / "_build_quickstart.py"


class ThisPythonKernelManager(AsyncKernelManager):
    """Starts ``python3`` as an IPython kernel of the interpreter running the tests.

    A ``python3`` kernelspec in a user or system Jupyter folder may run another Python, without
    this package installed. Searching no kernel folders makes jupyter_client fall back to
    ipykernel's built-in spec, which runs ``sys.executable`` (the test venv's Python).
    """

    @default("kernel_spec_manager")
    def _default_kernel_spec_manager(self) -> KernelSpecManager:
        return KernelSpecManager(kernel_dirs=[])


def _load_builder() -> ModuleType:
    spec = importlib.util.spec_from_file_location("_build_quickstart", BUILDER)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _cell(nb: NotebookNode, cell_id: str) -> NotebookNode:
    for cell in nb.cells:
        if cell.get("id") == cell_id:
            return cell
    raise AssertionError(f"no cell with id {cell_id!r} in the notebook")


def _text(cell: NotebookNode) -> str:
    """Printed text and plain-text results of a code cell."""
    parts = []
    for out in cell.outputs:
        if out.output_type == "stream":
            parts.append(out.text)
        elif out.output_type in ("execute_result", "display_data"):
            parts.append(out.data.get("text/plain", ""))
    return "\n".join(parts)


def _has_image(cell: NotebookNode) -> bool:
    return any(
        out.output_type in ("execute_result", "display_data") and "image/png" in out.data
        for out in cell.outputs
    )


def test_saved_notebook_is_clean_and_matches_builder() -> None:
    saved = nbformat.read(QUICKSTART, as_version=4)
    nbformat.validate(saved)
    assert saved.metadata.kernelspec.name == "python3"
    for cell in saved.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [], f"cell {cell.id} saved with outputs"
            assert cell.execution_count is None, f"cell {cell.id} saved with an execution count"
    assert saved == _load_builder().build(), (
        "notebooks/01_quickstart.ipynb differs from its builder; "
        "run `python notebooks/_build_quickstart.py`"
    )


def test_kernel_runs_this_python() -> None:
    km = ThisPythonKernelManager(kernel_name="python3")
    assert km.kernel_spec is not None
    assert km.kernel_spec.argv[0] == sys.executable


@pytest.fixture(scope="module")
def executed(tmp_path_factory: pytest.TempPathFactory) -> tuple[NotebookNode, Path]:
    """The quickstart notebook executed in an empty working folder outside the repo."""
    workdir = tmp_path_factory.mktemp("quickstart")
    nb = nbformat.read(QUICKSTART, as_version=4)
    client = NotebookClient(
        nb,
        kernel_name="python3",
        kernel_manager_class=ThisPythonKernelManager,
        timeout=600,
        resources={"metadata": {"path": str(workdir)}},
    )
    client.execute()  # raises CellExecutionError, naming the cell, if any cell fails
    return nb, workdir


def test_notebook_runs_without_errors(executed: tuple[NotebookNode, Path]) -> None:
    nb, workdir = executed
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        assert cell.execution_count is not None, f"cell {cell.id} did not run"
        errors = [out for out in cell.outputs if out.output_type == "error"]
        assert not errors, f"cell {cell.id} raised {errors[0].ename}: {errors[0].evalue}"
    assert list(workdir.iterdir()) == [], "the notebook wrote files into its working folder"


def test_notebook_shows_key_results(executed: tuple[NotebookNode, Path]) -> None:
    nb, _ = executed
    summary = _text(_cell(nb, "summary"))
    for key in ("wait_mean_min", "wait_p95_min", "coverage", "utilisation_swab_booths"):
        assert key in summary
    assert "arrival_min" in _text(_cell(nb, "residents"))
    assert "ConfigError" in _text(_cell(nb, "booths-vs-staff"))
    for cell_id in ("fig-queue", "fig-waits", "fig-util", "custom-plot"):
        assert _has_image(_cell(nb, cell_id)), f"cell {cell_id} showed no figure"
    assert "entrance, general" in _text(_cell(nb, "queue"))
    paired = _text(_cell(nb, "compare-ci"))
    assert "95% CI low" in paired and "wait_mean_min" in paired
    theory = _text(_cell(nb, "theory"))
    assert "P(wait > 0)" in theory and "mean wait (min)" in theory


# ----------------------------------------------------------------------------- the district

DISTRICT = NOTEBOOKS / "02_district.ipynb"
DISTRICT_BUILDER = NOTEBOOKS / "_build_district.py"


def _load(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_saved_district_notebook_is_clean_and_matches_builder() -> None:
    saved = nbformat.read(DISTRICT, as_version=4)
    for cell in saved.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [], f"cell {cell.id} saved with outputs"
    assert saved == _load(DISTRICT_BUILDER).build(), (
        "notebooks/02_district.ipynb differs from its builder; "
        "run `python notebooks/_build_district.py`"
    )


@pytest.mark.slow
def test_district_notebook_runs_and_shows_the_round(tmp_path: Path) -> None:
    nb = nbformat.read(DISTRICT, as_version=4)
    NotebookClient(
        nb,
        kernel_name="python3",
        kernel_manager_class=ThisPythonKernelManager,
        timeout=600,
        resources={"metadata": {"path": str(tmp_path)}},
    ).execute()
    assert list(tmp_path.iterdir()) == [], "the notebook wrote files into its working folder"
    assert "313000" in _text(_cell(nb, "run")).replace(",", "")
    assert "Longquan" in _text(_cell(nb, "run"))
    assert "swab" in _text(_cell(nb, "staff"))
    for cell_id in ("heatmap", "coverage"):
        assert _has_image(_cell(nb, cell_id)), f"cell {cell_id} showed no figure"
    compare = _text(_cell(nb, "compare"))
    assert "no_barcodes" in compare and "queue_board" in compare
    # From swab to result: the chain's summary, the labs, the two figures, the mobile lab's worth
    chain = _text(_cell(nb, "chain"))
    assert "last result out: day " in chain
    for key in ("tests_per_swab", "turnaround_p95_h", "within_target", "courier_trips"):
        assert key in chain
    labs = _text(_cell(nb, "labs"))
    assert "District hospital lab" in labs and "Mobile lab" in labs
    for cell_id in ("backlog", "turnaround"):
        assert _has_image(_cell(nb, cell_id)), f"cell {cell_id} showed no figure"
    mobile = _text(_cell(nb, "mobile-lab"))
    assert "turnaround p95 (h)" in mobile and "without - with" in mobile

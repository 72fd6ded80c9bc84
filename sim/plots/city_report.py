"""A city run's folder: its tables, figures, verdicts and summary, all written or none.

Files (tables stack the replications, with a first column ``replication``):

``city.yaml``
    The city file as run (re-run it: ``python -m sim city <folder>/city.yaml``).
``districts.csv``, ``points.csv``, ``hours.csv``
    One row per district; per point and round; per district, round, day and hour.
``labs.csv``, ``lab_backlog.csv``
    The city's labs, and each lab's tubes per hour (with labs).
``targets.csv``
    Each target's verdict over the replications (when the city has targets).
``districts.png``, ``point_waits.png``, ``city_map.png``, ``lab_load.png``
    Figures of the first replication (:mod:`sim.plots.city_figures`).
``summary.json``
    Each replication's summary and the verdicts; written last: it marks the folder complete.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from sim.experiment.city import CityResult, city_verdicts
from sim.plots.report import (
    _csv_writer,
    _FigurePngs,
    _make_run_folder,
    _summary_json,
    write_files,
)
from sim.plots.verdicts import verdicts_frame

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.figure import Figure


def stacked(results: Sequence[CityResult]) -> dict[str, pd.DataFrame]:
    """Each table of the replications, stacked, with a first column ``replication``."""
    import pandas as pd

    tables = [r.tables() for r in results]
    out = {}
    for name in tables[0]:
        frames = []
        for r, t in zip(results, tables, strict=True):
            frame = t[name]
            frame.insert(0, "replication", r.replication)
            frames.append(frame)
        out[name] = pd.concat(frames, ignore_index=True)
    return out


def city_figures(result: CityResult) -> list[tuple[str, Callable[[], Figure]]]:
    """The figures of ``result`` (file name, drawer): drawn from its tables."""
    from sim.plots import city_figures as cf

    tables = result.tables()
    wait = _bound(result, "wait_p95_min")
    cover = _bound(result, "coverage")
    labs = result.labs_at()
    out: list[tuple[str, Callable[[], Figure]]] = [
        ("districts.png", lambda: cf.district_figure(tables["districts"], wait, cover)),
        ("point_waits.png", lambda: cf.point_wait_figure(tables["points"], wait)),
        ("city_map.png", lambda: cf.city_map_figure(tables["points"], labs)),
    ]
    if "lab_backlog" in tables:
        out.append(("lab_load.png", lambda: cf.lab_load_figure(tables["lab_backlog"])))
    return out


def _bound(result: CityResult, metric: str) -> float | None:
    for t in result.config.chain.targets:
        if t.metric == metric and t.value is not None:
            return float(t.value)
    return None


def write_city(
    results: Sequence[CityResult], out_dir: Path | str, *, figures: bool = True
) -> list[Path]:
    """Write the city's run folder (see the module docstring); returns the paths written,
    ``summary.json`` last.

    Raises
    ------
    RunFolderError
        If ``out_dir`` cannot be created or written, or already holds one of these files:
        then nothing is written.
    """
    import yaml

    if not results:
        raise ValueError("write_city needs at least one replication's result")
    out_dir = Path(out_dir)
    _make_run_folder(out_dir)
    city = results[0].config
    files: list[tuple[str, Callable[[Path], object]]] = []
    header = (
        f"# masstest-sim city {city.name}: seed {results[0].seed}, {len(results)} "
        "replication(s).\n# Re-run it: python -m sim city <this folder>/city.yaml\n"
    )
    data = {**city.data, "seed": results[0].seed, "replications": len(results)}
    text = header + yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
    files.append(("city.yaml", lambda p: p.write_text(text, "utf-8")))
    for name, frame in stacked(results).items():
        files.append((f"{name}.csv", _csv_writer(frame)))
    verdicts = city_verdicts(results)
    if verdicts:
        files.append(("targets.csv", _csv_writer(verdicts_frame(verdicts))))
    pngs = _FigurePngs(city_figures(results[0]) if figures else [])
    files += [(name, _png(pngs, name)) for name in pngs.names]
    summary = {
        "city": city.name,
        "replications": [r.summary() for r in results],
        "targets": verdicts_frame(verdicts).to_dict("records") if verdicts else [],
    }
    files.append(("summary.json", lambda p: p.write_text(_summary_json(summary), "utf-8")))
    return write_files(out_dir, files, lambda names: _taken(out_dir, names), pngs)


def _png(figures: _FigurePngs, name: str) -> Callable[[Path], object]:
    return lambda path: path.write_bytes(figures.png(name))


def _taken(out_dir: Path, names: Sequence[str]) -> str:
    shown = ", ".join(names[:3]) + (", ..." if len(names) > 3 else "")
    return (
        f"city folder {out_dir} already holds {shown} (another run's output); a run never "
        "overwrites another: choose another folder (masstest-sim city ... --out <new folder>)"
    )


def format_city(results: Sequence[CityResult], seconds: float | None = None) -> str:
    """The console summary of a city run: the city, its worst district, results, targets."""
    import numpy as np

    s = [r.summary() for r in results]
    first = s[0]

    def mean(key: str) -> float:
        return float(np.mean([float(x.get(key, np.nan)) for x in s]))

    lines = [
        f"city {first['city']}: {first['districts']} districts, {first['points']:,} points, "
        f"{first['residents']:,} residents, {len(s)} replication(s)"
        + (f", {seconds:.1f} s" if seconds is not None else ""),
        f"  tested {mean('tested'):,.0f} (coverage {mean('coverage'):.2%}); waits mean "
        f"{mean('wait_mean_min'):.1f} min, p95 {mean('wait_p95_min'):.1f} min",
        f"  worst district by p95 wait: {first['worst_wait_district']} "
        f"({first['worst_district_wait_p95_min']:.1f} min); lowest coverage: "
        f"{first['lowest_coverage_district']} ({first['lowest_district_coverage']:.2%})",
    ]
    if "within_target" in first:
        lines.append(
            f"  results: {mean('within_target'):.1%} within {first['target_h']:g} h, p95 "
            f"turnaround {mean('turnaround_p95_h'):.1f} h, {mean('backlog_swabs'):,.0f} swabs "
            "without a result at the end"
        )
    for v in city_verdicts(results):
        lines.append(f"  target {v.target.label}: {v.verdict} (mean {v.mean:.4g})")
    return "\n".join(lines)

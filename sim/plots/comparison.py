"""A multirun's comparison of its jobs: ``comparison.csv`` and ``comparison.png`` at its root.

Each job's folder holds its summary (``summary.json``), its replications (``replications.csv``
when it ran several) and its target verdicts (``targets.csv``); this module reads them, puts
the jobs side by side (:func:`sim.metrics.comparison.comparison_table`) and draws them: a sweep
over one numeric setting as metric-versus-setting with interval bands, any other multirun as
bars with interval whiskers. Jobs are named by their folders (``0_layout=no_barcodes``).
"""

from __future__ import annotations

import json
import logging
import math
import re
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from matplotlib.figure import Figure

from sim.metrics.comparison import comparison_table

if TYPE_CHECKING:
    import pandas as pd

log = logging.getLogger(__name__)

_JOB = re.compile(r"^(\d+)_(.*)$")


def job_frames(sweep_dir: Path) -> tuple[dict[str, pd.DataFrame], dict[str, dict[str, str]]]:
    """Per-replication summaries and target verdicts of each complete job, in job order."""
    import pandas as pd

    folders = [p.parent for p in Path(sweep_dir).glob("*/summary.json")]
    folders.sort(key=lambda f: (int(m.group(1)) if (m := _JOB.match(f.name)) else 1 << 30, f.name))
    frames: dict[str, pd.DataFrame] = {}
    verdicts: dict[str, dict[str, str]] = {}
    for folder in folders:
        reps = folder / "replications.csv"
        if reps.is_file():
            frame = pd.read_csv(reps)
        else:
            summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
            frame = pd.DataFrame([{k: v for k, v in summary.items() if not isinstance(v, list)}])
        frames[folder.name] = frame
        targets = folder / "targets.csv"
        if targets.is_file():
            t = pd.read_csv(targets)
            verdicts[folder.name] = dict(zip(t["target"], t["verdict"], strict=True))
    return frames, verdicts


def resolve_baseline(names: Sequence[str], baseline: str | None) -> tuple[str | None, str]:
    """The job that ``baseline`` names (its folder, its overrides or its number; None: the
    first job) and a note for the reader."""
    if not names:
        return None, "no job finished"
    if baseline is None:
        return names[0], f"baseline: the first job ({names[0]})"
    for name in names:
        m = _JOB.match(name)
        if baseline in (name, *(m.groups() if m else ())):
            return name, f"baseline: {name}"
    return None, f"baseline {baseline!r} names no job ({', '.join(names)}): no differences"


def numeric_knob(names: Sequence[str]) -> tuple[str, list[float]] | None:
    """The setting a sweep varies when it is one numeric override (``site.swab_booths=3``)."""
    keys, values = set(), []
    for name in names:
        m = _JOB.match(name)
        parts = m.group(2).split(",") if m else []
        if len(parts) != 1 or "=" not in parts[0]:
            return None
        key, _, value = parts[0].partition("=")
        try:
            values.append(float(value))
        except ValueError:
            return None
        keys.add(key)
    return (keys.pop(), values) if len(keys) == 1 and len(values) >= 2 else None


def comparison_figure(table: pd.DataFrame, metrics: Sequence[str]) -> Figure:
    """Each metric over the jobs: against the swept setting with a band (a numeric sweep), or
    as bars with whiskers; the 95% interval either way."""
    names = list(table["layout"])
    knob = numeric_knob(names)
    shown = [m for m in metrics if m in table.columns and table[m].notna().any()]
    cols = min(3, max(1, len(shown)))
    rows = max(1, math.ceil(len(shown) / cols))
    fig = Figure(figsize=(4.2 * cols, 3.0 * rows + 0.4), layout="constrained")
    axes = fig.subplots(rows, cols, squeeze=False).ravel()
    for ax, metric in zip(axes, shown, strict=False):
        mean = table[metric].to_numpy(dtype=float)
        hw = table[f"{metric}_hw"].fillna(0.0).to_numpy(dtype=float)
        if knob is not None:
            x = knob[1]
            order = sorted(range(len(x)), key=x.__getitem__)
            xs = [x[i] for i in order]
            ms, hs = mean[order], hw[order]
            ax.plot(xs, ms, marker="o", color="C0")
            ax.fill_between(xs, ms - hs, ms + hs, color="C0", alpha=0.25, linewidth=0)
            ax.set_xlabel(knob[0])
        else:
            pos = range(len(names))
            ax.bar(pos, mean, yerr=hw, color="C0", alpha=0.8, capsize=3)
            ax.set_xticks(list(pos), [_short(n) for n in names], rotation=30, ha="right")
        ax.set_title(metric, fontsize=10)
        ax.grid(alpha=0.3)
    for ax in axes[len(shown) :]:
        ax.set_visible(False)
    band = "band" if knob is not None else "whiskers"
    fig.suptitle(f"Jobs of the multirun: mean over replications, 95% interval as {band}")
    return fig


def _short(name: str) -> str:
    return name if len(name) <= 28 else name[:27] + "…"


def write_comparison(
    sweep_dir: Path,
    baseline: str | int | None = None,
    metrics: Sequence[str] = (),
    command: str = "",
) -> list[Path]:
    """Write ``comparison.csv``, ``comparison.png`` and ``report.html`` at the root of a
    multirun (``command``: the command line, for the report).

    Returns the files written (none when no job finished).
    """
    from sim import __version__
    from sim.metrics.comparison import HEADLINE_METRICS
    from sim.plots.html_report import multirun_report_html
    from sim.plots.report import _png_writer, atomic_write

    frames, verdicts = job_frames(sweep_dir)
    if not frames:
        return []
    base, note = resolve_baseline(list(frames), None if baseline is None else str(baseline))
    table = comparison_table(frames, metrics, base, verdicts)
    table.insert(1, "baseline", [name == base for name in table["layout"]])
    chosen = list(metrics) or [m for m in HEADLINE_METRICS if m in table.columns]
    out = Path(sweep_dir)
    written = [
        atomic_write(out / "comparison.csv", lambda p: table.to_csv(p, index=False)),
        atomic_write(out / "comparison.png", _png_writer(comparison_figure(table, chosen))),
    ]
    page = multirun_report_html(
        f"Multirun {out.name}: {len(frames)} jobs",
        table,
        {"comparison.png": written[1].read_bytes()},
        [note],
        command=command,
        version=__version__,
    )
    written.append(atomic_write(out / "report.html", lambda p: p.write_text(page, "utf-8")))
    log.info("multirun comparison: %s (%s)", out / "comparison.csv", note)
    return written

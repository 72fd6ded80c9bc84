"""The run report: a readable summary table and the run folder on disk.

A run folder holds the resolved config, ``summary.json``, the per-resident table and PNG
figures. Files are written completely or not at all (temporary file, then rename) and an
existing file is never overwritten.
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from matplotlib.figure import Figure

from sim.config.clock import day_clock
from sim.config.schema import ScenarioConfig
from sim.experiment.result import RunResult
from sim.metrics.intervals import t_interval
from sim.model.records import OUTCOMES

if TYPE_CHECKING:
    import pandas as pd


def aggregate(results: Sequence[RunResult]) -> dict[str, Any]:
    """Mean of each numeric summary metric over replications, plus 95% CI half-widths.

    With one replication this is exactly ``results[0].summary()``; with more, each numeric key
    holds the mean and ``<key>_ci95`` the half-width of its t confidence interval.
    """
    summaries = [r.summary() for r in results]
    if len(summaries) == 1:
        return summaries[0]
    out: dict[str, Any] = {}
    for key, value in summaries[0].items():
        if key == "replication":
            out["replications"] = len(summaries)
            continue
        if isinstance(value, bool) or not isinstance(value, int | float):
            out[key] = value
            continue
        vals = np.array([s[key] for s in summaries], dtype=float)
        if np.all(np.isfinite(vals)):
            ci = t_interval(vals)
            out[key] = ci.mean
            out[f"{key}_ci95"] = ci.half_width
        else:
            out[key] = float(np.nanmean(vals)) if np.any(np.isfinite(vals)) else float("nan")
    return out


def _fmt(x: Any, digits: int = 1) -> str:
    if isinstance(x, float):
        return "-" if math.isnan(x) else f"{x:,.{digits}f}"
    return f"{x:,}" if isinstance(x, int) else str(x)


def format_summary(results: Sequence[RunResult]) -> str:
    """A plain-text summary of a run (one or more replications): headline, waits, lines,
    staff; for a district also the points with the longest waits and the busiest hours."""
    s = aggregate(results)
    first = results[0]
    cfg = first.config
    n = len(results)
    district = len(cfg.points) > 1
    rounds = len(cfg.campaign.start_days)
    lines = [
        f"Scenario: {cfg.name}  (seed {first.seed}, {n} replication{'s' if n > 1 else ''})",
        (
            f"{len(cfg.points)} collection points, {len(first.rounds[0].subdistricts)} "
            f"sub-districts; round of {cfg.campaign.round_days} day(s)"
            + (f", {rounds} rounds (figures below: round 1)" if rounds > 1 else "")
            if district
            else f"Site: {s['site']}   open {cfg.site.open}-{cfg.site.close}"
        ),
        "",
        f"Residents                {_fmt(s['residents'], 0):>10}",
        f"  tested                 {_fmt(s['tested'], 0):>10}  (coverage {s['coverage']:.1%} "
        "by the end of the round)",
        "  not tested, by reason of their last attempt:",
    ]
    for name in OUTCOMES[1:]:
        lines.append(f"    {name.replace('_', ' '):<20} {_fmt(s[name], 0):>10}")
    lines.append(f"  returns after leaving  {_fmt(s['returns'], 0):>10}")
    days = [k for k in s if k.startswith("tested_day")]
    lines.append(
        "  tested per day         "
        + ", ".join(f"day {k[len('tested_day') :]}: {_fmt(s[k], 0)}" for k in days)
    )
    if district:
        lines.append(
            f"  best sub-district day  {s['best_subdistrict_day']} "
            f"({_fmt(s['best_subdistrict_day_tests'], 0)} tests)"
        )
    lines.append(f"Last resident tested at  {s['last_tested_clock']}")
    lines += [
        "",
        "Waiting time (minutes queueing, tested residents)",
        f"  {'group':<10}{'tested':>9}{'mean':>8}{'p50':>8}{'p90':>8}{'p95':>8}{'max':>8}",
    ]
    for group, label in (("", "all"), ("_green", "green"), ("_general", "general")):
        count = s["tested"] if not group else s[f"n_tested{group}"]
        row = f"  {label:<10}{_fmt(count, 0):>9}"
        for stat in ("mean", "p50", "p90", "p95", "max"):
            row += f"{_fmt(s[f'wait_{stat}_min{group}']):>8}"
        lines.append(row)
    lines.append(
        f"  of which registration line {_fmt(s['reg_wait_mean_min'])} min, "
        f"swab line {_fmt(s['swab_wait_mean_min'])} min on average"
    )
    if district:
        lines += _district_lines(first, s)
    else:
        lines += _point_lines(first, s)
    lines += ["", "Staff (person-shifts over the round)"]
    lines.append(
        "  "
        + ", ".join(
            f"{role}: {_fmt(s[f'staff_{role}'], 0)}" for role in ("registration", "swab", "marshal")
        )
    )
    if "mobile_teams" in s:
        lines += [
            "",
            f"Mobile teams: {s['mobile_teams']} teams, {_fmt(s['mobile_enterprises_covered'], 0)}"
            f" of {_fmt(s['mobile_enterprises'], 0)} enterprises covered, "
            f"{_fmt(s['mobile_sampled'], 0)} of {_fmt(s['mobile_employees'], 0)} employees "
            f"sampled ({s['mobile_coverage']:.1%})",
        ]
    if first.chain is not None:
        lines += _chain_lines(first, s, n)
    return "\n".join(lines)


def _point_lines(result: RunResult, s: dict[str, Any]) -> list[str]:
    lines = [
        "",
        "Longest queue",
        f"  entrance line            {_fmt(s['longest_queue'], 0):>6} people "
        f"({_fmt(s['longest_queue_m'], 0)} m)",
        f"    green lane             {_fmt(s['longest_queue_green'], 0):>6}",
        f"    general lane           {_fmt(s['longest_queue_general'], 0):>6}",
    ]
    if result.config.site.registration:
        lines.append(f"  swab line                {_fmt(s['longest_swab_queue'], 0):>6} people")
    lines += ["", "Utilisation (share of staffed time busy)"]
    from sim.metrics.summary import station_key

    for station in result.site.stations:
        lines.append(f"  {station.name:<32} {s[f'utilisation_{station_key(station)}']:6.1%}")
    return lines


def _district_lines(result: RunResult, s: dict[str, Any]) -> list[str]:
    tables = result.tables()
    points = tables["points"]
    points = points[points["round"] == 1].sort_values("wait_mean_min", ascending=False)
    lines = [
        "",
        f"Longest queue: {_fmt(s['longest_queue'], 0)} people ({_fmt(s['longest_queue_m'], 0)} m)"
        f" at {s['longest_queue_site']}",
        f"Utilisation: registration desks {s['utilisation_registration']:.1%}, "
        f"swab booths {s['utilisation_swab']:.1%}",
        "",
        "Points with the longest mean wait (all points: points.csv)",
        f"  {'point':<16}{'tested':>8}{'mean':>7}{'p95':>7}{'max':>7}{'line':>6}{'metres':>8}"
        f"{'desks':>7}{'booths':>7}",
    ]
    for _, row in points.head(8).iterrows():
        lines.append(
            f"  {row['site']:<16}{_fmt(int(row['tested']), 0):>8}{row['wait_mean_min']:7.1f}"
            f"{row['wait_p95_min']:7.1f}{row['wait_max_min']:7.1f}{int(row['longest_queue']):>6}"
            f"{row['longest_queue_m']:8.0f}{row['utilisation_registration']:7.0%}"
            f"{row['utilisation_swab']:7.0%}"
        )
    hours = tables["hours"]
    hours = hours[hours["round"] == 1].sort_values("wait_mean_min", ascending=False)
    lines += [
        "",
        "Hours with the longest mean wait (all hours: hours.csv)",
        f"  {'day':>4} {'hour':<6}{'arrived':>9}{'mean':>7}{'p95':>7}",
    ]
    for _, row in hours.head(5).iterrows():
        lines.append(
            f"  {int(row['day']):>4} {row['hour']:<6}{_fmt(int(row['arrived']), 0):>9}"
            f"{row['wait_mean_min']:7.1f}{row['wait_p95_min']:7.1f}"
        )
    staff = tables["staff"]
    staff = staff[(staff["round"] == 1) & (staff["role"] != "marshal")]
    lines += [
        "",
        "Staff utilisation by role and shift (all shifts: staff.csv)",
        f"  {'role':<14}{'day':>4} {'shift':<12}{'people':>7}{'busy':>7}",
    ]
    for _, row in staff.iterrows():
        lines.append(
            f"  {row['role']:<14}{int(row['day']):>4} {row['shift']:<12}"
            f"{int(row['staff']):>7}{row['utilisation']:7.0%}"
        )
    return lines


def _clock(minutes: float) -> str:
    return day_clock(minutes) if math.isfinite(minutes) else "-"


def _chain_lines(result: RunResult, s: dict[str, Any], n: int) -> list[str]:
    """Samples and results: pooling, recalls, turnaround, backlog, couriers, one line per lab."""
    from sim.metrics.turnaround import BACKLOG_STAGES
    from sim.plots.lab_figures import share_text

    mean = " (mean of replications)" if n > 1 else ""
    assert result.chain is not None
    horizon = result.chain.horizon_min
    lines = [
        "",
        "Samples and results (swab to result, whole campaign; per lab: labs.csv)",
        f"  swabs pooled           {_fmt(s['swabs'], 0):>10}  in {_fmt(s['tubes'], 0)} tubes, "
        f"{_fmt(s['swabs'] / s['tubes'] if s['tubes'] else math.nan)} per tube "
        f"(pools of up to {_fmt(s['pool_size'], 0)})",
        f"  PCR tests per swab     {_fmt(s['tests_per_swab'], 3):>10}  (Dorfman, full pools at "
        f"the share positive observed: {_fmt(s['dorfman_tests_per_swab'], 3)})",
        f"  positive pools         {_fmt(s['positive_pools'], 0):>10}"
        + (f"  ({_fmt(s['recalled'], 0)} members recalled)" if s["recalled"] else ""),
    ]
    if s["recalled"]:
        lines.append(
            f"  retests by the horizon {_fmt(s['retests_done'], 0):>10}  "
            f"({_fmt(s['retests_visited'], 0)} by a visiting team)"
        )
    lines += [
        f"  turnaround, hours      {'p50':>10}{'p95':>8}{'max':>8}{'mean':>8}",
        f"  {'':<23}{_fmt(s['turnaround_p50_h']):>10}{_fmt(s['turnaround_p95_h']):>8}"
        f"{_fmt(s['turnaround_max_h']):>8}{_fmt(s['turnaround_mean_h']):>8}",
        f"  within {_fmt(s['target_h'], 0) + ' h target':<16}{share_text(s['within_target']):>10}"
        "  (of all swabs)",
        f"  last result out       {_clock(s['last_result_min']):>11}{mean}",
        f"  no result by horizon   {_fmt(s['backlog_swabs'], 0):>10}  swabs "
        f"(horizon {_clock(horizon)})",
    ]
    for stage in BACKLOG_STAGES:
        count = s[f"backlog_{stage}"]
        if count > 0:
            lines.append(f"    {stage.replace('_', ' '):<21}{_fmt(count, 0):>10}")
    lines.append(
        f"  courier trips          {_fmt(s['courier_trips'], 0):>10}  "
        f"mean wait for a vehicle {_fmt(s['courier_wait_mean_min'])} min"
    )
    labs = result.tables()["labs"]
    lines += [
        f"  {'lab':<24}{'opens':>12}{'tubes':>8}{'extr.':>7}{'PCR':>6}{'last result':>13}"
        f"{'no result':>10}",
    ]
    for _, row in labs.iterrows():
        lines.append(
            f"  {str(row['lab'])[:23]:<24}{_clock(row['opens_min']):>12}"
            f"{_fmt(int(row['tubes_received']), 0):>8}{_pct(row['utilisation_extraction']):>7}"
            f"{_pct(row['utilisation_pcr']):>6}{_clock(row['last_result_min']):>13}"
            f"{_fmt(int(row['backlog_tubes_at_end']), 0):>10}"
        )
    lines.append(
        "  (extr., PCR: busy share of staffed machine time; no result: tubes at the horizon)"
    )
    return lines


def _pct(x: float) -> str:
    return f"{x:.0%}" if math.isfinite(x) else "-"


def atomic_write(path: Path, write: Callable[[Path], object]) -> Path:
    """Write ``path`` through a temporary file and rename it; refuse to overwrite.

    Raises
    ------
    FileExistsError
        If ``path`` already exists.
    """
    if path.exists():
        raise FileExistsError(f"{path} exists; a run never overwrites its outputs")
    tmp = path.with_name(f".{path.name}.part")
    try:
        write(tmp)
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()
    return path


def _json_default(x: Any) -> Any:
    if isinstance(x, np.generic):
        return x.item()
    raise TypeError(f"not JSON serialisable: {type(x).__name__}")


def write_run(out_dir: Path, config: ScenarioConfig, results: Sequence[RunResult]) -> list[Path]:
    """Write the run folder: config, summary, per-resident table and figures.

    Returns the paths written.
    """
    import yaml

    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []

    def text(name: str, content: str) -> None:
        written.append(atomic_write(out_dir / name, lambda p: p.write_text(content, "utf-8")))

    text("config.yaml", yaml.safe_dump(_as_plain(dataclasses.asdict(config)), sort_keys=False))
    summary = aggregate(results)
    text("summary.json", json.dumps(summary, indent=2, default=_json_default, allow_nan=True))
    if len(results) > 1:
        import pandas as pd

        frame = pd.DataFrame([r.summary() for r in results])
        written.append(
            atomic_write(out_dir / "replications.csv", lambda p: frame.to_csv(p, index=False))
        )
    import pandas as pd

    # points, hours, staff; and labs when the run has a sample chain
    tables: dict[str, list[pd.DataFrame]] = {}
    for r in results:
        for name, frame in r.tables().items():
            frame.insert(0, "replication", r.replication)
            tables.setdefault(name, []).append(frame)
    for name, frames in tables.items():
        written.append(atomic_write(out_dir / f"{name}.csv", _csv_writer(pd.concat(frames))))
    if config.output.residents_table:
        import pandas as pd

        frames = []
        for r in results:
            f = r.residents
            f.insert(0, "replication", r.replication)
            frames.append(f)
        table = frames[0] if len(frames) == 1 else pd.concat(frames, ignore_index=True)
        written.append(
            atomic_write(
                out_dir / "residents.csv",
                lambda p: table.to_csv(p, index=False, float_format="%.3f"),
            )
        )
    if config.output.figures and len(config.points) > 1:
        from sim.plots.district_figures import district_figure_set

        for name, fig in district_figure_set(results[0]).items():
            written.append(atomic_write(out_dir / name, _png_writer(fig)))
    elif config.output.figures:
        from sim.plots.figures import (
            queue_length_figure,
            utilisation_figure,
            wait_distribution_figure,
        )

        first = results[0]
        for name, make in (
            ("queue_length.png", queue_length_figure),
            ("wait_distribution.png", wait_distribution_figure),
            ("utilisation.png", utilisation_figure),
        ):
            written.append(atomic_write(out_dir / name, _png_writer(make(first))))
    if config.output.figures:
        from sim.plots.lab_figures import lab_figure_set

        for name, fig in lab_figure_set(results[0]).items():  # none without labs
            written.append(atomic_write(out_dir / name, _png_writer(fig)))
    return written


def _csv_writer(frame: pd.DataFrame) -> Callable[[Path], None]:
    def write(path: Path) -> None:
        frame.to_csv(path, index=False)

    return write


def _png_writer(fig: Figure) -> Callable[[Path], None]:
    def write(path: Path) -> None:
        fig.savefig(path, dpi=110, format="png")

    return write


def _as_plain(x: Any) -> Any:
    if isinstance(x, dict):
        return {k: _as_plain(v) for k, v in x.items()}
    if isinstance(x, list | tuple):
        return [_as_plain(v) for v in x]
    return x

"""The run report: a readable summary table and the run folder on disk.

A run folder holds the resolved config, the tables, the per-resident table, PNG figures and
``summary.json``. Files are written completely or not at all (temporary file, then rename), an
existing file is never overwritten, and ``summary.json`` is written last, so a folder holding it
is complete. :func:`check_run_folder` checks a folder can be used before anything is simulated.
"""

from __future__ import annotations

import dataclasses
import itertools
import json
import math
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from sim.config.clock import day_clock
from sim.config.schema import ScenarioConfig
from sim.experiment.result import RunResult
from sim.metrics.intervals import t_interval
from sim.metrics.targets import Verdict
from sim.model.collection_point import stage_noun
from sim.model.records import OUTCOMES
from sim.plots.verdicts import junit_xml, verdicts_frame

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.figure import Figure

    from sim.plots.html_report import ReportInfo

#: Formats of the per-resident table: ``parquet`` (the default: compact, fast, keeps the
#: columns' types, categories included) or ``csv`` (plain text, on request).
RESIDENTS_FORMATS: tuple[str, ...] = ("parquet", "csv")


#: Roles every point has (a point's own roles follow them in the staff line).
_STAFF_ROLES = ("registration", "swab", "marshal")


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
    rounds = len(first.rounds)
    lines = [
        f"Scenario: {cfg.name}  (seed {first.seed}, {n} replication{'s' if n > 1 else ''})",
        (
            f"{len(cfg.points)} collection points, {len(first.rounds[0].subdistricts)} "
            f"sub-districts; round of {cfg.campaign.round_days} day(s)"
            + (f", {rounds} rounds" if rounds > 1 else "")
            if district
            else f"Site: {s['site']}   open {_hours(cfg, rounds)}"
            + (f"; {rounds} rounds of {cfg.campaign.round_days} day(s)" if rounds > 1 else "")
        ),
    ]
    if rounds > 1:
        lines += _round_lines(s, rounds, n)
        lines += [
            "",
            "Round 1 in detail (the rounds side by side: the table above, rounds.csv)",
        ]
    lines += [
        "",
        f"Residents                {_fmt(s['residents'], 0):>10}",
        f"  tested                 {_fmt(s['tested'], 0):>10}{_hw(s, 'tested', 0)}  (coverage "
        f"{s['coverage']:.1%}{_hw(s, 'coverage', 1, pct=True)} by the end of the round)",
        "  not tested, by reason of their last attempt:",
    ]
    for name in OUTCOMES[1:]:
        lines.append(f"    {name.replace('_', ' '):<20} {_fmt(s[name], 0):>10}")
    lines.append(f"  returns after leaving  {_fmt(s['returns'], 0):>10}")
    days = [k for k in s if k.startswith("tested_day") and not k.endswith("_ci95")]
    lines.append(
        "  tested per day         "
        + ", ".join(f"day {k[len('tested_day') :]}: {_fmt(s[k], 0)}{_hw(s, k, 0)}" for k in days)
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
        if n > 1 and not group:  # the half-widths of the row above
            cells = [_fmt(s.get(f"wait_{stat}_min_ci95", math.nan)) for stat in _STATS]
            lines.append(f"  {'  ± 95%':<19}" + "".join(f"{c:>8}" for c in cells))
    stages = first.config.stage_names
    if set(stages) <= {"registration", "swab"}:
        lines.append(
            f"  of which registration line {_fmt(s['reg_wait_mean_min'])} min, "
            f"swab line {_fmt(s['swab_wait_mean_min'])} min on average"
        )
    else:  # the points' own stages: every line in the order residents pass them
        keys = {"registration": "reg_wait_mean_min", "swab": "swab_wait_mean_min"}
        parts = [
            f"{stage.replace('_', ' ')} line "
            f"{_fmt(s[keys.get(stage, f'stage_{stage}_wait_mean_min')])} min"
            for stage in stages
        ]
        lines.append("  of which " + ", ".join(parts) + " on average")
    if district:
        lines += _district_lines(first, s)
    else:
        lines += _point_lines(first, s)
    lines += ["", f"Staff (person-shifts over {'round 1' if rounds > 1 else 'the round'})"]
    lines.append(
        "  "
        + ", ".join(
            f"{role}: {_fmt(s[f'staff_{role}'], 0)}"
            for role in (
                "registration",
                "swab",
                *(k[6:] for k in s if k.startswith("staff_") and k[6:] not in _STAFF_ROLES),
                "marshal",
            )
        )
    )
    if "mobile_teams" in s:
        lines += _mobile_lines(s, rounds)
    if s.get("door_to_door_residents"):
        lines += _door_to_door_lines(s)
    if first.chain is not None and first.chain.n_swabs + first.chain.n_tubes > 0:
        lines += _chain_lines(first, s, n)
    elif first.chain is not None:  # a clinic: no stage takes a sample
        lines += ["", "Samples and results: none (no point has a swab stage)"]
    return "\n".join(lines)


_STATS = ("mean", "p50", "p90", "p95", "max")


def _round_lines(s: dict[str, Any], rounds: int, n: int = 1) -> list[str]:
    """The text summary's table of a campaign's rounds: one row per round (its days,
    residents, tested, coverage, mean and p95 wait, longest entrance line, last swab), then
    the campaign totals; from a summary (or :func:`aggregate` of replications: means) with
    ``round<k>_`` keys. Empty for a single round."""
    if rounds < 2:
        return []
    mean = f"; means of {n} replications" if n > 1 else ""
    first_day = min(int(s[f"round{k}_start_day"]) for k in range(1, rounds + 1))
    lines = [
        "",
        f"Rounds of the campaign (campaign days {first_day}-{_fmt(s['campaign_days'], 0)}{mean})",
        f"  {'round':<6}{'days':<8}{'residents':>11}{'tested':>10}{'coverage':>10}"
        f"{'mean':>7}{'p95':>7}{'line':>7}  {'last swab':<12}",
    ]
    for k in range(1, rounds + 1):
        start, days = int(s[f"round{k}_start_day"]), int(s[f"round{k}_days"])
        span = f"{start}" if days == 1 else f"{start}-{start + days - 1}"
        lines.append(
            f"  {k:<6}{span:<8}{_fmt(s[f'round{k}_residents'], 0):>11}"
            f"{_fmt(s[f'round{k}_tested'], 0):>10}{_share(s[f'round{k}_coverage']):>10}"
            f"{_fmt(s[f'round{k}_wait_mean_min']):>7}{_fmt(s[f'round{k}_wait_p95_min']):>7}"
            f"{_fmt(s[f'round{k}_longest_queue'], 0):>7}  {_clock(s[f'round{k}_finish_min']):<12}"
        )
    lines += [
        f"  {'campaign':<14}{_fmt(s['campaign_residents'], 0):>11}"
        f"{_fmt(s['campaign_tested'], 0):>10}{_share(s['campaign_coverage']):>10}"
        f"{'':>21}  {_clock(s['campaign_finish_min']):<12}",
        "  (mean, p95: minutes queueing of tested residents; line: longest entrance line,",
        "  people; last swab: campaign day and time)",
    ]
    return [line.rstrip() for line in lines]


def _share(x: Any) -> str:
    return f"{x:.1%}" if isinstance(x, int | float) and math.isfinite(x) else "-"


def _hw(s: dict[str, Any], key: str, digits: int, pct: bool = False) -> str:
    """`` ± half-width`` of ``key``'s 95% interval when the run has replications."""
    hw = s.get(f"{key}_ci95")
    if hw is None or not math.isfinite(hw):
        return ""
    return f" ± {hw:.{digits}%}" if pct else f" ± {_fmt(float(hw), digits)}"


def _hours(cfg: ScenarioConfig, rounds: int) -> str:
    """A one-point scenario's opening hours, of each round where round overrides change them."""
    hours = [f"{c.site.open}-{c.site.close}" for c in map(cfg.round_config, range(rounds))]
    if len(set(hours)) == 1:
        return hours[0]
    return ", ".join(f"{h} in round {k}" for k, h in enumerate(hours, start=1))


def _point_lines(result: RunResult, s: dict[str, Any]) -> list[str]:
    lines = [
        "",
        "Longest queue",
        f"  entrance line            {_fmt(s['longest_queue'], 0):>6} people "
        f"({_fmt(s['longest_queue_m'], 0)} m)",
        f"    green lane             {_fmt(s['longest_queue_green'], 0):>6}",
        f"    general lane           {_fmt(s['longest_queue_general'], 0):>6}",
    ]
    site = result.config.site
    stages = site.stage_list
    for before, stage in itertools.pairwise(stages):  # the lines inside the point
        name = stage.name
        key = "longest_swab_queue" if name == "swab" else f"longest_{name}_queue"
        label = f"{name.replace('_', ' ')} line"
        row = f"  {label:<25}{_fmt(s[key], 0):>6} people"
        room = site.space_after(before)
        if room is not None and before.blocking:
            row += f" (room for {room}: when full, the {before.name.replace('_', ' ')} waits)"
        elif room is not None:  # a planning figure: how long the line overflowed its room
            over = _fmt(s[f"space_over_{before.name}_min"])
            row += f" (room for {room}: more than that for {over} min)"
        lines.append(row)
    lines += ["", "Utilisation (share of staffed time busy)"]
    from sim.metrics.summary import station_key

    for station in result.site.stations:
        lines.append(f"  {station.name:<32} {s[f'utilisation_{station_key(station)}']:6.1%}")
    return lines


def _district_lines(result: RunResult, s: dict[str, Any]) -> list[str]:
    """Round 1's longest line and utilisation; the points and hours with the longest waits
    and the staff by shift (with several rounds: of every round, with a round column)."""
    tables = result.tables()
    several = len(result.rounds) > 1
    rnd = f"{'round':>6}" if several else ""

    def round_cell(row: Any) -> str:
        return f"{int(row['round']):>6}" if several else ""

    # one round: the order it always had
    order: Literal["stable", "quicksort"] = "stable" if several else "quicksort"
    points = tables["points"].sort_values("wait_mean_min", ascending=False, kind=order)
    lines = [
        "",
        f"Longest queue: {_fmt(s['longest_queue'], 0)} people ({_fmt(s['longest_queue_m'], 0)} m)"
        f" at {s['longest_queue_site']}",
        f"Utilisation: registration desks {s['utilisation_registration']:.1%}, "
        f"swab booths {s['utilisation_swab']:.1%}"
        + "".join(
            f", {stage_noun(stage)} {s[f'utilisation_{stage}']:.1%}"
            for stage in result.config.stage_names
            if stage not in ("registration", "swab")
        ),
        "",
        (
            f"Points with the longest mean wait, all {len(result.rounds)} rounds "
            "(every point and round: points.csv)"
            if several
            else "Points with the longest mean wait (all points: points.csv)"
        ),
        f"  {'point':<16}{rnd}{'tested':>8}{'mean':>7}{'p95':>7}{'max':>7}{'line':>6}{'metres':>8}"
        f"{'desks':>7}{'booths':>7}",
    ]
    for _, row in points.head(8).iterrows():
        lines.append(
            f"  {row['site']:<16}{round_cell(row)}{_fmt(int(row['tested']), 0):>8}"
            f"{row['wait_mean_min']:7.1f}{row['wait_p95_min']:7.1f}{row['wait_max_min']:7.1f}"
            f"{int(row['longest_queue']):>6}{row['longest_queue_m']:8.0f}"
            f"{row['utilisation_registration']:7.0%}{row['utilisation_swab']:7.0%}"
        )
    hours = tables["hours"].sort_values("wait_mean_min", ascending=False, kind=order)
    lines += [
        "",
        (
            f"Hours with the longest mean wait, all {len(result.rounds)} rounds "
            "(every hour: hours.csv; day: of the round)"
            if several
            else "Hours with the longest mean wait (all hours: hours.csv)"
        ),
        f"  {rnd}{'day':>4} {'hour':<6}{'arrived':>9}{'mean':>7}{'p95':>7}",
    ]
    for _, row in hours.head(5).iterrows():
        lines.append(
            f"  {round_cell(row)}{int(row['day']):>4} {row['hour']:<6}"
            f"{_fmt(int(row['arrived']), 0):>9}{row['wait_mean_min']:7.1f}"
            f"{row['wait_p95_min']:7.1f}"
        )
    staff = tables["staff"]
    staff = staff[staff["role"] != "marshal"]
    lines += [
        "",
        (
            "Staff utilisation by round, role and shift (all shifts: staff.csv; day: of the round)"
            if several
            else "Staff utilisation by role and shift (all shifts: staff.csv)"
        ),
        f"  {'round ' if several else ''}{'role':<14}{'day':>4} {'shift':<12}{'people':>7}"
        f"{'busy':>7}",
    ]
    for _, row in staff.iterrows():
        lead = f"{int(row['round']):<6}" if several else ""
        lines.append(
            f"  {lead}{row['role']:<14}{int(row['day']):>4} {row['shift']:<12}"
            f"{int(row['staff']):>7}{row['utilisation']:7.0%}"
        )
    return lines


def _clock(minutes: float) -> str:
    return day_clock(minutes) if math.isfinite(minutes) else "-"


def _door_to_door_lines(s: dict[str, Any]) -> list[str]:
    """Homebound residents sampled at home (first round; per team: door_to_door.csv)."""
    return [
        "",
        "Door-to-door sampling (homebound residents, first round; per team: door_to_door.csv)",
        f"  {_fmt(s['door_to_door_residents'], 0)} homebound, {_fmt(s['door_to_door_visited'], 0)}"
        f" visited ({s['door_to_door_coverage']:.1%}) by {_fmt(s['door_to_door_teams'], 0)} "
        f"teams, {_fmt(s['door_to_door_not_visited'], 0)} not visited by the end",
        f"  last visit {s['door_to_door_last_visit_clock'] or '-'}; teams busy "
        f"{s['door_to_door_utilisation']:.0%}",
    ]


def _mobile_lines(s: dict[str, Any], rounds: int) -> list[str]:
    """The mobile teams over the campaign: screenings, samples, and per round."""
    done = _fmt(s["mobile_screenings_sampled"], 0)
    lines = [
        "",
        "Mobile teams (enterprises, whole campaign; per screening: screenings.csv)",
        f"  {_fmt(s['mobile_teams'], 0)} teams, {_fmt(s['mobile_enterprises'], 0)} enterprises, "
        f"{_fmt(s['mobile_employees'], 0)} employees; {done} of "
        f"{_fmt(s['mobile_screenings'], 0)} screenings done",
        f"  {_fmt(s['mobile_sampled'], 0)} of {_fmt(s['mobile_due'], 0)} employee samples due "
        f"taken ({s['mobile_coverage']:.1%}); busiest day "
        f"{_fmt(s['mobile_sampled_per_day_max'], 0)}; from due to screened "
        f"{_fmt(s['mobile_delay_mean_h'])} h on average",
    ]
    missed = [
        f"{_fmt(s[f'mobile_screenings_{o}'], 0)} {o.replace('_', ' ')}"
        for o in ("partial", "superseded", "not_reached")
        if s[f"mobile_screenings_{o}"]
    ]
    if missed:
        lines.append("  screenings not done: " + ", ".join(missed))
    if rounds > 1:
        per_round = ", ".join(
            f"round {k}: {_fmt(s[f'round{k}_mobile_sampled'], 0)}" for k in range(1, rounds + 1)
        )
        between = s.get("mobile_between_rounds_sampled", 0)
        lines.append(
            f"  samples by round: {per_round}"
            + (f", between rounds: {_fmt(between, 0)}" if between else "")
        )
    return lines


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
    if s.get("recall_returns"):  # recall.mode point: back through the point's lines
        lines.append(
            f"  back at their point    {_fmt(s['recall_returns'], 0):>10}  "
            f"({_fmt(s['recall_returns_swabbed'], 0)} swabbed there after its lines, "
            f"mean wait {_fmt(s['recall_returns_wait_mean_min'])} min; "
            f"{_fmt(s['retests_in_line'], 0)} retests taken so)"
        )
    if "false_negatives" in s:  # an imperfect test (exact: the lines are left out)

        def pct(key: str) -> str:  # two significant digits for small shares
            x = s[key]
            if not isinstance(x, int | float) or not math.isfinite(x):
                return "-"
            return f"{x:.2%}" if x == 0 or x >= 0.01 else f"{100 * x:.2g}%"

        lines += [
            f"  test: sensitivity {_fmt(s['sensitivity'], 3)} (a full pool with one positive "
            f"{_fmt(s['pooled_sensitivity'], 3)}), specificity {_fmt(s['specificity'], 4)}",
            f"  false negatives        {_fmt(s['false_negatives'], 0):>10}  "
            f"({pct('missed_positive_share')} of positives with a result; Dorfman "
            f"{pct('dorfman_missed_positive_share')}; "
            f"{_fmt(s['false_negative_pools'], 0)} positive pools reported negative)",
            f"  false positives        {_fmt(s['false_positives'], 0):>10}  "
            f"({pct('false_positive_share')} of negatives with a result; Dorfman "
            f"{pct('dorfman_false_positive_share')}; "
            f"{_fmt(s['false_positive_pools'], 0)} negative pools reported positive)",
        ]
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


class RunFolderError(Exception):
    """The run folder cannot be used: it already holds a run, or it cannot be created or
    written. The message is one line naming the folder and what to do."""


#: What to do about a run folder that cannot be used (the end of a :class:`RunFolderError`).
_CHOOSE = (
    "choose another run folder (on the command line: hydra.run.dir=<new folder>, or "
    "hydra.sweep.dir=<new folder> for a multirun)"
)


def check_run_folder(out_dir: Path) -> None:
    """Check, before simulating, that ``out_dir`` can become a new run folder.

    It may be missing (it is then created by :func:`write_run`, so its nearest existing
    ancestor must be a folder this process may write to) or an empty folder this process may
    write to. Nothing is created.

    Raises
    ------
    RunFolderError
        If ``out_dir`` already holds anything (a run folder is never reused, even if it holds
        only Hydra's ``.hydra/``), is not a folder, or could not be created or written.
    """
    out_dir = Path(out_dir)
    if os.path.lexists(out_dir):
        if not os.path.isdir(out_dir):
            raise RunFolderError(f"run folder {out_dir} is a file, not a folder: {_CHOOSE}")
        try:
            entries = sorted(os.listdir(out_dir))
        except OSError as err:
            raise RunFolderError(
                f"run folder {out_dir} cannot be read ({err.strerror}): {_CHOOSE}"
            ) from None
        if entries:
            shown = ", ".join(entries[:3]) + (", ..." if len(entries) > 3 else "")
            raise RunFolderError(
                f"run folder {out_dir} already exists and holds {shown}; a run never reuses a "
                f"folder: {_CHOOSE}, or move that folder away"
            )
        if not os.access(out_dir, os.W_OK | os.X_OK):
            raise RunFolderError(f"run folder {out_dir} is not writable (no permission): {_CHOOSE}")
        return
    ancestor = out_dir.parent
    while not os.path.lexists(ancestor) and ancestor != ancestor.parent:
        ancestor = ancestor.parent
    if not os.path.isdir(ancestor):
        raise RunFolderError(
            f"run folder {out_dir} cannot be created: {ancestor} is a file, not a folder; {_CHOOSE}"
        )
    if not os.access(ancestor, os.W_OK | os.X_OK):
        raise RunFolderError(
            f"run folder {out_dir} cannot be created: no permission to write in {ancestor}; "
            f"{_CHOOSE}"
        )


def atomic_write(path: Path, write: Callable[[Path], object]) -> Path:
    """Write ``path`` through a temporary file and rename it; refuse to overwrite.

    ``write`` writes the temporary file (``.<name>.part`` beside ``path``); if it fails, the
    temporary file is removed and ``path`` is not created.

    Raises
    ------
    FileExistsError
        If ``path`` already exists.
    """
    if path.exists():
        raise FileExistsError(f"{path} exists; a run never overwrites its outputs")
    tmp = _part(path)
    try:
        write(tmp)
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()
    return path


def _part(path: Path) -> Path:
    """The temporary file :func:`atomic_write` writes ``path`` through."""
    return path.with_name(f".{path.name}.part")


def _json_safe(x: Any) -> Any:
    """``x`` with NaN and infinities as None (JSON ``null``) and numpy scalars and arrays as
    plain Python values, through dicts, lists and tuples."""
    if isinstance(x, dict):
        return {k: _json_safe(v) for k, v in x.items()}
    if isinstance(x, list | tuple):
        return [_json_safe(v) for v in x]
    if isinstance(x, np.ndarray):
        return _json_safe(x.tolist())
    if isinstance(x, np.generic):
        x = x.item()
    if isinstance(x, float) and not math.isfinite(x):
        return None
    return x


def _summary_json(summary: dict[str, Any]) -> str:
    """``summary`` as strict JSON text, as written to ``summary.json``: a value that is not a
    number (NaN, e.g. the green channel's waits when nobody used it) or infinite is ``null``."""
    return json.dumps(_json_safe(summary), indent=2, allow_nan=False) + "\n"


def write_run(
    out_dir: Path,
    config: ScenarioConfig,
    results: Sequence[RunResult],
    warnings: Sequence[str] = (),
    verdicts: Sequence[Verdict] = (),
    accept_undecided: bool = False,
    *,
    report: ReportInfo | None = None,
) -> list[Path]:
    """Write the run folder: config, tables, per-resident table, figures, the HTML report
    and the summary.

    With ``verdicts`` (the config's targets judged, :func:`sim.experiment.targets.
    evaluate_targets`) it also writes ``targets.csv`` and ``targets.xml`` (JUnit: a missed
    target is a failure, so is an undecided one unless ``accept_undecided``), and lists them
    in ``summary.json`` under ``"targets"``.

    The folder is created if missing. Each file is written completely or not at all (a
    temporary file, then a rename) and ``summary.json`` is written last: **a folder holding
    ``summary.json`` is complete**; one without it is from a run that failed or was killed
    while writing (its other files may be missing). ``config`` and ``results`` are not
    changed (the ``replication`` column of the tables is added to copies).

    Hydra's ``.hydra/`` folder and ``*.log`` file may already be in ``out_dir`` and any other
    file is left alone, but nothing is written if one of the files this run writes (or its
    temporary file) already exists. A command-line run checks the folder with
    :func:`check_run_folder` before simulating.

    ``config.yaml`` is the whole config as run, with a defaults list naming the shipped
    Hydra settings, so that ``python -m sim --config-dir <run folder>`` re-runs it exactly.
    ``warnings`` (unusual settings, :func:`sim.config.cautions.config_warnings`) are listed
    in ``summary.json`` under ``"warnings"``.

    ``report.html`` (:func:`sim.plots.html_report.run_report_html`) is one self-contained page
    with the verdicts, headline, tables, warnings and every figure embedded (the same PNG
    bytes as the ``.png`` files: each figure is drawn once). ``report`` says how the run was
    made: its command line, the default config to list differences from, the version and
    the date; without it the page has no command, no differences and no date (so writing the
    same results twice gives the same folder). It is written just before ``summary.json``.

    Returns the paths written, in the order written (``summary.json`` last).

    Raises
    ------
    RunFolderError
        If ``out_dir`` cannot be created or written, or already holds a file this run writes.
    """

    if not results:
        raise ValueError("write_run needs the results of at least one replication")
    out_dir = Path(out_dir)
    _make_run_folder(out_dir)
    figures = _FigurePngs(_figure_makers(config, results) if config.output.figures else [])
    figures.start()  # a helper process draws figures while the tables are made and written
    try:
        return write_files(
            out_dir,
            _run_files(
                out_dir, config, results, verdicts, warnings, accept_undecided, report, figures
            ),
            lambda names: _taken_message(out_dir, names),
            figures,
        )
    finally:
        figures.stop()


def _run_files(
    out_dir: Path,
    config: ScenarioConfig,
    results: Sequence[RunResult],
    verdicts: Sequence[Verdict],
    warnings: Sequence[str],
    accept_undecided: bool,
    report: ReportInfo | None,
    figures: _FigurePngs,
) -> list[tuple[str, Callable[[Path], object]]]:
    """The files of a run folder, in the order written (``summary.json`` last)."""
    import pandas as pd
    import yaml

    files: list[tuple[str, Callable[[Path], object]]] = []

    def text(name: str, content: str) -> None:
        files.append((name, lambda p: p.write_text(content, "utf-8")))

    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)  # libyaml: same text, 3x faster
    text(
        "config.yaml",
        rerun_header(config)
        + yaml.dump(_as_plain(dataclasses.asdict(config)), Dumper=dumper, sort_keys=False),
    )
    if len(results) > 1:
        per_replication = pd.DataFrame([r.summary() for r in results])
        files.append(("replications.csv", _csv_writer(per_replication)))
    # points, hours, staff; and labs, lab_backlog when the run has a sample chain
    tables: dict[str, list[pd.DataFrame]] = {}
    for r in results:
        for name, frame in r.tables().items():
            tables.setdefault(name, []).append(_with_replication(frame, r.replication))
    for name, frames in tables.items():
        files.append((f"{name}.csv", _csv_writer(pd.concat(frames, ignore_index=True))))
    if config.output.residents_table:
        fmt = residents_format(config)
        files.append((f"residents.{fmt}", _residents_writer(results, fmt)))
    pngs: dict[str, bytes] = {}  # each figure's bytes as written, for the report
    files += [(name, _figure_file_writer(figures, name, pngs)) for name in figures.names]
    if verdicts:
        files.append(("targets.csv", _csv_writer(verdicts_frame(verdicts))))
        text("targets.xml", junit_xml(verdicts, f"targets.{config.name}", accept_undecided))
    files.append(("report.html", _report_writer(config, results, verdicts, pngs, warnings, report)))
    summary = {
        **aggregate(results),
        "warnings": list(warnings),
        "targets": verdicts_frame(verdicts).to_dict("records") if verdicts else [],
    }
    text("summary.json", _summary_json(summary))  # last: marks the folder complete
    return files


def write_files(
    out_dir: Path,
    files: Sequence[tuple[str, Callable[[Path], object]]],
    taken: Callable[[Sequence[str]], str],
    figures: _FigurePngs | None = None,
) -> list[Path]:
    """Write ``files`` (name, writer) into ``out_dir`` in order, each atomically, or nothing
    at all when one of them (or its temporary file) is there already: then
    :class:`RunFolderError` with ``taken(names)``. ``figures`` (drawn in a helper process
    while the other files are written) is started and stopped around the writing."""
    there = [
        path.name
        for name, _ in files
        for path in (out_dir / name, _part(out_dir / name))
        if os.path.lexists(path)
    ]
    if there:
        if figures is not None:
            figures.stop()
        raise RunFolderError(taken(there))
    written: list[Path] = []
    if figures is not None:
        figures.start()  # (no-op when already started) figures drawn while tables are written
    try:
        for name, write in files:
            try:
                written.append(atomic_write(out_dir / name, write))
            except FileExistsError:  # appeared since the check: another writer is here
                raise RunFolderError(taken([name])) from None
    finally:
        if figures is not None:
            figures.stop()
    return written


def rerun_header(config: ScenarioConfig) -> str:
    """Head of a run folder's ``config.yaml``: how to re-run it, and the defaults list that
    brings the shipped Hydra settings (help, logging, run folders) to a re-run."""
    from sim import __version__

    return (
        f"# masstest-sim {__version__}: the config of this run (seed {config.seed}, "
        f"{config.replications} replication(s)).\n"
        "# Re-run it exactly: python -m sim --config-dir <this folder>\n"
        "defaults:\n  - masstest_hydra\n  - _self_\n\n"
    )


def _taken_message(out_dir: Path, names: Sequence[str]) -> str:
    shown = ", ".join(names[:3]) + (", ..." if len(names) > 3 else "")
    return (
        f"run folder {out_dir} already holds {shown} (another run's output); a run never "
        f"overwrites another: {_CHOOSE}"
    )


def _make_run_folder(out_dir: Path) -> None:
    """Create ``out_dir`` if missing and check it can be written (RunFolderError if not)."""
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise RunFolderError(f"run folder {out_dir} is a file, not a folder: {_CHOOSE}") from None
    except OSError as err:
        raise RunFolderError(
            f"run folder {out_dir} cannot be created ({err.strerror}): {_CHOOSE}"
        ) from None
    if not os.access(out_dir, os.W_OK | os.X_OK):
        raise RunFolderError(f"run folder {out_dir} is not writable (no permission): {_CHOOSE}")


def _with_replication(frame: pd.DataFrame, replication: int) -> pd.DataFrame:
    """A copy of ``frame`` with a first column ``replication`` (``frame`` is unchanged)."""
    out = frame.copy(deep=False)
    out.insert(0, "replication", replication)
    return out


def residents_format(config: ScenarioConfig) -> str:
    """The format of the run folder's per-resident table (``output.residents_format``)."""
    return config.output.residents_format


def _residents_writer(results: Sequence[RunResult], fmt: str = "parquet") -> Callable[[Path], None]:
    """Writes the per-resident tables of all replications, one after the other, with a first
    column ``replication``.

    ``parquet`` (``residents.parquet``): the columns keep their types (categoricals as Parquet
    dictionaries, booleans, integers, floats with NaN as null); read back with
    ``pandas.read_parquet``. ``csv`` (``residents.csv``, on request): times rounded to
    3 decimals (a thousandth of a minute), empty where not reached.
    """
    if fmt not in RESIDENTS_FORMATS:
        raise ValueError(f"residents format must be one of {RESIDENTS_FORMATS}, got {fmt!r}")

    def write(path: Path) -> None:
        import pandas as pd

        frames = [_with_replication(r.residents, r.replication) for r in results]
        table = frames[0] if len(frames) == 1 else pd.concat(frames, ignore_index=True)
        if fmt == "parquet":
            table.to_parquet(path, engine="pyarrow", index=False)
        else:
            _write_csv_fast(table, path, decimals=3)

    return write


def _write_csv_fast(frame: pd.DataFrame, path: Path, decimals: int) -> None:
    """``frame`` as CSV through Arrow's writer: floats rounded to ``decimals`` (shortest text
    that reads back as the rounded value), NaN and missing values empty, categories as their
    labels, booleans ``true``/``false``; several times faster than ``DataFrame.to_csv`` with
    a ``float_format`` (one Python call per value)."""
    import pandas as pd
    import pyarrow as pa
    import pyarrow.csv as pa_csv

    columns = {}
    for name in frame.columns:
        col = frame[name]
        if isinstance(col.dtype, pd.CategoricalDtype):
            values = np.asarray(col.cat.categories, dtype=object)
            codes = col.cat.codes.to_numpy()
            labels = pa.array(values.astype(str), type=pa.string())
            array = pa.DictionaryArray.from_arrays(
                pa.array(codes, mask=codes < 0), labels
            ).dictionary_decode()
        elif col.dtype.kind == "f":
            array = pa.array(np.round(col.to_numpy(dtype=float), decimals), from_pandas=True)
        else:
            array = pa.array(col.to_numpy(), from_pandas=True)
        columns[str(name)] = array
    pa_csv.write_csv(pa.table(columns), path)


def _figure_makers(
    config: ScenarioConfig, results: Sequence[RunResult]
) -> list[tuple[str, Callable[[], Figure]]]:
    """The figures of the run folder, by file name, each as a function giving the figure (a
    district's and the labs' are drawn as sets, here, with bands over the replications where
    a curve has one; a single point's one by one, of the first replication, when asked for).

    Every figure shows every round (a panel or a colour per round when the campaign has
    several), and a campaign of several rounds adds ``campaign_tests.png`` (tests per
    campaign day, stacked by round) first; mobile teams add ``mobile_teams.png`` (employees
    swabbed per campaign day, by team)."""
    from sim.plots.lab_figures import lab_figure_set_over

    result = results[0]
    out: list[tuple[str, Callable[[], Figure]]] = []
    if len(result.rounds) > 1:
        from sim.plots.district_figures import campaign_tests_figure

        out.append(("campaign_tests.png", lambda: campaign_tests_figure(results)))
    if len(config.points) > 1:
        from sim.plots.district_figures import district_figure_set_over

        out += [(name, _given(fig)) for name, fig in district_figure_set_over(results).items()]
    else:
        from sim.plots import figures

        for name, make in (
            ("queue_length.png", figures.queue_length_figure),
            ("wait_distribution.png", figures.wait_distribution_figure),
            ("utilisation.png", figures.utilisation_figure),
        ):
            out.append((name, _lazy(make, result)))
    if result.mobile is not None:
        from sim.plots.mobile_figures import mobile_teams_figure

        out.append(("mobile_teams.png", lambda: mobile_teams_figure(results)))
    # none without labs
    out += [(name, _given(fig)) for name, fig in lab_figure_set_over(results).items()]
    return out


def _given(fig: Figure) -> Callable[[], Figure]:
    return lambda: fig


def _lazy(make: Callable[[RunResult], Figure], result: RunResult) -> Callable[[], Figure]:
    return lambda: make(result)


def _figure_file_writer(
    figures: _FigurePngs, name: str, keep: dict[str, bytes]
) -> Callable[[Path], None]:
    """Writes figure ``name``'s PNG (from ``figures``) and keeps its bytes for the report."""

    def write(path: Path) -> None:
        data = figures.png(name)
        path.write_bytes(data)
        keep[name] = data

    return write


#: Draw the run folder's figures in two processes at once (this one and a forked helper)
#: where that is safe and can help: on Linux, with two CPUs or more, outside a daemonic
#: process. False: always in this process, one after the other (the PNGs are the same).
PARALLEL_FIGURES = True


def _can_fork_helper() -> bool:
    import multiprocessing
    import sys

    if not PARALLEL_FIGURES or not sys.platform.startswith("linux"):
        return False
    if "fork" not in multiprocessing.get_all_start_methods():
        return False
    if multiprocessing.current_process().daemon:  # may not have children
        return False
    try:
        cpus = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cpus = os.cpu_count() or 1
    return cpus >= 2


class _FigurePngs:
    """The run folder's figures as PNG bytes, drawn by this process and, once started
    (:meth:`start`), by a forked helper process at the same time (matplotlib holds the GIL:
    a thread would not help).

    The helper draws figures from the front of the list and sends their bytes back; this
    process, when it needs a figure the helper has not sent yet, draws one from the back
    meanwhile. Each figure is drawn once, by one of them, from the same objects, so the bytes
    are those of drawing them all here. If the helper cannot start, fails or dies, this
    process draws whatever it has not received. A figure that cannot be drawn raises when it
    is asked for, as if they were drawn one after the other.
    """

    def __init__(self, makers: Sequence[tuple[str, Callable[[], Figure]]]) -> None:
        self.names = [name for name, _ in makers]
        self._makers = [make for _, make in makers]
        self._done: dict[int, bytes | Exception] = {}  # drawn (or failed), not yet asked for
        self._proc: Any = None
        self._conn: Any = None
        self._claims: Any = None  # shared [front, back): figures neither process took yet
        self._lock: Any = None

    def start(self) -> None:
        """Start the helper process, where it can help (see :data:`PARALLEL_FIGURES`)."""
        if self._proc is not None or len(self.names) < 2 or not _can_fork_helper():
            return
        import multiprocessing
        import sys
        import warnings

        ctx = multiprocessing.get_context("fork")
        self._claims = ctx.RawArray("i", [0, len(self.names)])
        self._lock = ctx.Lock()
        receive, send = ctx.Pipe(duplex=False)
        for stream in (sys.stdout, sys.stderr):  # a forked child would print them again
            if stream is not None:
                stream.flush()
        proc = ctx.Process(target=self._helper, args=(send,), name="masstest-figures", daemon=True)
        try:
            with warnings.catch_warnings():  # Python 3.12+: numpy's BLAS threads
                warnings.filterwarnings("ignore", ".*fork.*", DeprecationWarning)
                proc.start()
        except Exception:  # no helper: every figure is drawn here
            receive.close()
            send.close()
            self._claims = self._lock = None
            return
        send.close()  # the helper's end: a dead helper then reads as end of file
        self._proc, self._conn = proc, receive

    def png(self, name: str) -> bytes:
        """Figure ``name``'s PNG bytes (each figure is asked for once)."""
        k = self.names.index(name)
        while k not in self._done:
            if self._conn is None:  # no helper (any more): draw it here
                return self._draw(k)
            if self._receive(block=False):
                continue
            if (j := self._claim(front=False)) is not None:
                try:  # the helper is busy: draw one from the back meanwhile
                    self._done[j] = self._draw(j)
                except Exception as err:  # raised when that figure is asked for
                    self._done[j] = err
            elif not self._receive(block=True):  # all taken: wait for the helper's figure
                self.stop()
        done = self._done.pop(k)
        if isinstance(done, Exception):
            raise done
        return done

    def stop(self) -> None:
        """End the helper (after its last figure, or now) and release the pipe."""
        proc, conn = self._proc, self._conn
        self._proc = self._conn = None
        if self._claims is not None:  # nothing more for the helper to take
            with self._lock:
                self._claims[0] = self._claims[1]
        if conn is not None:
            conn.close()
        if proc is not None:
            proc.join(timeout=5.0)
            if proc.is_alive():
                proc.terminate()
                proc.join()

    def _draw(self, k: int) -> bytes:
        return _png_bytes(self._makers[k]())

    def _claim(self, front: bool) -> int | None:
        """Take the next figure nobody has taken, from the front (the helper) or the back."""
        with self._lock:
            lo, hi = self._claims[0], self._claims[1]
            if lo >= hi:
                return None
            if front:
                self._claims[0] = lo + 1
                return int(lo)
            self._claims[1] = hi - 1
            return int(hi - 1)

    def _receive(self, block: bool) -> bool:
        """Take one message from the helper: True if one came, False if none was waiting
        (``block``: if the helper is gone)."""
        try:
            if not block and not self._conn.poll():
                return False
            k, data = self._conn.recv()
        except (EOFError, OSError):
            return False
        if k is None:  # the helper failed (its traceback): draw the rest here
            import logging

            logging.getLogger(__name__).debug("figure helper failed:\n%s", data)
            self.stop()
            return True
        self._done[k] = data
        return True

    def _helper(self, conn: Any) -> None:
        """In the forked process: draw figures from the front until none is left."""
        import contextlib
        import traceback

        try:
            while (k := self._claim(front=True)) is not None:
                conn.send((k, self._draw(k)))
        except BaseException:
            with contextlib.suppress(OSError):  # the parent stopped listening
                conn.send((None, traceback.format_exc()))
        finally:
            conn.close()


def _report_writer(
    config: ScenarioConfig,
    results: Sequence[RunResult],
    verdicts: Sequence[Verdict],
    pngs: dict[str, bytes],
    warnings: Sequence[str],
    report: ReportInfo | None,
) -> Callable[[Path], None]:
    """Writes ``report.html`` from the figures' bytes kept in ``pngs`` (written before it)."""

    def write(path: Path) -> None:
        from sim.plots.html_report import ReportInfo, config_differences, run_report_html

        info = report if report is not None else ReportInfo()
        diff = None if info.default is None else config_differences(config, info.default)
        page = run_report_html(
            config,
            results,
            verdicts,
            pngs,
            warnings,
            command=info.command,
            config_diff=diff,
            version=info.version,
            created=info.created,
            note=info.note,
        )
        path.write_text(page, "utf-8")

    return write


def _csv_writer(frame: pd.DataFrame) -> Callable[[Path], None]:
    def write(path: Path) -> None:
        frame.to_csv(path, index=False)

    return write


#: Resolution of the run folder's PNG figures.
FIGURE_DPI = 110


def _png_writer(fig: Figure) -> Callable[[Path], None]:
    """Saves ``fig`` as PNG (Agg, drawn once)."""

    def write(path: Path) -> None:
        path.write_bytes(_png_bytes(fig))

    return write


def _png_bytes(fig: Figure) -> bytes:
    """``fig`` drawn by the Agg canvas into PNG bytes (no GUI backend, no pyplot)."""
    import io

    from matplotlib.backends.backend_agg import FigureCanvasAgg

    if not isinstance(fig.canvas, FigureCanvasAgg):
        FigureCanvasAgg(fig)
    buf = io.BytesIO()
    fig.savefig(buf, dpi=FIGURE_DPI, format="png")
    return buf.getvalue()


def _as_plain(x: Any) -> Any:
    if isinstance(x, dict):
        return {k: _as_plain(v) for k, v in x.items()}
    if isinstance(x, list | tuple):
        return [_as_plain(v) for v in x]
    return x

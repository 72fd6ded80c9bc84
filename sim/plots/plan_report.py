"""The staffing plan on disk: a plan folder, like a run folder (:mod:`sim.plots.report`).

:func:`write_plan` writes a :class:`~sim.planning.plan.StaffingPlan` into its own folder:

``plan.csv``
    :meth:`StaffingPlan.table`: per point, role, day and hour, the mean arrivals, the staff
    required and the staff the planned roster has serving.
``roster.yaml``
    The planned rosters and the desks and booths they need, as a config fragment (a
    ``layout``): copied into ``<config folder>/layout/``, it applies the plan to the scenario
    it was planned for (see the comment at its top and :func:`roster_fragment`).
``config.yaml``
    The whole planned config: ``python -m sim --config-dir <plan folder>`` runs the planned
    layout as is (like a run folder's ``config.yaml``).
``staffing_<point>.png``, ``staffing_district.png``
    Per point, staff by hour (:func:`sim.plots.staffing_figures.point_staffing_figure`), and
    person-hours per point, current and planned
    (:func:`~sim.plots.staffing_figures.district_staffing_figure`).
``verification.csv``, ``targets.csv``
    When the plan was verified: per layout (current, planned) and replication, the values of
    the targets' metrics and the person-hours; and the verdicts on the targets of both
    layouts.
``plan.html``
    One self-contained page: the district summary, the verdicts of both layouts side by side,
    a table per point and role, and every figure embedded.
``summary.json``
    :meth:`StaffingPlan.summary` with the verdicts; strict JSON (NaN as ``null``), written
    last, so a folder holding it is complete.

The rules are those of a run folder (:func:`sim.plots.report.write_run`): the folder is
created if missing, each file is written completely or not at all (a temporary file, then a
rename), no file is ever overwritten (nothing is written if one of the files already exists:
:class:`~sim.plots.report.RunFolderError`), other files in the folder are left alone.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
import re
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import numpy as np

from sim.metrics.targets import MET, MISSED, NO_DATA, UNDECIDED, Verdict, target_values
from sim.plots.report import (
    _as_plain,
    _csv_writer,
    _FigurePngs,
    _make_run_folder,
    _summary_json,
    rerun_header,
    write_files,
)
from sim.plots.verdicts import shown, verdicts_frame

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.figure import Figure

    from sim.config.schema import SiteConfig
    from sim.config.staffing import RoleRosterConfig
    from sim.planning.budget import BudgetPlan
    from sim.planning.plan import StaffingPlan

#: The file of the district figure.
DISTRICT_FIGURE: Final = "staffing_district.png"
#: The layouts a plan is verified with, in the order shown.
LAYOUTS: Final = ("current", "planned")
#: Metrics of the verification table besides the targets' (means in :meth:`StaffingPlan.summary`).
VERIFICATION_METRICS: Final = ("coverage", "wait_mean_min", "wait_p95_min", "longest_queue")
#: The desks/booths field of a site staffed by each role.
_PHYSICAL: Final = {"registration": "registration_desks", "swab": "swab_booths"}
#: Service levels in words: (label, unit kind).
_LEVEL_TEXT: Final = {
    "wait_p95_min": ("95th percentile wait at each point", "minutes"),
    "wait_mean_min": ("mean wait at each point", "minutes"),
    "share_waited": ("share of residents who wait, at each point", "share"),
    "share_not_tested": ("share of a point's residents not tested there", "share"),
}


# --------------------------------------------------------------------------------------------
# Tables read off the plan


def figure_files(plan: StaffingPlan) -> dict[str, str]:
    """The PNG file of each point's figure: ``staffing_<name>.png``, the name made file-safe
    (letters, digits, ``.``, ``-`` and ``_``; anything else as ``_``), with ``_2``, ``_3``,
    ... where two names would give the same file (ignoring case) or the district's."""
    taken = {DISTRICT_FIGURE.casefold()}
    out: dict[str, str] = {}
    for req in plan.requirements:
        safe = re.sub(r"[^\w.-]+", "_", req.name).strip("._") or "point"
        name = f"staffing_{safe}.png"
        k = 2
        while name.casefold() in taken:
            name = f"staffing_{safe}_{k}.png"
            k += 1
        taken.add(name.casefold())
        out[req.name] = name
    return out


def person_hours_table(plan: StaffingPlan) -> pd.DataFrame:
    """Per point and role (registration, swab), person-hours over the round of the current
    and the planned rosters (every shift instance of the round, as
    :meth:`StaffingPlan.person_hours` counts them: the columns add up to its totals)."""
    import pandas as pd

    from sim.model.district import plan_layout

    hours: dict[tuple[str, str], dict[str, float]] = {}
    for layout, config in (("current", plan.current), ("planned", plan.config)):
        for point in plan_layout(config):
            staff = point.staffing
            roles = [(role, r) for role, r in (("swab", staff.swab),) if r is not None]
            if staff.registration is not None:
                roles.insert(0, ("registration", staff.registration))
            roles += list(staff.others)
            for role, schedule in roles:
                row = hours.setdefault((point.site.name, role), {})
                row[layout] = float(sum(s.staff * s.hours for s in schedule.shifts))
    return pd.DataFrame(
        [
            {
                "point": point,
                "role": role,
                "current": v.get("current", 0.0),
                "planned": v.get("planned", 0.0),
            }
            for (point, role), v in hours.items()
        ],
        columns=["point", "role", "current", "planned"],
    )


def current_staffing(plan: StaffingPlan, point_name: str) -> pd.DataFrame:
    """The current roster's open desks/booths at one point over each day of the plan's
    slots, as the model opens them (:func:`sim.model.collection_point.plan_point`: breaks,
    PPE rests and hand-overs included): per role and day (1-based), the steps ``start_h`` to
    ``end_h`` (hours after midnight of the day) with ``open`` desks/booths."""
    import pandas as pd

    from sim.model.collection_point import plan_point

    names = [req.name for req in plan.requirements]
    if point_name not in names:
        raise ValueError(f"the plan has no point {point_name!r}")
    k = names.index(point_name)
    req = plan.requirements[k]
    site = plan.current.points[k]
    staffing = plan_point(site, plan.current.campaign.round_days).staffing
    rows = []
    for role in req.stages:
        role_schedule = getattr(staffing, role)
        if role_schedule is None:
            continue
        schedule = role_schedule.schedule
        for day in sorted({int(d) for d in req.slots.day}):
            starts = req.slots.starts[req.slots.day == day]
            a, b = float(starts.min()), float(starts.max()) + req.slots.length_min
            cuts = [a, *(float(t) for t in schedule.times if a < t < b), b]
            midnight = 1440.0 * day
            for t0, t1 in itertools.pairwise(cuts):
                rows.append(
                    {
                        "role": role,
                        "day": day + 1,
                        "start_h": (t0 - midnight) / 60.0,
                        "end_h": (t1 - midnight) / 60.0,
                        "open": int(schedule.at(t0)),
                    }
                )
    return pd.DataFrame(rows, columns=["role", "day", "start_h", "end_h", "open"])


def points_table(plan: StaffingPlan) -> pd.DataFrame:
    """One row per point and planned role: person-hours (current, planned), the largest
    requirement and the most staff rostered, people and shifts of the planned roster, desks or
    booths (current, planned), the ISA's probability of waiting, iterations and whether it
    converged, the roster's solver status, and the p95 and mean waits the plan reached in
    its last ISA iteration."""
    import pandas as pd

    ph = person_hours_table(plan)
    hours = {
        (str(point), str(role)): (float(cur), float(new))
        for point, role, cur, new in zip(
            ph["point"], ph["role"], ph["current"], ph["planned"], strict=True
        )
    }
    rows = []
    for k, (req, rosters) in enumerate(zip(plan.requirements, plan.rosters, strict=True)):
        current_site = plan.current.points[k]
        planned_site = plan.config.points[k]
        for j, role in enumerate(req.stages):
            roster = rosters[role]
            ph_current, ph_planned = hours.get((req.name, role), (math.nan, math.nan))
            physical = _PHYSICAL[role]
            rows.append(
                {
                    "point": req.name,
                    "role": role,
                    "person_hours_current": ph_current,
                    "person_hours_planned": ph_planned,
                    "required_peak": int(np.max(req.staff[j])) if req.slots.n else 0,
                    "rostered_peak": int(np.max(roster.rostered)) if roster.n_slots else 0,
                    "people": int(roster.people),
                    "shifts": len(roster.shifts),
                    "physical_current": int(getattr(current_site, physical)),
                    "physical_planned": int(getattr(planned_site, physical)),
                    "alpha": float(req.alpha),
                    "iterations": int(req.iterations),
                    "converged": bool(req.converged),
                    "roster_status": roster.status,
                    "planned_wait_p95_min": float(req.level.get("wait_p95_min", math.nan)),
                    "planned_wait_mean_min": float(req.level.get("wait_mean_min", math.nan)),
                }
            )
    return pd.DataFrame(rows)


def plan_verdicts(plan: StaffingPlan) -> dict[str, list[Verdict]]:
    """The verdicts on the scenario's targets of each verified layout, ``current`` then
    ``planned`` (:meth:`StaffingPlan.verdicts`; empty when the plan was not verified)."""
    verdicts = plan.verdicts()
    return {layout: verdicts[layout] for layout in LAYOUTS if layout in verdicts}


def verification_table(plan: StaffingPlan) -> pd.DataFrame:
    """Per verified layout and replication: seed, the layout's person-hours, and the value of
    each target's metric (then those of :data:`VERIFICATION_METRICS` not among them)."""
    import pandas as pd

    metrics = list(dict.fromkeys(t.metric for t in plan.current.judged_targets))
    metrics += [m for m in VERIFICATION_METRICS if m not in metrics]
    need_points = any(m.startswith("worst_point_") for m in metrics)
    person_hours = plan.person_hours()
    rows = []
    for layout in LAYOUTS:
        for r in (plan.verification or {}).get(layout, []):
            values = target_values(r.summary(), r.tables()["points"] if need_points else None)
            rows.append(
                {
                    "layout": layout,
                    "replication": r.replication,
                    "seed": r.seed,
                    "person_hours": person_hours[layout],
                    **{m: values.get(m, math.nan) for m in metrics},
                }
            )
    return pd.DataFrame(rows, columns=["layout", "replication", "seed", "person_hours", *metrics])


def targets_table(verdicts: Mapping[str, Sequence[Verdict]]) -> pd.DataFrame:
    """The verdicts of each layout (:func:`sim.plots.verdicts.verdicts_frame`), with a first
    column ``layout``."""
    import pandas as pd

    frames = []
    for layout, vs in verdicts.items():
        frame = verdicts_frame(vs)
        frame.insert(0, "layout", layout)
        frames.append(frame)
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


# --------------------------------------------------------------------------------------------
# roster.yaml


def roster_fragment(plan: StaffingPlan) -> str:
    """``roster.yaml``: the planned rosters and desk/booth counts as a layout config file.

    A single-point scenario gets a ``site:`` block with its ``name``, ``registration_desks``,
    ``swab_booths`` and ``staffing`` (merged over the scenario's site). A district gets the
    whole ``sites:`` list (a layout's list replaces the scenario's): each point by name, its
    planned desks, booths and rosters, and its other fields where they differ from the
    ``site`` template (so that the points are the scenario's own). The staffing blocks are
    :func:`sim.planning.roster.roster_yaml`'s, with a comment per planned role.
    """
    import yaml

    from sim import __version__

    current, planned = plan.current, plan.config
    hours = plan.person_hours()
    change = hours["planned"] - hours["current"]
    head = [
        "# @package _global_",
        f"# masstest-sim {__version__}: the staffing plan of {current.name} (seed {current.seed}):",
        "# each point's planned rosters (registrars, swabbers) and the desks and booths they",
        "# need, from plan.csv's hourly requirements.",
        f"# Person-hours over the round: current {hours['current']:g}, planned "
        f"{hours['planned']:g} ({'+' if change > 0 else ''}{change:g}).",
        "# Use it as a layout of the scenario it was planned for: copy this file to",
        "#   <your config folder>/layout/planned_roster.yaml",
        "# and add layout=planned_roster to that scenario's command line, e.g.",
        "#   python -m sim --config-dir <your config folder> <the scenario's overrides> "
        "layout=planned_roster",
        "# (the whole planned config runs as is: python -m sim --config-dir <the plan folder>).",
        "# The comment above each staffing block: person-hours and people of one day's roster.",
    ]
    if not current.sites:
        site = planned.points[0]
        name = yaml.safe_dump({"name": site.name}, allow_unicode=True, width=100)
        body = "site:\n" + _indent(name + _site_block(plan, 0, site), 2)
        return "\n".join(head) + "\n" + body
    template = _as_plain(dataclasses.asdict(current.site))
    entries = []
    for k, site in enumerate(planned.points):
        fields = _as_plain(dataclasses.asdict(site))
        extra = {
            key: value
            for key, value in fields.items()
            if key not in ("name", "staffing", *_PHYSICAL.values())
            and not _same_value(value, template.get(key))
        }
        text = yaml.safe_dump(
            {"name": site.name}, sort_keys=False, allow_unicode=True, width=100
        ) + _site_block(plan, k, site)
        if extra:
            text += yaml.safe_dump(
                extra, sort_keys=False, allow_unicode=True, default_flow_style=False, width=100
            )
        lines = text.splitlines()
        entries.append("  - " + lines[0] + "\n" + _indent("\n".join(lines[1:]) + "\n", 4))
    return "\n".join(head) + "\nsites:\n" + "".join(entries)


def _site_block(plan: StaffingPlan, k: int, site: SiteConfig) -> str:
    """``registration_desks``, ``swab_booths`` and ``staffing`` of planned point ``k``: the
    planned roles' rosters (with :func:`~sim.planning.roster.roster_yaml`'s comments), and any
    other roster or ``marshals_per_shift`` that differs from what the fragment is merged over
    (the scenario's site, or a district's ``site`` template)."""
    from sim.planning.roster import RosterPlan, roster_yaml

    base = plan.current.site if plan.current.sites else plan.current.points[k]
    rosters: dict[str, RosterPlan | RoleRosterConfig] = {}
    for role in ("registration", "swab"):
        if role in plan.rosters[k]:
            rosters[role] = plan.rosters[k][role]
        elif getattr(site.staffing, role) != getattr(base.staffing, role):
            rosters[role] = getattr(site.staffing, role)
    block = roster_yaml(rosters) if rosters else ""
    if site.staffing.marshals_per_shift != base.staffing.marshals_per_shift:
        block = (block or "staffing:\n") + (
            f"  marshals_per_shift: {site.staffing.marshals_per_shift}\n"
        )
    counts = "".join(f"{field}: {int(getattr(site, field))}\n" for field in _PHYSICAL.values())
    return counts + block


def _indent(text: str, n: int) -> str:
    pad = " " * n
    return "".join(pad + line if line.strip() else line for line in text.splitlines(True))


def _same_value(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return bool(a == b)


def _config_yaml(plan: StaffingPlan) -> str:
    """``config.yaml``: the whole planned config, with the defaults list of a run folder's."""
    import yaml

    hours = plan.person_hours()
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    return (
        f"# The planned config of {plan.current.name}: every point with its planned rosters,\n"
        f"# desks and booths (person-hours over the round: current {hours['current']:g}, "
        f"planned {hours['planned']:g}).\n"
        "# Run the planned layout: python -m sim --config-dir <this folder>\n"
        + rerun_header(plan.config)
        + yaml.dump(_as_plain(dataclasses.asdict(plan.config)), Dumper=dumper, sort_keys=False)
    )


# --------------------------------------------------------------------------------------------
# plan.html


_EXTRA_CSS: Final = """
td.met { background: #d9f0d9; color: #175317; font-weight: bold; }
td.missed { background: #f7d4d4; color: #7d1a1a; font-weight: bold; }
td.undecided { background: #fbeec2; color: #5e4700; font-weight: bold; }
td.nodata { background: #e4e4e4; color: #333; font-weight: bold; }
@media print { td.met, td.missed, td.undecided, td.nodata {
  -webkit-print-color-adjust: exact; print-color-adjust: exact; } }
"""
_VERDICT_CLASS: Final = {MET: "met", MISSED: "missed", UNDECIDED: "undecided", NO_DATA: "nodata"}
#: The per-point table of the page: (column, heading, kind).
_POINT_COLUMNS: Final = (
    ("point", "point", "text"),
    ("role", "role", "text"),
    ("person_hours_current", "person-hours current", "count"),
    ("person_hours_planned", "person-hours planned", "count"),
    ("required_peak", "peak required", "count"),
    ("rostered_peak", "peak rostered", "count"),
    ("people", "people", "count"),
    ("shifts", "shifts", "count"),
    ("physical_current", "desks/booths current", "count"),
    ("physical_planned", "desks/booths planned", "count"),
    ("alpha", "ISA P(wait)", "auto"),
    ("iterations", "ISA iterations", "count"),
    ("converged", "converged", "text"),
    ("roster_status", "roster", "text"),
    ("planned_wait_p95_min", "p95 wait planned (min)", "number"),
)
_SUMMARY_METRICS: Final = (
    ("coverage", "Coverage by the end of the round", "share"),
    ("wait_mean_min", "Mean wait, tested residents (min)", "minutes"),
    ("wait_p95_min", "95th percentile wait (min)", "minutes"),
    ("longest_queue", "Longest entrance line (people)", "count"),
)


def plan_report_html(
    plan: StaffingPlan,
    figures: Mapping[str, bytes],
    *,
    command: str = "",
    version: str | None = None,
) -> str:
    """The plan's page (``plan.html``): one self-contained HTML5 page, in the style of a run's
    ``report.html`` (:mod:`sim.plots.html_report`), with ``figures`` (PNG bytes by file name)
    embedded in their order."""
    from sim.plots.html_report import _e, _facts, _frame_table, _package_version, _page

    version = _package_version() if version is None else version
    current = plan.current
    summary = plan.summary()
    verdicts = plan_verdicts(plan)
    title = f"{current.name}: masstest-sim staffing plan"
    points = points_table(plan)
    shown_points = points.assign(converged=points["converged"].map({True: "yes", False: "no"}))
    sections = [
        ("summary", "District summary", _summary_section(plan, summary)),
        ("targets", "Targets: current and planned", _verdicts_section(verdicts, summary)),
        (
            "points",
            "Points",
            '<p class="note">Per point and role (every slot: plan.csv). Person-hours over the '
            "round; peak: the most staff required in a slot and the most the planned roster "
            "has serving; ISA: the probability of waiting the hourly requirement keeps, the "
            "iterations and whether the staffing stopped changing; p95 wait planned: the "
            "point's own replications in the ISA's last iteration.</p>"
            + f'<div class="wide">{_frame_table(shown_points, _POINT_COLUMNS, limit=None)}</div>',
        ),
        ("use", "Using the plan", _use_section()),
        ("figures", "Figures", _figure_list(figures, _captions(plan), _e)),
    ]
    header = _facts(
        [
            ("Scenario", current.name),
            ("Description", current.description or "-"),
            ("Package", f"masstest-sim {version}"),
            ("Seed", str(current.seed)),
            ("Command", command or "not recorded (written from Python)"),
        ],
        code={"Command"} if command else set(),
    )
    page = _page(title, f"Staffing plan: {current.name}", header, sections)
    return page.replace("</style>", _EXTRA_CSS + "</style>", 1)


def _level_text(metric: str, value: float) -> str:
    label, kind = _LEVEL_TEXT.get(metric, (metric, "number"))
    shown_value = f"{value:.1%}" if kind == "share" else f"{value:g} min"
    return f"{label} <= {shown_value}"


def _summary_section(plan: StaffingPlan, summary: Mapping[str, Any]) -> str:
    from sim.plots.html_report import _facts

    current, planned = summary["person_hours_current"], summary["person_hours_planned"]
    change = planned - current
    verified = {k: len(v) for k, v in (plan.verification or {}).items() if v}
    rows = [
        ("Points planned", f"{summary['points']:,}"),
        ("Person-hours, current rosters", f"{current:,.0f}"),
        ("Person-hours, planned rosters", f"{planned:,.0f}"),
        (
            "Person-hours saved" if change <= 0 else "Person-hours added",
            f"{abs(change):,.0f}" + (f" ({abs(change) / current:.1%})" if current > 0 else ""),
        ),
        ("Levels planned for", "; ".join(_level_text(m, v) for m, v in plan.levels.items())),
        ("Replications per point", f"{plan.replications}"),
        ("Replications simulated in planning", f"{summary['simulated_replications']:,}"),
        (
            "Verification",
            ", ".join(f"{k}: {n} replications" for k, n in verified.items())
            if verified
            else "not verified",
        ),
    ]
    return (
        '<p class="note">Person-hours count every shift of the registration and swab rosters '
        "over the round; the planned rosters repeat daily.</p>" + _facts(rows, set())
    )


def _verdicts_section(verdicts: Mapping[str, Sequence[Verdict]], summary: Mapping[str, Any]) -> str:
    from sim.plots.html_report import _e, _metric

    if not verdicts:
        return "<p>The plan was not verified (verify_replications=0): no verdicts.</p>"
    layouts = [layout for layout in LAYOUTS if layout in verdicts]
    first = next(iter(verdicts.values()))
    out = []
    if first:
        n, level = first[0].n, first[0].level
        by_label = {layout: {v.target.label: v for v in verdicts[layout]} for layout in layouts}
        labels = list(dict.fromkeys(v.target.label for vs in verdicts.values() for v in vs))
        heads = "<th>target</th>" + "".join(
            f"<th>{_e(layout)}: mean ± half-width</th><th>{_e(layout)}: verdict</th>"
            for layout in layouts
        )
        rows = []
        for label in labels:
            cells = f"<td>{_e(label)}</td>"
            for layout in layouts:
                v = by_label[layout].get(label)
                if v is None:
                    cells += "<td>-</td><td>-</td>"
                    continue
                cls = _VERDICT_CLASS.get(v.verdict, "nodata")
                cells += (
                    f'<td class="num">{_e(shown(v))}</td>'
                    f'<td class="verdict {cls}">{_e(v.verdict)}</td>'
                )
            rows.append(f"<tr>{cells}</tr>")
        out.append(
            f"<p>{level:.0%} confidence intervals over {n} replication{'s' if n != 1 else ''} "
            "of each layout, with the same random numbers: a target is <b>met</b> when the "
            "whole interval is on the right side of the bound, <b>missed</b> when it is all on "
            "the wrong side, <b>undecided</b> when it straddles the bound "
            "(verification.csv, targets.csv).</p>"
            f'<table class="verdicts"><thead><tr>{heads}</tr></thead>'
            f"<tbody>{''.join(rows)}</tbody></table>"
        )
    else:
        out.append("<p>This scenario sets no targets to judge.</p>")
    metric_rows = []
    for key, label, kind in _SUMMARY_METRICS:
        means = [summary.get(f"{layout}_{key}", math.nan) for layout in layouts]
        metric_rows.append(
            f"<tr><td>{_e(label)}</td>"
            + "".join(f'<td class="num">{_e(_metric(m, kind))}</td>' for m in means)
            + "</tr>"
        )
    heads = "<th>metric (mean over replications)</th>" + "".join(
        f"<th>{_e(layout)}</th>" for layout in layouts
    )
    out.append(
        "<h3>Waits, coverage and lines</h3>"
        f"<table><thead><tr>{heads}</tr></thead><tbody>{''.join(metric_rows)}</tbody></table>"
    )
    return "".join(out)


def _use_section() -> str:
    return (
        "<ul>"
        "<li>Run the planned layout as is: <code>python -m sim --config-dir &lt;this plan "
        "folder&gt;</code> (its <code>config.yaml</code> is the whole planned config).</li>"
        "<li>Apply the plan to the scenario it was planned for: copy <code>roster.yaml</code> "
        "to <code>&lt;your config folder&gt;/layout/planned_roster.yaml</code> and add "
        "<code>layout=planned_roster</code> to the scenario's command line.</li>"
        "<li>Hourly requirements and rostered staff of every point: <code>plan.csv</code>; "
        "the verification's replications: <code>verification.csv</code>.</li>"
        "</ul>"
    )


def _captions(plan: StaffingPlan) -> dict[str, str]:
    out = {DISTRICT_FIGURE: "Person-hours over the round per point, current and planned"}
    for point, name in figure_files(plan).items():
        out[name] = f"{point}: staff by hour, required, planned and current roster, and arrivals"
    return out


def _figure_list(
    figures: Mapping[str, bytes], captions: Mapping[str, str], escape: Callable[[object], str]
) -> str:
    import base64

    if not figures:
        return "<p>No figures.</p>"
    out = [
        '<p class="note">The same images are the PNG files in the plan folder. Per point: '
        "solid steps, the staff each role needs (the hourly requirement); dashed, the planned "
        "roster's staff serving; dotted, the current roster's open desks/booths; grey bars, "
        "residents arriving per slot (mean of the planning replications).</p>"
    ]
    for name, data in figures.items():
        src = "data:image/png;base64," + base64.b64encode(data).decode("ascii")
        caption = captions.get(name, "")
        text = f"<code>{escape(name)}</code>" + (f": {escape(caption)}" if caption else "")
        out.append(
            f'<figure><img src="{src}" alt="{escape(caption or name)}">'
            f"<figcaption>{text}</figcaption></figure>"
        )
    return "".join(out)


# --------------------------------------------------------------------------------------------
# The folder


def write_plan(
    plan: StaffingPlan, out_dir: Path | str, *, command: str | None = None
) -> list[Path]:
    """Write the plan folder (see the module docstring for its files).

    ``command`` is the command line that made the plan, shown in ``plan.html`` (None: not
    recorded). Returns the paths written, in the order written (``summary.json`` last).

    Raises
    ------
    RunFolderError
        If ``out_dir`` cannot be created or written, or already holds one of the files this
        writes (or its temporary file): then nothing is written.
    """
    from sim.plots.staffing_figures import district_staffing_figure, point_staffing_figure

    out_dir = Path(out_dir)
    _make_run_folder(out_dir)
    files: list[tuple[str, Callable[[Path], object]]] = []

    def text(name: str, content: str) -> None:
        files.append((name, lambda p: p.write_text(content, "utf-8")))

    files.append(("plan.csv", _csv_writer(plan.table())))
    text("roster.yaml", roster_fragment(plan))
    text("config.yaml", _config_yaml(plan))
    makers: list[tuple[str, Callable[[], Figure]]] = [
        (name, _point_maker(plan, point, point_staffing_figure))
        for point, name in figure_files(plan).items()
    ]
    makers.append((DISTRICT_FIGURE, lambda: district_staffing_figure(plan)))
    figures = _FigurePngs(makers)
    pngs: dict[str, bytes] = {}
    files += [(name, _keep_png(figures, name, pngs)) for name in figures.names]
    verdicts = plan_verdicts(plan)
    if verdicts:
        files.append(("verification.csv", _csv_writer(verification_table(plan))))
        if any(verdicts.values()):
            files.append(("targets.csv", _csv_writer(targets_table(verdicts))))

    def page(path: Path) -> None:
        shown_figures = {DISTRICT_FIGURE: pngs[DISTRICT_FIGURE]} if DISTRICT_FIGURE in pngs else {}
        shown_figures.update((k, v) for k, v in pngs.items() if k != DISTRICT_FIGURE)
        path.write_text(plan_report_html(plan, shown_figures, command=command or ""), "utf-8")

    files.append(("plan.html", page))
    summary = {
        **plan.summary(),
        "levels": dict(plan.levels),
        "verified": bool(verdicts),
        "verification_replications": {k: len(v) for k, v in (plan.verification or {}).items()},
        "targets": {
            layout: verdicts_frame(vs).to_dict("records") for layout, vs in verdicts.items()
        },
    }
    text("summary.json", _summary_json(summary))  # last: marks the folder complete
    return write_files(out_dir, files, lambda names: _taken(out_dir, names), figures)


def _taken(out_dir: Path, names: Sequence[str]) -> str:
    shown_names = ", ".join(names[:3]) + (", ..." if len(names) > 3 else "")
    return (
        f"plan folder {out_dir} already holds {shown_names} (another plan's output); a plan "
        "never overwrites another: choose another plan folder (masstest-sim plan --out <new "
        "folder>)"
    )


def _point_maker(
    plan: StaffingPlan, point: str, draw: Callable[[StaffingPlan, str], Figure]
) -> Callable[[], Figure]:
    return lambda: draw(plan, point)


def _keep_png(figures: _FigurePngs, name: str, keep: dict[str, bytes]) -> Callable[[Path], None]:
    def write(path: Path) -> None:
        data = figures.png(name)
        path.write_bytes(data)
        keep[name] = data

    return write


def write_budget(plan: BudgetPlan, out_dir: Path | str) -> list[Path]:
    """Write a budget allocation's folder: ``budget.csv`` (one row per point: service
    levels, peak staff, the marginal value of one more swabber or registrar),
    ``budget_hourly.csv`` (point, role, day, slot start, staff) and ``summary.json`` (last:
    the budget, the objective, the worst point and value, people moved by the greedy step).
    Never overwrites: raises :class:`RunFolderError` when a file is there already."""
    out_dir = Path(out_dir)
    _make_run_folder(out_dir)
    name, value = plan.worst
    summary = {
        "budget": dict(plan.budget),
        "objective": plan.objective,
        "metric": plan.metric,
        "worst_point": name,
        "worst_value": value,
        "points": len(plan.names),
        "greedy_moves": plan.greedy_steps,
    }
    files: list[tuple[str, Callable[[Path], object]]] = [
        ("budget.csv", _csv_writer(plan.table())),
        ("budget_hourly.csv", _csv_writer(plan.hourly())),
        ("summary.json", lambda p: p.write_text(_summary_json(summary), "utf-8")),
    ]
    return write_files(out_dir, files, lambda names: _taken(out_dir, names))

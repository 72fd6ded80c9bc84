"""One self-contained HTML page per run (``report.html``) and per multirun.

The page holds everything a planner reads about a run: the header (package version, seed,
replications, the command line, when it was written), the target verdicts, the headline
metrics, the config's differences from the default, the warnings, the main tables and every
figure, embedded as ``data:`` PNG images. It needs nothing else: no scripts, no style sheets
or fonts from elsewhere, no links out of the page, so it opens offline, can be mailed as one
file, and prints cleanly (``@media print`` rules keep figures and table rows whole).

Everything taken from the config or the results is escaped (:func:`html.escape`).
"""

from __future__ import annotations

import base64
import dataclasses
import html
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Final

from sim.config.clock import day_clock
from sim.config.schema import ScenarioConfig
from sim.experiment.result import RunResult
from sim.metrics.targets import MET, MISSED, NO_DATA, UNDECIDED, Verdict
from sim.plots.report import aggregate, format_summary
from sim.plots.verdicts import shown

if TYPE_CHECKING:
    import pandas as pd

#: The most rows :func:`config_differences` returns (the last one then says how many more).
MAX_DIFFERENCES: Final = 200
#: The most rows of a table shown in the page (the CSV files hold all of them).
MAX_TABLE_ROWS: Final = 60
#: Points shown, those with the longest mean wait first.
TOP_POINTS: Final = 15


def _package_version() -> str:
    from sim import __version__

    return __version__


@dataclass(frozen=True)
class ReportInfo:
    """What a run's ``report.html`` says beyond the results: how the run was made.

    Attributes
    ----------
    command
        The command line of the run (``""``: not recorded, e.g. a run from Python).
    default
        The config this run is compared with (its differences are listed); None: none.
    version
        The package version (this one's by default).
    created
        When the run was made (None: not shown, so that writing the same results twice gives
        the same page).
    note
        A line under the verdicts, e.g. why ``replications: auto`` stopped.
    """

    command: str = ""
    default: ScenarioConfig | None = None
    version: str = field(default_factory=_package_version)
    created: datetime | None = None
    note: str = ""


# --------------------------------------------------------------------------------------------
# The config's differences from the default


class _Absent:
    """A list entry that one of the two configs does not have."""

    def __repr__(self) -> str:
        return "(absent)"


#: The value of a field that one of the two configs compared does not have (a list entry).
ABSENT: Final = _Absent()


def config_differences(
    config: ScenarioConfig, default: ScenarioConfig, limit: int = MAX_DIFFERENCES
) -> list[tuple[str, object, object]]:
    """The fields whose values differ: ``(dotted path, default value, this run's value)``.

    Paths are dotted field names, with list entries indexed (``sites[3].swab_booths``); each
    differing leaf is a row, and a list entry only one config has gives its leaves with the
    other side :data:`ABSENT`. A list of plain values (``campaign.start_days``) is one value.
    At most ``limit`` rows: beyond that, the last row is ``("... and N more", "", "")``.
    """
    rows: list[tuple[str, object, object]] = []
    _walk("", dataclasses.asdict(default), dataclasses.asdict(config), rows)
    if len(rows) > limit:
        more = len(rows) - (limit - 1)
        rows = [*rows[: limit - 1], (f"... and {more} more", "", "")]
    return rows


def _walk(path: str, a: object, b: object, out: list[tuple[str, object, object]]) -> None:
    if _mapping(a, b):
        left = a if isinstance(a, dict) else {}
        right = b if isinstance(b, dict) else {}
        for key in [*left, *(k for k in right if k not in left)]:
            sub = f"{path}.{key}" if path else str(key)
            _walk(sub, left.get(key, ABSENT), right.get(key, ABSENT), out)
    elif _nested_list(a, b):
        left_list = list(a) if isinstance(a, list | tuple) else []
        right_list = list(b) if isinstance(b, list | tuple) else []
        for i in range(max(len(left_list), len(right_list))):
            _walk(
                f"{path}[{i}]",
                left_list[i] if i < len(left_list) else ABSENT,
                right_list[i] if i < len(right_list) else ABSENT,
                out,
            )
    elif not _same(a, b):
        out.append((path, a, b))


def _mapping(a: object, b: object) -> bool:
    """Both mappings, or one a mapping and the other absent: compare field by field."""
    return (isinstance(a, dict) or a is ABSENT) and (isinstance(b, dict) or b is ABSENT)


def _nested_list(a: object, b: object) -> bool:
    """Both lists, one of them holding mappings or lists: compare entry by entry."""
    if not (isinstance(a, list | tuple) and isinstance(b, list | tuple)):
        return False
    return any(isinstance(x, dict | list | tuple) for x in (*a, *b))


def _same(a: object, b: object) -> bool:
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    if isinstance(a, bool) or isinstance(b, bool) or a is ABSENT or b is ABSENT:
        return a is b
    return bool(a == b)


def _number(x: object) -> bool:
    return isinstance(x, int | float) and not isinstance(x, bool)


def value_text(x: object) -> str:
    """A config value as a planner writes it in YAML: ``null``, ``true``, ``[1, 8, 15]``."""
    if x is ABSENT:
        return "(absent)"
    if isinstance(x, str):
        return x
    try:
        return json.dumps(x, ensure_ascii=False, default=str)
    except (TypeError, ValueError):
        return str(x)


# --------------------------------------------------------------------------------------------
# The run's page


_FIGURE_CAPTIONS: Final = {
    "queue_length.png": "People waiting in each line over the day",
    "wait_distribution.png": "Queueing time of tested residents, green-eligible vs others",
    "utilisation.png": "Open desks and booths, and the share busy, per station",
    "queue_heatmap.png": "Most people in each point's entrance line, by point and hour",
    "waits_by_lane.png": "Waits of tested residents by day and hour, green-eligible vs others",
    "campaign_tests.png": "Residents tested at the collection points per campaign day, by round",
    "coverage.png": "Cumulative share of residents tested, and who was not",
    "staff_utilisation.png": "Utilisation and headcount by role and shift",
    "lab_backlog.png": "Tubes delivered to each lab and waiting for their result",
    "turnaround.png": "Hours from swab to result",
    "lab_utilisation.png": "Utilisation of each lab's desks, extractors and PCR machines",
}

#: Headline metrics: summary key, label, kind (count, share, minutes, hours, clock).
_KEY_METRICS: Final = (
    ("residents", "Residents", "count"),
    ("tested", "Tested", "count"),
    ("coverage", "Coverage by the end of the round", "share"),
    ("wait_mean_min", "Mean wait, tested residents (min)", "minutes"),
    ("wait_p50_min", "Median wait (min)", "minutes"),
    ("wait_p90_min", "90th percentile wait (min)", "minutes"),
    ("wait_p95_min", "95th percentile wait (min)", "minutes"),
    ("wait_max_min", "Longest wait (min)", "minutes"),
    ("longest_queue", "Longest entrance line (people)", "count"),
    ("longest_queue_m", "Longest entrance line (metres)", "count"),
    ("last_tested_min", "Last resident tested", "clock"),
    ("turnaround_p50_h", "Turnaround swab to result, median (h)", "hours"),
    ("turnaround_p95_h", "Turnaround swab to result, 95th percentile (h)", "hours"),
    ("within_target", "Swabs resulted within the target time", "share"),
    ("last_result_min", "Last result out", "clock"),
    ("backlog_swabs", "Swabs without a result at the horizon", "count"),
    ("mobile_coverage", "Mobile teams: share of employees sampled", "share"),
    ("campaign_tested", "Campaign: residents tested, all rounds", "count"),
    ("campaign_coverage", "Campaign coverage, all rounds (tested / residents)", "share"),
    ("campaign_finish_min", "Campaign: last swab of any round", "clock"),
)
#: Headline metrics that are the first round's (labelled so when the campaign has rounds).
_ROUND_ONE_KEYS: Final = frozenset(
    {"residents", "tested", "coverage", "longest_queue", "longest_queue_m", "last_tested_min"}
    | {f"wait_{stat}_min" for stat in ("mean", "p50", "p90", "p95", "max")}
)

_VERDICT_CLASS: Final = {
    MET: "met",
    MISSED: "missed",
    UNDECIDED: "undecided",
    NO_DATA: "nodata",
}

#: Table columns: (column, heading, kind); kinds: text, count, number, share (whole percent),
#: percent (one decimal), clock.
Columns = Sequence[tuple[str, str, str]]

#: The rounds table of the headline: (column, heading, kind).
_ROUND_COLUMNS: Final[Columns] = (
    ("round", "round", "text"),
    ("days", "campaign days", "text"),
    ("residents", "residents", "count"),
    ("tested", "tested", "count"),
    ("coverage", "coverage", "percent"),
    ("wait_mean_min", "mean wait (min)", "number"),
    ("wait_p95_min", "p95 wait (min)", "number"),
    ("longest_queue", "longest line (people)", "count"),
    ("finish_min", "last swab (campaign day)", "clock"),
)
_POINT_COLUMNS: Final[Columns] = (
    ("site", "point", "text"),
    ("round", "round", "count"),
    ("arrived", "arrived", "count"),
    ("tested", "tested", "count"),
    ("wait_mean_min", "mean wait (min)", "number"),
    ("wait_p95_min", "p95 wait (min)", "number"),
    ("wait_max_min", "max wait (min)", "number"),
    ("longest_queue", "longest line", "count"),
    ("longest_queue_m", "line (m)", "count"),
    ("utilisation_registration", "desks busy", "share"),
    ("utilisation_swab", "booths busy", "share"),
)
_STAFF_COLUMNS: Final[Columns] = (
    ("round", "round", "count"),
    ("role", "role", "text"),
    ("day", "day", "count"),
    ("shift", "shift", "text"),
    ("staff", "people", "count"),
    ("utilisation", "busy", "share"),
)
_LAB_COLUMNS: Final[Columns] = (
    ("lab", "lab", "text"),
    ("opens_min", "opens", "clock"),
    ("tubes_received", "tubes received", "count"),
    ("tubes_resulted", "tubes resulted", "count"),
    ("backlog_tubes_at_end", "no result at horizon", "count"),
    ("last_result_min", "last result", "clock"),
    ("lab_hours_mean", "hours in lab (mean)", "number"),
    ("utilisation_extraction", "extraction busy", "share"),
    ("utilisation_pcr", "PCR busy", "share"),
)
#: The columns identifying a row of each table (the rest is averaged over replications).
_TABLE_KEYS: Final = {
    "points": ("round", "site"),
    "staff": ("round", "role", "day", "shift"),
    "labs": ("lab",),
}


def run_report_html(
    config: ScenarioConfig,
    results: Sequence[RunResult],
    verdicts: Sequence[Verdict],
    figures: Mapping[str, bytes],
    warnings: Sequence[str],
    *,
    command: str = "",
    config_diff: Sequence[tuple[str, object, object]] | None = (),
    version: str,
    created: datetime | None = None,
    note: str = "",
) -> str:
    """The run's report: one self-contained HTML5 page.

    Parameters
    ----------
    config, results, verdicts, warnings
        The run as :func:`sim.plots.report.write_run` gets it.
    figures
        PNG bytes by file name, embedded in this order (those of the run folder).
    command
        The command line (``""``: not recorded).
    config_diff
        The config's differences from the default (:func:`config_differences`); empty: the
        same as the default; None: not compared (no default given).
    version
        The package version.
    created
        When the run was made (None: not shown).
    note
        A line under the verdicts (e.g. why ``replications: auto`` stopped).
    """
    if not results:
        raise ValueError("run_report_html needs the results of at least one replication")
    first = results[0]
    n = len(results)
    summary = aggregate(results)
    title = f"{config.name}: masstest-sim run report"
    sections = [
        ("targets", "Targets", _verdicts_section(verdicts, note)),
        (
            "headline",
            "Headline",
            _headline_section(summary, n)
            + _rounds_section(summary, len(first.rounds), n)
            + "<h3>The run's summary</h3>"
            + _pre(format_summary(results)),
        ),
        ("config", "Differences from the default config", _differences_section(config_diff)),
        ("warnings", "Warnings", _warnings_section(warnings)),
        ("tables", "Tables", _tables_section(results)),
        ("figures", "Figures", _figures_section(config, figures, len(results))),
    ]
    header = _facts(
        [
            ("Scenario", config.name),
            ("Description", config.description or "-"),
            ("Package", f"masstest-sim {version}"),
            ("Seed", str(first.seed)),
            (
                "Replications",
                f"{n}" + (" (replications: auto)" if config.replications == "auto" else ""),
            ),
            ("Command", command or "not recorded (written from Python)"),
            ("Written", _when(created)),
        ],
        code={"Command"} if command else set(),
    )
    return _page(title, f"Run report: {config.name}", header, sections)


def multirun_report_html(
    title: str,
    comparison: pd.DataFrame,
    figures: Mapping[str, bytes],
    notes: Sequence[str] = (),
    *,
    command: str = "",
    version: str,
) -> str:
    """A multirun's report: the comparison table (one row per job), figures and notes, in
    the same self-contained HTML5 page as :func:`run_report_html`."""
    frame = comparison if _plain_index(comparison) else comparison.reset_index()
    frame = frame.set_axis([str(c) for c in frame.columns], axis=1)
    columns = [(c, c, "auto") for c in frame.columns]
    table = _frame_table(frame, columns, limit=None)
    header = _facts(
        [
            ("Package", f"masstest-sim {version}"),
            ("Jobs", str(len(comparison))),
            ("Command", command or "not recorded (written from Python)"),
            ("Written", _when(datetime.now().astimezone())),
        ],
        code={"Command"} if command else set(),
    )
    notes_html = (
        "<ul>" + "".join(f"<li>{_e(n)}</li>" for n in notes) + "</ul>"
        if notes
        else "<p>No notes.</p>"
    )
    sections = [
        ("comparison", "Comparison (one row per job)", f'<div class="wide">{table}</div>'),
        ("notes", "Notes", notes_html),
        ("figures", "Figures", _figure_list(figures) or "<p>No figures.</p>"),
    ]
    return _page(title, title, header, sections)


# --------------------------------------------------------------------------------------------
# Sections


def _verdicts_section(verdicts: Sequence[Verdict], note: str) -> str:
    if not verdicts:
        return "<p>This scenario sets no targets.</p>"
    n, level = verdicts[0].n, verdicts[0].level
    rows = []
    for v in verdicts:
        cls = _VERDICT_CLASS.get(v.verdict, "nodata")
        rows.append(
            f'<tr class="{cls}"><td>{_e(v.target.label)}</td><td class="num">{_e(shown(v))}</td>'
            f'<td class="verdict">{_e(v.verdict)}</td></tr>'
        )
    out = (
        f"<p>{level:.0%} confidence intervals over {n} replication{'s' if n != 1 else ''}: a "
        "target is <b>met</b> when the whole interval is on the right side of the bound, "
        "<b>missed</b> when it is all on the wrong side, <b>undecided</b> when it straddles "
        "the bound.</p>"
        '<table class="verdicts"><thead><tr><th>target</th><th>mean ± half-width</th>'
        f"<th>verdict</th></tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )
    if n < 2:
        out += '<p class="note">One replication decides nothing: run replications=auto.</p>'
    if note:
        out += f'<p class="note">{_e(note)}</p>'
    return out


def _headline_section(s: Mapping[str, Any], n: int) -> str:
    rows = []
    rounds = "rounds" in s  # a campaign of several rounds: the unprefixed metrics are round 1's
    for key, label, kind in _KEY_METRICS:
        if key not in s:
            continue
        if rounds and key in _ROUND_ONE_KEYS:
            label = f"Round 1: {label[0].lower()}{label[1:]}"
        value = s[key]
        hw = s.get(f"{key}_ci95")
        cells = f'<td>{_e(label)}</td><td class="num">{_e(_metric(value, kind))}</td>'
        if n > 1:
            cells += f'<td class="num">{_e(_half_width(hw, kind))}</td>'
        rows.append(f"<tr>{cells}</tr>")
    heads = "<th>metric</th><th>value</th>" + ("<th>± 95% half-width</th>" if n > 1 else "")
    mean = f"<p>Means over the {n} replications.</p>" if n > 1 else ""
    return (
        f'{mean}<table class="headline"><thead><tr>{heads}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


def _rounds_section(s: Mapping[str, Any], rounds: int, n: int) -> str:
    """The rounds of a campaign side by side, and the campaign's totals (nothing for a single
    round)."""
    import pandas as pd

    if rounds < 2:
        return ""
    rows = []
    for k in range(1, rounds + 1):
        start, days = int(s[f"round{k}_start_day"]), int(s[f"round{k}_days"])
        row: dict[str, Any] = {"round": str(k), "days": _days(start, start + days - 1)}
        for key in ("residents", "tested", "coverage", "wait_mean_min", "wait_p95_min"):
            row[key] = s[f"round{k}_{key}"]
        row["longest_queue"] = s[f"round{k}_longest_queue"]
        row["finish_min"] = s[f"round{k}_finish_min"]
        rows.append(row)
    first = min(int(s[f"round{k}_start_day"]) for k in range(1, rounds + 1))
    rows.append(
        {
            "round": "campaign",
            "days": _days(first, int(s["campaign_days"])),
            "residents": s["campaign_residents"],
            "tested": s["campaign_tested"],
            "coverage": s["campaign_coverage"],
            "wait_mean_min": math.nan,
            "wait_p95_min": math.nan,
            "longest_queue": math.nan,
            "finish_min": s["campaign_finish_min"],
        }
    )
    mean = f" Means over the {n} replications." if n > 1 else ""
    return (
        "<h3>Rounds of the campaign</h3>"
        f'<p class="note">Each round side by side (rounds.csv), and the campaign: residents '
        "and tested summed over the rounds (a resident counts once per round). Waits: minutes "
        "queueing of tested residents; longest line: the longest entrance line anywhere; last "
        f"swab: campaign day and time.{mean}</p>" + _frame_table(pd.DataFrame(rows), _ROUND_COLUMNS)
    )


def _days(first: int, last: int) -> str:
    return f"{first}" if first == last else f"{first}-{last}"


def _differences_section(diff: Sequence[tuple[str, object, object]] | None) -> str:
    if diff is None:
        return "<p>Not compared: no default config was given.</p>"
    if not diff:
        return "<p>This run's config is the same as the default.</p>"
    rows = "".join(
        f"<tr><td><code>{_e(path)}</code></td><td>{_e(value_text(a))}</td>"
        f"<td>{_e(value_text(b))}</td></tr>"
        for path, a, b in diff
    )
    return (
        '<table class="diff"><thead><tr><th>field</th><th>default</th><th>this run</th>'
        f"</tr></thead><tbody>{rows}</tbody></table>"
    )


def _warnings_section(warnings: Sequence[str]) -> str:
    if not warnings:
        return "<p>None.</p>"
    return '<ul class="warnings">' + "".join(f"<li>{_e(w)}</li>" for w in warnings) + "</ul>"


def _tables_section(results: Sequence[RunResult]) -> str:
    n = len(results)
    frames: dict[str, list[pd.DataFrame]] = {}
    for r in results:
        for name, frame in r.tables().items():
            frames.setdefault(name, []).append(frame)
    mean = f" Means over the {n} replications." if n > 1 else ""
    out = []
    points = _mean_over_replications(frames["points"], _TABLE_KEYS["points"])
    rounds = int(points["round"].max()) if "round" in points and len(points) else 1
    shown_points = points
    if "wait_mean_min" in points:
        shown_points = points.sort_values("wait_mean_min", ascending=False, kind="stable")
    shown_points = shown_points.head(TOP_POINTS)
    many = len(points) > TOP_POINTS
    out.append(
        "<h3>Collection points"
        + (f": the {TOP_POINTS} with the longest mean wait" if many else "")
        + "</h3>"
        + f'<p class="note">{len(points)} row(s); all of them: points.csv.{mean}</p>'
        + _frame_table(shown_points, _POINT_COLUMNS, _drop_round(rounds))
    )
    if "labs" in frames:
        labs = _mean_over_replications(frames["labs"], _TABLE_KEYS["labs"])
        out.append(
            f'<h3>Labs</h3><p class="note">Per lab over the campaign (labs.csv).{mean}</p>'
            + _frame_table(labs, _LAB_COLUMNS)
        )
    staff = _mean_over_replications(frames["staff"], _TABLE_KEYS["staff"])
    out.append(
        '<h3>Staff by role and shift</h3><p class="note">Utilisation: share of staffed time '
        f"busy (staff.csv).{mean}</p>" + _frame_table(staff, _STAFF_COLUMNS, _drop_round(rounds))
    )
    return "".join(out)


def _drop_round(rounds: int) -> list[str]:
    return [] if rounds > 1 else ["round"]


def _mean_over_replications(frames: list[pd.DataFrame], keys: Sequence[str]) -> pd.DataFrame:
    """The table of one replication, or each numeric column's mean over replications."""
    import pandas as pd

    if len(frames) == 1 or not len(frames[0]):
        return frames[0]
    table = pd.concat(frames, ignore_index=True)
    by = [k for k in keys if k in table.columns]
    return table.groupby(by, sort=False, as_index=False).mean(numeric_only=True)


def _figures_section(config: ScenarioConfig, figures: Mapping[str, bytes], n: int = 1) -> str:
    if not config.output.figures:
        return "<p>No figures: this run was made with <code>output.figures: false</code>.</p>"
    if not figures:
        return "<p>No figures.</p>"
    rounds = len(config.campaign.start_days)
    return (
        (
            f'<p class="note">Curves with a band are the mean over the {n} replications; the '
            "other figures are of the first"
            if n > 1
            else '<p class="note">From the first replication'
        )
        + (
            f"; every figure shows the {rounds} rounds (a panel or a colour per round)"
            if rounds > 1
            else ""
        )
        + "; the same images are the PNG files in the run folder.</p>"
        + _figure_list(figures)
    )


def _figure_list(figures: Mapping[str, bytes]) -> str:
    out = []
    for name, data in figures.items():
        src = "data:image/png;base64," + base64.b64encode(data).decode("ascii")
        caption = _FIGURE_CAPTIONS.get(name)
        text = f"<code>{_e(name)}</code>" + (f": {_e(caption)}" if caption else "")
        out.append(
            f'<figure><img src="{src}" alt="{_e(caption or name)}">'
            f"<figcaption>{text}</figcaption></figure>"
        )
    return "".join(out)


# --------------------------------------------------------------------------------------------
# HTML pieces


_CSS: Final = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif;
  color: #222; line-height: 1.4; max-width: 75em; margin: 1.5em auto; padding: 0 1em; }
h1 { font-size: 1.6em; margin: 0 0 .4em; }
h2 { font-size: 1.25em; border-bottom: 1px solid #bbb; margin-top: 1.8em; }
h3 { font-size: 1.05em; margin-top: 1.2em; }
nav { font-size: .9em; }
nav a { margin-right: 1em; }
table { border-collapse: collapse; margin: .4em 0 1em; font-size: .9em; }
th, td { border: 1px solid #ccc; padding: .2em .55em; text-align: left; vertical-align: top; }
thead th { background: #eee; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
table.facts th { background: #f6f6f6; font-weight: 600; }
tr.met td.verdict { background: #d9f0d9; color: #175317; font-weight: bold; }
tr.missed td.verdict { background: #f7d4d4; color: #7d1a1a; font-weight: bold; }
tr.undecided td.verdict { background: #fbeec2; color: #5e4700; font-weight: bold; }
tr.nodata td.verdict { background: #e4e4e4; color: #333; font-weight: bold; }
pre { background: #f7f7f7; border: 1px solid #ddd; padding: .6em; font-size: .82em;
  overflow-x: auto; }
code { font-size: .95em; }
.note { color: #555; font-size: .9em; }
.wide { overflow-x: auto; }
figure { margin: 1em 0 1.5em; }
img { max-width: 100%; height: auto; border: 1px solid #ddd; }
figcaption { font-size: .9em; color: #444; margin-top: .3em; }
@page { margin: 1.5cm; }
@media print {
  body { max-width: none; margin: 0; padding: 0; font-size: 10pt; }
  nav { display: none; }
  h2, h3 { break-after: avoid; page-break-after: avoid; }
  tr, figure, img { break-inside: avoid; page-break-inside: avoid; }
  thead { display: table-header-group; }
  figure { margin: .5em 0; }
  img { border: 0; max-width: 100%; max-height: 24cm; }
  pre { white-space: pre-wrap; overflow: visible; border: 0; padding: 0; }
  .wide { overflow: visible; }
  td.verdict { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
"""


def _page(title: str, heading: str, header: str, sections: Sequence[tuple[str, str, str]]) -> str:
    nav = " ".join(f'<a href="#{key}">{_e(name)}</a>' for key, name, _ in sections)
    body = "".join(
        f'<section id="{key}"><h2>{_e(name)}</h2>{content}</section>'
        for key, name, content in sections
    )
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{_e(title)}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n"
        f"<header><h1>{_e(heading)}</h1>{header}</header>\n<nav>{nav}</nav>\n"
        f"<main>{body}</main>\n</body>\n</html>\n"
    )


def _facts(rows: Iterable[tuple[str, str]], code: set[str]) -> str:
    cells = "".join(
        f"<tr><th>{_e(k)}</th><td>"
        + (f"<code>{_e(v)}</code>" if k in code else _e(v))
        + "</td></tr>"
        for k, v in rows
    )
    return f'<table class="facts"><tbody>{cells}</tbody></table>'


def _pre(text: str) -> str:
    return f"<pre>{_e(text)}</pre>"


def _e(x: object) -> str:
    return html.escape(str(x), quote=True)


def _when(created: datetime | None) -> str:
    if created is None:
        return "not recorded"
    return created.isoformat(sep=" ", timespec="seconds")


def _plain_index(frame: pd.DataFrame) -> bool:
    import pandas as pd

    return isinstance(frame.index, pd.RangeIndex) and frame.index.name is None


def _frame_table(
    frame: pd.DataFrame,
    columns: Columns,
    leave_out: Sequence[str] = (),
    limit: int | None = MAX_TABLE_ROWS,
) -> str:
    """``frame``'s ``columns`` (those it has; ``leave_out`` left out) as an HTML table, at
    most ``limit`` rows (a note says how many more)."""
    cols = [c for c in columns if c[0] in frame.columns and c[0] not in leave_out]
    heads = "".join(f"<th>{_e(head)}</th>" for _, head, _ in cols)
    body = []
    rows = frame if limit is None else frame.head(limit)
    for _, row in rows.iterrows():
        cells = []
        for name, _, kind in cols:
            text = _cell(row[name], kind)
            numeric = kind != "text" and _number(_scalar(row[name]))
            cells.append(f'<td class="num">{_e(text)}</td>' if numeric else f"<td>{_e(text)}</td>")
        body.append(f"<tr>{''.join(cells)}</tr>")
    more = len(frame) - len(rows)
    note = f'<p class="note">... and {more} more rows.</p>' if more > 0 else ""
    return f"<table><thead><tr>{heads}</tr></thead><tbody>{''.join(body)}</tbody></table>{note}"


def _scalar(x: Any) -> Any:
    item = getattr(x, "item", None)
    if callable(item) and not isinstance(x, str):
        try:
            return item()
        except (TypeError, ValueError):
            return x
    return x


def _cell(x: Any, kind: str) -> str:
    x = _scalar(x)
    if x is None:
        return "-"
    if isinstance(x, float) and not math.isfinite(x):
        return "-"
    if kind == "text" or not _number(x):
        return str(x)
    if kind == "share":
        return f"{x:.0%}"
    if kind == "percent":
        return f"{x:.1%}"
    if kind == "clock":
        return day_clock(x)
    if kind == "count":
        return _count(x)
    if kind == "number":
        return f"{x:,.1f}"
    return _auto(x)


def _count(x: int | float) -> str:
    if isinstance(x, int):
        return f"{x:,}"
    return f"{x:,.0f}" if x.is_integer() else f"{x:,.1f}"


def _auto(x: int | float) -> str:
    if isinstance(x, int):
        return f"{x:,}"
    if x.is_integer() and abs(x) < 1e15:
        return f"{x:,.0f}"
    if abs(x) >= 1000:
        return f"{x:,.0f}"
    if abs(x) >= 10:
        return f"{x:,.1f}"
    return f"{x:.4g}"


def _metric(x: Any, kind: str) -> str:
    x = _scalar(x)
    if not _number(x) or (isinstance(x, float) and not math.isfinite(x)):
        return "-" if x is None or isinstance(x, float) else str(x)
    if kind == "share":
        return f"{x:.1%}"
    if kind == "clock":
        return day_clock(x)
    if kind == "count":
        return _count(x)
    return f"{x:,.1f}" if kind in ("minutes", "hours") else _auto(x)


def _half_width(hw: Any, kind: str) -> str:
    hw = _scalar(hw)
    if not _number(hw) or not math.isfinite(hw):
        return ""
    if kind == "share":
        return f"± {hw:.1%}"
    if kind == "clock":
        return f"± {hw:.0f} min"
    return f"± {hw:,.1f}"

"""Target verdicts as a planner and a CI job read them: a console table, a CSV and JUnit XML.

These only format what :mod:`sim.metrics.targets` decided. JUnit XML is the format every CI
system shows as test results: one test case per target, a failure for a missed target (and for
an undecided one, unless undecided verdicts are accepted, when it is skipped).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING
from xml.etree import ElementTree as ET

from sim.config.clock import day_clock
from sim.config.targets import TIME_METRICS
from sim.metrics.targets import MET, MISSED, NO_DATA, UNDECIDED, Verdict

if TYPE_CHECKING:
    import pandas as pd


def gate_passes(verdicts: Sequence[Verdict], accept_undecided: bool = False) -> bool:
    """Whether a CI gate passes: every target met (or undecided, when accepted)."""
    ok = {MET, UNDECIDED} if accept_undecided else {MET}
    return all(v.verdict in ok for v in verdicts)


def shown(v: Verdict) -> str:
    """``0.9903 ± 0.0004``, ``day 3 16:53 ± 12 min``, or ``-`` without data."""
    if math.isnan(v.mean):
        return "-"
    hw = "" if math.isnan(v.half_width) else v.half_width
    if v.target.metric in TIME_METRICS:
        return day_clock(v.mean) + (f" ± {hw:.0f} min" if hw != "" else "")
    digits = 4 if abs(v.mean) < 10 else 1
    return f"{v.mean:,.{digits}f}" + (f" ± {hw:.{digits}f}" if hw != "" else "")


def format_verdicts(verdicts: Sequence[Verdict], note: str = "") -> str:
    """The console table of verdicts (``note``: e.g. why ``replications: auto`` stopped)."""
    if not verdicts:
        return ""
    n, level = verdicts[0].n, verdicts[0].level
    width = max(len(v.target.label) for v in verdicts) + 2
    lines = [
        f"Targets ({level:.0%} intervals over {n} replication{'s' if n != 1 else ''})",
        f"  {'target':<{width}}{'mean ± half-width':<26}verdict",
    ]
    for v in verdicts:
        verdict = v.verdict.upper() if v.verdict in (MISSED, NO_DATA) else v.verdict
        lines.append(f"  {v.target.label:<{width}}{shown(v):<26}{verdict}")
    if n < 2:
        lines.append("  (one replication decides nothing: run replications=auto)")
    if note:
        lines.append(f"  {note}")
    return "\n".join(lines)


def verdicts_frame(verdicts: Sequence[Verdict]) -> pd.DataFrame:
    """One row per target: metric, op, bound, mean, half-width, interval, n, verdict."""
    import pandas as pd

    return pd.DataFrame(
        [
            {
                "target": v.target.label,
                "metric": v.target.metric,
                "op": v.target.op,
                "bound": v.target.bound,
                "mean": v.mean,
                "half_width": v.half_width,
                "low": v.low,
                "high": v.high,
                "replications": v.n,
                "level": v.level,
                "verdict": v.verdict,
            }
            for v in verdicts
        ]
    )


def junit_xml(verdicts: Sequence[Verdict], suite: str, accept_undecided: bool = False) -> str:
    """The verdicts as a JUnit XML report: one test case per target."""
    failures = [v for v in verdicts if v.verdict in (MISSED, NO_DATA)]
    undecided = [v for v in verdicts if v.verdict == UNDECIDED]
    if not accept_undecided:
        failures += undecided
    skipped = undecided if accept_undecided else []
    attrs = {
        "name": suite,
        "tests": str(len(verdicts)),
        "failures": str(len(failures)),
        "errors": "0",
        "skipped": str(len(skipped)),
    }
    root = ET.Element("testsuites", attrs)
    node = ET.SubElement(root, "testsuite", attrs)
    for v in verdicts:
        case = ET.SubElement(node, "testcase", {"classname": suite, "name": v.target.label})
        text = f"{v.verdict}: {shown(v)} ({v.level:.0%} interval, n={v.n})"
        if v in skipped:
            ET.SubElement(case, "skipped", {"message": text})
        elif v in failures:
            ET.SubElement(case, "failure", {"message": text, "type": v.verdict})
        else:
            ET.SubElement(case, "system-out").text = text
    ET.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"

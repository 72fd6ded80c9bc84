"""The CI gate: ``python -m sim check`` and ``replications: auto``, end to end.

``check`` runs as many replications as the targets need (``replications=auto`` unless the
command names a number), prints the verdicts, writes ``targets.csv`` / ``targets.xml`` (JUnit)
into the run folder and exits 0 when every target is met, 1 when one is missed, undecided or
has no data (undecided passes with ``--accept-undecided``), and 2 on bad input, before any
simulation.

Base: one busy point (7,500 residents, a fraction of a second a replication). As shipped it
misses ``coverage >= 0.99`` (about 0.974 +- 0.006 over 5 replications) and ``wait_p95_min <= 30``
(about 42 +- 2 min); with 10 booths and 16 desks it meets ``coverage >= 0.97`` (about 0.983 +-
0.001) and ``wait_p95_min <= 30`` (under a minute) by wide margins, so those verdicts do not
hang on the random streams.
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import pandas as pd
import pytest

import sim
from sim.config.targets import TargetConfig
from sim.experiment.result import RunResult
from sim.experiment.targets import evaluate_targets, precision_of
from sim.metrics.intervals import t_interval
from sim.metrics.targets import all_decided, judge
from tests.cli_helpers import Run, run_cli

BASE = (
    "scenario=busy_point",
    "output.figures=false",
    "output.residents_table=false",
    "output.print_summary=false",
)
MEETS = ("site.swab_booths=10", "site.registration_desks=16")
TARGETS = (
    "targets=[{metric:coverage,op:'>=',value:0.97},{metric:wait_p95_min,op:'<=',value:30},"
    "{metric:worst_point_longest_queue_m,op:'<=',value:300}]"
)
LABELS = ["coverage >= 0.97", "wait_p95_min <= 30", "worst_point_longest_queue_m <= 300"]


# ---------------------------------------------------------------------------------- helpers


def suite_of(folder: Path) -> ET.Element:
    root = ET.parse(folder / "targets.xml").getroot()
    assert root.tag == "testsuites"
    (suite,) = root.findall("testsuite")
    return suite


def counts(suite: ET.Element) -> tuple[int, int, int]:
    return (
        int(suite.get("tests", "-1")),
        int(suite.get("failures", "-1")),
        int(suite.get("skipped", "-1")),
    )


def table_rows(stdout: str) -> dict[str, str]:
    """The verdict table printed by ``check``: label -> the row's last word (the verdict)."""
    rows: dict[str, str] = {}
    lines = stdout.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("Targets ("))
    for line in lines[start + 2 :]:
        if not line.startswith("  ") or not re.search(r"\s(met|MISSED|undecided|NO DATA)$", line):
            break
        label = re.split(r"\s{2,}", line.strip())[0]
        rows[label] = "NO DATA" if line.endswith("NO DATA") else line.split()[-1]
    return rows


def replications_in_header(stdout: str) -> int:
    m = re.search(r"^Targets \(95% intervals over (\d+) replications?\)$", stdout, re.M)
    assert m, stdout
    return int(m.group(1))


def no_run_folder(cwd: Path) -> bool:
    return not (cwd / "outputs").exists() and not list(cwd.rglob("summary.json"))


def same_summary(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """Equal summaries, NaN equal to NaN (a metric nobody had, e.g. a green wait)."""

    def eq(x: Any, y: Any) -> bool:
        if isinstance(x, float) and isinstance(y, float) and math.isnan(x) and math.isnan(y):
            return True
        return bool(x == y)

    return a.keys() == b.keys() and all(eq(a[k], b[k]) for k in a)


# ------------------------------------------------------------------------------- CLI check


@pytest.fixture(scope="module")
def meeting(tmp_path_factory: pytest.TempPathFactory) -> Run:
    run = run_cli(tmp_path_factory.mktemp("meets"), "check", *BASE, *MEETS, TARGETS)
    assert run.returncode == 0, run.stdout + run.stderr
    return run


def test_check_on_a_meeting_layout_exits_0_with_the_verdicts(meeting: Run) -> None:
    assert table_rows(meeting.stdout) == dict.fromkeys(LABELS, "met")
    # auto ran the minimum (every target decided at the first look) and says why it stopped
    n = replications_in_header(meeting.stdout)
    first_look = sim.load_config([*BASE, *MEETS]).precision.min_replications
    assert n == first_look
    note = re.search(r"^  every target decided after (\d+) replications$", meeting.stdout, re.M)
    assert note and int(note.group(1)) == n, meeting.stdout
    assert "one replication decides nothing" not in meeting.stdout
    assert "Traceback" not in meeting.stderr


def test_check_writes_targets_csv_xml_and_summary(meeting: Run) -> None:
    folder = meeting.folder
    n = replications_in_header(meeting.stdout)
    listed = meeting.stdout.split("run folder:", 1)[1]
    assert "targets.csv" in listed and "targets.xml" in listed

    suite = suite_of(folder)
    assert counts(suite) == (3, 0, 0)
    cases = suite.findall("testcase")
    assert [c.get("name") for c in cases] == LABELS
    assert all(c.find("failure") is None and c.find("skipped") is None for c in cases)

    csv = pd.read_csv(folder / "targets.csv")
    assert list(csv["target"]) == LABELS
    assert set(csv["verdict"]) == {"met"}
    assert list(csv["op"]) == [">=", "<=", "<="]
    assert list(csv["bound"]) == [0.97, 30.0, 300.0]
    assert set(csv["replications"]) == {n}
    assert (csv["low"] <= csv["mean"]).all() and (csv["mean"] <= csv["high"]).all()
    # the verdicts agree with the intervals written next to them
    low, high = list(csv["low"]), list(csv["high"])
    assert low[0] >= 0.97 and high[1] <= 30 and high[2] <= 300

    summary = json.loads((folder / "summary.json").read_text())
    assert summary["replications"] == n
    assert [t["target"] for t in summary["targets"]] == LABELS
    assert [t["verdict"] for t in summary["targets"]] == ["met"] * 3
    assert summary["targets"][0]["mean"] == pytest.approx(csv.loc[0, "mean"])
    assert len(pd.read_csv(folder / "replications.csv")) == n


def test_check_on_busy_point_as_shipped_exits_1(tmp_path: Path) -> None:
    run = run_cli(tmp_path, "check", *BASE)
    assert run.returncode == 1, run.stdout + run.stderr
    rows = table_rows(run.stdout)
    assert rows == {
        "coverage >= 0.99": "MISSED",
        "wait_p95_min <= 30": "MISSED",
        "within_target >= 0.95": "met",
        "last_result_min <= 72:00": "met",
    }
    assert "check: 2 of 4 targets not met" in run.stderr
    suite = suite_of(run.folder)
    assert counts(suite) == (4, 2, 0)
    failures = {
        c.get("name"): f for c in suite.findall("testcase") if (f := c.find("failure")) is not None
    }
    assert set(failures) == {"coverage >= 0.99", "wait_p95_min <= 30"}
    assert {f.get("type") for f in failures.values()} == {"missed"}
    csv = pd.read_csv(run.folder / "targets.csv")
    assert list(csv["verdict"]) == ["missed", "missed", "met", "met"]
    low, high = list(csv["low"]), list(csv["high"])
    assert high[0] < 0.99 and low[1] > 30


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (("targets=[{metric:coverge,op:'>=',value:0.97}]",), "targets[0].metric"),
        (("targets=[{metric:coverage,op:'<',value:0.97}]",), "targets[0].op"),
        (("targets=[]",), "replications"),  # auto with nothing to decide
        (("targets=[]", "replications=2"), "targets"),  # a gate with nothing to judge
        (("-m", "site.swab_booths=8,10"), "check"),
    ],
)
def test_check_with_bad_input_exits_2_before_running(
    tmp_path: Path, args: tuple[str, ...], field: str
) -> None:
    run = run_cli(tmp_path, "check", *BASE, *args)
    assert run.returncode == 2, run.stdout + run.stderr
    assert run.stderr.startswith("error: invalid config:"), run.stderr
    assert field in run.stderr
    assert "Traceback" not in run.stderr
    assert "Targets (" not in run.stdout
    assert no_run_folder(tmp_path)


def test_check_bad_metric_suggests_the_name(tmp_path: Path) -> None:
    run = run_cli(tmp_path, "check", *BASE, "targets=[{metric:wait_p59_min,op:'<=',value:30}]")
    assert run.returncode == 2
    assert "did you mean 'wait_p95_min'?" in run.stderr
    assert no_run_folder(tmp_path)


# --------------------------------------------------------------- undecided vs --accept-undecided


@pytest.fixture(scope="module")
def undecided_target() -> tuple[str, float]:
    """A target whose bound is the mean of two replications: the interval straddles it."""
    cfg = sim.load_config([*BASE, *MEETS])
    values = [r.summary()["wait_mean_min"] for r in sim.run_replications(cfg, 2)]
    assert values[0] != values[1], values  # a zero-width interval would decide
    mean = math.fsum(values) / 2
    t = TargetConfig(metric="wait_mean_min", op="<=", value=mean)
    assert judge(t, values).verdict == "undecided"
    return f"targets=[{{metric:wait_mean_min,op:'<=',value:{mean!r}}}]", mean


def test_an_undecided_target_fails_the_gate(
    tmp_path: Path, undecided_target: tuple[str, float]
) -> None:
    override, mean = undecided_target
    run = run_cli(tmp_path, "check", *BASE, *MEETS, "replications=2", override)
    assert run.returncode == 1, run.stdout + run.stderr
    assert replications_in_header(run.stdout) == 2  # replications=2 named: no auto
    assert "decided after" not in run.stdout and "cap of" not in run.stdout
    (verdict,) = table_rows(run.stdout).values()
    assert verdict == "undecided"
    csv = pd.read_csv(run.folder / "targets.csv")
    assert csv.loc[0, "mean"] == pytest.approx(mean, rel=1e-12)  # same seed, same replications
    suite = suite_of(run.folder)
    assert counts(suite) == (1, 1, 0)
    failure = suite.find("testcase/failure")
    assert failure is not None and failure.get("type") == "undecided"


def test_accept_undecided_passes_and_skips_the_case(
    tmp_path: Path, undecided_target: tuple[str, float]
) -> None:
    override, _ = undecided_target
    run = run_cli(
        tmp_path, "check", "--accept-undecided", *BASE, *MEETS, "replications=2", override
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert list(table_rows(run.stdout).values()) == ["undecided"]
    suite = suite_of(run.folder)
    assert counts(suite) == (1, 0, 1)
    case = suite.find("testcase")
    assert case is not None
    assert case.find("failure") is None
    skipped = case.find("skipped")
    assert skipped is not None and skipped.get("message", "").startswith("undecided:")
    assert pd.read_csv(run.folder / "targets.csv").loc[0, "verdict"] == "undecided"


# ---------------------------------------------------------------- replications=auto in Python


@pytest.fixture(scope="module")
def plain() -> list[RunResult]:
    """Replications 0..14 of busy_point as shipped, seed 1."""
    return sim.run_replications(sim.load_config(list(BASE)), 15)


def values(results: list[RunResult], metric: str) -> list[float]:
    return [float(r.summary()[metric]) for r in results]


@pytest.fixture(scope="module")
def stopping_bound(plain: list[RunResult]) -> float:
    """A ``wait_p95_min <=`` bound inside the interval of the first 5 replications and below
    the interval of all 15: undecided at the first look, missed by the cap."""
    ci5 = t_interval(values(plain[:5], "wait_p95_min"))
    ci15 = t_interval(values(plain, "wait_p95_min"))
    assert ci15.low > ci5.low, (ci5, ci15)
    return (ci5.low + ci15.low) / 2


def auto_config(*overrides: str) -> sim.ScenarioConfig:
    return sim.load_config([*BASE, "replications=auto", *overrides])


def test_auto_adds_batches_until_every_target_is_decided(
    plain: list[RunResult], stopping_bound: float
) -> None:
    cfg = auto_config(
        "targets=[{metric:coverage,op:'>=',value:0.99},"
        f"{{metric:wait_p95_min,op:'<=',value:{stopping_bound!r}}}]",
        "precision.max_replications=15",
    )
    p = cfg.precision
    assert (p.min_replications, p.batch) == (5, 2)
    serial = sim.run_replications(cfg, n_jobs=1)
    n = len(serial)
    assert p.min_replications < n <= p.max_replications  # the batching was exercised
    assert (n - p.min_replications) % p.batch == 0

    # stopped at the first look with every target decided, not before, not after
    assert all_decided(evaluate_targets(serial))
    for k in range(p.min_replications, n, p.batch):
        assert not all_decided(evaluate_targets(serial[:k])), k
    precision = precision_of(serial)
    assert precision.decided and precision.replications == n
    assert precision.reason == f"every target decided after {n} replications"
    assert [v.verdict for v in evaluate_targets(serial)] == ["missed", "missed"]

    # replications 0..n-1, the same streams as a plain run of n (common random numbers)
    assert [r.replication for r in serial] == list(range(n))
    assert all(r.seed == cfg.seed for r in serial)
    for r, q in zip(serial, plain[:n], strict=True):
        assert same_summary(r.summary(), q.summary()), r.replication

    # the same in two worker processes
    parallel = sim.run_replications(cfg, n_jobs=2)
    assert len(parallel) == n
    assert [r.replication for r in parallel] == list(range(n))
    for a, b in zip(serial, parallel, strict=True):
        assert same_summary(a.summary(), b.summary()), a.replication


def test_auto_stops_at_the_cap_with_a_target_it_cannot_decide(plain: list[RunResult]) -> None:
    """min 2, batch 2, cap 5: looks at 2, 4 and 5 (the last batch cut to the cap); the bound
    lies inside every one of those intervals."""
    looks = (2, 4, 5)
    cis = [t_interval(values(plain[:k], "wait_mean_min")) for k in looks]
    low, high = max(ci.low for ci in cis), min(ci.high for ci in cis)
    assert low < high, cis
    bound = (low + high) / 2
    cfg = auto_config(
        f"targets=[{{metric:wait_mean_min,op:'<=',value:{bound!r}}}]",
        "precision.min_replications=2",
        "precision.batch=2",
        "precision.max_replications=5",
    )
    results = sim.run_replications(cfg)
    assert len(results) == 5
    assert [r.replication for r in results] == list(range(5))
    (verdict,) = evaluate_targets(results)
    assert verdict.verdict == "undecided" and verdict.n == 5
    precision = precision_of(results)
    assert not precision.decided and precision.replications == 5
    assert "cap of 5 replications" in precision.reason
    assert f"wait_mean_min <= {bound:g}" in precision.reason
    for r, q in zip(results, plain[:5], strict=True):
        assert same_summary(r.summary(), q.summary())


def test_auto_with_decided_targets_runs_only_the_minimum(plain: list[RunResult]) -> None:
    cfg = auto_config(
        "targets=[{metric:wait_p95_min,op:'<=',value:120}]",
        "precision.min_replications=3",
    )
    assert max(values(plain[:3], "wait_p95_min")) < 60  # far below the bound
    results = sim.run_replications(cfg)
    assert len(results) == 3
    assert precision_of(results).decided
    assert evaluate_targets(results)[0].verdict == "met"


def test_an_explicit_count_overrides_auto(plain: list[RunResult]) -> None:
    cfg = auto_config("targets=[{metric:wait_p95_min,op:'<=',value:120}]")
    results = sim.run_replications(cfg, 2)
    assert [r.replication for r in results] == [0, 1]
    assert all(
        same_summary(a.summary(), b.summary()) for a, b in zip(results, plain[:2], strict=True)
    )

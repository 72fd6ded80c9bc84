"""Capacity targets: verdicts from replications, their config errors, and how a CI reads them.

A target is met when the whole Student-t interval of the metric's mean lies on the right side
of the bound, missed when it lies wholly on the wrong side, undecided when it straddles the
bound (or with one replication), and has no data when some replication has no value. The
intervals here are computed independently with scipy, and the bounds placed just inside or
just outside them. Config errors go through ``sim.load_config`` on ``scenario=busy_point``.
"""

from __future__ import annotations

import math
from xml.etree import ElementTree as ET

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import sim
from sim.config.cautions import config_warnings
from sim.config.targets import CHAIN_METRICS, TARGET_METRICS, TIME_METRICS, TargetConfig
from sim.metrics.targets import (
    MET,
    MISSED,
    NO_DATA,
    UNDECIDED,
    Verdict,
    all_decided,
    judge,
    target_values,
)
from sim.plots.verdicts import format_verdicts, gate_passes, junit_xml

BASE = "scenario=busy_point"
VALUES = [10.0, 12.0, 14.0, 11.0]
EPS = 1e-6


def interval(values: list[float], level: float = 0.95) -> tuple[float, float]:
    """The two-sided Student-t interval of the mean, computed here without the package."""
    v = np.asarray(values, dtype=float)
    half = stats.t.ppf(0.5 + level / 2, v.size - 1) * v.std(ddof=1) / math.sqrt(v.size)
    return float(v.mean() - half), float(v.mean() + half)


def target(op: str, value: float, metric: str = "wait_p95_min") -> TargetConfig:
    return TargetConfig(metric=metric, op=op, value=value)  # type: ignore[arg-type]


# ------------------------------------------------------------------------------------- judge


@pytest.mark.parametrize(
    ("op", "where", "expected"),
    [
        ("<=", "above_high", MET),
        ("<=", "below_low", MISSED),
        ("<=", "inside_near_high", UNDECIDED),
        ("<=", "inside_near_low", UNDECIDED),
        (">=", "below_low", MET),
        (">=", "above_high", MISSED),
        (">=", "inside_near_low", UNDECIDED),
        (">=", "inside_near_high", UNDECIDED),
    ],
)
def test_judge_places_the_bound_against_the_t_interval(op: str, where: str, expected: str) -> None:
    low, high = interval(VALUES)
    bound = {
        "above_high": high + EPS,
        "below_low": low - EPS,
        "inside_near_high": high - EPS,
        "inside_near_low": low + EPS,
    }[where]
    v = judge(target(op, bound), VALUES)
    assert v.verdict == expected
    assert v.n == len(VALUES) and v.level == 0.95
    assert v.mean == pytest.approx(np.mean(VALUES))
    assert (v.low, v.high) == pytest.approx((low, high))
    assert v.passed is (expected == MET)


def test_judge_uses_the_confidence_level() -> None:
    high95 = interval(VALUES, 0.95)[1]
    low80, high80 = interval(VALUES, 0.80)
    assert high80 < high95
    bound = (high80 + high95) / 2  # inside the 95% interval, above the 80% one
    assert judge(target("<=", bound), VALUES, level=0.95).verdict == UNDECIDED
    v = judge(target("<=", bound), VALUES, level=0.80)
    assert v.verdict == MET and v.level == 0.80
    assert (v.low, v.high) == pytest.approx((low80, high80))


@pytest.mark.parametrize("op", ["<=", ">="])
@pytest.mark.parametrize("bound", [-100.0, 12.0, 100.0])
def test_one_replication_decides_nothing(op: str, bound: float) -> None:
    v = judge(target(op, bound), [12.0])
    assert v.verdict == UNDECIDED
    assert v.n == 1 and v.mean == 12.0 and math.isnan(v.half_width)


@pytest.mark.parametrize(
    ("op", "values", "bound", "expected"),
    [
        ("<=", [5.0, 5.0], 5.0, MET),  # at the bound: the bound is inclusive
        (">=", [5.0, 5.0, 5.0], 5.0, MET),
        ("<=", [5.0, 5.0, 5.0], 4.999, MISSED),
        (">=", [5.0, 5.0], 5.001, MISSED),
        (">=", [0.25] * 4, 0.25, MET),
        ("<=", [1.0] * 6, 0.99, MISSED),
    ],
)
def test_equal_values_give_a_zero_width_interval_that_decides(
    op: str, values: list[float], bound: float, expected: str
) -> None:
    v = judge(target(op, bound), values)
    assert v.half_width == 0.0
    assert v.verdict == expected


@pytest.mark.parametrize("op", ["<=", ">="])
def test_identical_values_at_an_inexact_bound_are_decided(op: str) -> None:
    assert judge(target(op, 0.99, "coverage"), [0.99] * 3).verdict == MET


@pytest.mark.parametrize(
    "values", [[1.0, math.nan, 2.0], [math.nan], [math.nan, math.nan], [1.0, math.inf], []]
)
@pytest.mark.parametrize("op", ["<=", ">="])
def test_a_value_that_is_not_a_number_gives_no_data(op: str, values: list[float]) -> None:
    v = judge(target(op, 1.5), values)
    assert v.verdict == NO_DATA
    assert not v.passed
    assert v.n == len(values)
    assert math.isnan(v.half_width)
    finite = [x for x in values if math.isfinite(x)]
    if finite:
        assert v.mean == pytest.approx(np.mean(finite))
    else:
        assert math.isnan(v.mean)


def test_at_targets_compare_minutes_after_midnight_of_day_1() -> None:
    t = TargetConfig(metric="last_result_min", op="<=", at="72:00")  # type: ignore[arg-type]
    assert t.bound == 72 * 60
    assert t.label == "last_result_min <= 72:00"
    early = [4300.0, 4310.0, 4305.0]  # day 3 23:40 .. 23:50
    assert interval(early)[1] < 4320
    assert judge(t, early).verdict == MET
    late = [4400.0, 4410.0, 4405.0]  # day 4 01:20 ..
    assert interval(late)[0] > 4320
    assert judge(t, late).verdict == MISSED
    around = [4310.0, 4330.0, 4320.0]
    assert judge(t, around).verdict == UNDECIDED
    # "26:30" is day 2 02:30: a one-day bound a day late is 1,590 minutes, not 150
    t2 = TargetConfig(metric="last_tested_min", op=">=", at="26:30")  # type: ignore[arg-type]
    assert t2.bound == 26 * 60 + 30
    assert judge(t2, [1600.0, 1610.0, 1605.0]).verdict == MET
    assert judge(t2, [100.0, 110.0, 105.0]).verdict == MISSED


def test_labels_show_the_bound_as_given() -> None:
    assert target(">=", 0.99, "coverage").label == "coverage >= 0.99"
    assert target("<=", 30.0).label == "wait_p95_min <= 30"


def test_all_decided_is_false_only_with_an_undecided_verdict() -> None:
    t = target("<=", 1.0)
    verdicts = {name: Verdict(t, 1.0, 0.1, 3, 0.95, name) for name in (MET, MISSED, NO_DATA)}
    assert all_decided(list(verdicts.values()))
    assert all_decided([])
    assert not all_decided([*verdicts.values(), Verdict(t, 1.0, 0.1, 3, 0.95, UNDECIDED)])


def test_metric_sets_are_consistent() -> None:
    assert CHAIN_METRICS.issubset(TARGET_METRICS)
    assert TIME_METRICS.issubset(TARGET_METRICS)
    assert {m for m in TARGET_METRICS if m.startswith("worst_point_")} == {
        "worst_point_wait_p95_min",
        "worst_point_wait_mean_min",
        "worst_point_longest_queue_m",
        "worst_point_coverage",
    }


# ---------------------------------------------------------------------------- config errors


def errors_of(*overrides: str, base: str = BASE) -> list[sim.ConfigError]:
    with pytest.raises(sim.ConfigError) as info:
        sim.load_config([base, *overrides])
    return info.value.errors


def one_error(*overrides: str, base: str = BASE) -> sim.ConfigError:
    errors = errors_of(*overrides, base=base)
    assert len(errors) == 1, [e.line for e in errors]
    return errors[0]


def test_targets_on_the_command_line_build() -> None:
    cfg = sim.load_config(
        [
            BASE,
            "replications=auto",
            "targets=[{metric:coverage,op:'>=',value:0.97},"
            "{metric:last_result_min,op:'<=',at:'72:00'},"
            "{metric:worst_point_wait_p95_min,op:'<=',value:45}]",
        ]
    )
    assert cfg.replications == "auto"
    assert [t.label for t in cfg.targets] == [
        "coverage >= 0.97",
        "last_result_min <= 72:00",
        "worst_point_wait_p95_min <= 45",
    ]
    assert [t.bound for t in cfg.targets] == [0.97, 4320.0, 45.0]


def test_unknown_metric_suggests_the_closest_and_lists_them() -> None:
    err = one_error("targets=[{metric:coverge,op:'>=',value:0.97}]")
    assert err.field == "targets[0].metric" and err.value == "coverge"
    assert "did you mean 'coverage'?" in err.allowed
    assert "worst_point_longest_queue_m" in err.allowed and "last_result_min" in err.allowed


def test_second_target_is_named_by_its_index() -> None:
    err = one_error(
        "targets=[{metric:coverage,op:'>=',value:0.97},{metric:wait_p59_min,op:'<=',value:30}]"
    )
    assert err.field == "targets[1].metric"
    assert "did you mean 'wait_p95_min'?" in err.allowed


@pytest.mark.parametrize("op", ["<", "=", "==", "le", ">"])
def test_op_must_be_at_most_or_at_least(op: str) -> None:
    err = one_error(f"targets=[{{metric:coverage,op:'{op}',value:0.97}}]")
    assert err.field == "targets[0].op" and err.value == op
    assert "'<='" in err.allowed and "'>='" in err.allowed


@pytest.mark.parametrize(
    ("given", "shown", "allowed"),
    [
        ("high", "high", "a number"),
        ("'0.97'", "0.97", "a number"),
        ("true", True, "a number"),
        ("nan", None, "a finite number"),
        ("inf", math.inf, "a finite number"),
    ],
)
def test_value_must_be_a_finite_number(given: str, shown: object, allowed: str) -> None:
    err = one_error(f"targets=[{{metric:coverage,op:'>=',value:{given}}}]")
    assert err.field == "targets[0].value"
    if shown is None:
        assert math.isnan(err.value)
    else:
        assert err.value == shown
    assert err.allowed == allowed


@pytest.mark.parametrize(
    "entry",
    [
        "{metric:last_result_min,op:'<=',value:4000,at:'72:00'}",  # both
        "{metric:last_result_min,op:'<='}",  # neither
        "{metric:coverage,op:'>='}",
    ],
)
def test_a_target_gives_exactly_one_of_value_and_at(entry: str) -> None:
    err = one_error(f"targets=[{entry}]")
    assert err.field == "targets[0].value"
    assert "one of the two" in err.allowed


@pytest.mark.parametrize("metric", ["coverage", "wait_p95_min", "worst_point_coverage"])
def test_at_is_only_for_time_metrics(metric: str) -> None:
    err = one_error(f"targets=[{{metric:{metric},op:'<=',at:'72:00'}}]")
    assert err.field == "targets[0].at" and err.value == "72:00"
    assert "last_result_min" in err.allowed and "last_tested_min" in err.allowed
    assert "give 'value'" in err.allowed


def test_a_malformed_at_is_reported_as_a_clock_time() -> None:
    errors = errors_of("targets=[{metric:last_result_min,op:'<=',at:'7200'}]")
    assert errors[0].field == "targets[0].at" and errors[0].value == "7200"
    assert "HH:MM" in errors[0].allowed


def test_a_malformed_at_is_reported_once() -> None:
    errors = errors_of("targets=[{metric:last_result_min,op:'<=',at:'7200'}]")
    assert [e.field for e in errors] == ["targets[0].at"]


@pytest.mark.parametrize(
    "entry",
    [
        "{metric:within_target,op:'>=',value:0.95}",
        "{metric:last_result_min,op:'<=',at:'72:00'}",
        "{metric:backlog_swabs,op:'<=',value:0}",
    ],
)
def test_a_chain_metric_without_a_lab_is_not_judged_and_warned(entry: str) -> None:
    # single_station has no lab: a target on results is left out of the verdicts, with a
    # warning, and cannot be what replications=auto decides.
    cfg = sim.load_config(["scenario=single_station", f"targets=[{entry}]"])
    assert cfg.targets[0].metric in CHAIN_METRICS
    assert cfg.judged_targets == ()
    (warning,) = [w for w in config_warnings(cfg) if w.startswith("targets[0]")]
    assert "no lab is in use" in warning
    err = one_error(f"targets=[{entry}]", "replications=auto", base="scenario=single_station")
    assert err.field == "replications"


def test_a_chain_metric_is_fine_with_a_lab() -> None:
    cfg = sim.load_config([BASE, "targets=[{metric:within_target,op:'>=',value:0.95}]"])
    assert cfg.labs_in_use and cfg.targets[0].metric == "within_target"


def test_a_round_metric_is_fine_without_labs() -> None:
    cfg = sim.load_config(
        ["scenario=single_station", "targets=[{metric:wait_p95_min,op:'<=',value:30}]"]
    )
    assert not cfg.labs_in_use and len(cfg.targets) == 1


def test_auto_replications_need_targets() -> None:
    err = one_error("replications=auto", "targets=[]")
    assert err.field == "replications" and err.value == "auto"
    assert "targets is empty" in err.allowed


def test_auto_with_a_broken_target_reports_only_the_target() -> None:
    err = one_error("replications=auto", "targets=[{metric:coverge,op:'>=',value:0.97}]")
    assert err.field == "targets[0].metric"


@pytest.mark.parametrize(
    ("overrides", "field", "value", "allowed"),
    [
        (["precision.min_replications=1"], "precision.min_replications", 1, ">= 2"),
        (["precision.min_replications=0"], "precision.min_replications", 0, ">= 2"),
        (
            ["precision.min_replications=6", "precision.max_replications=4"],
            "precision.max_replications",
            4,
            ">= min_replications (6)",
        ),
        (["precision.level=1.0"], "precision.level", 1.0, "below 1"),
        (["precision.level=0.3"], "precision.level", 0.3, "from 0.5"),
        (["precision.batch=0"], "precision.batch", 0, ">= 1"),
    ],
)
def test_precision_bounds(overrides: list[str], field: str, value: object, allowed: str) -> None:
    err = one_error(*overrides)
    assert (err.field, err.value) == (field, value)
    assert allowed in err.allowed


def test_precision_at_its_limits_is_accepted() -> None:
    cfg = sim.load_config(
        [
            BASE,
            "precision.min_replications=2",
            "precision.max_replications=2",
            "precision.level=0.5",
        ]
    )
    assert (cfg.precision.min_replications, cfg.precision.max_replications) == (2, 2)


def test_several_target_errors_are_reported_together() -> None:
    with pytest.raises(sim.ConfigError) as info:
        sim.load_config(
            [
                BASE,
                "replications=auto",
                "targets=[{metric:coverge,op:'>=',value:0.97},"
                "{metric:coverage,op:'>=',at:'72:00'},"
                "{metric:wait_p95_min,op:'<',value:30}]",
                "precision.min_replications=1",
                "precision.level=1.0",
            ]
        )
    fields = [e.field for e in info.value.errors]
    assert set(fields) == {
        "targets[0].metric",
        "targets[1].at",
        "targets[2].op",
        "precision.min_replications",
        "precision.level",
    }, fields
    assert len(fields) == 5
    message = str(info.value)
    assert message.startswith("invalid config: 5 errors:")
    for f in fields:
        assert f in message


def test_errors_after_a_target_that_cannot_be_built_keep_their_index() -> None:
    fields = [
        e.field
        for e in errors_of(
            "targets=[{metric:wait_p95_min,op:'<',value:30},{metric:coverage,op:'>=',at:'72:00'}]"
        )
    ]
    assert sorted(fields) == ["targets[0].op", "targets[1].at"]


# ------------------------------------------------------------------- JUnit XML, gate, table


def verdict(name: str, metric: str = "wait_p95_min", value: float = 30.0) -> Verdict:
    t = target("<=", value, metric)
    return Verdict(t, 2.5, 0.25, 5, 0.95, name)


@pytest.fixture
def four() -> list[Verdict]:
    """One verdict of each kind, on four different targets."""
    return [
        verdict(MET, "wait_p95_min", 30.0),
        verdict(MISSED, "wait_mean_min", 10.0),
        verdict(UNDECIDED, "longest_queue_m", 12.0),
        Verdict(target("<=", 5.0, "wait_p95_min_green"), math.nan, math.nan, 5, 0.95, NO_DATA),
    ]


def parse(xml: str) -> ET.Element:
    root = ET.fromstring(xml.split("\n", 1)[1])  # after the <?xml ...?> declaration
    assert root.tag == "testsuites"
    suites = root.findall("testsuite")
    assert len(suites) == 1
    return suites[0]


def cases(suite: ET.Element) -> dict[str, ET.Element]:
    return {c.get("name", ""): c for c in suite.findall("testcase")}


def test_junit_xml_fails_missed_undecided_and_no_data(four: list[Verdict]) -> None:
    xml = junit_xml(four, "targets.busy_point")
    assert xml.startswith('<?xml version="1.0" encoding="utf-8"?>')
    suite = parse(xml)
    assert suite.get("name") == "targets.busy_point"
    assert (suite.get("tests"), suite.get("failures"), suite.get("skipped")) == ("4", "3", "0")
    assert suite.get("errors") == "0"
    by_name = cases(suite)
    assert list(by_name) == [v.target.label for v in four]  # names unescaped: "<=" round-trips
    for v in four:
        case = by_name[v.target.label]
        assert case.get("classname") == "targets.busy_point"
        failure = case.find("failure")
        assert case.find("skipped") is None
        if v.verdict == MET:
            assert failure is None
        else:
            assert failure is not None and failure.get("type") == v.verdict
            assert failure.get("message", "").startswith(f"{v.verdict}: ")
            assert "n=5" in failure.get("message", "")


def test_junit_xml_skips_undecided_when_accepted(four: list[Verdict]) -> None:
    suite = parse(junit_xml(four, "s", accept_undecided=True))
    assert (suite.get("tests"), suite.get("failures"), suite.get("skipped")) == ("4", "2", "1")
    by_name = cases(suite)
    undecided = by_name["longest_queue_m <= 12"]
    assert undecided.find("failure") is None
    skipped = undecided.find("skipped")
    assert skipped is not None and skipped.get("message", "").startswith("undecided: ")
    failed = {name for name, c in by_name.items() if c.find("failure") is not None}
    assert failed == {"wait_mean_min <= 10", "wait_p95_min_green <= 5"}


def test_junit_xml_of_met_targets_has_no_failures() -> None:
    suite = parse(junit_xml([verdict(MET), verdict(MET, "coverage", 0.5)], "s"))
    assert (suite.get("tests"), suite.get("failures"), suite.get("skipped")) == ("2", "0", "0")
    assert all(c.find("failure") is None for c in suite.findall("testcase"))


@pytest.mark.parametrize(
    ("kinds", "strict", "accepting"),
    [
        ([MET], True, True),
        ([MET, MET], True, True),
        ([MET, UNDECIDED], False, True),
        ([UNDECIDED], False, True),
        ([MET, MISSED], False, False),
        ([MISSED, UNDECIDED], False, False),
        ([MET, NO_DATA], False, False),
        ([UNDECIDED, NO_DATA], False, False),
    ],
)
def test_gate_passes_truth_table(kinds: list[str], strict: bool, accepting: bool) -> None:
    verdicts = [verdict(k) for k in kinds]
    assert gate_passes(verdicts) is strict
    assert gate_passes(verdicts, accept_undecided=False) is strict
    assert gate_passes(verdicts, accept_undecided=True) is accepting


def test_format_verdicts_shows_every_label_and_verdict(four: list[Verdict]) -> None:
    text = format_verdicts(four, note="every target decided after 5 replications")
    lines = text.splitlines()
    assert lines[0] == "Targets (95% intervals over 5 replications)"
    shown = {"met": "met", "missed": "MISSED", "undecided": "undecided", "no data": "NO DATA"}
    for v in four:
        row = [line for line in lines if line.strip().startswith(v.target.label + " ")]
        assert len(row) == 1, text
        assert row[0].rstrip().endswith(shown[v.verdict])
    assert "2.5000 ± 0.2500" in text
    assert lines[-1].strip() == "every target decided after 5 replications"
    assert "one replication decides nothing" not in text


def test_format_verdicts_of_one_replication_and_time_metrics() -> None:
    t = TargetConfig(metric="last_result_min", op="<=", at="72:00")  # type: ignore[arg-type]
    text = format_verdicts([Verdict(t, 4305.0, math.nan, 1, 0.95, UNDECIDED)])
    assert "over 1 replication)" in text
    assert "last_result_min <= 72:00" in text and "day 3 23:45" in text
    assert "one replication decides nothing" in text
    assert format_verdicts([]) == ""


# ---------------------------------------------------------------------------- target_values


def points_table() -> pd.DataFrame:
    """Two points over two rounds, one round with nobody arriving at one point."""
    return pd.DataFrame(
        {
            "round": [1, 1, 2, 2],
            "site": ["A", "B", "A", "B"],
            "wait_p95_min": [12.0, 40.0, 55.5, 3.0],
            "wait_mean_min": [4.0, 21.0, 9.0, 1.0],
            "longest_queue_m": [80.0, 120.0, 150.0, 0.0],
            "arrived": [1000, 400, 800, 0],
            "tested": [990, 300, 792, 0],
        }
    )


def test_target_values_take_the_worst_point() -> None:
    summary = {"scenario": "x", "coverage": 0.97, "tested": 2082, "green": True, "wait": None}
    out = target_values(summary, points_table())
    assert out["worst_point_wait_p95_min"] == 55.5
    assert out["worst_point_wait_mean_min"] == 21.0
    assert out["worst_point_longest_queue_m"] == 150.0
    assert out["worst_point_coverage"] == pytest.approx(300 / 400)  # B round 1; B round 2 empty
    # the summary's numbers pass through as floats; strings, booleans and None do not
    assert out["coverage"] == 0.97 and out["tested"] == 2082.0
    assert isinstance(out["tested"], float)
    assert not {"scenario", "green", "wait"} & set(out)


def test_target_values_without_points_have_no_worst_point() -> None:
    summary = {"coverage": 0.9, "wait_p95_min": 20.0}
    assert target_values(summary) == summary
    assert target_values(summary, points_table().iloc[0:0]) == summary


def test_worst_point_coverage_with_nobody_arriving_is_not_a_number() -> None:
    table = points_table().assign(arrived=0, tested=0)
    out = target_values({}, table)
    assert math.isnan(out["worst_point_coverage"])
    assert (
        judge(target(">=", 0.9, "worst_point_coverage"), [out["worst_point_coverage"]] * 2).verdict
        == NO_DATA
    )

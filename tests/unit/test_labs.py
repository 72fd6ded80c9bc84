"""A lab driven directly in a SimPy environment (:class:`sim.model.labs.Lab`), and its staffing
(:func:`sim.model.labs.stage_capacity`).

Run times are deterministic (extraction 45 min, PCR 90 min, report 30 min) and receiving takes
no time unless a test says otherwise, so every start and end is computed by hand. Times are
minutes after midnight of campaign day 1 (day 2's 08:00 is 1920).
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import pytest
import simpy

from sim.config.clock import Clock
from sim.config.distribution import DistributionConfig
from sim.config.labs import LabConfig
from sim.config.staffing import RoleRosterConfig, ShiftConfig
from sim.engine.distributions import deterministic
from sim.engine.schedule import CapacitySchedule
from sim.model.labs import EXTRACTION, PCR, RECEIVING, STAGES, Lab, stage_capacity

EXT, PCR_MIN, REPORT, WAIT = 45.0, 90.0, 30.0, 60.0
COLUMNS = ("received", "extraction_start", "extraction_end", "pcr_start", "pcr_end", "result")


def minutes(m: float) -> DistributionConfig:
    return DistributionConfig(kind="deterministic", mean=m)


def lab_config(**kw: Any) -> LabConfig:
    base: dict[str, Any] = {
        "name": "Test lab",
        "receiving_desks": 1,
        "receiving_s_per_tube": 0.0,
        "extractors": 1,
        "extraction_batch": 4,
        "extraction_min": minutes(EXT),
        "pcr_machines": 1,
        "plate_wells": 6,
        "control_wells": 2,  # 4 tubes per plate
        "pcr_min": minutes(PCR_MIN),
        "max_batch_wait_min": WAIT,
        "report_min": REPORT,
        "machines_per_technician": 1,
        "technicians": RoleRosterConfig(pattern="3x8", first_start=Clock("00:00")),
    }
    base.update(kw)
    return LabConfig(**base)


def always(cfg: LabConfig) -> dict[str, CapacitySchedule]:
    """Every desk and machine staffed from time 0 on."""
    counts = {RECEIVING: cfg.receiving_desks, EXTRACTION: cfg.extractors, PCR: cfg.pcr_machines}
    return {s: CapacitySchedule.from_steps([0.0], [counts[s]]) for s in STAGES}


class Harness:
    """One lab, ``n`` tubes (``urgent`` ones are retests), deliveries scheduled by time."""

    def __init__(
        self,
        cfg: LabConfig,
        n: int,
        urgent: tuple[int, ...] = (),
        capacity: dict[str, CapacitySchedule] | None = None,
    ) -> None:
        self.env = simpy.Environment()
        self.cfg = cfg
        hot = np.zeros(n, dtype=bool)
        hot[list(urgent)] = True
        self.times = {c: np.full(n, np.nan) for c in COLUMNS}
        self.results: list[tuple[list[int], float]] = []
        self.lab = Lab(
            self.env,
            0,
            cfg,
            always(cfg) if capacity is None else capacity,
            deterministic(cfg.extraction_min.expected),
            deterministic(cfg.pcr_min.expected),
            (np.random.default_rng(1), np.random.default_rng(2)),
            hot,
            self.times,
            lambda ids, t: self.results.append((sorted(ids.tolist()), t)),
        )

    def deliver(self, t: float, ids: list[int]) -> None:
        def go() -> Any:
            yield self.env.timeout(t)
            self.lab.deliver(np.array(ids, dtype=np.int64), self.env.now)

        self.env.process(go())

    def run(self, until: float = 10_000.0) -> dict[str, np.ndarray]:
        self.env.run(until=until)
        return self.times

    def runs(self, stage: str) -> list[tuple[float, float, int]]:
        log = self.lab.log
        return [
            (s, e, n)
            for st, s, e, n in zip(log.stage, log.start, log.end, log.tubes, strict=True)
            if st == stage
        ]


# ------------------------------------------------------------------------------ batches


def test_a_full_batch_starts_at_once_and_goes_through_every_stage() -> None:
    h = Harness(lab_config(), 4)
    h.deliver(10.0, [0, 1, 2, 3])
    t = h.run()
    np.testing.assert_allclose(t["received"], 10.0)
    np.testing.assert_allclose(t["extraction_start"], 10.0)
    np.testing.assert_allclose(t["extraction_end"], 10.0 + EXT)
    np.testing.assert_allclose(t["pcr_start"], 10.0 + EXT)  # a full plate: no wait either
    np.testing.assert_allclose(t["pcr_end"], 10.0 + EXT + PCR_MIN)
    np.testing.assert_allclose(t["result"], 10.0 + EXT + PCR_MIN + REPORT)
    assert h.results == [([0, 1, 2, 3], 10.0 + EXT + PCR_MIN + REPORT)]
    assert [n for *_, n in h.runs(EXTRACTION)] == [4]
    assert [n for *_, n in h.runs(PCR)] == [4]


def test_a_partial_batch_waits_max_batch_wait_from_its_oldest_tube() -> None:
    h = Harness(lab_config(), 2)
    h.deliver(10.0, [0])
    h.deliver(40.0, [1])
    t = h.run()
    start = 10.0 + WAIT  # the oldest tube's wait, not the newest's (100)
    np.testing.assert_allclose(t["extraction_start"], start)
    # The plate is partial too: it waits again, from the end of extraction.
    np.testing.assert_allclose(t["pcr_start"], start + EXT + WAIT)
    np.testing.assert_allclose(t["result"], start + EXT + WAIT + PCR_MIN + REPORT)


def test_a_batch_filled_by_a_later_delivery_starts_when_it_is_full() -> None:
    h = Harness(lab_config(), 4)
    h.deliver(10.0, [0, 1])
    h.deliver(30.0, [2, 3])
    t = h.run()
    np.testing.assert_allclose(t["extraction_start"], 30.0)
    assert [n for *_, n in h.runs(EXTRACTION)] == [4]


def test_zero_max_wait_starts_any_batch_at_once() -> None:
    h = Harness(lab_config(max_batch_wait_min=0.0), 1)
    h.deliver(10.0, [0])
    t = h.run()
    np.testing.assert_allclose(t["extraction_start"], 10.0)
    np.testing.assert_allclose(t["pcr_start"], 10.0 + EXT)


def test_extra_tubes_wait_for_the_next_batch() -> None:
    h = Harness(lab_config(), 6)
    h.deliver(0.0, [0, 1, 2, 3, 4, 5])
    t = h.run()
    # One extractor: the first 4 at once; the other 2 (a partial batch waiting since 0) start
    # at WAIT, the machine being free again at EXT < WAIT.
    np.testing.assert_allclose(t["extraction_start"], [0, 0, 0, 0, WAIT, WAIT])
    assert [n for *_, n in h.runs(EXTRACTION)] == [4, 2]


def test_plate_holds_plate_wells_less_control_wells() -> None:
    cfg = lab_config(extraction_batch=20, plate_wells=10, control_wells=2, pcr_machines=3)
    h = Harness(cfg, 20)
    h.deliver(0.0, list(range(20)))
    t = h.run()
    plates = h.runs(PCR)
    assert sorted(n for *_, n in plates) == [4, 8, 8]
    starts = sorted((s, n) for s, _, n in plates)
    # Two full plates at once; the third machine waits for the rest (4 < 8) to wait WAIT.
    assert starts == [(EXT, 8), (EXT, 8), (EXT + WAIT, 4)]
    assert np.sum(t["pcr_start"] == EXT) == 16
    assert np.sum(t["pcr_start"] == EXT + WAIT) == 4


def test_result_is_out_report_min_after_the_plate_run_ends() -> None:
    cfg = lab_config(report_min=17.0, pcr_min=minutes(55.0))
    h = Harness(cfg, 4)
    h.deliver(5.0, [0, 1, 2, 3])
    t = h.run()
    np.testing.assert_allclose(t["pcr_end"], t["pcr_start"] + 55.0)
    np.testing.assert_allclose(t["result"], t["pcr_end"] + 17.0)
    assert h.results == [([0, 1, 2, 3], 5.0 + EXT + 55.0 + 17.0)]


def test_receiving_takes_seconds_per_tube_one_delivery_at_a_time() -> None:
    cfg = lab_config(receiving_s_per_tube=6.0, extraction_batch=200, plate_wells=200)
    h = Harness(cfg, 150)
    h.deliver(0.0, list(range(100)))  # 10 min
    h.deliver(1.0, list(range(100, 150)))  # 5 min, after the first
    t = h.run()
    np.testing.assert_allclose(t["received"][:100], 10.0)
    np.testing.assert_allclose(t["received"][100:], 15.0)


def test_machines_of_a_stage_run_in_parallel() -> None:
    h = Harness(lab_config(extractors=2), 8)
    h.deliver(0.0, list(range(8)))
    t = h.run()
    np.testing.assert_allclose(t["extraction_start"], 0.0)
    assert [(s, n) for s, _, n in h.runs(EXTRACTION)] == [(0.0, 4), (0.0, 4)]


# ------------------------------------------------------------------------------ retests


def test_a_retest_tube_alone_starts_every_run_at_once() -> None:
    h = Harness(lab_config(), 1, urgent=(0,))
    h.deliver(10.0, [0])
    t = h.run()
    assert t["extraction_start"][0] == 10.0  # not 10 + WAIT
    assert t["pcr_start"][0] == 10.0 + EXT
    assert t["result"][0] == 10.0 + EXT + PCR_MIN + REPORT


def test_a_retest_tube_starts_the_run_of_a_waiting_partial_batch() -> None:
    h = Harness(lab_config(), 2, urgent=(1,))
    h.deliver(0.0, [0])  # would wait until 60
    h.deliver(20.0, [1])
    t = h.run()
    np.testing.assert_allclose(t["extraction_start"], [20.0, 20.0])
    assert [n for *_, n in h.runs(EXTRACTION)] == [2]


def test_retests_share_a_run_within_retest_max_wait() -> None:
    # Three retests 0, 5 and 12 min apart; with a 15-min allowance they wait for the first
    # one's 15 min and share one extraction run (instead of three runs of one tube).
    h = Harness(lab_config(retest_max_wait_min=15.0), 3, urgent=(0, 1, 2))
    h.deliver(0.0, [0])
    h.deliver(5.0, [1])
    h.deliver(12.0, [2])
    t = h.run()
    np.testing.assert_allclose(t["extraction_start"], 15.0)
    assert [n for *_, n in h.runs(EXTRACTION)] == [3]
    # a full batch does not wait for the allowance
    h = Harness(lab_config(retest_max_wait_min=15.0), 4, urgent=(0, 1, 2, 3))
    h.deliver(1.0, [0, 1, 2, 3])
    assert h.run()["extraction_start"][0] == 1.0


def test_retest_tubes_go_ahead_of_waiting_tubes() -> None:
    # One extractor, batches of 2: tubes 0-3 arrive at 0, the retest 4 at 10. Run 1 takes 0, 1;
    # when it ends the retest goes first (with 2), and 3 is left for the run after.
    h = Harness(lab_config(extraction_batch=2), 5, urgent=(4,))
    h.deliver(0.0, [0, 1, 2, 3])
    h.deliver(10.0, [4])
    t = h.run()
    np.testing.assert_allclose(t["extraction_start"], [0.0, 0.0, EXT, 2 * EXT, EXT])


def test_retest_delivery_is_received_before_deliveries_already_waiting() -> None:
    cfg = lab_config(receiving_s_per_tube=6.0, extraction_batch=200, plate_wells=200)
    h = Harness(cfg, 201, urgent=(200,))
    h.deliver(0.0, list(range(100)))  # received 0-10
    h.deliver(1.0, list(range(100, 200)))  # waits
    h.deliver(2.0, [200])  # the retest jumps the queue at the desk
    t = h.run()
    assert t["received"][200] == pytest.approx(10.1)
    np.testing.assert_allclose(t["received"][100:200], 20.1)


# ------------------------------------------------------------------------------ opening and staff


def test_nothing_starts_before_a_mobile_lab_opens() -> None:
    cfg = lab_config(
        opens_day=2,
        opens_at=Clock("08:00"),
        technicians=RoleRosterConfig(pattern="3x8", first_start=Clock("00:00")),
    )
    assert cfg.opens_min == 1920.0
    h = Harness(cfg, 4, capacity=stage_capacity(cfg, 5000.0))
    h.deliver(100.0, [0, 1, 2, 3])
    t = h.run()
    np.testing.assert_allclose(t["received"], 1920.0)
    np.testing.assert_allclose(t["extraction_start"], 1920.0)
    assert all(s >= 1920.0 for st in STAGES for s, _, _ in h.runs(st))


def day_shift_lab(**kw: Any) -> LabConfig:
    """Technicians work 08:00-16:00 only."""
    return lab_config(
        technicians=RoleRosterConfig(
            pattern="custom",
            first_start=Clock("08:00"),
            shifts=(ShiftConfig(Clock("08:00"), Clock("16:00")),),
        ),
        **kw,
    )


def test_nothing_starts_while_no_technician_is_on_duty() -> None:
    cfg = day_shift_lab()
    h = Harness(cfg, 4, capacity=stage_capacity(cfg, 5000.0))
    h.deliver(100.0, [0, 1, 2, 3])  # 01:40, before the day shift
    h.run()
    np.testing.assert_allclose(h.times["received"], 480.0)
    np.testing.assert_allclose(h.times["extraction_start"], 480.0)


def test_a_run_under_way_at_shift_end_finishes_and_the_next_waits_for_the_next_shift() -> None:
    cfg = day_shift_lab()
    h = Harness(cfg, 8, capacity=stage_capacity(cfg, 5000.0))
    h.deliver(930.0, [0, 1, 2, 3])  # 15:30: extraction 15:30-16:15 runs past 16:00
    h.deliver(1020.0, [4, 5, 6, 7])  # 17:00: nobody on duty
    t = h.run()
    np.testing.assert_allclose(t["extraction_start"][:4], 930.0)
    np.testing.assert_allclose(t["extraction_end"][:4], 930.0 + EXT)  # finished off duty
    np.testing.assert_allclose(t["pcr_start"][:4], 1920.0)  # next morning's shift
    np.testing.assert_allclose(t["received"][4:], 1920.0)
    np.testing.assert_allclose(t["extraction_start"][4:], 1920.0)
    # Nothing starts off duty (16:00-08:00) on any stage.
    for st in STAGES:
        for s, _, _ in h.runs(st):
            assert s % 1440.0 >= 480.0 and s % 1440.0 < 960.0, (st, s)


def test_unstaffed_machines_stand_idle() -> None:
    # Two extractors but only one staffed: the two batches run one after the other.
    cfg = lab_config(extractors=2)
    cap = always(cfg)
    cap[EXTRACTION] = CapacitySchedule.from_steps([0.0], [1])
    h = Harness(cfg, 8, capacity=cap)
    h.deliver(0.0, list(range(8)))
    h.run()
    assert sorted(s for s, _, _ in h.runs(EXTRACTION)) == [0.0, EXT]


# ------------------------------------------------------------------------------ stage_capacity


def staffed(cfg: LabConfig, t: float = 600.0) -> dict[str, int]:
    cap = stage_capacity(cfg, 3000.0)
    return {s: cap[s].at(t) for s in STAGES}


LAB_727 = {
    "receiving_desks": 2,
    "extractors": 4,
    "pcr_machines": 6,
    "machines_per_technician": 2,
}  # needs 2 + 2 + 3 = 7 technicians


def with_staff(staff: int | None) -> LabConfig:
    roster = RoleRosterConfig(pattern="3x8", first_start=Clock("00:00"), staff=staff)
    return lab_config(technicians=roster, **LAB_727)


def test_technicians_needed_counts_desks_and_machines_per_technician() -> None:
    assert with_staff(None).technicians_needed == 7
    odd = lab_config(extractors=3, pcr_machines=5, machines_per_technician=2)
    assert odd.technicians_needed == 1 + 2 + 3  # receiving desk, ceil(3/2), ceil(5/2)


@pytest.mark.parametrize(
    ("staff", "expected"),
    [
        (None, {RECEIVING: 2, EXTRACTION: 4, PCR: 6}),  # one per needed post
        (7, {RECEIVING: 2, EXTRACTION: 4, PCR: 6}),
        (12, {RECEIVING: 2, EXTRACTION: 4, PCR: 6}),  # more people open no more machines
        (4, {RECEIVING: 1, EXTRACTION: 2, PCR: 3}),  # floor(m * 4 / 7)
        (2, {RECEIVING: 1, EXTRACTION: 1, PCR: 1}),  # floor(4/7)=0 -> at least one each
        (1, {RECEIVING: 1, EXTRACTION: 1, PCR: 1}),
    ],
)
def test_short_staff_cuts_every_stage_in_proportion(
    staff: int | None, expected: dict[str, int]
) -> None:
    assert staffed(with_staff(staff)) == expected


def test_stage_capacity_is_zero_before_opening_and_between_shifts() -> None:
    cfg = day_shift_lab(**LAB_727)
    cap = stage_capacity(cfg, 3000.0)
    for s in STAGES:
        assert cap[s].at(479.0) == 0
        assert cap[s].at(480.0) > 0
        assert cap[s].at(959.0) > 0
        assert cap[s].at(961.0) == 0
        assert cap[s].at(1920.0 + 1.0) > 0  # the next day's shift
    mobile = dataclasses.replace(with_staff(None), opens_day=2, opens_at=Clock("08:00"))
    cap = stage_capacity(mobile, 5000.0)
    for s in STAGES:
        assert cap[s].at(1919.0) == 0
        assert cap[s].at(1920.0) == {RECEIVING: 2, EXTRACTION: 4, PCR: 6}[s]

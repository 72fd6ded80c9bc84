"""A testing lab as a queue of batches: receiving, extraction runs, PCR plate runs.

Tubes arrive in deliveries (a courier's load, or one retest tube). Three stages follow, each a
FIFO queue in front of identical machines:

``receiving``
    A desk takes one delivery at a time: ``receiving_s_per_tube`` per tube.
``extraction``
    An extractor takes up to ``extraction_batch`` tubes per run.
``pcr``
    A PCR machine takes up to ``plate_wells - control_wells`` tubes per plate run; the result
    is out ``report_min`` after the run ends.

Extraction and PCR start a run when a full batch waits, when the oldest waiting tube has waited
``max_batch_wait_min``, or when a retest tube has waited ``retest_max_wait_min`` (0: at once;
retest tubes go first). Machine
``i`` of a stage works while the stage has more than ``i`` machines staffed
(:func:`stage_capacity`); a run under way when staff go off duty is finished.

Each desk and machine is one SimPy process; per batch, not per tube. Times are minutes after
midnight of campaign day 1.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections import deque
from collections.abc import Callable, Generator
from dataclasses import dataclass
from typing import Any

import numpy as np
import simpy

from sim.config.labs import LabConfig
from sim.config.staffing import DAY_MIN
from sim.engine.distributions import BlockDraws, Distribution
from sim.engine.schedule import CapacitySchedule
from sim.model.staffing import LAB, role_schedule

RECEIVING, EXTRACTION, PCR = "receiving", "extraction", "pcr"
#: The lab's stages in the order tubes pass them.
STAGES: tuple[str, ...] = (RECEIVING, EXTRACTION, PCR)

_INF = math.inf


def stage_capacity(lab: LabConfig, until: float) -> dict[str, CapacitySchedule]:
    """Desks/machines of each stage staffed over time, from the lab's opening to ``until``.

    Each technician on duty runs one receiving desk or ``machines_per_technician`` machines.
    With ``N`` on duty out of the ``T`` the lab needs (:attr:`LabConfig.technicians_needed`),
    each stage gets ``floor(machines * N / T)`` (all of them when ``N >= T``), and at least one
    while anybody is on duty.
    """
    start = lab.opens_min
    days = max(1, math.ceil((until - start) / DAY_MIN) + 1)
    first_day = math.floor(start / DAY_MIN)
    windows = [(start, DAY_MIN * (first_day + 1))]
    windows += [(DAY_MIN * d, DAY_MIN * (d + 1)) for d in range(first_day + 1, first_day + days)]
    need = lab.technicians_needed
    on_duty = role_schedule(LAB, lab.technicians, need, windows).schedule
    machines = {RECEIVING: lab.receiving_desks, EXTRACTION: lab.extractors, PCR: lab.pcr_machines}
    out = {}
    for stage, m in machines.items():
        counts = [
            0 if n <= 0 else m if n >= need else max(1, m * n // need) for n in on_duty.counts
        ]
        out[stage] = CapacitySchedule.from_steps(on_duty.times, counts)
    return out


@dataclass
class RunLog:
    """Runs of one lab (a delivery received, an extraction run, a plate run), as lists."""

    stage: list[str]
    machine: list[int]
    start: list[float]
    end: list[float]
    tubes: list[int]


class _Stage:
    """A FIFO of tubes in front of identical desks or machines (retest tubes first)."""

    def __init__(
        self,
        env: simpy.Environment,
        name: str,
        capacity: CapacitySchedule,
        batch: int | None,
        max_wait: float,
        urgent: np.ndarray,
        urgent_wait: float = 0.0,
    ) -> None:
        self.env = env
        self.name = name
        self.capacity = capacity
        self.batch = batch  # None: one delivery at a time
        self.max_wait = max_wait
        self.urgent_wait = urgent_wait
        self._urgent_tube = urgent
        self.normal: deque[list[Any]] = deque()  # [ready time, tube ids, taken so far]
        self.urgent: deque[list[Any]] = deque()
        self.queued = 0
        self.changed = env.event()

    def put(self, ids: np.ndarray, t: float) -> None:
        hot = self._urgent_tube[ids]
        n = ids.size
        if np.count_nonzero(hot):
            self.urgent.append([t, ids[hot], 0])
            ids = ids[~hot]
        if ids.size:
            self.normal.append([t, ids, 0])
        self.queued += n
        old, self.changed = self.changed, self.env.event()
        old.succeed()

    def ready_at(self) -> float:
        """When a run may start with the tubes now waiting (inf: none wait)."""
        now = self.env.now
        if self.batch is None:
            return now if self.urgent or self.normal else _INF
        if self.queued >= self.batch:
            return now
        due = self.urgent[0][0] + self.urgent_wait if self.urgent else _INF
        if self.normal:
            due = min(due, self.normal[0][0] + self.max_wait)
        return max(due, now)

    def take(self) -> np.ndarray:
        if self.batch is None:
            q = self.urgent if self.urgent else self.normal
            _, ids, _ = q.popleft()
            self.queued -= ids.size
            return ids
        want = self.batch
        parts: list[np.ndarray] = []
        for q in (self.urgent, self.normal):
            while want and q:
                entry = q[0]
                ids, pos = entry[1], entry[2]
                n = min(want, ids.size - pos)
                parts.append(ids[pos : pos + n])
                want -= n
                if pos + n == ids.size:
                    q.popleft()
                else:
                    entry[2] = pos + n
        out = parts[0] if len(parts) == 1 else np.concatenate(parts)
        self.queued -= out.size
        return out

    def staffed(self, t: float) -> int:
        """Desks/machines staffed at ``t`` (``capacity.at(t)``, without numpy: a hot path)."""
        cap = self.capacity
        k = bisect_right(cap.times, t) - 1
        return cap.counts[k] if k >= 0 else 0

    def next_staffed(self, i: int) -> float:
        """First time after now when machine ``i`` is staffed (inf: never)."""
        now = self.env.now
        for t, c in zip(self.capacity.times, self.capacity.counts, strict=True):
            if t > now and c > i:
                return t
        return _INF


class Lab:
    """One lab in the SimPy environment.

    Parameters
    ----------
    env
        The environment.
    index, cfg
        The lab's index and configuration.
    capacity
        Staffed desks/machines per stage (:func:`stage_capacity`).
    extraction_min, pcr_min
        Run time samplers (minutes); each lab draws from its own streams.
    rngs
        Generators for extraction and PCR run times.
    urgent
        Per tube, whether it is a retest (goes first).
    times
        Per-tube time arrays to fill: ``received``, ``extraction_start``, ``extraction_end``,
        ``pcr_start``, ``pcr_end``, ``result``.
    on_result
        Called with the tube ids and the time when their result is out.
    """

    def __init__(
        self,
        env: simpy.Environment,
        index: int,
        cfg: LabConfig,
        capacity: dict[str, CapacitySchedule],
        extraction_min: Distribution,
        pcr_min: Distribution,
        rngs: tuple[np.random.Generator, np.random.Generator],
        urgent: np.ndarray,
        times: dict[str, np.ndarray],
        on_result: Callable[[np.ndarray, float], None],
    ) -> None:
        self.env = env
        self.index = index
        self.cfg = cfg
        self.times = times
        self.on_result = on_result
        self.log = RunLog([], [], [], [], [])
        self.in_hand = 0  # tubes sent here (in transit or in the lab) without a result
        w = cfg.max_batch_wait_min
        rw = cfg.retest_max_wait_min
        self.stages = {
            RECEIVING: _Stage(env, RECEIVING, capacity[RECEIVING], None, 0.0, urgent),
            EXTRACTION: _Stage(
                env, EXTRACTION, capacity[EXTRACTION], cfg.extraction_batch, w, urgent, rw
            ),
            PCR: _Stage(env, PCR, capacity[PCR], cfg.tubes_per_plate, w, urgent, rw),
        }
        per_tube = cfg.receiving_s_per_tube / 60.0
        ext = BlockDraws(extraction_min, rngs[0])
        pcr = BlockDraws(pcr_min, rngs[1])
        self._duration: dict[str, Callable[[int], float]] = {
            RECEIVING: lambda n: n * per_tube,
            EXTRACTION: lambda n: ext(),
            PCR: lambda n: pcr(),
        }
        machines = {
            RECEIVING: cfg.receiving_desks,
            EXTRACTION: cfg.extractors,
            PCR: cfg.pcr_machines,
        }
        for name, m in machines.items():
            for i in range(m):
                env.process(self._machine(name, i))

    def deliver(self, ids: np.ndarray, t: float) -> None:
        """Tubes reach the lab's door at ``t`` (now)."""
        self.stages[RECEIVING].put(ids, t)

    def _machine(self, name: str, i: int) -> Generator[simpy.Event, Any, None]:
        env = self.env
        stage = self.stages[name]
        after = {RECEIVING: EXTRACTION, EXTRACTION: PCR, PCR: None}[name]
        start_col = {RECEIVING: None, EXTRACTION: "extraction_start", PCR: "pcr_start"}[name]
        end_col = {RECEIVING: "received", EXTRACTION: "extraction_end", PCR: "pcr_end"}[name]
        times = self.times
        log = self.log
        while True:
            now = env.now
            if stage.staffed(now) > i:
                wake = stage.ready_at()
                if wake <= now:
                    ids = stage.take()
                    if start_col is not None:
                        times[start_col][ids] = now
                    log.stage.append(name)
                    log.machine.append(i)
                    log.start.append(now)
                    log.end.append(_INF)
                    log.tubes.append(int(ids.size))
                    k = len(log.end) - 1
                    yield env.timeout(self._duration[name](int(ids.size)))
                    log.end[k] = env.now
                    times[end_col][ids] = env.now
                    if after is not None:
                        self.stages[after].put(ids, env.now)
                    else:
                        out = env.now + self.cfg.report_min
                        times["result"][ids] = out
                        self.in_hand -= int(ids.size)
                        self.on_result(ids, out)
                    continue
            else:
                wake = stage.next_staffed(i)
            events: list[simpy.Event] = [stage.changed]
            if wake < _INF:
                events.append(env.timeout(wake - now))
            yield env.any_of(events)

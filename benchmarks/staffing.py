"""The staffing planner benchmark (issue 11, "Speed"): one point's plan, then the whole default
district's, with the simulated replications they needed.

Both cases plan ``sim.load_config(["mobile.teams=0"])`` (the default district, 40 points, 2
days, the mobile teams off: they have no line to staff) for its targets (``wait_p95_min <= 30``
and ``coverage >= 0.99`` become, per point, a p95 wait of at most 30 minutes and at most 1 %
of the point's residents not tested), with 8 replications of each point's residents (common
random numbers). Each case runs in a fresh subprocess that loads the config before the clock
starts.

``point`` (one core, one process)
    What :func:`sim.plan_staffing` does for one point, timed step by step on the busiest point
    (the most residents; Jianning 1, ~14,000 a replication):

    ``draw``
        :func:`sim.planning.isa.point_demands`: the residents of the replications, drawn from
        the scenario's streams as :func:`sim.run` draws them. This draws the whole district's
        residents (the point's depend on the others' through the choice of points), so it
        overstates one point's share; it is counted all the same.
    ``requirements``
        :func:`sim.planning.isa.plan_point_requirements` on that point: the iterative staffing
        algorithm down the ladder of delay probabilities, then the trim.
    ``rosters``
        ``sim.planning.plan._rosters`` with ``plan_staffing``'s default ``ShiftRules()``: the
        integer programs of its two roles.

    The point is planned ``--repeat`` times (3) in the same process, each time from the draw
    on; the target, under 20 s, is judged on the median of the sums of the three steps (the
    best and the slowest are shown: on this shared machine one repetition in a few takes twice
    the CPU time of the others).
``district`` (``n_jobs`` processes, 2 by default)
    ``plan_staffing(cfg, replications=8, verify_replications=None, n_jobs=2)``: the whole plan,
    timed as one; its steps (draw, the requirements of the 40 points in 2 worker processes,
    the rosters, the planned config) are timed inside it. Target: at most 600 s. Then the
    verification ``plan_staffing`` would run with ``verify_replications=4`` is timed on its
    own: ``run_replications(layout, 4, seed=cfg.seed, n_jobs=2)`` of the current and of the
    planned layout (the same calls), with the targets' verdicts of both.

CPU time is the case process's plus its worker processes' (``RUSAGE_CHILDREN``, counted once
they have been joined). Peak memory is the case process's ``VmHWM`` and the largest worker's
``ru_maxrss`` (forked workers count the pages they share with the parent). The point planned
alone is checked against the district plan's requirement of the same point (same staffing,
same simulated replications), so the one-point case measures what the district plan does.

Run: ``python -m benchmarks.staffing [--no-district] [--no-verify] [--no-save]`` (also part of
``python -m benchmarks``; skip it there with ``--no-staffing``).
"""

from __future__ import annotations

import argparse
import collections
import datetime as _dt
import functools
import gc
import os
import platform
import resource
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks._child import add_save_options, report_case, run_marked, shown_path
from benchmarks.district import print_checks

REPO_ROOT = Path(__file__).resolve().parent.parent
MARKER = "@@STAFFING@@ "
OVERRIDES = ("mobile.teams=0",)
TARGET_POINT_S = 20.0  # one point's plan (draw + requirements + rosters), one core
TARGET_DISTRICT_S = 600.0  # the whole district's plan, 2 processes
REPLICATIONS = 8
VERIFY_REPLICATIONS = 4
JOBS = 2
REPEAT = 3  # the one-point case: repetitions, judged on the median


# --------------------------------------------------------------------------- child


class _Clock:
    """Wall and CPU time (this process and its joined children) since ``start``."""

    def __init__(self) -> None:
        self.t0 = time.perf_counter()
        self.c0 = time.process_time()
        self.k0 = _children_cpu()

    def read(self) -> dict[str, float]:
        return {
            "wall_s": time.perf_counter() - self.t0,
            "cpu_s": time.process_time() - self.c0,
            "workers_cpu_s": _children_cpu() - self.k0,
        }


def _children_cpu() -> float:
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def _workers_peak_mb() -> float:
    """Largest ``ru_maxrss`` of the joined child processes, MiB (0: none)."""
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024.0


def _peak_mb() -> float:
    from benchmarks._child import _peak_rss_kib

    return _peak_rss_kib() / 1024.0


def _rss_mb(field: str) -> float | None:
    from benchmarks.district import _rss_kib

    kib = _rss_kib(field)
    return None if kib is None else kib / 1024.0


def _reset_peak() -> bool:
    from benchmarks.district import _reset_peak

    return _reset_peak()


def _load() -> float | None:
    return os.getloadavg()[0] if hasattr(os, "getloadavg") else None


def _site_hours(site: Any, days: int) -> float:
    """Person-hours of a point's registration and swab rosters over a round (as
    ``StaffingPlan.person_hours`` counts them)."""
    from sim.model.collection_point import plan_point

    staffing = plan_point(site, days).staffing
    roles = [staffing.swab]
    if staffing.registration is not None:
        roles.append(staffing.registration)
    return float(sum(s.staff * s.hours for role in roles for s in role.shifts))


def _requirement(req: Any) -> dict[str, Any]:
    """What the benchmark keeps of a point's requirement."""
    return {
        "name": req.name,
        "arrivals_in_slots": float(req.arrivals_per_slot.sum()),
        "stages": list(req.stages),
        "slots": int(req.slots.n),
        "staff_peak": {s: int(req.staff[j].max()) for j, s in enumerate(req.stages)},
        "staff_slot_sum": {s: int(req.staff[j].sum()) for j, s in enumerate(req.stages)},
        "alpha": float(req.alpha),
        "iterations": int(req.iterations),
        "converged": bool(req.converged),
        "simulated": int(req.simulated),
        "level": {k: float(v) for k, v in req.level.items()},
    }


def _busiest(demands: list[Any]) -> int:
    """Index of the point with the most residents (mean arrivals per replication)."""
    sizes = [sum(a.size for a in d.arrivals) / max(d.replications, 1) for d in demands]
    return max(range(len(sizes)), key=sizes.__getitem__)


def _child_point(replications: int, repeat: int) -> dict:
    import sim
    from sim.planning.isa import plan_point_requirements, point_demands
    from sim.planning.plan import ShiftRules, _rosters, service_levels

    cfg = sim.load_config(overrides=list(OVERRIDES))
    wanted = service_levels(cfg)
    load0 = _load()
    reps: list[dict[str, Any]] = []
    step_mb: dict[str, float | None] = {}  # peak resident set during each step (largest)
    peak = 0.0
    start: list[float | None] = [None]
    plans: list[dict[str, Any]] = []
    for _ in range(repeat):
        steps: dict[str, dict[str, float]] = {}

        def reset() -> None:
            gc.collect()
            start[0] = _rss_mb("VmRSS") if _reset_peak() else None

        def done(name: str, clock: _Clock, steps: dict[str, dict[str, float]] = steps) -> None:
            steps[name] = clock.read()
            mb = None if start[0] is None else _peak_mb()
            old = step_mb.get(name)
            step_mb[name] = mb if old is None or mb is None else max(old, mb)

        reset()
        clock = _Clock()
        demands = point_demands(cfg, replications, None)
        done("draw", clock)
        k = _busiest(demands)
        demand = demands[k]
        residents = sum(a.size for a in demand.arrivals) / demand.replications
        peak = max(peak, _peak_mb())
        del demands
        reset()
        clock = _Clock()
        req = plan_point_requirements(demand, wanted)
        done("requirements", clock)
        reset()
        clock = _Clock()
        site = cfg.points[k]
        rosters = _rosters(site, req, ShiftRules())  # plan_staffing's default shift rules
        done("rosters", clock)
        peak = max(peak, _peak_mb())
        total = {key: sum(x[key] for x in steps.values()) for key in ("wall_s", "cpu_s")}
        reps.append({"steps": steps, **total})
        plans.append(_requirement(req))
        del demand
    days = cfg.campaign.round_days
    walls = [x["wall_s"] for x in reps]
    return {
        "replications": replications,
        "repeat": repeat,
        "levels": wanted,
        "index": k,
        "point": {**plans[-1], "residents": residents},
        "repetitions": reps,
        # the median repetition's steps; the judged time: the median of the totals
        "steps": {
            name: {
                key: statistics.median(x["steps"][name][key] for x in reps)
                for key in ("wall_s", "cpu_s")
            }
            for name in reps[0]["steps"]
        },
        "wall_s": statistics.median(walls),
        "wall_best_s": min(walls),
        "wall_max_s": max(walls),
        "cpu_s": statistics.median(x["cpu_s"] for x in reps),
        "repeatable": all(p == plans[0] for p in plans),
        "person_hours_current": _site_hours(site, days),
        # a roster repeats daily: its paid hours a day times the round's days
        "person_hours_planned": days * sum(plan.person_hours for plan in rosters.values()),
        "roster_status": {stage: plan.status for stage, plan in rosters.items()},
        "peak_mb": peak,
        "step_peak_mb": step_mb,
        "loadavg": [load0, _load()],
    }


def _timed(steps: dict[str, dict[str, float]], name: str, fn: Callable[..., Any]) -> Any:
    """``fn`` with its time added to ``steps[name]`` (called once or, for the rosters, once per
    point)."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        clock = _Clock()
        try:
            return fn(*args, **kwargs)
        finally:
            got = clock.read()
            acc = steps.setdefault(name, {key: 0.0 for key in got})
            for key, value in got.items():
                acc[key] += value

    return wrapper


def _child_district(replications: int, verify: int, jobs: int) -> dict:
    import sim
    from sim.experiment.replications import run_replications
    from sim.planning import plan as plan_mod

    cfg = sim.load_config(overrides=list(OVERRIDES))
    steps: dict[str, dict[str, float]] = {}
    for name, attr in (
        ("draw", "point_demands"),
        ("requirements", "_requirements"),
        ("rosters", "_rosters"),
        ("planned config", "_planned_config"),
    ):
        setattr(plan_mod, attr, _timed(steps, name, getattr(plan_mod, attr)))
    t_start = time.perf_counter()

    def progress(done: int, total: int) -> None:
        if done % 5 == 0 or done == total:
            print(
                f"    staffing district: {done}/{total} points planned "
                f"[{time.perf_counter() - t_start:.0f} s]",
                file=sys.stderr,
                flush=True,
            )

    load0 = _load()
    clock = _Clock()
    plan = plan_mod.plan_staffing(
        cfg,
        replications=replications,
        verify_replications=None,
        n_jobs=jobs,
        progress=progress,
    )
    timed = clock.read()
    load1 = _load()
    out: dict[str, Any] = {
        "replications": replications,
        "jobs": jobs,
        "levels": plan.levels,
        **timed,
        "steps": steps,
        "points": [
            {
                **_requirement(req),
                "person_hours_planned": cfg.campaign.round_days
                * sum(p.person_hours for p in rosters.values()),
            }
            for req, rosters in zip(plan.requirements, plan.rosters, strict=True)
        ],
        "peak_mb": _peak_mb(),
        "workers_peak_mb": _workers_peak_mb(),
        "loadavg": [load0, load1],
    }
    if verify:
        verification: dict[str, Any] = {}
        results = {}
        for name, layout in (("current", cfg), ("planned", plan.config)):
            print(
                f"    staffing district: verifying the {name} layout ({verify} replications) ...",
                file=sys.stderr,
                flush=True,
            )
            clock = _Clock()
            results[name] = run_replications(layout, verify, seed=cfg.seed, n_jobs=jobs)
            verification[name] = clock.read()
        plan.verification = results  # what plan_staffing(verify_replications=verify) sets
        verification["replications"] = verify
        verification["wall_s"] = sum(verification[n]["wall_s"] for n in results)
        verification["cpu_s"] = sum(
            verification[n]["cpu_s"] + verification[n]["workers_cpu_s"] for n in results
        )
        verification["verdicts"] = {
            name: [
                {
                    "target": v.target.label,
                    "mean": float(v.mean),
                    "half_width": float(v.half_width),
                    "verdict": v.verdict,
                }
                for v in vs
            ]
            for name, vs in plan.verdicts().items()
        }
        verification["planned_targets_met"] = plan.planned_targets_met()
        out["verification"] = verification
        out["peak_mb"] = _peak_mb()
        out["workers_peak_mb"] = _workers_peak_mb()
        out["loadavg"].append(_load())
    out["summary"] = {k: getattr(v, "item", lambda v=v: v)() for k, v in plan.summary().items()}
    return out


def _child_main(kind: str, replications: int, verify: int, jobs: int, repeat: int) -> int:
    def body() -> dict:
        if kind == "point":
            return _child_point(replications, repeat)
        return _child_district(replications, verify, jobs)

    return report_case(MARKER, kind, body)


# --------------------------------------------------------------------------- parent


def run_case(kind: str, replications: int, verify: int, jobs: int, repeat: int) -> dict:
    """Run one case (``point`` or ``district``) in a fresh process; its progress lines go to
    stderr as they come."""
    cmd = [sys.executable, "-m", "benchmarks.staffing", "--child", kind]
    cmd += ["--replications", str(replications), "--verify", str(verify), "--jobs", str(jobs)]
    cmd += ["--repeat", str(repeat)]
    return run_marked(cmd, REPO_ROOT, MARKER, kind, echo="    staffing ")


def _cpu(r: dict) -> float:
    return float(r["cpu_s"] + r.get("workers_cpu_s", 0.0))


def _fmt_levels(level: dict[str, float]) -> str:
    names = {
        "wait_p95_min": "p95 wait {:.1f} min",
        "wait_mean_min": "mean wait {:.1f} min",
        "share_waited": "waited {:.0%}",
        "share_not_tested": "not tested {:.2%}",
    }
    return ", ".join(names[k].format(v) for k, v in level.items() if k in names)


def _load_text(r: dict) -> str:
    loads = [x for x in r.get("loadavg", []) if x is not None]
    return "load average " + " -> ".join(f"{x:.1f}" for x in loads) if loads else ""


def print_point(r: dict) -> None:
    if r["status"] != "ok":
        print(f"  one point: {r['status'].upper()}: {r.get('reason', '')}")
        if r.get("traceback"):
            print("    " + "\n    ".join(r["traceback"].strip().splitlines()[-6:]))
        return
    p = r["point"]
    steps = r["steps"]
    print(
        f"\n  one point, one core: {p['name']} ({p['residents']:,.0f} residents a replication, "
        f"{r['replications']} replications, {p['slots']} hourly slots over the round)"
    )
    print("    step times: medians of the repetitions; peak: the largest during the step")
    for name in ("draw", "requirements", "rosters"):
        s = steps[name]
        note = {
            "draw": "point_demands: the whole district's residents, every replication",
            "requirements": "plan_point_requirements: ISA down the alpha ladder, then the trim",
            "rosters": "_rosters: the integer program of each role",
        }[name]
        mb = r["step_peak_mb"].get(name)
        peak = "" if mb is None else f", peak {mb:4.0f} MB"
        print(f"    {name:<13} {s['wall_s']:7.2f} s  (cpu {s['cpu_s']:6.2f} s{peak})  {note}")
    print(
        f"    {'total':<13} {r['wall_s']:7.2f} s  (cpu {r['cpu_s']:6.2f} s)  median of "
        f"{r['repeat']} (best {r['wall_best_s']:.2f} s, slowest {r['wall_max_s']:.2f} s)"
        + ("" if r["repeatable"] else "; the repetitions planned DIFFERENT staffing")
    )
    print(
        f"    simulated replications {p['simulated']} (ISA at alpha {p['alpha']:g}: "
        f"{p['iterations']} iterations, {'converged' if p['converged'] else 'NOT converged'}; "
        f"the rest trim steps)"
    )
    peaks = ", ".join(f"{s} {n}" for s, n in p["staff_peak"].items())
    print(f"    reached: {_fmt_levels(p['level'])}; busiest hour needs {peaks}")
    change = r["person_hours_planned"] - r["person_hours_current"]
    print(
        f"    person-hours over the round: current {r['person_hours_current']:,.0f}, planned "
        f"{r['person_hours_planned']:,.0f} ({change:+,.0f})"
    )
    print(f"    peak memory {r['peak_mb']:.0f} MB; {_load_text(r)}")


def print_district(r: dict) -> None:
    if r["status"] != "ok":
        print(f"  whole district: {r['status'].upper()}: {r.get('reason', '')}")
        if r.get("traceback"):
            print("    " + "\n    ".join(r["traceback"].strip().splitlines()[-6:]))
        return
    pts = r["points"]
    s = r["summary"]
    print(
        f"\n  whole district: {len(pts)} points, {r['replications']} replications, "
        f"{r['jobs']} processes"
    )
    cpu = _cpu(r)
    print(
        f"    plan_staffing  {r['wall_s']:7.2f} s  (cpu {cpu:.2f} s: {r['cpu_s']:.2f} s here + "
        f"{r['workers_cpu_s']:.2f} s in workers; {cpu / r['wall_s']:.2f} cores on average)"
    )
    for name, st in r["steps"].items():
        c = st["cpu_s"] + st["workers_cpu_s"]
        print(f"      {name:<15} {st['wall_s']:7.2f} s  (cpu {c:7.2f} s)")
    sims = [p["simulated"] for p in pts]
    its = [p["iterations"] for p in pts]
    alphas = collections.Counter(p["alpha"] for p in pts)
    print(
        f"    simulated replications {int(s['simulated_replications']):,} (a point's: min "
        f"{min(sims)}, median {statistics.median(sims):g}, max {max(sims)})"
    )
    print(
        f"    ISA: {sum(p['converged'] for p in pts)}/{len(pts)} converged; iterations min "
        f"{min(its)}, median {statistics.median(its):g}, max {max(its)}; alpha "
        + ", ".join(f"{a:g} x{n}" for a, n in sorted(alphas.items(), reverse=True))
    )
    worst = max(pts, key=lambda p: p["level"].get("wait_p95_min", 0.0))
    print(f"    worst point planned: {worst['name']}: {_fmt_levels(worst['level'])}")
    print(
        f"    person-hours over the round: current {s['person_hours_current']:,.0f}, planned "
        f"{s['person_hours_planned']:,.0f} ({s['person_hours_change']:+,.0f}, "
        f"{s['person_hours_change'] / s['person_hours_current']:+.1%})"
    )
    rostered = sum(p["person_hours_planned"] for p in pts)
    if abs(rostered - s["person_hours_planned"]) > 0.5:
        print(
            f"    note: the rosters' own person-hours add up to {rostered:,.0f} (a day's times the "
            "round's days), not the planned layout's"
        )
    v = r.get("verification")
    if v:
        print(
            f"    verification ({v['replications']} replications of each layout, "
            f"{r['jobs']} processes): {v['wall_s']:.2f} s (cpu {v['cpu_s']:.2f} s; current "
            f"{v['current']['wall_s']:.2f} s, planned {v['planned']['wall_s']:.2f} s)"
        )
        for name in ("current", "planned"):
            keys = ("coverage", "wait_mean_min", "wait_p95_min")
            if all(f"{name}_{k}" in s for k in keys):
                print(
                    f"      {name:<8} coverage {s[f'{name}_coverage']:.2%}, mean wait "
                    f"{s[f'{name}_wait_mean_min']:.1f} min, p95 wait "
                    f"{s[f'{name}_wait_p95_min']:.1f} min; "
                    + "; ".join(
                        f"{x['target']}: {x['verdict']} ({x['mean']:.4g} ± {x['half_width']:.2g})"
                        for x in v["verdicts"].get(name, [])
                    )
                )
    print(
        f"    peak memory {r['peak_mb']:.0f} MB (largest worker {r['workers_peak_mb']:.0f} MB); "
        f"{_load_text(r)}"
    )


def _busy(wall: float, cpu: float, cores: float = 1.0) -> str:
    """A warning where the wall time is well above the CPU time over ``cores``."""
    return (
        f" [busy machine: wall {wall * cores / cpu:.1f}x cpu/{cores:g}]"
        if cpu > 0 and wall > 1.25 * cpu / cores
        else ""
    )


def compute_checks(rows: list[dict]) -> list[dict]:
    checks: list[dict] = []
    point = next((r for r in rows if r["kind"] == "point" and r["status"] == "ok"), None)
    district = next((r for r in rows if r["kind"] == "district" and r["status"] == "ok"), None)
    if point is not None:
        t = point["wall_s"]
        req = point["steps"]["requirements"]["wall_s"]
        checks.append(
            {
                "name": "one point's plan (draw + requirements + rosters)",
                "value": t,
                "text": f"{t:.2f} s median of {point['repeat']} (best "
                f"{point['wall_best_s']:.2f} s, slowest {point['wall_max_s']:.2f} s; requirements "
                f"alone {req:.2f} s; cpu {point['cpu_s']:.2f} s; {point['point']['simulated']} "
                "simulated replications)" + _busy(t, point["cpu_s"]),
                "target": f"< {TARGET_POINT_S:g} s",
                "ok": t < TARGET_POINT_S,
            }
        )
    if district is not None:
        t = district["wall_s"]
        jobs = district["jobs"]
        checks.append(
            {
                "name": f"whole district's plan ({len(district['points'])} points, "
                f"{jobs} processes)",
                "value": t,
                "text": f"{t:.1f} s (cpu {_cpu(district):.1f} s; "
                f"{int(district['summary']['simulated_replications']):,} simulated "
                "replications)" + _busy(t, _cpu(district), jobs),
                "target": f"<= {TARGET_DISTRICT_S:g} s",
                "ok": t <= TARGET_DISTRICT_S,
            }
        )
        v = district.get("verification")
        if v:
            met = v["planned_targets_met"]
            unmet = [
                f"{x['target']} {x['verdict']}"
                for x in v["verdicts"].get("planned", [])
                if x["verdict"] != "met"
            ]
            checks.append(
                {
                    "name": "verification of both layouts (info)",
                    "value": v["wall_s"],
                    "text": f"{v['wall_s']:.1f} s; planned layout meets every target: "
                    + ("n/a" if met is None else ("yes" if met else f"no ({', '.join(unmet)})")),
                    "target": "",
                    "ok": None,
                }
            )
    if point is not None and district is not None:
        mine = point["point"]
        other = next((p for p in district["points"] if p["name"] == mine["name"]), None)
        keys = ("simulated", "staff_slot_sum", "staff_peak", "alpha", "iterations")
        same = (
            other is not None
            and all(mine[k] == other[k] for k in keys)
            and point["person_hours_planned"] == other["person_hours_planned"]
            and point["repeatable"]
        )
        checks.append(
            {
                "name": "the point alone equals its requirement in the district plan",
                "value": same,
                "text": "yes" if same else "no (the one-point case does not measure the same)",
                "target": "same",
                "ok": same,
            }
        )
    return checks


def _meta(args: argparse.Namespace, argv: list[str] | None) -> dict:
    from benchmarks.run import _version

    return {
        "timestamp": _dt.datetime.now().isoformat(timespec="seconds"),
        "argv": sys.argv[1:] if argv is None else argv,
        "overrides": list(OVERRIDES),
        "replications": args.replications,
        "verify_replications": 0 if args.no_verify else args.verify,
        "jobs": args.jobs,
        "repeat": args.repeat,
        "district": not args.no_district,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpu_count": os.cpu_count(),
        "loadavg_at_start": os.getloadavg() if hasattr(os, "getloadavg") else None,
        "versions": {d: _version(d) for d in ("simpy", "numpy", "scipy")},
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.staffing",
        description="Time the staffing planner: the busiest point's plan on one core, then the "
        "whole default district's (mobile.teams=0) and its verification.",
    )
    parser.add_argument(
        "--no-district",
        action="store_true",
        help="only the one-point case (the whole district's plan takes minutes)",
    )
    parser.add_argument(
        "--no-verify", action="store_true", help="do not time the district plan's verification"
    )
    parser.add_argument(
        "--replications",
        type=int,
        default=REPLICATIONS,
        help=f"replications of each point's residents (default {REPLICATIONS})",
    )
    parser.add_argument(
        "--verify",
        type=int,
        default=VERIFY_REPLICATIONS,
        help=f"replications of each layout in the verification (default {VERIFY_REPLICATIONS})",
    )
    parser.add_argument(
        "--jobs",
        type=int,
        default=JOBS,
        help=f"processes of the district plan and its verification (default {JOBS})",
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=REPEAT,
        help=f"times the one point is planned, judged on the median (default {REPEAT})",
    )
    add_save_options(parser, "staffing")
    parser.add_argument("--child", choices=("point", "district"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.replications < 2 or args.verify < 0 or args.jobs < 1 or args.repeat < 1:
        parser.error("--replications must be >= 2, --verify >= 0, --jobs and --repeat >= 1")
    verify = 0 if args.no_verify else args.verify
    if args.child is not None:
        return _child_main(args.child, args.replications, verify, args.jobs, args.repeat)
    if hasattr(sys.stdout, "reconfigure"):  # keep the report and stderr progress in order
        sys.stdout.reconfigure(line_buffering=True)

    kinds = ["point"] + ([] if args.no_district else ["district"])
    print(
        "\nStaffing planner (issue 11): the default district with mobile.teams=0 planned for its "
        f"targets,\n{args.replications} replications of each point's residents"
        + ("" if args.no_district else f"; the whole district with {args.jobs} processes")
    )
    rows = []
    t_all = time.perf_counter()
    for k, kind in enumerate(kinds, 1):
        print(f"[{k}/{len(kinds)}] staffing {kind} ...", file=sys.stderr, flush=True)
        t0 = time.perf_counter()
        r = run_case(kind, args.replications, verify, args.jobs, args.repeat)
        print(
            f"[{k}/{len(kinds)}] staffing {kind}: {r['status']} [{time.perf_counter() - t0:.1f} s]",
            file=sys.stderr,
            flush=True,
        )
        rows.append(r)
        (print_point if kind == "point" else print_district)(r)
    checks = compute_checks(rows)
    print()
    print_checks(checks)
    load = f", load average {os.getloadavg()[0]:.1f}" if hasattr(os, "getloadavg") else ""
    print(f"  total staffing benchmark time {time.perf_counter() - t_all:.1f} s{load}")

    if not args.no_save:
        from benchmarks.run import save_case

        payload = {"meta": _meta(args, argv), "cases": rows, "checks": checks}
        path = save_case("staffing", payload, args.results)
        print(f"staffing results written to {shown_path(path)}")

    failed = any(c["ok"] is False for c in checks) or any(r["status"] != "ok" for r in rows)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

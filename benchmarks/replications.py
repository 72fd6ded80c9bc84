"""The replications benchmark (issue 12, "Targets, in the benchmark"): many replications of the
default round, serial, in local worker processes and on Ray.

Every case runs ``sim.run_replications(sim.load_config(), n, seed=1, ...)`` in a fresh
subprocess that loads the config (and, for Ray, imports Ray) before the clock starts:

``serial``
    ``n`` replications (20 by default, ``--replications``), compact results
    (``keep="tables"``), ``n_jobs=1``, ``backend="serial"``.
``processes``
    the same with ``n_jobs=2``, ``backend="processes"``. The speed-up is serial / processes
    (target: at least 1.8x).
``full``
    the same 2 workers with full results (``keep="all"``): what sending the records back from
    the workers costs, for comparison. Bytes per result (``pickle``, the protocol the worker
    pool uses) are measured for the compact results and for the full ones.
``ray``
    the same ``n`` compact replications on ``backend="ray"``: a local Ray started by the case
    itself with ``ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False,
    configure_logging=False)``, timed on its own, then ``run_replications(..., n_jobs=2,
    backend="ray")`` (which uses the running Ray). The overhead against ``processes`` is judged
    on the run without the init (target: at most 15 %); the wall time with the init is shown
    too. Skipped, with a message, when Ray is not installed (``pip install
    'masstest-sim[ray]'``).
``hundred``
    100 replications, compact, 2 workers (target: at most 120 s; ``--no-hundred`` skips it).

The summaries of serial, processes and Ray (and of the full results, and the first ``n`` of
the hundred) are checked to be identical, NaN-aware: the backends must give the same
results. CPU time includes the joined worker processes (``RUSAGE_CHILDREN``; not Ray's, whose
workers are not this process's children). The load average is noted before and after each
case: on this shared 2-core machine a busy second core is what a speed-up needs most.

Run: ``python -m benchmarks.replications [--replications N] [--no-hundred] [--no-ray]
[--no-save]`` (also part of ``python -m benchmarks``; skip it there with
``--no-replications``).
"""

from __future__ import annotations

import argparse
import datetime as _dt
import math
import os
import pickle
import platform
import resource
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks._child import add_save_options, busy_note, report_case, run_marked, shown_path
from benchmarks.district import print_checks

REPO_ROOT = Path(__file__).resolve().parent.parent
MARKER = "@@REPLICATIONS@@ "
SEED = 1
REPLICATIONS = 20
HUNDRED = 100
JOBS = 2
TARGET_SPEEDUP = 1.8  # serial / 2 processes, compact results
TARGET_HUNDRED_S = 120.0  # 100 compact replications, 2 processes
TARGET_RAY_OVERHEAD = 0.15  # Ray's run (without ray.init) / processes - 1

#: kind -> (replications: "n" or "hundred", n_jobs, keep, backend)
CASES: dict[str, tuple[str, int, str, str]] = {
    "serial": ("n", 1, "tables", "serial"),
    "processes": ("n", JOBS, "tables", "processes"),
    "ray": ("n", JOBS, "tables", "ray"),
    "full": ("n", JOBS, "all", "processes"),
    "hundred": ("hundred", JOBS, "tables", "processes"),
}
LABELS = {
    "serial": "serial, 1 worker, compact",
    "processes": "processes, 2 workers, compact",
    "ray": "ray (local), 2 CPUs, compact",
    "full": "processes, 2 workers, full results",
    "hundred": "processes, 2 workers, compact",
}


# --------------------------------------------------------------------------- child


def _children_cpu() -> float:
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def _load() -> float | None:
    return os.getloadavg()[0] if hasattr(os, "getloadavg") else None


def _plain(value: Any) -> Any:
    """A summary value as JSON can carry it (numpy scalars as Python numbers)."""
    item = getattr(value, "item", None)
    if callable(item):
        value = item()
    if isinstance(value, bool | int | float | str) or value is None:
        return value
    return repr(value)


def _sizes(results: list[Any]) -> dict[str, float]:
    """Pickled bytes per result (the protocol a worker pool sends them with)."""
    sizes = [len(pickle.dumps(r, protocol=pickle.DEFAULT_PROTOCOL)) for r in results]
    return {
        "mean": statistics.fmean(sizes),
        "min": float(min(sizes)),
        "max": float(max(sizes)),
        "total": float(sum(sizes)),
    }


def _child(kind: str, replications: int) -> dict:
    import sim
    from benchmarks._child import _peak_rss_kib

    what, jobs, keep, backend = CASES[kind]
    n = HUNDRED if what == "hundred" else replications
    cfg = sim.load_config()
    out: dict[str, Any] = {"replications": n, "jobs": jobs, "keep": keep, "backend": backend}
    load0 = _load()
    if backend == "ray":
        import ray

        out["ray_version"] = ray.__version__
        t0 = time.perf_counter()
        ray.init(
            num_cpus=JOBS, include_dashboard=False, log_to_driver=False, configure_logging=False
        )
        out["init_s"] = time.perf_counter() - t0
    c0, k0 = time.process_time(), _children_cpu()
    t0 = time.perf_counter()
    results = sim.run_replications(cfg, n, seed=SEED, n_jobs=jobs, keep=keep, backend=backend)  # type: ignore[arg-type]
    out["wall_s"] = time.perf_counter() - t0
    out["cpu_s"] = time.process_time() - c0
    out["workers_cpu_s"] = _children_cpu() - k0
    out["loadavg"] = [load0, _load()]
    out["peak_mb"] = _peak_rss_kib() / 1024.0
    # the largest joined worker's ru_maxrss (forked workers count the pages they share)
    out["workers_peak_mb"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024.0
    if backend == "ray":
        import ray

        t0 = time.perf_counter()
        ray.shutdown()
        out["shutdown_s"] = time.perf_counter() - t0
    out["summaries"] = [{k: _plain(v) for k, v in r.summary().items()} for r in results]
    out["residents"] = int(out["summaries"][0].get("residents", 0))
    if kind in ("processes", "full"):
        out["bytes_per_result"] = _sizes(results)
    return out


def _child_main(kind: str, replications: int) -> int:
    return report_case(MARKER, kind, lambda: _child(kind, replications))


# --------------------------------------------------------------------------- parent


def ray_installed() -> bool:
    import importlib.util

    return importlib.util.find_spec("ray") is not None


def run_case(kind: str, replications: int) -> dict:
    """Run one case in a fresh process; its stderr is kept (the tail shown on an error)."""
    cmd = [sys.executable, "-m", "benchmarks.replications", "--child", kind]
    cmd += ["--replications", str(replications)]
    return run_marked(cmd, REPO_ROOT, MARKER, kind, echo=None)


def _same(a: Any, b: Any) -> bool:
    """Equal, NaN equal to NaN."""
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return bool(a == b)


def diff_summaries(a: list[dict], b: list[dict]) -> list[str]:
    """Where two lists of summaries differ (NaN-aware), at most a few lines."""
    out: list[str] = []
    if len(a) != len(b):
        out.append(f"{len(a)} vs {len(b)} replications")
    for k, (x, y) in enumerate(zip(a, b, strict=False)):
        for key in sorted(set(x) | set(y)):
            if key not in x or key not in y or not _same(x[key], y[key]):
                out.append(f"replication {k}: {key} {x.get(key)!r} vs {y.get(key)!r}")
    return out


def _load_text(r: dict) -> str:
    loads = [x for x in r.get("loadavg", []) if x is not None]
    return "load " + " -> ".join(f"{x:.1f}" for x in loads) if loads else ""


def _mb(n: float) -> str:
    return f"{n / 1e6:.2f} MB" if n >= 1e6 else f"{n / 1e3:.0f} kB"


def print_case(r: dict) -> None:
    kind = r["kind"]
    if r["status"] != "ok":
        print(f"  {kind:<10} {r['status'].upper()}: {r.get('reason', '')}")
        if r.get("traceback"):
            print("    " + "\n    ".join(r["traceback"].strip().splitlines()[-6:]))
        return
    n = r["replications"]
    cpu = r["cpu_s"] + r["workers_cpu_s"]
    per = r["wall_s"] / n
    extra = ""
    if "init_s" in r:
        extra = (
            f"; ray.init {r['init_s']:.2f} s (with it {r['init_s'] + r['wall_s']:.2f} s), "
            f"shutdown {r.get('shutdown_s', 0.0):.2f} s"
        )
        cpu_text = f"cpu here {r['cpu_s']:.2f} s (Ray's workers not counted)"
    else:
        cpu_text = f"cpu {cpu:.2f} s"
    workers = r.get("workers_peak_mb", 0.0)
    peak = f"peak {r['peak_mb']:.0f} MB" + (
        f" (largest worker {workers:.0f} MB)"
        if workers and r["jobs"] > 1 and "init_s" not in r
        else ""
    )
    print(
        f"  {kind:<10} {LABELS[kind]:<35} {n:>4} replications  {r['wall_s']:7.2f} s "
        f"({per:.2f} s each; {cpu_text}; {peak}; {_load_text(r)}){extra}"
    )
    b = r.get("bytes_per_result")
    if b:
        print(
            f"  {'':<10} pickled result: {_mb(b['mean'])} mean ({_mb(b['min'])} - "
            f"{_mb(b['max'])}), {_mb(b['total'])} for the {n}"
        )


def compute_checks(rows: dict[str, dict], replications: int) -> list[dict]:
    ok = {k: r for k, r in rows.items() if r["status"] == "ok"}
    checks: list[dict] = []
    if "serial" in ok and "processes" in ok:
        t1, t2 = ok["serial"]["wall_s"], ok["processes"]["wall_s"]
        p = ok["processes"]
        speedup = t1 / t2
        checks.append(
            {
                "name": f"speed-up 1 -> {JOBS} workers ({replications} compact replications)",
                "value": speedup,
                "text": f"{speedup:.2f}x ({t1:.1f} s -> {t2:.1f} s)"
                + busy_note(t2, p["cpu_s"] + p["workers_cpu_s"], JOBS),
                "target": f">= {TARGET_SPEEDUP:g}x",
                "ok": speedup >= TARGET_SPEEDUP,
            }
        )
    if "hundred" in ok:
        h = ok["hundred"]
        t = h["wall_s"]
        checks.append(
            {
                "name": f"{HUNDRED} compact replications, {JOBS} workers",
                "value": t,
                "text": f"{t:.1f} s ({t / HUNDRED:.2f} s each)"
                + busy_note(t, h["cpu_s"] + h["workers_cpu_s"], JOBS),
                "target": f"<= {TARGET_HUNDRED_S:g} s",
                "ok": t <= TARGET_HUNDRED_S,
            }
        )
    if "ray" in ok and "processes" in ok:
        r, t2 = ok["ray"], ok["processes"]["wall_s"]
        over = r["wall_s"] / t2 - 1.0
        with_init = (r["wall_s"] + r["init_s"]) / t2 - 1.0
        checks.append(
            {
                "name": f"Ray overhead vs processes ({replications} replications)",
                "value": over,
                "text": f"{over:+.1%} ({r['wall_s']:.1f} s vs {t2:.1f} s; with ray.init "
                f"{r['init_s']:.1f} s: {with_init:+.1%})",
                "target": f"<= {TARGET_RAY_OVERHEAD:.0%}",
                "ok": over <= TARGET_RAY_OVERHEAD,
            }
        )
    if "full" in ok and "processes" in ok:
        f, p = ok["full"], ok["processes"]
        bf, bp = f["bytes_per_result"]["mean"], p["bytes_per_result"]["mean"]
        checks.append(
            {
                "name": "compact vs full results, 2 workers (info)",
                "value": f["wall_s"] / p["wall_s"],
                "text": f"{p['wall_s']:.1f} s vs {f['wall_s']:.1f} s "
                f"(full takes {f['wall_s'] / p['wall_s']:.2f}x); {_mb(bp)} vs {_mb(bf)} a result "
                f"pickled ({bf / bp:.0f}x smaller); peak {p['peak_mb']:.0f} MB vs "
                f"{f['peak_mb']:.0f} MB",
                "target": "",
                "ok": None,
            }
        )
    if "serial" in ok:
        ref = ok["serial"]["summaries"]
        compared, differ = [], []
        for kind in ("processes", "ray", "full", "hundred"):
            if kind not in ok:
                continue
            other = ok[kind]["summaries"][: len(ref)]
            d = diff_summaries(ref, other)
            compared.append(kind if kind != "hundred" else f"the hundred's first {len(ref)}")
            if d:
                differ.append(f"{kind}: {len(d)} differences, e.g. {d[0]}")
        if compared:
            same = not differ
            checks.append(
                {
                    "name": "identical summaries (NaN-aware)",
                    "value": same,
                    "text": (
                        f"serial = {' = '.join(compared)}: yes, all {len(ref)} replications"
                        if same
                        else "NO: " + "; ".join(differ)
                    )
                    + ("" if "ray" in ok else " (Ray not run)"),
                    "target": "same",
                    "ok": same,
                }
            )
    return checks


def _meta(args: argparse.Namespace, argv: list[str] | None, kinds: list[str]) -> dict:
    from benchmarks.run import _version

    return {
        "timestamp": _dt.datetime.now().isoformat(timespec="seconds"),
        "argv": sys.argv[1:] if argv is None else argv,
        "replications": args.replications,
        "hundred": HUNDRED if "hundred" in kinds else None,
        "jobs": JOBS,
        "seed": SEED,
        "cases": kinds,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpu_count": os.cpu_count(),
        "loadavg_at_start": os.getloadavg() if hasattr(os, "getloadavg") else None,
        "versions": {d: _version(d) for d in ("simpy", "numpy", "pandas", "ray")},
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.replications",
        description="Time run_replications on the default round: compact results serial and "
        "with 2 worker processes (the speed-up), full results, Ray, and 100 replications.",
    )
    parser.add_argument(
        "--replications",
        type=int,
        default=REPLICATIONS,
        help=f"replications of the speed-up and Ray cases (default {REPLICATIONS})",
    )
    parser.add_argument(
        "--hundred",
        action=argparse.BooleanOptionalAction,
        default=True,
        help=f"time {HUNDRED} compact replications with {JOBS} workers (default on; "
        "--no-hundred skips it)",
    )
    parser.add_argument("--no-ray", action="store_true", help="skip the Ray case")
    parser.add_argument("--no-full", action="store_true", help="skip the full-results case")
    add_save_options(parser, "replications")
    parser.add_argument("--child", choices=tuple(CASES), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.replications < 2:
        parser.error("--replications must be >= 2")
    if args.child is not None:
        return _child_main(args.child, args.replications)
    if hasattr(sys.stdout, "reconfigure"):  # keep the report and stderr progress in order
        sys.stdout.reconfigure(line_buffering=True)

    have_ray = ray_installed()
    kinds = ["serial", "processes"]
    if not args.no_ray and have_ray:
        kinds.append("ray")  # right after processes: the overhead compares neighbours in time
    if not args.no_full:
        kinds.append("full")
    if args.hundred:
        kinds.append("hundred")
    print(
        f"\nReplications (issue 12): the default round (sim.load_config(), seed {SEED}), "
        f"{args.replications} replications serial and with {JOBS} workers"
        + (f", then {HUNDRED}" if args.hundred else "")
    )
    if not args.no_ray and not have_ray:
        print("  ray: SKIPPED: Ray is not installed (pip install 'masstest-sim[ray]')")
    rows: dict[str, dict] = {}
    t_all = time.perf_counter()
    for k, kind in enumerate(kinds, 1):
        print(f"[{k}/{len(kinds)}] replications {kind} ...", file=sys.stderr, flush=True)
        t0 = time.perf_counter()
        r = run_case(kind, args.replications)
        print(
            f"[{k}/{len(kinds)}] replications {kind}: {r['status']} "
            f"[{time.perf_counter() - t0:.1f} s]",
            file=sys.stderr,
            flush=True,
        )
        rows[kind] = r
        print_case(r)
    checks = compute_checks(rows, args.replications)
    print()
    print_checks(checks)
    load = f", load average {os.getloadavg()[0]:.1f}" if hasattr(os, "getloadavg") else ""
    print(f"  total replications benchmark time {time.perf_counter() - t_all:.1f} s{load}")

    if not args.no_save:
        from benchmarks.run import save_case

        cases = [{k: v for k, v in r.items() if k != "summaries"} for r in rows.values()]
        payload = {"meta": _meta(args, argv, kinds), "cases": cases, "checks": checks}
        path = save_case("replications", payload, args.results)
        print(f"replications results written to {shown_path(path)}")

    failed = any(c["ok"] is False for c in checks) or any(
        r["status"] != "ok" for r in rows.values()
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

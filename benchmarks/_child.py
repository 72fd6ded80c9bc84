"""Child process of the benchmark runner: one engine, one case, all its points.

Run as ``python -m benchmarks._child --engine simpy --rate 6.8 --points 53 --seed 1``.
Imports and ``setup`` happen before the clock starts; the wall time
(``perf_counter``) and CPU time (``process_time``) cover the points loop only.
Peak RSS is this process's high-water mark (``VmHWM``, see ``_peak_rss_kib``;
the raw ``ru_maxrss`` is reported too), so it includes the interpreter and
imported packages. The result is printed as one JSON line prefixed with
:data:`MARKER` on stdout (the last such line wins), so stray prints from an
engine cannot corrupt it.
"""

from __future__ import annotations

import argparse
import importlib
import json
import resource
import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path

MARKER = "@@BENCH_RESULT@@ "

ENGINES = {
    "project": "benchmarks.project",
    "simpy": "benchmarks.baseline_simpy",
    "ciw": "benchmarks.ciw_model",
}

# A run is "skipped" (not an error) only when the engine's own top-level package is missing.
ENGINE_PACKAGE = {"project": "sim", "simpy": "simpy", "ciw": "ciw"}


#: The repository (benchmark results and configs are reported relative to it).
REPO_ROOT = Path(__file__).resolve().parent.parent


def add_save_options(parser: argparse.ArgumentParser, what: str) -> None:
    """``--no-save`` and ``--results FILE`` (add ``what``'s results to that results file)."""
    parser.add_argument("--no-save", action="store_true", help="do not write results JSON")
    parser.add_argument(
        "--results",
        type=Path,
        default=None,
        help=f"add the {what} results to this results file (default: write a new one)",
    )


def shown_path(path: Path) -> Path:
    """``path`` relative to the repository when it lies inside it (for messages)."""
    try:
        return path.resolve().relative_to(REPO_ROOT)
    except ValueError:
        return path


def _peak_rss_kib() -> int:
    """Peak resident set size of this process, KiB.

    On Linux ``ru_maxrss`` survives ``execve``: a child forked from a parent that
    had grown to X MB reports at least X MB. ``VmHWM`` in ``/proc/self/status`` is
    the high-water mark of the current address space only, so prefer it and fall
    back to ``ru_maxrss`` (KiB on Linux) elsewhere.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def report_case(marker: str, kind: str, body: Callable[[], dict]) -> int:
    """Run one benchmark case's ``body`` in this child and print its result as one JSON line
    after ``marker`` (``status`` ok, or error with the reason and traceback); the exit code."""
    try:
        payload = {"kind": kind, "status": "ok", **body()}
        code = 0
    except Exception as exc:
        payload = {
            "kind": kind,
            "status": "error",
            "reason": f"{type(exc).__name__}: {exc}",
            "traceback": traceback.format_exc(),
        }
        code = 1
    sys.stdout.flush()
    print(marker + json.dumps(payload, allow_nan=True), flush=True)
    return code


def _emit(payload: dict) -> None:
    sys.stdout.flush()
    print(MARKER + json.dumps(payload), flush=True)


def _emit_error(base: dict, reason: str) -> None:
    """Report the exception being handled (call from an ``except`` block)."""
    _emit({**base, "status": "error", "reason": reason, "traceback": traceback.format_exc()})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--engine", required=True, choices=sorted(ENGINES))
    parser.add_argument("--rate", type=float, required=True, help="arrivals per minute per point")
    parser.add_argument("--points", type=int, required=True)
    parser.add_argument("--seed", type=int, required=True, help="point i uses seed + i")
    args = parser.parse_args(argv)

    from benchmarks.workload import RESULT_KEYS, EngineUnavailable

    base = {"engine": args.engine, "rate_per_min": args.rate, "points": args.points}
    try:
        module = importlib.import_module(ENGINES[args.engine])
        setup = getattr(module, "setup", None)
        if setup is not None:
            setup(args.rate)
    except EngineUnavailable as exc:
        _emit({**base, "status": "skipped", "reason": str(exc)})
        return 0
    except ModuleNotFoundError as exc:
        if exc.name == ENGINE_PACKAGE[args.engine]:
            hint = " (pip install ciw, or the project's 'bench' extra)" if exc.name == "ciw" else ""
            reason = f"package {exc.name!r} is not installed{hint}"
            _emit({**base, "status": "skipped", "reason": reason})
            return 0
        _emit_error(base, f"import failed: {type(exc).__name__}: {exc}")
        return 1
    except Exception as exc:
        _emit_error(base, f"setup failed: {type(exc).__name__}: {exc}")
        return 1

    run_point = module.run_point
    per_point = []
    try:
        cpu_start = time.process_time()
        t_start = time.perf_counter()
        for i in range(args.points):
            t0 = time.perf_counter()
            c0 = time.process_time()
            result = run_point(args.rate, args.seed + i)
            dt = time.perf_counter() - t0
            dc = time.process_time() - c0
            per_point.append(
                {
                    "seed": args.seed + i,
                    "wall_s": dt,
                    "cpu_s": dc,
                    **{k: result[k] for k in RESULT_KEYS},
                }
            )
        wall = time.perf_counter() - t_start
        cpu = time.process_time() - cpu_start
    except Exception as exc:
        _emit_error(
            {**base, "per_point": per_point},
            f"point {len(per_point)} failed: {type(exc).__name__}: {exc}",
        )
        return 1

    _emit(
        {
            **base,
            "status": "ok",
            "wall_s": wall,
            "cpu_s": cpu,
            "peak_rss_kib": _peak_rss_kib(),
            "ru_maxrss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
            "python": sys.version.split()[0],
            "per_point": per_point,
        }
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())


def run_marked(cmd: list[str], cwd: Path, marker: str, kind: str, echo: str | None = None) -> dict:
    """Run ``cmd`` (a benchmark case) in a fresh process and return the JSON it prints on a
    line starting with ``marker``; stderr is kept (its tail shown on an error) and its lines
    starting with ``echo`` are shown as they come."""
    import collections
    import os
    import subprocess
    import threading

    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(cwd), env.get("PYTHONPATH", "")) if p)
    proc = subprocess.Popen(
        cmd, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    tail: collections.deque[str] = collections.deque(maxlen=40)

    def pump() -> None:
        assert proc.stderr is not None
        for line in proc.stderr:
            tail.append(line)
            if echo is not None and line.startswith(echo):
                print(line, end="", file=sys.stderr, flush=True)

    reader = threading.Thread(target=pump, daemon=True)
    reader.start()
    assert proc.stdout is not None
    out = proc.stdout.read()
    proc.wait()
    reader.join()
    for line in reversed(out.splitlines()):
        if line.startswith(marker):
            return dict(json.loads(line[len(marker) :]))
    return {
        "kind": kind,
        "status": "error",
        "reason": f"child exited with code {proc.returncode} and no result",
        "traceback": "".join(tail)[-3000:],
    }


def busy_note(wall: float, cpu: float, cores: float) -> str:
    """A warning where the wall time is well above the CPU time over ``cores`` (other
    processes had the cores), else ""."""
    return (
        f" [busy machine: wall {wall * cores / cpu:.1f}x cpu/{cores:g}]"
        if cpu > 0 and wall > 1.25 * cpu / cores
        else ""
    )

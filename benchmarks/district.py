"""The district round benchmark: the default 313,000-resident round, and the same layout
scaled up to show that the cost per resident stays flat (linear growth).

Each case runs in a fresh subprocess (one core) that loads the config before the clock starts,
then times ``sim.run`` (the whole round: residents, 40 points, staff, mobile teams, records)
and ``summary()``; peak memory is the child's own high-water mark (``VmHWM``).

Run: ``python -m benchmarks.district [--scales 1 10] [--repeat 3]`` (also part of
``python -m benchmarks``). Targets: the default round in under 3 s and 1 GB.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time

MARKER = "@@DISTRICT@@ "
TARGET_S = 3.0
TARGET_MB = 1024.0


def _scaled_overrides(scale: int) -> list[str]:
    """The default layout with populations, desks, booths and line space times ``scale``."""
    import sim

    if scale == 1:
        return []
    base = sim.load_config()
    out = [
        f"subdistricts.{k}.population={sd.population * scale}"
        for k, sd in enumerate(base.subdistricts)
    ]
    types = {"square": (14, 6, 500), "standard": (9, 4, 300), "community": (5, 2, 150)}
    for name, (desks, booths, space) in types.items():
        out += [
            f"site_types.{name}.registration_desks={desks * scale}",
            f"site_types.{name}.swab_booths={booths * scale}",
            f"site_types.{name}.queue_space_m={space * scale}",
        ]
    return out


def _child(scale: int, repeat: int) -> None:
    import sim
    from benchmarks._child import _peak_rss_kib

    cfg = sim.load_config(overrides=_scaled_overrides(scale))
    times = []
    summary: dict = {}
    for k in range(repeat):
        t0 = time.perf_counter()
        result = sim.run(cfg, seed=1, replication=k)
        summary = result.summary()
        times.append(time.perf_counter() - t0)
    print(
        MARKER
        + json.dumps(
            {
                "scale": scale,
                "residents": summary["residents"],
                "tested": summary["tested"],
                "coverage": summary["coverage"],
                "seconds": times,
                "peak_mb": _peak_rss_kib() / 1024.0,
            }
        ),
        flush=True,
    )


def run_case(scale: int, repeat: int) -> dict:
    """Run one scale in a fresh process and return its measurements."""
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "benchmarks.district",
            "--child",
            str(scale),
            "--repeat",
            str(repeat),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    for line in reversed(proc.stdout.splitlines()):
        if line.startswith(MARKER):
            return json.loads(line[len(MARKER) :])
    raise RuntimeError(f"district benchmark child failed:\n{proc.stderr[-3000:]}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.district")
    parser.add_argument("--scales", type=int, nargs="+", default=[1, 10])
    parser.add_argument("--repeat", type=int, default=3, help="replications timed per scale")
    parser.add_argument("--child", type=int, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child is not None:
        _child(args.child, args.repeat)
        return 0
    print("\nDistrict round (default config: 40 points, 8 sub-districts, 2 days, mobile teams)")
    print(
        f"  {'scale':>5} {'residents':>11} {'coverage':>9} {'best s':>8} {'median s':>9}"
        f" {'us/resident':>12} {'peak MB':>8}"
    )
    rows = []
    for scale in args.scales:
        r = run_case(scale, args.repeat if scale == 1 else 1)
        best = min(r["seconds"])
        med = sorted(r["seconds"])[len(r["seconds"]) // 2]
        r["us_per_resident"] = best / r["residents"] * 1e6
        rows.append(r)
        print(
            f"  {scale:>5} {r['residents']:>11,} {r['coverage']:>9.1%} {best:>8.2f} {med:>9.2f}"
            f" {r['us_per_resident']:>12.2f} {r['peak_mb']:>8.0f}"
        )
    ok = True
    base = next((r for r in rows if r["scale"] == 1), None)
    if base is not None:
        t_ok = min(base["seconds"]) < TARGET_S
        m_ok = base["peak_mb"] < TARGET_MB
        ok &= t_ok and m_ok
        print(
            f"  default round: {min(base['seconds']):.2f} s (< {TARGET_S:.0f} s: "
            f"{'PASS' if t_ok else 'FAIL'}), {base['peak_mb']:.0f} MB (< {TARGET_MB:.0f} MB: "
            f"{'PASS' if m_ok else 'FAIL'})"
        )
        for r in rows:
            if r["scale"] != 1:
                ratio = r["us_per_resident"] / base["us_per_resident"]
                print(
                    f"  scale {r['scale']}: cost per resident x{ratio:.2f} of the default "
                    "(1.0 = linear growth)"
                )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

"""Benchmark: Phase II design searches (trialflow.stats).

Run from the repository root:

    .venv/bin/python benchmarks/bench_designs.py [--repeat 3]

- Simon two-stage (optimal, minimax and admissible) for settings whose designs need up to
  100 subjects (search capped at nmax = 100). Target: < 2 s for each call.
- BOP2 calibration (default grids: 500 values of λ by 301 values of γ) with Nmax = 100 and 4
  interim looks at 20, 40, 60 and 80 subjects. Target: < 10 s for each call.
- The `trialflow design simon` command end to end (a new Python process), when the command is
  installed. Target: < 2 s.

Prints the wall time of each call (best of --repeat) and the process's maximum resident set
size.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from trialflow.stats.bop2 import bop2_calibrate
from trialflow.stats.simon import simon_two_stage

SIMON_TARGET = 2.0
BOP2_TARGET = 10.0

SIMON_CASES = [
    # p0, p1, alpha, power: designs with n from about 40 to 100
    (0.10, 0.25, 0.05, 0.90),
    (0.20, 0.35, 0.05, 0.80),
    (0.30, 0.45, 0.05, 0.80),
    (0.40, 0.55, 0.05, 0.80),
    (0.50, 0.65, 0.05, 0.80),
]
BOP2_CASES = [
    # p0, p1, alpha
    (0.10, 0.25, 0.05),
    (0.20, 0.35, 0.10),
    (0.30, 0.45, 0.05),
]


def best_of(repeat: int, fn: Callable[[], object]) -> tuple[float, object]:
    times, out = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - start)
    return min(times), out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    failed = False

    print(f"simon (nmax = 100), target < {SIMON_TARGET:g} s per call")
    for p0, p1, alpha, power in SIMON_CASES:
        for kind in ("optimal", "minimax", "admissible"):
            secs, d = best_of(
                args.repeat,
                lambda p0=p0, p1=p1, a=alpha, pw=power, k=kind: simon_two_stage(
                    p0, p1, a, pw, kind=k, nmax=100
                ),
            )
            failed |= secs >= SIMON_TARGET
            print(
                f"  p0={p0:.2f} p1={p1:.2f} alpha={alpha:.2f} power={power:.2f} {kind:<10} "
                f"{d['r1']}/{d['n1']}, {d['r']}/{d['n']}  {secs:7.3f} s"
            )

    print(f"bop2 calibration (Nmax = 100, interims 20, 40, 60, 80), target < {BOP2_TARGET:g} s")
    for p0, p1, alpha in BOP2_CASES:
        secs, d = best_of(
            args.repeat,
            lambda p0=p0, p1=p1, a=alpha: bop2_calibrate(
                p0=p0, p1=p1, nmax=100, interims=[20, 40, 60, 80], alpha=a
            ),
        )
        failed |= secs >= BOP2_TARGET
        stops = ", ".join(
            f"{b['n']}:{'-' if b['stop_if_responses_at_most'] is None else b['stop_if_responses_at_most']}"
            for b in d["boundaries"]
        )
        print(
            f"  p0={p0:.2f} p1={p1:.2f} alpha={alpha:.2f} lambda={d['lambda']:.3f} "
            f"gamma={d['gamma']:.2f} stop at [{stops}] power={d['power']:.3f}  {secs:7.3f} s"
        )

    beside = Path(sys.executable).parent / "trialflow"
    exe = str(beside) if beside.exists() else shutil.which("trialflow")
    if exe is not None:
        cmd = [exe, "design", "simon", "--p0", "0.4", "--p1", "0.55", "--alpha", "0.05"]
        cmd += ["--power", "0.8", "--kind", "optimal", "--json"]

        def run() -> str:
            return subprocess.run(cmd, check=True, capture_output=True, text=True).stdout

        secs, out = best_of(args.repeat, run)
        failed |= secs >= SIMON_TARGET
        print(f"trialflow design simon (new process): {secs:.3f} s  {str(out).strip()}")

    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS {rss_mb:.0f} MB")
    if failed:
        print("a call exceeded its target", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

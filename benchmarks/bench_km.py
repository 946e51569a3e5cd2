"""Benchmark: trialflow.stats.survival.km_summary on 1,000,000 subjects with landmark timepoints.

Run from the repository root:

    .venv/bin/python benchmarks/bench_km.py [--n 1000000] [--repeat 3] [--conf-type log-log]

Simulated data (fixed seed): exponential event times with a 9-month median, uniform
administrative censoring over 0-36 months, times in months as continuous values (so nearly every
time is distinct: the worst case for the step function). Landmarks at 6 and 12 months.
Prints the wall time of each call and the peak memory: the peak of Python/numpy allocations
during the call (tracemalloc) and the process's maximum resident set size. Target: < 5 s on
the 2-core machine.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
import tracemalloc

import numpy as np

from trialflow.stats.survival import km_summary

TARGET_SECONDS = 5.0


def simulate(n: int, seed: int = 20240601) -> tuple[np.ndarray, np.ndarray]:
    """Exponential event times (median 9 months) with uniform censoring on (0, 36) months."""
    rng = np.random.default_rng(seed)
    event_time = rng.exponential(scale=9.0 / np.log(2.0), size=n)
    censor_time = rng.uniform(0.0, 36.0, size=n)
    time_months = np.minimum(event_time, censor_time)
    event = (event_time <= censor_time).astype(np.int8)
    return time_months, event


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--conf-type", default="log-log", choices=["log-log", "log", "plain"])
    args = parser.parse_args(argv)

    time_months, event = simulate(args.n)
    print(
        f"km_summary: n={args.n:,} subjects, {int(event.sum()):,} events, "
        f"{np.unique(time_months).size:,} distinct times, conf_type={args.conf_type}, "
        "timepoints=(6, 12) months"
    )

    timings = []
    result = None
    for i in range(args.repeat):
        tracemalloc.start()
        start = time.perf_counter()
        result = km_summary(
            time_months, event, conf_level=0.95, conf_type=args.conf_type, timepoints=(6, 12)
        )
        elapsed = time.perf_counter() - start
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        timings.append(elapsed)
        print(
            f"  run {i + 1}: {elapsed:.3f} s wall, peak traced allocations {peak / 2**20:.1f} MiB"
        )

    assert result is not None
    maxrss_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    best, worst = min(timings), max(timings)
    print(
        f"  best {best:.3f} s, worst {worst:.3f} s (target < {TARGET_SECONDS:.0f} s); "
        f"process max RSS {maxrss_mib:.0f} MiB"
    )
    print(
        f"  median {result['median']:.4f} months "
        f"({result['median_lower']:.4f}, {result['median_upper']:.4f}); "
        f"expected about 9 months"
    )
    print(result["timepoints"].to_string(index=False))
    return 0 if worst < TARGET_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())

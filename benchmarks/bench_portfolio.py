"""Benchmark: a portfolio of simulated trials, run locally from clean results.

For each size N (default 1, 10 and 50 trials; 2 or 3 cutoffs each) it writes the portfolio of
`trialflow simulate --portfolio N` into a temporary project, builds the DAG once (a dry run),
runs the whole workflow with `--cores` and prints one row: trials, analyses (trial and cutoff),
jobs, wall time of the run, job-seconds (the sum of the `s` column of every
`logs/**/*.benchmark.tsv`, i.e. the jobs' own run times) and jobs per second of wall time.

The default sizes take about an hour on 2 cores; `--sizes 1,3` gives a quick look, and
`--dag-only` stops after the dry run (simulation and DAG only).

Usage: python benchmarks/bench_portfolio.py [--sizes 1,10,50] [--cores 2] [--keep]
(the venv's python; the project's Snakefile is used in place)
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

from workflow_runs import cold_env, job_benchmarks, run_snakemake

from trialflow.simulate.portfolio import DEFAULT_SEED, plan_portfolio, write_portfolio


def planned_jobs(dry_run_output: str) -> int:
    """Jobs of a dry run's summary ("total N"), without the target rule `all`."""
    totals = [line.split()[1] for line in dry_run_output.splitlines() if line.startswith("total ")]
    return int(totals[-1]) - 1


def bench(n_trials: int, cores: int, seed: int, keep: bool, dag_only: bool) -> dict:
    project = Path(tempfile.mkdtemp(prefix=f"trialflow-portfolio-{n_trials}-"))
    try:
        start = time.perf_counter()
        trials = plan_portfolio(n_trials, seed=seed)
        write_portfolio(trials, project)
        simulate_s = time.perf_counter() - start
        config = ("--configfile", str(project / "config" / "portfolio.yaml"))
        # a dry run, printing nothing: the time to parse the workflow and build the DAG
        dag_s, output = run_snakemake(
            project, *config, "--cores", str(cores), "--dry-run", "--quiet", "all"
        )
        row = {
            "trials": n_trials,
            "analyses": sum(len(t.deliveries) for t in trials),
            "subjects": sum(t.preset.n_subjects for t in trials),
            "jobs": planned_jobs(output),
            "simulate_s": simulate_s,
            "dag_s": dag_s,
        }
        if dag_only:
            return row
        wall, _ = run_snakemake(project, *config, "--cores", str(cores), env=cold_env(project))
        runs = job_benchmarks(project)
        jobs, seconds = len(runs), sum(s for _, s, _ in runs)
        if jobs != row["jobs"]:
            raise SystemExit(f"bench_portfolio: {jobs} jobs ran, the dry run planned {row['jobs']}")
        return {**row, "wall_s": wall, "job_s": seconds, "jobs_per_s": jobs / wall}
    finally:
        if keep:
            print(f"kept {project}", file=sys.stderr)
        else:
            shutil.rmtree(project, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1,10,50", help="trial counts, comma-separated")
    parser.add_argument("--cores", type=int, default=2, help="snakemake --cores (default 2)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="portfolio seed")
    parser.add_argument("--keep", action="store_true", help="keep the temporary projects")
    parser.add_argument(
        "--dag-only", action="store_true", help="simulate and build the DAG only (no run)"
    )
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    print(
        f"portfolio benchmark, --cores {args.cores}, seed {args.seed}, {os.cpu_count()} CPUs\n\n"
        "| trials | analyses | subjects | jobs | simulate s | DAG s | wall s | job-seconds "
        "| jobs/s |\n|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        flush=True,
    )
    for n in sizes:
        r = bench(n, args.cores, args.seed, args.keep, args.dag_only)
        run = (
            f"{r['wall_s']:.0f} | {r['job_s']:.0f} | {r['jobs_per_s']:.2f}"
            if "wall_s" in r
            else "not run | | "
        )
        print(
            f"| {r['trials']} | {r['analyses']} | {r['subjects']} | {r['jobs']} "
            f"| {r['simulate_s']:.0f} | {r['dag_s']:.1f} | {run} |",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())

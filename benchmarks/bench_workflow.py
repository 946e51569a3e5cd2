"""Benchmark: the whole workflow, cold and re-run, on the bundled data and on a large trial.

Prints, from clean results in temporary project copies:

- the bundled data (2 trials x 2 cutoffs): wall time of a cold run, its job-seconds (the sum
  of the `s` column of every `logs/**/*.benchmark.tsv`, i.e. the jobs' own run times), the
  number of jobs, and the wall time of a no-op re-run (best of three); the cold run is
  repeated `--repeat` times (3) in fresh copies and the median reported, every run printed;
- a simulated 10,000-subject trial (the irinotecan preset, one delivery): wall time end to
  end (median of `--repeat` cold runs), the peak memory (max RSS) of every job, largest
  first, from one more run with every job in its own process (``TRIALFLOW_WORKER=0``), and
  the time to draw and save every figure of the analysis (a fresh Python process that
  imports, reads the analysis results, draws and writes PNG and SVG).

Each cold run gets a temporary folder of its own, so it starts its own warm worker
(`trialflow.worker`): the worker's start and imports are in the run's wall time, though in
no job's seconds.

Targets (2-core machine): cold run <= 25 s wall and <= 60 job-seconds; no-op <= 2 s;
10,000 subjects <= 30 s end to end, figures <= 5 s, every job <= 1 GB.

Usage: python benchmarks/bench_workflow.py [--cores 2] [--subjects 10000] [--keep]
(the venv's python; the project's Snakefile is used in place)
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from workflow_runs import BIN, REPO, cold_env, job_benchmarks, run_snakemake

TARGETS = {
    "cold wall s": 25.0,
    "job-seconds": 60.0,
    "no-op s": 2.0,
    "large wall s": 30.0,
    "large figures s": 5.0,
    "large max job MB": 1024.0,
}


FIGURE_SCRIPT = """
import sys, time
start = time.perf_counter()
import matplotlib
matplotlib.use("Agg")
from pathlib import Path
from trialflow.config.loading import resolve_sections
from trialflow.config.options import TrialOptions
from trialflow.figures import save_figure
from trialflow.figures.panels import analysis_figures
from trialflow.io import read_csv_text, read_parquet
base, out = Path(sys.argv[1]), Path(sys.argv[2])
o = TrialOptions.from_trial(resolve_sections({"subgroups": ["AGEGR1", "ECOGBL"]}))
figs = analysis_figures(
    adsl=read_parquet(base / "adam/adsl.parquet"),
    adrs=read_parquet(base / "adam/adrs.parquet"),
    adtr=read_parquet(base / "adam/adtr.parquet"),
    visits=read_parquet(base / "adam/visit_responses.parquet"),
    curves=read_csv_text(base / "ard/km_curves.csv"),
    efficacy_ard=read_csv_text(base / "ard/efficacy.csv"),
    survival=o.survival,
    design=o.design,
    subgroups=o.subgroups.variables,
)
for stem, fig in figs.items():
    save_figure(fig, out / stem)
print(time.perf_counter() - start)
"""


def figure_seconds(analysis: Path, out: Path) -> float:
    """Seconds to import, draw and save every figure of an analysis, in a fresh process."""
    done = subprocess.run(
        [sys.executable, "-c", FIGURE_SCRIPT, str(analysis), str(out)],
        capture_output=True,
        text=True,
        check=True,
    )
    return float(done.stdout.strip().splitlines()[-1])


def bundled_project(root: Path) -> Path:
    (root / "config").mkdir(parents=True)
    shutil.copytree(REPO / "config" / "trials", root / "config" / "trials")
    shutil.copy2(REPO / "config" / "config.yaml", root / "config" / "config.yaml")
    shutil.copytree(REPO / "resources" / "raw", root / "resources" / "raw")
    return root


def large_project(root: Path, subjects: int) -> Path:
    """A project with one simulated trial of `subjects` subjects and one delivery."""
    raw = root / "resources" / "raw" / "large"
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    subprocess.run(
        [
            str(BIN / "trialflow"),
            "simulate",
            "--preset",
            "irinotecan",
            "--n-subjects",
            str(subjects),
            "--delivery",
            "2021-12-31:2022-01-25",
            "--out",
            str(raw),
        ],
        check=True,
        env=env,
    )
    text = (REPO / "config" / "trials" / "irinotecan.yaml").read_text(encoding="utf-8")
    head, _, rest = text.partition("deliveries:")
    body = rest.split("\n", 1)[1]
    while body.startswith("  - "):
        body = body.split("\n", 1)[1]
    trial = (
        head.replace("id: irinotecan", "id: large")
        + "deliveries:\n  - {cutoff: 2021-12-31, raw: resources/raw/large/2022-01-25}\n"
        + body
    )
    (root / "config" / "trials").mkdir(parents=True)
    (root / "config" / "trials" / "large.yaml").write_text(trial, encoding="utf-8")
    (root / "config" / "config.yaml").write_text("trials:\n  - config/trials/large.yaml\n")
    return root


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cores", type=int, default=2, help="snakemake --cores (default 2)")
    parser.add_argument("--subjects", type=int, default=10_000, help="large trial size")
    parser.add_argument("--repeat", type=int, default=3, help="cold runs of each (median)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary projects")
    args = parser.parse_args(argv)
    cores = str(args.cores)
    found: dict[str, float] = {}

    with tempfile.TemporaryDirectory(prefix="trialflow-bench-") as tmp:
        walls, job_seconds = [], []
        for i in range(args.repeat):
            project = bundled_project(Path(tmp) / f"bundled{i}")
            walls.append(run_snakemake(project, "--cores", cores, env=cold_env(project))[0])
            jobs = job_benchmarks(project)
            job_seconds.append(sum(s for _, s, _ in jobs))
        found["cold wall s"] = statistics.median(walls)
        found["job-seconds"] = statistics.median(job_seconds)
        print(f"bundled data: {len(jobs)} jobs; {args.repeat} cold runs from clean results")
        print("  wall s:      " + ", ".join(f"{w:.1f}" for w in walls))
        print("  job-seconds: " + ", ".join(f"{j:.1f}" for j in job_seconds))
        by_rule: dict[str, float] = {}
        for job, s, _ in jobs:
            rule = job.rsplit("/", 1)[-1]
            by_rule[rule] = by_rule.get(rule, 0.0) + s
        print("  job-seconds by rule (last run):")
        for rule, s in sorted(by_rule.items(), key=lambda kv: -kv[1]):
            print(f"    {rule:<22} {s:6.1f}")
        found["no-op s"] = min(run_snakemake(project, "--cores", cores)[0] for _ in range(3))

        template = large_project(Path(tmp) / "large-input", args.subjects)
        large_walls = []
        for i in range(args.repeat):
            large = Path(tmp) / f"large{i}"
            shutil.copytree(template, large)
            large_walls.append(run_snakemake(large, "--cores", cores, env=cold_env(large))[0])
        found["large wall s"] = statistics.median(large_walls)
        print(
            f"{args.subjects} subjects, {args.repeat} cold runs, wall s: "
            + ", ".join(f"{w:.1f}" for w in large_walls)
        )
        # Memory: one more run with every job in its own process (TRIALFLOW_WORKER=0), where
        # Snakemake's benchmark sees the whole job; in the warm worker it would see only the
        # job process that waits for the worker's child.
        large = Path(tmp) / "large-own-processes"
        shutil.copytree(template, large)
        own = run_snakemake(large, "--cores", cores, env={"TRIALFLOW_WORKER": "0"})[0]
        jobs = job_benchmarks(large)
        print(
            f"{args.subjects} subjects, every job in its own process: {own:.1f} s wall, "
            f"{len(jobs)} jobs (seconds, max RSS MB)"
        )
        for job, s, rss in sorted(jobs, key=lambda j: -j[2]):
            print(f"  {job:<40} {s:6.1f} s {rss:7.0f} MB")
        found["large figures s"] = figure_seconds(
            large / "results" / "large" / "2021-12-31", Path(tmp) / "figures"
        )
        found["large max job MB"] = max(rss for _, _, rss in jobs)
        if args.keep:
            kept = Path(tempfile.mkdtemp(prefix="trialflow-bench-kept-"))
            shutil.copytree(tmp, kept, dirs_exist_ok=True)
            print(f"kept {kept}", file=sys.stderr)

    print(f"\n| measure | {cores} cores | target | met |")
    print("|---|---|---|---|")
    for key, target in TARGETS.items():
        value = found[key]
        print(f"| {key} | {value:.1f} | <= {target:g} | {'yes' if value <= target else 'no'} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())

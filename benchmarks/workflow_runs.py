"""Helpers the workflow benchmarks share: run the project's Snakefile in a project folder with
the default profile, and read the jobs' `benchmark:` files.

Imported by bench_workflow.py, bench_portfolio.py and bench_reports.py (run from this folder's
scripts, so it is on `sys.path`); not a benchmark itself.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def run_snakemake(
    project: Path, *args: str, env: dict[str, str] | None = None
) -> tuple[float, str]:
    """Run the workflow in `project` with the default profile (the project's Snakefile in
    place); returns the wall time in seconds and Snakemake's output. `env` adds environment
    variables. A failure stops the benchmark with the end of Snakemake's error output."""
    env = {
        **os.environ,
        "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        **(env or {}),
    }
    cmd = [
        str(BIN / "snakemake"),
        "-s",
        str(REPO / "Snakefile"),
        "--directory",
        str(project),
        "--workflow-profile",
        str(REPO / "workflow" / "profiles" / "default"),
        *args,
    ]
    start = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True, env=env)
    wall = time.perf_counter() - start
    if done.returncode:
        sys.stderr.write(done.stderr[-4000:])
        raise SystemExit(f"{Path(sys.argv[0]).stem}: snakemake failed in {project}")
    return wall, done.stdout + done.stderr


def cold_env(root: Path) -> dict[str, str]:
    """Environment for a cold run: a temporary folder of its own, so the run starts its own
    warm worker (trialflow.worker keys the worker's socket on it) instead of finding the one
    an earlier run left idling."""
    tmp = root / "tmp"
    tmp.mkdir(parents=True, exist_ok=True)
    return {"TMPDIR": str(tmp)}


def job_benchmarks(project: Path) -> list[tuple[str, float, float]]:
    """(job, seconds, max RSS in MB) of every job, from `logs/**/*.benchmark.tsv`; the job is
    the file's path under `logs/` without the suffix."""
    rows = []
    for path in sorted((project / "logs").rglob("*.benchmark.tsv")):
        header, *values = path.read_text().splitlines()
        names = header.split("\t")
        for line in values:
            cells = dict(zip(names, line.split("\t"), strict=True))
            rss = float(cells["max_rss"]) if cells["max_rss"] not in ("", "NA", "-") else 0.0
            job = path.relative_to(project / "logs").as_posix().removesuffix(".benchmark.tsv")
            rows.append((job, float(cells["s"]), rss))
    return rows

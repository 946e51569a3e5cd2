"""Benchmark: the report jobs of the bundled data, from ready ARD and figures.

In a temporary copy of the project it runs the workflow once, then forces only the `report`
rule (the notebook run in the job's own process, its HTML and the RTF tables) for the 4
analyses with `--cores 2`, and prints the wall time and each report job's own seconds (its
`benchmark:` file).

Usage: python benchmarks/bench_reports.py  (the venv's python; the project's Snakefile is
used in place)
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

from workflow_runs import REPO, run_snakemake


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="trialflow-bench-reports-") as tmp:
        project = Path(tmp)
        for name in ("config", "resources"):
            shutil.copytree(REPO / name, project / name)
        run_snakemake(project, "--cores", "2")
        targets = sorted(
            p.relative_to(project).as_posix()
            for p in (project / "results").glob("*/*/report/*.html")
        )
        wall, _ = run_snakemake(project, "--cores", "2", "--forcerun", "report", "--", *targets)
        print(f"{len(targets)} report jobs (notebook, HTML, RTF), --cores 2: {wall:.1f} s wall")
        for log in sorted((project / "logs").glob("*/*/report.benchmark.tsv")):
            seconds = float(log.read_text().splitlines()[-1].split("\t")[0])
            print(f"  {log.parent.parent.name}/{log.parent.name}: {seconds:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())

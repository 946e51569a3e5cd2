"""Re-running: a new data cutoff runs only its own jobs, a changed clinical rule re-runs only
the affected analyses, and a run killed part-way resumes to byte-identical outputs."""

from __future__ import annotations

import filecmp
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import REPO, run_snakemake

pytestmark = pytest.mark.slow

BIN = Path(sys.executable).parent


def _copy_run(src: Path, dest: Path) -> Path:
    """Copy a finished project (results and Snakemake's metadata, mtimes kept)."""
    shutil.copytree(src, dest, symlinks=True)
    return dest


def _snapshot(results: Path) -> dict[str, tuple[bytes, int]]:
    return {
        p.relative_to(results).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns)
        for p in sorted(results.rglob("*"))
        if p.is_file()
    }


def _planned_jobs(project: Path) -> list[tuple[str, dict[str, str]]]:
    """(rule, wildcards) of every job a dry run plans."""
    done = run_snakemake(project, "--cores", "2", "--dry-run")
    assert done.returncode == 0, done.stderr[-3000:]
    jobs = []
    rule = None
    for line in done.stdout.splitlines():
        m = re.match(r"^(?:local)?rule (\w+):", line.strip())
        if m:
            rule = m.group(1)
            jobs.append((rule, {}))
        m = re.match(r"^wildcards: (.*)$", line.strip())
        if m and jobs:
            jobs[-1][1].update(dict(kv.split("=", 1) for kv in m.group(1).split(", ")))
    return jobs


def test_a_new_cutoff_runs_only_its_own_jobs_and_leaves_earlier_results_alone(full_runs, tmp_path):
    project = _copy_run(full_runs[0], tmp_path / "project")
    # a third delivery made by the simulator: later cutoff, cumulative data
    done = subprocess.run(
        [
            str(BIN / "trialflow"),
            "simulate",
            "--preset",
            "irinotecan",
            "--delivery",
            "2022-06-30:2022-07-22",
            "--out",
            str(project / "resources/raw/irinotecan"),
        ],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    trial = project / "config/trials/irinotecan.yaml"
    text = trial.read_text().replace(
        "  - {cutoff: 2021-12-31, raw: resources/raw/irinotecan/2022-01-25}\n",
        "  - {cutoff: 2021-12-31, raw: resources/raw/irinotecan/2022-01-25}\n"
        "  - {cutoff: 2022-06-30, raw: resources/raw/irinotecan/2022-07-22}\n",
    )
    assert "2022-06-30" in text
    trial.write_text(text)

    jobs = _planned_jobs(project)
    assert jobs
    comparison = ("comparison", "trial_manifest")
    for rule, wildcards in jobs:
        if rule in ("all", "index", "results_manifest"):
            assert wildcards == {}, (rule, wildcards)  # the portfolio index lists every cutoff
        elif rule.startswith(comparison):
            assert wildcards == {"trial": "irinotecan"}, (rule, wildcards)
        elif rule == "delivery_changes":
            expected = {"trial": "irinotecan", "before": "2021-12-31", "after": "2022-06-30"}
            assert wildcards == expected, (rule, wildcards)
        else:
            assert wildcards.get("cutoff") == "2022-06-30", (rule, wildcards)
            assert wildcards.get("trial") == "irinotecan", (rule, wildcards)
    assert {r for r, _ in jobs} >= {
        "ingest",
        "adam",
        "submission",
        "ard",
        "figures",
        "provenance",
        "report",
        "manifest",
    }

    before = _snapshot(project / "results")
    result = run_snakemake(project, "--cores", "2")
    assert result.returncode == 0, result.stderr[-3000:]
    after = _snapshot(project / "results")
    gains_the_new_cutoff = (
        "irinotecan/cutoffs",
        "irinotecan/figures/",
        "irinotecan/manifest.json",
        "index.html",
        "manifest.json",
    )
    for rel, (data, mtime) in before.items():
        if rel.startswith(gains_the_new_cutoff):
            continue  # the comparison, its figures, the trial manifest and the index
        assert after[rel] == (data, mtime), f"{rel} was rewritten"
    new = project / "results/irinotecan/2022-06-30"
    assert (new / "manifest.json").is_file()
    assert (new / "report/irinotecan_2022-06-30.html").is_file()
    assert "2022-06-30" in (project / "results/irinotecan/cutoffs.html").read_text()


def test_changing_a_clinical_rule_reruns_only_the_affected_analyses(full_runs, tmp_path):
    project = _copy_run(full_runs[0], tmp_path / "project")
    trial = project / "config/trials/irinotecan.yaml"
    text = trial.read_text()
    assert "min_days: 28" in text
    trial.write_text(text.replace("min_days: 28", "min_days: 35"))
    jobs = _planned_jobs(project)
    rules = {r for r, _ in jobs}
    # response confirmation feeds the ADaM stage (ADRS) and everything downstream of it ...
    assert {"adam", "submission", "ard", "figures", "report", "manifest"} <= rules
    # ... and nothing upstream of it, and nothing of the other trial (the ADaM stage is one
    # job per analysis, so ADAE and ADEX are re-derived with it, to the same bytes)
    assert "ingest" not in rules and "delivery_changes" not in rules
    for rule, wildcards in jobs:
        if rule not in ("all", "index", "results_manifest"):  # the portfolio index shows both
            assert wildcards.get("trial") == "irinotecan", (rule, wildcards)
    assert {w.get("cutoff") for r, w in jobs if r == "adam"} == {"2020-06-30", "2021-12-31"}


def test_a_killed_run_resumes_to_byte_identical_outputs(full_runs, tmp_path):
    """SIGKILL part-way, then the documented recovery: `snakemake --unlock`, then run again
    with the default profile (rerun-incomplete)."""
    from tests.conftest import bundled_project

    project = bundled_project(tmp_path / "project")
    target = "results/irinotecan/2020-06-30/manifest.json"
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    cmd = [str(BIN / "snakemake"), "-s", str(REPO / "Snakefile"), "--directory", str(project)]
    proc = subprocess.Popen(
        [*cmd, "--cores", "2", target],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    marker = project / "results/irinotecan/2020-06-30/adam/adsl.parquet"
    deadline = time.monotonic() + 300
    while not marker.exists() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.1)
    assert proc.poll() is None, "the run finished before it could be killed"
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    assert not (project / target).exists()

    unlock = subprocess.run([*cmd, "--unlock"], env=env, capture_output=True, text=True)
    assert unlock.returncode == 0, unlock.stderr[-2000:]
    profile = str(REPO / "workflow/profiles/default")
    again = subprocess.run(
        [*cmd, "--workflow-profile", profile, "--cores", "2", target],
        env=env,
        capture_output=True,
        text=True,
    )
    assert again.returncode == 0, again.stderr[-3000:]
    a = full_runs[0] / "results/irinotecan/2020-06-30"
    b = project / "results/irinotecan/2020-06-30"
    files = sorted(p.relative_to(a).as_posix() for p in a.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(b).as_posix() for p in b.rglob("*") if p.is_file())
    _, mismatch, errors = filecmp.cmpfiles(a, b, files, shallow=False)
    assert not mismatch and not errors

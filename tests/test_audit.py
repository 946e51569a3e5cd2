"""Provenance: manifests, `trialflow verify` and `trialflow reproduce`."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from trialflow.audit import manifest as mf

pytestmark = pytest.mark.slow

BIN = Path(sys.executable).parent
ANALYSIS = Path("results") / "irinotecan" / "2020-06-30"


def trialflow(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(BIN / "trialflow"), *args], cwd=cwd, capture_output=True, text=True, timeout=900
    )


@pytest.fixture()
def project(full_runs, tmp_path):
    """A private copy of a finished run, so that tampering cannot leak into other tests."""
    copy = tmp_path / "project"
    shutil.copytree(full_runs[0], copy, symlinks=True)
    return copy


def test_manifest_lists_inputs_outputs_software_and_code(full_runs):
    record = json.loads((full_runs[0] / ANALYSIS / "manifest.json").read_text())
    assert set(record["inputs"]["raw"]) == {
        f"resources/raw/irinotecan/2020-07-20/{d}.csv"
        for d in ("dm", "suppdm", "ex", "ae", "ds", "tu", "tr", "rs", "cm")
    }
    assert list(record["inputs"]["config"]) == ["config/trials/irinotecan.yaml"]
    on_disk = {
        p.relative_to(full_runs[0] / ANALYSIS).as_posix()
        for p in (full_runs[0] / ANALYSIS).rglob("*")
        if p.is_file() and p.name not in ("manifest.json", ".snakemake_timestamp")
    }
    assert set(record["outputs"]) == on_disk
    assert record["software"]["python"].count(".") == 2
    assert record["software"]["packages"]["pandas"].startswith("2.")
    assert "snakemake" in record["software"]["packages"]
    assert set(record["code"]) == {"git_commit", "dirty"}
    # resolved options, defaults included, only this delivery
    assert record["trial_config"]["response"]["confirmation"]["min_days"] == 28
    assert record["trial_config"]["delivery"]["cutoff"] == "2020-06-30"
    # no absolute paths and no timestamps
    text = (full_runs[0] / ANALYSIS / "manifest.json").read_text()
    assert str(full_runs[0]) not in text and "/tmp" not in text
    assert not re.search(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}", text)  # no timestamps


def test_manifests_are_identical_in_different_directories(full_runs):
    a, b = full_runs
    for manifest in sorted((a / "results").rglob("manifest.json")):
        rel = manifest.relative_to(a)
        assert manifest.read_bytes() == (b / rel).read_bytes(), rel


def test_verify_passes_on_fresh_results(full_runs):
    done = trialflow("verify", str(ANALYSIS), cwd=full_runs[0])
    assert done.returncode == 0, done.stdout + done.stderr
    assert "OK" in done.stdout


@pytest.mark.parametrize(
    "victim",
    [
        "resources/raw/irinotecan/2020-07-20/tr.csv",
        f"{ANALYSIS}/adam/adrs.xpt",
        f"{ANALYSIS}/ard/efficacy.csv",
        f"{ANALYSIS}/data_issues.csv",
        "config/trials/irinotecan.yaml",
    ],
)
def test_verify_names_a_file_with_one_changed_byte(project, victim):
    path = project / victim
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))
    done = trialflow("verify", str(ANALYSIS), cwd=project)
    assert done.returncode != 0
    assert done.stdout.splitlines() == [f"changed: {victim}"]


def test_verify_reports_missing_and_extra_files(project):
    (project / ANALYSIS / "ard" / "safety.csv").unlink()
    (project / ANALYSIS / "ard" / "notes.txt").write_text("added by hand\n")
    done = trialflow("verify", str(ANALYSIS), cwd=project)
    assert done.returncode != 0
    assert sorted(done.stdout.splitlines()) == [
        f"extra: {ANALYSIS}/ard/notes.txt",
        f"missing: {ANALYSIS}/ard/safety.csv",
    ]


def test_verify_refuses_a_folder_without_manifest(tmp_path):
    done = trialflow("verify", str(tmp_path), cwd=tmp_path)
    assert done.returncode != 0
    assert "no manifest.json" in done.stderr and "Traceback" not in done.stderr


def test_reproduce_reruns_from_raw_inputs_and_matches(project, tmp_path):
    workdir = tmp_path / "again"
    from tests.conftest import REPO

    done = trialflow(
        "reproduce",
        str(ANALYSIS),
        "--workdir",
        str(workdir),
        "--snakefile",
        str(REPO / "Snakefile"),
        cwd=project,
    )
    assert done.returncode == 0, done.stdout + done.stderr[-3000:]
    assert "byte-identical" in done.stdout
    # the reproduction ran on copies in a separate folder and wrote only there
    assert (workdir / "resources/raw/irinotecan/2020-07-20/dm.csv").is_file()
    assert (workdir / ANALYSIS / "manifest.json").read_bytes() == (
        project / ANALYSIS / "manifest.json"
    ).read_bytes()


def test_reproduce_refuses_a_raw_file_changed_since_the_manifest(project, tmp_path):
    from tests.conftest import REPO

    raw = project / "resources/raw/irinotecan/2020-07-20/ae.csv"
    raw.write_bytes(raw.read_bytes() + b"\n")
    done = trialflow(
        "reproduce",
        str(ANALYSIS),
        "--workdir",
        str(tmp_path / "again"),
        "--snakefile",
        str(REPO / "Snakefile"),
        cwd=project,
    )
    assert done.returncode != 0
    assert "ae.csv: raw input missing or changed since the manifest" in done.stderr


def test_compare_outputs_names_each_difference():
    expected = {"a.csv": "1", "b.csv": "2", "c.csv": "3"}
    actual = {"a.csv": "1", "b.csv": "X", "d.csv": "4"}
    assert mf.compare_outputs(expected, actual) == [
        "changed: b.csv",
        "missing: c.csv",
        "extra: d.csv",
    ]

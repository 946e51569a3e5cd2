"""Shared test fixtures: the repository root, the public SDTM sample, temporary projects."""

from __future__ import annotations

import hashlib
import lzma
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
#: The public pharmaversesdtm sample, vendored xz-compressed (see its README.md).
EXTERNAL_XZ = REPO / "tests" / "data" / "pharmaversesdtm"
BIN = Path(sys.executable).parent


@pytest.fixture(scope="session")
def repo() -> Path:
    return REPO


def sample_checksums() -> dict[str, str]:
    """SHA-256 of each decompressed sample file, from the sample's README table."""
    text = (EXTERNAL_XZ / "README.md").read_text(encoding="utf-8")
    return dict(re.findall(r"^\| ([a-z]+\.xpt) \|.*`([0-9a-f]{64})` \|$", text, re.MULTILINE))


def unpack_sample(dest: Path) -> Path:
    """Decompress the vendored sample into `dest` (one raw delivery of seven .xpt files),
    checking each file against the SHA-256 in its README."""
    dest.mkdir(parents=True, exist_ok=True)
    sums = sample_checksums()
    packed = sorted(EXTERNAL_XZ.glob("*.xpt.xz"))
    assert sorted(p.name[: -len(".xz")] for p in packed) == sorted(sums), "sample files"
    for src in packed:
        data = lzma.decompress(src.read_bytes())
        name = src.name[: -len(".xz")]
        assert hashlib.sha256(data).hexdigest() == sums[name], f"{name} does not match README"
        (dest / name).write_bytes(data)
    return dest


@pytest.fixture(scope="session")
def external_sample(tmp_path_factory) -> Path:
    """The public pharmaversesdtm sample as one raw delivery folder (decompressed once)."""
    return unpack_sample(tmp_path_factory.mktemp("pharmaversesdtm") / "pharmaversesdtm")


def run_snakemake(workdir: Path, *args: str, timeout: int = 600) -> subprocess.CompletedProcess:
    """Run the project's workflow with `workdir` as the project root."""
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    cmd = [
        str(BIN / "snakemake"),
        "-s",
        str(REPO / "Snakefile"),
        "--directory",
        str(workdir),
        *args,
    ]
    return subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=timeout)


def bundled_project(tmp: Path) -> Path:
    """A throw-away copy of the project's config and bundled raw deliveries."""
    trials = {p.name: p.read_text() for p in sorted((REPO / "config" / "trials").glob("*.yaml"))}
    make_project(tmp, trials)
    shutil.copy2(REPO / "config" / "config.yaml", tmp / "config" / "config.yaml")
    shutil.copytree(REPO / "resources" / "raw", tmp / "resources" / "raw")
    return tmp


@pytest.fixture(scope="session")
def full_runs(tmp_path_factory):
    """Two complete runs of the workflow on the bundled data, from clean results/, in two
    different directories (so absolute paths differ). Shared by the end-to-end tests."""
    runs = []
    for name in ("run_a", "run_b"):
        project = bundled_project(tmp_path_factory.mktemp(name))
        result = run_snakemake(project, "--cores", "2")
        assert result.returncode == 0, result.stderr[-4000:]
        runs.append(project)
    return runs


def make_project(tmp: Path, trials: dict[str, str], raw: dict[str, Path] | None = None) -> Path:
    """Lay out a throw-away project: config/config.yaml, config/trials/*.yaml, raw folders.

    `trials` maps trial-file name -> YAML text; `raw` maps a project-relative folder to a source
    folder whose files are copied there.
    """
    (tmp / "config" / "trials").mkdir(parents=True, exist_ok=True)
    for name, text in trials.items():
        (tmp / "config" / "trials" / name).write_text(text)
    listing = "".join(f"  - config/trials/{name}\n" for name in trials)
    (tmp / "config" / "config.yaml").write_text(f"trials:\n{listing}")
    for rel, src in (raw or {}).items():
        dest = tmp / rel
        dest.mkdir(parents=True, exist_ok=True)
        for f in sorted(Path(src).iterdir()):
            if f.is_file():
                shutil.copy2(f, dest / f.name)
    return tmp


def resolved_trial(**sections) -> dict:
    """A minimal trial mapping resolved with the schema's defaults (the only defaults there
    are), with `sections` (e.g. `response={"confirmation": {"required": False}}`) given."""
    from trialflow.config.loading import resolve_sections

    return resolve_sections(sections)


def trial_options(**sections):
    """`TrialOptions` of `resolved_trial(**sections)`."""
    from trialflow.config.options import TrialOptions

    return TrialOptions.from_trial(resolved_trial(**sections))

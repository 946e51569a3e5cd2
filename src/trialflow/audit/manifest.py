"""Provenance and manifests: prove that results came from given raw files and given code.

- `provenance.json` (written before the report, which shows it) records the sha256 of every
  raw input file and config file of one analysis, the Python and package versions, the git
  commit of the workflow code and whether its tree was dirty, and the trial options as
  resolved with defaults.
- `manifest.json` adds the sha256 of every output of the analysis.

Neither holds a timestamp or an absolute path: paths are relative to the project root
(inputs) or to the analysis folder (outputs), and JSON is written with sorted keys.
`verify` re-hashes everything a manifest lists.
"""

from __future__ import annotations

import hashlib
import json
import platform
import re
import subprocess
from collections.abc import Iterable, Mapping
from importlib import metadata
from pathlib import Path
from typing import Any

MANIFEST = "manifest.json"
PROVENANCE = "provenance.json"
_CHUNK = 1 << 20


def sha256_file(path: str | Path) -> str:
    """The sha256 hex digest of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(_CHUNK):
            digest.update(block)
    return digest.hexdigest()


# Snakemake's own marker in a folder output (an empty file it touches after the job that made
# the folder ends); not an output of the workflow, so never listed and never "extra".
WORKFLOW_MARKERS = frozenset({".snakemake_timestamp"})


def _is_output(path: Path) -> bool:
    return path.is_file() and path.name not in WORKFLOW_MARKERS


def hash_files(paths: Iterable[str | Path], *, relative_to: Path) -> dict[str, str]:
    """{path relative to `relative_to` (POSIX): sha256} for each file, sorted by path; a folder
    stands for every file in it.

    `paths` are absolute or relative to the working directory.
    """
    base = Path(relative_to).resolve()
    files: list[Path] = []
    for p in map(Path, paths):
        files += sorted(f for f in p.rglob("*") if _is_output(f)) if p.is_dir() else [p]
    out = {f.resolve().relative_to(base).as_posix(): sha256_file(f) for f in files}
    return dict(sorted(out.items()))


def locked_packages(lock_text: str) -> list[str]:
    """Package names pinned in a `name==version` lock file, in file order."""
    names = []
    for line in lock_text.splitlines():
        match = re.match(r"^\s*([A-Za-z0-9_.\-]+)==", line)
        if match:
            names.append(match.group(1))
    return names


def software_versions(packages: Iterable[str]) -> dict[str, Any]:
    """The Python version and the installed version of each package ("not installed" if absent)."""
    versions = {}
    for name in sorted(set(packages), key=str.lower):
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return {"python": platform.python_version(), "packages": versions}


def code_version(code_dir: Path) -> dict[str, Any]:
    """The git commit of the workflow code and whether its tree has uncommitted changes.

    Outside a git checkout both are reported as unknown, never guessed.
    """

    def git(*args: str) -> str | None:
        try:
            done = subprocess.run(
                ["git", "-C", str(code_dir), *args],
                capture_output=True,
                text=True,
                timeout=60,
                check=True,
            )
        except (OSError, subprocess.SubprocessError):
            return None
        return done.stdout

    commit = git("rev-parse", "HEAD")
    if commit is None:
        return {"git_commit": "unknown", "dirty": "unknown"}
    status = git("status", "--porcelain", "--untracked-files=no")
    return {"git_commit": commit.strip(), "dirty": bool(status and status.strip())}


def provenance(
    *,
    trial: str,
    cutoff: str,
    raw_files: Mapping[str, str],
    config_files: Mapping[str, str],
    software: Mapping[str, Any],
    code: Mapping[str, Any],
    trial_options: Mapping[str, Any],
) -> dict[str, Any]:
    """The provenance record of one analysis (inputs, software, code, resolved options)."""
    return {
        "trial": trial,
        "cutoff": cutoff,
        "inputs": {"raw": dict(raw_files), "config": dict(config_files)},
        "software": dict(software),
        "code": dict(code),
        "trial_config": dict(trial_options),
    }


def manifest(prov: Mapping[str, Any], outputs: Mapping[str, str]) -> dict[str, Any]:
    """The manifest: the provenance record plus {output path: sha256}."""
    return {**prov, "outputs": dict(sorted(outputs.items()))}


def trial_manifest(
    trial: str,
    cutoffs: Iterable[str],
    analyses: Mapping[str, str],
    outputs: Mapping[str, str],
) -> dict[str, Any]:
    """The manifest of a trial folder: its cross-cutoff outputs (the cutoff comparison, its
    figures and delivery-change tables) and the sha256 of each analysis's own manifest, which
    in turn lists that analysis's inputs and outputs."""
    return {
        "trial": trial,
        "cutoffs": list(cutoffs),
        "analyses": dict(sorted(analyses.items())),
        "outputs": dict(sorted(outputs.items())),
    }


def results_manifest(trials: Mapping[str, str], outputs: Mapping[str, str]) -> dict[str, Any]:
    """The manifest of the whole results folder: the index page and each trial's manifest."""
    return {"trials": dict(sorted(trials.items())), "outputs": dict(sorted(outputs.items()))}


def dumps(record: Mapping[str, Any]) -> str:
    """Deterministic JSON text: sorted keys, two-space indent, trailing newline."""
    return json.dumps(record, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def analysis_outputs(folder: Path) -> list[Path]:
    """Every file of an analysis (or trial) folder except its manifest, sorted. Sub-folders
    with a manifest of their own (the analyses of a trial folder) are theirs, not listed."""
    nested = {p.parent for p in folder.glob(f"*/{MANIFEST}") if p.parent != folder}
    return sorted(
        p
        for p in folder.rglob("*")
        if _is_output(p)
        and p.relative_to(folder).as_posix() != MANIFEST
        and not any(n in p.parents for n in nested)
    )


def verify(folder: Path, *, root: Path) -> list[str]:
    """Re-hash everything `folder/manifest.json` lists; return one line per problem.

    Lines: ``missing: <path>``, ``changed: <path>`` for listed files, and ``extra: <path>``
    for files in the analysis folder the manifest does not list. Input paths are relative to
    `root` (the project root), output paths to `folder`. An empty list means all is well.
    """
    record = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    problems: list[str] = []

    def check(listing: Mapping[str, str], base: Path, shown: str) -> None:
        for rel, digest in sorted(listing.items()):
            path = base / rel
            name = f"{shown}{rel}"
            if not path.is_file():
                problems.append(f"missing: {name}")
            elif sha256_file(path) != digest:
                problems.append(f"changed: {name}")

    for kind in ("raw", "config"):
        check(record.get("inputs", {}).get(kind, {}), root, "")
    prefix = f"{folder.as_posix().rstrip('/')}/"
    check(record.get("analyses", {}), folder, prefix)
    check(record.get("trials", {}), folder, prefix)
    check(record["outputs"], folder, prefix)
    listed = set(record["outputs"])
    for path in analysis_outputs(folder):
        rel = path.relative_to(folder).as_posix()
        if rel not in listed:
            problems.append(f"extra: {prefix}{rel}")
    return problems


def compare_outputs(expected: Mapping[str, str], actual: Mapping[str, str]) -> list[str]:
    """Lines naming outputs that differ between two manifests (missing, changed, extra)."""
    lines = []
    for rel in sorted(set(expected) | set(actual)):
        if rel not in actual:
            lines.append(f"missing: {rel}")
        elif rel not in expected:
            lines.append(f"extra: {rel}")
        elif expected[rel] != actual[rel]:
            lines.append(f"changed: {rel}")
    return lines

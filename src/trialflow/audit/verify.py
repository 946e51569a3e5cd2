"""The auditor's commands: `trialflow verify` and `trialflow reproduce`.

- verify: re-hash everything an analysis manifest lists; print one line per missing, extra
  or changed file; exit 1 on any mismatch.
- reproduce: re-run one analysis from its raw inputs in a separate project folder (copies of
  the raw files and of the trial file, each checked against the manifest's hash first), then
  compare every output's hash with the original manifest.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

from trialflow.audit import manifest as mf
from trialflow.config.loading import parse_yaml
from trialflow.errors import TrialflowError


def _copy(src: Path, dest: Path) -> None:
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(src, dest)


def _analysis_folder(path: str) -> Path:
    folder = Path(path)
    if not (folder / mf.MANIFEST).is_file():
        raise TrialflowError(
            f"{folder}: no {mf.MANIFEST} here (expected results/<trial>/<cutoff> or results/<trial>)"
        )
    return folder


def _project_root(folder: Path, root: str | None) -> Path:
    """The project root of `results/<trial>/<cutoff>` (three levels up) or of a trial folder
    `results/<trial>` (two levels up), unless given."""
    if root is not None:
        return Path(root)
    resolved = folder.resolve()
    if resolved.name == "results":
        return resolved.parent
    if resolved.parent.name == "results":
        return resolved.parent.parent
    if resolved.parent.parent.name != "results":
        raise TrialflowError(f"{folder}: not under results/<trial>/<cutoff>; pass --root")
    return resolved.parent.parent.parent


def run_verify(args: argparse.Namespace) -> int:
    folder = _analysis_folder(args.folder)
    problems = mf.verify(folder, root=_project_root(folder, args.root))
    for line in problems:
        print(line)
    if problems:
        print(f"verify: {len(problems)} problem(s) in {folder}", file=sys.stderr)
        return 1
    print(f"verify: OK, every file listed in {folder / mf.MANIFEST} matches")
    return 0


def reproduction_differences(original: dict, again: dict) -> list[str]:
    """What differs between an analysis and its reproduction.

    Compared: the input hashes, the resolved trial options and every output.
    """
    lines = []
    if original["inputs"] != again["inputs"]:
        lines.append("changed: input files")
    if original["trial_config"] != again["trial_config"]:
        lines.append("changed: resolved trial options")
    return lines + mf.compare_outputs(original["outputs"], again["outputs"])


def run_reproduce(args: argparse.Namespace) -> int:
    folder = _analysis_folder(args.folder)
    root = _project_root(folder, args.root)
    record = json.loads((folder / mf.MANIFEST).read_text(encoding="utf-8"))
    snakefile = Path(args.snakefile) if args.snakefile else root / "Snakefile"
    if not snakefile.is_file():
        raise TrialflowError(f"{snakefile}: Snakefile not found (pass --snakefile)")
    workdir = Path(args.workdir) if args.workdir else Path(tempfile.mkdtemp(prefix="trialflow-"))
    if workdir.exists() and any(workdir.iterdir()):
        raise TrialflowError(f"{workdir}: the reproduction folder must be new or empty")
    workdir.mkdir(parents=True, exist_ok=True)
    for kind in ("raw", "config"):
        for rel, digest in record["inputs"][kind].items():
            src = root / rel
            if not src.is_file() or mf.sha256_file(src) != digest:
                raise TrialflowError(f"{rel}: {kind} input missing or changed since the manifest")
            _copy(src, workdir / rel)
    (trial_file,) = record["inputs"]["config"]
    # the trial file names every delivery of the trial; their folders must exist to validate it
    parsed = parse_yaml((root / trial_file).read_text(encoding="utf-8"), trial_file)
    for other in parsed.get("deliveries", []):
        folder = root / str(other["raw"])
        for src in sorted(folder.iterdir()) if folder.is_dir() else []:
            if src.is_file() and not (workdir / src.relative_to(root)).exists():
                _copy(src, workdir / src.relative_to(root))
    (workdir / "config" / "config.yaml").write_text(yaml.safe_dump({"trials": [trial_file]}))
    trial = record["trial"]
    target = f"results/{trial}/{record['cutoff']}/{mf.MANIFEST}"
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    cmd = [
        str(Path(sys.executable).parent / "snakemake"),
        "-s",
        str(snakefile.resolve()),
        "--directory",
        str(workdir),
        "--cores",
        str(args.cores),
        target,
        "--quiet",
        "all",
    ]
    print(f"reproduce: re-running {trial} {record['cutoff']} in {workdir}")
    done = subprocess.run(cmd, env=env)
    if done.returncode != 0:
        raise TrialflowError(f"reproduction run failed (exit {done.returncode}); see {workdir}")
    again = json.loads((workdir / target).read_text(encoding="utf-8"))
    lines = reproduction_differences(record, again)
    for line in lines:
        print(line)
    if lines:
        print(
            f"reproduce: {len(lines)} output(s) differ from {folder / mf.MANIFEST}", file=sys.stderr
        )
        return 1
    print(f"reproduce: OK, all {len(record['outputs'])} outputs are byte-identical")
    return 0

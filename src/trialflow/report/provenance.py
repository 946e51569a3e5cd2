"""Provenance shown in the reports: the title block, input hashes and software versions."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from trialflow.report.format import NE, text_table
from trialflow.report.html import escape


def merge_provenance(records: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """One provenance record from several cutoffs' records (for the cutoff comparison).

    Inputs are the union of every record's raw and config hashes; software and code are those
    of the last record (the latest cutoff).
    """
    if not records:
        raise ValueError("no provenance records to merge")
    merged: dict[str, Any] = {"inputs": {"raw": {}, "config": {}}}
    for record in records:
        for kind in ("raw", "config"):
            merged["inputs"][kind].update(record["inputs"].get(kind, {}))
    merged["software"] = records[-1]["software"]
    merged["code"] = records[-1].get("code", {})
    return merged


def provenance_parameters(record: Mapping[str, Any]) -> dict[str, Any]:
    """The report's provenance parameters from a provenance.json record (trialflow.audit.manifest).

    Inputs are the raw and config files with their sha256; software is Python, each pinned
    package, and the workflow code's git commit and whether its tree had uncommitted changes.
    """
    inputs = [
        {"file": path, "sha256": digest}
        for kind in ("raw", "config")
        for path, digest in sorted(record["inputs"].get(kind, {}).items())
    ]
    code = record.get("code", {})
    software = [
        {
            "package": "workflow code (git commit)",
            "version": str(code.get("git_commit", "unknown")),
        },
        {"package": "uncommitted changes", "version": str(code.get("dirty", "unknown"))},
        {"package": "python", "version": str(record["software"]["python"])},
    ]
    software += [
        {"package": name, "version": str(version)}
        for name, version in record["software"]["packages"].items()
    ]
    return {"inputs": inputs, "software": software}


def provenance_tables(provenance: Mapping[str, Any] | None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(input files with sha256, software versions) from the report parameters."""
    provenance = provenance or {}
    inputs = text_table(
        [
            {"File": str(i.get("file")), "SHA-256": str(i.get("sha256"))}
            for i in provenance.get("inputs", [])
        ],
        ["File", "SHA-256"],
    )
    software = text_table(
        [
            {"Package": str(s.get("package")), "Version": str(s.get("version"))}
            for s in provenance.get("software", [])
        ],
        ["Package", "Version"],
    )
    return inputs, software


def delivery_folder(trial: Mapping[str, Any], cutoff: str) -> str:
    """The raw delivery folder of `cutoff` in the trial file ("" when it has none)."""
    for d in trial.get("deliveries", []):
        if str(d.get("cutoff")) == str(cutoff):
            return str(d.get("raw"))
    return ""


def title_block_html(
    trial: Mapping[str, Any], *, trial_id: str, cutoff: str, delivery_folder: str
) -> str:
    """The report's title (h1) and identity table: registry id, drug, cutoff, delivery."""
    drug = trial.get("drug", {})
    rows = [
        ("Trial", trial_id),
        ("Study id (STUDYID)", trial.get("studyid", "")),
        ("Registry id", trial.get("registry_id") or "none registered"),
        ("Study drug", drug.get("name", "")),
        ("Schedule", drug.get("schedule", "") or NE),
        ("Data cutoff", cutoff),
        ("Delivery folder", delivery_folder or NE),
    ]
    body = "".join(f"<tr><th>{escape(k)}</th><td>{escape(v)}</td></tr>" for k, v in rows)
    return (
        f'<h1 id="tf-title">{escape(trial.get("title", trial_id))}</h1>'
        f'<table class="tf-identity"><tbody>{body}</tbody></table>'
    )

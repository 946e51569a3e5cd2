"""The hostile and malformed input corpus (issue 7): every case in `tests/corpus/<case>/`.

Each case folder holds a `case.yaml` (format in `tests/corpus/README.md`): how to build a
throw-away project (a bundled delivery, optionally cut down to a few subjects, plus a list of
mutations applied at test time, or literal files in the folder), which Snakemake targets to
run, and the expected outcome:

- `error` / `config_error`: a non-zero exit and exactly one `trialflow: error:` (or
  `trialflow: config error:`) line in stderr, containing every expected substring; no
  Python traceback.
- `completes`: exit 0, and the expected rows in `data_issues.csv` (every dropped or changed
  record is logged), the ingest summary, ARD values and output files.

All cases are built first and then run concurrently (one Snakemake process per case, one core
each), so the whole corpus takes about as long as its slowest few cases.
"""

from __future__ import annotations

import concurrent.futures
import copy
import csv
import html
import io
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml

from tests.conftest import REPO, make_project, run_snakemake
from trialflow.figures.names import FIGURES, SUBGROUP_FOLDER

pytestmark = pytest.mark.slow

CORPUS = Path(__file__).resolve().parent / "corpus"
CASES = sorted(p.name for p in CORPUS.iterdir() if (p / "case.yaml").is_file())
ERROR_LINE = re.compile(r"^trialflow: (config )?error: ", re.MULTILINE)

# Snakemake targets per case `target` (relative to results/<trial>/<cutoff>/).
TARGETS = {
    "ingest": ["ingest_summary.csv"],
    "issues": ["ingest_summary.csv", "data_issues.csv"],
    "ard": [
        "ingest_summary.csv",
        "data_issues.csv",
        "ard/efficacy.csv",
        "ard/safety.csv",
        "ard/baseline.csv",
    ],
}


# --------------------------------------------------------------------------- building


def load_case(name: str) -> dict[str, Any]:
    return yaml.safe_load((CORPUS / name / "case.yaml").read_text(encoding="utf-8"))


def _read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False, na_filter=False)


def _write(df: pd.DataFrame, path: Path) -> None:
    df.to_csv(path, index=False, lineterminator="\n")


def _match(df: pd.DataFrame, where: dict[str, Any] | None) -> pd.Series:
    mask = pd.Series(True, index=df.index)
    for col, val in (where or {}).items():
        if col == "row":  # 1-based data row
            mask &= pd.Series(range(1, len(df) + 1), index=df.index) == int(val)
        else:
            mask &= df[col] == str(val)
    return mask


def _subjects_where(folder: Path, file: str, where: dict[str, Any]) -> set[str]:
    df = _read(folder / file)
    return set(df.loc[_match(df, where), "USUBJID"])


def _keep_subjects(folder: Path, keep: set[str]) -> None:
    for f in sorted(folder.glob("*.csv")):
        df = _read(f)
        if "USUBJID" in df.columns:
            _write(df[df["USUBJID"].isin(keep)], f)


def apply_mutation(folder: Path, case_dir: Path, m: dict[str, Any]) -> None:
    """Apply one mutation (format in tests/corpus/README.md) to the delivery in `folder`."""
    op = m["op"]
    path = folder / m["file"] if "file" in m else None
    if op == "remove":
        path.unlink()
    elif op == "copy":  # a literal file of the case folder
        shutil.copy2(case_dir / m["source"], path)
    elif op == "rename":
        path.rename(folder / m["to"])
    elif op == "bytes":  # replace the file's content with literal bytes (hex) or text
        data = bytes.fromhex(m["hex"]) if "hex" in m else m.get("text", "").encode("utf-8")
        path.write_bytes(data * int(m.get("repeat", 1)))
    elif op == "png":  # a tiny valid PNG image under the file's name
        png = (
            "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
            "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
        )
        path.write_bytes(bytes.fromhex(png))
    elif op == "drop_column":
        _write(_read(path).drop(columns=[m["column"]]), path)
    elif op == "set":  # set values on the rows matching `where`
        df = _read(path)
        mask = _match(df, m.get("where"))
        assert mask.any(), f"mutation matched no row: {m}"
        for col, val in m["values"].items():
            if col not in df.columns:
                df[col] = ""
            df.loc[mask, col] = str(val)
        _write(df, path)
    elif op == "duplicate":  # append a copy of the first matching row, with changed values
        df = _read(path)
        row = df.loc[_match(df, m.get("where"))].iloc[[0]].copy()
        for col, val in (m.get("values") or {}).items():
            row[col] = str(val)
        _write(pd.concat([df, row], ignore_index=True), path)
    elif op == "drop_rows":
        df = _read(path)
        _write(df.loc[~_match(df, m.get("where"))], path)
    elif op == "drop_subjects_with":  # drop every record of subjects with a matching row
        drop = _subjects_where(folder, m["file"], m["where"])
        dm = _read(folder / "dm.csv")
        _keep_subjects(folder, set(dm["USUBJID"]) - drop)
    elif op == "big_cell":  # one cell of `size` bytes
        df = _read(path)
        mask = _match(df, m.get("where"))
        idx = df.index[mask][0]
        df.loc[idx, m["column"]] = (m.get("fill", "X") * int(m["size"]))[: int(m["size"])]
        _write(df, path)
    elif op == "encode":  # re-encode the text (for example latin-1)
        text = path.read_text(encoding="utf-8")
        path.write_bytes(text.encode(m["encoding"]))
    elif op == "bom":
        path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    elif op == "delimiter":
        df = _read(path)
        buf = io.StringIO()
        df.to_csv(buf, index=False, sep=m["sep"], lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
        path.write_text(buf.getvalue(), encoding="utf-8")
    elif op == "append_line":  # raw text line appended (for example a ragged row)
        with path.open("a", encoding="utf-8") as fh:
            fh.write(m["text"].rstrip("\n") + "\n")
    elif op == "symlink":  # `file` becomes a symbolic link to `target` (project-relative)
        path.symlink_to(m["target"])
    else:
        raise AssertionError(f"unknown mutation {op!r}")


@dataclass
class Built:
    name: str
    case: dict[str, Any]
    project: Path
    trial: str
    cutoff: str
    targets: list[str]


def build_case(name: str, tmp: Path) -> Built:
    """Lay out the case's project in `tmp` (config, trial file, mutated delivery)."""
    case = load_case(name)
    case_dir = CORPUS / name
    base = case.get("base", "irinotecan/2020-07-20")
    trial_name = base.split("/")[0]
    trial = yaml.safe_load((REPO / "config" / "trials" / f"{trial_name}.yaml").read_text())
    delivery = next(d for d in trial["deliveries"] if d["raw"].endswith(base))
    cutoff = str(case.get("cutoff", delivery["cutoff"]))
    raw_rel = f"resources/raw/{trial['id']}/delivery"
    trial["deliveries"] = [{"cutoff": cutoff, "raw": case.get("raw_path", raw_rel)}]
    trial = _merge(trial, case.get("trial") or {})
    text = case["trial_text"] if "trial_text" in case else yaml.safe_dump(trial, sort_keys=False)
    make_project(tmp, {f"{trial_name}.yaml": text}, {raw_rel: REPO / "resources" / "raw" / base})
    folder = tmp / raw_rel
    if "subjects" in case:
        dm = _read(folder / "dm.csv")
        _keep_subjects(folder, set(dm["USUBJID"].iloc[: int(case["subjects"])]))
    for m in case.get("mutations") or []:
        apply_mutation(folder, case_dir, m)
    trial_id = str(trial.get("id"))
    return Built(name, case, tmp, trial_id, cutoff, _targets(case, trial, cutoff))


def _targets(case: dict[str, Any], trial: dict[str, Any], cutoff: str) -> list[str]:
    """The case's Snakemake targets; none (the default target) for config errors."""
    if case["expect"]["outcome"] == "config_error":
        return []
    target = case.get("target", "ingest")
    if target in TARGETS:
        rel = list(TARGETS[target])
    else:  # figures, report: the ARD, every figure of the analysis, then the report
        rel = list(TARGETS["ard"])
        rel += [f"figures/{n}.png" for n in FIGURES]
        if trial.get("subgroups"):
            rel.append(f"figures/{SUBGROUP_FOLDER}")  # one folder, written by the figures job
        if target == "report":
            rel.append(f"report/{trial['id']}_{cutoff}.html")
    rel += [r for r in (case["expect"].get("rows") or {}) if r not in rel]  # files to read
    return [f"results/{trial['id']}/{cutoff}/{r}" for r in rel]


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(base)
    for key, val in over.items():
        if isinstance(val, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], val)
        else:
            out[key] = val
    return out


def run_case(built: Built) -> subprocess.CompletedProcess:
    return run_snakemake(built.project, "--cores", "1", *built.targets, timeout=300)


@pytest.fixture(scope="module")
def corpus_runs(tmp_path_factory) -> dict[str, tuple[Built, subprocess.CompletedProcess]]:
    """Build every case, then run them concurrently (one Snakemake per case)."""
    built = [build_case(n, tmp_path_factory.mktemp(n)) for n in CASES]
    # longest first (reports, then ARD, ...), so the short runs fill the gaps at the end
    cost = {"report": 0, "figures": 1, "ard": 2, "issues": 3, "ingest": 4}
    built.sort(key=lambda b: (cost.get(b.case.get("target", "ingest"), 5), b.name))
    workers = max(2, min(8, (os.cpu_count() or 2)))
    with concurrent.futures.ThreadPoolExecutor(max_workers=workers) as pool:
        results = list(pool.map(run_case, built))
    return {b.name: (b, r) for b, r in zip(built, results, strict=True)}


# --------------------------------------------------------------------------- checks


def test_corpus_has_at_least_25_cases():
    assert len(CASES) >= 25


@pytest.mark.parametrize("name", CASES)
def test_case_yaml_is_complete(name):
    case = load_case(name)
    assert case.get("title") and case.get("covers"), name
    assert case["expect"]["outcome"] in {"error", "config_error", "completes"}, name
    assert case.get("target", "ingest") in {*TARGETS, "figures", "report"}, name
    if case["expect"]["outcome"] != "completes":
        assert case["expect"].get("stderr"), f"{name}: an error case must name its substrings"


@pytest.mark.parametrize("name", CASES)
def test_case_outcome(name, corpus_runs, request):
    built, result = corpus_runs[name]
    if built.case.get("pending"):
        # a known gap, described in the case: the expectation must start to hold once fixed
        request.applymarker(pytest.mark.xfail(reason=built.case["pending"], strict=True))
    expect = built.case["expect"]
    stderr = result.stderr
    lines = ERROR_LINE.findall(stderr)
    if expect["outcome"] in {"error", "config_error"}:
        assert result.returncode != 0, f"{name}: expected a failure\n{stderr[-2000:]}"
        error_lines = [ln for ln in stderr.splitlines() if ERROR_LINE.match(ln)]
        assert len(error_lines) == 1, f"{name}: expected one error line\n{stderr[-3000:]}"
        line = error_lines[0]
        if expect["outcome"] == "config_error":
            assert line.startswith("trialflow: config error: "), line
        else:
            assert line.startswith("trialflow: error: "), line
        for part in expect["stderr"]:
            assert str(part) in line, f"{name}: {part!r} not in {line!r}"
        assert "Traceback" not in stderr, f"{name}: traceback in stderr\n{stderr[-3000:]}"
        for rel in expect.get("absent") or []:
            assert not (built.project / rel).exists(), f"{name}: {rel} exists"
        return
    assert result.returncode == 0, f"{name}: run failed\n{stderr[-4000:]}"
    assert not lines, f"{name}: error line in a completed run"
    out = built.project / "results" / built.trial / built.cutoff
    _check_completed(name, expect, out)


def _rows(df: pd.DataFrame, want: dict[str, Any]) -> pd.DataFrame:
    """Rows of `df` matching `want`: exact for most columns, substring for `reason`."""
    mask = pd.Series(True, index=df.index)
    for col, val in want.items():
        if col in {"reason", "original_value", "new_value"}:
            mask &= df[col].str.contains(str(val), regex=False)
        else:
            mask &= df[col] == str(val)
    return df[mask]


def report_text(path: Path) -> str:
    """The visible text of an HTML report: no style or script, tags removed, spaces folded."""
    page = path.read_text(encoding="utf-8")
    page = re.sub(r"<(style|script)\b.*?</\1>", " ", page, flags=re.DOTALL | re.IGNORECASE)
    page = html.unescape(re.sub(r"<[^>]+>", " ", page))
    return " ".join(page.split())


def _check_completed(name: str, expect: dict[str, Any], out: Path) -> None:
    summary = pd.read_csv(out / "ingest_summary.csv")
    assert (summary.raw_rows == summary.kept_rows + summary.excluded_rows).all()
    if (out / "data_issues.csv").exists():
        issues = _read(out / "data_issues.csv")
        # every excluded raw row is logged once (nothing lost)
        for row in summary.itertuples():
            excluded = issues[
                (issues.stage == "ingest")
                & (issues.action == "excluded")
                & (issues.domain == row.domain)
            ]
            assert excluded.row.nunique() == row.excluded_rows, (name, row.domain)
    else:
        issues = None
    for want in expect.get("issues") or []:
        assert issues is not None and len(_rows(issues, want)), f"{name}: no issue {want}"
    for want in expect.get("no_issues") or []:
        assert issues is not None and not len(_rows(issues, want)), f"{name}: issue {want}"
    for domain, counts in (expect.get("summary") or {}).items():
        got = summary.set_index("domain").loc[domain]
        for col, val in counts.items():
            assert int(got[col]) == int(val), (name, domain, col, int(got[col]))
    for want in expect.get("ard") or []:
        ard = _read(out / "ard" / want["file"])
        rows = _rows(ard, want["where"])
        assert len(rows) == 1, f"{name}: {len(rows)} ARD rows for {want}"
        assert rows["value"].iloc[0] == str(want["value"]), (name, want, rows["value"].iloc[0])
    if expect.get("report"):
        text = report_text(next((out / "report").glob("*.html")))
        for part in expect["report"]:
            assert part in text, f"{name}: report does not say {part!r}"
    for rel in expect.get("files") or []:
        assert (out / rel).is_file(), f"{name}: {rel} missing"
    for rel, cols in (expect.get("parquet") or {}).items():
        df = pd.read_parquet(out / rel)
        assert len(df), f"{name}: {rel} has no rows"
        for col, value in cols.items():
            assert (df[col].astype(str) == str(value)).all(), (name, rel, col)
    for rel, wants in (expect.get("rows") or {}).items():
        df = pd.read_parquet(out / rel)
        for want in wants:
            mask = pd.Series(True, index=df.index)
            for col, value in want["where"].items():
                mask &= df[col].astype(str) == str(value)
            assert mask.sum() == 1, f"{name}: {int(mask.sum())} rows of {rel} for {want}"
            row = df[mask].iloc[0]
            for col, value in want["values"].items():
                if isinstance(value, int | float) and not isinstance(value, bool):
                    assert float(row[col]) == pytest.approx(float(value)), (name, want, col)
                else:
                    assert str(row[col]) == str(value), (name, want, col, row[col])

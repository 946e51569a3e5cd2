"""The real public pharmaversesdtm sample (XPT) as one raw delivery (issue 2, item 6).

The sample is vendored xz-compressed in tests/data/pharmaversesdtm (README and licence there);
the `external_sample` fixture decompresses it into a temporary folder.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from trialflow import io
from trialflow.ingest.delivery import ingest_delivery

REPO = Path(__file__).resolve().parents[1]
SPECS = io.read_specs(sorted((REPO / "workflow" / "schemas" / "sdtm").glob("*.yaml")))
# rows per file, from the sample's README.md
README_ROWS = {"DM": 306, "DS": 850, "EX": 591, "AE": 1191, "RS": 5808, "TU": 7734, "TR": 55995}
DATE_OF = {"ex": "EXSTDT", "ae": "AESTDT", "ds": "DSSTDT", "tu": "TUDT", "tr": "TRDT", "rs": "RSDT"}


@pytest.fixture(scope="module")
def raw(external_sample):
    return {
        p.stem: io.read_domain(p, name=f"pharmaversesdtm/{p.name}")
        for p in sorted(external_sample.glob("*.xpt"))
    }


def ingest(raw, cutoff):
    return ingest_delivery(
        raw,
        SPECS,
        studyid="CDISCPILOT01",
        cutoff=cutoff,
        source_names={k: f"pharmaversesdtm/{k}.xpt" for k in raw},
        raw_dir="pharmaversesdtm",
    )


def check_accounting(result):
    s = result.summary.set_index("domain")
    assert (s["raw_rows"] == s["kept_rows"] + s["excluded_rows"]).all()
    for dom, n in README_ROWS.items():
        assert s.loc[dom, "raw_rows"] == n
    excl = result.issues[result.issues["action"] == "excluded"]
    per_domain = excl.groupby("domain").size().reindex(s.index, fill_value=0)
    assert (per_domain == s["excluded_rows"]).all()
    assert not excl.duplicated(["domain", "row"]).any()
    for name in DATE_OF:
        assert len(result.domains[name]) == s.loc[name.upper(), "kept_rows"]


def test_external_sample_after_all_data(raw):
    result = ingest(raw, "2030-12-31")
    check_accounting(result)
    s = result.summary.set_index("domain")
    # nothing is after a 2030 cutoff; the only exclusions are the 3 RS overall responses
    # coded "CHECK", which is not a RECIST 1.1 response (README: results are untidy)
    assert s["excluded_rows"].to_dict() == {
        "DM": 0, "SUPPDM": 0, "EX": 0, "AE": 0, "DS": 0, "TU": 0, "TR": 0, "RS": 3, "CM": 0,
    }  # fmt: skip
    rs = result.issues[(result.issues["domain"] == "RS") & (result.issues["action"] == "excluded")]
    assert set(rs["original_value"]) == {"CHECK"}
    # partial dates such as TRDTC "2014-01" are imputed with a flag, the text kept
    tr = result.domains["tr"]
    partial = tr[tr["TRDTC"].str.len() == 7]
    assert len(partial) > 0
    assert (partial["TRDTF"] == "D").all()
    assert (partial["TRDT"] == pd.to_datetime(partial["TRDTC"] + "-01")).all()
    # the evaluator structure survives: investigator and two radiologists
    assert set(result.domains["rs"]["RSEVALID"].dropna()) == {"RADIOLOGIST 1", "RADIOLOGIST 2"}


def test_external_sample_earlier_cutoff(raw):
    cutoff = "2013-06-30"
    result = ingest(raw, cutoff)
    check_accounting(result)
    cut = pd.Timestamp(cutoff)
    for name, col in DATE_OF.items():
        assert (result.domains[name][col].dropna() <= cut).all(), name
    s = result.summary.set_index("domain")
    assert s.loc["TR", "excluded_rows"] > 0 and s.loc["TR", "kept_rows"] > 0
    dm = result.domains["dm"]
    assert (dm["DTHDT"].dropna() <= cut).all()
    assert (dm["RFSTDT"].dropna() <= cut).all()
    assert (result.domains["ex"]["EXENDT"].dropna() <= cut).all()
    assert (result.domains["ae"]["AEENDT"].dropna() <= cut).all()


def test_external_sample_through_the_script(raw, tmp_path, external_sample):
    import importlib.util
    from types import SimpleNamespace

    path = REPO / "workflow" / "scripts" / "ingest.py"
    spec = importlib.util.spec_from_file_location("ingest_script_ext", path)
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    domains = ["dm", "suppdm", "ex", "ae", "ds", "tu", "tr", "rs", "cm"]
    out = tmp_path / "results"
    smk = SimpleNamespace(
        input=SimpleNamespace(
            raw=sorted(str(p) for p in external_sample.glob("*.xpt")),
            specs=sorted(str(p) for p in (REPO / "workflow/schemas/sdtm").glob("*.yaml")),
        ),
        params=SimpleNamespace(
            raw_dir="pharmaversesdtm", studyid="CDISCPILOT01", cutoff="2030-12-31", trial="ext"
        ),
        output=SimpleNamespace(
            sdtm=[str(out / "sdtm" / f"{d}.parquet") for d in domains],
            issues=str(out / "issues" / "ingest.csv"),
            summary=str(out / "ingest_summary.csv"),
        ),
        log=[],
    )
    script.main(smk)
    summary = pd.read_csv(smk.output.summary)
    assert summary["raw_rows"].sum() == sum(README_ROWS.values())
    assert (summary["raw_rows"] == summary["kept_rows"] + summary["excluded_rows"]).all()
    assert len(io.read_parquet(out / "sdtm" / "tr.parquet")) == README_ROWS["TR"]

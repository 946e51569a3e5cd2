"""Real SDTM variants at ingest: tumour measurements and responses as SDTM CT codes them.

The hand-made delivery of `tests/test_ingest.py` with its TR or RS replaced. Each test states
what SDTM controlled terminology allows and checks that ingest keeps it as delivered (apart from
the documented upper-casing), without an exclusion or a query.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from tests.conftest import trial_options
from tests.test_ingest import REPO, delivery, issues_of, run, table
from trialflow import io
from trialflow.adam.adrs import derive_adrs
from trialflow.adam.adsl import derive_adsl
from trialflow.adam.adtr import derive_adtr
from trialflow.adam.readers import choose_readers
from trialflow.adam.recist import derive_visit_responses, select_ovr_records
from trialflow.ingest.delivery import ingest_delivery

TR_COLUMNS = [
    "USUBJID", "TRSEQ", "TRLNKID", "TRTESTCD", "TRORRES", "TRSTRESC", "TRSTRESN", "TRSTRESU",
    "TRDTC",
]  # fmt: skip


def test_tr_test_codes_of_sdtm_ct_are_kept():
    # SDTM CT TRTESTCD (C96779): LDIAM longest diameter, DIAMETER, SAXIS short axis, LPERP
    # longest perpendicular (the short axis of a nodal lesion), TUMSTATE tumour state, SUMDIAM.
    # A lower-case code is upper-cased (a `changed` issue); nothing is excluded or queried.
    rows = [
        ["S-001", "1", "T01", "LDIAM", "30", "30", "30", "mm", "2020-01-03"],
        ["S-001", "2", "T01", "DIAMETER", "30", "30", "30", "mm", "2020-01-03"],
        ["S-001", "3", "T02", "SAXIS", "15", "15", "15", "mm", "2020-01-03"],
        ["S-001", "4", "T03", "lperp", "18", "18", "18", "mm", "2020-01-03"],
        ["S-001", "5", "NT01", "TUMSTATE", "PRESENT", "PRESENT", "", "", "2020-01-03"],
        ["S-001", "6", "NT01", "TUMSTATE", "UNEQUIVOCAL", "UNEQUIVOCAL", "", "", "2020-02-14"],
        ["S-002", "1", "NT01", "TUMSTATE", "ABSENT", "ABSENT", "", "", "2020-01-11"],
        ["S-002", "2", "NT01", "TUMSTATE", "EQUIVOCAL", "EQUIVOCAL", "", "", "2020-02-22"],
        ["S-002", "3", "", "SUMDIAM", "63", "63", "63", "mm", "2020-02-22"],
    ]
    raw = delivery()
    raw["tr"] = table("tr", TR_COLUMNS, rows)
    res = run(raw)
    tr = res.domains["tr"]
    assert len(tr) == 9 and res.summary.set_index("domain").loc["TR", "excluded_rows"] == 0
    assert sorted(tr["TRTESTCD"]) == sorted(
        ["LDIAM", "DIAMETER", "SAXIS", "LPERP", "TUMSTATE", "TUMSTATE", "TUMSTATE", "TUMSTATE",
         "SUMDIAM"]
    )  # fmt: skip
    states = tr.loc[tr["TRTESTCD"] == "TUMSTATE", "TRSTRESC"]
    assert sorted(states) == ["ABSENT", "EQUIVOCAL", "PRESENT", "UNEQUIVOCAL"]
    lperp = tr[tr["TRTESTCD"] == "LPERP"].iloc[0]
    assert (lperp["TRSTRESN"], lperp["TRSTRESU"]) == (18.0, "mm")
    iss = issues_of(res, "TR")
    assert iss[iss["action"].isin(["excluded", "query"]) & (iss["row"] != "")].empty
    changed = iss[iss["action"] == "changed"]
    assert changed[["row", "variable", "original_value", "new_value"]].values.tolist() == [
        ["4", "TRTESTCD", "lperp", "LPERP"]
    ]


RS_COLUMNS = [
    "USUBJID", "RSSEQ", "RSTESTCD", "RSCAT", "RSORRES", "RSSTRESC", "RSEVAL", "RSEVALID",
    "RSACPTFL", "VISITNUM", "RSDTC",
]  # fmt: skip


def test_rs_overall_response_alone_from_two_readers_with_accepted_flag():
    # RS with only OVRLRESP (no TRGRESP/NTRGRESP/NEWLPROG components) from two independent
    # readers: RSEVAL INDEPENDENT ASSESSOR, RSEVALID RADIOLOGIST 1/2 and RSACPTFL (NY
    # codelist: Y, N or null). Every record is kept as delivered; RSACPTFL "N" is a valid term
    # (not a query) and "yes" is the synonym of "Y".
    ind = "INDEPENDENT ASSESSOR"
    rows = [
        ["S-001", "1", "OVRLRESP", "RECIST 1.1", "PR", "PR", ind, "RADIOLOGIST 1", "N", "2",
         "2020-02-14"],
        ["S-001", "2", "OVRLRESP", "RECIST 1.1", "SD", "SD", ind, "RADIOLOGIST 2", "Y", "2",
         "2020-02-14"],
        ["S-002", "1", "OVRLRESP", "RECIST 1.1", "SD", "SD", ind, "RADIOLOGIST 1", "yes", "2",
         "2020-02-22"],
        ["S-002", "2", "OVRLRESP", "RECIST 1.1", "SD", "SD", ind, "RADIOLOGIST 2", "", "2",
         "2020-02-22"],
    ]  # fmt: skip
    raw = delivery()
    raw["rs"] = table("rs", RS_COLUMNS, rows)
    res = run(raw)
    rs = res.domains["rs"].sort_values(["USUBJID", "RSSEQ"])
    assert len(rs) == 4
    assert list(rs["RSTESTCD"]) == ["OVRLRESP"] * 4
    assert list(rs["RSSTRESC"]) == ["PR", "SD", "SD", "SD"]
    assert list(rs["RSEVALID"]) == ["RADIOLOGIST 1", "RADIOLOGIST 2"] * 2
    assert rs["RSACPTFL"].fillna("").tolist() == ["N", "Y", "Y", ""]
    iss = issues_of(res, "RS")
    assert iss[iss["action"].isin(["excluded", "query"]) & (iss["row"] != "")].empty
    changed = iss[iss["action"] == "changed"]
    assert changed[["row", "variable", "original_value", "new_value"]].values.tolist() == [
        ["3", "RSACPTFL", "yes", "Y"]
    ]


def test_accepted_flag_n_is_not_a_query_in_tu_and_tr():
    # TUACPTFL/TRACPTFL use the NY codelist too: "N" is a valid value.
    raw = delivery()
    raw["tu"] = raw["tu"].assign(TUACPTFL=["Y", "N"])
    raw["tr"] = raw["tr"].assign(TRACPTFL=["Y", "N", "Y", "N", "Y"])
    res = run(raw)
    logged = res.issues[res.issues["variable"].isin(["TUACPTFL", "TRACPTFL"])]
    assert logged.empty
    assert sorted(res.domains["tu"]["TUACPTFL"]) == ["N", "Y"]
    # TR row 3 (S-001, after death) is excluded; the other four keep their flag
    assert sorted(res.domains["tr"]["TRACPTFL"]) == ["N", "N", "Y", "Y"]


# ------------------------------------------------------------- derivations on absent variables

SMALL = Path(__file__).resolve().parent / "data" / "small_delivery"
DROPPED = {
    "tu": ["TUDTC", "VISITNUM", "TUEVAL"],
    "tr": ["VISITNUM", "TREVAL"],
    "rs": ["VISITNUM", "RSEVAL"],
}


def _derive(drop: dict[str, list[str]]) -> dict[str, pd.DataFrame]:
    specs = io.read_specs(sorted((REPO / "workflow" / "schemas" / "sdtm").glob("*.yaml")))
    raw = {p.stem: io.read_domain(p, name=p.name) for p in sorted(SMALL.glob("*.csv"))}
    for name, cols in drop.items():
        raw[name] = raw[name].drop(columns=cols)
    d = ingest_delivery(raw, specs, studyid="SMALL-E2E", cutoff="2021-12-31").domains
    rules = trial_options().response
    adsl, _ = derive_adsl(
        d["dm"], d["suppdm"], d["ex"], d["ds"], d["tu"], d["tr"], d["rs"], d["cm"],
        cutoff="2021-12-31", response=rules, reference_start="first_dose", studyid=None, age_cut=65,
    )  # fmt: skip
    visits, _ = derive_visit_responses(d["tu"], d["tr"], d["rs"], adsl, rules)
    out = {"adsl": adsl, "visits": visits}
    for source in ("derived", "investigator"):
        r = trial_options(response={"source": source}).response
        ovr = select_ovr_records(d["rs"], visits, r, choose_readers(d["tu"], d["tr"], d["rs"], r))
        out[source], _ = derive_adrs(ovr, adsl, r)
    out["adtr"] = derive_adtr(d["tu"], d["tr"], d["rs"], adsl, out["derived"], rules)
    return out


def test_derivations_run_without_tudtc_visitnum_and_evaluator_variables():
    # The hand-made delivery (tests/data/small_delivery: one assessment date per visit, one
    # evaluator) without TUDTC, VISITNUM and --EVAL: the cleaned data carry them all-missing,
    # nothing crashes, and every number is the same as with them, because an assessment is
    # then keyed by its date (adtr module docstring) and an empty --EVAL is the investigator.
    full, bare = _derive({}), _derive(DROPPED)
    key = ["USUBJID", "ADT"]
    for name, cols in (("adtr", ["AVAL", "BASE", "PCHG", "NADIR"]), ("visits", ["OVRLRESP"])):
        a = full[name].sort_values(key).reset_index(drop=True)
        b = bare[name].sort_values(key).reset_index(drop=True)
        assert len(a) == len(b) > 0, name
        pd.testing.assert_frame_equal(a[key + cols], b[key + cols], check_dtype=False)
    for source in ("derived", "investigator"):
        a, b = (x[source] for x in (full, bare))
        pick = ["USUBJID", "PARAMCD", "AVALC", "ADT"]
        pd.testing.assert_frame_equal(
            a[a["PARAMCD"] != "OVR"][pick].reset_index(drop=True),
            b[b["PARAMCD"] != "OVR"][pick].reset_index(drop=True),
        )
    assert list(full["adsl"]["EFFFL"]) == list(bare["adsl"]["EFFFL"])

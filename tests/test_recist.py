"""RECIST 1.1 per-visit response: Tables 1 and 2, target / non-target / new-lesion rules, and
the derivation from hand-built cleaned TU/TR frames (simulator and pharmaversesdtm layouts).

Every expectation is worked out by hand from RECIST 1.1 (Eisenhauer 2009, §4.3)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tests.conftest import trial_options
from trialflow.adam.readers import choose_readers
from trialflow.adam.recist import (
    derive_visit_responses,
    new_lesion_flag,
    nontarget_response,
    overall_response,
    select_ovr_records,
    target_response,
)

RULES = trial_options().response
"""The schema's defaults: RECIST 1.1 thresholds 30% / 20% and 5 mm / 10 mm, investigator."""
KEYS = ["USUBJID", "ASMKEY"]


def _visits(tu, tr, adsl, rules=RULES, rs=None):
    visits, _ = derive_visit_responses(tu, tr, rs, adsl, rules)
    return visits


# ----------------------------------------------------------------------------- Table 1 and 2

TABLE1 = [  # target, non-target, new -> overall (RECIST 1.1 Table 1, one row each)
    ("CR", "CR", "N", "CR"),
    ("CR", "NON-CR/NON-PD", "N", "PR"),
    ("CR", "NE", "N", "PR"),
    ("PR", "NON-CR/NON-PD", "N", "PR"),
    ("SD", "NE", "N", "SD"),
    ("NE", "NON-CR/NON-PD", "N", "NE"),
    ("PD", "CR", "N", "PD"),
    ("SD", "PD", "N", "PD"),
    ("PR", "CR", "Y", "PD"),
]
TABLE1_EXTRA = [  # target-only disease (no non-target lesions at baseline: "NA")
    ("CR", "NA", "N", "CR"),
    ("PR", "NA", "N", "PR"),
    ("SD", "NA", "N", "SD"),
    ("NE", "NA", "N", "NE"),
    ("PR", "NE", "N", "PR"),
    ("SD", "NON-CR/NON-PD", "N", "SD"),
]
TABLE2 = [  # non-target disease only (RECIST 1.1 Table 2, one row each)
    ("NA", "CR", "N", "CR"),
    ("NA", "NON-CR/NON-PD", "N", "NON-CR/NON-PD"),
    ("NA", "NE", "N", "NE"),
    ("NA", "PD", "N", "PD"),
    ("NA", "NON-CR/NON-PD", "Y", "PD"),
]


@pytest.mark.parametrize(("t", "n", "new", "expected"), TABLE1 + TABLE1_EXTRA)
def test_overall_response_table1(t: str, n: str, new: str, expected: str) -> None:
    got = overall_response(pd.Series([t]), pd.Series([n]), pd.Series([new]))
    assert got.iloc[0] == expected


@pytest.mark.parametrize(("t", "n", "new", "expected"), TABLE2)
def test_overall_response_table2(t: str, n: str, new: str, expected: str) -> None:
    got = overall_response(pd.Series([t]), pd.Series([n]), pd.Series([new]))
    assert got.iloc[0] == expected


def test_overall_response_no_disease_is_ne_unless_new_lesion() -> None:
    got = overall_response(pd.Series(["NA", "NA"]), pd.Series(["NA", "NA"]), pd.Series(["N", "Y"]))
    assert list(got) == ["NE", "PD"]


# ----------------------------------------------------------------------------- target rules


def _sums(**cols: list) -> pd.DataFrame:
    n = len(next(iter(cols.values())))
    base = {
        "BASE": [100.0] * n,
        "NADIR": [100.0] * n,
        "COMPLFL": ["Y"] * n,
        "NONNODSUM": [np.nan] * n,
        "NODEMAX": [np.nan] * n,
    }
    base.update(cols)
    return pd.DataFrame(base)


def test_target_pr_threshold_is_30_percent_of_baseline() -> None:
    # BASE 100: 70 is exactly -30% -> PR; 71 is -29% -> SD
    s = _sums(AVAL=[70.0, 71.0], NONNODSUM=[70.0, 71.0])
    assert list(target_response(s, RULES)) == ["PR", "SD"]


def test_target_pd_needs_20_percent_and_5_mm_over_nadir() -> None:
    # nadir 50: 60 = +20% and +10 mm -> PD; 59 = +18% -> SD (vs base 100: -41% -> PR)
    # nadir 20: 24 = +20% but only +4 mm -> not PD; vs BASE 100 that is -76% -> PR
    # nadir 20: 25 = +25% and +5 mm -> PD
    s = _sums(
        AVAL=[60.0, 59.0, 24.0, 25.0],
        NADIR=[50.0, 50.0, 20.0, 20.0],
        NONNODSUM=[60.0, 59.0, 24.0, 25.0],
    )
    assert list(target_response(s, RULES)) == ["PD", "PR", "PR", "PD"]


def test_target_cr_allows_nodes_below_10_mm() -> None:
    # non-nodal gone (0) and node 9 mm -> CR although SLD = 9; node 10 mm -> not CR:
    # 10/100 = -90% -> PR; a non-nodal lesion of 1 mm left -> PR
    s = _sums(AVAL=[9.0, 10.0, 10.0], NONNODSUM=[0.0, 0.0, 1.0], NODEMAX=[9.0, 10.0, 9.0])
    assert list(target_response(s, RULES)) == ["CR", "PR", "PR"]


def test_target_ne_when_a_lesion_is_missing_unless_pd_met() -> None:
    # incomplete, measured 40 vs nadir 100 -> NE; incomplete, measured 130 vs nadir 100
    # (+30%, +30 mm) -> PD with the measured lesions alone
    s = _sums(AVAL=[40.0, 130.0], COMPLFL=["N", "N"], NONNODSUM=[40.0, 130.0])
    assert list(target_response(s, RULES)) == ["NE", "PD"]


def test_nontarget_response_rules() -> None:
    lesions = pd.DataFrame(
        {
            "USUBJID": ["A"] * 8,
            "ASMKEY": ["1", "1", "2", "2", "3", "3", "4", "4"],
            "STATE": [
                "ABSENT",
                "ABSENT",  # all gone -> CR
                "PRESENT",
                "ABSENT",  # one present -> NON-CR/NON-PD
                "UNEQUIVOCAL",
                "",  # unequivocal progression beats not assessed -> PD
                "EQUIVOCAL",
                "NOT DONE",  # one not assessed -> NE
            ],
        }  # fmt: skip
    )
    got = nontarget_response(lesions, by=KEYS).set_index("ASMKEY")["NTRGRESP"]
    assert got.to_dict() == {"1": "CR", "2": "NON-CR/NON-PD", "3": "PD", "4": "NE"}


def test_new_lesion_flag_equivocal_is_not_progression() -> None:
    new = pd.DataFrame(
        {
            "USUBJID": ["A", "A", "A"],
            "ASMKEY": ["1", "2", "3"],
            "STATE": ["EQUIVOCAL", "UNEQUIVOCAL", ""],
            "VALUE": [np.nan, np.nan, 12.0],  # a measured new lesion counts
        }
    )
    got = new_lesion_flag(new, RULES, by=KEYS).set_index("ASMKEY")["NEWLPROG"]
    assert got.to_dict() == {"1": "N", "2": "Y", "3": "Y"}


# ----------------------------------------------------------------------------- from TU/TR

START = pd.Timestamp("2020-01-10")


def _adsl(subjects=("S1",)) -> pd.DataFrame:
    return pd.DataFrame(
        {"STUDYID": "ST", "USUBJID": list(subjects), "STARTDT": [START] * len(subjects)}
    )


def _tu(rows: list[tuple[str, str, str, str]], evaluator: str = "INVESTIGATOR") -> pd.DataFrame:
    """rows: (USUBJID, TULNKID, TUORRES, TULOC)"""
    df = pd.DataFrame(rows, columns=["USUBJID", "TULNKID", "TUORRES", "TULOC"])
    df["TUSTRESC"] = df["TUORRES"]
    df["TUEVAL"] = evaluator
    df["TUDT"] = pd.Timestamp("2020-01-05")
    return df


def _tr(rows: list[tuple], evaluator: str = "INVESTIGATOR") -> pd.DataFrame:
    """rows: (USUBJID, VISITNUM, date, TRLNKID, TRGRPID, TRTESTCD, TRSTRESC, TRSTRESN[, unit])"""
    recs = []
    for r in rows:
        subj, vn, date, lnk, grp, test, c, n = r[:8]
        unit = r[8] if len(r) > 8 else ("mm" if n == n and n is not None else "")
        recs.append(
            {
                "USUBJID": subj,
                "VISITNUM": float(vn),
                "VISIT": "BASELINE" if vn == 1 else f"WEEK {6 * (vn - 1)}",
                "TRDT": pd.Timestamp(date),
                "TRDTF": "",
                "TRLNKID": lnk,
                "TRGRPID": grp,
                "TRTESTCD": test,
                "TRSTRESC": c,
                "TRSTRESN": np.nan if n is None else float(n),
                "TRSTRESU": unit,
                "TRSTAT": "NOT DONE" if c == "" and (n is None or n != n) else "",
                "TREVAL": evaluator,
            }
        )
    df = pd.DataFrame(recs)
    df["SRCROW"] = np.arange(1, len(df) + 1, dtype=float)
    return df


BASE_TU = _tu(
    [
        ("S1", "T01", "TARGET", "LIVER"),
        ("S1", "T02", "TARGET", "LYMPH NODE"),
        ("S1", "NT01", "NON-TARGET", "BONE"),
    ]
)


def _visit(vn: int, date: str, t1, t2, nt: str = "PRESENT", unit: str = "mm") -> list[tuple]:
    """Simulator layout: LDIAM for the liver lesion, SAXIS for the node, TUMSTATE for NT."""

    def rec(lnk, test, v):
        if isinstance(v, str):
            return ("S1", vn, date, lnk, "TARGET", test, v, None, "")
        if v is None:
            return ("S1", vn, date, lnk, "TARGET", test, "", None, "")
        return ("S1", vn, date, lnk, "TARGET", test, str(v), v, unit)

    return [
        rec("T01", "LDIAM", t1),
        rec("T02", "SAXIS", t2),
        ("S1", vn, date, "NT01", "NON-TARGET", "TUMSTATE", nt, None, ""),
    ]


def test_node_shrinking_to_9mm_with_non_nodal_gone_is_cr() -> None:
    # baseline 30 (liver) + 20 (node short axis) = 50; week 6: liver 0, node 9 -> SLD 9,
    # non-nodal gone and node < 10 mm -> target CR; NT absent -> CR; overall CR
    tr = _tr(_visit(1, "2020-01-05", 30, 20) + _visit(2, "2020-02-21", 0, 9, nt="ABSENT"))
    v = _visits(BASE_TU, tr, _adsl())
    assert len(v) == 1
    row = v.iloc[0]
    assert row["SLD"] == 9.0
    assert (row["TRGRESP"], row["NTRGRESP"], row["NEWLPROG"], row["OVRLRESP"]) == (
        "CR",
        "CR",
        "N",
        "CR",
    )


def test_node_9mm_with_non_target_present_is_pr() -> None:
    # as above but the non-target lesion is still present: Table 1 CR + NON-CR/NON-PD -> PR
    tr = _tr(_visit(1, "2020-01-05", 30, 20) + _visit(2, "2020-02-21", 0, 9))
    v = _visits(BASE_TU, tr, _adsl())
    assert v.iloc[0]["OVRLRESP"] == "PR"


def test_too_small_to_measure_counts_5mm() -> None:
    # liver "TOO SMALL TO MEASURE" = 5 mm, node 9 -> SLD 14; 14/50 = -72% -> PR
    # (not CR: the non-nodal lesion is not 0)
    tr = _tr(_visit(1, "2020-01-05", 30, 20) + _visit(2, "2020-02-21", "TOO SMALL TO MEASURE", 9))
    v = _visits(BASE_TU, tr, _adsl())
    assert v.iloc[0]["SLD"] == 14.0
    assert v.iloc[0]["TRGRESP"] == "PR"


def test_missing_lesion_without_and_with_pd() -> None:
    # week 6: node not done, liver 25 -> incomplete and 25 < 50*1.2 -> target NE, overall NE
    # week 12: node not done, liver 70 -> 70 >= 1.2*50 = 60 and 70-50 = 20 >= 5 -> PD anyway
    tr = _tr(
        _visit(1, "2020-01-05", 30, 20)
        + _visit(2, "2020-02-21", 25, None)
        + _visit(3, "2020-04-03", 70, None)
    )
    v = _visits(BASE_TU, tr, _adsl())
    assert list(v["TRGRESP"]) == ["NE", "PD"]
    assert list(v["OVRLRESP"]) == ["NE", "PD"]


def test_cm_results_are_converted_to_mm() -> None:
    # baseline 3.0 cm + 2.0 cm = 30 + 20 = 50 mm; week 6 2.0 cm + 1.5 cm = 35 mm:
    # -30% -> PR (if cm were read as mm the baseline would be 5 and 3.5 -> also -30%, so also
    # check the SLD value)
    tr = _tr(
        _visit(1, "2020-01-05", 3.0, 2.0, unit="cm") + _visit(2, "2020-02-21", 2.0, 1.5, unit="cm")
    )
    v = _visits(BASE_TU, tr, _adsl())
    assert v.iloc[0]["SLD"] == 35.0
    assert v.iloc[0]["BASE"] == 50.0
    assert v.iloc[0]["TRGRESP"] == "PR"


def test_new_lesion_and_unequivocal_nontarget_progression() -> None:
    # week 6 target SD (45/50 = -10%) but a new lesion -> PD;
    # week 6 in a second copy: NT UNEQUIVOCAL -> PD
    tr = _tr(
        _visit(1, "2020-01-05", 30, 20)
        + _visit(2, "2020-02-21", 27, 18)
        + [("S1", 2, "2020-02-21", "NEW01", "NEW", "TUMSTATE", "PRESENT", None, "")]
    )
    v = _visits(BASE_TU, tr, _adsl())
    assert (v.iloc[0]["TRGRESP"], v.iloc[0]["NEWLPROG"], v.iloc[0]["OVRLRESP"]) == ("SD", "Y", "PD")
    tr2 = _tr(_visit(1, "2020-01-05", 30, 20) + _visit(2, "2020-02-21", 27, 18, nt="UNEQUIVOCAL"))
    v2 = _visits(BASE_TU, tr2, _adsl())
    assert (v2.iloc[0]["NTRGRESP"], v2.iloc[0]["OVRLRESP"]) == ("PD", "PD")


def test_nontarget_only_subject_gets_table2() -> None:
    tu = _tu([("S1", "NT01", "NON-TARGET", "BONE")])
    tr = _tr(
        [
            ("S1", 1, "2020-01-05", "NT01", "NON-TARGET", "TUMSTATE", "PRESENT", None),
            ("S1", 2, "2020-02-21", "NT01", "NON-TARGET", "TUMSTATE", "PRESENT", None),
            ("S1", 3, "2020-04-03", "NT01", "NON-TARGET", "TUMSTATE", "ABSENT", None),
        ]
    )
    v = _visits(tu, tr, _adsl())
    assert list(v["TRGRESP"]) == ["NA", "NA"]
    assert list(v["OVRLRESP"]) == ["NON-CR/NON-PD", "CR"]


def test_pharmaverse_layout_uses_diameter_and_investigator() -> None:
    # pharmaversesdtm layout: DIAMETER/LDIAM/LPERP per lesion; the node's DIAMETER is its
    # short axis (16) while LDIAM is 17.6. Investigator SLD baseline = 10 + 16 = 26;
    # week 6: 5 + 9 = 14 -> -46% -> PR. The independent reader's records (all 0) are ignored.
    tu = _tu([("S1", "T01", "TARGET", "LIVER"), ("S1", "T02", "TARGET", "LYMPH NODE")])
    rows = []
    for vn, date, (a, b) in ((1, "2020-01-05", (10, 16)), (2, "2020-02-21", (5, 9))):
        rows += [
            ("S1", vn, date, "T01", "TARGET", "DIAMETER", str(a), a),
            ("S1", vn, date, "T01", "TARGET", "LDIAM", str(a), a),
            ("S1", vn, date, "T01", "TARGET", "LPERP", str(a * 0.9), a * 0.9),
            ("S1", vn, date, "T02", "TARGET", "DIAMETER", str(b), b),
            ("S1", vn, date, "T02", "TARGET", "LDIAM", str(b * 1.1), b * 1.1),
            ("S1", vn, date, "T02", "TARGET", "LPERP", str(b), b),
            ("S1", vn, date, "", "TARGET", "SUMDIAM", str(a + b), a + b),
        ]
    inv = _tr(rows)
    ind = _tr([r[:6] + ("0", 0) for r in rows], evaluator="INDEPENDENT ASSESSOR")
    ind["TREVALID"] = "RADIOLOGIST 1"
    tr = pd.concat([inv, ind], ignore_index=True)
    v = _visits(tu, tr, _adsl())
    assert v.iloc[0]["BASE"] == 26.0
    assert v.iloc[0]["SLD"] == 14.0
    assert v.iloc[0]["OVRLRESP"] == "PR"


def test_select_ovr_records_independent_uses_accepted_then_radiologist_1() -> None:
    rs = pd.DataFrame(
        {
            "USUBJID": ["S1"] * 5,
            "RSTESTCD": ["OVRLRESP"] * 5,
            "RSCAT": ["RECIST 1.1"] * 5,
            "RSSTRESC": ["PR", "SD", "PD", "CR", "PR"],
            "RSEVAL": ["INDEPENDENT ASSESSOR"] * 4 + ["INVESTIGATOR"],
            "RSEVALID": ["RADIOLOGIST 1", "RADIOLOGIST 2", "RADIOLOGIST 1", "RADIOLOGIST 2", ""],
            "RSACPTFL": ["", "Y", "", "", ""],
            "VISITNUM": [2.0, 2.0, 3.0, 3.0, 2.0],
            "RSDT": pd.to_datetime(["2020-02-21"] * 2 + ["2020-04-03"] * 2 + ["2020-02-21"]),
            "RSDTF": [""] * 5,
            "SRCROW": [1.0, 2.0, 3.0, 4.0, 5.0],
        }
    )
    # One reader per subject, the same for TR and RS (trialflow.adam.readers): RADIOLOGIST 2
    # has the accepted overall response (1 RSACPTFL "Y" against 0), so both visits are
    # RADIOLOGIST 2's: visit 2 SD, visit 3 CR. Mixing readers visit by visit (SD from
    # RADIOLOGIST 2, then PD from RADIOLOGIST 1) would make a response timeline no reader gave.
    ind_rules = trial_options(response={"source": "independent"}).response
    ind = select_ovr_records(rs, None, ind_rules, choose_readers(None, None, rs, ind_rules))
    assert list(ind["AVALC"]) == ["SD", "CR"]
    inv_rules = trial_options(response={"source": "investigator"}).response
    inv = select_ovr_records(rs, None, inv_rules, choose_readers(None, None, rs, inv_rules))
    assert list(inv["AVALC"]) == ["PR"]

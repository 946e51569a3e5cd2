"""RECIST 1.1 edge cases of the per-visit response, each worked out by hand from the rule it
cites: split and merged target lesions (Appendix I), the baseline lesion set (§3.3),
reappearance after a complete response (Table 3 note), new lesions (§4.3.2), one independent
reader per subject, and SDTM deliveries without Expected variables.

Subject S1 has STARTDT 2020-01-10; assessments are at VISITNUM 1 (baseline, 2020-01-05),
2 (2020-02-21), 3 (2020-04-03), 4 (2020-05-15). Diameters are in mm.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tests.conftest import trial_options
from trialflow.adam.adrs import derive_adrs
from trialflow.adam.adtr import derive_adtr
from trialflow.adam.readers import choose_readers
from trialflow.adam.recist import derive_visit_responses, new_lesion_flag, select_ovr_records

RULES = trial_options().response
START = pd.Timestamp("2020-01-10")
DATES = {1: "2020-01-05", 2: "2020-02-21", 3: "2020-04-03", 4: "2020-05-15"}
KEYS = ["USUBJID", "ASMKEY"]


def _adsl(nact: str | None = None) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "STUDYID": ["ST"],
            "USUBJID": ["S1"],
            "STARTDT": [START],
            "EFFFL": ["Y"],
            "COHORT": ["A"],
            "NACTDT": [pd.Timestamp(nact) if nact else pd.NaT],
        }
    )


def _tu(rows: list[tuple], **extra) -> pd.DataFrame:
    """rows: (TULNKID, role, TULOC[, TUTESTCD, TULNKGRP, TU visit]); TUDT is the visit date."""
    recs = []
    for r in rows:
        lnk, role, loc = r[:3]
        testcd = r[3] if len(r) > 3 else "TUMIDENT"
        grp = r[4] if len(r) > 4 else ""
        vn = r[5] if len(r) > 5 else 1
        recs.append(
            {
                "USUBJID": "S1",
                "TULNKID": lnk,
                "TUTESTCD": testcd,
                "TUORRES": role,
                "TUSTRESC": role,
                "TULOC": loc,
                "TULNKGRP": grp,
                "TUEVAL": "INVESTIGATOR",
                "VISITNUM": float(vn),
                "TUDT": pd.Timestamp(DATES[vn]),
            }
        )
    df = pd.DataFrame(recs)
    for k, v in extra.items():
        df[k] = v
    return df


def _tr(rows: list[tuple]) -> pd.DataFrame:
    """rows: (VISITNUM, TRLNKID, TRGRPID, TRTESTCD, result[, TRLNKGRP]); a number is a
    measurement in mm, a text is TRSTRESC, None is not done."""
    recs = []
    for r in rows:
        vn, lnk, grp, test, v = r[:5]
        measured = isinstance(v, int | float)
        recs.append(
            {
                "USUBJID": "S1",
                "VISITNUM": float(vn),
                "VISIT": "BASELINE" if vn == 1 else f"WEEK {6 * (vn - 1)}",
                "TRDT": pd.Timestamp(DATES[vn]),
                "TRDTF": "",
                "TRLNKID": lnk,
                "TRGRPID": grp,
                "TRLNKGRP": r[5] if len(r) > 5 else "",
                "TRTESTCD": test,
                "TRSTRESC": str(v) if measured else (v or ""),
                "TRSTRESN": float(v) if measured else np.nan,
                "TRSTRESU": "mm" if measured else "",
                "TRSTAT": "NOT DONE" if v is None else "",
                "TREVAL": "INVESTIGATOR",
            }
        )
    df = pd.DataFrame(recs)
    df["SRCROW"] = np.arange(1, len(df) + 1, dtype=float)
    df["TRSEQ"] = df["SRCROW"]
    return df


def _visits(tu, tr, rules=RULES, rs=None, adsl=None):
    return derive_visit_responses(tu, tr, rs, _adsl() if adsl is None else adsl, rules)


def _targets(vn: int, t1, t2, nt: str | None = "PRESENT") -> list[tuple]:
    rows = [(vn, "T01", "TARGET", "LDIAM", t1), (vn, "T02", "TARGET", "LDIAM", t2)]
    if nt is not None:
        rows.append((vn, "NT01", "NON-TARGET", "TUMSTATE", nt))
    return rows


TU2 = [("T01", "TARGET", "LIVER"), ("T02", "TARGET", "LUNG"), ("NT01", "NON-TARGET", "BONE")]


# ----------------------------------------------------------------- split lesions (item 2)

# Baseline T01 30 + T02 20 = 50. Week 6: 24 + 16 = 40 (-20%: SD). Week 12: T01 has split into
# two fragments of 10 and 8 mm, T02 is 14: SLD = (10 + 8) + 14 = 32, -36% from 50 -> PR
# (RECIST 1.1 Appendix I: "the longest diameters of the fragmented portions should be added
# together"). The non-target lesion is present: Table 1 PR + NON-CR/NON-PD -> PR.
SPLIT_CASES = {
    # fragment link ids derived from the parent's, TU records made at week 12
    "dotted ids": (["T01.1", "T01.2"], [("T01.1", "TARGET", "LIVER", "TUMIDENT", "", 3),
                                        ("T01.2", "TARGET", "LIVER", "TUMIDENT", "", 3)], ""),
    "dashed ids": (["T01-A", "T01-B"], [], ""),
    # a TUSPLIT record whose link group names the parent
    "TUSPLIT": (["F1", "F2"], [("F1", "TARGET", "LIVER", "TUSPLIT", "T01", 3),
                               ("F2", "TARGET", "LIVER", "TUSPLIT", "T01", 3)], ""),
    # a TR link group named by the parent
    "TRLNKGRP": (["X1", "X2"], [], "T01"),
}  # fmt: skip


@pytest.mark.parametrize("case", sorted(SPLIT_CASES))
def test_split_target_lesion_fragments_add_to_the_parent(case: str) -> None:
    """RECIST 1.1 Appendix I (lesions that split) and §3.3 (baseline lesions are chosen at
    baseline): the fragments' diameters are added; a TU record made at a later visit is not
    an unmeasured baseline lesion, so week 6 (before the split) is unaffected."""
    frag_ids, tu_extra, lnkgrp = SPLIT_CASES[case]
    tr = _tr(
        _targets(1, 30, 20)
        + _targets(2, 24, 16)
        + [(3, frag_ids[0], "TARGET", "LDIAM", 10, lnkgrp)]
        + [(3, frag_ids[1], "TARGET", "LDIAM", 8, lnkgrp)]
        + [(3, "T02", "TARGET", "LDIAM", 14), (3, "NT01", "NON-TARGET", "TUMSTATE", "PRESENT")]
    )
    v, _ = _visits(_tu(TU2 + tu_extra), tr)
    assert list(v["SLD"]) == [40.0, 32.0]
    assert list(v["COMPLFL"]) == ["Y", "Y"]
    assert list(v["TRGRESP"]) == ["SD", "PR"]
    assert list(v["OVRLRESP"]) == ["SD", "PR"]
    a = derive_adtr(_tu(TU2 + tu_extra), tr, None, _adsl(), _no_adrs(), RULES)
    assert list(a["AVAL"]) == [50.0, 40.0, 32.0]
    assert list(a["NLESBL"]) == [2, 2, 2]


def test_parent_split_record_is_ignored_when_fragments_are_measured() -> None:
    """RECIST 1.1 Appendix I: at the split the parent is measured by its fragments; its own
    record ("SPLIT", no value) neither counts nor leaves it unmeasured. Week 12 as above:
    (10 + 8) + 14 = 32 -> PR."""
    tr = _tr(
        _targets(1, 30, 20)
        + [(3, "T01", "TARGET", "TUMSTATE", "SPLIT")]
        + [(3, "T01.1", "TARGET", "LDIAM", 10), (3, "T01.2", "TARGET", "LDIAM", 8)]
        + [(3, "T02", "TARGET", "LDIAM", 14), (3, "NT01", "NON-TARGET", "TUMSTATE", "PRESENT")]
    )
    v, _ = _visits(_tu(TU2), tr)
    assert (v.iloc[0]["SLD"], v.iloc[0]["TRGRESP"]) == (32.0, "PR")


def test_merged_target_lesions_count_once() -> None:
    """RECIST 1.1 Appendix I (lesions that coalesce): the coalesced lesion is measured once.

    Baseline T01 30 + T02 20 = 50. Week 6: T01 and T02 have merged into one lesion of 35 mm.
    Encoded as a TUMERGE lesion "T01/T02" measured 35: SLD 35 (not 70, and the parents are not
    missing) -> -30% -> PR. Encoded as T01 measured 35 with T02 "MERGED": 35 + 0 -> PR too.
    """
    tu = _tu(TU2 + [("T01/T02", "TARGET", "LIVER", "TUMERGE", "", 2)])
    tr = _tr(
        _targets(1, 30, 20)
        + [(2, "T01/T02", "TARGET", "LDIAM", 35), (2, "NT01", "NON-TARGET", "TUMSTATE", "PRESENT")]
    )
    v, _ = _visits(tu, tr)
    assert (v.iloc[0]["SLD"], v.iloc[0]["COMPLFL"], v.iloc[0]["TRGRESP"]) == (35.0, "Y", "PR")
    tr2 = _tr(
        _targets(1, 30, 20)
        + [(2, "T01", "TARGET", "LDIAM", 35), (2, "T02", "TARGET", "TUMSTATE", "MERGED")]
        + [(2, "NT01", "NON-TARGET", "TUMSTATE", "PRESENT")]
    )
    v2, _ = _visits(_tu(TU2), tr2)
    assert (v2.iloc[0]["SLD"], v2.iloc[0]["COMPLFL"], v2.iloc[0]["TRGRESP"]) == (35.0, "Y", "PR")


def test_a_new_lesion_is_not_a_fragment() -> None:
    """A lesion TU calls NEW stays a new lesion even if its id looks derived (T01.1): RECIST
    1.1 §4.3.2. Week 6: targets 27 + 18 = 45 (SD) and an unequivocal new lesion -> PD."""
    tu = _tu(TU2 + [("T01.1", "NEW", "LIVER", "TUMIDENT", "", 2)])
    tr = _tr(
        _targets(1, 30, 20) + _targets(2, 27, 18) + [(2, "T01.1", "NEW", "TUMSTATE", "PRESENT")]
    )
    v, _ = _visits(tu, tr)
    assert (v.iloc[0]["SLD"], v.iloc[0]["TRGRESP"], v.iloc[0]["OVRLRESP"]) == (45.0, "SD", "PD")


# ---------------------------------------------------------- reappearance after CR (item 3)


def test_target_lesion_reappearing_after_cr_is_pd_despite_5_mm_rule() -> None:
    """RECIST 1.1 Table 3 note: after a true CR "any disease seen at a subsequent time point
    ... makes the disease PD at that point". One target lesion (T01, 20 mm), no non-target.
    Week 6: 0 mm -> CR (nadir becomes 0). Week 12: 4 mm -> SLD 4 is only +4 mm over the nadir
    0, below the 5 mm of §4.3.1, and -80% from baseline (PR by the sum) -> but it reappeared
    after CR: PD."""
    tu = _tu([("T01", "TARGET", "LIVER")])
    tr = _tr(
        [(1, "T01", "TARGET", "LDIAM", 20), (2, "T01", "TARGET", "LDIAM", 0)]
        + [(3, "T01", "TARGET", "LDIAM", 4)]
    )
    v, _ = _visits(tu, tr)
    assert list(v["OVRLRESP"]) == ["CR", "PD"]
    assert list(v["TRGRESP"]) == ["CR", "PD"]
    assert list(v["REAPPFL"]) == ["", "Y"]


def test_non_target_lesion_reappearing_after_cr_is_pd() -> None:
    """RECIST 1.1 Table 3 note. Targets 30 + 20; week 6: both 0 and NT01 ABSENT -> CR.
    Week 12: targets 0, NT01 PRESENT again: Table 1 alone would give CR + NON-CR/NON-PD -> PR;
    after a CR it is PD."""
    tr = _tr(_targets(1, 30, 20) + _targets(2, 0, 0, "ABSENT") + _targets(3, 0, 0, "PRESENT"))
    v, _ = _visits(_tu(TU2), tr)
    assert list(v["OVRLRESP"]) == ["CR", "PD"]
    assert v.iloc[1]["NTRGRESP"] == "PD"


def test_lesion_reappearing_after_pr_is_added_to_the_sum() -> None:
    """The reappearance rule applies after a CR only (RECIST 1.1 Table 3 note): after a PR a
    reappearing lesion is measured and added to the sum. Baseline T01 30 + node T02 20 (short
    axis) = 50; week 6: T01 0, node 12 (not < 10: no CR) -> SLD 12, PR; week 12: T01 4, node 12
    -> 16, +4 mm over the nadir 12 (< 5 mm) -> still PR."""
    tu = _tu([("T01", "TARGET", "LIVER"), ("T02", "TARGET", "LYMPH NODE")])
    tr = _tr(
        [(1, "T01", "TARGET", "LDIAM", 30), (1, "T02", "TARGET", "SAXIS", 20)]
        + [(2, "T01", "TARGET", "LDIAM", 0), (2, "T02", "TARGET", "SAXIS", 12)]
        + [(3, "T01", "TARGET", "LDIAM", 4), (3, "T02", "TARGET", "SAXIS", 12)]
    )
    v, _ = _visits(tu, tr)
    assert list(v["OVRLRESP"]) == ["PR", "PR"]
    assert list(v["REAPPFL"]) == ["", ""]


# ------------------------------------------------------------------- new lesions (item 4)


def test_only_an_unequivocal_new_lesion_is_progression() -> None:
    """RECIST 1.1 §4.3.2 ("the finding of a new lesion should be unequivocal") with the
    documented values of `response.new_lesion` (schema defaults): PRESENT and UNEQUIVOCAL are
    PD; NE, NOT EVALUABLE, EQUIVOCAL and ABSENT are not; an unrecognised value is not PD."""
    states = ["PRESENT", "UNEQUIVOCAL", "NE", "NOT EVALUABLE", "EQUIVOCAL", "ABSENT", "CHECK"]
    new = pd.DataFrame(
        {"USUBJID": "A", "ASMKEY": [str(i) for i in range(len(states))], "STATE": states}
    )
    got = new_lesion_flag(new, RULES, by=KEYS).set_index("ASMKEY")["NEWLPROG"]
    assert list(got) == ["Y", "Y", "N", "N", "N", "N", "N"]


def test_unrecognised_new_lesion_value_is_a_data_issue_not_pd() -> None:
    """RECIST 1.1 §4.3.2. Week 6: targets 27 + 18 = 45 (-10%, SD) and a new-lesion record
    "CHECK": not a recognised value -> not PD (overall SD) and one flagged data issue naming
    TR TRSTRESC "CHECK". With "CHECK" listed in `response.new_lesion.unequivocal` it is PD."""
    tr = _tr(_targets(1, 30, 20) + _targets(2, 27, 18) + [(2, "NEW01", "NEW", "TUMSTATE", "CHECK")])
    v, issues = _visits(_tu(TU2), tr)
    assert (v.iloc[0]["NEWLPROG"], v.iloc[0]["OVRLRESP"]) == ("N", "SD")
    bad = issues[issues["variable"] == "TRSTRESC"]
    assert list(bad["original_value"]) == ["CHECK"]
    assert list(bad["domain"]) == ["TR"]
    rules = trial_options(
        response={"new_lesion": {"unequivocal": ["PRESENT", "UNEQUIVOCAL", "CHECK"]}}
    ).response
    v2, _ = _visits(_tu(TU2), tr, rules=rules)
    assert v2.iloc[0]["OVRLRESP"] == "PD"


# -------------------------------------------------- equivocal new lesion confirmed (item 5)


def test_equivocal_new_lesion_confirmed_later_dates_pd_to_first_scan() -> None:
    """RECIST 1.1 §4.3.2: "If repeat scans confirm there is definitely a new lesion, then
    progression should be declared using the date of the initial scan." Targets 27 + 18 (SD)
    at weeks 6 and 12; new lesion NEW01 EQUIVOCAL at week 6 (2020-02-21), UNEQUIVOCAL at
    week 12 (2020-04-03) -> PD at week 6, and the ADRS/PFS timeline (the OVR records) has its
    first PD on 2020-02-21."""
    tr = _tr(
        _targets(1, 30, 20)
        + _targets(2, 27, 18)
        + [(2, "NEW01", "NEW", "TUMSTATE", "EQUIVOCAL")]
        + _targets(3, 27, 18)
        + [(3, "NEW01", "NEW", "TUMSTATE", "UNEQUIVOCAL")]
    )
    v, _ = _visits(_tu(TU2), tr)
    assert list(v["OVRLRESP"]) == ["PD", "PD"]
    assert list(v["NEWLCONF"]) == ["Y", "N"]
    ovr = select_ovr_records(None, v, RULES, choose_readers(None, None, None, RULES))
    first_pd = ovr.loc[ovr["AVALC"] == "PD", "ADT"].min()
    assert first_pd == pd.Timestamp("2020-02-21")
    adrs, _ = derive_adrs(ovr, _adsl(), RULES)
    bor = adrs[adrs["PARAMCD"] == "BOR"].iloc[0]
    assert (bor["AVALC"], bor["ADT"]) == ("PD", pd.Timestamp("2020-02-21"))


def test_equivocal_new_lesion_not_confirmed_is_not_pd() -> None:
    """RECIST 1.1 §4.3.2. NEW01 EQUIVOCAL at week 6 and still EQUIVOCAL at week 12: never PD
    (SD, SD). NEW02 EQUIVOCAL at week 6, ABSENT at week 12, UNEQUIVOCAL at week 18: the lesion
    went away in between, so week 6 is not backdated; PD at week 18 only."""
    tr = _tr(
        _targets(1, 30, 20)
        + _targets(2, 27, 18)
        + [
            (2, "NEW01", "NEW", "TUMSTATE", "EQUIVOCAL"),
            (2, "NEW02", "NEW", "TUMSTATE", "EQUIVOCAL"),
        ]
        + _targets(3, 27, 18)
        + [(3, "NEW01", "NEW", "TUMSTATE", "EQUIVOCAL"), (3, "NEW02", "NEW", "TUMSTATE", "ABSENT")]
        + _targets(4, 27, 18)
        + [(4, "NEW02", "NEW", "TUMSTATE", "UNEQUIVOCAL")]
    )
    v, _ = _visits(_tu(TU2), tr)
    assert list(v["OVRLRESP"]) == ["SD", "SD", "PD"]


# ------------------------------------------------------------------ independent review


def _two_readers() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Baseline 30 + 20 = 50 for both readers. Week 6: RADIOLOGIST 1 reads 20 + 15 = 35 (-30%,
    PR); RADIOLOGIST 2 reads 27 + 18 = 45 (-10%, SD). RS: RADIOLOGIST 2's overall responses are
    the accepted ones (RSACPTFL "Y"); in TR the accepted flag sits on RADIOLOGIST 1's records."""
    parts = []
    for reader, acc, (a, b) in (("RADIOLOGIST 1", "Y", (20, 15)), ("RADIOLOGIST 2", "", (27, 18))):
        t = _tr(_targets(1, 30, 20, None) + _targets(2, a, b, None))
        t["TREVAL"] = "INDEPENDENT ASSESSOR"
        t["TREVALID"] = reader
        t["TRACPTFL"] = acc
        parts.append(t)
    tr = pd.concat(parts, ignore_index=True)
    tr["SRCROW"] = np.arange(1, len(tr) + 1, dtype=float)
    tu = pd.concat(
        [
            _tu(TU2[:2], TUEVAL="INDEPENDENT ASSESSOR", TUEVALID=r)
            for r in ("RADIOLOGIST 1", "RADIOLOGIST 2")
        ],
        ignore_index=True,
    )
    rs = pd.DataFrame(
        {
            "USUBJID": "S1",
            "RSTESTCD": "OVRLRESP",
            "RSCAT": "RECIST 1.1",
            "RSSTRESC": ["PR", "SD"],
            "RSEVAL": "INDEPENDENT ASSESSOR",
            "RSEVALID": ["RADIOLOGIST 1", "RADIOLOGIST 2"],
            "RSACPTFL": ["", "Y"],
            "VISITNUM": 2.0,
            "RSDT": pd.Timestamp(DATES[2]),
            "RSDTF": "",
            "SRCROW": [1.0, 2.0],
        }
    )
    return tu, tr, rs


def test_independent_review_uses_one_reader_for_tr_and_rs() -> None:
    """One reader per subject, chosen the same way for TU, TR and RS (the reader of the accepted
    overall responses, RSACPTFL as pharmaversesdtm and admiralonco use it): RADIOLOGIST 2. The
    derived response from TR is then SD (45 vs 50), the same reading as RS, and ADTR has
    RADIOLOGIST 2's sums (50, 45)."""
    tu, tr, rs = _two_readers()
    rules = trial_options(response={"source": "independent"}).response
    readers = choose_readers(tu, tr, rs, rules)
    assert readers.set_index("USUBJID")["READER"].to_dict() == {"S1": "RADIOLOGIST 2"}
    v, _ = derive_visit_responses(tu, tr, rs, _adsl(), rules)
    assert (v.iloc[0]["SLD"], v.iloc[0]["OVRLRESP"]) == (45.0, "SD")
    ovr = select_ovr_records(rs, v, rules, readers)
    assert list(ovr["AVALC"]) == ["SD"]
    a = derive_adtr(tu, tr, rs, _adsl(), _no_adrs(), rules)
    assert list(a["AVAL"]) == [50.0, 45.0]


# ------------------------------------------------------------------- SDTM variants


def test_lperp_is_the_short_axis_of_a_node_only() -> None:
    """SDTM CT TRTESTCD with RECIST 1.1 §3.2 (nodes by short axis, other lesions by longest
    diameter): a node with LDIAM 25 and LPERP 20 counts 20; a liver lesion with LDIAM 30 and
    LPERP 22 counts 30. Baseline 20 + 30 = 50; week 6 node LPERP 10, LDIAM 14, liver LDIAM 25,
    LPERP 18 -> 10 + 25 = 35 (-30%, PR)."""
    tu = _tu([("T01", "TARGET", "LYMPH NODE"), ("T02", "TARGET", "LIVER")])
    tr = _tr(
        [(1, "T01", "TARGET", "LDIAM", 25), (1, "T01", "TARGET", "LPERP", 20)]
        + [(1, "T02", "TARGET", "LDIAM", 30), (1, "T02", "TARGET", "LPERP", 22)]
        + [(2, "T01", "TARGET", "LDIAM", 14), (2, "T01", "TARGET", "LPERP", 10)]
        + [(2, "T02", "TARGET", "LDIAM", 25), (2, "T02", "TARGET", "LPERP", 18)]
    )
    v, _ = _visits(tu, tr)
    assert (v.iloc[0]["BASE"], v.iloc[0]["SLD"], v.iloc[0]["TRGRESP"]) == (50.0, 35.0, "PR")


def test_missing_expected_variables_are_derived_and_logged_once() -> None:
    """SDTMIG core designations: TUDTC, VISITNUM and --EVAL are Expected and may be absent.
    The split case above without TU TUDT/VISITNUM/TUEVAL and TR VISITNUM/TREVAL: the fragments'
    identification date is their TR date (2020-04-03, after the baseline), so they are not
    baseline lesions and the result is unchanged (week 6 SD 40, week 12 PR 32). One flagged
    issue per domain and variable."""
    tu = _tu(TU2).drop(columns=["TUDT", "VISITNUM", "TUEVAL"])
    tu = pd.concat([tu, tu.iloc[[0, 0]].assign(TULNKID=["T01.1", "T01.2"])], ignore_index=True)
    tr = _tr(
        _targets(1, 30, 20)
        + _targets(2, 24, 16)
        + [(3, "T01.1", "TARGET", "LDIAM", 10), (3, "T01.2", "TARGET", "LDIAM", 8)]
        + [(3, "T02", "TARGET", "LDIAM", 14), (3, "NT01", "NON-TARGET", "TUMSTATE", "PRESENT")]
    ).drop(columns=["VISITNUM", "TREVAL"])
    v, issues = _visits(tu, tr)
    assert list(v["SLD"]) == [40.0, 32.0]
    assert list(v["OVRLRESP"]) == ["SD", "PR"]
    got = sorted(zip(issues["domain"], issues["variable"], strict=True))
    assert got == [
        ("TR", "TREVAL"),
        ("TR", "VISITNUM"),
        ("TU", "TUDTC"),
        ("TU", "TUEVAL"),
        ("TU", "VISITNUM"),
    ]


def test_overall_response_only_rs_without_rseval() -> None:
    """An RS delivery with the overall response only (no TRGRESP/NTRGRESP/NEWLPROG records)
    and no RSEVAL: every record is the investigator's, and the RS check logs RSEVAL absent once."""
    rs = pd.DataFrame(
        {
            "USUBJID": "S1",
            "RSTESTCD": "OVRLRESP",
            "RSSTRESC": ["PR", "PR"],
            "RSDT": pd.to_datetime(["2020-02-21", "2020-04-03"]),
            "RSDTF": "",
            "SRCROW": [1.0, 2.0],
        }
    )
    rules = trial_options(response={"source": "investigator"}).response
    ovr = select_ovr_records(rs, None, rules, choose_readers(None, None, rs, rules))
    adrs, _ = derive_adrs(ovr, _adsl(), rules)
    # PR d42 (2020-02-21 - 2020-01-10) confirmed by PR d84: 42 >= 28 days -> CBOR PR
    assert adrs.loc[adrs["PARAMCD"] == "CBOR", "AVALC"].item() == "PR"
    tr = _tr(_targets(1, 30, 20) + _targets(2, 24, 16))
    _, issues = _visits(_tu(TU2), tr, rules=rules, rs=rs)
    assert list(zip(issues["domain"], issues["variable"], strict=True)) == [("RS", "RSEVAL")]


def _no_adrs() -> pd.DataFrame:
    return pd.DataFrame({"USUBJID": [], "PARAMCD": [], "AVALC": [], "ADT": []})


def test_reported_equivocal_then_unequivocal_new_lesion_is_queried() -> None:
    """RECIST 1.1 §4.3.2 for reported responses: RS NEWLPROG EQUIVOCAL on 2020-02-21 and
    UNEQUIVOCAL at the next assessment (2020-04-03). RS does not link the two to one lesion,
    so the investigator's overall responses are kept and one query names both dates."""
    rs = pd.DataFrame(
        {
            "USUBJID": "S1",
            "RSTESTCD": ["OVRLRESP", "NEWLPROG", "OVRLRESP", "NEWLPROG"],
            "RSSTRESC": ["SD", "EQUIVOCAL", "PD", "UNEQUIVOCAL"],
            "RSEVAL": "INVESTIGATOR",
            "RSDT": pd.to_datetime(["2020-02-21", "2020-02-21", "2020-04-03", "2020-04-03"]),
            "RSDTF": "",
            "SRCROW": [1.0, 2.0, 3.0, 4.0],
        }
    )
    rules = trial_options(response={"source": "investigator"}).response
    tr = _tr(_targets(1, 30, 20) + _targets(2, 27, 18))
    _, issues = _visits(_tu(TU2), tr, rules=rules, rs=rs)
    q = issues[issues["action"] == "query"]
    assert list(q["original_value"]) == ["EQUIVOCAL on 2020-02-21, then UNEQUIVOCAL on 2020-04-03"]
    ovr = select_ovr_records(rs, None, rules, choose_readers(None, None, rs, rules))
    assert list(ovr["AVALC"]) == ["SD", "PD"]


def test_investigator_responses_from_several_evaluators_use_the_accepted_one() -> None:
    """RS from two investigator-side evaluators (RSEVALID) with an accepted flag: one reader
    per subject, the one whose overall responses are accepted (INVESTIGATOR 2: PR, PR), not
    the first in sort order (INVESTIGATOR 1: SD, SD). PR d42 and PR d84 (42 >= 28 days apart)
    -> confirmed PR."""
    rs = pd.DataFrame(
        {
            "USUBJID": "S1",
            "RSTESTCD": "OVRLRESP",
            "RSSTRESC": ["SD", "PR", "SD", "PR"],
            "RSEVAL": "INVESTIGATOR",
            "RSEVALID": ["INVESTIGATOR 1", "INVESTIGATOR 2"] * 2,
            "RSACPTFL": ["", "Y"] * 2,
            "RSDT": pd.to_datetime(["2020-02-21", "2020-02-21", "2020-04-03", "2020-04-03"]),
            "RSDTF": "",
            "SRCROW": [1.0, 2.0, 3.0, 4.0],
        }
    )
    rules = trial_options(response={"source": "investigator"}).response
    ovr = select_ovr_records(rs, None, rules, choose_readers(None, None, rs, rules))
    assert list(ovr["AVALC"]) == ["PR", "PR"]
    adrs, _ = derive_adrs(ovr, _adsl(), rules)
    assert adrs.loc[adrs["PARAMCD"] == "CBOR", "AVALC"].item() == "PR"

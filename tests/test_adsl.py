"""ADSL from hand-built cleaned SDTM frames (docs/data_contracts.md layout)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from tests.conftest import trial_options
from trialflow.adam.adsl import derive_adsl

T = pd.Timestamp
CUTOFF = "2020-12-31"


def _frame(rows: list[dict], dtcols: tuple[str, ...] = ()) -> pd.DataFrame:
    df = pd.DataFrame(rows)
    for c in dtcols:
        if c not in df.columns:
            df[c] = pd.NaT
        df[c] = pd.to_datetime(df[c])
        if c + "F" not in df.columns:
            df[c + "F"] = ""
        df[c + "F"] = df[c + "F"].fillna("")
    df["SRCROW"] = np.arange(1, len(df) + 1, dtype=float)
    return df


def _domains() -> dict[str, pd.DataFrame]:
    dm = _frame(
        [
            {"STUDYID": "ST", "USUBJID": "S1", "SUBJID": "1", "SITEID": "10", "ARM": "Cohort A", "ARMCD": "A", "AGE": 64.0, "SEX": "F", "RACE": "ASIAN", "DTHFL": ""},
            {"STUDYID": "ST", "USUBJID": "S2", "SUBJID": "2", "SITEID": "10", "ARM": "Cohort B", "ARMCD": "B", "AGE": 65.0, "SEX": "F", "RACE": "ASIAN", "DTHFL": ""},
            {"STUDYID": "ST", "USUBJID": "S3", "SUBJID": "3", "SITEID": "11", "ARM": "Screen Failure", "ARMCD": "SCRNFAIL", "AGE": 50.0, "SEX": "F", "RACE": "ASIAN", "DTHFL": ""},
            {"STUDYID": "ST", "USUBJID": "S4", "SUBJID": "4", "SITEID": "11", "ARM": "Cohort A", "ARMCD": "A", "AGE": 70.0, "SEX": "F", "RACE": "ASIAN", "DTHFL": "Y", "DTHDT": "2020-05-10"},
            {"STUDYID": "ST", "USUBJID": "S5", "SUBJID": "5", "SITEID": "11", "ARM": "Cohort A", "ARMCD": "A", "AGE": np.nan, "SEX": "F", "RACE": "ASIAN", "DTHFL": "Y"},
        ],
        ("DTHDT",),
    )  # fmt: skip
    suppdm = _frame(
        [
            {"USUBJID": "S1", "RDOMAIN": "DM", "QNAM": "ECOGBL", "QVAL": "1"},
            {"USUBJID": "S1", "RDOMAIN": "DM", "QNAM": "PRIORLN", "QVAL": "2"},
            {"USUBJID": "S2", "RDOMAIN": "DM", "QNAM": "ECOGBL", "QVAL": "0"},
        ]
    )
    ex = _frame(
        [
            {"USUBJID": "S1", "EXTRT": "DRUG", "EXDOSE": 100.0, "EXSTDT": "2020-01-10", "EXENDT": "2020-02-01"},
            {"USUBJID": "S1", "EXTRT": "DRUG", "EXDOSE": 100.0, "EXSTDT": "2020-03-01", "EXENDT": "2020-03-31"},
            {"USUBJID": "S2", "EXTRT": "DRUG", "EXDOSE": 100.0, "EXSTDT": "2020-02-01", "EXENDT": "2021-02-01"},
            # a zero dose of active drug is not a dose: S5 is not treated
            {"USUBJID": "S5", "EXTRT": "DRUG", "EXDOSE": 0.0, "EXSTDT": "2020-02-01", "EXENDT": "2020-02-01"},
        ],
        ("EXSTDT", "EXENDT"),
    )  # fmt: skip
    ds = _frame(
        [
            {"USUBJID": "S1", "DSCAT": "PROTOCOL MILESTONE", "DSDECOD": "RANDOMIZED", "DSSTDT": "2020-01-08"},
            {"USUBJID": "S1", "DSCAT": "DISPOSITION EVENT", "DSDECOD": "PROGRESSIVE DISEASE", "DSSTDT": "2020-08-15"},
            {"USUBJID": "S4", "DSCAT": "PROTOCOL MILESTONE", "DSDECOD": "RANDOMIZED", "DSSTDT": "2020-03-01"},
            {"USUBJID": "S4", "DSCAT": "DISPOSITION EVENT", "DSDECOD": "DEATH", "DSSTDT": "2020-05-12"},
        ],
        ("DSSTDT",),
    )  # fmt: skip
    tu = _frame(
        [
            {"USUBJID": "S1", "TULNKID": "T01", "TUORRES": "TARGET", "TUSTRESC": "TARGET", "TUEVAL": "INVESTIGATOR"},
            {"USUBJID": "S2", "TULNKID": "NT01", "TUORRES": "NON-TARGET", "TUSTRESC": "NON-TARGET", "TUEVAL": "INVESTIGATOR"},
            {"USUBJID": "S4", "TULNKID": "T01", "TUORRES": "TARGET", "TUSTRESC": "TARGET", "TUEVAL": "INVESTIGATOR"},
            # a target chosen only by an independent reader does not make S2 evaluable
            {"USUBJID": "S2", "TULNKID": "T01", "TUORRES": "TARGET", "TUSTRESC": "TARGET", "TUEVAL": "INDEPENDENT ASSESSOR"},
        ]
    )  # fmt: skip
    tr = _frame(
        [
            {"USUBJID": "S1", "TRDT": "2020-06-01"},
            {"USUBJID": "S4", "TRDT": "2020-06-01"},  # after death (bad input)
        ],
        ("TRDT",),
    )
    rs = _frame([{"USUBJID": "S1", "RSDT": "2020-09-01", "RSDTF": "D"}], ("RSDT",))  # imputed
    cm = _frame(
        [
            {"USUBJID": "S1", "CMCAT": "SUBSEQUENT ANTICANCER THERAPY", "CMSTDT": "2020-07-01"},
            {"USUBJID": "S1", "CMCAT": "SUBSEQUENT ANTICANCER THERAPY", "CMSTDT": "2020-10-01"},
            {"USUBJID": "S2", "CMCAT": "CONCOMITANT", "CMSTDT": "2020-05-01"},
        ],
        ("CMSTDT",),
    )  # fmt: skip
    return {"dm": dm, "suppdm": suppdm, "ex": ex, "ds": ds, "tu": tu, "tr": tr, "rs": rs, "cm": cm}


_SUBJECTS = trial_options().subjects
SUBJECT_ARGS = {
    "reference_start": _SUBJECTS.reference_start,
    "age_cut": _SUBJECTS.age_group_cut,
    "studyid": None,
}
"""derive_adsl's subject options at the schema's defaults."""


def _run(d: dict[str, pd.DataFrame], **kw):
    adsl, issues = derive_adsl(
        d["dm"],
        d["suppdm"],
        d["ex"],
        d["ds"],
        d["tu"],
        d["tr"],
        d["rs"],
        d["cm"],
        cutoff=CUTOFF,
        **{**SUBJECT_ARGS, "response": trial_options().response, **kw},
    )
    return adsl.set_index("USUBJID"), issues


def test_identity_and_baseline_characteristics() -> None:
    a, _ = _run(_domains())
    assert list(a.index) == ["S1", "S2", "S3", "S4", "S5"]
    assert a.loc["S1", "COHORT"] == "Cohort A"
    assert (a.loc["S1", "AGEGR1"], a.loc["S2", "AGEGR1"], a.loc["S5", "AGEGR1"]) == (
        "<65",
        ">=65",
        "",
    )
    assert (a.loc["S1", "ECOGBL"], a.loc["S1", "PRIORLN"]) == (1.0, 2.0)
    assert a.loc["S2", "ECOGBL"] == 0.0 and np.isnan(a.loc["S2", "PRIORLN"])
    assert (a["CUTOFFDT"] == T(CUTOFF)).all()


def test_treatment_dates_and_populations() -> None:
    a, _ = _run(_domains())
    assert (a.loc["S1", "TRTSDT"], a.loc["S1", "TRTEDT"]) == (T("2020-01-10"), T("2020-03-31"))
    assert a.loc["S2", "TRTEDT"] == T(CUTOFF)  # exposure end after cutoff is capped
    assert a.loc["S1", "RANDDT"] == T("2020-01-08")
    # ENRLFL: all but the screen failure; SAFFL: a dose (S5's zero dose of active drug is not);
    # EFFFL: dosed and an investigator baseline target lesion (S2 has only non-targets)
    assert a["ENRLFL"].to_dict() == {"S1": "Y", "S2": "Y", "S3": "N", "S4": "Y", "S5": "Y"}
    assert a["SAFFL"].to_dict() == {"S1": "Y", "S2": "Y", "S3": "N", "S4": "N", "S5": "N"}
    assert a["EFFFL"].to_dict() == {"S1": "Y", "S2": "N", "S3": "N", "S4": "N", "S5": "N"}


def test_startdt_by_reference_start() -> None:
    a, _ = _run(_domains())
    assert a.loc["S1", "STARTDT"] == T("2020-01-10")  # first dose
    assert pd.isna(a.loc["S4", "STARTDT"])  # never dosed
    r, issues = _run(_domains(), reference_start="randomization")
    assert r.loc["S1", "STARTDT"] == T("2020-01-08")
    assert r.loc["S4", "STARTDT"] == T("2020-03-01")
    # S2 and S5 are enrolled but have no RANDOMIZED record -> flagged
    flagged = issues[(issues["variable"] == "STARTDT") & (issues["action"] == "flagged")]
    assert sorted(flagged["usubjid"]) == ["S2", "S5"]


def test_death_and_disposition() -> None:
    a, issues = _run(_domains())
    assert a.loc["S4", "DTHDT"] == T("2020-05-10")
    assert (a.loc["S4", "DTHFL"], a.loc["S4", "DTHSRC"]) == ("Y", "DM.DTHDTC")
    # DS death date 2020-05-12 differs from DM's: query
    q = issues[(issues["usubjid"] == "S4") & (issues["domain"] == "DS")]
    assert list(q["action"]) == ["query"]
    # DM DTHFL Y without a date: not a death, query
    assert a.loc["S5", "DTHFL"] == "" and pd.isna(a.loc["S5", "DTHDT"])
    assert ((issues["usubjid"] == "S5") & (issues["variable"] == "DTHFL")).sum() == 1
    assert (a.loc["S1", "EOSSTT"], a.loc["S1", "DCSREAS"]) == (
        "DISCONTINUED",
        "PROGRESSIVE DISEASE",
    )
    assert (a.loc["S4", "EOSSTT"], a.loc["S4", "DCSREAS"]) == ("DISCONTINUED", "DEATH")
    assert a.loc["S2", "EOSSTT"] == "ONGOING"


def test_last_alive_date() -> None:
    a, issues = _run(_domains())
    # S1: EX end 03-31, TR 06-01, CM 07-01 and 10-01, DS 08-15; the RS date 2020-09-01 is
    # imputed (RSDTF D) and not used -> latest complete date = CM 2020-10-01
    assert (a.loc["S1", "LSTALVDT"], a.loc["S1", "LSTALSRC"]) == (T("2020-10-01"), "CM.CMSTDTC")
    # S2: EX end 2021-02-01 is after the cutoff -> capped at the cutoff
    assert (a.loc["S2", "LSTALVDT"], a.loc["S2", "LSTALSRC"]) == (T(CUTOFF), "CUTOFF")
    # S4: TR 2020-06-01 after death 2020-05-10 -> capped at death, queried
    assert a.loc["S4", "LSTALVDT"] == T("2020-05-10")
    assert (
        (issues["usubjid"] == "S4") & (issues["reason"].str.contains("after the death"))
    ).sum() == 1
    # S3 has no dated record at all
    assert pd.isna(a.loc["S3", "LSTALVDT"])


def test_new_anticancer_therapy() -> None:
    d = _domains()
    a, _ = _run(d)
    assert a.loc["S1", "NACTDT"] == T("2020-07-01")  # first of the two subsequent therapies
    assert pd.isna(a.loc["S2", "NACTDT"])  # concomitant medication is not anticancer therapy
    # fallback without CMCAT: CMCLAS antineoplastic starting after TRTSDT
    d["cm"] = d["cm"].drop(columns="CMCAT").assign(CMCLAS=["ANTINEOPLASTIC AGENTS", "", ""])
    a2, _ = _run(d)
    assert a2.loc["S1", "NACTDT"] == T("2020-07-01")
    # neither CMCAT nor CMCLAS: NACTDT empty, one flagged issue
    d["cm"] = d["cm"].drop(columns="CMCLAS")
    a3, issues = _run(d)
    assert a3["NACTDT"].isna().all()
    assert ((issues["variable"] == "CMCAT") & (issues["action"] == "flagged")).sum() == 1


def test_two_ds_deaths_with_different_dates_earliest_used_and_queried() -> None:
    # S1 (alive in DM) gets two DS DEATH records, 2020-06-20 and 2020-06-05 (rows 5, 6): the
    # earliest, 2020-06-05, is the death date; the other record is a query citing both dates
    d = _domains()
    extra = _frame(
        [
            {"USUBJID": "S1", "DSCAT": "DISPOSITION EVENT", "DSDECOD": "DEATH", "DSSTDT": "2020-06-20"},
            {"USUBJID": "S1", "DSCAT": "DISPOSITION EVENT", "DSDECOD": "DEATH", "DSSTDT": "2020-06-05"},
        ],
        ("DSSTDT",),
    )  # fmt: skip
    extra["SRCROW"] = [5.0, 6.0]
    d["ds"] = pd.concat([d["ds"], extra], ignore_index=True)
    a, issues = _run(d)
    assert (a.loc["S1", "DTHDT"], a.loc["S1", "DTHSRC"]) == (T("2020-06-05"), "DS.DSSTDTC")
    q = issues[(issues["usubjid"] == "S1") & (issues["domain"] == "DS")]
    assert q[["row", "variable", "original_value", "new_value", "action"]].values.tolist() == [
        ["5", "DSSTDTC", "2020-06-20", "2020-06-05", "query"]
    ]
    # one DS DEATH record (S4) is not such a query
    s4 = issues[(issues["usubjid"] == "S4") & issues["reason"].str.contains("DS DEATH records")]
    assert s4.empty


def test_baseline_tumour_assessment_flag() -> None:
    # TUBLFL: a baseline tumour assessment, measurable or not (FDA 2018 Table 5, "no baseline
    # tumor assessments"; RECIST 1.1 §3.3). STARTDT: S1 2020-01-10, S2 2020-02-01.
    a, _ = _run(_domains())
    # S1 target, S2 non-target only (so EFFFL N), S4 target (undated TU records count);
    # S3 and S5 have no tumour records
    assert a["TUBLFL"].to_dict() == {"S1": "Y", "S2": "Y", "S3": "N", "S4": "Y", "S5": "N"}
    assert a.loc["S2", "EFFFL"] == "N"
    d = _domains()
    d["tu"] = _frame(
        [
            # S1: a target recorded at WEEK 6 after the start (a split fragment), and a new
            # lesion: neither is a baseline identification
            {"USUBJID": "S1", "TULNKID": "T01.1", "TUSTRESC": "TARGET", "VISIT": "WEEK 6", "TUDT": "2020-03-01"},
            {"USUBJID": "S1", "TULNKID": "NEW01", "TUSTRESC": "NEW", "VISIT": "WEEK 6", "TUDT": "2020-03-01"},
            # S2: a non-target dated after the start but at the visit labelled BASELINE
            {"USUBJID": "S2", "TULNKID": "NT01", "TUSTRESC": "NON-TARGET", "VISIT": "BASELINE", "TUDT": "2020-02-03"},
        ],
        ("TUDT",),
    )  # fmt: skip
    d["tr"] = _frame(
        [
            {"USUBJID": "S1", "VISIT": "WEEK 6", "TRDT": "2020-03-01"},
            # S5: a TR measurement on or before its (missing) start is not dated before it,
            # but S4's screening measurement is labelled SCREENING
            {"USUBJID": "S4", "VISIT": "SCREENING", "TRDT": "2020-02-20"},
            {"USUBJID": "S5", "VISIT": "WEEK 6", "TRDT": "2020-03-15"},
        ],
        ("TRDT",),
    )
    a, _ = _run(d)
    assert a["TUBLFL"].to_dict() == {"S1": "N", "S2": "Y", "S3": "N", "S4": "Y", "S5": "N"}


def _partial_death(d: dict[str, pd.DataFrame], dtc: str, earliest: str) -> None:
    """Give S1 a partial DM death date `dtc`, imputed by ingest to its earliest day."""
    dm = d["dm"]
    i = dm.index[dm["USUBJID"] == "S1"][0]
    dm["DTHDTC"] = ""
    dm.loc[i, ["DTHDTC", "DTHDT", "DTHDTF", "DTHFL"]] = [dtc, T(earliest), "D", "Y"]


def test_partial_death_date_not_imputed_before_a_documented_contact() -> None:
    # S1 dies in "2020-10" (ingest: 2020-10-01, DTHDTF D). Its documented contacts: EX end
    # 03-31, TR 06-01, CM 07-01 and 10-01, DS 08-15, and a CM start added on 2020-10-20. The
    # death date is the later of 2020-10-01 and the last contact in October, 2020-10-20.
    d = _domains()
    _partial_death(d, "2020-10", "2020-10-01")
    extra = _frame([{"USUBJID": "S1", "CMCAT": "CONCOMITANT", "CMSTDT": "2020-10-20"}], ("CMSTDT",))
    extra["SRCROW"] = 4.0
    d["cm"] = pd.concat([d["cm"], extra], ignore_index=True)
    a, issues = _run(d)
    assert (a.loc["S1", "DTHDT"], a.loc["S1", "DTHDTF"]) == (T("2020-10-20"), "D")
    assert (a.loc["S1", "LSTALVDT"], a.loc["S1", "LSTALSRC"]) == (T("2020-10-20"), "CM.CMSTDTC")
    imp = issues[(issues["usubjid"] == "S1") & (issues["action"] == "imputed")]
    assert imp[["domain", "variable", "original_value", "new_value"]].values.tolist() == [
        ["DM", "DTHDTC", "2020-10", "2020-10-20"]
    ]
    assert "CM.CMSTDTC" in imp["reason"].iloc[0]
    # no contact is after the death date any more
    assert not (
        (issues["usubjid"] == "S1") & issues["reason"].str.contains("after the death")
    ).any()
    # a complete death date (S4) is not touched and has no flag
    assert (a.loc["S4", "DTHDT"], a.loc["S4", "DTHDTF"]) == (T("2020-05-10"), "")


def test_partial_death_date_uses_only_contacts_in_its_possible_range() -> None:
    # S1 dies in "2020-08": possible days 08-01 to 08-31. Contacts: DS 08-15 (in range) and
    # CM 10-01 (after the whole month, not used: it stays a query). Death = 2020-08-15.
    d = _domains()
    _partial_death(d, "2020-08", "2020-08-01")
    a, issues = _run(d)
    assert a.loc["S1", "DTHDT"] == T("2020-08-15")
    assert a.loc["S1", "LSTALVDT"] == T("2020-08-15")
    s1 = issues[issues["usubjid"] == "S1"]
    assert s1.loc[s1["action"] == "imputed", "new_value"].tolist() == ["2020-08-15"]
    assert s1["reason"].str.contains("after the death").sum() == 1
    # a DS DEATH record documents the death, not a contact: with a DS DEATH on 2020-08-25
    # added, the death date is still the last contact, 2020-08-15
    extra = _frame(
        [{"USUBJID": "S1", "DSCAT": "DISPOSITION EVENT", "DSDECOD": "DEATH", "DSSTDT": "2020-08-25"}],
        ("DSSTDT",),
    )  # fmt: skip
    extra["SRCROW"] = 5.0
    d["ds"] = pd.concat([d["ds"], extra], ignore_index=True)
    a, _ = _run(d)
    assert a.loc["S1", "DTHDT"] == T("2020-08-15")


def test_treatment_variables_of_a_single_arm_trial() -> None:
    """ADaMIG 1.3 §3.2: ARM, ACTARM, TRT01P (planned) and TRT01A (actual) are Required or
    Conditional in ADSL; AGEU goes with AGE. The delivery has no DM ACTARM or AGEU, so:
    S1, S2 treated (first dose present) -> ACTARM = ARM, TRT01A = ARM; S3 (screen failure) and
    S4, S5 (no valid dose) -> ACTARM "Not Treated", TRT01A empty; TRT01P = ARM for all;
    AGEU "YEARS" where AGE is present, empty for S5 (no AGE)."""
    a, _ = _run(_domains())
    assert a["TRT01P"].to_dict() == a["ARM"].to_dict()
    assert a.loc["S1", ["ACTARM", "TRT01A"]].tolist() == ["Cohort A", "Cohort A"]
    assert a.loc["S2", ["ACTARM", "TRT01A"]].tolist() == ["Cohort B", "Cohort B"]
    for s in ("S3", "S4", "S5"):
        assert a.loc[s, ["ACTARM", "TRT01A"]].tolist() == ["Not Treated", ""], s
    assert a["AGEU"].to_dict() == {
        "S1": "YEARS",
        "S2": "YEARS",
        "S3": "YEARS",
        "S4": "YEARS",
        "S5": "",
    }


def test_delivered_actarm_and_ageu_are_used() -> None:
    d = _domains()
    d["dm"]["ACTARM"] = ["Cohort B", "", "", "", ""]
    d["dm"]["AGEU"] = ["years", "", "", "", ""]
    a, _ = _run(d)
    # S1 was planned on Cohort A but received Cohort B; S2's ACTARM is empty -> derived
    assert a.loc["S1", ["TRT01P", "ACTARM", "TRT01A", "AGEU"]].tolist() == [
        "Cohort A", "Cohort B", "Cohort B", "YEARS"
    ]  # fmt: skip
    assert a.loc["S2", ["ACTARM", "TRT01A"]].tolist() == ["Cohort B", "Cohort B"]

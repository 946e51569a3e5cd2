"""ADAE derivation: TEAE window, conservative partial-date imputation, grade fallback, flags.

Every expected value below is worked out by hand from the small frames built here.
"""

from __future__ import annotations

import pandas as pd
import pytest

from tests.conftest import trial_options
from trialflow.adam.adae import derive_adae
from trialflow.errors import InputError

_SAFETY = trial_options().safety
SAFETY = {
    "teae_window_days": _SAFETY.teae_window_days,
    "aesi": _SAFETY.aesi,
    "aesev_grades": _SAFETY.aesev_grade_map,
}
"""The schema's default safety options, as derive_adae's arguments."""

D = pd.Timestamp


def make_adsl() -> pd.DataFrame:
    # S1 first dose 2020-05-14, last dose 2020-06-30; S2 never dosed.
    return pd.DataFrame(
        {
            "USUBJID": ["S1", "S2"],
            "TRTSDT": pd.to_datetime(["2020-05-14", None]),
            "TRTEDT": pd.to_datetime(["2020-06-30", None]),
            "SAFFL": ["Y", "N"],
        }
    )


def make_ae(rows: list[dict]) -> pd.DataFrame:
    base = {
        "USUBJID": "S1",
        "AEDECOD": "RASH",
        "AEBODSYS": "SKIN",
        "AETOXGR": "1",
        "AESEV": "MILD",
        "AESER": "N",
        "AEREL": "NOT RELATED",
        "AEACN": "DOSE NOT CHANGED",
        "AEOUT": "RECOVERED/RESOLVED",
        "AESDTH": "N",
        "AEENDTC": "",
    }
    out = pd.DataFrame([{**base, **r} for r in rows])
    out["AESEQ"] = range(1, len(out) + 1)
    out["SRCROW"] = range(1, len(out) + 1)
    return out


def by_seq(adae: pd.DataFrame) -> pd.DataFrame:
    return adae.set_index("AESEQ").sort_index()


def test_teae_window_boundaries() -> None:
    # TRTEDT 2020-06-30 + 30 days = 2020-07-30: the last day of the window is a TEAE,
    # 2020-07-31 is not. 2020-05-13 (the day before the first dose) is not; 2020-05-14 is.
    ae = make_ae(
        [
            {"AESTDTC": "2020-07-30"},
            {"AESTDTC": "2020-07-31"},
            {"AESTDTC": "2020-05-13"},
            {"AESTDTC": "2020-05-14"},
        ]
    )
    adae, _ = derive_adae(ae, make_adsl(), **{**SAFETY, "teae_window_days": 30})
    a = by_seq(adae)
    assert list(a.loc[[1, 2, 3, 4], "TRTEMFL"]) == ["Y", "N", "N", "Y"]
    # ASTDY: 2020-07-30 - 2020-05-14 = 17 (May) + 30 (June) + 30 = 77 days -> day 78;
    # 2020-05-13 is one day before -> day -1 (no day 0); 2020-05-14 -> day 1.
    assert list(a.loc[[1, 3, 4], "ASTDY"]) == [78, -1, 1]


def test_window_option_is_used() -> None:
    # With a 0-day window the last dose day counts and the next day does not.
    ae = make_ae([{"AESTDTC": "2020-06-30"}, {"AESTDTC": "2020-07-01"}])
    adae, _ = derive_adae(ae, make_adsl(), **{**SAFETY, "teae_window_days": 0})
    assert list(by_seq(adae).loc[[1, 2], "TRTEMFL"]) == ["Y", "N"]


def test_partial_start_dates_imputed_conservatively() -> None:
    ae = make_ae(
        [
            # May 2020 contains the first dose (14 May): impute to 14 May, TEAE.
            {"AESTDTC": "2020-05"},
            # April 2020 ends before the first dose: earliest possible (1 April), not TEAE.
            {"AESTDTC": "2020-04"},
            # 2020 may be on/after 14 May: max(2020-01-01, 2020-05-14) = 2020-05-14, TEAE.
            {"AESTDTC": "2020"},
            # 2019 cannot be on/after the first dose: 2019-01-01, not TEAE.
            {"AESTDTC": "2019"},
            # June 2020 lies wholly after the first dose: earliest = 2020-06-01, TEAE.
            {"AESTDTC": "2020-06"},
            # May 2020 but the AE ended 10 May, before the first dose: 2020-05-01, not TEAE.
            {"AESTDTC": "2020-05", "AEENDTC": "2020-05-10"},
            # 2021: earliest possible 2021-01-01 > 2020-06-30 + 30: not TEAE.
            {"AESTDTC": "2021"},
            # No start date at all: may be treatment-emergent -> TRTSDT, flag Y.
            {"AESTDTC": ""},
        ]
    )
    adae, issues = derive_adae(ae, make_adsl(), **{**SAFETY, "teae_window_days": 30})
    a = by_seq(adae)
    assert list(a["ASTDT"]) == [
        D("2020-05-14"),
        D("2020-04-01"),
        D("2020-05-14"),
        D("2019-01-01"),
        D("2020-06-01"),
        D("2020-05-01"),
        D("2021-01-01"),
        D("2020-05-14"),
    ]
    assert list(a["TRTEMFL"]) == ["Y", "N", "Y", "N", "Y", "N", "N", "Y"]
    assert list(a["ASTDTF"]) == ["D", "D", "M", "M", "D", "D", "M", "Y"]
    # The original text is kept unchanged.
    assert list(a["AESTDTC"]) == list(ae["AESTDTC"])
    # Every imputed start is a data-issue row (8 records, all imputed).
    start_issues = issues[issues["variable"] == "ASTDT"]
    assert sorted(start_issues["seq"].astype(int)) == [1, 2, 3, 4, 5, 6, 7, 8]
    assert set(start_issues["action"]) == {"imputed"}
    row1 = start_issues[start_issues["seq"] == "1"].iloc[0]
    assert (row1["original_value"], row1["new_value"]) == ("2020-05", "2020-05-14")


def test_complete_dates_are_not_flagged() -> None:
    ae = make_ae([{"AESTDTC": "2020-05-20T10:30"}])
    adae, issues = derive_adae(ae, make_adsl(), **SAFETY)
    assert adae.loc[0, "ASTDT"] == D("2020-05-20")
    assert adae.loc[0, "ASTDTF"] == ""
    assert (issues["variable"] != "ASTDT").all()


def test_ae_of_undosed_subject_is_not_treatment_emergent() -> None:
    ae = make_ae([{"USUBJID": "S2", "AESTDTC": "2020-05"}, {"USUBJID": "S2", "AESTDTC": ""}])
    adae, issues = derive_adae(ae, make_adsl(), **SAFETY)
    assert list(adae["TRTEMFL"]) == ["N", "N"]
    # The partial date cannot be placed after a first dose: earliest possible date.
    assert adae.loc[adae["AESEQ"] == 1, "ASTDT"].iloc[0] == D("2020-05-01")
    # The missing date stays missing and is a query.
    q = issues[(issues["variable"] == "ASTDT") & (issues["action"] == "query")]
    assert list(q["seq"]) == ["2"]


def test_aesev_fallback_is_flagged_and_logged() -> None:
    ae = make_ae(
        [
            {"AESTDTC": "2020-05-20", "AETOXGR": "", "AESEV": "MILD"},
            {"AESTDTC": "2020-05-21", "AETOXGR": None, "AESEV": "MODERATE"},
            {"AESTDTC": "2020-05-22", "AETOXGR": "", "AESEV": "SEVERE"},
            {"AESTDTC": "2020-05-23", "AETOXGR": "4", "AESEV": "SEVERE"},
        ]
    )
    adae, issues = derive_adae(ae, make_adsl(), **SAFETY)
    a = by_seq(adae)
    # MILD, MODERATE, SEVERE -> 1, 2, 3; a delivered AETOXGR wins over AESEV.
    assert list(a["AETOXGRN"]) == [1, 2, 3, 4]
    assert list(a["ATOXGRF"]) == ["AESEV", "AESEV", "AESEV", ""]
    g = issues[issues["variable"] == "AETOXGRN"]
    assert list(g["seq"]) == ["1", "2", "3"]
    assert list(g["original_value"]) == ["MILD", "MODERATE", "SEVERE"]
    assert list(g["new_value"]) == ["1", "2", "3"]
    assert set(g["action"]) == {"imputed"}
    assert set(g["stage"]) == {"adae"}


def test_aesev_fallback_when_aetoxgr_column_is_absent() -> None:
    ae = make_ae([{"AESTDTC": "2020-05-20"}, {"AESTDTC": "2020-05-21", "AESEV": "SEVERE"}])
    ae = ae.drop(columns="AETOXGR")
    adae, issues = derive_adae(ae, make_adsl(), **SAFETY)
    assert list(adae["AETOXGRN"]) == [1, 3]
    assert (adae["ATOXGRF"] == "AESEV").all()
    assert (issues["variable"] == "AETOXGRN").sum() == 2


def test_related_mapping_and_unknown_treated_as_related() -> None:
    values = ["PROBABLE", "POSSIBLE", "DEFINITE", "Related", "NOT RELATED", "UNLIKELY"]
    values += ["REMOTE", "NONE", "DON'T KNOW", ""]
    ae = make_ae([{"AESTDTC": "2020-05-20", "AEREL": v} for v in values])
    adae, issues = derive_adae(ae, make_adsl(), **SAFETY)
    expected = ["Y", "Y", "Y", "Y", "N", "N", "N", "N", "Y", "Y"]
    assert list(by_seq(adae)["AERELFL"]) == expected
    rel = issues[issues["variable"] == "AERELFL"]
    # Only the two unknown values (records 9 and 10) are data issues.
    assert list(rel["seq"]) == ["9", "10"]
    assert set(rel["new_value"]) == {"Y"}


def test_action_fatal_serious_and_aesi_flags() -> None:
    ae = make_ae(
        [
            {"AESTDTC": "2020-05-20", "AEACN": "DRUG WITHDRAWN", "AESER": "Y"},
            {"AESTDTC": "2020-05-21", "AEACN": "dose reduced", "AEDECOD": "Diarrhoea"},
            {"AESTDTC": "2020-05-22", "AEACN": "DRUG INTERRUPTED", "AEDECOD": "STOMATITIS "},
            {"AESTDTC": "2020-05-23", "AETOXGR": "5"},
            {"AESTDTC": "2020-05-24", "AESDTH": "Y"},
            {"AESTDTC": "2020-05-25", "AEOUT": "FATAL"},
        ]
    )
    adae, _ = derive_adae(ae, make_adsl(), **{**SAFETY, "aesi": ["DIARRHOEA", "stomatitis"]})
    a = by_seq(adae)
    assert list(a["AEDISCFL"]) == ["Y", "N", "N", "N", "N", "N"]
    assert list(a["AEREDFL"]) == ["N", "Y", "N", "N", "N", "N"]
    assert list(a["AEINTFL"]) == ["N", "N", "Y", "N", "N", "N"]
    assert list(a["AESERFL"]) == ["Y", "N", "N", "N", "N", "N"]
    assert list(a["AEFATLFL"]) == ["N", "N", "N", "Y", "Y", "Y"]
    assert list(a["AESIFL"]) == ["N", "Y", "Y", "N", "N", "N"]


def test_no_record_is_lost() -> None:
    ae = make_ae(
        [
            {"AESTDTC": "2020-05-20"},
            {"AESTDTC": "2020-05-20"},  # same day, same term: both kept
            {"USUBJID": "S9", "AESTDTC": "2020-05-20"},  # not in ADSL: kept and queried
            {"AESTDTC": "not a date"},
        ]
    )
    adae, issues = derive_adae(ae, make_adsl(), **SAFETY)
    assert len(adae) == len(ae)
    assert sorted(adae["AESEQ"]) == [1, 2, 3, 4]
    assert adae.loc[adae["USUBJID"] == "S9", "TRTEMFL"].iloc[0] == "N"
    q = issues[(issues["variable"] == "USUBJID") & (issues["action"] == "query")]
    assert list(q["usubjid"]) == ["S9"]


def test_missing_required_column_is_an_input_error() -> None:
    ae = make_ae([{"AESTDTC": "2020-05-20"}]).drop(columns="AESTDTC")
    with pytest.raises(InputError, match="AESTDTC"):
        derive_adae(ae, make_adsl(), **SAFETY)

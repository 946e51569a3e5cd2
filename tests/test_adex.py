"""ADEX: exposure duration, cycles, cumulative dose and relative dose intensity by hand."""

from __future__ import annotations

import pandas as pd
import pytest

from tests.conftest import trial_options
from trialflow.adam import adex as adex_module
from trialflow.errors import InputError

# Poziotinib-like schedule: 12 mg once daily on days 1-14 of a 21-day cycle.
ORAL = {"planned_dose": 12, "dose_unit": "mg", "doses_per_cycle": 14, "cycle_days": 21}
# Irinotecan-like schedule: 125 mg/m2 on days 1 and 8 of a 21-day cycle.
IV = {"planned_dose": 125, "dose_unit": "mg/m2", "doses_per_cycle": 2, "cycle_days": 21}


def derive_adex(ex, adsl, **kw):
    """ADEX only, with the drug options of a trial whose `drug` section is `kw` (the other
    keys, and the remaining drug keys, take the schema's defaults)."""
    adex, _ = derive_adex_and_issues(ex, adsl, **kw)
    return adex


def derive_adex_and_issues(ex, adsl, *, cutoff=None, adae=None, **drug):
    drug_options = trial_options(drug=drug).drug
    return adex_module.derive_adex(ex, adsl, drug_options, cutoff=cutoff, adae=adae)


def adsl(*ids: str) -> pd.DataFrame:
    return pd.DataFrame({"USUBJID": list(ids), "SAFFL": "Y"})


def ex(records: list[tuple[str, str, str, float]], unit: str = "mg") -> pd.DataFrame:
    out = pd.DataFrame(records, columns=["USUBJID", "EXSTDT", "EXENDT", "EXDOSE"])
    for col in ("EXSTDT", "EXENDT"):
        out[col] = pd.to_datetime(out[col])
    out["EXDOSU"] = unit
    out["EXSEQ"] = range(1, len(out) + 1)
    out["EXTRT"] = "STUDY DRUG"
    out["SRCROW"] = range(1, len(out) + 1)
    return out


def one(adex: pd.DataFrame, usubjid: str) -> pd.Series:
    return adex.set_index("USUBJID").loc[usubjid]


# Hand-worked history with one reduction and one interruption (day 0 = 2020-01-01):
#   cycle 1: 12 mg daily 01-01..01-14 (days 0-13, 14 doses)           12 x 14 = 168 mg
#   cycle 2: 12 mg daily 01-22..01-28 (days 21-27, 7 doses)           12 x  7 =  84 mg
#            01-29 dose not given (EXDOSE 0), held to 02-01: interruption
#            8 mg daily 02-02..02-04 (days 32-34, 3 doses): reduction   8 x  3 =  24 mg
#            -> cycle 2 has 7 + 3 = 10 < 14 dosing days (doses missed)
#   cycle 3: 8 mg daily 02-12..02-25 (days 42-55, 14 doses)            8 x 14 = 112 mg
# CUMDOSE = 168 + 84 + 24 + 112 = 388 mg over 14 + 7 + 3 + 14 = 38 dosing days.
# Cycle starts: day 0; first dose on/after day 21 is day 21; first on/after 42 is day 42:
#   NCYCLES = 3. TRTDURD = 2020-02-25 - 2020-01-01 + 1 = 55 + 1 = 56 days.
# DIDURD = last cycle start 42 + 21 = 63 days; DOSEINT = 388 / 63 mg/day.
# PLDOSINT = 12 x 14 / 21 = 8 mg/day; RDI = 100 x (388 / 63) / 8 = 76.984...%.
HISTORY = [
    ("A", "2020-01-01", "2020-01-14", 12),
    ("A", "2020-01-22", "2020-01-28", 12),
    ("A", "2020-01-29", "2020-01-29", 0),
    ("A", "2020-02-02", "2020-02-04", 8),
    ("A", "2020-02-12", "2020-02-25", 8),
]


def test_rdi_with_one_reduction_and_one_interruption() -> None:
    a = one(derive_adex(ex(HISTORY), adsl("A"), **ORAL), "A")
    assert a["CUMDOSE"] == 388
    assert a["NDOSDAY"] == 38
    assert a["NCYCLES"] == 3
    assert a["TRTDURD"] == 56
    assert a["TRTDURM"] == pytest.approx(56 / 30.4375)
    assert a["DIDURD"] == 63
    assert a["DOSEINT"] == pytest.approx(388 / 63)
    assert a["PLDOSINT"] == pytest.approx(8.0)
    assert a["RDI"] == pytest.approx(100 * (388 / 63) / 8)
    assert a["RDI"] == pytest.approx(76.98412698)
    assert a["DOSERDFL"] == "Y"
    assert a["DOSEINFL"] == "Y"


def test_full_schedule_gives_rdi_100_and_no_flags() -> None:
    # Two full cycles: days 0-13 and 21-34 at 12 mg: CUMDOSE = 12 x 28 = 336;
    # DIDURD = 21 + 21 = 42; DOSEINT = 336 / 42 = 8 = PLDOSINT -> RDI 100.
    # TRTDURD = 2020-02-04 - 2020-01-01 + 1 = 35.
    hist = [("B", "2020-01-01", "2020-01-14", 12), ("B", "2020-01-22", "2020-02-04", 12)]
    b = one(derive_adex(ex(hist), adsl("B"), **ORAL), "B")
    assert (b["CUMDOSE"], b["NCYCLES"], b["TRTDURD"], b["DIDURD"]) == (336, 2, 35, 42)
    assert b["RDI"] == pytest.approx(100.0)
    assert (b["DOSERDFL"], b["DOSEINFL"]) == ("N", "N")


def test_delayed_cycle_is_an_interruption_and_lowers_rdi() -> None:
    # IV days 1 and 8: doses on day 0, 7, then cycle 2 delayed to day 28:
    # 01-01, 01-08, 01-29, 02-05. Cycle starts: 0 and 28 (first dose on/after day 21).
    # 28 - 0 = 28 > 21 + 3 (tolerance) -> interruption. CUMDOSE = 4 x 125 = 500.
    # DIDURD = 28 + 21 = 49; DOSEINT = 500 / 49; PLDOSINT = 125 x 2 / 21 = 250 / 21;
    # RDI = 100 x (500 / 49) / (250 / 21) = 100 x 10500 / 12250 = 85.714...%.
    hist = [
        ("C", "2020-01-01", "2020-01-01", 125),
        ("C", "2020-01-08", "2020-01-08", 125),
        ("C", "2020-01-29", "2020-01-29", 125),
        ("C", "2020-02-05", "2020-02-05", 125),
    ]
    c = one(derive_adex(ex(hist, "mg/m2"), adsl("C"), **IV), "C")
    assert (c["CUMDOSE"], c["NCYCLES"], c["DIDURD"]) == (500, 2, 49)
    assert c["RDI"] == pytest.approx(100 * 10500 / 12250)
    assert (c["DOSERDFL"], c["DOSEINFL"]) == ("N", "Y")
    # With a 7-day tolerance the same delay (28 <= 21 + 7) is within the schedule.
    c7 = one(derive_adex(ex(hist, "mg/m2"), adsl("C"), **IV, delay_tolerance_days=7), "C")
    assert c7["DOSEINFL"] == "N"


def test_ae_driven_reduction_and_interruption_flags() -> None:
    hist = [("B", "2020-01-01", "2020-01-14", 12)]
    adae = pd.DataFrame({"USUBJID": ["B"], "AEREDFL": ["N"], "AEINTFL": ["Y"]})
    b = one(derive_adex(ex(hist), adsl("B"), **ORAL, adae=adae), "B")
    assert (b["DOSERDFL"], b["DOSEINFL"]) == ("N", "Y")


def test_untreated_subject_has_a_row_with_zero_exposure() -> None:
    out = derive_adex(ex(HISTORY), adsl("A", "Z"), **ORAL)
    assert list(out["USUBJID"]) == ["A", "Z"]
    z = one(out, "Z")
    assert (z["NCYCLES"], z["NDOSDAY"], z["CUMDOSE"]) == (0, 0, 0)
    assert pd.isna(z["TRTDURD"]) and pd.isna(z["RDI"])
    assert (z["DOSERDFL"], z["DOSEINFL"]) == ("N", "N")


def test_cutoff_caps_a_daily_record() -> None:
    # Daily 12 mg from 01-01 to 01-14 with cutoff 01-10: 10 dosing days, CUMDOSE 120,
    # TRTDURD 10. The cycle started counts in full: DIDURD = 0 + 21 = 21,
    # DOSEINT = 120 / 21, RDI = 100 x (120 / 21) / 8 = 71.43% (never inflated by the cutoff).
    hist = [("B", "2020-01-01", "2020-01-14", 12)]
    b = one(derive_adex(ex(hist), adsl("B"), **ORAL, cutoff="2020-01-10"), "B")
    assert (b["CUMDOSE"], b["TRTDURD"], b["DIDURD"]) == (120, 10, 21)
    assert b["RDI"] == pytest.approx(100 * (120 / 21) / 8)


def test_missing_dose_amount_gives_missing_cumulative_dose() -> None:
    hist = [("B", "2020-01-01", "2020-01-14", 12), ("B", "2020-01-22", "2020-01-22", None)]
    b = one(derive_adex(ex(hist), adsl("B"), **ORAL), "B")
    assert b["NCYCLES"] == 2
    assert pd.isna(b["CUMDOSE"]) and pd.isna(b["RDI"])


def test_bad_records_raise_one_line_errors() -> None:
    bad = ex([("B", "2020-01-14", "2020-01-01", 12)])
    with pytest.raises(InputError, match="row 1.*EXENDT"):
        derive_adex(bad, adsl("B"), **ORAL)
    with pytest.raises(InputError, match="USUBJID"):
        derive_adex(ex([("Q", "2020-01-01", "2020-01-01", 12)]), adsl("B"), **ORAL)


def test_missed_doses_in_a_completed_cycle_are_an_interruption() -> None:
    # HISTORY without the EXDOSE 0 record: cycle 2 still has 7 + 3 = 10 < 14 dosing days,
    # and it is not the last cycle (cycle 3 follows) -> interruption.
    hist = [r for r in HISTORY if r[3] != 0]
    assert one(derive_adex(ex(hist), adsl("A"), **ORAL), "A")["DOSEINFL"] == "Y"


def test_short_last_cycle_is_end_of_treatment_not_interruption() -> None:
    # Cycle 1 complete (14 days), cycle 2 stopped after 7 days: the shortfall is in the last
    # cycle, so no interruption. CUMDOSE = 12 x 21 = 252; DIDURD = 21 + 21 = 42;
    # RDI = 100 x (252 / 42) / 8 = 75%.
    hist = [("B", "2020-01-01", "2020-01-14", 12), ("B", "2020-01-22", "2020-01-28", 12)]
    b = one(derive_adex(ex(hist), adsl("B"), **ORAL), "B")
    assert b["DOSEINFL"] == "N"
    assert b["RDI"] == pytest.approx(75.0)


# ---------------------------------------------------------------- dose reduction tolerance
# Irinotecan 125 mg/m2 on days 1 and 8. The site doses 125 mg/m2 x BSA rounded to the nearest
# 10 mg and EX records the dose given back in mg/m2 (dose / BSA).
#   D: BSA 1.63 m2 -> 125 x 1.63 = 203.75 mg, given 200 mg = 200 / 1.63 = 122.70 mg/m2
#      (1.8% below plan: rounding, not a reduction).
#   E: BSA 1.63 m2, dose level -1 = 100 mg/m2 -> 163 mg, given 160 mg = 98.16 mg/m2
#      (21.5% below plan: a reduction).
#   F: BSA 1.00 m2 -> 125 mg, given 120 mg (nearest 10 mg, rounding half down) = 120 mg/m2,
#      4% below plan: the largest rounding at BSA 1.0 m2, still within the 5% default.
BSA_DOSES = [
    ("D", "2020-01-01", "2020-01-01", 200 / 1.63),
    ("D", "2020-01-08", "2020-01-08", 200 / 1.63),
    ("E", "2020-01-01", "2020-01-01", 125.0),
    ("E", "2020-01-08", "2020-01-08", 160 / 1.63),
    ("F", "2020-01-01", "2020-01-01", 120.0),
]


def test_bsa_rounding_is_not_a_dose_reduction() -> None:
    out = derive_adex(ex(BSA_DOSES, "mg/m2"), adsl("D", "E", "F"), **IV).set_index("USUBJID")
    assert out.loc["D", "DOSERDFL"] == "N"
    assert out.loc["E", "DOSERDFL"] == "Y"
    assert out.loc["F", "DOSERDFL"] == "N"
    # CUMDOSE still adds the doses as given: D = 2 x 200 / 1.63 = 245.40 mg/m2
    assert out.loc["D", "CUMDOSE"] == pytest.approx(400 / 1.63)


def test_dose_reduction_tolerance_is_the_trial_option() -> None:
    # With a 1% tolerance the 1.8% rounding of subject D reads as a reduction, and F's 4% too;
    # the default comes from the schema: 0.05.
    out = derive_adex(
        ex(BSA_DOSES, "mg/m2"), adsl("D", "E", "F"), **IV, dose_reduction_tolerance=0.01
    ).set_index("USUBJID")
    assert list(out["DOSERDFL"]) == ["Y", "Y", "Y"]
    assert trial_options().drug.dose_reduction_tolerance == 0.05
    # the boundary: 125 x (1 - 0.05) = 118.75 is not below the limit, 118.7 is
    edge = ex([("G", "2020-01-01", "2020-01-01", 118.75), ("H", "2020-01-01", "2020-01-01", 118.7)],
              "mg/m2")  # fmt: skip
    out = derive_adex(edge, adsl("G", "H"), **IV).set_index("USUBJID")
    assert (out.loc["G", "DOSERDFL"], out.loc["H", "DOSERDFL"]) == ("N", "Y")


# ---------------------------------------------------------------- dose unit


def test_dose_in_another_unit_is_a_data_issue_and_not_summed() -> None:
    # Plan in mg/m2. Subject J: two doses of 125 mg/m2 and one recorded as 200 "mg" (row 3).
    # The mg dose cannot be added to mg/m2: one query issue for row 3; J's CUMDOSE, DOSEINT
    # and RDI are missing; the three dosing days still count (NDOSDAY 3, NCYCLES 2: day 0,
    # then the first dose on or after day 21 is day 21). K's "MG/M2 " is the planned unit
    # written differently: summed, no issue (CUMDOSE 250).
    rows = ex(
        [
            ("J", "2020-01-01", "2020-01-01", 125),
            ("J", "2020-01-08", "2020-01-08", 125),
            ("J", "2020-01-22", "2020-01-22", 200),
            ("K", "2020-01-01", "2020-01-01", 125),
            ("K", "2020-01-08", "2020-01-08", 125),
        ],
        "mg/m2",
    )
    rows.loc[2, "EXDOSU"] = "mg"
    rows.loc[[3, 4], "EXDOSU"] = "MG/M2 "
    out, issues = derive_adex_and_issues(rows, adsl("J", "K"), **IV)
    out = out.set_index("USUBJID")
    assert pd.isna(out.loc["J", "CUMDOSE"]) and pd.isna(out.loc["J", "RDI"])
    assert (out.loc["J", "NDOSDAY"], out.loc["J", "NCYCLES"]) == (3, 2)
    assert out.loc["J", "DOSERDFL"] == "N"  # the mg dose is not compared with 125 mg/m2
    assert out.loc["K", "CUMDOSE"] == 250
    assert list(out["EXDOSU"]) == ["mg/m2", "mg/m2"]
    assert issues[["stage", "domain", "usubjid", "seq", "row", "variable", "original_value",
                   "action"]].values.tolist() == [
        ["adex", "EX", "J", "3", "3", "EXDOSU", "mg", "query"]
    ]  # fmt: skip
    assert "drug.dose_unit (mg/m2)" in issues["reason"].iloc[0]


def test_mixed_units_are_issues_not_an_error() -> None:
    # Before, two units in one study stopped the run; now each record off the planned unit
    # is one issue, and subjects dosed only in the planned unit keep their CUMDOSE.
    rows = ex([("J", "2020-01-01", "2020-01-01", 12), ("K", "2020-01-01", "2020-01-01", 12)])
    rows.loc[1, "EXDOSU"] = "g"
    out, issues = derive_adex_and_issues(rows, adsl("J", "K"), **ORAL)
    out = out.set_index("USUBJID")
    assert out.loc["J", "CUMDOSE"] == 12 and pd.isna(out.loc["K", "CUMDOSE"])
    assert issues["usubjid"].tolist() == ["K"]


def test_missing_dose_unit_is_read_as_the_planned_unit_and_logged() -> None:
    rows = ex([("J", "2020-01-01", "2020-01-14", 12)]).assign(EXDOSU=None)
    out, issues = derive_adex_and_issues(rows, adsl("J"), **ORAL)
    assert out.set_index("USUBJID").loc["J", "CUMDOSE"] == 12 * 14
    assert issues[["row", "variable", "new_value", "action"]].values.tolist() == [
        ["1", "EXDOSU", "mg", "imputed"]
    ]


def test_derive_adex_has_no_clinical_keyword_defaults() -> None:
    import inspect

    params = inspect.signature(adex_module.derive_adex).parameters
    assert params["drug"].default is inspect.Parameter.empty
    assert {n for n, p in params.items() if p.default is not inspect.Parameter.empty} == {
        "cutoff",
        "adae",
    }

"""ADEX: exposure duration, cycles, cumulative dose and relative dose intensity by hand."""

from __future__ import annotations

import pandas as pd
import pytest

from trialflow.adam.adex import derive_adex
from trialflow.errors import InputError

# Poziotinib-like schedule: 12 mg once daily on days 1-14 of a 21-day cycle.
ORAL = {"planned_dose": 12, "doses_per_cycle": 14, "cycle_days": 21}
# Irinotecan-like schedule: 125 mg/m2 on days 1 and 8 of a 21-day cycle.
IV = {"planned_dose": 125, "doses_per_cycle": 2, "cycle_days": 21}


def adsl(*ids: str) -> pd.DataFrame:
    return pd.DataFrame({"USUBJID": list(ids), "SAFFL": "Y"})


def ex(records: list[tuple[str, str, str, float]]) -> pd.DataFrame:
    out = pd.DataFrame(records, columns=["USUBJID", "EXSTDT", "EXENDT", "EXDOSE"])
    for col in ("EXSTDT", "EXENDT"):
        out[col] = pd.to_datetime(out[col])
    out["EXDOSU"] = "mg"
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
    c = one(derive_adex(ex(hist), adsl("C"), **IV), "C")
    assert (c["CUMDOSE"], c["NCYCLES"], c["DIDURD"]) == (500, 2, 49)
    assert c["RDI"] == pytest.approx(100 * 10500 / 12250)
    assert (c["DOSERDFL"], c["DOSEINFL"]) == ("N", "Y")
    # With a 7-day tolerance the same delay (28 <= 21 + 7) is within the schedule.
    c7 = one(derive_adex(ex(hist), adsl("C"), **IV, delay_tolerance_days=7), "C")
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

"""Disposition, demographics and exposure tables from a hand-built ADSL and ADEX."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from trialflow.ard.baseline import demographics_table, disposition_table, exposure_table
from trialflow.ard_table import ARD_COLUMNS, ard_value
from trialflow.errors import InputError

# Six subjects: five enrolled (S6 is a screen failure, ENRLFL N), four treated (S5 not).
#   S1 ongoing; S2 discontinued, PROGRESSIVE DISEASE; S3 discontinued, DEATH (died);
#   S4 completed; S5 discontinued, WITHDRAWAL BY SUBJECT (never treated); S6 not enrolled.
ADSL = pd.DataFrame(
    {
        "USUBJID": ["S1", "S2", "S3", "S4", "S5", "S6"],
        "ENRLFL": ["Y", "Y", "Y", "Y", "Y", "N"],
        "SAFFL": ["Y", "Y", "Y", "Y", "N", "N"],
        "EFFFL": ["Y", "Y", "N", "Y", "N", "N"],
        "TRTSDT": pd.to_datetime(
            ["2020-01-01", "2020-01-05", "2020-01-09", "2020-02-01", None, None]
        ),
        "EOSSTT": ["ONGOING", "DISCONTINUED", "DISCONTINUED", "COMPLETED", "DISCONTINUED", None],
        "DCSREAS": [None, "PROGRESSIVE DISEASE", "DEATH", None, "WITHDRAWAL BY SUBJECT", None],
        "DTHFL": ["", "", "Y", "", "", ""],
        "AGE": [50.0, 62.0, 70.0, 66.0, 40.0, 30.0],
        "AGEGR1": ["<65", "<65", ">=65", ">=65", "<65", "<65"],
        "SEX": ["F", "F", "F", "M", "F", "M"],
        "RACE": ["ASIAN", "ASIAN", "WHITE", "ASIAN", "ASIAN", "WHITE"],
        "ECOGBL": [0.0, 1.0, 1.0, np.nan, 2.0, 0.0],
        "PRIORLN": [3.0, 1.0, 2.0, 10.0, 1.0, 1.0],
        "COHORT": ["A", "B", "A", "A", "B", "A"],
    }
)


def val(ard: pd.DataFrame, **where: str) -> float:
    text = ard_value(ard, **where)
    return float(text) if text != "" else math.nan


def test_disposition_counts() -> None:
    ard = disposition_table(ADSL)
    assert list(ard.columns) == ARD_COLUMNS
    # Denominator: enrolled = 5 (S6 excluded).
    assert val(ard, parameter="ENROLLED", stat="n") == 5
    assert val(ard, parameter="TREATED", stat="n") == 4
    assert val(ard, parameter="TREATED", stat="pct") == pytest.approx(80.0)  # 4 / 5
    status = {"parameter": "STUDY STATUS", "group_var": "EOSSTT"}
    assert val(ard, **status, group_level="ONGOING", stat="n") == 1
    assert val(ard, **status, group_level="COMPLETED", stat="n") == 1
    assert val(ard, **status, group_level="DISCONTINUED", stat="n") == 3
    assert val(ard, **status, group_level="DISCONTINUED", stat="pct") == pytest.approx(60.0)
    reasons = ard[(ard["parameter"] == "DISCONTINUED") & (ard["stat"] == "n")]
    # One subject per reason: ties, so alphabetical.
    assert list(reasons["group_level"]) == ["DEATH", "PROGRESSIVE DISEASE", "WITHDRAWAL BY SUBJECT"]
    assert list(reasons["value"]) == ["1", "1", "1"]
    assert val(ard, parameter="DIED", group_var="", stat="n") == 1
    # Populations among the enrolled: ENRLFL 5, SAFFL 4 (S1-S4), EFFFL 3 (S1, S2, S4).
    pop = {"parameter": "POPULATION", "stat": "n"}
    assert val(ard, **pop, group_var="ENRLFL") == 5
    assert val(ard, **pop, group_var="SAFFL") == 4
    assert val(ard, **pop, group_var="EFFFL") == 3
    assert set(ard.loc[ard["stat"] == "N", "value"]) == {"5"}


def test_death_cause_from_adsl_or_fatal_ae() -> None:
    with_cause = ADSL.assign(DTHCAUS=["", "", "SEPSIS", "", "", ""])
    ard = disposition_table(with_cause)
    assert val(ard, parameter="DIED", group_var="DTHCAUS", group_level="SEPSIS", stat="n") == 1
    adae = pd.DataFrame(
        {
            "USUBJID": ["S3", "S3"],
            "AEDECOD": ["PNEUMONIA", "SEPSIS"],
            "AEFATLFL": ["N", "Y"],
            "ASTDT": pd.to_datetime(["2020-02-01", "2020-03-01"]),
        }
    )
    ard_ae = disposition_table(ADSL, adae=adae)
    assert val(ard_ae, parameter="DIED", group_var="AEDECOD", group_level="SEPSIS", stat="n") == 1


def test_demographics_summaries_over_the_safety_population() -> None:
    ard = demographics_table(ADSL)
    # Safety population S1-S4: ages 50, 62, 70, 66.
    # mean = 248 / 4 = 62; deviations -12, 0, 8, 4 -> squares 144 + 0 + 64 + 16 = 224;
    # sd = sqrt(224 / 3) = 8.6410...; median = (62 + 66) / 2 = 64; min 50, max 70.
    age = {"parameter": "AGE", "group_var": ""}
    assert val(ard, **age, stat="n") == 4
    assert val(ard, **age, stat="N") == 4
    assert val(ard, **age, stat="mean") == 62
    assert val(ard, **age, stat="sd") == pytest.approx(math.sqrt(224 / 3), rel=1e-9)
    assert val(ard, **age, stat="median") == 64
    assert (val(ard, **age, stat="min"), val(ard, **age, stat="max")) == (50, 70)
    # Age groups: <65 S1, S2 = 2 (50%); >=65 S3, S4 = 2.
    assert val(ard, parameter="AGEGR1", group_level="<65", stat="pct") == pytest.approx(50.0)
    # Sex: F 3 (75%), M 1 (25%).
    assert val(ard, parameter="SEX", group_level="F", stat="n") == 3
    assert val(ard, parameter="SEX", group_level="M", stat="pct") == pytest.approx(25.0)
    # ECOG: 0 -> 1, 1 -> 2, missing (S4) -> 1; levels shown as "0", "1", MISSING last.
    ecog = ard[(ard["parameter"] == "ECOGBL") & (ard["stat"] == "n")]
    assert list(zip(ecog["group_level"], ecog["value"], strict=True)) == [
        ("0", "1"),
        ("1", "2"),
        ("MISSING", "1"),
    ]
    # Prior lines in numeric order (10 after 3, not after 1): 1, 2, 3, 10.
    prior = ard[(ard["parameter"] == "PRIORLN") & (ard["stat"] == "n") & (ard["group_var"] != "")]
    assert list(prior["group_level"]) == ["1", "2", "3", "10"]
    assert val(ard, parameter="COHORT", group_level="A", stat="n") == 3


def test_exposure_summary() -> None:
    adex = pd.DataFrame(
        {
            "USUBJID": ["S1", "S2", "S3", "S4", "S5"],
            "TRTDURD": [42.0, 21.0, 63.0, 84.0, np.nan],
            "NCYCLES": [2, 1, 3, 4, 0],
            "CUMDOSE": [336.0, 168.0, 400.0, 600.0, 0.0],
            "DOSEINT": [8.0, 8.0, 6.0, 7.0, np.nan],
            "RDI": [100.0, 100.0, 75.0, 87.5, np.nan],
            "PLDOSINT": 8.0,
            "DOSERDFL": ["N", "N", "Y", "Y", "N"],
            "DOSEINFL": ["N", "N", "Y", "N", "N"],
        }
    )
    adex["TRTDURM"] = adex["TRTDURD"] / 30.4375
    ard = exposure_table(adex, ADSL)
    # Safety population S1-S4 (S5 excluded). Durations 42, 21, 63, 84: median (42+63)/2 = 52.5.
    assert val(ard, parameter="TRTDURD", stat="n") == 4
    assert val(ard, parameter="TRTDURD", stat="median") == 52.5
    # RDI mean = (100 + 100 + 75 + 87.5) / 4 = 362.5 / 4 = 90.625.
    assert val(ard, parameter="RDI", stat="mean") == pytest.approx(90.625)
    # Cycles median: 1, 2, 3, 4 -> 2.5.
    assert val(ard, parameter="NCYCLES", stat="median") == 2.5
    # Reduced: S3, S4 = 2 of 4 (50%); interrupted: S3 = 1 (25%).
    assert val(ard, parameter="DOSERDFL", stat="n") == 2
    assert val(ard, parameter="DOSEINFL", stat="pct") == pytest.approx(25.0)
    assert val(ard, parameter="PLDOSINT", stat="value") == 8


def test_missing_population_flag_is_an_input_error() -> None:
    with pytest.raises(InputError, match="SAFFL"):
        demographics_table(ADSL.drop(columns="SAFFL"))

"""TEAE tables from a small hand-built ADAE; all counts worked out by hand below.

Safety population: S1, S2, S3, S4, S5, S7 (SAFFL Y) -> N = 6. S6 is not in it (SAFFL N).

TEAE records (SOC: SKIN, GI = GASTROINTESTINAL DISORDERS, INF = INFECTIONS AND INFESTATIONS):
  S1: RASH g1 (day 15), RASH g3 (day 40), DIARRHOEA g2 related
  S2: RASH g2 (day 8, leads to interruption), RASH g2 (day 20), NAUSEA g1,
      STOMATITIS g2 (day 30, leads to dose reduction)
  S3: DIARRHOEA g3 serious related leading to discontinuation, STOMATITIS g1 (day 10)
  S4: PRURITUS g1; and a RASH g1 that is NOT treatment-emergent (TRTEMFL N, AEDISCFL Y)
  S5: PRURITUS g1, SEPSIS g5 serious fatal
  S6 (not safety): RASH g4, leads to interruption
  S7: no AE
"""

from __future__ import annotations

import pandas as pd
import pytest

from trialflow.ard.safety import aesi_table, common_teae, teae_by_soc_pt, teae_overview
from trialflow.ard_table import ARD_COLUMNS, ard_value

SKIN = "SKIN AND SUBCUTANEOUS TISSUE DISORDERS"
GI = "GASTROINTESTINAL DISORDERS"
INF = "INFECTIONS AND INFESTATIONS"


def make_adsl() -> pd.DataFrame:
    ids = ["S1", "S2", "S3", "S4", "S5", "S6", "S7"]
    return pd.DataFrame(
        {
            "USUBJID": ids,
            "SAFFL": ["Y", "Y", "Y", "Y", "Y", "N", "Y"],
            "TRTSDT": pd.to_datetime(["2020-01-01"] * 7),
        }
    )


def make_adae() -> pd.DataFrame:
    cols = ["USUBJID", "AEBODSYS", "AEDECOD", "AETOXGRN", "TRTEMFL", "ASTDY", "flags"]
    rows = [
        ("S1", SKIN, "RASH", 1, "Y", 15, ""),
        ("S1", SKIN, "RASH", 3, "Y", 40, ""),
        ("S1", GI, "DIARRHOEA", 2, "Y", 5, "REL"),
        ("S2", SKIN, "RASH", 2, "Y", 8, "INT"),
        ("S2", SKIN, "RASH", 2, "Y", 20, ""),
        ("S2", GI, "NAUSEA", 1, "Y", 3, ""),
        ("S2", GI, "STOMATITIS", 2, "Y", 30, "RED"),
        ("S3", GI, "DIARRHOEA", 3, "Y", 12, "SER REL DISC"),
        ("S3", GI, "STOMATITIS", 1, "Y", 10, ""),
        ("S4", SKIN, "PRURITUS", 1, "Y", 50, ""),
        ("S4", SKIN, "RASH", 1, "N", -5, "DISC"),
        ("S5", SKIN, "PRURITUS", 1, "Y", 2, ""),
        ("S5", INF, "SEPSIS", 5, "Y", 60, "SER FATAL"),
        ("S6", SKIN, "RASH", 4, "Y", 3, "INT"),
    ]
    df = pd.DataFrame(rows, columns=cols)
    df["AETOXGRN"] = df["AETOXGRN"].astype(float)
    df["ASTDY"] = df["ASTDY"].astype(float)
    for flag, key in [
        ("AESERFL", "SER"),
        ("AERELFL", "REL"),
        ("AEDISCFL", "DISC"),
        ("AEREDFL", "RED"),
        ("AEINTFL", "INT"),
        ("AEFATLFL", "FATAL"),
    ]:
        df[flag] = df["flags"].str.split().map(lambda f, k=key: "Y" if k in f else "N")
    df["AESIFL"] = df["AEDECOD"].isin(["RASH", "STOMATITIS"]).map({True: "Y", False: "N"})
    return df.drop(columns="flags")


def val(ard: pd.DataFrame, parameter: str, stat: str, **where: str) -> float:
    return float(ard_value(ard, parameter=parameter, stat=stat, **where))


def test_overview_counts_subjects_in_the_safety_population() -> None:
    ard = teae_overview(make_adae(), make_adsl())
    assert list(ard.columns) == ARD_COLUMNS
    expected = {
        # any TEAE: S1, S2, S3, S4, S5 = 5 of 6; TEAE records of S1..S5: 3+4+2+1+2 = 12
        "ANY TEAE": 5,
        # grade >= 3: S1 (rash g3), S3 (diarrhoea g3), S5 (sepsis g5) = 3
        "GRADE >= 3": 3,
        "SERIOUS": 2,  # S3, S5
        "RELATED": 2,  # S1, S3
        "RELATED GRADE >= 3": 1,  # S3 only (S1's related diarrhoea is grade 2)
        "SERIOUS RELATED": 1,  # S3
        "LEADING TO DISCONTINUATION": 1,  # S3 (S4's is not a TEAE)
        "LEADING TO DOSE REDUCTION": 1,  # S2
        "LEADING TO INTERRUPTION": 1,  # S2 (S6 is not in the safety population)
        "FATAL": 1,  # S5
        "GRADE MISSING": 0,
    }
    for name, n in expected.items():
        assert val(ard, name, "n") == n, name
        assert val(ard, name, "N") == 6, name
        assert val(ard, name, "pct") == pytest.approx(100 * n / 6), name
    assert val(ard, "ANY TEAE", "events") == 12
    assert set(ard["population"]) == {"SAFFL"}


def test_soc_pt_counts_each_subject_once_at_worst_grade() -> None:
    ard = teae_by_soc_pt(make_adae(), make_adsl())
    # RASH: S1 (g1 and g3 -> worst 3) and S2 (g2 twice -> counted once, g2) = 2 subjects;
    # S4's rash is not treatment-emergent, S6 is not in the safety population.
    rash = {"group_level": SKIN}
    assert val(ard, "RASH", "n", **rash) == 2
    assert val(ard, "RASH", "pct", **rash) == pytest.approx(100 * 2 / 6)
    assert val(ard, "RASH", "n_grade1", **rash) == 0
    assert val(ard, "RASH", "n_grade2", **rash) == 1
    assert val(ard, "RASH", "n_grade3", **rash) == 1
    assert val(ard, "RASH", "n_ge3", **rash) == 1
    # SKIN (any PT): S1 worst 3, S2 worst 2, S4 1, S5 1 -> n 4, grade >= 3: 1.
    assert val(ard, "ANY TEAE", "n", **rash) == 4
    assert val(ard, "ANY TEAE", "n_ge3", **rash) == 1
    assert val(ard, "ANY TEAE", "n_grade1", **rash) == 2
    # GI: S1 worst 2, S2 worst max(1, 2) = 2, S3 worst 3 -> n 3, n_ge3 1, n_grade2 2.
    gi = {"group_level": GI}
    assert val(ard, "ANY TEAE", "n", **gi) == 3
    assert val(ard, "ANY TEAE", "n_ge3", **gi) == 1
    assert val(ard, "ANY TEAE", "n_grade2", **gi) == 2
    # STOMATITIS: S2 g2, S3 g1 -> 2; DIARRHOEA: S1 g2, S3 g3 -> 2, n_ge3 1.
    assert val(ard, "STOMATITIS", "n", **gi) == 2
    assert val(ard, "DIARRHOEA", "n_ge3", **gi) == 1
    # Overall: worst grades S1 3, S2 2, S3 3, S4 1, S5 5 -> n 5, n_ge3 3, n_grade5 1.
    overall = {"group_level": ""}
    assert val(ard, "ANY TEAE", "n", **overall) == 5
    assert val(ard, "ANY TEAE", "n_ge3", **overall) == 3
    assert val(ard, "ANY TEAE", "n_grade5", **overall) == 1


def test_soc_pt_sorted_by_descending_frequency_then_alphabetically() -> None:
    ard = teae_by_soc_pt(make_adae(), make_adsl())
    order = ard[ard["stat"] == "sort_order"]
    labels = list(zip(order["group_level"], order["parameter"], strict=True))
    # SOCs: SKIN 4 > GI 3 > INF 1 (not alphabetical). Within SKIN: PRURITUS 2 and RASH 2
    # tie -> alphabetical. Within GI: DIARRHOEA 2, STOMATITIS 2 (tie, alphabetical), then
    # NAUSEA 1 (frequency beats the alphabet).
    assert labels == [
        ("", "ANY TEAE"),
        (SKIN, "ANY TEAE"),
        (SKIN, "PRURITUS"),
        (SKIN, "RASH"),
        (GI, "ANY TEAE"),
        (GI, "DIARRHOEA"),
        (GI, "STOMATITIS"),
        (GI, "NAUSEA"),
        (INF, "ANY TEAE"),
        (INF, "SEPSIS"),
    ]
    assert list(order["value"]) == [str(i) for i in range(1, 11)]


def test_common_teae_threshold_and_order() -> None:
    ard = common_teae(make_adae(), make_adsl(), threshold=0.30)
    # 0.30 x 6 = 1.8: PTs with >= 2 subjects: DIARRHOEA, PRURITUS, RASH, STOMATITIS (all 2,
    # alphabetical); NAUSEA and SEPSIS (1 each) are left out.
    order = ard[ard["stat"] == "sort_order"]
    assert list(order["parameter"]) == ["DIARRHOEA", "PRURITUS", "RASH", "STOMATITIS"]
    ard10 = common_teae(make_adae(), make_adsl(), threshold=0.10)
    # 0.10 x 6 = 0.6: every PT; those with 2 subjects come before NAUSEA and SEPSIS (1).
    order10 = ard10[ard10["stat"] == "sort_order"]
    assert list(order10["parameter"]) == [
        "DIARRHOEA",
        "PRURITUS",
        "RASH",
        "STOMATITIS",
        "NAUSEA",
        "SEPSIS",
    ]


def test_common_teae_boundary_is_inclusive() -> None:
    # 50 safety subjects; PT A in 7 of them (exactly 14%), PT B in 6 (12%).
    # 0.14 * 50 is 7.000000000000001 in floating point: A must still be included.
    ids = [f"P{i:02d}" for i in range(50)]
    adsl = pd.DataFrame({"USUBJID": ids, "SAFFL": "Y"})
    adae = pd.DataFrame(
        {
            "USUBJID": ids[:7] + ids[:6],
            "AEBODSYS": "SOC",
            "AEDECOD": ["A"] * 7 + ["B"] * 6,
            "AETOXGRN": 1.0,
            "TRTEMFL": "Y",
        }
    )
    ard = common_teae(adae, adsl, threshold=0.14)
    assert set(ard["parameter"]) == {"A"}
    assert val(ard, "A", "pct") == pytest.approx(14.0)


def test_aesi_worst_grade_and_time_to_first_onset() -> None:
    ard = aesi_table(make_adae(), make_adsl(), aesi=["RASH", "STOMATITIS", "PNEUMONITIS"])
    # RASH: S1 first onset day 15 (worst g3), S2 first onset day 8 (worst g2):
    #   n 2, median (8 + 15) / 2 = 11.5, min 8, max 15.
    assert val(ard, "RASH", "n") == 2
    assert val(ard, "RASH", "n_grade3") == 1
    assert val(ard, "RASH", "n_grade2") == 1
    assert val(ard, "RASH", "onset_median") == 11.5
    assert (val(ard, "RASH", "onset_min"), val(ard, "RASH", "onset_max")) == (8, 15)
    # STOMATITIS: S2 day 30 (g2), S3 day 10 (g1): median 20, range 10-30.
    assert val(ard, "STOMATITIS", "onset_median") == 20
    assert val(ard, "STOMATITIS", "n_ge3") == 0
    # ANY AESI: S1 first 15, S2 min(8, 20, 30) = 8, S3 10 -> median 10; worst 3, 2, 1.
    assert val(ard, "ANY AESI", "n") == 3
    assert val(ard, "ANY AESI", "pct") == pytest.approx(50.0)
    assert val(ard, "ANY AESI", "onset_median") == 10
    assert val(ard, "ANY AESI", "n_ge3") == 1
    # A listed AESI that nobody had is shown with zero subjects and no onset.
    assert val(ard, "PNEUMONITIS", "n") == 0
    assert ard_value(ard, parameter="PNEUMONITIS", stat="onset_median") == ""
    params = list(ard.loc[ard["stat"] == "sort_order", "parameter"])
    assert params == ["ANY AESI", "RASH", "STOMATITIS", "PNEUMONITIS"]

"""ADTTE: OS, PFS (one scenario per FDA-style censoring rule), DOR and TTR.

Every subject starts on 2021-01-01 (STARTDT); `d(k)` is the date k days later, so
AVAL = k + 1 for an ADT of d(k). The planned interval is 42 days and, unless a test says
otherwise, one missed assessment is allowed: PD or death more than (1 + 1) × 42 = 84 days after
the last adequate assessment is censored there.
"""

from __future__ import annotations

import pandas as pd
import pytest

from trialflow.adam.adtte import (
    CNS_LAST,
    CNS_MISSED,
    CNS_NEW_THERAPY,
    CNS_NO_BASELINE,
    CNS_NO_POSTBASELINE,
    DAYS_PER_MONTH,
    derive_adtte,
    derive_dor,
    derive_os,
    derive_pfs,
    derive_ttr,
    subjects_without_start,
)
from trialflow.errors import InputError

START = pd.Timestamp("2021-01-01")
CUTOFF = "2021-12-31"
OPTS = {
    "assessment_interval_days": 42,
    "max_missed_assessments": 1,
    "censor_at_new_therapy": True,
    "cutoff": CUTOFF,
}


def d(k: int) -> pd.Timestamp:
    return START + pd.Timedelta(days=k)


def adsl_of(rows: list[dict]) -> pd.DataFrame:
    base = {
        "STUDYID": "S1",
        "STARTDT": START,
        "DTHDT": pd.NaT,
        "LSTALVDT": d(300),
        "NACTDT": pd.NaT,
        "EFFFL": "Y",
        "ENRLFL": "Y",
        "COHORT": "A",
    }
    df = pd.DataFrame([{**base, **r} for r in rows])
    for c in ("STARTDT", "DTHDT", "LSTALVDT", "NACTDT"):
        df[c] = pd.to_datetime(df[c]).astype("datetime64[ns]")
    return df


def assess_of(rows: list[tuple[str, int, str]]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "USUBJID": [r[0] for r in rows],
            "ADT": pd.to_datetime([d(r[1]) for r in rows]).astype("datetime64[ns]"),
            "AVALC": [r[2] for r in rows],
        }
    )


def one(df: pd.DataFrame, usubjid: str) -> pd.Series:
    hit = df[df["USUBJID"] == usubjid]
    assert len(hit) == 1
    return hit.iloc[0]


# --- PFS -----------------------------------------------------------------------------------


def pfs(adsl: pd.DataFrame, assess: pd.DataFrame, **kw) -> pd.DataFrame:
    return derive_pfs(adsl, assess, **{**OPTS, **kw})


def test_pfs_no_adequate_baseline_censored_at_start():
    # EFFFL N (no measurable baseline): PD on d(84) is ignored, censored at STARTDT, AVAL 1.
    adsl = adsl_of([{"USUBJID": "P1", "EFFFL": "N"}])
    out = one(pfs(adsl, assess_of([("P1", 42, "SD"), ("P1", 84, "PD")])), "P1")
    assert (out["ADT"], out["AVAL"], out["CNSR"]) == (START, 1.0, 1)
    assert out["CNSDTDSC"] == CNS_NO_BASELINE
    # an explicit baseline flag overrides EFFFL: adequate baseline -> PD is the event
    flags = pd.Series({"P1": True})
    out = one(
        pfs(adsl, assess_of([("P1", 42, "SD"), ("P1", 84, "PD")]), baseline_adequate=flags), "P1"
    )
    assert (out["ADT"], out["CNSR"]) == (d(84), 0)


def test_pfs_no_postbaseline_and_death_after_two_intervals_censored_at_start():
    # only an NE assessment (not adequate); death on 2021-04-01 = d(90): 90 > 2 x 42 = 84
    adsl = adsl_of([{"USUBJID": "P2", "DTHDT": pd.Timestamp("2021-04-01")}])
    assert pd.Timestamp("2021-04-01") == d(90)
    out = one(pfs(adsl, assess_of([("P2", 42, "NE")])), "P2")
    assert (out["ADT"], out["AVAL"], out["CNSR"]) == (START, 1.0, 1)
    assert out["CNSDTDSC"] == CNS_NO_POSTBASELINE.format(k=2.0)
    # alive with no assessment at all: also censored at start under the same rule
    adsl = adsl_of([{"USUBJID": "P2b"}])
    out = one(pfs(adsl, assess_of([])), "P2b")
    assert (out["ADT"], out["CNSR"], out["CNSDTDSC"]) == (
        START,
        1,
        CNS_NO_POSTBASELINE.format(k=2.0),
    )


def test_pfs_death_within_two_intervals_without_assessment_is_event():
    # death 2021-03-01 = d(59) <= 84 days after start: event, AVAL 59 + 1 = 60
    adsl = adsl_of([{"USUBJID": "P3", "DTHDT": pd.Timestamp("2021-03-01")}])
    out = one(pfs(adsl, assess_of([])), "P3")
    assert (out["ADT"], out["AVAL"], out["CNSR"]) == (d(59), 60.0, 0)
    assert out["EVNTDESC"] == "Death" and out["CNSDTDSC"] == ""
    assert (out["SRCDOM"], out["SRCVAR"]) == ("ADSL", "DTHDT")
    # the boundary: death on d(84) (gap = 84, not > 84) is an event, d(85) is censored
    adsl = adsl_of([{"USUBJID": "P3b", "DTHDT": d(84)}, {"USUBJID": "P3c", "DTHDT": d(85)}])
    res = pfs(adsl, assess_of([]))
    assert one(res, "P3b")["CNSR"] == 0 and one(res, "P3c")["CNSR"] == 1


def test_pfs_new_therapy_before_pd_censored_at_last_adequate_before_it():
    # SD d(42), SD d(84); new therapy 2021-04-10 = d(99); PD d(126)
    # -> censored at the SD of d(84), AVAL 85
    adsl = adsl_of([{"USUBJID": "P4", "NACTDT": pd.Timestamp("2021-04-10")}])
    assert pd.Timestamp("2021-04-10") == d(99)
    assess = assess_of([("P4", 42, "SD"), ("P4", 84, "SD"), ("P4", 126, "PD")])
    out = one(pfs(adsl, assess), "P4")
    assert (out["ADT"], out["AVAL"], out["CNSR"]) == (d(84), 85.0, 1)
    assert out["CNSDTDSC"] == CNS_NEW_THERAPY
    assert (out["SRCDOM"], out["SRCVAR"]) == ("ADRS", "ADT")
    # with censor_at_new_therapy off the PD on d(126) is the event (gap 42 days), AVAL 127
    out = one(pfs(adsl, assess, censor_at_new_therapy=False), "P4")
    assert (out["ADT"], out["AVAL"], out["CNSR"]) == (d(126), 127.0, 0)
    assert out["EVNTDESC"] == "Disease progression"


def test_pfs_new_therapy_same_day_rules():
    # P11: SD d(42), SD d(84), new therapy on d(84), PD d(120): the scan on the day new therapy
    # starts counts (on or before NACTDT) -> censored at d(84), AVAL 85
    # P12: SD d(42), PD d(84), new therapy on d(84): PD is not after new therapy -> event
    adsl = adsl_of([{"USUBJID": "P11", "NACTDT": d(84)}, {"USUBJID": "P12", "NACTDT": d(84)}])
    assess = assess_of(
        [
            ("P11", 42, "SD"),
            ("P11", 84, "SD"),
            ("P11", 120, "PD"),
            ("P12", 42, "SD"),
            ("P12", 84, "PD"),
        ]
    )
    res = pfs(adsl, assess)
    p11, p12 = one(res, "P11"), one(res, "P12")
    assert (p11["ADT"], p11["AVAL"], p11["CNSR"]) == (d(84), 85.0, 1)
    assert (p12["ADT"], p12["AVAL"], p12["CNSR"]) == (d(84), 85.0, 0)


def test_pfs_pd_after_two_missed_assessments_censored():
    # SD d(42), then PD d(168): gap 126 > (1 + 1) x 42 = 84 -> censored at d(42), AVAL 43
    adsl = adsl_of([{"USUBJID": "P5"}])
    assess = assess_of([("P5", 42, "SD"), ("P5", 168, "PD")])
    out = one(pfs(adsl, assess), "P5")
    assert (out["ADT"], out["AVAL"], out["CNSR"]) == (d(42), 43.0, 1)
    assert out["CNSDTDSC"] == CNS_MISSED.format(k=1)
    # NE assessments in between do not count as adequate: same censoring
    assess_ne = assess_of(
        [("P5", 42, "SD"), ("P5", 84, "NE"), ("P5", 126, "NE"), ("P5", 168, "PD")]
    )
    assert one(pfs(adsl, assess_ne), "P5")["ADT"] == d(42)
    # with 2 missed allowed the limit is 3 x 42 = 126, gap 126 is not > 126: event, AVAL 169
    out = one(pfs(adsl, assess, max_missed_assessments=2), "P5")
    assert (out["ADT"], out["AVAL"], out["CNSR"]) == (d(168), 169.0, 0)


def test_pfs_pd_after_exactly_one_missed_is_event():
    # SD d(42), PD d(126): gap 84, not > 84 -> event, AVAL 127; PD on d(127) (gap 85) censored
    adsl = adsl_of([{"USUBJID": "P6"}, {"USUBJID": "P6b"}])
    assess = assess_of([("P6", 42, "SD"), ("P6", 126, "PD"), ("P6b", 42, "SD"), ("P6b", 127, "PD")])
    res = pfs(adsl, assess)
    a = one(res, "P6")
    assert (a["ADT"], a["AVAL"], a["CNSR"]) == (d(126), 127.0, 0)
    b = one(res, "P6b")
    assert (b["ADT"], b["AVAL"], b["CNSR"]) == (d(42), 43.0, 1)


def test_pfs_death_after_last_adequate_within_window_is_event():
    # SD d(42), death 2021-04-01 = d(90): gap 48 <= 84 -> event, AVAL 91
    adsl = adsl_of([{"USUBJID": "P8", "DTHDT": pd.Timestamp("2021-04-01")}])
    out = one(pfs(adsl, assess_of([("P8", 42, "SD")])), "P8")
    assert (out["ADT"], out["AVAL"], out["CNSR"], out["EVNTDESC"]) == (d(90), 91.0, 0, "Death")


def test_pfs_plain_censoring_at_last_adequate_assessment():
    # SD d(42), NE d(84), PR d(126), NE d(168), alive -> censored at d(126), AVAL 127
    adsl = adsl_of([{"USUBJID": "P7"}])
    assess = assess_of([("P7", 42, "SD"), ("P7", 84, "NE"), ("P7", 126, "PR"), ("P7", 168, "NE")])
    out = one(pfs(adsl, assess), "P7")
    assert (out["ADT"], out["AVAL"], out["CNSR"]) == (d(126), 127.0, 1)
    assert out["CNSDTDSC"] == CNS_LAST
    assert out["AVALM"] == pytest.approx(127 / 30.4375)


def test_pfs_first_pd_wins_and_cutoff_applies():
    # PD d(42) and d(84): the first is the event (AVAL 43); an assessment or death after the
    # cutoff 2021-12-31 = d(364) does not count
    adsl = adsl_of([{"USUBJID": "P9"}, {"USUBJID": "P10", "DTHDT": pd.Timestamp("2022-01-05")}])
    assess = assess_of([("P9", 42, "PD"), ("P9", 84, "PD"), ("P10", 336, "SD"), ("P10", 370, "PD")])
    res = pfs(adsl, assess)
    assert (one(res, "P9")["ADT"], one(res, "P9")["AVAL"]) == (d(42), 43.0)
    p10 = one(res, "P10")
    assert (p10["ADT"], p10["CNSR"]) == (d(336), 1)


# --- OS ------------------------------------------------------------------------------------


def test_os_event_and_censoring():
    adsl = adsl_of(
        [
            # death 2021-03-01 = d(59): event, AVAL 60
            {"USUBJID": "O1", "DTHDT": pd.Timestamp("2021-03-01")},
            # alive, last known alive 2021-06-30 = d(180): censored, AVAL 181
            {"USUBJID": "O2", "LSTALVDT": pd.Timestamp("2021-06-30")},
            # death after the cutoff does not count: censored at LSTALVDT d(200), AVAL 201
            {"USUBJID": "O3", "DTHDT": pd.Timestamp("2022-01-10"), "LSTALVDT": d(200)},
        ]
    )
    res = derive_os(adsl, cutoff=CUTOFF)
    o1, o2, o3 = (one(res, u) for u in ("O1", "O2", "O3"))
    assert (o1["ADT"], o1["AVAL"], o1["CNSR"], o1["SRCVAR"]) == (d(59), 60.0, 0, "DTHDT")
    assert o1["AVALM"] == pytest.approx(60 / DAYS_PER_MONTH)
    assert (o2["ADT"], o2["AVAL"], o2["CNSR"], o2["SRCVAR"]) == (d(180), 181.0, 1, "LSTALVDT")
    assert (o3["ADT"], o3["AVAL"], o3["CNSR"]) == (d(200), 201.0, 1)
    assert set(res["PARAMCD"]) == {"OS"} and set(res["STUDYID"]) == {"S1"}


def test_os_without_last_alive_date_censored_at_start():
    adsl = adsl_of([{"USUBJID": "O4", "LSTALVDT": pd.NaT}])
    out = one(derive_os(adsl, cutoff=CUTOFF), "O4")
    assert (out["ADT"], out["AVAL"], out["CNSR"], out["SRCVAR"]) == (START, 1.0, 1, "STARTDT")


def test_subject_without_start_is_logged_not_in_adtte():
    adsl = adsl_of([{"USUBJID": "N1", "STARTDT": pd.NaT}, {"USUBJID": "N2"}])
    assert list(derive_os(adsl, cutoff=CUTOFF)["USUBJID"]) == ["N2"]
    issues = subjects_without_start(adsl)
    assert list(issues["usubjid"]) == ["N1"] and list(issues["action"]) == ["flagged"]


# --- DOR and TTR -----------------------------------------------------------------------------


def _responders() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    adsl = adsl_of([{"USUBJID": "R1"}, {"USUBJID": "R2"}, {"USUBJID": "R3"}])
    assess = assess_of(
        [
            # R1: PR d(42) confirmed d(84), PD d(168) (gap 84 -> event)
            ("R1", 42, "PR"),
            ("R1", 84, "PR"),
            ("R1", 168, "PD"),
            # R2: CR d(42), d(84), d(126), no PD -> censored at d(126)
            ("R2", 42, "CR"),
            ("R2", 84, "CR"),
            ("R2", 126, "CR"),
            # R3: SD, not a responder
            ("R3", 42, "SD"),
        ]
    )
    # CRSP: confirmed responder flag, dated by the first confirmed CR or PR
    adrs = pd.DataFrame(
        {
            "USUBJID": ["R1", "R2", "R3"],
            "PARAMCD": ["CRSP"] * 3,
            "AVALC": ["Y", "Y", "N"],
            "ADT": [d(42), d(42), d(42)],
        }
    )
    return adsl, assess, adrs


def test_dor_event_and_censored():
    adsl, assess, adrs = _responders()
    res = derive_dor(adsl, assess, adrs, **OPTS)
    assert sorted(res["USUBJID"]) == ["R1", "R2"]  # confirmed responders only
    r1, r2 = one(res, "R1"), one(res, "R2")
    # R1: STARTDT = response date d(42); PD d(168): AVAL 168 - 42 + 1 = 127
    assert (r1["STARTDT"], r1["ADT"], r1["AVAL"], r1["CNSR"]) == (d(42), d(168), 127.0, 0)
    # R2: censored at the last adequate assessment d(126): AVAL 126 - 42 + 1 = 85
    assert (r2["STARTDT"], r2["ADT"], r2["AVAL"], r2["CNSR"]) == (d(42), d(126), 85.0, 1)
    assert r2["CNSDTDSC"] == CNS_LAST


def test_dor_missed_assessments_censored_like_pfs():
    # responder from d(42) with no assessment until PD on d(168): gap 126 > 84 -> censored at
    # the response date, AVAL 1
    adsl = adsl_of([{"USUBJID": "R4"}])
    assess = assess_of([("R4", 42, "PR"), ("R4", 168, "PD")])
    adrs = pd.DataFrame({"USUBJID": ["R4"], "PARAMCD": ["CRSP"], "AVALC": ["Y"], "ADT": [d(42)]})
    out = one(derive_dor(adsl, assess, adrs, **OPTS), "R4")
    assert (out["ADT"], out["AVAL"], out["CNSR"]) == (d(42), 1.0, 1)
    assert out["CNSDTDSC"] == CNS_MISSED.format(k=1)


def test_ttr_responders_only_all_events():
    adsl, _, adrs = _responders()
    res = derive_ttr(adsl, adrs, cutoff=CUTOFF)
    assert sorted(res["USUBJID"]) == ["R1", "R2"]
    # response on d(42): AVAL 43, always an event
    assert list(res["AVAL"]) == [43.0, 43.0] and list(res["CNSR"]) == [0, 0]


def test_derive_adtte_all_parameters_sorted():
    adsl, assess, adrs = _responders()
    res = derive_adtte(adsl, assess, adrs, **OPTS)
    assert list(res["PARAMCD"]) == ["OS"] * 3 + ["PFS"] * 3 + ["DOR"] * 2 + ["TTR"] * 2
    # PFS for R1: PD d(168), last adequate before it d(84), gap 84 -> event, AVAL 169
    pfs_r1 = res[(res["PARAMCD"] == "PFS") & (res["USUBJID"] == "R1")].iloc[0]
    assert (pfs_r1["AVAL"], pfs_r1["CNSR"]) == (169.0, 0)
    for col in ("COHORT", "EFFFL", "ENRLFL"):
        assert col in res.columns
    # byte-stable: a second call gives the same frame
    pd.testing.assert_frame_equal(res, derive_adtte(adsl, assess, adrs, **OPTS))


def test_missing_column_is_input_error():
    adsl = adsl_of([{"USUBJID": "X"}]).drop(columns="NACTDT")
    with pytest.raises(InputError, match="NACTDT"):
        derive_os(adsl, cutoff=CUTOFF)


def test_adtte_uses_adrs_ovr_when_no_assessments_given():
    adsl, assess, adrs = _responders()
    ovr = assess.assign(PARAMCD="OVR")
    res = derive_adtte(adsl, None, pd.concat([adrs, ovr], ignore_index=True), **OPTS)
    pd.testing.assert_frame_equal(res, derive_adtte(adsl, assess, adrs, **OPTS))

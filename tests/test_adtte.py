"""ADTTE: OS, PFS (one scenario per FDA-style censoring rule), DOR and TTR.

Every subject starts on 2021-01-01 (STARTDT); `d(k)` is the date k days later, so
AVAL = k + 1 for an ADT of d(k). The planned interval is 42 days and, unless a test says
otherwise, one missed assessment is allowed and the visit window is 0 days: PD or death more
than (1 + 1) × 42 + 0 = 84 days after the last adequate assessment is censored there. Tests
of the visit window say which window they use.
"""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest

from tests.conftest import trial_options
from trialflow.adam.adtte import (
    CNS_LAST,
    CNS_MISSED,
    CNS_NEW_THERAPY,
    CNS_NEW_THERAPY_NONE,
    CNS_NO_BASELINE,
    CNS_NO_POSTBASELINE,
    DAYS_PER_MONTH,
    adtte_issues,
    derive_adtte,
    derive_dor,
    derive_os,
    derive_pfs,
    derive_ttr,
    subjects_without_baseline,
    subjects_without_start,
)
from trialflow.config.options import PfsRules, ResponseRules
from trialflow.errors import InputError

START = pd.Timestamp("2021-01-01")
CUTOFF = "2021-12-31"


def rules(boundary: str = "before", **pfs) -> PfsRules:
    """PFS rules of a trial with interval 42 days, 1 missed assessment allowed, censoring at
    new therapy and a visit window of 0 days unless `pfs` says otherwise."""
    base = {"censor_at_new_therapy": True, "max_missed_assessments": 1, "visit_window_days": 0}
    return trial_options(
        assessment_interval_days=42,
        pfs={**base, **pfs},
        response={"new_therapy_boundary": boundary},
    ).pfs


def response_rules(confirmation_required: bool = True) -> ResponseRules:
    return trial_options(response={"confirmation": {"required": confirmation_required}}).response


OPTS = {"pfs": rules(), "cutoff": CUTOFF}
ADTTE_OPTS = {**OPTS, "response": response_rules()}


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
        "TUBLFL": "Y",
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
    """PFS with the module's rules; keyword arguments change PfsRules fields."""
    return derive_pfs(adsl, assess, pfs=dataclasses.replace(rules(), **kw), cutoff=CUTOFF)


def test_pfs_no_adequate_baseline_censored_at_start():
    # FDA 2018 Table 5, "no baseline tumor assessments": no baseline tumour assessment at all
    # (ADSL TUBLFL N) -> censored at STARTDT, AVAL 1, even though PD follows on d(84) (P1) or
    # death on d(30) (P1b).
    adsl = adsl_of(
        [
            {"USUBJID": "P1", "TUBLFL": "N"},
            {"USUBJID": "P1b", "TUBLFL": "N", "DTHDT": d(30)},
            # outside EFFFL (no measurable disease) but with a baseline tumour assessment
            {"USUBJID": "P1c", "EFFFL": "N"},
            {"USUBJID": "P1d", "EFFFL": "N", "DTHDT": d(59)},
        ]
    )
    assess = assess_of(
        [("P1", 42, "SD"), ("P1", 84, "PD"), ("P1c", 42, "NON-CR/NON-PD"), ("P1c", 84, "PD")]
    )
    res = pfs(adsl, assess)
    for u in ("P1", "P1b"):
        out = one(res, u)
        assert (out["ADT"], out["AVAL"], out["CNSR"]) == (START, 1.0, 1)
        assert out["CNSDTDSC"] == CNS_NO_BASELINE
        assert (out["SRCDOM"], out["SRCVAR"]) == ("ADSL", "STARTDT")
    # non-target disease only (P1c): PD on d(84), 42 days after the NON-CR/NON-PD of d(42)
    # (not more than 84) -> event, AVAL 85; death on d(59) without an assessment (P1d),
    # 59 <= 84 days after start -> event, AVAL 60. Neither is censored for being outside EFFFL.
    p1c, p1d = one(res, "P1c"), one(res, "P1d")
    assert (p1c["ADT"], p1c["AVAL"], p1c["CNSR"], p1c["EVNTDESC"]) == (
        d(84),
        85.0,
        0,
        "Disease progression",
    )
    assert (p1d["ADT"], p1d["AVAL"], p1d["CNSR"], p1d["EVNTDESC"]) == (d(59), 60.0, 0, "Death")


def test_pfs_needs_the_baseline_tumour_assessment_flag():
    adsl = adsl_of([{"USUBJID": "P1"}]).drop(columns="TUBLFL")
    with pytest.raises(InputError, match="TUBLFL"):
        pfs(adsl, assess_of([]))


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
    assert out["CNSDTDSC"] == CNS_NEW_THERAPY["before"]
    assert (out["SRCDOM"], out["SRCVAR"]) == ("ADRS", "ADT")
    # with censor_at_new_therapy off the PD on d(126) is the event (gap 42 days), AVAL 127
    out = one(pfs(adsl, assess, censor_at_new_therapy=False), "P4")
    assert (out["ADT"], out["AVAL"], out["CNSR"]) == (d(126), 127.0, 0)
    assert out["EVNTDESC"] == "Disease progression"


def test_pfs_new_therapy_same_day_rules():
    # response.new_therapy_boundary "on_or_before" (ADT <= NACTDT counts):
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
    res = derive_pfs(adsl, assess, pfs=rules("on_or_before"), cutoff=CUTOFF)
    p11, p12 = one(res, "P11"), one(res, "P12")
    assert (p11["ADT"], p11["AVAL"], p11["CNSR"]) == (d(84), 85.0, 1)
    assert (p12["ADT"], p12["AVAL"], p12["CNSR"]) == (d(84), 85.0, 0)


def test_pfs_new_therapy_boundary_before_excludes_the_nactdt_day():
    # response.new_therapy_boundary "before" (the default; ADRS counts ADT < NACTDT): nothing
    # dated on the day new therapy starts counts, for PFS as for the BOR.
    # P11: SD d(42), SD d(84), new therapy d(84), PD d(120) -> censored at d(42), AVAL 43
    # P12: SD d(42), PD d(84), new therapy d(84): the PD is not before new therapy -> censored
    #      at d(42), AVAL 43
    # P13: SD d(84), PD d(126), new therapy d(84): no adequate assessment before d(84) ->
    #      censored at start, AVAL 1
    adsl = adsl_of([{"USUBJID": u, "NACTDT": d(84)} for u in ("P11", "P12", "P13")])
    assess = assess_of(
        [
            ("P11", 42, "SD"),
            ("P11", 84, "SD"),
            ("P11", 120, "PD"),
            ("P12", 42, "SD"),
            ("P12", 84, "PD"),
            ("P13", 84, "SD"),
            ("P13", 126, "PD"),
        ]
    )
    res = derive_pfs(adsl, assess, pfs=rules("before"), cutoff=CUTOFF)
    for u in ("P11", "P12"):
        out = one(res, u)
        assert (out["ADT"], out["AVAL"], out["CNSR"]) == (d(42), 43.0, 1)
        assert out["CNSDTDSC"] == CNS_NEW_THERAPY["before"]
        assert "before the start of new therapy" in out["CNSDTDSC"]
        assert "on or before the start" not in out["CNSDTDSC"]
    p13 = one(res, "P13")
    assert (p13["ADT"], p13["AVAL"], p13["CNSR"]) == (START, 1.0, 1)
    assert p13["CNSDTDSC"] == CNS_NEW_THERAPY_NONE["before"]


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
    # SD d(42); the next scans are due on d(84) and d(126), each with a window of +/- 7 days.
    # P6: PD d(126): gap 84 = (1 + 1) x 42: only d(84) was missed -> event, AVAL 127.
    # P6b (the late scan): PD d(127), gap 85: the d(126) scan was done one day late, inside
    #      its window, so again only d(84) was missed -> event, AVAL 128.
    # P6c: PD d(133), gap 91 = 84 + 7, the last day of the window -> event, AVAL 134.
    # P6d: PD d(134), gap 92 > 84 + 7: the d(126) window closed without a scan, two missed ->
    #      censored at d(42), AVAL 43.
    adsl = adsl_of([{"USUBJID": u} for u in ("P6", "P6b", "P6c", "P6d")])
    assess = assess_of(
        [("P6", 42, "SD"), ("P6", 126, "PD"), ("P6b", 42, "SD"), ("P6b", 127, "PD")]
        + [("P6c", 42, "SD"), ("P6c", 133, "PD"), ("P6d", 42, "SD"), ("P6d", 134, "PD")]
    )
    res = pfs(adsl, assess, visit_window_days=7)
    for u, k in (("P6", 126), ("P6b", 127), ("P6c", 133)):
        out = one(res, u)
        assert (out["ADT"], out["AVAL"], out["CNSR"]) == (d(k), k + 1.0, 0)
    p6d = one(res, "P6d")
    assert (p6d["ADT"], p6d["AVAL"], p6d["CNSR"]) == (d(42), 43.0, 1)
    assert p6d["CNSDTDSC"] == CNS_MISSED.format(k=1)
    # with a window of 0 days the late scan of d(127) (gap 85 > 84) follows two missed scans
    res0 = pfs(adsl, assess, visit_window_days=0)
    assert (one(res0, "P6")["CNSR"], one(res0, "P6b")["CNSR"]) == (0, 1)
    assert one(res0, "P6b")["ADT"] == d(42)


def test_pfs_no_postbaseline_rule_uses_the_missed_assessment_limit():
    # Without an adequate post-baseline assessment the limit counts from STARTDT and is the
    # one of the gap rule, (k + 1) x I + W. With k = 2 missed allowed, I = 42, W = 0 it is
    # 3 x 42 = 126 days:
    # Q1: no assessment, death d(100) (100 <= 126) -> event, AVAL 101
    # Q2: no assessment, death d(127) (127 > 126) -> censored at start, AVAL 1
    # Q3: SD d(42), death d(168) (gap 126) -> event, AVAL 169
    # Q4: SD d(42), death d(169) (gap 127 > 126) -> censored at d(42), AVAL 43
    adsl = adsl_of(
        [
            {"USUBJID": "Q1", "DTHDT": d(100)},
            {"USUBJID": "Q2", "DTHDT": d(127)},
            {"USUBJID": "Q3", "DTHDT": d(168)},
            {"USUBJID": "Q4", "DTHDT": d(169)},
        ]
    )
    assess = assess_of([("Q3", 42, "SD"), ("Q4", 42, "SD")])
    res = pfs(adsl, assess, max_missed_assessments=2)
    got = {u: (one(res, u)["ADT"], one(res, u)["AVAL"], one(res, u)["CNSR"]) for u in adsl.USUBJID}
    assert got == {
        "Q1": (d(100), 101.0, 0),
        "Q2": (START, 1.0, 1),
        "Q3": (d(168), 169.0, 0),
        "Q4": (d(42), 43.0, 1),
    }
    assert one(res, "Q2")["CNSDTDSC"] == CNS_NO_POSTBASELINE.format(k=3)
    assert one(res, "Q4")["CNSDTDSC"] == CNS_MISSED.format(k=2)
    # with k = 1 and a window of 7 days the limit is 2 x 42 + 7 = 91 days from start:
    # death d(91) -> event, AVAL 92; death d(92) -> censored at start
    adsl = adsl_of([{"USUBJID": "Q5", "DTHDT": d(91)}, {"USUBJID": "Q6", "DTHDT": d(92)}])
    res = pfs(adsl, assess_of([]), visit_window_days=7)
    assert (one(res, "Q5")["AVAL"], one(res, "Q5")["CNSR"]) == (92.0, 0)
    assert (one(res, "Q6")["AVAL"], one(res, "Q6")["CNSR"]) == (1.0, 1)


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


def test_subjects_without_baseline_are_logged():
    # B2 has no baseline tumour assessment: one "flagged" row naming TUBLFL; N1 (no STARTDT)
    # is logged by subjects_without_start instead
    adsl = adsl_of(
        [
            {"USUBJID": "B1"},
            {"USUBJID": "B2", "TUBLFL": "N"},
            {"USUBJID": "N1", "STARTDT": pd.NaT, "TUBLFL": "N"},
        ]
    )
    issues = subjects_without_baseline(adsl)
    assert issues[["usubjid", "variable", "action"]].values.tolist() == [
        ["B2", "TUBLFL", "flagged"]
    ]
    assert "PFS censored at STARTDT" in issues["reason"].iloc[0]
    assert sorted(adtte_issues(adsl)["usubjid"]) == ["B2", "N1"]


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
    res = derive_dor(adsl, assess, adrs, **ADTTE_OPTS)
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
    out = one(derive_dor(adsl, assess, adrs, **ADTTE_OPTS), "R4")
    assert (out["ADT"], out["AVAL"], out["CNSR"]) == (d(42), 1.0, 1)
    assert out["CNSDTDSC"] == CNS_MISSED.format(k=1)


def test_ttr_responders_only_all_events():
    adsl, _, adrs = _responders()
    res = derive_ttr(adsl, adrs, response=response_rules(), cutoff=CUTOFF)
    assert sorted(res["USUBJID"]) == ["R1", "R2"]
    # response on d(42): AVAL 43, always an event
    assert list(res["AVAL"]) == [43.0, 43.0] and list(res["CNSR"]) == [0, 0]


def test_dor_and_ttr_follow_confirmation_required():
    # U1: PR d(42), SD d(84), PR d(126), PR d(168), PD d(210). First CR/PR d(42) (RSP date);
    #     first confirmed PR d(126), confirmed 42 >= 28 days later on d(168) (CRSP date).
    # U2: PR d(42), SD d(84), PD d(126): an unconfirmed responder (RSP Y, CRSP N).
    adsl = adsl_of([{"USUBJID": "U1"}, {"USUBJID": "U2"}])
    assess = assess_of(
        [("U1", 42, "PR"), ("U1", 84, "SD"), ("U1", 126, "PR"), ("U1", 168, "PR")]
        + [("U1", 210, "PD"), ("U2", 42, "PR"), ("U2", 84, "SD"), ("U2", 126, "PD")]
    )
    adrs = pd.DataFrame(
        {
            "USUBJID": ["U1", "U1", "U2", "U2"],
            "PARAMCD": ["RSP", "CRSP", "RSP", "CRSP"],
            "AVALC": ["Y", "Y", "Y", "N"],
            "ADT": [d(42), d(126), d(42), pd.NaT],
        }
    )
    # confirmation required: U1 only, from d(126); PD d(210) 42 days after the PR of d(168)
    # -> event, DOR AVAL 210 - 126 + 1 = 85; TTR AVAL 127
    conf = response_rules(True)
    dor = derive_dor(adsl, assess, adrs, pfs=rules(), response=conf, cutoff=CUTOFF)
    ttr = derive_ttr(adsl, adrs, response=conf, cutoff=CUTOFF)
    assert list(dor["USUBJID"]) == list(ttr["USUBJID"]) == ["U1"]
    assert (one(dor, "U1")["STARTDT"], one(dor, "U1")["AVAL"], one(dor, "U1")["CNSR"]) == (
        d(126),
        85.0,
        0,
    )
    assert one(ttr, "U1")["AVAL"] == 127.0
    assert one(ttr, "U1")["EVNTDESC"] == "Confirmed response (CR or PR)"
    # confirmation not required: both, from the first CR/PR d(42), like the unconfirmed ORR.
    # U1: PD d(210) -> DOR AVAL 210 - 42 + 1 = 169; U2: PD d(126), 42 days after the SD of
    # d(84) -> event, DOR AVAL 126 - 42 + 1 = 85; TTR AVAL 43 for both
    unconf = response_rules(False)
    dor = derive_dor(adsl, assess, adrs, pfs=rules(), response=unconf, cutoff=CUTOFF)
    ttr = derive_ttr(adsl, adrs, response=unconf, cutoff=CUTOFF)
    got = {
        u: (one(dor, u)["STARTDT"], one(dor, u)["AVAL"], one(dor, u)["CNSR"]) for u in ("U1", "U2")
    }
    assert got == {"U1": (d(42), 169.0, 0), "U2": (d(42), 85.0, 0)}
    assert list(ttr["AVAL"]) == [43.0, 43.0]
    assert set(ttr["EVNTDESC"]) == {"Response (CR or PR)"}


def test_pfs_pd_date_is_the_first_pd_ovr_record_as_given():
    # RECIST 1.1 §4.3.2: an equivocal new lesion at d(84), confirmed at d(126), dates PD to
    # d(84); the response derivation then writes PD on the d(84) OVR record, and PFS takes the
    # first PD OVR record as it is: event on d(84), AVAL 85.
    adsl, _, adrs = _responders()
    ovr = assess_of([("R3", 42, "SD"), ("R3", 84, "PD"), ("R3", 126, "PD")]).assign(PARAMCD="OVR")
    res = derive_adtte(adsl, None, pd.concat([adrs, ovr], ignore_index=True), **ADTTE_OPTS)
    out = res[(res["PARAMCD"] == "PFS") & (res["USUBJID"] == "R3")].iloc[0]
    assert (out["ADT"], out["AVAL"], out["CNSR"], out["SRCDOM"]) == (d(84), 85.0, 0, "ADRS")


def test_derive_adtte_all_parameters_sorted():
    adsl, assess, adrs = _responders()
    res = derive_adtte(adsl, assess, adrs, **ADTTE_OPTS)
    assert list(res["PARAMCD"]) == ["OS"] * 3 + ["PFS"] * 3 + ["DOR"] * 2 + ["TTR"] * 2
    # PFS for R1: PD d(168), last adequate before it d(84), gap 84 -> event, AVAL 169
    pfs_r1 = res[(res["PARAMCD"] == "PFS") & (res["USUBJID"] == "R1")].iloc[0]
    assert (pfs_r1["AVAL"], pfs_r1["CNSR"]) == (169.0, 0)
    for col in ("COHORT", "EFFFL", "ENRLFL"):
        assert col in res.columns
    # byte-stable: a second call gives the same frame
    pd.testing.assert_frame_equal(res, derive_adtte(adsl, assess, adrs, **ADTTE_OPTS))


def test_missing_column_is_input_error():
    adsl = adsl_of([{"USUBJID": "X"}]).drop(columns="NACTDT")
    with pytest.raises(InputError, match="NACTDT"):
        derive_os(adsl, cutoff=CUTOFF)


def test_adtte_uses_adrs_ovr_when_no_assessments_given():
    adsl, assess, adrs = _responders()
    ovr = assess.assign(PARAMCD="OVR")
    res = derive_adtte(adsl, None, pd.concat([adrs, ovr], ignore_index=True), **ADTTE_OPTS)
    pd.testing.assert_frame_equal(res, derive_adtte(adsl, assess, adrs, **ADTTE_OPTS))

"""Efficacy ARD on a small hand-built ADSL / ADRS / ADTTE with hand-worked expectations."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from tests.conftest import trial_options
from trialflow.ard.efficacy import (
    bor_table_ard,
    design_ard,
    efficacy_ard,
    km_ard,
    response_rates_ard,
    subgroup_ard,
)
from trialflow.ard_table import ARD_COLUMNS, ard_value
from trialflow.errors import InputError

# 20 evaluable subjects E01..E20 (EFFFL Y), enrolled E01 first (TRTSDT 2021-01-01 + i days),
# plus two enrolled but not evaluable subjects N01, N02 (EFFFL N).
EVAL = [f"E{i:02d}" for i in range(1, 21)]
# Confirmed BOR (CBOR) of E01..E20: CR 1, PR 2, SD 7, PD 6, NE 2, MISSING 2 (= 20)
CBOR = ["CR", "PR", "PR"] + ["SD"] * 7 + ["PD"] * 6 + ["NE"] * 2 + ["MISSING"] * 2
# Unconfirmed BOR: two of the SDs were unconfirmed PRs: CR 1, PR 4, SD 5, PD 6, NE 2, MISSING 2
BOR = ["CR", "PR", "PR", "PR", "PR"] + ["SD"] * 5 + ["PD"] * 6 + ["NE"] * 2 + ["MISSING"] * 2
# Durable SD counted as clinical benefit for E04..E06: CCB = 3 responders + 3 = 6
CCB_SUBJ = {"E01", "E02", "E03", "E04", "E05", "E06"}


EARLY_CUTOFF = "2021-03-01"
"""An interim cutoff: every subject has 40 to 60 days of follow-up, short of the design's
168-day response window plus the 28-day confirmation (196 days)."""
LATE_CUTOFF = "2021-09-01"
"""A cutoff at which every subject has at least 196 days of follow-up (E01 starts 2021-01-01,
the last EFFFL subject E20 2021-01-20: 2021-09-01 - 2021-01-20 + 1 = 225 days)."""


def make_adsl(
    responders_late: bool = False,
    *,
    cutoff: str = EARLY_CUTOFF,
    order: list[str] | None = None,
    off_study: tuple[str, ...] = (),
) -> pd.DataFrame:
    """ADSL; with `responders_late` the three confirmed responders E01-E03 are enrolled last
    (TRTSDT after everyone else), so enrolment order differs from USUBJID order. `order`
    lists subjects enrolled first, in that order (the rest follow). `off_study` subjects have
    EOSSTT DISCONTINUED. STARTDT = TRTSDT; nobody died or started a new therapy."""
    ids = EVAL + ["N01", "N02"]
    trtsdt = [pd.Timestamp("2021-01-01") + pd.Timedelta(days=i) for i in range(len(ids))]
    if responders_late:
        trtsdt[0:3] = [pd.Timestamp("2021-06-01") + pd.Timedelta(days=i) for i in range(3)]
    if order is not None:
        rest = [u for u in ids if u not in order]
        days = {u: i for i, u in enumerate(list(order) + rest)}
        trtsdt = [pd.Timestamp("2021-01-01") + pd.Timedelta(days=days[u]) for u in ids]
    start = pd.to_datetime(trtsdt).astype("datetime64[ns]")
    return pd.DataFrame(
        {
            "STUDYID": "S1",
            "USUBJID": ids,
            # COHORT B holds E01 (a responder) and E20 only: a small level
            "COHORT": ["B"] + ["A"] * 18 + ["B"] + ["A", "A"],
            "TRTSDT": start,
            "STARTDT": start,
            "EFFFL": ["Y"] * 20 + ["N", "N"],
            "ENRLFL": "Y",
            "DTHDT": pd.Series(pd.NaT, index=range(len(ids)), dtype="datetime64[ns]"),
            "EOSSTT": ["DISCONTINUED" if u in off_study else "ONGOING" for u in ids],
            "NACTDT": pd.Series(pd.NaT, index=range(len(ids)), dtype="datetime64[ns]"),
            "CUTOFFDT": pd.Timestamp(cutoff),
        }
    )


def make_adrs() -> pd.DataFrame:
    ids = EVAL + ["N01", "N02"]
    cbor = CBOR + ["MISSING", "MISSING"]
    bor = BOR + ["MISSING", "MISSING"]
    rows = []
    for i, u in enumerate(ids):
        crsp = "Y" if cbor[i] in ("CR", "PR") else "N"
        rsp = "Y" if bor[i] in ("CR", "PR") else "N"
        dcr = "Y" if cbor[i] in ("CR", "PR", "SD", "NON-CR/NON-PD") else "N"
        ccb = "Y" if u in CCB_SUBJ else "N"
        # N01 is a responder outside EFFFL: it must not count anywhere
        if u == "N01":
            crsp = rsp = dcr = ccb = "Y"
        for paramcd, value in (
            ("CBOR", cbor[i]),
            ("BOR", bor[i]),
            ("CRSP", crsp),
            ("RSP", rsp),
            ("DCR", dcr),
            ("CCB", ccb),
            ("CB", ccb),
        ):
            rows.append({"USUBJID": u, "PARAMCD": paramcd, "AVALC": value})
    return pd.DataFrame(rows)


# PFS (months) of 8 ENRLFL subjects; event 1, censored 0:
PFS_T = [1, 2, 3, 4, 5, 6, 7, 8]
PFS_E = [1, 0, 1, 1, 0, 1, 1, 0]
# KM by hand: t=1: 7/8 = 0.875; t=3 (6 at risk): 0.875*5/6 = 0.7291667; t=4 (5 at risk):
# *4/5 = 0.5833333; t=6 (3 at risk): *2/3 = 0.3888889 -> median 6 (first S <= 0.5).
# At 4.5 months: S = 0.5833333, at risk 4 (times 5, 6, 7, 8).
# Two ENRLFL "N" rows with events at 0.5 months must be left out; with them the median
# would be 4 (S: 0.8, 0.7, 0.5833, 0.4667).


def make_adtte() -> pd.DataFrame:
    ids = EVAL[:8] + ["X1", "X2"]
    t = PFS_T + [0.5, 0.5]
    e = PFS_E + [1, 1]
    cohort = ["B"] + ["A"] * 7 + ["A", "A"]
    pfs = pd.DataFrame(
        {
            "USUBJID": ids,
            "PARAMCD": "PFS",
            "AVALM": np.array(t, dtype=float),
            "AVAL": np.array(t, dtype=float) * 30.4375,
            "CNSR": [1 - x for x in e],
            "ENRLFL": ["Y"] * 8 + ["N", "N"],
            "EFFFL": ["Y"] * 8 + ["N", "N"],
            "COHORT": cohort,
        }
    )
    os_ = pfs.assign(PARAMCD="OS")
    return pd.concat([os_, pfs], ignore_index=True)


def num(ard: pd.DataFrame, **where: str) -> float:
    text = ard_value(ard, **where)
    return math.nan if text == "" else float(text)


def test_response_rates_clopper_pearson_and_binomial_test():
    ard = response_rates_ard(
        make_adrs(), make_adsl(), conf_level=0.95, method="clopper-pearson", p0=0.05
    )
    assert list(ard.columns) == ARD_COLUMNS
    orr = ard[ard["parameter"] == "CRSP"]
    # 3 confirmed responders of 20 evaluable (N01 is not evaluable)
    assert num(orr, stat="n") == 3 and num(orr, stat="N") == 20
    assert num(orr, stat="estimate") == pytest.approx(0.15)
    # Clopper-Pearson by beta quantiles: Beta(0.025; 3, 18) and Beta(0.975; 4, 17)
    assert num(orr, stat="lower") == pytest.approx(stats.beta.ppf(0.025, 3, 18), abs=1e-9)
    assert num(orr, stat="upper") == pytest.approx(stats.beta.ppf(0.975, 4, 17), abs=1e-9)
    # exact one-sided p = P(X >= 3 | 20, 0.05) = 1 - sum_{k<=2} C(20,k) .05^k .95^(20-k)
    p = 1 - sum(math.comb(20, k) * 0.05**k * 0.95 ** (20 - k) for k in range(3))
    assert num(orr, stat="p_value") == pytest.approx(p, rel=1e-8)
    assert set(orr["population"]) == {"EFFFL"}
    assert set(orr["filter"]) == {"PARAMCD == 'CRSP' and EFFFL == 'Y'"}
    # unconfirmed ORR 5/20, DCR (CR+PR+SD confirmed) 10/20, CBR 6/20
    assert num(ard, parameter="RSP", stat="estimate") == pytest.approx(0.25)
    assert num(ard, parameter="DCR", stat="n") == 10
    assert num(ard, parameter="CCB", stat="n") == 6 and num(ard, parameter="CCB", stat="N") == 20


def test_missing_adrs_record_is_an_error():
    adrs = make_adrs()
    adrs = adrs[~((adrs["USUBJID"] == "E05") & (adrs["PARAMCD"] == "DCR"))]
    with pytest.raises(InputError, match="E05"):
        response_rates_ard(adrs, make_adsl(), conf_level=0.95, method="clopper-pearson", p0=None)


def test_bor_table_fixed_order_counts_and_percent():
    ard = bor_table_ard(make_adrs(), make_adsl())
    cb = ard[(ard["parameter"] == "CBOR") & (ard["stat"] == "n")]
    assert list(cb["group_level"]) == ["CR", "PR", "SD", "NON-CR/NON-PD", "PD", "NE", "MISSING"]
    assert list(cb["value"]) == ["1", "2", "7", "0", "6", "2", "2"]
    # PR 2/20 = 10%
    assert num(ard, parameter="CBOR", group_level="PR", stat="pct") == pytest.approx(10.0)
    b = ard[(ard["parameter"] == "BOR") & (ard["stat"] == "n")]
    assert list(b["value"]) == ["1", "4", "5", "0", "6", "2", "2"]
    assert num(ard, parameter="BOR", stat="N") == 20


def test_km_ard_median_landmark_population():
    ard = km_ard(
        make_adtte(), paramcd="PFS", conf_level=0.95, conf_type="log-log", landmarks_months=[4.5]
    )
    assert num(ard, stat="n") == 8 and num(ard, stat="events") == 5
    assert num(ard, stat="censored") == 3
    assert num(ard, stat="median") == pytest.approx(6.0)
    assert num(ard, stat="surv_4.5m") == pytest.approx(0.5833333333, abs=1e-9)
    assert num(ard, stat="n_risk_4.5m") == 4
    assert set(ard["population"]) == {"ENRLFL"}
    # follow-up by reverse KM: the censorings at 2, 5, 8 are the "events". At 2: 7 at risk
    # (times >= 2) -> S = 6/7; at 5: 4 at risk -> 6/7 * 3/4 = 0.643; at 8: 1 at risk -> 0;
    # so the median (first S <= 0.5) is 8
    assert num(ard, stat="followup_median") == pytest.approx(8.0)
    assert ard_value(ard, stat="conf_type") == "log-log"


def test_subgroup_levels_and_small_n_flag():
    ard = subgroup_ard(
        make_adrs(),
        make_adtte(),
        make_adsl(),
        subgroups=["COHORT"],
        conf_level=0.95,
        method="clopper-pearson",
        surv_conf_level=0.95,
        conf_type="log-log",
        min_n=5,
        response_param="CRSP",
    )
    orr = ard[ard["analysis"] == "subgroup_orr"]
    # COHORT B among evaluable: E01 (CR) and E20 (MISSING): 1/2, flagged small
    assert num(orr, group_level="B", stat="estimate") == pytest.approx(0.5)
    assert ard_value(orr, group_level="B", stat="small_n_flag") == "Y"
    # COHORT A: 18 evaluable, responders E02, E03 -> 2/18
    assert num(orr, group_level="A", stat="n") == 2 and num(orr, group_level="A", stat="N") == 18
    assert ard_value(orr, group_level="A", stat="small_n_flag") == "N"
    pfs = ard[ard["analysis"] == "subgroup_pfs"]
    # PFS cohort A (ENRLFL): E02..E08 with times 2..8, events at 3, 4, 6, 7:
    # 7 at risk; t=3 (6 at risk): 5/6; t=4: *4/5 = 0.6667; t=6 (3 at risk): *2/3 = 0.4444
    # -> median 6
    assert num(pfs, group_level="A", stat="median") == pytest.approx(6.0)
    assert num(pfs, group_level="B", stat="n") == 1
    assert ard_value(pfs, group_level="B", stat="small_n_flag") == "Y"


SIMON = {"endpoint": "ORR", "kind": "simon_two_stage", "variant": "optimal"}
SIMON.update({"p0": 0.10, "p1": 0.30, "alpha": 0.05, "power": 0.80, "response_window_days": 168})
# the analysis options every call states (no defaults in the library): 95% CIs, log-log KM CI,
# a 28-day confirmation window
DESIGN_OPTIONS = {
    "conf_level": 0.95,
    "conf_type": "log-log",
    "rates_conf_level": 0.95,
    "confirmation_days": 28,
}
# Simon (1989) Table 1, optimal, p0 .10, p1 .30, alpha .05, power .80: r1/n1 = 1/10, r/n = 5/29


def test_design_simon_stage1_incomplete_until_n1_final():
    # Early cutoff: of the first 10 evaluable (E01-E10) only the confirmed responders E01-E03
    # are final; E04-E10 (SD) are on study, alive, without PD, with 40-50 days of follow-up
    # (< 168 + 28): pending. 3 responses > r1 = 1 already, but no decision until 10 are final.
    ard = design_ard(SIMON, make_adrs(), make_adsl(), make_adtte(), **DESIGN_OPTIONS)
    assert (num(ard, stat="n1"), num(ard, stat="r1")) == (10, 1)
    assert ard_value(ard, stat="stage1_status") == "incomplete: 3 of 10 final"
    assert ard_value(ard, stat="stage1_decision") == "incomplete"
    assert ard_value(ard, stat="final_decision") == "incomplete"
    assert "stage 1 incomplete: 3 of 10 final, no decision yet" in ard_value(ard, stat="sentence")


def test_design_subjects_without_a_scan_are_pending_not_non_responders():
    # E19 and E20 (CBOR MISSING: no post-baseline scan) are enrolled first, then E04-E11.
    # E04-E10 (SD) went off study (final), E11 progressed (final). Counting E19 and E20 as
    # non-responders would give 0 responses in 10 <= r1 = 1: stop. They are pending: 8 of 10.
    order = ["E19", "E20", "E04", "E05", "E06", "E07", "E08", "E09", "E10", "E11"]
    off = ("E04", "E05", "E06", "E07", "E08", "E09", "E10")
    ard = design_ard(
        SIMON, make_adrs(), make_adsl(order=order, off_study=off), make_adtte(), **DESIGN_OPTIONS
    )
    assert ard_value(ard, stat="stage1_status") == "incomplete: 8 of 10 final"
    assert ard_value(ard, stat="stage1_decision") == "incomplete"
    # the ORR keeps its ITT denominator: 3 of 20
    rates = response_rates_ard(
        make_adrs(),
        make_adsl(order=order, off_study=off),
        conf_level=0.95,
        method="clopper-pearson",
        p0=None,
    )
    assert num(rates, parameter="CRSP", stat="N") == 20


def test_design_simon_stage1_continue():
    # Late cutoff: every subject has >= 196 days of follow-up, so all 20 are final.
    # E01-E03 enrolled first: 3 responses in the first 10 > r1 = 1: continue.
    ard = design_ard(
        SIMON, make_adrs(), make_adsl(cutoff=LATE_CUTOFF), make_adtte(), **DESIGN_OPTIONS
    )
    assert num(ard, stat="stage1_responses") == 3
    assert ard_value(ard, stat="stage1_decision") == "continue"
    # only 20 of n = 29 subjects are enrolled (all final): the final analysis waits
    assert num(ard, stat="n_final") == 20
    assert ard_value(ard, stat="final_status") == "incomplete: 20 of 29 final"
    assert ard_value(ard, stat="final_decision") == "incomplete"
    assert "stage 1 continued" in ard_value(ard, stat="sentence")


def test_design_simon_stage1_stop():
    # responders enrolled last (TRTSDT in June): the first 10 by TRTSDT are E04-E13 (SD, PD),
    # all final at the late cutoff, with no response: 0 <= r1 = 1 -> stop; by USUBJID order
    # it would have continued. Design-adjusted inference after a stage-1 stop with X1 = 0:
    # p = P(X1 >= 0) = 1, UMVUE = 0/10.
    adsl = make_adsl(responders_late=True, cutoff=LATE_CUTOFF)
    ard = design_ard(SIMON, make_adrs(), adsl, make_adtte(), **DESIGN_OPTIONS)
    assert num(ard, stat="stage1_responses") == 0
    assert ard_value(ard, stat="stage1_decision") == "stop"
    assert ard_value(ard, stat="final_decision") == "not promising"
    assert num(ard, stat="p_value_stagewise") == pytest.approx(1.0)
    assert num(ard, stat="umvue") == 0.0
    # 10 more subjects (E14-E20 and E01-E03) enrolled beyond n1 are over-run
    assert num(ard, stat="overrun") == 10
    assert "stops for futility" in ard_value(ard, stat="sentence")


def test_design_per_cohort_and_pooled():
    # cohort variable COHORT: A (18 subjects) and B (E01, E20); B gets a single-stage design
    # with p0 = 0.5, p1 = 0.9: n = 7 fails (r = 5: P0(X >= 6) = 8/128 > 0.05; r = 6: power
    # 0.9^7 = 0.478); n = 8, r = 6: P0(X >= 7) = 9/256 = 0.035, power 0.9^8 + 8(0.9^7)(0.1) =
    # 0.813. B has 2 of 8 subjects: incomplete.
    design = dict(SIMON) | {
        "cohort_variable": "COHORT",
        "pooled": True,
        "cohorts": {"B": {"kind": "single_stage_binomial", "p0": 0.5, "p1": 0.9}},
    }
    ard = design_ard(
        design, make_adrs(), make_adsl(cutoff=LATE_CUTOFF), make_adtte(), **DESIGN_OPTIONS
    )
    assert sorted(set(zip(ard["group_var"], ard["group_level"], strict=True))) == [
        ("", ""),
        ("COHORT", "A"),
        ("COHORT", "B"),
    ]
    pooled = ard[ard["group_level"] == ""]
    assert ard_value(pooled, stat="kind") == "simon_two_stage"
    b = ard[ard["group_level"] == "B"]
    assert ard_value(b, stat="kind") == "single_stage_binomial"
    assert num(b, stat="n_final") == 2 and ard_value(b, stat="final_decision") == "incomplete"
    # cohort A, enrolment order E02..E19: E02, E03 respond; first 10 = E02-E11: 2 > 1
    a = ard[ard["group_level"] == "A"]
    assert ard_value(a, stat="stage1_decision") == "continue"
    assert num(a, stat="stage1_responses") == 2


def test_landmark_past_follow_up_is_ne():
    # PFS times 1..8 months, the last (8) censored: at 12 months nobody is under observation
    # and S(7) = 0.3888889 * 1/2 (event at 7 with 2 at risk) = 0.1944444 would only be carried
    # forward: NE (empty). km_summary keeps R's
    # summary(..., extend=TRUE) value; the ARD does not report it.
    from trialflow.stats.survival import km_summary

    ard = km_ard(
        make_adtte(),
        paramcd="PFS",
        conf_level=0.95,
        conf_type="log-log",
        landmarks_months=[4.5, 12],
    )
    assert ard_value(ard, stat="surv_12m") == ""
    assert ard_value(ard, stat="surv_12m_lower") == ""
    assert num(ard, stat="n_risk_12m") == 0
    assert num(ard, stat="surv_4.5m") == pytest.approx(0.5833333333, abs=1e-9)
    km = km_summary(PFS_T, PFS_E, timepoints=[12])
    assert km["timepoints"]["survival"].iloc[0] == pytest.approx(0.1944444444, abs=1e-9)


def test_design_landmark_past_follow_up_is_not_estimable():
    design = {"endpoint": "PFS", "kind": "one_sample_logrank", "alpha": 0.05}
    design.update({"historical_median_months": 3.0, "landmark_months": 12})
    design["historical_landmark_rate"] = 0.25
    ard = design_ard(design, make_adrs(), make_adsl(), make_adtte(), **DESIGN_OPTIONS)
    assert ard_value(ard, stat="landmark_comparison") == "not estimable"
    assert ard_value(ard, stat="landmark_survival") == ""
    assert "12-month PFS not estimable" in ard_value(ard, stat="sentence")


def test_design_one_sample_logrank_pfs():
    design = {"endpoint": "PFS", "kind": "one_sample_logrank", "alpha": 0.05}
    design.update({"historical_median_months": 3.0, "landmark_months": 4.5})
    design["historical_landmark_rate"] = 0.25
    ard = design_ard(
        design,
        make_adrs(),
        make_adsl(),
        make_adtte(),
        **DESIGN_OPTIONS,
        response_param="CRSP",
    )
    # O = 5 events; E = sum(t) * ln2 / 3 = 36 ln2 / 3 = 12 ln2; z = (E - O) / sqrt(E)
    e = 12 * math.log(2)
    z = (e - 5) / math.sqrt(e)
    assert num(ard, stat="O") == 5 and num(ard, stat="E") == pytest.approx(e)
    assert num(ard, stat="p_value") == pytest.approx(stats.norm.sf(z), rel=1e-8)
    assert num(ard, stat="landmark_survival") == pytest.approx(0.5833333333, abs=1e-9)
    # E = 8.318, z = 3.318 / 2.884 = 1.150, p = sf(1.150) = 0.125 > 0.05: not promising
    assert ard_value(ard, stat="final_decision") == "not promising"
    assert "historical" in ard_value(ard, stat="sentence")


def run_efficacy(adsl, adrs, adtte, trial):
    """efficacy_ard with the typed options of `trial` (sections of a trial file; the schema
    fills the rest)."""
    o = trial_options(**trial)
    return efficacy_ard(
        adsl,
        adrs,
        adtte,
        response=o.response,
        rates=o.rates,
        survival=o.survival,
        design=o.design,
        subgroups=o.subgroups,
    )


def test_efficacy_ard_end_to_end_and_stable():
    trial = {
        "rates": {"ci_method": "clopper-pearson", "conf_level": 0.95},
        "survival": {"conf_type": "log-log", "conf_level": 0.95, "landmarks_months": [6, 12]},
        "design": SIMON,
        "subgroups": ["COHORT"],
    }
    adsl, adrs, adtte = make_adsl(), make_adrs(), make_adtte()
    # add DOR/TTR rows for the responders among the 8 (E01-E03): DOR 2, 3(c), 4 months
    extra = pd.DataFrame(
        {
            "USUBJID": ["E01", "E02", "E03"] * 2,
            "PARAMCD": ["DOR"] * 3 + ["TTR"] * 3,
            "AVALM": [2.0, 3.0, 4.0, 1.5, 1.5, 3.0],
            "AVAL": 0.0,
            "CNSR": [0, 1, 0, 0, 0, 0],
            "ENRLFL": "Y",
            "EFFFL": "Y",
            "COHORT": ["B", "A", "A"] * 2,
        }
    )
    adtte = pd.concat([adtte, extra], ignore_index=True)
    ard = run_efficacy(adsl, adrs, adtte, trial)
    assert list(ard.columns) == ARD_COLUMNS
    assert num(ard, analysis="orr", parameter="CRSP", stat="estimate") == pytest.approx(0.15)
    assert num(ard, analysis="km", parameter="PFS", stat="median") == pytest.approx(6.0)
    # DOR KM: events at 2 and 4, censored at 3: S(2) = 2/3, S(4) = 0 -> median 4
    assert num(ard, analysis="km", parameter="DOR", stat="median") == pytest.approx(4.0)
    assert ard_value(ard, analysis="km", parameter="DOR", stat="n") == "3"
    # TTR: median of 1.5, 1.5, 3 = 1.5
    assert num(ard, analysis="ttr", stat="median") == pytest.approx(1.5)
    assert ard_value(ard, analysis="design", stat="stage1_decision") == "incomplete"
    pd.testing.assert_frame_equal(ard, run_efficacy(adsl, adrs, adtte, trial))
    assert ard.to_csv(index=False) == run_efficacy(adsl, adrs, adtte, trial).to_csv(index=False)


def test_unconfirmed_responses_drive_design_when_confirmation_not_required():
    # responders late by TRTSDT: confirmed (CRSP) stage 1 has 0 responses -> stop; but E04 and
    # E05 (enrolled 1st and 2nd) are unconfirmed PRs (RSP Y): 2 > r1 = 1 -> continue
    trial = {"design": SIMON, "response": {"confirmation": {"required": False}}}
    adsl = make_adsl(responders_late=True, cutoff=LATE_CUTOFF)
    ard = run_efficacy(adsl, make_adrs(), make_adtte(), trial)
    design = ard[ard["analysis"] == "design"]
    assert set(design["parameter"]) == {"RSP"}
    assert ard_value(design, stat="stage1_responses") == "2"
    assert ard_value(design, stat="stage1_decision") == "continue"
    trial["response"]["confirmation"]["required"] = True
    ard = run_efficacy(adsl, make_adrs(), make_adtte(), trial)
    assert ard_value(ard, analysis="design", stat="stage1_decision") == "stop"

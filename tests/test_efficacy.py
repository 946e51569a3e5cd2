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


def make_adsl(responders_late: bool = False) -> pd.DataFrame:
    """ADSL; with `responders_late` the three confirmed responders E01-E03 are enrolled last
    (TRTSDT after everyone else), so enrolment order differs from USUBJID order."""
    ids = EVAL + ["N01", "N02"]
    trtsdt = [pd.Timestamp("2021-01-01") + pd.Timedelta(days=i) for i in range(len(ids))]
    if responders_late:
        trtsdt[0:3] = [pd.Timestamp("2021-06-01") + pd.Timedelta(days=i) for i in range(3)]
    return pd.DataFrame(
        {
            "STUDYID": "S1",
            "USUBJID": ids,
            # COHORT B holds E01 (a responder) and E20 only: a small level
            "COHORT": ["B"] + ["A"] * 18 + ["B"] + ["A", "A"],
            "TRTSDT": pd.to_datetime(trtsdt).astype("datetime64[ns]"),
            "EFFFL": ["Y"] * 20 + ["N", "N"],
            "ENRLFL": "Y",
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
SIMON.update({"p0": 0.10, "p1": 0.30, "alpha": 0.05, "power": 0.80})
# Simon (1989) Table 1, optimal, p0 .10, p1 .30, alpha .05, power .80: r1/n1 = 1/10, r/n = 5/29


def test_design_simon_stage1_continue():
    # responders E01-E03 enrolled first: 3 responses in the first 10 evaluable > r1 = 1
    ard = design_ard(
        SIMON,
        make_adrs(),
        make_adsl(),
        make_adtte(),
        conf_level=0.95,
        conf_type="log-log",
        response_param="CRSP",
    )
    assert (num(ard, stat="n1"), num(ard, stat="r1")) == (10, 1)
    assert num(ard, stat="stage1_responses") == 3
    assert ard_value(ard, stat="stage1_decision") == "continue"
    # 20 of 29 evaluable, 3 responses <= r = 5 and 3 + 9 remaining > 5: not yet decided
    assert num(ard, stat="n_evaluable") == 20
    assert ard_value(ard, stat="final_decision") == "incomplete"
    assert "continue to stage 2" in ard_value(ard, stat="sentence")


def test_design_simon_stage1_stop():
    # responders enrolled last (TRTSDT in June): the first 10 evaluable by TRTSDT are E04-E13
    # with no response: 0 <= r1 = 1 -> stop; by USUBJID order it would have continued
    ard = design_ard(
        SIMON,
        make_adrs(),
        make_adsl(responders_late=True),
        make_adtte(),
        conf_level=0.95,
        conf_type="log-log",
        response_param="CRSP",
    )
    assert num(ard, stat="stage1_responses") == 0
    assert ard_value(ard, stat="stage1_decision") == "stop"
    assert ard_value(ard, stat="final_decision") == "not promising"
    assert "stop for futility" in ard_value(ard, stat="sentence")


def test_design_one_sample_logrank_pfs():
    design = {"endpoint": "PFS", "kind": "one_sample_logrank", "alpha": 0.05}
    design.update({"historical_median_months": 3.0, "landmark_months": 4.5})
    design["historical_landmark_rate"] = 0.25
    ard = design_ard(
        design,
        make_adrs(),
        make_adsl(),
        make_adtte(),
        conf_level=0.95,
        conf_type="log-log",
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
    assert ard_value(ard, analysis="design", stat="stage1_decision") == "continue"
    pd.testing.assert_frame_equal(ard, run_efficacy(adsl, adrs, adtte, trial))
    assert ard.to_csv(index=False) == run_efficacy(adsl, adrs, adtte, trial).to_csv(index=False)


def test_unconfirmed_responses_drive_design_when_confirmation_not_required():
    # responders late by TRTSDT: confirmed (CRSP) stage 1 has 0 responses -> stop; but E04 and
    # E05 (enrolled 1st and 2nd) are unconfirmed PRs (RSP Y): 2 > r1 = 1 -> continue
    trial = {"design": SIMON, "response": {"confirmation": {"required": False}}}
    adsl = make_adsl(responders_late=True)
    ard = run_efficacy(adsl, make_adrs(), make_adtte(), trial)
    design = ard[ard["analysis"] == "design"]
    assert set(design["parameter"]) == {"RSP"}
    assert ard_value(design, stat="stage1_responses") == "2"
    assert ard_value(design, stat="stage1_decision") == "continue"
    trial["response"]["confirmation"]["required"] = True
    ard = run_efficacy(adsl, make_adrs(), make_adtte(), trial)
    assert ard_value(ard, analysis="design", stat="stage1_decision") == "stop"

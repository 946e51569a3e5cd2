"""ADTR (PARAMCD SLD): sums, change from baseline, nadir, completeness and best % change.

Simulator layout: LDIAM for non-nodal targets, SAXIS for nodes. Numbers worked by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tests.conftest import trial_options
from trialflow.adam.adtr import derive_adtr, select_evaluator

RULES = trial_options().response
NO_ADRS = pd.DataFrame({"USUBJID": [], "PARAMCD": [], "AVALC": [], "ADT": []})
"""An ADRS without progression: no assessment is cut off at PD."""

START = pd.Timestamp("2020-01-10")


def _adsl() -> pd.DataFrame:
    return pd.DataFrame({"STUDYID": ["ST"], "USUBJID": ["S1"], "STARTDT": [START]})


TU = pd.DataFrame(
    {
        "USUBJID": ["S1", "S1"],
        "TULNKID": ["T01", "T02"],
        "TUORRES": ["TARGET", "TARGET"],
        "TUSTRESC": ["TARGET", "TARGET"],
        "TULOC": ["LUNG", "LYMPH NODE"],
        "TUEVAL": ["INVESTIGATOR", "INVESTIGATOR"],
    }
)


def _tr(visits: list[tuple[str, object, object]]) -> pd.DataFrame:
    """visits: (date, T01 longest diameter, T02 short axis); None = not done; str = TRSTRESC."""
    rows = []
    for k, (date, a, b) in enumerate(visits, start=1):
        for lnk, test, v in (("T01", "LDIAM", a), ("T02", "SAXIS", b)):
            rows.append(
                {
                    "USUBJID": "S1",
                    "VISITNUM": float(k),
                    "VISIT": f"V{k}",
                    "TRDT": pd.Timestamp(date),
                    "TRDTF": "",
                    "TRLNKID": lnk,
                    "TRGRPID": "TARGET",
                    "TRTESTCD": test,
                    "TRSTRESC": v if isinstance(v, str) else ("" if v is None else str(v)),
                    "TRSTRESN": float(v) if isinstance(v, int | float) else np.nan,
                    "TRSTRESU": "mm",
                    "TRSTAT": "NOT DONE" if v is None else "",
                    "TREVAL": "INVESTIGATOR",
                }
            )
    df = pd.DataFrame(rows)
    df["SRCROW"] = np.arange(1, len(df) + 1, dtype=float)
    return df


def test_sld_change_and_nadir() -> None:
    # baseline (before STARTDT): 40 + 20 = 60
    # V2: 30 + 12 = 42 -> CHG -18, PCHG -30; NADIR (earlier, incl. baseline) = 60,
    #     PCHGNAD = (42-60)/60 = -30
    # V3: 35 + 15 = 50 -> NADIR = min(60, 42) = 42, PCHGNAD = 8/42*100 = 19.047619...
    # V4: 0 + 9 = 9 -> NADIR 42; PCHG = (9-60)/60 = -85
    tr = _tr(
        [
            ("2020-01-05", 40, 20),
            ("2020-02-21", 30, 12),
            ("2020-04-03", 35, 15),
            ("2020-05-15", 0, 9),
        ]
    )
    a = derive_adtr(TU, tr, None, _adsl(), NO_ADRS, RULES)
    assert list(a["ABLFL"]) == ["Y", "", "", ""]
    assert list(a["AVAL"]) == [60.0, 42.0, 50.0, 9.0]
    assert list(a["BASE"]) == [60.0] * 4
    assert list(a["CHG"]) == [0.0, -18.0, -10.0, -51.0]
    assert a["PCHG"].tolist() == pytest.approx([0.0, -30.0, -100 / 6, -85.0])
    assert list(a["NADIR"]) == [60.0, 60.0, 42.0, 42.0]
    assert a["PCHGNAD"].iloc[2] == pytest.approx(800 / 42)
    assert (a["PARAMCD"] == "SLD").all()
    # best post-baseline percent change from complete assessments: -85
    assert (a["BESTPCHG"] == -85.0).all()
    # ADY: baseline 2020-01-05 is 5 days before STARTDT -> -5; V2 2020-02-21 is day 43
    assert list(a["ADY"])[:2] == [-5.0, 43.0]


def test_incomplete_assessment_is_flagged_and_not_used_for_nadir_or_best() -> None:
    # baseline 40 + 20 = 60; V2: T02 not done -> AVAL 10 (only T01), COMPLFL N, PCHG -83.3
    # must not become the nadir or the best change; V3: 45 + 20 = 65 -> NADIR 60 (not 10)
    # best % change from complete assessments = (65-60)/60 = +8.33
    tr = _tr([("2020-01-05", 40, 20), ("2020-02-21", 10, None), ("2020-04-03", 45, 20)])
    a = derive_adtr(TU, tr, None, _adsl(), NO_ADRS, RULES)
    assert list(a["COMPLFL"]) == ["Y", "N", "Y"]
    assert list(a["NLESMEAS"]) == [2, 1, 2]
    assert a["NADIR"].iloc[2] == 60.0
    assert a["BESTPCHG"].iloc[0] == pytest.approx(100 * 5 / 60)


def test_too_small_and_cm_values() -> None:
    # baseline: T01 4.0 cm -> 40 mm, T02 20 mm -> 60; V2: T01 TOO SMALL TO MEASURE -> 5, T02 0
    # -> 5 mm, PCHG = -55/60 = -91.67
    tr = _tr([("2020-01-05", 4.0, 20), ("2020-02-21", "TOO SMALL TO MEASURE", 0)])
    tr.loc[(tr["TRLNKID"] == "T01") & (tr["VISITNUM"] == 1), "TRSTRESU"] = "cm"
    a = derive_adtr(TU, tr, None, _adsl(), NO_ADRS, RULES)
    assert list(a["AVAL"]) == [60.0, 5.0]
    assert a["PCHG"].iloc[1] == pytest.approx(-55 / 60 * 100)


def test_baseline_is_last_assessment_on_or_before_start() -> None:
    # screening 2019-12-01 (50 + 20 = 70) and baseline 2020-01-10 = STARTDT (40 + 20 = 60):
    # the later one is baseline; the screening scan is not in ADTR.
    tr = _tr([("2019-12-01", 50, 20), ("2020-01-10", 40, 20), ("2020-02-21", 30, 10)])
    a = derive_adtr(TU, tr, None, _adsl(), NO_ADRS, RULES)
    assert len(a) == 2
    assert a["BASE"].iloc[0] == 60.0
    assert a["AVISIT"].iloc[0] == "BASELINE"


def test_select_evaluator_independent_picks_one_reader_per_subject() -> None:
    df = pd.DataFrame(
        {
            "USUBJID": ["S1"] * 4,
            "TREVAL": ["INVESTIGATOR", "INDEPENDENT ASSESSOR", "INDEPENDENT ASSESSOR", ""],
            "TREVALID": ["", "RADIOLOGIST 1", "RADIOLOGIST 2", ""],
            "TRACPTFL": ["", "", "Y", ""],
        }
    )
    assert list(select_evaluator(df, "TR", RULES).index) == [0, 3]
    # RADIOLOGIST 2 has the accepted record
    independent = trial_options(response={"source": "independent"}).response
    assert list(select_evaluator(df, "TR", independent).index) == [2]


def test_no_tumour_data_at_all_gives_empty_results() -> None:
    # a cutoff before any data: ingest leaves TU and TR with their columns and no rows, and
    # ADSL with no subjects; the derivation must return empty tables, not fail on dtypes
    from trialflow.adam.adtr import tumour_records

    tu = TU.iloc[0:0]
    tr = _tr([("2020-01-01", 40, 20)]).iloc[0:0]
    adsl = _adsl().iloc[0:0]
    rec, asm, les, links = tumour_records(tu, tr, None, adsl, RULES)
    assert len(rec) == len(asm) == len(les) == len(links) == 0


def _adrs_pd(date: str) -> pd.DataFrame:
    """An ADRS whose response timeline has its first PD on `date`."""
    return pd.DataFrame(
        {"USUBJID": ["S1"], "PARAMCD": ["OVR"], "AVALC": ["PD"], "ADT": [pd.Timestamp(date)]}
    )


def test_analysis_flag_and_best_change_stop_at_pd_like_bor() -> None:
    """Best % change for the waterfall uses the assessments that count for BOR (RECIST 1.1
    §4.4: up to and including the first PD; FDA 2018: before new anticancer therapy).

    Baseline 40 + 20 = 60. V2: 20 + 10 = 30 (-50%). V3: 30 + 12 = 42 (+12 mm, +40% over the
    nadir 30: PD on 2020-04-03). V4 after the PD: 15 + 5 = 20 (-66.7%). ANL01FL: baseline, V2, V3
    "Y", V4 "". BESTPCHG = -50 (V4's -66.7 is after the PD and does not count).
    """
    tr = _tr(
        [
            ("2020-01-05", 40, 20),
            ("2020-02-21", 20, 10),
            ("2020-04-03", 30, 12),
            ("2020-05-15", 15, 5),
        ]
    )
    a = derive_adtr(TU, tr, None, _adsl(), _adrs_pd("2020-04-03"), RULES)
    assert list(a["ANL01FL"]) == ["Y", "Y", "Y", ""]
    assert (a["BESTPCHG"] == -50.0).all()
    # without a PD every assessment counts: best = (20 - 60) / 60 = -66.7%
    b = derive_adtr(TU, tr, None, _adsl(), NO_ADRS, RULES)
    assert b["BESTPCHG"].iloc[0] == pytest.approx(-200 / 3)


def test_analysis_flag_follows_the_new_therapy_boundary() -> None:
    """`response.new_therapy_boundary`, the one rule of ADRS, ADTR and PFS. Baseline 60; V2
    2020-02-21: 42 (-30%); V3 2020-04-03: 30 (-50%); new therapy starts 2020-04-03. "before"
    (ADT < NACTDT, default): V3 does not count, BESTPCHG -30; "on_or_before": V3 counts, -50."""
    tr = _tr([("2020-01-05", 40, 20), ("2020-02-21", 30, 12), ("2020-04-03", 20, 10)])
    adsl = _adsl().assign(NACTDT=pd.Timestamp("2020-04-03"))
    a = derive_adtr(TU, tr, None, adsl, NO_ADRS, RULES)
    assert list(a["ANL01FL"]) == ["Y", "Y", ""]
    assert a["BESTPCHG"].iloc[0] == pytest.approx(-30.0)
    on = trial_options(response={"new_therapy_boundary": "on_or_before"}).response
    b = derive_adtr(TU, tr, None, adsl, NO_ADRS, on)
    assert list(b["ANL01FL"]) == ["Y", "Y", "Y"]
    assert b["BESTPCHG"].iloc[0] == pytest.approx(-50.0)

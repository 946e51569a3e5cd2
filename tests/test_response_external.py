"""ADSL, ADTR, per-visit RECIST 1.1 responses and ADRS on the real pharmaversesdtm sample.

The sample is cleaned by `trialflow.ingest.delivery` exactly as a delivery would be. Its TR holds
DIAMETER/LDIAM/LPERP/SUMDIAM/TUMSTATE from an investigator and two independent radiologists,
and its RS the matching responses, so it checks the interface end to end. Run with `-s` to see
the concordance printed.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from tests.conftest import trial_options
from trialflow.adam.adrs import derive_adrs, derive_source_comparison
from trialflow.adam.adsl import derive_adsl
from trialflow.adam.adtr import derive_adtr
from trialflow.adam.readers import choose_readers
from trialflow.adam.recist import derive_visit_responses, select_ovr_records
from trialflow.ard.concordance import concordance
from trialflow.ingest.delivery import ingest_delivery
from trialflow.io import read_domain, read_specs

REPO = Path(__file__).resolve().parents[1]
CUTOFF = "2015-12-31"
SUMMARY_PARAMS = {"BOR", "CBOR", "RSP", "CRSP", "CB", "CCB", "DCR", "CDCR"}


@pytest.fixture(scope="module")
def sdtm(external_sample) -> dict[str, pd.DataFrame]:
    specs = read_specs(sorted((REPO / "workflow" / "schemas" / "sdtm").glob("*.yaml")))
    raw = {
        p.stem.lower(): read_domain(p, name=p.name) for p in sorted(external_sample.glob("*.xpt"))
    }
    return ingest_delivery(raw, specs, studyid="CDISCPILOT01", cutoff=CUTOFF).domains


@pytest.fixture(scope="module")
def derived(sdtm: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    d = sdtm
    rules = trial_options().response
    adsl, adsl_issues = derive_adsl(
        d["dm"],
        d["suppdm"],
        d["ex"],
        d["ds"],
        d["tu"],
        d["tr"],
        d["rs"],
        d["cm"],
        cutoff=CUTOFF,
        response=rules,
        reference_start="first_dose",
        studyid=None,
        age_cut=65,
    )
    visits, visit_issues = derive_visit_responses(d["tu"], d["tr"], d["rs"], adsl, rules)
    readers = choose_readers(d["tu"], d["tr"], d["rs"], rules)
    out = {"adsl": adsl, "adsl_issues": adsl_issues, "visits": visits}
    out["visit_issues"] = visit_issues
    out["reported"], out["best"] = derive_source_comparison(visits, d["rs"], adsl, rules, readers)
    for source in ("derived", "investigator", "independent"):
        r = trial_options(response={"source": source}).response
        ovr = select_ovr_records(d["rs"], visits, r, choose_readers(d["tu"], d["tr"], d["rs"], r))
        out[f"adrs_{source}"], out[f"issues_{source}"] = derive_adrs(ovr, adsl, r)
    out["adtr"] = derive_adtr(d["tu"], d["tr"], d["rs"], adsl, out["adrs_derived"], rules)
    return out


def test_adsl_one_row_per_dm_subject(sdtm, derived) -> None:
    adsl = derived["adsl"]
    assert len(adsl) == len(sdtm["dm"]) == adsl["USUBJID"].nunique()
    # CDISC pilot: 52 screen failures are neither enrolled nor treated
    assert (adsl["ENRLFL"] == "N").sum() == (sdtm["dm"]["ARMCD"] == "Scrnfail").sum()
    assert ((adsl["EFFFL"] == "Y") <= (adsl["SAFFL"] == "Y")).all()
    assert (adsl["LSTALVDT"].dropna() <= pd.Timestamp(CUTOFF)).all()


def test_adrs_has_every_parameter_for_every_subject(derived) -> None:
    subjects = set(derived["adsl"]["USUBJID"])
    for source in ("derived", "investigator", "independent"):
        adrs = derived[f"adrs_{source}"]
        summ = adrs[adrs["PARAMCD"] != "OVR"]
        counts = summ.groupby(["USUBJID", "PARAMCD"]).size()
        assert (counts == 1).all()
        assert set(summ["USUBJID"]) == subjects
        assert len(counts) == len(subjects) * len(SUMMARY_PARAMS)
        assert set(summ["PARAMCD"]) == SUMMARY_PARAMS


def test_investigator_check_value_is_logged_not_used(derived) -> None:
    # RS has a few OVRLRESP "CHECK" results: not RECIST values -> excluded data issues
    iss = derived["issues_investigator"]
    ex = iss[iss["action"] == "excluded"]
    assert set(ex["original_value"]) <= {"CHECK"}
    adrs = derived["adrs_investigator"]
    assert not (adrs["AVALC"] == "CHECK").any()


def test_sld_matches_delivered_sumdiam(sdtm, derived) -> None:
    # Independent reference: the investigator's delivered SUMDIAM. SLD is recomputed from the
    # lesions and must match it at almost every assessment (one visit in the sample does not).
    tr = sdtm["tr"]
    s = tr[(tr["TRTESTCD"] == "SUMDIAM") & (tr["TREVAL"] == "INVESTIGATOR")]
    s = s[["USUBJID", "VISITNUM", "TRSTRESN"]]
    m = derived["adtr"].merge(s, left_on=["USUBJID", "AVISITN"], right_on=["USUBJID", "VISITNUM"])
    assert len(m) > 800
    agree = ((m["AVAL"] - m["TRSTRESN"]).abs() < 1e-6).mean()
    assert agree > 0.99


def test_concordance_derived_vs_investigator(sdtm, derived) -> None:
    visits, summary = concordance(derived["visits"], derived["reported"], derived["best"])
    assert set(summary["level"]) == {"visit", "BOR", "CBOR"}
    stats = summary[summary["stat"] != "confusion"].set_index(["level", "stat"])["value"]
    n = stats[("visit", "n_compared")]
    assert n > 600
    assert stats[("visit", "n_agree")] == (visits["AGREE"] == "Y").sum()
    # confusion counts add up to the number compared, at each level
    conf = summary[summary["stat"] == "confusion"].groupby("level")["value"].sum()
    for level in ("visit", "BOR", "CBOR"):
        assert conf[level] == stats[(level, "n_compared")]
    assert 0 <= stats[("visit", "pct_agree")] <= 100
    with pd.option_context("display.width", 120, "display.max_rows", 200):
        print("\nconcordance derived vs investigator (pharmaversesdtm):")
        print(summary.to_string(index=False))

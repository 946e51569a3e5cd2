"""ADRS: per-visit overall response (OVR) and best overall response parameters.

RECIST 1.1 §4.4 (best overall response, confirmation) and §4.4.1 Table 3 notes; the SD minimum
duration (§4.4.2), and clinical-benefit / disease-control rates as in the trial file. One
function per parameter, as admiralonco's `derive_param_*`; `derive_adrs` calls them in the
order of the statistical analysis plan. Every clinical choice comes from `ResponseRules`.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from trialflow.adam.recist import select_ovr_records
from trialflow.adam.timeline import before_new_therapy
from trialflow.adam.treatment import bds_treatment
from trialflow.columns import dates, numeric, upper
from trialflow.config.options import ResponseRules
from trialflow.issues import concat_issues, make_issues
from trialflow.vocab import DISEASE_CONTROL_CATEGORIES, RESPONDER_CATEGORIES, RESPONSES

# worst first: used to keep the worst response when one date has several
WORST_ORDER = {"PD": 0, "NE": 1, "SD": 2, "NON-CR/NON-PD": 3, "PR": 4, "CR": 5}
# best first: used for best overall response
BEST_RANK = {"CR": 6, "PR": 5, "SD": 4, "NON-CR/NON-PD": 3, "PD": 2, "NE": 1}
AVAL_CODE = {"CR": 1, "PR": 2, "SD": 3, "NON-CR/NON-PD": 4, "PD": 5, "NE": 6, "MISSING": 7}
PARAMS = {
    "OVR": "Overall Response by Visit",
    "BOR": "Best Overall Response (unconfirmed)",
    "CBOR": "Best Overall Response (confirmed)",
    "RSP": "Responder (unconfirmed CR or PR)",
    "CRSP": "Responder (confirmed CR or PR)",
    "CB": "Clinical Benefit (unconfirmed)",
    "CCB": "Clinical Benefit (confirmed)",
    "DCR": "Disease Control (unconfirmed)",
    "CDCR": "Disease Control (confirmed)",
}
PARAM_ORDER = list(PARAMS)
SUBJECT_COLUMNS = ["USUBJID", "PARAMCD", "AVALC", "ADT", "ADTF"]
"""Columns of every subject-level parameter frame (one row per ADSL subject)."""


def _issue_rows(bad: pd.DataFrame, value: pd.Series) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "domain": bad["SRCDOM"].replace("", "ADRS"),
            "usubjid": bad["USUBJID"],
            "seq": bad["SRCSEQ"],
            "row": bad["SRCROW"],
            "original_value": value,
        }
    )


def response_assessments(
    ovr: pd.DataFrame, adsl: pd.DataFrame, rules: ResponseRules
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The assessments that count for the response; returns `(assessments, issues)`.

    Rules (RECIST 1.1 §4.4; FDA 2018 endpoints guidance):
    - records whose AVALC is not one of CR, PR, SD, NON-CR/NON-PD, PD, NE, that have no date
      or whose subject is not in ADSL are excluded and logged as data issues;
    - only ADT on or after STARTDT and before new anticancer therapy
      (`rules.new_therapy_boundary`: ADT < NACTDT, or ADT <= NACTDT);
    - the worst response when a subject has several on one date (PD > NE > SD >
      NON-CR/NON-PD > PR > CR);
    - up to and including the first PD.
    Returns one row per used assessment: USUBJID, ADT, ADTF, AVISIT, AVISITN, AVALC, SRCDOM,
    SRCROW, SRCSEQ, STARTDT, DAYS (ADT - STARTDT), POS (0, 1, ... per subject).
    """
    issues: list[pd.DataFrame] = []
    subjects = pd.Index(adsl["USUBJID"].astype(str).unique())
    o = pd.DataFrame(
        {
            "USUBJID": ovr["USUBJID"].astype(str).to_numpy(),
            "ADT": dates(ovr, "ADT").to_numpy(),
            "ADTF": upper(ovr, "ADTF").to_numpy(),
            "AVISIT": (
                ovr["AVISIT"].astype("object").fillna("")
                if "AVISIT" in ovr.columns
                else pd.Series("", index=ovr.index)
            ).to_numpy(),
            "AVISITN": numeric(ovr, "AVISITN").to_numpy(),
            "AVALC": upper(ovr, "AVALC").to_numpy(),
            "SRCDOM": (
                upper(ovr, "SRCDOM")
                if "SRCDOM" in ovr.columns
                else pd.Series("ADRS", index=ovr.index)
            ).to_numpy(),
            "SRCROW": numeric(ovr, "SRCROW").to_numpy(),
            "SRCSEQ": numeric(ovr, "SRCSEQ").to_numpy(),
        }
    )
    checks = (
        (
            lambda d: ~d["AVALC"].isin(RESPONSES),
            "overall response is not a RECIST 1.1 value; record not used",
        ),
        (lambda d: d["ADT"].isna(), "overall response has no assessment date; record not used"),
        (lambda d: ~d["USUBJID"].isin(subjects), "subject not in ADSL; record not used"),
    )
    for check, reason in checks:
        mask = check(o)
        bad = o[mask]
        if len(bad):
            issues.append(
                make_issues(
                    _issue_rows(bad, bad["AVALC"]),
                    stage="adrs",
                    variable="AVALC",
                    action="excluded",
                    reason=reason,
                )
            )
        o = o[~mask]

    ad = adsl.drop_duplicates("USUBJID")
    keymap = ad.set_index(ad["USUBJID"].astype(str))
    o["STARTDT"] = o["USUBJID"].map(keymap["STARTDT"]).astype("datetime64[ns]")
    nact = keymap["NACTDT"] if "NACTDT" in keymap.columns else pd.Series(pd.NaT, index=keymap.index)
    nactdt = o["USUBJID"].map(nact).astype("datetime64[ns]")
    keep = (o["ADT"] >= o["STARTDT"]) & before_new_therapy(
        o["ADT"], nactdt, rules.new_therapy_boundary
    )
    o = o[keep.to_numpy()]
    o["_W"] = o["AVALC"].map(WORST_ORDER)
    o = o.sort_values(["USUBJID", "ADT", "_W", "SRCROW"], kind="mergesort")
    o = o.drop_duplicates(["USUBJID", "ADT"]).reset_index(drop=True)
    is_pd = o["AVALC"].eq("PD").astype(int)
    o = o[(is_pd.groupby(o["USUBJID"]).cumsum() - is_pd) == 0]  # up to and including first PD
    o = o.drop(columns="_W").reset_index(drop=True)
    o["DAYS"] = (o["ADT"] - o["STARTDT"]).dt.days
    o["POS"] = o.groupby("USUBJID").cumcount()
    return o, concat_issues(issues)


def cr_then_pr_queries(assessments: pd.DataFrame) -> pd.DataFrame:
    """A PR or SD after an earlier CR is a data issue ("query"): RECIST 1.1 Table 3 note (the
    CR may not have been a true CR, or the later response should be PD); admiralonco warns
    too. The record is kept as reported."""
    o = assessments
    cr = o["AVALC"].eq("CR").astype(int)
    cr_before = (cr.groupby(o["USUBJID"]).cumsum() - cr) > 0
    q = o[cr_before & o["AVALC"].isin(["PR", "SD"])]
    if not len(q):
        return concat_issues([])
    return make_issues(
        _issue_rows(q, q["AVALC"] + " on " + q["ADT"].dt.strftime("%Y-%m-%d")),
        stage="adrs",
        variable="AVALC",
        action="query",
        reason="response after an earlier CR is PR or SD (RECIST 1.1 §4.4); kept as reported",
    )


def _subject_frame(
    paramcd: str, subjects: pd.Index, val: pd.Series, adt: pd.Series, adtf: pd.Series
) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "USUBJID": subjects,
            "PARAMCD": paramcd,
            "AVALC": val.reindex(subjects).to_numpy(),
            "ADT": adt.reindex(subjects).astype("datetime64[ns]").to_numpy(),
            "ADTF": adtf.reindex(subjects).fillna("").to_numpy(),
        }
    )


def _best(rows: pd.DataFrame, cat: str, subjects: pd.Index, paramcd: str) -> pd.DataFrame:
    """Best category per subject (BEST_RANK) dated by its first occurrence; none -> MISSING."""
    r = rows[["USUBJID", "ADT", "ADTF", cat]].copy()
    r["_R"] = r[cat].map(BEST_RANK)
    r = r.sort_values(["USUBJID", "_R", "ADT"], ascending=[True, False, True], kind="mergesort")
    first = r.drop_duplicates("USUBJID").set_index("USUBJID")
    val = first[cat].reindex(subjects).fillna("MISSING")
    return _subject_frame(paramcd, subjects, val, first["ADT"], first["ADTF"])


def _first(rows: pd.DataFrame, cat: str, values: tuple[str, ...]) -> pd.DataFrame:
    """ADT and ADTF of each subject's first assessment whose `cat` is in `values` (index USUBJID)."""
    hit = rows[rows[cat].isin(values)].sort_values(["USUBJID", "ADT"], kind="mergesort")
    return hit.drop_duplicates("USUBJID").set_index("USUBJID")[["ADT", "ADTF"]]


def derive_param_ovr(assessments: pd.DataFrame) -> pd.DataFrame:
    """PARAMCD OVR: one record per used assessment (`response_assessments`)."""
    o = assessments
    return pd.DataFrame(
        {
            "USUBJID": o["USUBJID"],
            "PARAMCD": "OVR",
            "AVALC": o["AVALC"],
            "ADT": o["ADT"],
            "ADTF": o["ADTF"],
            "AVISIT": o["AVISIT"],
            "AVISITN": o["AVISITN"],
            "SRCDOM": o["SRCDOM"],
            "SRCROW": o["SRCROW"],
        }
    )


def unconfirmed_categories(assessments: pd.DataFrame, rules: ResponseRules) -> pd.Series:
    """Each assessment's category for the unconfirmed BOR: SD and NON-CR/NON-PD count only
    when ADT - STARTDT >= `rules.sd_min_days` (RECIST 1.1 §4.4.2), else NE."""
    o = assessments
    early = o["AVALC"].isin(["SD", "NON-CR/NON-PD"]) & (o["DAYS"] < rules.sd_min_days)
    return o["AVALC"].where(~early, "NE")


def derive_param_bor(
    assessments: pd.DataFrame, subjects: pd.Index, rules: ResponseRules
) -> pd.DataFrame:
    """PARAMCD BOR (RECIST 1.1 §4.4.1, no confirmation): the best of CR > PR > SD >
    NON-CR/NON-PD > PD > NE over `unconfirmed_categories` (so a subject with only early SD
    and then PD is PD, without PD NE); no used assessment: "MISSING". ADT: first assessment
    with that value."""
    o = assessments.assign(_CAT=unconfirmed_categories(assessments, rules))
    return _best(o, "_CAT", subjects, "BOR")


def confirmed_categories(assessments: pd.DataFrame, rules: ResponseRules) -> pd.Series:
    """Each assessment's category for the confirmed BOR (RECIST 1.1 §4.4.1 and Table 3;
    admiralonco `derive_param_confirmed_bor`).

    - A CR at T1 is confirmed by a later CR at T2 with T2 - T1 >= `rules.confirmation_min_days`,
      at most `rules.max_ne_between` NE between and only CR or NE between.
    - A PR at T1 is confirmed as PR by a later CR or PR under the same conditions, with only CR,
      PR or NE between (no SD, NON-CR/NON-PD or PD): PR followed by CR is a confirmed PR.
      `rules.cr_then_pr` decides a PR that follows a CR (RECIST 1.1 Table 3 note):
      "unconfirmed" (admiralonco): the CR and the PR confirm nothing together, and a PR at T1
      is not confirmed when a CR is followed by a PR between T1 and T2 (so PR, CR, PR does not
      confirm a response through the last PR); "confirms_pr": a CR (not confirmed as CR) or PR
      at T1 is confirmed as PR by any later CR or PR.
    - An unconfirmed CR/PR counts as SD (NON-CR/NON-PD for a subject with non-target disease
      only, i.e. any NON-CR/NON-PD assessment) when ADT - STARTDT >= `rules.sd_min_days`, else
      NE; other assessments as in `unconfirmed_categories`.
    """
    o = assessments
    subj = o["USUBJID"]
    sd_ok = o["DAYS"] >= rules.sd_min_days
    ntonly = o["AVALC"].eq("NON-CR/NON-PD").groupby(subj).transform("any")
    c_ne = o["AVALC"].eq("NE").astype(int).groupby(subj).cumsum()
    bad_pr = o["AVALC"].isin(["SD", "NON-CR/NON-PD", "PD"]).astype(int)
    c_bad_pr = bad_pr.groupby(subj).cumsum()
    c_bad_cr = (bad_pr + o["AVALC"].eq("PR").astype(int)).groupby(subj).cumsum()
    # first CR at or after each position, last PR at or before it (for "PR after CR")
    big = np.iinfo(np.int64).max
    first_cr = o["POS"].where(o["AVALC"].eq("CR")).groupby(subj).bfill().fillna(big)
    last_pr = o["POS"].where(o["AVALC"].eq("PR")).groupby(subj).ffill().fillna(-1)
    cand = pd.DataFrame(
        {
            "USUBJID": subj,
            "POS": o["POS"],
            "ADT": o["ADT"],
            "V": o["AVALC"],
            "NE": c_ne,
            "BPR": c_bad_pr,
            "BCR": c_bad_cr,
            "FCR": first_cr,
            "LPR": last_pr,
        }
    )[o["AVALC"].isin(["CR", "PR"])]
    pairs = cand.merge(cand, on="USUBJID", suffixes=("", "_J"))
    pairs = pairs[
        (pairs["POS_J"] > pairs["POS"])
        & ((pairs["ADT_J"] - pairs["ADT"]).dt.days >= rules.confirmation_min_days)
        & ((pairs["NE_J"] - pairs["NE"]) <= rules.max_ne_between)
    ]
    conf_cr = pairs[pairs["V"].eq("CR") & pairs["V_J"].eq("CR") & (pairs["BCR_J"] == pairs["BCR"])]
    conf_pr = pairs[pairs["BPR_J"] == pairs["BPR"]]
    if rules.cr_then_pr == "unconfirmed":
        conf_pr = conf_pr[conf_pr["V"].eq("PR") & ~(conf_pr["FCR"] < conf_pr["LPR_J"])]
    elif rules.cr_then_pr != "confirms_pr":
        raise ValueError(f"unknown cr_then_pr {rules.cr_then_pr!r} (unconfirmed, confirms_pr)")
    key = pd.MultiIndex.from_frame(o[["USUBJID", "POS"]])
    is_ccr = key.isin(pd.MultiIndex.from_frame(conf_cr[["USUBJID", "POS"]]))
    is_cpr = key.isin(pd.MultiIndex.from_frame(conf_pr[["USUBJID", "POS"]]))
    unconf = o["AVALC"].isin(["CR", "PR"]) & ~is_ccr & ~is_cpr
    downgrade = np.where(ntonly, "NON-CR/NON-PD", "SD")
    out = np.select(
        [is_ccr, is_cpr, unconf & sd_ok, unconf & ~sd_ok],
        ["CR", "PR", downgrade, "NE"],
        default=unconfirmed_categories(o, rules),
    )
    return pd.Series(out, index=o.index, name="CBORCAT")


def derive_param_confirmed_bor(
    assessments: pd.DataFrame, subjects: pd.Index, rules: ResponseRules
) -> pd.DataFrame:
    """PARAMCD CBOR: the best of `confirmed_categories`; ADT of a confirmed CR/PR is the date of
    its first assessment (T1); no used assessment: "MISSING"."""
    o = assessments.assign(_CAT=confirmed_categories(assessments, rules))
    return _best(o, "_CAT", subjects, "CBOR")


def derive_param_response(
    assessments: pd.DataFrame,
    best: pd.DataFrame,
    categories: pd.Series,
    paramcd: str,
) -> pd.DataFrame:
    """PARAMCD RSP (from BOR and `unconfirmed_categories`) or CRSP (from CBOR and
    `confirmed_categories`): "Y" when the best response is CR or PR, else "N" (MISSING counts
    as "N"). A responder is dated by the first assessment whose category is CR or PR
    (RECIST 1.1 §4.4.3: duration of response from the first recorded CR or PR, which precedes
    the BOR date when a PR is followed by a CR)."""
    subjects = pd.Index(best["USUBJID"])
    val = pd.Series(best["AVALC"].to_numpy(), index=subjects)
    resp = val.isin(RESPONDER_CATEGORIES)
    first = _first(assessments.assign(_CAT=categories), "_CAT", RESPONDER_CATEGORIES)
    adt = first["ADT"].reindex(subjects).where(resp)
    adtf = first["ADTF"].reindex(subjects).where(resp, "")
    return _subject_frame(
        paramcd, subjects, pd.Series(np.where(resp, "Y", "N"), index=subjects), adt, adtf
    )


def derive_param_clinical_benefit(
    assessments: pd.DataFrame, best: pd.DataFrame, rules: ResponseRules, paramcd: str
) -> pd.DataFrame:
    """PARAMCD CB (from BOR) or CCB (from CBOR): "Y" when the best response is CR or PR, or an
    assessment with CR, PR, SD or NON-CR/NON-PD has ADT - STARTDT >= `rules.cbr_sd_min_days`
    (dated by the first such assessment); responders keep the best response's date."""
    subjects = pd.Index(best["USUBJID"])
    val = pd.Series(best["AVALC"].to_numpy(), index=subjects)
    o = assessments
    ben = o[o["AVALC"].isin(DISEASE_CONTROL_CATEGORIES) & (o["DAYS"] >= rules.cbr_sd_min_days)]
    ben_first = ben.drop_duplicates("USUBJID").set_index("USUBJID")
    ben_dt = ben_first["ADT"].reindex(subjects)
    ben_f = ben_first["ADTF"].reindex(subjects)
    resp = val.isin(RESPONDER_CATEGORIES)
    y = resp | ben_dt.notna()
    bdt = pd.Series(best["ADT"].to_numpy(), index=subjects)
    bf = pd.Series(best["ADTF"].to_numpy(), index=subjects)
    adt = bdt.where(resp | ~y, ben_dt)
    adtf = bf.where(resp | ~y, ben_f)
    return _subject_frame(
        paramcd, subjects, pd.Series(np.where(y, "Y", "N"), index=subjects), adt, adtf
    )


def derive_param_dcr(best: pd.DataFrame, paramcd: str) -> pd.DataFrame:
    """PARAMCD DCR (from BOR) or CDCR (from CBOR): "Y" when the best response is CR, PR, SD or
    NON-CR/NON-PD, dated as the best response."""
    subjects = pd.Index(best["USUBJID"])
    val = pd.Series(best["AVALC"].to_numpy(), index=subjects)
    y = pd.Series(np.where(val.isin(DISEASE_CONTROL_CATEGORIES), "Y", "N"), index=subjects)
    return _subject_frame(
        paramcd,
        subjects,
        y,
        pd.Series(best["ADT"].to_numpy(), index=subjects),
        pd.Series(best["ADTF"].to_numpy(), index=subjects),
    )


def _finish(parts: list[pd.DataFrame], adsl: pd.DataFrame, rules: ResponseRules) -> pd.DataFrame:
    """Stack the parameters, code AVAL, flag the primary ones and add the ADSL keys."""
    adrs = pd.concat(parts, ignore_index=True)
    for c in ("AVISIT", "AVISITN", "SRCDOM", "SRCROW"):
        if c not in adrs.columns:
            adrs[c] = np.nan
    adrs["ADT"] = adrs["ADT"].astype("datetime64[ns]")
    adrs["PARAM"] = adrs["PARAMCD"].map(PARAMS)
    yn = adrs["AVALC"].isin(["Y", "N"])
    adrs["AVAL"] = np.where(
        yn, adrs["AVALC"].eq("Y").astype(float), adrs["AVALC"].map(AVAL_CODE).astype(float)
    )
    primary = (
        ("CBOR", "CRSP", "CCB", "CDCR")
        if rules.confirmation_required
        else ("BOR", "RSP", "CB", "DCR")
    )
    adrs["PRIMFL"] = np.where(adrs["PARAMCD"].isin(primary), "Y", "")
    ad = adsl.drop_duplicates("USUBJID")
    keymap = ad.set_index(ad["USUBJID"].astype(str))
    for c in ("STUDYID", "STARTDT", "EFFFL", "COHORT"):
        adrs[c] = adrs["USUBJID"].map(keymap[c]) if c in keymap.columns else ""
    adrs["TRTP"], adrs["TRTA"] = bds_treatment(adsl, adrs["USUBJID"])
    adrs["STARTDT"] = pd.to_datetime(adrs["STARTDT"]).astype("datetime64[ns]")
    d = (adrs["ADT"] - adrs["STARTDT"]).dt.days
    adrs["ADY"] = np.where(d >= 0, d + 1, d).astype(float)
    adrs["_P"] = adrs["PARAMCD"].map({p: i for i, p in enumerate(PARAM_ORDER)})
    adrs = adrs.sort_values(["USUBJID", "_P", "ADT"], kind="mergesort").reset_index(drop=True)
    cols = [
        "STUDYID", "USUBJID", "COHORT", "TRTP", "TRTA", "EFFFL", "STARTDT", "PARAMCD", "PARAM",
        "AVALC", "AVAL",
        "ADT", "ADTF", "ADY", "AVISIT", "AVISITN", "PRIMFL", "SRCDOM", "SRCROW",
    ]  # fmt: skip
    adrs = adrs[cols]
    for c in ("STUDYID", "COHORT", "EFFFL", "AVALC", "ADTF", "AVISIT", "PRIMFL", "SRCDOM"):
        adrs[c] = adrs[c].astype("object").where(adrs[c].notna(), "").astype(str)
    return adrs


def derive_adrs(
    ovr: pd.DataFrame, adsl: pd.DataFrame, rules: ResponseRules
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Derive ADRS from OVR records (`trialflow.adam.recist.select_ovr_records`) and ADSL;
    return `(adrs, issues)`. One record per subject in ADSL for each subject-level parameter
    (AVALC, AVAL code, ADT, ADTF); PRIMFL "Y" marks the parameters of the primary analysis
    (confirmed ones when `rules.confirmation_required`, else the unconfirmed ones); ADSL keys
    STUDYID, USUBJID, STARTDT, EFFFL, COHORT are on every row.
    """
    subjects = pd.Index(sorted(adsl["USUBJID"].astype(str).unique()))
    # 1. the assessments that count, and the CR-then-PR/SD queries
    asm, issues = response_assessments(ovr, adsl, rules)
    queries = cr_then_pr_queries(asm)
    # 2. best overall response, unconfirmed and confirmed
    bor = derive_param_bor(asm, subjects, rules)
    cbor = derive_param_confirmed_bor(asm, subjects, rules)
    # 3. responders, clinical benefit and disease control from each
    parts = [
        derive_param_ovr(asm),
        bor,
        cbor,
        derive_param_response(asm, bor, unconfirmed_categories(asm, rules), "RSP"),
        derive_param_response(asm, cbor, confirmed_categories(asm, rules), "CRSP"),
        derive_param_clinical_benefit(asm, bor, rules, "CB"),
        derive_param_clinical_benefit(asm, cbor, rules, "CCB"),
        derive_param_dcr(bor, "DCR"),
        derive_param_dcr(cbor, "CDCR"),
    ]
    return _finish(parts, adsl, rules), concat_issues([issues, queries])


def derive_source_comparison(
    visits: pd.DataFrame,
    rs: pd.DataFrame | None,
    adsl: pd.DataFrame,
    rules: ResponseRules,
    readers: pd.DataFrame,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """What the concordance ARD compares, derived once here: `(reported_ovr, best)`.

    - reported_ovr: the RS overall responses of the response source's evaluator and reader
      (`select_ovr_records` with source "investigator" for the investigator, else
      "independent");
    - best: USUBJID, PARAMCD (BOR, CBOR), DERIVED and REPORTED: `derive_adrs` with `rules` on
      the derived per-visit responses (`visits`) and on `reported_ovr`.
    """
    is_inv = rules.evaluator.strip().upper() == rules.investigator_eval.strip().upper()
    rep_rules = replace(rules, source="investigator" if is_inv else "independent")
    reported = select_ovr_records(rs, None, rep_rules, readers)
    derived = select_ovr_records(None, visits, replace(rules, source="derived"), readers)
    a_der, _ = derive_adrs(derived, adsl, rules)
    a_rep, _ = derive_adrs(reported, adsl, rules)
    parts = []
    for p in ("BOR", "CBOR"):
        x = a_der[a_der["PARAMCD"] == p].set_index("USUBJID")["AVALC"]
        y = a_rep[a_rep["PARAMCD"] == p].set_index("USUBJID")["AVALC"].reindex(x.index)
        parts.append(
            pd.DataFrame(
                {
                    "USUBJID": x.index,
                    "PARAMCD": p,
                    "DERIVED": x.to_numpy(),
                    "REPORTED": y.to_numpy(),
                }
            )
        )
    best = pd.concat(parts, ignore_index=True)
    return reported, best.sort_values(["PARAMCD", "USUBJID"], kind="mergesort").reset_index(
        drop=True
    )

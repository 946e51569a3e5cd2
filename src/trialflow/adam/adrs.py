"""ADRS: per-visit overall response (OVR) and best overall response parameters.

RECIST 1.1 §4.4 (best overall response, confirmation) and §4.4.1 Table 3 notes; the SD minimum
duration (§4.4.2), and clinical-benefit / disease-control rates as in the trial file.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from trialflow.columns import dates, numeric, upper
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


def _best(
    rows: pd.DataFrame, cat: str, subjects: pd.Index
) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Best category per subject (BEST_RANK) with the date and flag of its first occurrence."""
    r = rows[["USUBJID", "ADT", "ADTF", cat]].copy()
    r["_R"] = r[cat].map(BEST_RANK)
    r = r.sort_values(["USUBJID", "_R", "ADT"], ascending=[True, False, True], kind="mergesort")
    first = r.drop_duplicates("USUBJID").set_index("USUBJID")
    val = pd.Series(subjects.map(first[cat]), index=subjects).fillna("MISSING")
    adt = pd.Series(subjects.map(first["ADT"]), index=subjects).astype("datetime64[ns]")
    adtf = pd.Series(subjects.map(first["ADTF"]), index=subjects).fillna("")
    return val, adt, adtf


def _first(
    rows: pd.DataFrame, cat: str, values: tuple[str, ...], subjects: pd.Index
) -> tuple[pd.Series, pd.Series]:
    """Date and date flag of each subject's first assessment whose `cat` is in `values`."""
    hit = rows[rows[cat].isin(values)].sort_values(["USUBJID", "ADT"], kind="mergesort")
    first = hit.drop_duplicates("USUBJID").set_index("USUBJID")
    adt = pd.Series(subjects.map(first["ADT"]), index=subjects).astype("datetime64[ns]")
    adtf = pd.Series(subjects.map(first["ADTF"]), index=subjects).fillna("")
    return adt, adtf


def derive_adrs(
    ovr: pd.DataFrame,
    adsl: pd.DataFrame,
    *,
    confirmation_required: bool = True,
    min_days: int = 28,
    max_ne_between: int = 1,
    sd_min_days: int = 42,
    cbr_sd_min_days: int = 168,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Derive ADRS from OVR records (select_ovr_records) and ADSL; return `(adrs, issues)`.

    Assessments used (RECIST 1.1 §4.4; FDA 2018 endpoints guidance):
    - the worst response when a subject has several on one date (PD > NE > SD >
      NON-CR/NON-PD > PR > CR);
    - only ADT on or after STARTDT, strictly before NACTDT (new anticancer therapy), and up to
      and including the first PD.
    Records whose AVALC is not one of CR, PR, SD, NON-CR/NON-PD, PD, NE, that have no date or
    whose subject is not in ADSL are excluded and logged as data issues.

    Parameters, one record per subject in ADSL each (AVALC text, AVAL code, ADT, ADTF):
    - OVR: each used assessment.
    - BOR (RECIST 1.1 §4.4.1, no confirmation): best of CR > PR > SD > NON-CR/NON-PD > PD > NE.
      SD and NON-CR/NON-PD count only when ADT - STARTDT >= `sd_min_days` (§4.4.2); an
      earlier one is NE, so a subject with only early SD and then PD is PD, without PD NE.
      No used assessment: "MISSING". ADT: first assessment with that value.
    - CBOR (§4.4.1 confirmation): CR at T1 is confirmed by a later CR at T2 with
      T2 - T1 >= `min_days`, at most `max_ne_between` NE between, and only CR or NE between.
      A PR (or a CR not confirmed as CR) is confirmed as PR by a later CR or PR under the same
      conditions, with only CR, PR or NE between (no SD, NON-CR/NON-PD or PD between): so PR
      followed by CR is a confirmed PR. An unconfirmed CR/PR counts as SD (NON-CR/NON-PD
      for a subject with non-target disease only, i.e. any NON-CR/NON-PD assessment) when
      ADT - STARTDT >= `sd_min_days`, else NE. ADT of a confirmed CR/PR is the date of its
      first assessment (T1).
    - RSP / CRSP: "Y" when BOR / CBOR is CR or PR, else "N" (MISSING counts as "N").
    - CB / CCB: "Y" when BOR / CBOR is CR or PR, or an assessment with CR, PR, SD or
      NON-CR/NON-PD has ADT - STARTDT >= `cbr_sd_min_days`.
    - DCR / CDCR: "Y" when BOR / CBOR is CR, PR, SD or NON-CR/NON-PD.
    - PRIMFL "Y" marks the parameters of the primary analysis: the confirmed ones (CBOR,
      CRSP, CCB, CDCR) when `confirmation_required`, else BOR, RSP, CB, DCR.
    ADSL keys STUDYID, USUBJID, STARTDT, EFFFL, COHORT are on every row.

    A CR followed later by PR or SD is kept as reported and logged as a "query" issue.
    """
    issues: list[pd.DataFrame] = []
    ad = adsl.drop_duplicates("USUBJID").copy()
    ad["USUBJID"] = ad["USUBJID"].astype(str)
    ad = ad.sort_values("USUBJID", kind="mergesort").reset_index(drop=True)
    subjects = pd.Index(ad["USUBJID"])
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
                    pd.DataFrame(
                        {
                            "domain": bad["SRCDOM"].replace("", "ADRS"),
                            "usubjid": bad["USUBJID"],
                            "seq": bad["SRCSEQ"],
                            "row": bad["SRCROW"],
                            "original_value": bad["AVALC"],
                        }
                    ),
                    stage="adrs",
                    variable="AVALC",
                    action="excluded",
                    reason=reason,
                )
            )
        o = o[~mask]

    keymap = ad.set_index("USUBJID")
    o["STARTDT"] = o["USUBJID"].map(keymap["STARTDT"]).astype("datetime64[ns]")
    nact = keymap["NACTDT"] if "NACTDT" in keymap.columns else pd.Series(pd.NaT, index=keymap.index)
    o["NACTDT"] = o["USUBJID"].map(nact).astype("datetime64[ns]")
    o = o[(o["ADT"] >= o["STARTDT"]) & (o["NACTDT"].isna() | (o["ADT"] < o["NACTDT"]))]
    o["_W"] = o["AVALC"].map(WORST_ORDER)
    o = o.sort_values(["USUBJID", "ADT", "_W", "SRCROW"], kind="mergesort")
    o = o.drop_duplicates(["USUBJID", "ADT"]).reset_index(drop=True)
    is_pd = o["AVALC"].eq("PD").astype(int)
    o = o[(is_pd.groupby(o["USUBJID"]).cumsum() - is_pd) == 0]  # up to and including first PD
    o = o.reset_index(drop=True)
    days = (o["ADT"] - o["STARTDT"]).dt.days
    sd_ok = days >= sd_min_days
    o["POS"] = o.groupby("USUBJID").cumcount()

    # CR followed by PR or SD: query
    cr = o["AVALC"].eq("CR").astype(int)
    cr_before = (cr.groupby(o["USUBJID"]).cumsum() - cr) > 0
    q = o[cr_before & o["AVALC"].isin(["PR", "SD"])]
    if len(q):
        issues.append(
            make_issues(
                pd.DataFrame(
                    {
                        "domain": q["SRCDOM"].replace("", "ADRS"),
                        "usubjid": q["USUBJID"],
                        "seq": q["SRCSEQ"],
                        "row": q["SRCROW"],
                        "original_value": q["AVALC"] + " on " + q["ADT"].dt.strftime("%Y-%m-%d"),
                    }
                ),
                stage="adrs",
                variable="AVALC",
                action="query",
                reason="response after an earlier CR is PR or SD (RECIST 1.1 §4.4); kept as reported",
            )
        )

    # unconfirmed category
    early = o["AVALC"].isin(["SD", "NON-CR/NON-PD"]) & ~sd_ok
    o["BORCAT"] = o["AVALC"].where(~early, "NE")

    # confirmation by self-merge of CR/PR candidates with later CR/PR assessments
    ntonly = o["AVALC"].eq("NON-CR/NON-PD").groupby(o["USUBJID"]).transform("any")
    c_ne = o["AVALC"].eq("NE").astype(int).groupby(o["USUBJID"]).cumsum()
    bad_pr = o["AVALC"].isin(["SD", "NON-CR/NON-PD", "PD"]).astype(int)
    c_bad_pr = bad_pr.groupby(o["USUBJID"]).cumsum()
    c_bad_cr = (bad_pr + o["AVALC"].eq("PR").astype(int)).groupby(o["USUBJID"]).cumsum()
    cand = pd.DataFrame(
        {
            "USUBJID": o["USUBJID"],
            "POS": o["POS"],
            "ADT": o["ADT"],
            "V": o["AVALC"],
            "NE": c_ne,
            "BPR": c_bad_pr,
            "BCR": c_bad_cr,
        }
    )[o["AVALC"].isin(["CR", "PR"])]
    pairs = cand.merge(cand, on="USUBJID", suffixes=("", "_J"))
    pairs = pairs[
        (pairs["POS_J"] > pairs["POS"])
        & ((pairs["ADT_J"] - pairs["ADT"]).dt.days >= min_days)
        & ((pairs["NE_J"] - pairs["NE"]) <= max_ne_between)
    ]
    conf_cr = pairs[pairs["V"].eq("CR") & pairs["V_J"].eq("CR") & (pairs["BCR_J"] == pairs["BCR"])]
    conf_pr = pairs[pairs["BPR_J"] == pairs["BPR"]]
    key = pd.MultiIndex.from_frame(o[["USUBJID", "POS"]])
    is_ccr = key.isin(pd.MultiIndex.from_frame(conf_cr[["USUBJID", "POS"]]))
    is_cpr = key.isin(pd.MultiIndex.from_frame(conf_pr[["USUBJID", "POS"]]))
    unconf = o["AVALC"].isin(["CR", "PR"]) & ~is_ccr & ~is_cpr
    downgrade = np.where(ntonly, "NON-CR/NON-PD", "SD")
    o["CBORCAT"] = np.select(
        [is_ccr, is_cpr, unconf & sd_ok, unconf & ~sd_ok],
        ["CR", "PR", downgrade, "NE"],
        default=o["BORCAT"],
    )

    bor, bor_dt, bor_f = _best(o, "BORCAT", subjects)
    cbor, cbor_dt, cbor_f = _best(o, "CBORCAT", subjects)

    # clinical benefit: a non-PD, non-NE assessment at or after cbr_sd_min_days
    ben = o[o["AVALC"].isin(DISEASE_CONTROL_CATEGORIES) & (days >= cbr_sd_min_days)]
    ben_first = ben.drop_duplicates("USUBJID").set_index("USUBJID")
    ben_dt = pd.Series(subjects.map(ben_first["ADT"]), index=subjects).astype("datetime64[ns]")
    ben_f = pd.Series(subjects.map(ben_first["ADTF"]), index=subjects).fillna("")

    def flag(best: pd.Series, dt: pd.Series, f: pd.Series, yes: tuple[str, ...], sd_dur: bool):
        resp = best.isin(["CR", "PR"])
        y = best.isin(yes) | (ben_dt.notna() if sd_dur else False)
        d = dt.where(resp | ~y, ben_dt) if sd_dur else dt
        ff = f.where(resp | ~y, ben_f) if sd_dur else f
        return pd.Series(np.where(y, "Y", "N"), index=best.index), d, ff

    resp_vals = RESPONDER_CATEGORIES
    dcr_vals = DISEASE_CONTROL_CATEGORIES
    # responders are dated by their FIRST response (RECIST 1.1 §4.4.3: "whichever is first
    # recorded"), which precedes the BOR date when a PR is followed by a CR
    rsp_dt, rsp_f = _first(o, "BORCAT", resp_vals, subjects)
    crsp_dt, crsp_f = _first(o, "CBORCAT", resp_vals, subjects)
    summary = {
        "BOR": (bor, bor_dt, bor_f),
        "CBOR": (cbor, cbor_dt, cbor_f),
        "RSP": flag(bor, rsp_dt, rsp_f, resp_vals, False),
        "CRSP": flag(cbor, crsp_dt, crsp_f, resp_vals, False),
        "CB": flag(bor, bor_dt, bor_f, resp_vals, True),
        "CCB": flag(cbor, cbor_dt, cbor_f, resp_vals, True),
        "DCR": flag(bor, bor_dt, bor_f, dcr_vals, False),
        "CDCR": flag(cbor, cbor_dt, cbor_f, dcr_vals, False),
    }
    parts = [
        pd.DataFrame(
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
    ]
    for pcd, (val, dt, f) in summary.items():
        parts.append(
            pd.DataFrame(
                {
                    "USUBJID": subjects,
                    "PARAMCD": pcd,
                    "AVALC": val.to_numpy(),
                    "ADT": dt.to_numpy(),
                    "ADTF": f.to_numpy(),
                    "AVISIT": "",
                    "AVISITN": np.nan,
                    "SRCDOM": "",
                    "SRCROW": np.nan,
                }
            )
        )
    adrs = pd.concat(parts, ignore_index=True)
    adrs["ADT"] = adrs["ADT"].astype("datetime64[ns]")
    adrs["PARAM"] = adrs["PARAMCD"].map(PARAMS)
    yn = adrs["AVALC"].isin(["Y", "N"])
    adrs["AVAL"] = np.where(
        yn, adrs["AVALC"].eq("Y").astype(float), adrs["AVALC"].map(AVAL_CODE).astype(float)
    )
    primary = (
        ("CBOR", "CRSP", "CCB", "CDCR") if confirmation_required else ("BOR", "RSP", "CB", "DCR")
    )
    adrs["PRIMFL"] = np.where(adrs["PARAMCD"].isin(primary), "Y", "")
    for c in ("STUDYID", "STARTDT", "EFFFL", "COHORT"):
        adrs[c] = adrs["USUBJID"].map(keymap[c]) if c in keymap.columns else ""
    adrs["STARTDT"] = pd.to_datetime(adrs["STARTDT"]).astype("datetime64[ns]")
    d = (adrs["ADT"] - adrs["STARTDT"]).dt.days
    adrs["ADY"] = np.where(d >= 0, d + 1, d).astype(float)
    adrs["_P"] = adrs["PARAMCD"].map({p: i for i, p in enumerate(PARAM_ORDER)})
    adrs = adrs.sort_values(["USUBJID", "_P", "ADT"], kind="mergesort").reset_index(drop=True)
    cols = [
        "STUDYID", "USUBJID", "COHORT", "EFFFL", "STARTDT", "PARAMCD", "PARAM", "AVALC", "AVAL",
        "ADT", "ADTF", "ADY", "AVISIT", "AVISITN", "PRIMFL", "SRCDOM", "SRCROW",
    ]  # fmt: skip
    adrs = adrs[cols]
    for c in ("STUDYID", "COHORT", "EFFFL", "AVALC", "ADTF", "AVISIT", "PRIMFL", "SRCDOM"):
        adrs[c] = adrs[c].astype("object").where(adrs[c].notna(), "").astype(str)
    return adrs, concat_issues(issues)

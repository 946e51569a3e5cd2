"""Per-visit RECIST 1.1 response from the tumour measurements, and the choice of OVR records.

RECIST 1.1: Eisenhauer EA et al., Eur J Cancer 2009;45:228-247. Section numbers below refer to
that paper. Tumour data are read by `trialflow.adam.adtr.tumour_records` (layout rules there).

Response values: CR, PR, SD, PD, NE, NON-CR/NON-PD; "NA" marks a component the subject does
not have (no target or no non-target disease at baseline); new lesions are "Y"/"N".
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from trialflow.adam.adtr import select_evaluator, target_sums, tumour_records
from trialflow.columns import dates, upper
from trialflow.vocab import RESPONSES  # noqa: F401  (re-exported for readers of this module)

_EPS = 1e-9
NT_PROGRESSION = ("UNEQUIVOCAL", "UNEQUIVOCAL PROGRESSION", "PROGRESSION", "PD")
NOT_ASSESSED = ("", "NOT DONE", "NE", "NOT EVALUABLE", "NOT ASSESSED", "NOT ASSESSABLE")
NEW_NOT_UNEQUIVOCAL = ("EQUIVOCAL", "ABSENT", "N", "NO", "NOT DONE", "")


def target_response(
    sums: pd.DataFrame,
    *,
    pr_pct: float = 30.0,
    pd_pct: float = 20.0,
    pd_min_mm: float = 5.0,
    node_cr_mm: float = 10.0,
) -> pd.Series:
    """Target lesion response per assessment, RECIST 1.1 §4.3.1 (and §4.3.2 for nodes/NE).

    `sums` has one row per assessment with AVAL (SLD of the measured target lesions, mm),
    BASE (baseline SLD), NADIR (smallest earlier SLD incl. baseline), COMPLFL ("Y" all
    baseline targets measured), NONNODSUM (sum of non-nodal targets; NaN if none), NODEMAX
    (largest nodal short axis; NaN if none) and optionally BASECOMP (baseline complete, "Y").
    Rules, first match wins:

    1. PD: AVAL >= NADIR * (1 + pd_pct/100) and AVAL - NADIR >= pd_min_mm. Measured lesions
       suffice: a missing lesion can only add to the sum (§4.3.2).
    2. NE: some baseline target lesion not measured, or no complete baseline.
    3. CR: every non-nodal target gone (0 mm) and every nodal target < node_cr_mm short axis.
    4. PR: AVAL <= BASE * (1 - pr_pct/100).
    5. SD otherwise.
    """
    aval = sums["AVAL"].astype(float)
    base = sums["BASE"].astype(float)
    nadir = sums["NADIR"].astype(float)
    complete = sums["COMPLFL"].eq("Y")
    if "BASECOMP" in sums.columns:
        complete &= sums["BASECOMP"].eq("Y")
    complete &= base.notna()
    is_pd = (
        aval.notna()
        & nadir.notna()
        & (aval - nadir >= pd_min_mm - _EPS)
        & (aval >= nadir * (1 + pd_pct / 100.0) - _EPS)
    )
    nonnod = sums["NONNODSUM"].astype(float).fillna(0.0)
    nodemax = sums["NODEMAX"].astype(float).fillna(0.0)
    is_cr = (nonnod <= _EPS) & (nodemax < node_cr_mm - _EPS)
    is_pr = aval <= base * (1 - pr_pct / 100.0) + _EPS
    out = np.select(
        [is_pd, ~complete, is_cr, is_pr], ["PD", "NE", "CR", "PR"], default="SD"
    ).astype(object)
    return pd.Series(out, index=sums.index, name="TRGRESP")


def _nt_state(state: pd.Series) -> pd.Series:
    s = state.astype("object").where(state.notna(), "").astype(str).str.strip().str.upper()
    return pd.Series(
        np.select(
            [s.isin(NT_PROGRESSION), s.isin(NOT_ASSESSED), s.isin(["ABSENT", "0"])],
            ["PROG", "NOTDONE", "ABSENT"],
            default="PRESENT",
        ),
        index=state.index,
    )


def nontarget_response(lesions: pd.DataFrame, *, by: list[str] | None = None) -> pd.DataFrame:
    """Non-target response per assessment, RECIST 1.1 §4.3.3.

    `lesions` has one row per baseline non-target lesion and assessment (a lesion with no
    record at an assessment must be present with STATE empty) and the column STATE
    (TUMSTATE result: PRESENT, ABSENT, EQUIVOCAL, UNEQUIVOCAL [PROGRESSION], NOT DONE / empty).
    Per assessment (`by`, default USUBJID, ASMKEY): PD if any lesion shows unequivocal
    progression; else NE if any lesion was not assessed; else CR if all are absent; else
    NON-CR/NON-PD (EQUIVOCAL counts as present, not progression). Returns `by` + NTRGRESP.
    """
    by = by or ["USUBJID", "ASMKEY"]
    st = _nt_state(lesions["STATE"])
    flags = pd.DataFrame(
        {
            "PROG": st.eq("PROG").to_numpy(),
            "NOTDONE": st.eq("NOTDONE").to_numpy(),
            "NOTABS": st.ne("ABSENT").to_numpy(),
        }
    )
    for c in by:
        flags[c] = lesions[c].to_numpy()
    g = flags.groupby(by, sort=False)[["PROG", "NOTDONE", "NOTABS"]].any().reset_index()
    g["NTRGRESP"] = np.select(
        [g["PROG"], g["NOTDONE"], ~g["NOTABS"]], ["PD", "NE", "CR"], default="NON-CR/NON-PD"
    )
    return g[by + ["NTRGRESP"]]


def new_lesion_flag(new: pd.DataFrame, *, by: list[str] | None = None) -> pd.DataFrame:
    """New lesions per assessment, RECIST 1.1 §4.3.2 ("the appearance of one or more new
    lesions is considered progression"; an equivocal new lesion is not, until confirmed).

    `new` has one row per new-lesion record with STATE (TRSTRESC) and VALUE (mm or NaN). A
    record is an unequivocal new lesion when it has a measurement > 0 or its STATE is not
    EQUIVOCAL / ABSENT / N / NOT DONE / empty. Returns `by` + NEWLPROG ("Y"/"N") for the
    assessments present in `new`; assessments without new-lesion records are "N".
    """
    by = by or ["USUBJID", "ASMKEY"]
    st = new["STATE"].astype("object").where(new["STATE"].notna(), "").astype(str).str.upper()
    val = (
        pd.to_numeric(new["VALUE"], errors="coerce")
        if "VALUE" in new.columns
        else pd.Series(np.nan, index=new.index)
    )
    yes = (~st.isin(NEW_NOT_UNEQUIVOCAL)) | (val > 0)
    f = new[by].copy()
    f["Y"] = yes.to_numpy()
    g = f.groupby(by, sort=False)["Y"].any().reset_index()
    g["NEWLPROG"] = np.where(g["Y"], "Y", "N")
    return g[by + ["NEWLPROG"]]


def overall_response(target: pd.Series, nontarget: pd.Series, new: pd.Series) -> pd.Series:
    """Overall response per assessment, RECIST 1.1 §4.3.4 Table 1 and Table 2.

    Table 1 (target disease, `target` not "NA"):
    CR+CR(or no non-target, "NA")+N -> CR; CR+NON-CR/NON-PD+N -> PR; CR+NE+N -> PR;
    PR+non-PD or NE+N -> PR; SD+non-PD or NE+N -> SD; NE+non-PD+N -> NE; PD+any -> PD;
    any+PD -> PD; any+any+Y -> PD.
    Table 2 (non-target disease only, `target` "NA"): CR+N -> CR; NON-CR/NON-PD+N ->
    NON-CR/NON-PD; NE+N -> NE; PD+any -> PD; any+Y -> PD. With neither target nor
    non-target disease at baseline ("NA"/"NA"), a new lesion is PD and otherwise NE.
    """
    t = target.astype("object").where(target.notna(), "NA").astype(str).str.upper()
    n = nontarget.astype("object").where(nontarget.notna(), "NA").astype(str).str.upper()
    t = t.where(t != "", "NA")
    n = n.where(n != "", "NA")
    y = new.astype("object").where(new.notna(), "N").astype(str).str.upper().eq("Y")
    conds = [
        y,
        t.eq("PD"),
        n.eq("PD"),
        t.eq("CR") & n.isin(["CR", "NA"]),
        t.eq("CR"),
        t.eq("PR"),
        t.eq("SD"),
        t.eq("NE"),
        t.eq("NA") & n.eq("CR"),
        t.eq("NA") & n.eq("NON-CR/NON-PD"),
    ]
    vals = ["PD", "PD", "PD", "CR", "PR", "PR", "SD", "NE", "CR", "NON-CR/NON-PD"]
    out = np.select(conds, vals, default="NE").astype(object)
    return pd.Series(out, index=target.index, name="OVRLRESP")


def derive_visit_responses(
    tu: pd.DataFrame,
    tr: pd.DataFrame,
    adsl: pd.DataFrame,
    *,
    evaluator: str = "INVESTIGATOR",
    pr_pct: float = 30.0,
    pd_pct: float = 20.0,
    pd_min_mm: float = 5.0,
    node_cr_mm: float = 10.0,
) -> pd.DataFrame:
    """Per-visit RECIST 1.1 response derived from TU/TR, one row per subject and
    post-baseline assessment (RECIST 1.1 §4.3.1-§4.3.4).

    Columns: STUDYID, USUBJID, AVISIT, AVISITN, ADT, ADTF, SLD (AVAL), BASE, NADIR, COMPLFL,
    TRGRESP (target_response; "NA" without baseline target lesions), NTRGRESP
    (nontarget_response over the baseline non-target lesions; "NA" without any), NEWLPROG
    (new_lesion_flag) and OVRLRESP (overall_response). Subjects with no baseline
    assessment get rows for all assessments, with TRGRESP NE when they have target lesions.
    """
    rec, asm, les = tumour_records(tu, tr, adsl, evaluator=evaluator)
    post = asm[asm["POSTBL"] | ~asm["HASBL"]].copy()
    keys = ["USUBJID", "ASMKEY"]

    sums = target_sums(rec, asm, les)
    sums = sums[sums["POSTBL"] | ~sums["USUBJID"].isin(asm.loc[asm["HASBL"], "USUBJID"])].copy()
    sums["TRGRESP"] = target_response(
        sums, pr_pct=pr_pct, pd_pct=pd_pct, pd_min_mm=pd_min_mm, node_cr_mm=node_cr_mm
    )
    out = post.merge(
        sums[keys + ["AVAL", "BASE", "NADIR", "COMPLFL", "TRGRESP"]], on=keys, how="left"
    )
    has_tgt = out["USUBJID"].isin(les.loc[les["ROLE"] == "TARGET", "USUBJID"])
    out["TRGRESP"] = out["TRGRESP"].where(~has_tgt | out["TRGRESP"].notna(), "NE")
    out["TRGRESP"] = out["TRGRESP"].where(has_tgt, "NA")

    nt = les[les["ROLE"] == "NON-TARGET"][["USUBJID", "LNKID"]]
    grid = post[keys].merge(nt, on="USUBJID")
    ntr = rec[rec["ROLE"] == "NON-TARGET"].copy()
    ntr["_ORD"] = (ntr["TESTCD"] != "TUMSTATE").astype(int)
    ntr = ntr.sort_values(keys + ["LNKID", "_ORD", "SRCROW"], kind="mergesort").drop_duplicates(
        keys + ["LNKID"]
    )
    grid = grid.merge(ntr[keys + ["LNKID", "STATE"]], on=keys + ["LNKID"], how="left")
    grid["STATE"] = grid["STATE"].fillna("")
    ntresp = nontarget_response(grid, by=keys)
    out = out.merge(ntresp, on=keys, how="left")
    out["NTRGRESP"] = out["NTRGRESP"].fillna("NA")

    newr = rec[rec["ROLE"] == "NEW"]
    newf = new_lesion_flag(newr, by=keys)
    out = out.merge(newf, on=keys, how="left")
    out["NEWLPROG"] = out["NEWLPROG"].fillna("N")
    out["OVRLRESP"] = overall_response(out["TRGRESP"], out["NTRGRESP"], out["NEWLPROG"])

    ad = adsl.drop_duplicates("USUBJID").set_index("USUBJID")
    out["STUDYID"] = out["USUBJID"].map(ad["STUDYID"]).fillna("") if "STUDYID" in ad.columns else ""
    out = out.rename(columns={"AVAL": "SLD"})
    cols = [
        "STUDYID", "USUBJID", "AVISIT", "AVISITN", "ADT", "ADTF", "SLD", "BASE", "NADIR",
        "COMPLFL", "TRGRESP", "NTRGRESP", "NEWLPROG", "OVRLRESP",
    ]  # fmt: skip
    out["COMPLFL"] = out["COMPLFL"].fillna("")
    return out[cols].sort_values(["USUBJID", "ADT"], kind="mergesort").reset_index(drop=True)


def select_ovr_records(
    rs: pd.DataFrame | None,
    derived_visits: pd.DataFrame | None,
    *,
    source: str = "derived",
) -> pd.DataFrame:
    """Overall-response (OVR) records from the source chosen by `response.source`.

    - "derived": OVRLRESP of `derived_visits` (derive_visit_responses).
    - "investigator": RS RSTESTCD "OVRLRESP" with RSEVAL INVESTIGATOR (or RSEVAL empty/absent).
    - "independent": RS OVRLRESP with RSEVAL "INDEPENDENT ASSESSOR"; where several readers
      report the same subject and visit (VISITNUM, else RSDT), the accepted record
      (RSACPTFL "Y") is used, else the reader first in RSEVALID order (RADIOLOGIST 1).
    RS records with RSCAT other than RECIST 1.1 (when RSCAT is given) are not OVR records.

    Returns USUBJID, ADT, ADTF, AVISIT, AVISITN, AVALC (upper-cased RSSTRESC, else RSORRES),
    SRCDOM, SRCROW, SRCSEQ, sorted by USUBJID and ADT.
    """
    src = source.strip().lower()
    cols = ["USUBJID", "ADT", "ADTF", "AVISIT", "AVISITN", "AVALC", "SRCDOM", "SRCROW", "SRCSEQ"]
    if src == "derived":
        if derived_visits is None:
            raise ValueError("source 'derived' needs derived_visits")
        d = derived_visits
        out = pd.DataFrame(
            {
                "USUBJID": d["USUBJID"].astype(str),
                "ADT": dates(d, "ADT"),
                "ADTF": d["ADTF"].fillna("") if "ADTF" in d.columns else "",
                "AVISIT": d["AVISIT"] if "AVISIT" in d.columns else "",
                "AVISITN": d["AVISITN"] if "AVISITN" in d.columns else np.nan,
                "AVALC": upper(d, "OVRLRESP"),
                "SRCDOM": "TR",
                "SRCROW": np.nan,
                "SRCSEQ": np.nan,
            }
        )
        return out.sort_values(["USUBJID", "ADT"], kind="mergesort").reset_index(drop=True)[cols]
    if src not in ("investigator", "independent"):
        raise ValueError(f"unknown response source {source!r} (derived, investigator, independent)")
    if rs is None or not len(rs):
        return pd.DataFrame({c: pd.Series(dtype="object") for c in cols}).astype(
            {"ADT": "datetime64[ns]"}
        )
    r = rs[upper(rs, "RSTESTCD") == "OVRLRESP"]
    if "RSCAT" in r.columns:
        cat = upper(r, "RSCAT")
        r = r[cat.isin(["", "RECIST 1.1", "RECIST"])]
    if src == "investigator":
        r = select_evaluator(r, "RS", "INVESTIGATOR")
    elif "RSEVAL" in r.columns:
        r = r[upper(r, "RSEVAL") == "INDEPENDENT ASSESSOR"]
    res = upper(r, "RSSTRESC")
    res = res.where(res != "", upper(r, "RSORRES"))
    out = pd.DataFrame(
        {
            "USUBJID": r["USUBJID"].astype(str),
            "ADT": dates(r, "RSDT"),
            "ADTF": upper(r, "RSDTF"),
            "AVISIT": r["VISIT"].fillna("") if "VISIT" in r.columns else "",
            "AVISITN": pd.to_numeric(r["VISITNUM"], errors="coerce")
            if "VISITNUM" in r.columns
            else np.nan,
            "AVALC": res,
            "SRCDOM": "RS",
            "SRCROW": pd.to_numeric(r["SRCROW"], errors="coerce")
            if "SRCROW" in r.columns
            else np.nan,
            "SRCSEQ": pd.to_numeric(r["RSSEQ"], errors="coerce")
            if "RSSEQ" in r.columns
            else np.nan,
        }
    )
    if src == "independent":
        out["_ACC"] = (upper(r, "RSACPTFL") != "Y").astype(int).to_numpy()
        out["_RDR"] = upper(r, "RSEVALID").to_numpy()
        visit = np.where(
            out["AVISITN"].notna(), "V" + out["AVISITN"].astype(str), "D" + out["ADT"].astype(str)
        )
        out["_VIS"] = visit
        out = out.sort_values(["USUBJID", "_VIS", "_ACC", "_RDR", "SRCROW"], kind="mergesort")
        out = out.drop_duplicates(["USUBJID", "_VIS"])
    return out.sort_values(["USUBJID", "ADT", "SRCROW"], kind="mergesort").reset_index(drop=True)[
        cols
    ]

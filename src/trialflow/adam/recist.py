"""Per-visit RECIST 1.1 response from the tumour measurements, and the choice of OVR records.

RECIST 1.1: Eisenhauer EA et al., Eur J Cancer 2009;45:228-247. Section numbers below refer to
that paper. Tumour data are read by `trialflow.adam.adtr.tumour_records` (layout rules there).

Response values: CR, PR, SD, PD, NE, NON-CR/NON-PD; "NA" marks a component the subject does
not have (no target or no non-target disease at baseline); new lesions are "Y"/"N".
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from trialflow.adam.adtr import TumourData, target_sums, tumour_records
from trialflow.adam.readers import choose_readers, reader_records
from trialflow.columns import dates, upper
from trialflow.config.options import ResponseRules
from trialflow.issues import concat_issues, make_issues
from trialflow.vocab import RESPONSES  # noqa: F401  (re-exported for readers of this module)

_EPS = 1e-9
NT_PROGRESSION = ("UNEQUIVOCAL", "UNEQUIVOCAL PROGRESSION", "PROGRESSION", "PD")
NOT_ASSESSED = ("", "NOT DONE", "NE", "NOT EVALUABLE", "NOT ASSESSED", "NOT ASSESSABLE")
NEW_STATUSES = ("UNEQUIVOCAL", "EQUIVOCAL", "NONE", "UNRECOGNISED")


def target_response(sums: pd.DataFrame, rules: ResponseRules) -> pd.Series:
    """Target lesion response per assessment, RECIST 1.1 §4.3.1 (and §4.3.2 for nodes/NE).

    `sums` has one row per assessment with AVAL (SLD of the measured target lesions, mm),
    BASE (baseline SLD), NADIR (smallest earlier SLD incl. baseline), COMPLFL ("Y" all
    baseline targets measured), NONNODSUM (sum of non-nodal targets; NaN if none), NODEMAX
    (largest nodal short axis; NaN if none) and optionally BASECOMP (baseline complete, "Y").
    Thresholds from `rules` (response.recist). Rules, first match wins:

    1. PD: AVAL >= NADIR * (1 + pd_pct/100) and AVAL - NADIR >= pd_min_mm. Measured lesions
       suffice: a missing lesion can only add to the sum (§4.3.2).
    2. NE: some baseline target lesion not measured, or no complete baseline.
    3. CR: every non-nodal target gone (0 mm) and every nodal target < node_cr_mm short axis.
    4. PR: AVAL <= BASE * (1 - pr_pct/100).
    5. SD otherwise.
    A lesion that reappears after a complete response is PD whatever its size
    (`derive_visit_responses`, RECIST 1.1 Table 3 note).
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
        & (aval - nadir >= rules.pd_min_mm - _EPS)
        & (aval >= nadir * (1 + rules.pd_pct / 100.0) - _EPS)
    )
    nonnod = sums["NONNODSUM"].astype(float).fillna(0.0)
    nodemax = sums["NODEMAX"].astype(float).fillna(0.0)
    is_cr = (nonnod <= _EPS) & (nodemax < rules.node_cr_mm - _EPS)
    is_pr = aval <= base * (1 - rules.pr_pct / 100.0) + _EPS
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


def nontarget_response(lesions: pd.DataFrame, *, by: list[str]) -> pd.DataFrame:
    """Non-target response per assessment, RECIST 1.1 §4.3.3.

    `lesions` has one row per baseline non-target lesion and assessment (a lesion with no
    record at an assessment must be present with STATE empty) and the column STATE
    (TUMSTATE result: PRESENT, ABSENT, EQUIVOCAL, UNEQUIVOCAL [PROGRESSION], NOT DONE / empty).
    Per assessment (`by`, e.g. USUBJID, ASMKEY): PD if any lesion shows unequivocal
    progression; else NE if any lesion was not assessed; else CR if all are absent; else
    NON-CR/NON-PD (EQUIVOCAL counts as present, not progression). Returns `by` + NTRGRESP.
    """
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


def new_lesion_status(new: pd.DataFrame, rules: ResponseRules) -> pd.Series:
    """Status of each new-lesion record, RECIST 1.1 §4.3.2 ("the appearance of one or more new
    lesions is considered progression"; "the finding of a new lesion should be unequivocal").

    `new` has STATE (TRSTRESC, else TRORRES) and optionally VALUE (mm or NaN). First match wins:
    1. STATE in `rules.new_lesion_unequivocal` -> UNEQUIVOCAL;
    2. STATE in `rules.new_lesion_equivocal` -> EQUIVOCAL;
    3. STATE in `rules.new_lesion_not_progression` -> NONE;
    4. a measurement above 0 mm (STATE a number, or TOO SMALL TO MEASURE) -> UNEQUIVOCAL;
       a measurement of 0 mm -> NONE; STATE empty without a measurement -> NONE (not done);
    5. anything else -> UNRECOGNISED: not progression, and a data issue
       (`derive_visit_responses` logs it).
    """
    st = new["STATE"].astype("object").where(new["STATE"].notna(), "").astype(str)
    st = st.str.strip().str.upper()
    val = (
        pd.to_numeric(new["VALUE"], errors="coerce")
        if "VALUE" in new.columns
        else pd.Series(np.nan, index=new.index)
    )
    out = np.select(
        [
            st.isin(rules.new_lesion_unequivocal),
            st.isin(rules.new_lesion_equivocal),
            st.isin(rules.new_lesion_not_progression),
            val > 0,
            (val == 0) | ((st == "") & val.isna()),
        ],
        ["UNEQUIVOCAL", "EQUIVOCAL", "NONE", "UNEQUIVOCAL", "NONE"],
        default="UNRECOGNISED",
    )
    return pd.Series(out, index=new.index, name="NEWSTAT")


def new_lesion_flag(new: pd.DataFrame, rules: ResponseRules, *, by: list[str]) -> pd.DataFrame:
    """New lesions per assessment (`by`, e.g. USUBJID, ASMKEY), RECIST 1.1 §4.3.2.

    `new` has one row per new-lesion record with STATE and VALUE and, for the confirmation of
    an equivocal lesion, LNKID and ADT. Returns `by` + NEWLPROG ("Y" when an unequivocal new
    lesion is seen, `new_lesion_status`), NEWLEQ ("Y" when an equivocal one is) and NEWLCONF
    ("Y" when an equivocal new lesion seen here is unequivocal at a later assessment: "if repeat
    scans confirm there is definitely a new lesion, then progression should be declared using
    the date of the initial scan", §4.3.2; NEWLPROG is then "Y" here too). The confirmation
    follows one lesion (same USUBJID and LNKID): the first of an unbroken run of EQUIVOCAL
    records directly before its first UNEQUIVOCAL record is the PD scan. Records without a
    lesion id are not followed. Assessments without new-lesion records are not returned.
    """
    status = new_lesion_status(new, rules)
    f = new[by].copy()
    f["Y"] = status.eq("UNEQUIVOCAL").to_numpy()
    f["EQ"] = status.eq("EQUIVOCAL").to_numpy()
    f["CONF"] = False
    if "LNKID" in new.columns and "ADT" in new.columns and len(new):
        seq = pd.DataFrame(
            {
                "USUBJID": new["USUBJID"].astype(str).to_numpy(),
                "LNKID": new["LNKID"].astype(str).to_numpy(),
                "ADT": pd.to_datetime(new["ADT"]).to_numpy(),
                "S": status.to_numpy(),
                "I": np.arange(len(new)),
            }
        )
        seq = seq[seq["LNKID"] != ""].sort_values(
            ["USUBJID", "LNKID", "ADT", "I"], kind="mergesort"
        )
        # one status per lesion and date (unequivocal beats equivocal beats anything else)
        rank = seq["S"].map({"UNEQUIVOCAL": 0, "EQUIVOCAL": 1}).fillna(2)
        seq = seq.assign(R=rank).sort_values(["USUBJID", "LNKID", "ADT", "R"], kind="mergesort")
        seq = seq.drop_duplicates(["USUBJID", "LNKID", "ADT"])
        conf_rows: list[int] = []
        for _, g in seq.groupby(["USUBJID", "LNKID"], sort=False):
            run_start = None
            for i, s in zip(g["I"], g["S"], strict=True):
                if s == "EQUIVOCAL":
                    run_start = i if run_start is None else run_start
                elif s == "UNEQUIVOCAL":
                    if run_start is not None:
                        conf_rows.append(run_start)
                    break
                else:
                    run_start = None
        f.iloc[conf_rows, f.columns.get_loc("CONF")] = True
    g = f.groupby(by, sort=False)[["Y", "EQ", "CONF"]].any().reset_index()
    g["NEWLPROG"] = np.where(g["Y"] | g["CONF"], "Y", "N")
    g["NEWLEQ"] = np.where(g["EQ"], "Y", "N")
    g["NEWLCONF"] = np.where(g["CONF"], "Y", "N")
    return g[by + ["NEWLPROG", "NEWLEQ", "NEWLCONF"]]


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


def reappearance_after_cr(visits: pd.DataFrame, rules: ResponseRules) -> pd.Series:
    """True where disease reappears after a complete response: RECIST 1.1 Table 3 note ("if a
    CR is truly met at first time point, then any disease seen at a subsequent time point,
    even disease meeting PR criteria relative to baseline, makes the disease PD at that
    point"), whatever its size: the nadir is 0 then, and the 5 mm rule of §4.3.1 does not
    apply to reappearing disease.

    `visits` (one subject's assessments in date order, several subjects allowed) has USUBJID,
    OVRLRESP (Table 1/2), NTRGRESP, NONNODSUM and NODEMAX. Disease is seen when a non-nodal
    target lesion measures above 0 mm, a target node measures `rules.node_cr_mm` or more, or a
    non-target lesion is present (NTRGRESP NON-CR/NON-PD), at an assessment after an earlier
    overall CR (and before any PD).
    """
    ovr = visits["OVRLRESP"]
    cr = ovr.eq("CR").astype(int)
    prior_cr = (cr.groupby(visits["USUBJID"]).cumsum() - cr) > 0
    seen = (visits["NONNODSUM"].astype(float) > _EPS) | (
        visits["NODEMAX"].astype(float) >= rules.node_cr_mm - _EPS
    )
    seen |= visits["NTRGRESP"].eq("NON-CR/NON-PD")
    return (prior_cr & seen & ovr.ne("PD")).astype(bool)


def _present(df: pd.DataFrame | None, col: str) -> bool:
    if df is None or col not in df.columns:
        return False
    return bool(df[col].notna().any() and (df[col].astype(str).str.strip() != "").any())


def expected_variable_issues(
    tu: pd.DataFrame | None, tr: pd.DataFrame, rs: pd.DataFrame | None, rules: ResponseRules
) -> pd.DataFrame:
    """One "flagged" data issue per domain and Expected variable (SDTMIG core "Exp") that is
    absent or empty in every record and that a derivation needs, saying how it is derived:

    - TU TUDTC: the identification date of a lesion is the date of its TR record at the TU
      visit (else its first TR date); TU VISITNUM: baseline lesions are found by that date.
    - TR VISITNUM: the TR records of one date form an assessment.
    - TR/TU/RS --EVAL: every record is taken as the evaluator's.
    - --EVALID (independent review): all readers' records are used together; --ACPTFL
      (independent review): that domain's flags take no part in choosing the reader (the
      other domains' accepted flags decide, then `--EVALID` sort order; see
      `trialflow.adam.readers.choose_readers`).
    RS is checked only when the responses come from RS (`rules.source` not "derived").
    """
    checks: list[tuple[str, pd.DataFrame | None, str, str]] = []
    if tu is not None and len(tu):
        if not (_present(tu, "TUDTC") or _present(tu, "TUDT")):
            checks.append(
                (
                    "TU",
                    tu,
                    "TUDTC",
                    "identification date taken from the lesion's TR record at the same visit",
                )
            )
        if not _present(tu, "VISITNUM"):
            checks.append(("TU", tu, "VISITNUM", "baseline lesions found by identification date"))
    domains: list[tuple[str, pd.DataFrame | None]] = [("TU", tu), ("TR", tr)]
    if rules.source != "derived":
        domains.append(("RS", rs))
    if tr is not None and len(tr) and not _present(tr, "VISITNUM"):
        checks.append(("TR", tr, "VISITNUM", "the TR records of one date form one assessment"))
    independent = rules.source == "independent"
    for dom, df in domains:
        if df is None or not len(df):
            continue
        if not _present(df, dom + "EVAL"):
            checks.append((dom, df, dom + "EVAL", f"every record taken as the {rules.evaluator}'s"))
        if independent and not _present(df, dom + "EVALID"):
            checks.append(
                (dom, df, dom + "EVALID", "readers cannot be told apart; all records used together")
            )
        if independent and not _present(df, dom + "ACPTFL"):
            how = (
                "not used to choose the reader (the other domains' accepted flags decide, "
                "then --EVALID sort order)"
            )
            checks.append((dom, df, dom + "ACPTFL", how))
    rows = [
        make_issues(
            pd.DataFrame({"domain": [dom]}),
            stage="adrs",
            variable=var,
            action="flagged",
            reason=f"Expected variable {var} absent: {how}",
        )
        for dom, _df, var, how in checks
    ]
    return concat_issues(rows)


def reported_equivocal_queries(
    rs: pd.DataFrame | None, rules: ResponseRules, readers: pd.DataFrame
) -> pd.DataFrame:
    """Queries for reported responses (`rules.source` investigator or independent) where an
    equivocal new lesion (RS NEWLPROG in `rules.new_lesion_equivocal`) is followed at the
    subject's next NEWLPROG assessment by an unequivocal one (`rules.new_lesion_unequivocal`):
    RECIST 1.1 §4.3.2 dates that progression to the equivocal scan, but RS does not say
    whether it is the same lesion, so the reported overall responses are kept as reported and
    the equivocal scan is queried ("query" issue naming RS NEWLPROG and both dates)."""
    if rules.source == "derived" or rs is None or not len(rs):
        return concat_issues([])
    r = reader_records(rs[upper(rs, "RSTESTCD") == "NEWLPROG"], "RS", rules, readers)
    if not len(r):
        return concat_issues([])
    res = upper(r, "RSSTRESC")
    res = res.where(res != "", upper(r, "RSORRES"))
    d = pd.DataFrame(
        {
            "USUBJID": r["USUBJID"].astype(str).to_numpy(),
            "ADT": dates(r, "RSDT").to_numpy(),
            "V": res.to_numpy(),
            "SRCROW": pd.to_numeric(r["SRCROW"], errors="coerce").to_numpy()
            if "SRCROW" in r.columns
            else np.nan,
            "SRCSEQ": pd.to_numeric(r["RSSEQ"], errors="coerce").to_numpy()
            if "RSSEQ" in r.columns
            else np.nan,
        }
    )
    d = d[d["ADT"].notna()].sort_values(["USUBJID", "ADT", "SRCROW"], kind="mergesort")
    nxt = d.groupby("USUBJID")[["V", "ADT"]].shift(-1)
    hit = d["V"].isin(rules.new_lesion_equivocal) & nxt["V"].isin(rules.new_lesion_unequivocal)
    q = d[hit.to_numpy()]
    nq = nxt[hit.to_numpy()]
    if not len(q):
        return concat_issues([])
    return make_issues(
        pd.DataFrame(
            {
                "domain": "RS",
                "usubjid": q["USUBJID"],
                "seq": q["SRCSEQ"],
                "row": q["SRCROW"],
                "original_value": q["V"]
                + " on "
                + q["ADT"].dt.strftime("%Y-%m-%d")
                + ", then "
                + nq["V"]
                + " on "
                + nq["ADT"].dt.strftime("%Y-%m-%d"),
            }
        ),
        stage="adrs",
        variable="NEWLPROG",
        action="query",
        reason=(
            "equivocal new lesion confirmed at the next assessment: PD may date to the "
            "equivocal scan (RECIST 1.1 §4.3.2); reported responses kept as reported"
        ),
    )


def derive_visit_responses(
    tu: pd.DataFrame | None,
    tr: pd.DataFrame,
    rs: pd.DataFrame | None,
    adsl: pd.DataFrame,
    rules: ResponseRules,
    tumour: TumourData | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per-visit RECIST 1.1 response derived from TU/TR, one row per subject and
    post-baseline assessment (RECIST 1.1 §4.3.1-§4.3.4); returns `(visits, issues)`.

    The records are those of the response source's evaluator and reader (`rules`; `rs` only
    takes part in the choice of reader). Columns: STUDYID, USUBJID, AVISIT, AVISITN, ADT,
    ADTF, SLD (AVAL), BASE, NADIR, COMPLFL, TRGRESP (target_response; "NA" without baseline
    target lesions), NTRGRESP (nontarget_response over the baseline non-target lesions; "NA"
    without any), NEWLPROG, NEWLEQ, NEWLCONF (new_lesion_flag), REAPPFL ("Y" where disease
    reappears after a CR, `reappearance_after_cr`: the reappearing component, TRGRESP or
    NTRGRESP, and OVRLRESP are PD) and OVRLRESP (overall_response). An equivocal new lesion
    confirmed later makes OVRLRESP PD at the equivocal scan (NEWLCONF "Y"), so the response
    timeline and PFS date the progression there. Subjects with no baseline assessment get rows
    for all assessments, with TRGRESP NE when they have target lesions.

    Issues: a new-lesion result that is not a recognised value (`new_lesion_status`
    UNRECOGNISED: not PD), `expected_variable_issues` and, for reported responses,
    `reported_equivocal_queries`.
    `tumour`: the result of `tumour_records` for the same inputs, when already read (it is
    not modified).
    """
    data: TumourData = tumour if tumour is not None else tumour_records(tu, tr, rs, adsl, rules)
    rec, asm, les = data.records, data.assessments, data.lesions
    post = asm[asm["POSTBL"] | ~asm["HASBL"]].copy()
    keys = ["USUBJID", "ASMKEY"]

    sums = target_sums(data)
    sums = sums[sums["POSTBL"] | ~sums["USUBJID"].isin(asm.loc[asm["HASBL"], "USUBJID"])].copy()
    sums["TRGRESP"] = target_response(sums, rules)
    out = post.merge(
        sums[keys + ["AVAL", "BASE", "NADIR", "COMPLFL", "NONNODSUM", "NODEMAX", "TRGRESP"]],
        on=keys,
        how="left",
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

    newr = rec[rec["ROLE"] == "NEW"].merge(asm[keys + ["ADT"]], on=keys, how="inner")
    newf = new_lesion_flag(newr, rules, by=keys)
    out = out.merge(newf, on=keys, how="left")
    for c in ("NEWLPROG", "NEWLEQ", "NEWLCONF"):
        out[c] = out[c].fillna("N")
    out = out.sort_values(["USUBJID", "ADT", "ASMKEY"], kind="mergesort").reset_index(drop=True)
    out["OVRLRESP"] = overall_response(out["TRGRESP"], out["NTRGRESP"], out["NEWLPROG"])
    reapp = reappearance_after_cr(out, rules)
    tgt_back = (out["NONNODSUM"].astype(float) > _EPS) | (
        out["NODEMAX"].astype(float) >= rules.node_cr_mm - _EPS
    )
    out.loc[reapp & tgt_back, "TRGRESP"] = "PD"
    out.loc[reapp & out["NTRGRESP"].eq("NON-CR/NON-PD"), "NTRGRESP"] = "PD"
    out.loc[reapp, "OVRLRESP"] = "PD"
    out["REAPPFL"] = np.where(reapp, "Y", "")

    ad = adsl.drop_duplicates("USUBJID").set_index("USUBJID")
    out["STUDYID"] = out["USUBJID"].map(ad["STUDYID"]).fillna("") if "STUDYID" in ad.columns else ""
    out = out.rename(columns={"AVAL": "SLD"})
    cols = [
        "STUDYID", "USUBJID", "AVISIT", "AVISITN", "ADT", "ADTF", "SLD", "BASE", "NADIR",
        "COMPLFL", "TRGRESP", "NTRGRESP", "NEWLPROG", "NEWLEQ", "NEWLCONF", "REAPPFL", "OVRLRESP",
    ]  # fmt: skip
    out["COMPLFL"] = out["COMPLFL"].fillna("")
    visits = out[cols].sort_values(["USUBJID", "ADT"], kind="mergesort").reset_index(drop=True)

    bad = newr[new_lesion_status(newr, rules).eq("UNRECOGNISED").to_numpy()]
    issues = [
        make_issues(
            pd.DataFrame(
                {
                    "domain": "TR",
                    "usubjid": bad["USUBJID"],
                    "seq": bad["SRCSEQ"],
                    "row": bad["SRCROW"],
                    "original_value": bad["STATE"],
                }
            ),
            stage="adrs",
            variable="TRSTRESC",
            action="flagged",
            reason=(
                "new-lesion result is not a recognised value (response.new_lesion); "
                "not counted as progression (RECIST 1.1 §4.3.2)"
            ),
        ),
        expected_variable_issues(tu, tr, rs, rules),
        reported_equivocal_queries(rs, rules, choose_readers(tu, tr, rs, rules)),
    ]
    return visits, concat_issues(issues)


def select_ovr_records(
    rs: pd.DataFrame | None,
    derived_visits: pd.DataFrame | None,
    rules: ResponseRules,
    readers: pd.DataFrame,
) -> pd.DataFrame:
    """Overall-response (OVR) records from the source chosen by `rules.source`.

    - "derived": OVRLRESP of `derived_visits` (derive_visit_responses), so a PD backdated to
      an equivocal scan (NEWLCONF) or a reappearance after CR (REAPPFL) is carried here.
    - "investigator" / "independent": RS RSTESTCD "OVRLRESP" of the evaluator and, per
      subject, of the one reader chosen for TU, TR and RS alike (`readers`, from
      `trialflow.adam.readers.choose_readers`). Only the overall response is read: a delivery
      without the TRGRESP/NTRGRESP/NEWLPROG components is complete. RS records whose RSCAT is
      not in `rules.rscat` (when RSCAT is given) are not OVR records.

    Returns USUBJID, ADT, ADTF, AVISIT, AVISITN, AVALC (upper-cased RSSTRESC, else RSORRES),
    SRCDOM, SRCROW, SRCSEQ, sorted by USUBJID and ADT.
    """
    src = rules.source.strip().lower()
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
        raise ValueError(
            f"unknown response source {rules.source!r} (derived, investigator, independent)"
        )
    if rs is None or not len(rs):
        return pd.DataFrame({c: pd.Series(dtype="object") for c in cols}).astype(
            {"ADT": "datetime64[ns]"}
        )
    r = rs[upper(rs, "RSTESTCD") == "OVRLRESP"]
    if "RSCAT" in r.columns:
        cat = upper(r, "RSCAT")
        r = r[cat.isin(("", *(c.strip().upper() for c in rules.rscat)))]
    r = reader_records(r, "RS", rules, readers)
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
    return out.sort_values(["USUBJID", "ADT", "SRCROW"], kind="mergesort").reset_index(drop=True)[
        cols
    ]

"""ADTR: sum of target lesion diameters (PARAMCD SLD) per subject and tumour assessment.

The tumour data (TU/TR) are read into one lesion-by-assessment table here; `trialflow.adam.recist`
uses the same table for the per-visit RECIST 1.1 responses.

Layout rules (the CDISC pharmaversesdtm sample, the bundled simulator and the SDTMIG encodings
below are accepted):

- **Evaluator and reader** (`trialflow.adam.readers`): the records of the response source's
  evaluator and, per subject, of one reader, the same for TU, TR and RS.
- **Lesion role**: TU TUSTRESC (else TUORRES) TARGET / NON-TARGET / NEW, joined to TR by
  USUBJID and TRLNKID = TULNKID; TR TRGRPID when TU has no record for the lesion.
- **Baseline lesions** (RECIST 1.1 §3.3: target and non-target lesions are chosen at
  baseline): a TU lesion belongs to the baseline set when it was identified at or before the
  baseline assessment: TU VISITNUM <= the baseline assessment's VISITNUM when both exist, else
  the identification date (TUDT; when TUDTC is absent or empty, the date of the lesion's TR
  record at the TU visit, else its first TR date) on or before the last TR date of the
  baseline assessment. Lesions with a TR record at the baseline assessment and no TU record
  (role from TRGRPID) belong too. A TU record made at a later visit never adds an (unmeasured)
  baseline lesion. Split fragments and merged lesions (below) are never baseline lesions.
- **Split lesions** (RECIST 1.1 Appendix I, "lesions that split"): the fragments' diameters are
  added and the sum is the parent lesion's diameter. A record is a fragment of baseline target
  lesion P when its link id is not itself a baseline lesion and
  1. TU has a TUTESTCD "TUSPLIT" record for it whose TULNKGRP is P; or
  2. its link id is derived from P's: P, then ".", "-" or "_", then a suffix (T01.1, T01.2,
     T01-A); or
  3. its TR TRLNKGRP (or TU TULNKGRP) equals P (a link group named by the parent; other
     link-group values, such as pharmaversesdtm's per-assessment "A1", are ignored).
  At an assessment where fragments are measured, P's value is the sum of the measured
  fragments (P's own record, e.g. "SPLIT" or NOT DONE, is then ignored); before the split
  nothing changes.
- **Merged lesions** (RECIST 1.1 Appendix I, "lesions that coalesce"): the coalesced lesion is
  measured once. Accepted encodings: (1) a TU TUTESTCD "TUMERGE" record whose link id names
  the baseline lesions it joins, separated by "/", "+", "&" or "," (T02/T03), or whose
  TULNKGRP equals the TULNKGRP of the baseline lesions' TU records; its measurement counts
  for the first of those lesions and the others count 0; (2) the coalesced measurement recorded
  under one parent's link id and the other parent's TR result "MERGED" (counts 0).
- **Nodal lesion**: TU TULOC contains "LYMPH NODE", or the lesion has a TR SAXIS record.
- **Measurement** (RECIST 1.1 §3.2: longest diameter of non-nodal lesions, short axis of nodes;
  SDTM controlled terminology TRTESTCD): DIAMETER when delivered (the RECIST diameter as
  recorded: in pharmaversesdtm it is the short axis of nodes and the longest diameter
  otherwise, and the delivered SUMDIAM is its sum); else SAXIS (short axis) for nodal lesions
  and LDIAM (longest diameter) for non-nodal ones; else, for nodal lesions, LPERP (the
  longest perpendicular, which is the short axis of a node) and last LDIAM. A non-nodal
  lesion's LPERP and SAXIS are never used (RECIST measures its longest diameter). SUMDIAM
  records (a delivered sum) are not used: SLD is recomputed.
- **Value**: TRSTRESN in mm (multiplied by 10 if TRSTRESU is still "cm"); "TOO SMALL TO
  MEASURE" in TRSTRESC/TRORRES = 5 mm; "ABSENT" = 0 (disappeared, RECIST 1.1 §3.2
  Appendix I); "MERGED" = 0 (counted in the lesion it joined); TRSTAT "NOT DONE" or no value =
  not measured.
- **Assessment**: TR records of one subject and VISITNUM (the TR date when VISITNUM is
  absent or empty) form one assessment; its date ADT is the earliest TRDT of the assessment
  (RECIST 1.1 convention for progression dates) and ADTF the imputation flag of that record.
- **Baseline**: the last assessment on or before STARTDT; if there is none, the last
  assessment whose VISIT is BASELINE or SCREENING; if STARTDT is empty, the first assessment.
  Earlier assessments are not analysed.
"""

from __future__ import annotations

import re
from typing import NamedTuple

import numpy as np
import pandas as pd

from trialflow.adam.readers import choose_readers, reader_records
from trialflow.adam.timeline import before_new_therapy, first_pd_dates
from trialflow.adam.treatment import bds_treatment
from trialflow.columns import dates, numeric, upper
from trialflow.config.options import ResponseRules

NODAL_TESTS = ("DIAMETER", "SAXIS", "LPERP", "LDIAM")
NONNODAL_TESTS = ("DIAMETER", "LDIAM")
TOO_SMALL_MM = 5.0
BASELINE_VISITS = ("BASELINE", "SCREENING")
SPLIT_TESTCD = "TUSPLIT"
MERGE_TESTCD = "TUMERGE"
FRAGMENT_ID = re.compile(r"^(?P<parent>.+)[.\-_][A-Z0-9]+$")
MERGED_ID_SEP = re.compile(r"\s*[/+&,]\s*")


class TumourData(NamedTuple):
    """The tumour records of one evaluator and reader, ready for SLD and response."""

    records: pd.DataFrame
    """One TR record a row: USUBJID, LNKID, ROLE, NODAL, TESTCD, VALUE (mm or NaN), STATE
    (upper-cased TRSTRESC/TRORRES), DT, ASMKEY, SRCROW."""
    assessments: pd.DataFrame
    """One row per subject and assessment: ADT, ADTF, AVISIT, AVISITN, ABLFL, POSTBL, HASBL."""
    lesions: pd.DataFrame
    """The baseline lesions: USUBJID, LNKID, ROLE, NODAL."""
    links: pd.DataFrame
    """Split fragments and merged lesions: USUBJID, LNKID (the record's), PARENT (a baseline
    target lesion), KIND (FRAGMENT or MERGED), PORD (0 for the parent that carries a merged
    measurement, 1.. for the others, which count 0)."""


def _bool(s: pd.Series) -> pd.Series:
    """Missing -> False, else truthiness, as a plain bool Series."""
    return s.astype("boolean").fillna(False).astype(bool)


def select_evaluator(
    df: pd.DataFrame, prefix: str, rules: ResponseRules, readers: pd.DataFrame | None = None
) -> pd.DataFrame:
    """The records of the response source's evaluator and, per subject, of one reader
    (`trialflow.adam.readers`). `readers` (`choose_readers`) defaults to the choice made from
    `df` alone; pass the choice made from TU, TR and RS together to use the same reader."""
    if readers is None:
        readers = choose_readers(
            df if prefix == "TU" else None,
            df if prefix == "TR" else None,
            df if prefix == "RS" else None,
            rules,
        )
    return reader_records(df, prefix, rules, readers)


def _text(df: pd.DataFrame, col: str) -> pd.Series:
    if col not in df.columns:
        return pd.Series("", index=df.index, dtype="object")
    return df[col].astype("object").where(df[col].notna(), "")


def _tu_lesions(tu: pd.DataFrame | None) -> pd.DataFrame:
    """One row per TU lesion: USUBJID, LNKID, ROLE, NODAL_TU, TESTCD, LNKGRP, TUVISITN, TUDT."""
    cols = ["USUBJID", "LNKID", "ROLE", "NODAL_TU", "TESTCD", "LNKGRP", "TUVISITN", "TUDT"]
    if tu is None or not len(tu):
        out = pd.DataFrame({c: pd.Series(dtype="object") for c in cols})
        out["NODAL_TU"] = out["NODAL_TU"].astype(bool)
        out["TUVISITN"] = out["TUVISITN"].astype(float)
        out["TUDT"] = out["TUDT"].astype("datetime64[ns]")
        return out
    role = upper(tu, "TUSTRESC")
    role = role.where(role != "", upper(tu, "TUORRES"))
    testcd = upper(tu, "TUTESTCD")
    out = pd.DataFrame(
        {
            "USUBJID": tu["USUBJID"].astype(str).to_numpy(),
            "LNKID": upper(tu, "TULNKID").to_numpy(),
            "ROLE": role.to_numpy(),
            "NODAL_TU": upper(tu, "TULOC").str.contains("LYMPH NODE").to_numpy(),
            "TESTCD": testcd.to_numpy(),
            "LNKGRP": upper(tu, "TULNKGRP").to_numpy(),
            "TUVISITN": numeric(tu, "VISITNUM").to_numpy(),
            "TUDT": dates(tu, "TUDT").to_numpy(),
            "_SPLITMERGE": testcd.isin([SPLIT_TESTCD, MERGE_TESTCD]).astype(int).to_numpy(),
        }
    )
    out = out[(out["LNKID"] != "")]
    # the identification record first, a later split/merge record of the same id after it
    out = out.sort_values(["USUBJID", "LNKID", "_SPLITMERGE"], kind="mergesort")
    first = out.drop_duplicates(["USUBJID", "LNKID"]).drop(columns="_SPLITMERGE")
    marks = out[out["TESTCD"].isin([SPLIT_TESTCD, MERGE_TESTCD])]
    marks = marks.drop_duplicates(["USUBJID", "LNKID"]).set_index(["USUBJID", "LNKID"])
    key = pd.MultiIndex.from_frame(first[["USUBJID", "LNKID"]])
    first["TESTCD"] = pd.Series(key.map(marks["TESTCD"]), index=first.index).fillna(first["TESTCD"])
    grp = pd.Series(key.map(marks["LNKGRP"]), index=first.index)
    first["LNKGRP"] = grp.where(grp.notna() & (grp != ""), first["LNKGRP"])
    return first.reset_index(drop=True)[cols]


def _read_tr(t: pd.DataFrame) -> pd.DataFrame:
    testcd = upper(t, "TRTESTCD")
    rec = pd.DataFrame(
        {
            "USUBJID": t["USUBJID"].astype(str).to_numpy(),
            "LNKID": upper(t, "TRLNKID").to_numpy(),
            "GRP": upper(t, "TRGRPID").to_numpy(),
            "LNKGRP": upper(t, "TRLNKGRP").to_numpy(),
            "TESTCD": testcd.to_numpy(),
            "DT": dates(t, "TRDT").to_numpy(),
            "DTF": upper(t, "TRDTF").to_numpy(),
            "VISIT": _text(t, "VISIT").to_numpy(),
            "VISITNUM": numeric(t, "VISITNUM").to_numpy(),
            "SRCROW": (
                pd.to_numeric(t["SRCROW"], errors="coerce")
                if "SRCROW" in t.columns
                else pd.Series(np.arange(len(t)), index=t.index)
            ).to_numpy(),
            "SRCSEQ": numeric(t, "TRSEQ").to_numpy(),
        }
    )
    stresc = upper(t, "TRSTRESC")
    state = stresc.where(stresc != "", upper(t, "TRORRES")).to_numpy()
    rec["STATE"] = state
    value = numeric(t, "TRSTRESN").to_numpy()
    unit = upper(t, "TRSTRESU").to_numpy()
    value = np.where(unit == "CM", value * 10.0, value)
    st = pd.Series(state)
    value = np.where(st.str.contains("TOO SMALL").to_numpy(), TOO_SMALL_MM, value)
    value = np.where((st == "ABSENT").to_numpy() | st.str.contains("MERGED").to_numpy(), 0.0, value)
    value = np.where(upper(t, "TRSTAT").to_numpy() == "NOT DONE", np.nan, value)
    rec["VALUE"] = value
    return rec[rec["TESTCD"] != "SUMDIAM"].reset_index(drop=True)


def _assessments(rec: pd.DataFrame, adsl: pd.DataFrame) -> pd.DataFrame:
    vn = rec["VISITNUM"]
    rec["ASMKEY"] = np.where(
        vn.notna(), "V" + vn.astype(str), "D" + rec["DT"].dt.strftime("%Y-%m-%d").fillna("")
    )
    dated = rec[rec["DT"].notna()].sort_values(
        ["USUBJID", "ASMKEY", "DT", "SRCROW"], kind="mergesort"
    )
    asm = dated.drop_duplicates(["USUBJID", "ASMKEY"])[
        ["USUBJID", "ASMKEY", "DT", "DTF", "VISIT", "VISITNUM"]
    ].rename(columns={"DT": "ADT", "DTF": "ADTF", "VISIT": "AVISIT", "VISITNUM": "AVISITN"})
    last = dated.groupby(["USUBJID", "ASMKEY"])["DT"].max().rename("LASTDT").reset_index()
    asm = asm.merge(last, on=["USUBJID", "ASMKEY"], how="left")
    asm = asm.sort_values(["USUBJID", "ADT", "ASMKEY"], kind="mergesort").reset_index(drop=True)

    start = asm["USUBJID"].map(adsl.drop_duplicates("USUBJID").set_index("USUBJID")["STARTDT"])
    asm["STARTDT"] = pd.to_datetime(start).astype("datetime64[ns]")
    pre = asm["ADT"] <= asm["STARTDT"]
    labelled = asm["AVISIT"].astype(str).str.strip().str.upper().isin(BASELINE_VISITS)
    pos = pd.Series(np.arange(len(asm)), index=asm.index)
    last_pre = pos.where(pre).groupby(asm["USUBJID"]).transform("max")
    last_lab = pos.where(labelled).groupby(asm["USUBJID"]).transform("max")
    first = pos.groupby(asm["USUBJID"]).transform("min")
    bl = last_pre.fillna(last_lab)
    bl = bl.where(asm["STARTDT"].notna() | bl.notna(), first)
    asm["ABLFL"] = np.where(pos == bl, "Y", "")
    asm["POSTBL"] = bl.notna() & (pos > bl)
    asm["HASBL"] = bl.notna()
    return asm[asm["ABLFL"].eq("Y") | asm["POSTBL"] | ~asm["HASBL"]].reset_index(drop=True)


def _identified_at_baseline(tul: pd.DataFrame, rec: pd.DataFrame, asm: pd.DataFrame) -> pd.Series:
    """True for TU lesions identified at or before the subject's baseline assessment (rule in
    the module docstring); subjects without a baseline assessment keep every lesion."""
    bl = asm[asm["ABLFL"] == "Y"].set_index("USUBJID")
    blvn = tul["USUBJID"].map(bl["AVISITN"]).astype(float)
    bllast = tul["USUBJID"].map(bl["LASTDT"]).astype("datetime64[ns]")
    # identification date: TUDT, else the lesion's TR date at the TU visit, else its first TR date
    keyed = rec[rec["DT"].notna()]
    at_visit = (
        keyed.groupby(["USUBJID", "LNKID", "VISITNUM"])["DT"].min().rename("VDT").reset_index()
    )
    first_dt = keyed.groupby(["USUBJID", "LNKID"])["DT"].min().rename("FDT").reset_index()
    t = tul[["USUBJID", "LNKID", "TUVISITN", "TUDT"]].copy()
    t = t.merge(
        at_visit.rename(columns={"VISITNUM": "TUVISITN"}),
        on=["USUBJID", "LNKID", "TUVISITN"],
        how="left",
    )
    t = t.merge(first_dt, on=["USUBJID", "LNKID"], how="left")
    ident = t["TUDT"].fillna(t["VDT"]).fillna(t["FDT"]).to_numpy()
    tuvn = tul["TUVISITN"].astype(float).to_numpy()
    by_visit = ~np.isnan(tuvn) & blvn.notna().to_numpy()
    ident_s = pd.Series(ident, index=tul.index).astype("datetime64[ns]")
    out = np.where(
        by_visit,
        tuvn <= blvn.fillna(np.inf).to_numpy(),
        ident_s.isna().to_numpy() | bllast.isna().to_numpy() | (ident_s <= bllast).to_numpy(),
    )
    return pd.Series(out, index=tul.index).astype(bool)


def _links(tul: pd.DataFrame, rec: pd.DataFrame, les: pd.DataFrame) -> pd.DataFrame:
    """Split fragments and merged lesions mapped to their baseline target lesions (rules in
    the module docstring)."""
    cols = ["USUBJID", "LNKID", "PARENT", "KIND", "PORD"]
    tgt = les[les["ROLE"] == "TARGET"][["USUBJID", "LNKID"]]
    baseline = pd.MultiIndex.from_frame(les[["USUBJID", "LNKID"]])
    is_tgt = pd.MultiIndex.from_frame(tgt)
    rows: list[tuple[str, str, str, str, int]] = []

    merged = tul[tul["TESTCD"] == MERGE_TESTCD]
    for subj, lnk, grp in merged[["USUBJID", "LNKID", "LNKGRP"]].itertuples(index=False):
        if (subj, lnk) in baseline:
            continue
        parents = [p for p in MERGED_ID_SEP.split(lnk) if (subj, p) in is_tgt]
        if len(parents) < 2 and grp:
            same = tul[(tul["USUBJID"] == subj) & (tul["LNKGRP"] == grp)]
            parents = sorted(p for p in same["LNKID"] if (subj, p) in is_tgt)
        for k, p in enumerate(sorted(set(parents))):
            rows.append((subj, lnk, p, "MERGED", k))
    done = {(r[0], r[1]) for r in rows}

    split = tul[tul["TESTCD"] == SPLIT_TESTCD]
    for subj, lnk, grp in split[["USUBJID", "LNKID", "LNKGRP"]].itertuples(index=False):
        if (subj, lnk) in baseline or (subj, lnk) in done:
            continue
        if (subj, grp) in is_tgt:
            rows.append((subj, lnk, grp, "FRAGMENT", 0))
            done.add((subj, lnk))

    ids = pd.concat(
        [
            rec[["USUBJID", "LNKID", "LNKGRP"]],
            tul[["USUBJID", "LNKID", "LNKGRP"]],
        ],
        ignore_index=True,
    ).drop_duplicates()
    tu_role = dict(zip(zip(tul["USUBJID"], tul["LNKID"], strict=True), tul["ROLE"], strict=True))
    for subj, lnk, grp in ids.itertuples(index=False):
        if not lnk or (subj, lnk) in baseline or (subj, lnk) in done:
            continue
        if tu_role.get((subj, lnk)) in ("NEW", "NON-TARGET"):
            continue  # TU calls it a new or non-target lesion: not a fragment
        m = FRAGMENT_ID.match(lnk)
        parent = None
        if m and (subj, m.group("parent")) in is_tgt:
            parent = m.group("parent")
        elif grp and (subj, grp) in is_tgt:
            parent = grp
        if parent is not None:
            rows.append((subj, lnk, parent, "FRAGMENT", 0))
            done.add((subj, lnk))
    out = pd.DataFrame(rows, columns=cols)
    return out.sort_values(["USUBJID", "LNKID", "PORD"], kind="mergesort").reset_index(drop=True)


def tumour_records(
    tu: pd.DataFrame | None,
    tr: pd.DataFrame,
    rs: pd.DataFrame | None,
    adsl: pd.DataFrame,
    rules: ResponseRules,
) -> TumourData:
    """Read TU/TR of the response source's evaluator and reader into `TumourData` (layout
    rules in the module docstring); `rs` only takes part in the choice of reader."""
    readers = choose_readers(tu, tr, rs, rules)
    t = reader_records(tr, "TR", rules, readers)
    u = reader_records(tu, "TU", rules, readers) if tu is not None and len(tu) else tu
    rec = _read_tr(t)
    tul = _tu_lesions(u)

    roles = tul[["USUBJID", "LNKID", "ROLE", "NODAL_TU"]]
    rec = rec.merge(roles, on=["USUBJID", "LNKID"], how="left")
    rec["ROLE"] = rec["ROLE"].fillna(rec["GRP"])
    saxis = rec.loc[rec["TESTCD"] == "SAXIS", ["USUBJID", "LNKID"]].drop_duplicates()
    has_sax = pd.MultiIndex.from_frame(rec[["USUBJID", "LNKID"]]).isin(
        pd.MultiIndex.from_frame(saxis)
    )
    rec["NODAL"] = _bool(rec["NODAL_TU"]) | has_sax

    asm = _assessments(rec, adsl)
    rec = rec.merge(asm[["USUBJID", "ASMKEY"]], on=["USUBJID", "ASMKEY"], how="inner")

    # baseline lesions: TU targets / non-targets identified at or before the baseline
    # assessment (not split/merge records), plus TR-only lesions recorded at baseline
    cand = tul[tul["ROLE"].isin(["TARGET", "NON-TARGET"])]
    cand = cand[~cand["TESTCD"].isin([SPLIT_TESTCD, MERGE_TESTCD])]
    cand = cand[_identified_at_baseline(cand, rec, asm).to_numpy()]
    les = cand[["USUBJID", "LNKID", "ROLE"]]
    blkeys = asm.loc[asm["ABLFL"] == "Y", ["USUBJID", "ASMKEY"]]
    trbl = rec.merge(blkeys, on=["USUBJID", "ASMKEY"])
    trbl = trbl[trbl["ROLE"].isin(["TARGET", "NON-TARGET"]) & (trbl["LNKID"] != "")]
    tumarks = tul[tul["TESTCD"].isin([SPLIT_TESTCD, MERGE_TESTCD])]
    trbl = trbl[
        ~pd.MultiIndex.from_frame(trbl[["USUBJID", "LNKID"]]).isin(
            pd.MultiIndex.from_frame(tumarks[["USUBJID", "LNKID"]])
        )
    ]
    les = pd.concat([les, trbl[["USUBJID", "LNKID", "ROLE"]]], ignore_index=True)
    les = les.drop_duplicates(["USUBJID", "LNKID"]).reset_index(drop=True)
    links = _links(tul, rec, les)
    # a fragment or merged lesion takes its parent's role (it is measured for the parent)
    if len(links):
        frag = links.drop_duplicates(["USUBJID", "LNKID"]).set_index(["USUBJID", "LNKID"])
        key = pd.MultiIndex.from_frame(rec[["USUBJID", "LNKID"]])
        linked = key.isin(frag.index)
        rec.loc[linked, "ROLE"] = "TARGET"
    nodal = rec.groupby(["USUBJID", "LNKID"], as_index=False)["NODAL"].any()
    les = les.merge(nodal, on=["USUBJID", "LNKID"], how="left")
    les = les.merge(tul[["USUBJID", "LNKID", "NODAL_TU"]], on=["USUBJID", "LNKID"], how="left")
    les["NODAL"] = _bool(les["NODAL"]) | _bool(les["NODAL_TU"])
    les = les.drop(columns="NODAL_TU")
    return TumourData(rec, asm, les, links)


def target_sums(data: TumourData) -> pd.DataFrame:
    """SLD and its parts per assessment for subjects with baseline target lesions.

    Columns: USUBJID, ASMKEY, AVAL (sum of measured target lesions, mm), NLESBL, NLESMEAS,
    COMPLFL ("Y" when every baseline target lesion is measured), NONNODSUM (sum of non-nodal
    targets), NODEMAX (largest nodal short axis, NaN if no node), BASE, NADIR. A split lesion
    counts the sum of its measured fragments, a merged lesion once (module docstring).
    """
    rec, asm, les, links = data
    tgt = les[les["ROLE"] == "TARGET"][["USUBJID", "LNKID", "NODAL"]]
    grid = asm[["USUBJID", "ASMKEY", "ADT", "ABLFL", "POSTBL"]].merge(tgt, on="USUBJID")
    own = tgt.assign(PARENT=tgt["LNKID"], KIND="OWN", PORD=0)
    mapping = pd.concat(
        [own[["USUBJID", "LNKID", "PARENT", "KIND", "PORD"]], links], ignore_index=True
    )
    r = rec[rec["VALUE"].notna()].merge(mapping, on=["USUBJID", "LNKID"])
    r = r.merge(
        tgt.rename(columns={"LNKID": "PARENT", "NODAL": "LNODAL"}), on=["USUBJID", "PARENT"]
    )
    rank_nod = {t: i for i, t in enumerate(NODAL_TESTS)}
    rank_non = {t: i for i, t in enumerate(NONNODAL_TESTS)}
    r["RANK"] = np.where(r["LNODAL"], r["TESTCD"].map(rank_nod), r["TESTCD"].map(rank_non))
    # a state record with a value (ABSENT / TOO SMALL / MERGED) ranks after the measurements
    state_only = (
        r["STATE"].eq("ABSENT")
        | r["STATE"].str.contains("TOO SMALL")
        | r["STATE"].str.contains("MERGED")
    )
    r["RANK"] = r["RANK"].fillna(pd.Series(np.where(state_only, 9.0, np.nan), index=r.index))
    r = r[r["RANK"].notna()].sort_values(
        ["USUBJID", "ASMKEY", "PARENT", "LNKID", "RANK", "SRCROW"], kind="mergesort"
    )
    r = r.drop_duplicates(["USUBJID", "ASMKEY", "PARENT", "LNKID"])
    r["VALUE"] = r["VALUE"].where(r["PORD"] == 0, 0.0)
    linked = r["KIND"] != "OWN"
    has_link = linked.groupby([r["USUBJID"], r["ASMKEY"], r["PARENT"]]).transform("any")
    r = r[linked | ~has_link]
    per = r.groupby(["USUBJID", "ASMKEY", "PARENT"], as_index=False)["VALUE"].sum()
    grid = grid.merge(
        per.rename(columns={"PARENT": "LNKID"}), on=["USUBJID", "ASMKEY", "LNKID"], how="left"
    )
    grid["NONNOD"] = grid["VALUE"].where(~grid["NODAL"])
    grid["NODV"] = grid["VALUE"].where(grid["NODAL"])
    g = grid.groupby(["USUBJID", "ASMKEY"], sort=False)
    out = pd.DataFrame(
        {
            "AVAL": g["VALUE"].sum(min_count=1),
            "NLESBL": g["LNKID"].size(),
            "NLESMEAS": g["VALUE"].count(),
            "NONNODSUM": g["NONNOD"].sum(min_count=1),
            "NONNODMEAS": g["NONNOD"].count(),
            "NODEMAX": g["NODV"].max(),
        }
    ).reset_index()
    out["COMPLFL"] = np.where(out["NLESMEAS"] == out["NLESBL"], "Y", "N")
    out = asm[["USUBJID", "ASMKEY", "ADT", "ABLFL", "POSTBL"]].merge(
        out, on=["USUBJID", "ASMKEY"], how="inner"
    )
    out = out.sort_values(["USUBJID", "ADT", "ASMKEY"], kind="mergesort").reset_index(drop=True)
    isbl = out["ABLFL"] == "Y"
    base = out["AVAL"].where(isbl).groupby(out["USUBJID"]).transform("max")
    out["BASE"] = base
    out["BASECOMP"] = out["COMPLFL"].where(isbl).groupby(out["USUBJID"]).transform("first")
    # NADIR: smallest SLD of complete assessments BEFORE this one, baseline included
    compl = out["AVAL"].where((out["COMPLFL"] == "Y") & (isbl | out["POSTBL"]))
    running = compl.groupby(out["USUBJID"]).cummin()
    running = running.groupby(out["USUBJID"]).ffill()
    out["NADIR"] = running.groupby(out["USUBJID"]).shift(1)
    out.loc[isbl, "NADIR"] = out.loc[isbl, "AVAL"]
    return out


def derive_adtr(
    tu: pd.DataFrame | None,
    tr: pd.DataFrame,
    rs: pd.DataFrame | None,
    adsl: pd.DataFrame,
    adrs: pd.DataFrame,
    rules: ResponseRules,
    tumour: TumourData | None = None,
) -> pd.DataFrame:
    """Derive ADTR, PARAMCD "SLD", one row per subject and tumour assessment (baseline on).

    RECIST 1.1 §4.2/§4.3.1 sum of diameters; measurement rules in the module docstring. The
    records are those of the response source's evaluator and reader (`rules`), the same as
    ADRS and ADSL EFFFL use.

    - AVAL: SLD in mm of the measured baseline target lesions (too small = 5 mm, gone = 0).
    - COMPLFL: "Y" when every baseline target lesion was measured at the assessment.
    - BASE, CHG = AVAL - BASE, PCHG = 100 * CHG / BASE (ABLFL "Y" marks the baseline row).
    - NADIR: the smallest SLD of the COMPLETE assessments before this one, baseline
      included (the reference for progression, RECIST 1.1 §4.3.1); it does not include the
      current assessment. On the baseline row NADIR = BASE. PCHGNAD = 100 * (AVAL - NADIR) /
      NADIR (empty when NADIR is 0).
    - ANL01FL "Y": the assessments that count for the response, like BOR (RECIST 1.1 §4.4;
      FDA 2018): the baseline, and post-baseline assessments on or after STARTDT, up to and
      including the first PD of the response timeline (`first_pd_dates` of `adrs`) and before
      new anticancer therapy (`rules.new_therapy_boundary`, `before_new_therapy`).
    - BESTPCHG: per subject, the smallest PCHG among complete post-baseline assessments with
      ANL01FL "Y" (the waterfall plot's bar); empty when there is none.
    - ADT (earliest TR date of the assessment), ADTF, ADY (ADT - STARTDT + 1 on/after
      STARTDT, ADT - STARTDT before), AVISIT, AVISITN.
    ADSL keys STUDYID, USUBJID are carried over. Subjects without target lesions have no rows.

    `tumour`: the result of `tumour_records` for the same inputs, when already read (it is
    not modified).
    """
    data = tumour if tumour is not None else tumour_records(tu, tr, rs, adsl, rules)
    asm = data.assessments
    s = target_sums(data)
    s = s.merge(
        asm[["USUBJID", "ASMKEY", "ADTF", "AVISIT", "AVISITN", "STARTDT"]], on=["USUBJID", "ASMKEY"]
    )
    s = s[(s["ABLFL"] == "Y") | s["POSTBL"]].copy()
    s["CHG"] = s["AVAL"] - s["BASE"]
    s["PCHG"] = np.where(s["BASE"] > 0, 100.0 * s["CHG"] / s["BASE"].where(s["BASE"] > 0), np.nan)
    s["PCHGNAD"] = np.where(
        s["NADIR"] > 0, 100.0 * (s["AVAL"] - s["NADIR"]) / s["NADIR"].where(s["NADIR"] > 0), np.nan
    )
    keys = adsl.drop_duplicates("USUBJID").set_index("USUBJID")
    nact = keys["NACTDT"] if "NACTDT" in keys.columns else pd.Series(pd.NaT, index=keys.index)
    nactdt = s["USUBJID"].map(nact).astype("datetime64[ns]")
    pd_dt = s["USUBJID"].map(first_pd_dates(adrs)).astype("datetime64[ns]")
    used = (
        s["POSTBL"]
        & (s["STARTDT"].isna() | (s["ADT"] >= s["STARTDT"]))
        & (pd_dt.isna() | (s["ADT"] <= pd_dt))
        & before_new_therapy(s["ADT"], nactdt, rules.new_therapy_boundary)
    )
    s["ANL01FL"] = np.where((s["ABLFL"] == "Y") | used, "Y", "")
    best = s["PCHG"].where(used & (s["COMPLFL"] == "Y")).groupby(s["USUBJID"]).transform("min")
    s["BESTPCHG"] = best
    days = (s["ADT"] - s["STARTDT"]).dt.days
    s["ADY"] = np.where(days >= 0, days + 1, days)
    s["ADY"] = s["ADY"].astype(float)
    s["AVISIT"] = np.where(s["ABLFL"] == "Y", "BASELINE", s["AVISIT"].astype(str))
    s["STUDYID"] = s["USUBJID"].map(keys["STUDYID"]) if "STUDYID" in keys.columns else ""
    s["TRTP"], s["TRTA"] = bds_treatment(adsl, s["USUBJID"])
    s["PARAMCD"] = "SLD"
    s["PARAM"] = "Sum of Diameters of Target Lesions (mm)"
    cols = [
        "STUDYID", "USUBJID", "TRTP", "TRTA", "PARAMCD", "PARAM", "AVISIT", "AVISITN", "ADT",
        "ADTF", "ADY",
        "ABLFL", "AVAL", "BASE", "CHG", "PCHG", "NADIR", "PCHGNAD", "COMPLFL", "NLESBL",
        "NLESMEAS", "ANL01FL", "BESTPCHG",
    ]  # fmt: skip
    out = s[cols].sort_values(["USUBJID", "ADT"], kind="mergesort").reset_index(drop=True)
    out["STUDYID"] = out["STUDYID"].fillna("").astype(str)
    return out

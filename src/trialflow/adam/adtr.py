"""ADTR: sum of target lesion diameters (PARAMCD SLD) per subject and tumour assessment.

The tumour data (TU/TR) are read into one lesion-by-assessment table here; `trialflow.adam.recist`
uses the same table for the per-visit RECIST 1.1 responses.

Layout rules (both the CDISC pharmaversesdtm sample and the bundled simulator are accepted):

- **Evaluator** (`select_evaluator`): "INVESTIGATOR" keeps `--EVAL` INVESTIGATOR records (and
  records with `--EVAL` empty or absent). "INDEPENDENT" keeps `--EVAL` "INDEPENDENT
  ASSESSOR" and, per subject, one reader: the `--EVALID` with the most accepted (`--ACPTFL`
  "Y") records, ties to the first `--EVALID` in sort order (RADIOLOGIST 1). Any other value
  keeps records whose `--EVAL` equals it.
- **Lesion role**: TU TUSTRESC (else TUORRES) TARGET / NON-TARGET / NEW, joined to TR by
  USUBJID and TRLNKID = TULNKID; TR TRGRPID when TU has no record for the lesion.
- **Nodal lesion**: TU TULOC contains "LYMPH NODE", or the lesion has a TR SAXIS record.
- **Measurement** (RECIST 1.1 §3.2: longest diameter of non-nodal lesions, short axis of nodes):
  DIAMETER when delivered (the RECIST diameter as recorded: in pharmaversesdtm it is the
  short axis of nodes and the longest diameter otherwise, and the delivered SUMDIAM is its
  sum), else SAXIS for nodal lesions and LDIAM for non-nodal ones, else LPERP (the short axis)
  and last LDIAM for nodal lesions. SUMDIAM records (a delivered sum) are not used: SLD is
  recomputed.
- **Value**: TRSTRESN in mm (multiplied by 10 if TRSTRESU is still "cm"); "TOO SMALL TO
  MEASURE" in TRSTRESC/TRORRES = 5 mm; "ABSENT" = 0 (disappeared, RECIST 1.1 §3.2
  Appendix I); TRSTAT "NOT DONE" or no value = not measured.
- **Assessment**: TR records of one subject and VISITNUM (the TR date when VISITNUM is
  absent or empty) form one assessment; its date ADT is the earliest TRDT of the assessment
  (RECIST 1.1 convention for progression dates) and ADTF the imputation flag of that record.
- **Baseline**: the last assessment on or before STARTDT; if there is none, the last
  assessment whose VISIT is BASELINE or SCREENING; if STARTDT is empty, the first assessment.
  Earlier assessments are not analysed.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from trialflow.columns import dates, numeric, upper

NODAL_TESTS = ("DIAMETER", "SAXIS", "LPERP", "LDIAM")
NONNODAL_TESTS = ("DIAMETER", "LDIAM")
TOO_SMALL_MM = 5.0
BASELINE_VISITS = ("BASELINE", "SCREENING")


def _bool(s: pd.Series) -> pd.Series:
    """Missing -> False, else truthiness, as a plain bool Series."""
    return s.astype("boolean").fillna(False).astype(bool)


def select_evaluator(
    df: pd.DataFrame, prefix: str, evaluator: str = "INVESTIGATOR"
) -> pd.DataFrame:
    """Keep the records of one evaluator (rule in the module docstring).

    `prefix` is the domain prefix ("TU", "TR", "RS"); columns `<prefix>EVAL`, `<prefix>EVALID`
    and `<prefix>ACPTFL` are used when present.
    """
    ev = evaluator.strip().upper()
    col = prefix + "EVAL"
    if col not in df.columns:
        return df
    val = upper(df, col)
    if ev == "INVESTIGATOR":
        return df[(val == "INVESTIGATOR") | (val == "")]
    if ev in ("INDEPENDENT", "INDEPENDENT ASSESSOR"):
        d = df[val == "INDEPENDENT ASSESSOR"]
        idcol = prefix + "EVALID"
        if idcol not in d.columns or not len(d):
            return d
        reader = upper(d, idcol)
        acc = (upper(d, prefix + "ACPTFL") == "Y").astype(int)
        score = (
            pd.DataFrame(
                {"USUBJID": d["USUBJID"].to_numpy(), "R": reader.to_numpy(), "A": acc.to_numpy()}
            )
            .groupby(["USUBJID", "R"], as_index=False)["A"]
            .sum()
            .sort_values(["USUBJID", "A", "R"], ascending=[True, False, True], kind="mergesort")
            .drop_duplicates("USUBJID")
        )
        chosen = pd.MultiIndex.from_frame(score[["USUBJID", "R"]])
        keep = pd.MultiIndex.from_arrays([d["USUBJID"].to_numpy(), reader.to_numpy()]).isin(chosen)
        return d[keep]
    return df[val == ev]


def _lesion_roles(tu: pd.DataFrame) -> pd.DataFrame:
    """One row per TU lesion: USUBJID, LNKID, ROLE, NODAL_TU."""
    if tu is None or not len(tu):
        text = pd.Series(dtype="object")
        return pd.DataFrame(
            {"USUBJID": text, "LNKID": text, "ROLE": text, "NODAL_TU": pd.Series(dtype=bool)}
        )
    role = upper(tu, "TUSTRESC")
    role = role.where(role != "", upper(tu, "TUORRES"))
    out = pd.DataFrame(
        {
            "USUBJID": tu["USUBJID"].astype(str).to_numpy(),
            "LNKID": upper(tu, "TULNKID").to_numpy(),
            "ROLE": role.to_numpy(),
            "NODAL_TU": upper(tu, "TULOC").str.contains("LYMPH NODE").to_numpy(),
        }
    )
    out = out[out["ROLE"].isin(["TARGET", "NON-TARGET", "NEW"]) & (out["LNKID"] != "")]
    return out.drop_duplicates(["USUBJID", "LNKID"]).reset_index(drop=True)


def tumour_records(
    tu: pd.DataFrame, tr: pd.DataFrame, adsl: pd.DataFrame, *, evaluator: str = "INVESTIGATOR"
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Return `(records, assessments, lesions)` for the chosen evaluator.

    - records: one TR record a row with USUBJID, LNKID, ROLE, NODAL, TESTCD, VALUE (mm or NaN),
      STATE (upper-cased TRSTRESC/TRORRES), ASMKEY;
    - assessments: one row per subject and assessment with ADT, ADTF, AVISIT, AVISITN, ABLFL,
      POSTBL (after baseline), sorted by USUBJID and ADT;
    - lesions: the baseline lesions, one row per USUBJID, LNKID with ROLE and NODAL.
    """
    t = select_evaluator(tr, "TR", evaluator)
    u = select_evaluator(tu, "TU", evaluator) if tu is not None and len(tu) else tu
    testcd = upper(t, "TRTESTCD")
    t = t[testcd != "SUMDIAM"]
    testcd = testcd[t.index]
    rec = pd.DataFrame(
        {
            "USUBJID": t["USUBJID"].astype(str).to_numpy(),
            "LNKID": upper(t, "TRLNKID").to_numpy(),
            "GRP": upper(t, "TRGRPID").to_numpy(),
            "TESTCD": testcd.to_numpy(),
            "DT": dates(t, "TRDT").to_numpy(),
            "DTF": upper(t, "TRDTF").to_numpy(),
            "VISIT": (
                t["VISIT"].astype("object").where(t["VISIT"].notna(), "")
                if "VISIT" in t.columns
                else pd.Series("", index=t.index)
            ).to_numpy(),
            "VISITNUM": numeric(t, "VISITNUM").to_numpy(),
            "SRCROW": (
                pd.to_numeric(t["SRCROW"], errors="coerce")
                if "SRCROW" in t.columns
                else pd.Series(np.arange(len(t)), index=t.index)
            ).to_numpy(),
        }
    )
    stresc = upper(t, "TRSTRESC")
    state = stresc.where(stresc != "", upper(t, "TRORRES")).to_numpy()
    rec["STATE"] = state
    value = (
        pd.to_numeric(t["TRSTRESN"], errors="coerce").to_numpy()
        if "TRSTRESN" in t.columns
        else np.full(len(t), np.nan)
    )
    unit = upper(t, "TRSTRESU").to_numpy()
    value = np.where(unit == "CM", value * 10.0, value)
    value = np.where(pd.Series(state).str.contains("TOO SMALL").to_numpy(), TOO_SMALL_MM, value)
    value = np.where(state == "ABSENT", 0.0, value)
    value = np.where(upper(t, "TRSTAT").to_numpy() == "NOT DONE", np.nan, value)
    rec["VALUE"] = value

    roles = _lesion_roles(u)
    rec = rec.merge(roles, on=["USUBJID", "LNKID"], how="left")
    rec["ROLE"] = rec["ROLE"].fillna(rec["GRP"])
    saxis = rec.loc[rec["TESTCD"] == "SAXIS", ["USUBJID", "LNKID"]].drop_duplicates()
    has_sax = pd.MultiIndex.from_frame(rec[["USUBJID", "LNKID"]]).isin(
        pd.MultiIndex.from_frame(saxis)
    )
    rec["NODAL"] = _bool(rec["NODAL_TU"]) | has_sax

    # assessments
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
    asm = asm[asm["ABLFL"].eq("Y") | asm["POSTBL"] | ~asm["HASBL"]].reset_index(drop=True)
    rec = rec.merge(asm[["USUBJID", "ASMKEY"]], on=["USUBJID", "ASMKEY"], how="inner")

    # baseline lesions: TU targets / non-targets, plus TR-only lesions recorded at baseline
    les = roles[roles["ROLE"].isin(["TARGET", "NON-TARGET"])][["USUBJID", "LNKID", "ROLE"]]
    blkeys = asm.loc[asm["ABLFL"] == "Y", ["USUBJID", "ASMKEY"]]
    trbl = rec.merge(blkeys, on=["USUBJID", "ASMKEY"])
    trbl = trbl[trbl["ROLE"].isin(["TARGET", "NON-TARGET"]) & (trbl["LNKID"] != "")]
    les = pd.concat([les, trbl[["USUBJID", "LNKID", "ROLE"]]], ignore_index=True)
    les = les.drop_duplicates(["USUBJID", "LNKID"]).reset_index(drop=True)
    nodal = rec.groupby(["USUBJID", "LNKID"], as_index=False)["NODAL"].any()
    les = les.merge(nodal, on=["USUBJID", "LNKID"], how="left")
    les = les.merge(roles[["USUBJID", "LNKID", "NODAL_TU"]], on=["USUBJID", "LNKID"], how="left")
    les["NODAL"] = _bool(les["NODAL"]) | _bool(les["NODAL_TU"])
    les = les.drop(columns="NODAL_TU")
    return rec, asm, les


def target_sums(rec: pd.DataFrame, asm: pd.DataFrame, les: pd.DataFrame) -> pd.DataFrame:
    """SLD and its parts per assessment for subjects with baseline target lesions.

    Columns: USUBJID, ASMKEY, AVAL (sum of measured target lesions, mm), NLESBL, NLESMEAS,
    COMPLFL ("Y" when every baseline target lesion is measured), NONNODSUM (sum of non-nodal
    targets), NODEMAX (largest nodal short axis, NaN if no node), BASE, NADIR.
    """
    tgt = les[les["ROLE"] == "TARGET"][["USUBJID", "LNKID", "NODAL"]]
    grid = asm[["USUBJID", "ASMKEY", "ADT", "ABLFL", "POSTBL"]].merge(tgt, on="USUBJID")
    r = rec[rec["VALUE"].notna() & (rec["ROLE"] == "TARGET")].copy()
    r = r.merge(
        tgt[["USUBJID", "LNKID", "NODAL"]].rename(columns={"NODAL": "LNODAL"}),
        on=["USUBJID", "LNKID"],
    )
    rank_nod = {t: i for i, t in enumerate(NODAL_TESTS)}
    rank_non = {t: i for i, t in enumerate(NONNODAL_TESTS)}
    r["RANK"] = np.where(r["LNODAL"], r["TESTCD"].map(rank_nod), r["TESTCD"].map(rank_non))
    # a state record with a value (ABSENT / TOO SMALL) ranks after the named measurements
    state_only = r["STATE"].eq("ABSENT") | r["STATE"].str.contains("TOO SMALL")
    r["RANK"] = r["RANK"].fillna(pd.Series(np.where(state_only, 9.0, np.nan), index=r.index))
    r = r[r["RANK"].notna()].sort_values(
        ["USUBJID", "ASMKEY", "LNKID", "RANK", "SRCROW"], kind="mergesort"
    )
    r = r.drop_duplicates(["USUBJID", "ASMKEY", "LNKID"])
    grid = grid.merge(
        r[["USUBJID", "ASMKEY", "LNKID", "VALUE"]], on=["USUBJID", "ASMKEY", "LNKID"], how="left"
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
    tu: pd.DataFrame, tr: pd.DataFrame, adsl: pd.DataFrame, *, evaluator: str = "INVESTIGATOR"
) -> pd.DataFrame:
    """Derive ADTR, PARAMCD "SLD", one row per subject and tumour assessment (baseline on).

    RECIST 1.1 §4.2/§4.3.1 sum of diameters; measurement rules in the module docstring.

    - AVAL: SLD in mm of the measured baseline target lesions (too small = 5 mm, gone = 0).
    - COMPLFL: "Y" when every baseline target lesion was measured at the assessment.
    - BASE, CHG = AVAL - BASE, PCHG = 100 * CHG / BASE (ABLFL "Y" marks the baseline row).
    - NADIR: the smallest SLD of the COMPLETE assessments before this one, baseline
      included (the reference for progression, RECIST 1.1 §4.3.1); it does not include the
      current assessment. On the baseline row NADIR = BASE. PCHGNAD = 100 * (AVAL - NADIR) /
      NADIR (empty when NADIR is 0).
    - BESTPCHG: per subject, the smallest PCHG among complete post-baseline assessments
      (for the waterfall plot); empty when there is none.
    - ADT (earliest TR date of the assessment), ADTF, ADY (ADT - STARTDT + 1 on/after
      STARTDT, ADT - STARTDT before), AVISIT, AVISITN.
    ADSL keys STUDYID, USUBJID are carried over. Subjects without target lesions have no rows.
    """
    rec, asm, les = tumour_records(tu, tr, adsl, evaluator=evaluator)
    s = target_sums(rec, asm, les)
    s = s.merge(
        asm[["USUBJID", "ASMKEY", "ADTF", "AVISIT", "AVISITN", "STARTDT"]], on=["USUBJID", "ASMKEY"]
    )
    s = s[(s["ABLFL"] == "Y") | s["POSTBL"]].copy()
    s["CHG"] = s["AVAL"] - s["BASE"]
    s["PCHG"] = np.where(s["BASE"] > 0, 100.0 * s["CHG"] / s["BASE"].where(s["BASE"] > 0), np.nan)
    s["PCHGNAD"] = np.where(
        s["NADIR"] > 0, 100.0 * (s["AVAL"] - s["NADIR"]) / s["NADIR"].where(s["NADIR"] > 0), np.nan
    )
    best = (
        s["PCHG"].where(s["POSTBL"] & (s["COMPLFL"] == "Y")).groupby(s["USUBJID"]).transform("min")
    )
    s["BESTPCHG"] = best
    days = (s["ADT"] - s["STARTDT"]).dt.days
    s["ADY"] = np.where(days >= 0, days + 1, days)
    s["ADY"] = s["ADY"].astype(float)
    s["AVISIT"] = np.where(s["ABLFL"] == "Y", "BASELINE", s["AVISIT"].astype(str))
    keys = adsl.drop_duplicates("USUBJID").set_index("USUBJID")
    s["STUDYID"] = s["USUBJID"].map(keys["STUDYID"]) if "STUDYID" in keys.columns else ""
    s["PARAMCD"] = "SLD"
    s["PARAM"] = "Sum of Diameters of Target Lesions (mm)"
    cols = [
        "STUDYID", "USUBJID", "PARAMCD", "PARAM", "AVISIT", "AVISITN", "ADT", "ADTF", "ADY",
        "ABLFL", "AVAL", "BASE", "CHG", "PCHG", "NADIR", "PCHGNAD", "COMPLFL", "NLESBL",
        "NLESMEAS", "BESTPCHG",
    ]  # fmt: skip
    out = s[cols].sort_values(["USUBJID", "ADT"], kind="mergesort").reset_index(drop=True)
    out["STUDYID"] = out["STUDYID"].fillna("").astype(str)
    return out

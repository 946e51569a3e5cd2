"""ADSL: the subject-level analysis dataset (one row per subject in DM).

`derive_adsl` takes the cleaned SDTM domains of one delivery (docs/data_contracts.md: every
`--DTC` has a `--DT` datetime and a `--DTF` imputation flag, `SRCROW` is the raw row) and
returns ADSL plus the data-issue rows for everything it queried or changed.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from trialflow.adam.readers import choose_readers, reader_records
from trialflow.adam.treatment import treatment_arms
from trialflow.columns import dates, upper
from trialflow.config.options import ResponseRules
from trialflow.dates import impute_dtc
from trialflow.errors import InputError
from trialflow.issues import concat_issues, make_issues

SUBSEQUENT_THERAPY_CAT = "SUBSEQUENT ANTICANCER THERAPY"
SCREEN_FAILURE_ARMCD = ("SCRNFAIL", "NOTASSGN")
SCREEN_FAILURE_ARM = ("SCREEN FAILURE", "NOT ASSIGNED")

# Sources of the last known alive date, in priority order for ties (see derive_adsl).
LSTALV_SOURCES: tuple[tuple[str, str, str], ...] = (
    ("ex", "EXENDT", "EX.EXENDTC"),
    ("ex", "EXSTDT", "EX.EXSTDTC"),
    ("tr", "TRDT", "TR.TRDTC"),
    ("rs", "RSDT", "RS.RSDTC"),
    ("tu", "TUDT", "TU.TUDTC"),
    ("ds", "DSSTDT", "DS.DSSTDTC"),
    ("cm", "CMSTDT", "CM.CMSTDTC"),
)


def _ts(value: Any) -> pd.Timestamp:
    """Parse a cutoff or date argument to a day-precision Timestamp."""
    ts = pd.Timestamp(value)
    if pd.isna(ts):
        raise InputError("trial file", f"date {value!r} is not a valid date", expected="YYYY-MM-DD")
    return ts.normalize()


def _require(df: pd.DataFrame, name: str, columns: Iterable[str]) -> None:
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise InputError(
            name,
            f"missing column(s) {', '.join(missing)}",
            variable=missing[0],
            expected="cleaned SDTM",
        )


def _first_by_subject(df: pd.DataFrame, date_col: str, *, last: bool = False) -> pd.DataFrame:
    """One row per USUBJID: the earliest (or latest) non-missing `date_col` (ties: SRCROW)."""
    d = df[df[date_col].notna()]
    keys = ["USUBJID", date_col] + (["SRCROW"] if "SRCROW" in d.columns else [])
    d = d.sort_values(keys, kind="mergesort")
    return d.drop_duplicates("USUBJID", keep="last" if last else "first")


def valid_doses(ex: pd.DataFrame) -> pd.DataFrame:
    """EX records that count as a dose: a start date and EXDOSE > 0, or EXTRT placebo.

    Rule (ADaM IG / admiral convention): a record with EXDOSE missing counts (dose given, amount
    unknown); EXDOSE = 0 counts only for placebo (EXTRT contains "PLACEBO").
    """
    start = dates(ex, "EXSTDT")
    dose = pd.to_numeric(ex["EXDOSE"], errors="coerce") if "EXDOSE" in ex.columns else None
    ok = start.notna()
    if dose is not None:
        ok &= dose.isna() | (dose > 0) | upper(ex, "EXTRT").str.contains("PLACEBO")
    return ex[ok]


def derive_adsl(
    dm: pd.DataFrame,
    suppdm: pd.DataFrame,
    ex: pd.DataFrame,
    ds: pd.DataFrame,
    tu: pd.DataFrame,
    tr: pd.DataFrame,
    rs: pd.DataFrame,
    cm: pd.DataFrame,
    *,
    cutoff: Any,
    reference_start: str,
    studyid: str | None,
    response: ResponseRules,
    age_cut: float,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Derive ADSL, one row per DM subject, and the data issues it raises.

    Variables and rules (ADaM IG 1.3 ADSL; the trial file names the options):

    - Identity: STUDYID (`studyid`, else DM STUDYID), USUBJID, SUBJID, SITEID, ARM, ARMCD,
      COHORT = ARM (ARMCD if ARM is empty), AGE, AGEGR1 ("<65" / ">=65" for `age_cut` 65),
      SEX, RACE, and ECOGBL, PRIORLN from SUPPDM (QNAM ECOGBL, PRIORLN; numeric).
    - TRTSDT / TRTEDT: first EX start / last EX end (start if no end) over valid doses
      (`valid_doses`). RANDDT: first DS DSSTDT with DSDECOD "RANDOMIZED".
    - STARTDT: TRTSDT for `reference_start="first_dose"`, RANDDT for "randomization".
    - ENRLFL "Y" for every DM subject except screen failures / not assigned (ARMCD SCRNFAIL or
      NOTASSGN, or ARM "Screen Failure" / "Not Assigned"). SAFFL "Y" when TRTSDT exists.
      EFFFL "Y" when SAFFL and at least one target lesion in TU (TUSTRESC/TUORRES "TARGET",
      not a split/merge record; RECIST 1.1 §3.3: targets are chosen at baseline), from the
      records of the response source's evaluator and the one reader per subject that ADTR and
      ADRS use too (`response`, `trialflow.adam.readers.choose_readers` over TU, TR and RS).
    - TUBLFL "Y" when the subject has a baseline tumour assessment by the same reader,
      measurable or not (`baseline_tumour_subjects`). PFS censors a subject without one at
      STARTDT (FDA 2018, "no baseline tumor assessments").
    - DTHDT: DM DTHDT, else the first DS DSSTDT with DSDECOD "DEATH"; DTHSRC names the source
      ("DM.DTHDTC" or "DS.DSSTDTC"); DTHFL "Y" when DTHDT exists; DTHDTF the imputation flag
      of the source ("D" day, "M" month and day imputed). A death after `cutoff` is
      ignored, DM DTHFL "Y" without a date, DM and DS dates that disagree, and DS DEATH
      records of one subject with different dates (the earliest is used) are queries.
    - A partial death date is never imputed before a documented contact: it is imputed to the
      later of its earliest possible day and the last documented contact (the LSTALVDT
      sources below, complete dates on or before `cutoff`, DS DEATH records excluded) that
      falls within its possible range (admiral `impute_dtc_dt` `min_dates`); each such
      imputation is logged ("imputed"). A contact after the whole possible range is not used
      and stays a query ("a date after the death date").
    - EOSSTT / DCSREAS: latest DS disposition event (DSCAT "DISPOSITION EVENT", else any
      DSDECOD except RANDOMIZED) on or before cutoff: COMPLETED -> "COMPLETED", DEATH or any
      other term -> "DISCONTINUED" with DCSREAS = DSDECOD; none -> "ONGOING".
    - LSTALVDT: the latest complete (not imputed, `--DTF` empty) date among EX EXENDT and
      EXSTDT, TR TRDT, RS RSDT, TU TUDT, DS DSSTDT, CM CMSTDT and the death date, capped at
      `cutoff` and never after DTHDT. LSTALSRC names the source ("EX.EXENDTC", ...,
      "DM.DTHDTC", "CUTOFF" when capped).
    - NACTDT: first CMSTDT of CM records with CMCAT "SUBSEQUENT ANTICANCER THERAPY" on or
      before cutoff. Fallback when CM has no CMCAT column: CM records whose CMCLAS contains
      "ANTINEOPLASTIC" starting after TRTSDT; with neither column NACTDT stays empty and one
      "flagged" issue says so. A subsequent therapy before STARTDT is a query.
    - CUTOFFDT: the cutoff.

    Returns `(adsl, issues)`; `issues` has the data-issue columns of docs/data_contracts.md.
    """
    if reference_start not in ("first_dose", "randomization"):
        raise InputError(
            "trial file",
            f"reference_start {reference_start!r} is not supported",
            variable="reference_start",
            expected="first_dose or randomization",
        )
    cut = _ts(cutoff)
    _require(dm, "dm", ["USUBJID"])
    issues: list[pd.DataFrame] = []

    adsl = pd.DataFrame({"USUBJID": dm["USUBJID"].astype(str)})
    dup = adsl["USUBJID"].duplicated()
    if dup.any():
        raise InputError(
            "dm",
            "USUBJID occurs more than once",
            usubjid=str(adsl.loc[dup, "USUBJID"].iloc[0]),
            variable="USUBJID",
            expected="one DM record per subject",
        )
    dmi = dm.reset_index(drop=True)
    adsl["STUDYID"] = (
        studyid if studyid is not None else dmi.get("STUDYID", pd.Series("", index=dmi.index))
    )
    for col in ("SUBJID", "SITEID", "ARM", "ARMCD", "SEX", "RACE"):
        adsl[col] = dmi[col].astype("object") if col in dmi.columns else ""
    arm = upper(dmi, "ARM")
    adsl["COHORT"] = (
        dmi["ARM"].where(arm != "", dmi.get("ARMCD"))
        if "ARM" in dmi.columns
        else dmi.get("ARMCD", "")
    )
    adsl["AGE"] = pd.to_numeric(dmi["AGE"], errors="coerce") if "AGE" in dmi.columns else np.nan
    ageu = upper(dmi, "AGEU")
    adsl["AGEU"] = np.where(ageu != "", ageu, np.where(adsl["AGE"].notna(), "YEARS", ""))
    adsl["AGEGR1"] = np.where(
        adsl["AGE"].isna(), "", np.where(adsl["AGE"] < age_cut, f"<{age_cut:g}", f">={age_cut:g}")
    )

    # SUPPDM baseline characteristics
    for q in ("ECOGBL", "PRIORLN"):
        adsl[q] = np.nan
    if len(suppdm) and {"USUBJID", "QNAM", "QVAL"} <= set(suppdm.columns):
        s = suppdm[upper(suppdm, "QNAM").isin(["ECOGBL", "PRIORLN"])].copy()
        s["QNAM"] = upper(s, "QNAM")
        s["VAL"] = pd.to_numeric(s["QVAL"], errors="coerce")
        bad = s[s["VAL"].isna() & s["QVAL"].notna() & (upper(s, "QVAL") != "")]
        if len(bad):
            issues.append(
                make_issues(
                    pd.DataFrame(
                        {
                            "usubjid": bad["USUBJID"],
                            "row": bad.get("SRCROW"),
                            "variable": bad["QNAM"],
                            "original_value": bad["QVAL"],
                        }
                    ),
                    stage="adsl",
                    domain="SUPPDM",
                    action="query",
                    reason="QVAL is not a number; left empty in ADSL",
                )
            )
        wide = s.drop_duplicates(["USUBJID", "QNAM"]).pivot(
            index="USUBJID", columns="QNAM", values="VAL"
        )
        for q in ("ECOGBL", "PRIORLN"):
            if q in wide.columns:
                adsl[q] = adsl["USUBJID"].map(wide[q]).astype(float)

    # Treatment dates (EX)
    doses = valid_doses(ex) if len(ex) else ex
    if len(doses):
        d = doses.assign(_S=dates(doses, "EXSTDT"), _E=dates(doses, "EXENDT"))
        d["_E"] = d["_E"].fillna(d["_S"])
        adsl["TRTSDT"] = adsl["USUBJID"].map(d.groupby("USUBJID")["_S"].min())
        adsl["TRTEDT"] = adsl["USUBJID"].map(d.groupby("USUBJID")["_E"].max())
    else:
        adsl["TRTSDT"] = pd.NaT
        adsl["TRTEDT"] = pd.NaT
    adsl["TRTEDT"] = adsl["TRTEDT"].where(adsl["TRTEDT"].isna() | (adsl["TRTEDT"] <= cut), cut)

    # Randomization (DS)
    dsd = upper(ds, "DSDECOD")
    ds_start = dates(ds, "DSSTDT")
    rnd = ds[(dsd == "RANDOMIZED") & ds_start.notna()].assign(_D=ds_start)
    adsl["RANDDT"] = adsl["USUBJID"].map(rnd.groupby("USUBJID")["_D"].min()) if len(rnd) else pd.NaT
    adsl["STARTDT"] = adsl["TRTSDT"] if reference_start == "first_dose" else adsl["RANDDT"]
    adsl["STARTDT"] = pd.to_datetime(adsl["STARTDT"]).astype("datetime64[ns]")
    for c in ("TRTSDT", "TRTEDT", "RANDDT"):
        adsl[c] = pd.to_datetime(adsl[c]).astype("datetime64[ns]")

    # Populations
    screen = upper(dmi, "ARMCD").isin(SCREEN_FAILURE_ARMCD) | arm.isin(SCREEN_FAILURE_ARM)
    adsl["ENRLFL"] = np.where(screen, "N", "Y")
    adsl["SAFFL"] = np.where(adsl["TRTSDT"].notna(), "Y", "N")
    adsl["ACTARM"], adsl["TRT01P"], adsl["TRT01A"] = treatment_arms(dmi, adsl["TRTSDT"])
    adsl["EFFFL"] = np.where(
        (adsl["SAFFL"] == "Y")
        & adsl["USUBJID"].isin(_baseline_target_subjects(tu, tr, rs, response)),
        "Y",
        "N",
    )
    adsl["TUBLFL"] = np.where(
        adsl["USUBJID"].isin(baseline_tumour_subjects(tu, tr, rs, adsl, response)), "Y", "N"
    )
    if reference_start == "randomization":
        no_rand = adsl[(adsl["ENRLFL"] == "Y") & adsl["RANDDT"].isna()]
        if len(no_rand):
            issues.append(
                make_issues(
                    pd.DataFrame({"usubjid": no_rand["USUBJID"]}),
                    stage="adsl",
                    domain="ADSL",
                    variable="STARTDT",
                    action="flagged",
                    reason="reference_start is randomization but DS has no RANDOMIZED record; STARTDT empty",
                )
            )

    adsl, death_issues = _death(adsl, dmi, ds, cut)
    issues.append(death_issues)
    adsl = _end_of_study(adsl, ds, cut)
    adsl, alive_issues = _last_alive(
        adsl, {"ex": ex, "tr": tr, "rs": rs, "tu": tu, "ds": ds, "cm": cm}, cut
    )
    issues.append(alive_issues)
    adsl, nact_issues = _new_therapy(adsl, cm, cut)
    issues.append(nact_issues)
    adsl["CUTOFFDT"] = cut
    adsl["CUTOFFDT"] = adsl["CUTOFFDT"].astype("datetime64[ns]")

    order = [
        "STUDYID", "USUBJID", "SUBJID", "SITEID", "ARM", "ARMCD", "ACTARM", "COHORT", "TRT01P",
        "TRT01A", "AGE", "AGEU", "AGEGR1", "SEX", "RACE", "ECOGBL", "PRIORLN", "TRTSDT", "TRTEDT", "RANDDT", "STARTDT", "ENRLFL",
        "SAFFL", "EFFFL", "TUBLFL", "DTHDT", "DTHDTF", "DTHFL", "DTHSRC", "EOSSTT", "DCSREAS", "LSTALVDT",
        "LSTALSRC", "NACTDT", "CUTOFFDT",
    ]  # fmt: skip
    adsl = adsl[order].sort_values("USUBJID", kind="mergesort").reset_index(drop=True)
    text = ("STUDYID", "SUBJID", "SITEID", "ARM", "ARMCD", "ACTARM", "COHORT", "TRT01P", "TRT01A")
    for c in (*text, "AGEU", "SEX", "RACE"):
        adsl[c] = adsl[c].astype("object").where(adsl[c].notna(), "").astype(str)
    return adsl, concat_issues(issues)


def _baseline_target_subjects(
    tu: pd.DataFrame, tr: pd.DataFrame, rs: pd.DataFrame, response: ResponseRules
) -> pd.Index:
    if tu is None or not len(tu):
        return pd.Index([])
    t = reader_records(tu, "TU", response, choose_readers(tu, tr, rs, response))
    role = upper(t, "TUSTRESC").where(upper(t, "TUSTRESC") != "", upper(t, "TUORRES"))
    ident = ~upper(t, "TUTESTCD").isin(["TUSPLIT", "TUMERGE"])
    return pd.Index(t.loc[(role == "TARGET") & ident, "USUBJID"].astype(str).unique())


def baseline_tumour_subjects(
    tu: pd.DataFrame,
    tr: pd.DataFrame,
    rs: pd.DataFrame,
    adsl: pd.DataFrame,
    response: ResponseRules,
) -> pd.Index:
    """Subjects with a baseline tumour assessment, measurable disease or not, by the response
    source's evaluator and the one reader per subject (`trialflow.adam.readers`).

    FDA 2018 (Table 5, "no baseline tumor assessments") censors PFS at the start only when
    there is no baseline tumour assessment at all; RECIST 1.1 §3.3 identifies target and
    non-target lesions at baseline. A subject has one when the reader's records hold
    - a TU TARGET or NON-TARGET lesion (TUSTRESC, else TUORRES) identified at baseline: at a
      visit labelled BASELINE or SCREENING, on or before STARTDT, or undated (a TU record
      dated after STARTDT at another visit, such as a split fragment, is not a baseline
      identification); or
    - a TR record at a visit labelled BASELINE or SCREENING, or dated on or before STARTDT.
    `adsl` gives USUBJID and STARTDT.
    """
    from trialflow.adam.adtr import BASELINE_VISITS

    readers = choose_readers(tu, tr, rs, response)
    start = pd.Series(adsl["STARTDT"].to_numpy(), index=adsl["USUBJID"].astype(str).to_numpy())
    found: list[pd.Series] = []
    if tu is not None and len(tu) and "USUBJID" in tu.columns:
        u = reader_records(tu, "TU", response, readers)
        role = upper(u, "TUSTRESC").where(upper(u, "TUSTRESC") != "", upper(u, "TUORRES"))
        when, st = dates(u, "TUDT"), u["USUBJID"].astype(str).map(start)
        at_base = upper(u, "VISIT").isin(BASELINE_VISITS) | when.isna() | st.isna()
        at_base |= when <= st
        found.append(u.loc[role.isin(["TARGET", "NON-TARGET"]) & at_base, "USUBJID"])
    if tr is not None and len(tr) and "USUBJID" in tr.columns:
        r = reader_records(tr, "TR", response, readers)
        when, st = dates(r, "TRDT"), r["USUBJID"].astype(str).map(start)
        at_base = upper(r, "VISIT").isin(BASELINE_VISITS) | (when <= st)
        found.append(r.loc[at_base, "USUBJID"])
    if not found:
        return pd.Index([])
    return pd.Index(pd.concat(found).astype(str).unique())


def _death(adsl: pd.DataFrame, dm: pd.DataFrame, ds: pd.DataFrame, cut: pd.Timestamp):
    issues = []
    dm_dth = pd.Series(dates(dm, "DTHDT").to_numpy(), index=dm["USUBJID"].astype(str).to_numpy())
    dsd = upper(ds, "DSDECOD")
    dsx = ds[dsd == "DEATH"].assign(_D=dates(ds, "DSSTDT")[dsd == "DEATH"])
    ds_first = _first_by_subject(dsx, "_D") if len(dsx) else dsx
    ds_dth = pd.Series(
        ds_first["_D"].to_numpy() if len(ds_first) else [],
        index=ds_first["USUBJID"].astype(str).to_numpy() if len(ds_first) else [],
        dtype="datetime64[ns]",
    )
    if len(dsx):
        # several DS DEATH records with different dates: the earliest is used, the rest queried
        dated = dsx[dsx["_D"].notna()]
        first = dated["USUBJID"].astype(str).map(ds_dth)
        other = dated[dated["_D"] != first]
        if len(other):
            issues.append(
                make_issues(
                    pd.DataFrame(
                        {
                            "usubjid": other["USUBJID"].astype(str),
                            "row": other.get("SRCROW"),
                            "original_value": other["_D"].dt.strftime("%Y-%m-%d"),
                            "new_value": first[other.index].dt.strftime("%Y-%m-%d"),
                        }
                    ),
                    stage="adsl",
                    domain="DS",
                    variable="DSSTDTC",
                    action="query",
                    reason="subject has DS DEATH records with different dates; the earliest used",
                )
            )
    a = adsl["USUBJID"].map(dm_dth)
    b = adsl["USUBJID"].map(ds_dth)
    for src, s in (("DM", a), ("DS", b)):
        late = s.notna() & (s > cut)
        if late.any():
            issues.append(
                make_issues(
                    pd.DataFrame({"usubjid": adsl.loc[late, "USUBJID"], "original_value": s[late]}),
                    stage="adsl",
                    domain=src,
                    variable="DTHDTC" if src == "DM" else "DSSTDTC",
                    action="changed",
                    reason="death after the data cutoff is not counted",
                )
            )
    a = a.where(a <= cut)
    b = b.where(b <= cut)
    differ = a.notna() & b.notna() & (a != b)
    if differ.any():
        issues.append(
            make_issues(
                pd.DataFrame(
                    {
                        "usubjid": adsl.loc[differ, "USUBJID"],
                        "original_value": b[differ].dt.strftime("%Y-%m-%d"),
                        "new_value": a[differ].dt.strftime("%Y-%m-%d"),
                    }
                ),
                stage="adsl",
                domain="DS",
                variable="DSSTDTC",
                action="query",
                reason="DS death date differs from DM DTHDTC; DM date used",
            )
        )
    adsl["DTHDT"] = a.fillna(b).astype("datetime64[ns]")
    adsl["DTHSRC"] = np.where(a.notna(), "DM.DTHDTC", np.where(b.notna(), "DS.DSSTDTC", ""))

    # the chosen record's imputation flag, original text and raw row (partial-date imputation)
    def by_subject(df: pd.DataFrame, col: str, *, text: bool) -> pd.Series:
        if not len(df):
            return pd.Series(dtype=object)
        values = upper(df, col) if text else df.get(col, pd.Series(np.nan, index=df.index))
        return pd.Series(values.to_numpy(), index=df["USUBJID"].astype(str).to_numpy())

    use_dm, use_ds = a.notna(), a.isna() & b.notna()
    for out, dm_col, ds_col, text in (
        ("DTHDTF", "DTHDTF", "DSSTDTF", True),
        ("_DTHTXT", "DTHDTC", "DSSTDTC", True),
        ("_DTHROW", "SRCROW", "SRCROW", False),
    ):
        from_dm = adsl["USUBJID"].map(by_subject(dm, dm_col, text=text))
        from_ds = adsl["USUBJID"].map(by_subject(ds_first, ds_col, text=text))
        adsl[out] = from_dm.where(use_dm, from_ds.where(use_ds))
    adsl["DTHDTF"] = adsl["DTHDTF"].where(adsl["DTHDT"].notna(), "").fillna("")
    adsl["DTHFL"] = np.where(adsl["DTHDT"].notna(), "Y", "")
    if "DTHFL" in dm.columns:
        flag = adsl["USUBJID"].map(
            pd.Series(upper(dm, "DTHFL").to_numpy(), index=dm["USUBJID"].astype(str))
        )
        nodate = (flag == "Y") & adsl["DTHDT"].isna()
        if nodate.any():
            issues.append(
                make_issues(
                    pd.DataFrame({"usubjid": adsl.loc[nodate, "USUBJID"]}),
                    stage="adsl",
                    domain="DM",
                    variable="DTHFL",
                    original_value="Y",
                    action="query",
                    reason="DM DTHFL is Y but no death date on or before the cutoff; not counted as a death",
                )
            )
    return adsl, concat_issues(issues)


def _end_of_study(adsl: pd.DataFrame, ds: pd.DataFrame, cut: pd.Timestamp) -> pd.DataFrame:
    dsd = upper(ds, "DSDECOD")
    if "DSCAT" in ds.columns:
        disp = upper(ds, "DSCAT") == "DISPOSITION EVENT"
    else:
        disp = ~dsd.isin(["RANDOMIZED", "INFORMED CONSENT OBTAINED", ""])
    d = ds[disp].assign(_D=dates(ds, "DSSTDT")[disp], _DEC=dsd[disp])
    d = d[d["_D"].notna() & (d["_D"] <= cut)]
    last = _first_by_subject(d, "_D", last=True) if len(d) else d
    dec = adsl["USUBJID"].map(
        pd.Series(last["_DEC"].to_numpy(), index=last["USUBJID"].astype(str).to_numpy())
        if len(last)
        else pd.Series(dtype=object)
    )
    adsl["EOSSTT"] = np.where(
        dec.isna(), "ONGOING", np.where(dec == "COMPLETED", "COMPLETED", "DISCONTINUED")
    )
    adsl["DCSREAS"] = np.where(adsl["EOSSTT"] == "DISCONTINUED", dec.fillna(""), "")
    return adsl


def _last_alive(adsl: pd.DataFrame, domains: dict[str, pd.DataFrame], cut: pd.Timestamp):
    parts = []
    for rank, (dom, col, label) in enumerate(LSTALV_SOURCES):
        df = domains.get(dom)
        if df is None or not len(df) or col not in df.columns:
            continue
        flag = upper(df, col + "F")
        d = pd.DataFrame({"USUBJID": df["USUBJID"].astype(str), "D": dates(df, col)})
        d = d[d["D"].notna() & (flag == "")]
        d["SRC"] = label
        d["RANK"] = rank
        if dom == "ds":
            d["CONTACT"] = (upper(df, "DSDECOD") != "DEATH")[d.index]
        parts.append(d)
    contacts = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
    adsl, imputed = _impute_partial_death(adsl, contacts, cut)
    issues = [imputed]
    dth = adsl.loc[adsl["DTHDT"].notna(), ["USUBJID", "DTHDT"]].rename(columns={"DTHDT": "D"})
    parts.append(dth.assign(SRC="DM.DTHDTC", RANK=len(LSTALV_SOURCES)))
    allp = pd.concat(parts, ignore_index=True)
    allp = allp[allp["USUBJID"].isin(adsl["USUBJID"])]
    allp["D"] = allp["D"].astype("datetime64[ns]")
    # cap at cutoff, then at death
    dthmap = adsl.set_index("USUBJID")["DTHDT"]
    dth = allp["USUBJID"].map(dthmap)
    after_death = dth.notna() & (allp["D"] > dth)
    if after_death.any():
        bad = (
            allp[after_death]
            .sort_values(["USUBJID", "D", "RANK"])
            .drop_duplicates("USUBJID", keep="last")
        )
        issues.append(
            make_issues(
                pd.DataFrame(
                    {
                        "usubjid": bad["USUBJID"],
                        "original_value": bad["SRC"] + " " + bad["D"].dt.strftime("%Y-%m-%d"),
                    }
                ),
                stage="adsl",
                domain="ADSL",
                variable="LSTALVDT",
                action="query",
                reason="a date after the death date; LSTALVDT capped at DTHDT",
            )
        )
    capped_cut = allp["D"] > cut
    allp.loc[capped_cut, "SRC"] = "CUTOFF"
    allp.loc[capped_cut, "D"] = cut
    allp.loc[after_death, "SRC"] = "DM.DTHDTC"
    allp.loc[after_death, "D"] = dth[after_death]
    best = allp.sort_values(
        ["USUBJID", "D", "RANK"], ascending=[True, False, True], kind="mergesort"
    )
    best = best.drop_duplicates("USUBJID")
    adsl["LSTALVDT"] = adsl["USUBJID"].map(best.set_index("USUBJID")["D"]).astype("datetime64[ns]")
    adsl["LSTALSRC"] = adsl["USUBJID"].map(best.set_index("USUBJID")["SRC"]).fillna("")
    return adsl, concat_issues(issues)


def _impute_partial_death(adsl: pd.DataFrame, contacts: pd.DataFrame, cut: pd.Timestamp):
    """Move a partial death date (DTHDTF "D" or "M") from its earliest possible day to the last
    documented contact within its possible range, when that is later (rule in `derive_adsl`).

    `contacts`: USUBJID, D (complete dates of the LSTALVDT sources), SRC, and CONTACT (False
    for DS DEATH records, which document the death, not a contact).
    """
    partial = adsl["DTHDT"].notna() & adsl["DTHDTF"].isin(["D", "M"])
    if not partial.any() or not len(contacts):
        return adsl, make_issues()
    earliest = adsl["DTHDT"]
    latest = impute_dtc(adsl["_DTHTXT"].fillna(""), rule="end")["dt"]
    in_range = contacts["USUBJID"].map(pd.Series(latest.to_numpy(), index=adsl["USUBJID"]))
    c = contacts[contacts["D"].notna() & (contacts["D"] <= cut) & (contacts["D"] <= in_range)]
    if "CONTACT" in c.columns:
        c = c[c["CONTACT"].ne(False)]
    c = c.sort_values(["USUBJID", "D", "RANK"], ascending=[True, False, True], kind="mergesort")
    last = c.drop_duplicates("USUBJID").set_index("USUBJID")
    contact = adsl["USUBJID"].map(last["D"]).astype("datetime64[ns]")
    source = adsl["USUBJID"].map(last["SRC"])
    move = partial & contact.notna() & (contact > earliest) & (contact <= latest)
    if not move.any():
        return adsl, make_issues()
    issues = make_issues(
        pd.DataFrame(
            {
                "domain": np.where(adsl.loc[move, "DTHSRC"] == "DS.DSSTDTC", "DS", "DM"),
                "usubjid": adsl.loc[move, "USUBJID"],
                "row": adsl.loc[move, "_DTHROW"],
                "variable": np.where(adsl.loc[move, "DTHSRC"] == "DS.DSSTDTC", "DSSTDTC", "DTHDTC"),
                "original_value": adsl.loc[move, "_DTHTXT"],
                "new_value": contact[move],
                "reason": "partial death date imputed to the last documented contact ("
                + source[move]
                + "), not to its earliest possible day",
            }
        ),
        stage="adsl",
        action="imputed",
    )
    adsl = adsl.copy()
    adsl.loc[move, "DTHDT"] = contact[move]
    return adsl, issues


def _new_therapy(adsl: pd.DataFrame, cm: pd.DataFrame, cut: pd.Timestamp):
    issues = []
    if cm is None or not len(cm):
        adsl["NACTDT"] = pd.Series(pd.NaT, index=adsl.index, dtype="datetime64[ns]")
        return adsl, make_issues()
    start = dates(cm, "CMSTDT")
    if "CMCAT" in cm.columns:
        sel = upper(cm, "CMCAT") == SUBSEQUENT_THERAPY_CAT
    elif "CMCLAS" in cm.columns:
        trts = cm["USUBJID"].astype(str).map(adsl.set_index("USUBJID")["TRTSDT"])
        sel = upper(cm, "CMCLAS").str.contains("ANTINEOPLASTIC") & (start > trts)
    else:
        sel = pd.Series(False, index=cm.index)
        issues.append(
            make_issues(
                pd.DataFrame({"usubjid": [""]}),
                stage="adsl",
                domain="CM",
                variable="CMCAT",
                action="flagged",
                reason="CM has neither CMCAT nor CMCLAS; NACTDT (new anticancer therapy) not derived",
            )
        )
    d = pd.DataFrame({"USUBJID": cm["USUBJID"].astype(str), "D": start})[
        sel & start.notna() & (start <= cut)
    ]
    first = d.groupby("USUBJID")["D"].min()
    adsl["NACTDT"] = adsl["USUBJID"].map(first).astype("datetime64[ns]")
    early = adsl["NACTDT"].notna() & adsl["STARTDT"].notna() & (adsl["NACTDT"] < adsl["STARTDT"])
    if early.any():
        issues.append(
            make_issues(
                pd.DataFrame(
                    {
                        "usubjid": adsl.loc[early, "USUBJID"],
                        "original_value": adsl.loc[early, "NACTDT"],
                    }
                ),
                stage="adsl",
                domain="CM",
                variable="CMSTDTC",
                action="query",
                reason="subsequent anticancer therapy starts before STARTDT",
            )
        )
    return adsl, concat_issues(issues)

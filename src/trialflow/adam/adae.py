"""ADAE: the adverse-event analysis dataset.

One function, `derive_adae`, turns the cleaned SDTM AE domain and ADSL into ADAE: every AE
record of the input appears once in ADAE (no record is lost), with the analysis start date,
the treatment-emergent flag, a numeric toxicity grade and the safety flags the TEAE tables use.
Each derivation is a small private function whose docstring names its rule; the rules are
collected in `derive_adae`'s docstring so that it reads as the dataset's derivation spec.

Data issues are returned as a DataFrame with the columns of docs/data_contracts.md
(`ISSUE_COLUMNS`), stage "adae", domain "ADAE".
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from trialflow.adam.treatment import bds_treatment
from trialflow.dates import impute_dtc
from trialflow.errors import InputError
from trialflow.issues import combine_issues, issues_where

#: Documented AEREL mapping (upper-cased, stripped). Values not listed are "unknown": they are
#: written as a data issue and treated as related (conservative).
AEREL_RELATED: frozenset[str] = frozenset(
    {
        "Y",
        "RELATED",
        "POSSIBLE",
        "POSSIBLY RELATED",
        "PROBABLE",
        "PROBABLY RELATED",
        "DEFINITE",
        "DEFINITELY RELATED",
    }
)
AEREL_NOT_RELATED: frozenset[str] = frozenset(
    {"N", "NOT RELATED", "UNRELATED", "UNLIKELY", "UNLIKELY RELATED", "REMOTE", "NONE"}
)

#: AEACN values (upper-cased) behind the action flags.
AEACN_WITHDRAWN = "DRUG WITHDRAWN"
AEACN_REDUCED = "DOSE REDUCED"
AEACN_INTERRUPTED = "DRUG INTERRUPTED"

#: ADSL variables carried onto ADAE when ADSL has them.
ADSL_CARRY = ("TRTSDT", "TRTEDT", "SAFFL", "COHORT", "AGE", "AGEGR1", "SEX", "RACE")


# --------------------------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------------------------


def _text(df: pd.DataFrame, col: str) -> pd.Series:
    """Column as stripped upper-case text ('' when missing or when the column is absent)."""
    if col not in df.columns:
        return pd.Series("", index=df.index, dtype=object)
    s = df[col]
    return s.where(s.notna(), "").astype(str).str.strip().str.upper()


def _raw_text(df: pd.DataFrame, col: str) -> pd.Series:
    """Column as text without case change ('' when missing or absent)."""
    if col not in df.columns:
        return pd.Series("", index=df.index, dtype=object)
    s = df[col]
    return s.where(s.notna(), "").astype(str).str.strip()


def _date_text(s: pd.Series) -> pd.Series:
    return s.dt.strftime("%Y-%m-%d").where(s.notna(), "").astype(object)


def _issues(frame: pd.DataFrame, mask: pd.Series, **fields: Any) -> pd.DataFrame:
    """ADAE data-issue rows for the records of `frame` in `mask` (`trialflow.issues.issues_where`
    with this stage, AESEQ and the raw row number)."""
    return issues_where(
        frame, mask, stage="adae", domain="ADAE", seq="AESEQ", row="SRCROW", **fields
    )


def _date_bounds(dtc: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Earliest and latest possible date of ISO 8601 text, and the ADaM imputation flag.

    Uses `trialflow.dates.impute_dtc` (the ingest parser): a complete date (a time part is
    ignored) gives earliest == latest and flag ''; `YYYY-MM` gives the first and the last day
    of the month, flag 'D'; `YYYY` gives 1 January and 31 December, flag 'M'. Empty,
    year-less or invalid text gives NaT and flag ''.
    """
    start = impute_dtc(dtc, rule="start")
    end = impute_dtc(dtc, rule="end")
    flag = start["dtf"].where(start["dtf"].notna() & start["dt"].notna(), "").astype(object)
    return start["dt"], end["dt"], flag


# --------------------------------------------------------------------------------------------
# derivations
# --------------------------------------------------------------------------------------------


def _analysis_start(
    ae: pd.DataFrame,
) -> tuple[pd.Series, pd.Series, pd.DataFrame]:
    """ASTDT/ASTDTF: conservative imputation of the AE start (may it be treatment-emergent?).

    Rule (admiral `derive_vars_dt(highest_imputation = "M", min_dates = TRTSDT)`, with the AE
    end date as the upper bound):

    - A complete AESTDTC is used as is (ASTDTF '').
    - A partial AESTDTC (`YYYY-MM`, flag 'D'; `YYYY`, flag 'M') spans [earliest, latest]
      possible dates; the latest possible start is further bounded by the AE end date (AEENDT,
      or the latest date AEENDTC allows). If the start could fall on or after TRTSDT
      (latest possible start >= TRTSDT), ASTDT = max(TRTSDT, earliest); otherwise
      ASTDT = earliest. So a partial date counts as treatment-emergent whenever it may be.
    - A missing or unparseable AESTDTC is imputed to TRTSDT (ASTDTF 'Y') unless the AE ended
      before TRTSDT or the subject was never dosed, in which case ASTDT stays missing.

    Every imputed ASTDT and every ASTDT left missing is a data-issue row.
    """
    dtc = _raw_text(ae, "AESTDTC")
    earliest, latest, flag = _date_bounds(dtc)
    trtsdt = ae["TRTSDT"]

    if "AEENDT" in ae.columns:
        end = pd.to_datetime(ae["AEENDT"], errors="coerce")
    else:
        end = _date_bounds(_raw_text(ae, "AEENDTC"))[1]
    upper = latest.where(end.isna() | (latest <= end), end)

    partial = earliest.notna() & (flag != "")
    may_be_te = partial & trtsdt.notna() & (upper >= trtsdt)
    later = pd.concat([earliest, trtsdt], axis=1).max(axis=1)
    astdt = earliest.where(~may_be_te, later)

    missing = earliest.isna()
    can_impute_missing = missing & trtsdt.notna() & (end.isna() | (end >= trtsdt))
    astdt = astdt.where(~can_impute_missing, trtsdt)
    astdtf = flag.where(~can_impute_missing, "Y")
    astdt = pd.to_datetime(astdt)

    new_text = _date_text(astdt)
    issues = [
        _issues(
            ae,
            partial & may_be_te & (astdt != earliest),
            variable="ASTDT",
            original=dtc,
            new=new_text,
            action="imputed",
            reason="partial AE start date may fall on/after first dose: imputed to TRTSDT",
        ),
        _issues(
            ae,
            partial & ~(may_be_te & (astdt != earliest)),
            variable="ASTDT",
            original=dtc,
            new=new_text,
            action="imputed",
            reason="partial AE start date imputed to the earliest possible date",
        ),
        _issues(
            ae,
            can_impute_missing,
            variable="ASTDT",
            original=dtc,
            new=new_text,
            action="imputed",
            reason="AE start date missing or invalid: imputed to TRTSDT (may be treatment-emergent)",
        ),
        _issues(
            ae,
            missing & ~can_impute_missing,
            variable="ASTDT",
            original=dtc,
            new="",
            action="query",
            reason="AE start date missing or invalid and not imputable (no dose, or AE ended before first dose)",
        ),
    ]
    return astdt, astdtf, pd.concat(issues)


def _study_day(date: pd.Series, ref: pd.Series) -> pd.Series:
    """ADaM study day: date - ref + 1 on/after ref, date - ref before it (there is no day 0)."""
    diff = (date - ref).dt.days
    return diff.where(diff < 0, diff + 1).astype("Float64").astype(float)


def _treatment_emergent(
    astdt: pd.Series,
    trtsdt: pd.Series,
    trtedt: pd.Series,
    *,
    teae_window_days: int,
    cutoff: pd.Timestamp | None,
) -> pd.Series:
    """TRTEMFL: TRTSDT <= ASTDT <= TRTEDT + teae_window_days (and <= cutoff when given).

    A subject with a first dose and no last dose (TRTEDT missing: treatment ongoing) has no
    upper bound other than the cutoff. Values are 'Y' and 'N'.
    """
    window_end = trtedt + pd.Timedelta(days=int(teae_window_days))
    te = astdt.notna() & trtsdt.notna() & (astdt >= trtsdt)
    te &= window_end.isna() | (astdt <= window_end)
    if cutoff is not None:
        te &= astdt <= cutoff
    return pd.Series(np.where(te, "Y", "N"), index=astdt.index, dtype=object)


def _toxicity_grade(
    ae: pd.DataFrame, aesev_grades: Mapping[str, int]
) -> tuple[pd.Series, pd.Series, pd.DataFrame]:
    """AETOXGRN and ATOXGRF: numeric CTCAE grade, falling back to AESEV.

    AETOXGR '1'..'5' gives the grade (ATOXGRF ''). When AETOXGR is absent or empty, AESEV
    maps to a grade by `aesev_grades` (`safety.aesev_grades`; by default MILD/MODERATE/SEVERE
    -> 1/2/3) with ATOXGRF 'AESEV' and one data-issue row per
    record (action 'imputed', variable AETOXGRN). An AETOXGR that is not 1..5 is a 'query'
    issue and is treated as empty (so AESEV may be used). With neither, the grade is missing
    and the record is a 'query' issue.
    """
    tox_text = _text(ae, "AETOXGR")
    tox_num = pd.to_numeric(tox_text, errors="coerce")
    valid = tox_num.isin([1, 2, 3, 4, 5])
    invalid = (tox_text != "") & ~valid
    sev = _text(ae, "AESEV")
    grades = {str(k).strip().upper(): int(v) for k, v in aesev_grades.items()}
    sev_grade = sev.map(grades)
    mapping = ", ".join(f"{k}={v}" for k, v in sorted(grades.items(), key=lambda kv: kv[1]))
    use_sev = ~valid & sev_grade.notna()
    grade = tox_num.where(valid, sev_grade.where(use_sev)).astype(float)
    flag = pd.Series(np.where(use_sev, "AESEV", ""), index=ae.index, dtype=object)

    grade_text = grade.map(lambda v: "" if pd.isna(v) else str(int(v))).astype(object)
    issues = [
        _issues(
            ae,
            invalid,
            variable="AETOXGR",
            original=_raw_text(ae, "AETOXGR"),
            new="",
            action="query",
            reason="AETOXGR is not a grade 1-5; ignored",
        ),
        _issues(
            ae,
            use_sev,
            variable="AETOXGRN",
            original=sev,
            new=grade_text,
            action="imputed",
            reason=f"AETOXGR absent or empty: grade mapped from AESEV ({mapping})",
        ),
        _issues(
            ae,
            grade.isna(),
            variable="AETOXGRN",
            original=_raw_text(ae, "AESEV"),
            new="",
            action="query",
            reason=f"no AETOXGR and no AESEV {'/'.join(grades)}: grade missing",
        ),
    ]
    return grade, flag, pd.concat(issues)


def _related_flag(ae: pd.DataFrame) -> tuple[pd.Series, pd.DataFrame]:
    """AERELFL from AEREL with the documented mapping `AEREL_RELATED` / `AEREL_NOT_RELATED`.

    Any other value, including a missing one, is unknown: AERELFL = 'Y' (treated as related,
    conservatively) and a data-issue row (action 'imputed').
    """
    rel = _text(ae, "AEREL")
    related = rel.isin(AEREL_RELATED)
    not_related = rel.isin(AEREL_NOT_RELATED)
    unknown = ~related & ~not_related
    flag = pd.Series(np.where(not_related, "N", "Y"), index=ae.index, dtype=object)
    issues = _issues(
        ae,
        unknown,
        variable="AERELFL",
        original=_raw_text(ae, "AEREL"),
        new="Y",
        action="imputed",
        reason="AEREL missing or not in the documented mapping: treated as related",
    )
    return flag, issues


def _yn(mask: pd.Series) -> pd.Series:
    return pd.Series(np.where(mask, "Y", "N"), index=mask.index, dtype=object)


def derive_adae(
    ae: pd.DataFrame,
    adsl: pd.DataFrame,
    *,
    teae_window_days: int,
    aesi: Iterable[str],
    aesev_grades: Mapping[str, int],
    cutoff: str | pd.Timestamp | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Derive ADAE from cleaned AE and ADSL; return (adae, data issues).

    Rules, in order:

    - **Subjects.** ADSL variables TRTSDT, TRTEDT, SAFFL (and COHORT, AGE, AGEGR1, SEX, RACE
      when present) are merged on USUBJID. An AE of a subject not in ADSL is kept (TRTEMFL 'N')
      and written as a 'query' data issue.
    - **ASTDT, ASTDTF** (AESTDTC is kept unchanged): conservative partial-date imputation, see
      `_analysis_start`. A partial date that could fall on/after the first dose is imputed to
      max(TRTSDT, earliest possible date), i.e. it counts as treatment-emergent when it may be.
      `2020-05` with TRTSDT 2020-05-14 -> 2020-05-14; `2020-04` -> 2020-04-01. AENDT is AEENDT.
    - **ASTDY** = ASTDT - TRTSDT + 1 on/after TRTSDT, ASTDT - TRTSDT before (no day 0).
    - **TRTEMFL** 'Y' when TRTSDT <= ASTDT <= TRTEDT + `teae_window_days` (and ASTDT <= cutoff
      when a cutoff is given); otherwise 'N'.
    - **AETOXGRN, ATOXGRF**: AETOXGR as a number; when absent or empty, AESEV mapped by
      `aesev_grades` (MILD, MODERATE, SEVERE -> 1, 2, 3 by default) with ATOXGRF 'AESEV' and
      one 'imputed' data issue per record.
    - **AESERFL** 'Y' when AESER is 'Y'. **AERELFL** by the documented AEREL mapping
      (`AEREL_RELATED` -> 'Y', `AEREL_NOT_RELATED` -> 'N'; anything else, or missing, -> 'Y'
      with an 'imputed' data issue).
    - **AEDISCFL / AEREDFL / AEINTFL** 'Y' when AEACN is DRUG WITHDRAWN / DOSE REDUCED /
      DRUG INTERRUPTED.
    - **AEFATLFL** 'Y' when AETOXGRN is 5, AESDTH is 'Y' or AEOUT is 'FATAL'.
    - **AESIFL** 'Y' when AEDECOD is one of `aesi` (case-insensitive, surrounding blanks ignored).

    Every input row appears exactly once in ADAE, sorted by USUBJID, ASTDT, AESEQ (stable).
    All flags are 'Y'/'N'. Raises `InputError` when a required column is missing or ADSL
    repeats a USUBJID.
    """
    for col in ("USUBJID", "AESTDTC"):
        if col not in ae.columns:
            raise InputError("AE", "required column missing", variable=col)
    for col in ("USUBJID", "TRTSDT", "TRTEDT"):
        if col not in adsl.columns:
            raise InputError("ADSL", "required column missing", variable=col)
    dup = adsl["USUBJID"].duplicated()
    if dup.any():
        raise InputError(
            "ADSL",
            "USUBJID repeated",
            usubjid=str(adsl.loc[dup, "USUBJID"].iloc[0]),
            variable="USUBJID",
            expected="one row per subject",
        )
    cutoff_ts = pd.Timestamp(cutoff) if cutoff is not None else None

    carry = [c for c in ADSL_CARRY if c in adsl.columns]
    sl = adsl[["USUBJID", *carry]].copy()
    for col in ("TRTSDT", "TRTEDT"):
        sl[col] = pd.to_datetime(sl[col], errors="coerce")
    base = ae.drop(columns=[c for c in carry if c in ae.columns]).reset_index(drop=True)
    df = base.merge(sl, on="USUBJID", how="left", validate="many_to_one", indicator="_in_adsl")
    in_adsl = df.pop("_in_adsl") == "both"

    issues = [
        _issues(
            df,
            ~in_adsl,
            variable="USUBJID",
            original=_raw_text(df, "USUBJID"),
            new="",
            action="query",
            reason="subject not in ADSL: AE kept, not treatment-emergent",
        )
    ]

    astdt, astdtf, start_issues = _analysis_start(df)
    issues.append(start_issues)
    df["ASTDT"] = astdt
    df["ASTDTF"] = astdtf
    if "AEENDT" in df.columns:
        df["AENDT"] = pd.to_datetime(df["AEENDT"], errors="coerce")
    df["ASTDY"] = _study_day(df["ASTDT"], df["TRTSDT"])
    df["TRTEMFL"] = _treatment_emergent(
        df["ASTDT"],
        df["TRTSDT"],
        df["TRTEDT"],
        teae_window_days=teae_window_days,
        cutoff=cutoff_ts,
    )

    grade, grade_flag, grade_issues = _toxicity_grade(df, aesev_grades)
    issues.append(grade_issues)
    df["AETOXGRN"] = grade
    df["ATOXGRF"] = grade_flag

    df["AESERFL"] = _yn(_text(df, "AESER") == "Y")
    rel_flag, rel_issues = _related_flag(df)
    issues.append(rel_issues)
    df["AERELFL"] = rel_flag

    acn = _text(df, "AEACN")
    df["AEDISCFL"] = _yn(acn == AEACN_WITHDRAWN)
    df["AEREDFL"] = _yn(acn == AEACN_REDUCED)
    df["AEINTFL"] = _yn(acn == AEACN_INTERRUPTED)
    df["AEFATLFL"] = _yn(
        (grade == 5) | (_text(df, "AESDTH") == "Y") | (_text(df, "AEOUT") == "FATAL")
    )
    aesi_terms = {str(t).strip().upper() for t in aesi}
    df["AESIFL"] = _yn(_text(df, "AEDECOD").isin(aesi_terms))

    df["TRTA"] = bds_treatment(adsl, df["USUBJID"])[1]

    if len(df) != len(ae):  # pragma: no cover - guarded by validate="many_to_one"
        raise InputError("AE", f"ADAE has {len(df)} rows for {len(ae)} AE records")

    sort_cols = ["USUBJID", "ASTDT"] + [c for c in ("AESEQ", "SRCROW") if c in df.columns]
    adae = df.sort_values(sort_cols, kind="mergesort", na_position="last").reset_index(drop=True)

    return adae, combine_issues(issues)

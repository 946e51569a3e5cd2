"""ADEX: exposure to the study drug, one row per subject.

`derive_adex` reads the cleaned SDTM EX domain (EXSTDT, EXENDT, EXDOSE, EXDOSU) and ADSL and
derives the duration of exposure, the number of cycles, the cumulative dose, the dose intensity
and the relative dose intensity (RDI) against the planned schedule of the trial file (the
`drug` section, as `trialflow.config.options.DrugOptions`), and whether any dose was reduced
or interrupted. Its docstring is the derivation spec.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from trialflow.config.options import DrugOptions
from trialflow.errors import InputError
from trialflow.issues import concat_issues, make_issues
from trialflow.vocab import DAYS_PER_MONTH

STAGE = "adex"

ADEX_COLUMNS = [
    "STUDYID",
    "USUBJID",
    "SAFFL",
    "TRTSDT",
    "TRTEDT",
    "ASTDT",
    "AENDT",
    "TRTDURD",
    "TRTDURM",
    "NDOSDAY",
    "NCYCLES",
    "CUMDOSE",
    "EXDOSU",
    "DIDURD",
    "DOSEINT",
    "PLDOSINT",
    "RDI",
    "DOSERDFL",
    "DOSEINFL",
]


def _row_of(ex: pd.DataFrame, mask: pd.Series) -> tuple[int | None, str | None]:
    """SRCROW (or 1-based position) and USUBJID of the first record selected by `mask`."""
    pos = int(np.flatnonzero(mask.to_numpy())[0])
    rec = ex.iloc[pos]
    row = rec.get("SRCROW", pos + 1)
    row = None if pd.isna(row) else int(row)
    return row, str(rec.get("USUBJID"))


def _check_ex(ex: pd.DataFrame, adsl: pd.DataFrame, cutoff: pd.Timestamp | None) -> pd.DataFrame:
    """Validate EX and return records with START, END (END = EXENDT, or EXSTDT if missing)."""
    for col in ("USUBJID", "EXSTDT", "EXDOSE"):
        if col not in ex.columns:
            raise InputError("EX", "required column missing", variable=col)
    for col in ("USUBJID",):
        if col not in adsl.columns:
            raise InputError("ADSL", "required column missing", variable=col)
    rec = ex.reset_index(drop=True).copy()
    rec["START"] = pd.to_datetime(rec["EXSTDT"], errors="coerce")
    end = (
        pd.to_datetime(rec["EXENDT"], errors="coerce")
        if "EXENDT" in rec.columns
        else pd.Series(pd.NaT, index=rec.index)
    )
    rec["END"] = end.fillna(rec["START"])
    rec["DOSE"] = pd.to_numeric(rec["EXDOSE"], errors="coerce")
    placebo = (
        rec["EXTRT"].astype(str).str.upper().str.contains("PLACEBO")
        if "EXTRT" in rec.columns
        else pd.Series(False, index=rec.index)
    )
    # Administration (as trialflow.adam.adsl.valid_doses): EXDOSE > 0, EXDOSE missing (given, amount
    # unknown), or EXDOSE 0 of a placebo. A non-placebo EXDOSE 0 is a dose not given.
    rec["ADMIN"] = rec["DOSE"].isna() | (rec["DOSE"] > 0) | (placebo & (rec["DOSE"] == 0))
    rec["NOTGIVEN"] = ~rec["ADMIN"]

    checks = [
        (rec["START"].isna(), "EXSTDT", "exposure start date missing", "a date"),
        (rec["DOSE"] < 0, "EXDOSE", "negative dose", "a number >= 0"),
        (rec["END"] < rec["START"], "EXENDT", "exposure ends before it starts", "EXENDT >= EXSTDT"),
        (
            ~rec["USUBJID"].isin(adsl["USUBJID"]),
            "USUBJID",
            "subject not in ADSL",
            "an ADSL subject",
        ),
    ]
    if cutoff is not None:
        checks.append(
            (
                rec["START"] > cutoff,
                "EXSTDT",
                "exposure starts after the data cutoff",
                "ingest to exclude it",
            )
        )
    for mask, variable, problem, expected in checks:
        if mask.any():
            row, usubjid = _row_of(rec, mask)
            raise InputError(
                "EX", problem, row=row, usubjid=usubjid, variable=variable, expected=expected
            )
    if cutoff is not None:
        rec["END"] = rec["END"].where(rec["END"] <= cutoff, cutoff)
    return rec


def _dosing_days(rec: pd.DataFrame) -> pd.DataFrame:
    """Expand administrations (ADMIN) to one row per dosing day: USUBJID, DAY, DOSE.

    A record with EXSTDT < EXENDT is once-daily dosing on every day of [EXSTDT, EXENDT]
    (the SDTM convention for an oral daily drug, EXDOSFRQ QD); a record with EXSTDT == EXENDT
    (or no EXENDT) is a single administration.
    """
    given = rec.loc[rec["ADMIN"]]
    ndays = ((given["END"] - given["START"]).dt.days + 1).to_numpy(dtype=np.int64)
    idx = np.repeat(np.arange(len(given)), ndays)
    first_of_record = np.repeat(np.cumsum(ndays) - ndays, ndays)
    offset = np.arange(int(ndays.sum())) - first_of_record
    days = pd.DataFrame(
        {
            "USUBJID": given["USUBJID"].to_numpy()[idx],
            "DAY": given["START"].to_numpy()[idx] + offset.astype("timedelta64[D]"),
            "DOSE": given["DOSE"].to_numpy()[idx],
        }
    )
    return days


def _cycle_starts(days: pd.DataFrame, cycle_days: int) -> pd.DataFrame:
    """Cycle start days (REL, days since the first dose) per subject.

    Rule: cycle 1 starts at the first dose; each next cycle starts at the first administration
    on or after (previous cycle start + cycle_days). A delayed cycle therefore starts late
    instead of being counted twice, and a cycle counts as started when any dose of it was given.
    """
    uniq = days[["USUBJID", "REL"]].drop_duplicates()
    current = uniq.groupby("USUBJID")["REL"].min()
    starts = [current.rename("REL").reset_index()]
    while True:
        target = uniq["USUBJID"].map(current + cycle_days)
        nxt = uniq.loc[uniq["REL"] >= target].groupby("USUBJID")["REL"].min()
        if nxt.empty:
            break
        starts.append(nxt.rename("REL").reset_index())
        current = nxt
    out = pd.concat(starts, ignore_index=True).sort_values(["USUBJID", "REL"], kind="mergesort")
    out["CYCLE"] = out.groupby("USUBJID").cumcount() + 1
    return out.reset_index(drop=True)


def unit_key(unit: object) -> str:
    """A dose unit compared as written, ignoring case and white space ("MG/M2" = "mg/m2")."""
    if unit is None or (isinstance(unit, float) and np.isnan(unit)):
        return ""
    return "".join(str(unit).split()).upper()


def dose_unit_issues(rec: pd.DataFrame, dose_unit: str) -> tuple[pd.Series, pd.DataFrame]:
    """Administrations whose EXDOSU differs from `drug.dose_unit`, and their data issues.

    Rule: doses are added up only in the planned unit (`drug.dose_unit`, compared ignoring case
    and white space). An administration with a dose in another unit is a `query` data issue
    naming the record; its dose is not summed (the subject's CUMDOSE, DOSEINT and RDI are then
    missing) and not compared with the planned dose, but the administration still counts as a
    dosing day. An empty EXDOSU is read as `drug.dose_unit`, an `imputed` data issue.
    Returns (mask of the records whose dose is not in the planned unit, issues).
    """
    given = rec["ADMIN"] & rec["DOSE"].notna()
    unit = rec["EXDOSU"] if "EXDOSU" in rec.columns else pd.Series(None, index=rec.index)
    key = unit.map(unit_key)
    other = given & (key != "") & (key != unit_key(dose_unit))
    empty = given & (key == "")

    def rows(mask: pd.Series, action: str, new: str, reason: str) -> pd.DataFrame:
        sub = rec.loc[mask]
        return make_issues(
            pd.DataFrame(
                {
                    "usubjid": sub["USUBJID"],
                    "seq": sub["EXSEQ"] if "EXSEQ" in sub else pd.Series("", index=sub.index),
                    "row": sub["SRCROW"] if "SRCROW" in sub else pd.Series("", index=sub.index),
                    "original_value": unit.loc[mask],
                }
            ),
            stage=STAGE,
            domain="EX",
            variable="EXDOSU",
            new_value=new,
            action=action,
            reason=reason,
        )

    issues = concat_issues(
        [
            rows(
                other,
                "query",
                "",
                f"dose unit is not drug.dose_unit ({dose_unit}); dose not summed, the "
                "subject's CUMDOSE, DOSEINT and RDI are missing",
            ),
            rows(empty, "imputed", dose_unit, "dose unit missing; read as drug.dose_unit"),
        ]
    )
    return other, issues


def derive_adex(
    ex: pd.DataFrame,
    adsl: pd.DataFrame,
    drug: DrugOptions,
    *,
    cutoff: str | pd.Timestamp | None = None,
    adae: pd.DataFrame | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Derive ADEX, one row per ADSL subject, from cleaned EX; return (ADEX, data issues).

    `drug` is the trial's planned schedule (`DrugOptions`: planned_dose in dose_unit,
    doses_per_cycle, cycle_days, delay_tolerance_days, dose_reduction_tolerance). Rules:

    - **Administrations** (as `trialflow.adam.adsl.valid_doses`): records with EXDOSE > 0, with
      EXDOSE missing (given, amount unknown: the subject's CUMDOSE, DOSEINT and RDI are then
      missing), or with EXDOSE 0 for a placebo (EXTRT contains PLACEBO); any other record with
      EXDOSE 0 is a dose not given. A record with EXSTDT < EXENDT is once-daily dosing on each
      day of [EXSTDT, EXENDT]; EXSTDT == EXENDT (or EXENDT missing) is one administration.
      EXENDT after the cutoff is capped at the cutoff.
    - **Dose unit** (`dose_unit_issues`): only doses in `drug.dose_unit` are summed; a dose in
      another EXDOSU is a data issue and makes the subject's CUMDOSE missing, never a sum of
      different units. **EXDOSU** of ADEX is `drug.dose_unit`.
    - **ASTDT / AENDT**: first and last dosing day. **TRTDURD** = AENDT - ASTDT + 1 (days);
      **TRTDURM** = TRTDURD / 30.4375. **NDOSDAY**: number of distinct dosing days.
    - **NCYCLES**: cycles started. Cycle 1 starts at the first dose; the next cycle starts at
      the first administration on or after the previous start + `cycle_days`.
    - **CUMDOSE** = sum over administrations of EXDOSE (dose x days for a daily record), in
      `drug.dose_unit`.
    - **DIDURD**: days over which dose intensity is measured, from the first dose to the
      planned end of the last cycle started (last cycle start - ASTDT + cycle_days), never
      shorter than TRTDURD. The last cycle started counts in full (the "cycles started"
      convention), also for a subject in mid-cycle at the cutoff, so RDI is never inflated
      by a partial cycle (it may be understated for that cycle).
    - **DOSEINT** = CUMDOSE / DIDURD, actual dose intensity per day. **PLDOSINT** =
      planned_dose x doses_per_cycle / cycle_days, planned dose intensity per day.
      **RDI** = 100 x DOSEINT / PLDOSINT (%). Without delays RDI equals CUMDOSE / (planned
      dose per cycle x NCYCLES).
    - **DOSERDFL** 'Y' when any administration in the planned unit has
      0 < EXDOSE < planned_dose x (1 - `dose_reduction_tolerance`), or (with `adae`) the
      subject has an AE with AEREDFL 'Y'. The relative tolerance keeps the rounding of a
      BSA-based dose (125 mg/m2 x BSA rounded to the nearest 10 mg is at most 5 mg, 4% at
      BSA 1.0 m2) from reading as a reduction (default 5%, trial.schema.yaml).
    - **DOSEINFL** 'Y' when any of: a cycle other than the last one started has fewer dosing
      days than `doses_per_cycle` (doses missed); a cycle starts more than cycle_days +
      `delay_tolerance_days` after the previous one (a delay: the gap between administrations
      is longer than the schedule allows); a dose not given lies between the first and the last
      dose; or (with `adae`) the subject has an AE with AEINTFL 'Y'. A shortfall in the
      last cycle is treated as the end of treatment, not an interruption.

    Subjects without any administration have NCYCLES = NDOSDAY = 0, CUMDOSE = 0, missing
    durations and intensities, and flags 'N'. Raises `InputError` for a missing start date, a
    negative dose, EXENDT < EXSTDT, a subject not in ADSL or a start after the cutoff.
    """
    planned_dose = drug.planned_dose
    doses_per_cycle = drug.doses_per_cycle
    cycle_days = drug.cycle_days
    if planned_dose <= 0 or doses_per_cycle < 1 or cycle_days < 1:
        raise InputError(
            "trial file",
            "invalid planned schedule",
            variable="drug",
            expected="planned_dose > 0, doses_per_cycle >= 1, cycle_days >= 1",
        )
    cutoff_ts = pd.Timestamp(cutoff) if cutoff is not None else None
    rec = _check_ex(ex, adsl, cutoff_ts)
    other_unit, issues = dose_unit_issues(rec, drug.dose_unit)
    rec.loc[other_unit, "DOSE"] = np.nan  # not summed, not compared with the planned dose

    days = _dosing_days(rec)
    first = days.groupby("USUBJID")["DAY"].min()
    days["REL"] = (days["DAY"] - days["USUBJID"].map(first)).dt.days
    per = days.groupby("USUBJID").agg(
        ASTDT=("DAY", "min"), AENDT=("DAY", "max"), CUMDOSE=("DOSE", "sum")
    )
    unknown_dose = days.loc[days["DOSE"].isna(), "USUBJID"].unique()
    per.loc[per.index.isin(unknown_dose), "CUMDOSE"] = np.nan
    per["NDOSDAY"] = days.drop_duplicates(["USUBJID", "DAY"]).groupby("USUBJID").size()
    per["TRTDURD"] = (per["AENDT"] - per["ASTDT"]).dt.days + 1

    if len(days):
        starts = _cycle_starts(days, int(cycle_days))
    else:
        starts = pd.DataFrame({"USUBJID": [], "REL": [], "CYCLE": []})
    per["NCYCLES"] = starts.groupby("USUBJID")["CYCLE"].max()
    last_start = starts.groupby("USUBJID")["REL"].max()
    didur = last_start + int(cycle_days)
    per["DIDURD"] = np.maximum(didur, per["TRTDURD"])
    pldosint = float(planned_dose) * int(doses_per_cycle) / int(cycle_days)
    per["DOSEINT"] = per["CUMDOSE"] / per["DIDURD"]
    per["RDI"] = 100.0 * per["DOSEINT"] / pldosint

    # Dose reduction: an administered dose below the planned dose by more than the tolerance.
    below = planned_dose * (1.0 - float(drug.dose_reduction_tolerance))
    reduced = rec.loc[(rec["DOSE"] > 0) & (rec["DOSE"] < below), "USUBJID"]
    reduced_ids = set(reduced)

    # Interruption: missed doses in a completed cycle, a delayed cycle, a dose not given.
    uniq = days.drop_duplicates(["USUBJID", "DAY"]).sort_values(["USUBJID", "REL"])
    interrupted_ids: set[str] = set()
    if len(uniq):
        cyc = pd.merge_asof(
            uniq[["USUBJID", "REL"]].sort_values("REL"),
            starts.sort_values("REL").astype({"REL": uniq["REL"].dtype}),
            on="REL",
            by="USUBJID",
            direction="backward",
        )
        counts = cyc.groupby(["USUBJID", "CYCLE"]).size().rename("N").reset_index()
        counts["LAST"] = counts["CYCLE"] == counts["USUBJID"].map(per["NCYCLES"])
        missed = counts.loc[~counts["LAST"] & (counts["N"] < int(doses_per_cycle)), "USUBJID"]
        gaps = starts.groupby("USUBJID")["REL"].diff()
        delayed = starts.loc[gaps > int(cycle_days) + int(drug.delay_tolerance_days), "USUBJID"]
        interrupted_ids |= set(missed) | set(delayed)
    zero = rec.loc[rec["NOTGIVEN"]]
    if len(zero):
        z_first = zero["USUBJID"].map(per["ASTDT"])
        z_last = zero["USUBJID"].map(per["AENDT"])
        inside = (zero["START"] >= z_first) & (zero["START"] <= z_last)
        interrupted_ids |= set(zero.loc[inside, "USUBJID"])

    if adae is not None:
        for col, ids in (("AEREDFL", reduced_ids), ("AEINTFL", interrupted_ids)):
            if col not in adae.columns:
                raise InputError("ADAE", "required column missing", variable=col)
            ids |= set(adae.loc[adae[col] == "Y", "USUBJID"])

    out = adsl[[c for c in ("STUDYID", "USUBJID", "SAFFL", "TRTSDT", "TRTEDT") if c in adsl]]
    out = out.drop_duplicates("USUBJID").merge(
        per.reset_index(), on="USUBJID", how="left", validate="one_to_one"
    )
    out["NCYCLES"] = out["NCYCLES"].fillna(0).astype(int)
    out["NDOSDAY"] = out["NDOSDAY"].fillna(0).astype(int)
    out["CUMDOSE"] = out["CUMDOSE"].astype(float).where(out["NDOSDAY"] > 0, 0.0)
    for col in ("TRTDURD", "DIDURD"):
        out[col] = out[col].astype(float)
    out["TRTDURM"] = out["TRTDURD"] / DAYS_PER_MONTH
    out["PLDOSINT"] = pldosint
    out["EXDOSU"] = drug.dose_unit
    out["DOSERDFL"] = np.where(out["USUBJID"].isin(reduced_ids), "Y", "N")
    out["DOSEINFL"] = np.where(out["USUBJID"].isin(interrupted_ids), "Y", "N")
    cols = [c for c in ADEX_COLUMNS if c in out.columns]
    adex = out[cols].sort_values("USUBJID", kind="mergesort").reset_index(drop=True)
    return adex, issues

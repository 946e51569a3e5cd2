"""Disposition, demographics and baseline characteristics, and exposure summary, as ARD rows.

Every table is a list of ARD rows (`trialflow.ard_table`, one statistic a row). Counts come with
their denominator: stat `n` (subjects), `N` (subjects in the population named in the
`population` column) and `pct` = 100 x n / N (empty when N is 0). Continuous variables give
`n`, `mean`, `sd` (n - 1 denominator), `median`, `min` and `max`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from trialflow.ard_table import ard_rows, concat_ard
from trialflow.errors import InputError

#: Level shown for a missing categorical value.
MISSING_LEVEL = "MISSING"


# --------------------------------------------------------------------------------------------
# shared helpers (also used by trialflow.ard.safety)
# --------------------------------------------------------------------------------------------


def pct(n: int, big_n: int) -> float:
    """Percentage 100 x n / N, NaN when N is 0."""
    return 100.0 * n / big_n if big_n else float("nan")


def count_stats(n: int, big_n: int) -> dict[str, Any]:
    """Count statistics: n, N and pct."""
    return {"n": int(n), "N": int(big_n), "pct": pct(n, big_n)}


def continuous_stats(values: pd.Series, big_n: int) -> dict[str, Any]:
    """n, N, mean, sd (ddof 1), median, min, max of the non-missing values."""
    x = pd.to_numeric(values, errors="coerce").dropna().astype(float)
    n = len(x)
    return {
        "n": n,
        "N": int(big_n),
        "mean": float(x.mean()) if n else float("nan"),
        "sd": float(x.std(ddof=1)) if n > 1 else float("nan"),
        "median": float(np.median(x)) if n else float("nan"),
        "min": float(x.min()) if n else float("nan"),
        "max": float(x.max()) if n else float("nan"),
    }


def flag_is_y(df: pd.DataFrame, flag: str, *, dataset: str = "ADSL") -> pd.Series:
    """Boolean mask `flag == 'Y'`; InputError when the flag column is absent."""
    if flag not in df.columns:
        raise InputError(dataset, "required column missing", variable=flag)
    return df[flag].astype(str).str.strip().str.upper() == "Y"


def population(adsl: pd.DataFrame, flag: str) -> pd.DataFrame:
    """ADSL subjects with `flag == 'Y'` (one row per USUBJID)."""
    if "USUBJID" not in adsl.columns:
        raise InputError("ADSL", "required column missing", variable="USUBJID")
    return adsl.loc[flag_is_y(adsl, flag)].drop_duplicates("USUBJID")


def category_levels(values: pd.Series) -> pd.Series:
    """Categorical levels as text: whole numbers without '.0', missing as MISSING_LEVEL."""
    num = pd.to_numeric(values, errors="coerce")
    is_num = num.notna()
    text = values.where(values.notna(), "").astype(str).str.strip()
    whole = is_num & (num == num.round())
    text = text.where(~whole, num.round().astype("Int64").astype(str))
    return text.where(text != "", MISSING_LEVEL)


def _level_order(levels: pd.Series) -> list[str]:
    """Levels in display order: numeric levels numerically, then text, MISSING last."""
    uniq = [lv for lv in pd.unique(levels) if lv != MISSING_LEVEL]
    num = {lv: pd.to_numeric(lv, errors="coerce") for lv in uniq}
    ordered = sorted(
        uniq, key=lambda lv: (pd.isna(num[lv]), num[lv] if pd.notna(num[lv]) else 0, lv)
    )
    if (levels == MISSING_LEVEL).any():
        ordered.append(MISSING_LEVEL)
    return ordered


def _quote(value: str) -> str:
    return "'" + str(value).replace("'", "\\'") + "'"


def categorical_rows(
    df: pd.DataFrame,
    var: str,
    *,
    analysis: str,
    population_flag: str,
    dataset: str,
    big_n: int,
    base_filter: str,
) -> list[pd.DataFrame]:
    """One block of n/N/pct rows per level of `var` (levels in `_level_order`)."""
    levels = category_levels(df[var])
    counts = levels.value_counts()
    parts = []
    for level in _level_order(levels):
        cond = f"{var} is missing" if level == MISSING_LEVEL else f"{var} == {_quote(level)}"
        parts.append(
            ard_rows(
                count_stats(int(counts.get(level, 0)), big_n),
                analysis=analysis,
                population=population_flag,
                parameter=var,
                group_var=var,
                group_level=level,
                dataset=dataset,
                filter=f"{base_filter} and {cond}",
                derivation=categorical_rows,
            )
        )
    return parts


# --------------------------------------------------------------------------------------------
# disposition
# --------------------------------------------------------------------------------------------


def _death_causes(dead: pd.DataFrame, adae: pd.DataFrame | None, cause_var: str) -> pd.Series:
    """Cause of death per dead subject: ADSL `cause_var` when present, else the AEDECOD of the
    subject's earliest fatal AE (AEFATLFL 'Y') when `adae` is given, else MISSING_LEVEL."""
    if cause_var in dead.columns:
        return category_levels(dead[cause_var])
    cause = pd.Series(MISSING_LEVEL, index=dead.index, dtype=object)
    if adae is not None and {"AEFATLFL", "AEDECOD", "USUBJID"} <= set(adae.columns):
        fatal = adae.loc[flag_is_y(adae, "AEFATLFL", dataset="ADAE")]
        sort_cols = [c for c in ("USUBJID", "ASTDT", "AESEQ") if c in fatal.columns]
        fatal = fatal.sort_values(sort_cols, kind="mergesort").drop_duplicates("USUBJID")
        by_subject = fatal.set_index("USUBJID")["AEDECOD"]
        found = dead["USUBJID"].map(by_subject)
        cause = category_levels(found)
    return cause


def disposition_table(
    adsl: pd.DataFrame,
    *,
    adae: pd.DataFrame | None = None,
    death_cause_var: str = "DTHCAUS",
) -> pd.DataFrame:
    """Subject disposition (ICH E3 §10.1) as ARD rows; denominator: enrolled (ENRLFL 'Y').

    Parameters, in order:

    - ENROLLED (ENRLFL 'Y'); TREATED (TRTSDT present);
    - STUDY STATUS by EOSSTT (ONGOING, COMPLETED, DISCONTINUED always shown, then any other
      level, MISSING last);
    - DISCONTINUED by DCSREAS (descending count, ties alphabetical);
    - DIED (DTHFL 'Y'), then by cause: ADSL `death_cause_var` if present, else the preferred
      term of the subject's earliest fatal AE when `adae` is given, else MISSING;
    - POPULATION: counts of ENRLFL, SAFFL and EFFFL (those present).
    """
    enrolled = population(adsl, "ENRLFL")
    big_n = len(enrolled)
    base = "ENRLFL == 'Y'"
    common = {"analysis": "disposition", "population": "ENRLFL", "dataset": "ADSL"}
    parts: list[pd.DataFrame] = [
        ard_rows(
            count_stats(big_n, big_n),
            parameter="ENROLLED",
            filter=base,
            **common,
            derivation=disposition_table,
        )
    ]
    if "TRTSDT" not in adsl.columns:
        raise InputError("ADSL", "required column missing", variable="TRTSDT")
    treated = int(pd.to_datetime(enrolled["TRTSDT"], errors="coerce").notna().sum())
    parts.append(
        ard_rows(
            count_stats(treated, big_n),
            parameter="TREATED",
            filter=f"{base} and TRTSDT is present",
            **common,
            derivation=disposition_table,
        )
    )

    if "EOSSTT" not in adsl.columns:
        raise InputError("ADSL", "required column missing", variable="EOSSTT")
    status = category_levels(enrolled["EOSSTT"]).str.upper()
    fixed = ["ONGOING", "COMPLETED", "DISCONTINUED"]
    others = sorted(set(status) - set(fixed) - {MISSING_LEVEL})
    order = fixed + others + ([MISSING_LEVEL] if (status == MISSING_LEVEL).any() else [])
    counts = status.value_counts()
    for level in order:
        cond = "EOSSTT is missing" if level == MISSING_LEVEL else f"EOSSTT == {_quote(level)}"
        parts.append(
            ard_rows(
                count_stats(int(counts.get(level, 0)), big_n),
                parameter="STUDY STATUS",
                group_var="EOSSTT",
                group_level=level,
                filter=f"{base} and {cond}",
                **common,
                derivation=disposition_table,
            )
        )

    disc = enrolled.loc[status == "DISCONTINUED"]
    reasons = (
        category_levels(disc["DCSREAS"])
        if "DCSREAS" in disc.columns
        else pd.Series(MISSING_LEVEL, index=disc.index)
    )
    rc = reasons.value_counts()
    for reason in sorted(rc.index, key=lambda r: (-int(rc[r]), r == MISSING_LEVEL, r)):
        cond = "DCSREAS is missing" if reason == MISSING_LEVEL else f"DCSREAS == {_quote(reason)}"
        parts.append(
            ard_rows(
                count_stats(int(rc[reason]), big_n),
                parameter="DISCONTINUED",
                group_var="DCSREAS",
                group_level=reason,
                filter=f"{base} and EOSSTT == 'DISCONTINUED' and {cond}",
                **common,
                derivation=disposition_table,
            )
        )

    dead = enrolled.loc[flag_is_y(enrolled, "DTHFL")] if "DTHFL" in enrolled else enrolled.iloc[:0]
    parts.append(
        ard_rows(
            count_stats(len(dead), big_n),
            parameter="DIED",
            filter=f"{base} and DTHFL == 'Y'",
            **common,
            derivation=disposition_table,
        )
    )
    causes = _death_causes(dead, adae, death_cause_var)
    from_ae = death_cause_var not in dead.columns and adae is not None
    cause_var = "AEDECOD" if from_ae else death_cause_var
    cc = causes.value_counts()
    for cause in sorted(cc.index, key=lambda c: (-int(cc[c]), c == MISSING_LEVEL, c)):
        source = (
            f"{death_cause_var} == {_quote(cause)}"
            if cause_var == death_cause_var
            else f"earliest fatal AE AEDECOD == {_quote(cause)}"
        )
        cond = "cause unknown" if cause == MISSING_LEVEL else source
        parts.append(
            ard_rows(
                count_stats(int(cc[cause]), big_n),
                parameter="DIED",
                group_var=cause_var,
                group_level=cause,
                filter=f"{base} and DTHFL == 'Y' and {cond}",
                **common,
                derivation=disposition_table,
            )
        )

    for flag in ("ENRLFL", "SAFFL", "EFFFL"):
        if flag in adsl.columns:
            n = int(flag_is_y(enrolled, flag).sum())
            parts.append(
                ard_rows(
                    count_stats(n, big_n),
                    parameter="POPULATION",
                    group_var=flag,
                    group_level="Y",
                    filter=f"{base} and {flag} == 'Y'",
                    **common,
                    derivation=disposition_table,
                )
            )
    return concat_ard(parts)


# --------------------------------------------------------------------------------------------
# demographics
# --------------------------------------------------------------------------------------------


def demographics_table(
    adsl: pd.DataFrame,
    *,
    population_flag: str = "SAFFL",
    continuous: Sequence[str] = ("AGE", "PRIORLN"),
    categorical: Sequence[str] = ("AGEGR1", "SEX", "RACE", "ECOGBL", "PRIORLN", "COHORT"),
) -> pd.DataFrame:
    """Demographics and baseline characteristics (ICH E3 §11.2) as ARD rows.

    Population: ADSL `population_flag == 'Y'`, N stored with every row. Continuous variables:
    n, mean, sd, median, min, max (group_var ''). Categorical variables: one row block per level
    (group_var = the variable, group_level = the level; numeric levels in numeric order,
    missing values as MISSING, last). Variables absent from ADSL are skipped (COHORT, for a
    trial without cohorts).
    """
    pop = population(adsl, population_flag)
    big_n = len(pop)
    base = f"{population_flag} == 'Y'"
    parts: list[pd.DataFrame] = []
    for var in continuous:
        if var in pop.columns:
            parts.append(
                ard_rows(
                    continuous_stats(pop[var], big_n),
                    analysis="demographics",
                    population=population_flag,
                    parameter=var,
                    dataset="ADSL",
                    filter=base,
                    derivation=demographics_table,
                )
            )
    for var in categorical:
        if var in pop.columns:
            parts += categorical_rows(
                pop,
                var,
                analysis="demographics",
                population_flag=population_flag,
                dataset="ADSL",
                big_n=big_n,
                base_filter=base,
            )
    return concat_ard(parts)


# --------------------------------------------------------------------------------------------
# exposure
# --------------------------------------------------------------------------------------------


def exposure_table(
    adex: pd.DataFrame,
    adsl: pd.DataFrame,
    *,
    population_flag: str = "SAFFL",
    continuous: Sequence[str] = ("TRTDURD", "TRTDURM", "NCYCLES", "CUMDOSE", "DOSEINT", "RDI"),
) -> pd.DataFrame:
    """Exposure summary (ICH E3 §12.1) from ADEX as ARD rows, over ADSL `population_flag == 'Y'`.

    Continuous summaries of duration (days, months), cycles started, cumulative dose, dose
    intensity and relative dose intensity (%); the planned dose intensity (stat `value`);
    subjects with a dose reduction (DOSERDFL) and with an interruption (DOSEINFL), n/N/pct.
    A population subject absent from ADEX counts in N and has missing values.
    """
    pop = population(adsl, population_flag)[["USUBJID"]]
    big_n = len(pop)
    data = pop.merge(adex.drop(columns=["SAFFL"], errors="ignore"), on="USUBJID", how="left")
    base = f"{population_flag} == 'Y'"
    common = {"analysis": "exposure", "population": population_flag, "dataset": "ADEX"}
    parts: list[pd.DataFrame] = []
    for var in continuous:
        if var not in data.columns:
            raise InputError("ADEX", "required column missing", variable=var)
        parts.append(
            ard_rows(
                continuous_stats(data[var], big_n),
                parameter=var,
                filter=base,
                **common,
                derivation=exposure_table,
            )
        )
    if "PLDOSINT" in data.columns:
        planned = pd.to_numeric(adex["PLDOSINT"], errors="coerce").dropna().unique()
        value = float(planned[0]) if len(planned) == 1 else float("nan")
        parts.append(
            ard_rows(
                {"value": value},
                parameter="PLDOSINT",
                filter=base,
                **common,
                derivation=exposure_table,
            )
        )
    for flag in ("DOSERDFL", "DOSEINFL"):
        if flag not in data.columns:
            raise InputError("ADEX", "required column missing", variable=flag)
        n = int((data[flag] == "Y").sum())
        parts.append(
            ard_rows(
                count_stats(n, big_n),
                parameter=flag,
                filter=f"{base} and {flag} == 'Y'",
                **common,
                derivation=exposure_table,
            )
        )
    return concat_ard(parts)

"""Efficacy analysis results (ARD): response rates, BOR, Kaplan–Meier, subgroups, decision.

Each function takes ADaM datasets (ADSL, ADRS, ADTTE) and explicit options and returns ARD
rows (`trialflow.ard_table.ARD_COLUMNS`): one statistic a row, values formatted by
`ard.format_value`, with the population flag, dataset and filter named. `efficacy_ard` runs
them all from a resolved trial config.

Populations (docs/validation.md): response statistics use EFFFL == "Y" (subjects in ADSL); survival
statistics (OS, PFS) use ENRLFL == "Y" (subjects in ADTTE, i.e. with a STARTDT); DOR and TTR
are among the confirmed responders, so they use EFFFL == "Y" like the ORR they belong to.
Times are reported in months (ADTTE AVALM = days / 30.4375).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from trialflow.ard_table import ARD_COLUMNS, ard_rows, concat_ard, format_value
from trialflow.config.options import (
    DesignSpec,
    RateOptions,
    ResponseRules,
    SubgroupOptions,
    SurvivalOptions,
)
from trialflow.errors import InputError
from trialflow.vocab import BOR_CATEGORIES

RESPONSE_PARAMS: tuple[tuple[str, str, str, bool], ...] = (
    ("CRSP", "orr", "Objective response rate (confirmed CR or PR)", True),
    ("RSP", "orr", "Objective response rate (unconfirmed CR or PR, supportive)", True),
    ("CDCR", "dcr", "Disease control rate (confirmed BOR CR, PR, SD or NON-CR/NON-PD)", False),
    ("DCR", "dcr", "Disease control rate (BOR CR, PR, SD or NON-CR/NON-PD)", True),
    ("CCB", "cbr", "Clinical benefit rate (confirmed)", True),
    ("CB", "cbr", "Clinical benefit rate (unconfirmed, supportive)", False),
)
"""(ADRS PARAMCD, ARD analysis, label, required) of each response rate, in output order. An
optional parameter (required False) is reported only when ADRS has it at all."""


def _flag_filter(flag: str) -> str:
    return f"{flag} == 'Y'"


def _population_ids(adsl: pd.DataFrame, flag: str) -> pd.Series:
    """USUBJIDs of the population (flag == "Y"), as a Series indexed by USUBJID."""
    for col in ("USUBJID", flag):
        if col not in adsl.columns:
            raise InputError("ADSL", f"missing column {col}", variable=col)
    ids = adsl.loc[adsl[flag] == "Y", "USUBJID"].astype(str)
    return pd.Series(ids.to_numpy(), index=ids.to_numpy())


def _param_values(adrs: pd.DataFrame, paramcd: str, ids: pd.Index) -> pd.Series:
    """AVALC of one ADRS subject-level parameter for each subject in `ids` (indexed by USUBJID).

    Every subject of the population must have exactly one record (ADRS contract: one row per
    subject and parameter); a missing or duplicated record is an InputError, because counting
    it either way would give a wrong denominator or numerator silently.
    """
    for col in ("USUBJID", "PARAMCD", "AVALC"):
        if col not in adrs.columns:
            raise InputError("ADRS", f"missing column {col}", variable=col)
    rows = adrs[adrs["PARAMCD"] == paramcd]
    usub = rows["USUBJID"].astype(str)
    dup = usub.duplicated()
    if dup.any():
        raise InputError(
            "ADRS",
            f"more than one {paramcd} record",
            usubjid=str(usub[dup].iloc[0]),
            variable="PARAMCD",
        )
    values = pd.Series(rows["AVALC"].to_numpy(dtype=object), index=usub.to_numpy())
    missing = ids.difference(values.index)
    if len(missing):
        raise InputError(
            "ADRS",
            f"no {paramcd} record for a subject of the analysis population",
            usubjid=str(sorted(missing)[0]),
            variable="PARAMCD",
            expected="one record per subject and parameter",
        )
    return values.reindex(ids)


def _yn(values: pd.Series, paramcd: str) -> pd.Series:
    bad = ~values.isin(["Y", "N"])
    if bad.any():
        raise InputError(
            "ADRS",
            f"{paramcd} AVALC is {values[bad].iloc[0]!r}",
            usubjid=str(values.index[bad][0]),
            variable="AVALC",
            expected="Y or N",
        )
    return values == "Y"


def response_rates_ard(
    adrs: pd.DataFrame,
    adsl: pd.DataFrame,
    *,
    conf_level: float,
    method: str,
    p0: float | None,
    population: str = "EFFFL",
) -> pd.DataFrame:
    """ORR (confirmed: ADRS CRSP; unconfirmed: RSP, supportive), DCR (DCR, and CDCR when ADRS
    has it) and CBR (CCB, and CB when ADRS has it) as n/N with a two-sided CI
    (`rates.response_rate`, Clopper–Pearson by default).

    The denominator is every ADSL subject with `population` == "Y" (EFFFL); a
    subject counts in the numerator when the parameter's AVALC is "Y". With `p0` both ORR rows
    also carry the exact one-sided binomial p-value P(X >= x | N, p0)
    (`rates.exact_binomial_test`).
    Stats: label, n, N, estimate, lower, upper, method, conf_level [, p0, p_value].
    """
    from trialflow.stats.rates import exact_binomial_test, response_rate

    ids = _population_ids(adsl, population).index
    parts = []
    for paramcd, analysis, label, required in RESPONSE_PARAMS:
        if not required and not (adrs["PARAMCD"] == paramcd).any():
            continue
        resp = _yn(_param_values(adrs, paramcd, ids), paramcd)
        x, n = int(resp.sum()), len(resp)
        stats: dict[str, Any] = {"label": label}
        stats.update(response_rate(x, n, conf_level=conf_level, method=method))
        if p0 is not None and analysis == "orr":
            stats["p0"] = float(p0)
            stats["p_value"] = exact_binomial_test(x, n, p0)
        parts.append(
            ard_rows(
                stats,
                analysis=analysis,
                population=population,
                parameter=paramcd,
                dataset="ADRS",
                filter=f"PARAMCD == '{paramcd}' and {_flag_filter(population)}",
                derivation=response_rates_ard,
            )
        )
    return concat_ard(parts)


def bor_table_ard(
    adrs: pd.DataFrame, adsl: pd.DataFrame, *, population: str = "EFFFL"
) -> pd.DataFrame:
    """Best overall response distribution, confirmed (CBOR) and unconfirmed (BOR).

    One overall row (stat N) per parameter, then for each category in the fixed order
    CR, PR, SD, NON-CR/NON-PD, PD, NE, MISSING (group_var "AVALC", group_level the category)
    stats n and pct (100 · n / N). Denominator: ADSL `population` == "Y".
    """
    ids = _population_ids(adsl, population).index
    parts = []
    for paramcd in ("CBOR", "BOR"):
        values = _param_values(adrs, paramcd, ids)
        bad = ~values.isin(BOR_CATEGORIES)
        if bad.any():
            raise InputError(
                "ADRS",
                f"{paramcd} AVALC is {values[bad].iloc[0]!r}",
                usubjid=str(values.index[bad][0]),
                variable="AVALC",
                expected=", ".join(BOR_CATEGORIES),
            )
        counts = values.value_counts().reindex(BOR_CATEGORIES, fill_value=0)
        total = len(values)
        ctx = {
            "analysis": "bor",
            "population": population,
            "parameter": paramcd,
            "dataset": "ADRS",
            "filter": f"PARAMCD == '{paramcd}' and {_flag_filter(population)}",
        }
        parts.append(ard_rows({"N": total}, **ctx, derivation=bor_table_ard))
        for cat, k in counts.items():
            pct = 100.0 * int(k) / total if total else np.nan
            parts.append(
                ard_rows(
                    {"n": int(k), "pct": pct},
                    group_var="AVALC",
                    group_level=cat,
                    **ctx,
                    derivation=bor_table_ard,
                )
            )
    return concat_ard(parts)


def tte_rows(adtte: pd.DataFrame, paramcd: str, population: str) -> pd.DataFrame:
    """The ADTTE rows of one parameter in a population (flag == "Y"); missing columns are an
    InputError."""
    for col in ("USUBJID", "PARAMCD", "AVALM", "CNSR", population):
        if col not in adtte.columns:
            raise InputError("ADTTE", f"missing column {col}", variable=col)
    rows = adtte[(adtte["PARAMCD"] == paramcd) & (adtte[population] == "Y")]
    return rows


def _landmark_key(months: float) -> str:
    return f"{format_value(float(months))}m"


def km_stats(
    time: np.ndarray | pd.Series,
    event: np.ndarray | pd.Series,
    *,
    conf_level: float,
    conf_type: str,
    landmarks_months: Sequence[float],
    followup: bool = True,
) -> dict[str, Any]:
    """The Kaplan–Meier statistics of one group as an ordered mapping (see `km_ard`)."""
    from trialflow.stats.decisions import landmark_estimable
    from trialflow.stats.survival import km_summary, reverse_km_median_followup

    t = np.asarray(time, dtype=float)
    e = np.asarray(event, dtype=float)
    km = km_summary(t, e, conf_level=conf_level, conf_type=conf_type, timepoints=landmarks_months)
    out: dict[str, Any] = {
        "n": km["n"],
        "events": km["events"],
        "censored": km["n"] - km["events"],
    }
    for key in ("median", "q25", "q75"):
        out[key] = km[key]
        out[f"{key}_lower"] = km[f"{key}_lower"]
        out[f"{key}_upper"] = km[f"{key}_upper"]
    tp = km["timepoints"]
    for i, lm in enumerate(landmarks_months):
        key = _landmark_key(lm)
        n_risk = int(tp["n_risk"].iloc[i])
        # past the end of follow-up the carried-forward rate is not an estimate: NE
        ok = landmark_estimable(n_risk, float(tp["survival"].iloc[i]))
        for suffix, col in (("", "survival"), ("_lower", "lower"), ("_upper", "upper")):
            out[f"surv_{key}{suffix}"] = float(tp[col].iloc[i]) if ok else np.nan
        out[f"n_risk_{key}"] = n_risk
    if followup:
        fu = reverse_km_median_followup(t, e, conf_level=conf_level, conf_type=conf_type)
        out["followup_median"] = fu["median"]
        out["followup_lower"] = fu["median_lower"]
        out["followup_upper"] = fu["median_upper"]
    out["conf_level"] = float(conf_level)
    out["conf_type"] = conf_type
    out["units"] = "months"
    return out


def km_ard(
    adtte: pd.DataFrame,
    *,
    paramcd: str,
    conf_level: float,
    conf_type: str,
    landmarks_months: Sequence[float],
    population: str = "ENRLFL",
) -> pd.DataFrame:
    """Kaplan–Meier summary of one ADTTE parameter, in months (AVALM), event = CNSR 0.

    Stats (`survival.km_summary`, R survfit rules): n, events, censored; median, q25, q75
    each with _lower/_upper Brookmeyer–Crowley limits (`conf_type`, default log-log); for each
    landmark L months surv_<L>m with _lower/_upper (Greenwood, `conf_type`) and n_risk_<L>m
    (NE when no subject is under observation at L and S(L) > 0: `landmark_estimable`);
    median follow-up by reverse KM (`survival.reverse_km_median_followup`): followup_median,
    followup_lower, followup_upper; then conf_level, conf_type, units. Anything not reached is
    empty text ("NE"). Population: ADTTE rows with `population` == "Y" (ENRLFL for OS/PFS).
    """
    rows = tte_rows(adtte, paramcd, population)
    stats = km_stats(
        rows["AVALM"].to_numpy(dtype=float),
        1 - rows["CNSR"].to_numpy(dtype=float),
        conf_level=conf_level,
        conf_type=conf_type,
        landmarks_months=landmarks_months,
    )
    return ard_rows(
        stats,
        analysis="km",
        population=population,
        parameter=paramcd,
        dataset="ADTTE",
        filter=f"PARAMCD == '{paramcd}' and {_flag_filter(population)}",
        derivation=km_ard,
    )


def ttr_ard(adtte: pd.DataFrame, *, population: str = "EFFFL") -> pd.DataFrame:
    """Time to response among confirmed responders, described (every TTR row is an event):
    n, mean, median, min, max in months (AVALM)."""
    rows = tte_rows(adtte, "TTR", population)
    t = rows["AVALM"].to_numpy(dtype=float)
    has = t.size > 0
    stats = {
        "n": int(t.size),
        "mean": float(t.mean()) if has else np.nan,
        "median": float(np.median(t)) if has else np.nan,
        "min": float(t.min()) if has else np.nan,
        "max": float(t.max()) if has else np.nan,
        "units": "months",
    }
    return ard_rows(
        stats,
        analysis="ttr",
        population=population,
        parameter="TTR",
        dataset="ADTTE",
        filter=f"PARAMCD == 'TTR' and {_flag_filter(population)}",
        derivation=ttr_ard,
    )


def subgroup_levels(values: pd.Series) -> tuple[pd.Series, list[str]]:
    """Text level per subject (missing -> "Missing") and the levels in sorted order
    (natural order of the values, "Missing" last)."""
    present = values.dropna()
    ordered = [format_value(v) for v in sorted(present.unique().tolist())]
    ordered = list(dict.fromkeys(ordered))
    text = values.map(lambda v: "Missing" if pd.isna(v) else format_value(v))
    if values.isna().any():
        ordered.append("Missing")
    return text, ordered


def subgroup_ard(
    adrs: pd.DataFrame,
    adtte: pd.DataFrame,
    adsl: pd.DataFrame,
    *,
    subgroups: Sequence[str],
    conf_level: float,
    method: str,
    surv_conf_level: float,
    conf_type: str,
    min_n: int,
    response_param: str,
    response_population: str = "EFFFL",
    survival_population: str = "ENRLFL",
) -> pd.DataFrame:
    """ORR (`response_param`, default CRSP) with CI and median PFS with CI for each level of
    every subgroup variable.

    Levels come from ADSL (missing shown as "Missing"), in sorted order. Every level is shown;
    a level with fewer than `min_n` (default 5) subjects in the analysis (N for ORR, n for PFS)
    has stat small_n_flag "Y" (else "N"). ORR rows: analysis "subgroup_orr", stats n, N,
    estimate, lower, upper, small_n_flag. PFS rows: analysis "subgroup_pfs", stats n, events,
    median, median_lower, median_upper, small_n_flag (months).
    """
    from trialflow.stats.rates import response_rate
    from trialflow.stats.survival import km_summary

    eff = _population_ids(adsl, response_population).index
    resp = _yn(_param_values(adrs, response_param, eff), response_param)
    pfs = tte_rows(adtte, "PFS", survival_population)
    by_id = adsl.assign(USUBJID=adsl["USUBJID"].astype(str)).set_index("USUBJID")
    parts = []
    for var in subgroups:
        if var not in adsl.columns:
            raise InputError("ADSL", "subgroup variable not in ADSL", variable=var)
        text, levels = subgroup_levels(by_id[var])
        r_level = text.reindex(resp.index)
        p_level = text.reindex(pfs["USUBJID"].astype(str)).to_numpy()
        time = pfs["AVALM"].to_numpy(dtype=float)
        event = 1 - pfs["CNSR"].to_numpy(dtype=float)
        for level in levels:
            in_r = (r_level == level).to_numpy()
            if in_r.any():
                x, n = int(resp[in_r].sum()), int(in_r.sum())
                rr = response_rate(x, n, conf_level=conf_level, method=method)
                stats = {k: rr[k] for k in ("n", "N", "estimate", "lower", "upper")}
                stats["small_n_flag"] = "Y" if n < min_n else "N"
                parts.append(
                    ard_rows(
                        stats,
                        analysis="subgroup_orr",
                        population=response_population,
                        parameter=response_param,
                        group_var=var,
                        group_level=level,
                        dataset="ADRS",
                        filter=(
                            f"PARAMCD == '{response_param}' and "
                            f"{_flag_filter(response_population)} and "
                            f"{var} == '{level}'"
                        ),
                        derivation=subgroup_ard,
                    )
                )
            in_p = p_level == level
            if in_p.any():
                km = km_summary(
                    time[in_p], event[in_p], conf_level=surv_conf_level, conf_type=conf_type
                )
                stats = {
                    k: km[k] for k in ("n", "events", "median", "median_lower", "median_upper")
                }
                stats["small_n_flag"] = "Y" if km["n"] < min_n else "N"
                parts.append(
                    ard_rows(
                        stats,
                        analysis="subgroup_pfs",
                        population=survival_population,
                        parameter="PFS",
                        group_var=var,
                        group_level=level,
                        dataset="ADTTE",
                        filter=(
                            f"PARAMCD == 'PFS' and {_flag_filter(survival_population)} and "
                            f"{var} == '{level}'"
                        ),
                        derivation=subgroup_ard,
                    )
                )
    if not parts:
        return pd.DataFrame(columns=ARD_COLUMNS)
    return concat_ard(parts)


def design_ard(
    trial_design: Mapping[str, Any],
    adrs: pd.DataFrame,
    adsl: pd.DataFrame,
    adtte: pd.DataFrame,
    **options: Any,
) -> pd.DataFrame:
    """The trial design and its decision, per cohort and pooled: see
    `trialflow.ard.design.design_ard`."""
    from trialflow.ard import design

    return design.design_ard(trial_design, adrs, adsl, adtte, **options)


def efficacy_ard(
    adsl: pd.DataFrame,
    adrs: pd.DataFrame,
    adtte: pd.DataFrame,
    *,
    response: ResponseRules,
    rates: RateOptions,
    survival: SurvivalOptions,
    design: DesignSpec,
    subgroups: SubgroupOptions,
) -> pd.DataFrame:
    """All efficacy ARD rows for one trial and cutoff, from the trial's typed options.

    The subgroup ORR and the design decision use confirmed responses (CRSP) when
    `response.confirmation_required`, else unconfirmed ones (RSP). Order: response rates
    (p-value against design p0 for ORR-primary designs), BOR tables, KM of OS and PFS (ENRLFL)
    and DOR (EFFFL responders), TTR, subgroups, design decision.
    """
    orr_param = "CRSP" if response.confirmation_required else "RSP"
    p0 = design.p0 if design.kind != "one_sample_logrank" else None
    km_opts = {
        "conf_level": survival.conf_level,
        "conf_type": survival.conf_type,
        "landmarks_months": list(survival.landmarks_months),
    }
    parts = [
        response_rates_ard(adrs, adsl, conf_level=rates.conf_level, method=rates.ci_method, p0=p0),
        bor_table_ard(adrs, adsl),
        km_ard(adtte, paramcd="OS", **km_opts),
        km_ard(adtte, paramcd="PFS", **km_opts),
        km_ard(adtte, paramcd="DOR", population="EFFFL", **km_opts),
        ttr_ard(adtte),
        subgroup_ard(
            adrs,
            adtte,
            adsl,
            subgroups=list(subgroups.variables),
            conf_level=rates.conf_level,
            method=rates.ci_method,
            surv_conf_level=survival.conf_level,
            conf_type=survival.conf_type,
            min_n=subgroups.small_n,
            response_param=orr_param,
        ),
        design_ard(
            dataclasses.asdict(design),
            adrs,
            adsl,
            adtte,
            conf_level=survival.conf_level,
            conf_type=survival.conf_type,
            rates_conf_level=rates.conf_level,
            response_param=orr_param,
            confirmation_days=response.confirmation_min_days
            if response.confirmation_required
            else 0,
        ),
    ]
    return concat_ard(parts)

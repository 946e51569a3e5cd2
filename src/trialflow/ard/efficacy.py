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
from trialflow.errors import ConfigError, InputError
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
        out[f"surv_{key}"] = float(tp["survival"].iloc[i])
        out[f"surv_{key}_lower"] = float(tp["lower"].iloc[i])
        out[f"surv_{key}_upper"] = float(tp["upper"].iloc[i])
        out[f"n_risk_{key}"] = int(tp["n_risk"].iloc[i])
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
    landmark L months surv_<L>m with _lower/_upper (Greenwood, `conf_type`) and n_risk_<L>m;
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


def evaluable_in_enrolment_order(
    adrs: pd.DataFrame,
    adsl: pd.DataFrame,
    *,
    population: str = "EFFFL",
    order_by: Sequence[str] = ("TRTSDT", "USUBJID"),
    response_param: str = "CRSP",
) -> pd.Series:
    """Response (`response_param` == "Y", boolean; default CRSP, confirmed) of the evaluable
    subjects (`population` == "Y") in enrolment order: sorted by `order_by` (default TRTSDT,
    then USUBJID to break ties; a missing TRTSDT sorts last), stable."""
    for col in order_by:
        if col not in adsl.columns:
            raise InputError("ADSL", f"missing column {col}", variable=col)
    pop = adsl[adsl[population] == "Y"].copy()
    pop["USUBJID"] = pop["USUBJID"].astype(str)
    pop = pop.sort_values(list(order_by), kind="mergesort", na_position="last")
    ids = pd.Index(pop["USUBJID"])
    return _yn(_param_values(adrs, response_param, ids), response_param)


def _design_value(design: Mapping[str, Any], key: str, kind: str) -> Any:
    value = design.get(key)
    if value is None:
        raise ConfigError(f"trial file design.{key}: a value is required for kind {kind}")
    return value


def design_ard(
    trial_design: Mapping[str, Any],
    adrs: pd.DataFrame,
    adsl: pd.DataFrame,
    adtte: pd.DataFrame,
    *,
    conf_level: float,
    conf_type: str,
    response_param: str,
    response_population: str = "EFFFL",
    survival_population: str = "ENRLFL",
    order_by: Sequence[str] = ("TRTSDT", "USUBJID"),
) -> pd.DataFrame:
    """The trial design and its decision, with the sentence the report prints (stat
    "sentence").

    - ``kind: simon_two_stage`` (Simon 1989; `design.simon_two_stage` with ``variant``):
      stage 1 uses the first n1 evaluable subjects (EFFFL) in enrolment order (TRTSDT, then
      USUBJID) and their responses (`response_param`: CRSP, confirmed, by default); the final
      analysis the first n (`design.simon_decision`). Subjects beyond n are not part of the
      decision.
    - ``kind: single_stage_binomial`` (`design.single_stage_binomial`): X > r among the first n
      evaluable subjects (`design.single_stage_decision`).
    - ``kind: one_sample_logrank`` (PFS primary): the one-sample log-rank test of PFS (months,
      ENRLFL) against ``historical_median_months`` (`design.one_sample_logrank`), and when
      ``landmark_months`` and ``historical_landmark_rate`` are set, the KM PFS rate at the
      landmark with its CI (`conf_level`, `conf_type`) against the historical rate
      (`design.landmark_vs_historical`); decision by `design.pfs_decision` at ``alpha``.
    """
    from trialflow.stats import design as dsg
    from trialflow.stats.rates import exact_binomial_test
    from trialflow.stats.survival import km_summary

    kind = trial_design.get("kind", "simon_two_stage")
    alpha = float(trial_design.get("alpha", 0.05))
    power = float(trial_design.get("power", 0.80))
    if kind in ("simon_two_stage", "single_stage_binomial"):
        p0 = float(trial_design.get("p0", 0.10))
        p1 = float(trial_design.get("p1", 0.30))
        resp = evaluable_in_enrolment_order(
            adrs,
            adsl,
            population=response_population,
            order_by=order_by,
            response_param=response_param,
        )
        if kind == "simon_two_stage":
            variant = trial_design.get("variant", "optimal")
            des = dsg.simon_two_stage(p0, p1, alpha, power, kind=variant)
            n1, n = int(des["n1"]), int(des["n"])
            e1, e = min(n1, len(resp)), min(n, len(resp))
            x1, x = int(resp.iloc[:e1].sum()), int(resp.iloc[:e].sum())
            dec = dsg.simon_decision(x1, e1, x, e, des)
            stats: dict[str, Any] = {"kind": kind, "variant": variant}
            for k in ("p0", "p1", "r1", "n1", "r", "n", "en0", "pet0"):
                stats[k] = des[k]
            stats.update(
                {
                    "alpha_target": alpha,
                    "power_target": power,
                    "alpha_attained": des["alpha"],
                    "power_attained": des["power"],
                    "stage1_n_evaluable": e1,
                    "stage1_responses": x1,
                    "stage1_decision": dec["stage1_decision"],
                    "n_evaluable": e,
                    "responses": x,
                    "final_decision": dec["final_decision"],
                    "final_complete": dec["final_complete"],
                }
            )
        else:
            des = dsg.single_stage_binomial(p0, p1, alpha, power)
            n = int(des["n"])
            e = min(n, len(resp))
            x = int(resp.iloc[:e].sum())
            dec = dsg.single_stage_decision(x, e, des)
            stats = {"kind": kind}
            for k in ("p0", "p1", "r", "n"):
                stats[k] = des[k]
            stats.update(
                {
                    "alpha_target": alpha,
                    "power_target": power,
                    "alpha_attained": des["alpha"],
                    "power_attained": des["power"],
                    "n_evaluable": e,
                    "responses": x,
                    "final_decision": dec["final_decision"],
                    "final_complete": dec["final_complete"],
                }
            )
        stats["p_value"] = exact_binomial_test(x, e, p0) if e else np.nan
        stats["sentence"] = dec["sentence"]
        order = ", ".join(order_by)
        return ard_rows(
            stats,
            analysis="design",
            population=response_population,
            parameter=response_param,
            dataset="ADRS",
            filter=(
                f"PARAMCD == '{response_param}' and {_flag_filter(response_population)}, "
                f"first n evaluable by {order}"
            ),
            derivation=design_ard,
        )
    if kind == "one_sample_logrank":
        hist_median = float(_design_value(trial_design, "historical_median_months", kind))
        rows = tte_rows(adtte, "PFS", survival_population)
        time = rows["AVALM"].to_numpy(dtype=float)
        event = 1 - rows["CNSR"].to_numpy(dtype=float)
        lr = dsg.one_sample_logrank(time, event, historical_median=hist_median)
        stats = {"kind": kind, "historical_median_months": hist_median, "alpha": alpha}
        for k in ("n", "O", "E", "ratio", "z", "p_value"):
            stats[k] = lr[k]
        landmark = None
        lm_months = trial_design.get("landmark_months")
        hist_rate = trial_design.get("historical_landmark_rate")
        if lm_months is not None and hist_rate is not None:
            km = km_summary(
                time, event, conf_level=conf_level, conf_type=conf_type, timepoints=[lm_months]
            )
            tp = km["timepoints"].iloc[0]
            landmark = dsg.landmark_vs_historical(
                float(tp["survival"]),
                float(tp["lower"]),
                float(tp["upper"]),
                float(hist_rate),
                landmark_months=float(lm_months),
                endpoint="PFS",
                conf_level=conf_level,
            )
            stats.update(
                {
                    "landmark_months": float(lm_months),
                    "historical_landmark_rate": float(hist_rate),
                    "landmark_survival": landmark["survival"],
                    "landmark_lower": landmark["lower"],
                    "landmark_upper": landmark["upper"],
                    "landmark_comparison": landmark["comparison"],
                }
            )
        dec = dsg.pfs_decision(lr, landmark, alpha=alpha)
        stats["final_decision"] = dec["decision"]
        stats["sentence"] = dec["sentence"]
        return ard_rows(
            stats,
            analysis="design",
            population=survival_population,
            parameter="PFS",
            dataset="ADTTE",
            filter=f"PARAMCD == 'PFS' and {_flag_filter(survival_population)}",
            derivation=design_ard,
        )
    raise ConfigError(
        f"trial file design.kind: unknown kind {kind!r} (expected simon_two_stage, "
        "single_stage_binomial or one_sample_logrank)"
    )


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
            response_param=orr_param,
        ),
    ]
    return concat_ard(parts)

"""The trial design and its decision at a cutoff, per cohort and pooled (ARD analysis
"design").

A trial file's ``design`` holds the base design options; with ``cohort_variable`` (an ADSL
variable) every level of that variable gets its own design, the base options overridden by
``cohorts.<level>``, and with ``pooled`` the base design is also applied to all subjects. Rows
of the pooled analysis have an empty group_var; rows of a cohort have group_var the cohort
variable and group_level the level.

For a design on the response rate (Simon two-stage, single stage, predictive probability,
BOP2) a subject counts for the decision once their response status is final
(`response_status`); the ORR itself keeps its ITT denominator. A PFS-primary design
(one-sample log-rank) uses every subject of the survival population.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from trialflow.ard_table import ARD_COLUMNS, ard_rows, concat_ard
from trialflow.errors import ConfigError, InputError

RESPONSE_KINDS = ("simon_two_stage", "single_stage_binomial", "predictive", "bop2")
"""Design kinds decided on the response rate."""

COHORT_KEYS = ("cohort_variable", "cohorts", "pooled")
"""Design options that describe the cohorts rather than one design."""


def _flag_filter(flag: str) -> str:
    return f"{flag} == 'Y'"


def _dates(frame: pd.DataFrame, col: str) -> pd.Series:
    if col not in frame.columns:
        return pd.Series(pd.NaT, index=frame.index, dtype="datetime64[ns]")
    return pd.to_datetime(frame[col], errors="coerce")


def response_status(
    adrs: pd.DataFrame,
    adsl: pd.DataFrame,
    *,
    population: str = "EFFFL",
    order_by: Sequence[str] = ("TRTSDT", "USUBJID"),
    response_param: str = "CRSP",
    window_days: int,
    confirmation_days: int,
) -> pd.DataFrame:
    """Whether each subject's response status is final for a design decision, in enrolment
    order (sorted by `order_by`, a missing date last, stable).

    A subject (ADSL `population` == "Y") is a responder for the design when `response_param`
    (CRSP: confirmed CR or PR) is "Y" with its response date (ADT) within `window_days` of the
    start (STARTDT is day 1; a response without a date counts). The status is final, in this
    order of reasons:

    - ``responder``;
    - ``progression``: an OVR, BOR or CBOR record with AVALC "PD";
    - ``death``: ADSL DTHDT present (deaths after the cutoff are already excluded);
    - ``off study``: ADSL EOSSTT "DISCONTINUED" or "COMPLETED";
    - ``new anticancer therapy``: ADSL NACTDT present;
    - ``window complete``: CUTOFFDT − STARTDT + 1 >= `window_days` + `confirmation_days`,
      so that a response inside the window could have been confirmed by the cutoff.

    Otherwise it is ``pending`` (for example no post-baseline scan yet): the subject is not a
    non-responder for the decision. ADSL needs USUBJID, `population`, `order_by`, STARTDT and
    CUTOFFDT; DTHDT, EOSSTT and NACTDT are used when present.

    Returns USUBJID, final (bool), responder (bool) and reason.
    """
    for col in ("USUBJID", population, "STARTDT", "CUTOFFDT", *order_by):
        if col not in adsl.columns:
            raise InputError("ADSL", f"missing column {col}", variable=col)
    for col in ("USUBJID", "PARAMCD", "AVALC"):
        if col not in adrs.columns:
            raise InputError("ADRS", f"missing column {col}", variable=col)
    pop = adsl[adsl[population] == "Y"].copy()
    pop["USUBJID"] = pop["USUBJID"].astype(str)
    pop = pop.sort_values(list(order_by), kind="mergesort", na_position="last")
    pop = pop.reset_index(drop=True)
    rs = adrs.assign(USUBJID=adrs["USUBJID"].astype(str))
    resp = rs[rs["PARAMCD"] == response_param].drop_duplicates("USUBJID").set_index("USUBJID")
    missing = sorted(set(pop["USUBJID"]) - set(resp.index))
    if missing:
        raise InputError(
            "ADRS",
            f"no {response_param} record for an evaluable subject",
            usubjid=missing[0],
            variable="PARAMCD",
        )
    start = _dates(pop, "STARTDT")
    rdate = _dates(resp, "ADT").reindex(pop["USUBJID"]).to_numpy()
    yes = resp["AVALC"].reindex(pop["USUBJID"]).to_numpy() == "Y"
    in_window = pd.isna(rdate) | (
        (pd.to_datetime(rdate) - start.to_numpy()).days < int(window_days)
    )
    responder = yes & np.asarray(in_window, dtype=bool)
    pd_ids = set(
        rs.loc[rs["PARAMCD"].isin(["OVR", "BOR", "CBOR"]) & (rs["AVALC"] == "PD"), "USUBJID"]
    )
    progressed = pop["USUBJID"].isin(pd_ids).to_numpy()
    died = _dates(pop, "DTHDT").notna().to_numpy()
    eos = pop["EOSSTT"].astype(str) if "EOSSTT" in pop.columns else pd.Series("", index=pop.index)
    off = eos.isin(["DISCONTINUED", "COMPLETED"]).to_numpy()
    nact = _dates(pop, "NACTDT").notna().to_numpy()
    followed = (_dates(pop, "CUTOFFDT") - start).dt.days + 1
    window = (followed >= int(window_days) + int(confirmation_days)).to_numpy()
    reasons = np.select(
        [responder, progressed, died, off, nact, window],
        [
            "responder",
            "progression",
            "death",
            "off study",
            "new anticancer therapy",
            "window complete",
        ],
        default="pending",
    )
    return pd.DataFrame(
        {
            "USUBJID": pop["USUBJID"].to_numpy(),
            "final": reasons != "pending",
            "responder": responder,
            "reason": reasons,
        }
    )


def cohort_designs(design: Mapping[str, Any], levels: Sequence[str]) -> list[tuple[str, dict]]:
    """The (cohort level, options) pairs of a trial design: first the pooled analysis ("")
    when ``pooled`` (or when there is no cohort variable), then each cohort: the levels named
    in ``cohorts`` in their order, then any other level present in the data, sorted. A cohort's
    options are the base options overridden by ``cohorts.<level>``."""
    base = {k: v for k, v in design.items() if k not in COHORT_KEYS}
    var = design.get("cohort_variable")
    out: list[tuple[str, dict]] = []
    if not var or design.get("pooled", True):
        out.append(("", base))
    if var:
        named = [str(k) for k in (design.get("cohorts") or {})]
        extra = sorted(set(map(str, levels)) - set(named))
        overrides = {str(k): v for k, v in (design.get("cohorts") or {}).items()}
        for level in named + extra:
            out.append((level, {**base, **(overrides.get(level) or {})}))
    return out


def _conf_text(level: float) -> str:
    return f"{round(100 * float(level), 6):g}%"


def _response_stats(
    plan: Mapping[str, Any], flags: pd.DataFrame, *, conf_level: float
) -> dict[str, Any]:
    from trialflow.stats import decisions
    from trialflow.stats.rates import binomial_ci, exact_binomial_test

    kind = plan["kind"]
    final, resp = flags["final"].to_numpy(), flags["responder"].to_numpy()
    stats: dict[str, Any] = {}
    if kind == "simon_two_stage":
        dec = decisions.simon_status(
            final,
            resp,
            r1=plan["r1"],
            n1=plan["n1"],
            r=plan["r"],
            n=plan["n"],
            p0=plan["p0"],
            conf_level=conf_level,
        )
        for k in ("variant", "p0", "p1", "r1", "n1", "r", "n", "en0", "pet0"):
            stats[k] = plan[k]
        stats |= {"alpha_attained": plan["alpha"], "power_attained": plan["power"]}
        for k in ("stage1_status", "stage1_decision", "stage1_final", "stage1_responses"):
            stats[k] = dec[k]
        stats |= {
            "final_status": dec["final_status"],
            "n_final": dec["n_final"],
            "responses": dec["responses"],
            "overrun": dec["overrun"],
            "final_decision": dec["final_decision"],
            "p_value_stagewise": dec["p_value"],
            "umvue": dec["umvue"],
            "ci_lower_stagewise": dec["ci_lower"],
            "ci_upper_stagewise": dec["ci_upper"],
        }
        if dec["stage"] is not None:
            m = plan["n1"] if dec["stage"] == 1 else plan["n"]
            x = dec["stage1_responses"] if dec["stage"] == 1 else dec["responses"]
            lo, hi = binomial_ci(int(x), int(m), conf_level, method="clopper-pearson")
            stats |= {
                "naive_estimate": x / m,
                "naive_lower": lo,
                "naive_upper": hi,
                "naive_p_value": exact_binomial_test(int(x), int(m), plan["p0"]),
            }
        stats["conf_level"] = conf_level
    elif kind == "single_stage_binomial":
        dec = decisions.single_stage_status(final, resp, r=plan["r"], n=plan["n"], p0=plan["p0"])
        for k in ("p0", "p1", "r", "n"):
            stats[k] = plan[k]
        stats |= {"alpha_attained": plan["alpha"], "power_attained": plan["power"]}
        for k in ("final_status", "n_final", "responses", "overrun", "final_decision"):
            stats[k] = dec[k]
    elif kind == "predictive":
        dec = decisions.predictive_status(
            final,
            resp,
            p0=plan["p0"],
            a=plan["prior_a"],
            b=plan["prior_b"],
            nmax=plan["nmax"],
            theta_t=plan["theta_t"],
            theta_l=plan["theta_l"],
            theta_u=plan["theta_u"],
            first=plan["first"],
        )
        for k in ("p0", "p1", "prior_a", "prior_b", "nmax", "theta_t", "theta_l", "theta_u"):
            stats[k] = plan[k]
        stats |= {"alpha_attained": plan["alpha"], "power_attained": plan["power"]}
        stats |= {"pet0": plan["pet0"], "en0": plan["en0"]}
        for k in ("n_final", "responses", "overrun", "posterior_probability"):
            stats[k] = dec[k]
        stats["predictive_probability"] = dec["predictive_probability"]
        stats["final_decision"] = dec["final_decision"]
    else:  # bop2
        dec = decisions.bop2_status(final, resp, boundaries=plan["boundaries"], p0=plan["p0"])
        for k in ("p0", "p1", "nmax", "lambda", "gamma"):
            stats[k] = plan[k]
        stats["boundaries"] = ", ".join(
            f"{b['n']}:{'' if b['stop_if_responses_at_most'] is None else b['stop_if_responses_at_most']}"
            for b in plan["boundaries"]
        )
        stats |= {"alpha_attained": plan["alpha"], "power_attained": plan["power"]}
        stats |= {"pet0": plan["pet0"], "en0": plan["en0"]}
        for k in ("final_status", "n_final", "responses", "overrun", "final_decision"):
            stats[k] = dec[k]
    stats["_clause"] = dec["sentence"]
    return stats


def _logrank_stats(
    options: Mapping[str, Any],
    plan: Mapping[str, Any],
    rows: pd.DataFrame,
    *,
    conf_level: float,
    conf_type: str,
) -> dict[str, Any]:
    from trialflow.stats.decisions import landmark_estimable
    from trialflow.stats.logrank_design import (
        landmark_vs_historical,
        one_sample_logrank_test,
        pfs_decision,
    )
    from trialflow.stats.survival import km_summary

    time = rows["AVALM"].to_numpy(dtype=float)
    event = 1 - rows["CNSR"].to_numpy(dtype=float)
    lr = one_sample_logrank_test(time, event, median0=plan["median0"], variance=plan["variance"])
    stats: dict[str, Any] = {
        "historical_median_months": plan["median0"],
        "alpha": plan["alpha"],
        "variance": plan["variance"],
    }
    if plan.get("n") is not None:
        stats |= {"planned_n": plan["n"], "planned_events": plan["events"]}
    for k in ("n", "O", "E", "ratio", "z", "p_value"):
        stats[k] = lr[k]
    landmark = None
    lm_months = options.get("landmark_months")
    hist_rate = options.get("historical_landmark_rate")
    if lm_months is not None and hist_rate is not None:
        tp = km_summary(
            time, event, conf_level=conf_level, conf_type=conf_type, timepoints=[lm_months]
        )["timepoints"].iloc[0]
        ok = landmark_estimable(int(tp["n_risk"]), float(tp["survival"]))
        values = [float(tp[c]) if ok else math.nan for c in ("survival", "lower", "upper")]
        landmark = landmark_vs_historical(
            *values,
            float(hist_rate),
            landmark_months=float(lm_months),
            endpoint="PFS",
            conf_level=conf_level,
        )
        stats |= {
            "landmark_months": float(lm_months),
            "historical_landmark_rate": float(hist_rate),
            "landmark_survival": landmark["survival"],
            "landmark_lower": landmark["lower"],
            "landmark_upper": landmark["upper"],
            "landmark_n_risk": int(tp["n_risk"]),
            "landmark_comparison": landmark["comparison"],
        }
    dec = pfs_decision(lr, landmark, alpha=plan["alpha"])
    stats["final_decision"] = dec["decision"]
    # the design sentence already names the test: keep what follows its first colon
    clause = dec["sentence"].split(": ", 1)[-1].replace(". Supportive: ", "; supportive: ")
    stats["_clause"] = clause.rstrip(".")
    return stats


def design_ard(
    trial_design: Mapping[str, Any],
    adrs: pd.DataFrame,
    adsl: pd.DataFrame,
    adtte: pd.DataFrame,
    *,
    conf_level: float,
    conf_type: str,
    rates_conf_level: float,
    confirmation_days: int,
    response_population: str = "EFFFL",
    survival_population: str = "ENRLFL",
    order_by: Sequence[str] = ("TRTSDT", "USUBJID"),
    response_param: str = "CRSP",
) -> pd.DataFrame:
    """The design of the trial, per cohort and pooled, with its decision at this cutoff.

    Each analysis (group) gets the planned design (`trialflow.stats.plan.plan_design`), its
    operating characteristics, the decision (`trialflow.stats.decisions`) and two sentences:
    stat ``design`` names the design and its operating characteristics, stat ``sentence``
    adds the decision ("<design>: <decision>."). Stats ``kind``, ``status`` ("complete" or
    the incomplete stage), ``final_decision`` and ``reference`` (the papers, "; "-separated)
    are always present.

    - Response-rate designs use `response_status` (``design.response_window_days``, the
      confirmation window `confirmation_days`) on `response_population` (EFFFL) with
      `response_param` (CRSP). After a complete Simon trial the stage-wise p-value, UMVUE and
      matching interval (`rates_conf_level`) are given beside the naive Clopper–Pearson.
    - ``one_sample_logrank`` tests PFS (months, `survival_population`) against
      ``historical_median_months`` (``variance`` standard or wu); the optional landmark
      comparison is NE when no subject is under observation at the landmark.
    """
    from trialflow.stats.plan import describe_design, plan_design, references_for

    var = trial_design.get("cohort_variable")
    if var and var not in adsl.columns:
        raise ConfigError(f"trial file design.cohort_variable: {var!r} is not an ADSL variable")
    levels = (
        sorted(set(adsl.loc[adsl[response_population] == "Y", var].astype(str)))
        if var and response_population in adsl.columns
        else []
    )
    parts = []
    for level, options in cohort_designs(trial_design, levels):
        kind = options.get("kind", "simon_two_stage")
        where = f"design.cohorts.{level}" if level else "design"
        try:
            plan = plan_design(options)
        except ValueError as exc:
            raise ConfigError(f"trial file {where}: {exc}") from None
        in_group = adsl[var].astype(str) == level if level else pd.Series(True, index=adsl.index)
        sub_adsl = adsl[in_group]
        group = {"group_var": var if level else "", "group_level": level}
        if kind in RESPONSE_KINDS:
            flags = response_status(
                adrs,
                sub_adsl,
                population=response_population,
                order_by=order_by,
                response_param=response_param,
                window_days=int(options["response_window_days"]),
                confirmation_days=confirmation_days,
            )
            stats = _response_stats(plan, flags, conf_level=rates_conf_level)
            stats["response_window_days"] = int(options["response_window_days"])
            ctx = {
                "population": response_population,
                "parameter": response_param,
                "dataset": "ADRS",
                "filter": (
                    f"PARAMCD == '{response_param}' and {_flag_filter(response_population)}"
                    + (f" and {var} == '{level}'" if level else "")
                    + f", subjects with a final response status, in order of {', '.join(order_by)}"
                ),
            }
        elif kind == "one_sample_logrank":
            ids = set(sub_adsl["USUBJID"].astype(str))
            for col in ("USUBJID", "PARAMCD", "AVALM", "CNSR", survival_population):
                if col not in adtte.columns:
                    raise InputError("ADTTE", f"missing column {col}", variable=col)
            rows = adtte[
                (adtte["PARAMCD"] == "PFS")
                & (adtte[survival_population] == "Y")
                & adtte["USUBJID"].astype(str).isin(ids)
            ]
            stats = _logrank_stats(options, plan, rows, conf_level=conf_level, conf_type=conf_type)
            ctx = {
                "population": survival_population,
                "parameter": "PFS",
                "dataset": "ADTTE",
                "filter": f"PARAMCD == 'PFS' and {_flag_filter(survival_population)}"
                + (f" and {var} == '{level}'" if level else ""),
            }
        else:
            raise ConfigError(f"trial file {where}.kind: unknown kind {kind!r}")
        clause = stats.pop("_clause")
        described = describe_design(plan)
        status = stats.get("final_status", "complete")
        head = {
            "kind": kind,
            "status": status,
            "final_decision": stats.pop("final_decision"),
            "design": described[0].upper() + described[1:],
            "sentence": f"{described[0].upper() + described[1:]}: {clause}.",
            "reference": "; ".join(references_for(plan)),
        }
        parts.append(
            ard_rows({**head, **stats}, analysis="design", derivation=design_ard, **group, **ctx)
        )
    if not parts:
        return pd.DataFrame(columns=ARD_COLUMNS)
    return concat_ard(parts)

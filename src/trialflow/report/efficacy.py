"""Efficacy display tables and sentences, read from the efficacy ARD (`ard/efficacy.csv`,
`ard/concordance.csv`). Nothing is recomputed."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from trialflow.ard_table import ard_select, ard_stats
from trialflow.report.format import (
    NE,
    conf_text,
    fmt_ci,
    fmt_estimate_ci,
    fmt_int,
    fmt_n_pct,
    fmt_num,
    fmt_pct,
    stat_text,
    text_table,
    to_float,
)
from trialflow.vocab import BOR_CATEGORIES, KM_PARAMS

#: Order of response categories in BOR tables (RECIST 1.1 plus MISSING).
BOR_ORDER = list(BOR_CATEGORIES)


#: ARD KM parameter -> display name.
KM_NAMES = KM_PARAMS


def orr_parameter(efficacy: pd.DataFrame, *, confirmation_required: bool) -> str:
    """The ORR parameter of the report: CRSP (confirmed) when confirmation is required."""
    wanted = "CRSP" if confirmation_required else "RSP"
    present = ard_select(efficacy, analysis="orr")["parameter"].unique().tolist()
    if wanted in present or not present:
        return wanted
    return present[0]


def rate_text(stats: Mapping[str, str], digits: int = 1) -> str:
    """ "n/N (est%) [95% CI lo%–hi%]" from the rows of one rate analysis."""
    if not stats:
        return "not available"
    return (
        f"{fmt_int(stats.get('n'))}/{fmt_int(stats.get('N'))} "
        f"({fmt_pct(stats.get('estimate'), digits, proportion=True)}; "
        f"{conf_text(stats.get('conf_level'))} "
        f"{fmt_pct(stats.get('lower'), digits, proportion=True)}\N{EN DASH}"
        f"{fmt_pct(stats.get('upper'), digits, proportion=True)})"
    )


def median_text(stats: Mapping[str, str], digits: int = 1) -> str:
    """ "median months (95% CI lo–hi)"; "NE" for a median or limit not reached (the median
    then without its unit: "NE (95% CI 6.1–NE)")."""
    if not stats:
        return "not available"
    median = fmt_num(stats.get("median"), digits)
    value = median if median == NE else f"{median} months"
    return (
        f"{value} "
        f"({conf_text(stats.get('conf_level'))} {fmt_num(stats.get('median_lower'), digits)}"
        f"\N{EN DASH}{fmt_num(stats.get('median_upper'), digits)})"
    )


def rate_table(efficacy: pd.DataFrame) -> pd.DataFrame:
    """Response rates (ORR, DCR, CBR; confirmed and unconfirmed) with CIs and the test vs p0."""
    rows = []
    for analysis in ("orr", "dcr", "cbr"):
        sel = ard_select(efficacy, analysis=analysis, group_var="")
        for parameter in sel["parameter"].unique():
            s = ard_stats(efficacy, analysis=analysis, parameter=parameter)
            rows.append(
                {
                    "Endpoint": s.get("label", parameter),
                    "Parameter": parameter,
                    "n/N": f"{fmt_int(s.get('n'))}/{fmt_int(s.get('N'))}",
                    "Rate": fmt_pct(s.get("estimate"), proportion=True),
                    "CI": fmt_ci(s.get("lower"), s.get("upper"), proportion=True),
                    "CI method": f"{s.get('method', '')} ({conf_text(s.get('conf_level'))})",
                    "p-value vs p0": (
                        f"{fmt_num(s.get('p_value'), 4)} (p0 = {fmt_pct(s.get('p0'), 0, proportion=True)})"
                        if "p_value" in s
                        else ""
                    ),
                }
            )
    cols = ["Endpoint", "Parameter", "n/N", "Rate", "CI", "CI method", "p-value vs p0"]
    return text_table(rows, cols)


def bor_table(efficacy: pd.DataFrame) -> pd.DataFrame:
    """Best overall response: n (%) per category, confirmed (CBOR) beside unconfirmed (BOR)."""
    params = [p for p in ("CBOR", "BOR") if len(ard_select(efficacy, analysis="bor", parameter=p))]
    names = {"CBOR": "Confirmed BOR", "BOR": "Unconfirmed BOR"}
    rows = []
    for cat in BOR_ORDER:
        row = {"Best overall response": cat}
        for p in params:
            s = ard_stats(efficacy, analysis="bor", parameter=p, group_var="AVALC", group_level=cat)
            row[names[p]] = fmt_n_pct(s.get("n"), s.get("pct")) if s else NE
        rows.append(row)
    total = {"Best overall response": "Total (N)"}
    for p in params:
        total[names[p]] = fmt_int(ard_stats(efficacy, analysis="bor", parameter=p).get("N"))
    rows.append(total)
    return text_table(rows, ["Best overall response"] + [names[p] for p in params])


def landmarks(stats: Mapping[str, str]) -> list[str]:
    """Landmark times (text, months) present in the KM rows, e.g. ["6", "12"]."""
    found = [k[len("surv_") : -1] for k in stats if k.startswith("surv_") and k.endswith("m")]
    return sorted(found, key=float)


def km_table(efficacy: pd.DataFrame, parameter: str) -> pd.DataFrame:
    """One KM analysis: N, events, censored, quartiles and median with CIs, landmark rates."""
    s = ard_stats(efficacy, analysis="km", parameter=parameter)
    ci = conf_text(s.get("conf_level"))
    rows = [
        {"Statistic": "Subjects (N)", "Value": fmt_int(s.get("n"))},
        {"Statistic": "Events", "Value": fmt_int(s.get("events"))},
        {"Statistic": "Censored", "Value": fmt_int(s.get("censored"))},
        {
            "Statistic": f"Median, months ({ci})",
            "Value": fmt_estimate_ci(s.get("median"), s.get("median_lower"), s.get("median_upper")),
        },
        {
            "Statistic": f"25th percentile, months ({ci})",
            "Value": fmt_estimate_ci(s.get("q25"), s.get("q25_lower"), s.get("q25_upper")),
        },
        {
            "Statistic": f"75th percentile, months ({ci})",
            "Value": fmt_estimate_ci(s.get("q75"), s.get("q75_lower"), s.get("q75_upper")),
        },
    ]
    for m in landmarks(s):
        rows.append(
            {
                "Statistic": f"Event-free at {m} months, % ({ci}); at risk",
                "Value": (
                    fmt_estimate_ci(
                        s.get(f"surv_{m}m"),
                        s.get(f"surv_{m}m_lower"),
                        s.get(f"surv_{m}m_upper"),
                        proportion=True,
                    )
                    + f"; {fmt_int(s.get(f'n_risk_{m}m'))} at risk"
                ),
            }
        )
    if any(s.get(k, "") for k in ("followup_median", "followup_lower", "followup_upper")):
        rows.append(
            {
                "Statistic": f"Median follow-up, months (reverse KM, {ci})",
                "Value": fmt_estimate_ci(
                    s.get("followup_median"), s.get("followup_lower"), s.get("followup_upper")
                ),
            }
        )
    return text_table(rows, ["Statistic", "Value"])


def km_note(efficacy: pd.DataFrame, parameter: str) -> str:
    """A sentence for KM analyses with no subjects or no events ("" otherwise)."""
    s = ard_stats(efficacy, analysis="km", parameter=parameter)
    name = KM_NAMES.get(parameter, parameter)
    if not s or to_float(s.get("n")) in (None, 0.0):
        return f"{name}: no subjects in the analysis population; nothing to estimate."
    if to_float(s.get("events")) in (None, 0.0):
        return f"{name}: no events were observed; the median is not estimable (NE)."
    if to_float(s.get("median")) is None:
        return f"{name}: the median was not reached (NE)."
    return ""


def ttr_table(efficacy: pd.DataFrame) -> pd.DataFrame:
    """Time to response among responders (months): n, mean, median, range."""
    s = ard_stats(efficacy, analysis="ttr", parameter="TTR")
    rows = [
        {"Statistic": "Responders (n)", "Value": fmt_int(s.get("n"))},
        {"Statistic": "Mean, months", "Value": fmt_num(s.get("mean"))},
        {"Statistic": "Median, months", "Value": fmt_num(s.get("median"))},
        {
            "Statistic": "Range, months",
            "Value": f"{fmt_num(s.get('min'))}\N{EN DASH}{fmt_num(s.get('max'))}",
        },
    ]
    return text_table(rows, ["Statistic", "Value"])


def design_sentence(efficacy: pd.DataFrame) -> str:
    """The design's decision sentence (ARD analysis "design", stat "sentence")."""
    rows = ard_select(efficacy, analysis="design", stat="sentence")
    return str(rows["value"].iloc[0]) if len(rows) else "The design decision is not available."


def design_groups(efficacy: pd.DataFrame) -> list[tuple[str, str]]:
    """(group_var, group_level) of each design analysis in ARD order: the pooled analysis
    (empty group) first when present, then one per cohort."""
    rows = ard_select(efficacy, analysis="design")
    if rows.empty:
        return []
    pairs = list(dict.fromkeys(zip(rows["group_var"], rows["group_level"], strict=True)))
    return [(str(v), str(lv)) for v, lv in pairs]


def design_decision_table(efficacy: pd.DataFrame) -> pd.DataFrame:
    """The decision table: one row per cohort, then the pooled analysis (stat "final_decision",
    "status" and the design's sentence)."""
    rows = []
    groups = design_groups(efficacy)
    ordered = [g for g in groups if g[1]] + [g for g in groups if not g[1]]
    for var, level in ordered:
        s = ard_stats(efficacy, analysis="design", group_var=var, group_level=level)
        rows.append(
            {
                "Cohort": level if level else ("Pooled" if len(groups) > 1 else "All subjects"),
                "Decision": s.get("final_decision", "") or NE,
                "Status": s.get("status", "") or NE,
                "Design and decision": s.get("sentence", ""),
            }
        )
    return text_table(rows, ["Cohort", "Decision", "Status", "Design and decision"])


def design_inference_table(efficacy: pd.DataFrame) -> pd.DataFrame:
    """After a complete Simon two-stage trial, for each analysis: the naive estimate,
    Clopper–Pearson interval and exact binomial p-value beside the design-adjusted UMVUE,
    stage-wise interval and p-value. Empty when no analysis has them."""
    rows = []
    for var, level in design_groups(efficacy):
        s = ard_stats(efficacy, analysis="design", group_var=var, group_level=level)
        if not s.get("umvue"):
            continue
        ci = conf_text(s.get("conf_level"))
        who = level or "All subjects"
        rows.append(
            {
                "Analysis": who,
                "Quantity": "Response rate",
                "Naive": fmt_estimate_ci(
                    s.get("naive_estimate"),
                    s.get("naive_lower"),
                    s.get("naive_upper"),
                    proportion=True,
                ),
                "Design-adjusted": fmt_estimate_ci(
                    s.get("umvue"),
                    s.get("ci_lower_stagewise"),
                    s.get("ci_upper_stagewise"),
                    proportion=True,
                ),
                "Method": f"naive: x/n, Clopper–Pearson {ci}; adjusted: UMVUE, stage-wise {ci}",
            }
        )
        rows.append(
            {
                "Analysis": who,
                "Quantity": "One-sided p-value against p0",
                "Naive": stat_text(s.get("naive_p_value", "")),
                "Design-adjusted": stat_text(s.get("p_value_stagewise", "")),
                "Method": "naive: exact binomial; adjusted: stage-wise ordering",
            }
        )
    return text_table(rows, ["Analysis", "Quantity", "Naive", "Design-adjusted", "Method"])


def design_references(efficacy: pd.DataFrame) -> list[str]:
    """The papers that define the trial's designs and their decisions (stat "reference"),
    each once, in order of first use."""
    rows = ard_select(efficacy, analysis="design", stat="reference")
    refs: list[str] = []
    for value in rows["value"] if len(rows) else []:
        for ref in str(value).split("; "):
            if ref and ref not in refs:
                refs.append(ref)
    return refs


def design_table(efficacy: pd.DataFrame) -> pd.DataFrame:
    """Every statistic of the first design analysis (the pooled one when the trial has
    cohorts) except the sentences and the references."""
    rows = ard_select(efficacy, analysis="design")
    groups = design_groups(efficacy)
    if groups:
        rows = rows[(rows["group_var"] == groups[0][0]) & (rows["group_level"] == groups[0][1])]
    rows = rows[~rows["stat"].isin(["sentence", "design", "reference"])]
    return text_table(
        [
            {"Statistic": st, "Value": stat_text(val)}
            for st, val in zip(rows["stat"], rows["value"], strict=True)
        ],
        ["Statistic", "Value"],
    )


def concordance_summary(concordance: pd.DataFrame) -> pd.DataFrame:
    """Derived vs reported agreement per level (visit, BOR, CBOR): compared, agree, %."""
    rows = []
    if concordance.empty:
        return text_table(
            rows, ["Level", "Compared", "Agree", "Agreement", "Derived only", "Reported only"]
        )
    for level in concordance["level"].unique():
        sel = concordance[(concordance["level"] == level) & (concordance["stat"] != "confusion")]
        s = dict(zip(sel["stat"], sel["value"], strict=True))
        rows.append(
            {
                "Level": level,
                "Compared": fmt_int(s.get("n_compared")),
                "Agree": fmt_int(s.get("n_agree")),
                "Agreement": fmt_pct(s.get("pct_agree")),
                "Derived only": fmt_int(s.get("n_derived_only")),
                "Reported only": fmt_int(s.get("n_reported_only")),
            }
        )
    return text_table(
        rows, ["Level", "Compared", "Agree", "Agreement", "Derived only", "Reported only"]
    )


def concordance_matrix(concordance: pd.DataFrame, level: str) -> pd.DataFrame:
    """Derived (rows) by reported (columns) counts of one level; absent cells are 0."""
    sel = (
        concordance[(concordance.get("level") == level) & (concordance.get("stat") == "confusion")]
        if not concordance.empty
        else concordance
    )
    if sel.empty:
        return text_table([], ["Derived \\ reported"])
    order = [c for c in BOR_ORDER if c in set(sel["derived"]) | set(sel["reported"])]
    order += sorted((set(sel["derived"]) | set(sel["reported"])) - set(order))
    counts = sel.assign(n=sel["value"].astype(float).astype(int)).pivot_table(
        index="derived", columns="reported", values="n", aggfunc="sum", fill_value=0
    )
    counts = counts.reindex(index=order, columns=order, fill_value=0)
    out = counts.astype(int).astype(str).reset_index(names="Derived \\ reported")
    out.columns = [str(c) for c in out.columns]
    return out


def subgroup_table(efficacy: pd.DataFrame) -> pd.DataFrame:
    """ORR and median PFS by subgroup level, with the small-n flag of the ARD."""
    orr = ard_select(efficacy, analysis="subgroup_orr")
    pfs = ard_select(efficacy, analysis="subgroup_pfs")
    keys = pd.concat([orr, pfs])[["group_var", "group_level"]].drop_duplicates()
    rows = []
    for var, level in keys.itertuples(index=False):
        o = ard_stats(efficacy, analysis="subgroup_orr", group_var=var, group_level=level)
        p = ard_stats(efficacy, analysis="subgroup_pfs", group_var=var, group_level=level)
        small = "Y" in (o.get("small_n_flag"), p.get("small_n_flag"))
        rows.append(
            {
                "Variable": var,
                "Level": level,
                "ORR n/N": f"{fmt_int(o.get('n'))}/{fmt_int(o.get('N'))}" if o else NE,
                "ORR (CI)": fmt_estimate_ci(
                    o.get("estimate"), o.get("lower"), o.get("upper"), proportion=True
                )
                if o
                else NE,
                "PFS events/N": f"{fmt_int(p.get('events'))}/{fmt_int(p.get('n'))}" if p else NE,
                "Median PFS, months (CI)": fmt_estimate_ci(
                    p.get("median"), p.get("median_lower"), p.get("median_upper")
                )
                if p
                else NE,
                "Small n": "yes \N{WARNING SIGN}" if small else "",
            }
        )
    cols = [
        "Variable",
        "Level",
        "ORR n/N",
        "ORR (CI)",
        "PFS events/N",
        "Median PFS, months (CI)",
        "Small n",
    ]
    return text_table(rows, cols)


def responders_note(efficacy: pd.DataFrame, *, confirmation_required: bool) -> str:
    """A sentence on responders: says so explicitly when there are none."""
    p = orr_parameter(efficacy, confirmation_required=confirmation_required)
    s = ard_stats(efficacy, analysis="orr", parameter=p)
    if not s:
        return "Objective response rate: not available."
    n = to_float(s.get("n")) or 0
    kind = "confirmed " if p == "CRSP" else ""
    if n == 0:
        return (
            f"No {kind}responders among {fmt_int(s.get('N'))} evaluable subjects: the duration of "
            "response and time to response cannot be estimated."
        )
    return f"{fmt_int(n)} {kind}responder(s) among {fmt_int(s.get('N'))} evaluable subjects."


def km_summary_from_ard(efficacy: pd.DataFrame, parameter: str) -> dict[str, float]:
    """The KM summary a figure legend needs (n, events, median with CI), read from the ARD."""
    s = ard_stats(efficacy, analysis="km", parameter=parameter)
    out: dict[str, float] = {}
    for key in ("n", "events", "median", "median_lower", "median_upper"):
        x = to_float(s.get(key))
        out[key] = float("nan") if x is None else x
    return out

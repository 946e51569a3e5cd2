"""Display helpers for the report notebooks: ARD rows -> display tables, text, provenance.

Every number shown in a report is read from an ARD (`ard/*.csv`) or an analysis dataset; the
functions here only look values up, format them and lay them out. Nothing is recomputed.

- Formatting: `fmt_num`, `fmt_pct`, `fmt_ci`, `fmt_n_pct` (missing or non-finite -> "NE",
  "not estimable").
- ARD lookups: `ard_select`, `ard_stats`.
- Display tables (DataFrames of text, one function per report table), e.g. `rate_table`,
  `km_table`, `soc_pt_table`, `methods_table`.
- `gt_html(df, table_id=...)`: a great-tables table with a FIXED id (great-tables draws a
  random id otherwise, which would break byte-identical HTML). great-tables escapes every
  cell, title and note, so data text such as an AE term is shown as text, never as markup.
- `strip_notebook(nb)`: the executed notebook without the papermill-injected parameters
  cell, papermill metadata, execution timestamps and stderr streams, so that two runs of
  the same inputs give byte-identical notebooks and HTML.
"""

from __future__ import annotations

import copy
import html
import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import pandas as pd

from trialflow.vocab import BOR_CATEGORIES, KM_PARAMS

NE = "NE"

#: Order of response categories in BOR tables (RECIST 1.1 plus MISSING).
BOR_ORDER = list(BOR_CATEGORIES)

#: ARD KM parameter -> display name.
KM_NAMES = KM_PARAMS

#: The report's sections, in order (the headings of the trial report notebook).
TRIAL_REPORT_SECTIONS = [
    "Summary of key results",
    "Data issues",
    "Disposition",
    "Demographics and baseline characteristics",
    "Exposure",
    "Efficacy",
    "Tumour response figures",
    "Subgroups",
    "Safety",
    "Methods",
]


# --------------------------------------------------------------------------- formatting


def _float(value: Any) -> float | None:
    if value is None:
        return None
    try:
        x = float(value)
    except (TypeError, ValueError):
        return None
    return x if math.isfinite(x) else None


def fmt_num(value: Any, digits: int = 1) -> str:
    """`value` with `digits` decimals; "NE" when missing, empty, non-numeric or infinite."""
    x = _float(value)
    return NE if x is None else f"{x:.{digits}f}"


def fmt_int(value: Any) -> str:
    """A count as an integer ("NE" when missing)."""
    x = _float(value)
    return NE if x is None else str(int(round(x)))


def fmt_pct(value: Any, digits: int = 1, *, proportion: bool = False) -> str:
    """A percentage "12.3%"; `proportion=True` when `value` is in [0, 1]."""
    x = _float(value)
    if x is None:
        return NE
    return f"{x * 100 if proportion else x:.{digits}f}%"


def fmt_ci(
    lower: Any, upper: Any, digits: int = 1, *, proportion: bool = False, pct: bool = False
) -> str:
    """A confidence interval "(lower–upper)", as percentages when `pct` or `proportion`."""
    if pct or proportion:
        lo, hi = (
            fmt_pct(lower, digits, proportion=proportion),
            fmt_pct(upper, digits, proportion=proportion),
        )
    else:
        lo, hi = fmt_num(lower, digits), fmt_num(upper, digits)
    return f"({lo}\N{EN DASH}{hi})"


def fmt_estimate_ci(
    estimate: Any, lower: Any, upper: Any, digits: int = 1, *, proportion: bool = False
) -> str:
    """ "est (lower–upper)", e.g. "8.3 (5.1–NE)"; percentages when `proportion`."""
    est = fmt_pct(estimate, digits, proportion=True) if proportion else fmt_num(estimate, digits)
    return f"{est} {fmt_ci(lower, upper, digits, proportion=proportion)}"


def fmt_n_pct(n: Any, pct: Any, digits: int = 1) -> str:
    """ "n (pct%)" with `pct` already in percent."""
    return f"{fmt_int(n)} ({fmt_num(pct, digits)}%)"


def conf_text(conf_level: Any) -> str:
    """ "95% CI" from a level such as 0.95."""
    x = _float(conf_level)
    return "CI" if x is None else f"{x * 100:g}% CI"


# --------------------------------------------------------------------------- ARD lookups


def ard_select(ard: pd.DataFrame, **where: str) -> pd.DataFrame:
    """Rows of `ard` whose columns equal the given text values, in file order."""
    if ard.empty:
        return ard
    mask = pd.Series(True, index=ard.index)
    for col, val in where.items():
        mask &= ard[col].astype(str) == str(val)
    return ard.loc[mask]


def ard_stats(ard: pd.DataFrame, **where: str) -> dict[str, str]:
    """stat -> value of the rows matching `where` (empty dict when none match).

    By default only overall rows (no subgroup) are read: pass `group_var` / `group_level`
    to read a subgroup.
    """
    where.setdefault("group_var", "")
    where.setdefault("group_level", "")
    rows = ard_select(ard, **where)
    return dict(zip(rows["stat"], rows["value"], strict=True)) if len(rows) else {}


def _table(rows: list[dict[str, str]], columns: Sequence[str]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=list(columns)).astype(str)


# --------------------------------------------------------------------------- efficacy


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
    """ "median months (95% CI lo–hi)", "NE" parts when not reached."""
    if not stats:
        return "not available"
    return (
        f"{fmt_num(stats.get('median'), digits)} months "
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
    return _table(rows, cols)


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
    return _table(rows, ["Best overall response"] + [names[p] for p in params])


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
    return _table(rows, ["Statistic", "Value"])


def km_note(efficacy: pd.DataFrame, parameter: str) -> str:
    """A sentence for KM analyses with no subjects or no events ("" otherwise)."""
    s = ard_stats(efficacy, analysis="km", parameter=parameter)
    name = KM_NAMES.get(parameter, parameter)
    if not s or _float(s.get("n")) in (None, 0.0):
        return f"{name}: no subjects in the analysis population; nothing to estimate."
    if _float(s.get("events")) in (None, 0.0):
        return f"{name}: no events were observed; the median is not estimable (NE)."
    if _float(s.get("median")) is None:
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
    return _table(rows, ["Statistic", "Value"])


def design_sentence(efficacy: pd.DataFrame) -> str:
    """The design's decision sentence (ARD analysis "design", stat "sentence")."""
    rows = ard_select(efficacy, analysis="design", stat="sentence")
    return str(rows["value"].iloc[0]) if len(rows) else "The design decision is not available."


def _stat_text(value: str) -> str:
    """An ARD value for display: numbers to 4 significant digits, text as is, "" -> NE."""
    if value == "":
        return NE
    x = _float(value)
    if x is None:
        return value
    return str(int(x)) if x == int(x) and abs(x) < 1e15 else f"{x:.4g}"


def design_table(efficacy: pd.DataFrame) -> pd.DataFrame:
    """Every statistic of the design analysis except the sentence."""
    rows = ard_select(efficacy, analysis="design")
    rows = rows[rows["stat"] != "sentence"]
    return _table(
        [
            {"Statistic": st, "Value": _stat_text(val)}
            for st, val in zip(rows["stat"], rows["value"], strict=True)
        ],
        ["Statistic", "Value"],
    )


def concordance_summary(concordance: pd.DataFrame) -> pd.DataFrame:
    """Derived vs reported agreement per level (visit, BOR, CBOR): compared, agree, %."""
    rows = []
    if concordance.empty:
        return _table(
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
    return _table(
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
        return _table([], ["Derived \\ reported"])
    order = [c for c in BOR_ORDER if c in set(sel["derived"]) | set(sel["reported"])]
    order += sorted((set(sel["derived"]) | set(sel["reported"])) - set(order))
    counts = sel.assign(n=sel["value"].astype(float).astype(int)).pivot_table(
        index="derived", columns="reported", values="n", aggfunc="sum", fill_value=0
    )
    counts = counts.reindex(index=order, columns=order, fill_value=0)
    out = counts.astype(int).astype(str).reset_index(names="Derived \\ reported")
    out.columns = [str(c) for c in out.columns]
    return out


# --------------------------------------------------------------------------- subgroups


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
    return _table(rows, cols)


# --------------------------------------------------------------------------- baseline


def disposition_table(baseline: pd.DataFrame) -> pd.DataFrame:
    """Disposition rows of the baseline ARD: n (%) of enrolled subjects."""
    sel = ard_select(baseline, analysis="disposition")
    rows = []
    keys = sel[["parameter", "group_var", "group_level"]].drop_duplicates()
    for parameter, var, level in keys.itertuples(index=False):
        s = ard_stats(
            baseline, analysis="disposition", parameter=parameter, group_var=var, group_level=level
        )
        if parameter == "POPULATION":
            label = f"Analysis population {var}"
        elif var in ("EOSSTT", "DCSREAS"):
            label = f"{parameter.capitalize()}: {level}"
        elif var:
            label = f"{parameter.capitalize()}, {var}: {level}"
        else:
            label = parameter.capitalize()
        rows.append({"Category": label, "n (%)": fmt_n_pct(s.get("n"), s.get("pct"))})
    return _table(rows, ["Category", "n (%)"])


def _summary_rows(
    ard: pd.DataFrame, analysis: str, labels: Mapping[str, str]
) -> list[dict[str, str]]:
    sel = ard_select(ard, analysis=analysis)
    rows: list[dict[str, str]] = []
    keys = sel[["parameter", "group_var", "group_level"]].drop_duplicates()
    for parameter, var, level in keys.itertuples(index=False):
        s = ard_stats(ard, analysis=analysis, parameter=parameter, group_var=var, group_level=level)
        name = labels.get(parameter, parameter)
        if "mean" in s:
            rows.append({"Characteristic": name, "Statistic": "n", "Value": fmt_int(s.get("n"))})
            rows.append(
                {
                    "Characteristic": name,
                    "Statistic": "Mean (SD)",
                    "Value": f"{fmt_num(s.get('mean'))} ({fmt_num(s.get('sd'))})",
                }
            )
            rows.append(
                {"Characteristic": name, "Statistic": "Median", "Value": fmt_num(s.get("median"))}
            )
            rows.append(
                {
                    "Characteristic": name,
                    "Statistic": "Min\N{EN DASH}max",
                    "Value": f"{fmt_num(s.get('min'))}\N{EN DASH}{fmt_num(s.get('max'))}",
                }
            )
        elif "pct" in s:
            rows.append(
                {
                    "Characteristic": name,
                    "Statistic": level if var else "n (%)",
                    "Value": fmt_n_pct(s.get("n"), s.get("pct")),
                }
            )
        elif "value" in s:
            rows.append(
                {"Characteristic": name, "Statistic": "value", "Value": fmt_num(s.get("value"), 2)}
            )
    return rows


DEMOGRAPHIC_LABELS = {
    "AGE": "Age (years)",
    "AGEGR1": "Age group",
    "SEX": "Sex",
    "RACE": "Race",
    "ECOGBL": "Baseline ECOG",
    "PRIORLN": "Prior lines of therapy",
    "COHORT": "Cohort",
}

EXPOSURE_LABELS = {
    "TRTDURD": "Treatment duration (days)",
    "TRTDURM": "Treatment duration (months)",
    "NCYCLES": "Cycles started",
    "CUMDOSE": "Cumulative dose",
    "DOSEINT": "Dose intensity (per week)",
    "RDI": "Relative dose intensity (%)",
    "PLDOSINT": "Planned dose intensity (per week)",
    "DOSERDFL": "Subjects with a dose reduction",
    "DOSEINFL": "Subjects with a dose interruption",
}


def demographics_table(baseline: pd.DataFrame) -> pd.DataFrame:
    """Demographics and baseline characteristics of the safety population."""
    return _table(
        _summary_rows(baseline, "demographics", DEMOGRAPHIC_LABELS),
        ["Characteristic", "Statistic", "Value"],
    )


def exposure_table(baseline: pd.DataFrame) -> pd.DataFrame:
    """Exposure summaries (duration, cycles, dose, dose intensity, reductions)."""
    return _table(
        _summary_rows(baseline, "exposure", EXPOSURE_LABELS),
        ["Characteristic", "Statistic", "Value"],
    )


def population_n(baseline: pd.DataFrame, flag: str) -> str:
    """Number of subjects with `flag` = Y (disposition POPULATION rows)."""
    s = ard_stats(
        baseline, analysis="disposition", parameter="POPULATION", group_var=flag, group_level="Y"
    )
    return fmt_int(s.get("n"))


# --------------------------------------------------------------------------- safety


def teae_overview_table(safety: pd.DataFrame) -> pd.DataFrame:
    """TEAE overview: subjects n (%) and events per category."""
    sel = ard_select(safety, analysis="teae_overview")
    rows = []
    for parameter in sel["parameter"].unique():
        s = ard_stats(safety, analysis="teae_overview", parameter=parameter)
        rows.append(
            {
                "Category": parameter.capitalize(),
                "Subjects, n (%)": fmt_n_pct(s.get("n"), s.get("pct")),
                "Events": fmt_int(s.get("events")),
            }
        )
    return _table(rows, ["Category", "Subjects, n (%)", "Events"])


def _ae_rows(sel: pd.DataFrame) -> pd.DataFrame:
    """Wide per (parameter, SOC) rows of an AE table ARD slice, in sort order."""
    if sel.empty:
        return pd.DataFrame(columns=["parameter", "group_var", "group_level"])
    wide = sel.pivot_table(
        index=["parameter", "group_var", "group_level"],
        columns="stat",
        values="value",
        aggfunc="first",
        sort=False,
    ).reset_index()
    wide["_order"] = pd.to_numeric(wide.get("sort_order"), errors="coerce")
    return wide.sort_values("_order", kind="stable")


def soc_pt_table(safety: pd.DataFrame, *, grade3_only: bool = False) -> pd.DataFrame:
    """TEAEs by SOC and PT (any grade and grade >= 3); `grade3_only` keeps rows with grade >= 3."""
    wide = _ae_rows(ard_select(safety, analysis="teae_soc_pt"))
    rows = []
    for r in wide.to_dict("records"):
        if grade3_only and (_float(r.get("n_ge3")) or 0) == 0:
            continue
        is_soc = r["parameter"] == "ANY TEAE"
        if is_soc and r["group_var"] == "":
            term = "Any TEAE"
        elif is_soc:
            term = r["group_level"]
        else:
            term = "\N{EM SPACE}\N{EM SPACE}" + r["parameter"]
        rows.append(
            {
                "SOC / preferred term": term,
                "Any grade, n (%)": fmt_n_pct(r.get("n"), r.get("pct")),
                "Grade \N{GREATER-THAN OR EQUAL TO} 3, n (%)": fmt_n_pct(
                    r.get("n_ge3"), r.get("pct_ge3")
                ),
                "Grade 3": fmt_int(r.get("n_grade3")),
                "Grade 4": fmt_int(r.get("n_grade4")),
                "Grade 5": fmt_int(r.get("n_grade5")),
            }
        )
    cols = [
        "SOC / preferred term",
        "Any grade, n (%)",
        "Grade \N{GREATER-THAN OR EQUAL TO} 3, n (%)",
        "Grade 3",
        "Grade 4",
        "Grade 5",
    ]
    return _table(rows, cols)


def ae_term_table(safety: pd.DataFrame, analysis: str) -> pd.DataFrame:
    """Common TEAEs (`teae_common`) or AEs of special interest (`aesi`) by preferred term."""
    wide = _ae_rows(ard_select(safety, analysis=analysis))
    rows = []
    for r in wide.to_dict("records"):
        row = {
            "Preferred term": "Any AESI" if r["parameter"] == "ANY AESI" else r["parameter"],
            "Any grade, n (%)": fmt_n_pct(r.get("n"), r.get("pct")),
            "Grade \N{GREATER-THAN OR EQUAL TO} 3, n (%)": fmt_n_pct(
                r.get("n_ge3"), r.get("pct_ge3")
            ),
        }
        if analysis == "aesi":
            row["Onset, median (range), days"] = (
                f"{fmt_num(r.get('onset_median'))} ({fmt_int(r.get('onset_min'))}\N{EN DASH}{fmt_int(r.get('onset_max'))})"
                if (_float(r.get("onset_n")) or 0) > 0
                else NE
            )
        rows.append(row)
    cols = ["Preferred term", "Any grade, n (%)", "Grade \N{GREATER-THAN OR EQUAL TO} 3, n (%)"]
    if analysis == "aesi":
        cols.append("Onset, median (range), days")
    return _table(rows, cols)


# --------------------------------------------------------------------------- data issues


def issue_counts(issues: pd.DataFrame) -> pd.DataFrame:
    """Records in the data-issues log by stage, domain, action and reason (counted, sorted)."""
    cols = ["stage", "domain", "action", "reason"]
    if issues.empty:
        return _table([], ["Stage", "Domain", "Action", "Reason", "Records"])
    counts = issues.groupby(cols, sort=True).size().reset_index(name="records")
    counts = counts.sort_values(
        ["stage", "domain", "records", "reason"], ascending=[True, True, False, True], kind="stable"
    )
    counts.columns = ["Stage", "Domain", "Action", "Reason", "Records"]
    return counts.astype(str).reset_index(drop=True)


# --------------------------------------------------------------------------- summary


def key_results_table(
    efficacy: pd.DataFrame,
    safety: pd.DataFrame,
    baseline: pd.DataFrame,
    *,
    trial: Mapping[str, Any],
) -> pd.DataFrame:
    """Key results, the primary endpoint (trial `design.endpoint`) first."""
    confirmed = bool(trial.get("response", {}).get("confirmation", {}).get("required", True))
    orr_p = orr_parameter(efficacy, confirmation_required=confirmed)
    orr = ard_stats(efficacy, analysis="orr", parameter=orr_p)
    orr_row = {
        "Result": f"Objective response rate ({'confirmed' if orr_p == 'CRSP' else 'unconfirmed'})",
        "Value": rate_text(orr),
    }
    if orr and (_float(orr.get("n")) or 0) == 0:
        orr_row["Value"] += " \N{EM DASH} no responders"
    km = {p: ard_stats(efficacy, analysis="km", parameter=p) for p in ("PFS", "OS", "DOR")}

    def km_row(p: str) -> dict[str, str]:
        s = km[p]
        value = median_text(s)
        if s:
            value += f"; {fmt_int(s.get('events'))} events in {fmt_int(s.get('n'))} subjects"
        return {"Result": f"Median {KM_NAMES[p].lower()}", "Value": value}

    endpoint = trial.get("design", {}).get("endpoint", "ORR")
    efficacy_rows = [orr_row, km_row("PFS")] if endpoint == "ORR" else [km_row("PFS"), orr_row]
    efficacy_rows[0]["Result"] += " \N{EM DASH} primary endpoint"
    dcr = ard_stats(efficacy, analysis="dcr", parameter="CDCR" if orr_p == "CRSP" else "DCR")
    fu = km["OS"]
    teae = ard_stats(safety, analysis="teae_overview", parameter="ANY TEAE")
    g3 = ard_stats(safety, analysis="teae_overview", parameter="GRADE >= 3")
    rows = [
        {
            "Result": "Subjects enrolled / treated (safety) / evaluable for efficacy",
            "Value": f"{population_n(baseline, 'ENRLFL')} / {population_n(baseline, 'SAFFL')} / {population_n(baseline, 'EFFFL')}",
        },
        *efficacy_rows,
        km_row("OS"),
        km_row("DOR"),
        {"Result": "Disease control rate", "Value": rate_text(dcr)},
        {
            "Result": "Median follow-up (reverse KM on OS)",
            "Value": fmt_estimate_ci(
                fu.get("followup_median"), fu.get("followup_lower"), fu.get("followup_upper")
            )
            + " months",
        },
        {"Result": "Any TEAE", "Value": fmt_n_pct(teae.get("n"), teae.get("pct"))},
        {
            "Result": "Grade \N{GREATER-THAN OR EQUAL TO} 3 TEAE",
            "Value": fmt_n_pct(g3.get("n"), g3.get("pct")),
        },
    ]
    return _table(rows, ["Result", "Value"])


# --------------------------------------------------------------------------- methods


def _yes_no(value: Any) -> str:
    return "yes" if value else "no"


def methods_table(trial: Mapping[str, Any]) -> pd.DataFrame:
    """Every rule and threshold used, read from the resolved trial config."""
    r = trial.get("response", {})
    conf = r.get("confirmation", {})
    pfs = trial.get("pfs", {})
    rates = trial.get("rates", {})
    surv = trial.get("survival", {})
    saf = trial.get("safety", {})
    design = trial.get("design", {})
    drug = trial.get("drug", {})
    interval = trial.get("assessment_interval_days")
    rows = [
        ("Analysis start", "Reference start date (STARTDT)", str(trial.get("reference_start"))),
        ("Response", "Response source", str(r.get("source"))),
        ("Response", "Confirmation required", _yes_no(conf.get("required"))),
        (
            "Response",
            "Confirmation: minimum days between response and confirmation",
            str(conf.get("min_days")),
        ),
        (
            "Response",
            "Confirmation: maximum NE assessments between",
            str(conf.get("max_ne_between")),
        ),
        ("Response", "SD: minimum days after start", str(r.get("sd_min_days"))),
        ("Response", "Clinical benefit: minimum SD duration (days)", str(r.get("cbr_sd_min_days"))),
        (
            "Response",
            "PR after CR (response.cr_then_pr)",
            {
                "unconfirmed": "confirms neither; unconfirmed, SD once the SD window is met (admiralonco)",
                "confirms_pr": "CR and the later PR confirm a PR",
            }.get(str(r.get("cr_then_pr")), str(r.get("cr_then_pr"))),
        ),
        (
            "Response",
            "New lesion: unequivocal values (PD)",
            ", ".join(r.get("new_lesion", {}).get("unequivocal", [])),
        ),
        (
            "Response",
            "New lesion: equivocal values (PD dated to this scan once confirmed later)",
            ", ".join(r.get("new_lesion", {}).get("equivocal", [])),
        ),
        (
            "Response",
            "New lesion: values that are not progression (others are data issues)",
            ", ".join(r.get("new_lesion", {}).get("not_progression", [])),
        ),
        (
            "Response",
            "Assessments counted once new anticancer therapy starts (BOR, best % change, PFS)",
            {"before": "ADT < NACTDT", "on_or_before": "ADT \N{LESS-THAN OR EQUAL TO} NACTDT"}.get(
                str(r.get("new_therapy_boundary")), str(r.get("new_therapy_boundary"))
            ),
        ),
        (
            "Response",
            "Independent review reader",
            "one per subject for TU, TR and RS: most accepted overall responses (RSACPTFL), then most accepted TR/TU records, then first --EVALID",
        ),
        (
            "Response",
            "RECIST 1.1 thresholds",
            "PR: \N{GREATER-THAN OR EQUAL TO}30% decrease from baseline; PD: \N{GREATER-THAN OR EQUAL TO}20% and \N{GREATER-THAN OR EQUAL TO}5 mm increase from nadir",
        ),
        ("Assessments", "Planned interval between tumour assessments (days)", str(interval)),
        ("PFS", "Censor at new anticancer therapy", _yes_no(pfs.get("censor_at_new_therapy"))),
        (
            "PFS",
            "Maximum missed assessments before PD/death",
            str(pfs.get("max_missed_assessments")),
        ),
        (
            "PFS",
            "Censoring rules",
            (
                "censored at start without an adequate assessment; at the last adequate assessment before new "
                "anticancer therapy; at the last adequate assessment when PD or death follows more than "
                f"{pfs.get('max_missed_assessments')} missed assessment(s) (window {pfs.get('max_missed_assessments')} "
                f"\N{MULTIPLICATION SIGN} {interval} days)"
            ),
        ),
        (
            "Rates",
            "CI method and level",
            f"{rates.get('ci_method')}, {conf_text(rates.get('conf_level'))}",
        ),
        (
            "Kaplan\N{EN DASH}Meier",
            "CI of the median (Brookmeyer\N{EN DASH}Crowley) and pointwise",
            f"{surv.get('conf_type')}, {conf_text(surv.get('conf_level'))}",
        ),
        (
            "Kaplan\N{EN DASH}Meier",
            "Landmarks (months)",
            ", ".join(f"{m:g}" for m in surv.get("landmarks_months", [])),
        ),
        (
            "Kaplan\N{EN DASH}Meier",
            "Time unit",
            "months = days / 30.4375; median follow-up by reverse KM",
        ),
        ("Safety", "TEAE window after last dose (days)", str(saf.get("teae_window_days"))),
        (
            "Safety",
            "Common TEAE threshold",
            fmt_pct(saf.get("common_ae_threshold"), 0, proportion=True),
        ),
        ("Safety", "AEs of special interest", ", ".join(saf.get("aesi", [])) or "none"),
        ("Subgroups", "Subgroup variables", ", ".join(trial.get("subgroups", [])) or "none"),
        (
            "Drug",
            "Planned schedule",
            f"{drug.get('schedule') or ''} ({drug.get('planned_dose')} {drug.get('dose_unit')}, {drug.get('doses_per_cycle')} doses per {drug.get('cycle_days')}-day cycle)",
        ),
    ]
    for key in sorted(design):
        value = design[key]
        if value is None:
            continue
        rows.append(("Design", key, str(value)))
    return _table(
        [{"Area": a, "Rule": b, "Value": c} for a, b, c in rows], ["Area", "Rule", "Value"]
    )


# --------------------------------------------------------------------------- provenance


def merge_provenance(records: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """One provenance record from several cutoffs' records (for the cutoff comparison).

    Inputs are the union of every record's raw and config hashes; software and code are those
    of the last record (the latest cutoff).
    """
    if not records:
        raise ValueError("no provenance records to merge")
    merged: dict[str, Any] = {"inputs": {"raw": {}, "config": {}}}
    for record in records:
        for kind in ("raw", "config"):
            merged["inputs"][kind].update(record["inputs"].get(kind, {}))
    merged["software"] = records[-1]["software"]
    merged["code"] = records[-1].get("code", {})
    return merged


def provenance_parameters(record: Mapping[str, Any]) -> dict[str, Any]:
    """The report's provenance parameters from a provenance.json record (trialflow.audit.manifest).

    Inputs are the raw and config files with their sha256; software is Python, each pinned
    package, and the workflow code's git commit and whether its tree had uncommitted changes.
    """
    inputs = [
        {"file": path, "sha256": digest}
        for kind in ("raw", "config")
        for path, digest in sorted(record["inputs"].get(kind, {}).items())
    ]
    code = record.get("code", {})
    software = [
        {
            "package": "workflow code (git commit)",
            "version": str(code.get("git_commit", "unknown")),
        },
        {"package": "uncommitted changes", "version": str(code.get("dirty", "unknown"))},
        {"package": "python", "version": str(record["software"]["python"])},
    ]
    software += [
        {"package": name, "version": str(version)}
        for name, version in record["software"]["packages"].items()
    ]
    return {"inputs": inputs, "software": software}


def provenance_tables(provenance: Mapping[str, Any] | None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(input files with sha256, software versions) from the report parameters."""
    provenance = provenance or {}
    inputs = _table(
        [
            {"File": str(i.get("file")), "SHA-256": str(i.get("sha256"))}
            for i in provenance.get("inputs", [])
        ],
        ["File", "SHA-256"],
    )
    software = _table(
        [
            {"Package": str(s.get("package")), "Version": str(s.get("version"))}
            for s in provenance.get("software", [])
        ],
        ["Package", "Version"],
    )
    return inputs, software


# --------------------------------------------------------------------------- HTML


def escape(text: Any) -> str:
    """HTML-escape any value as text."""
    return html.escape(str(text), quote=True)


def gt_html(
    df: pd.DataFrame,
    *,
    table_id: str,
    title: str | None = None,
    subtitle: str | None = None,
    notes: Iterable[str] = (),
    empty: str = "No rows.",
) -> str:
    """An HTML table from `df` via great-tables with the fixed id `table_id`.

    Every cell, column label, title and note is escaped by great-tables. An empty `df`
    gives an escaped paragraph `empty` instead of a table.
    """
    from great_tables import GT

    if df.empty:
        head = f"<p><strong>{escape(title)}</strong></p>" if title else ""
        return f'<div id="{escape(table_id)}">{head}<p class="tf-small">{escape(empty)}</p></div>'
    gt = GT(df.reset_index(drop=True), id=table_id)
    if len(df.columns) > 2:
        gt = gt.cols_width({str(df.columns[0]): "32%"})
    if title:
        gt = gt.tab_header(title=title, subtitle=subtitle)
    for note in notes:
        gt = gt.tab_source_note(note)
    gt = gt.tab_options(
        table_font_size="13px",
        table_width="100%",
        table_font_names=["DejaVu Sans", "Arial", "sans-serif"],
    )
    return gt.as_raw_html()


def paragraph(text: str, cls: str = "") -> str:
    """One escaped paragraph."""
    attr = f' class="{escape(cls)}"' if cls else ""
    return f"<p{attr}>{escape(text)}</p>"


# --------------------------------------------------------------------------- notebooks

_CELL_METADATA_DROP = ("papermill", "execution", "collapsed", "scrolled")


def strip_notebook(nb: Mapping[str, Any]) -> dict[str, Any]:
    """The executed notebook made deterministic (a new dict; `nb` is not modified).

    Removes the papermill-injected parameters cell (tag ``injected-parameters``), notebook
    and cell papermill metadata (times, durations, paths, parameters), cell execution
    timestamps, and stderr stream outputs (warnings may carry absolute paths; papermill
    logs them to the rule log). The ``parameters`` cell with its defaults stays.
    """
    out = copy.deepcopy(dict(nb))
    meta = out.setdefault("metadata", {})
    for key in ("papermill", "widgets"):
        meta.pop(key, None)
    cells = []
    for cell in out.get("cells", []):
        tags = cell.get("metadata", {}).get("tags", [])
        if "injected-parameters" in tags:
            continue
        cmeta = cell.setdefault("metadata", {})
        for key in _CELL_METADATA_DROP:
            cmeta.pop(key, None)
        if "outputs" in cell:
            cell["outputs"] = [
                o
                for o in cell["outputs"]
                if not (o.get("output_type") == "stream" and o.get("name") == "stderr")
            ]
        cells.append(cell)
    out["cells"] = cells
    return out


# --------------------------------------------------------------------------- title block


def delivery_folder(trial: Mapping[str, Any], cutoff: str) -> str:
    """The raw delivery folder of `cutoff` in the trial file ("" when it has none)."""
    for d in trial.get("deliveries", []):
        if str(d.get("cutoff")) == str(cutoff):
            return str(d.get("raw"))
    return ""


def title_block_html(
    trial: Mapping[str, Any], *, trial_id: str, cutoff: str, delivery_folder: str
) -> str:
    """The report's title (h1) and identity table: registry id, drug, cutoff, delivery."""
    drug = trial.get("drug", {})
    rows = [
        ("Trial", trial_id),
        ("Study id (STUDYID)", trial.get("studyid", "")),
        ("Registry id", trial.get("registry_id") or "none registered"),
        ("Study drug", drug.get("name", "")),
        ("Schedule", drug.get("schedule", "") or NE),
        ("Data cutoff", cutoff),
        ("Delivery folder", delivery_folder or NE),
    ]
    body = "".join(f"<tr><th>{escape(k)}</th><td>{escape(v)}</td></tr>" for k, v in rows)
    return (
        f'<h1 id="tf-title">{escape(trial.get("title", trial_id))}</h1>'
        f'<table class="tf-identity"><tbody>{body}</tbody></table>'
    )


def key_results_html(sentence: str) -> str:
    """The design decision sentence, highlighted."""
    return (
        f'<div class="tf-key"><p class="tf-decision">Design decision: {escape(sentence)}</p></div>'
    )


def ingest_summary_table(summary: pd.DataFrame) -> pd.DataFrame:
    """Raw, kept and excluded records per domain (ingest summary)."""
    if summary.empty:
        return _table([], ["Domain", "Raw records", "Kept", "Excluded"])
    out = summary[["domain", "raw_rows", "kept_rows", "excluded_rows"]].copy()
    out.columns = ["Domain", "Raw records", "Kept", "Excluded"]
    return out.astype(str).reset_index(drop=True)


def responders_note(efficacy: pd.DataFrame, trial: Mapping[str, Any]) -> str:
    """A sentence on responders: says so explicitly when there are none."""
    confirmed = bool(trial.get("response", {}).get("confirmation", {}).get("required", True))
    p = orr_parameter(efficacy, confirmation_required=confirmed)
    s = ard_stats(efficacy, analysis="orr", parameter=p)
    if not s:
        return "Objective response rate: not available."
    n = _float(s.get("n")) or 0
    kind = "confirmed " if p == "CRSP" else ""
    if n == 0:
        return (
            f"No {kind}responders among {fmt_int(s.get('N'))} evaluable subjects: the duration of "
            "response and time to response cannot be estimated."
        )
    return f"{fmt_int(n)} {kind}responder(s) among {fmt_int(s.get('N'))} evaluable subjects."


# --------------------------------------------------------------------------- cutoff comparison


def km_summary_from_ard(efficacy: pd.DataFrame, parameter: str) -> dict[str, float]:
    """The KM summary a figure legend needs (n, events, median with CI), read from the ARD."""
    s = ard_stats(efficacy, analysis="km", parameter=parameter)
    out: dict[str, float] = {}
    for key in ("n", "events", "median", "median_lower", "median_upper"):
        x = _float(s.get(key))
        out[key] = float("nan") if x is None else x
    return out


def cutoff_results_table(
    efficacy: Mapping[str, pd.DataFrame],
    safety: Mapping[str, pd.DataFrame],
    *,
    trial: Mapping[str, Any],
) -> pd.DataFrame:
    """One column per cutoff: N, events, ORR, median PFS and OS with CIs, the decision."""
    confirmed = bool(trial.get("response", {}).get("confirmation", {}).get("required", True))
    labels = [
        "Subjects (PFS/OS population)",
        "Evaluable for response",
        "PFS events",
        "OS events",
        "Objective response rate",
        "Median PFS",
        "Median OS",
        "Subjects with any TEAE",
        "Design decision",
    ]
    table: dict[str, list[str]] = {"Result": labels}
    for cutoff, eff in efficacy.items():
        orr = ard_stats(
            eff, analysis="orr", parameter=orr_parameter(eff, confirmation_required=confirmed)
        )
        pfs = ard_stats(eff, analysis="km", parameter="PFS")
        os_ = ard_stats(eff, analysis="km", parameter="OS")
        teae = ard_stats(
            safety.get(cutoff, pd.DataFrame()), analysis="teae_overview", parameter="ANY TEAE"
        )
        decision = ard_select(eff, analysis="design", stat="final_decision")
        table[f"Cutoff {cutoff}"] = [
            fmt_int(pfs.get("n")),
            fmt_int(orr.get("N")),
            fmt_int(pfs.get("events")),
            fmt_int(os_.get("events")),
            rate_text(orr),
            median_text(pfs),
            median_text(os_),
            fmt_n_pct(teae.get("n"), teae.get("pct")) if teae else NE,
            str(decision["value"].iloc[0]) if len(decision) else NE,
        ]
    return pd.DataFrame(table).astype(str)


def changes_summary_table(summary: pd.DataFrame) -> pd.DataFrame:
    """Display form of `comparison.delivery_changes` summary."""
    out = summary.rename(
        columns={
            "domain": "Domain",
            "previous_records": "Records before",
            "current_records": "Records after",
            "added": "Added",
            "removed": "Removed",
            "changed_records": "Changed records",
            "changed_values": "Changed values",
        }
    )
    return out.astype(str).reset_index(drop=True)


def changes_detail_table(changes: pd.DataFrame) -> pd.DataFrame:
    """Display form of `comparison.delivery_changes` per-variable changes."""
    out = changes.rename(
        columns={
            "domain": "Domain",
            "variable": "Variable",
            "records": "Records",
            "corrected": "Corrected (value replaced)",
            "filled_in": "Filled in (was empty)",
            "cleared": "Cleared (now empty)",
        }
    )
    return out.astype(str).reset_index(drop=True)

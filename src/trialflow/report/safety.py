"""Disposition, baseline, exposure and safety display tables, and the data-issue summaries, read
from the baseline and safety ARD (`ard/baseline.csv`, `ard/safety.csv`), the data-issues log and
the ingest summary."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from trialflow.ard_table import ard_select, ard_stats
from trialflow.report.format import NE, fmt_int, fmt_n_pct, fmt_num, text_table, to_float


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
    return text_table(rows, ["Category", "n (%)"])


def summary_rows(
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
    return text_table(
        summary_rows(baseline, "demographics", DEMOGRAPHIC_LABELS),
        ["Characteristic", "Statistic", "Value"],
    )


def exposure_table(baseline: pd.DataFrame) -> pd.DataFrame:
    """Exposure summaries (duration, cycles, dose, dose intensity, reductions)."""
    return text_table(
        summary_rows(baseline, "exposure", EXPOSURE_LABELS),
        ["Characteristic", "Statistic", "Value"],
    )


def population_n(baseline: pd.DataFrame, flag: str) -> str:
    """Number of subjects with `flag` = Y (disposition POPULATION rows)."""
    s = ard_stats(
        baseline, analysis="disposition", parameter="POPULATION", group_var=flag, group_level="Y"
    )
    return fmt_int(s.get("n"))


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
    return text_table(rows, ["Category", "Subjects, n (%)", "Events"])


def ae_rows(sel: pd.DataFrame) -> pd.DataFrame:
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
    wide = ae_rows(ard_select(safety, analysis="teae_soc_pt"))
    rows = []
    for r in wide.to_dict("records"):
        if grade3_only and (to_float(r.get("n_ge3")) or 0) == 0:
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
    return text_table(rows, cols)


def ae_term_table(safety: pd.DataFrame, analysis: str) -> pd.DataFrame:
    """Common TEAEs (`teae_common`) or AEs of special interest (`aesi`) by preferred term."""
    wide = ae_rows(ard_select(safety, analysis=analysis))
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
                if (to_float(r.get("onset_n")) or 0) > 0
                else NE
            )
        rows.append(row)
    cols = ["Preferred term", "Any grade, n (%)", "Grade \N{GREATER-THAN OR EQUAL TO} 3, n (%)"]
    if analysis == "aesi":
        cols.append("Onset, median (range), days")
    return text_table(rows, cols)


def issue_counts(issues: pd.DataFrame) -> pd.DataFrame:
    """Records in the data-issues log by stage, domain, action and reason (counted, sorted)."""
    cols = ["stage", "domain", "action", "reason"]
    if issues.empty:
        return text_table([], ["Stage", "Domain", "Action", "Reason", "Records"])
    counts = issues.groupby(cols, sort=True).size().reset_index(name="records")
    counts = counts.sort_values(
        ["stage", "domain", "records", "reason"], ascending=[True, True, False, True], kind="stable"
    )
    counts.columns = ["Stage", "Domain", "Action", "Reason", "Records"]
    return counts.astype(str).reset_index(drop=True)


def ingest_summary_table(summary: pd.DataFrame) -> pd.DataFrame:
    """Raw, kept and excluded records per domain (ingest summary)."""
    if summary.empty:
        return text_table([], ["Domain", "Raw records", "Kept", "Excluded"])
    out = summary[["domain", "raw_rows", "kept_rows", "excluded_rows"]].copy()
    out.columns = ["Domain", "Raw records", "Kept", "Excluded"]
    return out.astype(str).reset_index(drop=True)

"""The figure set of one trial and cutoff, drawn from its analysis results and datasets.

`analysis_figures` turns the Kaplan–Meier curve table (`ard/km_curves.csv`), the efficacy ARD
and the ADaM datasets into named matplotlib figures; the figures rule saves each as PNG and
SVG. The figures estimate nothing: curves come from the curve table, medians and their CIs from
the efficacy ARD, and the forest plots from its subgroup rows, so a figure never shows a number
the tables do not.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd
from matplotlib.figure import Figure

from trialflow.ard_table import ard_select, ard_stats, curve_rows
from trialflow.config.options import DesignSpec, SurvivalOptions
from trialflow.figures.forest import forest_figure
from trialflow.figures.km import km_figure
from trialflow.figures.names import CUTOFF_KM_PARAMS, FIGURES, subgroup_figure_name  # noqa: F401
from trialflow.figures.swimmer import swimmer_figure
from trialflow.figures.tumour import spider_figure, waterfall_figure
from trialflow.vocab import KM_PARAMS as KM_NAMES

# PARAMCD -> (title, x label, population flag): the same populations as the efficacy ARD.
KM_PARAMS = {
    "PFS": (KM_NAMES["PFS"], "Time since start of treatment (months)", "ENRLFL"),
    "OS": (KM_NAMES["OS"], "Time since start of treatment (months)", "ENRLFL"),
    "DOR": (KM_NAMES["DOR"], "Time since first confirmed response (months)", "EFFFL"),
}


def _summary(stats: Mapping[str, str]) -> dict[str, float]:
    """n, events and the median with its CI from ARD statistics (text), as numbers."""
    out: dict[str, float] = {}
    for key in ("n", "events", "median", "median_lower", "median_upper"):
        if key in stats:
            value = pd.to_numeric(stats[key], errors="coerce")
            out[key] = float("nan") if pd.isna(value) else float(value)
    return out


def km_panel(
    curves: pd.DataFrame,
    efficacy_ard: pd.DataFrame,
    paramcd: str,
    *,
    conf_level: float,
    by: str | None = None,
) -> Figure:
    """Kaplan–Meier figure of one parameter from the curve table, with n, events and the
    median (CI) of each curve read from the efficacy ARD (`km`, or `subgroup_pfs` by `by`)."""
    title, xlabel, _population = KM_PARAMS[paramcd]
    drawn: dict[str, pd.DataFrame] = {}
    summaries: dict[str, dict[str, float]] = {}
    if by is None:
        drawn["All subjects"] = curve_rows(curves, paramcd)
        summaries["All subjects"] = _summary(
            ard_stats(efficacy_ard, analysis="km", parameter=paramcd)
        )
    else:
        sel = ard_select(curves, parameter=paramcd, group_var=by) if len(curves) else curves
        for level in dict.fromkeys(sel["group_level"].tolist() if len(sel) else []):
            label = f"{by} = {level}"
            drawn[label] = curve_rows(curves, paramcd, by, level)
            summaries[label] = _summary(
                ard_stats(efficacy_ard, analysis="subgroup_pfs", group_var=by, group_level=level)
            )
        title = f"{title} by {by}"
    return km_figure(drawn, summaries, title=title, xlabel=xlabel, conf_level=conf_level)


def km_by_cutoff_panel(
    curves: Mapping[str, pd.DataFrame],
    efficacy: Mapping[str, pd.DataFrame],
    paramcd: str,
    *,
    conf_level: float,
) -> Figure:
    """One parameter's Kaplan–Meier curve at each data cutoff (cutoff -> curve table and
    efficacy ARD of that cutoff), without confidence bands, medians from each cutoff's ARD."""
    title, xlabel, _population = KM_PARAMS[paramcd]
    drawn = {f"Cutoff {c}": curve_rows(table, paramcd) for c, table in curves.items()}
    summaries = {
        f"Cutoff {c}": _summary(ard_stats(efficacy[c], analysis="km", parameter=paramcd))
        for c in curves
    }
    return km_figure(
        drawn,
        summaries,
        title=f"{title} by data cutoff",
        xlabel=xlabel,
        conf_level=conf_level,
        show_band=False,
    )


def progressed_by_non_target_or_new(visits: pd.DataFrame) -> set[str]:
    """Subjects whose first PD visit was not a target-lesion PD (RECIST 1.1 §4.3.3, §4.3.4).

    Reads the derived per-visit responses: at the first visit with OVRLRESP "PD", TRGRESP is
    not "PD" (progression by non-target or new lesions).
    """
    if visits.empty:
        return set()
    pd_visits = visits[visits["OVRLRESP"] == "PD"].sort_values(["USUBJID", "ADT"])
    first = pd_visits.drop_duplicates("USUBJID")
    return set(first.loc[first["TRGRESP"] != "PD", "USUBJID"].astype(str))


def forest_data(efficacy_ard: pd.DataFrame, analysis: str, *, scale: float = 1.0) -> pd.DataFrame:
    """Subgroup rows of the efficacy ARD as the forest table (n, estimate, lower, upper).

    For ORR the estimate is `estimate` and n is the denominator N; for PFS the estimate is
    the median and n the number of subjects. `scale` converts proportions to %.
    """
    rows = efficacy_ard[efficacy_ard["analysis"] == analysis]
    if rows.empty:
        return pd.DataFrame(columns=["group_var", "group_level", "n", "estimate", "lower", "upper"])
    wide = rows.pivot_table(
        index=["group_var", "group_level"], columns="stat", values="value", aggfunc="first"
    ).reset_index()
    names = (
        {"N": "n", "estimate": "estimate", "lower": "lower", "upper": "upper"}
        if analysis == "subgroup_orr"
        else {"n": "n", "median": "estimate", "median_lower": "lower", "median_upper": "upper"}
    )
    out = pd.DataFrame({"group_var": wide["group_var"], "group_level": wide["group_level"]})
    for src, dst in names.items():
        out[dst] = pd.to_numeric(wide.get(src), errors="coerce")
    for col in ("estimate", "lower", "upper"):
        out[col] = out[col] * scale
    return out


def analysis_figures(
    *,
    adsl: pd.DataFrame,
    adrs: pd.DataFrame,
    adtr: pd.DataFrame,
    visits: pd.DataFrame,
    curves: pd.DataFrame,
    efficacy_ard: pd.DataFrame,
    survival: SurvivalOptions,
    design: DesignSpec,
    subgroups: Sequence[str],
) -> dict[str, Figure]:
    """The figures of one analysis, keyed by their file stems (`figure_names(subgroups)`):
    the fixed set of `FIGURES` and the PFS Kaplan–Meier figure by each subgroup variable."""
    figs: dict[str, Figure] = {}
    for paramcd in KM_PARAMS:
        figs[f"km_{paramcd.lower()}"] = km_panel(
            curves, efficacy_ard, paramcd, conf_level=survival.conf_level
        )
    efficacy = adsl[adsl["EFFFL"] == "Y"]["USUBJID"]
    adtr_eff = adtr[adtr["USUBJID"].isin(efficacy)]
    figs["waterfall"] = waterfall_figure(
        adtr_eff, adrs, pd_non_target=progressed_by_non_target_or_new(visits)
    )
    figs["spider"] = spider_figure(adtr_eff, adrs)
    figs["swimmer"] = swimmer_figure(adsl, adrs)
    p0 = design.p0 if design.endpoint == "ORR" else None
    figs["forest_orr"] = forest_figure(
        forest_data(efficacy_ard, "subgroup_orr", scale=100.0),
        title="Objective response rate by subgroup",
        xlabel="Objective response rate (%)",
        reference=None if p0 is None else 100.0 * p0,
        reference_label=None if p0 is None else f"Dashed line: p0 = {100.0 * p0:.0f}%",
    )
    figs["forest_pfs"] = forest_figure(
        forest_data(efficacy_ard, "subgroup_pfs"),
        title="Median progression-free survival by subgroup",
        xlabel="Median PFS (months)",
    )
    for var in subgroups:
        figs[subgroup_figure_name(var)] = km_panel(
            curves, efficacy_ard, "PFS", by=var, conf_level=survival.conf_level
        )
    return figs

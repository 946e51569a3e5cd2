"""The figure set of one trial and cutoff, built from its analysis datasets.

`analysis_figures` turns ADaM datasets and the efficacy ARD into named matplotlib figures;
the figures rule saves each as PNG and SVG. The KM numbers come from
`trialflow.stats.survival` with the same options as the efficacy ARD (`survival.conf_type`,
`survival.conf_level`), and the forest plots read the subgroup rows of the efficacy ARD, so
a figure never shows a number the tables do not.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd
from matplotlib.figure import Figure

from trialflow.figures.forest import forest_figure
from trialflow.figures.km import km_figure
from trialflow.figures.swimmer import swimmer_figure
from trialflow.figures.tumour import spider_figure, waterfall_figure
from trialflow.stats.survival import km_curve, km_summary
from trialflow.vocab import KM_PARAMS as KM_NAMES

# PARAMCD -> (title, x label, population flag): the same populations as the efficacy ARD.
KM_PARAMS = {
    "PFS": (KM_NAMES["PFS"], "Time since start of treatment (months)", "ENRLFL"),
    "OS": (KM_NAMES["OS"], "Time since start of treatment (months)", "ENRLFL"),
    "DOR": (KM_NAMES["DOR"], "Time since first confirmed response (months)", "EFFFL"),
}


FIGURES = [f"km_{p.lower()}" for p in KM_PARAMS] + [
    "waterfall",
    "spider",
    "swimmer",
    "forest_orr",
    "forest_pfs",
]


def subgroup_figure_name(var: str) -> str:
    """File stem of the PFS Kaplan–Meier figure by the levels of `var`."""
    return f"km_pfs_by_{var.lower()}"


def figure_names(subgroups: list[str]) -> list[str]:
    """File stems of every figure of an analysis, in a stable order."""
    return FIGURES + [subgroup_figure_name(v) for v in subgroups]


def _km_data(adtte: pd.DataFrame, paramcd: str, population: str, by: str | None = None):
    rows = adtte[(adtte["PARAMCD"] == paramcd) & (adtte.get(population, "Y") == "Y")]
    if by is None:
        return {"All subjects": rows}
    levels = sorted(rows[by].dropna().astype(str).unique())
    return {f"{by} = {lvl}": rows[rows[by].astype(str) == lvl] for lvl in levels}


def km_panel(
    adtte: pd.DataFrame,
    paramcd: str,
    *,
    conf_level: float,
    conf_type: str,
    by: str | None = None,
) -> Figure:
    """Kaplan–Meier figure of one ADTTE parameter (months: AVALM, event = CNSR 0)."""
    title, xlabel, population = KM_PARAMS[paramcd]
    curves: dict[str, pd.DataFrame] = {}
    summaries: dict[str, dict[str, Any]] = {}
    for label, rows in _km_data(adtte, paramcd, population, by).items():
        time = rows["AVALM"].to_numpy(dtype=float)
        event = (rows["CNSR"] == 0).to_numpy(dtype=int)
        curves[label] = km_curve(time, event, conf_level=conf_level, conf_type=conf_type)
        summaries[label] = km_summary(time, event, conf_level=conf_level, conf_type=conf_type)
    if by is not None:
        title = f"{title} by {by}"
    return km_figure(curves, summaries, title=title, xlabel=xlabel, conf_level=conf_level)


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
    adtte: pd.DataFrame,
    visits: pd.DataFrame,
    efficacy_ard: pd.DataFrame,
    options: Mapping[str, Any],
) -> dict[str, Figure]:
    """The fixed figures of one analysis, keyed by the file stems of `FIGURES`.

    `options` holds the resolved trial-file sections `survival` and `design`. Subgroup KM
    figures come from `km_panel(..., by=var)`, one job per variable.
    """
    surv = options["survival"]
    km_opts = {"conf_level": surv["conf_level"], "conf_type": surv["conf_type"]}
    figs: dict[str, Figure] = {}
    for paramcd in KM_PARAMS:
        figs[f"km_{paramcd.lower()}"] = km_panel(adtte, paramcd, **km_opts)
    efficacy = adsl[adsl["EFFFL"] == "Y"]["USUBJID"]
    adtr_eff = adtr[adtr["USUBJID"].isin(efficacy)]
    figs["waterfall"] = waterfall_figure(
        adtr_eff, adrs, pd_non_target=progressed_by_non_target_or_new(visits)
    )
    figs["spider"] = spider_figure(adtr_eff, adrs)
    figs["swimmer"] = swimmer_figure(adsl, adrs)
    design = options.get("design", {})
    p0 = design.get("p0") if design.get("endpoint", "ORR") == "ORR" else None
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
    return figs

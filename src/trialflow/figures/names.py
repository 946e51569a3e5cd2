"""The file stems of every figure, so that the workflow can name its outputs without importing
matplotlib."""

from __future__ import annotations

from trialflow.vocab import KM_PARAMS

#: The fixed figures of one analysis (`results/<trial>/<cutoff>/figures/<stem>.png|svg`).
FIGURES = [f"km_{p.lower()}" for p in KM_PARAMS] + [
    "waterfall",
    "spider",
    "swimmer",
    "forest_orr",
    "forest_pfs",
]

#: The parameters compared across cutoffs, and their figure stems (`results/<trial>/figures/`).
CUTOFF_KM_PARAMS = ("PFS", "OS")
CUTOFF_FIGURES = [f"km_{p.lower()}_by_cutoff" for p in CUTOFF_KM_PARAMS]


#: The folder (under figures/) of the PFS Kaplan–Meier figures by subgroup: their number
#: depends on the trial's subgroup variables, so the figures job writes them as one folder.
SUBGROUP_FOLDER = "subgroups"


def subgroup_figure_name(var: str) -> str:
    """File stem (under figures/) of the PFS Kaplan–Meier figure by the levels of `var`."""
    return f"{SUBGROUP_FOLDER}/km_pfs_by_{var.lower()}"


def figure_names(subgroups: list[str]) -> list[str]:
    """File stems of every figure of an analysis, in a stable order."""
    return FIGURES + [subgroup_figure_name(v) for v in subgroups]

"""Swimmer plot: time on treatment per subject with response, progression and death markers."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from trialflow.errors import InputError
from trialflow.figures.style import (
    BOR_COLORS,
    DAYS_PER_MONTH,
    FIGSIZE,
    GROUP_COLORS,
    OKABE_ITO,
    empty_figure,
    new_figure,
    styled,
)

#: At most this many subjects are drawn: those with the longest time on treatment.
SWIMMER_MAX_SUBJECTS = 50

#: Bar colour when bars are not coloured by a grouping variable.
BAR_COLOR = "#C7C7C7"

#: Marker styles: (marker, face colour, size, legend label).
MARKERS: dict[str, tuple[str, str, float, str]] = {
    "response": ("^", BOR_COLORS["CR"], 7.0, "First response (CR or PR)"),
    "pd": ("s", BOR_COLORS["PD"], 6.0, "Progressive disease (first PD)"),
    "death": ("X", OKABE_ITO["black"], 7.0, "Death"),
    "ongoing": (r"$\rightarrow$", OKABE_ITO["black"], 12.0, "On treatment at cutoff"),
}


def swimmer_data(
    adsl: pd.DataFrame,
    adrs: pd.DataFrame,
    *,
    response_values: Sequence[str] = ("CR", "PR"),
    ovr_param: str = "OVR",
    ongoing_value: str = "ONGOING",
) -> pd.DataFrame:
    """One row per treated subject: duration on treatment and event times, in months.

    Times are relative days from the first dose, ``date − TRTSDT + 1`` (ADaM: day 1 is the
    first dose), divided by 30.4375:

    - ``DURM``: time on treatment to ``TRTEDT``; for a subject still on treatment at the
      cutoff (``EOSSTT == ongoing_value``) to ``CUTOFFDT`` when TRTEDT is missing.
    - ``RESPM``: the first ADRS ``ovr_param`` visit response in `response_values` on or after
      TRTSDT (RECIST 1.1 overall response per visit).
    - ``PDM``: the first visit response PD on or after TRTSDT.
    - ``DTHM``: DTHDT.
    - ``ONGOING``: EOSSTT equals `ongoing_value`.

    Subjects without TRTSDT (never treated) are left out; the caller reports how many (the
    figure says so in its axis label). A treated subject who is not ongoing and has no TRTEDT
    raises `InputError`: the time on treatment would be unknown. Sorted by DURM descending,
    then USUBJID.
    """
    need = ("USUBJID", "TRTSDT", "TRTEDT", "DTHDT", "EOSSTT", "CUTOFFDT")
    missing = [c for c in need if c not in adsl.columns]
    if missing:
        raise InputError("ADSL", "missing required column", variable=missing[0])
    subjects = adsl.loc[adsl["TRTSDT"].notna(), list(need)].copy()
    subjects["USUBJID"] = subjects["USUBJID"].astype(str)
    ongoing = subjects["EOSSTT"].astype("string").str.upper().eq(ongoing_value).fillna(False)
    subjects["ONGOING"] = ongoing.astype(bool)
    no_end = subjects["TRTEDT"].isna() & ~subjects["ONGOING"]
    if no_end.any():
        raise InputError(
            "ADSL",
            "treatment end date missing for a subject not on treatment at the cutoff",
            usubjid=str(subjects.loc[no_end, "USUBJID"].iloc[0]),
            variable="TRTEDT",
            expected="a date, or EOSSTT ONGOING",
        )
    end = subjects["TRTEDT"].fillna(subjects["CUTOFFDT"])

    def months(dates: pd.Series) -> pd.Series:
        return ((dates - subjects["TRTSDT"]).dt.days + 1) / DAYS_PER_MONTH

    subjects["DURM"] = months(end)
    subjects["DTHM"] = months(subjects["DTHDT"])

    ovr = adrs.loc[adrs["PARAMCD"] == ovr_param, ["USUBJID", "AVALC", "ADT"]].copy()
    ovr["USUBJID"] = ovr["USUBJID"].astype(str)
    ovr = ovr.merge(subjects[["USUBJID", "TRTSDT"]], on="USUBJID", how="inner")
    ovr = ovr.loc[ovr["ADT"] >= ovr["TRTSDT"]]
    value = ovr["AVALC"].astype("string").str.upper()
    wanted = {str(v).upper() for v in response_values}
    first_resp = ovr.loc[value.isin(wanted).fillna(False)].groupby("USUBJID")["ADT"].min()
    first_pd = ovr.loc[value.eq("PD").fillna(False)].groupby("USUBJID")["ADT"].min()
    subjects["RESPM"] = months(subjects["USUBJID"].map(first_resp).astype("datetime64[ns]"))
    subjects["PDM"] = months(subjects["USUBJID"].map(first_pd).astype("datetime64[ns]"))
    out = subjects[["USUBJID", "DURM", "RESPM", "PDM", "DTHM", "ONGOING"]]
    return out.sort_values(["DURM", "USUBJID"], ascending=[False, True], kind="mergesort")


@styled
def swimmer_figure(
    adsl: pd.DataFrame,
    adrs: pd.DataFrame,
    *,
    response_values: Sequence[str] = ("CR", "PR"),
    ovr_param: str = "OVR",
    ongoing_value: str = "ONGOING",
    color_by: str | None = None,
    max_labels: int = 40,
    max_subjects: int = SWIMMER_MAX_SUBJECTS,
    title: str = "Time on treatment and response",
    figsize: tuple[float, float] = FIGSIZE,
) -> Figure:
    """Swimmer plot: one horizontal bar per treated subject, the time on treatment in months.

    Data from `swimmer_data`. Bars are sorted by duration, the longest at the top, and
    coloured by the ADSL column `color_by` (e.g. "COHORT"; grey when None). Markers: the
    first response (CR or PR, ▲), the first PD (■), death (✕), and an arrow after the bar for
    subjects still on treatment at the cutoff. With more than `max_subjects` treated subjects,
    the `max_subjects` with the longest time on treatment are drawn and the axis label says
    so. Subject ids label the bars when there are at most `max_labels` subjects. The figure
    grows taller with the number of subjects (0.16 in a bar, at least `figsize`, at most
    16 in). No treated subject gives the empty-state figure.
    """
    data = swimmer_data(
        adsl,
        adrs,
        response_values=response_values,
        ovr_param=ovr_param,
        ongoing_value=ongoing_value,
    )
    untreated = int(adsl["TRTSDT"].isna().sum())
    if data.empty:
        return empty_figure(title, "No treated subjects")
    treated = len(data)
    data = data.head(max_subjects)  # sorted by time on treatment, longest first
    n = len(data)
    height = min(max(figsize[1], 1.8 + 0.16 * n), 16.0)
    fig = new_figure((figsize[0], height))
    ax = fig.add_subplot()
    y = np.arange(n, dtype=float)

    handles: list[object] = []
    if color_by is None:
        colors: list[str] = [BAR_COLOR] * n
    else:
        if color_by not in adsl.columns:
            raise InputError("ADSL", "missing column for color_by", variable=color_by)
        groups = data["USUBJID"].map(
            adsl.assign(USUBJID=adsl["USUBJID"].astype(str)).set_index("USUBJID")[color_by]
        )
        levels = sorted(groups.dropna().astype(str).unique())
        palette = {lv: GROUP_COLORS[i % len(GROUP_COLORS)] for i, lv in enumerate(levels)}
        colors = groups.astype(str).map(palette).fillna(BAR_COLOR).tolist()
        handles.extend(Patch(facecolor=palette[lv], alpha=0.55, label=lv) for lv in levels)
    ax.barh(
        y,
        data["DURM"],
        height=0.7,
        color=colors,
        alpha=0.55 if color_by else 1.0,
        edgecolor="none",
        gid="swimmer-bars",
    )

    positions = {
        "response": data["RESPM"].to_numpy(dtype=float),
        "pd": data["PDM"].to_numpy(dtype=float),
        "death": data["DTHM"].to_numpy(dtype=float),
    }
    x_max = float(np.nanmax(np.r_[data["DURM"].to_numpy(dtype=float), *positions.values()]))
    arrow_gap = 0.025 * x_max
    ongoing = data["ONGOING"].to_numpy(dtype=bool)
    positions["ongoing"] = np.where(ongoing, data["DURM"].to_numpy(dtype=float) + arrow_gap, np.nan)
    for key, x in positions.items():
        marker, color, size, label = MARKERS[key]
        shown = ~np.isnan(x)
        (line,) = ax.plot(
            x[shown],
            y[shown],
            linestyle="none",
            marker=marker,
            markersize=size,
            markerfacecolor=color,
            markeredgecolor="black" if key in ("response", "pd") else color,
            markeredgewidth=0.6,
            color=color,
            gid=f"swimmer-{key}",
            label=label,
        )
        if shown.any():
            handles.append(line)
    if np.isnan(positions["response"]).all():
        handles.append(Line2D([], [], linestyle="none", label="No response (CR or PR) observed"))

    ax.set_ylim(n - 0.5, -0.5)
    ax.set_xlim(0.0, x_max + 4 * arrow_gap)
    if n <= max_labels:
        ax.set_yticks(y)
        ax.set_yticklabels(data["USUBJID"].tolist(), fontsize=7 if n > 25 else 8.5)
    else:
        ax.set_yticks([])
    ax.tick_params(axis="y", length=0)
    ylabel = f"Subjects (n = {n})"
    if n < treated:
        ylabel = f"The {n} of {treated} treated subjects\nwith the longest time on treatment"
    if untreated:
        ylabel += f"; {untreated} untreated not shown"
    ax.set_ylabel(ylabel)
    ax.set_xlabel("Time since first dose (months)")
    ax.grid(axis="x", color="#E5E5E5", linewidth=0.6)
    ax.set_axisbelow(True)
    fig.suptitle(title, x=0.01, ha="left", fontsize=12, fontweight="bold")
    ax.legend(
        handles=handles,
        loc="upper left",
        bbox_to_anchor=(1.01, 1.0),
        alignment="left",
        title=color_by,
        title_fontsize=8.5,
    )
    return fig

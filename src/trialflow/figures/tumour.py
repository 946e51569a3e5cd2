"""Tumour response figures: waterfall (best % change in SLD) and spider (% change over time)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import Literal

import numpy as np
import pandas as pd
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from trialflow.errors import InputError
from trialflow.figures.style import (
    BOR_COLORS,
    BOR_LABELS,
    BOR_ORDER,
    DAYS_PER_MONTH,
    FIGSIZE,
    REFERENCE_COLOR,
    empty_figure,
    new_figure,
    styled,
)

#: Above this many subjects the waterfall's bars are drawn as one rasterized collection.
DENSE_BARS = 300

#: At most this many subjects' lines in the spider plot; beyond it a reproducible sample is
#: shown (`sample_subjects`) and the axis label says so.
SPIDER_MAX_SUBJECTS = 150

TIME_DIVISORS = {"days": 1.0, "weeks": 7.0, "months": DAYS_PER_MONTH}


# --------------------------------------------------------------------------- data helpers


def subject_bor(adrs: pd.DataFrame, *, param: str = "CBOR") -> pd.Series:
    """Best overall response per subject: ADRS ``AVALC`` where ``PARAMCD == param``.

    Returns a Series indexed by USUBJID (upper-cased, stripped categories from `BOR_ORDER`).
    A subject with two records, or a category outside `BOR_ORDER`, raises `InputError`.
    """
    _require(adrs, "ADRS", ("USUBJID", "PARAMCD", "AVALC"))
    rows = adrs.loc[adrs["PARAMCD"] == param, ["USUBJID", "AVALC"]]
    dup = rows["USUBJID"].duplicated()
    if dup.any():
        raise InputError(
            "ADRS",
            f"more than one {param} record",
            usubjid=str(rows.loc[dup, "USUBJID"].iloc[0]),
            variable="PARAMCD",
            expected="one record per subject",
        )
    values = rows["AVALC"].fillna("MISSING").astype(str).str.strip().str.upper()
    bad = ~values.isin(BOR_ORDER)
    if bad.any():
        raise InputError(
            "ADRS",
            f"unknown {param} value {values[bad].iloc[0]!r}",
            usubjid=str(rows.loc[bad, "USUBJID"].iloc[0]),
            variable="AVALC",
            expected=", ".join(BOR_ORDER),
        )
    return pd.Series(values.to_numpy(), index=rows["USUBJID"].astype(str).to_numpy(), name="BOR")


def post_baseline_assessments(adtr: pd.DataFrame, *, param: str = "SLD") -> pd.DataFrame:
    """The post-baseline tumour assessments a response figure may use.

    Rows of ADTR with ``PARAMCD == param`` that are not the baseline (``ABLFL != "Y"``),
    are complete (``COMPLFL == "Y"``: every baseline target lesion measured, so the SLD is
    comparable with baseline, RECIST 1.1 §4.3.1 / Eisenhauer 2009), have a non-missing
    ``PCHG``, and, where ``ADT`` is present, fall after the subject's baseline date. When
    ADTR has the analysis flag ``ANL01FL`` (assessments up to and including PD and before new
    anticancer therapy, derived by ADTR like BOR), only rows with ``ANL01FL == "Y"`` are
    used: the selection is ADTR's, not recomputed here. Subjects without a baseline record
    have no usable percent change and contribute nothing.
    """
    _require(adtr, "ADTR", ("USUBJID", "PARAMCD", "ABLFL", "COMPLFL", "PCHG"))
    sld = adtr.loc[adtr["PARAMCD"] == param].copy()
    sld["USUBJID"] = sld["USUBJID"].astype(str)
    is_base = sld["ABLFL"].eq("Y")
    has_base = sld["USUBJID"].isin(sld.loc[is_base, "USUBJID"])
    keep = ~is_base & has_base & sld["COMPLFL"].eq("Y") & sld["PCHG"].notna()
    if "ANL01FL" in sld.columns:
        keep &= sld["ANL01FL"].eq("Y")
    if "ADT" in sld.columns:
        base_dt = sld.loc[is_base].groupby("USUBJID")["ADT"].max()
        keep &= sld["ADT"] > sld["USUBJID"].map(base_dt)
    return sld.loc[keep]


def best_percent_change(adtr: pd.DataFrame, *, param: str = "SLD") -> pd.Series:
    """Best (minimum) percent change from baseline in the SLD per evaluable subject.

    Rule: RECIST 1.1 waterfall convention, the largest decrease (or smallest increase) of the
    sum of target lesion diameters from baseline over the complete post-baseline assessments
    (`post_baseline_assessments`). When ADTR carries a per-subject ``BESTPCHG`` column it is
    used as given instead (one distinct non-missing value per subject, else `InputError`).
    Returns a Series indexed by USUBJID, sorted by USUBJID; evaluable subjects only.
    """
    if "BESTPCHG" in adtr.columns:
        _require(adtr, "ADTR", ("USUBJID",))
        rows = adtr.loc[adtr["BESTPCHG"].notna(), ["USUBJID", "BESTPCHG"]].copy()
        rows["USUBJID"] = rows["USUBJID"].astype(str)
        distinct = rows.drop_duplicates()
        dup = distinct["USUBJID"].duplicated()
        if dup.any():
            raise InputError(
                "ADTR",
                "conflicting BESTPCHG values",
                usubjid=str(distinct.loc[dup, "USUBJID"].iloc[0]),
                variable="BESTPCHG",
                expected="one value per subject",
            )
        best = distinct.set_index("USUBJID")["BESTPCHG"].astype(float)
    else:
        best = post_baseline_assessments(adtr, param=param).groupby("USUBJID")["PCHG"].min()
    best = best.sort_index()
    best.name = "BESTPCHG"
    return best


def subject_set(subjects: Iterable[str] | pd.Series | None) -> set[str]:
    """USUBJIDs from a set/list, a Series of USUBJIDs, or a boolean Series indexed by USUBJID."""
    if subjects is None:
        return set()
    if isinstance(subjects, pd.Series):
        if subjects.dtype == bool:
            return {str(s) for s in subjects.index[subjects.to_numpy()]}
        return {str(s) for s in subjects.dropna()}
    return {str(s) for s in subjects}


def _require(df: pd.DataFrame, name: str, columns: Iterable[str]) -> None:
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise InputError(name, "missing required column", variable=missing[0])


def _bor_legend(categories: Iterable[str]) -> list[Patch]:
    present = set(categories)
    return [Patch(facecolor=BOR_COLORS[c], label=BOR_LABELS[c]) for c in BOR_ORDER if c in present]


def _signed(value: float) -> str:
    """+20 / −30 with a true minus sign."""
    return f"{value:+g}".replace("-", "\N{MINUS SIGN}")


def _reference_lines(ax: object, pr_threshold: float, pd_threshold: float) -> list[Line2D]:
    ax.axhline(0.0, color="#333333", linewidth=0.8)
    pr = ax.axhline(
        pr_threshold,
        color=REFERENCE_COLOR,
        linestyle="--",
        linewidth=1.0,
        gid="ref-pr",
        label=f"{_signed(pr_threshold)}% (PR threshold)",
    )
    pd_line = ax.axhline(
        pd_threshold,
        color=REFERENCE_COLOR,
        linestyle=":",
        linewidth=1.2,
        gid="ref-pd",
        label=f"{_signed(pd_threshold)}% (PD threshold)",
    )
    return [pr, pd_line]


# --------------------------------------------------------------------------- waterfall


@styled
def waterfall_figure(
    adtr: pd.DataFrame,
    adrs: pd.DataFrame,
    *,
    pd_non_target: Iterable[str] | pd.Series | None = None,
    bor_param: str = "CBOR",
    tr_param: str = "SLD",
    pr_threshold: float = -30.0,
    pd_threshold: float = 20.0,
    title: str = "Best percentage change from baseline in target lesions",
    figsize: tuple[float, float] = FIGSIZE,
) -> Figure:
    """Waterfall plot: one bar per evaluable subject, the best % change in the SLD.

    - Bars: `best_percent_change` (ADTR's BESTPCHG: minimum PCHG over the complete
      post-baseline assessments flagged ANL01FL), one per subject with a baseline and at least one
      complete post-baseline assessment. The caller passes the analysis population.
    - Sorted in descending order, left to right (ties by USUBJID): the largest increase is at
      the left and the best response at the right, the usual clinical layout.
    - Coloured by the confirmed BOR (ADRS ``PARAMCD == bor_param``, default CBOR); a subject
      without a BOR record is "MISSING". Legend in `BOR_ORDER`.
    - Reference lines at `pr_threshold` (−30%, RECIST 1.1 PR) and `pd_threshold` (+20%,
      RECIST 1.1 PD), defaults from RECIST 1.1 §4.3.1.
    - `pd_non_target`: subjects whose progression came from new or non-target lesions (from
      the ADRS OVR records). They get a black asterisk above the bar, or above zero when the
      bar is negative, so a shrinking target sum does not hide a progression.

    With more than `DENSE_BARS` subjects the bars are drawn as one rasterized collection of
    thin lines (the same picture, written quickly). No evaluable subject gives the
    empty-state figure.
    """
    best = best_percent_change(adtr, param=tr_param)
    if best.empty:
        return empty_figure(
            title, "No evaluable subjects:\nnone has a baseline and a post-baseline assessment"
        )
    bor = subject_bor(adrs, param=bor_param)
    data = pd.DataFrame({"USUBJID": best.index, "BESTPCHG": best.to_numpy()})
    data["BOR"] = data["USUBJID"].map(bor).fillna("MISSING")
    data = data.sort_values(
        ["BESTPCHG", "USUBJID"], ascending=[False, True], kind="mergesort"
    ).reset_index(drop=True)
    flagged = data["USUBJID"].isin(subject_set(pd_non_target))

    fig = new_figure(figsize)
    ax = fig.add_subplot()
    x = np.arange(len(data), dtype=float)
    colors = data["BOR"].map(BOR_COLORS).tolist()
    if len(data) <= DENSE_BARS:
        ax.bar(x, data["BESTPCHG"], width=0.8, color=colors, edgecolor="none", gid="waterfall-bars")
    else:
        # thousands of bars: one line per subject in one collection, drawn as an image even in
        # the SVG (thousands of vector rectangles would make it slow to write and to open)
        ax.add_collection(
            LineCollection(
                [((xi, 0.0), (xi, yi)) for xi, yi in zip(x, data["BESTPCHG"], strict=True)],
                colors=colors,
                linewidths=max(0.2, 0.8 * 72 * figsize[0] * 0.7 / len(data)),
                gid="waterfall-bars",
                rasterized=True,
            )
        )
    lines = _reference_lines(ax, pr_threshold, pd_threshold)

    values = data["BESTPCHG"].to_numpy()
    lo = min(float(values.min()), pr_threshold)
    hi = max(float(values.max()), pd_threshold)
    pad = 0.08 * (hi - lo)
    star_y = np.maximum(values, 0.0) + 0.5 * pad
    handles: list[object] = _bor_legend(data["BOR"])
    if flagged.any():
        (stars,) = ax.plot(
            x[flagged.to_numpy()],
            star_y[flagged.to_numpy()],
            linestyle="none",
            marker="*",
            markersize=9 if len(data) <= DENSE_BARS else 2.5,
            color="black",
            gid="waterfall-pd-non-target",
            label="PD by new or non-target lesions",
            rasterized=len(data) > DENSE_BARS,
        )
        handles.append(stars)
    handles.extend(lines)
    ax.set_ylim(lo - pad, hi + 1.6 * pad)
    ax.set_xlim(-0.8, len(data) - 0.2)
    ax.set_xticks([])
    ax.spines["bottom"].set_visible(False)
    ax.set_xlabel(f"Subjects, sorted by best change (n = {len(data)})")
    ax.set_ylabel("Best change from baseline in SLD (%)")
    fig.suptitle(title, x=0.01, ha="left", fontsize=12, fontweight="bold")
    ax.legend(
        handles=handles,
        loc="upper left",
        bbox_to_anchor=(1.01, 1.0),
        title="Confirmed BOR",
        title_fontsize=8.5,
        alignment="left",
    )
    ax.grid(axis="y", color="#E5E5E5", linewidth=0.6)
    ax.set_axisbelow(True)
    return fig


# --------------------------------------------------------------------------- spider


def sample_subjects(subjects: Iterable[str], k: int) -> set[str]:
    """`k` of the distinct `subjects`, the same for the same ids on every run and machine:
    those whose SHA-256 of the USUBJID sorts first (a pseudo-random order independent of the
    subjects' order, enrolment or outcome)."""
    distinct = sorted({str(s) for s in subjects})
    ranked = sorted(distinct, key=lambda s: (hashlib.sha256(s.encode("utf-8")).hexdigest(), s))
    return set(ranked[:k])


def assessment_days(rows: pd.DataFrame) -> pd.Series:
    """Days from the start date for ADTR rows: ``ADY − 1`` when ADY ≥ 1 (ADaM has no day 0,
    so day 1 is 0 days elapsed), ADY itself before the start; or ``ADT − STARTDT`` in days when
    ADY is absent and both dates are present."""
    if "ADY" in rows.columns:
        ady = rows["ADY"].astype(float)
        return ady.where(ady < 1, ady - 1.0)
    if "ADT" in rows.columns and "STARTDT" in rows.columns:
        return (rows["ADT"] - rows["STARTDT"]).dt.days.astype(float)
    raise InputError("ADTR", "no assessment time", variable="ADY", expected="ADY or ADT+STARTDT")


@styled
def spider_figure(
    adtr: pd.DataFrame,
    adrs: pd.DataFrame,
    *,
    bor_param: str = "CBOR",
    tr_param: str = "SLD",
    time_unit: Literal["weeks", "months", "days"] = "weeks",
    pr_threshold: float = -30.0,
    pd_threshold: float = 20.0,
    title: str = "Percentage change from baseline in target lesions over time",
    figsize: tuple[float, float] = FIGSIZE,
    max_subjects: int = SPIDER_MAX_SUBJECTS,
) -> Figure:
    """Spider plot: % change from baseline in the SLD over time, one line per subject.

    Each evaluable subject's line starts at (0, 0%), the baseline, and joins the complete
    post-baseline assessments (`post_baseline_assessments`) in time order; time is days from
    the start date (`assessment_days`) in `time_unit` (weeks = days / 7, months = days /
    30.4375). Lines are coloured by the confirmed BOR (ADRS ``PARAMCD == bor_param``,
    "MISSING" without a record), with RECIST 1.1 reference lines at `pr_threshold` and
    `pd_threshold`. With more than `max_subjects` evaluable subjects, a reproducible sample of
    `max_subjects` is drawn (`sample_subjects`) and the x-axis label says "k of n subjects,
    a reproducible random sample". No evaluable subject gives the empty-state figure.
    """
    if time_unit not in TIME_DIVISORS:
        raise ValueError(f"time_unit must be one of {', '.join(TIME_DIVISORS)}, got {time_unit!r}")
    rows = post_baseline_assessments(adtr, param=tr_param)
    if rows.empty:
        return empty_figure(
            title, "No evaluable subjects:\nnone has a baseline and a post-baseline assessment"
        )
    bor = subject_bor(adrs, param=bor_param)
    n_all = int(rows["USUBJID"].nunique())
    if n_all > max_subjects:
        rows = rows[rows["USUBJID"].isin(sample_subjects(rows["USUBJID"], max_subjects))]
    points = pd.DataFrame(
        {
            "USUBJID": rows["USUBJID"].to_numpy(),
            "TIME": assessment_days(rows).to_numpy() / TIME_DIVISORS[time_unit],
            "PCHG": rows["PCHG"].astype(float).to_numpy(),
        }
    )
    subjects = np.sort(points["USUBJID"].unique())
    baseline = pd.DataFrame({"USUBJID": subjects, "TIME": 0.0, "PCHG": 0.0})
    points = pd.concat([baseline, points], ignore_index=True).sort_values(
        ["USUBJID", "TIME"], kind="mergesort"
    )

    fig = new_figure(figsize)
    ax = fig.add_subplot()
    # One polyline per subject: split the sorted points where the subject changes.
    ids = points["USUBJID"].to_numpy()
    xy = points[["TIME", "PCHG"]].to_numpy(dtype=float)
    starts = np.flatnonzero(np.r_[True, ids[1:] != ids[:-1]])
    segments = np.split(xy, starts[1:])
    colors = [BOR_COLORS[bor.get(s, "MISSING")] for s in ids[starts]]
    ax.add_collection(
        LineCollection(segments, colors=colors, linewidths=1.3, alpha=0.9, gid="spider-lines")
    )
    ax.scatter(
        xy[:, 0],
        xy[:, 1],
        s=9,
        c=pd.Series(ids).map(bor).fillna("MISSING").map(BOR_COLORS).tolist(),
        linewidths=0,
        zorder=3,
        gid="spider-points",
    )
    ax.autoscale_view()
    lines = _reference_lines(ax, pr_threshold, pd_threshold)
    categories = [bor.get(s, "MISSING") for s in subjects]
    handles: list[object] = [
        Line2D([], [], color=BOR_COLORS[c], linewidth=1.8, label=BOR_LABELS[c])
        for c in BOR_ORDER
        if c in set(categories)
    ]
    handles.extend(lines)
    lo = min(float(points["PCHG"].min()), pr_threshold)
    hi = max(float(points["PCHG"].max()), pd_threshold)
    pad = 0.08 * (hi - lo)
    ax.set_ylim(lo - pad, hi + pad)
    ax.set_xlim(left=0.0)
    shown = len(subjects)
    sample = f"; {shown} of {n_all} subjects, a reproducible random sample" if shown < n_all else ""
    ax.set_xlabel(f"Time since start ({time_unit}){sample}")
    ax.set_ylabel("Change from baseline in SLD (%)")
    fig.suptitle(title, x=0.01, ha="left", fontsize=12, fontweight="bold")
    ax.legend(
        handles=handles,
        loc="upper left",
        bbox_to_anchor=(1.01, 1.0),
        title=f"Confirmed BOR (n = {len(subjects)})",
        title_fontsize=8.5,
        alignment="left",
    )
    ax.grid(axis="y", color="#E5E5E5", linewidth=0.6)
    return fig

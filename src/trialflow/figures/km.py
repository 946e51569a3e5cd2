"""Kaplan–Meier figure: step curves, censor marks, confidence bands, medians, number at risk."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import PercentFormatter

from trialflow.figures.style import (
    DAYS_PER_MONTH,
    FIGSIZE,
    GROUP_COLORS,
    REFERENCE_COLOR,
    empty_figure,
    fmt_estimate_ci,
    new_figure,
    styled,
)

#: Columns a curve must have (the `trialflow.stats.survival.km_curve` frame).
CURVE_COLUMNS = ("time", "n_risk", "n_event", "n_censor", "survival", "lower", "upper")

#: Candidate spacings (months) for the number-at-risk table, smallest first.
RISK_STEPS_MONTHS = (1.0, 2.0, 3.0, 6.0, 12.0, 24.0, 48.0)


def risk_table_times(max_time: float, *, max_columns: int = 10) -> np.ndarray:
    """Regular times 0, s, 2s, ... covering `max_time`, with s the smallest step in
    `RISK_STEPS_MONTHS` that needs at most `max_columns` columns."""
    max_time = max(float(max_time), 0.0)
    step = RISK_STEPS_MONTHS[-1]
    for candidate in RISK_STEPS_MONTHS:
        if math.floor(max_time / candidate) + 1 <= max_columns:
            step = candidate
            break
    return np.arange(0.0, math.floor(max_time / step) * step + step / 2, step)


def number_at_risk(curve: pd.DataFrame, times: Sequence[float] | np.ndarray) -> np.ndarray:
    """Number at risk at each of `times`: subjects whose time is >= t.

    Read from a KM table that lists every distinct observed time (events and censorings), as
    `km_curve` does: the count at t is ``n_risk`` at the first listed time >= t, and 0 after
    the last listed time.
    """
    t = np.asarray(curve["time"], dtype=float)
    n = np.asarray(curve["n_risk"], dtype=np.int64)
    idx = np.searchsorted(t, np.asarray(times, dtype=float), side="left")
    padded = np.append(n, 0)
    return padded[idx]


def _check_curve(label: str, curve: pd.DataFrame) -> pd.DataFrame:
    missing = [c for c in CURVE_COLUMNS if c not in curve.columns]
    if missing:
        raise ValueError(f"KM curve {label!r} lacks columns {', '.join(missing)}")
    return curve.sort_values("time", kind="mergesort").reset_index(drop=True)


def _step_data(curve: pd.DataFrame, scale: float) -> pd.DataFrame:
    """The curve with a (0, 1) start row, times divided by `scale`, band NaN at S = 1 closed."""
    start = pd.DataFrame(
        {"time": [0.0], "survival": [1.0], "lower": [1.0], "upper": [1.0], "n_censor": [0]}
    )
    body = curve[["time", "survival", "lower", "upper", "n_censor"]].astype(float)
    out = pd.concat([start, body], ignore_index=True)
    out["time"] = out["time"] / scale
    # log-log limits are undefined (NaN) where S = 1: the band collapses onto the curve there.
    at_one = out["survival"] >= 1.0
    out.loc[at_one, "lower"] = out.loc[at_one, "lower"].fillna(1.0)
    out.loc[at_one, "upper"] = out.loc[at_one, "upper"].fillna(1.0)
    return out


@styled
def km_figure(
    curves: Mapping[str, pd.DataFrame],
    summaries: Mapping[str, Mapping[str, Any]] | None = None,
    *,
    title: str,
    xlabel: str = "Time since start (months)",
    ylabel: str = "Survival probability (%)",
    risk_times_months: Sequence[float] | None = None,
    time_unit: Literal["months", "days"] = "months",
    conf_level: float = 0.95,
    show_band: bool = True,
    figsize: tuple[float, float] = FIGSIZE,
) -> Figure:
    """Kaplan–Meier plot of one or more curves, with a number-at-risk table under the axis.

    Rule: the Kaplan–Meier product-limit step function (Kaplan & Meier 1958) as tabulated by
    `trialflow.stats.survival.km_curve` (one row per distinct time: time, n_risk, n_event, n_censor,
    survival, lower, upper). This function only draws; it computes nothing statistical
    except reading the number at risk off the table (see `number_at_risk`).

    - `curves`: label -> KM table, drawn in the mapping's order, one Okabe–Ito colour each
      (one entry for the whole population, several for subgroup levels). The curve starts at
      (0, 100%); a censoring is a "|" mark on the curve; the pointwise confidence band
      (`lower`, `upper`) is shaded.
    - `summaries`: label -> `km_summary` dict (``median``, ``median_lower``,
      ``median_upper``, optionally ``n`` and ``events``). Each legend entry states n, the
      events and the median with its `conf_level` CI ("NE" when not reached); finite medians
      get dotted guide lines at 50%. A curve without a summary shows n and events only
      (read from the table), no median.
    - `time_unit`: the unit of ``time`` and the medians; "days" are converted to months
      (days / 30.4375). The x axis is always in months.
    - `risk_times_months`: the number-at-risk columns (also the x ticks). Default: regular
      steps of 1, 2, 3, 6, 12, ... months, the smallest giving at most 10 columns.

    No curve with any subject gives the empty-state figure. Curves with subjects but no
    events are drawn flat at 100% and the plot says "No events observed".
    """
    summaries = summaries or {}
    scale = DAYS_PER_MONTH if time_unit == "days" else 1.0
    if time_unit not in ("months", "days"):
        raise ValueError(f"time_unit must be 'months' or 'days', got {time_unit!r}")
    checked = {label: _check_curve(label, c) for label, c in curves.items()}
    if not checked or all(c.empty for c in checked.values()):
        return empty_figure(title, "No subjects in the analysis set")

    max_time = max(float(c["time"].max()) / scale for c in checked.values() if not c.empty)
    if risk_times_months is None:
        risk_times = risk_table_times(max_time)
    else:
        risk_times = np.asarray(sorted(float(t) for t in risk_times_months))
    x_right = max(max_time, float(risk_times[-1]) if risk_times.size else 0.0)
    x_right = x_right * 1.03 if x_right > 0 else 1.0

    k = len(checked)
    extra = max(0, k - 3) * 0.25
    fig = new_figure((figsize[0], figsize[1] + extra))
    grid = fig.add_gridspec(2, 1, height_ratios=[3.6, 0.3 + 0.22 * k])
    ax = fig.add_subplot(grid[0])
    ax_risk = fig.add_subplot(grid[1], sharex=ax)

    level = f"{100 * conf_level:g}%"
    total_events = 0
    medians: list[tuple[float, str]] = []
    for i, (label, curve) in enumerate(checked.items()):
        color = GROUP_COLORS[i % len(GROUP_COLORS)]
        summary = summaries.get(label, {})
        n = int(summary.get("n", curve["n_risk"].max() if not curve.empty else 0))
        events = int(summary.get("events", curve["n_event"].sum() if not curve.empty else 0))
        total_events += events
        median = float(summary.get("median", math.nan)) / scale
        lower = float(summary.get("median_lower", math.nan)) / scale
        upper = float(summary.get("median_upper", math.nan)) / scale
        text = f"{label}: {events}/{n} events"
        if "median" in summary:  # no summary, no median: never print a guessed "NE"
            text += f"; median {fmt_estimate_ci(median, lower, upper)}"
        if curve.empty:
            ax.plot([], [], color=color, label=f"{label}: no subjects", gid=f"km-curve-{i}")
            continue
        data = _step_data(curve, scale)
        ax.step(
            data["time"],
            data["survival"],
            where="post",
            color=color,
            linewidth=1.8,
            label=text,
            gid=f"km-curve-{i}",
        )
        if show_band:
            ax.fill_between(
                data["time"],
                data["lower"],
                data["upper"],
                step="post",
                color=color,
                alpha=0.15,
                linewidth=0,
                gid=f"km-band-{i}",
            )
        censored = data[data["n_censor"] > 0]
        ax.plot(
            censored["time"],
            censored["survival"],
            linestyle="none",
            marker="|",
            markersize=8,
            markeredgewidth=1.3,
            color=color,
            gid=f"km-censor-{i}",
        )
        if math.isfinite(median):
            medians.append((median, color))

    for median, color in medians:
        ax.plot([median, median], [0.0, 0.5], linestyle=":", color=color, linewidth=1.0)
    if medians:
        ax.plot(
            [0.0, max(m for m, _ in medians)],
            [0.5, 0.5],
            linestyle=":",
            color=REFERENCE_COLOR,
            linewidth=1.0,
        )
    if total_events == 0:
        ax.text(
            0.5,
            0.35,
            "No events observed: the median is not estimable",
            transform=ax.transAxes,
            ha="center",
            color=REFERENCE_COLOR,
        )

    ax.set_ylim(-0.02, 1.04)
    ax.set_xlim(0.0, x_right)
    ax.yaxis.set_major_formatter(PercentFormatter(xmax=1.0, decimals=0))
    ax.set_yticks(np.linspace(0.0, 1.0, 6))
    ax.set_xticks(risk_times)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    fig.suptitle(title, x=0.01, ha="left", fontsize=12, fontweight="bold")
    ax.grid(axis="y", color="#E5E5E5", linewidth=0.6)
    handles, labels = ax.get_legend_handles_labels()
    handles.append(Line2D([], [], linestyle="none", marker="|", markersize=8, color="#333333"))
    labels.append("Censored")
    ax.legend(
        handles,
        labels,
        loc="lower left",
        bbox_to_anchor=(0.0, 1.02),
        ncols=1,
        borderaxespad=0.0,
        handlelength=1.6,
        title=f"Median ({level} CI), months; NE = not estimable",
        title_fontsize=8.5,
        alignment="left",
    )

    _draw_risk_table(ax_risk, checked, risk_times, scale)
    return fig


def _draw_risk_table(
    ax: Any, curves: Mapping[str, pd.DataFrame], times: np.ndarray, scale: float
) -> None:
    """Number at risk: one row per curve (coloured label), one column per time."""
    k = len(curves)
    for i, (_label, curve) in enumerate(curves.items()):
        color = GROUP_COLORS[i % len(GROUP_COLORS)]
        if curve.empty:
            counts = np.zeros(times.size, dtype=np.int64)
        else:
            counts = number_at_risk(curve, times * scale)
        for t, c in zip(times, counts, strict=True):
            ax.text(t, i, str(int(c)), ha="center", va="center", fontsize=8.5, color=color)
    ax.set_ylim(k - 0.5, -0.5)
    ax.set_yticks(range(k))
    ax.set_yticklabels(list(curves))
    for tick, i in zip(ax.get_yticklabels(), range(k), strict=True):
        tick.set_color(GROUP_COLORS[i % len(GROUP_COLORS)])
        tick.set_fontsize(8.5)
    ax.tick_params(axis="y", length=0, pad=16)
    ax.tick_params(axis="x", which="both", bottom=False, labelbottom=False)
    for side in ("top", "right", "bottom", "left"):
        ax.spines[side].set_visible(False)
    ax.set_title("Number at risk", loc="left", fontsize=9, fontweight="normal")
    ax.set_gid("km-risk-table")

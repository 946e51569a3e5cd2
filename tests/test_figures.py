"""Figures: each function on small hand-made data, the empty states, and byte-identical files.

Expected values are worked out by hand in the comments. KM tables come from lifelines'
KaplanMeierFitter (an independent implementation), reshaped to the `km_curve` columns.
"""

from __future__ import annotations

import hashlib
import math
import os
import struct
import subprocess
import sys
from pathlib import Path

import matplotlib as mpl
import numpy as np
import pandas as pd
import pytest
from lifelines import KaplanMeierFitter
from matplotlib import font_manager
from matplotlib.collections import LineCollection
from matplotlib.colors import to_hex
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from trialflow.errors import InputError
from trialflow.figures import (
    best_percent_change,
    forest_figure,
    forest_rows,
    is_empty_figure,
    km_figure,
    number_at_risk,
    post_baseline_assessments,
    risk_table_times,
    save_figure,
    spider_figure,
    style_context,
    swimmer_data,
    swimmer_figure,
    waterfall_figure,
)
from trialflow.figures.style import BOR_COLORS, GROUP_COLORS

REPO = Path(__file__).resolve().parents[1]
MONTH = 30.4375

# --------------------------------------------------------------------------- builders


def km_table(time: list[float], event: list[int]) -> pd.DataFrame:
    """A KM table in the `km_curve` layout, computed by lifelines (no time-0 row)."""
    kmf = KaplanMeierFitter().fit(time, event)
    et = kmf.event_table
    ci = kmf.confidence_interval_
    out = pd.DataFrame(
        {
            "time": et.index.to_numpy(dtype=float),
            "n_risk": et["at_risk"].to_numpy(),
            "n_event": et["observed"].to_numpy(),
            "n_censor": et["censored"].to_numpy(),
            "survival": kmf.survival_function_.iloc[:, 0].to_numpy(),
            "std_err": np.nan,
            "lower": ci.iloc[:, 0].to_numpy(),
            "upper": ci.iloc[:, 1].to_numpy(),
        }
    )
    return out.loc[(out["time"] > 0) | (out["n_event"] + out["n_censor"] > 0)].reset_index(
        drop=True
    )


# Six subjects: times 1, 2, 2, 4, 5, 7 with events at 1, 2 (one of the two), 5.
KM_TIME = [1.0, 2.0, 2.0, 4.0, 5.0, 7.0]
KM_EVENT = [1, 1, 0, 0, 1, 0]
# S: 5/6 after t=1; x 4/5 = 2/3 after t=2; x 1/2 = 1/3 after t=5 -> median 5 (first S <= 0.5).
KM_SUMMARY = {"n": 6, "events": 3, "median": 5.0, "median_lower": 2.0, "median_upper": math.nan}


def adtr_adrs() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Seven subjects' SLD records and their confirmed BOR.

    S1: -10 then +25            -> best -10      BOR SD
    S2: -40, then -60 incomplete -> best -40     BOR PD (by non-target lesions)
    S3: +30                      -> best +30     BOR PD
    S4: baseline only            -> not evaluable BOR NE
    S5: -100                     -> best -100    BOR CR
    S6: -35 but no baseline      -> not evaluable (no BOR record)
    S7: +5                       -> best +5      no BOR record -> MISSING
    """
    rec = [
        # USUBJID, ABLFL, COMPLFL, PCHG, ADY
        ("S1", "Y", "Y", 0.0, -2),
        ("S1", "", "Y", -10.0, 43),
        ("S1", "", "Y", 25.0, 85),
        ("S2", "Y", "Y", 0.0, -5),
        ("S2", "", "Y", -40.0, 43),
        ("S2", "", "N", -60.0, 85),
        ("S3", "Y", "Y", 0.0, 1),
        ("S3", "", "Y", 30.0, 43),
        ("S4", "Y", "Y", 0.0, -1),
        ("S5", "Y", "Y", 0.0, -3),
        ("S5", "", "Y", -100.0, 43),
        ("S6", "", "Y", -35.0, 43),
        ("S7", "Y", "Y", 0.0, -3),
        ("S7", "", "Y", 5.0, 43),
    ]
    adtr = pd.DataFrame(rec, columns=["USUBJID", "ABLFL", "COMPLFL", "PCHG", "ADY"])
    adtr.insert(1, "PARAMCD", "SLD")
    adrs = pd.DataFrame(
        {
            "USUBJID": ["S1", "S2", "S3", "S4", "S5", "S1"],
            "PARAMCD": ["CBOR", "CBOR", "CBOR", "CBOR", "CBOR", "BOR"],
            "AVALC": ["SD", "PD", "PD", "NE", "CR", "PR"],
        }
    )
    return adtr, adrs


def adsl_adrs_swimmer() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Five subjects for the swimmer plot (cutoff 2021-06-30).

    A: 2021-01-01 .. 2021-03-01, discontinued -> 59 + 1 = 60 days
    B: 2021-01-01 .., ongoing, no TRTEDT       -> to cutoff: 180 + 1 = 181 days, arrow
    C: 2021-02-01 .. 2021-02-01, died 2021-03-03 -> 1 day; death at 30 + 1 = 31 days
    D: 2021-01-01 .. 2021-05-01 -> 120 + 1 = 121 days; PR 2021-02-12 (day 43, first
       response), CR 2021-04-01 (day 91), PD 2021-05-01 (day 121); a PR on 2020-12-20 is
       before the first dose and ignored
    E: never treated (no TRTSDT)
    """
    d = pd.Timestamp
    adsl = pd.DataFrame(
        {
            "USUBJID": ["A", "B", "C", "D", "E"],
            "COHORT": ["X", "Y", "X", "Y", "X"],
            "TRTSDT": [d("2021-01-01"), d("2021-01-01"), d("2021-02-01"), d("2021-01-01"), None],
            "TRTEDT": [d("2021-03-01"), None, d("2021-02-01"), d("2021-05-01"), None],
            "DTHDT": [None, None, d("2021-03-03"), None, None],
            "EOSSTT": ["DISCONTINUED", "ONGOING", "DISCONTINUED", "DISCONTINUED", None],
            "CUTOFFDT": d("2021-06-30"),
        }
    )
    for col in ("TRTSDT", "TRTEDT", "DTHDT", "CUTOFFDT"):
        adsl[col] = adsl[col].astype("datetime64[ns]")
    adrs = pd.DataFrame(
        {
            "USUBJID": ["D", "D", "D", "D", "A", "D"],
            "PARAMCD": ["OVR", "OVR", "OVR", "OVR", "OVR", "CBOR"],
            "AVALC": ["PR", "PR", "CR", "PD", "SD", "CR"],
            "ADT": pd.to_datetime(
                ["2020-12-20", "2021-02-12", "2021-04-01", "2021-05-01", "2021-02-12", None]
            ),
        }
    )
    return adsl, adrs


def forest_data() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "group_var": ["Overall", "COHORT", "COHORT", "COHORT"],
            "group_level": ["Overall", "A", "B", "C"],
            "n": [40, 20, 15, 5],
            "estimate": [6.2, 5.1, 8.9, math.nan],
            "lower": [4.0, 3.2, 5.5, 2.0],
            "upper": [9.8, math.nan, 14.0, math.nan],
        }
    )


def render_all(folder: str | Path) -> list[Path]:
    """Every figure kind on the test data, saved under `folder` (used twice per test)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    adtr, adrs = adtr_adrs()
    adsl, adrs_sw = adsl_adrs_swimmer()
    figures = {
        "km": km_figure(
            {"A": km_table(KM_TIME, KM_EVENT), "B": km_table([3.0, 6.0, 8.0], [1, 0, 1])},
            {"A": KM_SUMMARY},
            title="PFS by cohort",
        ),
        "waterfall": waterfall_figure(adtr, adrs, pd_non_target={"S2", "S7"}),
        "spider": spider_figure(adtr, adrs),
        "swimmer": swimmer_figure(adsl, adrs_sw, color_by="COHORT"),
        "forest": forest_figure(forest_data(), title="Median PFS", xlabel="Months"),
        "empty": km_figure({}, title="OS"),
    }
    written: list[Path] = []
    for stem, fig in figures.items():
        written += save_figure(fig, folder / stem)
    return written


def texts(fig: Figure) -> list[str]:
    out = [t.get_text() for t in fig.findobj(mpl.text.Text)]
    return [t for t in out if t]


def gid_lines(ax, gid: str):
    found = [line for line in ax.get_lines() if line.get_gid() == gid]
    assert len(found) == 1, f"expected one line with gid {gid}, found {len(found)}"
    return found[0]


# --------------------------------------------------------------------------- KM


def test_risk_table_times_choose_regular_steps():
    # 18.9 months: step 1 needs 19 columns (> 10), step 2 needs floor(9.45) + 1 = 10.
    assert risk_table_times(18.9).tolist() == [0, 2, 4, 6, 8, 10, 12, 14, 16, 18]
    # 5 months: step 1, 6 columns.
    assert risk_table_times(5.0).tolist() == [0, 1, 2, 3, 4, 5]
    # 40 months: 1, 2, 3 give > 10 columns; 6 gives floor(6.67) + 1 = 7.
    assert risk_table_times(40.0).tolist() == [0, 6, 12, 18, 24, 30, 36]


def test_number_at_risk_counts_subjects_with_time_at_least_t():
    # Times 1, 2, 2, 4, 5, 7: >= 0: 6; >= 2: 5; >= 3: 3; >= 6: 1; >= 8: 0.
    curve = km_table(KM_TIME, KM_EVENT)
    assert number_at_risk(curve, [0, 2, 3, 6, 8]).tolist() == [6, 5, 3, 1, 0]


def test_km_figure_draws_curve_band_censor_marks_median_and_risk_table():
    curve = km_table(KM_TIME, KM_EVENT)
    fig = km_figure(
        {"All": curve}, {"All": KM_SUMMARY}, title="PFS", risk_times_months=[0, 2, 4, 6]
    )
    assert isinstance(fig, Figure)
    ax, ax_risk = fig.axes
    line = gid_lines(ax, "km-curve-0")
    # The step curve starts at (0, 1) and ends at S = 1/3.
    assert line.get_xdata()[0] == 0.0 and line.get_ydata()[0] == 1.0
    assert line.get_ydata()[-1] == pytest.approx(1 / 3)
    # Censorings at 2 (S = 2/3), 4 (S = 2/3) and 7 (S = 1/3): three marks.
    marks = gid_lines(ax, "km-censor-0")
    assert marks.get_xdata().tolist() == [2.0, 4.0, 7.0]
    assert marks.get_ydata().tolist() == pytest.approx([2 / 3, 2 / 3, 1 / 3])
    assert any(c.get_gid() == "km-band-0" for c in ax.collections)
    # Median 5.0 with CI (2.0, NE) written in the legend.
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "All: 3/6 events; median 5.0 (2.0\N{EN DASH}NE)" in legend
    assert "Censored" in legend
    # Risk table at 0, 2, 4, 6 months: 6, 5, 3, 1.
    assert [t.get_text() for t in ax_risk.texts] == ["6", "5", "3", "1"]
    assert [t.get_position()[0] for t in ax_risk.texts] == [0, 2, 4, 6]
    assert "(months)" in ax.get_xlabel() and "(%)" in ax.get_ylabel()


def test_km_figure_groups_one_colour_and_one_risk_row_each():
    curves = {"A": km_table(KM_TIME, KM_EVENT), "B": km_table([3.0, 6.0, 8.0], [1, 0, 1])}
    fig = km_figure(curves, None, title="PFS by cohort", risk_times_months=[0, 4])
    ax, ax_risk = fig.axes
    colours = [to_hex(gid_lines(ax, f"km-curve-{i}").get_color()) for i in range(2)]
    assert colours == [GROUP_COLORS[0].lower(), GROUP_COLORS[1].lower()]
    # Rows: A at y=0 (6 at 0, 3 at 4), B at y=1 (3 at 0; >= 4: 6, 8 -> 2).
    cells = sorted((t.get_position()[1], t.get_position()[0], t.get_text()) for t in ax_risk.texts)
    assert cells == [(0, 0, "6"), (0, 4, "3"), (1, 0, "3"), (1, 4, "2")]
    assert [t.get_text() for t in ax_risk.get_yticklabels()] == ["A", "B"]
    # Without summaries the legend gives n/events read from the table, and no median (B's
    # median is 8, not "NE": a figure must not print a median it was not given).
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend[:2] == ["A: 3/6 events", "B: 2/3 events"]


def test_km_figure_converts_days_to_months():
    # Events at 30.4375 and 60.875 days are 1 and 2 months; the median 60.875 d is 2.0 months.
    curve = km_table([MONTH, 2 * MONTH], [1, 1])
    summary = {"median": 2 * MONTH, "median_lower": MONTH, "median_upper": math.nan}
    fig = km_figure({"All": curve}, {"All": summary}, title="OS", time_unit="days")
    line = gid_lines(fig.axes[0], "km-curve-0")
    assert line.get_xdata().tolist() == pytest.approx([0.0, 1.0, 2.0])
    assert any("median 2.0 (1.0" in t for t in texts(fig))


def test_km_figure_empty_and_zero_event_states():
    assert is_empty_figure(km_figure({}, title="OS"))
    empty = km_table([1.0], [0]).iloc[0:0]
    assert is_empty_figure(km_figure({"All": empty}, title="OS"))
    fig = km_figure({"All": km_table([3.0, 5.0], [0, 0])}, title="OS")
    assert not is_empty_figure(fig)
    assert any("No events observed" in t for t in texts(fig))


# --------------------------------------------------------------------------- waterfall


def test_best_percent_change_uses_complete_post_baseline_assessments():
    adtr, _ = adtr_adrs()
    best = best_percent_change(adtr)
    # S2's -60 is incomplete, S4 has no post-baseline, S6 has no baseline (see adtr_adrs).
    assert best.to_dict() == {"S1": -10.0, "S2": -40.0, "S3": 30.0, "S5": -100.0, "S7": 5.0}


def test_figure_selection_uses_the_adtr_analysis_flag():
    """The waterfall/spider selection is ADTR's ANL01FL (assessments up to and including PD and
    before new anticancer therapy, like BOR), not recomputed: S1's complete -50% assessment
    flagged "" (after its PD) is not used, so its best change is -10%."""
    adtr = pd.DataFrame(
        {
            "USUBJID": "S1",
            "PARAMCD": "SLD",
            "ABLFL": ["Y", "", ""],
            "COMPLFL": "Y",
            "PCHG": [0.0, -10.0, -50.0],
            "ANL01FL": ["Y", "Y", ""],
        }
    )
    assert best_percent_change(adtr).to_dict() == {"S1": -10.0}
    assert list(post_baseline_assessments(adtr)["PCHG"]) == [-10.0]


def test_best_percent_change_prefers_bestpchg_when_given():
    adtr = pd.DataFrame(
        {"USUBJID": ["P", "P", "Q"], "PARAMCD": "SLD", "BESTPCHG": [-12.5, -12.5, np.nan]}
    )
    assert best_percent_change(adtr).to_dict() == {"P": -12.5}
    adtr.loc[1, "BESTPCHG"] = -3.0
    with pytest.raises(InputError, match="BESTPCHG"):
        best_percent_change(adtr)


@pytest.mark.parametrize(
    "flags", [{"S2", "S7"}, pd.Series([True, True, False], ["S2", "S7", "S1"])]
)
def test_waterfall_bars_sorted_coloured_and_marked(flags):
    adtr, adrs = adtr_adrs()
    fig = waterfall_figure(adtr, adrs, pd_non_target=flags)
    ax = fig.axes[0]
    bars = [p for p in ax.patches if isinstance(p, Rectangle)]
    # Descending: S3 +30, S7 +5, S1 -10, S2 -40, S5 -100 (one bar per evaluable subject).
    assert [b.get_height() for b in bars] == [30.0, 5.0, -10.0, -40.0, -100.0]
    expected = [BOR_COLORS[c] for c in ("PD", "MISSING", "SD", "PD", "CR")]
    assert [to_hex(b.get_facecolor()) for b in bars] == [c.lower() for c in expected]
    # Reference lines at -30% and +20%.
    assert set(gid_lines(ax, "ref-pr").get_ydata()) == {-30.0}
    assert set(gid_lines(ax, "ref-pd").get_ydata()) == {20.0}
    # Asterisks over S7 (position 1) and S2 (position 3), above zero even for S2's -40 bar.
    stars = gid_lines(ax, "waterfall-pd-non-target")
    centres = [b.get_x() + b.get_width() / 2 for b in bars]
    assert stars.get_xdata().tolist() == [centres[1], centres[3]]
    assert all(y > 5.0 for y in stars.get_ydata())
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend[:4] == ["CR", "SD", "PD", "Missing"]
    assert "PD by new or non-target lesions" in legend
    assert "(%)" in ax.get_ylabel()


def test_waterfall_without_marked_subjects_has_no_asterisks():
    adtr, adrs = adtr_adrs()
    ax = waterfall_figure(adtr, adrs).axes[0]
    assert not [line for line in ax.get_lines() if line.get_gid() == "waterfall-pd-non-target"]


def test_waterfall_empty_and_bad_bor():
    adtr, adrs = adtr_adrs()
    only_baseline = adtr.loc[adtr["ABLFL"] == "Y"]
    assert is_empty_figure(waterfall_figure(only_baseline, adrs))
    assert is_empty_figure(waterfall_figure(adtr.iloc[0:0], adrs.iloc[0:0]))
    bad = adrs.copy()
    bad.loc[0, "AVALC"] = "VGPR"
    with pytest.raises(InputError, match="AVALC"):
        waterfall_figure(adtr, bad)


# --------------------------------------------------------------------------- spider


def test_spider_one_line_per_subject_from_baseline_coloured_by_bor():
    adtr, adrs = adtr_adrs()
    fig = spider_figure(adtr, adrs)
    ax = fig.axes[0]
    (lines,) = [c for c in ax.collections if isinstance(c, LineCollection)]
    segments = lines.get_segments()
    # Five evaluable subjects, in USUBJID order S1, S2, S3, S5, S7.
    assert len(segments) == 5
    # S1: baseline (0, 0), ADY 43 -> 42 days = 6 weeks at -10, ADY 85 -> 12 weeks at +25.
    assert segments[0].tolist() == [[0.0, 0.0], [6.0, -10.0], [12.0, 25.0]]
    # S2: the incomplete -60 assessment is left out.
    assert segments[1].tolist() == [[0.0, 0.0], [6.0, -40.0]]
    expected = [BOR_COLORS[c] for c in ("SD", "PD", "PD", "CR", "MISSING")]
    assert [to_hex(c) for c in lines.get_colors()] == [c.lower() for c in expected]
    assert set(gid_lines(ax, "ref-pr").get_ydata()) == {-30.0}
    assert set(gid_lines(ax, "ref-pd").get_ydata()) == {20.0}
    assert "(weeks)" in ax.get_xlabel() and "(%)" in ax.get_ylabel()


def test_spider_in_months_and_empty():
    adtr, adrs = adtr_adrs()
    ax = spider_figure(adtr, adrs, time_unit="months").axes[0]
    (lines,) = [c for c in ax.collections if isinstance(c, LineCollection)]
    # 42 days / 30.4375 = 1.3799 months.
    assert lines.get_segments()[0][1, 0] == pytest.approx(42 / MONTH)
    assert "(months)" in ax.get_xlabel()
    assert is_empty_figure(spider_figure(adtr.loc[adtr["ABLFL"] == "Y"], adrs))


def test_spider_time_from_dates_when_ady_is_absent():
    adtr, adrs = adtr_adrs()
    start = pd.Timestamp("2021-01-01")
    # ADY 43 -> ADT = start + 42 days; ADY < 1 -> before the start.
    adt = start + pd.to_timedelta(adtr["ADY"].where(adtr["ADY"] < 1, adtr["ADY"] - 1), unit="D")
    dated = adtr.drop(columns="ADY").assign(ADT=adt, STARTDT=start)
    ax = spider_figure(dated, adrs).axes[0]
    (lines,) = [c for c in ax.collections if isinstance(c, LineCollection)]
    assert lines.get_segments()[0].tolist() == [[0.0, 0.0], [6.0, -10.0], [12.0, 25.0]]


# --------------------------------------------------------------------------- swimmer


def test_swimmer_data_hand_computed_months():
    adsl, adrs = adsl_adrs_swimmer()
    data = swimmer_data(adsl, adrs).set_index("USUBJID")
    assert data.index.tolist() == ["B", "D", "A", "C"]  # by duration: 181, 121, 60, 1 days
    assert data["DURM"].tolist() == pytest.approx([181 / MONTH, 121 / MONTH, 60 / MONTH, 1 / MONTH])
    assert data.loc["D", "RESPM"] == pytest.approx(43 / MONTH)
    assert data.loc["D", "PDM"] == pytest.approx(121 / MONTH)
    assert data.loc["C", "DTHM"] == pytest.approx(31 / MONTH)
    assert data["ONGOING"].tolist() == [True, False, False, False]
    assert data[["RESPM", "PDM"]].drop(index="D").isna().all().all()


def test_swimmer_figure_bars_markers_and_arrow():
    adsl, adrs = adsl_adrs_swimmer()
    fig = swimmer_figure(adsl, adrs)
    ax = fig.axes[0]
    bars = [p for p in ax.patches if isinstance(p, Rectangle)]
    assert [b.get_width() for b in bars] == pytest.approx(
        [181 / MONTH, 121 / MONTH, 60 / MONTH, 1 / MONTH]
    )
    assert [t.get_text() for t in ax.get_yticklabels()] == ["B", "D", "A", "C"]
    resp = gid_lines(ax, "swimmer-response")
    assert resp.get_ydata().tolist() == [1.0] and resp.get_xdata() == pytest.approx([43 / MONTH])
    pd_mark = gid_lines(ax, "swimmer-pd")
    assert pd_mark.get_ydata().tolist() == [1.0]
    death = gid_lines(ax, "swimmer-death")
    assert death.get_ydata().tolist() == [3.0] and death.get_xdata() == pytest.approx([31 / MONTH])
    arrow = gid_lines(ax, "swimmer-ongoing")
    assert arrow.get_ydata().tolist() == [0.0] and arrow.get_xdata()[0] > 181 / MONTH
    assert "(months)" in ax.get_xlabel()
    assert "1 untreated not shown" in ax.get_ylabel()


def test_swimmer_without_responses_says_so():
    adsl, adrs = adsl_adrs_swimmer()
    fig = swimmer_figure(adsl, adrs.iloc[0:0])
    legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert "No response (CR or PR) observed" in legend
    assert gid_lines(fig.axes[0], "swimmer-response").get_xdata().size == 0


def test_swimmer_colour_by_cohort_and_errors():
    adsl, adrs = adsl_adrs_swimmer()
    ax = swimmer_figure(adsl, adrs, color_by="COHORT").axes[0]
    bars = [p for p in ax.patches if isinstance(p, Rectangle)]
    # Levels sorted X, Y -> first two group colours; order B(Y), D(Y), A(X), C(X).
    first, second = GROUP_COLORS[0].lower(), GROUP_COLORS[1].lower()
    assert [to_hex(b.get_facecolor()) for b in bars] == [second, second, first, first]
    assert is_empty_figure(swimmer_figure(adsl.loc[adsl["USUBJID"] == "E"], adrs))
    broken = adsl.copy()
    broken.loc[0, "TRTEDT"] = pd.NaT  # A is not ongoing
    with pytest.raises(InputError, match="TRTEDT"):
        swimmer_figure(broken, adrs)


# --------------------------------------------------------------------------- forest


def test_forest_rows_headers_and_order():
    rows = forest_rows(forest_data())
    assert rows["label"].str.strip().tolist() == ["Overall", "COHORT", "A", "B", "C"]
    assert rows["header"].tolist() == [False, True, False, False, False]


def test_forest_figure_points_open_limits_and_ne_text():
    fig = forest_figure(forest_data(), title="Median PFS", xlabel="Median PFS (months)")
    ax = fig.axes[1]
    (points,) = [c for c in ax.collections if c.get_gid() == "forest-points"]
    # Rows: 0 Overall, 1 COHORT header, 2 A, 3 B, 4 C (estimate NE -> no point).
    assert points.get_offsets()[:, 1].tolist() == [0.0, 2.0, 3.0]
    assert points.get_offsets()[:, 0].tolist() == [6.2, 5.1, 8.9]
    # NaN upper limits for A and C: arrows at the right edge, none at the left.
    upper = gid_lines(ax, "forest-open-upper")
    assert upper.get_ydata().tolist() == [2.0, 4.0]
    assert upper.get_xdata().tolist() == [ax.get_xlim()[1]] * 2
    assert gid_lines(ax, "forest-open-lower").get_xdata().size == 0
    strings = texts(fig)
    assert "5.1 (3.2\N{EN DASH}NE)" in strings and "NE (2.0\N{EN DASH}NE)" in strings
    assert "(months)" in ax.get_xlabel()


def test_forest_empty_states():
    assert is_empty_figure(forest_figure(forest_data().iloc[0:0], title="ORR", xlabel="ORR (%)"))
    nothing = forest_data().assign(estimate=math.nan, lower=math.nan, upper=math.nan)
    assert is_empty_figure(forest_figure(nothing, title="ORR", xlabel="ORR (%)"))


# --------------------------------------------------------------------------- determinism


def png_text_chunks(data: bytes) -> list[bytes]:
    """Chunk types of a PNG file (tEXt/iTXt/zTXt hold metadata such as Software)."""
    pos, kinds = 8, []
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kinds.append(data[pos + 4 : pos + 8])
        pos += 12 + length
    return kinds


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> list[Path]:
    """One rendering of every figure kind, compared against by the determinism tests."""
    return render_all(tmp_path_factory.mktemp("figures"))


def test_saved_files_are_byte_identical_and_carry_no_metadata(rendered, tmp_path):
    first = rendered
    again = render_all(tmp_path / "again")
    assert [p.name for p in first] == [p.name for p in again]
    assert {p.suffix for p in first} == {".png", ".svg"}
    for a, b in zip(first, again, strict=True):
        assert a.read_bytes() == b.read_bytes(), a.name
        data = a.read_bytes()
        for word in (b"Software", b"CreationDate", b"Date", b"Creator", b"matplotlib.org"):
            assert word not in data, (a.name, word)
        if a.suffix == ".png":
            kinds = png_text_chunks(data)
            assert not {b"tEXt", b"iTXt", b"zTXt", b"tIME"} & set(kinds)
        else:
            assert b"<text" not in data  # svg.fonttype "path": glyphs as outlines


def test_files_identical_in_a_fresh_process_with_another_hash_seed(rendered, tmp_path):
    here = rendered
    other = tmp_path / "other"
    env = {**os.environ, "PYTHONHASHSEED": "12345", "MPLBACKEND": "svg"}
    code = "import sys; from tests.test_figures import render_all; render_all(sys.argv[1])"
    result = subprocess.run(
        [sys.executable, "-c", code, str(other)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    for path in here:
        assert path.read_bytes() == (other / path.name).read_bytes(), path.name


def test_user_rcparams_do_not_leak_into_figures(rendered, tmp_path):
    plain = rendered
    # Keys trialflow's style sets (font, hash salt) and keys it leaves at matplotlib's
    # defaults (axes colour and width, tick size): neither may change the output.
    noise = {
        "font.size": 20,
        "font.family": "serif",
        "svg.hashsalt": None,
        "axes.facecolor": "#EEEEEE",
        "axes.linewidth": 3,
        "xtick.major.size": 10,
    }
    with mpl.rc_context(noise):
        noisy = render_all(tmp_path / "noisy")
    for a, b in zip(plain, noisy, strict=True):
        assert a.read_bytes() == b.read_bytes(), a.name


def test_style_uses_matplotlibs_bundled_dejavu_sans():
    with style_context():
        path = font_manager.findfont(font_manager.FontProperties(family=["sans-serif"]))
        assert mpl.rcParams["svg.hashsalt"] == "trialflow"
        assert mpl.rcParams["svg.fonttype"] == "path"
    assert Path(path).name == "DejaVuSans.ttf"
    assert Path(path).resolve().is_relative_to(Path(mpl.get_data_path()).resolve())


# --------------------------------------------------------------------------- large trials


def test_swimmer_shows_the_longest_subjects_when_there_are_more_than_the_maximum():
    """Durations 181, 121, 60 and 1 days: with at most 2 subjects, B (181) and D (121) are
    drawn, and the axis label says 2 of the 4 treated subjects are shown."""
    adsl, adrs = adsl_adrs_swimmer()
    ax = swimmer_figure(adsl, adrs, max_subjects=2).axes[0]
    bars = [p for p in ax.patches if isinstance(p, Rectangle)]
    assert [b.get_width() for b in bars] == pytest.approx([181 / MONTH, 121 / MONTH])
    assert [t.get_text() for t in ax.get_yticklabels()] == ["B", "D"]
    assert "The 2 of 4 treated subjects" in ax.get_ylabel()


def test_spider_sample_is_reproducible_and_said():
    """Five evaluable subjects (S1, S2, S3, S5, S7); with at most 3 lines, the three whose
    SHA-256 of USUBJID sorts first are drawn, whatever the row order."""
    adtr, adrs = adtr_adrs()
    evaluable = ["S1", "S2", "S3", "S5", "S7"]
    by_hash = sorted(evaluable, key=lambda s: hashlib.sha256(s.encode()).hexdigest())[:3]
    ax = spider_figure(adtr, adrs, max_subjects=3).axes[0]
    lines = [c for c in ax.collections if c.get_gid() == "spider-lines"][0]
    assert len(lines.get_segments()) == 3
    assert "3 of 5 subjects, a reproducible random sample" in ax.get_xlabel()
    shuffled = spider_figure(adtr.iloc[::-1], adrs, max_subjects=3).axes[0]
    again = [c for c in shuffled.collections if c.get_gid() == "spider-lines"][0]
    assert [s.tolist() for s in again.get_segments()] == [s.tolist() for s in lines.get_segments()]
    # the drawn subjects are the hash-first three: their best changes, in id order
    best = {"S1": -10.0, "S2": -40.0, "S3": 30.0, "S5": -100.0, "S7": 5.0}
    drawn = sorted(min(seg[1:, 1]) for seg in lines.get_segments())
    assert drawn == sorted(best[s] for s in by_hash)


def test_waterfall_of_many_subjects_draws_one_line_per_subject():
    """400 subjects (above the 300 of DENSE_BARS): one rasterized line per subject, from 0 to
    its best change, in descending order."""
    rows = []
    for i in range(400):
        s = f"S{i:03d}"
        rows += [(s, "SLD", "Y", "Y", 0.0, -1), (s, "SLD", "", "Y", float(i % 100 - 50), 43)]
    adtr = pd.DataFrame(rows, columns=["USUBJID", "PARAMCD", "ABLFL", "COMPLFL", "PCHG", "ADY"])
    adrs = pd.DataFrame({"USUBJID": [], "PARAMCD": [], "AVALC": []})
    ax = waterfall_figure(adtr, adrs).axes[0]
    bars = [c for c in ax.collections if c.get_gid() == "waterfall-bars"][0]
    segments = bars.get_segments()
    assert len(segments) == 400 and bars.get_rasterized()
    tops = [seg[1][1] for seg in segments]
    assert tops[0] == 49.0 and tops[-1] == -50.0 and tops == sorted(tops, reverse=True)

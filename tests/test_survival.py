"""Tests for trialflow.stats.survival (Kaplan–Meier as R's survival package computes it).

Expected values come from
- R survival 3.5.3 via tests/reference/km_reference.R, committed as km_reference.json (see
  tests/reference/README.md); every number is compared to 1e-6 with NaN == NaN;
- hand arithmetic written in the comments (Kaplan–Meier products, Greenwood sums and the
  survfit_confint formulas evaluated with `math`);
- lifelines' KaplanMeierFitter, an independent implementation, where it should agree.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from trialflow.errors import InputError
from trialflow.stats.survival import (
    SurvivalInputError,
    km_curve,
    km_summary,
    reverse_km_median_followup,
)

REFERENCE = json.loads(
    (Path(__file__).resolve().parent / "reference" / "km_reference.json").read_text()
)
DATASETS: dict[str, dict[str, Any]] = REFERENCE["datasets"]
CASES: list[dict[str, Any]] = REFERENCE["cases"]
FOLLOWUP: list[dict[str, Any]] = REFERENCE["reverse_km_followup"]
ATOL = 1e-6
Z95 = 1.959963984540054  # qnorm(0.975)


def _num(values: Any) -> np.ndarray:
    """JSON numbers -> float array (null -> NaN, "Inf" -> inf)."""
    values = values if isinstance(values, list) else [values]
    return np.array([np.nan if v is None else float(v) for v in values], dtype=float)


def _close(got: Any, expected: Any) -> bool:
    return bool(
        np.allclose(np.asarray(got, dtype=float), _num(expected), atol=ATOL, rtol=0, equal_nan=True)
    )


def _case_id(case: dict[str, Any]) -> str:
    return f"{case['dataset']}-{case['conf_type']}-{case['conf_level']}"


# --- the R reference ----------------------------------------------------------------------


def test_reference_covers_the_required_situations() -> None:
    names = set(DATASETS)
    assert {
        "ties",
        "heavy_censoring",
        "plateau_n6",
        "plateau_n4",
        "last_censored",
        "last_event",
        "n1_event",
        "n1_censored",
        "all_censored",
        "lung",
    } <= names
    assert {c["conf_type"] for c in CASES} == {"log-log", "log", "plain"}
    assert {c["conf_level"] for c in CASES} == {0.95, 0.9}
    assert len(CASES) == len(FOLLOWUP) >= 30


@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_quantiles_and_limits_match_r(case: dict[str, Any]) -> None:
    data = DATASETS[case["dataset"]]
    s = km_summary(
        data["time"], data["event"], conf_level=case["conf_level"], conf_type=case["conf_type"]
    )
    assert s["n"] == case["n"]
    assert s["events"] == case["events"]
    assert _close([s["q25"], s["median"], s["q75"]], case["quantile"])
    assert _close([s["q25_lower"], s["median_lower"], s["q75_lower"]], case["lower"])
    assert _close([s["q25_upper"], s["median_upper"], s["q75_upper"]], case["upper"])


@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_timepoints_match_r_summary_extend(case: dict[str, Any]) -> None:
    data = DATASETS[case["dataset"]]
    s = km_summary(
        data["time"],
        data["event"],
        conf_level=case["conf_level"],
        conf_type=case["conf_type"],
        timepoints=data["timepoints"],
    )
    # R's summary() sorts the requested times; km_summary keeps the order given.
    points = s["timepoints"].sort_values("time", kind="stable")
    expected = case["timepoints"]
    assert len(points) == len(expected["time"])
    for column in ("time", "n_risk", "survival", "lower", "upper"):
        assert _close(points[column], expected[column]), column


@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_curve_matches_r_survfit(case: dict[str, Any]) -> None:
    data = DATASETS[case["dataset"]]
    curve = km_curve(
        data["time"], data["event"], conf_level=case["conf_level"], conf_type=case["conf_type"]
    )
    expected = case["curve"]
    assert list(curve.columns) == list(expected)
    for column in curve.columns:
        assert _close(curve[column], expected[column]), column


@pytest.mark.parametrize("case", FOLLOWUP, ids=_case_id)
def test_reverse_km_median_followup_matches_r(case: dict[str, Any]) -> None:
    data = DATASETS[case["dataset"]]
    f = reverse_km_median_followup(
        data["time"], data["event"], conf_level=case["conf_level"], conf_type=case["conf_type"]
    )
    assert _close(
        [f["median"], f["median_lower"], f["median_upper"]],
        [
            case["median"],
            case["lower"],
            case["upper"],
        ],
    )
    assert f["n"] == len(data["time"])
    assert f["censored"] == len(data["time"]) - int(sum(data["event"]))


# --- hand-worked examples -----------------------------------------------------------------

# t = 1, 2, 2(censored), 3, 4, 5; all others events.
HAND_T = [1, 2, 2, 3, 4, 5]
HAND_E = [1, 1, 0, 1, 1, 1]
# time  n  d   S                      Greenwood sum d/(n(n-d))
#  1    6  1   5/6                    1/30
#  2    5  1   5/6 * 4/5 = 2/3        1/30 + 1/20 = 1/12
#  3    3  1   2/3 * 2/3 = 4/9        1/12 + 1/6  = 1/4
#  4    2  1   4/9 * 1/2 = 2/9        1/4  + 1/2  = 3/4
#  5    1  1   0                      inf
HAND_S = [5 / 6, 2 / 3, 4 / 9, 2 / 9, 0.0]
HAND_VAR = [1 / 30, 1 / 12, 1 / 4, 3 / 4, math.inf]


def _loglog(s: float, se: float, z: float = Z95) -> tuple[float, float]:
    # survfit_confint, log-log: exp(-exp(log(-log S) -/+ z se / log S))
    half = z * se / math.log(s)
    return (
        math.exp(-math.exp(math.log(-math.log(s)) - half)),
        math.exp(-math.exp(math.log(-math.log(s)) + half)),
    )


def test_hand_kaplan_meier_and_greenwood() -> None:
    curve = km_curve(HAND_T, HAND_E, conf_type="log-log")
    assert curve["time"].tolist() == [1, 2, 3, 4, 5]
    assert curve["n_risk"].tolist() == [6, 5, 3, 2, 1]
    assert curve["n_event"].tolist() == [1, 1, 1, 1, 1]
    assert curve["n_censor"].tolist() == [0, 1, 0, 0, 0]
    np.testing.assert_allclose(curve["survival"], HAND_S, rtol=0, atol=1e-12)
    # std_err of S = S * sqrt(Greenwood sum); NaN where S = 0 (0 * inf), as R's summary.
    expected_se = [s * math.sqrt(v) for s, v in zip(HAND_S[:4], HAND_VAR[:4], strict=True)]
    np.testing.assert_allclose(curve["std_err"][:4], expected_se, rtol=0, atol=1e-12)
    assert math.isnan(curve["std_err"].iloc[4])
    for i in range(4):
        lo, up = _loglog(HAND_S[i], math.sqrt(HAND_VAR[i]))
        assert curve["lower"].iloc[i] == pytest.approx(lo, abs=1e-12)
        assert curve["upper"].iloc[i] == pytest.approx(up, abs=1e-12)
    # Where S = 0 the log-log limits are undefined (R gives NA).
    assert math.isnan(curve["lower"].iloc[4]) and math.isnan(curve["upper"].iloc[4])
    # R printed 0.066186753 and 0.7849084 for time 3 (from the 4/9 and 1/4 above).
    assert curve["lower"].iloc[2] == pytest.approx(0.066186753, abs=1e-9)


def test_hand_plain_and_log_limits() -> None:
    # time 3: S = 4/9, se(log S) = 1/2.
    s, se = 4 / 9, 0.5
    plain = km_curve(HAND_T, HAND_E, conf_type="plain").iloc[2]
    assert plain["lower"] == pytest.approx(max(s - Z95 * se * s, 0.0), abs=1e-12)
    assert plain["upper"] == pytest.approx(min(s + Z95 * se * s, 1.0), abs=1e-12)
    log = km_curve(HAND_T, HAND_E, conf_type="log").iloc[2]
    assert log["lower"] == pytest.approx(s * math.exp(-Z95 * se), abs=1e-12)
    assert log["upper"] == pytest.approx(min(s * math.exp(Z95 * se), 1.0), abs=1e-12)
    # time 4: S = 2/9, se = sqrt(3/4): plain lower 2/9 (1 - 1.96 * 0.866) < 0 is clipped to 0,
    # log upper 2/9 exp(1.96 * 0.866) = 1.21 is capped at 1.
    assert km_curve(HAND_T, HAND_E, conf_type="plain").iloc[3]["lower"] == 0.0
    assert km_curve(HAND_T, HAND_E, conf_type="log").iloc[3]["upper"] == 1.0


def test_hand_quantiles_and_brookmeyer_crowley_limits() -> None:
    s = km_summary(HAND_T, HAND_E, conf_type="log-log")
    # S: 5/6 at 1, 2/3 at 2, 4/9 at 3, 2/9 at 4, 0 at 5.
    # q25: first time S <= .75 is 2; median: S <= .5 first at 3; q75: S <= .25 first at 4.
    assert (s["q25"], s["median"], s["q75"]) == (2.0, 3.0, 4.0)
    # Lower band (log-log) at time 1 is ~0.273 <= 0.5, so the median's lower limit is 1; the
    # upper band never reaches 0.5 (0.61 at time 4, undefined at 5): upper limit not reached.
    assert _loglog(5 / 6, math.sqrt(1 / 30))[0] < 0.5 < _loglog(2 / 9, math.sqrt(3 / 4))[1]
    assert s["median_lower"] == 1.0
    assert math.isnan(s["median_upper"])


def test_median_is_midpoint_when_curve_sits_at_half() -> None:
    # 6 events at 1..6: S(3) = 3/6 = 0.5 exactly on [3, 4) -> median (3 + 4) / 2 = 3.5.
    assert km_summary([1, 2, 3, 4, 5, 6], [1] * 6)["median"] == 3.5
    # 4 subjects, censoring at 3 inside the plateau: S = 1/2 on [2, 4) -> (2 + 4) / 2 = 3
    # (the plateau ends at the next *event*, not at the censoring).
    assert km_summary([1, 2, 3, 4], [1, 1, 0, 1])["median"] == 3.0


def test_quantile_plateau_at_the_end_uses_last_time() -> None:
    # Events at 1, 2, 3, censored at 4: S = 3/4, 1/2, 1/4, 1/4 -> the 0.25 level is held until
    # the last observed time 4, so q75 = (3 + 4) / 2 = 3.5; q25 = (1 + 2) / 2, median (2 + 3) / 2.
    s = km_summary([1, 2, 3, 4], [1, 1, 1, 0])
    assert (s["q25"], s["median"], s["q75"]) == (1.5, 2.5, 3.5)


def test_plateau_detection_uses_floating_tolerance() -> None:
    # 20 events at 1..20: S(k) = (20 - k) / 20 mathematically, so S = .75, .5, .25 exactly on
    # [5, 6), [10, 11), [15, 16). The running product gives 0.49999999999999994 at 10, so
    # without R's sqrt(eps) tolerance the median would come out as 10 instead of 10.5.
    s = km_summary(list(range(1, 21)), [1] * 20)
    assert (s["q25"], s["median"], s["q75"]) == (5.5, 10.5, 15.5)


def test_times_equal_up_to_floating_error_are_one_time() -> None:
    # survfit(timefix = TRUE): 1 and 1 + 1e-9 are one time (gap <= sqrt(eps) ~ 1.5e-8), so the
    # censoring there is still at risk at the event: S = 1 - 1/2 = 0.5 (not 1 - 1/1 = 0).
    curve = km_curve([1.0, 1.0 + 1e-9], [0, 1])
    assert curve["time"].tolist() == [1.0]
    assert curve[["n_risk", "n_event", "n_censor"]].iloc[0].tolist() == [2, 1, 1]
    assert curve["survival"].iloc[0] == 0.5
    # A gap of 1e-6 is a real gap: the censoring at 1 leaves 1 at risk at 1.000001 -> S = 0.
    assert km_curve([1.0, 1.000001], [0, 1])["survival"].tolist() == [1.0, 0.0]


def test_median_not_reached_is_nan() -> None:
    # 1 event among 10: S never falls below 0.9.
    s = km_summary(list(range(1, 11)), [1] + [0] * 9)
    assert math.isnan(s["median"]) and math.isnan(s["q75"]) and math.isnan(s["q25"])
    assert s["events"] == 1


def test_timepoints_extend_and_before_first_time() -> None:
    # Events at 1 and 2 among 4 subjects, censored at 3 and 4.
    # S: 3/4 on [1, 2), 3/4 * 2/3 = 1/2 from 2 on. Last observation 4 (censored).
    s = km_summary([1, 2, 3, 4], [1, 1, 0, 0], conf_type="log", timepoints=[10, 0.5, 2, 4])
    points = s["timepoints"]
    assert points["time"].tolist() == [10, 0.5, 2, 4]  # order as given
    # n_risk = number with time >= t: 0 after the last observation (extend=TRUE), 4, 3, 1.
    assert points["n_risk"].tolist() == [0, 4, 3, 1]
    assert points["survival"].tolist() == pytest.approx([0.5, 1.0, 0.5, 0.5], abs=1e-12)
    # Before the first time S = 1 with limits 1 (R's survfit0 origin row).
    assert points.iloc[1][["lower", "upper"]].tolist() == [1.0, 1.0]
    # After the last observation the limits are carried forward from time 4.
    assert points.iloc[0]["lower"] == pytest.approx(points.iloc[3]["lower"], abs=0)


def test_n1_and_all_censored() -> None:
    s = km_summary([5], [1])
    # One event at 5: S drops from 1 to 0, every quantile is 5, and no limit exists.
    assert (s["q25"], s["median"], s["q75"]) == (5.0, 5.0, 5.0)
    assert math.isnan(s["median_lower"]) and math.isnan(s["median_upper"])
    s = km_summary([2, 4, 6], [0, 0, 0], timepoints=[3, 9])
    assert math.isnan(s["median"]) and s["events"] == 0
    assert s["timepoints"]["survival"].tolist() == [1.0, 1.0]


def test_empty_input_gives_nan_with_n_zero() -> None:
    s = km_summary([], [], timepoints=[6, 12])
    assert s["n"] == 0 and s["events"] == 0
    for key in ("median", "median_lower", "median_upper", "q25", "q25_lower", "q25_upper"):
        assert math.isnan(s[key])
    for key in ("q75", "q75_lower", "q75_upper"):
        assert math.isnan(s[key])
    assert s["timepoints"]["n_risk"].tolist() == [0, 0]
    assert s["timepoints"]["survival"].isna().all()
    assert km_curve([], []).empty
    assert math.isnan(reverse_km_median_followup([], [])["median"])


def test_result_keys_and_types() -> None:
    s = km_summary([1, 2, 3], [1, 0, 1], timepoints=(1.5,))
    assert list(s) == [
        "n",
        "events",
        "median",
        "median_lower",
        "median_upper",
        "q25",
        "q25_lower",
        "q25_upper",
        "q75",
        "q75_lower",
        "q75_upper",
        "timepoints",
    ]
    assert isinstance(s, dict)
    assert list(s["timepoints"].columns) == ["time", "n_risk", "survival", "lower", "upper"]
    assert s["timepoints"]["n_risk"].dtype == np.int64


def test_order_of_subjects_and_input_types_do_not_matter() -> None:
    data = DATASETS["simulated_ties_500"]
    t = np.asarray(data["time"])
    e = np.asarray(data["event"], dtype=int)
    perm = np.random.default_rng(7).permutation(t.size)
    a = km_summary(t, e, timepoints=[100, 365.25])
    b = km_summary(pd.Series(t[perm]), pd.Series(e[perm].astype(bool)), timepoints=[100, 365.25])
    for key in a:
        if key == "timepoints":
            pd.testing.assert_frame_equal(a[key], b[key])
        else:
            assert a[key] == b[key] or (math.isnan(a[key]) and math.isnan(b[key]))


def test_reverse_km_swaps_the_indicator() -> None:
    # Reverse KM of (t, e) is the KM of (t, 1 - e): censored at 2, 4, 6; events at 1, 3, 5.
    # Reverse KM: n=6, "events" (censorings) at 2 (n at risk 5), 4 (3), 6 (1):
    # S = 4/5 on [2, 4), 4/5 * 2/3 = 8/15 on [4, 6), 0 at 6 -> median 6.
    f = reverse_km_median_followup([1, 2, 3, 4, 5, 6], [1, 0, 1, 0, 1, 0])
    assert f["median"] == 6.0
    assert f["censored"] == 3


# --- lifelines, an independent implementation ---------------------------------------------


@pytest.mark.parametrize("name", ["lung", "simulated_ties_500", "ties", "last_event"])
def test_lifelines_agrees_on_curve_median_and_loglog_band(name: str) -> None:
    lifelines = pytest.importorskip("lifelines")
    data = DATASETS[name]
    kmf = lifelines.KaplanMeierFitter().fit(data["time"], data["event"], alpha=0.05)
    curve = km_curve(data["time"], data["event"], conf_type="log-log")
    sf = kmf.survival_function_.iloc[:, 0]
    np.testing.assert_allclose(
        sf.loc[curve["time"]].to_numpy(), curve["survival"].to_numpy(), rtol=0, atol=1e-12
    )
    # lifelines reports the first time S <= 0.5 (no plateau midpoint rule), so it agrees
    # wherever S does not sit exactly at 0.5 - true for these datasets.
    assert km_summary(data["time"], data["event"])["median"] == kmf.median_survival_time_
    # lifelines' default band is the exponential Greenwood (log-log) band, like conf_type
    # "log-log"; compare where both are defined (0 < S < 1).
    ci = kmf.confidence_interval_.loc[curve["time"]]
    inside = (curve["survival"] > 0) & (curve["survival"] < 1)
    np.testing.assert_allclose(
        ci.iloc[:, 0].to_numpy()[inside], curve["lower"][inside], rtol=0, atol=1e-9
    )
    np.testing.assert_allclose(
        ci.iloc[:, 1].to_numpy()[inside], curve["upper"][inside], rtol=0, atol=1e-9
    )


# --- input checks -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("time", "event", "fragment"),
    [
        ([1, -2, 3], [1, 0, 1], "time"),
        ([1, float("nan"), 3], [1, 0, 1], "time"),
        ([1, float("inf"), 3], [1, 0, 1], "time"),
        ([1, 2, 3], [1, 2, 1], "event"),
        ([1, 2, 3], [1, float("nan"), 1], "event"),
        ([1, 2, 3], [1, 0.5, 1], "event"),
        ([1, 2, 3], [1, 0], "event"),
        (["a", "b"], [1, 0], "time"),
        ([[1, 2]], [[1, 0]], "time"),
    ],
)
def test_bad_time_or_event_raises_value_error(time: Any, event: Any, fragment: str) -> None:
    for func in (km_summary, km_curve, reverse_km_median_followup):
        with pytest.raises(ValueError, match=fragment) as info:
            func(time, event)
        assert isinstance(info.value, SurvivalInputError)
        assert isinstance(info.value, InputError)
        assert "\n" not in str(info.value)


def test_error_names_position_and_value() -> None:
    with pytest.raises(ValueError, match=r"-2\.0 at position 1"):
        km_summary([1, -2, 3], [1, 0, 1])


@pytest.mark.parametrize(
    "kwargs",
    [
        {"conf_type": "logit"},
        {"conf_type": "loglog"},
        {"conf_level": 1.0},
        {"conf_level": 0.0},
        {"timepoints": [-1]},
        {"timepoints": [float("nan")]},
    ],
)
def test_bad_options_raise_value_error(kwargs: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        km_summary([1, 2, 3], [1, 0, 1], **kwargs)

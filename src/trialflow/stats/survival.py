"""Kaplan–Meier estimation that reproduces R's ``survival::survfit`` to floating precision.

Public functions:

- :func:`km_curve` – the Kaplan–Meier step function with Greenwood standard errors and pointwise
  confidence limits, one row per distinct observed time (as ``survfit`` stores it).
- :func:`km_summary` – n, events, the quartiles with Brookmeyer–Crowley confidence limits (as
  ``quantile.survfit``) and the survival at chosen times (as ``summary(fit, times=,
  extend=TRUE)``).
- :func:`reverse_km_median_followup` – median follow-up by the reverse Kaplan–Meier method.

Conventions (all mirror survival 3.5; the reference numbers in ``tests/reference`` come from it):

- Greenwood variance on the log scale, ``var(log S(t)) = sum d / (n (n - d))``; it is infinite
  once S reaches 0.
- Pointwise limits as ``survival:::survfit_confint`` with ``logse=TRUE``: "plain" is
  ``S ± z·se·S`` clipped to [0, 1]; "log" is ``exp(log S ± z·se)`` with the upper limit capped
  at 1 and both limits NaN where S = 0; "log-log" is ``exp(-exp(log(-log S) ∓ z·se / log S))``
  and both limits are NaN where S = 0 or S = 1.
- Quantiles and their limits as ``survival:::findq`` (tolerance ``sqrt(machine eps)``): where
  the curve (or a band) sits exactly at ``1 - p`` over an interval, the quantile is the midpoint
  between the time it got there and the next time it moves (or the last observed time, if it
  never moves again). A quantile that is never reached is NaN.
- Times closer than sqrt(machine eps) (absolutely, or relative to the mean time) are one time,
  as survfit's default ``timefix=TRUE`` (``aeqSurv``) makes them.
- Times are in whatever units they were given in. Times must be finite and >= 0; events 0/1.
"""

from __future__ import annotations

from collections.abc import Sequence
from statistics import NormalDist
from typing import Any

import numpy as np
import pandas as pd

from trialflow.errors import InputError

CONF_TYPES: tuple[str, ...] = ("log-log", "log", "plain")
QUANTILE_PROBS: tuple[float, ...] = (0.25, 0.5, 0.75)
# R: quantile.survfit(tolerance = sqrt(.Machine$double.eps))
QUANTILE_TOLERANCE: float = float(np.sqrt(np.finfo(float).eps))
# R: aeqSurv(tolerance = sqrt(.Machine$double.eps)), applied by survfit(timefix = TRUE)
TIMEFIX_TOLERANCE: float = float(np.sqrt(np.finfo(float).eps))

CURVE_COLUMNS: tuple[str, ...] = (
    "time",
    "n_risk",
    "n_event",
    "n_censor",
    "survival",
    "std_err",
    "lower",
    "upper",
)
TIMEPOINT_COLUMNS: tuple[str, ...] = ("time", "n_risk", "survival", "lower", "upper")


class SurvivalInputError(InputError, ValueError):
    """Invalid time/event input to a Kaplan–Meier function (an `InputError` and a `ValueError`)."""


# --------------------------------------------------------------------------- input checks


def _as_float_1d(values: Any, name: str, func: str) -> np.ndarray:
    try:
        if isinstance(values, pd.Series | pd.Index):
            arr = values.to_numpy(dtype=float, na_value=np.nan)
        else:
            arr = np.asarray(values, dtype=float)
    except (TypeError, ValueError) as exc:
        raise SurvivalInputError(
            func, f"{name} is not numeric ({exc})", variable=name, expected="numbers"
        ) from None
    if arr.ndim != 1:
        raise SurvivalInputError(
            func, f"{name} must be one-dimensional, got shape {arr.shape}", variable=name
        )
    return arr


def _first_bad(arr: np.ndarray, bad: np.ndarray) -> str:
    pos = int(np.flatnonzero(bad)[0])
    return f"{int(bad.sum())} invalid value(s), first {float(arr[pos])!r} at position {pos}"


def _check_time_event(time: Any, event: Any, func: str) -> tuple[np.ndarray, np.ndarray]:
    """Return (time, event) as float arrays, or raise SurvivalInputError naming the problem."""
    t = _as_float_1d(time, "time", func)
    e = _as_float_1d(event, "event", func)
    if t.shape != e.shape:
        raise SurvivalInputError(
            func,
            f"time has {t.size} values but event has {e.size}",
            variable="event",
            expected="one event flag per time",
        )
    bad_t = ~np.isfinite(t) | (t < 0)
    if bad_t.any():
        raise SurvivalInputError(
            func, _first_bad(t, bad_t), variable="time", expected="finite times >= 0"
        )
    bad_e = ~((e == 0) | (e == 1))
    if bad_e.any():
        raise SurvivalInputError(
            func,
            _first_bad(e, bad_e),
            variable="event",
            expected="0 (censored) or 1 (event)",
        )
    return t, e


def _check_options(conf_level: float, conf_type: str) -> float:
    if conf_type not in CONF_TYPES:
        raise ValueError(f"conf_type must be one of {', '.join(CONF_TYPES)}; got {conf_type!r}")
    level = float(conf_level)
    if not 0.0 < level < 1.0:
        raise ValueError(f"conf_level must be strictly between 0 and 1; got {conf_level!r}")
    return level


def _check_timepoints(timepoints: Sequence[float] | np.ndarray, func: str) -> np.ndarray:
    tp = _as_float_1d(np.atleast_1d(np.asarray(timepoints)), "timepoints", func)
    bad = ~np.isfinite(tp) | (tp < 0)
    if bad.any():
        raise SurvivalInputError(
            func,
            _first_bad(tp, bad),
            variable="timepoints",
            expected="finite times >= 0",
        )
    return tp


# --------------------------------------------------------------------------- core estimation


def _timefix(utime: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Merge times that differ only by floating error, as ``survival::aeqSurv`` (timefix=TRUE).

    ``survfit(Surv(time, event) ~ 1)`` treats sorted distinct times as tied when their gap is
    <= sqrt(eps), or <= sqrt(eps) times the mean absolute distinct time; each run of such
    times takes the value of its first (smallest) member. Returns the merged distinct times
    and, for each input distinct time, the index of its merged time.
    """
    if utime.size < 2:
        return utime, np.arange(utime.size)
    gap = np.diff(utime)
    tol = TIMEFIX_TOLERANCE
    tied = (gap <= tol) | (gap / np.mean(np.abs(utime)) <= tol)
    if not tied.any():
        return utime, np.arange(utime.size)
    starts = np.concatenate(([True], ~tied))
    group = np.cumsum(starts) - 1
    return utime[starts], group


def _km_table(t: np.ndarray, e: np.ndarray) -> dict[str, np.ndarray]:
    """Kaplan–Meier product-limit estimate at each distinct observed time (survfitKM).

    Returns arrays time, n_risk, n_event, n_censor, surv and se_log, where se_log is Greenwood's
    standard error of log S (survfit's ``std.err``): sqrt(cumsum(d / (n (n - d)))). Times that
    differ only by floating error are merged first, as survfit's default ``timefix=TRUE``.
    """
    n = t.size
    utime, inverse = np.unique(t, return_inverse=True)
    utime, group = _timefix(utime)
    inverse = group[inverse]
    total = np.bincount(inverse, minlength=utime.size)
    n_event = np.bincount(inverse, weights=e, minlength=utime.size).astype(np.int64)
    n_censor = total - n_event
    n_risk = n - (np.cumsum(total) - total)
    nr = n_risk.astype(float)
    d = n_event.astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        surv = np.cumprod((nr - d) / nr)
        greenwood = np.cumsum(d / (nr * (nr - d)))  # +inf once everyone left has the event
    return {
        "time": utime,
        "n_risk": n_risk,
        "n_event": n_event,
        "n_censor": n_censor,
        "surv": surv,
        "se_log": np.sqrt(greenwood),
    }


def _z(conf_level: float) -> float:
    return NormalDist().inv_cdf(1.0 - (1.0 - conf_level) / 2.0)


def _confint(
    surv: np.ndarray, se_log: np.ndarray, conf_level: float, conf_type: str
) -> tuple[np.ndarray, np.ndarray]:
    """Pointwise limits for S(t), exactly as ``survival:::survfit_confint`` (logse=TRUE, usual).

    - plain:   S ± z·se·S, lower clipped at 0, upper at 1 (NaN where S = 0 since se = inf).
    - log:     exp(log S ± z·se), upper capped at 1; NaN where S = 0.
    - log-log: exp(-exp(log(-log S) ∓ z·se / log S)); NaN where S = 0 or S = 1.
    """
    z = _z(conf_level)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        if conf_type == "plain":
            half = se_log * surv * z
            return np.maximum(surv - half, 0.0), np.minimum(surv + half, 1.0)
        if conf_type == "log":
            xx = np.where(surv == 0, np.nan, surv)
            half = z * se_log
            return np.exp(np.log(xx) - half), np.minimum(np.exp(np.log(xx) + half), 1.0)
        # log-log
        xx = np.where((surv == 0) | (surv == 1), np.nan, surv)
        half = z * se_log / np.log(xx)
        loglog = np.log(-np.log(xx))
        return np.exp(-np.exp(loglog - half)), np.exp(-np.exp(loglog + half))


def _approx_constant_right(knots: np.ndarray, values: np.ndarray, p: np.ndarray) -> np.ndarray:
    """R ``approx(knots, values, p, method="constant", f=1)`` for sorted knots; -1 = NA."""
    j = np.searchsorted(knots, p, side="left")  # first knot >= p
    inside = (p >= knots[0]) & (p <= knots[-1])
    return np.where(inside, values[np.minimum(j, knots.size - 1)], -1)


def _findq(x: np.ndarray, y: np.ndarray, p: np.ndarray, tol: float) -> np.ndarray:
    """Times where the curve 1 - S (``y``, may hold NaN) reaches each probability ``p``.

    A line-by-line port of ``survival:::findq`` (survival 3.5): duplicated y values are dropped
    (the first is kept, so a plateau maps to the time it starts), the index is found with
    tolerance ``tol`` from below (indx1) and above (indx2), and the quantile is the mean of the
    two times, i.e. the midpoint of the plateau when the curve sits exactly at p. A plateau at
    the end of the curve ends at the last observed time.
    """
    out = np.full(p.shape, np.nan)
    if np.nanmax(y) < p.min():
        return out
    xmax = x[-1]
    _, first = np.unique(y, return_index=True, equal_nan=True)
    keep = np.sort(first)
    x = x[keep]
    y = y[keep]
    index = np.arange(y.size)
    ok = ~np.isnan(y)
    yv = y[ok]
    iv = index[ok]
    if yv.size > 1 and not np.all(yv[1:] > yv[:-1]):  # approx() sorts unsorted knots
        order = np.argsort(yv, kind="stable")
        yv = yv[order]
        iv = iv[order]
    indx1 = _approx_constant_right(yv + tol, iv, p)
    indx2 = _approx_constant_right(yv - tol, iv, p)
    both = (indx1 >= 0) & (indx2 >= 0)
    out[both] = (x[indx1[both]] + x[indx2[both]]) / 2.0
    out[p == 0] = x[0]
    if not np.isnan(y[-1]):
        lastpt = np.abs(p - y[-1]) < tol
        out[lastpt] = (x[indx1[lastpt]] + xmax) / 2.0
    return out


def _quantiles(
    table: dict[str, np.ndarray],
    lower: np.ndarray,
    upper: np.ndarray,
    probs: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Quantiles of the KM curve with Brookmeyer–Crowley limits (``survival:::doquant``).

    The lower limit of the quantile is where the lower pointwise band reaches 1 - p, the upper
    limit where the upper band does (the time origin 0 prepended, as survfit's ``firstx``).
    """
    x = np.concatenate(([0.0], table["time"]))

    def curve(s: np.ndarray) -> np.ndarray:
        return np.concatenate(([0.0], 1.0 - s))

    tol = QUANTILE_TOLERANCE
    return (
        _findq(x, curve(table["surv"]), probs, tol),
        _findq(x, curve(lower), probs, tol),
        _findq(x, curve(upper), probs, tol),
    )


def _at_times(
    table: dict[str, np.ndarray],
    lower: np.ndarray,
    upper: np.ndarray,
    times: np.ndarray,
) -> pd.DataFrame:
    """Survival and limits at ``times`` as ``summary(survfit, times=, extend=TRUE)``.

    Before the first observed time S = 1 with limits 1 (survfit0's added origin row); after the
    last observed time S and its limits are carried forward and n_risk is 0. n_risk is the
    number still under observation at t (time >= t).
    """
    utime = table["time"]
    row = np.searchsorted(utime, times, side="right") - 1
    before = row < 0
    safe = np.maximum(row, 0)
    at_risk_row = np.searchsorted(utime, times, side="left")
    n_risk = np.concatenate((table["n_risk"], [0]))[at_risk_row]
    return pd.DataFrame(
        {
            "time": times.astype(float),
            "n_risk": n_risk.astype(np.int64),
            "survival": np.where(before, 1.0, table["surv"][safe]),
            "lower": np.where(before, 1.0, lower[safe]),
            "upper": np.where(before, 1.0, upper[safe]),
        },
        columns=list(TIMEPOINT_COLUMNS),
    )


# --------------------------------------------------------------------------- public API


def km_curve(
    time: Any,
    event: Any,
    conf_level: float = 0.95,
    conf_type: str = "log-log",
) -> pd.DataFrame:
    """Kaplan–Meier step function with Greenwood SEs and pointwise limits (R ``survfit``).

    Rule: Kaplan & Meier (1958) product-limit estimator; Greenwood (1926) variance; pointwise
    limits as ``survival::survfit(conf.type=)`` ("log-log", "log" or "plain").

    One row per distinct observed time (events and censorings), sorted by time, like the
    ``survfit`` object: ``time, n_risk, n_event, n_censor, survival, std_err, lower, upper``.
    ``std_err`` is the Greenwood standard error of S(t) (``summary.survfit``'s ``std.err``,
    i.e. survfit's log-scale ``std.err`` times S); it is NaN where S = 0, as in R. Limits that R
    leaves NA are NaN (S = 0 for all types, and S = 1 for "log-log"). There is no added row at
    time 0: a plotting routine should start the curve at (0, 1) itself.

    Raises ``SurvivalInputError`` (a ``ValueError``) on negative/non-finite times, events other
    than 0/1 or length mismatch. Empty input gives an empty frame.
    """
    level = _check_options(conf_level, conf_type)
    t, e = _check_time_event(time, event, "km_curve")
    if t.size == 0:
        return pd.DataFrame({c: pd.Series(dtype=float) for c in CURVE_COLUMNS})
    table = _km_table(t, e)
    lower, upper = _confint(table["surv"], table["se_log"], level, conf_type)
    with np.errstate(invalid="ignore"):
        std_err = table["se_log"] * table["surv"]
    return pd.DataFrame(
        {
            "time": table["time"],
            "n_risk": table["n_risk"].astype(np.int64),
            "n_event": table["n_event"],
            "n_censor": table["n_censor"].astype(np.int64),
            "survival": table["surv"],
            "std_err": std_err,
            "lower": lower,
            "upper": upper,
        },
        columns=list(CURVE_COLUMNS),
    )


def km_summary(
    time: Any,
    event: Any,
    conf_level: float = 0.95,
    conf_type: str = "log-log",
    timepoints: Sequence[float] | np.ndarray = (),
) -> dict[str, Any]:
    """Kaplan–Meier summary: n, events, quartiles with CIs, and survival at timepoints.

    Rules (each as R survival 3.5 computes it, checked against it to 1e-6):

    - Kaplan–Meier estimate with Greenwood variance; pointwise limits per ``conf_type``
      ("log-log" default, "log", "plain"; R's own default is "log").
    - Median and quartiles as ``quantile.survfit``: the first time S(t) <= 1 - p; where S(t)
      equals 1 - p over an interval (tolerance sqrt(machine eps)) the midpoint of that interval
      (from the time S reached 1 - p to the next time it drops, or to the last observed time).
    - Their confidence limits are Brookmeyer–Crowley as survfit computes them: the times at
      which the lower and upper pointwise bands reach 1 - p, with the same midpoint rule.
    - Anything never reached is NaN (tables show "NE").
    - ``timepoints``: ``summary(fit, times=timepoints, extend=TRUE)``. Before the first observed
      time S = 1 (limits 1); after the last observed time S and its limits are carried forward
      with n_risk = 0 (R drops such times unless ``extend=TRUE``). Rows keep the order given.

    Times are in the units given. Returns a plain dict with keys ``n``, ``events``,
    ``median``, ``median_lower``, ``median_upper``, ``q25``, ``q25_lower``, ``q25_upper``,
    ``q75``, ``q75_lower``, ``q75_upper`` and ``timepoints`` (DataFrame with columns
    ``time, n_risk, survival, lower, upper``). With no subjects, n = events = 0 and every
    number is NaN.

    Raises ``SurvivalInputError`` (a ``ValueError``) on negative/non-finite times or
    timepoints, events other than 0/1, or a length mismatch; ``ValueError`` on a bad option.
    """
    level = _check_options(conf_level, conf_type)
    t, e = _check_time_event(time, event, "km_summary")
    tp = _check_timepoints(timepoints, "km_summary")
    probs = np.asarray(QUANTILE_PROBS)
    if t.size == 0:
        q = ql = qu = np.full(probs.shape, np.nan)
        points = pd.DataFrame(
            {
                "time": tp,
                "n_risk": np.zeros(tp.size, dtype=np.int64),
                "survival": np.full(tp.size, np.nan),
                "lower": np.full(tp.size, np.nan),
                "upper": np.full(tp.size, np.nan),
            },
            columns=list(TIMEPOINT_COLUMNS),
        )
    else:
        table = _km_table(t, e)
        lower, upper = _confint(table["surv"], table["se_log"], level, conf_type)
        q, ql, qu = _quantiles(table, lower, upper, probs)
        points = _at_times(table, lower, upper, tp)
    result: dict[str, Any] = {"n": int(t.size), "events": int(e.sum())}
    for i, key in enumerate(("q25", "median", "q75")):
        result[key] = float(q[i])
        result[f"{key}_lower"] = float(ql[i])
        result[f"{key}_upper"] = float(qu[i])
    result["timepoints"] = points
    order = (
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
    )
    return {key: result[key] for key in order}


def reverse_km_median_followup(
    time: Any,
    event: Any,
    conf_level: float = 0.95,
    conf_type: str = "log-log",
) -> dict[str, Any]:
    """Median follow-up by the reverse Kaplan–Meier method (Schemper & Smith 1996).

    Rule: swap the indicator (censoring becomes the "event", events become censored) and take
    the Kaplan–Meier median with its Brookmeyer–Crowley CI, exactly as
    ``quantile(survfit(Surv(time, 1 - event) ~ 1, conf.type=), probs=0.5)``.

    Returns a dict with ``n``, ``censored`` (the number of censored subjects, i.e. the reverse
    KM's events), ``median``, ``median_lower`` and ``median_upper`` (NaN when not reached).
    """
    t, e = _check_time_event(time, event, "reverse_km_median_followup")
    summary = km_summary(t, 1.0 - e, conf_level=conf_level, conf_type=conf_type)
    return {
        "n": summary["n"],
        "censored": summary["events"],
        "median": summary["median"],
        "median_lower": summary["median_lower"],
        "median_upper": summary["median_upper"],
    }

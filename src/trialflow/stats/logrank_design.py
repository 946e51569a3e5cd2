"""The one-sample log-rank design: its sample size (Wu 2015, Pharmaceutical Statistics
14:26–33), the test at a cutoff and the decision it leads to.

- `one_sample_logrank_sample_size`: the number of subjects and expected events;
- `one_sample_logrank_test`: O, E, Z and the one-sided p-value from observed times;
- `landmark_vs_historical`: a Kaplan–Meier landmark rate and its interval against a historical
  rate (supportive);
- `pfs_decision`: the decision of a PFS-primary trial as a sentence.

A single arm is compared with a historical survival curve S0. With O the observed events and
E = Σ Λ0(X_i) the events expected under the historical cumulative hazard Λ0 (X_i the observed
times), the test statistic is

- ``variance="standard"``: Z = (E − O) / sqrt(E), the original one-sample log-rank test;
- ``variance="wu"``: Z = (E − O) / sqrt((O + E) / 2), Wu's (2015, §2) modified test.

H0 (S = S0) is rejected for Z > z_{1−α}, one-sided, when fewer events occur than expected.

Under the alternative S1 the per-subject means are ω1 = E[Δ] (the probability of an event)
and ω0 = E[Λ0(X)], and σ² = Var(Λ0(X) − Δ). E − O is then approximately normal with mean
n(ω0 − ω1) and variance nσ², while E/n → ω0 and (O + E)/(2n) → (ω0 + ω1)/2, so

    n = (z_{1−α} v + z_{1−β} σ)² / (ω0 − ω1)²,  v = sqrt(ω0) or sqrt((ω0 + ω1)/2)

(Wu 2015, §3). Survival is Weibull with a common shape κ (κ = 1: exponential),
S(t) = exp(−ln 2 (t / median)^κ); accrual is uniform over ``accrual`` time units and every
subject is followed until ``followup`` after the last enrolment (administrative censoring
uniform on [followup, accrual + followup]); there is no other loss to follow-up.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
from scipy import special

VARIANCES: tuple[str, ...] = ("standard", "wu")
"""The variance estimates `one_sample_logrank_sample_size` accepts."""


def _moments(
    median0: float, median1: float, accrual: float, followup: float, shape: float
) -> tuple[float, float, float]:
    """ω1, ω0 and σ² under the alternative (see the module docstring)."""
    from scipy import integrate  # only the sample size needs it (slow to import)

    ln2 = math.log(2.0)

    def cumhaz0(t: float) -> float:
        return ln2 * (t / median0) ** shape

    def haz0(t: float) -> float:
        return ln2 * shape / median0 * (t / median0) ** (shape - 1) if t > 0 else 0.0

    def surv1(t: float) -> float:
        return math.exp(-ln2 * (t / median1) ** shape)

    def dens1(t: float) -> float:
        if t <= 0:
            return 0.0
        return ln2 * shape / median1 * (t / median1) ** (shape - 1) * surv1(t)

    def given_c(c: float) -> tuple[float, float, float, float]:
        # for censoring at c: E[Δ], E[Λ0(X)], E[Λ0(X)²], E[Δ Λ0(X)]
        d = 1.0 - surv1(c)
        m0 = integrate.quad(lambda t: surv1(t) * haz0(t), 0.0, c, limit=200)[0]
        m00 = integrate.quad(lambda t: 2 * cumhaz0(t) * surv1(t) * haz0(t), 0.0, c, limit=200)[0]
        md0 = integrate.quad(lambda t: cumhaz0(t) * dens1(t), 0.0, c, limit=200)[0]
        return d, m0, m00, md0

    lo, hi = followup, accrual + followup
    if accrual == 0:
        d, m0, m00, md0 = given_c(followup)
    else:
        d, m0, m00, md0 = (
            integrate.quad(lambda c, j=j: given_c(c)[j], lo, hi, limit=200)[0] / accrual
            for j in range(4)
        )
    w1, w0 = d, m0
    var = d - 2.0 * md0 + m00 - (w1 - w0) ** 2
    return w1, w0, var


def one_sample_logrank_sample_size(
    *,
    median0: float,
    median1: float,
    accrual: float,
    followup: float,
    alpha: float,
    power: float,
    variance: str = "standard",
    shape: float = 1.0,
) -> dict[str, float | int | str]:
    """The number of subjects (and the events expected under the alternative) for a
    one-sided one-sample log-rank test at level ``alpha`` with the given ``power`` (Wu 2015).

    ``median0`` is the historical median and ``median1`` (> median0) the median under the
    alternative, in the same time unit as ``accrual`` and ``followup``. Returns ``n`` (rounded
    up), ``events`` (n·ω1, the events expected under the alternative, rounded up), the
    unrounded ``n_exact``, ``omega1`` (P(event) under the alternative), ``omega0``, ``sigma``,
    ``hazard_ratio`` (λ1/λ0 = (median0/median1)^κ), ``variance`` and the inputs.
    """
    if variance not in VARIANCES:
        raise ValueError(f"variance must be one of {', '.join(VARIANCES)}, got {variance!r}")
    for name, v in (("median0", median0), ("median1", median1), ("shape", shape)):
        if not (math.isfinite(float(v)) and float(v) > 0):
            raise ValueError(f"{name} must be positive, got {v}")
    if not median1 > median0:
        raise ValueError(f"median1 must exceed median0, got {median0} and {median1}")
    if not (float(accrual) >= 0 and float(followup) >= 0 and accrual + followup > 0):
        raise ValueError(
            f"accrual and followup must be non-negative and not both 0, got {accrual}, {followup}"
        )
    for name, v in (("alpha", alpha), ("power", power)):
        if not 0.0 < float(v) < 1.0:
            raise ValueError(f"{name} must lie strictly between 0 and 1, got {v}")
    w1, w0, var = _moments(
        float(median0), float(median1), float(accrual), float(followup), float(shape)
    )
    za, zb = special.ndtri(1.0 - float(alpha)), special.ndtri(float(power))
    v = math.sqrt(w0) if variance == "standard" else math.sqrt((w0 + w1) / 2.0)
    sigma = math.sqrt(var)
    n_exact = (za * v + zb * sigma) ** 2 / (w0 - w1) ** 2
    n = math.ceil(n_exact - 1e-9)
    return {
        "n": int(n),
        "events": int(math.ceil(n * w1 - 1e-9)),
        "n_exact": float(n_exact),
        "omega1": float(w1),
        "omega0": float(w0),
        "sigma": float(sigma),
        "hazard_ratio": float((median0 / median1) ** shape),
        "variance": variance,
        "median0": float(median0),
        "median1": float(median1),
        "accrual": float(accrual),
        "followup": float(followup),
        "alpha": float(alpha),
        "power": float(power),
        "shape": float(shape),
    }


def one_sample_logrank_test(
    time: object,
    event: object,
    *,
    median0: float,
    variance: str = "standard",
    shape: float = 1.0,
) -> dict[str, float | int | str]:
    """The one-sample log-rank test of observed times against the historical Weibull (shape
    κ; exponential when 1) curve with median ``median0`` (Finkelstein, Muzikansky & Schoenfeld
    2003, J Natl Cancer Inst 95:1434–1439; Wu 2015 for ``variance="wu"``).

    O = the events, E = Σ Λ0(t_i) over every subject with Λ0(t) = ln 2 (t / median0)^κ;
    Z = (E − O) / sqrt(E) (standard) or (E − O) / sqrt((O + E) / 2) (Wu), one-sided
    p = 1 − Φ(Z): a small p means fewer events than the historical hazard predicts. Returns
    ``n``, ``O``, ``E``, ``ratio`` (O/E), ``z``, ``p_value``, ``variance`` and the historical
    curve's ``median0`` and ``shape``; with E = 0 (no follow-up) z, p and the ratio are NaN.
    """
    if variance not in VARIANCES:
        raise ValueError(f"variance must be one of {', '.join(VARIANCES)}, got {variance!r}")
    t = np.asarray(time, dtype=float)
    d = np.asarray(event, dtype=float)
    if t.ndim != 1 or d.shape != t.shape:
        raise ValueError("time and event must be one-dimensional and of the same length")
    if not np.all(np.isfinite(t)) or np.any(t < 0):
        raise ValueError("time must be finite and non-negative")
    if not np.all(np.isin(d, (0.0, 1.0))):
        raise ValueError("event must be 0 (censored) or 1 (event)")
    m0 = float(median0)
    if not (math.isfinite(m0) and m0 > 0):
        raise ValueError(f"median0 must be positive, got {median0}")
    observed = int(d.sum())
    expected = float(np.sum(math.log(2.0) * (t / m0) ** float(shape)))
    var = expected if variance == "standard" else (observed + expected) / 2.0
    if expected > 0 and var > 0:
        z = (expected - observed) / math.sqrt(var)
        p = float(special.ndtr(-z))
        ratio = observed / expected
    else:
        z = p = ratio = math.nan
    return {
        "n": int(t.size),
        "O": observed,
        "E": expected,
        "ratio": float(ratio),
        "z": float(z),
        "p_value": p,
        "variance": variance,
        "median0": m0,
        "shape": float(shape),
    }


def landmark_vs_historical(
    survival: float,
    lower: float,
    upper: float,
    historical_rate: float,
    *,
    landmark_months: float | None = None,
    endpoint: str = "PFS",
    conf_level: float = 0.95,
) -> dict[str, object]:
    """Compare a Kaplan–Meier landmark rate and its CI with a historical rate.

    ``comparison`` is "above" when the lower confidence limit exceeds the historical rate,
    "below" when the upper limit is below it, "includes" otherwise, and "not estimable" when
    the landmark rate or a limit is NaN (for example, no follow-up to the landmark). Example
    ``sentence``: "6-month PFS 42% (95% CI 30%–54%) vs historical 25%: the lower limit exceeds
    the historical rate." Percentages are rounded to whole numbers.
    """
    hist = float(historical_rate)
    if not 0.0 < hist < 1.0:
        raise ValueError(f"historical_rate must lie strictly between 0 and 1, got {hist}")
    label = endpoint if landmark_months is None else f"{landmark_months:g}-month {endpoint}"
    level = f"{round(100 * float(conf_level), 6):g}%"

    def pc(v: float) -> str:
        return f"{100 * v:.0f}%"

    values = [float(survival), float(lower), float(upper)]
    if any(math.isnan(v) for v in values):
        comparison = "not estimable"
        shown = "not estimable" if math.isnan(values[0]) else f"{pc(values[0])} (CI not estimable)"
        sentence = f"{label} {shown} vs historical {pc(hist)}: no comparison is possible."
    else:
        s, lo, hi = values
        head = f"{label} {pc(s)} ({level} CI {pc(lo)}–{pc(hi)}) vs historical {pc(hist)}"
        if lo > hist:
            comparison = "above"
            sentence = f"{head}: the lower limit exceeds the historical rate."
        elif hi < hist:
            comparison = "below"
            sentence = f"{head}: the upper limit is below the historical rate."
        else:
            comparison = "includes"
            sentence = f"{head}: the confidence interval includes the historical rate."
    return {
        "survival": values[0],
        "lower": values[1],
        "upper": values[2],
        "historical_rate": hist,
        "comparison": comparison,
        "sentence": sentence,
    }


def pfs_decision(
    logrank: Mapping[str, float | int | str],
    landmark: Mapping[str, object] | None = None,
    *,
    alpha: float,
    units: str = "months",
    endpoint: str = "PFS",
) -> dict[str, object]:
    """The decision of a PFS-primary single-arm trial, as a sentence.

    The primary test is the one-sample log-rank test (`one_sample_logrank_test`, whose result
    is ``logrank``): the treatment is "promising" when its one-sided p-value is <= alpha, "not
    promising" otherwise, and "not evaluable" without follow-up (E = 0). The landmark
    comparison (`landmark_vs_historical`) is supportive and is appended to the sentence; it
    does not change the decision.
    """
    if not 0.0 < float(alpha) < 1.0:
        raise ValueError(f"alpha must lie strictly between 0 and 1, got {alpha}")
    o, e = int(logrank["O"]), float(logrank["E"])
    z, p = float(logrank["z"]), float(logrank["p_value"])
    med = float(logrank["median0"])
    shape = float(logrank.get("shape", 1.0))
    curve = "exponential" if shape == 1.0 else f"Weibull (shape {shape:g})"
    head = (
        f"One-sample log-rank test of {endpoint} against a historical {curve} median of "
        f"{med:g} {units}"
    )
    if math.isnan(p):
        decision = "not evaluable"
        sentence = f"{head}: not evaluable (no follow-up)."
    else:
        stats_text = (
            f"{o} observed vs {e:.1f} expected events (O/E {o / e:.2f}), z = {z:.2f}, "
            f"one-sided p {'< 0.001' if p < 0.001 else f'= {p:.3f}'}"
        )
        if p <= alpha:
            decision = "promising"
            sentence = (
                f"{head}: {stats_text} ≤ alpha = {alpha:g}: {endpoint} is longer than the "
                "historical control; the treatment is promising."
            )
        else:
            decision = "not promising"
            sentence = (
                f"{head}: {stats_text} > alpha = {alpha:g}: {endpoint} is not shown to be longer "
                "than the historical control; the treatment is not promising."
            )
    if landmark is not None:
        sentence = f"{sentence} Supportive: {landmark['sentence']}"
    return {
        "decision": decision,
        "O": o,
        "E": e,
        "z": z,
        "p_value": p,
        "alpha": float(alpha),
        "sentence": sentence,
    }

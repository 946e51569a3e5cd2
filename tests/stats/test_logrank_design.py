"""Tests for trialflow.stats.logrank_design: sample size of the one-sample log-rank test with the
usual variance and with Wu's modified variance (Wu J. Sample size calculation for the
one-sample log-rank test. Pharmaceutical Statistics 2015;14:26–33, §2–3), the test at a cutoff,
the landmark comparison with a historical rate and the PFS decision sentence.

No numeric table of the paper is used. The moments are re-derived here in closed form for
exponential survival (the module integrates numerically), and the sample sizes are checked by
simulation with a fixed seed: the power reached at n and the type I error, with the paper's
finding (§1, §4) that the original test is conservative while the modified test keeps the
nominal level. The test at a cutoff is checked against hand arithmetic in the comments.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats as sps

from trialflow.stats.logrank_design import (
    landmark_vs_historical,
    one_sample_logrank_sample_size,
    one_sample_logrank_test,
    pfs_decision,
)


def closed_form(m0: float, m1: float, accrual: float, follow: float):
    """ω1, ω0, σ² for exponential survival, censoring uniform on [F, A + F].

    Given censoring at c, with T ~ Exp(l1) and Λ0(t) = l0 t:
      E[Δ] = 1 − e^{−l1 c}
      E[Δ Λ0(X)] = l0 E[T; T <= c] = l0 (1/l1 − e^{−l1 c}(c + 1/l1))
      E[Λ0(X)²] = l0² E[min(T, c)²] = 2 l0² (1/l1² − e^{−l1 c}(c/l1 + 1/l1²))
      E[Λ0(X)] = (l0 / l1) E[Δ]
    and over c uniform: I0 = mean of e^{−l1 c}, I1 = mean of c e^{−l1 c}.
    """
    l0, l1 = math.log(2) / m0, math.log(2) / m1
    lo, hi = follow, accrual + follow

    def anti1(c: float) -> float:  # antiderivative of c e^{-l1 c}
        return -math.exp(-l1 * c) * (c / l1 + 1 / l1**2)

    i0 = (math.exp(-l1 * lo) - math.exp(-l1 * hi)) / (l1 * accrual)
    i1 = (anti1(hi) - anti1(lo)) / accrual
    w1 = 1 - i0
    w0 = l0 / l1 * w1
    e_d0 = l0 * (1 / l1 - i1 - i0 / l1)
    e_00 = 2 * l0**2 * (1 / l1**2 - i1 / l1 - i0 / l1**2)
    var = w1 - 2 * e_d0 + e_00 - (w1 - w0) ** 2
    return w1, w0, var


@pytest.mark.parametrize("variance", ["standard", "wu"])
@pytest.mark.parametrize(
    ("m0", "m1", "accrual", "follow"), [(6, 9, 24, 12), (12, 18, 36, 12), (6, 12, 12, 6)]
)
def test_sample_size_by_closed_form(m0, m1, accrual, follow, variance) -> None:
    w1, w0, var = closed_form(m0, m1, accrual, follow)
    za, zb = 1.6448536269514722, 0.8416212335729143  # z_0.95, z_0.80
    v = math.sqrt(w0) if variance == "standard" else math.sqrt((w0 + w1) / 2)
    n_exact = (za * v + zb * math.sqrt(var)) ** 2 / (w0 - w1) ** 2
    d = one_sample_logrank_sample_size(
        median0=m0,
        median1=m1,
        accrual=accrual,
        followup=follow,
        alpha=0.05,
        power=0.80,
        variance=variance,
    )
    assert d["omega1"] == pytest.approx(w1, rel=1e-8)
    assert d["omega0"] == pytest.approx(w0, rel=1e-8)
    assert d["sigma"] ** 2 == pytest.approx(var, rel=1e-7)
    assert d["n_exact"] == pytest.approx(n_exact, rel=1e-7)
    assert d["n"] == math.ceil(n_exact)
    assert d["events"] == math.ceil(d["n"] * w1)


def simulate(n, m0, truth, accrual, follow, variance, rng, sims=20_000) -> float:
    l0, lt = math.log(2) / m0, math.log(2) / truth
    t = rng.exponential(1 / lt, size=(sims, n))
    c = rng.uniform(follow, accrual + follow, size=(sims, n))
    o = (t <= c).sum(axis=1)
    e = (l0 * np.minimum(t, c)).sum(axis=1)
    z = (e - o) / np.sqrt(e if variance == "standard" else (o + e) / 2)
    return float((z > sps.norm.ppf(0.95)).mean())


@pytest.mark.parametrize(("m0", "m1", "accrual", "follow"), [(6, 9, 24, 12), (6, 12, 12, 6)])
def test_power_and_size_by_simulation(m0, m1, accrual, follow) -> None:
    # 20,000 simulated trials per setting (seed fixed); Monte Carlo SE about 0.003.
    # Tolerances: the power at n lies within 0.80 ± 0.02 for Wu's test (the asymptotic
    # approximation plus 5 SE) and at least 0.79 for the standard test; the standard test is
    # conservative (size below 0.05, Wu 2015 §1) and Wu's test within 0.05 ± 0.01.
    rng = np.random.default_rng(2015)
    kw = {"median0": m0, "median1": m1, "accrual": accrual, "followup": follow}
    n_std = one_sample_logrank_sample_size(alpha=0.05, power=0.8, variance="standard", **kw)["n"]
    n_wu = one_sample_logrank_sample_size(alpha=0.05, power=0.8, variance="wu", **kw)["n"]
    assert n_wu < n_std
    pw_wu = simulate(n_wu, m0, m1, accrual, follow, "wu", rng)
    pw_std = simulate(n_std, m0, m1, accrual, follow, "standard", rng)
    size_wu = simulate(n_wu, m0, m0, accrual, follow, "wu", rng)
    size_std = simulate(n_std, m0, m0, accrual, follow, "standard", rng)
    assert abs(pw_wu - 0.80) < 0.02
    assert pw_std >= 0.79
    assert size_std < 0.05
    assert abs(size_wu - 0.05) < 0.01


def test_checks() -> None:
    kw = {"accrual": 12, "followup": 6, "alpha": 0.05, "power": 0.8}
    with pytest.raises(ValueError, match="median1 must exceed median0"):
        one_sample_logrank_sample_size(median0=9, median1=6, **kw)
    with pytest.raises(ValueError, match="variance"):
        one_sample_logrank_sample_size(median0=6, median1=9, variance="exact", **kw)


# --- the test at a cutoff -------------------------------------------------------------------


def test_one_sample_logrank_hand_example() -> None:
    # times (months) 2, 4, 6, 3, 5 with events 1, 0, 1, 1, 0; historical median 3 months.
    # H0(t) = t ln2 / 3; E = (2 + 4 + 6 + 3 + 5) * 0.6931472 / 3 = 20 * 0.2310491 = 4.620981
    # O = 3; Z = (4.620981 - 3) / sqrt(4.620981) = 1.620981 / 2.149647 = 0.754069
    # p = 1 - Phi(0.754069) = 0.2254; O/E = 3 / 4.620981 = 0.649213
    res = one_sample_logrank_test([2, 4, 6, 3, 5], [1, 0, 1, 1, 0], median0=3.0)
    assert res["O"] == 3
    assert res["E"] == pytest.approx(4.620981, abs=1e-6)
    assert res["z"] == pytest.approx(0.754069, abs=1e-5)
    assert res["p_value"] == pytest.approx(0.5 * math.erfc(0.754069 / math.sqrt(2)), abs=1e-5)
    assert res["ratio"] == pytest.approx(0.649213, abs=1e-6)
    assert res["n"] == 5


def test_one_sample_logrank_benefit_gives_small_p() -> None:
    # 40 subjects each followed 12 months, 10 events, historical median 3 months:
    # E = 40 * 12 * ln2 / 3 = 160 ln2 = 110.90355; Z = (110.90355 - 10) / sqrt(110.90355)
    #   = 100.90355 / 10.531075 = 9.58150 -> p ~ 5e-22
    res = one_sample_logrank_test([12.0] * 40, [1] * 10 + [0] * 30, median0=3.0)
    assert res["E"] == pytest.approx(160 * math.log(2), rel=1e-12)
    assert res["z"] == pytest.approx(9.58150, abs=1e-4)
    assert res["p_value"] < 1e-20


def test_one_sample_logrank_bad_input() -> None:
    with pytest.raises(ValueError):
        one_sample_logrank_test([1, 2], [1], median0=3)
    with pytest.raises(ValueError):
        one_sample_logrank_test([1, -2], [1, 0], median0=3)
    with pytest.raises(ValueError):
        one_sample_logrank_test([1, 2], [1, 2], median0=3)
    with pytest.raises(ValueError):
        one_sample_logrank_test([1, 2], [1, 0], median0=0)


def test_one_sample_logrank_no_follow_up() -> None:
    res = one_sample_logrank_test([0.0, 0.0], [0, 0], median0=3)
    assert res["E"] == 0 and math.isnan(res["p_value"])
    d = pfs_decision(res, alpha=0.05)
    assert d["decision"] == "not evaluable"


# --- landmark and PFS decision --------------------------------------------------------------


def test_landmark_above() -> None:
    d = landmark_vs_historical(0.42, 0.30, 0.54, 0.25, landmark_months=6)
    assert d["comparison"] == "above"
    assert d["sentence"] == (
        "6-month PFS 42% (95% CI 30%–54%) vs historical 25%: the lower limit exceeds the "
        "historical rate."
    )


def test_landmark_includes_and_below() -> None:
    d = landmark_vs_historical(0.30, 0.20, 0.41, 0.25, landmark_months=6)
    assert d["comparison"] == "includes"
    assert "includes the historical rate" in d["sentence"]
    d = landmark_vs_historical(0.12, 0.05, 0.22, 0.25, landmark_months=12)
    assert d["comparison"] == "below"
    assert d["sentence"].startswith("12-month PFS 12% (95% CI 5%–22%) vs historical 25%")


def test_landmark_not_estimable() -> None:
    d = landmark_vs_historical(math.nan, math.nan, math.nan, 0.25, landmark_months=6)
    assert d["comparison"] == "not estimable"
    assert "not estimable" in d["sentence"]


def test_pfs_decision_promising_and_not() -> None:
    lm = landmark_vs_historical(0.42, 0.30, 0.54, 0.25, landmark_months=6)
    strong = one_sample_logrank_test([12.0] * 40, [1] * 10 + [0] * 30, median0=3.0)
    d = pfs_decision(strong, lm, alpha=0.05)
    assert d["decision"] == "promising"
    assert "historical exponential median of 3 months" in d["sentence"]
    assert "10 observed vs 110.9 expected events" in d["sentence"]
    assert "one-sided p < 0.001 ≤ alpha = 0.05" in d["sentence"]
    assert d["sentence"].endswith("the lower limit exceeds the historical rate.")
    weak = one_sample_logrank_test([2, 4, 6, 3, 5], [1, 0, 1, 1, 0], median0=3.0)
    d = pfs_decision(weak, None, alpha=0.05)
    assert d["decision"] == "not promising"
    assert "one-sided p = 0.225 > alpha = 0.05" in d["sentence"]


def test_pfs_decision_names_a_weibull_curve() -> None:
    # a Weibull historical curve (shape 2) is named as such; with shape 1 it is exponential
    # time 3 = the median: E = ln2 (3 / 3)^2 = ln2 = 0.693, O = 1
    res = one_sample_logrank_test([3.0], [1], median0=3.0, shape=2.0)
    assert (res["median0"], res["shape"]) == (3.0, 2.0)
    assert res["E"] == pytest.approx(math.log(2))
    d = pfs_decision(res, alpha=0.05)
    assert "historical Weibull (shape 2) median of 3 months" in d["sentence"]

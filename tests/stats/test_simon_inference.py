"""Tests for trialflow.stats.simon_inference: stage-wise p-value and confidence interval
(Koyama T, Chen H. Proper inference from Simon's two-stage designs. Statistics in Medicine
2008;27:3145–3154, §2–3) and the UMVUE (Jung SH, Kim KM. On the estimation of the binomial
probability in multistage clinical trials. Statistics in Medicine 2004;23:881–896, §2).

No published numeric example of these papers is used: every expectation is a defining
property checked by exact enumeration of all outcomes of the design (tests/stats/exact.py),
independently of the module: the p-value as a sum over the more extreme outcomes, its
validity, the unbiasedness of the UMVUE (which, as a function of the complete sufficient
statistic, makes it the UMVUE), and the exact coverage of the interval.
"""

from __future__ import annotations

import pytest
from scipy import stats as sps

from tests.stats import exact
from trialflow.stats.simon_inference import (
    simon_inference,
    simon_umvue,
    stagewise_ci,
    stagewise_p_value,
)

# Simon (1989) Table 1 optimal design for p0 = 0.10, p1 = 0.30, alpha = 0.05, beta = 0.20
D = {"r1": 1, "n1": 10, "r": 5, "n": 29}
P0 = 0.10


def outcomes(d: dict) -> list[tuple[int, int]]:
    """Every final outcome (stage, responses) in the stage-wise order, least extreme first."""
    first = [(1, x) for x in range(0, d["r1"] + 1)]
    second = [(2, s) for s in range(d["r1"] + 1, d["n"] + 1)]
    return first + second


def outcome_prob(stage: int, x: int, d: dict, p: float) -> float:
    r1, n1, n = d["r1"], d["n1"], d["n"]
    if stage == 1:
        return exact.pmf(x, n1, p)
    return sum(exact.pmf(k, n1, p) * exact.pmf(x - k, n - n1, p) for k in range(r1 + 1, n1 + 1))


def tail_ge(stage: int, x: int, d: dict, p: float) -> float:
    """P(outcome >= (stage, x)) by summing the outcome probabilities."""
    ordered = outcomes(d)
    i = ordered.index((stage, x))
    return sum(outcome_prob(s, y, d, p) for s, y in ordered[i:])


def test_outcome_probabilities_sum_to_one() -> None:
    assert sum(outcome_prob(s, x, D, 0.37) for s, x in outcomes(D)) == pytest.approx(1, abs=1e-12)


@pytest.mark.parametrize(("stage", "x"), [(1, 0), (1, 1), (2, 2), (2, 5), (2, 6), (2, 9), (2, 29)])
def test_p_value_is_the_stagewise_tail(stage: int, x: int) -> None:
    # Koyama & Chen (2008) §2: p = P_p0(outcome at least as extreme in the stage-wise order)
    got = stagewise_p_value(x, stage, p0=P0, **D)
    assert got == pytest.approx(tail_ge(stage, x, D, P0), abs=1e-12)


def test_p_value_at_the_rejection_boundary_is_the_attained_alpha() -> None:
    # s = r + 1 = 6 is the least extreme rejecting outcome: its p-value is P0(reject)
    p = stagewise_p_value(6, 2, p0=P0, **D)
    assert p == pytest.approx(exact.simon_reject(1, 10, 5, 29, P0), abs=1e-12)
    assert p <= 0.05 < stagewise_p_value(5, 2, p0=P0, **D)


def test_stage_one_stop_hand_value() -> None:
    # stopped with X1 = 1 of 10: p = P(X1 >= 1) = 1 - 0.9^10 = 0.6513215599
    assert stagewise_p_value(1, 1, p0=P0, **D) == pytest.approx(0.6513215599, abs=1e-10)
    assert stagewise_p_value(0, 1, p0=P0, **D) == pytest.approx(1.0, abs=1e-12)


def test_p_value_is_valid_under_p0() -> None:
    # P_p0(p-value <= u) <= u for every u: enumerate all outcomes
    pv = {(s, x): stagewise_p_value(x, s, p0=P0, **D) for s, x in outcomes(D)}
    for u in (0.01, 0.025, 0.05, 0.1, 0.2, 0.5):
        size = sum(outcome_prob(s, x, D, P0) for (s, x), v in pv.items() if v <= u)
        assert size <= u + 1e-12


def test_stage_one_interval_is_clopper_pearson_on_n1() -> None:
    # After a stage-1 stop the ordering is that of X1 alone: the interval is the exact
    # Clopper–Pearson interval on n1 = 10 (beta quantiles).
    lo, hi = stagewise_ci(1, 1, conf_level=0.95, **D)
    assert lo == pytest.approx(sps.beta.ppf(0.025, 1, 10), abs=1e-9)
    assert hi == pytest.approx(sps.beta.ppf(0.975, 2, 9), abs=1e-9)
    lo0, hi0 = stagewise_ci(0, 1, conf_level=0.95, **D)
    assert lo0 == 0.0
    assert hi0 == pytest.approx(1 - 0.025 ** (1 / 10), abs=1e-9)


@pytest.mark.parametrize("s", [2, 4, 6, 8, 12, 29])
def test_interval_limits_solve_the_tail_equations(s: int) -> None:
    lo, hi = stagewise_ci(s, 2, conf_level=0.90, **D)
    assert tail_ge(2, s, D, lo) == pytest.approx(0.05, abs=1e-8)
    if s < D["n"]:
        assert 1 - tail_ge(2, s + 1, D, hi) == pytest.approx(0.05, abs=1e-8)
    else:
        assert hi == 1.0


def test_interval_matches_the_p_value() -> None:
    # p0 lies below the lower limit of the two-sided 90% interval exactly when p < 0.05
    for s, x in outcomes(D):
        p = stagewise_p_value(x, s, p0=P0, **D)
        lo, _ = stagewise_ci(x, s, conf_level=0.90, **D)
        assert (lo > P0) == (p < 0.05)


@pytest.mark.parametrize("p", [0.02, 0.1, 0.17, 0.3, 0.55, 0.9])
def test_interval_exact_coverage(p: float) -> None:
    cover = 0.0
    for s, x in outcomes(D):
        lo, hi = stagewise_ci(x, s, conf_level=0.90, **D)
        if lo <= p <= hi:
            cover += outcome_prob(s, x, D, p)
    assert cover >= 0.90 - 1e-9


def test_umvue_hand_value() -> None:
    # n1 = 2, r1 = 0, n = 4, stage 2 with s = 2: x1 in {1, 2}
    # numerator   C(1,0)C(2,1) + C(1,1)C(2,0) = 2 + 1 = 3
    # denominator C(2,1)C(2,1) + C(2,2)C(2,0) = 4 + 1 = 5  ->  0.6 (naive 2/4 = 0.5)
    assert simon_umvue(2, 2, r1=0, n1=2, r=1, n=4) == pytest.approx(0.6, abs=1e-15)
    assert simon_umvue(1, 1, **D) == pytest.approx(0.1, abs=1e-15)


@pytest.mark.parametrize("p", [0.05, 0.1, 0.25, 0.5, 0.8])
@pytest.mark.parametrize("d", [D, {"r1": 3, "n1": 13, "r": 12, "n": 43}])
def test_umvue_is_unbiased(p: float, d: dict) -> None:
    # Jung & Kim (2004) §2: E_p[estimate] = p for every p (exact enumeration)
    mean = sum(outcome_prob(s, x, d, p) * simon_umvue(x, s, **d) for s, x in outcomes(d))
    assert mean == pytest.approx(p, abs=1e-12)


def test_naive_estimate_is_biased() -> None:
    # the check above can fail: the naive X/N after the design is biased at p = 0.25
    def naive(s: int, x: int) -> float:
        return x / (D["n1"] if s == 1 else D["n"])

    mean = sum(outcome_prob(s, x, D, 0.25) * naive(s, x) for s, x in outcomes(D))
    assert abs(mean - 0.25) > 1e-3


def test_simon_inference_keys_and_checks() -> None:
    out = simon_inference(6, 2, p0=P0, **D)
    assert sorted(out) == ["ci_lower", "ci_upper", "p_value", "umvue"]
    with pytest.raises(ValueError, match="goes on to stage 2"):
        simon_inference(2, 1, p0=P0, **D)
    with pytest.raises(ValueError, match="between r1 \\+ 1"):
        simon_inference(1, 2, p0=P0, **D)

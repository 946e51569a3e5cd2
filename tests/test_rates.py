"""Tests for trialflow.stats.rates: binomial confidence intervals and the exact binomial test.

References used for expected values (never this module's own output):
- scipy.stats.binomtest(...).proportion_ci (Clopper–Pearson "exact" and "wilson");
- beta quantiles computed here with scipy.stats.beta for the Jeffreys interval;
- published values: Clopper–Pearson 95% CI for 5/20 is (0.0866, 0.4910) (standard textbook
  example); Fagerland, Lydersen & Laake (2017), Statistical Analysis of Contingency Tables,
  ch. 2, Ligarden et al. (2010) data X = 13, n = 16: Clopper–Pearson 0.5435 to 0.9595,
  Jeffreys 0.5792 to 0.9442, exact binomial test (two-sided, pi0 = 0.5) P = 0.02127;
- hand arithmetic written in the comments.
"""

from __future__ import annotations

import math

import pytest
from scipy import stats

from trialflow.stats.rates import binomial_ci, exact_binomial_test, response_rate

INTERMEDIATE = [(1, 10), (3, 7), (5, 20), (12, 85), (17, 30), (29, 124), (99, 100)]


# --- boundaries ---------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["clopper-pearson", "wilson", "jeffreys"])
@pytest.mark.parametrize("n", [1, 5, 20, 124])
def test_zero_responders_has_lower_limit_exactly_zero(method: str, n: int) -> None:
    lower, upper = binomial_ci(0, n, method=method)
    assert lower == 0.0
    assert 0.0 < upper < 1.0


@pytest.mark.parametrize("method", ["clopper-pearson", "wilson", "jeffreys"])
@pytest.mark.parametrize("n", [1, 5, 20, 124])
def test_all_responders_has_upper_limit_exactly_one(method: str, n: int) -> None:
    lower, upper = binomial_ci(n, n, method=method)
    assert upper == 1.0
    assert 0.0 < lower < 1.0


def test_clopper_pearson_zero_of_n_upper_limit_by_hand() -> None:
    # At x = 0 the exact upper limit solves (1 - p)^n = alpha/2, so p = 1 - 0.025^(1/n).
    # n = 10: 1 - 0.025 ** 0.1 = 0.308497...
    assert binomial_ci(0, 10)[1] == pytest.approx(1 - 0.025**0.1, abs=1e-12)
    # Symmetrically at x = n the lower limit is 0.025^(1/n).
    assert binomial_ci(10, 10)[0] == pytest.approx(0.025**0.1, abs=1e-12)


@pytest.mark.parametrize("method", ["clopper-pearson", "wilson", "jeffreys"])
def test_empty_denominator_gives_nan(method: str) -> None:
    lower, upper = binomial_ci(0, 0, method=method)
    assert math.isnan(lower) and math.isnan(upper)


# --- intermediate cases against an established reference ---------------------------------


@pytest.mark.parametrize(("x", "n"), INTERMEDIATE)
@pytest.mark.parametrize("conf_level", [0.90, 0.95])
def test_clopper_pearson_matches_scipy_binomtest(x: int, n: int, conf_level: float) -> None:
    ref = stats.binomtest(x, n).proportion_ci(confidence_level=conf_level, method="exact")
    lower, upper = binomial_ci(x, n, conf_level=conf_level, method="clopper-pearson")
    assert lower == pytest.approx(ref.low, abs=1e-9)
    assert upper == pytest.approx(ref.high, abs=1e-9)


@pytest.mark.parametrize(("x", "n"), INTERMEDIATE)
@pytest.mark.parametrize("conf_level", [0.90, 0.95])
def test_wilson_matches_scipy_binomtest(x: int, n: int, conf_level: float) -> None:
    ref = stats.binomtest(x, n).proportion_ci(confidence_level=conf_level, method="wilson")
    lower, upper = binomial_ci(x, n, conf_level=conf_level, method="wilson")
    assert lower == pytest.approx(ref.low, abs=1e-9)
    assert upper == pytest.approx(ref.high, abs=1e-9)


def test_clopper_pearson_textbook_5_of_20() -> None:
    lower, upper = binomial_ci(5, 20)
    assert round(lower, 4) == 0.0866
    assert round(upper, 4) == 0.4910


def test_clopper_pearson_published_13_of_16() -> None:
    # Fagerland et al. (2017), Ligarden et al. (2010) example: 0.5435 to 0.9595.
    lower, upper = binomial_ci(13, 16)
    assert round(lower, 4) == 0.5435
    assert round(upper, 4) == 0.9595


def test_wilson_by_hand_5_of_20() -> None:
    # z = 1.959964, z^2 = 3.841459
    # centre = (5 + 3.841459/2) / (20 + 3.841459) = 6.920729 / 23.841459 = 0.290281
    # half   = 1.959964 / 23.841459 * sqrt(5*15/20 + 3.841459/4)
    #        = 0.082208 * sqrt(4.710365) = 0.082208 * 2.170338 = 0.178419
    # -> (0.111862, 0.468700)
    lower, upper = binomial_ci(5, 20, method="wilson")
    assert lower == pytest.approx(0.111862, abs=2e-6)
    assert upper == pytest.approx(0.468700, abs=2e-6)


@pytest.mark.parametrize(("x", "n"), INTERMEDIATE)
def test_jeffreys_is_equal_tailed_beta_posterior(x: int, n: int) -> None:
    # Jeffreys prior Beta(1/2, 1/2) -> posterior Beta(x + 1/2, n - x + 1/2); equal tails.
    a, b = x + 0.5, n - x + 0.5
    lower, upper = binomial_ci(x, n, method="jeffreys")
    assert lower == pytest.approx(stats.beta.ppf(0.025, a, b), abs=1e-12)
    assert upper == pytest.approx(stats.beta.ppf(0.975, a, b), abs=1e-12)
    # the posterior mass between the limits is the confidence level
    assert stats.beta.cdf(upper, a, b) - stats.beta.cdf(lower, a, b) == pytest.approx(0.95)


def test_jeffreys_published_13_of_16() -> None:
    # Fagerland et al. (2017), Ligarden et al. (2010) example: 0.5792 to 0.9442.
    lower, upper = binomial_ci(13, 16, method="jeffreys")
    assert round(lower, 4) == 0.5792
    assert round(upper, 4) == 0.9442


def test_jeffreys_boundary_convention_differs_from_raw_quantile() -> None:
    # Without the convention the lower limit at x = 0 would be the 2.5% quantile of
    # Beta(0.5, n + 0.5), which is > 0; the convention (Brown, Cai & DasGupta 2001) sets 0.
    assert stats.beta.ppf(0.025, 0.5, 20.5) > 0
    assert binomial_ci(0, 20, method="jeffreys")[0] == 0.0
    assert binomial_ci(0, 20, method="jeffreys")[1] == pytest.approx(
        stats.beta.ppf(0.975, 0.5, 20.5), abs=1e-12
    )


def test_higher_level_gives_wider_interval() -> None:
    lo90, hi90 = binomial_ci(12, 85, conf_level=0.90)
    lo95, hi95 = binomial_ci(12, 85, conf_level=0.95)
    assert lo95 < lo90 < 12 / 85 < hi90 < hi95


# --- response_rate ------------------------------------------------------------------------


def test_response_rate_mapping() -> None:
    res = response_rate(12, 85, conf_level=0.95, method="clopper-pearson")
    ref = stats.binomtest(12, 85).proportion_ci(method="exact")
    assert res["n"] == 12
    assert res["N"] == 85
    assert res["estimate"] == pytest.approx(12 / 85)
    assert res["lower"] == pytest.approx(ref.low, abs=1e-9)
    assert res["upper"] == pytest.approx(ref.high, abs=1e-9)
    assert res["method"] == "clopper-pearson"
    assert res["conf_level"] == 0.95


def test_response_rate_uses_requested_method() -> None:
    res = response_rate(5, 20, method="wilson")
    assert res["method"] == "wilson"
    assert res["lower"] == pytest.approx(0.111862, abs=2e-6)


def test_response_rate_empty_denominator() -> None:
    res = response_rate(0, 0)
    assert res["N"] == 0
    assert math.isnan(res["estimate"]) and math.isnan(res["lower"]) and math.isnan(res["upper"])


# --- exact binomial test ------------------------------------------------------------------


def test_exact_test_hand_computed_small_case() -> None:
    # P(X >= 13 | n = 16, p = 1/2) = (C(16,13) + C(16,14) + C(16,15) + C(16,16)) / 2^16
    #                              = (560 + 120 + 16 + 1) / 65536 = 697 / 65536 = 0.0106354
    # (Fagerland et al. report the two-sided P = 2 x 0.0106354 = 0.02127.)
    assert exact_binomial_test(13, 16, 0.5) == pytest.approx(697 / 65536, rel=1e-12)


def test_exact_test_hand_computed_p0_ten_percent() -> None:
    # P(X >= 2 | n = 10, p = 0.1) = 1 - 0.9^10 - 10 * 0.1 * 0.9^9
    #                             = 1 - 0.3486784 - 0.3874205 = 0.2639011
    assert exact_binomial_test(2, 10, 0.1) == pytest.approx(1 - 0.9**10 - 0.9**9, rel=1e-12)


@pytest.mark.parametrize(
    ("x", "n", "p0"), [(12, 85, 0.10), (4, 21, 0.10), (0, 10, 0.2), (29, 124, 0.1)]
)
def test_exact_test_matches_scipy_binomtest(x: int, n: int, p0: float) -> None:
    ref = stats.binomtest(x, n, p0, alternative="greater").pvalue
    assert exact_binomial_test(x, n, p0) == pytest.approx(ref, rel=1e-10)
    ref_less = stats.binomtest(x, n, p0, alternative="less").pvalue
    assert exact_binomial_test(x, n, p0, alternative="less") == pytest.approx(ref_less, rel=1e-10)


def test_exact_test_zero_responders_is_one() -> None:
    # P(X >= 0) = 1
    assert exact_binomial_test(0, 10, 0.1) == 1.0


# --- argument checking --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("x", "n", "kwargs"),
    [
        (-1, 10, {}),
        (11, 10, {}),
        (1.5, 10, {}),
        (1, 10, {"conf_level": 1.0}),
        (1, 10, {"conf_level": 0.0}),
        (1, 10, {"method": "wald"}),
    ],
)
def test_bad_arguments_raise(x: float, n: int, kwargs: dict) -> None:
    with pytest.raises(ValueError):
        binomial_ci(x, n, **kwargs)  # type: ignore[arg-type]


def test_exact_test_bad_arguments_raise() -> None:
    with pytest.raises(ValueError):
        exact_binomial_test(1, 10, 0.0)
    with pytest.raises(ValueError):
        exact_binomial_test(1, 10, 0.1, alternative="two-sided")

"""Tests for trialflow.stats.predictive: the predictive probability design of Lee JJ, Liu DD.
A predictive probability design for phase II cancer clinical trials. Clinical Trials
2008;5:93–106.

The published value is the worked example of Table 1 (§2): p0 = 0.60, θ_T = 0.90, Nmax = 40,
Beta(0.6, 0.4) prior, 16 responses in the first 23 subjects, predictive probability 0.5656.
Boundaries and operating characteristics are checked by exact binomial enumeration written
in tests/stats/exact.py, independently of the module.
"""

from __future__ import annotations

import pytest

from tests.stats import exact
from trialflow.stats.predictive import (
    monitoring_looks,
    posterior_probability,
    predictive_boundaries,
    predictive_design,
    predictive_probability,
)


def pp_independent(x: int, n: int, nmax: int, p0: float, theta_t: float, a: float, b: float):
    m = nmax - n
    return sum(
        exact.betabinom_pmf(i, m, a + x, b + n - x)
        for i in range(m + 1)
        if exact.posterior_gt(p0, a + x + i, b + nmax - x - i) > theta_t
    )


def test_lee_liu_table_1_worked_example() -> None:
    # Lee & Liu (2008), Table 1 (p. 96): PP = 0.5656
    pp = predictive_probability(16, 23, nmax=40, p0=0.60, theta_t=0.90, a=0.6, b=0.4)
    assert round(pp, 4) == 0.5656
    assert pp == pytest.approx(pp_independent(16, 23, 40, 0.60, 0.90, 0.6, 0.4), abs=1e-12)


@pytest.mark.parametrize(("x", "n"), [(0, 5), (3, 10), (7, 21), (12, 30), (20, 39), (25, 40)])
def test_predictive_probability_by_independent_sum(x: int, n: int) -> None:
    got = predictive_probability(x, n, nmax=40, p0=0.2, theta_t=0.95, a=0.2, b=0.8)
    assert got == pytest.approx(pp_independent(x, n, 40, 0.2, 0.95, 0.2, 0.8), abs=1e-12)


def test_posterior_probability_hand_value() -> None:
    # Beta(1, 1) prior, 2 responses of 2: posterior Beta(3, 1), P(p > 0.5) = 1 - 0.5^3 = 0.875
    assert posterior_probability(2, 2, p0=0.5, a=1, b=1) == pytest.approx(0.875, abs=1e-14)


DESIGNS = [
    # (p0, p1, a, b, nmax, theta_t, theta_l, first)
    (0.20, 0.40, 0.2, 0.8, 40, 0.90, 0.05, 10),
    (0.60, 0.80, 0.6, 0.4, 40, 0.90, 0.001, 10),
    (0.10, 0.30, 0.5, 0.5, 25, 0.95, 0.10, 5),
]


@pytest.mark.parametrize(("p0", "p1", "a", "b", "nmax", "theta_t", "theta_l", "first"), DESIGNS)
def test_boundaries_by_enumeration(p0, p1, a, b, nmax, theta_t, theta_l, first) -> None:
    looks = list(range(first, nmax + 1))
    bounds = predictive_boundaries(
        looks, nmax=nmax, p0=p0, theta_t=theta_t, theta_l=theta_l, a=a, b=b
    )
    assert [d["n"] for d in bounds] == looks
    for d in bounds:
        n, r = d["n"], d["stop_if_responses_at_most"]
        if n < nmax:
            pps = [pp_independent(x, n, nmax, p0, theta_t, a, b) for x in range(n + 1)]
            stop = [x for x in range(n + 1) if pps[x] < theta_l]
        else:
            stop = [
                x for x in range(n + 1) if not exact.posterior_gt(p0, a + x, b + n - x) > theta_t
            ]
        assert stop == list(range(0, (r if r is not None else -1) + 1))


@pytest.mark.parametrize(("p0", "p1", "a", "b", "nmax", "theta_t", "theta_l", "first"), DESIGNS)
def test_operating_characteristics_by_enumeration(
    p0, p1, a, b, nmax, theta_t, theta_l, first
) -> None:
    d = predictive_design(
        p0=p0, p1=p1, a=a, b=b, nmax=nmax, theta_t=theta_t, theta_l=theta_l, first=first
    )
    looks = [b_["n"] for b_ in d["boundaries"]]
    low = [
        -1 if b_["stop_if_responses_at_most"] is None else b_["stop_if_responses_at_most"]
        for b_ in d["boundaries"]
    ]
    oc0, oc1 = exact.multi_look(looks, low, p0), exact.multi_look(looks, low, p1)
    assert d["alpha"] == pytest.approx(oc0["reject"], abs=1e-12)
    assert d["power"] == pytest.approx(oc1["reject"], abs=1e-12)
    assert d["pet0"] == pytest.approx(oc0["pet"], abs=1e-12)
    assert d["en0"] == pytest.approx(oc0["en"], abs=1e-9)
    assert d["en1"] == pytest.approx(oc1["en"], abs=1e-9)


def test_efficacy_stopping_when_theta_u_below_one() -> None:
    # theta_u = 0.95: the smallest x with PP > 0.95 stops for efficacy (independent sum)
    looks = [10, 20, 30]
    bounds = predictive_boundaries(
        looks, nmax=30, p0=0.2, theta_t=0.9, theta_l=0.05, theta_u=0.95, a=0.2, b=0.8
    )
    for d in bounds[:-1]:
        n = d["n"]
        go = [x for x in range(n + 1) if pp_independent(x, n, 30, 0.2, 0.9, 0.2, 0.8) > 0.95]
        assert d["stop_for_efficacy_if_responses_at_least"] == (min(go) if go else None)


def test_schedule_and_checks() -> None:
    assert monitoring_looks(10, 14) == [10, 11, 12, 13, 14]
    assert monitoring_looks(10, 30, step=10) == [10, 20, 30]
    with pytest.raises(ValueError, match="first look"):
        monitoring_looks(0, 10)
    with pytest.raises(ValueError, match="p1 must exceed p0"):
        predictive_design(p0=0.4, p1=0.3, a=1, b=1, nmax=20, theta_t=0.9, theta_l=0.05, first=5)
    with pytest.raises(ValueError, match="responses <= n <= nmax"):
        predictive_probability(5, 4, nmax=10, p0=0.2, theta_t=0.9, a=1, b=1)

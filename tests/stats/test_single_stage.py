"""Tests for trialflow.stats.single_stage: the exact single-stage binomial design (A'Hern RP.
Sample size tables for exact single-stage phase II designs. Statistics in Medicine
2001;20:859–866). Attained error rates and minimality are checked by direct binomial sums
(tests/stats/exact.py); the hand case is worked in the comments.
"""

from __future__ import annotations

import pytest

from tests.stats import exact
from trialflow.stats.single_stage import single_stage_binomial


def _single_feasible(n: int, p0: float, p1: float, alpha: float, power: float) -> bool:
    return any(
        1 - exact.cdf(r, n, p0) <= alpha and 1 - exact.cdf(r, n, p1) >= power
        for r in range(0, n + 1)
    )


@pytest.mark.parametrize(
    ("p0", "p1", "alpha", "power"),
    [(0.05, 0.25, 0.05, 0.80), (0.10, 0.30, 0.05, 0.90), (0.20, 0.40, 0.05, 0.80)],
)
def test_single_stage_constraints_and_minimality(
    p0: float, p1: float, alpha: float, power: float
) -> None:
    d = single_stage_binomial(p0, p1, alpha, power)
    n, r = d["n"], d["r"]
    a = 1 - exact.cdf(r, n, p0)  # P(X > r | p0)
    pw = 1 - exact.cdf(r, n, p1)
    assert a <= alpha and pw >= power
    assert d["alpha"] == pytest.approx(a, abs=1e-12)
    assert d["power"] == pytest.approx(pw, abs=1e-12)
    # r is the most powerful: r - 1 breaks the type I error
    assert 1 - exact.cdf(r - 1, n, p0) > alpha
    # minimality: n - 1, and every smaller n, fails
    assert not _single_feasible(n - 1, p0, p1, alpha, power)
    assert not any(_single_feasible(m, p0, p1, alpha, power) for m in range(1, n))


def test_single_stage_hand_case() -> None:
    # p0 = 0.05, p1 = 0.25, alpha = 0.05, power = 0.80 -> n = 16, r = 2:
    # P(X > 2 | 0.05) = 1 - (0.95^16 + 16*0.05*0.95^15 + 120*0.05^2*0.95^14)
    #                 = 1 - (0.440127 + 0.370633 + 0.146302) = 0.042938 <= 0.05
    # P(X > 2 | 0.25) = 1 - (0.75^16 + 16*0.25*0.75^15 + 120*0.25^2*0.75^14)
    #                 = 1 - (0.010023 + 0.053454 + 0.133635) = 0.802889 >= 0.80
    # n = 15: r = 2 gives P(X > 2 | 0.25) = 0.763912 < 0.80 and r = 1 gives
    #         P(X > 1 | 0.05) = 0.170953 > 0.05, so 15 fails.
    d = single_stage_binomial(0.05, 0.25, 0.05, 0.80)
    assert (d["n"], d["r"]) == (16, 2)
    assert d["alpha"] == pytest.approx(0.042938, abs=1e-6)
    assert d["power"] == pytest.approx(0.802889, abs=1e-6)

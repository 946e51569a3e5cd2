"""Tests for trialflow.stats.bop2: BOP2 for a binary endpoint (Zhou H, Lee JJ, Yuan Y. BOP2:
Bayesian optimal design for phase II clinical trials with simple and complex endpoints.
Statistics in Medicine 2017;36:3302–3314, §2.2–2.3).

No numeric table of the paper is used. The boundaries are checked against the cutoff rule
P(p > p0 | x of n) < λ (n/N)^γ with an independent posterior; the operating characteristics
by exact enumeration (tests/stats/exact.py) and by simulation with a fixed seed; the
calibration by an independent brute-force search over a coarse grid.
"""

from __future__ import annotations

import numpy as np
import pytest

from tests.stats import exact
from trialflow.stats.bop2 import (
    bop2_boundaries,
    bop2_calibrate,
    bop2_looks,
    bop2_operating_characteristics,
)


def independent_bounds(p0, a, b, looks, lam, gam) -> list[int]:
    out = []
    for n in looks:
        cut = lam * (n / looks[-1]) ** gam
        stop = [x for x in range(n + 1) if exact.posterior_gt(p0, a + x, b + n - x) < cut]
        assert stop == list(range(len(stop)))  # the posterior increases with x
        out.append(len(stop) - 1)
    return out


def test_boundaries_follow_the_cutoff_rule() -> None:
    looks = [10, 20, 30, 40]
    got = bop2_boundaries(p0=0.2, nmax=40, interims=[10, 20, 30], lam=0.85, gamma=1.5)
    want = independent_bounds(0.2, 0.2, 0.8, looks, 0.85, 1.5)
    assert [d["n"] for d in got] == looks
    assert [
        -1 if d["stop_if_responses_at_most"] is None else d["stop_if_responses_at_most"]
        for d in got
    ] == want


def test_gamma_zero_is_a_constant_cutoff_and_hand_value() -> None:
    # Beta(0.5, 0.5) prior, p0 = 0.5, one look n = N = 1 with lambda = 0.7:
    # x = 0: Beta(0.5, 1.5), P(p > 0.5) = 1/2 - 1/pi = 0.1817 < 0.7 -> stop
    # x = 1: Beta(1.5, 0.5), P(p > 0.5) = 1/2 + 1/pi = 0.8183 >= 0.7 -> promising
    got = bop2_boundaries(p0=0.5, nmax=1, interims=[], lam=0.7, gamma=0.0, a=0.5, b=0.5)
    assert got == [{"n": 1, "stop_if_responses_at_most": 0}]


CASES = [
    # p0, p1, nmax, interims, alpha
    (0.20, 0.40, 40, [10, 20, 30], 0.10),
    (0.10, 0.30, 30, [10, 20], 0.05),
    (0.30, 0.50, 50, [10, 20, 30, 40], 0.10),
]


@pytest.mark.parametrize(("p0", "p1", "nmax", "interims", "alpha"), CASES)
def test_calibrated_design_by_enumeration(p0, p1, nmax, interims, alpha) -> None:
    d = bop2_calibrate(p0=p0, p1=p1, nmax=nmax, interims=interims, alpha=alpha)
    looks = [*interims, nmax]
    # the boundaries are those of the reported lambda and gamma
    want = independent_bounds(p0, p0, 1 - p0, looks, d["lambda"], d["gamma"])
    low = [
        -1 if b["stop_if_responses_at_most"] is None else b["stop_if_responses_at_most"]
        for b in d["boundaries"]
    ]
    assert low == want
    oc0, oc1 = exact.multi_look(looks, low, p0), exact.multi_look(looks, low, p1)
    assert d["alpha"] == pytest.approx(oc0["reject"], abs=1e-12)
    assert d["alpha"] <= alpha
    assert d["power"] == pytest.approx(oc1["reject"], abs=1e-12)
    assert d["pet0"] == pytest.approx(oc0["pet"], abs=1e-12)
    assert d["en0"] == pytest.approx(oc0["en"], abs=1e-9)


def test_operating_characteristics_by_simulation() -> None:
    # 200,000 simulated trials with a fixed seed; the simulated rejection and early-stopping
    # rates must lie within 4 binomial standard errors (about 0.004) of the exact values.
    bounds = bop2_boundaries(p0=0.2, nmax=40, interims=[10, 20, 30], lam=0.85, gamma=1.5)
    low = np.array(
        [
            -1 if d["stop_if_responses_at_most"] is None else d["stop_if_responses_at_most"]
            for d in bounds
        ]
    )
    rng = np.random.default_rng(20170501)
    for p in (0.2, 0.4):
        oc = bop2_operating_characteristics(bounds, p)
        sims = 200_000
        x = rng.binomial(1, p, size=(sims, 40)).cumsum(axis=1)[:, [9, 19, 29, 39]]
        stopped_early = (x[:, :3] <= low[:3]).any(axis=1)
        reject = ~stopped_early & (x[:, 3] > low[3])
        for sim, ex in ((reject.mean(), oc["reject"]), (stopped_early.mean(), oc["pet"])):
            se = np.sqrt(ex * (1 - ex) / sims)
            assert abs(sim - ex) < 4 * se + 1e-12


def test_calibration_is_optimal_on_a_coarse_grid() -> None:
    # Independent brute force: lambda 0.50..0.99 by 0.01, gamma 0..3 by 0.25; among the
    # points with type I error <= 0.10 the largest power.
    p0, p1, nmax, looks = 0.2, 0.4, 30, [10, 20, 30]
    best = -1.0
    cache: dict[tuple, tuple] = {}
    for i in range(50):
        lam = round(0.50 + 0.01 * i, 10)
        for j in range(13):
            gam = 0.25 * j
            low = tuple(independent_bounds(p0, p0, 1 - p0, looks, lam, gam))
            if low not in cache:
                cache[low] = (
                    exact.multi_look(list(looks), list(low), p0)["reject"],
                    exact.multi_look(list(looks), list(low), p1)["reject"],
                )
            a0, pw = cache[low]
            if a0 <= 0.10 and pw > best:
                best = pw
    d = bop2_calibrate(
        p0=p0,
        p1=p1,
        nmax=nmax,
        interims=[10, 20],
        alpha=0.10,
        lambda_grid=(0.50, 0.99, 0.01),
        gamma_grid=(0.0, 3.0, 0.25),
    )
    assert d["power"] == pytest.approx(best, abs=1e-12)
    assert d["alpha"] <= 0.10


def test_looks_and_checks() -> None:
    assert bop2_looks(40, [30, 10, 20, 40]) == [10, 20, 30, 40]
    with pytest.raises(ValueError, match="between 1 and nmax"):
        bop2_looks(40, [50])
    with pytest.raises(ValueError, match="no \\(lambda, gamma\\)"):
        bop2_calibrate(
            p0=0.2, p1=0.4, nmax=5, interims=[], alpha=0.001, lambda_grid=(0.5, 0.6, 0.1)
        )

"""Tests for trialflow.stats.plan (a design from trial-file options), the single-stage design
and the one-sample log-rank test at a cutoff. Expectations: Simon (1989) Table 1, brute force
by tests/stats/exact.py, and hand arithmetic in the comments."""

from __future__ import annotations

import math

import pytest
from scipy import stats as sps

from tests.stats import exact
from trialflow.stats.logrank_design import one_sample_logrank_test
from trialflow.stats.plan import describe_design, plan_design, references_for
from trialflow.stats.single_stage import single_stage_binomial


def test_single_stage_is_the_smallest_feasible_n() -> None:
    # brute force: the smallest n with some r where P0(X > r) <= 0.05 and P1(X > r) >= 0.80
    def feasible(n: int) -> int | None:
        for r in range(n):
            if exact.sf(r, n, 0.1) <= 0.05:
                return r if exact.sf(r, n, 0.3) >= 0.80 else None
        return None

    n = next(m for m in range(1, 80) if feasible(m) is not None)
    d = single_stage_binomial(0.1, 0.3, 0.05, 0.8)
    assert (d["n"], d["r"]) == (n, feasible(n))


def test_plan_simon_from_options() -> None:
    # Simon (1989) Table 1: p0 .10, p1 .30, alpha .05, beta .20, minimax 1/15, 5/25
    opts = {"kind": "simon_two_stage", "variant": "minimax", "p0": 0.1, "p1": 0.3}
    d = plan_design(opts | {"alpha": 0.05, "power": 0.8})
    assert (d["r1"], d["n1"], d["r"], d["n"]) == (1, 15, 5, 25)
    text = describe_design(d)
    assert text.startswith("Simon minimax two-stage design (stop if ≤ 1 of the first 15")
    assert "EN0 19.5" in text
    assert references_for(d)[0].startswith("Simon R. Optimal two-stage designs")


def test_plan_every_kind() -> None:
    base = {"p0": 0.2, "p1": 0.4, "alpha": 0.1, "power": 0.8}
    kinds = {
        "single_stage_binomial": {},
        "predictive": {"prior": [0.2, 0.8], "nmax": 30, "theta_t": 0.9, "theta_l": 0.05,
                       "theta_u": 1.0, "first": 10},
        "bop2": {"nmax": 40, "interims": [10, 20, 30]},
        "one_sample_logrank": {"historical_median_months": 3.0, "target_median_months": 5.0,
                               "accrual_months": 20, "followup_months": 12},
    }  # fmt: skip
    for kind, extra in kinds.items():
        d = plan_design({"kind": kind, **base, **extra})
        assert d["kind"] == kind
        assert describe_design(d)
        assert references_for(d)
    with pytest.raises(ValueError, match="design.nmax: a value is required"):
        plan_design({"kind": "bop2", **base, "interims": [10]})
    # every clinical option is stated: the trial schema holds the defaults, not the library
    predictive = {"kind": "predictive", **base, **kinds["predictive"]}
    del predictive["theta_u"]
    with pytest.raises(ValueError, match="design.theta_u: a value is required"):
        plan_design(predictive)
    with pytest.raises(ValueError, match="unknown kind"):
        plan_design({"kind": "fleming"})


def test_logrank_test_hand_values() -> None:
    # times 1, 2, 3, 6 months with events 1, 0, 1, 0; historical median 3 months:
    # E = (1 + 2 + 3 + 6) ln2 / 3 = 4 ln2 = 2.7726, O = 2
    e = 4 * math.log(2)
    std = one_sample_logrank_test([1, 2, 3, 6], [1, 0, 1, 0], median0=3.0)
    assert std["E"] == pytest.approx(e) and std["O"] == 2
    assert std["z"] == pytest.approx((e - 2) / math.sqrt(e))
    assert std["p_value"] == pytest.approx(sps.norm.sf((e - 2) / math.sqrt(e)))
    wu = one_sample_logrank_test([1, 2, 3, 6], [1, 0, 1, 0], median0=3.0, variance="wu")
    assert wu["z"] == pytest.approx((e - 2) / math.sqrt((e + 2) / 2))
    none = one_sample_logrank_test([0.0], [0], median0=3.0)
    assert math.isnan(none["p_value"])

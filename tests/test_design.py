"""Tests for trialflow.stats.design: Simon two-stage and single-stage designs and ORR decisions.

Expected designs come from Simon (1989), Controlled Clinical Trials 10:1-10, Table 1 (the rows
with p1 - p0 = 0.20); EN0 is published to one decimal and PET0 to two. Attained error rates,
PET0 and EN0 are recomputed here by direct binomial sums with math.comb, independently of the
module. Other expectations are worked by hand in comments.
"""

from __future__ import annotations

import math
from functools import cache

import pytest

from trialflow.stats.design import (
    simon_decision,
    simon_two_stage,
    single_stage_binomial,
    single_stage_decision,
)

# --- independent binomial arithmetic --------------------------------------------------------


def pmf(k: int, n: int, p: float) -> float:
    if k < 0 or k > n:
        return 0.0
    return math.comb(n, k) * p**k * (1 - p) ** (n - k)


def cdf(k: int, n: int, p: float) -> float:
    return sum(pmf(i, n, p) for i in range(0, min(k, n) + 1))


def reject_prob(r1: int, n1: int, r: int, n: int, p: float) -> float:
    """P(X1 > r1 and X1 + X2 > r) with X1 ~ Bin(n1, p), X2 ~ Bin(n - n1, p)."""
    n2 = n - n1
    return sum(pmf(x1, n1, p) * (1.0 - cdf(r - x1, n2, p)) for x1 in range(r1 + 1, n1 + 1))


# --- Simon (1989) Table 1 -------------------------------------------------------------------

# (p0, p1, alpha, beta, kind, r1, n1, r, n, EN0, PET0), as printed in Simon (1989) Table 1.
# Note: the row p0 = 0.05, p1 = 0.25 with 0/9, 2/17 (optimal) and 0/12, 2/16 (minimax) is the
# alpha = 0.05, beta = 0.20 row; at alpha = beta = 0.10 the table gives 0/9, 2/24 and 0/13,
# 2/20 (0/9, 2/17 has power 0.81 only, below 0.90: checked in test_brief_row_is_beta_020).
SIMON_TABLE_1 = [
    (0.05, 0.25, 0.10, 0.10, "optimal", 0, 9, 2, 24, 14.5, 0.63),
    (0.05, 0.25, 0.10, 0.10, "minimax", 0, 13, 2, 20, 16.4, 0.51),
    (0.05, 0.25, 0.05, 0.20, "optimal", 0, 9, 2, 17, 12.0, 0.63),
    (0.05, 0.25, 0.05, 0.20, "minimax", 0, 12, 2, 16, 13.8, 0.54),
    (0.10, 0.30, 0.05, 0.20, "optimal", 1, 10, 5, 29, 15.0, 0.74),
    (0.10, 0.30, 0.05, 0.20, "minimax", 1, 15, 5, 25, 19.5, 0.55),
    (0.10, 0.30, 0.05, 0.10, "optimal", 2, 18, 6, 35, 22.5, 0.73),
    (0.10, 0.30, 0.05, 0.10, "minimax", 2, 22, 6, 33, 26.2, 0.62),
    (0.20, 0.40, 0.05, 0.20, "optimal", 3, 13, 12, 43, 20.6, 0.75),
    (0.20, 0.40, 0.05, 0.20, "minimax", 4, 18, 10, 33, 22.3, 0.72),
]


@pytest.mark.parametrize(
    ("p0", "p1", "alpha", "beta", "kind", "r1", "n1", "r", "n", "en0", "pet0"), SIMON_TABLE_1
)
def test_simon_matches_published_table(
    p0: float,
    p1: float,
    alpha: float,
    beta: float,
    kind: str,
    r1: int,
    n1: int,
    r: int,
    n: int,
    en0: float,
    pet0: float,
) -> None:
    d = simon_two_stage(p0, p1, alpha, 1 - beta, kind=kind)
    assert (d["r1"], d["n1"], d["r"], d["n"]) == (r1, n1, r, n)
    assert round(d["en0"], 1) == en0
    assert round(d["pet0"], 2) == pet0
    assert d["kind"] == kind and d["p0"] == p0 and d["p1"] == p1


@pytest.mark.parametrize(
    ("p0", "p1", "alpha", "beta", "kind", "r1", "n1", "r", "n", "en0", "pet0"), SIMON_TABLE_1
)
def test_simon_attained_values_by_direct_sums(
    p0: float,
    p1: float,
    alpha: float,
    beta: float,
    kind: str,
    r1: int,
    n1: int,
    r: int,
    n: int,
    en0: float,
    pet0: float,
) -> None:
    d = simon_two_stage(p0, p1, alpha, 1 - beta, kind=kind)
    # the published design satisfies the constraints (direct sums, independent of the module)
    a = reject_prob(r1, n1, r, n, p0)
    pw = reject_prob(r1, n1, r, n, p1)
    assert a <= alpha and pw >= 1 - beta
    # PET0 = P(X1 <= r1 | p0); EN0 = n1 + (1 - PET0)(n - n1)
    pet = cdf(r1, n1, p0)
    assert d["alpha"] == pytest.approx(a, abs=1e-12)
    assert d["power"] == pytest.approx(pw, abs=1e-12)
    assert d["pet0"] == pytest.approx(pet, abs=1e-12)
    assert d["en0"] == pytest.approx(n1 + (1 - pet) * (n - n1), abs=1e-9)


def test_brief_row_is_beta_020() -> None:
    # 0/9, 2/17 at p0 = 0.05, p1 = 0.25: power is about 0.81, so it cannot be the beta = 0.10 row.
    assert reject_prob(0, 9, 2, 17, 0.25) < 0.90
    assert reject_prob(0, 9, 2, 17, 0.25) >= 0.80
    assert reject_prob(0, 9, 2, 17, 0.05) <= 0.05


def test_simon_pet0_hand_value() -> None:
    # p0 = 0.10, optimal 1/10: PET0 = P(X1 <= 1) = 0.9^10 + 10 * 0.1 * 0.9^9
    #                          = 0.3486784 + 0.3874205 = 0.7360989
    # EN0 = 10 + (1 - 0.7360989) * 19 = 10 + 5.0141 = 15.0141
    d = simon_two_stage(0.10, 0.30, 0.05, 0.80)
    assert d["pet0"] == pytest.approx(0.7360989, abs=1e-7)
    assert d["en0"] == pytest.approx(15.0141, abs=1e-4)


# --- brute force over all small designs, written independently -------------------------------


@cache
def _brute_force(p0: float, p1: float, alpha: float, power: float, nmax: int) -> list[tuple]:
    """Every feasible (EN0, n, n1, r1, r) with n <= nmax, by plain loops."""
    out = []
    for n in range(2, nmax + 1):
        for n1 in range(1, n):
            n2 = n - n1
            pm0 = [pmf(k, n1, p0) for k in range(n1 + 1)]
            pm1 = [pmf(k, n1, p1) for k in range(n1 + 1)]
            sf0 = [1.0 - cdf(k, n2, p0) if k >= 0 else 1.0 for k in range(-n1 - 1, n + 1)]
            sf1 = [1.0 - cdf(k, n2, p1) if k >= 0 else 1.0 for k in range(-n1 - 1, n + 1)]
            off = n1 + 1
            for r1 in range(0, n1):
                pet = sum(pm0[: r1 + 1])
                for r in range(r1, n):
                    a = sum(pm0[x] * sf0[r - x + off] for x in range(r1 + 1, n1 + 1))
                    if a > alpha:
                        continue
                    pw = sum(pm1[x] * sf1[r - x + off] for x in range(r1 + 1, n1 + 1))
                    if pw >= power:
                        out.append((n1 + (1 - pet) * n2, n, n1, r1, r))
    return out


def test_simon_search_agrees_with_brute_force() -> None:
    # p0 = 0.10, p1 = 0.30, alpha = 0.05, power = 0.80, all designs with n <= 30
    feasible = _brute_force(0.10, 0.30, 0.05, 0.80, 30)
    best_en = min(f[0] for f in feasible)
    opt = simon_two_stage(0.10, 0.30, 0.05, 0.80, kind="optimal", nmax=30)
    assert opt["en0"] == pytest.approx(best_en, abs=1e-9)
    assert any(
        (f[1], f[2], f[3], f[4]) == (opt["n"], opt["n1"], opt["r1"], opt["r"]) for f in feasible
    )
    n_min = min(f[1] for f in feasible)
    mm = simon_two_stage(0.10, 0.30, 0.05, 0.80, kind="minimax", nmax=30)
    assert mm["n"] == n_min
    assert mm["en0"] == pytest.approx(min(f[0] for f in feasible if f[1] == n_min), abs=1e-9)


def test_simon_reports_most_powerful_r() -> None:
    # for the chosen (r1, n1, n) no smaller r keeps the type I error <= alpha
    d = simon_two_stage(0.20, 0.40, 0.05, 0.80, kind="minimax")
    assert reject_prob(d["r1"], d["n1"], d["r"] - 1, d["n"], 0.20) > 0.05


def test_simon_nmax_limits_search() -> None:
    # optimal n is 43; capped at 40 the best design must have n <= 40 and still be feasible,
    # with EN0 at least the unrestricted optimum
    free = simon_two_stage(0.20, 0.40, 0.05, 0.80)
    capped = simon_two_stage(0.20, 0.40, 0.05, 0.80, nmax=40)
    assert capped["n"] <= 40
    assert capped["en0"] >= free["en0"]
    assert reject_prob(capped["r1"], capped["n1"], capped["r"], capped["n"], 0.20) <= 0.05
    assert reject_prob(capped["r1"], capped["n1"], capped["r"], capped["n"], 0.40) >= 0.80
    with pytest.raises(ValueError):
        simon_two_stage(0.20, 0.40, 0.05, 0.80, nmax=20)


def test_simon_irinotecan_design_constraints() -> None:
    # the irinotecan trial file: p0 = 0.10, p1 = 0.20, alpha = 0.05, power = 0.90
    for kind in ("optimal", "minimax"):
        d = simon_two_stage(0.10, 0.20, 0.05, 0.90, kind=kind)
        assert reject_prob(d["r1"], d["n1"], d["r"], d["n"], 0.10) <= 0.05
        assert reject_prob(d["r1"], d["n1"], d["r"], d["n"], 0.20) >= 0.90
    opt = simon_two_stage(0.10, 0.20, 0.05, 0.90, kind="optimal")
    mm = simon_two_stage(0.10, 0.20, 0.05, 0.90, kind="minimax")
    assert mm["n"] <= opt["n"] and opt["en0"] <= mm["en0"]


@pytest.mark.parametrize(
    "args",
    [(0.3, 0.2, 0.05, 0.8), (0.1, 0.3, 0.0, 0.8), (0.1, 0.3, 0.05, 1.0), (0.1, 0.3, 0.5, 0.4)],
)
def test_simon_bad_arguments(args: tuple) -> None:
    with pytest.raises(ValueError):
        simon_two_stage(*args)


def test_simon_bad_kind() -> None:
    with pytest.raises(ValueError):
        simon_two_stage(0.1, 0.3, 0.05, 0.8, kind="maximin")


# --- single stage ---------------------------------------------------------------------------


def _single_feasible(n: int, p0: float, p1: float, alpha: float, power: float) -> bool:
    return any(1 - cdf(r, n, p0) <= alpha and 1 - cdf(r, n, p1) >= power for r in range(0, n + 1))


@pytest.mark.parametrize(
    ("p0", "p1", "alpha", "power"),
    [(0.05, 0.25, 0.05, 0.80), (0.10, 0.30, 0.05, 0.90), (0.20, 0.40, 0.05, 0.80)],
)
def test_single_stage_constraints_and_minimality(
    p0: float, p1: float, alpha: float, power: float
) -> None:
    d = single_stage_binomial(p0, p1, alpha, power)
    n, r = d["n"], d["r"]
    a = 1 - cdf(r, n, p0)  # P(X > r | p0)
    pw = 1 - cdf(r, n, p1)
    assert a <= alpha and pw >= power
    assert d["alpha"] == pytest.approx(a, abs=1e-12)
    assert d["power"] == pytest.approx(pw, abs=1e-12)
    # r is the most powerful: r - 1 breaks the type I error
    assert 1 - cdf(r - 1, n, p0) > alpha
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


# --- ORR decisions --------------------------------------------------------------------------

# Simon optimal design p0 = 0.10, p1 = 0.30, alpha = 0.05, beta = 0.10 (Table 1): 2/18, 6/35
DESIGN = {"r1": 2, "n1": 18, "r": 6, "n": 35, "p0": 0.10}


def test_decision_continue_and_promising() -> None:
    d = simon_decision(4, 18, 9, 35, DESIGN)
    assert d["stage1_decision"] == "continue" and d["stage1_complete"]
    assert d["final_decision"] == "promising" and d["final_complete"]
    assert d["sentence"] == (
        "Stage 1: 4 responses in the first 18 evaluable subjects (> r1 = 2): continue to "
        "stage 2. Final: 9 responses in 35 evaluable subjects (> r = 6): the drug is "
        "promising at p0 = 10%."
    )


def test_decision_continue_and_not_promising() -> None:
    # 6 responses = r: not > r
    d = simon_decision(3, 18, 6, 35, DESIGN)
    assert d["stage1_decision"] == "continue"
    assert d["final_decision"] == "not promising" and d["final_complete"]
    assert (
        "Final: 6 responses in 35 evaluable subjects (≤ r = 6): the drug is not promising"
        in (d["sentence"])
    )


def test_decision_stop_at_stage_1() -> None:
    # 2 responses = r1: stop
    d = simon_decision(2, 18, 2, 18, DESIGN)
    assert d["stage1_decision"] == "stop"
    assert d["final_decision"] == "not promising"
    assert d["sentence"].startswith(
        "Stage 1: 2 responses in the first 18 evaluable subjects (≤ r1 = 2): stop for futility."
    )
    assert "not promising at p0 = 10%" in d["sentence"]


def test_decision_stage_1_incomplete() -> None:
    # 1 response in 12 of 18: 1 + 6 remaining could exceed r1 = 2 -> open; needs 2 more
    d = simon_decision(1, 12, 1, 12, DESIGN)
    assert d["stage1_decision"] == "stage 1 incomplete" and not d["stage1_complete"]
    assert d["final_decision"] == "incomplete" and not d["final_complete"]
    assert "12 of the 18 planned evaluable subjects" in d["sentence"]
    assert "at least 2 responses among the remaining 6 subjects" in d["sentence"]


def test_decision_stage_1_settled_early() -> None:
    # 3 responses in 12 of 18 already exceed r1 = 2: continue is settled
    d = simon_decision(3, 12, 3, 12, DESIGN)
    assert d["stage1_decision"] == "continue" and not d["stage1_complete"]
    assert d["final_decision"] == "incomplete"
    # 0 responses in 17 of 18: even 1 more gives 1 <= 2: stop is settled
    d = simon_decision(0, 17, 0, 17, DESIGN)
    assert d["stage1_decision"] == "stop" and not d["stage1_complete"]
    assert "remaining subjects cannot change it" in d["sentence"]


def test_decision_final_incomplete_and_settled_early() -> None:
    # 5 responses in 25 of 35: 5 <= 6 but 10 remaining could add 2 -> incomplete, needs 2
    d = simon_decision(4, 18, 5, 25, DESIGN)
    assert d["final_decision"] == "incomplete" and not d["final_complete"]
    assert "25 of the 35 planned evaluable subjects" in d["sentence"]
    assert "provisionally not promising" in d["sentence"]
    assert "at least 2 responses among the remaining 10 subjects" in d["sentence"]
    # 7 responses in 30 of 35 already exceed r = 6: promising, settled early
    d = simon_decision(4, 18, 7, 30, DESIGN)
    assert d["final_decision"] == "promising" and not d["final_complete"]
    # 3 responses in 33 of 35: 3 + 2 = 5 <= 6: not promising, settled early
    d = simon_decision(3, 18, 3, 33, DESIGN)
    assert d["final_decision"] == "not promising" and not d["final_complete"]


@pytest.mark.parametrize(
    "args",
    [
        (2, 19, 2, 19),  # more than n1 in stage 1
        (4, 18, 9, 36),  # more than n in total
        (5, 4, 5, 4),  # responses > evaluable
        (4, 18, 3, 30),  # total responses below stage-1 responses
        (1, 12, 3, 20),  # stage 1 short of n1 but more subjects overall
    ],
)
def test_decision_inconsistent_counts_raise(args: tuple) -> None:
    with pytest.raises(ValueError):
        simon_decision(*args, DESIGN)


def test_single_stage_decision() -> None:
    design = {"r": 2, "n": 16, "p0": 0.05}
    assert single_stage_decision(3, 16, design)["final_decision"] == "promising"
    d = single_stage_decision(2, 16, design)
    assert d["final_decision"] == "not promising"
    assert d["sentence"] == (
        "2 responses in 16 evaluable subjects (≤ r = 2): the drug is not promising at p0 = 5%."
    )
    assert single_stage_decision(1, 14, design)["final_decision"] == "incomplete"

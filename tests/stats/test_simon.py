"""Tests for trialflow.stats.simon: Simon (1989) optimal and minimax designs and the admissible
designs of Jung, Lee, Kim & George (2004).

Published designs: Simon R. Optimal two-stage designs for phase II clinical trials.
Controlled Clinical Trials 1989;10:1–10, Table 1 (p1 − p0 = 0.20) and Table 2
(p1 − p0 = 0.15), each row with r1/n1, r/n, EN(p0) to one decimal and PET(p0) to two. Attained
error rates, PET0 and EN0 are recomputed here by direct binomial sums (tests/stats/exact.py),
and the admissible designs are re-derived by a plain brute-force search written in this file.
"""

from __future__ import annotations

from functools import cache

import pytest

from tests.stats import exact
from trialflow.stats.simon import (
    simon_admissible,
    simon_operating_characteristics,
    simon_two_stage,
)

# (table, p0, p1, alpha, beta, kind, r1, n1, r, n, EN0, PET0) as printed in Simon (1989).
SIMON_TABLES = [
    # Table 1, p1 - p0 = 0.20
    ("T1", 0.05, 0.25, 0.10, 0.10, "optimal", 0, 9, 2, 24, 14.5, 0.63),
    ("T1", 0.05, 0.25, 0.10, 0.10, "minimax", 0, 13, 2, 20, 16.4, 0.51),
    ("T1", 0.05, 0.25, 0.05, 0.20, "optimal", 0, 9, 2, 17, 12.0, 0.63),
    ("T1", 0.05, 0.25, 0.05, 0.20, "minimax", 0, 12, 2, 16, 13.8, 0.54),
    ("T1", 0.10, 0.30, 0.10, 0.10, "minimax", 1, 16, 4, 25, 20.4, 0.51),
    ("T1", 0.10, 0.30, 0.05, 0.20, "optimal", 1, 10, 5, 29, 15.0, 0.74),
    ("T1", 0.10, 0.30, 0.05, 0.20, "minimax", 1, 15, 5, 25, 19.5, 0.55),
    ("T1", 0.10, 0.30, 0.05, 0.10, "optimal", 2, 18, 6, 35, 22.5, 0.73),
    ("T1", 0.10, 0.30, 0.05, 0.10, "minimax", 2, 22, 6, 33, 26.2, 0.62),
    ("T1", 0.20, 0.40, 0.10, 0.10, "optimal", 3, 17, 10, 37, 26.0, 0.55),
    ("T1", 0.20, 0.40, 0.05, 0.20, "optimal", 3, 13, 12, 43, 20.6, 0.75),
    ("T1", 0.20, 0.40, 0.05, 0.20, "minimax", 4, 18, 10, 33, 22.3, 0.72),
    ("T1", 0.20, 0.40, 0.05, 0.10, "optimal", 4, 19, 15, 54, 30.4, 0.67),
    ("T1", 0.20, 0.40, 0.05, 0.10, "minimax", 5, 24, 13, 45, 31.2, 0.66),
    ("T1", 0.30, 0.50, 0.05, 0.20, "optimal", 5, 15, 18, 46, 23.6, 0.72),
    ("T1", 0.30, 0.50, 0.05, 0.20, "minimax", 6, 19, 16, 39, 25.7, 0.67),
    ("T1", 0.30, 0.50, 0.05, 0.10, "optimal", 8, 24, 24, 63, 34.7, 0.73),
    ("T1", 0.30, 0.50, 0.05, 0.10, "minimax", 7, 24, 21, 53, 36.6, 0.56),
    ("T1", 0.70, 0.90, 0.05, 0.20, "optimal", 4, 6, 22, 27, 14.8, 0.58),
    # Table 2, p1 - p0 = 0.15
    ("T2", 0.05, 0.20, 0.10, 0.10, "optimal", 0, 12, 3, 37, 23.5, 0.54),
    ("T2", 0.05, 0.20, 0.10, 0.10, "minimax", 0, 18, 3, 32, 26.4, 0.40),
    ("T2", 0.05, 0.20, 0.05, 0.20, "optimal", 0, 10, 3, 29, 17.6, 0.60),
    ("T2", 0.05, 0.20, 0.05, 0.20, "minimax", 0, 13, 3, 27, 19.8, 0.51),
    ("T2", 0.05, 0.20, 0.05, 0.10, "optimal", 1, 21, 4, 41, 26.7, 0.72),
    ("T2", 0.05, 0.20, 0.05, 0.10, "minimax", 1, 29, 4, 38, 32.9, 0.57),
    ("T2", 0.10, 0.25, 0.10, 0.10, "optimal", 2, 21, 7, 50, 31.2, 0.65),
    ("T2", 0.10, 0.25, 0.10, 0.10, "minimax", 2, 27, 6, 40, 33.7, 0.48),
    ("T2", 0.10, 0.25, 0.05, 0.20, "optimal", 2, 18, 7, 43, 24.7, 0.73),
    ("T2", 0.10, 0.25, 0.05, 0.20, "minimax", 2, 22, 7, 40, 28.8, 0.62),
    ("T2", 0.10, 0.25, 0.05, 0.10, "optimal", 2, 21, 10, 66, 36.8, 0.65),
    ("T2", 0.10, 0.25, 0.05, 0.10, "minimax", 3, 31, 9, 55, 40.0, 0.62),
    ("T2", 0.20, 0.35, 0.05, 0.20, "optimal", 5, 22, 19, 72, 35.4, 0.73),
    ("T2", 0.30, 0.45, 0.05, 0.20, "optimal", 9, 27, 30, 81, 41.7, 0.73),
    ("T2", 0.30, 0.45, 0.05, 0.20, "minimax", 16, 46, 25, 65, 49.6, 0.81),
]
COLS = ("table", "p0", "p1", "alpha", "beta", "kind", "r1", "n1", "r", "n", "en0", "pet0")


@pytest.mark.parametrize(COLS, SIMON_TABLES)
def test_simon_matches_published_tables(
    table, p0, p1, alpha, beta, kind, r1, n1, r, n, en0, pet0
) -> None:
    # Simon (1989), Table 1 / Table 2 (pp. 4–5), the row named by `table`
    d = simon_two_stage(p0, p1, alpha, 1 - beta, kind=kind)
    assert (d["r1"], d["n1"], d["r"], d["n"]) == (r1, n1, r, n)
    assert round(d["en0"], 1) == en0
    assert round(d["pet0"], 2) == pet0
    assert d["kind"] == kind and d["p0"] == p0 and d["p1"] == p1


@pytest.mark.parametrize(COLS, SIMON_TABLES)
def test_simon_attained_values_by_direct_sums(
    table, p0, p1, alpha, beta, kind, r1, n1, r, n, en0, pet0
) -> None:
    d = simon_two_stage(p0, p1, alpha, 1 - beta, kind=kind)
    a = exact.simon_reject(r1, n1, r, n, p0)
    pw = exact.simon_reject(r1, n1, r, n, p1)
    assert a <= alpha and pw >= 1 - beta  # the published design meets the constraints
    pet = exact.cdf(r1, n1, p0)
    assert d["alpha"] == pytest.approx(a, abs=1e-12)
    assert d["power"] == pytest.approx(pw, abs=1e-12)
    assert d["pet0"] == pytest.approx(pet, abs=1e-12)
    assert d["en0"] == pytest.approx(n1 + (1 - pet) * (n - n1), abs=1e-9)


def test_design_0_9_2_17_is_the_beta_020_row() -> None:
    # Table 1, p0 = 0.05, p1 = 0.25: 0/9, 2/17 (optimal) and 0/12, 2/16 (minimax) is the
    # alpha = 0.05, beta = 0.20 row; at alpha = beta = 0.10 the table gives 0/9, 2/24 and
    # 0/13, 2/20. 0/9, 2/17 has power about 0.81 only, so it cannot be the beta = 0.10 row.
    assert exact.simon_reject(0, 9, 2, 17, 0.25) < 0.90
    assert exact.simon_reject(0, 9, 2, 17, 0.25) >= 0.80
    assert exact.simon_reject(0, 9, 2, 17, 0.05) <= 0.05


@pytest.mark.parametrize("kind", ["optimal", "minimax"])
def test_smallest_two_stage_design_has_two_subjects(kind: str) -> None:
    # Simon (1989), §2: a two-stage design only needs 1 <= n1 < n. With p0 = 0.05, p1 = 0.95,
    # alpha = 0.10, power = 0.90 the design 0/1, 0/2 (one subject per stage; promising when
    # X > 0, which here means the first subject responds) has P0(reject) = 0.05 <= 0.10 and
    # P1(reject) = 0.95 >= 0.90, PET0 = 0.95 and EN0 = 1 + 0.05 * 1 = 1.05. No design has
    # fewer subjects, and every design with n >= 3 has EN0 >= 1 + 0.05 * 2 = 1.1 (n1 = 1,
    # r1 = 0 forced) or EN0 > n1 >= 2: it is both the optimal and the minimax design.
    d = simon_two_stage(0.05, 0.95, 0.10, 0.90, kind=kind)
    assert (d["r1"], d["n1"], d["r"], d["n"]) == (0, 1, 0, 2)
    assert d["pet0"] == pytest.approx(0.95, abs=1e-12)
    assert d["en0"] == pytest.approx(1.05, abs=1e-12)
    assert d["alpha"] == pytest.approx(exact.simon_reject(0, 1, 0, 2, 0.05), abs=1e-12)


def test_simon_pet0_hand_value() -> None:
    # p0 = 0.10, optimal 1/10: PET0 = P(X1 <= 1) = 0.9^10 + 10 * 0.1 * 0.9^9
    #                          = 0.3486784 + 0.3874205 = 0.7360989
    # EN0 = 10 + (1 - 0.7360989) * 19 = 10 + 5.0141 = 15.0141
    d = simon_two_stage(0.10, 0.30, 0.05, 0.80)
    assert d["pet0"] == pytest.approx(0.7360989, abs=1e-7)
    assert d["en0"] == pytest.approx(15.0141, abs=1e-4)


@cache
def _brute_force(p0: float, p1: float, alpha: float, power: float, nmax: int) -> list[tuple]:
    """Every feasible (EN0, n, n1, r1, r) with n <= nmax, by plain loops."""
    out = []
    for n in range(2, nmax + 1):
        for n1 in range(1, n):
            n2 = n - n1
            pm0 = [exact.pmf(k, n1, p0) for k in range(n1 + 1)]
            pm1 = [exact.pmf(k, n1, p1) for k in range(n1 + 1)]
            sf0 = [1.0 - exact.cdf(k, n2, p0) if k >= 0 else 1.0 for k in range(-n1 - 1, n + 1)]
            sf1 = [1.0 - exact.cdf(k, n2, p1) if k >= 0 else 1.0 for k in range(-n1 - 1, n + 1)]
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
    assert exact.simon_reject(d["r1"], d["n1"], d["r"] - 1, d["n"], 0.20) > 0.05


def test_simon_nmax_limits_search() -> None:
    # optimal n is 43; capped at 40 the best design must have n <= 40 and still be feasible,
    # with EN0 at least the unrestricted optimum
    free = simon_two_stage(0.20, 0.40, 0.05, 0.80)
    capped = simon_two_stage(0.20, 0.40, 0.05, 0.80, nmax=40)
    assert capped["n"] <= 40
    assert capped["en0"] >= free["en0"]
    assert exact.simon_reject(capped["r1"], capped["n1"], capped["r"], capped["n"], 0.20) <= 0.05
    assert exact.simon_reject(capped["r1"], capped["n1"], capped["r"], capped["n"], 0.40) >= 0.80
    with pytest.raises(ValueError):
        simon_two_stage(0.20, 0.40, 0.05, 0.80, nmax=20)


def test_simon_irinotecan_design_constraints() -> None:
    # the irinotecan trial file: p0 = 0.10, p1 = 0.20, alpha = 0.05, power = 0.90
    for kind in ("optimal", "minimax"):
        d = simon_two_stage(0.10, 0.20, 0.05, 0.90, kind=kind)
        assert exact.simon_reject(d["r1"], d["n1"], d["r"], d["n"], 0.10) <= 0.05
        assert exact.simon_reject(d["r1"], d["n1"], d["r"], d["n"], 0.20) >= 0.90
    opt = simon_two_stage(0.10, 0.20, 0.05, 0.90, kind="optimal")
    mm = simon_two_stage(0.10, 0.20, 0.05, 0.90, kind="minimax")
    assert mm["n"] <= opt["n"] and opt["en0"] <= mm["en0"]


def test_operating_characteristics_hand_value() -> None:
    # 1/10, 5/29 at p = 0.10: PET = 0.9^10 + 10(0.1)(0.9^9) = 0.3486784401 + 0.3874204890
    # = 0.7360989291; EN = 10 + 0.2639010709 * 19 = 15.014120347
    oc = simon_operating_characteristics(1, 10, 5, 29, 0.10)
    assert oc["pet"] == pytest.approx(0.7360989291, abs=1e-10)
    assert oc["en"] == pytest.approx(15.014120347, abs=1e-8)
    assert oc["reject"] == pytest.approx(exact.simon_reject(1, 10, 5, 29, 0.10), abs=1e-12)


# --- admissible designs (Jung, Lee, Kim & George 2004) --------------------------------------


@cache
def _best_per_n(p0: float, p1: float, alpha: float, power: float, nmax: int) -> dict:
    """For each n <= nmax, the feasible design with the smallest EN0 (plain loops; ties to
    the smaller n1, then r1), as n -> (en0, r1, n1, r)."""
    best: dict[int, tuple] = {}
    for n in range(2, nmax + 1):
        for n1 in range(1, n):
            for r1 in range(0, n1):
                pet = exact.cdf(r1, n1, p0)
                en = n1 + (1 - pet) * (n - n1)
                if n in best and en >= best[n][0] - 1e-9:
                    continue
                for r in range(r1, n):
                    if exact.simon_reject(r1, n1, r, n, p0) <= alpha:
                        if exact.simon_reject(r1, n1, r, n, p1) >= power:
                            best[n] = (en, r1, n1, r)
                        break  # larger r only lowers the power
    return best


def _risk_minimisers(best: dict, q: float) -> set[int]:
    risks = {n: q * n + (1 - q) * v[0] for n, v in best.items()}
    low = min(risks.values())
    return {n for n, v in risks.items() if v <= low + 1e-9}


@pytest.mark.parametrize(
    ("p0", "p1", "alpha", "power", "nmax"),
    [(0.10, 0.30, 0.05, 0.80, 30), (0.05, 0.20, 0.05, 0.80, 30)],
)
def test_admissible_designs_by_brute_force(p0, p1, alpha, power, nmax) -> None:
    # Jung et al. (2004), §2: a design is admissible when it minimises q·n + (1 − q)·EN0 for
    # some q in [0, 1]. Scan q on a fine grid with the independent brute force.
    best = _best_per_n(p0, p1, alpha, power, nmax)
    expected = set()
    for i in range(0, 1001):
        expected |= _risk_minimisers(best, i / 1000)
    got = simon_admissible(p0, p1, alpha, power)
    assert {d["n"] for d in got} == expected
    for d in got:
        en, r1, n1, r = best[d["n"]]
        assert (d["r1"], d["n1"], d["r"]) == (r1, n1, r)
        assert d["en0"] == pytest.approx(en, abs=1e-9)
        # inside its q range the design minimises the risk; just outside it does not
        mid = (d["q_lower"] + d["q_upper"]) / 2
        assert _risk_minimisers(best, mid) == {d["n"]}
        if d["q_upper"] < 1:
            assert d["n"] not in _risk_minimisers(best, min(1.0, d["q_upper"] + 1e-6))
    # the ends are the minimax (q = 1) and the optimal design (q = 0)
    assert got[0]["q_upper"] == 1.0 and got[-1]["q_lower"] == 0.0
    assert got[0]["n"] == simon_two_stage(p0, p1, alpha, power, kind="minimax")["n"]
    assert got[-1]["n"] == simon_two_stage(p0, p1, alpha, power, kind="optimal")["n"]


def test_admissible_by_weight() -> None:
    # p0 = 0.10, p1 = 0.30, alpha = 0.05, beta = 0.20 (Simon 1989 Table 1 row): minimax 1/15,
    # 5/25 (EN0 19.51) and optimal 1/10, 5/29 (EN0 15.01). With q = 1 and q = 0 the admissible
    # choice is these two; with q = 0.5 the risk 0.5 n + 0.5 EN0 of any admissible design is
    # at most that of both ends (22.26 and 22.01).
    assert simon_two_stage(0.10, 0.30, 0.05, 0.80, kind="admissible", q=1.0)["n1"] == 15
    assert simon_two_stage(0.10, 0.30, 0.05, 0.80, kind="admissible", q=0.0)["n1"] == 10
    mid = simon_two_stage(0.10, 0.30, 0.05, 0.80, kind="admissible", q=0.5)
    risk = 0.5 * mid["n"] + 0.5 * mid["en0"]
    assert risk <= 0.5 * 25 + 0.5 * 19.51 and risk <= 0.5 * 29 + 0.5 * 15.01
    assert exact.simon_reject(mid["r1"], mid["n1"], mid["r"], mid["n"], 0.10) <= 0.05
    assert exact.simon_reject(mid["r1"], mid["n1"], mid["r"], mid["n"], 0.30) >= 0.80
    assert mid["q"] == 0.5 and mid["q_lower"] <= 0.5 <= mid["q_upper"]


def test_invalid_arguments() -> None:
    with pytest.raises(ValueError, match="p1 must exceed p0"):
        simon_two_stage(0.3, 0.2, 0.05, 0.8)
    with pytest.raises(ValueError, match="kind"):
        simon_two_stage(0.1, 0.3, 0.05, 0.8, kind="best")
    with pytest.raises(ValueError, match="q applies"):
        simon_two_stage(0.1, 0.3, 0.05, 0.8, kind="optimal", q=0.3)
    with pytest.raises(ValueError, match="r1 < n1 < n"):
        simon_operating_characteristics(3, 3, 5, 10, 0.1)


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

"""Independent exact arithmetic for the design tests: plain binomial and beta-binomial sums
with `math.comb` and `math.lgamma`, written without the code under test."""

from __future__ import annotations

import math

from scipy.special import betainc


def pmf(k: int, n: int, p: float) -> float:
    if k < 0 or k > n:
        return 0.0
    return math.comb(n, k) * p**k * (1 - p) ** (n - k)


def cdf(k: int, n: int, p: float) -> float:
    return sum(pmf(i, n, p) for i in range(0, min(k, n) + 1))


def sf(k: int, n: int, p: float) -> float:
    """P(X > k)."""
    return sum(pmf(i, n, p) for i in range(max(k + 1, 0), n + 1))


def simon_reject(r1: int, n1: int, r: int, n: int, p: float) -> float:
    """P(X1 > r1 and X1 + X2 > r) with X1 ~ Bin(n1, p), X2 ~ Bin(n - n1, p)."""
    return sum(pmf(x1, n1, p) * sf(r - x1, n - n1, p) for x1 in range(r1 + 1, n1 + 1))


def log_beta(a: float, b: float) -> float:
    return math.lgamma(a) + math.lgamma(b) - math.lgamma(a + b)


def betabinom_pmf(i: int, m: int, a: float, b: float) -> float:
    return math.exp(
        math.lgamma(m + 1)
        - math.lgamma(i + 1)
        - math.lgamma(m - i + 1)
        + log_beta(a + i, b + m - i)
        - log_beta(a, b)
    )


def posterior_gt(p0: float, a: float, b: float) -> float:
    """P(p > p0) for p ~ Beta(a, b), by the regularized incomplete beta function."""
    return 1.0 - float(betainc(a, b, p0))


def multi_look(looks: list[int], stop_at_most: list[int], p: float) -> dict[str, float]:
    """Exact operating characteristics of a futility-only multi-look design by a dictionary
    of path probabilities: stop at look k when the responses so far <= stop_at_most[k]; at the
    last look, success when above it. Returns reject, pet (stop before the last look), en."""
    paths = {0: 1.0}
    prev = 0
    pet = en = reject = 0.0
    for k, nk in enumerate(looks):
        m = nk - prev
        nxt: dict[int, float] = {}
        for x, w in paths.items():
            for y in range(m + 1):
                nxt[x + y] = nxt.get(x + y, 0.0) + w * pmf(y, m, p)
        paths = {}
        for x, w in nxt.items():
            if x <= stop_at_most[k]:
                if k < len(looks) - 1:
                    pet += w
                en += nk * w
            elif k == len(looks) - 1:
                reject += w
                en += nk * w
            else:
                paths[x] = w
        prev = nk
    return {"reject": reject, "pet": pet, "en": en}

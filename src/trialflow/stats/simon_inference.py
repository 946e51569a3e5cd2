"""Design-adjusted inference after a Simon two-stage trial.

After a two-stage design the naive binomial p-value, estimate and Clopper–Pearson interval
ignore the early-stopping rule. Here the outcome of the trial is the pair (stage at which it
ended, responses) and is ordered stage-wise (Koyama & Chen 2008, Statistics in Medicine
27:3145–3154, §2): every outcome that stopped at stage 1 (X1 = x1 <= r1) is less extreme than
every outcome that went on to stage 2; stage-1 outcomes are ordered by x1 and stage-2 outcomes
by the total responses s = X1 + X2.

- `stagewise_p_value`: P_p0(an outcome at least as extreme as the observed one).
- `stagewise_ci`: the confidence interval obtained by inverting the same ordering, so that p0
  lies below the lower limit of the two-sided (1 − 2a) interval exactly when the p-value is
  below a.
- `simon_umvue`: the uniformly minimum variance unbiased estimator of the response rate
  (Jung & Kim 2004, Statistics in Medicine 23:881–896, §2).

Invalid arguments raise `ValueError`.
"""

from __future__ import annotations

import math

import numpy as np

from trialflow.stats.simon import binom_cdf, binom_pmf, binom_sf, check_simon_design


def _check_outcome(
    responses: int, stage: int, r1: int, n1: int, r: int, n: int
) -> tuple[int, int, int, int, int, int]:
    r1, n1, r, n = check_simon_design(r1, n1, r, n)
    if isinstance(responses, bool) or int(responses) != responses or responses < 0:
        raise ValueError(f"responses must be a non-negative whole number, got {responses!r}")
    x = int(responses)
    if stage not in (1, 2):
        raise ValueError(f"stage must be 1 or 2, got {stage!r}")
    if stage == 1 and x > r1:
        raise ValueError(
            f"{x} stage-1 responses exceed r1 = {r1}: the trial goes on to stage 2, so the "
            "outcome is the total after stage 2"
        )
    if stage == 2 and not r1 + 1 <= x <= n:
        raise ValueError(
            f"a trial that reached stage 2 has between r1 + 1 = {r1 + 1} and n = {n} "
            f"responses in total, got {x}"
        )
    return x, int(stage), r1, n1, r, n


def _tail(x: int, stage: int, r1: int, n1: int, n: int, p: float) -> float:
    """P_p(outcome >= (stage, x)) in the stage-wise ordering."""
    if stage == 1:
        return float(binom_sf(x - 1, n1, p))  # P(X1 >= x), stage 2 included
    x1 = np.arange(r1 + 1, n1 + 1)
    # P(X1 = x1) P(X2 >= s - x1), X2 ~ Bin(n - n1, p)
    return float(np.sum(binom_pmf(x1, n1, p) * binom_sf(x - x1 - 1, n - n1, p)))


def stagewise_p_value(
    responses: int, stage: int, *, r1: int, n1: int, r: int, n: int, p0: float
) -> float:
    """One-sided p-value of H0: p <= p0 under the stage-wise ordering (Koyama & Chen 2008, §2).

    ``stage`` is the stage at which the trial ended: 1 with ``responses`` = X1 <= r1 (the trial
    stopped), 2 with ``responses`` = X1 + X2, the total. The p-value is P(X1 >= x1) for a
    stage-1 stop and P(X1 > r1, X1 + X2 >= s) after stage 2. At s = r + 1 it equals the
    attained type I error of the design, so p <= that value exactly when the design rejects.
    """
    x, stage, r1, n1, r, n = _check_outcome(responses, stage, r1, n1, r, n)
    if not 0.0 < float(p0) < 1.0:
        raise ValueError(f"p0 must lie strictly between 0 and 1, got {p0}")
    return _tail(x, stage, r1, n1, n, float(p0))


def stagewise_ci(
    responses: int, stage: int, *, r1: int, n1: int, r: int, n: int, conf_level: float = 0.95
) -> tuple[float, float]:
    """The two-sided confidence interval for p that inverts the stage-wise ordering
    (Koyama & Chen 2008, §3), each tail (1 − conf_level)/2.

    The lower limit is the p at which P_p(outcome >= observed) = (1 − conf_level)/2 (0 for the
    least extreme outcome, no response at stage 1); the upper limit is the p at which
    P_p(outcome <= observed) = (1 − conf_level)/2 (1 for the most extreme outcome, n
    responses). Both tails are increasing in p, so each limit is unique.
    """
    x, stage, r1, n1, r, n = _check_outcome(responses, stage, r1, n1, r, n)
    if not 0.0 < float(conf_level) < 1.0:
        raise ValueError(f"conf_level must lie strictly between 0 and 1, got {conf_level}")
    from scipy import optimize  # imported when an interval is asked for (slow to import)

    a = (1.0 - float(conf_level)) / 2.0
    eps = 1e-14

    def upper_tail(p: float) -> float:
        return _tail(x, stage, r1, n1, n, p)

    def lower_tail(p: float) -> float:
        # P(outcome <= observed) = 1 - P(outcome >= next outcome)
        if stage == 1:
            nxt = 1.0 - float(binom_cdf(x, n1, p))  # P(X1 >= x + 1)
        else:
            nxt = _tail(x + 1, 2, r1, n1, n, p) if x < n else 0.0
        return 1.0 - nxt

    if stage == 1 and x == 0:
        lower = 0.0
    else:
        lower = float(optimize.brentq(lambda p: upper_tail(p) - a, eps, 1 - eps, xtol=1e-12))
    if stage == 2 and x == n:
        upper = 1.0
    else:
        upper = float(optimize.brentq(lambda p: lower_tail(p) - a, eps, 1 - eps, xtol=1e-12))
    return lower, upper


def simon_umvue(responses: int, stage: int, *, r1: int, n1: int, r: int, n: int) -> float:
    """The UMVUE of the response rate after a Simon two-stage trial (Jung & Kim 2004, §2).

    Stopped at stage 1 with X1 = x1: x1 / n1. After stage 2 with S = X1 + X2 = s:

        sum_x1 C(n1 − 1, x1 − 1) C(n2, s − x1) / sum_x1 C(n1, x1) C(n2, s − x1),

    both sums over max(r1 + 1, s − n2) <= x1 <= min(n1, s), n2 = n − n1 (the Rao–Blackwell
    estimate of the first subject's response given the complete sufficient statistic).
    """
    x, stage, r1, n1, r, n = _check_outcome(responses, stage, r1, n1, r, n)
    if stage == 1:
        return x / n1
    n2 = n - n1
    lo, hi = max(r1 + 1, x - n2), min(n1, x)
    num = sum(math.comb(n1 - 1, k - 1) * math.comb(n2, x - k) for k in range(lo, hi + 1))
    den = sum(math.comb(n1, k) * math.comb(n2, x - k) for k in range(lo, hi + 1))
    return num / den


def simon_inference(
    responses: int,
    stage: int,
    *,
    r1: int,
    n1: int,
    r: int,
    n: int,
    p0: float,
    conf_level: float = 0.95,
) -> dict[str, float]:
    """The p-value (stage-wise ordering), the UMVUE and the matching confidence interval:
    ``p_value``, ``umvue``, ``ci_lower``, ``ci_upper`` (see the functions above)."""
    kw = {"r1": r1, "n1": n1, "r": r, "n": n}
    lower, upper = stagewise_ci(responses, stage, conf_level=conf_level, **kw)
    return {
        "p_value": stagewise_p_value(responses, stage, p0=p0, **kw),
        "umvue": simon_umvue(responses, stage, **kw),
        "ci_lower": lower,
        "ci_upper": upper,
    }

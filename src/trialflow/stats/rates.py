"""Response rates: binomial proportions with confidence intervals and an exact binomial test.

These are the statistics behind ORR, DCR and CBR (docs/validation.md, "Best overall response and response rates"): n/N, a
two-sided confidence interval (Clopper–Pearson by default, Wilson and Jeffreys available) and
the exact one-sided binomial test of the observed rate against the design's p0.

All functions take plain counts and return plain numbers, so notebooks and auditors can call
them directly. Invalid arguments (negative counts, x > n, a level outside (0, 1), an unknown
method) raise `ValueError`: they are programming or configuration errors, not data issues.
"""

from __future__ import annotations

import math
from numbers import Integral

from scipy import special

CI_METHODS: tuple[str, ...] = ("clopper-pearson", "wilson", "jeffreys")
"""The confidence-interval methods `binomial_ci` accepts."""


def _check_counts(x: int, n: int) -> tuple[int, int]:
    for name, value in (("x", x), ("n", n)):
        whole = (isinstance(value, Integral) and not isinstance(value, bool)) or (
            isinstance(value, float) and value.is_integer()
        )
        if not whole:
            raise ValueError(f"{name} must be a whole number, got {value!r}")
    x, n = int(x), int(n)
    if n < 0 or x < 0 or x > n:
        raise ValueError(f"counts must satisfy 0 <= x <= n, got x={x}, n={n}")
    return x, n


def _check_level(conf_level: float) -> float:
    conf_level = float(conf_level)
    if not 0.0 < conf_level < 1.0:
        raise ValueError(f"conf_level must lie strictly between 0 and 1, got {conf_level}")
    return conf_level


def binomial_ci(
    x: int, n: int, conf_level: float = 0.95, method: str = "clopper-pearson"
) -> tuple[float, float]:
    """Two-sided confidence interval for a binomial proportion x/n.

    Methods (Brown, Cai & DasGupta 2001, Statist. Sci. 16:101–133, give all three):

    - ``"clopper-pearson"``: the exact interval of Clopper & Pearson (1934), from beta
      quantiles: lower = Beta(a/2; x, n−x+1), upper = Beta(1−a/2; x+1, n−x), with a = 1 − level.
      The lower limit is 0 when x = 0 and the upper limit is 1 when x = n.
    - ``"wilson"``: the Wilson (1927) score interval without continuity correction,
      (x + z²/2)/(n + z²) ± z/(n + z²)·sqrt(x(n−x)/n + z²/4), z = Φ⁻¹(1 − a/2). Its lower
      limit is exactly 0 at x = 0 and its upper limit exactly 1 at x = n (set exactly, free of
      rounding).
    - ``"jeffreys"``: the equal-tailed Jeffreys interval, the a/2 and 1 − a/2 quantiles of the
      Beta(x + ½, n − x + ½) posterior, with the boundary convention of Brown, Cai & DasGupta
      (2001, §4.1.2): the lower limit is 0 when x = 0 and the upper limit is 1 when x = n.

    With n = 0 there is no information and the interval is ``(nan, nan)``.
    """
    x, n = _check_counts(x, n)
    conf_level = _check_level(conf_level)
    if method not in CI_METHODS:
        raise ValueError(f"method must be one of {', '.join(CI_METHODS)}, got {method!r}")
    if n == 0:
        return (math.nan, math.nan)
    a = 1.0 - conf_level
    if method == "clopper-pearson":
        lower = 0.0 if x == 0 else float(special.betaincinv(x, n - x + 1, a / 2))
        upper = 1.0 if x == n else float(special.betaincinv(x + 1, n - x, 1 - a / 2))
    elif method == "jeffreys":
        lower = 0.0 if x == 0 else float(special.betaincinv(x + 0.5, n - x + 0.5, a / 2))
        upper = 1.0 if x == n else float(special.betaincinv(x + 0.5, n - x + 0.5, 1 - a / 2))
    else:  # wilson
        z = float(special.ndtri(1 - a / 2))
        z2 = z * z
        centre = (x + z2 / 2) / (n + z2)
        half = z / (n + z2) * math.sqrt(x * (n - x) / n + z2 / 4)
        lower = 0.0 if x == 0 else max(0.0, centre - half)
        upper = 1.0 if x == n else min(1.0, centre + half)
    return (lower, upper)


def response_rate(
    x: int, n: int, *, conf_level: float = 0.95, method: str = "clopper-pearson"
) -> dict[str, float | int | str]:
    """A response rate (ORR, DCR, CBR) as n/N with its confidence interval.

    Returns a mapping with ``n`` (responders), ``N`` (the denominator), ``estimate`` (n/N, NaN
    when N = 0), ``lower`` and ``upper`` (from `binomial_ci` with the given `method`),
    ``method`` and ``conf_level``.
    """
    x, n = _check_counts(x, n)
    lower, upper = binomial_ci(x, n, conf_level=conf_level, method=method)
    return {
        "n": x,
        "N": n,
        "estimate": x / n if n > 0 else math.nan,
        "lower": lower,
        "upper": upper,
        "method": method,
        "conf_level": float(conf_level),
    }


def exact_binomial_test(x: int, n: int, p0: float, alternative: str = "greater") -> float:
    """Exact one-sided binomial test p-value of x responses in n subjects against rate p0.

    ``alternative="greater"`` (the response rate exceeds p0, the usual Phase II question)
    gives P(X ≥ x | n, p0); ``alternative="less"`` gives P(X ≤ x | n, p0). With n = 0 there is
    no information and the p-value is NaN.
    """
    x, n = _check_counts(x, n)
    p0 = float(p0)
    if not 0.0 < p0 < 1.0:
        raise ValueError(f"p0 must lie strictly between 0 and 1, got {p0}")
    if alternative not in ("greater", "less"):
        raise ValueError(f"alternative must be 'greater' or 'less', got {alternative!r}")
    if n == 0:
        return math.nan
    if alternative == "greater":
        return 1.0 if x <= 0 else float(min(1.0, special.bdtrc(x - 1, n, p0)))  # P(X >= x)
    return 1.0 if x >= n else float(min(1.0, special.bdtr(x, n, p0)))  # P(X <= x)

"""Bayesian monitoring of a binary endpoint by predictive probability (Lee & Liu 2008,
Clinical Trials 5:93–106).

With a Beta(a, b) prior on the response rate p and x responses in n subjects:

- the posterior probability that the drug beats the null rate is P(p > p0 | x, n);
- at the planned maximum Nmax the trial is a success when P(p > p0 | x + Y, Nmax) > θ_T,
  Y the responses among the m = Nmax − n future subjects;
- the predictive probability of success is PP = Σ_i P(Y = i | x) · 1[P(p > p0 | x + i, Nmax)
  > θ_T], with Y | x beta-binomial(m, a + x, b + n − x) (Lee & Liu 2008, §2, eq. 1–2);
- at each interim look the trial stops for futility when PP < θ_L and for efficacy when
  PP > θ_U (θ_U = 1: never).

`predictive_design` gives the stopping boundaries of a monitoring schedule and the exact
operating characteristics by enumeration over the binomial paths. Invalid arguments raise
`ValueError`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def _check_prob(name: str, value: float, *, closed: bool = False) -> float:
    v = float(value)
    ok = 0.0 <= v <= 1.0 if closed else 0.0 < v < 1.0
    if not ok:
        where = "between 0 and 1" if closed else "strictly between 0 and 1"
        raise ValueError(f"{name} must lie {where}, got {value}")
    return v


def _check_prior(a: float, b: float) -> tuple[float, float]:
    if not (float(a) > 0 and float(b) > 0):
        raise ValueError(f"the Beta prior needs a > 0 and b > 0, got a={a}, b={b}")
    return float(a), float(b)


def _check_counts(x: int, n: int, nmax: int) -> tuple[int, int, int]:
    for name, v in (("responses", x), ("n", n), ("nmax", nmax)):
        if isinstance(v, bool) or int(v) != v or v < 0:
            raise ValueError(f"{name} must be a non-negative whole number, got {v!r}")
    x, n, nmax = int(x), int(n), int(nmax)
    if nmax < 1:
        raise ValueError(f"nmax must be at least 1, got {nmax}")
    if not x <= n <= nmax:
        raise ValueError(f"need responses <= n <= nmax, got {x}, {n}, {nmax}")
    return x, n, nmax


def posterior_probability(responses: int, n: int, *, p0: float, a: float, b: float) -> float:
    """P(p > p0 | x responses in n subjects) under the Beta(a, b) prior: the posterior is
    Beta(a + x, b + n − x)."""
    from scipy import stats  # imported on use (slow to import)

    x, n, _ = _check_counts(responses, n, max(n, 1))
    a, b = _check_prior(a, b)
    p0 = _check_prob("p0", p0)
    return float(stats.beta.sf(p0, a + x, b + n - x))


def _success_table(nmax: int, p0: float, theta_t: float, a: float, b: float) -> np.ndarray:
    """success[k] = 1 when P(p > p0 | k responses in nmax) > θ_T, k = 0..nmax."""
    from scipy import stats  # imported on use (slow to import)

    k = np.arange(nmax + 1)
    return stats.beta.sf(p0, a + k, b + nmax - k) > theta_t


def predictive_probability(
    responses: int, n: int, *, nmax: int, p0: float, theta_t: float, a: float, b: float
) -> float:
    """The predictive probability of success at Nmax given x responses in n (Lee & Liu 2008,
    §2): Σ_i P(Y = i | x) · 1[P(p > p0 | x + i, Nmax) > θ_T]. At n = Nmax it is 1 or 0."""
    from scipy import stats  # imported on use (slow to import)

    x, n, nmax = _check_counts(responses, n, nmax)
    a, b = _check_prior(a, b)
    p0 = _check_prob("p0", p0)
    theta_t = _check_prob("theta_t", theta_t)
    success = _success_table(nmax, p0, theta_t, a, b)
    m = nmax - n
    i = np.arange(m + 1)
    w = stats.betabinom.pmf(i, m, a + x, b + n - x)
    return float(np.sum(w * success[x + i]))


def _pp_all(n: int, nmax: int, success: np.ndarray, a: float, b: float) -> np.ndarray:
    """PP for every x = 0..n at n subjects."""
    from scipy import stats  # imported on use (slow to import)

    m = nmax - n
    x = np.arange(n + 1)[:, None]
    i = np.arange(m + 1)[None, :]
    w = stats.betabinom.pmf(i, m, a + x, b + n - x)
    return np.sum(w * success[x + i], axis=1)


def monitoring_looks(first: int, nmax: int, step: int = 1) -> list[int]:
    """The looks first, first + step, ..., and always Nmax (continuous monitoring from the
    ``first`` subject when step = 1, as in Lee & Liu 2008, §3)."""
    first, nmax, step = int(first), int(nmax), int(step)
    if not 1 <= first <= nmax:
        raise ValueError(f"the first look must lie between 1 and nmax = {nmax}, got {first}")
    if step < 1:
        raise ValueError(f"step must be at least 1, got {step}")
    looks = list(range(first, nmax, step))
    return [*looks, nmax]


def path_probabilities(
    looks: Sequence[int], lower: Sequence[int], upper: Sequence[int], p: float
) -> dict[str, object]:
    """Exact stopping probabilities of a multi-look design with binomial outcomes.

    At look k (n_k subjects) the trial stops for futility when the responses x <= lower[k] and
    for efficacy when x >= upper[k]; at the last look x >= upper[-1] is success and the rest
    failure. Returns ``reject`` (P of efficacy, early or final), ``pet`` (P of stopping before
    the last look, for either reason), ``en`` (expected number of subjects), and per look
    ``stop_futility``, ``stop_efficacy``.
    """
    from scipy import stats  # imported on use (slow to import)

    f = np.array([1.0])  # distribution of responses among continuing paths, at 0 subjects
    prev = 0
    fut, eff = [], []
    en = 0.0
    for k, nk in enumerate(looks):
        m = nk - prev
        step = stats.binom.pmf(np.arange(m + 1), m, p)
        f = np.convolve(f, step)
        x = np.arange(nk + 1)
        stop_f = x <= lower[k]
        stop_e = x >= upper[k]
        pf, pe = float(f[stop_f].sum()), float(f[stop_e & ~stop_f].sum())
        fut.append(pf)
        eff.append(pe)
        en += nk * (pf + pe)
        f = np.where(stop_f | stop_e, 0.0, f)
        prev = nk
    # at the last look every path stops (lower[-1] = upper[-1] - 1)
    return {
        "reject": float(sum(eff)),
        "pet": float(sum(fut[:-1]) + sum(eff[:-1])),
        "en": float(en),
        "stop_futility": fut,
        "stop_efficacy": eff,
    }


def predictive_boundaries(
    looks: Sequence[int],
    *,
    nmax: int,
    p0: float,
    theta_t: float,
    theta_l: float,
    theta_u: float = 1.0,
    a: float,
    b: float,
) -> list[dict[str, int | None]]:
    """The stopping boundaries at each look (Lee & Liu 2008, §3).

    For each look n: ``stop_if_responses_at_most`` is the largest x with PP < θ_L (None when
    no x stops the trial), and ``stop_for_efficacy_if_responses_at_least`` the smallest x with
    PP > θ_U (None when none). At Nmax, PP is 0 or 1: the trial fails with x at or below the
    boundary and succeeds above it. PP increases with x, which is checked.
    """
    nmax = int(nmax)
    a, b = _check_prior(a, b)
    p0 = _check_prob("p0", p0)
    theta_t = _check_prob("theta_t", theta_t)
    theta_l = _check_prob("theta_l", theta_l, closed=True)
    theta_u = _check_prob("theta_u", theta_u, closed=True)
    if theta_l >= theta_u:
        raise ValueError(f"theta_l must be below theta_u, got {theta_l} and {theta_u}")
    looks = [int(v) for v in looks]
    if not looks or looks != sorted(set(looks)) or looks[0] < 1 or looks[-1] != nmax:
        raise ValueError(f"looks must increase strictly from 1 or more and end at nmax = {nmax}")
    success = _success_table(nmax, p0, theta_t, a, b)
    out = []
    for n in looks:
        pp = _pp_all(n, nmax, success, a, b)
        if np.any(np.diff(pp) < -1e-12):
            raise ValueError(f"the predictive probability is not increasing in x at n = {n}")
        if n == nmax:
            fail = ~success
            low = int(np.nonzero(fail)[0].max()) if fail.any() else None
            out.append(
                {"n": n, "stop_if_responses_at_most": low}
                | ({"stop_for_efficacy_if_responses_at_least": None} if theta_u < 1 else {})
            )
            continue
        stop = np.nonzero(pp < theta_l)[0]
        low = int(stop.max()) if stop.size else None
        row: dict[str, int | None] = {"n": n, "stop_if_responses_at_most": low}
        if theta_u < 1:
            go = np.nonzero(pp > theta_u)[0]
            row["stop_for_efficacy_if_responses_at_least"] = int(go.min()) if go.size else None
        out.append(row)
    return out


def predictive_design(
    *,
    p0: float,
    p1: float,
    a: float,
    b: float,
    nmax: int,
    theta_t: float,
    theta_l: float,
    theta_u: float = 1.0,
    looks: Sequence[int] | None = None,
    first: int | None = None,
) -> dict[str, object]:
    """The predictive probability design of Lee & Liu (2008): boundaries and exact operating
    characteristics.

    The schedule is ``looks`` (ending at Nmax) or, from ``first``, every subject up to Nmax.
    Returns ``boundaries`` (`predictive_boundaries`), ``alpha`` (P(declaring the drug
    promising | p0), early efficacy stops included), ``power`` (the same at p1), ``pet0`` and
    ``pet1`` (probability of stopping before Nmax), ``en0`` and ``en1`` (expected sample
    size), with the inputs.
    """
    p0 = _check_prob("p0", p0)
    p1 = _check_prob("p1", p1)
    if not p1 > p0:
        raise ValueError(f"p1 must exceed p0, got p0={p0}, p1={p1}")
    if isinstance(nmax, bool) or int(nmax) != nmax or nmax < 1:
        raise ValueError(f"nmax must be a positive whole number, got {nmax!r}")
    nmax = int(nmax)
    if looks is None:
        if first is None:
            raise ValueError("give the monitoring schedule: looks or first")
        looks = monitoring_looks(first, nmax)
    bounds = predictive_boundaries(
        looks, nmax=nmax, p0=p0, theta_t=theta_t, theta_l=theta_l, theta_u=theta_u, a=a, b=b
    )
    lower = [
        -1 if d["stop_if_responses_at_most"] is None else int(d["stop_if_responses_at_most"])
        for d in bounds
    ]
    upper = []
    for d in bounds:
        if d["n"] == nmax:
            upper.append(int(lower[-1]) + 1)
        else:
            u = d.get("stop_for_efficacy_if_responses_at_least")
            upper.append(int(d["n"]) + 1 if u is None else int(u))
    oc0 = path_probabilities([d["n"] for d in bounds], lower, upper, p0)
    oc1 = path_probabilities([d["n"] for d in bounds], lower, upper, p1)
    return {
        "p0": p0,
        "p1": p1,
        "prior_a": float(a),
        "prior_b": float(b),
        "nmax": nmax,
        "theta_t": float(theta_t),
        "theta_l": float(theta_l),
        "theta_u": float(theta_u),
        "boundaries": bounds,
        "alpha": oc0["reject"],
        "power": oc1["reject"],
        "pet0": oc0["pet"],
        "pet1": oc1["pet"],
        "en0": oc0["en"],
        "en1": oc1["en"],
    }

"""BOP2 for a binary endpoint (Zhou, Lee & Yuan 2017, Statistics in Medicine 36:3302–3314).

With a Beta(a, b) prior on the response rate p (by default Beta(p0, 1 − p0): prior mean p0,
prior effective sample size 1), at each interim look with n of the planned N subjects the
trial stops for futility when

    P(p > p0 | data) < C(n) = λ (n / N)^γ,

and at n = N the drug is declared promising when P(p > p0 | data) >= C(N) = λ (§2.2). The
posterior probability increases with the responses, so each look has a boundary: stop when
x <= r_n.

`bop2_calibrate` chooses λ and γ on a grid by exact enumeration (§2.3): among the (λ, γ) whose
type I error P(promising | p0) is at most the target, the one with the largest power
P(promising | p1). Invalid arguments raise `ValueError`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from trialflow.stats.predictive import path_probabilities

LAMBDA_GRID: tuple[float, float, float] = (0.5, 0.999, 0.001)
"""λ grid for the calibration: start, stop (inclusive) and step."""

GAMMA_GRID: tuple[float, float, float] = (0.0, 3.0, 0.01)
"""γ grid for the calibration: start, stop (inclusive) and step."""


def _grid(spec: tuple[float, float, float]) -> np.ndarray:
    start, stop, step = (float(v) for v in spec)
    if step <= 0 or stop < start:
        raise ValueError(f"a grid needs start <= stop and step > 0, got {spec}")
    count = int(round((stop - start) / step)) + 1
    return np.round(start + step * np.arange(count), 10)


def bop2_looks(nmax: int, interims: Sequence[int]) -> list[int]:
    """The interim sample sizes in increasing order, with N appended as the final look."""
    if isinstance(nmax, bool) or int(nmax) != nmax or nmax < 1:
        raise ValueError(f"nmax must be a positive whole number, got {nmax!r}")
    nmax = int(nmax)
    looks = sorted({int(v) for v in interims})
    if any(v < 1 or v > nmax for v in looks):
        raise ValueError(f"interim sample sizes must lie between 1 and nmax = {nmax}, got {looks}")
    if any(int(v) != v for v in interims):
        raise ValueError(f"interim sample sizes must be whole numbers, got {list(interims)}")
    looks = [v for v in looks if v < nmax]
    return [*looks, nmax]


def _prior(p0: float, a: float | None, b: float | None) -> tuple[float, float]:
    if a is None and b is None:
        return p0, 1.0 - p0
    if a is None or b is None or not (a > 0 and b > 0):
        raise ValueError(f"the Beta prior needs a > 0 and b > 0, got a={a}, b={b}")
    return float(a), float(b)


def _check(p0: float, p1: float | None = None) -> None:
    if not 0.0 < float(p0) < 1.0:
        raise ValueError(f"p0 must lie strictly between 0 and 1, got {p0}")
    if p1 is not None:
        if not 0.0 < float(p1) < 1.0:
            raise ValueError(f"p1 must lie strictly between 0 and 1, got {p1}")
        if not p1 > p0:
            raise ValueError(f"p1 must exceed p0, got p0={p0}, p1={p1}")


def _posteriors(looks: Sequence[int], p0: float, a: float, b: float) -> list[np.ndarray]:
    """P(p > p0 | x of n) for x = 0..n at each look (increasing in x)."""
    from scipy import stats  # imported on use (slow to import)

    out = []
    for n in looks:
        x = np.arange(n + 1)
        out.append(stats.beta.sf(p0, a + x, b + n - x))
    return out


def bop2_boundaries(
    *,
    p0: float,
    nmax: int,
    interims: Sequence[int],
    lam: float,
    gamma: float,
    a: float | None = None,
    b: float | None = None,
) -> list[dict[str, int | None]]:
    """The futility boundaries of BOP2 at each look: ``stop_if_responses_at_most`` = the
    largest x with P(p > p0 | x of n) < λ (n/N)^γ (None when no x stops the trial). At N the
    drug is not promising with x at or below the boundary."""
    _check(p0)
    if not 0.0 < float(lam) < 1.0:
        raise ValueError(f"lambda must lie strictly between 0 and 1, got {lam}")
    if float(gamma) < 0:
        raise ValueError(f"gamma must be non-negative, got {gamma}")
    a, b = _prior(float(p0), a, b)
    looks = bop2_looks(nmax, interims)
    out = []
    for n, post in zip(looks, _posteriors(looks, p0, a, b), strict=True):
        cut = float(lam) * (n / looks[-1]) ** float(gamma)
        r = int(np.searchsorted(post, cut, side="left")) - 1
        out.append({"n": n, "stop_if_responses_at_most": None if r < 0 else r})
    return out


def _oc(looks: list[int], lower: Sequence[int], p: float) -> dict[str, object]:
    upper = [n + 1 for n in looks[:-1]] + [int(lower[-1]) + 1]
    return path_probabilities(looks, list(lower), upper, p)


def bop2_operating_characteristics(
    boundaries: Sequence[dict[str, int | None]], p: float
) -> dict[str, float]:
    """``reject`` (P(promising)), ``pet`` (P(stopping at an interim)) and ``en`` (expected
    sample size) at the true response rate p, by exact enumeration over the looks."""
    looks = [int(d["n"]) for d in boundaries]
    lower = [
        -1 if d["stop_if_responses_at_most"] is None else int(d["stop_if_responses_at_most"])
        for d in boundaries
    ]
    oc = _oc(looks, lower, float(p))
    return {"reject": float(oc["reject"]), "pet": float(oc["pet"]), "en": float(oc["en"])}


def _batch_oc(looks: list[int], lower: np.ndarray, p: float) -> tuple[np.ndarray, ...]:
    """reject, pet, en for many boundary vectors at once (rows of ``lower``)."""
    from scipy import stats  # imported on use (slow to import)

    nd = lower.shape[0]
    f = np.zeros((nd, 1))
    f[:, 0] = 1.0
    prev = 0
    pet = np.zeros(nd)
    en = np.zeros(nd)
    for k, nk in enumerate(looks):
        m = nk - prev
        step = stats.binom.pmf(np.arange(m + 1), m, p)
        g = np.zeros((nd, f.shape[1] + m))
        for j, w in enumerate(step):
            g[:, j : j + f.shape[1]] += w * f
        f = g
        x = np.arange(nk + 1)[None, :]
        stop = x <= lower[:, k][:, None]
        ps = np.where(stop, f, 0.0).sum(axis=1)
        if k < len(looks) - 1:
            pet += ps
            en += nk * ps
            f = np.where(stop, 0.0, f)
        else:
            reject = f.sum(axis=1) - ps
            en += nk * f.sum(axis=1)
        prev = nk
    return reject, pet, en


def bop2_calibrate(
    *,
    p0: float,
    p1: float,
    nmax: int,
    interims: Sequence[int],
    alpha: float,
    a: float | None = None,
    b: float | None = None,
    lambda_grid: tuple[float, float, float] = LAMBDA_GRID,
    gamma_grid: tuple[float, float, float] = GAMMA_GRID,
) -> dict[str, object]:
    """Calibrate λ and γ (Zhou, Lee & Yuan 2017, §2.3) by exact enumeration.

    Every (λ, γ) on the grids gives a boundary vector; the operating characteristics of each
    distinct vector are computed exactly. The design is the one with type I error <= ``alpha``
    and the largest power; ties go to the smaller EN0, then the smaller λ, then the smaller γ.
    Returns ``lambda``, ``gamma``, ``boundaries``, ``alpha`` and ``power`` (attained), ``pet0``
    (probability of stopping at an interim under p0), ``en0``, ``pet1``, ``en1`` and the
    inputs. Raises `ValueError` when no grid point keeps the type I error at ``alpha``.
    """
    _check(p0, p1)
    if not 0.0 < float(alpha) < 1.0:
        raise ValueError(f"alpha must lie strictly between 0 and 1, got {alpha}")
    a, b = _prior(float(p0), a, b)
    looks = bop2_looks(nmax, interims)
    lams, gams = _grid(lambda_grid), _grid(gamma_grid)
    if lams.min() <= 0 or lams.max() >= 1 or gams.min() < 0:
        raise ValueError("the lambda grid must lie in (0, 1) and the gamma grid at or above 0")
    posts = _posteriors(looks, float(p0), a, b)
    frac = np.array(looks, dtype=float) / looks[-1]
    lam_g, gam_g = np.meshgrid(lams, gams, indexing="ij")
    lam_f, gam_f = lam_g.ravel(), gam_g.ravel()  # λ-major order: smaller λ, then smaller γ
    bounds = np.empty((lam_f.size, len(looks)), dtype=np.int64)
    for k, post in enumerate(posts):
        cut = lam_f * frac[k] ** gam_f
        bounds[:, k] = np.searchsorted(post, cut, side="left") - 1
    uniq, first_idx = np.unique(bounds, axis=0, return_index=True)
    rej0, pet0, en0 = _batch_oc(looks, uniq, float(p0))
    rej1, pet1, en1 = _batch_oc(looks, uniq, float(p1))
    ok = rej0 <= float(alpha) + 1e-12
    if not ok.any():
        raise ValueError(
            f"no (lambda, gamma) on the grid keeps the type I error at or below {alpha} for "
            f"p0={p0}, nmax={nmax}"
        )
    # largest power, then smallest EN0, then earliest grid point (smaller λ, then γ)
    cand = np.nonzero(ok)[0]
    order = np.lexsort((first_idx[cand], np.round(en0[cand], 9), -np.round(rej1[cand], 12)))
    best = cand[order[0]]
    gi = int(first_idx[best])
    boundaries = [
        {"n": n, "stop_if_responses_at_most": None if int(r) < 0 else int(r)}
        for n, r in zip(looks, uniq[best], strict=True)
    ]
    return {
        "p0": float(p0),
        "p1": float(p1),
        "nmax": looks[-1],
        "prior_a": a,
        "prior_b": b,
        "target_alpha": float(alpha),
        "lambda": float(lam_f[gi]),
        "gamma": float(gam_f[gi]),
        "boundaries": boundaries,
        "alpha": float(rej0[best]),
        "power": float(rej1[best]),
        "pet0": float(pet0[best]),
        "en0": float(en0[best]),
        "pet1": float(pet1[best]),
        "en1": float(en1[best]),
    }

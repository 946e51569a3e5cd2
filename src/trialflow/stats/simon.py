"""Simon's two-stage designs for a binary endpoint: optimal, minimax and admissible.

- `simon_two_stage`: Simon (1989, Controlled Clinical Trials 10:1–10) optimal and minimax
  designs, and one admissible design (Jung, Lee, Kim & George 2004, Statistics in Medicine
  23:561–569) chosen by its weight q, all by exact search.
- `simon_admissible`: every admissible design with the range of q for which it minimises the
  Bayes risk q·n + (1 − q)·EN0.
- `simon_operating_characteristics`: rejection probability, PET and EN of a given design at p.

Notation (Simon 1989): n1 subjects in stage 1, n in total; the trial stops after stage 1 when
the stage-1 responses X1 <= r1, and H0: p <= p0 is rejected (the drug is promising) when the
total responses X1 + X2 > r.

Pure arithmetic on binomial probabilities; invalid arguments raise `ValueError`.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import special

SIMON_KINDS: tuple[str, ...] = ("optimal", "minimax", "admissible")
"""The Simon two-stage design variants `simon_two_stage` accepts."""

HARD_NMAX = 1000
"""The largest total sample size any design search here considers."""

DEFAULT_Q = 0.5
"""The weight on n in the Bayes risk q·n + (1 − q)·EN0 that picks the admissible design when
none is given (Jung et al. 2004 leave q to the investigator; 0.5 weighs n and EN0 equally)."""

_EN_TOL = 1e-9  # expected sample sizes closer than this are treated as tied


# --- argument checks ----------------------------------------------------------------------


def check_design_args(p0: float, p1: float, alpha: float, power: float) -> None:
    """Raise `ValueError` unless 0 < p0 < p1 < 1 and 0 < alpha < power < 1."""
    for name, value in (("p0", p0), ("p1", p1), ("alpha", alpha), ("power", power)):
        if not 0.0 < float(value) < 1.0:
            raise ValueError(f"{name} must lie strictly between 0 and 1, got {value}")
    if not p1 > p0:
        raise ValueError(f"p1 must exceed p0, got p0={p0}, p1={p1}")
    if not power > alpha:
        raise ValueError(f"power must exceed alpha, got alpha={alpha}, power={power}")


def check_simon_design(r1: int, n1: int, r: int, n: int) -> tuple[int, int, int, int]:
    """Return (r1, n1, r, n) as ints after checking 0 <= r1 < n1 < n and r1 <= r < n."""
    vals = []
    for name, v in (("r1", r1), ("n1", n1), ("r", r), ("n", n)):
        if isinstance(v, bool) or int(v) != v or v < 0:
            raise ValueError(f"{name} must be a non-negative whole number, got {v!r}")
        vals.append(int(v))
    r1, n1, r, n = vals
    if not (r1 < n1 < n and r1 <= r < n):
        raise ValueError(
            f"a Simon design needs 0 <= r1 < n1 < n and r1 <= r < n, got r1={r1}, n1={n1}, "
            f"r={r}, n={n}"
        )
    return r1, n1, r, n


# --- binomial probabilities (scipy.special: the command line starts faster than with stats) -


def binom_pmf(k, n, p: float) -> np.ndarray:
    """P(X = k) for X ~ Bin(n, p), broadcasting k and n; 0 outside 0 <= k <= n."""
    k, n = np.broadcast_arrays(np.asarray(k, dtype=float), np.asarray(n, dtype=float))
    ok = (k >= 0) & (k <= n)
    kk, nn = np.where(ok, k, 0.0), np.where(ok, n, 0.0)
    log = (
        special.gammaln(nn + 1)
        - special.gammaln(kk + 1)
        - special.gammaln(nn - kk + 1)
        + special.xlogy(kk, p)
        + special.xlog1py(nn - kk, -p)
    )
    return np.where(ok, np.exp(log), 0.0)


def binom_cdf(k, n, p: float) -> np.ndarray:
    """P(X <= k) for X ~ Bin(n, p), broadcasting k and n (0 below 0, 1 from n on)."""
    k, n = np.broadcast_arrays(np.asarray(k, dtype=np.int64), np.asarray(n, dtype=np.int64))
    inside = special.bdtr(np.clip(k, 0, np.maximum(n - 1, 0)), n, p)
    return np.where(k < 0, 0.0, np.where(k >= n, 1.0, inside))


def binom_sf(k, n, p: float) -> np.ndarray:
    """P(X > k) for X ~ Bin(n, p), broadcasting k and n (1 below 0, 0 from n on)."""
    k, n = np.broadcast_arrays(np.asarray(k, dtype=np.int64), np.asarray(n, dtype=np.int64))
    inside = special.bdtrc(np.clip(k, 0, np.maximum(n - 1, 0)), n, p)
    return np.where(k < 0, 1.0, np.where(k >= n, 0.0, inside))


# --- binomial tables ----------------------------------------------------------------------


def _binom_tables(p: float, size: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """pmf[m, k] = P(X_m = k), cdf[m, k] = P(X_m <= k) and sfx[m, k + 1] = P(X_m > k) for
    X_m ~ Bin(m, p), m = 0..size, k = 0..size (sfx also holds k = -1, where it is 1)."""
    m = np.arange(size + 1)[:, None]
    k = np.arange(size + 1)[None, :]
    pmf = binom_pmf(k, m, p)
    cdf = binom_cdf(k, m, p)
    sfx = np.empty((size + 1, size + 2))
    sfx[:, 0] = 1.0
    sfx[:, 1:] = binom_sf(k, m, p)
    return pmf, cdf, sfx


def randomized_np_lower_bound(p0: float, p1: float, alpha: float, power: float) -> int:
    """The smallest n at which the most powerful level-alpha test of p0 against p1 (the
    randomized Neyman–Pearson test, which rejects for large X) reaches the power.

    No design with fewer subjects can satisfy both constraints, since any non-randomized test
    on n subjects, one- or two-stage, is at most as powerful as this test at its size
    (Neyman–Pearson lemma) and its power only grows with n.
    """
    for n in range(1, HARD_NMAX + 1):
        k = np.arange(n + 1)
        sf0 = binom_sf(k, n, p0)  # P0(X > k)
        c = int(np.argmax(sf0 <= alpha))
        pmf0_c = binom_pmf(c, n, p0)
        gamma = (alpha - sf0[c]) / pmf0_c if pmf0_c > 0 else 0.0
        pw = binom_sf(c, n, p1) + min(1.0, gamma) * binom_pmf(c, n, p1)
        if pw >= power:
            return n
    raise ValueError(
        f"no design with at most {HARD_NMAX} subjects reaches power {power} at alpha {alpha} "
        f"for p0={p0}, p1={p1}"
    )


# --- the search ---------------------------------------------------------------------------


class _Search:
    """Exact search over (r1, n1, r, n) for fixed p0, p1, alpha and power."""

    def __init__(self, p0: float, p1: float, alpha: float, power: float, limit: int):
        self.p0, self.p1, self.alpha, self.power, self.limit = p0, p1, alpha, power, limit
        self.n_lo = max(2, randomized_np_lower_bound(p0, p1, alpha, power))
        self.size = 0
        self._tables(min(limit, max(150, 3 * self.n_lo)))

    def _tables(self, size: int) -> None:
        self.size = size
        self.tab0 = _binom_tables(self.p0, size)
        self.tab1 = _binom_tables(self.p1, size)
        # PET0max(n1): P0(X1 <= r1*) for the largest r1* < n1 with P1(X1 > r1*) >= power
        # (NaN where no r1 allows the power, so that no design has this n1).
        cdf0, cdf1 = self.tab0[1], self.tab1[1]
        m = cdf0.shape[0]
        allowed = (cdf1 <= 1.0 - self.power) & (np.arange(m)[None, :] < np.arange(m)[:, None])
        out = np.where(allowed, cdf0, -np.inf).max(axis=1)
        self.petmax = np.where(np.isfinite(out), out, np.nan)

    def ensure(self, n: int) -> None:
        if n > self.size:
            self._tables(min(self.limit, max(n, 2 * self.size)))

    def candidates(self, n: int, n1: int) -> list[tuple[int, int, float, float]]:
        """Feasible (r1, r, attained alpha, attained power) at one (n1, n), one per r1.

        For each r1 the r reported is the smallest r meeting the type I error constraint,
        which gives the largest power; a design with this r1 is feasible iff that power reaches
        the target (rejection probabilities fall as r grows).
        """
        pmf0, _, sfx0 = self.tab0
        pmf1, _, sfx1 = self.tab1
        n2 = n - n1
        x1 = np.arange(n1 + 1)
        r = np.arange(n)
        idx = np.maximum(r[None, :] - x1[:, None], -1) + 1
        m0 = pmf0[n1, : n1 + 1, None] * sfx0[n2][idx]
        m1 = pmf1[n1, : n1 + 1, None] * sfx1[n2][idx]
        # rej[r1, r] = sum_{x1 = r1 + 1}^{n1} P(X1 = x1) P(X2 > r - x1), r1 = 0..n1-1
        rej0 = np.cumsum(m0[::-1], axis=0)[::-1][1:]
        rej1 = np.cumsum(m1[::-1], axis=0)[::-1][1:]
        valid_r = r[None, :] >= np.arange(n1)[:, None]
        ok_alpha = (rej0 <= self.alpha) & valid_r
        has = ok_alpha.any(axis=1)
        r_best = np.argmax(ok_alpha, axis=1)
        rows = np.arange(n1)
        feasible = has & (rej1[rows, r_best] >= self.power)
        return [
            (int(r1), int(r_best[r1]), float(rej0[r1, r_best[r1]]), float(rej1[r1, r_best[r1]]))
            for r1 in np.nonzero(feasible)[0]
        ]

    def best_at(self, n: int, bound: float = math.inf) -> tuple | None:
        """The design with the smallest EN0 among those with total n (ties: smaller n1, then
        r1), as (en0, n, n1, r1, r, alpha, power); None when no design with this n is feasible
        or none has EN0 <= bound."""
        self.ensure(n)
        best = None
        limit = bound
        for n1 in range(1, n):
            pm = self.petmax[n1]
            if np.isnan(pm):
                continue
            if n1 + (1.0 - pm) * (n - n1) > limit + _EN_TOL:
                continue
            for r1, r, a_att, pw_att in self.candidates(n, n1):
                pet0 = float(self.tab0[1][n1, r1])
                en0 = n1 + (1.0 - pet0) * (n - n1)
                if en0 > limit + _EN_TOL:
                    continue
                if best is None or en0 < best[0] - _EN_TOL:
                    best = (en0, n, n1, r1, r, a_att, pw_att)
                    limit = min(limit, en0)
        return best

    def can_beat(self, n: int, en: float) -> bool:
        """False when no design with total n can have EN0 <= en (EN0 >= n1 + (1 -
        PET0max(n1))(n - n1) and EN0 > n1)."""
        self.ensure(n)
        n1s = np.arange(1, min(n, math.ceil(en) + 1))
        if n1s.size == 0:
            return False
        lb = n1s + (1.0 - self.petmax[n1s]) * (n - n1s)
        return bool(np.any(lb <= en + _EN_TOL))

    def minimax(self) -> tuple:
        for n in range(self.n_lo, self.limit + 1):
            found = self.best_at(n)
            if found is not None:
                return found
        raise self._none()

    def optimal(self) -> tuple:
        best = None
        for n in range(self.n_lo, self.limit + 1):
            if best is not None and not self.can_beat(n, best[0]):
                break
            found = self.best_at(n, best[0] if best is not None else math.inf)
            if found is not None and (best is None or found[0] < best[0] - _EN_TOL):
                best = found
        if best is None:
            raise self._none()
        return best

    def _none(self) -> ValueError:
        return ValueError(
            f"no Simon design with n <= {self.limit} for p0={self.p0}, p1={self.p1}, "
            f"alpha={self.alpha}, power={self.power}; increase nmax"
        )


def _as_dict(found: tuple, kind: str, p0: float, p1: float, alpha: float, power: float) -> dict:
    en0, n, n1, r1, r, a_att, pw_att = found
    pet0 = float(binom_cdf(r1, n1, p0))
    return {
        "kind": kind,
        "p0": float(p0),
        "p1": float(p1),
        "r1": int(r1),
        "n1": int(n1),
        "r": int(r),
        "n": int(n),
        "en0": float(en0),
        "pet0": pet0,
        "alpha": float(a_att),
        "power": float(pw_att),
        "target_alpha": float(alpha),
        "target_power": float(power),
    }


def _limit(nmax: int | None) -> int:
    limit = HARD_NMAX if nmax is None else int(nmax)
    if not 2 <= limit <= HARD_NMAX:
        raise ValueError(f"nmax must lie between 2 and {HARD_NMAX}, got {nmax}")
    return limit


def simon_admissible(
    p0: float, p1: float, alpha: float, power: float, nmax: int | None = None
) -> list[dict]:
    """Every admissible two-stage design (Jung, Lee, Kim & George 2004, §2).

    A design is admissible when it minimises the Bayes risk q·n + (1 − q)·EN0 for some weight
    q in [0, 1] among all designs meeting the type I error and power constraints. For each total
    n between the minimax n (q = 1) and the optimal n (q = 0) the candidate is the design with
    the smallest EN0 at that n (`simon_two_stage` rules for r and for ties); the admissible
    designs are the vertices of the lower convex hull of the points (n, EN0).

    Returns the designs in increasing n (from minimax to optimal), each as in
    `simon_two_stage` with ``kind`` "admissible" and ``q_lower``, ``q_upper``: the designs
    minimises the risk for q in [q_lower, q_upper]. The optimal design has q_lower = 0 and the
    minimax design q_upper = 1.
    """
    check_design_args(p0, p1, alpha, power)
    search = _Search(float(p0), float(p1), float(alpha), float(power), _limit(nmax))
    mm = search.minimax()
    opt = search.optimal()
    points = [mm]
    for n in range(mm[1] + 1, opt[1]):
        found = search.best_at(n)
        if found is not None:
            points.append(found)
    if opt[1] != mm[1]:
        points.append(opt)
    # lower convex hull in (n, en0), n increasing and en0 decreasing along the hull
    hull: list[tuple] = []
    for pt in points:
        if hull and pt[0] >= hull[-1][0] - _EN_TOL:
            continue  # not smaller EN0 than a design with smaller n: dominated
        while len(hull) >= 2:
            (e_a, n_a), (e_b, n_b) = (hull[-2][0], hull[-2][1]), (hull[-1][0], hull[-1][1])
            # drop b when it lies on or above the segment from a to pt
            cross = (n_b - n_a) * (pt[0] - e_a) - (e_b - e_a) * (pt[1] - n_a)
            if cross <= _EN_TOL:
                hull.pop()
            else:
                break
        hull.append(pt)
    out = []
    for i, pt in enumerate(hull):
        # q at which pt and its neighbour have equal risk: q·Δn = (1 − q)·(−ΔEN0)
        if i + 1 < len(hull):
            nxt = hull[i + 1]
            de, dn = pt[0] - nxt[0], nxt[1] - pt[1]
            q_lower = de / (de + dn)
        else:
            q_lower = 0.0
        if i > 0:
            prv = hull[i - 1]
            de, dn = prv[0] - pt[0], pt[1] - prv[1]
            q_upper = de / (de + dn)
        else:
            q_upper = 1.0
        d = _as_dict(pt, "admissible", p0, p1, alpha, power)
        d["q_lower"] = float(q_lower)
        d["q_upper"] = float(q_upper)
        out.append(d)
    return out


def simon_two_stage(
    p0: float,
    p1: float,
    alpha: float,
    power: float,
    kind: str = "optimal",
    nmax: int | None = None,
    q: float | None = None,
) -> dict:
    """Simon's two-stage design (Simon 1989), exact search.

    Stage 1 enrols n1 subjects and the trial stops for futility when X1 <= r1 responses;
    otherwise n - n1 more are enrolled and the drug is promising when X1 + X2 > r. Among all
    (r1, n1, r, n) with P(reject | p0) <= alpha and P(reject | p1) >= power:

    - ``kind="optimal"`` minimizes EN0, the expected sample size under p0;
    - ``kind="minimax"`` minimizes n, and among those EN0;
    - ``kind="admissible"`` (Jung et al. 2004) minimizes q·n + (1 − q)·EN0 with the weight
      ``q`` (default `DEFAULT_Q`); at a q where two admissible designs tie, the one with the
      smaller n. q = 0 gives the optimal and q = 1 the minimax design.

    Search and ties:

    - n starts at the smallest n where the most powerful (randomized Neyman–Pearson) level-alpha
      single-stage test reaches the power: no design, two-stage or not, can be smaller.
    - For each (n1, n, r1) the r reported is the smallest that keeps the type I error <= alpha
      (it has the largest power); EN0 does not depend on r.
    - Designs whose EN0 agree within 1e-9 are tied; the tie goes to the smaller n, then n1,
      then r1.
    - ``nmax=None``: the optimal search stops at the first n where no larger design can beat
      the best EN0 found (EN0 >= n1 + (1 - PET0max(n1))(n - n1), PET0max(n1) the largest
      early-stopping probability under p0 that still allows the power), so the result is the
      exact optimum, capped at 1000. With an explicit ``nmax`` the search ends there.

    Returns ``r1``, ``n1``, ``r``, ``n``, ``en0`` (expected sample size under p0), ``pet0``
    (probability of early termination under p0), ``alpha`` and ``power`` (as attained),
    ``kind``, ``p0``, ``p1``, ``target_alpha`` and ``target_power`` (and ``q``, ``q_lower``,
    ``q_upper`` for admissible). Raises `ValueError` when no design with n <= nmax exists.
    """
    check_design_args(p0, p1, alpha, power)
    if kind not in SIMON_KINDS:
        raise ValueError(f"kind must be one of {', '.join(SIMON_KINDS)}, got {kind!r}")
    if kind == "admissible":
        weight = DEFAULT_Q if q is None else float(q)
        if not 0.0 <= weight <= 1.0:
            raise ValueError(f"q must lie between 0 and 1, got {q}")
        designs = simon_admissible(p0, p1, alpha, power, nmax=nmax)
        risks = [weight * d["n"] + (1.0 - weight) * d["en0"] for d in designs]
        best = min(risks)
        chosen = dict(next(d for d, v in zip(designs, risks, strict=True) if v <= best + 1e-9))
        chosen["q"] = weight
        return chosen
    if q is not None:
        raise ValueError("q applies to kind 'admissible' only")
    search = _Search(float(p0), float(p1), float(alpha), float(power), _limit(nmax))
    found = search.minimax() if kind == "minimax" else search.optimal()
    return _as_dict(found, kind, p0, p1, alpha, power)


def simon_operating_characteristics(r1: int, n1: int, r: int, n: int, p: float) -> dict:
    """P(reject H0), PET and EN of the design (r1/n1, r/n) at the true response rate p:
    reject = P(X1 > r1, X1 + X2 > r), pet = P(X1 <= r1), en = n1 + (1 − pet)(n − n1)."""
    r1, n1, r, n = check_simon_design(r1, n1, r, n)
    if not 0.0 <= float(p) <= 1.0:
        raise ValueError(f"p must lie between 0 and 1, got {p}")
    x1 = np.arange(r1 + 1, n1 + 1)
    reject = float(np.sum(binom_pmf(x1, n1, p) * binom_sf(r - x1, n - n1, p)))
    pet = float(binom_cdf(r1, n1, p))
    return {"reject": reject, "pet": pet, "en": n1 + (1.0 - pet) * (n - n1)}

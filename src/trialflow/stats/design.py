"""Single-arm Phase II designs and the decisions they lead to.

- `simon_two_stage`: Simon's (1989) optimal and minimax two-stage designs, by exact search.
- `single_stage_binomial`: the smallest exact single-stage binomial design.
- `simon_decision`, `single_stage_decision`: the go/no-go decision of an ORR-primary trial from
  the observed responses, as a sentence the report can print.

Everything here is pure arithmetic on counts. Invalid arguments (probabilities outside (0, 1),
p1 <= p0, negative counts, inconsistent counts) raise `ValueError`.

Notation (Simon 1989): n1 subjects in stage 1, n in total; the trial stops after stage 1 when
the stage-1 responses X1 <= r1, and the drug is declared promising (H0: p <= p0 rejected) when
the total responses X1 + X2 > r.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
from scipy import stats

SIMON_KINDS: tuple[str, ...] = ("optimal", "minimax")
"""The Simon two-stage design variants `simon_two_stage` accepts."""

HARD_NMAX = 1000
"""The largest total sample size any design search here considers."""

_EN_TOL = 1e-9  # expected sample sizes closer than this are treated as tied


# --- argument checks ----------------------------------------------------------------------


def _check_design_args(p0: float, p1: float, alpha: float, power: float) -> None:
    for name, value in (("p0", p0), ("p1", p1), ("alpha", alpha), ("power", power)):
        if not 0.0 < float(value) < 1.0:
            raise ValueError(f"{name} must lie strictly between 0 and 1, got {value}")
    if not p1 > p0:
        raise ValueError(f"p1 must exceed p0, got p0={p0}, p1={p1}")
    if not power > alpha:
        raise ValueError(f"power must exceed alpha, got alpha={alpha}, power={power}")


def _check_count(name: str, value: int) -> int:
    if isinstance(value, bool) or int(value) != value or value < 0:
        raise ValueError(f"{name} must be a non-negative whole number, got {value!r}")
    return int(value)


def _pct(p: float) -> str:
    """A probability as a percentage for sentences: 0.1 -> '10%', 0.125 -> '12.5%'."""
    return f"{round(100.0 * float(p), 6):g}%"


def _responses(k: int) -> str:
    return f"{k} response" + ("" if k == 1 else "s")


# --- binomial tables ----------------------------------------------------------------------


def _binom_tables(p: float, size: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """pmf[m, k] = P(X_m = k), cdf[m, k] = P(X_m <= k) and sfx[m, k + 1] = P(X_m > k) for
    X_m ~ Bin(m, p), m = 0..size, k = 0..size (sfx also holds k = -1, where it is 1)."""
    m = np.arange(size + 1)[:, None]
    k = np.arange(size + 1)[None, :]
    pmf = stats.binom.pmf(k, m, p)
    cdf = stats.binom.cdf(k, m, p)
    sfx = np.empty((size + 1, size + 2))
    sfx[:, 0] = 1.0
    sfx[:, 1:] = stats.binom.sf(k, m, p)
    return pmf, cdf, sfx


def _randomized_np_lower_bound(p0: float, p1: float, alpha: float, power: float) -> int:
    """The smallest n at which the most powerful level-alpha test of p0 against p1 (the
    randomized Neyman–Pearson test, which rejects for large X) reaches the power.

    No design with fewer subjects can satisfy both constraints, since any non-randomized test
    on n subjects, one- or two-stage, is at most as powerful as this test at its size
    (Neyman–Pearson lemma) and its power only grows with n.
    """
    for n in range(1, HARD_NMAX + 1):
        k = np.arange(n + 1)
        sf0 = stats.binom.sf(k, n, p0)  # P0(X > k)
        # smallest c with P0(X > c) <= alpha; reject X > c and randomize at X = c
        c = int(np.argmax(sf0 <= alpha))
        pmf0_c = stats.binom.pmf(c, n, p0)
        gamma = (alpha - sf0[c]) / pmf0_c if pmf0_c > 0 else 0.0
        pw = stats.binom.sf(c, n, p1) + min(1.0, gamma) * stats.binom.pmf(c, n, p1)
        if pw >= power:
            return n
    raise ValueError(
        f"no design with at most {HARD_NMAX} subjects reaches power {power} at alpha {alpha} "
        f"for p0={p0}, p1={p1}"
    )


# --- Simon two-stage ----------------------------------------------------------------------


def _simon_candidates(
    n: int,
    n1: int,
    tab0: tuple[np.ndarray, np.ndarray, np.ndarray],
    tab1: tuple[np.ndarray, np.ndarray, np.ndarray],
    alpha: float,
    power: float,
) -> list[tuple[int, int, float, float]]:
    """Feasible (r1, r, attained alpha, attained power) at one (n1, n), one per r1.

    For each r1 the reported r is the smallest r meeting the type I error constraint, which
    gives the largest power; a design with this r1 is feasible iff that power reaches the
    target (rejection probabilities fall as r grows).
    """
    pmf0, _, sfx0 = tab0
    pmf1, _, sfx1 = tab1
    n2 = n - n1
    x1 = np.arange(n1 + 1)
    r = np.arange(n)
    # P(X2 > r - x1); index r - x1 + 1 into sfx, clipped at 0 where r - x1 < 0 (prob. 1)
    idx = np.maximum(r[None, :] - x1[:, None], -1) + 1
    m0 = pmf0[n1, : n1 + 1, None] * sfx0[n2][idx]
    m1 = pmf1[n1, : n1 + 1, None] * sfx1[n2][idx]
    # rej[r1, r] = sum_{x1 = r1 + 1}^{n1} P(X1 = x1) P(X2 > r - x1), r1 = 0..n1-1
    rej0 = np.cumsum(m0[::-1], axis=0)[::-1][1:]
    rej1 = np.cumsum(m1[::-1], axis=0)[::-1][1:]
    valid_r = r[None, :] >= np.arange(n1)[:, None]  # r1 <= r < n
    ok_alpha = (rej0 <= alpha) & valid_r
    has = ok_alpha.any(axis=1)
    r_best = np.argmax(ok_alpha, axis=1)
    rows = np.arange(n1)
    feasible = has & (rej1[rows, r_best] >= power)
    return [
        (int(r1), int(r_best[r1]), float(rej0[r1, r_best[r1]]), float(rej1[r1, r_best[r1]]))
        for r1 in np.nonzero(feasible)[0]
    ]


def simon_two_stage(
    p0: float,
    p1: float,
    alpha: float,
    power: float,
    kind: str = "optimal",
    nmax: int | None = None,
) -> dict[str, float | int | str]:
    """Simon's two-stage design (Simon 1989, Controlled Clinical Trials 10:1–10), exact search.

    Stage 1 enrols n1 subjects and the trial stops for futility when X1 <= r1 responses;
    otherwise n - n1 more are enrolled and the drug is promising when X1 + X2 > r. Among all
    (r1, n1, r, n) with P(reject | p0) <= alpha and P(reject | p1) >= power:

    - ``kind="optimal"`` minimizes EN0, the expected sample size under p0;
    - ``kind="minimax"`` minimizes n, and among those EN0.

    Search and ties:

    - n starts at the smallest n where the most powerful (randomized Neyman–Pearson) level-alpha
      single-stage test reaches the power: no design, two-stage or not, can be smaller.
    - For each (n1, n, r1) the r reported is the smallest that keeps the type I error <= alpha
      (it has the largest power); EN0 does not depend on r.
    - Designs whose EN0 agree within 1e-9 are tied; the tie goes to the smaller n, then n1,
      then r1.
    - ``nmax=None``: for "optimal" the search stops at the first n where no larger design can
      beat the best EN0 found (EN0 >= n1 + (1 - PET0max(n1))(n - n1), with PET0max(n1) the
      largest early-stopping probability under p0 that still allows the power), so the result is
      the exact optimum, capped at 1000. With an explicit ``nmax`` the search ends there.

    Returns a mapping with ``r1``, ``n1``, ``r``, ``n``, ``en0`` (expected sample size under
    p0), ``pet0`` (probability of early termination under p0), ``alpha`` and ``power`` (as
    attained), ``kind``, ``p0``, ``p1``, ``target_alpha`` and ``target_power``. Raises
    `ValueError` when no design with n <= nmax exists.
    """
    _check_design_args(p0, p1, alpha, power)
    if kind not in SIMON_KINDS:
        raise ValueError(f"kind must be one of {', '.join(SIMON_KINDS)}, got {kind!r}")
    limit = HARD_NMAX if nmax is None else int(nmax)
    if not 2 <= limit <= HARD_NMAX:
        raise ValueError(f"nmax must lie between 2 and {HARD_NMAX}, got {nmax}")
    n_lo = max(2, _randomized_np_lower_bound(p0, p1, alpha, power))
    if n_lo > limit:
        raise ValueError(f"no Simon design with n <= {limit}: at least {n_lo} subjects needed")

    size = min(limit, max(150, 3 * n_lo))
    tab0, tab1 = _binom_tables(p0, size), _binom_tables(p1, size)

    def pet_max(cdf0: np.ndarray, cdf1: np.ndarray) -> np.ndarray:
        # PET0max(n1): P0(X1 <= r1*) for the largest r1* < n1 with P1(X1 > r1*) >= power
        # (NaN where no r1 allows the power, so that no design has this n1).
        m = cdf0.shape[0]
        allowed = (cdf1 <= 1.0 - power) & (np.arange(m)[None, :] < np.arange(m)[:, None])
        out = np.where(allowed, cdf0, -np.inf).max(axis=1)
        return np.where(np.isfinite(out), out, np.nan)

    petmax = pet_max(tab0[1], tab1[1])
    best: tuple[float, int, int, int, int, float, float] | None = None  # en0, n, n1, r1, r, a, pw
    n = n_lo
    while n <= limit:
        if n > size:
            size = min(limit, 2 * size)
            tab0, tab1 = _binom_tables(p0, size), _binom_tables(p1, size)
            petmax = pet_max(tab0[1], tab1[1])
        if best is not None:
            best_en = best[0]
            if kind == "minimax":
                break  # the first n with a feasible design is the minimax n
            # n1 < best_en is necessary (EN0 > n1); stop once no n1 can beat best_en at this n
            n1s = np.arange(1, min(n, math.ceil(best_en)))
            lb = n1s + (1.0 - petmax[n1s]) * (n - n1s)
            if not np.any(lb <= best_en + _EN_TOL):
                break
        for n1 in range(1, n):
            pm = petmax[n1]
            if np.isnan(pm):
                continue
            if best is not None and n1 + (1.0 - pm) * (n - n1) > best[0] + _EN_TOL:
                continue
            for r1, r, a_att, pw_att in _simon_candidates(n, n1, tab0, tab1, alpha, power):
                pet0 = float(tab0[1][n1, r1])
                en0 = n1 + (1.0 - pet0) * (n - n1)
                if best is None or en0 < best[0] - _EN_TOL:
                    best = (en0, n, n1, r1, r, a_att, pw_att)
        n += 1
    if best is None:
        raise ValueError(
            f"no Simon design with n <= {limit} for p0={p0}, p1={p1}, alpha={alpha}, "
            f"power={power}; increase nmax"
        )
    en0, n, n1, r1, r, a_att, pw_att = best
    return {
        "kind": kind,
        "p0": float(p0),
        "p1": float(p1),
        "r1": r1,
        "n1": n1,
        "r": r,
        "n": n,
        "en0": float(en0),
        "pet0": float(tab0[1][n1, r1]),
        "alpha": a_att,
        "power": pw_att,
        "target_alpha": float(alpha),
        "target_power": float(power),
    }


# --- single stage -------------------------------------------------------------------------


def single_stage_binomial(
    p0: float, p1: float, alpha: float, power: float, nmax: int = HARD_NMAX
) -> dict[str, float | int | str]:
    """The exact single-stage binomial design (A'Hern 2001, Stat Med 20:859–866, exact form).

    The drug is promising when the responses X > r among n subjects. Returns the smallest n
    for which some r gives P(X > r | p0) <= alpha and P(X > r | p1) >= power; r is the smallest
    such (largest power). Because of discreteness, feasibility is not monotone in n: a larger n
    can fail where a smaller one succeeds; the smallest feasible n is reported.

    Returns ``n``, ``r``, ``alpha`` and ``power`` (attained), ``p0``, ``p1``, ``target_alpha``,
    ``target_power`` and ``kind`` ("single_stage"). Raises `ValueError` when no n <= nmax works.
    """
    _check_design_args(p0, p1, alpha, power)
    if not 1 <= int(nmax) <= HARD_NMAX:
        raise ValueError(f"nmax must lie between 1 and {HARD_NMAX}, got {nmax}")
    n_lo = _randomized_np_lower_bound(p0, p1, alpha, power)
    for n in range(n_lo, int(nmax) + 1):
        k = np.arange(n + 1)
        sf0 = stats.binom.sf(k, n, p0)
        ok = np.nonzero(sf0 <= alpha)[0]
        if ok.size == 0:
            continue
        r = int(ok[0])
        pw = float(stats.binom.sf(r, n, p1))
        if pw >= power:
            return {
                "kind": "single_stage",
                "p0": float(p0),
                "p1": float(p1),
                "n": n,
                "r": r,
                "alpha": float(sf0[r]),
                "power": pw,
                "target_alpha": float(alpha),
                "target_power": float(power),
            }
    raise ValueError(
        f"no single-stage design with n <= {nmax} for p0={p0}, p1={p1}, alpha={alpha}, "
        f"power={power}; increase nmax"
    )


# --- ORR decisions ------------------------------------------------------------------------


def _stage_verdict(responses: int, evaluable: int, planned: int, bound: int) -> tuple[str, bool]:
    """Whether responses > bound ("above") or <= bound ("at_or_below") is settled, or "open".

    With fewer evaluable subjects than planned the outcome is settled only when the remaining
    planned subjects cannot change it: responses already > bound, or responses plus every
    remaining subject still <= bound. Returns (verdict, complete)."""
    complete = evaluable >= planned
    if responses > bound:
        return "above", complete
    if responses + (planned - evaluable) <= bound:
        return "at_or_below", complete
    return "open", complete


def _partial(evaluable: int, planned: int, first: bool) -> str:
    if evaluable >= planned:
        return f"the first {planned}" if first else f"{planned}"
    return f"{evaluable} of the {planned} planned"


def simon_decision(
    responses_stage1: int,
    n_stage1_evaluable: int,
    responses_total: int,
    n_total_evaluable: int,
    design: Mapping[str, float | int | str],
) -> dict[str, object]:
    """The stage-1 and final decisions of a Simon two-stage trial (Simon 1989).

    Stage 1 uses the first n1 evaluable subjects in enrolment order: ``n_stage1_evaluable`` is
    how many of them there are (at most n1) and ``responses_stage1`` their responders. The
    final analysis uses the first n evaluable subjects (``n_total_evaluable`` <= n, including
    stage 1) and their ``responses_total``. ``design`` holds ``r1``, ``n1``, ``r``, ``n`` and
    ``p0`` (as returned by `simon_two_stage`).

    - Stage 1: "stop" when X1 <= r1, "continue" when X1 > r1. With fewer than n1 evaluable the
      decision is given only when the missing subjects cannot change it (and is marked as not
      complete); otherwise it is "stage 1 incomplete".
    - Final: "promising" when X > r, "not promising" when X <= r or the trial stopped at stage
      1, with the same rule for missing subjects; otherwise "incomplete".

    Returns ``stage1_decision``, ``stage1_complete``, ``final_decision``, ``final_complete``,
    the counts, and ``sentence``.
    """
    r1, n1, r, n = (int(design[key]) for key in ("r1", "n1", "r", "n"))
    p0 = float(design["p0"])
    x1 = _check_count("responses_stage1", responses_stage1)
    e1 = _check_count("n_stage1_evaluable", n_stage1_evaluable)
    x = _check_count("responses_total", responses_total)
    e = _check_count("n_total_evaluable", n_total_evaluable)
    if e1 > n1:
        raise ValueError(
            f"n_stage1_evaluable {e1} exceeds n1 = {n1}: count only the first n1 evaluable "
            "subjects in enrolment order"
        )
    if e > n:
        raise ValueError(
            f"n_total_evaluable {e} exceeds n = {n}: count only the first n evaluable subjects "
            "in enrolment order"
        )
    if x1 > e1 or x > e:
        raise ValueError("responses cannot exceed the number of evaluable subjects")
    if e < e1 or x < x1 or (x - x1) > (e - e1):
        raise ValueError("the total counts must include the stage-1 counts")
    if e1 < n1 and e > e1:
        raise ValueError(
            f"stage 1 has {e1} < n1 = {n1} evaluable subjects but the total has more: stage 1 "
            "is the first n1 evaluable subjects"
        )

    verdict1, complete1 = _stage_verdict(x1, e1, n1, r1)
    who1 = _partial(e1, n1, first=True)
    head1 = f"Stage 1: {_responses(x1)} in {who1} evaluable subjects"
    late1 = (
        ""
        if complete1
        else f" (decided before all {n1} are evaluable: the remaining subjects cannot change it)"
    )
    if verdict1 == "above":
        stage1 = "continue"
        s1 = f"{head1} (> r1 = {r1}): continue to stage 2{late1}."
    elif verdict1 == "at_or_below":
        stage1 = "stop"
        s1 = f"{head1} (≤ r1 = {r1}): stop for futility{late1}."
    else:
        stage1 = "stage 1 incomplete"
        need = r1 + 1 - x1
        s1 = (
            f"{head1} (r1 = {r1}): stage 1 is incomplete, provisionally stop; continuing "
            f"needs at least {_responses(need)} among the remaining {n1 - e1} subjects."
        )

    complete = False
    if stage1 == "stop":
        final = "not promising"
        complete = complete1
        s2 = f"Final: the trial stops after stage 1; the drug is not promising at p0 = {_pct(p0)}."
    elif stage1 == "stage 1 incomplete":
        final = "incomplete"
        s2 = "Final: not yet available (stage 1 incomplete)."
    elif e1 < n1:  # continue, settled early, but no stage-2 data yet
        final = "incomplete"
        s2 = "Final: not yet available (stage 2 not yet evaluable)."
    else:
        verdict, complete = _stage_verdict(x, e, n, r)
        head = f"Final: {_responses(x)} in {_partial(e, n, first=False)} evaluable subjects"
        late = (
            ""
            if complete
            else f" (decided before all {n} are evaluable: the remaining subjects cannot change it)"
        )
        if verdict == "above":
            final = "promising"
            s2 = f"{head} (> r = {r}): the drug is promising at p0 = {_pct(p0)}{late}."
        elif verdict == "at_or_below":
            final = "not promising"
            s2 = f"{head} (≤ r = {r}): the drug is not promising at p0 = {_pct(p0)}{late}."
        else:
            final = "incomplete"
            s2 = (
                f"{head} (r = {r}): incomplete, provisionally not promising; the drug is "
                f"promising only with at least {_responses(r + 1 - x)} among the remaining "
                f"{n - e} subjects."
            )
    return {
        "stage1_decision": stage1,
        "stage1_complete": complete1,
        "final_decision": final,
        "final_complete": complete,
        "responses_stage1": x1,
        "n_stage1_evaluable": e1,
        "responses_total": x,
        "n_total_evaluable": e,
        "sentence": f"{s1} {s2}",
    }


def single_stage_decision(
    responses: int, n_evaluable: int, design: Mapping[str, float | int | str]
) -> dict[str, object]:
    """The decision of a single-stage exact binomial trial: promising when X > r among the
    first n evaluable subjects (``design`` from `single_stage_binomial`).

    With fewer than n evaluable subjects the decision is given only when the missing subjects
    cannot change it; otherwise it is "incomplete". Returns ``final_decision``,
    ``final_complete``, the counts and ``sentence``.
    """
    r, n, p0 = int(design["r"]), int(design["n"]), float(design["p0"])
    x = _check_count("responses", responses)
    e = _check_count("n_evaluable", n_evaluable)
    if e > n:
        raise ValueError(
            f"n_evaluable {e} exceeds n = {n}: count only the first n evaluable subjects"
        )
    if x > e:
        raise ValueError("responses cannot exceed the number of evaluable subjects")
    verdict, complete = _stage_verdict(x, e, n, r)
    head = f"{_responses(x)} in {_partial(e, n, first=False)} evaluable subjects"
    late = (
        ""
        if complete
        else f" (decided before all {n} are evaluable: the remaining subjects cannot change it)"
    )
    if verdict == "above":
        final = "promising"
        sentence = f"{head} (> r = {r}): the drug is promising at p0 = {_pct(p0)}{late}."
    elif verdict == "at_or_below":
        final = "not promising"
        sentence = f"{head} (≤ r = {r}): the drug is not promising at p0 = {_pct(p0)}{late}."
    else:
        final = "incomplete"
        sentence = (
            f"{head} (r = {r}): incomplete, provisionally not promising; the drug is "
            f"promising only with at least {_responses(r + 1 - x)} among the remaining "
            f"{n - e} subjects."
        )
    return {
        "final_decision": final,
        "final_complete": complete,
        "responses": x,
        "n_evaluable": e,
        "sentence": sentence,
    }

"""The exact single-stage binomial design (A'Hern 2001, Statistics in Medicine 20:859–866).

Pure arithmetic on binomial probabilities; invalid arguments raise `ValueError`.
"""

from __future__ import annotations

import numpy as np

from trialflow.stats.simon import HARD_NMAX, check_design_args, randomized_np_lower_bound


def single_stage_binomial(
    p0: float, p1: float, alpha: float, power: float, nmax: int = HARD_NMAX
) -> dict[str, float | int | str]:
    """The exact single-stage binomial design (A'Hern 2001, exact form).

    The drug is promising when the responses X > r among n subjects. Returns the smallest n
    for which some r gives P(X > r | p0) <= alpha and P(X > r | p1) >= power; r is the smallest
    such (largest power). Because of discreteness, feasibility is not monotone in n: a larger n
    can fail where a smaller one succeeds; the smallest feasible n is reported.

    Returns ``n``, ``r``, ``alpha`` and ``power`` (attained), ``p0``, ``p1``, ``target_alpha``,
    ``target_power`` and ``kind`` ("single_stage"). Raises `ValueError` when no n <= nmax works.
    """
    from scipy import stats  # imported on use (slow to import)

    check_design_args(p0, p1, alpha, power)
    if not 1 <= int(nmax) <= HARD_NMAX:
        raise ValueError(f"nmax must lie between 1 and {HARD_NMAX}, got {nmax}")
    n_lo = randomized_np_lower_bound(p0, p1, alpha, power)
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

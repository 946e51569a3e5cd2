"""Design decisions at a data cutoff, from per-subject flags in enrolment order.

Each function takes, for the subjects of one analysis population in enrolment order,

- ``final``: the subject's response status is final for the design (a confirmed response,
  progression, death, off study, or follow-up long enough that a pending response can no
  longer be confirmed), and
- ``responder``: the subject has a confirmed response (a responder is always final),

and returns the decision with a clause (``sentence``, lower case, no full stop) that a report
appends to the sentence stating the design. Which subjects are final is an
analysis-dataset question answered before these functions are called.

Rules shared by the group-sequential designs (Simon two-stage, single stage, BOP2):

- A stage (or look) with m planned subjects uses the first m subjects in enrolment order.
  It is decided only when all m are final; until then it reads "incomplete: k of m final"
  and no decision is given.
- Subjects enrolled beyond the planned maximum (and, after a stage-1 stop, beyond n1) are not
  part of the decision; they are counted and named in the sentence (over-run).

The predictive probability design monitors the final subjects among the first Nmax enrolled
(the posterior conditions on whatever outcomes are final).

`landmark_estimable` says whether a Kaplan–Meier landmark rate may be reported.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from trialflow.stats.predictive import posterior_probability, predictive_probability
from trialflow.stats.simon import check_simon_design
from trialflow.stats.simon_inference import simon_inference


def _flags(final: Sequence[bool], responder: Sequence[bool]) -> tuple[np.ndarray, np.ndarray]:
    f = np.asarray(final, dtype=bool)
    r = np.asarray(responder, dtype=bool)
    if f.ndim != 1 or f.shape != r.shape:
        raise ValueError("final and responder must be one-dimensional and of the same length")
    if np.any(r & ~f):
        raise ValueError("a responder must be final (a confirmed response is final)")
    return f, r


def _pct(p: float) -> str:
    return f"{round(100.0 * float(p), 6):g}%"


def _resp(k: int) -> str:
    return f"{k} response" + ("" if k == 1 else "s")


def _overrun(extra: int, limit: int, what: str) -> str:
    if extra <= 0:
        return ""
    verb = "is" if extra == 1 else "are"
    who = "subject" if extra == 1 else "subjects"
    return (
        f"; {extra} {who} enrolled beyond {what} = {limit} {verb} not part of the decision "
        "(they are in the ORR)"
    )


def _look(f: np.ndarray, r: np.ndarray, m: int) -> tuple[int, int, bool]:
    """(final count, responders, complete) among the first m subjects."""
    k = int(f[:m].sum())
    x = int(r[:m].sum())
    return k, x, len(f) >= m and k == m


def simon_status(
    final: Sequence[bool],
    responder: Sequence[bool],
    *,
    r1: int,
    n1: int,
    r: int,
    n: int,
    p0: float,
    conf_level: float = 0.95,
) -> dict[str, object]:
    """The stage-1 and final decisions of a Simon two-stage design (Simon 1989) at a cutoff.

    Stage 1 is the first n1 subjects: once all are final, the trial stops for futility when
    the responses X1 <= r1 and continues otherwise. The final analysis is the first n
    subjects: once all are final, the drug is promising when X > r. After a complete trial
    the design-adjusted p-value, UMVUE and confidence interval are given
    (`simon_inference`), beside the counts for the naive analysis.

    Returns ``stage1_status`` ("incomplete: k of n1 final" or "complete"),
    ``stage1_decision`` ("incomplete", "continue", "stop"), ``stage1_final``,
    ``stage1_responses``, ``final_status``, ``final_decision`` ("incomplete", "promising",
    "not promising"), ``n_final``, ``responses``, ``overrun``, ``stage`` (the stage the
    outcome belongs to, or None), ``p_value``, ``umvue``, ``ci_lower``, ``ci_upper`` (NaN
    until the trial is complete) and ``sentence``.
    """
    r1, n1, r, n = check_simon_design(r1, n1, r, n)
    f, rs = _flags(final, responder)
    k1, x1, done1 = _look(f, rs, n1)
    out: dict[str, object] = {
        "stage1_final": k1,
        "stage1_responses": x1,
        "n_final": k1,
        "responses": x1,
        "stage": None,
        "p_value": math.nan,
        "umvue": math.nan,
        "ci_lower": math.nan,
        "ci_upper": math.nan,
    }
    if not done1:
        out |= {
            "stage1_status": f"incomplete: {k1} of {n1} final",
            "stage1_decision": "incomplete",
            "final_status": "incomplete: stage 1 not decided",
            "final_decision": "incomplete",
            "overrun": max(0, len(f) - n),
        }
        out["sentence"] = f"stage 1 incomplete: {k1} of {n1} final, no decision yet" + _overrun(
            len(f) - n, n, "n"
        )
        return out
    out["stage1_status"] = "complete"
    head1 = f"{_resp(x1)} in the first {n1} subjects"
    if x1 <= r1:
        inf = simon_inference(x1, 1, r1=r1, n1=n1, r=r, n=n, p0=p0, conf_level=conf_level)
        out |= {
            "stage1_decision": "stop",
            "final_status": "complete",
            "final_decision": "not promising",
            "overrun": max(0, len(f) - n1),
            "stage": 1,
            **inf,
        }
        out["sentence"] = (
            f"{head1} (≤ r1 = {r1}): the trial stops for futility and the drug is not "
            f"promising at p0 = {_pct(p0)}" + _overrun(len(f) - n1, n1, "n1")
        )
        return out
    k, x, done = _look(f, rs, n)
    s1 = f"stage 1 continued ({head1}, > r1 = {r1})"
    out |= {
        "stage1_decision": "continue",
        "n_final": k,
        "responses": x,
        "overrun": max(0, len(f) - n),
    }
    over = _overrun(len(f) - n, n, "n")
    if not done:
        out |= {"final_status": f"incomplete: {k} of {n} final", "final_decision": "incomplete"}
        out["sentence"] = (
            f"{s1}; final analysis incomplete: {k} of {n} final, no decision yet{over}"
        )
        return out
    inf = simon_inference(x, 2, r1=r1, n1=n1, r=r, n=n, p0=p0, conf_level=conf_level)
    promising = x > r
    out |= {
        "final_status": "complete",
        "final_decision": "promising" if promising else "not promising",
        "stage": 2,
        **inf,
    }
    verdict = (
        f"(> r = {r}): the drug is promising at p0 = {_pct(p0)}"
        if promising
        else f"(≤ r = {r}): the drug is not promising at p0 = {_pct(p0)}"
    )
    out["sentence"] = f"{s1}; {_resp(x)} in the first {n} subjects {verdict}{over}"
    return out


def single_stage_status(
    final: Sequence[bool], responder: Sequence[bool], *, r: int, n: int, p0: float
) -> dict[str, object]:
    """The decision of a single-stage exact binomial design: once the first n subjects are
    final, promising when X > r. Returns ``final_status``, ``final_decision``, ``n_final``,
    ``responses``, ``overrun`` and ``sentence``."""
    f, rs = _flags(final, responder)
    if not 0 <= int(r) < int(n):
        raise ValueError(f"need 0 <= r < n, got r={r}, n={n}")
    k, x, done = _look(f, rs, int(n))
    over = _overrun(len(f) - n, n, "n")
    out: dict[str, object] = {"n_final": k, "responses": x, "overrun": max(0, len(f) - n)}
    if not done:
        out |= {"final_status": f"incomplete: {k} of {n} final", "final_decision": "incomplete"}
        out["sentence"] = f"incomplete: {k} of {n} final, no decision yet{over}"
        return out
    promising = x > r
    verdict = (
        f"(> r = {r}): the drug is promising at p0 = {_pct(p0)}"
        if promising
        else f"(≤ r = {r}): the drug is not promising at p0 = {_pct(p0)}"
    )
    out |= {
        "final_status": "complete",
        "final_decision": "promising" if promising else "not promising",
    }
    out["sentence"] = f"{_resp(x)} in the first {n} subjects {verdict}{over}"
    return out


def bop2_status(
    final: Sequence[bool],
    responder: Sequence[bool],
    *,
    boundaries: Sequence[dict],
    p0: float,
) -> dict[str, object]:
    """The BOP2 decision at a cutoff (Zhou, Lee & Yuan 2017): the looks are taken in order;
    look k (n_k subjects) is decided once the first n_k subjects are final, and the trial
    stops there when their responses <= the look's boundary. At the last look the drug is
    promising above the boundary.

    Returns ``final_status``, ``final_decision`` ("incomplete", "stop for futility",
    "continue", "promising", "not promising"), ``look`` (the last decided look's n, or None),
    ``n_final``, ``responses``, ``overrun`` and ``sentence``.
    """
    f, rs = _flags(final, responder)
    looks = [int(b["n"]) for b in boundaries]
    nmax = looks[-1]
    over = _overrun(len(f) - nmax, nmax, "N")
    decided: int | None = None
    for b in boundaries:
        m = int(b["n"])
        bound = b["stop_if_responses_at_most"]
        bound = -1 if bound is None else int(bound)
        k, x, done = _look(f, rs, m)
        if not done:
            prev = f"continue after the look at {decided} subjects; " if decided is not None else ""
            return {
                "final_status": f"incomplete: {k} of {m} final",
                "final_decision": "continue" if decided is not None else "incomplete",
                "look": decided,
                "n_final": k,
                "responses": x,
                "overrun": max(0, len(f) - nmax),
                "sentence": f"{prev}the look at {m} subjects is incomplete: {k} of {m} final, "
                f"no decision yet{over}",
            }
        decided = m
        if m == nmax or x <= bound:
            if m < nmax:
                decision, text = (
                    "stop for futility",
                    (
                        f"{_resp(x)} in the first {m} subjects (≤ {bound}): the trial stops for "
                        f"futility and the drug is not promising at p0 = {_pct(p0)}"
                    ),
                )
                extra = _overrun(len(f) - m, m, "the stopping look")
            else:
                promising = x > bound
                decision = "promising" if promising else "not promising"
                cmp_ = f"> {bound}" if promising else f"≤ {bound}"
                text = (
                    f"{_resp(x)} in the first {m} subjects ({cmp_}): the drug is "
                    f"{decision} at p0 = {_pct(p0)}"
                )
                extra = over
            return {
                "final_status": "complete",
                "final_decision": decision,
                "look": m,
                "n_final": k,
                "responses": x,
                "overrun": max(0, len(f) - m),
                "sentence": text + extra,
            }
    raise AssertionError("unreachable: the last look always decides")  # pragma: no cover


def predictive_status(
    final: Sequence[bool],
    responder: Sequence[bool],
    *,
    p0: float,
    a: float,
    b: float,
    nmax: int,
    theta_t: float,
    theta_l: float,
    theta_u: float = 1.0,
    first: int = 1,
) -> dict[str, object]:
    """The predictive probability decision at a cutoff (Lee & Liu 2008): with x responses
    among the n final subjects of the first Nmax enrolled, the posterior probability
    P(p > p0 | x, n) and the predictive probability of success PP.

    Before ``first`` final subjects: "continue" (monitoring not started). At n = Nmax (all
    final): "promising" when the posterior > θ_T, else "not promising". Otherwise "stop for
    futility" when PP < θ_L, "stop for efficacy" when PP > θ_U, else "continue".

    Returns ``posterior_probability``, ``predictive_probability``, ``final_decision``,
    ``n_final``, ``responses``, ``overrun`` and ``sentence``.
    """
    f, rs = _flags(final, responder)
    nmax = int(nmax)
    k, x, _ = _look(f, rs, nmax)
    post = posterior_probability(x, k, p0=p0, a=a, b=b)
    pp = predictive_probability(x, k, nmax=nmax, p0=p0, theta_t=theta_t, a=a, b=b)
    head = (
        f"{_resp(x)} in {k} final subjects: P(p > {_pct(p0)} | data) = {post:.3f}, "
        f"predictive probability of success {pp:.3f}"
    )
    if k == nmax:
        decision = "promising" if post > theta_t else "not promising"
        cmp_ = ">" if post > theta_t else "≤"
        text = f"{head}; posterior {cmp_} θ_T = {theta_t:g}: the drug is {decision}"
    elif k < int(first):
        decision = "continue"
        text = f"{head}; monitoring starts at {first} final subjects: continue"
    elif pp < theta_l:
        decision = "stop for futility"
        text = f"{head} < θ_L = {theta_l:g}: stop for futility"
    elif pp > theta_u:
        decision = "stop for efficacy"
        text = f"{head} > θ_U = {theta_u:g}: stop for efficacy"
    else:
        decision = "continue"
        text = f"{head}: continue"
    return {
        "posterior_probability": post,
        "predictive_probability": pp,
        "final_decision": decision,
        "n_final": k,
        "responses": x,
        "overrun": max(0, len(f) - nmax),
        "sentence": text + _overrun(len(f) - nmax, nmax, "Nmax"),
    }


def landmark_estimable(n_risk: int, survival: float) -> bool:
    """Whether a Kaplan–Meier landmark rate may be reported.

    A rate at a time past the end of follow-up is only the last value carried forward: with
    no subject under observation at the landmark (n_risk = 0) it is not estimable, unless the
    curve has already reached 0 (every subject had an event, so S = 0 is known)."""
    s = float(survival)
    if math.isnan(s):
        return False
    return int(n_risk) > 0 or s == 0.0

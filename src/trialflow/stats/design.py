"""The go/no-go decision of an ORR-primary trial from counts of evaluable subjects.

- `simon_decision`: the stage-1 and final decisions of a Simon (1989) two-stage design;
- `single_stage_decision`: the decision of an exact single-stage design.

Each is given as a sentence the report can print. Everything here is pure arithmetic on counts;
negative or inconsistent counts raise `ValueError`.

Notation (Simon 1989): n1 subjects in stage 1, n in total; the trial stops after stage 1 when
the stage-1 responses X1 <= r1, and the drug is declared promising (H0: p <= p0 rejected) when
the total responses X1 + X2 > r.
"""

from __future__ import annotations

from collections.abc import Mapping


def _check_count(name: str, value: int) -> int:
    if isinstance(value, bool) or int(value) != value or value < 0:
        raise ValueError(f"{name} must be a non-negative whole number, got {value!r}")
    return int(value)


def _pct(p: float) -> str:
    """A probability as a percentage for sentences: 0.1 -> '10%', 0.125 -> '12.5%'."""
    return f"{round(100.0 * float(p), 6):g}%"


def _responses(k: int) -> str:
    return f"{k} response" + ("" if k == 1 else "s")


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
    ``p0`` (as returned by `trialflow.stats.simon.simon_two_stage`).

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
    first n evaluable subjects (``design`` from
    `trialflow.stats.single_stage.single_stage_binomial`).

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

"""Tests for trialflow.stats.decisions: design decisions at a cutoff count only subjects whose
response status is final, in enrolment order; subjects beyond the planned maximum are
over-run. Every expectation is worked by hand in the comments (design 1/10, 5/29 is Simon's
1989 Table 1 optimal design for p0 = 0.10, p1 = 0.30, alpha = 0.05, beta = 0.20)."""

from __future__ import annotations

import math

import pytest

from tests.stats import exact
from trialflow.stats.decisions import (
    bop2_status,
    landmark_estimable,
    predictive_status,
    simon_status,
    single_stage_status,
)

SIMON = {"r1": 1, "n1": 10, "r": 5, "n": 29, "p0": 0.10}


def flags(codes: str) -> tuple[list[bool], list[bool]]:
    """R = confirmed responder (final), F = final non-responder, P = pending (not final)."""
    return [c in "RF" for c in codes], [c == "R" for c in codes]


def test_stage1_waits_for_all_n1_final_even_when_responses_exceed_r1() -> None:
    # 10 enrolled: 2 responders, 5 final non-responders, 3 pending. X1 = 2 > r1 = 1 already,
    # but 3 of the first 10 are not final: no decision.
    f, r = flags("RFRFFPFFPP")
    out = simon_status(f, r, **SIMON)
    assert out["stage1_status"] == "incomplete: 7 of 10 final"
    assert out["stage1_decision"] == "incomplete"
    assert out["final_decision"] == "incomplete"
    assert out["sentence"] == "stage 1 incomplete: 7 of 10 final, no decision yet"
    assert math.isnan(out["p_value"])


def test_subject_without_a_scan_is_not_a_non_responder() -> None:
    # 10 enrolled, 7 final non-responders and 3 with no post-baseline scan yet (pending).
    # Counting the 3 as non-responders would stop the trial (X1 = 0 <= 1); they are pending.
    f, r = flags("FFFFFFFPPP")
    out = simon_status(f, r, **SIMON)
    assert out["stage1_decision"] == "incomplete"
    assert out["stage1_status"] == "incomplete: 7 of 10 final"


def test_stage1_stop_with_overrun() -> None:
    # first 10 final with 1 response: stop (1 <= r1 = 1). Two more subjects were enrolled
    # while waiting, both responders: over-run, not part of the decision.
    f, r = flags("FRFFFFFFFF" + "RR")
    out = simon_status(f, r, **SIMON)
    assert out["stage1_decision"] == "stop" and out["final_decision"] == "not promising"
    assert out["stage1_responses"] == 1 and out["overrun"] == 2 and out["stage"] == 1
    # stage-wise p-value after a stage-1 stop with X1 = 1: P(X1 >= 1) = 1 - 0.9^10
    assert out["p_value"] == pytest.approx(1 - 0.9**10, abs=1e-12)
    assert out["umvue"] == pytest.approx(0.1, abs=1e-15)
    assert "2 subjects enrolled beyond n1 = 10 are not part of the decision" in out["sentence"]


def test_final_analysis_waits_for_n_final() -> None:
    # stage 1: 2 responses in 10 (continue); 29 enrolled, 27 final
    f, r = flags("RRFFFFFFFF" + "F" * 17 + "PP")
    out = simon_status(f, r, **SIMON)
    assert out["stage1_decision"] == "continue"
    assert out["final_status"] == "incomplete: 27 of 29 final"
    assert out["final_decision"] == "incomplete"


def test_final_promising_with_design_adjusted_inference() -> None:
    # 2 responses in stage 1, 4 more in stage 2: X = 6 > r = 5: promising. 30th subject is
    # over-run (a responder, not counted).
    f, r = flags("RRFFFFFFFF" + "RRRR" + "F" * 15 + "R")
    out = simon_status(f, r, **SIMON)
    assert out["final_decision"] == "promising" and out["responses"] == 6
    assert out["overrun"] == 1 and out["stage"] == 2
    # the p-value of s = r + 1 is the design's attained alpha
    assert out["p_value"] == pytest.approx(exact.simon_reject(1, 10, 5, 29, 0.1), abs=1e-12)
    assert out["ci_lower"] < out["umvue"] < out["ci_upper"]
    assert "1 subject enrolled beyond n = 29 is not part of the decision" in out["sentence"]


def test_final_not_promising() -> None:
    f, r = flags("RRFFFFFFFF" + "RRR" + "F" * 16)  # X = 5 <= r = 5
    out = simon_status(f, r, **SIMON)
    assert out["final_decision"] == "not promising"


def test_single_stage() -> None:
    # r = 2, n = 5: 4 final with 3 responses (> 2 already) but 1 pending: no decision
    f, r = flags("RRRFP")
    assert single_stage_status(f, r, r=2, n=5, p0=0.2)["final_decision"] == "incomplete"
    f, r = flags("RRRFF")
    out = single_stage_status(f, r, r=2, n=5, p0=0.2)
    assert out["final_decision"] == "promising" and out["responses"] == 3


# Simon (1989) Table 1 optimal design for p0 = 0.10, p1 = 0.30, alpha = 0.05, beta = 0.10:
# 2/18, 6/35. Codes as in `flags`; every subject of a complete stage is final.
TABLE1 = {"r1": 2, "n1": 18, "r": 6, "n": 35, "p0": 0.10}


def test_simon_table_1_continue_and_promising() -> None:
    # 4 responses in the first 18 (> r1 = 2): continue; 9 in the first 35 (> r = 6): promising
    f, r = flags("RRRR" + "F" * 14 + "RRRRR" + "F" * 12)
    out = simon_status(f, r, **TABLE1)
    assert out["stage1_decision"] == "continue" and out["stage1_status"] == "complete"
    assert out["final_decision"] == "promising" and out["final_status"] == "complete"


def test_simon_table_1_continue_and_not_promising() -> None:
    # 3 responses in the first 18 (> 2): continue; 6 in 35 = r: not > r, not promising
    f, r = flags("RRR" + "F" * 15 + "RRR" + "F" * 14)
    out = simon_status(f, r, **TABLE1)
    assert out["stage1_decision"] == "continue"
    assert out["final_decision"] == "not promising" and out["final_status"] == "complete"


def test_simon_table_1_stop_at_stage_1() -> None:
    # 2 responses in the first 18 = r1: stop
    f, r = flags("RR" + "F" * 16)
    out = simon_status(f, r, **TABLE1)
    assert out["stage1_decision"] == "stop"
    assert out["final_decision"] == "not promising"
    assert "not promising at p0 = 10%" in out["sentence"]


def test_simon_table_1_stage_1_incomplete() -> None:
    # 1 response among 12 final of the first 18, 6 pending: no stage-1 decision
    f, r = flags("R" + "F" * 11 + "P" * 6)
    out = simon_status(f, r, **TABLE1)
    assert out["stage1_decision"] == "incomplete" and out["stage1_status"] != "complete"
    assert out["final_decision"] == "incomplete" and out["final_status"] != "complete"


def test_simon_table_1_final_incomplete() -> None:
    # stage 1: 4 of 18 (continue); 5 responses among 25 final of the first 35, 10 pending
    f, r = flags("RRRR" + "F" * 14 + "R" + "F" * 6 + "P" * 10)
    out = simon_status(f, r, **TABLE1)
    assert out["final_decision"] == "incomplete" and out["final_status"] != "complete"


def test_single_stage_decisions() -> None:
    # exact single-stage design r = 2, n = 16 (p0 = 0.05, p1 = 0.25, alpha 0.05, power 0.80)
    design = {"r": 2, "n": 16, "p0": 0.05}
    f, r = flags("RRR" + "F" * 13)  # 3 > 2
    assert single_stage_status(f, r, **design)["final_decision"] == "promising"
    f, r = flags("RR" + "F" * 14)  # 2 <= 2
    assert single_stage_status(f, r, **design)["final_decision"] == "not promising"
    f, r = flags("R" + "F" * 13 + "PP")  # 14 of 16 final
    assert single_stage_status(f, r, **design)["final_decision"] == "incomplete"


BOP2 = [
    {"n": 10, "stop_if_responses_at_most": 0},
    {"n": 20, "stop_if_responses_at_most": 2},
    {"n": 30, "stop_if_responses_at_most": 5},
    {"n": 40, "stop_if_responses_at_most": 11},
]


def test_bop2_stop_at_first_look() -> None:
    f, r = flags("F" * 10 + "RP")  # 0 responses in the first 10: stop
    out = bop2_status(f, r, boundaries=BOP2, p0=0.2)
    assert out["final_decision"] == "stop for futility" and out["look"] == 10
    assert out["overrun"] == 2


def test_bop2_next_look_incomplete() -> None:
    f, r = flags("R" + "F" * 9 + "F" * 5 + "P")  # look 10: 1 > 0 continue; look 20: 15 final
    out = bop2_status(f, r, boundaries=BOP2, p0=0.2)
    assert out["final_decision"] == "continue" and out["look"] == 10
    assert out["final_status"] == "incomplete: 15 of 20 final"


def test_bop2_promising_at_the_end() -> None:
    # first 10: 1 (> 0), first 20: 3 (> 2), first 30: 6 (> 5), all 40: 12 (> 11)
    codes = "R" + "F" * 9 + "RR" + "F" * 8 + "RRR" + "F" * 7 + "RRRRRR" + "F" * 4
    f, r = flags(codes)
    out = bop2_status(f, r, boundaries=BOP2, p0=0.2)
    assert out["final_decision"] == "promising" and out["responses"] == 12


def test_predictive_lee_liu_example() -> None:
    # Lee & Liu (2008) Table 1: 16 responses in 23, Nmax 40, p0 0.6, θ_T 0.9, Beta(0.6, 0.4):
    # PP = 0.5656, between θ_L = 0.001 and θ_U = 1: continue. Two pending subjects are not
    # counted.
    codes = "R" * 16 + "F" * 7 + "PP"
    f, r = flags(codes)
    kw = {"p0": 0.6, "a": 0.6, "b": 0.4, "nmax": 40, "theta_t": 0.9, "first": 10}
    out = predictive_status(f, r, theta_l=0.001, **kw)
    assert round(out["predictive_probability"], 4) == 0.5656
    assert out["n_final"] == 23 and out["final_decision"] == "continue"
    assert out["posterior_probability"] == pytest.approx(exact.posterior_gt(0.6, 16.6, 7.4))
    assert predictive_status(f, r, theta_l=0.6, **kw)["final_decision"] == "stop for futility"


def test_landmark_estimable() -> None:
    assert landmark_estimable(3, 0.4)
    assert not landmark_estimable(0, 0.4)  # past the last follow-up: carried forward
    assert landmark_estimable(0, 0.0)  # every subject had an event: S = 0 is known
    assert not landmark_estimable(5, float("nan"))

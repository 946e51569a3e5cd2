"""Tests for trialflow.stats.design: the ORR decisions from counts of evaluable subjects.

Other expectations are worked by hand in comments.
"""

from __future__ import annotations

import pytest

from trialflow.stats.design import simon_decision, single_stage_decision

# --- ORR decisions --------------------------------------------------------------------------

# Simon optimal design p0 = 0.10, p1 = 0.30, alpha = 0.05, beta = 0.10 (Table 1): 2/18, 6/35
DESIGN = {"r1": 2, "n1": 18, "r": 6, "n": 35, "p0": 0.10}


def test_decision_continue_and_promising() -> None:
    d = simon_decision(4, 18, 9, 35, DESIGN)
    assert d["stage1_decision"] == "continue" and d["stage1_complete"]
    assert d["final_decision"] == "promising" and d["final_complete"]
    assert d["sentence"] == (
        "Stage 1: 4 responses in the first 18 evaluable subjects (> r1 = 2): continue to "
        "stage 2. Final: 9 responses in 35 evaluable subjects (> r = 6): the drug is "
        "promising at p0 = 10%."
    )


def test_decision_continue_and_not_promising() -> None:
    # 6 responses = r: not > r
    d = simon_decision(3, 18, 6, 35, DESIGN)
    assert d["stage1_decision"] == "continue"
    assert d["final_decision"] == "not promising" and d["final_complete"]
    assert (
        "Final: 6 responses in 35 evaluable subjects (≤ r = 6): the drug is not promising"
        in (d["sentence"])
    )


def test_decision_stop_at_stage_1() -> None:
    # 2 responses = r1: stop
    d = simon_decision(2, 18, 2, 18, DESIGN)
    assert d["stage1_decision"] == "stop"
    assert d["final_decision"] == "not promising"
    assert d["sentence"].startswith(
        "Stage 1: 2 responses in the first 18 evaluable subjects (≤ r1 = 2): stop for futility."
    )
    assert "not promising at p0 = 10%" in d["sentence"]


def test_decision_stage_1_incomplete() -> None:
    # 1 response in 12 of 18: 1 + 6 remaining could exceed r1 = 2 -> open; needs 2 more
    d = simon_decision(1, 12, 1, 12, DESIGN)
    assert d["stage1_decision"] == "stage 1 incomplete" and not d["stage1_complete"]
    assert d["final_decision"] == "incomplete" and not d["final_complete"]
    assert "12 of the 18 planned evaluable subjects" in d["sentence"]
    assert "at least 2 responses among the remaining 6 subjects" in d["sentence"]


def test_decision_stage_1_settled_early() -> None:
    # 3 responses in 12 of 18 already exceed r1 = 2: continue is settled
    d = simon_decision(3, 12, 3, 12, DESIGN)
    assert d["stage1_decision"] == "continue" and not d["stage1_complete"]
    assert d["final_decision"] == "incomplete"
    # 0 responses in 17 of 18: even 1 more gives 1 <= 2: stop is settled
    d = simon_decision(0, 17, 0, 17, DESIGN)
    assert d["stage1_decision"] == "stop" and not d["stage1_complete"]
    assert "remaining subjects cannot change it" in d["sentence"]


def test_decision_final_incomplete_and_settled_early() -> None:
    # 5 responses in 25 of 35: 5 <= 6 but 10 remaining could add 2 -> incomplete, needs 2
    d = simon_decision(4, 18, 5, 25, DESIGN)
    assert d["final_decision"] == "incomplete" and not d["final_complete"]
    assert "25 of the 35 planned evaluable subjects" in d["sentence"]
    assert "provisionally not promising" in d["sentence"]
    assert "at least 2 responses among the remaining 10 subjects" in d["sentence"]
    # 7 responses in 30 of 35 already exceed r = 6: promising, settled early
    d = simon_decision(4, 18, 7, 30, DESIGN)
    assert d["final_decision"] == "promising" and not d["final_complete"]
    # 3 responses in 33 of 35: 3 + 2 = 5 <= 6: not promising, settled early
    d = simon_decision(3, 18, 3, 33, DESIGN)
    assert d["final_decision"] == "not promising" and not d["final_complete"]


@pytest.mark.parametrize(
    "args",
    [
        (2, 19, 2, 19),  # more than n1 in stage 1
        (4, 18, 9, 36),  # more than n in total
        (5, 4, 5, 4),  # responses > evaluable
        (4, 18, 3, 30),  # total responses below stage-1 responses
        (1, 12, 3, 20),  # stage 1 short of n1 but more subjects overall
    ],
)
def test_decision_inconsistent_counts_raise(args: tuple) -> None:
    with pytest.raises(ValueError):
        simon_decision(*args, DESIGN)


def test_single_stage_decision() -> None:
    design = {"r": 2, "n": 16, "p0": 0.05}
    assert single_stage_decision(3, 16, design)["final_decision"] == "promising"
    d = single_stage_decision(2, 16, design)
    assert d["final_decision"] == "not promising"
    assert d["sentence"] == (
        "2 responses in 16 evaluable subjects (≤ r = 2): the drug is not promising at p0 = 5%."
    )
    assert single_stage_decision(1, 14, design)["final_decision"] == "incomplete"

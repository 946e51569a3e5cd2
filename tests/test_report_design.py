"""Report helpers for the design: the decision table (one row per cohort, then pooled), the
naive and design-adjusted inference table, the references and the Methods rows, on a
hand-made ARD."""

from __future__ import annotations

import pandas as pd

from tests.conftest import trial_options
from trialflow.ard_table import ARD_COLUMNS
from trialflow.report.efficacy import (
    design_decision_table,
    design_inference_table,
    design_references,
    design_sentence,
    design_table,
)
from trialflow.report.methods import methods_table


def rows(level: str, stats: dict[str, str]) -> list[dict[str, str]]:
    return [
        {
            "analysis": "design",
            "population": "EFFFL",
            "parameter": "CRSP",
            "group_var": "COHORT" if level else "",
            "group_level": level,
            "stat": k,
            "value": v,
            "dataset": "ADRS",
            "filter": "",
            "derivation": "trialflow.ard.design.design_ard",
        }
        for k, v in stats.items()
    ]


POOLED = {
    "kind": "simon_two_stage",
    "status": "complete",
    "final_decision": "promising",
    "design": "Simon optimal two-stage design (...)",
    "sentence": "Simon optimal two-stage design (...): 6 responses in the first 29 subjects.",
    "reference": "Simon R. 1989.; Koyama T, Chen H. 2008.",
    "umvue": "0.2613",
    "ci_lower_stagewise": "0.0859",
    "ci_upper_stagewise": "0.4548",
    "p_value_stagewise": "0.0471",
    "naive_estimate": "0.2069",
    "naive_lower": "0.0799",
    "naive_upper": "0.3972",
    "naive_p_value": "0.0471",
    "conf_level": "0.95",
}
COHORT_A = {
    "kind": "bop2",
    "status": "incomplete: 7 of 10 final",
    "final_decision": "incomplete",
    "design": "BOP2 design (...)",
    "sentence": "BOP2 design (...): the look at 10 subjects is incomplete.",
    "reference": "Zhou H, Lee JJ, Yuan Y. 2017.",
}
ARD = pd.DataFrame(rows("", POOLED) + rows("A", COHORT_A), columns=ARD_COLUMNS)


def test_decision_table_lists_cohorts_then_pooled() -> None:
    t = design_decision_table(ARD)
    assert list(t["Cohort"]) == ["A", "Pooled"]
    assert list(t["Decision"]) == ["incomplete", "promising"]
    assert t["Status"].iloc[0] == "incomplete: 7 of 10 final"
    assert t["Design and decision"].iloc[1] == POOLED["sentence"]


def test_sentence_and_statistics_of_the_pooled_analysis() -> None:
    assert design_sentence(ARD) == POOLED["sentence"]
    stats = list(design_table(ARD)["Statistic"])
    assert "kind" in stats and "sentence" not in stats and "reference" not in stats
    assert len(stats) == len(POOLED) - 3  # pooled only: no BOP2 cohort rows


def test_inference_table_beside_naive() -> None:
    t = design_inference_table(ARD)
    assert list(t["Analysis"]) == ["All subjects", "All subjects"]
    assert t["Design-adjusted"].iloc[1] == "0.0471"
    assert t["Naive"].iloc[0].startswith("20.7")
    assert t["Design-adjusted"].iloc[0].startswith("26.1")


def test_references_each_once_in_order() -> None:
    assert design_references(ARD) == [
        "Simon R. 1989.",
        "Koyama T, Chen H. 2008.",
        "Zhou H, Lee JJ, Yuan Y. 2017.",
    ]


def test_methods_lists_the_options_of_the_kind_and_each_cohort() -> None:
    options = trial_options(
        design={
            "endpoint": "PFS",
            "kind": "one_sample_logrank",
            "historical_median_months": 3.0,
            "cohort_variable": "COHORT",
            "cohorts": {"HER2 mutation": {"target_median_months": 6.0}, "AR activated": {}},
        }
    )
    t = methods_table(options)
    design = t[t["Area"] == "Design"]
    rules = set(design["Rule"])
    assert "Historical median (months)" in rules
    # p0 and theta_T have schema defaults but a log-rank design does not use them
    assert "Uninteresting response rate p0" not in rules
    assert "Predictive design: posterior threshold theta_T" not in rules
    values = dict(zip(design["Rule"], design["Value"], strict=True))
    assert values["Cohort HER2 mutation"] == "target_median_months: 6"
    assert values["Cohort AR activated"] == "the design above"

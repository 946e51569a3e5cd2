"""Every design kind is usable from the trial file: a trial file with each kind passes the
schema, gets its defaults, and its design and decision are computed on a small hand-made
ADaM (the efficacy tests' fixtures). Expectations are worked by hand in the comments."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from scipy.special import betainc

from tests.test_efficacy import LATE_CUTOFF, make_adrs, make_adsl, make_adtte
from trialflow.ard.efficacy import efficacy_ard
from trialflow.ard_table import ard_value
from trialflow.config.loading import check_trial, parse_yaml
from trialflow.config.options import TrialOptions
from trialflow.errors import ConfigError

REPO = Path(__file__).resolve().parents[1]
SCHEMA = yaml.safe_load((REPO / "workflow/schemas/trial.schema.yaml").read_text())
HEAD = """id: demo
title: Demo
studyid: S1
deliveries:
  - {cutoff: 2021-09-01, raw: raw/d1}
"""

DESIGNS = {
    "simon_two_stage": "design: {kind: simon_two_stage, variant: admissible, p0: 0.1, p1: 0.3}\n",
    "single_stage_binomial": "design: {kind: single_stage_binomial, p0: 0.1, p1: 0.3}\n",
    "predictive": (
        "design: {kind: predictive, p0: 0.1, p1: 0.3, prior: [0.1, 0.9], nmax: 20, "
        "theta_t: 0.9, theta_l: 0.05, first: 10}\n"
    ),
    "bop2": "design: {kind: bop2, p0: 0.1, p1: 0.3, nmax: 30, interims: [10, 20], alpha: 0.1}\n",
    "one_sample_logrank": (
        "design: {endpoint: PFS, kind: one_sample_logrank, historical_median_months: 3, "
        "target_median_months: 5, accrual_months: 12, followup_months: 6}\n"
    ),
}


def run(trial: dict):
    """efficacy_ard with the typed options of a resolved trial file, at the late cutoff."""
    o = TrialOptions.from_trial(trial)
    return efficacy_ard(
        make_adsl(cutoff=LATE_CUTOFF),
        make_adrs(),
        make_adtte(),
        response=o.response,
        rates=o.rates,
        survival=o.survival,
        design=o.design,
        subgroups=o.subgroups,
    )


def trial_file(text: str, tmp_path: Path) -> dict:
    (tmp_path / "raw" / "d1").mkdir(parents=True, exist_ok=True)
    return check_trial(parse_yaml(HEAD + text, "t.yaml"), SCHEMA, source="t.yaml", root=tmp_path)


@pytest.mark.parametrize("kind", sorted(DESIGNS))
def test_every_kind_from_the_trial_file(kind: str, tmp_path: Path) -> None:
    trial = trial_file(DESIGNS[kind], tmp_path)
    ard = run(trial)
    design = ard[ard["analysis"] == "design"]
    assert ard_value(design, stat="kind") == kind
    sentence = ard_value(design, stat="sentence")
    assert sentence.endswith(".") and ": " in sentence
    assert ard_value(design, stat="reference")
    assert ard_value(design, stat="final_decision") != ""


def test_predictive_decision_from_the_trial_file(tmp_path: Path) -> None:
    # All 20 EFFFL subjects are final at the late cutoff, 3 confirmed responders (E01-E03):
    # n = Nmax = 20, so the decision is the final one: posterior P(p > 0.1 | 3 of 20) under
    # Beta(0.1, 0.9) is the Beta(3.1, 17.9) mass above 0.1 (regularized incomplete beta),
    # below θ_T = 0.9: not promising.
    trial = trial_file(DESIGNS["predictive"], tmp_path)
    ard = run(trial)
    design = ard[ard["analysis"] == "design"]
    assert ard_value(design, stat="n_final") == "20"
    assert ard_value(design, stat="final_decision") == "not promising"
    post = float(ard_value(design, stat="posterior_probability"))
    assert post == pytest.approx(1 - betainc(3.1, 17.9, 0.1), abs=1e-9)
    assert post < 0.9


def test_bop2_decision_from_the_trial_file(tmp_path: Path) -> None:
    # looks at 10, 20 (of Nmax 30): first 10 by TRTSDT = E01-E10 with 3 responses; the first
    # 20 are all final with 3; the look at 30 needs subjects not yet enrolled: at best
    # "continue" or a futility stop at 10 or 20, never promising with 20 of 30 enrolled.
    trial = trial_file(DESIGNS["bop2"], tmp_path)
    ard = run(trial)
    design = ard[ard["analysis"] == "design"]
    assert ard_value(design, stat="final_decision") in ("continue", "stop for futility")
    assert ard_value(design, stat="n_final") in ("10", "20")


def test_missing_required_option_names_the_key(tmp_path: Path) -> None:
    trial = trial_file("design: {kind: predictive, p0: 0.1, p1: 0.3, nmax: 20}\n", tmp_path)
    with pytest.raises(ConfigError, match="design.prior: a value is required"):
        run(trial)


def test_cohort_override_is_validated(tmp_path: Path) -> None:
    text = "design: {cohort_variable: COHORT, cohorts: {A: {kindd: bop2}}}\n"
    with pytest.raises(ConfigError, match="kindd"):
        trial_file(text, tmp_path)

"""The typed clinical options: built from the resolved trial file, defaults only in the schema."""

from __future__ import annotations

import dataclasses

import pytest

from tests.conftest import resolved_trial, trial_options
from trialflow.config.options import ResponseRules, SafetyOptions, TrialOptions
from trialflow.errors import ConfigError


def test_schema_defaults_build_every_option():
    opts = trial_options()
    # values written in the schema (workflow/schemas/trial.schema.yaml), read back here
    assert opts.response.confirmation_min_days == 28
    assert opts.response.sd_min_days == 42
    assert (opts.response.pr_pct, opts.response.pd_pct, opts.response.pd_min_mm) == (30, 20, 5)
    assert opts.response.node_cr_mm == 10
    assert opts.response.rscat == ("RECIST 1.1", "RECIST")
    assert opts.pfs.max_missed_assessments == 1
    assert opts.pfs.assessment_interval_days == 42
    assert opts.survival.landmarks_months == (6.0, 12.0)
    assert opts.safety.aesev_grade_map == {"MILD": 1, "MODERATE": 2, "SEVERE": 3}
    assert opts.subjects.age_group_cut == 65
    assert opts.subgroups.small_n == 5


def test_trial_values_override_the_defaults():
    opts = trial_options(
        response={"source": "independent", "confirmation": {"min_days": 35}},
        safety={"aesev_grades": {"MILD": 1, "MODERATE": 2, "SEVERE": 3, "LIFE THREATENING": 4}},
    )
    assert opts.response.confirmation_min_days == 35
    assert opts.response.confirmation_required is True
    assert opts.response.evaluator == "INDEPENDENT ASSESSOR"
    assert opts.safety.aesev_grade_map["LIFE THREATENING"] == 4


def test_investigator_source_reads_the_investigator():
    assert trial_options().response.evaluator == "INVESTIGATOR"


def test_options_are_frozen():
    opts = trial_options()
    with pytest.raises(dataclasses.FrozenInstanceError):
        opts.response.sd_min_days = 1  # type: ignore[misc]


def test_a_missing_key_is_a_config_error_naming_it():
    trial = resolved_trial()
    del trial["response"]["confirmation"]["min_days"]
    with pytest.raises(ConfigError, match=r"response\.confirmation\.min_days"):
        ResponseRules.from_trial(trial)


@pytest.mark.parametrize("cls", [ResponseRules, SafetyOptions, TrialOptions])
def test_no_field_has_a_default(cls):
    """The schema holds each default once: the option classes hold none."""
    for f in dataclasses.fields(cls):
        assert f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING, (
            f"{cls.__name__}.{f.name}"
        )

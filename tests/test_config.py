"""Config and trial-file validation: one-line errors naming the file, the key and what was
expected, raised before any job runs; defaults filled from the schema."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tests.conftest import make_project, run_snakemake
from trialflow.config.loading import apply_defaults, check_trial, parse_yaml
from trialflow.errors import ConfigError

REPO = Path(__file__).resolve().parents[1]
SCHEMA = yaml.safe_load((REPO / "workflow/schemas/trial.schema.yaml").read_text())

MINIMAL = """\
id: demo
title: Demo trial
studyid: DEMO-1
deliveries:
  - {cutoff: 2020-06-30, raw: raw/d1}
"""


def _check(text: str, tmp_path: Path) -> dict:
    (tmp_path / "raw" / "d1").mkdir(parents=True, exist_ok=True)
    return check_trial(parse_yaml(text, "t.yaml"), SCHEMA, source="t.yaml", root=tmp_path)


def test_minimal_trial_gets_every_documented_default(tmp_path):
    trial = _check(MINIMAL, tmp_path)
    # The documented defaults, spelled out here independently of the schema file.
    assert trial["reference_start"] == "first_dose"
    assert trial["response"]["source"] == "derived"
    assert trial["response"]["confirmation"] == {
        "required": True,
        "min_days": 28,
        "max_ne_between": 1,
    }
    assert trial["response"]["sd_min_days"] == 42
    assert trial["response"]["cbr_sd_min_days"] == 168
    assert trial["assessment_interval_days"] == 42
    assert trial["pfs"] == {"censor_at_new_therapy": True, "max_missed_assessments": 1}
    assert trial["survival"] == {
        "conf_type": "log-log",
        "conf_level": 0.95,
        "landmarks_months": [6, 12],
    }
    assert trial["safety"]["teae_window_days"] == 30
    assert trial["rates"]["ci_method"] == "clopper-pearson"
    assert trial["deliveries"][0]["cutoff"] == "2020-06-30"  # YAML date kept as ISO text


def test_every_schema_property_has_a_default_or_is_required():
    def walk(schema, path):
        required = set(schema.get("required", []))
        for key, sub in schema.get("properties", {}).items():
            assert key in required or "default" in sub, f"{path}{key} has no documented default"
            if sub.get("type") == "object":
                walk(sub, f"{path}{key}.")

    walk(SCHEMA, "")


def test_defaults_do_not_leak_between_trials():
    a = apply_defaults({"id": "a"}, SCHEMA)
    a["response"]["confirmation"]["min_days"] = 99
    b = apply_defaults({"id": "b"}, SCHEMA)
    assert b["response"]["confirmation"]["min_days"] == 28


BAD_CASES = {
    "unknown key": (MINIMAL + "colour: blue\n", "key 'colour'", "unknown key"),
    "nested unknown key": (
        MINIMAL + "response: {confirmaton: {min_days: 28}}\n",
        "key 'response.confirmaton'",
        "unknown key",
    ),
    "wrong type": (
        MINIMAL + "response: {confirmation: {min_days: four weeks}}\n",
        "key 'response.confirmation.min_days'",
        "type integer",
    ),
    "bad trial id": (MINIMAL.replace("id: demo", "id: ../../etc"), "key 'id'", "matching"),
    "cutoff not a date": (
        MINIMAL.replace("2020-06-30", "2020-13-45"),
        "key 'deliveries[0].cutoff'",
        "real date",
    ),
    "cutoff free text": (
        MINIMAL.replace("2020-06-30", "end of June"),
        "key 'deliveries[0].cutoff'",
        "matching",
    ),
    "raw path missing": (
        MINIMAL.replace("raw/d1", "raw/nowhere"),
        "key 'deliveries[0].raw'",
        "does not exist",
    ),
    "raw path leaves project": (
        MINIMAL.replace("raw/d1", "../outside"),
        "key 'deliveries[0].raw'",
        "inside the project",
    ),
    "absolute raw path": (
        MINIMAL.replace("raw/d1", "/etc"),
        "key 'deliveries[0].raw'",
        "inside the project",
    ),
    "enum": (MINIMAL + "survival: {conf_type: arcsine}\n", "key 'survival.conf_type'", "one of"),
    "object tag": (
        MINIMAL + "title: !!python/object/apply:os.system ['echo hi']\n",
        "t.yaml",
        "not valid YAML",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_CASES))
def test_invalid_trial_file_gives_one_line_naming_file_and_key(case, tmp_path):
    text, key, expected = BAD_CASES[case]
    with pytest.raises(ConfigError) as info:
        _check(text, tmp_path)
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith("t.yaml")
    assert key in message
    assert expected in message


@pytest.mark.parametrize(
    "case", ["unknown key", "bad trial id", "cutoff not a date", "raw path leaves project"]
)
def test_workflow_stops_before_any_job(case, tmp_path):
    text, key, expected = BAD_CASES[case]
    (tmp_path / "raw" / "d1").mkdir(parents=True)
    make_project(tmp_path, {"demo.yaml": text})
    result = run_snakemake(tmp_path, "--cores", "1")
    assert result.returncode != 0
    lines = [ln for ln in result.stderr.splitlines() if ln.startswith("trialflow: config error:")]
    assert len(lines) == 1, result.stderr
    assert "config/trials/demo.yaml" in lines[0] and key in lines[0] and expected in lines[0]
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "results").exists()


def test_config_listing_a_path_outside_the_project_is_refused(tmp_path):
    make_project(tmp_path, {})
    (tmp_path / "config" / "config.yaml").write_text("trials:\n  - ../elsewhere.yaml\n")
    result = run_snakemake(tmp_path, "--cores", "1")
    assert result.returncode != 0
    assert "key 'trials[0]'" in result.stderr and "inside the project" in result.stderr

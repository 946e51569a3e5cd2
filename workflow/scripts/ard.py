"""The analysis results of one analysis: efficacy, Kaplan–Meier curves, concordance, safety
and baseline ARD, and the CDISC ARS reporting event.

Library: trialflow.ard.build.derive_ard, trialflow.ard.ars.reporting_event.
"""

from trialflow.worker import delegate

delegate()  # run in the warm worker when one can be used (trialflow.worker)

import json
from pathlib import Path

from trialflow.ard.ars import reporting_event, validate_ars
from trialflow.ard.build import derive_ard
from trialflow.config.options import (
    DesignSpec,
    RateOptions,
    ResponseRules,
    SafetyOptions,
    SubgroupOptions,
    SurvivalOptions,
)
from trialflow.errors import TrialflowError
from trialflow.io import read_csv_text, read_parquet, read_yaml, write_csv
from trialflow.scripting import run_script


def main(smk):
    trial = smk.params.trial
    names = ("ADSL", "ADRS", "ADTTE", "ADAE", "ADEX")
    adam = {name: read_parquet(smk.input[name.lower()]) for name in names}
    for name in ("visit_responses", "ovr_reported", "bor_sources"):
        adam[name] = read_parquet(smk.input[name])
    tables = derive_ard(
        adam,
        response=ResponseRules.from_trial(trial),
        rates=RateOptions.from_trial(trial),
        survival=SurvivalOptions.from_trial(trial),
        design=DesignSpec.from_trial(trial),
        subgroups=SubgroupOptions.from_trial(trial),
        safety=SafetyOptions.from_trial(trial),
    )
    folder = Path(smk.output.ars).parent
    for name, table in tables.items():
        write_csv(table, folder / f"{name}.csv")

    specs = {Path(p).stem: read_yaml(p) for p in smk.input.spec if Path(p).stem != "codelists"}
    doc = reporting_event(
        read_csv_text(folder / "efficacy.csv"),
        read_csv_text(folder / "safety.csv"),
        datasets=specs,
        trial_id=smk.wildcards.trial,
        title=smk.params.title,
        cutoff=smk.wildcards.cutoff,
        primary_endpoint=DesignSpec.from_trial(trial).endpoint,
    )
    problems = validate_ars(doc, json.loads(Path(smk.input.schema).read_text(encoding="utf-8")))
    if problems:
        raise TrialflowError(
            f"{smk.output.ars}: not valid against the ARS v1.0 schema ({len(problems)} "
            f"problem(s)); first: {problems[0]}"
        )
    text = json.dumps(doc, sort_keys=True, indent=1, ensure_ascii=False) + "\n"
    Path(smk.output.ars).write_text(text, encoding="utf-8")


run_script(main, snakemake)

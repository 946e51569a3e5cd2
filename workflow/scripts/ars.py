"""CDISC ARS v1.0 reporting event of one analysis. Library: trialflow.ard.ars.reporting_event,
validate_ars."""

import json
from pathlib import Path

from trialflow.ard.ars import reporting_event, validate_ars
from trialflow.errors import TrialflowError
from trialflow.io import read_csv_text, read_yaml
from trialflow.scripting import run_script


def main(smk):
    datasets = {Path(p).stem: read_yaml(p) for p in smk.input.spec if Path(p).stem != "codelists"}
    doc = reporting_event(
        read_csv_text(smk.input.efficacy),
        read_csv_text(smk.input.safety),
        datasets=datasets,
        trial_id=smk.wildcards.trial,
        title=smk.params.title,
        cutoff=smk.wildcards.cutoff,
        primary_endpoint=smk.params.endpoint,
    )
    problems = validate_ars(doc, json.loads(Path(smk.input.schema).read_text(encoding="utf-8")))
    if problems:
        raise TrialflowError(
            f"{smk.output[0]}: not valid against the ARS v1.0 schema ({len(problems)} "
            f"problem(s)); first: {problems[0]}"
        )
    text = json.dumps(doc, sort_keys=True, indent=1, ensure_ascii=False) + "\n"
    Path(smk.output[0]).write_text(text, encoding="utf-8")


run_script(main, snakemake)

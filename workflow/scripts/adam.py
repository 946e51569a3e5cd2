"""The ADaM stage of one analysis: ADSL, ADRS, ADTR, ADTTE, ADAE and ADEX (Parquet and XPT with
their spec's metadata), the response tables, each derivation's data issues and the analysis's
data-issues log, Define-XML 2.1 and the conformance checks.

Library: trialflow.adam.build.derive_adam, trialflow.adam.define, trialflow.adam.conformance,
trialflow.issues.combine_issues.
"""

import logging
from pathlib import Path

from trialflow.adam.build import derive_adam
from trialflow.adam.conformance import conformance, conformance_summary
from trialflow.adam.define import Study, define_html, define_xml, validate_define
from trialflow.config.options import (
    DrugOptions,
    PfsRules,
    ResponseRules,
    SafetyOptions,
    SubjectOptions,
)
from trialflow.errors import TrialflowError
from trialflow.io import read_csv_text, read_parquet, read_xpt_dataset, write_csv, write_parquet
from trialflow.issues import combine_issues
from trialflow.scripting import load_adam_specs, read_sdtm, run_script, write_adam
from trialflow.vocab import ADAM_DATASETS

log = logging.getLogger("trialflow")


def main(smk):
    trial = smk.params.trial
    stage = derive_adam(
        read_sdtm(smk.input.sdtm),
        cutoff=smk.params.cutoff,
        studyid=smk.params.studyid,
        subjects=SubjectOptions.from_trial(trial),
        response=ResponseRules.from_trial(trial),
        pfs=PfsRules.from_trial(trial),
        safety=SafetyOptions.from_trial(trial),
        drug=DrugOptions.from_trial(trial),
    )
    specs = load_adam_specs(smk.input.spec)
    adam = Path(smk.output.define).parent
    for name in ADAM_DATASETS:
        stem = adam / name.lower()
        write_adam(stage.datasets[name], f"{stem}.parquet", f"{stem}.xpt", specs=specs, name=name)
    for name, df in stage.tables.items():
        write_parquet(df, adam / f"{name}.parquet")
    issues = Path(smk.output.data_issues).parent / "issues"
    for name, df in stage.issues.items():
        write_csv(df, issues / f"{name}.csv")
    logs = [smk.input.ingest_issues, *(issues / f"{name}.csv" for name in stage.issues)]
    write_csv(combine_issues(read_csv_text(p) for p in logs), smk.output.data_issues)

    names = [name.lower() for name in ADAM_DATASETS]
    frames = {n.upper(): read_xpt_dataset(adam / f"{n}.xpt")[0] for n in names}
    study = Study(
        studyid=smk.params.studyid,
        name=smk.params.title,
        description=smk.params.title,
        protocol=smk.params.protocol,
        cutoff=smk.params.cutoff,
    )
    xml = define_xml(specs, frames, study=study)
    problems = validate_define(xml)
    if problems:
        raise TrialflowError(
            f"{smk.output.define}: not valid against the Define-XML 2.1 schema "
            f"({len(problems)} problem(s)); first: {problems[0]}"
        )
    Path(smk.output.define).write_bytes(xml)
    Path(smk.output.define_html).write_bytes(define_html(xml))

    parquet = {n.upper(): read_parquet(adam / f"{n}.parquet") for n in names}
    meta = {n.upper(): read_xpt_dataset(adam / f"{n}.xpt")[1] for n in names}
    table = conformance(specs, parquet, meta, cutoff=smk.params.cutoff)
    log.info("%s", conformance_summary(table))
    for row in table[table["status"] == "fail"].itertuples(index=False):
        log.warning(
            "conformance %s: %s %s %s: %s (%s)",
            row.severity,
            row.dataset,
            row.check,
            row.variable,
            row.message,
            row.rule,
        )
    write_csv(table, smk.output.conformance)


run_script(main, snakemake)

"""The ADaM stage of one analysis: ADSL, ADRS, ADTR, ADTTE, ADAE and ADEX (Parquet), the
response tables, each derivation's data issues and the analysis's data-issues log, and the ADaM
conformance checks of the datasets as they will be written to SAS transport files.

Library: trialflow.adam.build.derive_adam, trialflow.issues.combine_issues,
trialflow.adam.xpt.xpt_dataset, trialflow.adam.conformance.conformance.
"""

from trialflow.worker import delegate

delegate()  # run in the warm worker when one can be used (trialflow.worker)

import logging
from pathlib import Path

from trialflow.adam.build import derive_adam
from trialflow.adam.conformance import conformance, conformance_summary
from trialflow.adam.xpt import xpt_dataset, xpt_metadata
from trialflow.config.options import (
    DrugOptions,
    PfsRules,
    ResponseRules,
    SafetyOptions,
    SubjectOptions,
)
from trialflow.io import read_csv_text, read_parquet, write_csv, write_parquet
from trialflow.issues import combine_issues
from trialflow.scripting import load_adam_specs, read_sdtm, run_script
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
    adam = Path(smk.output.datasets[0]).parent
    for name in ADAM_DATASETS:
        write_parquet(stage.datasets[name], adam / f"{name.lower()}.parquet")
    for name, df in stage.tables.items():
        write_parquet(df, adam / f"{name}.parquet")
    issues = Path(smk.output.data_issues).parent / "issues"
    for name, df in stage.issues.items():
        write_csv(df, issues / f"{name}.csv")
    logs = [smk.input.ingest_issues, *(issues / f"{name}.csv" for name in stage.issues)]
    write_csv(combine_issues(read_csv_text(p) for p in logs), smk.output.data_issues)

    # conformance of the datasets as written (read back, as the submission job writes them)
    specs = load_adam_specs(smk.input.spec)
    frames = {name: read_parquet(adam / f"{name.lower()}.parquet") for name in ADAM_DATASETS}
    meta = {name: xpt_metadata(xpt_dataset(df, specs[name])) for name, df in frames.items()}
    table = conformance(specs, frames, meta, cutoff=smk.params.cutoff)
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

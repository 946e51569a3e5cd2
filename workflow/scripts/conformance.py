"""ADaM conformance checks of one analysis. Library: trialflow.adam.conformance.conformance."""

import logging
from pathlib import Path

from trialflow.adam.conformance import conformance, conformance_summary
from trialflow.io import read_parquet, read_xpt_dataset, write_csv
from trialflow.scripting import load_adam_specs, run_script


def main(smk):
    specs = load_adam_specs(smk.input.spec)
    frames = {Path(p).stem.upper(): read_parquet(p) for p in smk.input.parquet}
    meta = {Path(p).stem.upper(): read_xpt_dataset(p)[1] for p in smk.input.xpt}
    table = conformance(specs, frames, meta, cutoff=smk.params.cutoff)
    log = logging.getLogger("trialflow")
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
    write_csv(table, smk.output[0])


run_script(main, snakemake)

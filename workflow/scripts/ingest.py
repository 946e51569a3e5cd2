"""Ingest one delivery for one cutoff: raw SDTM files -> cleaned parquet, issues, summary.

Rule: workflow/rules/ingest.smk; library: trialflow.ingest.delivery.ingest_delivery.
"""

from trialflow.worker import delegate

delegate()  # run in the warm worker when one can be used (trialflow.worker)

import logging
from pathlib import Path

from trialflow.ingest.delivery import DOMAIN_ORDER, ingest_delivery, raw_by_domain
from trialflow.io import read_domain, read_specs, write_csv, write_parquet
from trialflow.scripting import run_script

log = logging.getLogger("trialflow.ingest.delivery")


def main(smk) -> None:
    specs = read_specs(smk.input.specs)
    files = raw_by_domain(list(smk.input.raw), smk.params.raw_dir)
    ignored = sorted(set(files) - set(specs))
    if ignored:
        log.info("ignored files without an SDTM spec: %s", ", ".join(files[n] for n in ignored))
    raw = {name: read_domain(path, name=path) for name, path in files.items() if name in specs}
    result = ingest_delivery(
        raw,
        specs,
        studyid=str(smk.params.studyid),
        cutoff=str(smk.params.cutoff),
        source_names={name: files[name] for name in raw},
        raw_dir=str(smk.params.raw_dir),
    )
    outputs = {Path(p).stem: p for p in smk.output.sdtm}
    for name in DOMAIN_ORDER:
        write_parquet(result.domains[name], outputs[name])
    write_csv(result.issues, smk.output.issues)
    write_csv(result.summary, smk.output.summary)
    for row in result.summary.itertuples(index=False):
        log.info(
            "%s: %d raw, %d kept, %d excluded",
            row.domain,
            row.raw_rows,
            row.kept_rows,
            row.excluded_rows,
        )


if __name__ == "__main__" or "snakemake" in globals():
    run_script(main, snakemake)

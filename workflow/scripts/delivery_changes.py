"""What changed between two consecutive deliveries of a trial, on the cleaned SDTM.

Library: trialflow.ingest.comparison.delivery_changes, trialflow.ingest.comparison.subject_changes.
"""

from trialflow.worker import delegate

delegate()  # run in the warm worker when one can be used (trialflow.worker)

from pathlib import Path

from trialflow.ingest.comparison import delivery_changes, subject_changes
from trialflow.io import read_parquet, write_csv
from trialflow.scripting import run_script


def main(smk):
    previous = {Path(p).stem: read_parquet(p) for p in smk.input.previous}
    current = {Path(p).stem: read_parquet(p) for p in smk.input.current}
    summary, records = delivery_changes(previous, current)
    write_csv(summary, smk.output.summary)
    write_csv(records, smk.output.records)
    write_csv(subject_changes(previous["dm"], current["dm"]), smk.output.subjects)


run_script(main, snakemake)

"""RTF tables and figures of one analysis. Library: trialflow.report.rtf.tlf_documents."""

from pathlib import Path

from trialflow.io import read_csv_text
from trialflow.report.rtf import tlf_documents
from trialflow.scripting import run_script


def main(smk):
    docs = tlf_documents(
        read_csv_text(smk.input.efficacy),
        read_csv_text(smk.input.safety),
        read_csv_text(smk.input.baseline),
        cutoff=smk.wildcards.cutoff,
        study=smk.params.studyid,
        figures={Path(p).stem: p for p in smk.input.figures},
    )
    for path in smk.output:
        Path(path).write_text(docs[Path(path).stem], encoding="utf-8")


run_script(main, snakemake)

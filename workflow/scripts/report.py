"""The report of one analysis: its parameters (report/params.yaml), the report notebook run in
this process and rendered to one self-contained HTML file, and the study-report RTF tables and
figures (tlf/).

Library: trialflow.report.execute, trialflow.report.html.strip_notebook,
trialflow.report.provenance.provenance_parameters, trialflow.report.rtf.tlf_documents.
"""

from trialflow.worker import delegate

delegate()  # run in the warm worker when one can be used (trialflow.worker)

import json
from pathlib import Path

import nbformat
import yaml

from trialflow.io import read_csv_text
from trialflow.report.execute import execute_notebook, notebook_html, notebook_text
from trialflow.report.html import strip_notebook
from trialflow.report.provenance import merge_provenance, provenance_parameters
from trialflow.report.rtf import tlf_documents
from trialflow.scripting import run_script


def main(smk):
    record = json.loads(Path(smk.input.provenance).read_text(encoding="utf-8"))
    params = {**smk.params.values, "provenance": provenance_parameters(merge_provenance([record]))}
    text = yaml.safe_dump(params, sort_keys=True, allow_unicode=True, default_flow_style=False)
    Path(smk.output.params).write_text(text, encoding="utf-8")

    source = nbformat.read(smk.input.notebook, as_version=4)
    executed = nbformat.from_dict(strip_notebook(execute_notebook(source, yaml.safe_load(text))))
    Path(smk.output.notebook).write_text(notebook_text(executed), encoding="utf-8", newline="\n")
    html = notebook_html(executed, template_dir=smk.params.templates)
    Path(smk.output.html).write_text(html, encoding="utf-8")

    docs = tlf_documents(
        read_csv_text(smk.input.efficacy),
        read_csv_text(smk.input.safety),
        read_csv_text(smk.input.baseline),
        cutoff=smk.wildcards.cutoff,
        study=smk.params.studyid,
        figures={Path(p).stem: p for p in smk.input.tlf_figures},
    )
    for path in smk.output.tlf:
        Path(path).write_text(docs[Path(path).stem], encoding="utf-8")


run_script(main, snakemake)

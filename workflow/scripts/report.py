"""The figures and the report of one analysis, and its audit trail: the figures (PNG and SVG:
Kaplan–Meier overall and PFS by each subgroup variable, waterfall, spider, swimmer, forest),
the provenance record (input hashes, software, code, resolved options), the report's parameters
(report/params.yaml), the report notebook run in this process and rendered to one
self-contained HTML file, the study-report RTF tables and figures (tlf/), and last the manifest
(the sha256 of every output).

Library: trialflow.figures.panels.analysis_figures, trialflow.audit.manifest,
trialflow.report.execute, trialflow.report.html.strip_notebook,
trialflow.report.provenance.provenance_parameters, trialflow.report.rtf.tlf_documents.
"""

from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import nbformat  # noqa: E402
import yaml  # noqa: E402

from trialflow.audit import manifest as mf  # noqa: E402
from trialflow.config.options import DesignSpec, SubgroupOptions, SurvivalOptions  # noqa: E402
from trialflow.figures import save_figure  # noqa: E402
from trialflow.figures.panels import analysis_figures  # noqa: E402
from trialflow.io import read_csv_text, read_parquet  # noqa: E402
from trialflow.report.execute import execute_notebook, notebook_html, notebook_text  # noqa: E402
from trialflow.report.html import strip_notebook  # noqa: E402
from trialflow.report.provenance import merge_provenance, provenance_parameters  # noqa: E402
from trialflow.report.rtf import tlf_documents  # noqa: E402
from trialflow.scripting import run_script  # noqa: E402


def main(smk):
    options = smk.params.options
    figs = analysis_figures(
        adsl=read_parquet(smk.input.adsl),
        adrs=read_parquet(smk.input.adrs),
        adtr=read_parquet(smk.input.adtr),
        visits=read_parquet(smk.input.visits),
        curves=read_csv_text(smk.input.curves),
        efficacy_ard=read_csv_text(smk.input.efficacy),
        survival=SurvivalOptions.from_trial(options),
        design=DesignSpec.from_trial(options),
        subgroups=SubgroupOptions.from_trial(options).variables,
    )
    figures = Path(smk.output.png[0]).parent
    for stem, fig in figs.items():
        save_figure(fig, figures / stem)

    root = Path.cwd()
    lock = Path(smk.input.lock).read_text(encoding="utf-8")
    record = mf.provenance(
        trial=smk.wildcards.trial,
        cutoff=smk.wildcards.cutoff,
        raw_files=mf.hash_files(smk.input.raw, relative_to=root),
        config_files=mf.hash_files([smk.params.trial_file], relative_to=root),
        software=mf.software_versions(mf.locked_packages(lock)),
        code=mf.code_version(Path(smk.params.code_dir)),
        trial_options=smk.params.options,
    )
    Path(smk.output.provenance).write_text(mf.dumps(record), encoding="utf-8")

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
        figures={name: str(figures / f"{name}.png") for name in smk.params.tlf_figures},
    )
    for path in smk.output.tlf:
        Path(path).write_text(docs[Path(path).stem], encoding="utf-8")

    folder = Path(smk.output.manifest).parent
    outputs = mf.hash_files(smk.params.outputs, relative_to=folder)
    Path(smk.output.manifest).write_text(mf.dumps(mf.manifest(record, outputs)), encoding="utf-8")


run_script(main, snakemake)

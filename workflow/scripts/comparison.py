"""The comparison of a trial's data cutoffs: Kaplan–Meier curves of every cutoff in one figure
per parameter, and the cutoff-comparison notebook run in this process and rendered to HTML.

Library: trialflow.figures.panels.km_by_cutoff_panel, trialflow.report.execute.
"""

from trialflow.worker import delegate

delegate()  # run in the warm worker when one can be used (trialflow.worker)

import json
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import nbformat
import yaml

from trialflow.config.options import SurvivalOptions
from trialflow.figures import save_figure
from trialflow.figures.names import CUTOFF_KM_PARAMS
from trialflow.figures.panels import km_by_cutoff_panel
from trialflow.io import read_csv_text
from trialflow.report.execute import execute_notebook, notebook_html, notebook_text
from trialflow.report.html import strip_notebook
from trialflow.report.provenance import merge_provenance, provenance_parameters
from trialflow.scripting import run_script


def main(smk):
    cutoffs = smk.params.cutoffs
    curves = {c: read_csv_text(p) for c, p in zip(cutoffs, smk.input.curves, strict=True)}
    efficacy = {c: read_csv_text(p) for c, p in zip(cutoffs, smk.input.efficacy, strict=True)}
    conf_level = SurvivalOptions.from_trial(smk.params.values["trial"]).conf_level
    outdir = Path(smk.output.png[0]).parent
    for paramcd in CUTOFF_KM_PARAMS:
        fig = km_by_cutoff_panel(curves, efficacy, paramcd, conf_level=conf_level)
        save_figure(fig, outdir / f"km_{paramcd.lower()}_by_cutoff")

    records = [json.loads(Path(p).read_text(encoding="utf-8")) for p in smk.input.provenance]
    params = {**smk.params.values, "provenance": provenance_parameters(merge_provenance(records))}
    text = yaml.safe_dump(params, sort_keys=True, allow_unicode=True, default_flow_style=False)
    Path(smk.output.params).write_text(text, encoding="utf-8")
    source = nbformat.read(smk.input.notebook, as_version=4)
    executed = nbformat.from_dict(strip_notebook(execute_notebook(source, yaml.safe_load(text))))
    Path(smk.output.notebook).write_text(notebook_text(executed), encoding="utf-8", newline="\n")
    html = notebook_html(executed, template_dir=smk.params.templates)
    Path(smk.output.html).write_text(html, encoding="utf-8")


run_script(main, snakemake)

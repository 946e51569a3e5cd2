"""Figures of one analysis: Kaplan–Meier (overall and PFS by each subgroup variable),
waterfall, spider, swimmer and forest plots, as PNG and SVG.

Library: trialflow.figures.panels.analysis_figures, trialflow.figures.save_figure.
"""

from trialflow.worker import delegate

delegate()  # run in the warm worker when one can be used (trialflow.worker)

from pathlib import Path

import matplotlib

matplotlib.use("Agg")

from trialflow.config.options import DesignSpec, SubgroupOptions, SurvivalOptions
from trialflow.figures import save_figure
from trialflow.figures.panels import analysis_figures
from trialflow.io import read_csv_text, read_parquet
from trialflow.scripting import run_script


def main(smk):
    trial = smk.params.trial
    figs = analysis_figures(
        adsl=read_parquet(smk.input.adsl),
        adrs=read_parquet(smk.input.adrs),
        adtr=read_parquet(smk.input.adtr),
        visits=read_parquet(smk.input.visits),
        curves=read_csv_text(smk.input.curves),
        efficacy_ard=read_csv_text(smk.input.efficacy),
        survival=SurvivalOptions.from_trial(trial),
        design=DesignSpec.from_trial(trial),
        subgroups=SubgroupOptions.from_trial(trial).variables,
    )
    outdir = Path(smk.output.png[0]).parent
    for stem, fig in figs.items():
        save_figure(fig, outdir / stem)


run_script(main, snakemake)

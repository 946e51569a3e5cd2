"""Kaplan–Meier curves of each trial's cutoffs in one figure per parameter (PNG and SVG).

Library: trialflow.figures.panels.km_by_cutoff_panel.
"""

from pathlib import Path

import matplotlib

matplotlib.use("Agg")

from trialflow.config.options import SurvivalOptions  # noqa: E402
from trialflow.figures import save_figure  # noqa: E402
from trialflow.figures.panels import CUTOFF_KM_PARAMS, km_by_cutoff_panel  # noqa: E402
from trialflow.io import read_csv_text  # noqa: E402
from trialflow.scripting import run_script  # noqa: E402


def main(smk):
    cutoffs = smk.params.cutoffs
    curves = {c: read_csv_text(p) for c, p in zip(cutoffs, smk.input.curves, strict=True)}
    efficacy = {c: read_csv_text(p) for c, p in zip(cutoffs, smk.input.efficacy, strict=True)}
    conf_level = SurvivalOptions.from_trial(smk.params.options).conf_level
    outdir = Path(smk.output.png[0]).parent
    for paramcd in CUTOFF_KM_PARAMS:
        fig = km_by_cutoff_panel(curves, efficacy, paramcd, conf_level=conf_level)
        save_figure(fig, outdir / f"km_{paramcd.lower()}_by_cutoff")


run_script(main, snakemake)

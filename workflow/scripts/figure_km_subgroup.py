"""PFS Kaplan–Meier figure by the levels of one subgroup variable.

Library: trialflow.figures.panels.km_panel.
"""

from pathlib import Path

import matplotlib

matplotlib.use("Agg")

from trialflow.config.options import SurvivalOptions  # noqa: E402
from trialflow.figures import save_figure  # noqa: E402
from trialflow.figures.panels import km_panel  # noqa: E402
from trialflow.io import read_csv_text  # noqa: E402
from trialflow.scripting import run_script  # noqa: E402


def main(smk):
    fig = km_panel(
        read_csv_text(smk.input.curves),
        read_csv_text(smk.input.efficacy),
        "PFS",
        by=smk.params.var,
        conf_level=SurvivalOptions.from_trial(smk.params.options).conf_level,
    )
    out = Path(smk.output.png)
    save_figure(fig, out.parent / out.stem)


run_script(main, snakemake)

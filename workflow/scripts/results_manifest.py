"""results/manifest.json: the sha256 of the index page and of each trial's manifest.

Library: trialflow.audit.manifest.results_manifest.
"""

from trialflow.worker import delegate

delegate()  # run in the warm worker when one can be used (trialflow.worker)

from pathlib import Path

from trialflow.audit import manifest as mf
from trialflow.scripting import run_script


def main(smk):
    folder = Path(smk.output[0]).parent
    trials = mf.hash_files(smk.input.trials, relative_to=folder)
    outputs = mf.hash_files([smk.input.index], relative_to=folder)
    Path(smk.output[0]).write_text(mf.dumps(mf.results_manifest(trials, outputs)), encoding="utf-8")


run_script(main, snakemake)

"""results/<trial>/manifest.json: the sha256 of every cross-cutoff output of a trial (the
cutoff comparison, its figures and delivery-change tables) and of each analysis's manifest.

Library: trialflow.audit.manifest.trial_manifest.
"""

from trialflow.worker import delegate

delegate()  # run in the warm worker when one can be used (trialflow.worker)

from pathlib import Path

from trialflow.audit import manifest as mf
from trialflow.scripting import run_script


def main(smk):
    folder = Path(smk.output[0]).parent
    analyses = mf.hash_files(smk.input.analyses, relative_to=folder)
    outputs = mf.hash_files(smk.input.outputs, relative_to=folder)
    record = mf.trial_manifest(folder.name, smk.params.cutoffs, analyses, outputs)
    Path(smk.output[0]).write_text(mf.dumps(record), encoding="utf-8")


run_script(main, snakemake)

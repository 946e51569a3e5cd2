"""manifest.json: the provenance record plus the sha256 of every output of the analysis.

Library: trialflow.audit.manifest.
"""

from trialflow.worker import delegate

delegate()  # run in the warm worker when one can be used (trialflow.worker)

import json
from pathlib import Path

from trialflow.audit import manifest as mf
from trialflow.scripting import run_script


def main(smk):
    folder = Path(smk.output[0]).parent
    prov = json.loads(Path(smk.input.provenance).read_text(encoding="utf-8"))
    outputs = mf.hash_files(smk.input.outputs, relative_to=folder)
    Path(smk.output[0]).write_text(mf.dumps(mf.manifest(prov, outputs)), encoding="utf-8")


run_script(main, snakemake)

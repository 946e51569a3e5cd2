"""provenance.json: input hashes, software and code versions, resolved trial options.

Library: trialflow.audit.manifest.
"""

from trialflow.worker import delegate

delegate()  # run in the warm worker when one can be used (trialflow.worker)

from pathlib import Path

from trialflow.audit import manifest as mf
from trialflow.scripting import run_script


def main(smk):
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
    Path(smk.output[0]).write_text(mf.dumps(record), encoding="utf-8")


run_script(main, snakemake)

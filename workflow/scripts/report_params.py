"""Parameters of one report notebook, as a YAML file for `papermill -f`.

Every value is written as YAML text from the resolved trial config (strings stay strings, so
an id like "007" is never read back as a number), with the generation provenance taken from
the analysis's provenance.json (the cutoff comparison merges those of every cutoff): the sha256 of each raw input and config file, the software
versions and the code version, exactly as the manifest records them. No wall-clock time.

Library: trialflow.report.provenance.provenance_parameters.
"""

import json
from pathlib import Path

import yaml

from trialflow.report.provenance import merge_provenance, provenance_parameters
from trialflow.scripting import run_script


def main(smk):
    params = dict(smk.params.values)
    paths = smk.input.provenance
    paths = [paths] if isinstance(paths, str) else list(paths)
    records = [json.loads(Path(p).read_text(encoding="utf-8")) for p in paths]
    params["provenance"] = provenance_parameters(merge_provenance(records))
    text = yaml.safe_dump(params, sort_keys=True, allow_unicode=True, default_flow_style=False)
    Path(smk.output[0]).write_text(text, encoding="utf-8")


run_script(main, snakemake)

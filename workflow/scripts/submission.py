"""The submission files of one analysis's ADaM datasets: SAS transport (XPT v5) with every
label, format and length of the ADaM spec, checked to read back with exactly the metadata the
conformance checks ran on, and Define-XML 2.1 (validated against its XSD) with its HTML
rendering.

Library: trialflow.adam.xpt, trialflow.adam.define.
"""

from trialflow.worker import delegate

delegate()  # run in the warm worker when one can be used (trialflow.worker)

from pathlib import Path

from trialflow.adam.define import Study, define_html, define_xml, validate_define
from trialflow.adam.xpt import xpt_metadata
from trialflow.errors import TrialflowError
from trialflow.io import read_parquet, read_xpt_dataset
from trialflow.scripting import load_adam_specs, run_script, write_xpt_dataset
from trialflow.vocab import ADAM_DATASETS


def main(smk):
    specs = load_adam_specs(smk.input.spec)
    adam = Path(smk.output.define).parent
    names = [name.lower() for name in ADAM_DATASETS]
    parquet = {n.upper(): read_parquet(adam / f"{n}.parquet") for n in names}
    expected = {
        name: xpt_metadata(
            write_xpt_dataset(df, adam / f"{name.lower()}.xpt", specs=specs, name=name)
        )
        for name, df in parquet.items()
    }

    written = {n.upper(): read_xpt_dataset(adam / f"{n}.xpt") for n in names}
    frames = {name: frame for name, (frame, _meta) in written.items()}
    study = Study(
        studyid=smk.params.studyid,
        name=smk.params.title,
        description=smk.params.title,
        protocol=smk.params.protocol,
        cutoff=smk.params.cutoff,
    )
    xml = define_xml(specs, frames, study=study)
    problems = validate_define(xml)
    if problems:
        raise TrialflowError(
            f"{smk.output.define}: not valid against the Define-XML 2.1 schema "
            f"({len(problems)} problem(s)); first: {problems[0]}"
        )
    Path(smk.output.define).write_bytes(xml)
    Path(smk.output.define_html).write_bytes(define_html(xml))

    for name, (_frame, read_back) in written.items():
        differs = sorted(k for k in expected[name] if expected[name][k] != read_back.get(k))
        if differs:
            raise TrialflowError(
                f"{adam / (name.lower() + '.xpt')}: the written file's {', '.join(differs)} "
                "differ from the metadata the conformance checks ran on"
            )


run_script(main, snakemake)

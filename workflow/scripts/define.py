"""define.xml and define.html of one analysis. Library: trialflow.adam.define.define_xml,
validate_define, define_html."""

from pathlib import Path

from trialflow.adam.define import Study, define_html, define_xml, validate_define
from trialflow.errors import TrialflowError
from trialflow.io import read_xpt_dataset
from trialflow.scripting import load_adam_specs, run_script


def main(smk):
    specs = load_adam_specs(smk.input.spec)
    frames = {Path(p).stem.upper(): read_xpt_dataset(p)[0] for p in smk.input.xpt}
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
            f"{smk.output.xml}: not valid against the Define-XML 2.1 schema "
            f"({len(problems)} problem(s)); first: {problems[0]}"
        )
    Path(smk.output.xml).write_bytes(xml)
    Path(smk.output.html).write_bytes(define_html(xml))


run_script(main, snakemake)

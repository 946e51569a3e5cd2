"""ADSL: one row per subject. Library: trialflow.adam.adsl.derive_adsl."""

from trialflow.adam.adsl import derive_adsl
from trialflow.config.options import ResponseRules, SubjectOptions
from trialflow.io import write_csv
from trialflow.scripting import read_sdtm, run_script, write_adam


def main(smk):
    sdtm = read_sdtm(smk.input.sdtm)
    subjects = SubjectOptions.from_trial(smk.params.trial)
    adsl, issues = derive_adsl(
        sdtm["dm"],
        sdtm["suppdm"],
        sdtm["ex"],
        sdtm["ds"],
        sdtm["tu"],
        sdtm["tr"],
        sdtm["rs"],
        sdtm["cm"],
        cutoff=smk.params.cutoff,
        reference_start=subjects.reference_start,
        studyid=smk.params.studyid,
        response=ResponseRules.from_trial(smk.params.trial),
        age_cut=subjects.age_group_cut,
    )
    write_adam(
        adsl,
        smk.output.parquet,
        smk.output.xpt,
        spec_files=smk.input.spec,
        name="ADSL",
    )
    write_csv(issues, smk.output.issues)


run_script(main, snakemake)

"""ADTTE: OS, PFS, DOR and TTR with censoring. Library: trialflow.adam.adtte.derive_adtte."""

from trialflow.adam.adtte import derive_adtte, subjects_without_start
from trialflow.io import read_parquet, write_csv
from trialflow.scripting import run_script, write_adam


def main(smk):
    adsl = read_parquet(smk.input.adsl)
    adtte = derive_adtte(
        adsl,
        read_parquet(smk.input.ovr),
        read_parquet(smk.input.adrs),
        assessment_interval_days=smk.params.assessment_interval_days,
        max_missed_assessments=smk.params.pfs["max_missed_assessments"],
        censor_at_new_therapy=smk.params.pfs["censor_at_new_therapy"],
        cutoff=smk.params.cutoff,
    )
    write_adam(
        adtte,
        smk.output.parquet,
        smk.output.xpt,
        spec_files=smk.input.spec,
        name="ADTTE",
    )
    write_csv(subjects_without_start(adsl), smk.output.issues)


run_script(main, snakemake)

"""ADTTE: OS, PFS, DOR and TTR with censoring. Library: trialflow.adam.adtte.derive_adtte."""

from trialflow.adam.adtte import adtte_issues, derive_adtte
from trialflow.config.options import PfsRules, ResponseRules
from trialflow.io import read_parquet, write_csv
from trialflow.scripting import run_script, write_adam


def main(smk):
    # the trial sections this rule depends on (its params), as the resolved trial file has them
    trial = {
        "assessment_interval_days": smk.params.assessment_interval_days,
        "pfs": smk.params.pfs,
        "response": smk.params.response,
    }
    adsl = read_parquet(smk.input.adsl)
    adtte = derive_adtte(
        adsl,
        read_parquet(smk.input.ovr),
        read_parquet(smk.input.adrs),
        pfs=PfsRules.from_trial(trial),
        response=ResponseRules.from_trial(trial),
        cutoff=smk.params.cutoff,
    )
    write_adam(
        adtte,
        smk.output.parquet,
        smk.output.xpt,
        spec_files=smk.input.spec,
        name="ADTTE",
    )
    write_csv(adtte_issues(adsl), smk.output.issues)


run_script(main, snakemake)

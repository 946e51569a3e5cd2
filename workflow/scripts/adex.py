"""ADEX: exposure and dose intensity per subject. Library: trialflow.adam.adex.derive_adex."""

from trialflow.adam.adex import derive_adex
from trialflow.config.options import DrugOptions
from trialflow.io import read_parquet, write_csv
from trialflow.scripting import run_script, write_adam


def main(smk):
    adex, issues = derive_adex(
        read_parquet(smk.input.ex),
        read_parquet(smk.input.adsl),
        DrugOptions.from_trial({"drug": smk.params.drug}),
        cutoff=smk.params.cutoff,
        adae=read_parquet(smk.input.adae),
    )
    write_adam(adex, smk.output.parquet, smk.output.xpt, spec_files=smk.input.spec, name="ADEX")
    write_csv(issues, smk.output.issues)


run_script(main, snakemake)

"""ADEX: exposure and dose intensity per subject. Library: trialflow.adam.adex.derive_adex."""

from trialflow.adam.adex import derive_adex
from trialflow.io import read_parquet
from trialflow.scripting import run_script, write_adam


def main(smk):
    drug = smk.params.drug
    adex = derive_adex(
        read_parquet(smk.input.ex),
        read_parquet(smk.input.adsl),
        planned_dose=drug["planned_dose"],
        doses_per_cycle=drug["doses_per_cycle"],
        cycle_days=drug["cycle_days"],
        delay_tolerance_days=drug["delay_tolerance_days"],
        cutoff=smk.params.cutoff,
        adae=read_parquet(smk.input.adae),
    )
    write_adam(adex, smk.output.parquet, smk.output.xpt, spec_files=smk.input.spec, name="ADEX")


run_script(main, snakemake)

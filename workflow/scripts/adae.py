"""ADAE: adverse events with TEAE and grade flags. Library: trialflow.adam.adae.derive_adae."""

from trialflow.adam.adae import derive_adae
from trialflow.config.options import SafetyOptions
from trialflow.io import read_parquet, write_csv
from trialflow.scripting import run_script, write_adam


def main(smk):
    safety = SafetyOptions.from_trial(smk.params.trial)
    adae, issues = derive_adae(
        read_parquet(smk.input.ae),
        read_parquet(smk.input.adsl),
        teae_window_days=safety.teae_window_days,
        aesi=safety.aesi,
        aesev_grades=safety.aesev_grade_map,
        cutoff=smk.params.cutoff,
    )
    write_adam(
        adae,
        smk.output.parquet,
        smk.output.xpt,
        spec_files=smk.input.spec,
        name="ADAE",
    )
    write_csv(issues, smk.output.issues)


run_script(main, snakemake)

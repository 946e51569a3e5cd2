"""Safety ARD: TEAE overview, by SOC/PT, most common, AEs of special interest.

Library: trialflow.ard.safety.
"""

from trialflow.ard.safety import aesi_table, common_teae, teae_by_soc_pt, teae_overview
from trialflow.ard_table import concat_ard
from trialflow.config.options import SafetyOptions
from trialflow.io import read_parquet, write_csv
from trialflow.scripting import run_script


def main(smk):
    adsl = read_parquet(smk.input.adsl)
    adae = read_parquet(smk.input.adae)
    safety = SafetyOptions.from_trial(smk.params.trial)
    ard = concat_ard(
        [
            teae_overview(adae, adsl),
            teae_by_soc_pt(adae, adsl),
            common_teae(adae, adsl, threshold=safety.common_ae_threshold),
            aesi_table(adae, adsl, aesi=safety.aesi),
        ]
    )
    write_csv(ard, smk.output[0])


run_script(main, snakemake)

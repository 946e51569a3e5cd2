"""Baseline ARD: disposition, demographics and baseline characteristics, exposure.

Library: trialflow.ard.baseline.
"""

from trialflow.ard.baseline import demographics_table, disposition_table, exposure_table
from trialflow.ard_table import concat_ard
from trialflow.io import read_parquet, write_csv
from trialflow.scripting import run_script


def main(smk):
    adsl = read_parquet(smk.input.adsl)
    adae = read_parquet(smk.input.adae)
    adex = read_parquet(smk.input.adex)
    ard = concat_ard(
        [disposition_table(adsl, adae=adae), demographics_table(adsl), exposure_table(adex, adsl)]
    )
    write_csv(ard, smk.output[0])


run_script(main, snakemake)

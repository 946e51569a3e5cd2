"""Efficacy ARD and derived-versus-investigator concordance.

Library: trialflow.ard.efficacy.efficacy_ard, trialflow.ard.concordance.concordance.
"""

from trialflow.ard.concordance import concordance
from trialflow.ard.efficacy import efficacy_ard
from trialflow.io import read_parquet, write_csv
from trialflow.scripting import run_script


def main(smk):
    opts = smk.params.options
    adsl = read_parquet(smk.input.adsl)
    ard = efficacy_ard(adsl, read_parquet(smk.input.adrs), read_parquet(smk.input.adtte), opts)
    visits, summary = concordance(
        read_parquet(smk.input.visits),
        read_parquet(smk.input.reported),
        read_parquet(smk.input.best),
    )
    write_csv(ard, smk.output.efficacy)
    write_csv(summary, smk.output.concordance)
    write_csv(visits, smk.output.concordance_visits)


run_script(main, snakemake)

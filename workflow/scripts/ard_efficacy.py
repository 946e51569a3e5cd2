"""Efficacy ARD, Kaplan–Meier curves and derived-versus-investigator concordance.

Library: trialflow.ard.efficacy.efficacy_ard, trialflow.ard.curves.km_curves_ard,
trialflow.ard.concordance.concordance.
"""

from trialflow.ard.concordance import concordance
from trialflow.ard.curves import km_curves_ard
from trialflow.ard.efficacy import efficacy_ard
from trialflow.config.options import (
    DesignSpec,
    RateOptions,
    ResponseRules,
    SubgroupOptions,
    SurvivalOptions,
)
from trialflow.io import read_parquet, write_csv
from trialflow.scripting import run_script


def main(smk):
    opts = smk.params.options
    adsl = read_parquet(smk.input.adsl)
    ard = efficacy_ard(
        adsl,
        read_parquet(smk.input.adrs),
        read_parquet(smk.input.adtte),
        response=ResponseRules.from_trial(opts),
        rates=RateOptions.from_trial(opts),
        survival=SurvivalOptions.from_trial(opts),
        design=DesignSpec.from_trial(opts),
        subgroups=SubgroupOptions.from_trial(opts),
    )
    survival = SurvivalOptions.from_trial(opts)
    curves = km_curves_ard(
        read_parquet(smk.input.adtte),
        adsl,
        conf_level=survival.conf_level,
        conf_type=survival.conf_type,
        subgroups=SubgroupOptions.from_trial(opts).variables,
    )
    visits, summary = concordance(
        read_parquet(smk.input.visits),
        read_parquet(smk.input.reported),
        read_parquet(smk.input.best),
    )
    write_csv(ard, smk.output.efficacy)
    write_csv(curves, smk.output.curves)
    write_csv(summary, smk.output.concordance)
    write_csv(visits, smk.output.concordance_visits)


run_script(main, snakemake)

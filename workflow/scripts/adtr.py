"""ADTR: sum of lesion diameters per assessment. Library: trialflow.adam.adtr.derive_adtr."""

from trialflow.adam.adtr import derive_adtr
from trialflow.config.options import ResponseRules
from trialflow.io import read_parquet
from trialflow.scripting import read_sdtm, run_script, write_adam


def main(smk):
    sdtm = read_sdtm(smk.input.sdtm)
    adtr = derive_adtr(
        sdtm["tu"],
        sdtm["tr"],
        sdtm["rs"],
        read_parquet(smk.input.adsl),
        read_parquet(smk.input.adrs),
        ResponseRules.from_trial(smk.params.trial),
    )
    write_adam(
        adtr,
        smk.output.parquet,
        smk.output.xpt,
        spec_files=smk.input.spec,
        name="ADTR",
    )


run_script(main, snakemake)

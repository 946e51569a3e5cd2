"""ADTR: sum of lesion diameters per assessment. Library: trialflow.adam.adtr.derive_adtr."""

from trialflow.adam.adtr import derive_adtr
from trialflow.io import read_parquet
from trialflow.scripting import read_sdtm, run_script, write_adam


def main(smk):
    sdtm = read_sdtm(smk.input.sdtm)
    adtr = derive_adtr(sdtm["tu"], sdtm["tr"], read_parquet(smk.input.adsl))
    write_adam(
        adtr,
        smk.output.parquet,
        smk.output.xpt,
        spec_files=smk.input.spec,
        name="ADTR",
    )


run_script(main, snakemake)

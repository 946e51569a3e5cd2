"""ADRS: per-visit RECIST 1.1 responses and best overall response.

Library: trialflow.adam.recist.derive_visit_responses, select_ovr_records; trialflow.adam.adrs.derive_adrs.
"""

from trialflow.adam.adrs import derive_adrs
from trialflow.adam.recist import derive_visit_responses, select_ovr_records
from trialflow.io import read_parquet, write_csv, write_parquet
from trialflow.scripting import read_sdtm, run_script, write_adam


def main(smk):
    sdtm = read_sdtm(smk.input.sdtm)
    adsl = read_parquet(smk.input.adsl)
    opts = smk.params.response
    visits = derive_visit_responses(sdtm["tu"], sdtm["tr"], adsl)
    ovr = select_ovr_records(sdtm["rs"], visits, source=opts["source"])
    adrs, issues = derive_adrs(
        ovr,
        adsl,
        confirmation_required=opts["confirmation"]["required"],
        min_days=opts["confirmation"]["min_days"],
        max_ne_between=opts["confirmation"]["max_ne_between"],
        sd_min_days=opts["sd_min_days"],
        cbr_sd_min_days=opts["cbr_sd_min_days"],
    )
    write_adam(adrs, smk.output.parquet, smk.output.xpt, spec_files=smk.input.spec, name="ADRS")
    write_parquet(visits, smk.output.visits)
    write_parquet(ovr, smk.output.ovr)
    write_csv(issues, smk.output.issues)


run_script(main, snakemake)

"""ADRS: per-visit RECIST 1.1 responses and best overall response, and the sources the
concordance ARD compares.

Library: trialflow.adam.recist.derive_visit_responses, select_ovr_records;
trialflow.adam.adrs.derive_adrs, derive_source_comparison.
"""

from trialflow.adam.adrs import derive_adrs, derive_source_comparison
from trialflow.adam.readers import choose_readers
from trialflow.adam.recist import derive_visit_responses, select_ovr_records
from trialflow.config.options import ResponseRules
from trialflow.io import read_parquet, write_csv, write_parquet
from trialflow.issues import concat_issues
from trialflow.scripting import read_sdtm, run_script, write_adam


def main(smk):
    sdtm = read_sdtm(smk.input.sdtm)
    adsl = read_parquet(smk.input.adsl)
    rules = ResponseRules.from_trial(smk.params.trial)
    tu, tr, rs = sdtm["tu"], sdtm["tr"], sdtm["rs"]
    readers = choose_readers(tu, tr, rs, rules)
    visits, visit_issues = derive_visit_responses(tu, tr, rs, adsl, rules)
    ovr = select_ovr_records(rs, visits, rules, readers)
    adrs, issues = derive_adrs(ovr, adsl, rules)
    reported, best = derive_source_comparison(visits, rs, adsl, rules, readers)
    write_adam(adrs, smk.output.parquet, smk.output.xpt, spec_files=smk.input.spec, name="ADRS")
    write_parquet(visits, smk.output.visits)
    write_parquet(ovr, smk.output.ovr)
    write_parquet(reported, smk.output.reported)
    write_parquet(best, smk.output.best)
    write_csv(concat_issues([visit_issues, issues]), smk.output.issues)


run_script(main, snakemake)

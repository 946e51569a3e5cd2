# trialflow: raw SDTM deliveries -> cleaned data -> ADaM -> statistics -> figures -> reports,
# one chain per trial and data cutoff. Run `snakemake --cores 4` (or `make run`).
from snakemake.utils import min_version

min_version("9.0")


configfile: "config/config.yaml"


envvars:
    "PATH",


include: "workflow/rules/common.smk"
include: "workflow/rules/ingest.smk"
include: "workflow/rules/adam.smk"
include: "workflow/rules/ard.smk"
include: "workflow/rules/figures.smk"
include: "workflow/rules/report.smk"
include: "workflow/rules/audit.smk"


rule all:
    default_target: True
    input:
        all_targets(),

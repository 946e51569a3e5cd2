# Stage 3: analysis results (ARD), one statistic a row: efficacy, safety, baseline.


rule ard_efficacy:
    input:
        adsl="results/{trial}/{cutoff}/adam/adsl.parquet",
        adrs="results/{trial}/{cutoff}/adam/adrs.parquet",
        adtte="results/{trial}/{cutoff}/adam/adtte.parquet",
        visits="results/{trial}/{cutoff}/adam/visit_responses.parquet",
        reported="results/{trial}/{cutoff}/adam/ovr_reported.parquet",
        best="results/{trial}/{cutoff}/adam/bor_sources.parquet",
    output:
        efficacy="results/{trial}/{cutoff}/ard/efficacy.csv",
        curves="results/{trial}/{cutoff}/ard/km_curves.csv",
        concordance="results/{trial}/{cutoff}/ard/concordance.csv",
        concordance_visits="results/{trial}/{cutoff}/ard/concordance_visits.csv",
    log:
        "logs/{trial}/{cutoff}/ard_efficacy.log",
    benchmark:
        "logs/{trial}/{cutoff}/ard_efficacy.benchmark.tsv"
    conda:
        ENV
    params:
        options=lambda w: trial_options(
            w.trial, "response", "rates", "survival", "design", "subgroups", "baseline"
        ),
    script:
        "../scripts/ard_efficacy.py"


rule ard_safety:
    input:
        adsl="results/{trial}/{cutoff}/adam/adsl.parquet",
        adae="results/{trial}/{cutoff}/adam/adae.parquet",
    output:
        "results/{trial}/{cutoff}/ard/safety.csv",
    log:
        "logs/{trial}/{cutoff}/ard_safety.log",
    benchmark:
        "logs/{trial}/{cutoff}/ard_safety.benchmark.tsv"
    conda:
        ENV
    params:
        trial=lambda w: trial_options(w.trial, "safety"),
    script:
        "../scripts/ard_safety.py"


rule ard_baseline:
    input:
        adsl="results/{trial}/{cutoff}/adam/adsl.parquet",
        adae="results/{trial}/{cutoff}/adam/adae.parquet",
        adex="results/{trial}/{cutoff}/adam/adex.parquet",
    output:
        "results/{trial}/{cutoff}/ard/baseline.csv",
    log:
        "logs/{trial}/{cutoff}/ard_baseline.log",
    benchmark:
        "logs/{trial}/{cutoff}/ard_baseline.benchmark.tsv"
    conda:
        ENV
    script:
        "../scripts/ard_baseline.py"


rule ars:
    input:
        efficacy="results/{trial}/{cutoff}/ard/efficacy.csv",
        safety="results/{trial}/{cutoff}/ard/safety.csv",
        spec=adam_specs(),
        schema=ARS_SCHEMA,
    output:
        "results/{trial}/{cutoff}/ard/ars.json",
    log:
        "logs/{trial}/{cutoff}/ars.log",
    benchmark:
        "logs/{trial}/{cutoff}/ars.benchmark.tsv"
    conda:
        ENV
    params:
        title=lambda w: TRIALS[w.trial]["title"],
        endpoint=lambda w: TRIALS[w.trial]["design"]["endpoint"],
    script:
        "../scripts/ars.py"
